package tracer

import (
	"io"
	"syscall"

	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/rightsemu"
	"github.com/captrace/captrace/symbolize"
)

// Mode says what happens to a violating call.
type Mode int

const (
	// Audit records the violation and lets the call run.
	Audit Mode = iota
	// Enforce makes the call fail as capability mode would.
	Enforce
)

// Enter points with a meaning of their own; any other word is a symbol.
const (
	EnterCapEnter = "cap_enter"
	EnterMain     = "main"
	EnterExec     = "exec"
)

// Config is one tracing session.
type Config struct {
	Program string   // path as given by the user (resolved through PATH like a shell)
	Args    []string // argv[1:]
	// Attach: trace these running processes (all their threads, and the
	// children they create) instead of starting Program; capability mode
	// starts at once, and at the end captrace detaches and they run on.
	Attach []int
	Mode   Mode
	// Enter is where capability mode begins: "" (the default: the first
	// call of cap_enter or caph_enter, else main), "cap_enter" (strictly:
	// no fallback, for drivers whose children enter), main, exec, or a
	// function symbol.
	Enter string
	// ErrnoCapMode and ErrnoNotCapable are returned by denied calls in
	// Enforce mode on Linux (FreeBSD returns its own). Zero means EPERM,
	// or, for a program built against the Capsicum shim, the shim's own
	// ECAPMODE and ENOTCAPABLE (internal/shimabi).
	ErrnoCapMode, ErrnoNotCapable syscall.Errno
	Depth                         int  // frames kept per stack
	NoFollow                      bool // do not follow forked children
	DebugDirs                     []string
	// SuggestRights: record every use of every descriptor a process holds
	// at its enter point (Linux), for Result.Descriptors.
	SuggestRights bool

	// OnViolation receives each violation after the thread has resumed. It
	// runs on the ptrace thread: it must only hand the event over.
	OnViolation func(event.Event)
	// Warnings go here, one line each, without the program's name (the
	// command adds it).
	Warnings io.Writer
	// Cache holds parsed modules; the symbolizer on the report side shares
	// it so each module is parsed once.
	Cache *symbolize.Cache
	// Stop, when closed, ends the session: launched programs are killed
	// and Run returns what was seen so far.
	Stop <-chan struct{}
	// Signals carries the SIGINT, SIGTERM, SIGHUP and SIGQUIT captrace
	// received: each is passed on to the program once, unless the program
	// got it from the kernel already (signals.go).
	Signals <-chan syscall.Signal
}

// Result is how a session ended.
type Result struct {
	ExitStatus int // the program's own status; killed by signal N: 128+N
	Processes  int // processes seen (the program and its followed children)
	// Interrupted: the session ended because Stop was closed (with
	// Attach: captrace detached and the processes run on).
	Interrupted bool
	// EnterReached: some process reached the enter point, so calls were
	// checked at all.
	EnterReached bool
	// EnterSite is where the first process to reach the enter point
	// reached it (nil: never, or not seen, as when attached).
	EnterSite *event.EnterPoint
	// Enter names the enter point PROGRAM was planned with ("main" when
	// the default fell back to it, "cap_enter" for FreeBSD's real one).
	Enter string
	// Command is the command line of the first attached process (Attach).
	Command []string
	// RightsChecked: some process limited a descriptor, so its descriptor
	// calls were checked even if no enter point was reached (Linux).
	RightsChecked bool
	// Descriptors: with SuggestRights, what each descriptor held at an
	// enter point was used for, with where it was opened.
	Descriptors []Descriptor
}

// Descriptor is a suggestion for one descriptor: the minimal limits of
// rightsemu.Root, and the call that opened it (nil if inherited or
// unseen).
type Descriptor struct {
	rightsemu.Root
	Opened *event.Origin
}
