package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/victims"
)

// Signal tests: captrace is invisible to signals, as strace is. A signal
// to the whole process group (a terminal's Ctrl-C, a closed terminal's
// SIGHUP) reaches the program once, from the kernel; a signal to captrace
// alone is passed on once; the program's own exit status is reported, and
// the report is whole. Each run leads its own process group (as a shell
// job does), so group signals reach only captrace and the program.

// sendTo signals captrace alone, or its whole process group.
func sendTo(t *testing.T, b *background, sig syscall.Signal, group bool) {
	t.Helper()
	if !group {
		b.signal(t, sig)
		return
	}
	if err := unix.Kill(-b.cmd.Process.Pid, sig); err != nil {
		t.Fatalf("signal %v to the group: %v", sig, err)
	}
}

// pipe is an OS pipe for the program's stdin: exec hands an *os.File over
// as it is, with no copying goroutine for Wait to wait for.
func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// waitFile waits for path to exist, as the victim's sign of life.
func waitFile(t *testing.T, path string, b *background) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-b.done:
			t.Fatalf("captrace exited (%d) before %s appeared\nstderr:\n%s", b.exit, path, b.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("%s never appeared\nstderr:\n%s", path, b.stderr.String())
}

// TestSignalReachesProgramOnce: the program catches the signal, cleans up
// (a violation of its own) and exits 7; captrace exits 7 with a whole
// report that has the cleanup's violation, and says nothing else.
func TestSignalReachesProgramOnce(t *testing.T) {
	prog := victims.C(t, "sigcleanup", victims.O0)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		for _, group := range []bool{true, false} {
			name := unix.SignalName(sig) + "/to-captrace"
			if group {
				name = unix.SignalName(sig) + "/to-group"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "r.json")
				b := startCaptrace(t, bgOptions{setpgid: true}, "-o", out, prog, dir, "handle")
				pid := waitPidFile(t, filepath.Join(dir, "pid"))
				sendTo(t, b, sig, group)
				exit := b.wait(t, 10*time.Second)
				stderr := b.stderr.String()
				if exit != 7 {
					t.Errorf("exit %d, want the program's 7\nstderr:\n%s", exit, stderr)
				}
				cleaned, err := os.ReadFile(filepath.Join(dir, "cleaned"))
				if want := "signal " + strconv.Itoa(int(sig)) + ", 1 received\n"; err != nil || string(cleaned) != want {
					t.Errorf("cleanup wrote %q (%v), want %q", cleaned, err, want)
				}
				assertGone(t, pid)
				rep := loadComplete(t, out, stderr)
				if g := groupAt(t, rep, "sigcleanup.c", "cleanup"); g == nil || g.Count != 1 || g.Syscall != "openat" {
					t.Errorf("no openat group at the cleanup: %+v", rep.Groups)
				}
				if rep.ExitStatus != 7 {
					t.Errorf("report exit_status %d, want 7", rep.ExitStatus)
				}
				if want := "captrace: 1 violation in 1 group from 1 process -> " + out + "\n"; stderr != want {
					t.Errorf("stderr %q, want only %q", stderr, want)
				}
			})
		}
	}
}

// TestSecondSignalEndsProgram: a program that ignores SIGINT keeps running
// after the first (it still answers on stdin); the second ends it, and the
// report is whole, with the violations it made in between.
func TestSecondSignalEndsProgram(t *testing.T) {
	prog := victims.C(t, "sigcleanup", victims.O0)
	for _, group := range []bool{true, false} {
		name := "to-captrace"
		if group {
			name = "to-group"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "r.json")
			stdin, feed := pipe(t)
			b := startCaptrace(t, bgOptions{setpgid: true, stdin: stdin}, "-o", out, prog, dir, "ignore")
			stdin.Close()
			pid := waitPidFile(t, filepath.Join(dir, "pid"))
			sendTo(t, b, syscall.SIGINT, group)
			if _, err := io.WriteString(feed, "still there?\n"); err != nil {
				t.Fatalf("the program no longer reads its input: %v", err)
			}
			waitFile(t, filepath.Join(dir, "alive"), b)
			sendTo(t, b, syscall.SIGINT, group)
			exit := b.wait(t, 10*time.Second)
			if exit != 128+int(syscall.SIGINT) {
				t.Errorf("exit %d, want 130\nstderr:\n%s", exit, b.stderr.String())
			}
			assertGone(t, pid)
			rep := loadComplete(t, out, b.stderr.String())
			if g := groupAt(t, rep, "sigcleanup.c", "alive"); g == nil || g.Count != 1 {
				t.Errorf("want one violation at alive: %+v", rep.Groups)
			}
			if rep.ExitStatus != exit {
				t.Errorf("report exit_status %d, captrace exited %d", rep.ExitStatus, exit)
			}
		})
	}
}

// TestSIGKILLOfCaptraceKillsProgram: captrace killed outright takes the
// program with it (PTRACE_O_EXITKILL).
func TestSIGKILLOfCaptraceKillsProgram(t *testing.T) {
	dir := t.TempDir()
	stdin, _ := pipe(t)
	b := startCaptrace(t, bgOptions{setpgid: true, stdin: stdin}, victims.C(t, "sigcleanup", victims.O0), dir, "ignore")
	stdin.Close()
	pid := waitPidFile(t, filepath.Join(dir, "pid"))
	b.signal(t, syscall.SIGKILL)
	b.wait(t, 10*time.Second)
	assertGone(t, pid)
}

// TestNohupKeepsSIGHUPIgnored: started with SIGHUP ignored (nohup),
// captrace leaves it ignored and does not pass it on; the next signal is
// the program's first.
func TestNohupKeepsSIGHUPIgnored(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	nohup := []string{"sh", "-c", `trap "" HUP; exec "$0" "$@"`}
	b := startCaptrace(t, bgOptions{setpgid: true, wrap: nohup}, "-o", out, victims.C(t, "sigcleanup", victims.O0), dir, "handle")
	waitPidFile(t, filepath.Join(dir, "pid"))
	b.signal(t, syscall.SIGHUP)
	b.signal(t, syscall.SIGTERM)
	if exit := b.wait(t, 10*time.Second); exit != 7 {
		t.Errorf("exit %d, want 7\nstderr:\n%s", exit, b.stderr.String())
	}
	if cleaned, err := os.ReadFile(filepath.Join(dir, "cleaned")); err != nil || string(cleaned) != "signal 15, 1 received\n" {
		t.Errorf("cleanup wrote %q (%v), want SIGTERM only", cleaned, err)
	}
	loadComplete(t, out, b.stderr.String())
}
