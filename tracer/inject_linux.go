package tracer

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/symbolize"
)

// Syscall injection: the tracer makes a stopped thread run syscalls of its
// choosing, then puts the thread back as it was. Linux has no
// PT_SC_REMOTE (FreeBSD's sys_process.c runs a syscall in the target for
// its tracer), so the thread executes a real `syscall` instruction under
// single-step, as gdb's inferior calls do: save the registers, load the
// call, point the program counter at a syscall instruction already in the
// process, PTRACE_SINGLESTEP, read the result, restore.
//
// The single-step trap of a syscall instruction is reported at the
// syscall's exit (ptrace_report_syscall_exit with step set, in
// kernel/entry/common.c), so one stop per call.

// injectionStop is where the thread to inject into is stopped; it decides how
// the first call starts and how the thread is put back.
type injectionStop int

const (
	// injectOutsideSyscall: a signal-delivery-stop (a breakpoint's SIGTRAP).
	// The thread is put back exactly as it was.
	injectOutsideSyscall injectionStop = iota
	// injectAtSyscallEntry: a seccomp stop. The pending call becomes the
	// first injected one, and at the end the thread returns from the
	// pending call with the result given to finish.
	injectAtSyscallEntry
	// injectAtExec: a PTRACE_EVENT_EXEC stop, inside execve. A single-step
	// from there traps at the syscall's exit before any instruction runs
	// (the same report as above), so the thread is first stepped out of
	// the syscall, untouched, and is then outside one.
	injectAtExec
)

// injection is one sequence of injected syscalls in a stopped thread.
type injection struct {
	pid   int
	tid   int
	kind  injectionStop
	saved unix.PtraceRegs
	regs  unix.PtraceRegs
	// insn is the address of a syscall instruction in the process.
	insn uint64
	// entered: the first call has run, so the thread is now at a
	// single-step or syscall-exit stop, wherever it was stopped before.
	entered bool
	// signal is one that arrived for the thread while it ran injected
	// calls: delivered when the thread resumes.
	signal int
}

// errTraceeGone: the thread died while running injected calls (another
// thread's exit_group, SIGKILL). Status is its wait status, for the
// session's bookkeeping.
type errTraceeGone struct{ status unix.WaitStatus }

func (e *errTraceeGone) Error() string { return "the thread exited during syscall injection" }

// beginInjection prepares to inject into thread tid of process pid,
// stopped as kind says; image holds what is known of pid's image.
func beginInjection(pid, tid int, image *imageAddrs, kind injectionStop) (*injection, error) {
	inj := &injection{pid: pid, tid: tid, kind: kind}
	if kind == injectAtExec {
		if err := inj.step(unix.PTRACE_SINGLESTEP); err != nil {
			return nil, err
		}
		inj.kind = injectOutsideSyscall
	}
	if err := unix.PtraceGetRegs(tid, &inj.saved); err != nil {
		return nil, fmt.Errorf("read registers: %w", err)
	}
	inj.regs = inj.saved
	if kind == injectAtSyscallEntry {
		// The thread's own syscall instruction is just behind it.
		insn := programCounter(&inj.saved) - uint64(len(syscallInsn))
		if isSyscallInsn(tid, insn) {
			inj.insn = insn
			return inj, nil
		}
	}
	if image.syscallInsn != 0 {
		inj.insn = image.syscallInsn
		return inj, nil
	}
	image.readAuxv(pid)
	insn, inVDSO, err := findSyscallInsn(pid, image.vdso)
	if err != nil {
		return nil, err
	}
	if inVDSO {
		// Mapped until the next exec, unlike a library's code.
		image.syscallInsn = insn
	}
	inj.insn = insn
	return inj, nil
}

// call runs one syscall in the thread and returns what it returned (a
// negative errno on failure, as the kernel returns it).
func (inj *injection) call(nr int, args ...uint64) (int64, error) {
	var a [6]uint64
	copy(a[:], args)
	request := unix.PTRACE_SINGLESTEP
	if inj.kind == injectAtSyscallEntry && !inj.entered {
		// The thread is inside syscall entry: swap the pending call for
		// this one and stop at its exit.
		replacePendingCall(&inj.regs, nr, a)
		request = unix.PTRACE_SYSCALL
	} else {
		setInjectedCall(&inj.regs, inj.insn, nr, a)
	}
	if err := unix.PtraceSetRegs(inj.tid, &inj.regs); err != nil {
		return 0, fmt.Errorf("write registers: %w", err)
	}
	if err := inj.step(request); err != nil {
		return 0, err
	}
	inj.entered = true
	if err := unix.PtraceGetRegs(inj.tid, &inj.regs); err != nil {
		return 0, fmt.Errorf("read registers: %w", err)
	}
	return syscallReturn(&inj.regs), nil
}

