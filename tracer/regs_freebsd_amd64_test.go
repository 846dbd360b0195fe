package tracer

import (
	"testing"
	"unsafe"

	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// TestRegMatchesKernelLayout checks golang.org/x/sys/unix.Reg, which
// PT_GETREGS fills, against the offsets of struct reg that
// fbsd.SyscallArgsFromReg reads (sys/x86/include/reg.h).
func TestRegMatchesKernelLayout(t *testing.T) {
	var r fbsdRegs
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"size", unsafe.Sizeof(r), fbsd.SizeofReg},
		{"r10", unsafe.Offsetof(r.R10), fbsd.RegR10},
		{"r9", unsafe.Offsetof(r.R9), fbsd.RegR9},
		{"r8", unsafe.Offsetof(r.R8), fbsd.RegR8},
		{"rdi", unsafe.Offsetof(r.Rdi), fbsd.RegRdi},
		{"rsi", unsafe.Offsetof(r.Rsi), fbsd.RegRsi},
		{"rdx", unsafe.Offsetof(r.Rdx), fbsd.RegRdx},
		{"rcx", unsafe.Offsetof(r.Rcx), fbsd.RegRcx},
		{"rax", unsafe.Offsetof(r.Rax), fbsd.RegRax},
		{"rip", unsafe.Offsetof(r.Rip), fbsd.RegRip},
		{"rsp", unsafe.Offsetof(r.Rsp), fbsd.RegRsp},
	} {
		if c.got != c.want {
			t.Errorf("unix.Reg %s: %d, struct reg has %d", c.name, c.got, c.want)
		}
	}
	r.Rdi, r.Rsi, r.Rdx, r.Rcx, r.R8, r.R9, r.R10 = 1, 2, 3, 4, 5, 6, 99
	if got := fbsdSyscallArgRegs(&r); got != [6]uint64{1, 2, 3, 4, 5, 6} {
		t.Errorf("syscall arguments %v, want rdi rsi rdx rcx r8 r9", got)
	}
}
