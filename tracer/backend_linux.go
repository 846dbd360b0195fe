package tracer

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/symbolize"
)

// The Linux backend: capability mode is emulated. Until its enter point a
// process runs with no filter (one built against the Capsicum shim under
// the launch filter, launchfilter_linux.go, which stops almost nothing);
// at the enter point the process installs the capability-mode filter
// (seccomp_linux.go), injected (filterinject_linux.go), which stops only
// the calls that can violate,
// at PTRACE_EVENT_SECCOMP; the tracer judges them with capmode's Linux
// table and, in enforce mode, skips the denied ones. An attached process
// (-p, attach_linux.go) gets no filter: it is traced with syscall stops.

const (
	// kernelCapEnter: Linux has no cap_enter(2); the enter point is a
	// function of the program, found with breakpoints.
	kernelCapEnter = false
	// emulatesCapMode: the tracer itself denies calls in enforce mode.
	emulatesCapMode = true
	// waitReportsProcesses: wait4 reports each thread (__WALL).
	waitReportsProcesses = false
	// waitOptions: __WALL, so threads report like processes (wait4(2)).
	waitOptions = unix.WALL
)

// ptraceOptions: follow every thread, child and exec; stop at the seccomp
// filter's RET_TRACE; and never let a launched program outlive captrace.
const ptraceOptions = unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK |
	unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC |
	unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL | unix.PTRACE_O_TRACESYSGOOD

func platformPolicy() policy { return capmode.Linux() }

// osBackend is the Linux backend.
type osBackend struct {
	// capModeProg: the capability-mode filter, assembled at the first
	// enter point, for injection; launchProg: the launch filter, at the
	// first exec of an image built against the shim.
	capModeProg, launchProg []bpf.RawInstruction
	// attached: the session attached to running processes (-p): no
	// filter, syscall stops, and a detach at the end.
	attached bool
	// rights: the emulation of descriptor rights (rights_linux.go).
	rights rightsSession
	// stops counts the stops decoded, for spareProcessor.
	stops int
}

func newBackend(cfg *Config) (*osBackend, error) {
	prepareRuntime()
	return &osBackend{attached: len(cfg.Attach) > 0}, nil
}

// osProcess is the Linux backend's data about one process.
type osProcess struct {
	// capModeFilter: the capability-mode filter is installed (at the start
	// for --enter=exec, else injected at the enter point, or inherited
	// from the parent). It survives exec.
	capModeFilter bool
	// launchFilter: the launch filter is installed (in an image built
	// against the shim, or inherited). It survives exec.
	launchFilter bool
	// rights: its descriptor rights (rights_linux.go).
	rights rightsProcess
	// image: addresses in the image it runs (auxv_linux.go).
	image imageAddrs
}

func (o *osProcess) forked() *osProcess {
	return &osProcess{capModeFilter: o.capModeFilter, launchFilter: o.launchFilter, rights: o.rights.forked(), image: o.image}
}

// osStop: nothing beyond the wait status.
type osStop struct{}

// start starts PROGRAM traced and stopped before its first instruction,
// with its first filter in place if it needs one (start_linux.go), plans
// its enter point and lets it run.
func (b *osBackend) start(s *session, path string, argv []string) error {
	// --suggest-rights names where each descriptor was opened, so the
	// opens before the enter point must stop too: the learning run starts
	// under the capability-mode filter, as --enter=exec does.
	fullFilter := s.plan.atExec || s.cfg.SuggestRights
	shimFilter := !fullFilter && s.builtWithShim(path)
	var prog []bpf.RawInstruction
	if fullFilter || shimFilter {
		filter := launchFilter(auditArch)
		if fullFilter {
			filter = capModeFilter()
		}
		var err error
		if prog, err = bpf.Assemble(filter); err != nil {
			return failure("cannot build the seccomp filter", err)
		}
	}
	pid, err := startTraced(path, argv, inheritedFDs(), prog, ptraceOptions)
	if err != nil {
		return startFailure(path, err)
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	p := s.addRoot(pid, exe)
	p.os = &osProcess{capModeFilter: fullFilter, launchFilter: shimFilter}
	// Stopped as at the exec of a later image: plan the enter point now.
	if err := s.onExec(p, pid, exe); err != nil {
		s.warnf("%v", err)
	}
	if err := letRun(pid); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return failure("cannot start the program", err)
	}
	return nil
}

