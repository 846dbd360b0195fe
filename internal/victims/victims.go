// Package victims builds the programs tests trace: the C and Go sources in
// testdata/victims, and captrace itself, each compiled once per test binary
// into a temporary directory. Tests find call sites by the SITE:<name>
// markers in the sources, never by hard-coded line numbers.
package victims

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	mu    sync.Mutex
	dir   string
	built = map[string]string{}
)

// Root is the repository's top directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Source is the path of a file under testdata/victims.
func Source(name string) string { return filepath.Join(Root(), "testdata", "victims", name) }

// Cleanup removes everything built; call it from TestMain after m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
	}
}

func workDir(t testing.TB) string {
	if dir == "" {
		d, err := os.MkdirTemp("", "captrace-victims-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	return dir
}

// Variant is how a C victim is compiled.
type Variant string

const (
	O0       Variant = "O0"       // -O0 -g
	O2       Variant = "O2"       // -O2 -g -fomit-frame-pointer
	Stripped Variant = "stripped" // O2, then strip
)

// C compiles testdata/victims/<name>.c (extra: more compiler flags) and
// returns the executable's path.
func C(t testing.TB, name string, v Variant, extra ...string) string {
	t.Helper()
	key := fmt.Sprintf("c/%s/%s/%s", name, v, strings.Join(extra, " "))
	return build(t, key, func(out string) error {
		args := []string{"-g", "-pthread", "-Wall", "-o", out, Source(name + ".c")}
		if v == O0 {
			args = append([]string{"-O0"}, args...)
		} else {
			args = append([]string{"-O2", "-fomit-frame-pointer"}, args...)
		}
		args = append(args, extra...)
		if err := run("gcc", args...); err != nil {
			return err
		}
		if v == Stripped {
			return run("strip", out)
		}
		return nil
	})
}

// Go builds the Go victim in testdata/victims/<pkg> with extra go build flags.
func Go(t testing.TB, pkg string, flags ...string) string {
	t.Helper()
	key := fmt.Sprintf("go/%s/%s", pkg, strings.Join(flags, " "))
	return build(t, key, func(out string) error {
		args := append([]string{"build", "-o", out}, flags...)
		args = append(args, "./testdata/victims/"+pkg)
		cmd := exec.Command("go", args...)
		cmd.Dir = Root()
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return nil
	})
}

// Captrace builds the captrace command, and beside it its debuginfod
// download helper, as make install puts them.
func Captrace(t testing.TB) string {
	t.Helper()
	return build(t, "captrace", func(out string) error {
		for _, b := range []struct{ out, pkg string }{
			{out, "./cmd/captrace"},
			{filepath.Join(filepath.Dir(out), "captrace-debuginfod"), "./cmd/captrace-debuginfod"},
		} {
			cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
			cmd.Dir = Root()
			if o, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, o)
			}
		}
		return nil
	})
}

// Build runs compile once per key, with the output path to write, for
// victims that need more than one command (libraries, split debug files).
func Build(t testing.TB, key string, compile func(out string) error) string {
	t.Helper()
	return build(t, key, compile)
}

// Run runs a build command, returning its output in the error.
func Run(name string, args ...string) error { return run(name, args...) }

func build(t testing.TB, key string, compile func(out string) error) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[key]; ok {
		return p
	}
	name := strings.NewReplacer("/", "_", " ", "_", "=", "_").Replace(key)
	out := filepath.Join(workDir(t), name)
	if err := compile(out); err != nil {
		t.Fatalf("building victim %s: %v", key, err)
	}
	built[key] = out
	return out
}

func run(name string, args ...string) error {
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

// Line is the line of the source file (under testdata/victims) that carries
// the marker, e.g. "SITE:open_global".
func Line(t testing.TB, file, marker string) int {
	t.Helper()
	f, err := os.Open(Source(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if strings.Contains(sc.Text(), marker+" ") || strings.HasSuffix(sc.Text(), marker) || strings.Contains(sc.Text(), marker+"*") {
			return n
		}
	}
	t.Fatalf("%s: no marker %s", file, marker)
	return 0
}
