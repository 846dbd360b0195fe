package fbsd

// FreeBSD kernel ABI that the FreeBSD backend needs and golang.org/x/sys/unix
// does not export (or exports only on FreeBSD, while the decoders below are
// also built and tested on Linux). Everything is LP64 (amd64) and cites the
// header that defines it in freebsd/freebsd-src.

// ptrace(2) requests missing from x/sys wrappers (sys/sys/ptrace.h).
const (
	PT_CONTINUE       = 7
	PT_KILL           = 8
	PT_ATTACH         = 10
	PT_DETACH         = 11
	PT_IO             = 12
	PT_LWPINFO        = 13
	PT_TO_SCE         = 20
	PT_TO_SCX         = 21
	PT_FOLLOW_FORK    = 23
	PT_LWP_EVENTS     = 24
	PT_GET_EVENT_MASK = 25
	PT_SET_EVENT_MASK = 26 // data must be sizeof(int) (sys/kern/sys_process.c)
	PT_GET_SC_ARGS    = 27
	PT_GET_SC_RET     = 28
	PT_GETREGS        = 33
	PT_SETREGS        = 34
	PT_VM_TIMESTAMP   = 40
	PT_VM_ENTRY       = 41
	PT_SC_REMOTE      = 44 // FreeBSD 14.0+
)

// PT_IO operations (sys/sys/ptrace.h).
const (
	PIOD_READ_D  = 1
	PIOD_WRITE_D = 2
	PIOD_READ_I  = 3
	PIOD_WRITE_I = 4
)

// Optional event mask bits for PT_SET_EVENT_MASK (sys/sys/ptrace.h).
// PT_TO_SCE and PT_TO_SCX OR their bit into this mask and leave it set
// (kern_ptrace() in sys/kern/sys_process.c), so the backend sets the whole
// mask itself and resumes with plain PT_CONTINUE.
const (
	PTRACE_EXEC  = 0x0001
	PTRACE_SCE   = 0x0002
	PTRACE_SCX   = 0x0004
	PTRACE_FORK  = 0x0008
	PTRACE_LWP   = 0x0010
	PTRACE_VFORK = 0x0020
)

// struct ptrace_lwpinfo: pl_event values and pl_flags bits (sys/sys/ptrace.h).
const (
	PL_EVENT_NONE   = 0
	PL_EVENT_SIGNAL = 1

	PL_FLAG_SA         = 0x01
	PL_FLAG_BOUND      = 0x02
	PL_FLAG_SCE        = 0x04
	PL_FLAG_SCX        = 0x08
	PL_FLAG_EXEC       = 0x10
	PL_FLAG_SI         = 0x20
	PL_FLAG_FORKED     = 0x40
	PL_FLAG_CHILD      = 0x80
	PL_FLAG_BORN       = 0x100
	PL_FLAG_EXITED     = 0x200
	PL_FLAG_VFORKED    = 0x400
	PL_FLAG_VFORK_DONE = 0x800
)

// Signals and si_code values (sys/sys/signal.h).
const (
	SIGTRAP    = 5
	SIGSTOP    = 17
	TRAP_BRKPT = 1
	TRAP_TRACE = 2
	TRAP_CAP   = 4 // capability-mode violation with P2_TRAPCAP set
)

// Capsicum errors (sys/sys/errno.h).
const (
	ENOTCAPABLE = 93
	ECAPMODE    = 94
)

// procctl(2) (sys/sys/procctl.h; idtype_t from sys/sys/wait.h).
const (
	SYS_procctl              = 544 // sys/kern/syscalls.master
	P_PID                    = 0   // idtype_t P_PID
	PROC_TRAPCAP_CTL         = 9
	PROC_TRAPCAP_STATUS      = 10
	PROC_TRAPCAP_CTL_ENABLE  = 1
	PROC_TRAPCAP_CTL_DISABLE = 2
)

// Syscall numbers the backend acts on (sys/kern/syscalls.master).
const (
	SYS_syscall     = 0   // indirect: the real number is the first argument
	SYS___syscall   = 198 // indirect, 64-bit number
	SYS_sched_yield = 331 // CAPENABLED, no arguments, returns 0
	SYS_cap_enter   = 516
	SYS_cap_getmode = 517
)

