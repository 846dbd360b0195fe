package tracer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// The FreeBSD backend. The kernel enforces capability mode; captrace
// observes:
//
//   - enforce mode: P2_TRAPCAP (procctl PROC_TRAPCAP_CTL) makes every
//     ECAPMODE/ENOTCAPABLE return raise SIGTRAP with si_code TRAP_CAP in
//     the failing thread (syscallret() in sys/kern/subr_syscall.c); allowed
//     calls never stop.
//   - audit mode: every syscall entry stops (PTRACE_SCE); cap_enter(2) is
//     replaced by a no-op so the process never enters capability mode, and
//     capmode's FreeBSD table judges each later call.
//   - --enter=main or a symbol: the breakpoints shared with Linux
//     (breakpoints.go), through PT_IO and PT_GETREGS/PT_SETREGS.
//
// A FreeBSD stop halts the whole process; wait4 reports the process id and
// PT_LWPINFO names the thread (p_xthread) that reported.

const (
	// kernelCapEnter: cap_enter(2) is real, and the default enter point.
	kernelCapEnter = true
	// emulatesCapMode: the kernel denies calls itself.
	emulatesCapMode = false
	// waitReportsProcesses: wait4 reports processes, not threads.
	waitReportsProcesses = true
	waitOptions          = 0
)

// siSyscallVersion is the __FreeBSD_version that added si_syscall to the
// TRAP_CAP siginfo (sys/sys/param.h history, 1400026).
const siSyscallVersion = 1400026

func platformPolicy() policy { return capmode.FreeBSD() }

// osBackend is the FreeBSD backend.
type osBackend struct {
	cfg *Config
	// trackEntry: stop at syscall entries in enforce mode too, because the
	// kernel is older than si_syscall and the number must be remembered.
	trackEntry bool
	// attached: the session attached to running processes (-p,
	// attach_freebsd.go); each is traced as its fbsd.AttachMode says.
	attached bool
}

func newBackend(cfg *Config) (*osBackend, error) {
	b := &osBackend{cfg: cfg, attached: len(cfg.Attach) > 0}
	if cfg.Mode == Enforce {
		if v, err := unix.SysctlUint32("kern.osreldate"); err == nil && v < siSyscallVersion {
			b.trackEntry = true
			fmt.Fprintf(cfg.Warnings, "FreeBSD %d predates si_syscall (needs %d); stopping at every syscall entry instead\n", v, siSyscallVersion)
		}
	}
	return b, nil
}

// osProcess is the FreeBSD backend's data about one process.
type osProcess struct {
	// mapsStamp is the VM map generation the module map was read at.
	mapsStamp int
	// last is each thread's last syscall entry, for kernels without
	// si_syscall (trackEntry).
	last map[int]capmode.Call
	// trapCapWas: P2_TRAPCAP as it was when captrace attached (-p), to be
	// put back at detach; a child forked since inherits its parent's.
	trapCapWas int32
	// attach: how an attached process is traced (-p); a child inherits
	// its parent's.
	attach fbsd.AttachMode
	// owed: threads whose call captrace denied at its entry (-p, enforce,
	// fbsd.Owed), to be failed at their exit stop.
	owed fbsd.Owed
}

func (o *osProcess) forked() *osProcess {
	return &osProcess{mapsStamp: o.mapsStamp, trapCapWas: o.trapCapWas, attach: o.attach}
}

// osStop is what PT_LWPINFO said about the stop.
type osStop struct {
	lwp fbsd.LwpInfo
}

// start runs PROGRAM with PT_TRACE_ME: SysProcAttr.Ptrace makes the child
// call it before execve (forkAndExecInChild in Go's
// syscall/exec_freebsd.go); it then stops with SIGTRAP at the exec, before
// its first instruction.
func (b *osBackend) start(s *session, path string, argv []string) error {
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: inheritedFDs(),
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return startError(path, err)
	}
	s.launched.add(pid)
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		return &Error{Path: path, Op: "wait for it to start", Err: err, Status: StatusFailure}
	}
	if !ws.Stopped() {
		return &Error{Path: path, Err: fmt.Errorf("did not start (status %#x)", uint32(ws)), Status: StatusFailure}
	}
	// The kernel's name for the image is the one PT_VM_ENTRY uses, so the
	// program is found in the module map by it.
	exe := exePath(pid)
	if exe == "" {
		exe = path
	}
	p := s.addRoot(pid, exe)
	l, err := lwpInfoOf(pid)
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return traceError(err)
	}
	s.state.addThread(int(l.Lwpid), p)
	if err := s.beginImage(p, int(l.Lwpid)); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return err
	}
	if err := b.configure(p); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return traceError(err)
	}
	if err := b.resume(pid, pid, 0); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return traceError(err)
	}
	return nil
}

