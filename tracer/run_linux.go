package tracer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

// ptraceOptions: follow every thread, child and exec; stop at the seccomp
// filter's RET_TRACE; and never let a launched program outlive captrace.
const ptraceOptions = unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK |
	unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC |
	unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL

// Run starts cfg.Program under the launcher and traces it until every
// traced process has exited or cfg.Stop is closed.
func Run(cfg Config) (Result, error) {
	path, err := resolveProgram(cfg.Program)
	if err != nil {
		return Result{}, err
	}
	if cfg.Warnings == nil {
		cfg.Warnings = io.Discard
	}
	plan, deferred, err := planProgram(path, cfg.Enter, cfg.Warnings)
	if err != nil {
		return Result{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return Result{}, errorf(StatusFailure, "captrace: cannot find its own executable: %v", err)
	}
	if cfg.Cache == nil {
		cfg.Cache = symbolize.NewCache(cfg.DebugDirs)
	}
	s := &linuxSession{
		cfg:          cfg,
		plan:         plan,
		planDeferred: deferred,
		table:        capmode.Linux(),
		unwinder:     symbolize.NewUnwinder(cfg.Cache),
		state:        newSessionState(),
		expected:     map[int]bool{},
		orphans:      map[int]unix.WaitStatus{},
	}
	return runSession(cfg.Stop, &s.launched, func() (Result, error) { return s.run(self, path) })
}

// linuxSession is one traced program and its descendants.
type linuxSession struct {
	cfg  Config
	plan enterPlan
	// planDeferred: PROGRAM is a #! script, planned at its interpreter's
	// exec.
	planDeferred bool
	table        *capmode.Table
	unwinder     *symbolize.Unwinder
	state        *sessionState

	root         int
	rootStatus   int
	rootExeced   bool
	enterReached bool

	// expected: threads and children announced by a clone/fork event whose
	// first stop (PTRACE_EVENT_STOP) is still to come.
	expected map[int]bool
	// orphans: new tracees that stopped before the event announcing them.
	orphans map[int]unix.WaitStatus

	launched launchedSet
}

// linuxProcess is the Linux backend's data about one traced process.
type linuxProcess struct {
	maps *symbolize.ModuleMap
	mem  symbolize.Memory
	// bps are the breakpoints that find this image's enter point.
	bps *breakpointTable
	// quiet: a child under --no-follow. It must stay traced (an untraced
	// process gets ENOSYS from SECCOMP_RET_TRACE) but is not reported.
	quiet bool
	// vforkCaller: the stack of the thread that vforked this process, for
	// as long as it shares that thread's memory (until its exec).
	vforkCaller []symbolize.PC
}

func (s *linuxSession) run(self, path string) (Result, error) {
	// The launcher starts untraced and waits until it is (launcher_linux.go):
	// PTRACE_SEIZE, unlike PTRACE_TRACEME, reports group-stops as such, so
	// a program stopped by SIGTSTP or SIGSTOP really stops, as without
	// captrace, and resumes on SIGCONT.
	files := inheritedFDs()
	ready, readyW, err := os.Pipe()
	if err != nil {
		return Result{}, errorf(StatusFailure, "captrace: %v", err)
	}
	defer ready.Close()
	// The pipe takes the lowest free number above stderr, like open(2):
	// the end of the table may be past RLIMIT_NOFILE.
	readyFD := 3
	for readyFD < len(files) && files[readyFD] != closedFD {
		readyFD++
	}
	if readyFD == len(files) {
		files = append(files, closedFD)
	}
	files[readyFD] = readyW.Fd()
	argv := append([]string{self, launcherArg, strconv.Itoa(readyFD), path, s.cfg.Program}, s.cfg.Args...)
	pid, err := syscall.ForkExec(self, argv, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: files,
	})
	readyW.Close()
	if err != nil {
		return Result{}, errorf(StatusFailure, "captrace: cannot start the launcher: %v", err)
	}
	s.root = pid
	s.launched.add(s.root)
	if _, err := ready.Read(make([]byte, 1)); err != nil {
		unix.Wait4(s.root, nil, 0, nil)
		return Result{}, errorf(StatusFailure, "captrace: the launcher did not start")
	}
	if err := seize(s.root, ptraceOptions); err != nil {
		unix.Kill(s.root, unix.SIGKILL)
		unix.Wait4(s.root, nil, 0, nil)
		return Result{}, seizeError(err)
	}
	p := s.state.addProcess(s.root, self, nil)
	p.backend = &linuxProcess{}
	s.loop()
	return Result{
		ExitStatus:   s.rootStatus,
		Processes:    s.state.seen,
		Interrupted:  s.launched.wasKilled(),
		EnterReached: s.enterReached,
		Enter:        s.plan.what,
	}, nil
}

