package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// Fault tests: captrace under the conditions that break tracers. A signal
// to captrace or to the program mid-run, a crash, threads and processes
// coming and going under the stops, exec from a thread, children that try
// to escape tracing, a program that installs its own seccomp filter, a
// tracer that is itself traced, and a report interrupted while it is
// written. Each must end with a complete report, the right exit status,
// and no traced program left behind.

// background is a captrace run the test drives while it runs.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	exit           int
}

// bgOptions change how startCaptrace runs captrace.
type bgOptions struct {
	stdin   io.Reader
	setpgid bool     // captrace leads a new process group (as a shell job does)
	wrap    []string // run captrace under this command (e.g. strace)
}

func startCaptrace(t *testing.T, o bgOptions, args ...string) *background {
	t.Helper()
	argv := append(append(append([]string{}, o.wrap...), victims.Captrace(t)), args...)
	b := &background{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	b.cmd.Stdin = o.stdin
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	if o.setpgid {
		b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting captrace: %v", err)
	}
	go func() {
		err := b.cmd.Wait()
		b.exit = 0
		if ee, ok := err.(*exec.ExitError); ok {
			b.exit = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				b.exit = 128 + int(ws.Signal())
			}
		} else if err != nil {
			b.exit = -1
		}
		close(b.done)
	}()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// wait returns captrace's exit status; a run that outlives timeout is a
// hang: it is killed and the test fails.
func (b *background) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-b.done:
		return b.exit
	case <-time.After(timeout):
		b.cmd.Process.Kill()
		<-b.done
		t.Fatalf("captrace still running after %v (killed)\nstderr:\n%s", timeout, b.stderr.String())
		return 0
	}
}

func (b *background) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to captrace: %v", sig, err)
	}
}

