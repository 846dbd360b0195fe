package tracer

import (
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"

	"github.com/captrace/captrace/symbolize"
)

// The linux/amd64 details of a stopped thread: where the syscall number,
// arguments and result live (the trap instruction is in
// breakpoint_amd64.go).

// registers are a stopped thread's general registers (PTRACE_GETREGS).
type registers = unix.PtraceRegs

func syscallNr(r *unix.PtraceRegs) int { return int(int64(r.Orig_rax)) }

func syscallArgs(r *unix.PtraceRegs) [6]uint64 {
	return [6]uint64{r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9}
}

// setSyscallArg changes argument n (from 0) of the call at a syscall stop.
func setSyscallArg(r *unix.PtraceRegs, n int, v uint64) {
	switch n {
	case 0:
		r.Rdi = v
	case 1:
		r.Rsi = v
	case 2:
		r.Rdx = v
	case 3:
		r.R10 = v
	case 4:
		r.R8 = v
	case 5:
		r.R9 = v
	}
}

// skipSyscall makes the kernel skip the call at a seccomp stop and return
// -errno instead (seccomp(2): "the tracer can skip the system call by
// changing the system call number to -1").
func skipSyscall(r *unix.PtraceRegs, errno unix.Errno) {
	r.Orig_rax = ^uint64(0)
	r.Rax = uint64(-int64(errno))
}

// skipSyscallReturning skips the call at a syscall stop, which returns ret
// instead (a shim call's result, or -errno).
func skipSyscallReturning(r *unix.PtraceRegs, ret int64) {
	r.Orig_rax = ^uint64(0)
	r.Rax = uint64(ret)
}

func programCounter(r *unix.PtraceRegs) uint64        { return r.Rip }
func setProgramCounter(r *unix.PtraceRegs, pc uint64) { r.Rip = pc }

// funcArg is integer argument n (from 0) of a function just called, in
// the System V amd64 psABI's order (section 3.2.3); 0 past the sixth,
// which is on the stack.
func funcArg(r *unix.PtraceRegs, n int) uint64 {
	args := [...]uint64{r.Rdi, r.Rsi, r.Rdx, r.Rcx, r.R8, r.R9}
	if n < 0 || n >= len(args) {
		return 0
	}
	return args[n]
}

// unwindRegs lays the registers out by DWARF number (System V amd64 psABI,
// figure 3.36) for the unwinder.
func unwindRegs(r *unix.PtraceRegs) symbolize.Regs {
	return symbolize.Regs{
		0: r.Rax, 1: r.Rdx, 2: r.Rcx, 3: r.Rbx, 4: r.Rsi, 5: r.Rdi, 6: r.Rbp, 7: r.Rsp,
		8: r.R8, 9: r.R9, 10: r.R10, 11: r.R11, 12: r.R12, 13: r.R13, 14: r.R14, 15: r.R15,
		16: r.Rip,
	}
}

const auditArch = unix.AUDIT_ARCH_X86_64

// The compat ABI: i386 calls, from a 32-bit program or through int $0x80
// in a 64-bit one, seccomp reports as AUDIT_ARCH_I386 (syscall_get_arch()
// in arch/x86/include/asm/syscall.h). Their numbers are syscall_32.tbl's
// (capmode.LinuxI386); the arguments are ebx, ecx, edx, esi, edi, ebp
// (entry_INT80_compat, arch/x86/entry/entry_64_compat.S), of which the
// kernel reads the low 32 bits.
const compatAuditArch = unix.AUDIT_ARCH_I386

const compatABIName = "the i386 ABI (int $0x80)"

func compatPolicy() policy { return capmode.LinuxI386() }

func syscallArgsCompat(r *unix.PtraceRegs) [6]uint64 {
	return [6]uint64{
		uint64(uint32(r.Rbx)), uint64(uint32(r.Rcx)), uint64(uint32(r.Rdx)),
		uint64(uint32(r.Rsi)), uint64(uint32(r.Rdi)), uint64(uint32(r.Rbp)),
	}
}
