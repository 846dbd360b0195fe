package tracer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// getRegs and setRegs are PTRACE_GETREGS and PTRACE_SETREGS without the
// runtime's syscall bookkeeping (ptraceraw_linux.go).
func getRegs(tid int, regs *unix.PtraceRegs) error {
	return ptraceRaw(unix.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(regs)))
}

func setRegs(tid int, regs *unix.PtraceRegs) error {
	return ptraceRaw(unix.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(regs)))
}
