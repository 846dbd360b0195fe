package tracer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The ptrace requests of the per-stop path, made with RawSyscall: none of
// them blocks (the thread is stopped), so the runtime's syscall
// bookkeeping (entersyscall/exitsyscall, and the sysmon thread that
// watches for blocked syscalls) is pure overhead there. Only wait4, which
// does block, goes through the runtime.

func ptraceRaw(request, tid int, addr, data uintptr) error {
	if _, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(request), uintptr(tid), addr, data, 0, 0); e != 0 {
		return e
	}
	return nil
}

// resumeRaw is PTRACE_CONT.
func resumeRaw(tid, sig int) error { return ptraceRaw(unix.PTRACE_CONT, tid, 0, uintptr(sig)) }

// eventMsg is PTRACE_GETEVENTMSG: at a seccomp stop, the filter's
// SECCOMP_RET_DATA.
func eventMsg(tid int) (uint64, error) {
	var msg uint64
	err := ptraceRaw(unix.PTRACE_GETEVENTMSG, tid, 0, uintptr(unsafe.Pointer(&msg)))
	return msg, err
}
