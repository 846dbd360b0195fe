package tracer

import (
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// backend is one platform's half of a session, the seam between the
// session loop (session.go), which is the same everywhere, and ptrace as
// the platform has it: backend_linux.go and backend_freebsd.go implement
// it as *osBackend, with their per-process data in osProcess and
// per-stop data in osStop, and the registers of a stopped thread in
// registers (regs_<os>_<arch>.go). As Delve's pkg/proc/native does, the
// session holds the concrete *osBackend; the interface is the contract
// both must keep.
type backend interface {
	// start launches path (argv[0] first) traced, registers it with
	// s.addRoot and returns once its stops can be waited for.
	start(s *session, path string, argv []string) error
	// decode says what the stop wait4 reported for id means.
	decode(s *session, id int, ws unix.WaitStatus) stop
	// syscallEntry completes a stopSyscall: it reads st.call (and, when it
	// is at hand, st.regs) and handles what is the platform's own business
	// (CLONE_UNTRACED on Linux, cap_enter in FreeBSD's audit mode). It
	// reports whether capmode should judge the call.
	syscallEntry(s *session, p *process, st *stop) bool
	// denySyscall makes the call at a syscall stop fail with errno
	// instead of running (Linux's emulated enforce mode).
	denySyscall(tid int, r *registers, errno unix.Errno) error
	// startProcess prepares a new child at its first stop; it reports
	// whether the child left the session (FreeBSD --no-follow detaches).
	startProcess(s *session, p *process) (gone bool, err error)
	// execed prepares a process that just execed, before its enter point
	// is planned.
	execed(s *session, p *process) error
	// enterCapMode makes a stopped process enter capability mode where the
	// kernel enforces it (FreeBSD enforce mode); th is the thread stopped
	// at the enter point's breakpoint, or nil at exec.
	enterCapMode(s *session, p *process, tid int, th *stoppedThread) error
	// holdThreads stops p's threads but tid while capability mode begins
	// (Linux installs its filter meanwhile) and returns the stops it
	// waited for, which the session then handles.
	holdThreads(s *session, p *process, tid int) []heldStop
	// attachProcess attaches to running process pid (-p) and registers it
	// with the session, running, in capability mode; detachAll leaves
	// every traced process as it was found, untraced and running.
	attachProcess(s *session, pid int) error
	detachAll(s *session)

	// Requests on a stopped thread or process.
	resume(pid, tid, sig int) error // continue, delivering sig (0: none)
	listen(tid int) error           // stay in a group-stop until SIGCONT
	detach(pid, sig int) error
	getRegs(tid int) (registers, error)
	setRegs(tid int, r *registers) error
	readText(pid, tid int, addr uint64, b []byte) error
	writeText(pid, tid int, addr uint64, b []byte) error
	writeMemory(pid, tid int, addr uint64, b []byte) error // data, as the program sees it
	openMemory(pid int) processMemory
	// readMaps reads p's module map; stale reports whether p.maps must be
	// read again before an unwind.
	readMaps(p *process) (*symbolize.ModuleMap, error)
	// entryPoint is where the kernel starts p's program (its load bias
	// included), when the backend can tell without reading the map.
	entryPoint(p *process) (uint64, bool)
	mapsStale(p *process) bool
	// openDescriptor opens descriptor fd of process pid in captrace, for
	// capmode to resolve paths beneath it.
	openDescriptor(pid, fd int) (int, error)
}

var _ backend = (*osBackend)(nil)

// stopKind is what a stop means, whatever the platform.
type stopKind int

const (
	stopResume     stopKind = iota // nothing to do: resume with no signal
	stopSignal                     // a signal for the program: deliver sig
	stopTrap                       // SIGTRAP: a breakpoint of ours, or the program's
	stopGroup                      // a group-stop (SIGSTOP, SIGTSTP...): stay stopped
	stopFirst                      // the first stop of a new thread or child (task)
	stopNewTask                    // the creator's side of a clone/fork: child is new
	stopExec                       // the process runs a new image, exe
	stopThreadExit                 // thread tid is exiting (FreeBSD's LWP event)
	stopSyscall                    // a syscall to judge (seccomp stop, syscall entry)
	stopRefused                    // the kernel refused a call in capability mode (FreeBSD TRAP_CAP)
)

// stop is one decoded stop.
type stop struct {
	kind stopKind
	proc *process // the process, when it is known
	pid  int      // its id
	tid  int      // the thread that stopped
	// task is the id a stopFirst is announced by: the new thread's or the
	// new child's (FreeBSD announces children by pid).
	task int
	sig  int // stopSignal, stopTrap: the signal to pass on
	// outside: stopSignal of a signal captrace passes on (signals.go),
	// sent from outside the session.
	outside bool

	child         int  // stopNewTask: the new thread or child
	thread, vfork bool // stopNewTask: a thread of the same process; a vfork child

	exe string // stopExec

	call    capmode.Call // stopSyscall, stopRefused
	regs    *registers   // stopSyscall, stopRefused, when read
	foreign bool         // stopSyscall: another ABI's call, numbers unknown
	// abi judges a stopSyscall of another ABI the platform knows (Linux
	// on amd64: i386, through int $0x80), named abiName; nil for the
	// platform's own calls, which s.policy judges.
	abi     policy
	abiName string
	verdict capmode.Verdict // stopRefused: the kernel's answer

	os osStop // the platform's own data
}
