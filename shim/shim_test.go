package shim

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/rights"
)

func TestMain(m *testing.M) {
	code := m.Run()
	victims.Cleanup()
	os.Exit(code)
}

func compile(t *testing.T, compiler string, out, src string, extra ...string) {
	t.Helper()
	inc := filepath.Join(t.TempDir(), "inc")
	if err := Write(inc, "test"); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-Wall", "-Werror", "-I", inc, "-o", out}, extra...)
	args = append(args, src)
	if b, err := exec.Command(compiler, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", compiler, strings.Join(args, " "), err, b)
	}
}

func words(s rights.Set) string {
	w := s.Words()
	return fmt.Sprintf("%016x %016x", w[0], w[1])
}

// The C macros compute what package rights computes, and without captrace
// every call is a no-op that succeeds.
func TestHeaderSemantics(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the shim is for Linux")
	}
	bin := filepath.Join(t.TempDir(), "semantics")
	compile(t, "cc", bin, "testdata/semantics.c")
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	a := rights.Of(rights.CAP_READ, rights.CAP_FSTAT, rights.CAP_EVENT, rights.CAP_IOCTL)
	merged := a.Union(rights.Of(rights.CAP_WRITE))
	removed := merged.Remove(rights.Of(rights.CAP_READ))
	want := strings.Join([]string{
		"init " + words(rights.Of(rights.CAP_READ, rights.CAP_FSTAT, rights.CAP_EVENT)),
		"set " + words(a.With(rights.CAP_MKDIRAT)),
		// Clearing CAP_MKDIRAT clears CAP_LOOKUP's bit too: it is part of it.
		"clear " + words(a),
		"is_set 1 0 0",
		"merge " + words(merged),
		"remove " + words(removed),
		"contains 0 1",
		"valid 1 0",
		"empty 1 0",
		fmt.Sprintf("errno %d %d", shimabi.ErrnoNotCapable, shimabi.ErrnoCapMode),
		"fcntl 0x8 0x78",
		"cap_enter 0",
		"cap_getmode 0 0 sandboxed 0",
		"cap_rights_limit 0",
		"cap_rights_get 0",
		"got " + words(rights.All()),
		"cap_ioctls_get 9223372036854775807",
		"cap_fcntls_get 0 0x78",
		"caph_enter 0 caph_limit_stdio 0",
	}, "\n") + "\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// A program written for FreeBSD compiles unchanged with -Wall -Werror, as
// C and as C++, and runs normally without captrace.
func TestFreeBSDProgramBuildsAndRunsWithoutCaptrace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the shim is for Linux")
	}
	src := victims.Source("rights/limits.c")
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "data.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		compiler string
		extra    []string
	}{
		{"cc", nil},
		{"cc", []string{"-std=gnu99", "-O2"}},
		{"g++", []string{"-x", "c++"}},
	} {
		bin := filepath.Join(dir, "limits-"+tc.compiler)
		compile(t, tc.compiler, bin, src, tc.extra...)
		out, err := exec.Command(bin, work).CombinedOutput()
		if err != nil {
			t.Fatalf("%s build: %v\n%s", tc.compiler, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if !strings.HasSuffix(line, ": ok") && line != "cap_rights_get: write allowed" {
				t.Errorf("%s build, without captrace: %q", tc.compiler, line)
			}
		}
	}
}

func TestRenderUnknownHeader(t *testing.T) {
	if _, err := Render("nope.h", "test"); err == nil {
		t.Fatal("rendered an unknown header")
	}
}
