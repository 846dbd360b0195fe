package tracer

// FreeBSD kernel ABI that the FreeBSD backend needs and golang.org/x/sys/unix
// does not export (or exports only on FreeBSD, while the decoders below are
// also built and tested on Linux). Everything is LP64 (amd64) and cites the
// header that defines it in freebsd/freebsd-src.

// ptrace(2) requests missing from x/sys wrappers (sys/sys/ptrace.h).
const (
	fbsdPT_CONTINUE       = 7
	fbsdPT_KILL           = 8
	fbsdPT_DETACH         = 11
	fbsdPT_IO             = 12
	fbsdPT_LWPINFO        = 13
	fbsdPT_TO_SCE         = 20
	fbsdPT_TO_SCX         = 21
	fbsdPT_FOLLOW_FORK    = 23
	fbsdPT_LWP_EVENTS     = 24
	fbsdPT_GET_EVENT_MASK = 25
	fbsdPT_SET_EVENT_MASK = 26 // data must be sizeof(int) (sys/kern/sys_process.c)
	fbsdPT_GET_SC_ARGS    = 27
	fbsdPT_GET_SC_RET     = 28
	fbsdPT_GETREGS        = 33
	fbsdPT_SETREGS        = 34
	fbsdPT_VM_TIMESTAMP   = 40
	fbsdPT_VM_ENTRY       = 41
	fbsdPT_SC_REMOTE      = 44 // FreeBSD 14.0+
)

// PT_IO operations (sys/sys/ptrace.h).
const (
	fbsdPIOD_READ_D  = 1
	fbsdPIOD_WRITE_D = 2
	fbsdPIOD_READ_I  = 3
	fbsdPIOD_WRITE_I = 4
)

// Optional event mask bits for PT_SET_EVENT_MASK (sys/sys/ptrace.h).
// PT_TO_SCE and PT_TO_SCX OR their bit into this mask and leave it set
// (kern_ptrace() in sys/kern/sys_process.c), so the backend sets the whole
// mask itself and resumes with plain PT_CONTINUE.
const (
	fbsdPTRACE_EXEC  = 0x0001
	fbsdPTRACE_SCE   = 0x0002
	fbsdPTRACE_SCX   = 0x0004
	fbsdPTRACE_FORK  = 0x0008
	fbsdPTRACE_LWP   = 0x0010
	fbsdPTRACE_VFORK = 0x0020
)

// struct ptrace_lwpinfo: pl_event values and pl_flags bits (sys/sys/ptrace.h).
const (
	fbsdPL_EVENT_NONE   = 0
	fbsdPL_EVENT_SIGNAL = 1

	fbsdPL_FLAG_SA         = 0x01
	fbsdPL_FLAG_BOUND      = 0x02
	fbsdPL_FLAG_SCE        = 0x04
	fbsdPL_FLAG_SCX        = 0x08
	fbsdPL_FLAG_EXEC       = 0x10
	fbsdPL_FLAG_SI         = 0x20
	fbsdPL_FLAG_FORKED     = 0x40
	fbsdPL_FLAG_CHILD      = 0x80
	fbsdPL_FLAG_BORN       = 0x100
	fbsdPL_FLAG_EXITED     = 0x200
	fbsdPL_FLAG_VFORKED    = 0x400
	fbsdPL_FLAG_VFORK_DONE = 0x800
)

// Signals and si_code values (sys/sys/signal.h).
const (
	fbsdSIGTRAP    = 5
	fbsdSIGSTOP    = 17
	fbsdTRAP_BRKPT = 1
	fbsdTRAP_TRACE = 2
	fbsdTRAP_CAP   = 4 // capability-mode violation with P2_TRAPCAP set
)

// Capsicum errors (sys/sys/errno.h).
const (
	fbsdENOTCAPABLE = 93
	fbsdECAPMODE    = 94
)

// procctl(2) (sys/sys/procctl.h; idtype_t from sys/sys/wait.h).
const (
	fbsdSYS_procctl              = 544 // sys/kern/syscalls.master
	fbsdP_PID                    = 0   // idtype_t P_PID
	fbsdPROC_TRAPCAP_CTL         = 9
	fbsdPROC_TRAPCAP_STATUS      = 10
	fbsdPROC_TRAPCAP_CTL_ENABLE  = 1
	fbsdPROC_TRAPCAP_CTL_DISABLE = 2
)

// Syscall numbers the backend acts on (sys/kern/syscalls.master).
const (
	fbsdSYS_syscall     = 0   // indirect: the real number is the first argument
	fbsdSYS___syscall   = 198 // indirect, 64-bit number
	fbsdSYS_sched_yield = 331 // CAPENABLED, no arguments, returns 0
	fbsdSYS_cap_enter   = 516
	fbsdSYS_cap_getmode = 517
)

