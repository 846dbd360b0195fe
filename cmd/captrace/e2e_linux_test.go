package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// End-to-end tests: the real captrace binary traces real victims compiled
// by the test run; assertions are on exact syscalls, errnos, call sites
// (function, file, line from the SITE: markers) and counts.

func TestMain(m *testing.M) {
	code := m.Run()
	victims.Cleanup()
	os.Exit(code)
}

// runResult is one captrace invocation.
type runResult struct {
	report *report.Report
	stderr string
	stdout string
	exit   int
}

// captrace runs the captrace binary with a JSON report and returns it.
func captrace(t *testing.T, args ...string) runResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	r := captraceRaw(t, "", append([]string{"-o", out}, args...)...)
	rep, err := report.Load(out)
	if err != nil {
		t.Fatalf("captrace %v: no report: %v\nstderr:\n%s", args, err, r.stderr)
	}
	r.report = rep
	return r
}

// captraceRaw runs captrace in dir and returns its output and status.
func captraceRaw(t *testing.T, dir string, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(victims.Captrace(t), args...)
	cmd.Dir = dir
	return runCommand(t, cmd)
}

// runCommand runs a prepared captrace command and returns its output and
// status.
func runCommand(t *testing.T, cmd *exec.Cmd) runResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit := 0
	if ee, ok := err.(*exec.ExitError); ok {
		exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return runResult{stdout: stdout.String(), stderr: stderr.String(), exit: exit}
}

// wantGroup is one expected group: its syscall, errno and site.
type wantGroup struct {
	syscall, errno string
	function       string
	file, marker   string // source file under testdata/victims and its SITE marker
	count          int    // 0: do not check
}

func (w wantGroup) String() string {
	return fmt.Sprintf("%s %s at %s %s:%s", w.syscall, w.errno, w.function, w.file, w.marker)
}

// checkGroups asserts that the report has exactly the wanted groups.
func checkGroups(t *testing.T, r runResult, want []wantGroup) {
	t.Helper()
	got := map[string]report.Group{}
	var gotKeys []string
	for _, g := range r.report.Groups {
		k := fmt.Sprintf("%s %s %s %s:%d", g.Syscall, g.Errno, g.Site.Function, filepath.Base(g.Site.File), g.Site.Line)
		got[k] = g
		gotKeys = append(gotKeys, k)
	}
	sort.Strings(gotKeys)
	for _, w := range want {
		k := fmt.Sprintf("%s %s %s %s:%d", w.syscall, w.errno, w.function, filepath.Base(w.file), victims.Line(t, w.file, "SITE:"+w.marker))
		g, ok := got[k]
		if !ok {
			t.Errorf("missing group %s (%s)\ngot:\n  %s\nstderr:\n%s", k, w, strings.Join(gotKeys, "\n  "), r.stderr)
			continue
		}
		if w.count != 0 && g.Count != w.count {
			t.Errorf("group %s: count %d, want %d", k, g.Count, w.count)
		}
		delete(got, k)
	}
	for k := range got {
		t.Errorf("unexpected group %s", k)
	}
}

// withoutModule drops the groups sited in a module whose base name starts
// with prefix.
func withoutModule(groups []report.Group, prefix string) []report.Group {
	var out []report.Group
	for _, g := range groups {
		if !strings.HasPrefix(filepath.Base(g.Site.Module), prefix) {
			out = append(out, g)
		}
	}
	return out
}

