//go:build freebsd

package tracer_test

// End-to-end tests that need a FreeBSD kernel: the real captrace binary
// traces a C program that calls the real cap_enter(2). They run in the
// FreeBSD CI job (.cirrus.yml); on Linux this file is not built.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	captraceBin string
	victimBin   string
	victimSrc   string
	attachBin   string
	attachSrc   string
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "captrace-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		captraceBin = filepath.Join(dir, "captrace")
		if out, err := exec.Command("go", "build", "-o", captraceBin, "../cmd/captrace").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building captrace: %v\n%s", err, out)
			return 1
		}
		victimSrc, _ = filepath.Abs("../testdata/victims/freebsd/capenter_violations.c")
		victimBin = filepath.Join(dir, "capenter_violations")
		if out, err := exec.Command("cc", "-O0", "-g", "-o", victimBin, victimSrc).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the victim: %v\n%s", err, out)
			return 1
		}
		attachSrc, _ = filepath.Abs("../testdata/victims/freebsd/attach_loop.c")
		attachBin = filepath.Join(dir, "attach_loop")
		if out, err := exec.Command("cc", "-O0", "-g", "-pthread", "-o", attachBin, attachSrc).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the attach victim: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// markerLines reads "// LINE: name" markers: the line of each call site.
func markerLines(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`// LINE: ([a-z_]+)\s*$`)
	lines := map[string]int{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			lines[m[1]] = n
		}
	}
	return lines
}

// group is the part of a report group the tests pin down.
type group struct {
	Syscall, Errno, Function, File string
	Line                           int
}

func (g group) String() string {
	return fmt.Sprintf("%s %s at %s (%s:%d)", g.Syscall, g.Errno, g.Function, g.File, g.Line)
}

// countedGroup is a report group with its count.
type countedGroup struct {
	group
	Count int
}

