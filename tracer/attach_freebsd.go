package tracer

import (
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// Attaching on FreeBSD (-p). The kernel owns capability mode: captrace
// does not put a running process in it, which it could not take out again
// at detach. It attaches (PT_ATTACH), notes P2_TRAPCAP (PROC_TRAPCAP_STATUS)
// and sets it, so that a process in capability mode by its own cap_enter
// reports every call the kernel refuses (TRAP_CAP), in either mode: the
// kernel decides. At detach P2_TRAPCAP is put back as it was
// (fbsd.TrapCapOnDetach) and the process runs on untraced
// (fbsd.DetachAction).

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
	p := s.state.addProcess(pid, exePath(pid), nil)
	p.inCapMode = true
	p.os = &osProcess{trapCapWas: was}
	if l, err := lwpInfoOf(pid); err == nil {
		s.state.addThread(int(l.Lwpid), p)
	}
	if err := setEventMask(pid, b.eventMask(p)); err != nil {
		return &AttachError{pid, err}
	}
	if err := setTrapCap(pid, true); err != nil {
		return &AttachError{pid, err}
	}
	// Resume, swallowing PT_ATTACH's SIGSTOP.
	return ptContinue(pid, 0)
}

// detachAll leaves every traced process: each is stopped with a SIGSTOP
// of captrace's own and detached at that stop (fbsd.DetachAction), its
// P2_TRAPCAP as it was; a child forked meanwhile (traced through
// PTRACE_FORK) is detached at its first stop, its P2_TRAPCAP as its
// parent's was.
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
		step, sig := fbsd.DetachAction(kind, signo, sent[pid])
		if step == fbsd.ResumeAndWait {
			ptContinue(pid, sig)
			continue
		}
		setTrapCap(pid, fbsd.TrapCapOnDetach(was[pid]))
		ptDetach(pid, sig)
		delete(pending, pid)
		if p := s.state.procs[pid]; p != nil {
			s.state.processExited(p)
		}
	}
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
