package tracer

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// Attaching on FreeBSD (-p). Capability mode starts at once, and the
// process must be left as it was, so captrace never calls cap_enter(2) in
// it (that cannot be undone). It attaches (PT_ATTACH), notes P2_TRAPCAP
// (PROC_TRAPCAP_STATUS) and asks the kernel whether the process is in
// capability mode already (ki_cr_flags of its kinfo_proc,
// fbsd.AttachModeOf):
//
//   - not yet (fbsd.AttachEmulate): as on Linux, every syscall entry stops
//     and capmode's FreeBSD table judges it, the path a launched audit run
//     takes after its skipped cap_enter. In enforce mode a violating call
//     is swapped for sched_yield at its entry and failed at its exit with
//     the kernel's errno (fbsd.Owed). The program's own cap_enter runs for
//     real, and the kernel decides from then on.
//   - already (fbsd.AttachObserve): P2_TRAPCAP is set, and every call the
//     kernel refuses is reported (TRAP_CAP), in either mode.
//
// At detach P2_TRAPCAP is put back as it was (fbsd.TrapCapOnDetach),
// PT_DETACH clears the event mask, and the process runs on untraced
// (fbsd.DetachAction). No breakpoint is ever planted in it.

const attachPermissionHint = "is it another user's or traced already, or do security.bsd.unprivileged_proc_debug or kern.securelevel forbid it?"

// attachProcess attaches to process pid and lets it run traced.
func (b *osBackend) attachProcess(s *session, pid int) error {
	if pid == os.Getpid() {
		return &AttachError{pid, unix.EPERM}
	}
	if err := ptraceInt(fbsd.PT_ATTACH, pid, 0, 0); err != nil {
		return &AttachError{pid, err}
	}
	// PT_ATTACH stops the process with a SIGSTOP.
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || !ws.Stopped() {
			return &AttachError{pid, unix.ESRCH}
		}
		break
	}
	was, err := trapCapStatus(pid)
	if err != nil {
		ptDetach(pid, 0)
		return &AttachError{pid, err}
	}
	k, err := kinfoProc(pid)
	if err != nil {
		ptDetach(pid, 0)
		return &AttachError{pid, err}
	}
	p := s.state.addProcess(pid, exePath(pid), nil)
	p.inCapMode = true
	p.os = &osProcess{trapCapWas: was, attach: fbsd.AttachModeOf(k)}
	if l, err := lwpInfoOf(pid); err == nil {
		s.state.addThread(int(l.Lwpid), p)
	}
	if err := setEventMask(pid, b.eventMask(p)); err != nil {
		return &AttachError{pid, err}
	}
	if p.os.attach.TrapsCapabilityErrors() {
		s.warnf("process %d is in capability mode already: reporting what the kernel refuses it", pid)
		if err := setTrapCap(pid, true); err != nil {
			return &AttachError{pid, err}
		}
	}
	// Resume, swallowing PT_ATTACH's SIGSTOP.
	return ptContinue(pid, 0)
}

// detachAll leaves every traced process: each is stopped with a SIGSTOP
// of captrace's own and detached at that stop (fbsd.DetachAction), its
// P2_TRAPCAP as it was; a child forked meanwhile (traced through
// PTRACE_FORK) is detached at its first stop, its P2_TRAPCAP as its
// parent's was. A call denied at its entry is failed at its exit stop
// first. Calls that start while captrace waits for its SIGSTOP run
// unchecked.
func (b *osBackend) detachAll(s *session) {
	sent := map[int]bool{}
	pending := map[int]bool{}
	was := map[int]int32{}
	for pid, p := range s.state.procs {
		was[pid] = p.os.trapCapWas
		if unix.Kill(pid, unix.SIGSTOP) == nil {
			sent[pid], pending[pid] = true, true
		}
	}
	for len(pending) > 0 {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		if !ws.Stopped() {
			delete(pending, pid)
			continue
		}
		l, err := lwpInfoOf(pid)
		if err != nil {
			ptDetach(pid, 0)
			delete(pending, pid)
			continue
		}
		kind := fbsd.Classify(l)
		p := s.state.procs[pid]
		if kind == fbsd.StopSCX && p != nil {
			b.attachedExit(s, p, int(l.Lwpid))
		}
		if kind == fbsd.StopForked {
			child := int(l.ChildPid)
			pending[child] = true
			was[child] = was[pid]
		}
		if _, ok := was[pid]; !ok {
			was[pid] = fbsd.PROC_TRAPCAP_CTL_DISABLE // a child met before its parent's fork event
			pending[pid] = true
		}
		signo := int32(ws.StopSignal())
		if l.Flags&fbsd.PL_FLAG_SI != 0 {
			signo = l.Siginfo.Signo
		}
		owed := p != nil && p.os.owed.Pending()
		switch step, sig := fbsd.DetachAction(kind, signo, sent[pid], owed); step {
		case fbsd.ResumeAndWait:
			ptContinue(pid, sig)
		case fbsd.ResumeAndResend:
			ptContinue(pid, sig)
			unix.Kill(pid, unix.SIGSTOP)
		case fbsd.DetachHere:
			setTrapCap(pid, fbsd.TrapCapOnDetach(was[pid]))
			ptDetach(pid, sig)
			delete(pending, pid)
			if p != nil {
				s.state.processExited(p)
			}
		}
	}
}

