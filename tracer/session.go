package tracer

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/rightsemu"
	"github.com/captrace/captrace/symbolize"
)

// policy is what the session asks of capmode's table for the platform
// (or for another ABI the platform decodes).
type policy interface {
	Check(c capmode.Call, tr capmode.Tracee) capmode.Verdict
	Name(nr int) string
	// Describe names the call and decodes its arguments (i386's
	// socketcall as the call it makes).
	Describe(c capmode.Call, tr capmode.Tracee) (string, []capmode.Arg)
}

// callPolicy is the table that judges st's call: its ABI's, or the
// platform's.
func (s *session) callPolicy(st *stop) policy {
	if st.abi != nil {
		return st.abi
	}
	return s.policy
}

// lazyPolicy builds the platform's table when a call is first judged: a
// run whose programs never reach their enter point never needs it, and
// building it was a tenth of captrace's start-up.
type lazyPolicy struct {
	once sync.Once
	p    policy
}

func (l *lazyPolicy) get() policy {
	l.once.Do(func() { l.p = platformPolicy() })
	return l.p
}

func (l *lazyPolicy) Check(c capmode.Call, tr capmode.Tracee) capmode.Verdict {
	return l.get().Check(c, tr)
}
func (l *lazyPolicy) Name(nr int) string { return l.get().Name(nr) }
func (l *lazyPolicy) Describe(c capmode.Call, tr capmode.Tracee) (string, []capmode.Arg) {
	return l.get().Describe(c, tr)
}

// session is one traced program and its descendants. Its loop and the
// meaning of each kind of stop are the same on every platform; s.os makes
// the requests.
type session struct {
	cfg    Config
	os     *osBackend
	policy policy
	plan   enterPlan
	// planDeferred: PROGRAM is a #! script, planned at its interpreter's
	// exec.
	planDeferred bool
	state        *sessionState
	unwinder     *symbolize.Unwinder
	depth        int

	root         int
	rootStatus   int
	rootPlanned  bool // PROGRAM's own image has been planned
	enterReached bool
	enterSite    *event.EnterPoint // the first process to reach it, and where

	// expected: threads and children announced by their creator whose
	// first stop is still to come.
	expected map[int]bool
	// early: new threads and children that stopped before their creator
	// announced them, held stopped until it does.
	early map[int]bool
	// pending violations, handed over once the tracee runs again.
	pending []event.Event
	// failure: the first error that ends Run in failure once the session
	// is over (enforce mode could not deny a call).
	failure error
	// stopTracee is the tracee of the current stop (tracee).
	stopTracee tracee
	// laterPlans: the plans of images execed after PROGRAM's, per file.
	laterPlans imageMemo[planResult]
	// shimImages: whether each image was built against the Capsicum shim.
	shimImages imageMemo[bool]

	launched launchedSet
	// signals: deliveries of the signals captrace passes on (signals.go).
	signals *signalBook

	// suggest records descriptor uses for --suggest-rights.
	suggest *rightsemu.Recorder
}

// newSession is a session for cfg with its defaults filled in; Run and
// attach give it what is theirs (the plan, the backend).
func newSession(cfg Config) *session {
	if cfg.Warnings == nil {
		cfg.Warnings = io.Discard
	}
	if cfg.Cache == nil {
		cfg.Cache = symbolize.NewCache(cfg.DebugDirs)
	}
	s := &session{
		cfg:      cfg,
		policy:   &lazyPolicy{},
		state:    newSessionState(),
		unwinder: symbolize.NewUnwinder(cfg.Cache),
		depth:    cfg.Depth,
		expected: map[int]bool{},
		early:    map[int]bool{},
		signals:  newSignalBook(),
	}
	if s.depth <= 0 {
		s.depth = 64
	}
	return s
}

