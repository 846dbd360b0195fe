package tracer

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/symbolize"
	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// amd64 register details of the FreeBSD backend (struct reg in
// sys/x86/include/reg.h, as golang.org/x/sys/unix.Reg).

// registers are a stopped thread's general registers (PT_GETREGS).
type registers = unix.Reg

// fbsdRegs is the same type under the name the layout test uses.
type fbsdRegs = registers

func getRegsPT(tid int) (registers, error) {
	var r registers
	err := ptrace(fbsd.PT_GETREGS, tid, unsafe.Pointer(&r), 0)
	return r, err
}

func setRegsPT(tid int, r *registers) error {
	return ptrace(fbsd.PT_SETREGS, tid, unsafe.Pointer(r), 0)
}

// fbsdSyscallArgRegs are the six register arguments of the syscall the
// thread is stopped in, read from its struct reg as the kernel saved them
// (fbsd.SyscallArgsFromReg: the fourth is in r_rcx, not r_r10). On an
// error return the kernel changes only rax and rflags
// (cpu_set_syscall_retval() in sys/amd64/amd64/vm_machdep.c), so at a
// TRAP_CAP stop they still hold the arguments.
func fbsdSyscallArgRegs(r *registers) [6]uint64 {
	a, _ := fbsd.SyscallArgsFromReg(unsafe.Slice((*byte)(unsafe.Pointer(r)), unsafe.Sizeof(*r)))
	return a
}

// setSyscallNr replaces the number of the syscall about to run; after
// PT_SETREGS the kernel re-reads number and arguments (TDB_USERWR in
// syscallenter(), sys/kern/subr_syscall.c).
func setSyscallNr(r *registers, nr int) { r.Rax = int64(nr) }

func programCounter(r *registers) uint64        { return uint64(r.Rip) }
func setProgramCounter(r *registers, pc uint64) { r.Rip = int64(pc) }

// funcArg is integer argument n (from 0) of a function just called:
// FreeBSD/amd64 follows the System V psABI (section 3.2.3), so main, the
// fifth argument of __libc_start1, is in r8 (lib/csu/amd64/crt1_s.S).
func funcArg(r *registers, n int) uint64 {
	args := [...]int64{r.Rdi, r.Rsi, r.Rdx, r.Rcx, r.R8, r.R9}
	if n < 0 || n >= len(args) {
		return 0
	}
	return uint64(args[n])
}

// unwindRegs gives the unwinder the registers in DWARF numbering (System V
// amd64 psABI, figure 3.36).
func unwindRegs(r *registers) symbolize.Regs {
	return symbolize.Regs{
		0: uint64(r.Rax), 1: uint64(r.Rdx), 2: uint64(r.Rcx), 3: uint64(r.Rbx),
		4: uint64(r.Rsi), 5: uint64(r.Rdi), 6: uint64(r.Rbp), 7: uint64(r.Rsp),
		8: uint64(r.R8), 9: uint64(r.R9), 10: uint64(r.R10), 11: uint64(r.R11),
		12: uint64(r.R12), 13: uint64(r.R13), 14: uint64(r.R14), 15: uint64(r.R15),
		16: uint64(r.Rip),
	}
}

// setSyscallError makes the registers of a thread at a syscall-exit stop
// say the call failed with errno, as the kernel's own error return does
// (fbsd.ErrorReturn).
func setSyscallError(r *registers, errno int32) {
	rax, flags := fbsd.ErrorReturn(uint64(r.Rflags), errno)
	r.Rax, r.Rflags = int64(rax), int64(flags)
}
