package fbsd

import "github.com/captrace/captrace/capmode"

// Attaching to a running process (-p). captrace cannot put a running
// process in the kernel's capability mode, because cap_enter(2) cannot be
// undone at detach. So, as on Linux, where a seccomp filter cannot be
// removed, a process that is not in capability mode when captrace
// attaches is traced with syscall-entry stops and judged by capmode's
// FreeBSD table (AttachEmulate). One that entered capability mode itself
// is the kernel's to judge: P2_TRAPCAP reports its refusals
// (AttachObserve). Whichever it is, PT_DETACH clears the event mask
// (p_ptevents = 0, kern_ptrace() in sys/kern/sys_process.c) and captrace
// puts P2_TRAPCAP back as it found it.

// AttachMode is how an attached process is traced.
type AttachMode int

const (
	NotAttached   AttachMode = iota // launched by captrace
	AttachEmulate                   // outside capability mode: syscall-entry stops, capmode decides
	AttachObserve                   // in capability mode by its own cap_enter: the kernel decides, TRAP_CAP reports
)

func (m AttachMode) String() string {
	return [...]string{"launched", "emulated", "observed"}[m]
}

// AttachModeOf decides from the process's kinfo_proc.
func AttachModeOf(k KinfoProc) AttachMode {
	if k.InCapabilityMode() {
		return AttachObserve
	}
	return AttachEmulate
}

// TrapsCapabilityErrors reports whether captrace sets P2_TRAPCAP on the
// process: only where the kernel decides.
func (m AttachMode) TrapsCapabilityErrors() bool { return m == AttachObserve }

// AttachEventMask is the PT_SET_EVENT_MASK of an attached process: exec,
// fork and thread events always; syscall entries where captrace judges;
// syscall exits only while a thread is owed the error return of a call
// captrace denied (Owed).
func AttachEventMask(m AttachMode, owed bool) int {
	mask := PTRACE_EXEC | PTRACE_FORK | PTRACE_LWP
	if m == AttachEmulate {
		mask |= PTRACE_SCE
	}
	if owed {
		mask |= PTRACE_SCX
	}
	return mask
}

// AttachEntry is what captrace does at a syscall-entry stop of an
// emulated attached process.
type AttachEntry int

const (
	AttachRun      AttachEntry = iota // allowed: let it run
	AttachCapEnter                    // the program's own cap_enter(2): let it run, the kernel decides from now on
	AttachGetmode                     // cap_getmode(2): answer 1, as capability mode is in force
	AttachReport                      // audit: a violation, reported; the call runs
	AttachDeny                        // enforce: a violation, reported; the call fails (Owed)
)

// AttachEntryAction decides an entry from the call's number and capmode's
// verdict. The program's own cap_enter is not skipped as in a launched
// audit run: captrace could not make it happen later, at detach, so the
// process enters capability mode for real and is observed from then on.
func AttachEntryAction(enforce bool, nr int, violation bool) AttachEntry {
	switch {
	case nr == SYS_cap_enter:
		return AttachCapEnter
	case nr == SYS_cap_getmode:
		return AttachGetmode
	case !violation:
		return AttachRun
	case enforce:
		return AttachDeny
	}
	return AttachReport
}

// DeniedErrno is the errno a denied call gets: the kernel's own for the
// same refusal (sys/sys/errno.h).
func DeniedErrno(o capmode.Outcome) int32 {
	if o == capmode.NotCapable {
		return ENOTCAPABLE
	}
	return ECAPMODE
}

// Owed are the threads of one process whose call captrace denied at its
// entry and whose exit stop must still make it fail, by thread id.
//
// The kernel gives a tracer no way to skip a call at its entry stop: a
// number it does not know runs nosys(), which sends SIGSYS
// (sys/kern/kern_sig.c). So captrace swaps the call for sched_yield(2)
// (no arguments, no effect, returns 0): after PT_SETREGS the kernel
// fetches number and arguments again (TDB_USERWR in syscallenter(),
// sys/kern/subr_syscall.c). At the call's exit stop the return value is
// already in the trap frame (cpu_set_syscall_retval(), called at the end
// of syscallenter() before syscallret() stops, sys/amd64/amd64/vm_machdep.c),
// so PT_SETREGS there replaces it with what an error return leaves: the
// errno in rax and the carry flag set (ErrorReturn).
type Owed map[int]int32

// Deny records that thread tid's call must fail with errno.
func (o *Owed) Deny(tid int, errno int32) {
	if *o == nil {
		*o = Owed{}
	}
	(*o)[tid] = errno
}

// Settle takes the errno thread tid is owed at its syscall-exit stop.
func (o Owed) Settle(tid int) (int32, bool) {
	errno, ok := o[tid]
	delete(o, tid)
	return errno, ok
}

// Pending reports whether some thread still waits for its error return.
func (o Owed) Pending() bool { return len(o) > 0 }

// PSL_C is the carry flag of rflags (sys/x86/include/psl.h): set on a
// syscall's error return.
const PSL_C = 0x1

// ErrorReturn is the rax and rflags of a syscall that failed with errno,
// as cpu_set_syscall_retval() leaves them (sys/amd64/amd64/vm_machdep.c):
// the errno in rax, PSL_C set; rdx and every other register as they were.
func ErrorReturn(rflags uint64, errno int32) (rax, flags uint64) {
	return uint64(errno), rflags | PSL_C
}