// Run starts cfg.Program traced and follows it (and, unless NoFollow, its
// descendants) until every traced process has exited or cfg.Stop is
// closed.
func Run(cfg Config) (Result, error) {
	if len(cfg.Attach) > 0 {
		return attach(cfg)
	}
	path, err := resolveProgram(cfg.Program)
	if err != nil {
		return Result{}, err
	}
	if cfg.Enter == "" && kernelCapEnter {
		cfg.Enter = EnterCapEnter
	}
	s := newSession(cfg)
	if cfg.SuggestRights {
		s.suggest = rightsemu.NewRecorder()
	}
	if kernelCapEnter && cfg.Enter == EnterCapEnter {
		// The kernel's own cap_enter(2) is the enter point, seen at its
		// entry: nothing to plan.
		s.plan = enterPlan{what: EnterCapEnter}
	} else if s.plan, s.planDeferred, err = planProgram(path, cfg.Enter, s.cfg.Warnings, s.cfg.finder(true)); err != nil {
		return Result{}, err
	}
	if s.plan.shimKnown {
		s.shimImages.set(path, "", s.plan.shim) // the planner read it already
	}
	if s.os, err = newBackend(&s.cfg); err != nil {
		return Result{}, err
	}
	argv := append([]string{cfg.Program}, cfg.Args...)
	return runSession(cfg.Stop, &s.launched, func() (Result, error) { return s.run(path, argv) })
}

func (s *session) run(path string, argv []string) (Result, error) {
	if err := s.os.start(s, path, argv); err != nil {
		return Result{}, err
	}
	if s.cfg.Signals != nil {
		finished := make(chan struct{})
		defer close(finished)
		go forwardSignals(s.cfg.Signals, finished, s.signals, &s.launched, s.root, probeSignal)
	}
	s.loop()
	return Result{
		ExitStatus:   s.rootStatus,
		Processes:    s.state.seen,
		Interrupted:  s.launched.wasKilled(),
		EnterSite:    s.enterSite,
		EnterReached: s.enterReached,
		Enter:        s.plan.what,
		// Linux's emulation of descriptor rights (rights_linux.go).
		RightsChecked: s.os.rightsChecked(),
		Descriptors:   s.os.suggestions(s),
	}, s.failure
}

// addRoot registers PROGRAM's process, started by the backend.
func (s *session) addRoot(pid int, exe string) *process {
	s.root = pid
	s.launched.add(pid)
	return s.state.addProcess(pid, exe, nil)
}

// loop waits for every stop of every tracee until none is left (ECHILD).
func (s *session) loop() { waitAll(s.onReport) }