func startError(path string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return &Error{Path: path, Err: errors.New("no such file or directory"), Status: StatusNotFound}
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.ENOEXEC):
		return &Error{Path: path, Err: err, Status: StatusNotExecutable}
	}
	return traceError(err)
}

func traceError(err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) {
		return failure("", fmt.Errorf("not allowed to trace (%w); run as root or the program's owner, with security.bsd.unprivileged_proc_debug=1 and kern.securelevel below 1", err))
	}
	return failure("cannot trace", err)
}

// eventMask is what process p reports. PTRACE_FORK is set even under
// --no-follow: a child inherits P2_TRAPCAP (do_fork() in
// sys/kern/kern_fork.c) and, untraced, would die of its first TRAP_CAP
// SIGTRAP; it is caught once, cleared and detached. Syscall entries stop
// in audit mode; in enforce mode only until the process calls cap_enter
// (so captrace knows the enter point was reached), or always on kernels
// without si_syscall.
func (b *osBackend) eventMask(p *process) int {
	if b.attached {
		return fbsd.AttachEventMask(p.os.attach, p.os.owed.Pending())
	}
	m := fbsd.PTRACE_EXEC | fbsd.PTRACE_FORK | fbsd.PTRACE_LWP
	if b.cfg.Mode == Audit || b.trackEntry || !p.inCapMode {
		m |= fbsd.PTRACE_SCE
	}
	return m
}

// configure prepares a stopped process (the program, or a new child) to be
// traced: events, and in enforce mode the capability trap.
func (b *osBackend) configure(p *process) error {
	if err := setEventMask(p.pid, b.eventMask(p)); err != nil {
		return fmt.Errorf("PT_SET_EVENT_MASK: %w", err)
	}
	return b.setUpTrapCap(p)
}

// setUpTrapCap turns on the capability trap where p needs it (trapsCap).
func (b *osBackend) setUpTrapCap(p *process) error {
	if b.trapsCap(p) {
		if err := setTrapCap(p.pid, true); err != nil {
			return fmt.Errorf("procctl(PROC_TRAPCAP_CTL): %w", err)
		}
	}
	return nil
}

// trapsCap says whether P2_TRAPCAP is set on p: where the kernel decides
// (launched in enforce mode; attached in capability mode).
func (b *osBackend) trapsCap(p *process) bool {
	if b.attached {
		return p.os.attach.TrapsCapabilityErrors()
	}
	return b.cfg.Mode == Enforce
}

func (b *osBackend) decode(s *session, pid int, ws unix.WaitStatus) stop {
	st := stop{pid: pid, tid: pid, task: pid}
	l, err := lwpInfoOf(pid)
	if err != nil {
		return st // stopResume
	}
	st.os.lwp = l
	st.tid = int(l.Lwpid)
	kind := fbsd.Classify(l)
	p := s.state.procs[pid]
	if p == nil {
		if kind == fbsd.StopChild {
			st.kind = stopFirst // its parent has not reported the fork yet
		}
		return st
	}
	st.proc = p
	if s.state.threads[st.tid] == nil && kind != fbsd.StopExited {
		s.state.addThread(st.tid, p)
	}
	switch kind {
	case fbsd.StopChild:
		st.kind = stopFirst
	case fbsd.StopForked:
		st.kind, st.child, st.vfork = stopNewTask, int(l.ChildPid), l.Flags&fbsd.PL_FLAG_VFORKED != 0
	case fbsd.StopExec:
		st.kind, st.exe = stopExec, exePath(pid)
	case fbsd.StopExited:
		st.kind = stopThreadExit
	case fbsd.StopTrapCap:
		b.trapCap(s, p, &st)
	case fbsd.StopSCE:
		if p.os.attach == fbsd.AttachEmulate {
			b.attachedEntry(s, p, &st)
		} else {
			st.kind = stopSyscall
		}
	case fbsd.StopSCX:
		b.attachedExit(s, p, st.tid)
	case fbsd.StopSignal, fbsd.StopBreak:
		st.kind, st.sig = stopSignal, int(ws.StopSignal())
		if l.Flags&fbsd.PL_FLAG_SI != 0 {
			st.sig = int(l.Siginfo.Signo)
			if forwardedSignal(syscall.Signal(st.sig)) {
				st.outside = s.outsideSignal(signalOrigin(l.Siginfo))
			}
		}
		if kind == fbsd.StopBreak {
			st.kind = stopTrap
		}
	}
	return st
}

