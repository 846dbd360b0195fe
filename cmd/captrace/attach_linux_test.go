package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// Attach tests: captrace -p on a running victim (attach_loop.c) that the
// test drives round by round through its stdin, so the number of
// violations made while it is traced is exact. After captrace detaches on
// SIGINT, the victim must be alive, untraced, without a seccomp filter,
// and go on working.

// startLoopVictim starts attach_loop making perRound violations a round.
func startLoopVictim(t *testing.T, perRound int) *victims.Driven {
	t.Helper()
	return victims.StartDriven(t, victims.C(t, "attach_loop", victims.O2), strconv.Itoa(perRound))
}

// procStatus reads fields of a task's /proc status.
func procStatus(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// waitTraced waits until every thread of pid is traced. TracerPid names
// the tracing thread, not its process: only "not 0" can be checked.
func waitTraced(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
		all := len(tasks) > 0
		for _, task := range tasks {
			if tp := procStatus(t, task)["TracerPid"]; tp == "0" || tp == "" {
				all = false
			}
		}
		if all {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d not traced after 10s", pid)
}

func TestAttach(t *testing.T) {
	for _, c := range []struct {
		mode         string
		errnoTraced  int // the errno the victim's opens get while traced
		wantStatusOK bool
		detach       syscall.Signal // any of SIGINT, SIGTERM, SIGHUP, SIGQUIT detaches
	}{
		{"audit", int(syscall.ENOENT), true, syscall.SIGINT},
		{"enforce", int(syscall.EPERM), false, syscall.SIGHUP},
	} {
		t.Run(c.mode, func(t *testing.T) {
			v := startLoopVictim(t, 25)
			pid := v.Cmd.Process.Pid
			out := filepath.Join(t.TempDir(), "attach.json")
			b := startCaptrace(t, bgOptions{}, "--mode="+c.mode, "-o", out, "-p", strconv.Itoa(pid))
			waitTraced(t, pid)
			for i := 0; i < 4; i++ {
				if errno := v.Round(t); errno != c.errnoTraced {
					t.Errorf("round %d while traced: errno %d, want %d", i+1, errno, c.errnoTraced)
				}
			}
			// Traced with syscall stops, not with a filter.
			if c.wantStatusOK {
				if got := v.Ask(t, 's'); !strings.HasPrefix(got, "status TracerPid:") || strings.HasPrefix(got, "status TracerPid:0 ") || !strings.HasSuffix(got, " Seccomp:0") {
					t.Errorf("victim's status while traced: %q, want a tracer and Seccomp:0", got)
				}
			}
			b.signal(t, c.detach)
			if exit := b.wait(t, 20*time.Second); exit != 0 {
				t.Fatalf("captrace exit %d, want 0\nstderr:\n%s", exit, b.stderr.String())
			}

			rep, err := report.Load(out)
			if err != nil {
				t.Fatalf("no report: %v\nstderr:\n%s", err, b.stderr.String())
			}
			r := runResult{report: rep, stderr: b.stderr.String()}
			groups := []wantGroup{{"openat", "ECAPMODE", "violate", "attach_loop.c", "attach_open", 100}}
			if c.wantStatusOK {
				groups = append(groups, wantGroup{"openat", "ECAPMODE", "status", "attach_loop.c", "attach_status", 1})
			}
			checkGroups(t, r, groups)
			if len(rep.Command) != 2 || rep.Command[0] != v.Cmd.Path || rep.Command[1] != "25" {
				t.Errorf("report command %q, want the attached process's", rep.Command)
			}

			// Left as it was: alive, untraced, no filter, working.
			st := procStatus(t, fmt.Sprintf("/proc/%d/status", pid))
			if st["TracerPid"] != "0" || st["Seccomp"] != "0" || strings.HasPrefix(st["State"], "Z") || strings.HasPrefix(st["State"], "t") {
				t.Errorf("after detach: TracerPid %s Seccomp %s State %s, want 0, 0 and running", st["TracerPid"], st["Seccomp"], st["State"])
			}
			if errno := v.Round(t); errno != int(syscall.ENOENT) {
				t.Errorf("round after detach: errno %d, want ENOENT: the call must run", errno)
			}
			if got := v.Ask(t, 's'); got != "status TracerPid:0 Seccomp:0" {
				t.Errorf("victim's own status after detach: %q", got)
			}
			v.CloseInput()
			if err := v.Cmd.Wait(); err != nil {
				t.Errorf("victim after detach: %v", err)
			}
		})
	}
}

// A process that exits while attached ends the run with its status.
func TestAttachUntilExit(t *testing.T) {
	v := startLoopVictim(t, 3)
	pid := v.Cmd.Process.Pid
	out := filepath.Join(t.TempDir(), "attach.json")
	b := startCaptrace(t, bgOptions{}, "-o", out, "-p", strconv.Itoa(pid))
	waitTraced(t, pid)
	v.Round(t)
	v.CloseInput() // the victim exits 0
	if exit := b.wait(t, 20*time.Second); exit != 0 {
		t.Fatalf("captrace exit %d\nstderr:\n%s", exit, b.stderr.String())
	}
	rep, err := report.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	checkGroups(t, runResult{report: rep}, []wantGroup{{"openat", "ECAPMODE", "violate", "attach_loop.c", "attach_open", 3}})
}

// -p of a process that does not exist, or that may not be traced (one
// traced already), is one clear line and a documented status.
func TestAttachErrors(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	r := captraceRaw(t, "", "-p", strconv.Itoa(gone.Process.Pid))
	if r.exit != 127 || !strings.Contains(r.stderr, "no such process") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("missing pid: exit %d stderr %q, want 127 and one line", r.exit, r.stderr)
	}

	// A zombie: a child of this test that has exited and is not waited
	// for until the end (Go reaps only in Wait).
	zombieCmd := exec.Command("true")
	if err := zombieCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zombieCmd.Wait() })
	zombie := zombieCmd.Process.Pid
	for i := 0; i < 500 && !strings.HasPrefix(procStatus(t, fmt.Sprintf("/proc/%d/status", zombie))["State"], "Z"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	r = captraceRaw(t, "", "-p", strconv.Itoa(zombie))
	if r.exit != 127 || !strings.Contains(r.stderr, "has exited (a zombie") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("zombie: exit %d stderr %q, want 127 and one line saying it has exited", r.exit, r.stderr)
	}

	v := startLoopVictim(t, 1)
	pid := v.Cmd.Process.Pid
	first := startCaptrace(t, bgOptions{}, "-o", filepath.Join(t.TempDir(), "first.json"), "-p", strconv.Itoa(pid))
	waitTraced(t, pid)
	r = captraceRaw(t, "", "-p", strconv.Itoa(pid))
	if r.exit != 125 || !strings.Contains(r.stderr, "not allowed to trace") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("traced already: exit %d stderr %q, want 125 and one line", r.exit, r.stderr)
	}
	first.signal(t, syscall.SIGINT)
	first.wait(t, 20*time.Second)

	r = captraceRaw(t, "", "-p", strconv.Itoa(pid), "/bin/true")
	if r.exit != 2 || !strings.HasPrefix(r.stderr, "captrace: ") {
		t.Errorf("-p with a program: exit %d stderr %q, want 2", r.exit, r.stderr)
	}
}
