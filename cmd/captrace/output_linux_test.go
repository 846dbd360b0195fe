package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// Output tests: where a user who is not root can send the report. The
// tests run as root, so captrace runs as nobody (65534) here, from a
// directory nobody can read, with its own copy of captrace and the victim.

const nobody = 65534

// publicDir is a fresh directory everyone may read and search, owned by
// root and writable by root only.
func publicDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "captrace-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// copyExecutable copies an executable into dir, readable and runnable by all.
func copyExecutable(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// asUser runs captrace (a copy in dir) with args in dir as uid:gid.
func asUser(t *testing.T, uid uint32, dir, captrace string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(captrace, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	return runCommand(t, cmd)
}

func TestOutputAsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run captrace as another user")
	}
	dir := publicDir(t)
	ct := copyExecutable(t, victims.Captrace(t), dir)
	prog := copyExecutable(t, victims.C(t, "rules", victims.O0), dir)
	scratch := rulesDir(t)
	for _, d := range []string{filepath.Dir(filepath.Dir(scratch)), filepath.Dir(scratch), scratch} {
		os.Chmod(d, 0o755)
	}
	const summary = "9 violations in 9 groups from 3 processes"

	t.Run("dev-null", func(t *testing.T) {
		r := asUser(t, nobody, dir, ct, "-o", "/dev/null", prog, scratch)
		if r.exit != 0 || !strings.Contains(r.stderr, "captrace: "+summary+" -> /dev/null\n") {
			t.Errorf("exit %d, stderr:\n%s", r.exit, r.stderr)
		}
	})
	t.Run("dev-stdout", func(t *testing.T) {
		r := asUser(t, nobody, dir, ct, "--format=json", "-o", "/dev/stdout", prog, scratch)
		rep, err := report.Parse([]byte(r.stdout))
		if r.exit != 0 || err != nil {
			t.Fatalf("exit %d, %v; stdout:\n%s\nstderr:\n%s", r.exit, err, r.stdout, r.stderr)
		}
		if rep.Summary.Violations != 9 || !strings.Contains(r.stderr, "-> /dev/stdout\n") {
			t.Errorf("summary %+v; stderr:\n%s", rep.Summary, r.stderr)
		}
	})
	t.Run("dev-stderr", func(t *testing.T) {
		r := asUser(t, nobody, dir, ct, "-o", "/dev/stderr", prog, scratch)
		// The text report ends with the summary; no second line repeats it.
		if r.exit != 0 || !strings.HasSuffix(r.stderr, "\n"+summary+"\n") || strings.Contains(r.stderr, "->") {
			t.Errorf("exit %d, stderr:\n%s", r.exit, r.stderr)
		}
	})
	t.Run("writable-file-in-root-directory", func(t *testing.T) {
		p := filepath.Join(dir, "report.json")
		if err := os.WriteFile(p, []byte("old"), 0o666); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o666) // past the umask
		before, _ := os.Stat(p)
		r := asUser(t, nobody, dir, ct, "-o", p, prog, scratch)
		rep, err := report.Load(p)
		if r.exit != 0 || err != nil {
			t.Fatalf("exit %d, %v; stderr:\n%s", r.exit, err, r.stderr)
		}
		after, _ := os.Stat(p)
		if !os.SameFile(before, after) || rep.Summary.Violations != 9 {
			t.Errorf("file replaced (%v) or wrong report %+v", !os.SameFile(before, after), rep.Summary)
		}
		if !strings.Contains(r.stderr, "captrace: "+summary+" -> "+p+"\n") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("unwritable-file", func(t *testing.T) {
		p := filepath.Join(dir, "theirs.json")
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := asUser(t, nobody, dir, ct, "-o", p, prog, scratch)
		want := "captrace: -o " + p + ": neither the file nor its directory is writable (permission denied)\n"
		if r.exit != 125 || r.stderr != want {
			t.Errorf("exit %d, stderr %q, want 125 and %q", r.exit, r.stderr, want)
		}
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Errorf("file changed: %q", b)
		}
	})
	t.Run("new-file-in-root-directory", func(t *testing.T) {
		p := filepath.Join(dir, "new.json")
		r := asUser(t, nobody, dir, ct, "-o", p, prog, scratch)
		want := "captrace: -o " + p + ": cannot create a file in " + dir + " (permission denied)\n"
		if r.exit != 125 || r.stderr != want {
			t.Errorf("exit %d, stderr %q, want 125 and %q", r.exit, r.stderr, want)
		}
	})
}

// TestOutputSummaryLine: with -o FILE one line on stderr says what the
// report holds and where it went.
func TestOutputSummaryLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	r := captraceRaw(t, "", "-o", out, victims.C(t, "rules", victims.O0), rulesDir(t))
	want := "captrace: 9 violations in 9 groups from 3 processes -> " + out + "\n"
	if r.exit != 0 || !strings.HasSuffix(r.stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to end with %q", r.exit, r.stderr, want)
	}
	r = captraceRaw(t, "", "-o", out, victims.C(t, "noviolation", victims.O0))
	if want := "captrace: no capability-mode violations -> " + out + "\n"; !strings.HasSuffix(r.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to end with %q", r.stderr, want)
	}
}
