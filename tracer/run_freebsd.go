package tracer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
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
//     (breakpoints.go), through PT_IO and PT_GETREGS/PT_SETREGS
//     (breakpoint_freebsd.go).
//
// A FreeBSD stop halts the whole process; wait4 reports the process id and
// PT_LWPINFO names the thread (p_xthread) that reported.

// fbsdSiSyscallVersion is the __FreeBSD_version that added si_syscall to
// the TRAP_CAP siginfo (sys/sys/param.h history, 1400026).
const fbsdSiSyscallVersion = 1400026

// fbsdSession is one traced program and its descendants.
type fbsdSession struct {
	cfg  Config
	plan enterPlan // the program's; later images plan their own
	// planDeferred: the program is a #! script, planned from the image
	// that runs (its interpreter) at the first stop.
	planDeferred bool
	pol          fbsdPolicy
	unwinder     *symbolize.Unwinder
	state        *sessionState
	depth        int
	// trackEntry: stop at syscall entries in enforce mode too, because the
	// kernel is older than si_syscall and the number must be remembered.
	trackEntry bool

	root         int
	rootStatus   int
	enterReached bool
	pending      []event.Event // emitted after the tracee resumes

	// newborn: children whose first stop came before their parent's fork
	// report, held stopped until it does.
	newborn map[int]bool

	launched launchedSet
}

// fbsdProcess is the FreeBSD backend's data about one traced process.
type fbsdProcess struct {
	maps      *symbolize.ModuleMap
	mapsStamp int
	mem       fbsdTracee
	// quiet: a child under --no-follow, detached at its first stop.
	quiet bool
	// vforked: a child that shares its parent's memory until it execs.
	vforked bool
	// bps are the breakpoints that find this image's enter point
	// (--enter=main or a symbol).
	bps *breakpointTable
	// last is each thread's last syscall entry, for kernels without
	// si_syscall (trackEntry).
	last map[int]capmode.Call
}

// Run starts cfg.Program under ptrace and traces it and (unless NoFollow)
// its descendants until all have exited or cfg.Stop is closed.
func Run(cfg Config) (Result, error) {
	path, err := resolveProgram(cfg.Program)
	if err != nil {
		return Result{}, err
	}
	if cfg.Warnings == nil {
		cfg.Warnings = io.Discard
	}
	if cfg.Enter == "" {
		cfg.Enter = EnterCapEnter
	}
	// cap_enter is the real syscall, seen at its entry: no breakpoints.
	var plan enterPlan
	deferred := false
	if cfg.Enter != EnterCapEnter {
		if plan, deferred, err = planProgram(path, cfg.Enter, cfg.Warnings); err != nil {
			return Result{}, err
		}
	}
	if cfg.Cache == nil {
		cfg.Cache = symbolize.NewCache(cfg.DebugDirs)
	}
	s := &fbsdSession{
		cfg:          cfg,
		plan:         plan,
		planDeferred: deferred,
		pol:          fbsdTable(),
		unwinder:     symbolize.NewUnwinder(cfg.Cache),
		state:        newSessionState(),
		depth:        cfg.Depth,
		newborn:      map[int]bool{},
	}
	if s.depth <= 0 {
		s.depth = 64
	}
	if cfg.Mode == Enforce {
		if v, err := unix.SysctlUint32("kern.osreldate"); err == nil && v < fbsdSiSyscallVersion {
			s.trackEntry = true
			fmt.Fprintf(cfg.Warnings, "captrace: FreeBSD %d predates si_syscall (needs %d); stopping at every syscall entry instead\n", v, fbsdSiSyscallVersion)
		}
	}
	argv := append([]string{cfg.Program}, cfg.Args...)

	return runSession(cfg.Stop, &s.launched, func() (Result, error) { return s.run(path, argv) })
}

