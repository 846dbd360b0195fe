package tracer

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// The Linux backend: capability mode is emulated. The launcher
// (launcher_linux.go) installs a seccomp filter that stops only the calls
// that can violate, at PTRACE_EVENT_SECCOMP; the tracer judges them with
// capmode's Linux table and, in enforce mode, skips the denied ones.

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
	unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_EXITKILL

func platformPolicy() policy { return capmode.Linux() }

// osBackend is the Linux backend.
type osBackend struct {
	self string // captrace's own executable, re-run as the launcher
}

func newBackend(cfg *Config) (*osBackend, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, failure("cannot find its own executable", err)
	}
	return &osBackend{self: self}, nil
}

// osProcess: Linux keeps nothing of its own per process.
type osProcess struct{}

func (o *osProcess) forked() *osProcess { return &osProcess{} }

// osStop: nothing beyond the wait status.
type osStop struct{}

// start runs the launcher, which starts untraced and waits until it is
// (launcher_linux.go): PTRACE_SEIZE, unlike PTRACE_TRACEME, reports
// group-stops as such, so a program stopped by SIGTSTP or SIGSTOP really
// stops, as without captrace, and resumes on SIGCONT. The launcher says
// "running" on one pipe; the tracer says "seized" on the other.
func (b *osBackend) start(s *session, path string, argv []string) error {
	files := inheritedFDs()
	running, runningW, err := os.Pipe()
	if err != nil {
		return failure("start the launcher", err)
	}
	defer running.Close()
	seizedR, seized, err := os.Pipe()
	if err != nil {
		runningW.Close()
		return failure("start the launcher", err)
	}
	defer seized.Close()
	var runningFD, seizedFD int
	files, runningFD = placeFD(files, runningW.Fd())
	files, seizedFD = placeFD(files, seizedR.Fd())
	args := append([]string{b.self, launcherArg, strconv.Itoa(runningFD), strconv.Itoa(seizedFD), path}, argv...)
	pid, err := syscall.ForkExec(b.self, args, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: files,
	})
	runningW.Close()
	seizedR.Close()
	if err != nil {
		return failure("cannot start the launcher", err)
	}
	s.launched.add(pid)
	if _, err := running.Read(make([]byte, 1)); err != nil {
		unix.Wait4(pid, nil, 0, nil)
		return failure("", errors.New("the launcher did not start"))
	}
	if err := seize(pid, ptraceOptions); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		unix.Wait4(pid, nil, 0, nil)
		return seizeError(err)
	}
	s.addRoot(pid, b.self)
	if _, err := seized.Write([]byte{1}); err != nil {
		// The launcher is gone; its death is in the wait loop.
		s.warnf("cannot tell the launcher it is traced: %v", err)
	}
	return nil
}

// placeFD puts fd at the lowest free number above stderr in a
// syscall.ProcAttr.Files table, like open(2): the end of the table may be
// past RLIMIT_NOFILE.
func placeFD(files []uintptr, fd uintptr) ([]uintptr, int) {
	n := 3
	for n < len(files) && files[n] != closedFD {
		n++
	}
	if n == len(files) {
		files = append(files, closedFD)
	}
	files[n] = fd
	return files, n
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
	return failure("cannot trace the launcher", err)
}

func (b *osBackend) decode(s *session, tid int, ws unix.WaitStatus) stop {
	st := stop{tid: tid, task: tid}
	p := s.state.process(tid)
	if p != nil {
		st.proc, st.pid = p, p.pid
	}
	sig := ws.StopSignal()
	event := int(uint32(ws) >> 16)
	switch {
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

// syscallEntry reads the call at a seccomp stop. clone and clone3 always
// stop (untraced_linux.go) and lose CLONE_UNTRACED here.
func (b *osBackend) syscallEntry(s *session, p *process, st *stop) bool {
	var regs registers
	if err := unix.PtraceGetRegs(st.tid, &regs); err != nil {
		return false
	}
	st.regs = &regs
	st.call = capmode.Call{Nr: syscallNr(&regs), Args: syscallArgs(&regs)}
	if isClone(st.call.Nr) {
		if err := clearUntraced(st.tid, &regs); err != nil {
			s.warnf("thread %d: cannot clear CLONE_UNTRACED, its child may run untraced and fail with ENOSYS: %v", st.tid, err)
		}
	}
	if !p.inCapMode || p.quiet {
		return false
	}
	// The filter marks calls of another ABI, whose numbers and argument
	// registers mean other things: judged and printed as unknown.
	if data, _ := unix.PtraceGetEventMsg(st.tid); data == traceForeign {
		st.foreign = true
	}
	return true
}

// writeSyscallRegs writes the registers that deny a call. It is a variable
// so that a test can make it fail and prove that enforce mode fails
// closed.
var writeSyscallRegs = unix.PtraceSetRegs

func (b *osBackend) denySyscall(tid int, r *registers, errno unix.Errno) error {
	skipSyscall(r, errno)
	if err := writeSyscallRegs(tid, r); err != nil {
		return fmt.Errorf("PTRACE_SETREGS: %w", err)
	}
	return nil
}

func (b *osBackend) startProcess(s *session, p *process) (bool, error) { return false, nil }

func (b *osBackend) execed(s *session, p *process) error { return nil }

func (b *osBackend) enterCapMode(s *session, p *process, tid int, th *stoppedThread) error {
	return nil
}

func (b *osBackend) resume(pid, tid, sig int) error { return unix.PtraceCont(tid, sig) }

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
	err := unix.PtraceGetRegs(tid, &r)
	return r, err
}

func (b *osBackend) setRegs(tid int, r *registers) error { return unix.PtraceSetRegs(tid, r) }

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

// openDescriptors lists captrace's own open descriptors.
func openDescriptors() []int {
	entries, _ := os.ReadDir("/proc/self/fd")
	var fds []int
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds
}