// rulesDir makes the scratch tree the rules victim works in.
func rulesDir(t *testing.T) string {
	d := filepath.Join(t.TempDir(), "d")
	if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

var rulesGroups = []wantGroup{
	{"openat", "ECAPMODE", "global_namespace", "rules.c", "open_global", 1},
	{"openat", "ECAPMODE", "global_namespace", "rules.c", "openat_fdcwd", 1},
	{"newfstatat", "ECAPMODE", "global_namespace", "rules.c", "stat_path", 1},
	{"openat", "ENOTCAPABLE", "under_directory", "rules.c", "openat_absolute", 1},
	{"openat", "ENOTCAPABLE", "under_directory", "rules.c", "openat_dotdot", 1},
	{"connect", "ECAPMODE", "network", "rules.c", "connect", 1},
	{"sendto", "ECAPMODE", "network", "rules.c", "sendto_addr", 1},
	{"kill", "ECAPMODE", "signals", "rules.c", "kill_other", 1},
	{"execve", "ECAPMODE", "run_program", "rules.c", "execve", 1},
}

func TestRuleClasses(t *testing.T) {
	for _, v := range []victims.Variant{victims.O0, victims.O2} {
		for _, mode := range []string{"audit", "enforce"} {
			t.Run(string(v)+"/"+mode, func(t *testing.T) {
				prog := victims.C(t, "rules", v)
				r := captrace(t, "--mode="+mode, prog, rulesDir(t))
				checkGroups(t, r, rulesGroups)
				if r.exit != 0 {
					t.Errorf("exit %d, want 0\n%s", r.exit, r.stderr)
				}
				if r.report.Mode != mode || r.report.Enter != "cap_enter" {
					t.Errorf("report mode %q enter %q", r.report.Mode, r.report.Enter)
				}
				for _, g := range r.report.Groups {
					if g.Reason == "" || g.Hint == "" || g.Fingerprint == "" {
						t.Errorf("group %s at %s: empty reason, hint or fingerprint", g.Syscall, g.Site.Function)
					}
				}
			})
		}
	}
}

func TestArgumentsDecodedAsStrace(t *testing.T) {
	r := captrace(t, victims.C(t, "rules", victims.O2), rulesDir(t))
	line := victims.Line(t, "rules.c", "SITE:open_global")
	for _, g := range r.report.Groups {
		if g.Site.Line == line {
			want := []string{"AT_FDCWD", `"/etc/hostname"`, "O_RDONLY"}
			if strings.Join(g.Example.Args[:3], " ") != strings.Join(want, " ") {
				t.Errorf("args %q, want prefix %q", g.Example.Args, want)
			}
			return
		}
	}
	t.Fatalf("no group at rules.c:%d", line)
}

func TestStripLikeTool(t *testing.T) {
	prog := victims.C(t, "minstrip", victims.O2)
	input := filepath.Join(t.TempDir(), "input.bin")
	if err := os.WriteFile(input, []byte("\x7fELF not really"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := captrace(t, prog, input)
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "create_tempfile", "minstrip.c", "create_tempfile", 1},
		{"newfstatat", "ECAPMODE", "keep_mode", "minstrip.c", "keep_mode", 1},
		{"rename", "ECAPMODE", "replace_input", "minstrip.c", "replace_input", 1},
	})
	if r.exit != 0 {
		t.Errorf("exit %d\n%s", r.exit, r.stderr)
	}
}

func TestStripLikeToolEnforced(t *testing.T) {
	prog := victims.C(t, "minstrip", victims.O2)
	input := filepath.Join(t.TempDir(), "input.bin")
	os.WriteFile(input, []byte("data"), 0o644)
	r := captrace(t, "--mode=enforce", "--errno-capmode=EDOM", prog, input)
	// mkstemp is refused as capability mode would: the tool stops there.
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "create_tempfile", "minstrip.c", "create_tempfile", 0},
	})
	if r.exit != 1 || !strings.Contains(r.stderr, "mkstemp: Numerical argument out of domain") {
		t.Errorf("exit %d, want 1 with mkstemp failing with EDOM\n%s", r.exit, r.stderr)
	}
}

func TestArLikeTool(t *testing.T) {
	dir := t.TempDir()
	for _, m := range []string{"a.o", "b.o", "c.o"} {
		os.WriteFile(filepath.Join(dir, m), []byte("member "+m), 0o644)
	}
	ar := exec.Command("ar", "rc", "lib.a", "a.o", "b.o", "c.o")
	ar.Dir = dir
	if b, err := ar.CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, b)
	}
	out := t.TempDir()
	r := captraceRaw(t, out, "-o", "r.json", victims.C(t, "minar", victims.O2), filepath.Join(dir, "lib.a"))
	rep, err := report.Load(filepath.Join(out, "r.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.stderr)
	}
	r.report = rep
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "extract_member", "minar.c", "extract_member", 3},
	})
	if !strings.Contains(r.stdout, "extracted 3") {
		t.Errorf("audit mode must let the calls run; stdout %q", r.stdout)
	}
}

func TestThreadsLoseNoEvent(t *testing.T) {
	r := captrace(t, victims.C(t, "threads", victims.O2), "8", "250")
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "violate", "threads.c", "thread_open", 2000},
	})
	if r.report.Summary.Violations != 2000 {
		t.Errorf("summary violations %d, want 2000", r.report.Summary.Violations)
	}
}