// Byte layout of siginfo_t on LP64 (sys/sys/signal.h): six ints, si_addr,
// si_value, then the _reason union, whose _capsicum._syscall (si_syscall,
// FreeBSD 14+) is its first int.
const (
	fbsdSiginfoSigno   = 0
	fbsdSiginfoErrno   = 4
	fbsdSiginfoCode    = 8
	fbsdSiginfoPid     = 12
	fbsdSiginfoUID     = 16
	fbsdSiginfoStatus  = 20
	fbsdSiginfoAddr    = 24
	fbsdSiginfoValue   = 32
	fbsdSiginfoSyscall = 40
	fbsdSizeofSiginfo  = 80
)

// Byte layout of struct ptrace_lwpinfo on LP64 (sys/sys/ptrace.h): sigset_t
// is four 32-bit words (sys/sys/_sigset.h); pl_siginfo is 8-aligned;
// pl_tdname is MAXCOMLEN+1 = 20 bytes (sys/sys/param.h).
const (
	fbsdLwpinfoLwpid       = 0
	fbsdLwpinfoEvent       = 4
	fbsdLwpinfoFlags       = 8
	fbsdLwpinfoSigmask     = 12
	fbsdLwpinfoSiglist     = 28
	fbsdLwpinfoSiginfo     = 48
	fbsdLwpinfoTdname      = 128
	fbsdLwpinfoChildPid    = 148
	fbsdLwpinfoSyscallCode = 152
	fbsdLwpinfoSyscallNarg = 156
	fbsdSizeofLwpinfo      = 160
	fbsdTdnameLen          = 20
)

// fbsdPtraceVMEntry is struct ptrace_vm_entry (sys/sys/ptrace.h), the
// argument of PT_VM_ENTRY. Declared once, here, so that its layout is
// checked on every platform by the tests against the documented offsets.
type fbsdPtraceVMEntry struct {
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
	fbsdVMEntryEntry     = 0
	fbsdVMEntryTimestamp = 4
	fbsdVMEntryStart     = 8
	fbsdVMEntryEnd       = 16
	fbsdVMEntryOffset    = 24
	fbsdVMEntryProt      = 32
	fbsdVMEntryPathlen   = 36
	fbsdVMEntryFileid    = 40
	fbsdVMEntryFsid      = 48
	fbsdVMEntryPath      = 56
	fbsdSizeofVMEntry    = 64
)

// VM_PROT_* (sys/vm/vm.h).
const (
	fbsdVM_PROT_READ    = 0x1
	fbsdVM_PROT_WRITE   = 0x2
	fbsdVM_PROT_EXECUTE = 0x4
)

// fbsdPtraceScRet is struct ptrace_sc_ret (sys/sys/ptrace.h).
type fbsdPtraceScRet struct {
	Retval [2]uint64 // syscallarg_t; valid only when Error == 0
	Error  int32
	_      int32
}

// fbsdPtraceScRemote is struct ptrace_sc_remote (sys/sys/ptrace.h), the
// argument of PT_SC_REMOTE: the stopped tracee runs one syscall.
type fbsdPtraceScRemote struct {
	Ret     fbsdPtraceScRet
	Syscall uint32
	Nargs   uint32
	Args    *uint64
}

// fbsdMaxSyscallArgs is the size of td_sa.args (struct syscall_args in
// sys/sys/proc.h): PT_GET_SC_ARGS copies at most this many words.
const fbsdMaxSyscallArgs = 8

// Byte layout of amd64 struct reg (struct __reg64 in
// sys/x86/include/reg.h), what PT_GETREGS fills: fifteen 64-bit registers
// from r15 down to rax, then trapno, fs, gs, err, es, ds, and the
// hardware frame rip, cs, rflags, rsp, ss.
const (
	fbsdRegR15    = 0
	fbsdRegR14    = 8
	fbsdRegR13    = 16
	fbsdRegR12    = 24
	fbsdRegR11    = 32
	fbsdRegR10    = 40
	fbsdRegR9     = 48
	fbsdRegR8     = 56
	fbsdRegRdi    = 64
	fbsdRegRsi    = 72
	fbsdRegRbp    = 80
	fbsdRegRbx    = 88
	fbsdRegRdx    = 96
	fbsdRegRcx    = 104
	fbsdRegRax    = 112
	fbsdRegTrapno = 120
	fbsdRegFs     = 124
	fbsdRegGs     = 126
	fbsdRegErr    = 128
	fbsdRegEs     = 132
	fbsdRegDs     = 134
	fbsdRegRip    = 136
	fbsdRegCs     = 144
	fbsdRegRflags = 152
	fbsdRegRsp    = 160
	fbsdRegSs     = 168
	fbsdSizeofReg = 176
)
