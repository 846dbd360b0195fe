package rightsemu

import (
	"strconv"
	"sync"

	"github.com/captrace/captrace/rights"
)

// Denied is one descriptor use Capsicum refuses with ENOTCAPABLE.
type Denied struct {
	Use rights.Use
	// Denial is what the rights check found; nil when the use had the
	// rights but its lookup escapes a limited directory.
	Denial *rights.Denial
	// Limits are the descriptor's, for the report's "limited at".
	Limits rights.Limits
	// Reason is one line: "write(2) on fd 3 needs CAP_WRITE; fd 3 has
	// CAP_READ|CAP_FSTAT". The tracer appends where fd 3 was limited.
	Reason string
}

// Escapes reports whether path, looked up relative to the directory fd,
// leaves it: an absolute path, or ".." or a symlink that climbs out.
type Escapes func(fd int, path string) bool

// Check decides the uses of one call (rights.LinuxUses) against the
// process's table. A lookup through a limited directory must stay strictly
// beneath it even outside capability mode (namei_setup's NIRES_STRICTREL,
// sys/kern/vfs_lookup.c); escapes may be nil when capability mode's own
// path rule already decides escapes.
func Check(call string, uses []rights.Use, t *rights.Table, escapes Escapes) []Denied {
	var out []Denied
	for _, u := range uses {
		if d := t.Check(u); d != nil {
			out = append(out, Denied{Use: u, Denial: d, Limits: d.Have, Reason: d.Reason(call)})
			continue
		}
		if u.Lookup && escapes != nil {
			if l := t.Get(u.FD); l.Limited() && escapes(u.FD, u.Path) {
				fd := "fd " + strconv.Itoa(u.FD)
				out = append(out, Denied{Use: u, Limits: l,
					Reason: call + "(2) through " + fd + " must stay beneath it: " + fd + " is limited (" +
						l.Rights.String() + ") and " + strconv.Quote(u.Path) + " leaves it"})
			}
		}
	}
	return out
}

// Linux values Apply decodes (include/uapi/linux/close_range.h, fcntl.h).
const (
	closeRangeCloexec = 1 << 2
	linuxATFDCWD      = -100
)

// newDescriptorCalls return a new descriptor that starts with all rights.
// Built at first use, not at package initialisation (start-up, issue 15).
var newDescriptorCalls = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"open": true, "creat": true, "socket": true, "epoll_create": true, "epoll_create1": true,
		"eventfd": true, "eventfd2": true, "timerfd_create": true, "signalfd": true, "signalfd4": true,
		"inotify_init": true, "inotify_init1": true, "memfd_create": true, "pidfd_open": true,
		"open_by_handle_at": true, "userfaultfd": true, "fanotify_init": true, "perf_event_open": true,
		"io_uring_setup": true, "memfd_secret": true, "open_tree": true, "fsopen": true, "fsmount": true,
		"fspick": true, "pidfd_getfd": true,
	}
})

// Apply moves limits after call returned ret (the syscall-exit value);
// uses are what LinuxUses found at its entry. Closing forgets a
// descriptor's limits whatever close returns (Linux releases the number
// even on EINTR).
func Apply(call string, args [6]uint64, ret int64, uses []rights.Use, t *rights.Table) {
	fd := func(i int) int { return int(int32(uint32(args[i]))) }
	switch call {
	case "close":
		t.Close(fd(0))
		return
	case "close_range":
		if ret == 0 && args[2]&closeRangeCloexec == 0 {
			t.CloseRange(uint(uint32(args[0])), uint(uint32(args[1])))
		}
		return
	}
	if ret < 0 {
		return
	}
	newFD := int(ret)
	switch call {
	case "dup":
		t.Dup(fd(0), newFD)
	case "dup2", "dup3":
		t.Dup(fd(0), fd(1))
	case "fcntl":
		if rights.LinuxFcntlDups(int(int32(uint32(args[1])))) {
			t.Dup(fd(0), newFD)
		}
	case "accept", "accept4":
		t.OpenedThrough(fd(0), newFD)
	case "openat", "openat2":
		// The directory's limits pass on only for a lookup relative to it.
		for _, u := range uses {
			if u.Lookup {
				t.OpenedThrough(u.FD, newFD)
				return
			}
		}
		t.Opened(newFD)
	default:
		if newDescriptorCalls()[call] {
			t.Opened(newFD)
		}
	}
}

// movers change which descriptor has which limits without needing a right.
var movers = []string{"close", "close_range", "dup", "dup2", "dup3"}

// TrackedCalls are the syscalls a process with limited descriptors must
// stop at: every call that uses a descriptor (rights.LinuxCalls) and every
// call that moves limits between descriptors.
func TrackedCalls() []string {
	return append(rights.LinuxCalls(), movers...)
}

// NeedsExit reports whether the effect of call can only be known from its
// return value: the new descriptor of dup, fcntl(F_DUPFD*), openat through
// a directory and accept, or the descriptors recvmsg received.
func NeedsExit(call string, args [6]uint64, uses []rights.Use) bool {
	switch call {
	case "dup", "accept", "accept4", "recvmsg":
		return true
	case "fcntl":
		return rights.LinuxFcntlDups(int(int32(uint32(args[1]))))
	case "openat", "openat2":
		return len(uses) > 0
	}
	return false
}

// Origin is where the limit that refuses the use was set.
func (d Denied) Origin() rights.Origin {
	if d.Denial != nil {
		return d.Denial.OriginOf()
	}
	return d.Limits.Origin
}

// NewDescriptor reports whether call returns a new descriptor with all
// rights (open, socket, eventfd...).
func NewDescriptor(call string) bool { return newDescriptorCalls()[call] }