// TestEnterPointHitByManyThreads: the enter point is a function every
// thread calls at once, so several threads trap on the one-shot
// breakpoint; none may die of it, and every call after it counts.
func TestEnterPointHitByManyThreads(t *testing.T) {
	r := captrace(t, "--enter=violate", victims.C(t, "threads", victims.O2), "8", "250")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "violate", "threads.c", "thread_open", 2000},
	})
}

func TestForkedChildrenInherit(t *testing.T) {
	r := captrace(t, victims.C(t, "forks", victims.O0), "25")
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "child_work", "forks.c", "child_open", 25},
	})
	if g := r.report.Groups; len(g) == 1 && len(g[0].Pids) != 25 {
		t.Errorf("pids %v: want 25 distinct children", g[0].Pids)
	}
	if r.report.Summary.Processes != 26 {
		t.Errorf("processes %d, want 26", r.report.Summary.Processes)
	}
}

func TestNoFollow(t *testing.T) {
	r := captrace(t, "--no-follow", victims.C(t, "forks", victims.O0), "5")
	checkGroups(t, r, nil)
	if !strings.Contains(r.stdout, "forked 5") {
		t.Errorf("children must still run; stdout %q", r.stdout)
	}
	// The summary counts the processes the report speaks for, not the
	// six that ran.
	if r.report.Summary.Processes != 1 {
		t.Errorf("processes %d, want 1", r.report.Summary.Processes)
	}
}

func TestExecKeepsCapabilityMode(t *testing.T) {
	target := victims.C(t, "exec_target", victims.O2)
	r := captrace(t, victims.C(t, "execer", victims.O2), target)
	// In audit mode the second image's dynamic loader runs in capability
	// mode too, and its opens (ld.so.cache, libc.so.6) are violations of
	// their own, sited in the loader: real, but not this test's subject.
	r.report.Groups = withoutModule(r.report.Groups, "ld-linux")
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "before_exec", "execer.c", "before_exec", 1},
		{"execve", "ECAPMODE", "main", "execer.c", "execv", 1},
		{"openat", "ECAPMODE", "target_violation", "exec_target.c", "target_violation", 1},
	})
	if r.exit != 3 {
		t.Errorf("exit %d, want the second image's 3", r.exit)
	}
}

func TestGoProgram(t *testing.T) {
	for _, flags := range [][]string{nil, {"-ldflags=-s -w"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			r := captrace(t, victims.Go(t, "goviolate", flags...))
			if !strings.Contains(r.stderr, "calls neither cap_enter nor caph_enter; capability mode starts at main") {
				t.Errorf("want the fallback-to-main notice, stderr:\n%s", r.stderr)
			}
			// Without DWARF (-s -w), .gopclntab must still name the same
			// function, file and line.
			checkGroups(t, r, []wantGroup{{"openat", "ECAPMODE", "main.readConfig", "goviolate/main.go", "go_open", 1}})
		})
	}
}

func TestExitStatusIsTheProgramsOwn(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "killself.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nkill -SEGV $$\n"), 0o755)
	r := captraceRaw(t, "", "--enter=exec", "-o", filepath.Join(dir, "r.json"), script)
	if r.exit != 128+11 {
		t.Errorf("exit %d, want 139\n%s", r.exit, r.stderr)
	}
	r = captraceRaw(t, "", "-o", filepath.Join(dir, "r2.json"), "sh", "-c", "exit 42")
	if r.exit != 42 {
		t.Errorf("exit %d, want 42\n%s", r.exit, r.stderr)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "data.txt")
	os.WriteFile(notExec, []byte("hello"), 0o644)
	notELF := filepath.Join(dir, "garbage")
	os.WriteFile(notELF, []byte("this is not a program"), 0o755)
	rules := victims.C(t, "rules", victims.O0)
	for _, c := range []struct {
		name string
		args []string
		exit int
		msg  string
	}{
		{"missing program", []string{filepath.Join(dir, "nope")}, 127, "no such file or directory"},
		{"not in PATH", []string{"captrace-no-such-command"}, 127, "command not found"},
		{"not executable", []string{notExec}, 126, "permission denied"},
		{"not ELF", []string{notELF}, 126, "not an ELF executable"},
		{"directory", []string{dir}, 126, "is a directory"},
		{"bad flag", []string{"--bogus", rules}, 2, "flag provided but not defined"},
		{"bad mode", []string{"--mode=strict", rules}, 2, "--mode=strict"},
		{"bad errno", []string{"--errno-capmode=EWHATEVER", rules}, 2, "unknown errno"},
		{"no program", nil, 2, "no program"},
		{"corrupt baseline", []string{"--baseline=" + notExec, rules}, 125, "data.txt"},
		{"report into a missing directory", []string{"-o", filepath.Join(dir, "nope", "r.json"), rules}, 125, "no such file or directory"},
		{"report onto a directory", []string{"-o", dir, rules}, 125, "is a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := captraceRaw(t, "", c.args...)
			if r.exit != c.exit {
				t.Errorf("exit %d, want %d\n%s", r.exit, c.exit, r.stderr)
			}
			first := strings.SplitN(r.stderr, "\n", 2)[0]
			if !strings.HasPrefix(first, "captrace") || !strings.Contains(first, c.msg) {
				t.Errorf("stderr %q: want one line naming %q", r.stderr, c.msg)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("Go panic output:\n%s", r.stderr)
			}
		})
	}
}

