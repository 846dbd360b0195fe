package tracer

import (
	"bytes"
	"errors"
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
		return "", errorf(StatusUsage, "captrace: no program given")
	}
	path := name
	if !strings.Contains(name, "/") {
		found, err := exec.LookPath(name)
		if err != nil && !errors.Is(err, exec.ErrDot) {
			return "", errorf(StatusNotFound, "captrace: %s: command not found", name)
		}
		path = found
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", errorf(StatusNotFound, "captrace: %s: no such file or directory", name)
	case err != nil:
		return "", errorf(StatusNotExecutable, "captrace: %s: %v", name, unwrapPathError(err))
	case info.IsDir():
		return "", errorf(StatusNotExecutable, "captrace: %s: is a directory", name)
	case info.Mode()&0o111 == 0:
		return "", errorf(StatusNotExecutable, "captrace: %s: permission denied (not executable)", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", errorf(StatusNotExecutable, "captrace: %s: %v", name, unwrapPathError(err))
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil || !isRunnable(magic) {
		return "", errorf(StatusNotExecutable, "captrace: %s: not an ELF executable or script", name)
	}
	return path, nil
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
