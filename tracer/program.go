package tracer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// resolveProgram finds PROGRAM as a shell would (PATH unless it names a
// path) and checks, before anything is started, that it can be executed:
// the failures users hit most get their own message and exit status.
func resolveProgram(name string) (string, error) {
	if name == "" {
		return "", usageError("", errors.New("no program given"))
	}
	path := name
	if !strings.Contains(name, "/") {
		found, err := exec.LookPath(name)
		if err != nil && !errors.Is(err, exec.ErrDot) {
			if p := nonExecutableInPath(name); p != "" {
				return "", &Error{Path: name, Err: errors.New("permission denied (" + p + " is not executable)"), Status: StatusNotExecutable}
			}
			return "", &Error{Path: name, Err: errors.New("command not found"), Status: StatusNotFound}
		}
		path = found
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &Error{Path: name, Err: errors.New("no such file or directory"), Status: StatusNotFound}
	case err != nil:
		return "", &Error{Path: name, Err: unwrapPathError(err), Status: StatusNotExecutable}
	case info.IsDir():
		return "", &Error{Path: name, Err: errors.New("is a directory"), Status: StatusNotExecutable}
	case info.Mode()&0o111 == 0:
		return "", &Error{Path: name, Err: errors.New("permission denied (not executable)"), Status: StatusNotExecutable}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", &Error{Path: name, Err: unwrapPathError(err), Status: StatusNotExecutable}
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil || !isRunnable(magic) {
		return "", &Error{Path: name, Err: errors.New("not an ELF executable or script"), Status: StatusNotExecutable}
	}
	if string(magic[:2]) == "#!" {
		if err := checkInterpreter(name, f); err != nil {
			return "", err
		}
	}
	return path, nil
}

// binprmBufSize is how much of a script the kernel reads for its #! line
// (BINPRM_BUF_SIZE, include/uapi/linux/binfmts.h).
const binprmBufSize = 256

// checkInterpreter fails, as a shell would, when a script's #! interpreter
// is missing or cannot run: execve would fail with the script's own name
// (ENOENT for a file that exists), which misleads.
func checkInterpreter(name string, script *os.File) error {
	buf := make([]byte, binprmBufSize)
	n, _ := script.ReadAt(buf, 0)
	line, _, _ := bytes.Cut(buf[2:n], []byte("\n"))
	// The interpreter is the first word after #! (fs/binfmt_script.c).
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return &Error{Path: name, Err: errors.New("the #! line names no interpreter"), Status: StatusNotExecutable}
	}
	interp := fields[0]
	info, err := os.Stat(interp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Path: name, Err: fmt.Errorf("bad interpreter %s: no such file or directory", interp), Status: StatusNotFound}
	case err != nil:
		return &Error{Path: name, Err: fmt.Errorf("bad interpreter %s: %w", interp, unwrapPathError(err)), Status: StatusNotExecutable}
	case info.IsDir() || info.Mode()&0o111 == 0:
		return &Error{Path: name, Err: fmt.Errorf("bad interpreter %s: permission denied", interp), Status: StatusNotExecutable}
	}
	return nil
}

// nonExecutableInPath is the first file named name in a PATH directory,
// when none is executable: execvp(3) then fails with EACCES rather than
// ENOENT, and env(1) and bash say "Permission denied" and exit 126, not
// 127.
// Directories are passed over, as bash does.
func nonExecutableInPath(name string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// isRunnable accepts what execve runs here: ELF images and #! scripts.
func isRunnable(magic []byte) bool {
	return bytes.Equal(magic, []byte("\x7fELF")) || bytes.HasPrefix(magic, []byte("#!"))
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isScript reports whether path starts with "#!" (execve runs its
// interpreter instead).
func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 2)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "#!"
}

// isEnvLauncher reports env(1), which #! lines use to find an interpreter
// through PATH ("#!/usr/bin/env python3") and which then execs it.
func isEnvLauncher(exe string) bool {
	return filepath.Base(exe) == "env"
}