func TestPolicyCommand(t *testing.T) {
	r := captraceRaw(t, "", "policy", "openat")
	if r.exit != 0 || !strings.HasPrefix(r.stdout, "openat (linux syscall 257): at-path") || !strings.Contains(r.stdout, "hint:") {
		t.Errorf("policy openat: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	r = captraceRaw(t, "", "policy", "--os=freebsd", "--format=json")
	if r.exit != 0 || !strings.Contains(r.stdout, `"schema": "captrace/policy/v1"`) || !strings.Contains(r.stdout, `"name": "cap_enter"`) {
		t.Errorf("policy --os=freebsd --format=json: exit %d\n%.300s", r.exit, r.stdout)
	}
	r = captraceRaw(t, "", "policy", "no_such_call")
	if r.exit != 2 || !strings.Contains(r.stderr, `no syscall "no_such_call"`) {
		t.Errorf("unknown syscall: exit %d\n%s", r.exit, r.stderr)
	}
}

// TestJobControl: SIGSTOP (or a terminal's SIGTSTP) stops the traced
// program for real, as without captrace, and SIGCONT resumes it.
func TestJobControl(t *testing.T) {
	cmd := exec.Command(victims.Captrace(t), "--enter=main", "-o", filepath.Join(t.TempDir(), "r.json"), "sleep", "1.5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var sleeper int
	for i := 0; i < 200 && sleeper == 0; i++ {
		time.Sleep(10 * time.Millisecond)
		sleeper = childNamed(cmd.Process.Pid, "sleep")
	}
	if sleeper == 0 {
		t.Fatal("sleep never started under captrace")
	}
	syscall.Kill(sleeper, syscall.SIGSTOP)
	stopped := false
	for i := 0; i < 100 && !stopped; i++ {
		time.Sleep(10 * time.Millisecond)
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", sleeper))
		// Under a tracer a group-stopped task shows as "t (tracing stop)"
		// while it listens for SIGCONT (PTRACE_LISTEN).
		stopped = strings.Contains(string(status), "State:\tT (stopped)") || strings.Contains(string(status), "State:\tt (tracing stop)")
	}
	if !stopped {
		t.Error("SIGSTOP did not stop the traced program")
	}
	syscall.Kill(sleeper, syscall.SIGCONT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("captrace: %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("SIGCONT did not resume the traced program")
	}
}

// childNamed finds a child of pid whose command name is name.
func childNamed(pid int, name string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var child int
		if _, err := fmt.Sscanf(e.Name(), "%d", &child); err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		close := strings.LastIndexByte(s, ')')
		if close < 0 || !strings.HasSuffix(s[:close], "("+name) {
			continue
		}
		var state string
		var ppid int
		fmt.Sscanf(s[close+2:], "%s %d", &state, &ppid)
		if ppid == pid {
			return child
		}
	}
	return 0
}

// TestExplicitCapEnterUnderADriver: a shell (like make or a test runner)
// never calls cap_enter; with --enter=cap_enter named explicitly it is not
// checked at all, and the program it runs enters at its own cap_enter.
// By default the shell itself would fall back to main.
func TestExplicitCapEnterUnderADriver(t *testing.T) {
	prog := victims.C(t, "minstrip", victims.O2)
	input := inputFile(t)
	r := captrace(t, "--enter=cap_enter", "/bin/sh", "-c", prog+" "+input)
	if strings.Contains(r.stderr, "capability mode starts at main") {
		t.Errorf("an explicit --enter=cap_enter must not fall back to main:\n%s", r.stderr)
	}
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "create_tempfile", "minstrip.c", "create_tempfile", 1},
		{"newfstatat", "ECAPMODE", "keep_mode", "minstrip.c", "keep_mode", 1},
		{"rename", "ECAPMODE", "replace_input", "minstrip.c", "replace_input", 1},
	})
	r = captrace(t, "/bin/sh", "-c", prog+" "+input)
	if !strings.Contains(r.stderr, "sh calls neither cap_enter nor caph_enter; capability mode starts at main") {
		t.Errorf("by default the shell falls back to main:\n%s", r.stderr)
	}
}