// waitAll hands each wait report of any child to handle until no child is
// left (ECHILD).
func waitAll(handle func(id int, ws unix.WaitStatus)) {
	for {
		var ws unix.WaitStatus
		id, err := unix.Wait4(-1, &ws, waitOptions, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		handle(id, ws)
	}
}

// onReport handles a tracee's wait report: a death or a stop.
func (s *session) onReport(id int, ws unix.WaitStatus) {
	switch {
	case ws.Exited() || ws.Signaled():
		s.onDeath(id, ws)
	case ws.Stopped():
		s.onStop(id, ws)
	}
}

// onDeath: a thread (Linux) or a process (FreeBSD, waitReportsProcesses)
// is gone.
func (s *session) onDeath(id int, ws unix.WaitStatus) {
	delete(s.expected, id)
	delete(s.early, id)
	p := s.state.process(id)
	if p == nil {
		return
	}
	gone := true
	if waitReportsProcesses {
		s.state.processExited(p)
	} else {
		_, gone = s.state.threadExited(id)
	}
	if !gone {
		return
	}
	s.launched.remove(p.pid)
	p.closeMemory()
	if p.pid == s.root {
		if ws.Exited() {
			s.rootStatus = ws.ExitStatus()
		} else {
			s.rootStatus = 128 + int(ws.Signal())
		}
	}
}

func (s *session) onStop(id int, ws unix.WaitStatus) {
	st := s.os.decode(s, id, ws)
	p := st.proc
	switch st.kind {
	case stopResume:
		s.resume(&st, 0)
	case stopSignal:
		// One group signal reaches every process of the group: count it
		// once, at the process captrace would pass it on to.
		if st.outside && (st.pid == s.root || !s.launched.has(s.root)) {
			s.signals.record(syscall.Signal(st.sig), time.Now())
		}
		s.resume(&st, st.sig)
	case stopTrap:
		if p != nil && s.onBreakpoint(p, st.tid) {
			s.resume(&st, 0)
		} else {
			s.resume(&st, st.sig)
		}
	case stopGroup:
		// Stay stopped until SIGCONT, as without a tracer.
		if err := s.os.listen(st.tid); err != nil && err != unix.ESRCH {
			s.warnf("thread %d: cannot leave it in its group-stop: %v", st.tid, err)
		}
	case stopFirst:
		s.onFirstStop(st.task)
	case stopNewTask:
		s.onNewTask(p, &st)
		s.resume(&st, 0)
	case stopExec:
		if p != nil {
			if err := s.onExec(p, st.tid, st.exe); err != nil {
				s.warnf("%v", err)
			}
		}
		s.resume(&st, 0)
	case stopThreadExit:
		s.state.threadExited(st.tid)
		s.resume(&st, 0)
	case stopSyscall:
		s.onSyscall(p, &st)
	case stopRefused:
		s.onRefused(p, &st)
	}
	s.flush()
}

// onFirstStop: a new thread or child stopped for the first time. Until its
// creator has announced it, it is not known to belong anywhere: hold it.
func (s *session) onFirstStop(task int) {
	if s.state.process(task) == nil {
		s.early[task] = true
		return
	}
	delete(s.expected, task)
	s.startTask(task)
}

// startTask lets a new thread or child run, once both its first stop and
// its announcement have been seen.
func (s *session) startTask(task int) {
	p := s.state.process(task)
	if task == p.pid {
		gone, err := s.os.startProcess(s, p)
		if err != nil {
			s.warnf("child %d: %v", p.pid, err)
		}
		if gone {
			return
		}
	}
	if err := s.os.resume(p.pid, task, 0); err != nil && err != unix.ESRCH {
		s.warnf("cannot resume %d: %v", task, err)
	}
}

// onNewTask registers a thread or child that a traced thread created.
func (s *session) onNewTask(parent *process, st *stop) {
	child := st.child
	if parent == nil || child <= 0 || s.state.process(child) != nil {
		return
	}
	if st.thread {
		s.state.addThread(child, parent)
	} else {
		p := s.state.addProcess(child, parent.exe, parent)
		// The child's memory is a copy of its parent's: same maps, and the
		// same breakpoint bytes, which must be handled in it too.
		p.maps = parent.maps
		p.bps = parent.bps.forked()
		p.quiet = parent.quiet || s.cfg.NoFollow
		p.vforked = st.vfork
		p.os = parent.os.forked()
		s.launched.add(child)
		if st.vfork {
			s.rememberVforkCaller(parent, st.tid, p)
		}
	}
	if s.early[child] {
		delete(s.early, child)
		s.startTask(child)
	} else {
		s.expected[child] = true
	}
}

// rememberVforkCaller keeps the stack of a thread that vforked. The child
// shares its memory until it execs, and posix_spawn runs it on a stack of
// its own that ends at clone: its violations (the execve) would have no
// frame of the program without the caller's.
func (s *session) rememberVforkCaller(parent *process, tid int, child *process) {
	if !parent.inCapMode {
		return
	}
	regs, err := s.os.getRegs(tid)
	if err != nil {
		return
	}
	child.vforkCaller = s.unwind(parent, &regs)
}

// withVforkCaller appends the vfork caller's stack to a stack of the child
// that has no frame of the program itself (a vfork() child runs on its
// parent's stack and has them already).
func (s *session) withVforkCaller(p *process, pcs []symbolize.PC) []symbolize.PC {
	if p.vforkCaller == nil || p.maps == nil {
		return pcs
	}
	for _, pc := range pcs {
		if m := p.maps.Find(pc.Addr); m != nil && m.Path == p.exe {
			return pcs
		}
	}
	out := append(pcs, p.vforkCaller...)
	if len(out) > s.depth {
		out = out[:s.depth]
	}
	return out
}

// onExec: the process now runs a new image; tid is stopped before its
// first instruction.
func (s *session) onExec(p *process, tid int, exe string) error {
	s.state.execed(p, exe)
	if tid != p.pid {
		s.state.addThread(tid, p) // FreeBSD: the thread keeps its own id
	}
	p.closeMemory()
	p.maps, p.bps, p.vforked, p.vforkCaller = nil, nil, false, nil
	var plan enterPlan
	planned := false
	if !p.inCapMode {
		plan, planned = s.planImage(p)
	}
	// The planner opened the image already and says whether it was built
	// against the shim; else one look at its sections (once per file).
	if plan.shimKnown {
		p.shim = plan.shim
	} else {
		p.shim = s.builtWithShim(exe)
	}
	if err := s.os.execed(s, p); err != nil {
		return &Error{Pid: p.pid, Op: "after exec", Err: err, Status: StatusFailure}
	}
	if !planned {
		return nil
	}
	return s.setUpEnter(p, tid, plan)
}

// builtWithShim reports whether the image at exe was built against the
// Capsicum shim, once per file.
func (s *session) builtWithShim(exe string) bool {
	return s.shimImages.get(exe, "", func() bool { return builtWithShim(exe) })
}

// beginImage plans and sets up the enter point of the image p runs, unless
// it is in capability mode already.
func (s *session) beginImage(p *process, tid int) error {
	if p.inCapMode {
		return nil
	}
	plan, ok := s.planImage(p)
	if !ok {
		return nil
	}
	return s.setUpEnter(p, tid, plan)
}

// setUpEnter carries out an image's plan: capability mode at once
// (--enter=exec), or its breakpoints.
func (s *session) setUpEnter(p *process, tid int, plan enterPlan) error {
	if plan.atExec {
		if err := s.enterCapMode(p, tid, nil); err != nil {
			return &Error{Pid: p.pid, Op: "--enter=exec", Err: err, Status: StatusFailure}
		}
		return nil
	}
	if !plan.needsBreakpoints() {
		return nil
	}
	p.bps = newBreakpointTable(plan, s.cfg.Warnings)
	if th, err := s.thread(p, tid); err == nil {
		p.bps.plantEntry(th, p.exe)
	}
	return nil
}

// planImage decides how the enter point of p's new image is found: PROGRAM
// has the plan made before it started; images execed after it are planned
// quietly (a program that cannot be planned runs without an enter point).
func (s *session) planImage(p *process) (enterPlan, bool) {
	if kernelCapEnter && s.cfg.Enter == EnterCapEnter {
		return enterPlan{}, false
	}
	if s.rootPlanned || p.pid != s.root {
		r := s.laterPlans.get(p.exe, s.cfg.Enter, func() planResult {
			plan, err := planLaterImage(p.exe, s.cfg.Enter, s.cfg.finder(false))
			return planResult{plan, err}
		})
		return r.plan, r.err == nil
	}
	if s.planDeferred && isEnvLauncher(p.exe) {
		// "#!/usr/bin/env python3": env only finds the interpreter and
		// execs it; that next image is the one to plan.
		return enterPlan{}, false
	}
	s.rootPlanned = true
	if !s.planDeferred {
		return s.plan, true
	}
	// PROGRAM is a script: this is its interpreter.
	plan, err := planEnterWith(p.exe, s.cfg.Enter, s.cfg.Warnings, s.cfg.finder(false))
	if err != nil {
		fmt.Fprintln(s.cfg.Warnings, err)
		return plan, false
	}
	return plan, true
}

// enterCapMode: p reached its enter point (th: at a breakpoint; nil: at
// exec).
func (s *session) enterCapMode(p *process, tid int, th *stoppedThread) error {
	already := p.inCapMode
	var regs *registers
	if th != nil {
		regs = &th.regs
	}
	s.noteEnterSite(p, tid, regs, true)
	s.markEntered(p)
	if already {
		return nil
	}
	return s.os.enterCapMode(s, p, tid, th)
}

// noteEnterSite records where the first process to reach the enter point
// reached it, unwinding its stack now, while the thread is stopped: at a
// breakpoint on the enter function's first instruction (atBreakpoint),
// or after a syscall (FreeBSD's cap_enter(2), the Capsicum shim's). regs
// nil: at exec, where there is no caller to name.
func (s *session) noteEnterSite(p *process, tid int, regs *registers, atBreakpoint bool) {
	if s.enterSite != nil {
		return
	}
	s.enterSite = &event.EnterPoint{Pid: p.pid, Tid: tid}
	if regs == nil {
		s.enterSite.Exec = p.exe
		return
	}
	// The report names the enter function's caller: the program's frames
	// are enough.
	walk := func(mm *symbolize.ModuleMap, r symbolize.Regs, mem symbolize.Memory, _ int) ([]symbolize.PC, bool) {
		return s.unwinder.UnwindToProgram(mm, r, mem, enterSiteDepth, atBreakpoint)
	}
	s.enterSite.Stack = s.unwindFrom(p, regs, walk)
	s.enterSite.Maps = p.maps
}

// enterSiteDepth bounds the enter site's walk: the enter function, its
// wrappers and callers.
const enterSiteDepth = 16

func (s *session) markEntered(p *process) {
	p.inCapMode = true
	s.enterReached = true
}

// onBreakpoint handles a SIGTRAP that may be one of ours; it reports false
// for a SIGTRAP the program should receive.
func (s *session) onBreakpoint(p *process, tid int) bool {
	if p.bps == nil {
		return false
	}
	th, err := s.thread(p, tid)
	if err != nil {
		return false
	}
	// At the enter point the other threads stop before the breakpoint
	// goes: until capability mode is in force, only the trap keeps them
	// from running into the enter point's code unchecked.
	if p.bps.isEnter(th.pc()) && !p.inCapMode {
		defer s.release(s.os.holdThreads(s, p, tid))
	}
	switch p.bps.onTrap(th) {
	case trapForeign:
		return false
	case trapEnter:
		if err := s.enterCapMode(p, tid, th); err != nil {
			s.warnf("process %d: cannot make the program call cap_enter at %s: %v; its calls are not restricted", p.pid, s.cfg.Enter, err)
		}
	}
	return true
}

// release lets threads held at an enter point go: their stops are handled
// as the loop would have (an interrupt, or what came first: a breakpoint,
// a signal, their exit).
func (s *session) release(held []heldStop) {
	for _, h := range held {
		if h.ws.Exited() || h.ws.Signaled() {
			s.onDeath(h.tid, h.ws)
		} else {
			s.onStop(h.tid, h.ws)
		}
	}
}

// onSyscall decides one trapped syscall. On Linux this is the hot path:
// an allowed call costs one register read.
func (s *session) onSyscall(p *process, st *stop) {
	if p == nil || !s.os.syscallEntry(s, p, st) || !p.inCapMode || p.quiet {
		s.resume(st, 0)
		return
	}
	tr := s.tracee(p)
	verdict := foreignABIVerdict
	if !st.foreign {
		verdict = s.callPolicy(st).Check(st.call, tr)
	}
	if !verdict.Violation() {
		s.resume(st, 0)
		return
	}
	if st.abi != nil {
		verdict.Reason = "through " + st.abiName + ": " + verdict.Reason
	}
	if st.regs == nil {
		regs, err := s.os.getRegs(st.tid)
		if err != nil {
			s.resume(st, 0)
			return
		}
		st.regs = &regs
	}
	ev := s.violation(p, st, verdict, tr)
	if s.cfg.Mode == Enforce && emulatesCapMode {
		s.deny(p, st, verdict)
	}
	s.resume(st, 0)
	s.pending = append(s.pending, ev)
}

// onRefused: the kernel refused a call in capability mode.
func (s *session) onRefused(p *process, st *stop) {
	if p != nil {
		s.markEntered(p)
		s.pending = append(s.pending, s.violation(p, st, st.verdict, s.tracee(p)))
	}
	s.resume(st, 0)
}

// violation builds the event of a violating call while its thread is
// stopped: the arguments and the stack are read now.
func (s *session) violation(p *process, st *stop, v capmode.Verdict, tr *tracee) event.Event {
	stack := s.withVforkCaller(p, s.unwind(p, st.regs))
	var name string
	var args []capmode.Arg
	if st.foreign {
		name, args = fmt.Sprintf("syscall_%d(foreign ABI)", st.call.Nr), capmode.RawArgs(st.call)
	} else {
		name, args = s.callPolicy(st).Describe(st.call, tr)
	}
	return event.Event{
		Pid: p.pid, Tid: st.tid, Syscall: name, Args: args,
		Verdict: v, Stack: stack, Maps: p.maps,
	}
}

// deny makes a violating call fail as capability mode would. It fails
// closed: when the registers cannot be written, the call would run while
// the report says it was denied, so the process is killed first. A fatal
// signal that arrives while the tracee sits in its seccomp stop makes the
// kernel skip the call ("force the syscall to be skipped and let the
// signal kill the process", __seccomp_filter() in kernel/seccomp.c).
func (s *session) deny(p *process, st *stop, v capmode.Verdict) {
	err := s.os.denySyscall(st.tid, st.regs, unix.Errno(s.errnoFor(p, v.Outcome)))
	if err == nil {
		return
	}
	kill := unix.Kill(p.pid, unix.SIGKILL)
	if kill != nil && kill != unix.ESRCH {
		err = errors.Join(err, fmt.Errorf("and cannot kill it: %w", kill))
	}
	s.fail(&Error{
		Pid:    p.pid,
		Op:     fmt.Sprintf("enforce: cannot deny %s (killed the process instead)", s.callPolicy(st).Name(st.call.Nr)),
		Err:    err,
		Status: StatusFailure,
	})
}

// errnoFor is the errno a denied call of p gets in enforce mode: the one
// configured, else EPERM, or the shim's own values for a program built
// against the shim, so that its `errno == ENOTCAPABLE` holds.
func (s *session) errnoFor(p *process, o capmode.Outcome) syscall.Errno {
	errno, shim := s.cfg.ErrnoCapMode, syscall.Errno(shimabi.ErrnoCapMode)
	if o == capmode.NotCapable {
		errno, shim = s.cfg.ErrnoNotCapable, syscall.Errno(shimabi.ErrnoNotCapable)
	}
	switch {
	case errno != 0:
		return errno
	case p.shim:
		return shim
	}
	return syscall.EPERM
}

// fail records the first error that makes the session fail; the session
// goes on with the other processes so the report stays whole.
func (s *session) fail(err error) {
	s.warnf("%v", err)
	if s.failure == nil {
		s.failure = err
	}
}

var foreignABIVerdict = capmode.Verdict{
	Outcome: capmode.CapMode,
	Kind:    capmode.KindSyscall,
	Reason:  "a syscall through an ABI captrace does not decode (x32) cannot be checked and has no FreeBSD counterpart",
	Hint:    "use the native 64-bit syscall ABI",
}

// unwind walks the stopped thread's stack. A PC outside every known module
// means the map is stale (dlopen since it was read): read it again once.
func (s *session) unwind(p *process, regs *registers) []symbolize.PC {
	return s.unwindFrom(p, regs, s.unwinder.Unwind)
}

// unwindFrom is unwind with another walk of the Unwinder (the enter
// site's UnwindToProgram).
func (s *session) unwindFrom(p *process, regs *registers, walk unwindFunc) []symbolize.PC {
	if p.maps == nil || s.os.mapsStale(p) {
		s.refreshMaps(p)
	}
	if p.maps == nil {
		return []symbolize.PC{{Addr: programCounter(regs)}}
	}
	mem := s.memory(p)
	pcs, missed := walk(p.maps, unwindRegs(regs), mem, s.depth)
	if missed {
		s.refreshMaps(p)
		pcs, _ = walk(p.maps, unwindRegs(regs), mem, s.depth)
	}
	return pcs
}

type unwindFunc func(*symbolize.ModuleMap, symbolize.Regs, symbolize.Memory, int) ([]symbolize.PC, bool)

func (s *session) refreshMaps(p *process) {
	if mm, err := s.os.readMaps(p); err == nil {
		p.maps = mm
	}
}

func (s *session) memory(p *process) processMemory {
	if p.mem == nil {
		p.mem = s.os.openMemory(p.pid)
	}
	return p.mem
}

// tracee is p as capmode sees it during one stop; one value serves every
// stop, as stops come one at a time.
func (s *session) tracee(p *process) *tracee {
	t := &s.stopTracee
	t.pid, t.mem, t.s = p.pid, s.memory(p), s
	clear(t.read)
	return t
}

// resume continues the stopped thread (Linux) or process (FreeBSD).
func (s *session) resume(st *stop, sig int) {
	if err := s.os.resume(st.pid, st.tid, sig); err != nil && err != unix.ESRCH {
		s.warnf("cannot resume %d: %v", st.tid, err)
	}
}

// flush hands the violations of the last stop over, now that the tracee
// runs again.
func (s *session) flush() {
	if len(s.pending) == 0 {
		return
	}
	if s.cfg.OnViolation != nil {
		for _, e := range s.pending {
			s.cfg.OnViolation(e)
		}
	}
	clear(s.pending)
	s.pending = s.pending[:0]
}

func (s *session) warnf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Warnings, format+"\n", args...)
}