// trapCap decodes a TRAP_CAP stop: the kernel refused a call in capability
// mode. The thread is stopped just after the syscall instruction with the
// error in rax and the arguments still in their registers.
func (b *osBackend) trapCap(s *session, p *process, st *stop) {
	regs, err := getRegsPT(st.tid)
	if err != nil {
		return
	}
	if b.trackEntry {
		st.call = p.os.last[st.tid]
	} else {
		st.call = fbsd.CallFromRegs(int(st.os.lwp.Siginfo.Syscall), fbsdSyscallArgRegs(&regs))
	}
	v, ok := fbsd.TrapCapVerdict(st.os.lwp.Siginfo.Errno, st.call, s.policy, s.tracee(p))
	if !ok {
		return
	}
	if v.Kind == capmode.KindRights {
		v.Reason = rightsReason(p.pid, s.policy.Name(st.call.Nr), st.call, v.Reason)
	}
	st.kind, st.regs, st.verdict = stopRefused, &regs, v
}

// rightsReason names the rights the descriptors of a refused call held,
// read while the thread is stopped, before anything can change them:
// kern.proc.filedesc, as procstat -C reads it. Without it the kernel's
// answer, fallback, stands.
func rightsReason(pid int, name string, c capmode.Call, fallback string) string {
	b, err := unix.SysctlRaw("kern.proc.filedesc", pid)
	if err != nil {
		return fallback
	}
	files, _ := fbsd.DecodeFiledesc(b) // the records before a bad one still count
	if reason, ok := fbsd.RightsReason(name, c.Args, files); ok {
		return reason
	}
	return fallback
}

// syscallEntry is a syscall-entry stop: audit mode, or enforce mode until
// cap_enter or on a kernel without si_syscall.
func (b *osBackend) syscallEntry(s *session, p *process, st *stop) bool {
	l := st.os.lwp
	args, err := scArgs(st.tid, l.SyscallNarg)
	if err != nil {
		return false
	}
	st.call = fbsd.CallFromScArgs(l.SyscallCode, args)
	if b.cfg.Mode == Enforce {
		if b.trackEntry {
			if p.os.last == nil {
				p.os.last = map[int]capmode.Call{}
			}
			p.os.last[st.tid] = st.call
		}
		if st.call.Nr == fbsd.SYS_cap_enter && !p.inCapMode {
			b.noteEnterSite(s, p, st)
			s.markEntered(p)
			if err := setEventMask(p.pid, b.eventMask(p)); err != nil {
				s.warnf("process %d: PT_SET_EVENT_MASK: %v", p.pid, err)
			}
		}
		return false // the kernel judges
	}
	switch fbsd.AuditEntry(p.inCapMode, b.cfg.Enter == EnterCapEnter, st.call.Nr) {
	case fbsd.EntryEnter:
		b.noteEnterSite(s, p, st)
		b.replaceSyscall(s, st.tid, fbsd.SYS_sched_yield)
		s.markEntered(p)
	case fbsd.EntrySkip:
		b.replaceSyscall(s, st.tid, fbsd.SYS_sched_yield)
	case fbsd.EntryGetmode:
		one := []byte{1, 0, 0, 0}
		if err := b.writeMemory(p.pid, st.tid, st.call.Args[0], one); err != nil {
			s.warnf("process %d: cannot answer cap_getmode: %v", p.pid, err)
		} else {
			b.replaceSyscall(s, st.tid, fbsd.SYS_sched_yield)
		}
	case fbsd.EntryCheck:
		return true
	}
	return false
}

// noteEnterSite: p is at cap_enter(2)'s entry, in the C library's
// wrapper, whose caller is where capability mode begins.
func (b *osBackend) noteEnterSite(s *session, p *process, st *stop) {
	if s.enterSite != nil {
		return
	}
	regs := st.regs
	if regs == nil {
		r, err := getRegsPT(st.tid)
		if err != nil {
			return
		}
		regs = &r
	}
	s.noteEnterSite(p, st.tid, regs, false)
}

// replaceSyscall makes the call about to run another one; sched_yield
// takes no arguments, is allowed in capability mode and returns 0, which
// is what cap_enter and cap_getmode return on success.
func (b *osBackend) replaceSyscall(s *session, tid, nr int) {
	regs, err := getRegsPT(tid)
	if err != nil {
		s.warnf("cannot skip a syscall in thread %d: %v", tid, err)
		return
	}
	setSyscallNr(&regs, nr)
	if err := setRegsPT(tid, &regs); err != nil {
		s.warnf("cannot skip a syscall in thread %d: %v", tid, err)
	}
}

