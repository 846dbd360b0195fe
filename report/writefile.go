package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Report formats.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
	FormatHTML  = "html"
)

// FormatFor decides the output format: the --format flag when given, else
// the -o file's extension (.json, .sarif, .html, .htm), else text.
func FormatFor(flag, path string) (string, error) {
	switch flag {
	case FormatText, FormatJSON, FormatSARIF, FormatHTML:
		return flag, nil
	case "":
	default:
		return "", fmt.Errorf("unknown format %q (want text, json, sarif or html)", flag)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, nil
	case ".sarif":
		return FormatSARIF, nil
	case ".html", ".htm":
		return FormatHTML, nil
	}
	return FormatText, nil
}

// Write renders r in format to w.
func Write(w io.Writer, format string, r *Report, opts Options) error {
	switch format {
	case FormatText, "":
		return WriteText(w, r, opts)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatSARIF:
		return WriteSARIF(w, r)
	case FormatHTML:
		return WriteHTML(w, r, opts)
	}
	return fmt.Errorf("unknown format %q (want text, json, sarif or html)", format)
}

// WriteFile writes r to path so that a reader never sees half a report.
// "-", /dev/stdout and /dev/stderr are captrace's own standard output and
// error. A regular file (or a path that does not exist yet) is written to a
// temporary file in the same directory, synced and renamed over it; a
// symlink to a regular file updates its target. Where that is impossible
// but the file itself is writable (its directory belongs to someone else,
// or is sticky and the file is another user's), the file is rewritten in
// place. Files that are not regular (/dev/null, a FIFO, a terminal) and
// anything under /dev or /proc are written in place and never replaced:
// renaming over /dev/null as root would break the machine.
func WriteFile(path, format string, r *Report, opts Options) error {
	plan, err := planOutput(path)
	if err != nil {
		return err
	}
	// Render first: a rendering error must not leave a temporary file or
	// touch the old report.
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		return err
	}
	switch plan.how {
	case toStdout:
		return writeTo(os.Stdout, path, buf.Bytes())
	case toStderr:
		return writeTo(os.Stderr, path, buf.Bytes())
	case inPlace:
		return writeInPlace(path, buf.Bytes(), false)
	}
	err = replaceFile(plan.target, buf.Bytes(), plan.mode)
	if err != nil && plan.exists && errors.Is(err, fs.ErrPermission) {
		// A sticky directory lets us create the temporary file but not
		// rename it over another user's file (rename(2), EPERM).
		if ierr := writeInPlace(plan.target, buf.Bytes(), true); ierr == nil {
			return nil
		}
	}
	return err
}

// CheckOutput says, before a run, whether WriteFile could write path: one
// error when the file truly cannot be written (no such directory, a
// directory, no permission for the file nor for its directory). It creates
// nothing.
func CheckOutput(path string) error {
	if path == "" {
		return nil
	}
	plan, err := planOutput(path)
	if err != nil {
		return err
	}
	switch plan.how {
	case toStdout, toStderr:
		return nil
	case inPlace:
		if err := unix.Access(path, unix.W_OK); err != nil {
			return fmt.Errorf("not writable (%w)", err)
		}
		return nil
	}
	dir := filepath.Dir(plan.target)
	derr := unix.Access(dir, unix.W_OK|unix.X_OK)
	switch {
	case derr == nil:
		return nil
	case !plan.exists:
		return fmt.Errorf("cannot create a file in %s (%w)", dir, derr)
	}
	// Rewriting in place is the fallback when the directory is not ours.
	if err := unix.Access(plan.target, unix.W_OK); err != nil {
		return fmt.Errorf("neither the file nor its directory is writable (%w)", err)
	}
	return nil
}

type outputMethod int

const (
	replaceAtomically outputMethod = iota
	inPlace
	toStdout
	toStderr
)

// outputPlan is how WriteFile writes one path.
type outputPlan struct {
	how    outputMethod
	target string      // the file replaced: path, or a symlink's target
	exists bool        // target exists (a regular file)
	mode   os.FileMode // the permissions the new file gets
}

func planOutput(path string) (outputPlan, error) {
	switch path {
	case "-", "/dev/stdout":
		return outputPlan{how: toStdout}, nil
	case "/dev/stderr":
		return outputPlan{how: toStderr}, nil
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if t, err := filepath.EvalSymlinks(path); err == nil {
			target = t
		}
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return outputPlan{}, &fs.PathError{Op: "write", Path: path, Err: syscall.EISDIR}
	case err == nil && !fi.Mode().IsRegular(), inSpecialFS(target) || inSpecialFS(path):
		return outputPlan{how: inPlace, target: path}, nil
	case err == nil:
		return outputPlan{how: replaceAtomically, target: target, exists: true, mode: fi.Mode().Perm()}, nil
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(target)
		if di, derr := os.Stat(dir); derr != nil {
			return outputPlan{}, fmt.Errorf("directory %s: %w", dir, unwrapPath(derr))
		} else if !di.IsDir() {
			return outputPlan{}, fmt.Errorf("%s is not a directory", dir)
		}
		return outputPlan{how: replaceAtomically, target: target, mode: 0o644}, nil
	}
	return outputPlan{}, err
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// inSpecialFS is true for device and process file systems, where a path
// names a kernel object that a rename must never replace.
func inSpecialFS(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return abs == "/dev" || abs == "/proc" || strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

func writeTo(w io.Writer, name string, data []byte) error {
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// writeInPlace writes data into the existing file path; truncate is for
// regular files (a device or FIFO cannot be truncated).
func writeInPlace(path string, data []byte, truncate bool) error {
	flags := os.O_WRONLY
	if truncate {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return err
	}
	werr := writeTo(f, path, data)
	if werr == nil && truncate {
		werr = f.Sync()
	}
	if err := f.Close(); werr == nil && err != nil {
		return err
	}
	return werr
}

func replaceFile(path string, data []byte, mode os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable only once the directory is; a failure here
	// leaves a complete file, so it is not reported.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