func (s *fbsdSession) run(path string, argv []string) (Result, error) {
	// SysProcAttr.Ptrace makes the child call PT_TRACE_ME before execve
	// (forkAndExecInChild in Go's syscall/exec_freebsd.go); it then stops
	// with SIGTRAP at the exec, before its first instruction.
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return Result{}, fbsdStartError(path, err)
	}
	s.root = pid
	s.launched.add(pid)
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		return Result{}, errorf(StatusFailure, "captrace: waiting for %s: %v", path, err)
	}
	if !ws.Stopped() {
		return Result{}, errorf(StatusFailure, "captrace: %s did not start (status %#x)", path, uint32(ws))
	}
	// The kernel's name for the image is the one PT_VM_ENTRY uses, so the
	// program is found in the module map by it.
	exe := fbsdExePath(pid)
	if exe == "" {
		exe = path
	}
	p := s.state.addProcess(pid, exe, nil)
	fp := &fbsdProcess{mem: fbsdTracee{pid}}
	p.backend = fp
	l, err := fbsdLwpInfoOf(pid)
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return Result{}, fbsdTraceError(err)
	}
	s.state.addThread(int(l.Lwpid), p)
	plan := s.plan
	if s.planDeferred && isEnvLauncher(exe) {
		// "#!/usr/bin/env python3": env execs the interpreter, which
		// onLaterExec plans.
		plan = enterPlan{}
	} else if s.planDeferred { // a #! script: plan its interpreter, the image now running
		if plan, err = planEnter(exe, s.cfg.Enter, s.cfg.Warnings); err != nil {
			fmt.Fprintln(s.cfg.Warnings, err)
		}
	}
	if err := s.onExec(p, fp, int(l.Lwpid), plan); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return Result{}, err
	}
	if err := s.configure(p); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return Result{}, fbsdTraceError(err)
	}
	s.resume(pid, 0)
	s.loop()
	return Result{
		ExitStatus:   s.rootStatus,
		Processes:    s.state.seen,
		Interrupted:  s.launched.wasKilled(),
		EnterReached: s.enterReached,
	}, nil
}

func fbsdStartError(path string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return errorf(StatusNotFound, "captrace: %s: no such file or directory", path)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.ENOEXEC):
		return errorf(StatusNotExecutable, "captrace: %s: %v", path, err)
	}
	return fbsdTraceError(err)
}

func fbsdTraceError(err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSYS) {
		return errorf(StatusFailure, "captrace: not allowed to trace (%v); run as root or the program's owner, with security.bsd.unprivileged_proc_debug=1 and kern.securelevel below 1", err)
	}
	return errorf(StatusFailure, "captrace: cannot trace: %v", err)
}

// eventMask is what process p reports. PTRACE_FORK is set even under
// --no-follow: a child inherits P2_TRAPCAP (do_fork() in
// sys/kern/kern_fork.c) and, untraced, would die of its first TRAP_CAP
// SIGTRAP; it is caught once, cleared and detached. Syscall entries stop
// in audit mode; in enforce mode only until the process calls cap_enter
// (so captrace knows the enter point was reached), or always on kernels
// without si_syscall.
func (s *fbsdSession) eventMask(p *process) int {
	m := fbsdPTRACE_EXEC | fbsdPTRACE_FORK | fbsdPTRACE_LWP
	if s.cfg.Mode == Audit || s.trackEntry || !p.inCapMode {
		m |= fbsdPTRACE_SCE
	}
	return m
}

// configure prepares a stopped process (the program, or a new child) to be
// traced: events, and in enforce mode the capability trap.
func (s *fbsdSession) configure(p *process) error {
	if err := fbsdSetEventMask(p.pid, s.eventMask(p)); err != nil {
		return fmt.Errorf("PT_SET_EVENT_MASK: %w", err)
	}
	if s.cfg.Mode == Enforce {
		if err := fbsdTrapCap(p.pid, true); err != nil {
			return fmt.Errorf("procctl(PROC_TRAPCAP_CTL): %w", err)
		}
	}
	return nil
}