// denySyscall: the kernel denies calls itself.
func (b *osBackend) denySyscall(tid int, r *registers, errno unix.Errno) error {
	return errors.New("FreeBSD enforces capability mode in the kernel")
}

// startProcess handles a child's first stop. Under --no-follow the child is
// released: its trap as its parent's was before captrace, detached.
func (b *osBackend) startProcess(s *session, p *process) (bool, error) {
	if !p.quiet {
		return false, b.configure(p)
	}
	// Untraced, a trap left in its code would kill it with SIGTRAP. A
	// vfork child's memory is its parent's: the traps stay for the parent,
	// and the child only execs or exits.
	if !p.vforked {
		p.bps.removeAll(processText{s, p.pid})
	}
	var errs []error
	// As its parent was before captrace: clear for a launched program,
	// as found for an attached one (-p).
	if err := setTrapCap(p.pid, fbsd.TrapCapOnDetach(p.os.trapCapWas)); err != nil {
		errs = append(errs, fmt.Errorf("procctl(PROC_TRAPCAP_CTL): %w", err))
	}
	if err := b.detach(p.pid, 0); err != nil {
		errs = append(errs, fmt.Errorf("PT_DETACH: %w", err))
	}
	s.launched.remove(p.pid)
	s.state.processExited(p)
	p.closeMemory()
	return true, errors.Join(errs...)
}

// execed keeps the trap whatever exec did to the process flags. The
// exec ended every other thread, and with them what they were owed.
func (b *osBackend) execed(s *session, p *process) error {
	if p.os.owed.Pending() {
		p.os.owed = nil
		if err := setEventMask(p.pid, b.eventMask(p)); err != nil {
			return fmt.Errorf("PT_SET_EVENT_MASK: %w", err)
		}
	}
	return b.setUpTrapCap(p)
}

// enterCapMode: in audit mode capability mode is captrace's from now on
// (fbsd.AuditEntry); in enforce mode the stopped thread itself calls
// cap_enter(2), through PT_SC_REMOTE, before it runs the enter point's
// first instruction.
func (b *osBackend) enterCapMode(s *session, p *process, tid int, th *stoppedThread) error {
	if b.cfg.Mode != Enforce {
		return nil
	}
	err := b.capEnterRemote(s, p.pid, tid)
	if err != nil {
		err = fmt.Errorf("PT_SC_REMOTE needs FreeBSD 14: %w", err)
	}
	if th != nil {
		// The remote call runs in the thread's kernel context; put back
		// the registers the program resumes with, rewound onto the enter
		// point.
		if werr := setRegsPT(th.tid, &th.regs); werr != nil {
			err = errors.Join(err, fmt.Errorf("PT_SETREGS: %w", werr))
		}
	}
	// Allowed calls no longer need to stop (eventMask).
	if merr := setEventMask(p.pid, b.eventMask(p)); merr != nil {
		err = errors.Join(err, fmt.Errorf("PT_SET_EVENT_MASK: %w", merr))
	}
	return err
}

// holdThreads: a FreeBSD stop halts the whole process already.
func (b *osBackend) holdThreads(s *session, p *process, tid int) []heldStop { return nil }

// capEnterRemote makes the stopped thread tid of process pid call
// cap_enter(2). PT_SC_REMOTE is valid at a stop at a syscall exit (the exec
// stop included) or on the way back to user mode (a signal stop, such as
// a breakpoint): TDB_BOUNDARY, set in syscallret()
// (sys/kern/subr_syscall.c) and ast_sig() (sys/kern/kern_sig.c); anywhere
// else kern_ptrace() answers EBUSY. Afterwards the stop the remote call
// leaves behind is waited for (fbsd.ConsumeRemoteStop), or the next request
// on the process would fail with EBUSY.
func (b *osBackend) capEnterRemote(s *session, pid, tid int) error {
	ret, err := remoteSyscall(tid, fbsd.SYS_cap_enter)
	if ws, ok := fbsd.ConsumeRemoteStop(unix.Wait4, pid); ok && (ws.Exited() || ws.Signaled()) {
		s.onDeath(pid, ws)
		return fmt.Errorf("process %d ended during the remote cap_enter", pid)
	}
	if err == nil && ret.Error != 0 {
		err = unix.Errno(ret.Error)
	}
	return err
}