// readReport reads a JSON report's groups and its enter point.
func readReport(t *testing.T, path string) (gs []countedGroup, enter string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Schema string `json:"schema"`
		Enter  string `json:"enter"`
		Groups []struct {
			Syscall string `json:"syscall"`
			Errno   string `json:"errno"`
			Count   int    `json:"count"`
			Site    struct {
				Function string `json:"function"`
				File     string `json:"file"`
				Line     int    `json:"line"`
			} `json:"site"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, data)
	}
	if rep.Schema != "captrace/report/v1" {
		t.Errorf("schema %q", rep.Schema)
	}
	for _, g := range rep.Groups {
		gs = append(gs, countedGroup{group{g.Syscall, g.Errno, g.Site.Function, filepath.Base(g.Site.File), g.Site.Line}, g.Count})
	}
	return gs, rep.Enter
}

// readGroups is readReport's groups without counts, by line.
func readGroups(t *testing.T, path string) []group {
	t.Helper()
	counted, _ := readReport(t, path)
	var gs []group
	for _, g := range counted {
		gs = append(gs, g.group)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].Line < gs[j].Line })
	return gs
}

func TestCapEnterViolations(t *testing.T) {
	lines := markerLines(t, victimSrc)
	file := filepath.Base(victimSrc)
	// libc's open() is openat(AT_FDCWD, ...) (lib/libc/sys/open.c).
	want := []group{
		{"openat", "ECAPMODE", "open_global", file, lines["open_global"]},
		{"openat", "ENOTCAPABLE", "openat_absolute", file, lines["openat_absolute"]},
		{"openat", "ENOTCAPABLE", "openat_dotdot", file, lines["openat_dotdot"]},
		{"kill", "ECAPMODE", "kill_init", file, lines["kill_init"]},
	}
	if len(lines) != len(want) {
		t.Fatalf("markers in %s: %v", victimSrc, lines)
	}
	for _, tc := range []struct {
		mode string
		args []string // the victim's arguments
	}{
		// The kernel refuses the calls; TRAP_CAP reports them.
		{"enforce", []string{"enforce"}},
		// cap_enter is skipped; capmode's FreeBSD table judges each call.
		{"audit", nil},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.json")
			args := append([]string{"--mode=" + tc.mode, "-o", out, "--", victimBin}, tc.args...)
			cmd := exec.Command(captraceBin, args...)
			stderr, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("captrace %v: %v\n%s", args, err, stderr)
			}
			got := readGroups(t, out)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("groups:\n got  %v\n want %v\nstderr:\n%s", got, want, stderr)
			}
		})
	}
}

// runCaptrace runs captrace with args and reads the groups of its JSON
// report; exit is captrace's exit status.
func runCaptrace(t *testing.T, args ...string) (gs []group, exit int, stderr []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command(captraceBin, append([]string{"-o", out}, args...)...)
	stderr, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("captrace %v: %v\n%s", args, err, stderr)
	}
	return readGroups(t, out), exit, stderr
}

// lineOf is the line of the first source line of path containing text.
func lineOf(t *testing.T, path, text string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	t.Fatalf("%s: no line contains %q", path, text)
	return 0
}

// TestEnterMain: capability mode begins at main, found by breakpoints
// (tracer/breakpoints.go): the victim's open("/tmp") before its own
// cap_enter() now counts.
func TestEnterMain(t *testing.T) {
	lines := markerLines(t, victimSrc)
	file := filepath.Base(victimSrc)
	openTmp := group{"openat", "ECAPMODE", "main", file, lineOf(t, victimSrc, `open("/tmp"`)}
	marked := []group{
		{"openat", "ECAPMODE", "open_global", file, lines["open_global"]},
		{"openat", "ENOTCAPABLE", "openat_absolute", file, lines["openat_absolute"]},
		{"openat", "ENOTCAPABLE", "openat_dotdot", file, lines["openat_dotdot"]},
		{"kill", "ECAPMODE", "kill_init", file, lines["kill_init"]},
	}

	t.Run("audit", func(t *testing.T) {
		got, exit, stderr := runCaptrace(t, "--enter=main", "--", victimBin)
		want := append(marked, openTmp) // by line: main comes last in the file
		if exit != 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("exit %d, groups:\n got  %v\n want %v\nstderr:\n%s", exit, got, want, stderr)
		}
	})

	// The program is made to call cap_enter at main (PT_SC_REMOTE): its
	// open("/tmp") fails and it exits 11.
	t.Run("enforce", func(t *testing.T) {
		got, exit, stderr := runCaptrace(t, "--mode=enforce", "--enter=main", "--", victimBin, "enforce")
		if exit != 11 || len(got) == 0 || got[0] != openTmp {
			t.Errorf("exit %d (want 11), groups %v (want %v first)\nstderr:\n%s", exit, got, openTmp, stderr)
		}
	})

	// Stripped, main is found through __libc_start1's fifth argument.
	t.Run("stripped", func(t *testing.T) {
		stripped := filepath.Join(t.TempDir(), "stripped")
		if out, err := exec.Command("strip", "-o", stripped, victimBin).CombinedOutput(); err != nil {
			t.Fatalf("strip: %v\n%s", err, out)
		}
		got, exit, stderr := runCaptrace(t, "--enter=main", "--", stripped)
		count := map[string]int{}
		for _, g := range got {
			count[g.Syscall+" "+g.Errno]++
		}
		want := map[string]int{"openat ECAPMODE": 2, "openat ENOTCAPABLE": 2, "kill ECAPMODE": 1}
		if exit != 0 || fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("exit %d, groups %v: want %v\nstderr:\n%s", exit, got, want, stderr)
		}
	})
}

// TestEnterSymbol: checking begins at a function; the victim's earlier
// cap_enter() is skipped in audit mode and starts nothing.
func TestEnterSymbol(t *testing.T) {
	lines := markerLines(t, victimSrc)
	file := filepath.Base(victimSrc)
	want := []group{
		{"openat", "ENOTCAPABLE", "openat_absolute", file, lines["openat_absolute"]},
		{"openat", "ENOTCAPABLE", "openat_dotdot", file, lines["openat_dotdot"]},
		{"kill", "ECAPMODE", "kill_init", file, lines["kill_init"]},
	}
	got, exit, stderr := runCaptrace(t, "--enter=openat_absolute", "--", victimBin)
	if exit != 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("exit %d, groups:\n got  %v\n want %v\nstderr:\n%s", exit, got, want, stderr)
	}
}

// TestEnterUnknownSymbolWaits: a function the program lacks may be in a
// program it runs (a script, make): captrace waits for it, says so, and
// at the end says it was never reached.
func TestEnterUnknownSymbolWaits(t *testing.T) {
	out, err := exec.Command(captraceBin, "--enter=no_such_function", "--", victimBin).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
		t.Fatalf("--enter=no_such_function: a usage error\n%s", out)
	}
	if !strings.Contains(string(out), "has no function no_such_function") || !strings.Contains(string(out), "never reached") {
		t.Fatalf("--enter=no_such_function: want the wait and the end said\n%s", out)
	}
}
