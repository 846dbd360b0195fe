package fbsd

// Detaching from a process captrace attached to (-p) on FreeBSD. FreeBSD
// has no PTRACE_INTERRUPT: to detach, the tracer stops a running process
// with a SIGSTOP of its own, waits for that stop and detaches there,
// swallowing the signal (PT_DETACH's data is the signal to deliver,
// sys/kern/sys_process.c). A stop that comes first for another reason is
// not the place: the SIGSTOP is still pending and would stop the process
// once captrace is gone. So the process is resumed from it, and captrace
// waits on.
//
// Nor may captrace leave while a thread is owed the error return of a call
// it denied (Owed): PT_DETACH releases a thread waiting to report its
// syscall exit without the stop (it clears TDB_XSIG of every thread,
// kern_ptrace() in sys/kern/sys_process.c), and the call would return
// sched_yield's 0. So captrace's SIGSTOP met while something is owed is
// swallowed and sent again: the exit stops come first.

// DetachStep is what to do at a stop while leaving a process.
type DetachStep int

const (
	DetachHere      DetachStep = iota // PT_DETACH at this stop, delivering the signal
	ResumeAndWait                     // PT_CONTINUE with the signal, wait for the next stop
	ResumeAndResend                   // PT_CONTINUE swallowing captrace's SIGSTOP, send another, wait
)

// DetachAction decides a stop of a process captrace is leaving. sentStop
// says whether captrace sent it the SIGSTOP to stop it; a child forked
// meanwhile is traced already (PTRACE_FORK) and is left at its first stop,
// with nothing to swallow. sig is the signal to pass on: the program's own
// signals are delivered, never a TRAP_CAP SIGTRAP (its default action
// kills), never captrace's SIGSTOP. owed says whether a thread of the
// process still waits for the error return of a denied call, once this
// stop is handled.
func DetachAction(kind Stop, signo int32, sentStop, owed bool) (step DetachStep, sig int) {
	switch kind {
	case StopChild:
		return DetachHere, 0
	case StopSignal:
		if signo == SIGSTOP && sentStop {
			if owed {
				return ResumeAndResend, 0
			}
			return DetachHere, 0
		}
		if !sentStop && !owed {
			return DetachHere, int(signo)
		}
		return ResumeAndWait, int(signo)
	case StopBreak:
		// A breakpoint of the program's own (captrace plants none in an
		// attached process): it gets its SIGTRAP.
		if !sentStop && !owed {
			return DetachHere, SIGTRAP
		}
		return ResumeAndWait, SIGTRAP
	}
	if !sentStop && !owed {
		return DetachHere, 0
	}
	return ResumeAndWait, 0
}

// TrapCapOnDetach is whether P2_TRAPCAP stays set on a process captrace
// leaves: as PROC_TRAPCAP_STATUS said it was when captrace attached.
func TrapCapOnDetach(statusAtAttach int32) bool {
	return statusAtAttach == PROC_TRAPCAP_CTL_ENABLE
}