// seize attaches to pid with options set at once (PTRACE_SETOPTIONS would
// need a stopped tracee); x/sys's PtraceSeize passes no options.
func seize(pid, options int) error {
	_, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, uintptr(options), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func seizeError(err error) error {
	if errors.Is(err, unix.EPERM) {
		return errorf(StatusFailure, "captrace: not allowed to trace (ptrace: %v); is captrace itself traced, or ptrace disabled by a container or kernel.yama.ptrace_scope?", unix.EPERM)
	}
	return errorf(StatusFailure, "captrace: cannot trace the launcher: %v", err)
}

// loop waits for every stop of every tracee until none is left.
func (s *linuxSession) loop() {
	// __WALL: threads report like processes (wait4(2)).
	waitAll(unix.WALL, s.onDeath, s.onStop)
}

func (s *linuxSession) onDeath(tid int, ws unix.WaitStatus) {
	delete(s.expected, tid)
	delete(s.orphans, tid)
	p, gone := s.state.threadExited(tid)
	if !gone {
		return
	}
	s.launched.remove(p.pid)
	if p.pid == s.root {
		if ws.Exited() {
			s.rootStatus = ws.ExitStatus()
		} else {
			s.rootStatus = 128 + int(ws.Signal())
		}
	}
}

func (s *linuxSession) onStop(tid int, ws unix.WaitStatus) {
	sig := ws.StopSignal()
	event := int(uint32(ws) >> 16)
	if event == unix.PTRACE_EVENT_STOP {
		s.onEventStop(tid, ws, sig)
		return
	}
	if sig == unix.SIGTRAP && event != 0 {
		s.onEvent(tid, event)
		return
	}
	p := s.state.process(tid)
	if p == nil {
		s.orphans[tid] = ws
		return
	}
	if sig == unix.SIGTRAP && s.onBreakpoint(tid, p) {
		return
	}
	// A signal on its way to the program: deliver it.
	s.resume(tid, int(sig))
}

// onEventStop handles PTRACE_EVENT_STOP, which a seized tracee reports for
// its first stop (a new thread or child) and for group-stops.
func (s *linuxSession) onEventStop(tid int, ws unix.WaitStatus, sig unix.Signal) {
	if s.state.process(tid) == nil {
		// A new thread or child reported its first stop before its parent
		// reported creating it: hold it until then.
		s.orphans[tid] = ws
		return
	}
	if s.expected[tid] {
		delete(s.expected, tid)
		s.resume(tid, 0)
		return
	}
	switch sig {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		// A group-stop: stay stopped until SIGCONT, as without a tracer
		// (ptrace(2), PTRACE_LISTEN).
		unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_LISTEN, uintptr(tid), 0, 0, 0, 0)
	default:
		s.resume(tid, 0)
	}
}

func (s *linuxSession) onEvent(tid, event int) {
	switch event {
	case unix.PTRACE_EVENT_SECCOMP:
		s.onSeccomp(tid)
		return
	case unix.PTRACE_EVENT_CLONE, unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK:
		if msg, err := unix.PtraceGetEventMsg(tid); err == nil {
			s.onNewTask(tid, int(msg), event == unix.PTRACE_EVENT_CLONE)
			if event == unix.PTRACE_EVENT_VFORK {
				s.rememberVforkCaller(tid, int(msg))
			}
		}
	case unix.PTRACE_EVENT_EXEC:
		s.onExec(tid)
	}
	s.resume(tid, 0)
}

