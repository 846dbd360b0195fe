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