// startFailure words a failure of startTraced.
func startFailure(path string, err error) error {
	se, ok := err.(*startError)
	if !ok {
		return failure("cannot start the program", err)
	}
	switch se.stage {
	case "exec":
		// The program was checked before; this is a race or an odd file.
		status := StatusNotExecutable
		if errors.Is(se.err, unix.ENOENT) {
			status = StatusNotFound
		}
		return &Error{Path: path, Err: se.err, Status: status}
	case "trace":
		return seizeError(se.err)
	}
	return &Error{Path: path, Op: se.stage, Err: se.err, Status: StatusFailure}
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
		return failure("", fmt.Errorf("not allowed to trace (ptrace: %w); is captrace itself traced, or ptrace disabled by a container or kernel.yama.ptrace_scope?", err))
	}
	return failure("cannot trace the program", err)
}

func (b *osBackend) decode(s *session, tid int, ws unix.WaitStatus) stop {
	if b.stops++; b.stops == spareAfterStops {
		spareProcessor()
	}
	st := stop{tid: tid, task: tid}
	p := s.state.process(tid)
	if p != nil {
		st.proc, st.pid = p, p.pid
	}
	sig := ws.StopSignal()
	event := int(uint32(ws) >> 16)
	switch {
	case sig == syscallStopSignal && b.attached:
		// An attached thread's syscall stop: its entry is judged.
		st.kind = stopResume
		op, abi, err := syscallStop(tid)
		if err == nil && op == syscallInfoEntry && p != nil {
			st.kind, st.foreign = stopSyscall, abi == traceForeign
			if abi == traceCompat {
				st.abi, st.abiName = compatPolicy(), compatABIName
			}
		}
	case event == unix.PTRACE_EVENT_STOP:
		// A seized tracee reports its first stop (a new thread or child)
		// and its group-stops this way.
		switch {
		case p == nil || s.expected[tid]:
			st.kind = stopFirst
		case sig == unix.SIGSTOP || sig == unix.SIGTSTP || sig == unix.SIGTTIN || sig == unix.SIGTTOU:
			st.kind = stopGroup
		default:
			st.kind = stopResume
		}
	case sig == unix.SIGTRAP && event == unix.PTRACE_EVENT_SECCOMP:
		st.kind = stopSyscall
	case sig == syscallStopSignal && event == 0:
		// A syscall stop (PTRACE_O_TRACESYSGOOD) of a process whose
		// descriptor calls are checked (rights_linux.go).
		st.kind = stopResume
		if p != nil {
			b.onSyscallStop(s, p, tid)
		}
	case sig == unix.SIGTRAP && (event == unix.PTRACE_EVENT_CLONE || event == unix.PTRACE_EVENT_FORK || event == unix.PTRACE_EVENT_VFORK):
		st.kind = stopResume
		msg, err := unix.PtraceGetEventMsg(tid)
		if err != nil || p == nil {
			break
		}
		st.kind, st.child, st.vfork = stopNewTask, int(msg), event == unix.PTRACE_EVENT_VFORK
		// A clone event can still create a process (clone without
		// CLONE_THREAD): the kernel's own view decides.
		st.thread = event == unix.PTRACE_EVENT_CLONE && threadGroupOf(st.child) == p.pid
	case sig == unix.SIGTRAP && event == unix.PTRACE_EVENT_EXEC:
		// Linux reports the exec at the thread-group leader's id even when
		// another thread called execve; the event message holds the
		// caller's former id.
		st.kind = stopResume
		if p == nil {
			former, _ := unix.PtraceGetEventMsg(tid)
			if p = s.state.process(int(former)); p == nil {
				break
			}
			st.proc, st.pid = p, p.pid
		}
		st.kind = stopExec
		st.exe, _ = os.Readlink(fmt.Sprintf("/proc/%d/exe", tid))
	case event != 0:
		st.kind = stopResume
	case p == nil:
		// A new thread or child stopped before its creator's event.
		st.kind = stopFirst
	case sig == unix.SIGTRAP:
		st.kind, st.sig = stopTrap, int(sig)
	default:
		st.kind, st.sig = stopSignal, int(sig)
		if forwardedSignal(sig) {
			st.outside = s.outsideSignal(signalOrigin(tid))
		}
	}
	return st
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

// syscallEntry reads the call at a seccomp stop (or, attached, a syscall
// entry stop). clone and clone3 stop (untraced_linux.go) and lose
// CLONE_UNTRACED here. This is the hot path: raw requests
// (ptraceraw_linux.go).
func (b *osBackend) syscallEntry(s *session, p *process, st *stop) bool {
	var regs registers
	if err := getRegs(st.tid, &regs); err != nil {
		return false
	}
	st.regs = &regs
	st.call = capmode.Call{Nr: syscallNr(&regs), Args: syscallArgs(&regs)}
	switch {
	case st.call.Nr == -1:
		// Skipped at its syscall-entry stop (rights_linux.go): nothing
		// runs, nothing to judge.
		return false
	case shimabi.IsReserved(st.call.Nr):
		b.onShim(s, p, st.tid, &regs)
		return false
	}
	if s.suggest != nil && !p.inCapMode {
		b.rememberOpen(s, p, st.tid, &regs)
	}
	judge := p.inCapMode && !p.quiet
	// Which ABI the call came through: the numbers and argument registers
	// of another ABI mean other things, so only a native clone has its
	// flags where clearUntraced looks. The filter says so in its event
	// message; an attached thread's stop said so already, in decode.
	abi := uint64(traceNative)
	switch {
	case b.attached:
		if st.abi != nil {
			abi = traceCompat
		} else if st.foreign {
			abi = traceForeign
		}
	case judge || isClone(st.call.Nr):
		if data, err := eventMsg(st.tid); err == nil {
			abi = data
		}
	}
	if abi == traceNative && isClone(st.call.Nr) {
		if err := clearUntraced(st.tid, &regs); err != nil {
			s.warnf("thread %d: cannot clear CLONE_UNTRACED, its child may run untraced and fail with ENOSYS: %v", st.tid, err)
		}
	}
	if !judge {
		return false
	}
	switch abi {
	case traceNative:
	case traceCompat:
		st.call.Args = syscallArgsCompat(&regs)
		st.abi, st.abiName = compatPolicy(), compatABIName
	default:
		st.foreign = true // judged and printed as unknown
	}
	return true
}

// writeSyscallRegs writes the registers that deny a call. It is a variable
// so that a test can make it fail and prove that enforce mode fails
// closed.
var writeSyscallRegs = setRegs

func (b *osBackend) denySyscall(tid int, r *registers, errno unix.Errno) error {
	skipSyscall(r, errno)
	if err := writeSyscallRegs(tid, r); err != nil {
		return fmt.Errorf("PTRACE_SETREGS: %w", err)
	}
	return nil
}

// startProcess: a child of a process whose descriptor calls are checked
// inherits its limits, so its calls are checked too.
func (b *osBackend) startProcess(s *session, p *process) (bool, error) {
	if b.wantsSyscallStops(s, p) {
		b.startStepping(s, p, p.pid)
	}
	return false, nil
}

// entryPoint: AT_ENTRY of p's auxiliary vector, one small read where the
// memory map would open every mapped file.
func (b *osBackend) entryPoint(p *process) (uint64, bool) {
	p.os.image.readAuxv(p.pid)
	return p.os.image.entry, p.os.image.entry != 0
}

// execed: exec closed the close-on-exec descriptors; the others keep
// their limits. An image built against the shim gets the launch filter
// now, at its exec stop, before its first instruction, unless a filter
// that traps the shim's numbers is in place already.
func (b *osBackend) execed(s *session, p *process) error {
	p.os.image = imageAddrs{}
	b.rightsExeced(s, p)
	if !p.shim || p.quiet || p.os.capModeFilter || p.os.launchFilter || b.attached {
		return nil
	}
	if b.launchProg == nil {
		raw, err := bpf.Assemble(launchFilter(auditArch))
		if err != nil {
			return fmt.Errorf("cannot build the launch filter: %w", err)
		}
		b.launchProg = raw
	}
	err := injectFilter(p.pid, p.pid, &p.os.image, injectAtExec, b.launchProg, 0)
	if gone, ok := err.(*errTraceeGone); ok {
		s.onDeath(p.pid, gone.status)
		return fmt.Errorf("the program exited at its exec")
	}
	if err != nil {
		return fmt.Errorf("cannot install the launch filter, so the shim's cap_enter() is not seen: %w", err)
	}
	p.os.launchFilter = true
	return nil
}

// enterCapMode installs the capability-mode filter in p: the thread at the
// enter point runs prctl and seccomp(TSYNC) itself (syscall injection),
// for every thread of the process. At a breakpoint (th) the session holds
// the other threads already (holdThreads, before the breakpoint goes).
// Without th the thread is at a syscall's entry (the Capsicum shim's
// cap_enter, whose result is in its registers already) and the other
// threads are held here; at exec nothing is left to do, since only
// --enter=exec plans there and startTraced installed the filter. A
// process that inherited the filter, or one that is not reported
// (--no-follow), needs nothing.
func (b *osBackend) enterCapMode(s *session, p *process, tid int, th *stoppedThread) error {
	if s.suggest != nil {
		b.suggestEnter(s, p, tid)
	}
	if p.os.capModeFilter || p.quiet {
		return nil
	}
	kind, pendingRet := injectOutsideSyscall, int64(0)
	if th == nil {
		regs, err := b.getRegs(tid)
		if err != nil {
			return err
		}
		kind, pendingRet = injectAtSyscallEntry, syscallReturn(&regs)
		defer s.release(b.holdThreads(s, p, tid))
	}
	if b.capModeProg == nil {
		raw, err := bpf.Assemble(capModeFilter())
		if err != nil {
			return fmt.Errorf("cannot build the seccomp filter: %w", err)
		}
		b.capModeProg = raw
	}
	err := injectFilter(p.pid, tid, &p.os.image, kind, b.capModeProg, pendingRet)
	if gone, ok := err.(*errTraceeGone); ok {
		s.onDeath(tid, gone.status)
		return fmt.Errorf("the thread at the enter point exited")
	}
	if err != nil {
		return fmt.Errorf("cannot install the capability-mode filter, its calls are not checked: %w", err)
	}
	p.os.capModeFilter = true
	return nil
}

// holdThreads stops every thread of p but tid before the enter point's
// breakpoint goes (quiesce_linux.go); FreeBSD's stops halt the whole
// process anyway.
func (b *osBackend) holdThreads(s *session, p *process, tid int) []heldStop {
	if p.os.capModeFilter || p.quiet {
		return nil
	}
	tids := make([]int, 0, len(p.threads))
	for t := range p.threads {
		tids = append(tids, t)
	}
	return holdOtherThreads(tids, tid)
}

// resume continues a thread: to its next syscall stop when attached, or
// when its process's descriptor calls are checked or its call's exit must
// be seen (rights_linux.go).
func (b *osBackend) resume(pid, tid, sig int) error {
	if b.attached || b.rights.stepping[pid] || b.rights.exits[tid] != nil {
		return resumeSyscall(tid, sig)
	}
	return resumeRaw(tid, sig)
}

// listen leaves a group-stopped tracee stopped until SIGCONT, as without a
// tracer (ptrace(2), PTRACE_LISTEN).
func (b *osBackend) listen(tid int) error {
	_, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_LISTEN, uintptr(tid), 0, 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func (b *osBackend) detach(pid, sig int) error {
	_, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(pid), 0, uintptr(sig), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func (b *osBackend) getRegs(tid int) (registers, error) {
	var r registers
	err := getRegs(tid, &r)
	return r, err
}

func (b *osBackend) setRegs(tid int, r *registers) error { return setRegs(tid, r) }

// readText and writeText move code with PTRACE_PEEKDATA/POKEDATA, which
// write even read-only text (ptrace(2): text and data share one address
// space); x/sys's PtracePokeData moves whole words, reading the partial
// ones first, so only len(b) bytes change.
func (b *osBackend) readText(pid, tid int, addr uint64, p []byte) error {
	n, err := unix.PtracePeekData(tid, uintptr(addr), p)
	if err == nil && n != len(p) {
		err = fmt.Errorf("short read at %#x", addr)
	}
	return err
}

func (b *osBackend) writeText(pid, tid int, addr uint64, p []byte) error {
	n, err := unix.PtracePokeData(tid, uintptr(addr), p)
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x", addr)
	}
	return err
}

// writeMemory: text and data are one address space to PTRACE_POKEDATA.
func (b *osBackend) writeMemory(pid, tid int, addr uint64, p []byte) error {
	return b.writeText(pid, tid, addr, p)
}

func (b *osBackend) openMemory(pid int) processMemory { return symbolize.ProcMemory(pid) }

func (b *osBackend) readMaps(p *process) (*symbolize.ModuleMap, error) {
	return symbolize.ReadMaps(p.pid)
}

// mapsStale: the map is read again only when a PC falls outside it.
func (b *osBackend) mapsStale(p *process) bool { return false }

// openDescriptor reopens the tracee's descriptor through /proc/PID/fd/N;
// O_PATH is enough to walk paths beneath it with openat2.
func (b *osBackend) openDescriptor(pid, fd int) (int, error) {
	return unix.Open("/proc/"+strconv.Itoa(pid)+"/fd/"+strconv.Itoa(fd), unix.O_PATH|unix.O_CLOEXEC, 0)
}

// releasePtraceThread leaves the session's OS thread locked: the goroutine
// ends, and the runtime then terminates the thread rather than hand a
// former tracer thread to other goroutines. Delve does the same on Linux
// and unlocks only on FreeBSD and OpenBSD (handlePtraceFuncs() in
// go-delve/delve pkg/proc/native/proc.go, golang/go#52394).
func releasePtraceThread() {}