// waitEntered waits until the process pid has reached its enter point:
// the capability-mode filter, injected there, is its first (a program not
// built against the shim has none before). A test that signals a
// "mid-run" program must not depend on how soon a loaded machine gets
// that far.
func waitEntered(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatalf("the victim is gone before its enter point: %v", err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if n, ok := strings.CutPrefix(line, "Seccomp_filters:"); ok {
				if k, _ := strconv.Atoi(strings.TrimSpace(n)); k >= 1 {
					return
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("pid %d never reached its enter point", pid)
}

// waitPidFile waits for a victim to write its pid (fault_loop does).
func waitPidFile(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				// Should captrace leave it behind, do not leave it running.
				t.Cleanup(func() {
					if !processGone(pid) {
						unix.Kill(pid, unix.SIGKILL)
					}
				})
				return pid
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the victim never wrote %s", path)
	return 0
}

// processGone reports whether pid no longer runs: it does not exist, or it
// is a zombie waiting for its (new) parent to reap it.
func processGone(pid int) bool {
	if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z' || s[i+2] == 'X'
	}
	return false
}

// assertGone fails unless pid is gone within a second of captrace's exit.
func assertGone(t *testing.T, pid int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if processGone(pid) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the traced program (pid %d) outlived captrace", pid)
}

// loadComplete loads a report and checks that it is whole: the summary
// agrees with the groups.
func loadComplete(t *testing.T, path, stderr string) *report.Report {
	t.Helper()
	rep, err := report.Load(path)
	if err != nil {
		t.Fatalf("no valid report: %v\nstderr:\n%s", err, stderr)
	}
	checkSummary(t, rep)
	return rep
}

func checkSummary(t *testing.T, rep *report.Report) {
	t.Helper()
	sum := 0
	for _, g := range rep.Groups {
		sum += g.Count
	}
	if sum != rep.Summary.Violations || len(rep.Groups) != rep.Summary.Groups {
		t.Errorf("summary %+v disagrees with %d groups holding %d violations", rep.Summary, len(rep.Groups), sum)
	}
}

// groupAt returns the group whose site is the marker's line, or nil.
func groupAt(t *testing.T, rep *report.Report, file, marker string) *report.Group {
	t.Helper()
	line := victims.Line(t, file, "SITE:"+marker)
	for i, g := range rep.Groups {
		if filepath.Base(g.Site.File) == file && g.Site.Line == line {
			return &rep.Groups[i]
		}
	}
	return nil
}

// checkSome asserts the wanted groups; other groups are allowed only when
// the run could not help having them (the dynamic loader of an image
// exec'd in capability mode opens its libraries), so they are logged.
func checkSome(t *testing.T, r *report.Report, stderr string, want []wantGroup) {
	t.Helper()
	seen := map[*report.Group]bool{}
	for _, w := range want {
		g := groupAt(t, r, w.file, w.marker)
		if g == nil {
			var got []string
			for _, g := range r.Groups {
				got = append(got, fmt.Sprintf("%s %s %s %s:%d", g.Syscall, g.Errno, g.Site.Function, filepath.Base(g.Site.File), g.Site.Line))
			}
			t.Errorf("missing group %s\ngot:\n  %s\nstderr:\n%s", w, strings.Join(got, "\n  "), stderr)
			continue
		}
		if g.Syscall != w.syscall || g.Errno != w.errno || g.Site.Function != w.function {
			t.Errorf("group at %s:%s is %s %s in %s, want %s", w.file, w.marker, g.Syscall, g.Errno, g.Site.Function, w)
		}
		if w.count != 0 && g.Count != w.count {
			t.Errorf("group %s: count %d, want %d", w, g.Count, w.count)
		}
		seen[g] = true
	}
	for i, g := range r.Groups {
		if !seen[&r.Groups[i]] {
			t.Logf("also: %d x %s %s at %s %s:%d", g.Count, g.Syscall, g.Errno, g.Site.Function, g.Site.File, g.Site.Line)
		}
	}
}

func TestFaultSignalToCaptrace(t *testing.T) {
	for _, c := range []struct {
		name     string
		sig      syscall.Signal
		stubborn bool // the program ignores and blocks signals; the signal goes to the whole group, twice
	}{
		{"SIGINT", syscall.SIGINT, false},
		{"SIGTERM", syscall.SIGTERM, false},
		{"SIGINT to the group, program ignores it", syscall.SIGINT, true},
		{"SIGTERM to the group, program blocks it", syscall.SIGTERM, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out, pidFile := filepath.Join(dir, "x.json"), filepath.Join(dir, "pid")
			args := []string{"-o", out, victims.C(t, "fault_loop", victims.O2), pidFile}
			if c.stubborn {
				args = append(args, "stubborn")
			}
			b := startCaptrace(t, bgOptions{setpgid: c.stubborn}, args...)
			pid := waitPidFile(t, pidFile)
			waitEntered(t, pid)
			time.Sleep(200 * time.Millisecond) // mid-run: violations are being reported
			if c.stubborn {
				// The program ignores the first; the second ends the run
				// (docs/usage.md, "Signals").
				if err := unix.Kill(-b.cmd.Process.Pid, c.sig); err != nil {
					t.Fatal(err)
				}
				time.Sleep(100 * time.Millisecond)
				if processGone(pid) {
					t.Fatalf("the program did not survive a signal it ignores")
				}
			}
			sent := time.Now()
			if c.stubborn {
				if err := unix.Kill(-b.cmd.Process.Pid, c.sig); err != nil {
					t.Fatal(err)
				}
			} else {
				b.signal(t, c.sig)
			}
			exit := b.wait(t, 5*time.Second)
			if d := time.Since(sent); d > 2*time.Second {
				t.Errorf("captrace took %v to exit after %v", d, c.sig)
			}
			if exit != 128+int(c.sig) {
				t.Errorf("exit %d, want %d\nstderr:\n%s", exit, 128+int(c.sig), b.stderr.String())
			}
			assertGone(t, pid)
			rep := loadComplete(t, out, b.stderr.String())
			g := groupAt(t, rep, "fault_loop.c", "loop_open")
			if g == nil || g.Count == 0 || rep.Summary.Violations == 0 {
				t.Fatalf("want violations at loop_open, report summary %+v", rep.Summary)
			}
			if g.Site.Function != "loop_violation" || len(g.Pids) != 1 || g.Pids[0] != pid {
				t.Errorf("group at %s pids %v, want loop_violation in pid %d", g.Site.Function, g.Pids, pid)
			}
			if rep.ExitStatus != exit {
				t.Errorf("report exit_status %d, captrace exited %d", rep.ExitStatus, exit)
			}
		})
	}
}

func TestFaultProgramDies(t *testing.T) {
	t.Run("SIGSEGV", func(t *testing.T) {
		r := captrace(t, victims.C(t, "fault_segv", victims.O2))
		checkGroups(t, r, []wantGroup{
			{"openat", "ECAPMODE", "before_crash", "fault_segv.c", "before_crash", 1},
		})
		if r.exit != 128+11 || r.report.ExitStatus != 128+11 {
			t.Errorf("exit %d, report exit_status %d, want 139\n%s", r.exit, r.report.ExitStatus, r.stderr)
		}
	})
	t.Run("external SIGKILL", func(t *testing.T) {
		dir := t.TempDir()
		out, pidFile := filepath.Join(dir, "x.json"), filepath.Join(dir, "pid")
		b := startCaptrace(t, bgOptions{}, "-o", out, victims.C(t, "fault_loop", victims.O2), pidFile)
		pid := waitPidFile(t, pidFile)
		waitEntered(t, pid)
		time.Sleep(100 * time.Millisecond)
		if err := unix.Kill(pid, unix.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if exit := b.wait(t, 5*time.Second); exit != 128+9 {
			t.Errorf("exit %d, want 137\nstderr:\n%s", exit, b.stderr.String())
		}
		rep := loadComplete(t, out, b.stderr.String())
		if g := groupAt(t, rep, "fault_loop.c", "loop_open"); g == nil || g.Count == 0 {
			t.Errorf("want violations at loop_open, summary %+v", rep.Summary)
		}
		if rep.ExitStatus != 137 {
			t.Errorf("report exit_status %d, want 137", rep.ExitStatus)
		}
	})
}

func TestFaultCountsExact(t *testing.T) {
	t.Run("16 threads x 1000", func(t *testing.T) {
		r := captrace(t, victims.C(t, "threads", victims.O2), "16", "1000")
		checkGroups(t, r, []wantGroup{
			{"openat", "ECAPMODE", "violate", "threads.c", "thread_open", 16000},
		})
		checkSummary(t, r.report)
		if r.report.Summary.Violations != 16000 {
			t.Errorf("summary violations %d, want 16000", r.report.Summary.Violations)
		}
	})
	t.Run("200 sequential forks", func(t *testing.T) {
		r := captrace(t, victims.C(t, "forks", victims.O2), "200")
		checkGroups(t, r, []wantGroup{
			{"openat", "ECAPMODE", "child_work", "forks.c", "child_open", 200},
		})
		if g := r.report.Groups; len(g) == 1 {
			distinct := map[int]bool{}
			for _, p := range g[0].Pids {
				distinct[p] = true
			}
			if len(g[0].Pids) != 200 || len(distinct) != 200 {
				t.Errorf("%d pids (%d distinct), want every one of the 200 children", len(g[0].Pids), len(distinct))
			}
		}
		if r.report.Summary.Processes != 201 {
			t.Errorf("processes %d, want 201", r.report.Summary.Processes)
		}
		if !strings.Contains(r.stdout, "forked 200") {
			t.Errorf("stdout %q", r.stdout)
		}
	})
	t.Run("threads exit while another is stopped", func(t *testing.T) {
		r := captrace(t, victims.C(t, "fault_thread_exit", victims.O2), "400", "4000")
		checkGroups(t, r, []wantGroup{
			{"openat", "ECAPMODE", "short_violation", "fault_thread_exit.c", "short_open", 400},
			{"openat", "ECAPMODE", "long_violation", "fault_thread_exit.c", "long_open", 4000},
		})
		if r.exit != 0 {
			t.Errorf("exit %d\n%s", r.exit, r.stderr)
		}
	})
}

func TestFaultExecChains(t *testing.T) {
	target := victims.C(t, "exec_target", victims.O2)
	t.Run("exec from a thread that is not the leader", func(t *testing.T) {
		r := captrace(t, victims.C(t, "fault_exec_thread", victims.O2), target)
		checkSome(t, r.report, r.stderr, []wantGroup{
			{"openat", "ECAPMODE", "leader_violation", "fault_exec_thread.c", "leader_open", 1},
			{"openat", "ECAPMODE", "exec_from_thread", "fault_exec_thread.c", "thread_open", 1},
			{"execve", "ECAPMODE", "exec_from_thread", "fault_exec_thread.c", "thread_execv", 1},
			{"openat", "ECAPMODE", "target_violation", "exec_target.c", "target_violation", 1},
		})
		if r.exit != 3 {
			t.Errorf("exit %d, want the new image's 3\n%s", r.exit, r.stderr)
		}
		// One process throughout: the thread took over the leader's pid.
		pids := map[int]bool{}
		for _, g := range r.report.Groups {
			for _, p := range g.Pids {
				pids[p] = true
			}
		}
		if len(pids) != 1 || r.report.Summary.Processes != 1 {
			t.Errorf("pids %v, processes %d: want one process", pids, r.report.Summary.Processes)
		}
		if g := groupAt(t, r.report, "exec_target.c", "target_violation"); g != nil && !strings.HasSuffix(g.Site.Module, filepath.Base(target)) {
			t.Errorf("violation after exec attributed to module %q, want %s", g.Site.Module, target)
		}
	})
	t.Run("vfork then exec", func(t *testing.T) {
		r := captrace(t, victims.C(t, "fault_vfork", victims.O2), target)
		checkSome(t, r.report, r.stderr, []wantGroup{
			{"openat", "ECAPMODE", "before_vfork", "fault_vfork.c", "before_vfork", 1},
			{"execve", "ECAPMODE", "main", "fault_vfork.c", "vfork_execv", 1},
			{"openat", "ECAPMODE", "target_violation", "exec_target.c", "target_violation", 1},
			{"openat", "ECAPMODE", "after_vfork", "fault_vfork.c", "after_vfork", 1},
		})
		if r.exit != 0 || !strings.Contains(r.stdout, "child status 3") {
			t.Errorf("exit %d stdout %q, want 0 and the child's status 3\n%s", r.exit, r.stdout, r.stderr)
		}
		if r.report.Summary.Processes != 2 {
			t.Errorf("processes %d, want 2", r.report.Summary.Processes)
		}
	})
}

func TestFaultPipedIOPassesThrough(t *testing.T) {
	in := make([]byte, 1<<20)
	if _, err := rand.Read(in); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "x.json")
	b := startCaptrace(t, bgOptions{stdin: bytes.NewReader(in)},
		"-o", out, victims.C(t, "fault_cat", victims.O2), "16384")
	if exit := b.wait(t, 20*time.Second); exit != 0 {
		t.Errorf("exit %d\n%s", exit, b.stderr.String())
	}
	if got := b.stdout.Bytes(); !bytes.Equal(got, in) {
		n := 0
		for n < len(got) && n < len(in) && got[n] == in[n] {
			n++
		}
		t.Errorf("output differs from input: %d bytes out of %d, first difference at byte %d", len(got), len(in), n)
	}
	rep := loadComplete(t, out, b.stderr.String())
	if g := groupAt(t, rep, "fault_cat.c", "cat_open"); g == nil || g.Count == 0 {
		t.Errorf("no violation at cat_open: the stops must interleave with the I/O")
	}
}

func TestFaultCaptraceTraced(t *testing.T) {
	prog := victims.C(t, "bench_violations", victims.O2)
	for _, c := range []struct {
		name string
		wrap func(t *testing.T) []string
	}{
		{"under strace -f", func(t *testing.T) []string {
			s, err := exec.LookPath("strace")
			if err != nil {
				t.Skip("strace not installed (make deps installs it)")
			}
			return []string{s, "-f", "-o", "/dev/null"}
		}},
		{"under captrace", func(t *testing.T) []string {
			// --enter=exec: the outer captrace says nothing about enter points.
			return []string{victims.Captrace(t), "--enter=exec", "-o", filepath.Join(t.TempDir(), "outer.json")}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.json")
			b := startCaptrace(t, bgOptions{wrap: c.wrap(t)}, "-o", out, prog, "5")
			exit := b.wait(t, 20*time.Second)
			stderr := strings.TrimSpace(b.stderr.String())
			if exit != 125 {
				t.Errorf("exit %d, want 125\nstderr:\n%s", exit, stderr)
			}
			var lines []string
			for _, l := range strings.Split(stderr, "\n") {
				// The outer captrace's own summary of its -o report.
				if !strings.HasSuffix(l, "outer.json") {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "captrace") || !strings.Contains(lines[0], "trace") {
				t.Errorf("want one clear error line, stderr:\n%s", stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("Go panic output:\n%s", stderr)
			}
		})
	}
}

func TestFaultUntracedClone(t *testing.T) {
	prog := victims.C(t, "fault_untraced", victims.O2)
	for _, how := range []string{"clone", "clone3"} {
		t.Run(how, func(t *testing.T) {
			r := captrace(t, prog, how)
			if !strings.Contains(r.stdout, "child open errno 2\n") {
				t.Errorf("stdout %q: the child's open must run normally (ENOENT), not fail with ENOSYS as an untraced child's would", r.stdout)
			}
			checkGroups(t, r, []wantGroup{
				{"openat", "ECAPMODE", "untraced_child", "fault_untraced.c", "untraced_open", 1},
				{"openat", "ECAPMODE", "after_child", "fault_untraced.c", "after_untraced", 1},
			})
			if r.exit != 0 {
				t.Errorf("exit %d\n%s", r.exit, r.stderr)
			}
			if r.report.Summary.Processes != 2 {
				t.Errorf("processes %d, want 2", r.report.Summary.Processes)
			}
		})
	}
}

func TestFaultProgramHardensItself(t *testing.T) {
	prog := victims.C(t, "fault_seccomp", victims.O2)
	for _, c := range []struct{ how, stdout string }{
		{"allow", "getppid ok errno 0"},
		{"errno", "getppid failed errno 18"}, // its own filter still decides getppid
		{"nodump", "getppid ok errno 0"},
	} {
		t.Run(c.how, func(t *testing.T) {
			r := captrace(t, prog, c.how)
			checkGroups(t, r, []wantGroup{
				{"openat", "ECAPMODE", "after_filter", "fault_seccomp.c", "seccomp_open", 1},
			})
			if r.exit != 0 || !strings.Contains(r.stdout, c.stdout) {
				t.Errorf("exit %d stdout %q, want 0 and %q\n%s", r.exit, r.stdout, c.stdout, r.stderr)
			}
			if g := r.report.Groups; len(g) == 1 && len(g[0].Example.Stack) < 2 {
				t.Errorf("stack of %d frames: the unwinder must read a non-dumpable program's memory too", len(g[0].Example.Stack))
			}
		})
	}
}

// TestFaultReportWriteAtomic kills captrace at random points of a run that
// writes a big report (1,000 groups) over an old one: the file must then be
// the old report untouched or a complete new one, never a part of one.
func TestFaultReportWriteAtomic(t *testing.T) {
	prog := victims.C(t, "fault_manysites", victims.O2)
	dir := t.TempDir()
	out := filepath.Join(dir, "x.json")
	start := time.Now()
	first := captraceRaw(t, "", "-o", out, prog)
	full := time.Since(start)
	old, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report: %v\n%s", err, first.stderr)
	}
	if rep := loadComplete(t, out, first.stderr); rep.Summary.Groups != 1000 {
		t.Fatalf("%d groups, want 1000 (one per site_NNN function)", rep.Summary.Groups)
	}
	t.Logf("full run %v, report %d bytes", full, len(old))

	check := func(t *testing.T, what string) {
		t.Helper()
		now, err := os.ReadFile(out)
		switch {
		case os.IsNotExist(err):
			t.Errorf("%s: the old report is gone", what)
		case err != nil:
			t.Fatal(err)
		case bytes.Equal(now, old):
		default:
			rep, err := report.Parse(now)
			if err != nil {
				t.Errorf("%s: a partial report (%d bytes): %v", what, len(now), err)
			} else if rep.Summary.Groups != 1000 || len(rep.Groups) != 1000 {
				t.Errorf("%s: a report with %d groups, want the old one or all 1000", what, len(rep.Groups))
			}
		}
	}
	for i := 0; i < 4; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(full)+1))
		delay := time.Duration(n.Int64())
		b := startCaptrace(t, bgOptions{}, "-o", out, prog)
		time.Sleep(delay)
		b.cmd.Process.Kill()
		b.wait(t, 5*time.Second)
		check(t, fmt.Sprintf("SIGKILL after %v", delay))
	}
	// Aim at the window itself: kill as soon as the temporary file appears.
	hit, tries := 0, 3
	for i := 0; i < tries; i++ {
		b := startCaptrace(t, bgOptions{}, "-o", out, prog)
	poll:
		for {
			select {
			case <-b.done:
				break poll
			default:
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".tmp") {
					b.cmd.Process.Kill()
					hit++
					break poll
				}
			}
		}
		b.wait(t, 5*time.Second)
		check(t, "SIGKILL while the temporary file exists")
		// A killed writer leaves its temporary file; it must not count
		// as a hit next time.
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	t.Logf("killed %d of %d runs inside the write window", hit, tries)
}

