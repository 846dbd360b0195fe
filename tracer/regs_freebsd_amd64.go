package tracer

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/symbolize"
)

// amd64 register details of the FreeBSD backend (struct reg in
// sys/x86/include/reg.h, as golang.org/x/sys/unix.Reg).

type fbsdRegs = unix.Reg

func fbsdGetRegs(tid int) (fbsdRegs, error) {
	var r fbsdRegs
	err := fbsdPtrace(fbsdPT_GETREGS, tid, unsafe.Pointer(&r), 0)
	return r, err
}

func fbsdSetRegs(tid int, r *fbsdRegs) error {
	return fbsdPtrace(fbsdPT_SETREGS, tid, unsafe.Pointer(r), 0)
}

// fbsdSyscallArgRegs are the six register arguments of the syscall the
// thread is stopped in, read from its struct reg as the kernel saved them
// (fbsdSyscallArgsFromReg: the fourth is in r_rcx, not r_r10). On an
// error return the kernel changes only rax and rflags
// (cpu_set_syscall_retval() in sys/amd64/amd64/vm_machdep.c), so at a
// TRAP_CAP stop they still hold the arguments.
func fbsdSyscallArgRegs(r *fbsdRegs) [6]uint64 {
	a, _ := fbsdSyscallArgsFromReg(unsafe.Slice((*byte)(unsafe.Pointer(r)), unsafe.Sizeof(*r)))
	return a
}

// fbsdSetSyscallNr replaces the number of the syscall about to run; after
// PT_SETREGS the kernel re-reads number and arguments (TDB_USERWR in
// syscallenter(), sys/kern/subr_syscall.c).
func fbsdSetSyscallNr(r *fbsdRegs, nr int) { r.Rax = int64(nr) }

func fbsdPC(r *fbsdRegs) uint64        { return uint64(r.Rip) }
func fbsdSetPC(r *fbsdRegs, pc uint64) { r.Rip = int64(pc) }

// fbsdFuncArg is integer argument n (from 0) of a function just called:
// FreeBSD/amd64 follows the System V psABI (section 3.2.3), so main, the
// fifth argument of __libc_start1, is in r8 (lib/csu/amd64/crt1_s.S).
func fbsdFuncArg(r *fbsdRegs, n int) uint64 {
	args := [...]int64{r.Rdi, r.Rsi, r.Rdx, r.Rcx, r.R8, r.R9}
	if n < 0 || n >= len(args) {
		return 0
	}
	return uint64(args[n])
}

// fbsdUnwindRegs gives the unwinder the registers in DWARF numbering.
func fbsdUnwindRegs(r *fbsdRegs) symbolize.Regs {
	var u symbolize.Regs
	u[0] = uint64(r.Rax)
	u[1] = uint64(r.Rdx)
	u[2] = uint64(r.Rcx)
	u[3] = uint64(r.Rbx)
	u[4] = uint64(r.Rsi)
	u[5] = uint64(r.Rdi)
	u[6] = uint64(r.Rbp)
	u[7] = uint64(r.Rsp)
	u[8] = uint64(r.R8)
	u[9] = uint64(r.R9)
	u[10] = uint64(r.R10)
	u[11] = uint64(r.R11)
	u[12] = uint64(r.R12)
	u[13] = uint64(r.R13)
	u[14] = uint64(r.R14)
	u[15] = uint64(r.R15)
	u[16] = uint64(r.Rip)
	return u
}
