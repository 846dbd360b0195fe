package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestMakeInstall: `make install` puts the binary and the manual page
// under DESTDIR/PREFIX, and the page is clean mdoc that man can read.
func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	dest := t.TempDir()
	cmd := exec.Command("make", "-s", "install", "DESTDIR="+dest, "PREFIX=/opt/ct", "BIN="+filepath.Join(t.TempDir(), "captrace"))
	cmd.Dir = victims.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	bin := filepath.Join(dest, "opt/ct/bin/captrace")
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "captrace ") {
		t.Errorf("installed %s version: %v, %q", bin, err, out)
	}
	// The download helper goes beside it, where captrace looks; with no
	// arguments it says how it is used.
	helper := filepath.Join(dest, "opt/ct/bin/captrace-debuginfod")
	if out, err := exec.Command(helper).CombinedOutput(); !strings.Contains(string(out), "usage: captrace-debuginfod") {
		t.Errorf("installed %s: %v, %q", helper, err, out)
	}
	page := filepath.Join(dest, "opt/ct/share/man/man1/captrace.1")
	got, err := os.ReadFile(page)
	want, _ := os.ReadFile(filepath.Join(victims.Root(), "captrace.1"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("installed page: %v", err)
	}
	if fi, _ := os.Stat(page); fi.Mode().Perm() != 0o644 {
		t.Errorf("page mode %v", fi.Mode())
	}
	if _, err := exec.LookPath("mandoc"); err == nil {
		text, err := exec.Command("mandoc", "-T", "markdown", page).Output()
		if err != nil || !strings.Contains(string(text), "\n# EXIT STATUS\n") || !strings.Contains(string(text), "\n# SEE ALSO\n") {
			t.Errorf("mandoc %s: %v\n%s", page, err, text)
		}
	}
}

// TestGoInstall: the commands install with go install by their import
// path, as `go install github.com/captrace/captrace/cmd/...@latest` does
// from the module proxy (no replace directive, no generated file needed),
// the download helper beside captrace.
func TestGoInstall(t *testing.T) {
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "github.com/captrace/captrace/cmd/...")
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod", "GOWORK=off")
	cmd.Dir = victims.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	if out, err := exec.Command(filepath.Join(gobin, "captrace"), "help").Output(); err != nil || !strings.HasPrefix(string(out), "usage: captrace") {
		t.Errorf("installed captrace help: %v %q", err, out)
	}
	if _, err := os.Stat(filepath.Join(gobin, "captrace-debuginfod")); err != nil {
		t.Errorf("the download helper is not beside captrace: %v", err)
	}
	mod, err := os.ReadFile(filepath.Join(victims.Root(), "go.mod"))
	if err != nil || bytes.Contains(mod, []byte("\nreplace")) {
		t.Errorf("go.mod has a replace directive, which go install ...@latest refuses")
	}
}