// onNewTask registers a thread or child that tid created. A clone event
// can still create a process (clone without CLONE_THREAD), so the kernel's
// own view decides: a thread shares its creator's thread group.
func (s *linuxSession) onNewTask(parentTid, child int, cloneEvent bool) {
	parent := s.state.process(parentTid)
	if parent == nil {
		return
	}
	if cloneEvent && threadGroupOf(child) == parent.pid {
		s.state.addThread(child, parent)
	} else {
		p := s.state.addProcess(child, parent.exe, parent)
		pb := parent.backend.(*linuxProcess)
		// The child's memory is a copy of its parent's: same maps, and the
		// same breakpoint bytes, which must be handled in it too.
		p.backend = &linuxProcess{maps: pb.maps, quiet: pb.quiet || s.cfg.NoFollow, bps: pb.bps.forked()}
		s.launched.add(child)
	}
	if _, ok := s.orphans[child]; ok {
		delete(s.orphans, child)
		s.resume(child, 0)
	} else {
		s.expected[child] = true
	}
}

// rememberVforkCaller keeps the stack of a thread that vforked. The child
// shares its memory until it execs, and posix_spawn runs it on a stack of
// its own that ends at clone: its violations (the execve) would have no
// frame of the program without the caller's.
func (s *linuxSession) rememberVforkCaller(parentTid, child int) {
	parent, cp := s.state.process(parentTid), s.state.process(child)
	if parent == nil || cp == nil || !parent.inCapMode {
		return
	}
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(parentTid, &regs); err != nil {
		return
	}
	cp.backend.(*linuxProcess).vforkCaller = s.unwind(parent, parent.backend.(*linuxProcess), &regs)
}

// withVforkCaller appends the vfork caller's stack to a stack of the child
// that has no frame of the program itself (a vfork() child runs on its
// parent's stack and has them already).
func (s *linuxSession) withVforkCaller(p *process, lp *linuxProcess, pcs []symbolize.PC) []symbolize.PC {
	if lp.vforkCaller == nil || lp.maps == nil {
		return pcs
	}
	for _, pc := range pcs {
		if m := lp.maps.Find(pc.Addr); m != nil && m.Path == p.exe {
			return pcs
		}
	}
	out := append(pcs, lp.vforkCaller...)
	if depth := s.cfg.Depth; depth > 0 && len(out) > depth {
		out = out[:depth]
	}
	return out
}

// threadGroupOf reads the thread group (process) id of a task.
func threadGroupOf(tid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tid))
	if err != nil {
		return -1
	}
	if _, rest, ok := strings.Cut(string(data), "\nTgid:\t"); ok {
		if tgid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])); err == nil {
			return tgid
		}
	}
	return -1
}

