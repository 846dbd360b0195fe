package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func shimCmd(args []string, o, e *bytes.Buffer) int { return runShim(args, o, e) }

func TestRunShim(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inc")
	status, out, errs := runCmd(shimCmd, dir)
	if status != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", status, errs)
	}
	for _, h := range []string{"sys/capsicum.h", "capsicum_helpers.h"} {
		b, err := os.ReadFile(filepath.Join(dir, h))
		if err != nil || !strings.Contains(string(b), "CAP_READ") && !strings.Contains(string(b), "caph_limit_stdio") {
			t.Errorf("%s: %v", h, err)
		}
		if !strings.Contains(out, filepath.Join(dir, h)) {
			t.Errorf("stdout does not name %s: %q", h, out)
		}
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"--bogus", "x"}} {
		status, _, errs := runCmd(shimCmd, args...)
		if status != 2 || !strings.HasPrefix(errs, "captrace shim: ") {
			t.Errorf("%q: status %d, stderr %q", args, status, errs)
		}
	}
	// A directory that cannot be created is a runtime failure, in one line.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	status, _, errs = runCmd(shimCmd, file)
	if status != 125 || !strings.HasPrefix(errs, "captrace: shim: ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("unwritable: status %d, stderr %q", status, errs)
	}
}
