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
	"testing"
)

var (
	captraceBin string
	victimBin   string
	victimSrc   string
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

func readGroups(t *testing.T, path string) []group {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Schema string `json:"schema"`
		Groups []struct {
			Syscall string `json:"syscall"`
			Errno   string `json:"errno"`
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
	var gs []group
	for _, g := range rep.Groups {
		gs = append(gs, group{g.Syscall, g.Errno, g.Site.Function, filepath.Base(g.Site.File), g.Site.Line})
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

func TestEnterNotSupportedIsUsageError(t *testing.T) {
	cmd := exec.Command(captraceBin, "--enter=main", "--", victimBin)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("--enter=main: %v, want exit status 2\n%s", err, out)
	}
}