// onExec: the process now runs a new image. Linux reports the exec at the
// thread-group leader's id even when another thread called execve; the
// event message holds the caller's former id.
func (s *linuxSession) onExec(tid int) {
	former, _ := unix.PtraceGetEventMsg(tid)
	p := s.state.process(tid)
	if p == nil {
		p = s.state.process(int(former))
	}
	if p == nil {
		return
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", tid))
	s.state.execed(p, exe)
	old := p.backend.(*linuxProcess)
	lp := &linuxProcess{quiet: old.quiet}
	p.backend = lp
	if p.inCapMode {
		return
	}
	plan, err := s.plan, error(nil)
	switch {
	case s.rootExeced || tid != s.root:
		plan, err = planLaterImage(exe, s.cfg.Enter)
	case s.planDeferred && isEnvLauncher(exe):
		// "#!/usr/bin/env python3": env only finds the interpreter and
		// execs it; that next image is the one to plan.
		return
	case s.planDeferred: // PROGRAM is a script: this is its interpreter
		if plan, err = planEnter(exe, s.cfg.Enter, s.cfg.Warnings); err != nil {
			fmt.Fprintln(s.cfg.Warnings, err)
		}
	}
	s.rootExeced = true
	if err != nil {
		return
	}
	if plan.atExec {
		s.enterCapMode(p)
		return
	}
	if !plan.needsBreakpoints() {
		return
	}
	lp.bps = newBreakpointTable(plan, s.cfg.Warnings)
	if th, err := s.thread(tid, p); err == nil {
		lp.bps.plantEntry(th, exe)
	}
}

func (s *linuxSession) enterCapMode(p *process) {
	p.inCapMode = true
	s.enterReached = true
}

// onSeccomp decides one trapped syscall. This is the hot path: allowed
// calls return after one register read.
func (s *linuxSession) onSeccomp(tid int) {
	p := s.state.process(tid)
	if p == nil {
		s.resume(tid, 0)
		return
	}
	lp := p.backend.(*linuxProcess)
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &regs); err != nil {
		s.resume(tid, 0)
		return
	}
	if isClone(syscallNr(&regs)) {
		clearUntraced(tid, &regs)
	}
	if !p.inCapMode || lp.quiet {
		s.resume(tid, 0)
		return
	}
	call := capmode.Call{Nr: syscallNr(&regs), Args: syscallArgs(&regs)}
	tr := &tracee{pid: p.pid, mem: s.memory(p.pid, lp)}
	// The filter marks calls of another ABI, whose numbers and argument
	// registers mean other things: judged and printed as unknown.
	foreign := false
	if data, _ := unix.PtraceGetEventMsg(tid); data == traceForeign {
		foreign = true
	}
	verdict := foreignABIVerdict
	if !foreign {
		verdict = s.table.Check(call, tr)
	}
	if !verdict.Violation() {
		s.resume(tid, 0)
		return
	}
	stack := s.withVforkCaller(p, lp, s.unwind(p, lp, &regs))
	name, args := fmt.Sprintf("syscall_%d(foreign ABI)", call.Nr), rawArgs(call)
	if !foreign {
		name, args = s.table.Name(call.Nr), s.table.Decode(call, tr)
	}
	if s.cfg.Mode == Enforce {
		errno := s.cfg.ErrnoCapMode
		if verdict.Outcome == capmode.NotCapable {
			errno = s.cfg.ErrnoNotCapable
		}
		skipSyscall(&regs, unix.Errno(errno))
		unix.PtraceSetRegs(tid, &regs)
	}
	s.resume(tid, 0)
	if s.cfg.OnViolation != nil {
		s.cfg.OnViolation(event.Event{
			Pid: p.pid, Tid: tid, Syscall: name, Args: args,
			Verdict: verdict, Stack: stack, Maps: lp.maps,
		})
	}
}

// rawArgs keeps arguments with no known meaning: printed in hex, as
// strace does.
func rawArgs(c capmode.Call) []capmode.Arg { return capmode.RawArgs(c) }

var foreignABIVerdict = capmode.Verdict{
	Outcome: capmode.CapMode,
	Kind:    capmode.KindSyscall,
	Reason:  "a syscall through another ABI (int 0x80 or x32) cannot be checked and has no FreeBSD counterpart",
	Hint:    "use the native 64-bit syscall ABI",
}

// unwind walks the stopped thread's stack. A PC outside every known module
// means the map is stale (dlopen since it was read): read it again once.
func (s *linuxSession) unwind(p *process, lp *linuxProcess, regs *unix.PtraceRegs) []symbolize.PC {
	depth := s.cfg.Depth
	if depth <= 0 {
		depth = 64
	}
	if lp.maps == nil {
		s.refreshMaps(p.pid, lp)
	}
	if lp.maps == nil {
		return []symbolize.PC{{Addr: programCounter(regs)}}
	}
	mem := s.memory(p.pid, lp)
	pcs, missed := s.unwinder.Unwind(lp.maps, unwindRegs(regs), mem, depth)
	if missed {
		s.refreshMaps(p.pid, lp)
		pcs, _ = s.unwinder.Unwind(lp.maps, unwindRegs(regs), mem, depth)
	}
	return pcs
}

func (s *linuxSession) refreshMaps(pid int, lp *linuxProcess) {
	if mm, err := symbolize.ReadMaps(pid); err == nil {
		lp.maps = mm
	}
}

func (s *linuxSession) memory(pid int, lp *linuxProcess) symbolize.Memory {
	if lp.mem == nil {
		lp.mem = symbolize.ProcMemory(pid)
	}
	return lp.mem
}

func (s *linuxSession) resume(tid, sig int) {
	unix.PtraceCont(tid, sig)
}