// Byte layout of siginfo_t on LP64 (sys/sys/signal.h): six ints, si_addr,
// si_value, then the _reason union, whose _capsicum._syscall (si_syscall,
// FreeBSD 14+) is its first int.
const (
	SiginfoSigno   = 0
	SiginfoErrno   = 4
	SiginfoCode    = 8
	SiginfoPid     = 12
	SiginfoUID     = 16
	SiginfoStatus  = 20
	SiginfoAddr    = 24
	SiginfoValue   = 32
	SiginfoSyscall = 40
	SizeofSiginfo  = 80
)

// Byte layout of struct ptrace_lwpinfo on LP64 (sys/sys/ptrace.h): sigset_t
// is four 32-bit words (sys/sys/_sigset.h); pl_siginfo is 8-aligned;
// pl_tdname is MAXCOMLEN+1 = 20 bytes (sys/sys/param.h).
const (
	LwpinfoLwpid       = 0
	LwpinfoEvent       = 4
	LwpinfoFlags       = 8
	LwpinfoSigmask     = 12
	LwpinfoSiglist     = 28
	LwpinfoSiginfo     = 48
	LwpinfoTdname      = 128
	LwpinfoChildPid    = 148
	LwpinfoSyscallCode = 152
	LwpinfoSyscallNarg = 156
	SizeofLwpinfo      = 160
	TdnameLen          = 20
)

// PtraceVMEntry is struct ptrace_vm_entry (sys/sys/ptrace.h), the
// argument of PT_VM_ENTRY. Declared once, here, so that its layout is
// checked on every platform by the tests against the documented offsets.
type PtraceVMEntry struct {
	Entry     int32  // in: last entry seen (0 first); out: this entry + 1
	Timestamp int32  // map generation
	Start     uint64 // first address
	End       uint64 // last address, inclusive (ptrace_vm_entry() stores end - 1)
	Offset    uint64 // offset in the backing object
	Prot      uint32 // VM_PROT_* (sys/vm/vm.h)
	Pathlen   uint32 // in: size of Path's buffer; out: strlen + 1
	Fileid    int64
	Fsid      uint32
	_         uint32
	Path      *byte
}

// Offsets of struct ptrace_vm_entry on LP64, as the C compiler lays it out.
const (
	VMEntryEntry     = 0
	VMEntryTimestamp = 4
	VMEntryStart     = 8
	VMEntryEnd       = 16
	VMEntryOffset    = 24
	VMEntryProt      = 32
	VMEntryPathlen   = 36
	VMEntryFileid    = 40
	VMEntryFsid      = 48
	VMEntryPath      = 56
	SizeofVMEntry    = 64
)

// VM_PROT_* (sys/vm/vm.h).
const (
	VM_PROT_READ    = 0x1
	VM_PROT_WRITE   = 0x2
	VM_PROT_EXECUTE = 0x4
)

// PtraceScRet is struct ptrace_sc_ret (sys/sys/ptrace.h).
type PtraceScRet struct {
	Retval [2]uint64 // syscallarg_t; valid only when Error == 0
	Error  int32
	_      int32
}

// PtraceScRemote is struct ptrace_sc_remote (sys/sys/ptrace.h), the
// argument of PT_SC_REMOTE: the stopped tracee runs one syscall.
type PtraceScRemote struct {
	Ret     PtraceScRet
	Syscall uint32
	Nargs   uint32
	Args    *uint64
}

// MaxSyscallArgs is the size of td_sa.args (struct syscall_args in
// sys/sys/proc.h): PT_GET_SC_ARGS copies at most this many words.
const MaxSyscallArgs = 8

// Byte layout of amd64 struct reg (struct __reg64 in
// sys/x86/include/reg.h), what PT_GETREGS fills: fifteen 64-bit registers
// from r15 down to rax, then trapno, fs, gs, err, es, ds, and the
// hardware frame rip, cs, rflags, rsp, ss.
const (
	RegR15    = 0
	RegR14    = 8
	RegR13    = 16
	RegR12    = 24
	RegR11    = 32
	RegR10    = 40
	RegR9     = 48
	RegR8     = 56
	RegRdi    = 64
	RegRsi    = 72
	RegRbp    = 80
	RegRbx    = 88
	RegRdx    = 96
	RegRcx    = 104
	RegRax    = 112
	RegTrapno = 120
	RegFs     = 124
	RegGs     = 126
	RegErr    = 128
	RegEs     = 132
	RegDs     = 134
	RegRip    = 136
	RegCs     = 144
	RegRflags = 152
	RegRsp    = 160
	RegSs     = 168
	SizeofReg = 176
)