// enterAtExec starts capability mode at the first instruction: in enforce
// mode the stopped program itself calls cap_enter (PT_SC_REMOTE).
func (s *fbsdSession) enterAtExec(p *process, tid int) error {
	p.inCapMode = true
	s.enterReached = true
	if s.cfg.Mode != Enforce {
		return nil
	}
	if err := s.capEnterRemote(p.pid, tid); err != nil {
		return errorf(StatusFailure, "captrace: --enter=exec: cannot make the program call cap_enter (PT_SC_REMOTE needs FreeBSD 14): %v", err)
	}
	return nil
}

// capEnterRemote makes the stopped thread tid of process pid call
// cap_enter(2). PT_SC_REMOTE is valid at a stop at a syscall exit (the exec
// stop included) or on the way back to user mode (a signal stop, such as
// a breakpoint): TDB_BOUNDARY, set in syscallret()
// (sys/kern/subr_syscall.c) and ast_sig() (sys/kern/kern_sig.c); anywhere
// else kern_ptrace() answers EBUSY. Afterwards the stop the remote call
// leaves behind is waited for (fbsdConsumeRemoteStop), or the next request
// on the process would fail with EBUSY.
func (s *fbsdSession) capEnterRemote(pid, tid int) error {
	ret, err := fbsdRemoteSyscall(tid, fbsdSYS_cap_enter)
	if ws, ok := fbsdConsumeRemoteStop(unix.Wait4, pid); ok && (ws.Exited() || ws.Signaled()) {
		s.onDeath(pid, ws)
		return fmt.Errorf("process %d ended during the remote cap_enter", pid)
	}
	if err == nil && ret.Error != 0 {
		err = unix.Errno(ret.Error)
	}
	return err
}

// loop waits for every stop of every tracee until none is left.
func (s *fbsdSession) loop() {
	waitAll(0, s.onDeath, s.onStop)
}

func (s *fbsdSession) onDeath(pid int, ws unix.WaitStatus) {
	s.launched.remove(pid)
	delete(s.newborn, pid)
	if p := s.state.procs[pid]; p != nil {
		for tid := range p.threads {
			s.state.threadExited(tid)
		}
	}
	if pid == s.root {
		if ws.Exited() {
			s.rootStatus = ws.ExitStatus()
		} else {
			s.rootStatus = 128 + int(ws.Signal())
		}
	}
}

func (s *fbsdSession) onStop(pid int, ws unix.WaitStatus) {
	l, err := fbsdLwpInfoOf(pid)
	if err != nil {
		s.resume(pid, 0)
		return
	}
	tid := int(l.Lwpid)
	kind := fbsdClassify(l)
	p := s.state.procs[pid]
	if p == nil {
		if kind == fbsdStopChild {
			// Its parent has not reported the fork yet.
			s.newborn[pid] = true
			return
		}
		s.resume(pid, 0)
		return
	}
	if s.state.threads[tid] == nil && kind != fbsdStopExited {
		s.state.addThread(tid, p)
	}
	fp := p.backend.(*fbsdProcess)
	sig := 0
	switch kind {
	case fbsdStopChild:
		if s.startChild(p, fp) {
			return
		}
	case fbsdStopForked:
		s.onFork(p, int(l.ChildPid), l.Flags&fbsdPL_FLAG_VFORKED != 0)
	case fbsdStopExec:
		s.state.execed(p, fbsdExePath(pid))
		s.state.addThread(tid, p)
		fp.maps = nil
		fp.vforked = false
		if s.cfg.Mode == Enforce {
			// Keep the trap whatever exec did to the process flags.
			fbsdTrapCap(pid, true)
		}
		s.onLaterExec(p, fp, tid)
	case fbsdStopBorn:
		// registered above
	case fbsdStopExited:
		s.state.threadExited(tid)
	case fbsdStopTrapCap:
		s.onTrapCap(p, fp, tid, l)
	case fbsdStopSCE:
		s.onEntry(p, fp, tid, l)
	case fbsdStopSignal, fbsdStopBreak:
		if kind == fbsdStopBreak && s.onBreakpoint(p, fp, tid) {
			break
		}
		sig = int(ws.StopSignal())
		if l.Flags&fbsdPL_FLAG_SI != 0 {
			sig = int(l.Siginfo.Signo)
		}
	}
	s.resume(pid, sig)
	s.flush()
}