// attachedEntry judges a syscall entry of an emulated attached process
// (fbsd.AttachEntryAction). A violation becomes a stopRefused, which the
// session reports with its stack as it reports the kernel's refusals;
// in enforce mode the call is denied first.
func (b *osBackend) attachedEntry(s *session, p *process, st *stop) {
	l := st.os.lwp
	args, err := scArgs(st.tid, l.SyscallNarg)
	if err != nil {
		return // stopResume
	}
	call := fbsd.CallFromScArgs(l.SyscallCode, args)
	var v capmode.Verdict
	if call.Nr != fbsd.SYS_cap_enter && call.Nr != fbsd.SYS_cap_getmode {
		v = s.policy.Check(call, s.tracee(p))
	}
	action := fbsd.AttachEntryAction(b.cfg.Mode == Enforce, call.Nr, v.Violation())
	switch action {
	case fbsd.AttachCapEnter:
		b.observe(s, p)
	case fbsd.AttachGetmode:
		one := []byte{1, 0, 0, 0}
		if err := b.writeMemory(p.pid, st.tid, call.Args[0], one); err != nil {
			s.warnf("process %d: cannot answer cap_getmode: %v", p.pid, err)
		} else {
			b.replaceSyscall(s, st.tid, fbsd.SYS_sched_yield)
		}
	case fbsd.AttachReport, fbsd.AttachDeny:
		regs, err := getRegsPT(st.tid)
		if err != nil {
			if action == fbsd.AttachDeny {
				b.failClosed(s, p, "cannot deny "+s.policy.Name(call.Nr), err)
			}
			return
		}
		st.kind, st.call, st.regs, st.verdict = stopRefused, call, &regs, v
		if action == fbsd.AttachDeny {
			b.denyAtEntry(s, p, st.tid, regs, call, v)
		}
	}
}

// denyAtEntry makes the call thread tid is about to make fail with the
// kernel's errno for v: it runs sched_yield instead, and its exit stop
// gets the error (fbsd.Owed, attachedExit).
func (b *osBackend) denyAtEntry(s *session, p *process, tid int, regs registers, call capmode.Call, v capmode.Verdict) {
	setSyscallNr(&regs, fbsd.SYS_sched_yield)
	err := setRegsPT(tid, &regs)
	if err == nil {
		p.os.owed.Deny(tid, fbsd.DeniedErrno(v.Outcome))
		if err = setEventMask(p.pid, b.eventMask(p)); err == nil {
			return
		}
	}
	b.failClosed(s, p, "cannot deny "+s.policy.Name(call.Nr), err)
}

// attachedExit fails the call of thread tid that captrace denied at its
// entry, if it did: the errno in rax, the carry flag set
// (fbsd.ErrorReturn). Once nothing is owed, exits stop no more.
func (b *osBackend) attachedExit(s *session, p *process, tid int) {
	errno, ok := p.os.owed.Settle(tid)
	if !ok {
		return
	}
	regs, err := getRegsPT(tid)
	if err == nil {
		setSyscallError(&regs, errno)
		err = setRegsPT(tid, &regs)
	}
	if err != nil {
		b.failClosed(s, p, "cannot fail a denied call at its exit", err)
		return
	}
	if !p.os.owed.Pending() {
		if err := setEventMask(p.pid, b.eventMask(p)); err != nil {
			s.warnf("process %d: PT_SET_EVENT_MASK: %v", p.pid, err)
		}
	}
}

// observe: an emulated process called cap_enter(2) itself, which runs:
// from now on the kernel refuses its calls, and P2_TRAPCAP reports them.
func (b *osBackend) observe(s *session, p *process) {
	p.os.attach = fbsd.AttachObserve
	if err := setTrapCap(p.pid, true); err != nil {
		s.warnf("process %d: procctl(PROC_TRAPCAP_CTL): %v", p.pid, err)
	}
	if err := setEventMask(p.pid, b.eventMask(p)); err != nil {
		s.warnf("process %d: PT_SET_EVENT_MASK: %v", p.pid, err)
	}
}

// failClosed: enforce mode could not make a call fail, which would then
// run (or return success) while the report says it was denied; the
// process is killed first, as session.deny does on Linux.
func (b *osBackend) failClosed(s *session, p *process, what string, err error) {
	if kill := unix.Kill(p.pid, unix.SIGKILL); kill != nil && kill != unix.ESRCH {
		err = fmt.Errorf("%w, and cannot kill it: %v", err, kill)
	}
	s.fail(&Error{
		Pid:    p.pid,
		Op:     fmt.Sprintf("enforce: %s (killed the process instead)", what),
		Err:    err,
		Status: StatusFailure,
	})
}

// trapCapStatus reads P2_TRAPCAP (PROC_TRAPCAP_STATUS: ENABLE or DISABLE).
func trapCapStatus(pid int) (int32, error) {
	var v int32
	_, _, e := unix.Syscall6(fbsd.SYS_procctl, fbsd.P_PID, uintptr(pid), fbsd.PROC_TRAPCAP_STATUS, uintptr(unsafe.Pointer(&v)), 0, 0)
	runtime.KeepAlive(&v)
	if e != 0 {
		return 0, e
	}
	return v, nil
}

// processCommand is a process's command line (kern.proc.args), for the
// report.
func processCommand(pid int) []string {
	b, err := unix.SysctlRaw("kern.proc.args", pid)
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}