// TestHelperRunBeforeEnter: programs a process runs before its own
// cap_enter (system(), popen()) are not in capability mode, even though
// they have no cap_enter of their own: the fallback to main is PROGRAM's.
func TestHelperRunBeforeEnter(t *testing.T) {
	r := captrace(t, victims.C(t, "helper_before_enter", victims.O2))
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "after_enter", "helper_before_enter.c", "after_enter", 1},
	})
	if strings.Contains(r.stderr, "calls neither") {
		t.Errorf("no fallback notice is due for the helpers:\n%s", r.stderr)
	}
}

// TestScriptAsProgram: a #! script is planned from the image that runs, its
// interpreter; the programs it runs enter at their own cap_enter.
func TestScriptAsProgram(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "run-tests.sh")
	input := inputFile(t)
	os.WriteFile(script, []byte("#!/bin/sh\n"+victims.C(t, "minstrip", victims.O2)+" "+input+"\nexit 5\n"), 0o755)
	r := captrace(t, "--enter=cap_enter", script)
	if r.exit != 5 {
		t.Errorf("exit %d, want the script's 5\n%s", r.exit, r.stderr)
	}
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "create_tempfile", "minstrip.c", "create_tempfile", 1},
		{"newfstatat", "ECAPMODE", "keep_mode", "minstrip.c", "keep_mode", 1},
		{"rename", "ECAPMODE", "replace_input", "minstrip.c", "replace_input", 1},
	})
	// --enter=main plans the interpreter's main: the script's own shell
	// runs in capability mode.
	r = captrace(t, "--enter=main", script)
	if r.exit != 5 || len(r.report.Groups) <= 3 {
		t.Errorf("--enter=main on a script: exit %d, %d groups\n%s", r.exit, len(r.report.Groups), r.stderr)
	}
}

// TestInheritedDescriptors: descriptors captrace inherits reach the program
// at the same numbers, as without captrace (make's jobserver, 3>log), gaps
// included, and none of captrace's own descriptors does.
func TestInheritedDescriptors(t *testing.T) {
	dir := t.TempDir()
	var logs []*os.File
	for _, name := range []string{"fd3.log", "fd9.log"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		logs = append(logs, f)
	}
	// Each descriptor from 4 to 8 is reported on fd 3 if the program has it:
	// captrace's own files, or the gap, leaked.
	script := `echo through-fd-3 >&3; echo through-fd-9 >&9
for n in 4 5 6 7 8; do [ -e /proc/$$/fd/$n ] && echo "fd $n open: $(readlink /proc/$$/fd/$n)" >&3; done; true`
	cmd := exec.Command(victims.Captrace(t), "--enter=main", "-o", filepath.Join(dir, "r.json"), "/bin/sh", "-c", script)
	// Entry i is descriptor 3+i; nil leaves it closed.
	cmd.ExtraFiles = []*os.File{logs[0], nil, nil, nil, nil, nil, logs[1]}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "fd3.log")); string(b) != "through-fd-3\n" {
		t.Errorf("fd 3 got %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "fd9.log")); string(b) != "through-fd-9\n" {
		t.Errorf("fd 9 got %q", b)
	}
}

// TestStaticBinary: in a -static program the C library is inside the
// program's own file; its frames (no lines) are still not call sites.
func TestStaticBinary(t *testing.T) {
	r := captrace(t, victims.C(t, "rules", victims.O2, "-static"), rulesDir(t))
	checkGroups(t, r, rulesGroups)
}