// step resumes the thread with request and waits for the stop that ends
// the injected call. Only this thread is waited for: other tracees' stops
// stay queued for the session's loop.
func (inj *injection) step(request int) error {
	for {
		if _, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(request), uintptr(inj.tid), 0, 0, 0, 0); e != 0 {
			return fmt.Errorf("ptrace(%d): %w", request, e)
		}
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(inj.tid, &ws, unix.WALL, nil)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("wait: %w", err)
			}
			break
		}
		switch {
		case ws.Exited() || ws.Signaled():
			return &errTraceeGone{ws}
		case !ws.Stopped():
			continue
		}
		sig := ws.StopSignal()
		event := int(uint32(ws) >> 16)
		switch {
		case (sig == unix.SIGTRAP || sig == syscallStopSignal) && event == 0:
			// The single-step trap, or the syscall-exit stop (marked with
			// 0x80 under PTRACE_O_TRACESYSGOOD, which rights_linux.go's
			// syscall stops need).
			return nil
		case event == unix.PTRACE_EVENT_SECCOMP:
			// An injected call that a filter traces: let it run.
			continue
		case event != 0:
			continue
		default:
			// A signal sent to the thread meanwhile (the single-step trap
			// is synchronous, so it comes first when both are pending):
			// keep it for the program and go on.
			inj.signal = int(sig)
		}
	}
}

// write copies data into the process at addr (which an injected mmap made
// writable): process_vm_writev, one call for the whole buffer.
func (inj *injection) write(pid int, addr uint64, data []byte) error {
	local := []unix.Iovec{{Base: &data[0]}}
	local[0].SetLen(len(data))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(data)}}
	n, err := unix.ProcessVMWritev(pid, local, remote, 0)
	if err != nil {
		return fmt.Errorf("process_vm_writev: %w", err)
	}
	if n != len(data) {
		return fmt.Errorf("process_vm_writev: wrote %d of %d bytes", n, len(data))
	}
	return nil
}

// finish puts the thread back in the state of its stop, for the session
// to resume as it would have: a thread stopped at a syscall's entry
// returns ret from that call; any other has its registers as they were.
// A signal that arrived meanwhile is sent again, to be reported at a stop
// of its own.
func (inj *injection) finish(ret int64) error {
	regs := inj.saved
	if inj.kind == injectAtSyscallEntry {
		// Whether the thread is still at the seccomp stop (nothing ran: the
		// kernel skips the call) or at an injected call's exit, it returns
		// ret to the instruction after the original call.
		completePendingCall(&regs, ret)
	}
	if err := unix.PtraceSetRegs(inj.tid, &regs); err != nil {
		return fmt.Errorf("restore registers: %w", err)
	}
	if inj.signal != 0 {
		unix.Tgkill(inj.pid, inj.tid, unix.Signal(inj.signal))
	}
	return nil
}

func isSyscallInsn(tid int, addr uint64) bool {
	b := make([]byte, len(syscallInsn))
	n, err := unix.PtracePeekData(tid, uintptr(addr), b)
	return err == nil && n == len(b) && bytes.Equal(b, syscallInsn)
}

// findSyscallInsn finds a syscall instruction in pid's executable memory:
// the vDSO has them (its clock_gettime falls back to the real call,
// arch/x86/include/asm/vdso/gettimeofday.h), then the other modules. Two
// bytes that decode as `syscall` from their first are all it takes: only
// that one instruction runs before the single-step trap. The vDSO is at
// vdso (AT_SYSINFO_EHDR of the auxiliary vector; 0: none), which costs
// nothing more where parsing the memory map opened every mapped file.
// inVDSO says the instruction is the vDSO's, there until the next exec.
func findSyscallInsn(pid int, vdso uint64) (insn uint64, inVDSO bool, err error) {
	mem := symbolize.ProcMemory(pid)
	if base := vdso; base != 0 {
		// The vDSO's text is in its first pages (two on x86-64 today).
		buf := make([]byte, 8192)
		if n, err := readPartial(mem, base, buf); err == nil {
			if i := bytes.Index(buf[:n], syscallInsn); i >= 0 {
				return base + uint64(i), true, nil
			}
		}
	}
	mm, err := symbolize.ReadMaps(pid)
	if err != nil {
		return 0, false, fmt.Errorf("read the memory map: %w", err)
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for _, m := range mm.Modules() {
		for start := m.Start; start < m.End; start += chunk {
			n := int(min(uint64(len(buf)), m.End-start))
			if err := mem.ReadMemory(start, buf[:n]); err != nil {
				continue
			}
			for off := 0; ; {
				i := bytes.Index(buf[off:n], syscallInsn)
				if i < 0 {
					break
				}
				addr := start + uint64(off+i)
				if mm.Find(addr) != nil && mm.Find(addr+1) != nil {
					return addr, false, nil
				}
				off += i + 1
			}
		}
	}
	return 0, false, errors.New("no syscall instruction in the process's code")
}

// readPartial reads what is mapped of p from addr on.
func readPartial(mem symbolize.Memory, addr uint64, p []byte) (int, error) {
	if pr, ok := mem.(interface {
		ReadMemoryPartial(addr uint64, p []byte) (int, error)
	}); ok {
		return pr.ReadMemoryPartial(addr, p)
	}
	if err := mem.ReadMemory(addr, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
