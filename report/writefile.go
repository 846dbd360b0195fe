package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
// "-" is standard output. A regular file (or a path that does not exist
// yet) is written to a temporary file in the same directory, synced and
// renamed over it; a symlink to a regular file updates its target. Files
// that are not regular (/dev/null, a FIFO, a terminal, /dev/stdout) and
// anything under /dev or /proc are written in place and never replaced:
// renaming over /dev/null as root would break the machine.
func WriteFile(path, format string, r *Report, opts Options) error {
	if path == "-" || path == "/dev/stdout" {
		return writeTo(os.Stdout, path, format, r, opts)
	}
	if path == "/dev/stderr" {
		return writeTo(os.Stderr, path, format, r, opts)
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if t, err := filepath.EvalSymlinks(path); err == nil {
			target = t
		}
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && !fi.Mode().IsRegular(), inSpecialFS(target) || inSpecialFS(path):
		return writeInPlace(path, format, r, opts)
	case err != nil && !os.IsNotExist(err):
		return err
	}
	mode := os.FileMode(0o644)
	if err == nil {
		mode = fi.Mode().Perm()
	}
	// Render first: a rendering error must not leave a temporary file or
	// touch the old report.
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		return err
	}
	return replaceFile(target, buf.Bytes(), mode)
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

func writeTo(w io.Writer, name, format string, r *Report, opts Options) error {
	if err := Write(w, format, r, opts); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func writeInPlace(path, format string, r *Report, opts Options) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	werr := writeTo(f, path, format, r, opts)
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
