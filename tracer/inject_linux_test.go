package tracer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/internal/victims"
)

// The injection tests trace testdata/victims/inject.c with a small ptrace
// loop of their own, stop it where the session would (a breakpoint's
// SIGTRAP; a seccomp stop), inject the capability-mode filter there, and
// read what the victim's threads and children say about their own seccomp
// state in /proc afterwards.

// traceInject runs the inject victim in mode under ptrace. At its stop
// (the int3, or the seccomp stop of the reserved syscall) it calls inject,
// then resumes the thread as from that stop; every other stop is resumed. It returns
// the victim's output by line prefix.
func traceInject(t *testing.T, mode string, inject func(pid, tid int) error) map[string]string {
	t.Helper()
	bin := victims.C(t, "inject", victims.O2)
	out := filepath.Join(t.TempDir(), "stdout")
	stdout, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		errc <- traceInjectLocked(bin, mode, stdout, inject)
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		who, rest, _ := strings.Cut(l, " ")
		lines[who] = rest
	}
	return lines
}

func traceInjectLocked(bin, mode string, stdout *os.File, inject func(pid, tid int) error) error {
	cmd := exec.Command(bin, mode)
	cmd.Stdout = stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	defer func() {
		unix.Kill(pid, unix.SIGKILL)
		for {
			if _, err := unix.Wait4(-1, nil, unix.WALL, nil); err != nil {
				break
			}
		}
	}()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return err
	}
	opts := unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		return err
	}
	unix.PtraceCont(pid, 0)
	injected := false
	for {
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err != nil {
			return err
		}
		if ws.Exited() || ws.Signaled() {
			if tid != pid {
				continue
			}
			if !injected {
				return fmt.Errorf("the victim ended (%v) without stopping for injection", ws)
			}
			if !ws.Exited() || ws.ExitStatus() != 0 {
				return fmt.Errorf("the victim ended with %v", ws)
			}
			return nil
		}
		if !ws.Stopped() {
			continue
		}
		sig, event := ws.StopSignal(), int(uint32(ws)>>16)
		var regs unix.PtraceRegs
		unix.PtraceGetRegs(tid, &regs)
		stop := (mode == "trap" && sig == unix.SIGTRAP && event == 0) ||
			(mode == "entry" && event == unix.PTRACE_EVENT_SECCOMP && syscallNr(&regs) == shimabi.First)
		switch {
		case stop && !injected:
			injected = true
			if err := inject(pid, tid); err != nil {
				return err
			}
			unix.PtraceCont(tid, 0)
		case event != 0 || sig == unix.SIGSTOP || sig == unix.SIGTRAP:
			unix.PtraceCont(tid, 0)
		default:
			unix.PtraceCont(tid, int(sig))
		}
	}
}

func assembledCapModeFilter(t *testing.T) []bpf.RawInstruction {
	raw, err := bpf.Assemble(capModeFilter())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func checkState(t *testing.T, lines map[string]string, who, want string) {
	t.Helper()
	if got := lines[who]; got != want {
		t.Errorf("%s: %q, want %q", who, got, want)
	}
}

// At a breakpoint-like SIGTRAP the thread installs the filter for the
// whole process, the thread it started before included (TSYNC), and the
// child it forks afterwards inherits it; the program runs on unharmed.
func TestInjectFilterAtTrap(t *testing.T) {
	prog := assembledCapModeFilter(t)
	lines := traceInject(t, "trap", func(pid, tid int) error {
		// The session rewinds a thread onto its breakpoint's address
		// before it injects; here the int3 stays and is stepped over.
		return injectFilter(pid, tid, &imageAddrs{}, injectOutsideSyscall, prog, 0)
	})
	none := "NoNewPrivs:0 Seccomp:0 Seccomp_filters:0"
	one := "NoNewPrivs:1 Seccomp:2 Seccomp_filters:1"
	checkState(t, lines, "main-before", none)
	checkState(t, lines, "thread-before", none)
	checkState(t, lines, "main-after", one)
	checkState(t, lines, "thread-after", one)
	checkState(t, lines, "child-after", one)
	checkState(t, lines, "sum", "500500")
}

// At a seccomp stop the pending call is replaced: the filter goes in and
// the call returns what the tracer says.
func TestInjectFilterAtSyscallEntry(t *testing.T) {
	prog := assembledCapModeFilter(t)
	lines := traceInject(t, "entry", func(pid, tid int) error {
		return injectFilter(pid, tid, &imageAddrs{}, injectAtSyscallEntry, prog, 42)
	})
	own := "NoNewPrivs:1 Seccomp:2 Seccomp_filters:1"
	two := "NoNewPrivs:1 Seccomp:2 Seccomp_filters:2"
	checkState(t, lines, "main-before", own)
	checkState(t, lines, "thread-before", own)
	checkState(t, lines, "ret", "42")
	checkState(t, lines, "main-after", two)
	checkState(t, lines, "thread-after", two)
	checkState(t, lines, "child-after", two)
	checkState(t, lines, "sum", "500500")
}