// onLaterExec plans the enter point of an image a process execs, quietly:
// a program that cannot be planned runs without one.
func (s *fbsdSession) onLaterExec(p *process, fp *fbsdProcess, tid int) {
	fp.bps = nil
	if p.inCapMode || s.cfg.Enter == EnterCapEnter {
		return
	}
	plan, err := planLaterImage(p.exe, s.cfg.Enter)
	if err != nil {
		return
	}
	if err := s.onExec(p, fp, tid, plan); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: process %d: %v\n", p.pid, err)
	}
}

// onFork registers the child a process forked; PT_FOLLOW_FORK has already
// attached it.
func (s *fbsdSession) onFork(parent *process, child int, vforked bool) {
	if child <= 0 || s.state.procs[child] != nil {
		return
	}
	p := s.state.addProcess(child, parent.exe, parent)
	pf := parent.backend.(*fbsdProcess)
	// The child's memory is a copy of its parent's, maps and breakpoint
	// bytes included.
	p.backend = &fbsdProcess{maps: pf.maps, mapsStamp: pf.mapsStamp, mem: fbsdTracee{child},
		quiet: s.cfg.NoFollow, vforked: vforked, bps: pf.bps.forked()}
	s.launched.add(child)
	if s.newborn[child] {
		delete(s.newborn, child)
		if !s.startChild(p, p.backend.(*fbsdProcess)) {
			s.resume(child, 0)
		}
	}
}

// startChild handles a child's first stop. Under --no-follow the child is
// released: trap cleared, detached. It reports whether the child is gone
// from the session (and must not be resumed).
func (s *fbsdSession) startChild(p *process, fp *fbsdProcess) bool {
	if fp.quiet {
		// Untraced, a trap left in its code would kill it with SIGTRAP. A
		// vfork child's memory is its parent's: the traps stay for the
		// parent, and the child only execs or exits.
		if !fp.vforked {
			fp.bps.removeAll(fbsdProcessText{p.pid})
		}
		fbsdTrapCap(p.pid, false)
		fbsdDetach(p.pid, 0)
		s.launched.remove(p.pid)
		for tid := range p.threads {
			s.state.threadExited(tid)
		}
		return true
	}
	if err := s.configure(p); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: child %d: %v\n", p.pid, err)
	}
	return false
}

// onTrapCap: the kernel refused a call in capability mode. The thread is
// stopped just after the syscall instruction with the error in rax and
// the arguments still in their registers.
func (s *fbsdSession) onTrapCap(p *process, fp *fbsdProcess, tid int, l fbsdLwpInfo) {
	p.inCapMode = true
	s.enterReached = true
	regs, err := fbsdGetRegs(tid)
	if err != nil {
		return
	}
	var call capmode.Call
	if s.trackEntry {
		call = fp.last[tid]
	} else {
		call = fbsdCallFromRegs(int(l.Siginfo.Syscall), fbsdSyscallArgRegs(&regs))
	}
	v, ok := fbsdTrapCapVerdict(l.Siginfo.Errno, call, s.pol, fp.mem)
	if !ok {
		return
	}
	stack := s.unwind(p, fp, &regs)
	s.pending = append(s.pending, fbsdViolation(p.pid, tid, call, v, s.pol, fp.mem, stack, fp.maps))
}

