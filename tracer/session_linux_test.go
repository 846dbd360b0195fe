package tracer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/internal/victims"
)

func TestMain(m *testing.M) {
	code := m.Run()
	victims.Cleanup()
	os.Exit(code)
}

// traceVictim runs prog under a real session and collects its events.
func traceVictim(t *testing.T, cfg Config) (Result, []event.Event, string, error) {
	t.Helper()
	var events []event.Event
	var warnings bytes.Buffer
	cfg.OnViolation = func(e event.Event) { events = append(events, e) }
	cfg.Warnings = &warnings
	res, err := Run(cfg)
	return res, events, warnings.String(), err
}

// TestThreadSignalsThroughTheTracer drives the production path of the
// thread-signal rules: capmode asks the tracer which process a thread
// belongs to (tracee.ThreadGroup). The victim signals its own other thread
// with tgkill and tkill (allowed: thr_kill) and its traced child's thread
// with both (ECAPMODE: another process).
func TestThreadSignalsThroughTheTracer(t *testing.T) {
	prog := victims.C(t, "thread_signals", victims.O0)
	out := filepath.Join(t.TempDir(), "stdout")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The program's stdout is this test's: point it at a file for the run.
	saved, err := unix.Dup(1)
	if err != nil {
		t.Fatal(err)
	}
	unix.Dup2(int(f.Fd()), 1)
	res, events, warnings, err := traceVictim(t, Config{Program: prog, Enter: EnterMain})
	unix.Dup2(saved, 1)
	unix.Close(saved)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitStatus != 0 || res.Processes != 2 || !res.EnterReached {
		t.Errorf("result %+v, want exit 0, 2 processes, enter reached\nwarnings:\n%s", res, warnings)
	}
	if b, _ := os.ReadFile(out); string(b) != "0 0 0 0\n" {
		t.Errorf("victim printed %q, want every call to succeed in audit mode", b)
	}
	type signal struct {
		syscall string
		errno   string
		kind    capmode.Kind
		line    int
	}
	var got []signal
	for _, e := range events {
		if e.Syscall != "tgkill" && e.Syscall != "tkill" {
			continue
		}
		if e.Pid != e.Tid {
			t.Errorf("%s from thread %d of %d, want the main thread", e.Syscall, e.Tid, e.Pid)
		}
		got = append(got, signal{e.Syscall, e.Verdict.Outcome.Errno(), e.Verdict.Kind, siteLine(t, e, prog)})
	}
	src := "thread_signals.c"
	want := []signal{
		{"tgkill", "ECAPMODE", capmode.KindSignal, victims.Line(t, src, "SITE:other_tgkill")},
		{"tkill", "ECAPMODE", capmode.KindSignal, victims.Line(t, src, "SITE:other_tkill")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("thread signals:\n got %v\nwant %v", got, want)
	}
}

// siteLine is the source line of the violation's call site in prog: the
// innermost frame of the program itself.
func siteLine(t *testing.T, e event.Event, prog string) int {
	t.Helper()
	for _, pc := range e.Stack {
		m := e.Maps.Find(pc.Addr)
		if m == nil || m.Path != prog {
			continue
		}
		line, err := addr2line(prog, pc.LookupAddr()-m.Bias)
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	return 0
}

// TestEnforceFailsClosed: when the registers that deny a call cannot be
// written, the call must not run while the report says it was denied.
// The write is made to fail; the victim's open(O_CREAT) through the
// global namespace must not create its file, and Run must say why.
func TestEnforceFailsClosed(t *testing.T) {
	prog := victims.C(t, "create_file", victims.O0)
	target := filepath.Join(t.TempDir(), "must-not-exist")
	injected := errors.New("injected PTRACE_SETREGS failure")
	writeSyscallRegs = func(tid int, r *unix.PtraceRegs) error { return injected }
	defer func() { writeSyscallRegs = unix.PtraceSetRegs }()

	res, events, warnings, err := traceVictim(t, Config{
		Program: prog, Args: []string{target}, Enter: EnterMain, Mode: Enforce,
		ErrnoCapMode: unix.EPERM, ErrnoNotCapable: unix.EPERM,
	})
	if _, serr := os.Stat(target); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the denied open ran: %s exists (%v)", target, serr)
	}
	var te *Error
	if !errors.As(err, &te) || !errors.Is(err, injected) {
		t.Fatalf("Run: %v, want an *Error caused by the injected failure", err)
	}
	if len(events) != 1 || events[0].Syscall != "openat" || events[0].Verdict.Outcome != capmode.CapMode {
		t.Fatalf("events %+v, want the one openat", events)
	}
	if te.Pid != events[0].Pid || te.Status != StatusFailure {
		t.Errorf("error %+v, want process %d and status %d", te, events[0].Pid, StatusFailure)
	}
	if res.ExitStatus != 128+int(unix.SIGKILL) {
		t.Errorf("exit status %d, want the victim killed (%d)", res.ExitStatus, 128+int(unix.SIGKILL))
	}
	wantMsg := fmt.Sprintf("process %d: enforce: cannot deny openat (killed the process instead): PTRACE_SETREGS: %v\n", te.Pid, injected)
	if warnings != wantMsg || err.Error()+"\n" != wantMsg {
		t.Errorf("warnings %q\nerror %q\nwant %q", warnings, err, wantMsg)
	}
}

// addr2line is binutils' answer for a link-time address.
func addr2line(prog string, addr uint64) (int, error) {
	out, err := exec.Command("addr2line", "-e", prog, fmt.Sprintf("%#x", addr)).Output()
	if err != nil {
		return 0, fmt.Errorf("addr2line: %w", err)
	}
	_, lineText, _ := strings.Cut(strings.TrimSpace(string(out)), ":")
	var line int
	fmt.Sscanf(lineText, "%d", &line)
	return line, nil
}
