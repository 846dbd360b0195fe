package tracer

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The System V amd64 psABI passes integer arguments in rdi, rsi, rdx, rcx,
// r8, r9 (section 3.2.3): glibc's main is in rdi, FreeBSD's in r8.
func TestFuncArgRegisters(t *testing.T) {
	r := unix.PtraceRegs{Rdi: 1, Rsi: 2, Rdx: 3, Rcx: 4, R8: 5, R9: 6, R10: 99}
	for n, want := range []uint64{1, 2, 3, 4, 5, 6, 0} {
		if got := funcArg(&r, n); got != want {
			t.Errorf("funcArg(%d) = %d, want %d", n, got, want)
		}
	}
}

// An int $0x80 call's arguments are ebx, ecx, edx, esi, edi, ebp
// (entry_INT80_compat): the low halves, whatever the upper ones hold, and
// never the x86-64 argument registers.
func TestCompatSyscallArgs(t *testing.T) {
	const high = 0xdead_beef_0000_0000
	r := unix.PtraceRegs{
		Rbx: high | 1, Rcx: high | 2, Rdx: high | 3, Rsi: high | 4, Rdi: high | 5, Rbp: high | 0xffffff9c,
		R10: 77, R8: 88, R9: 99,
	}
	if got, want := syscallArgsCompat(&r), [6]uint64{1, 2, 3, 4, 5, 0xffffff9c}; got != want {
		t.Errorf("syscallArgsCompat = %#x, want %#x", got, want)
	}
}