// TestFaultOutputsWrittenInPlace: outputs that are not regular files are
// written to, never replaced by a rename.
func TestFaultOutputsWrittenInPlace(t *testing.T) {
	prog := victims.C(t, "bench_violations", victims.O2)
	checkJSON := func(t *testing.T, data []byte, stderr string) {
		t.Helper()
		rep, err := report.Parse(data)
		if err != nil {
			t.Fatalf("not a report: %v\n%q\nstderr:\n%s", err, data, stderr)
		}
		checkSummary(t, rep)
		if rep.Summary.Violations != 3 {
			t.Errorf("%d violations, want 3", rep.Summary.Violations)
		}
	}
	t.Run("/dev/null", func(t *testing.T) {
		before, err := os.Stat("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		r := captraceRaw(t, "", "-o", "/dev/null", "--format=json", prog, "3")
		if r.exit != 0 {
			t.Errorf("exit %d\n%s", r.exit, r.stderr)
		}
		after, err := os.Stat("/dev/null")
		if err != nil || after.Mode() != before.Mode() || after.Mode()&os.ModeCharDevice == 0 || !os.SameFile(before, after) {
			t.Fatalf("/dev/null was replaced: %v %v (was %v)", after.Mode(), err, before.Mode())
		}
	})
	for _, o := range []string{"/dev/stdout", "-"} {
		t.Run(o, func(t *testing.T) {
			r := captraceRaw(t, "", "-o", o, "--format=json", prog, "3")
			if r.exit != 0 {
				t.Errorf("exit %d\n%s", r.exit, r.stderr)
			}
			checkJSON(t, []byte(r.stdout), r.stderr)
		})
	}
	t.Run("FIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "report.json")
		if err := unix.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(f)
			f.Close()
			got <- b
		}()
		r := captraceRaw(t, "", "-o", fifo, prog, "3")
		if r.exit != 0 {
			t.Errorf("exit %d\n%s", r.exit, r.stderr)
		}
		select {
		case b := <-got:
			checkJSON(t, b, r.stderr)
		case <-time.After(5 * time.Second):
			t.Fatal("nothing written to the FIFO")
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: %v %v", fi, err)
		}
	})
}
