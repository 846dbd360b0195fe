package tracer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Attaching to a running process (-p). A seccomp filter cannot be removed,
// and the process must be left exactly as it was, so an attached process
// gets none: every thread is traced with syscall stops (PTRACE_SYSCALL),
// two per syscall, entry and exit, and capmode judges each entry. That
// costs every syscall of the process two round trips to captrace, where a
// launched one pays only for the calls that can violate
// (docs/usage.md, "Attaching").

// attachOptions: follow threads, children and execs, mark syscall stops
// (SIGTRAP|0x80), and no PTRACE_O_EXITKILL: an attached process outlives
// captrace, which the kernel detaches from it if captrace dies.
const attachOptions = unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK |
	unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_TRACESYSGOOD

// syscallStopSignal is the stop signal of a syscall stop under
// PTRACE_O_TRACESYSGOOD.
const syscallStopSignal = unix.SIGTRAP | 0x80

const attachPermissionHint = "is it another user's or traced already, or is ptrace restricted by kernel.yama.ptrace_scope?"

// seizeProcess seizes every thread of process pid and interrupts it, so
// that each reports a PTRACE_EVENT_STOP. Threads may start while it works:
// it lists /proc/PID/task again until a pass finds no new one (a thread
// started by a thread already seized is attached by PTRACE_O_TRACECLONE
// and reports itself). It returns the threads it seized.
func seizeProcess(pid int) ([]int, error) {
	if pid == os.Getpid() {
		return nil, &AttachError{pid, unix.EPERM}
	}
	if tgid := threadGroupOf(pid); tgid != pid {
		// Not a process (gone, or a thread id): attach by process only.
		return nil, &AttachError{pid, unix.ESRCH}
	}
	if isZombie(pid) {
		// PTRACE_SEIZE of a zombie fails with EPERM, which would blame
		// permissions for a process that has only not been reaped.
		return nil, &AttachError{pid, ErrExited}
	}
	seized := map[int]bool{}
	var order []int
	for {
		entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			if len(order) == 0 {
				return nil, &AttachError{pid, unix.ESRCH}
			}
			break // the process ended meanwhile: the loop sees its threads exit
		}
		found := 0
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || seized[tid] {
				continue
			}
			seized[tid] = true
			err = seize(tid, attachOptions)
			switch {
			case err == nil:
			case errors.Is(err, unix.ESRCH):
				continue // the thread exited
			case errors.Is(err, unix.EPERM) && tracerOf(tid) == unix.Gettid():
				// Attached already through its creator (TRACECLONE). The
				// tracer of a task is a thread: this one.
				continue
			default:
				if len(order) == 0 {
					return nil, &AttachError{pid, err}
				}
				detachThreads(order)
				return nil, &AttachError{pid, err}
			}
			ptraceRaw(unix.PTRACE_INTERRUPT, tid, 0, 0)
			order = append(order, tid)
			found++
		}
		if found == 0 {
			break
		}
	}
	return order, nil
}

// detachThreads undoes seizeProcess for threads none of whose stops has
// been waited for yet: each is stopped (PTRACE_INTERRUPT) and detached.
func detachThreads(tids []int) {
	for _, tid := range tids {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
			continue
		}
		ptraceRaw(unix.PTRACE_DETACH, tid, 0, 0)
	}
}

// tracerOf reads the TracerPid of a task (0: not traced, -1: unknown).
func tracerOf(tid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tid))
	if err != nil {
		return -1
	}
	if _, rest, ok := strings.Cut(string(data), "\nTracerPid:\t"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])); err == nil {
			return n
		}
	}
	return -1
}

// Syscall stops: which side of the call, and the call's ABI, from
// PTRACE_GET_SYSCALL_INFO (Linux 5.3; include/uapi/linux/ptrace.h).
const (
	ptraceGetSyscallInfo = 0x420e
	syscallInfoEntry     = 1
	syscallInfoExit      = 2
)

// syscallInfo is the head of struct ptrace_syscall_info: op, arch.
type syscallInfo struct {
	Op   uint8
	_    [3]uint8
	Arch uint32
	IP   uint64
	SP   uint64
	Nr   uint64 // entry: the number (then six arguments, unused here)
	_    [6]uint64
}

// syscallStop reads what a syscall stop is: entry or exit, and whether
// the call is of another ABI than the tracer's (int 0x80: i386 numbers).
func syscallStop(tid int) (op uint8, abi uint64, err error) {
	var info syscallInfo
	if err := ptraceRaw(ptraceGetSyscallInfo, tid, unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info))); err != nil {
		return 0, traceNative, err
	}
	switch {
	case info.Arch == auditArch && info.Nr&x32SyscallBit == 0:
		return info.Op, traceNative, nil
	case info.Arch == compatAuditArch:
		return info.Op, traceCompat, nil
	}
	return info.Op, traceForeign, nil
}

// resumeSyscall is PTRACE_SYSCALL: run to the next syscall entry or exit.
func resumeSyscall(tid, sig int) error {
	return ptraceRaw(unix.PTRACE_SYSCALL, tid, 0, uintptr(sig))
}

// isZombie reports whether process pid has exited and waits to be reaped:
// its state in /proc/PID/stat, the field after the command name in
// parentheses (proc(5)), is Z (or X while it is being reaped).
func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	return stat[i+2] == 'Z' || stat[i+2] == 'X'
}
