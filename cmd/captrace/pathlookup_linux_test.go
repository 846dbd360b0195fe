package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestPathLookupLikeAShell: a PROGRAM found in PATH only as a file
// without execute permission is not executable (126, as env(1) and bash
// say "Permission denied": execvp fails with EACCES), not missing (127);
// one that is executable further down PATH runs.
func TestPathLookupLikeAShell(t *testing.T) {
	dir, later := t.TempDir(), t.TempDir()
	const name = "captrace-qa-tool"
	os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 0\n"), 0o644)
	victims.Captrace(t) // built with the test's own PATH
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	native := exec.Command("env", name).Run()
	ee, ok := native.(*exec.ExitError)
	if !ok || ee.ExitCode() != 126 {
		t.Fatalf("env %s: %v, want exit 126", name, native)
	}
	r := captraceRaw(t, "", "--enter=exec", name)
	first := strings.SplitN(r.stderr, "\n", 2)[0]
	if r.exit != 126 || first != "captrace: "+name+": permission denied ("+filepath.Join(dir, name)+" is not executable)" {
		t.Errorf("exit %d, want 126 naming the file\n%s", r.exit, r.stderr)
	}
	os.WriteFile(filepath.Join(later, name), []byte("#!/bin/sh\necho ran\nexit 7\n"), 0o755)
	t.Setenv("PATH", dir+":"+later+":/usr/bin:/bin")
	r = captraceRaw(t, "", "--enter=exec", name)
	if r.exit != 7 || r.stdout != "ran\n" {
		t.Errorf("an executable later in PATH: exit %d, stdout %q\n%s", r.exit, r.stdout, r.stderr)
	}
}