// resume continues the whole process; sig 0 delivers nothing (the
// TRAP_CAP SIGTRAP must never be re-injected: its default action kills).
func (b *osBackend) resume(pid, tid, sig int) error { return ptContinue(pid, sig) }

// listen: FreeBSD reports no group-stops to the tracer apart from signals.
func (b *osBackend) listen(tid int) error { return nil }

func (b *osBackend) detach(pid, sig int) error { return ptDetach(pid, sig) }

func (b *osBackend) getRegs(tid int) (registers, error) { return getRegsPT(tid) }

func (b *osBackend) setRegs(tid int, r *registers) error { return setRegsPT(tid, r) }

func (b *osBackend) readText(pid, tid int, addr uint64, p []byte) error {
	return readTextPT(pid, addr, p)
}

func (b *osBackend) writeText(pid, tid int, addr uint64, p []byte) error {
	return writeTextPT(pid, addr, p)
}

func (b *osBackend) writeMemory(pid, tid int, addr uint64, p []byte) error {
	return writeMemoryPT(pid, addr, p)
}

func (b *osBackend) openMemory(pid int) processMemory { return ptraceMemory{pid} }

// entryPoint: the map is read instead (kern.proc.auxv would serve, but
// the map is read at the entry point anyway on FreeBSD).
func (b *osBackend) entryPoint(p *process) (uint64, bool) { return 0, false }

// readMaps builds the module map from PT_VM_ENTRY records.
func (b *osBackend) readMaps(p *process) (*symbolize.ModuleMap, error) {
	stamp, _ := vmTimestamp(p.pid)
	es, err := vmEntries(p.pid)
	if err != nil && len(es) == 0 {
		return nil, err
	}
	p.os.mapsStamp = stamp
	return symbolize.NewModuleMap(fbsd.Mappings(es)), nil
}

// mapsStale: the VM map's timestamp moved since the module map was read.
func (b *osBackend) mapsStale(p *process) bool {
	stamp, err := vmTimestamp(p.pid)
	return err != nil || stamp != p.os.mapsStamp
}

// openDescriptor: FreeBSD has no /proc/PID/fd, and capmode's FreeBSD
// resolver judges paths by their text (resolve_other.go); the kernel
// decides the rest.
func (b *osBackend) openDescriptor(pid, fd int) (int, error) {
	return -1, fmt.Errorf("descriptor %d of process %d: %w", fd, pid, unix.ENOTSUP)
}

// releasePtraceThread unlocks the session's OS thread: leaving it locked
// crashes the Go runtime on FreeBSD (golang/go#52394), which is why Delve
// unlocks there too (handlePtraceFuncs() in go-delve/delve
// pkg/proc/native/proc.go).
func releasePtraceThread() { runtime.UnlockOSThread() }

// ptraceMemory is a process's memory through PT_IO (there is no
// process_vm_readv on FreeBSD).
type ptraceMemory struct{ pid int }

// ReadMemoryPartial lets symbolize's stack window keep the mapped part of
// a read that runs off the top of the stack.
func (m ptraceMemory) ReadMemoryPartial(addr uint64, p []byte) (int, error) {
	n, err := readMemoryPT(m.pid, addr, p)
	if n > 0 {
		return n, nil
	}
	if err == nil {
		err = unix.EFAULT
	}
	return 0, fmt.Errorf("read %#x: %w", addr, err)
}

func (m ptraceMemory) ReadMemory(addr uint64, p []byte) error {
	n, err := readMemoryPT(m.pid, addr, p)
	if err != nil {
		return err
	}
	if n != len(p) {
		return fmt.Errorf("read %#x: %d of %d bytes: %w", addr, n, len(p), unix.EFAULT)
	}
	return nil
}

func (m ptraceMemory) Close() error { return nil }

// vmTimestamp is the generation number of pid's VM map; it changes with
// every mapping change, so the module map is re-read only then.
func vmTimestamp(pid int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_PTRACE, fbsd.PT_VM_TIMESTAMP, uintptr(pid), 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(int32(r)), nil
}

// exePath is the program pid runs now (kern.proc.pathname, the sysctl
// behind KERN_PROC_PATHNAME in sys/sys/sysctl.h).
func exePath(pid int) string {
	b, err := unix.SysctlRaw("kern.proc.pathname", pid)
	if err != nil {
		return ""
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// suggestions: --suggest-rights is Linux's (docs/rights.md).
func (b *osBackend) suggestions(s *session) []Descriptor { return nil }

// rightsChecked: the FreeBSD kernel checks rights itself.
func (b *osBackend) rightsChecked() bool { return false }