// onEntry is a syscall-entry stop: audit mode, or enforce mode on a kernel
// without si_syscall.
func (s *fbsdSession) onEntry(p *process, fp *fbsdProcess, tid int, l fbsdLwpInfo) {
	args, err := fbsdScArgs(tid, l.SyscallNarg)
	if err != nil {
		return
	}
	call := fbsdCallFromScArgs(l.SyscallCode, args)
	if s.cfg.Mode == Enforce {
		if s.trackEntry {
			if fp.last == nil {
				fp.last = map[int]capmode.Call{}
			}
			fp.last[tid] = call
		}
		if call.Nr == fbsdSYS_cap_enter && !p.inCapMode {
			p.inCapMode = true
			s.enterReached = true
			if err := fbsdSetEventMask(p.pid, s.eventMask(p)); err != nil {
				fmt.Fprintf(s.cfg.Warnings, "captrace: process %d: PT_SET_EVENT_MASK: %v\n", p.pid, err)
			}
		}
		return
	}
	switch fbsdAuditEntry(p.inCapMode, s.cfg.Enter == EnterCapEnter, call.Nr) {
	case fbsdEntryEnter:
		s.replaceSyscall(tid, fbsdSYS_sched_yield)
		p.inCapMode = true
		s.enterReached = true
	case fbsdEntrySkip:
		s.replaceSyscall(tid, fbsdSYS_sched_yield)
	case fbsdEntryGetmode:
		one := []byte{1, 0, 0, 0}
		if fbsdWriteMemory(p.pid, call.Args[0], one) == nil {
			s.replaceSyscall(tid, fbsdSYS_sched_yield)
		}
	case fbsdEntryCheck:
		v := s.pol.Check(call, fp.mem)
		if !v.Violation() {
			return
		}
		regs, err := fbsdGetRegs(tid)
		if err != nil {
			return
		}
		stack := s.unwind(p, fp, &regs)
		s.pending = append(s.pending, fbsdViolation(p.pid, tid, call, v, s.pol, fp.mem, stack, fp.maps))
	}
}

// replaceSyscall makes the call about to run another one; sched_yield
// takes no arguments, is allowed in capability mode and returns 0, which
// is what cap_enter and cap_getmode return on success.
func (s *fbsdSession) replaceSyscall(tid, nr int) {
	regs, err := fbsdGetRegs(tid)
	if err != nil {
		return
	}
	fbsdSetSyscallNr(&regs, nr)
	if err := fbsdSetRegs(tid, &regs); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: cannot skip a syscall in thread %d: %v\n", tid, err)
	}
}

// unwind walks the stopped thread's stack. The module map is re-read when
// the VM map's timestamp moved, and once more if a PC is still outside it.
func (s *fbsdSession) unwind(p *process, fp *fbsdProcess, regs *fbsdRegs) []symbolize.PC {
	stamp, err := fbsdVMTimestamp(p.pid)
	if fp.maps == nil || err != nil || stamp != fp.mapsStamp {
		s.refreshMaps(p.pid, fp)
	}
	if fp.maps == nil {
		return []symbolize.PC{{Addr: fbsdPC(regs)}}
	}
	pcs, missed := s.unwinder.Unwind(fp.maps, fbsdUnwindRegs(regs), fp.mem, s.depth)
	if missed {
		s.refreshMaps(p.pid, fp)
		pcs, _ = s.unwinder.Unwind(fp.maps, fbsdUnwindRegs(regs), fp.mem, s.depth)
	}
	return slices.Clone(pcs)
}

func (s *fbsdSession) refreshMaps(pid int, fp *fbsdProcess) {
	stamp, _ := fbsdVMTimestamp(pid)
	es, err := fbsdVMEntries(pid)
	if err != nil && len(es) == 0 {
		return
	}
	fp.maps = symbolize.NewModuleMap(fbsdMappings(es))
	fp.mapsStamp = stamp
}

func (s *fbsdSession) resume(pid, sig int) {
	if err := fbsdContinue(pid, sig); err != nil && err != unix.ESRCH {
		fmt.Fprintf(s.cfg.Warnings, "captrace: cannot resume %d: %v\n", pid, err)
	}
}

// flush hands the violations of the last stop over, now that the tracee
// runs again.
func (s *fbsdSession) flush() {
	if s.cfg.OnViolation != nil {
		for _, e := range s.pending {
			s.cfg.OnViolation(e)
		}
	}
	s.pending = s.pending[:0]
}