// TestStrippedStaticMain: a stripped static program has no symbol to find
// main by; captrace reads it from the register of the C start-up call in
// the entry code. The violations after main are found, those before not.
func TestStrippedStaticMain(t *testing.T) {
	prog := victims.C(t, "forks", victims.Stripped, "-static")
	r := captrace(t, "--enter=main", prog, "4")
	if strings.Contains(r.stderr, "never reached") || r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	if len(r.report.Groups) != 1 || r.report.Groups[0].Count != 4 || len(r.report.Groups[0].Pids) != 4 {
		t.Errorf("want one group of 4 violations from 4 children, got %+v", r.report.Groups)
	}
	// By default (no cap_enter symbol to see) it falls back to main too.
	r = captrace(t, prog, "4")
	if r.exit != 0 || r.report.Summary.Violations != 4 {
		t.Errorf("default enter point: exit %d, %d violations\n%s", r.exit, r.report.Summary.Violations, r.stderr)
	}
}

// TestPosixSpawn: the spawned child's execve runs on posix_spawn's own
// stack; the report sites it at the posix_spawn call all the same.
func TestPosixSpawn(t *testing.T) {
	r := captrace(t, victims.C(t, "spawn", victims.O2))
	checkGroups(t, r, []wantGroup{
		{"execve", "ECAPMODE", "run_helper", "spawn.c", "spawn", 1},
	})
}

// TestEnvScript: "#!/usr/bin/env sh" runs env, which finds and execs the
// interpreter: env is not what is planned (nor checked), the interpreter is.
func TestEnvScript(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	os.WriteFile(script, []byte("#!/usr/bin/env sh\nexec "+victims.C(t, "minstrip", victims.O2)+" "+inputFile(t)+"\n"), 0o755)
	r := captrace(t, "--enter=cap_enter", script)
	checkGroups(t, r, []wantGroup{
		{"openat", "ECAPMODE", "create_tempfile", "minstrip.c", "create_tempfile", 1},
		{"newfstatat", "ECAPMODE", "keep_mode", "minstrip.c", "keep_mode", 1},
		{"rename", "ECAPMODE", "replace_input", "minstrip.c", "replace_input", 1},
	})
	// By default the interpreter (sh), not env, falls back to main.
	r = captrace(t, script)
	if !strings.Contains(r.stderr, "sh calls neither") || strings.Contains(r.stderr, "env calls neither") {
		t.Errorf("the interpreter must be planned, not env:\n%s", r.stderr)
	}
}

// TestForeignABI: i386 syscalls (int $0x80) from a 64-bit program are
// decoded with the i386 table and registers (ebx, ecx, edx, esi, edi,
// ebp), as strace does. Read as x86-64 calls, the same numbers are fstat,
// alarm and getuid, all allowed: a tracer that misreads the ABI reports
// nothing, or the wrong call with 64-bit registers as its arguments.
func TestForeignABI(t *testing.T) {
	prog := victims.C(t, "foreign_abi", victims.O0)
	// A kernel built without IA-32 emulation, or booted with
	// ia32_emulation=0, answers int $0x80 with SIGSEGV: there is no
	// i386 syscall to trace then.
	if err := exec.Command(prog).Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGSEGV {
				t.Skip("int $0x80 raises SIGSEGV here: the kernel has no IA-32 emulation")
			}
		}
		t.Fatalf("foreign_abi natively: %v", err)
	}
	r := captrace(t, prog)
	checkGroups(t, r, []wantGroup{
		{"open", "ECAPMODE", "int80", "foreign_abi.c", "int80", 1},
		{"kill", "ECAPMODE", "int80", "foreign_abi.c", "int80", 1},
		{"connect", "ECAPMODE", "int80", "foreign_abi.c", "int80", 1},
	})
	want := map[string][]string{
		"open":    {`"/etc/hostname"`, "O_RDONLY"},
		"kill":    {"1", "0"},
		"connect": {"7", `{sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}`, "16"},
	}
	for _, g := range r.report.Groups {
		if w := want[g.Syscall]; strings.Join(g.Example.Args, ", ") != strings.Join(w, ", ") {
			t.Errorf("%s args %q, want %q", g.Syscall, g.Example.Args, w)
		}
		if !strings.HasPrefix(g.Reason, "through the i386 ABI (int $0x80): ") {
			t.Errorf("%s reason %q does not name the i386 ABI", g.Syscall, g.Reason)
		}
	}
}
