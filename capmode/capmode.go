// Package capmode is captrace's capability-mode policy: FreeBSD's rules as
// data, one entry per syscall, and Check, which turns a trapped syscall into a
// Verdict with its reason and remedy.
//
// It is the single source of every verdict on both operating systems: the
// Linux emulation asks Check at each seccomp stop, the FreeBSD backend uses
// it in audit mode, and the Linux seccomp filter is derived from the same
// table (Table.AlwaysAllowed). capmode never touches ptrace: everything it
// needs from the traced process comes through the Tracee interface.
package capmode

// Outcome is what capability mode does to a call.
type Outcome int

const (
	// Allow: the call runs as it would outside capability mode.
	Allow Outcome = iota
	// CapMode: the call fails with ECAPMODE (a global namespace).
	CapMode
	// NotCapable: the call fails with ENOTCAPABLE (an escape from a
	// directory descriptor, an absolute path under a descriptor).
	NotCapable
)

// Errno names the error an Outcome stands for on FreeBSD ("" for Allow).
func (o Outcome) Errno() string {
	switch o {
	case CapMode:
		return "ECAPMODE"
	case NotCapable:
		return "ENOTCAPABLE"
	}
	return ""
}

// Kind classifies violations for reports (SARIF rule ids are "capmode/"+Kind).
type Kind string

const (
	KindGlobalNamespace Kind = "global-namespace" // AT_FDCWD, path syscalls, sysctl-like global state
	KindPathEscape      Kind = "path-escape"      // absolute path or .. / symlink escape under a dirfd
	KindSignal          Kind = "signal"           // signals to other processes
	KindNetwork         Kind = "network"          // connect, bind, sendto with an address
	KindProcess         Kind = "process"          // execve, other processes' limits, affinity, ptrace
	KindSyscall         Kind = "syscall"          // a syscall capability mode never allows
	// KindRights: a descriptor lacks a capability right (FreeBSD,
	// sys/kern/sys_capability.c). The FreeBSD kernel reports it; on Linux
	// the tracer's emulation of rights does (package rights, rightsemu).
	KindRights Kind = "rights"
)

// Verdict is Check's answer for one call.
type Verdict struct {
	Outcome Outcome
	Kind    Kind   // empty when allowed
	Reason  string // one line: why capability mode refuses this call
	Hint    string // one line: what to do instead (cap_fileargs, openat, ...)
}

// Violation reports whether the call would fail in capability mode.
func (v Verdict) Violation() bool { return v.Outcome != Allow }

// Tracee is everything Check may ask of the stopped process and the
// session around it; capmode reads nothing of a process but through it.
// The implementation lives in tracer; tests use fakes.
type Tracee interface {
	// Pid is the thread-group id (the process) making the call.
	Pid() int
	// ReadString reads a NUL-terminated string of at most max bytes.
	ReadString(addr uint64, max int) (string, error)
	// ReadMemory fills p from the tracee's address space at addr.
	ReadMemory(addr uint64, p []byte) error
	// ThreadGroup returns the process (thread-group id) thread tid
	// belongs to, or 0 when it is not known.
	ThreadGroup(tid int) int
	// OpenDescriptor opens the tracee's descriptor fd in captrace, so
	// that paths can be resolved beneath it (Linux: /proc/PID/fd/N with
	// O_PATH). The caller closes the returned descriptor.
	OpenDescriptor(fd int) (int, error)
}

// Call is one trapped syscall, as the tracer saw it at syscall entry.
type Call struct {
	Nr   int       // syscall number in the table's numbering (Linux or FreeBSD)
	Args [6]uint64 // raw register values, as the kernel sees them
}
