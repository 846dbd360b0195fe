package rights

import "sync"

// The CAP_* rights, with the values of FreeBSD's sys/sys/capsicum.h
// (CAPRIGHT(idx, bit)); golang.org/x/sys/unix carries the same values in
// zerrors_freebsd_amd64.go, which caps_freebsd_test.go compares against.
const (
	idx0 = 1 << 57 // CAPRIGHT(0, ...)
	idx1 = 1 << 58 // CAPRIGHT(1, ...)

	// Index 0: general file I/O.
	CAP_READ      Right = idx0 | 0x1
	CAP_WRITE     Right = idx0 | 0x2
	CAP_SEEK_TELL Right = idx0 | 0x4
	CAP_SEEK      Right = CAP_SEEK_TELL | 0x8
	CAP_PREAD     Right = CAP_SEEK | CAP_READ
	CAP_PWRITE    Right = CAP_SEEK | CAP_WRITE
	CAP_MMAP      Right = idx0 | 0x10
	CAP_MMAP_R    Right = CAP_MMAP | CAP_SEEK | CAP_READ
	CAP_MMAP_W    Right = CAP_MMAP | CAP_SEEK | CAP_WRITE
	CAP_MMAP_X    Right = CAP_MMAP | CAP_SEEK | 0x20
	CAP_MMAP_RW   Right = CAP_MMAP_R | CAP_MMAP_W
	CAP_MMAP_RX   Right = CAP_MMAP_R | CAP_MMAP_X
	CAP_MMAP_WX   Right = CAP_MMAP_W | CAP_MMAP_X
	CAP_MMAP_RWX  Right = CAP_MMAP_R | CAP_MMAP_W | CAP_MMAP_X
	CAP_CREATE    Right = idx0 | 0x40
	CAP_FEXECVE   Right = idx0 | 0x80
	CAP_FSYNC     Right = idx0 | 0x100
	CAP_FTRUNCATE Right = idx0 | 0x200

	// Lookups: the *AT rights include CAP_LOOKUP.
	CAP_LOOKUP          Right = idx0 | 0x400
	CAP_FCHDIR          Right = idx0 | 0x800
	CAP_FCHFLAGS        Right = idx0 | 0x1000
	CAP_CHFLAGSAT       Right = CAP_FCHFLAGS | CAP_LOOKUP
	CAP_FCHMOD          Right = idx0 | 0x2000
	CAP_FCHMODAT        Right = CAP_FCHMOD | CAP_LOOKUP
	CAP_FCHOWN          Right = idx0 | 0x4000
	CAP_FCHOWNAT        Right = CAP_FCHOWN | CAP_LOOKUP
	CAP_FCNTL           Right = idx0 | 0x8000
	CAP_FLOCK           Right = idx0 | 0x10000
	CAP_FPATHCONF       Right = idx0 | 0x20000
	CAP_FSCK            Right = idx0 | 0x40000
	CAP_FSTAT           Right = idx0 | 0x80000
	CAP_FSTATAT         Right = CAP_FSTAT | CAP_LOOKUP
	CAP_FSTATFS         Right = idx0 | 0x100000
	CAP_FUTIMES         Right = idx0 | 0x200000
	CAP_FUTIMESAT       Right = CAP_FUTIMES | CAP_LOOKUP
	CAP_LINKAT_TARGET   Right = CAP_LOOKUP | 0x400000
	CAP_MKDIRAT         Right = CAP_LOOKUP | 0x800000
	CAP_MKFIFOAT        Right = CAP_LOOKUP | 0x1000000
	CAP_MKNODAT         Right = CAP_LOOKUP | 0x2000000
	CAP_RENAMEAT_SOURCE Right = CAP_LOOKUP | 0x4000000
	CAP_SYMLINKAT       Right = CAP_LOOKUP | 0x8000000
	CAP_UNLINKAT        Right = CAP_LOOKUP | 0x10000000

	// Sockets.
	CAP_ACCEPT          Right = idx0 | 0x20000000
	CAP_BIND            Right = idx0 | 0x40000000
	CAP_CONNECT         Right = idx0 | 0x80000000
	CAP_GETPEERNAME     Right = idx0 | 0x100000000
	CAP_GETSOCKNAME     Right = idx0 | 0x200000000
	CAP_GETSOCKOPT      Right = idx0 | 0x400000000
	CAP_LISTEN          Right = idx0 | 0x800000000
	CAP_PEELOFF         Right = idx0 | 0x1000000000
	CAP_RECV            Right = CAP_READ
	CAP_SEND            Right = CAP_WRITE
	CAP_SETSOCKOPT      Right = idx0 | 0x2000000000
	CAP_SHUTDOWN        Right = idx0 | 0x4000000000
	CAP_BINDAT          Right = CAP_LOOKUP | 0x8000000000
	CAP_CONNECTAT       Right = CAP_LOOKUP | 0x10000000000
	CAP_LINKAT_SOURCE   Right = CAP_LOOKUP | 0x20000000000
	CAP_RENAMEAT_TARGET Right = CAP_LOOKUP | 0x40000000000
	CAP_SOCK_CLIENT     Right = CAP_CONNECT | CAP_GETPEERNAME | CAP_GETSOCKNAME | CAP_GETSOCKOPT |
		CAP_PEELOFF | CAP_RECV | CAP_SEND | CAP_SETSOCKOPT | CAP_SHUTDOWN
	CAP_SOCK_SERVER Right = CAP_ACCEPT | CAP_BIND | CAP_GETPEERNAME | CAP_GETSOCKNAME |
		CAP_GETSOCKOPT | CAP_LISTEN | CAP_PEELOFF | CAP_RECV | CAP_SEND |
		CAP_SETSOCKOPT | CAP_SHUTDOWN
	CAP_ALL0       Right = idx0 | all0Bits
	CAP_UNUSED0_44 Right = idx0 | 0x80000000000
	CAP_UNUSED0_57 Right = idx0 | 0x100000000000000

	// Index 1.
	CAP_MAC_GET        Right = idx1 | 0x1
	CAP_MAC_SET        Right = idx1 | 0x2
	CAP_SEM_GETVALUE   Right = idx1 | 0x4
	CAP_SEM_POST       Right = idx1 | 0x8
	CAP_SEM_WAIT       Right = idx1 | 0x10
	CAP_EVENT          Right = idx1 | 0x20
	CAP_KQUEUE_EVENT   Right = idx1 | 0x40
	CAP_IOCTL          Right = idx1 | 0x80
	CAP_TTYHOOK        Right = idx1 | 0x100
	CAP_PDGETPID       Right = idx1 | 0x200
	CAP_PDWAIT         Right = idx1 | 0x400
	CAP_PDKILL         Right = idx1 | 0x800
	CAP_EXTATTR_DELETE Right = idx1 | 0x1000
	CAP_EXTATTR_GET    Right = idx1 | 0x2000
	CAP_EXTATTR_LIST   Right = idx1 | 0x4000
	CAP_EXTATTR_SET    Right = idx1 | 0x8000
	CAP_ACL_CHECK      Right = idx1 | 0x10000
	CAP_ACL_DELETE     Right = idx1 | 0x20000
	CAP_ACL_GET        Right = idx1 | 0x40000
	CAP_ACL_SET        Right = idx1 | 0x80000
	CAP_KQUEUE_CHANGE  Right = idx1 | 0x100000
	CAP_KQUEUE         Right = CAP_KQUEUE_EVENT | CAP_KQUEUE_CHANGE
	CAP_ALL1           Right = idx1 | all1Bits
	CAP_UNUSED1_22     Right = idx1 | 0x200000
	CAP_UNUSED1_57     Right = idx1 | 0x100000000000000
	CAP_POLL_EVENT     Right = CAP_EVENT
)

// CAP_RIGHTS_VERSION is the cap_rights_t layout this package speaks
// (CAP_RIGHTS_VERSION_00, sys/sys/caprights.h): two uint64 words.
const CAP_RIGHTS_VERSION = 0

type named struct {
	name  string
	right Right
}

// spelled is a right Names may use, with its own bits: those no right
// defined before it has.
type spelled struct {
	named
	own Right
}

// Definitions lists every CAP_* name of sys/sys/capsicum.h with its value,
// in the header's order: aliases (CAP_RECV, CAP_POLL_EVENT), unions
// (CAP_PREAD, CAP_SOCK_CLIENT) and the CAP_ALL/CAP_UNUSED markers included.
// The shim's header is generated from it.
func Definitions() []Definition {
	out := make([]Definition, len(definitions))
	for i, d := range definitions {
		out[i] = Definition{Name: d.name, Right: d.right}
	}
	return out
}

// Definition is one CAP_* name and its value.
type Definition struct {
	Name  string
	Right Right
}

var definitions = []named{
	{"CAP_READ", CAP_READ}, {"CAP_WRITE", CAP_WRITE}, {"CAP_SEEK_TELL", CAP_SEEK_TELL},
	{"CAP_SEEK", CAP_SEEK}, {"CAP_PREAD", CAP_PREAD}, {"CAP_PWRITE", CAP_PWRITE},
	{"CAP_MMAP", CAP_MMAP}, {"CAP_MMAP_R", CAP_MMAP_R}, {"CAP_MMAP_W", CAP_MMAP_W},
	{"CAP_MMAP_X", CAP_MMAP_X}, {"CAP_MMAP_RW", CAP_MMAP_RW}, {"CAP_MMAP_RX", CAP_MMAP_RX},
	{"CAP_MMAP_WX", CAP_MMAP_WX}, {"CAP_MMAP_RWX", CAP_MMAP_RWX}, {"CAP_CREATE", CAP_CREATE},
	{"CAP_FEXECVE", CAP_FEXECVE}, {"CAP_FSYNC", CAP_FSYNC}, {"CAP_FTRUNCATE", CAP_FTRUNCATE},
	{"CAP_LOOKUP", CAP_LOOKUP}, {"CAP_FCHDIR", CAP_FCHDIR}, {"CAP_FCHFLAGS", CAP_FCHFLAGS},
	{"CAP_CHFLAGSAT", CAP_CHFLAGSAT}, {"CAP_FCHMOD", CAP_FCHMOD}, {"CAP_FCHMODAT", CAP_FCHMODAT},
	{"CAP_FCHOWN", CAP_FCHOWN}, {"CAP_FCHOWNAT", CAP_FCHOWNAT}, {"CAP_FCNTL", CAP_FCNTL},
	{"CAP_FLOCK", CAP_FLOCK}, {"CAP_FPATHCONF", CAP_FPATHCONF}, {"CAP_FSCK", CAP_FSCK},
	{"CAP_FSTAT", CAP_FSTAT}, {"CAP_FSTATAT", CAP_FSTATAT}, {"CAP_FSTATFS", CAP_FSTATFS},
	{"CAP_FUTIMES", CAP_FUTIMES}, {"CAP_FUTIMESAT", CAP_FUTIMESAT},
	{"CAP_LINKAT_TARGET", CAP_LINKAT_TARGET}, {"CAP_MKDIRAT", CAP_MKDIRAT},
	{"CAP_MKFIFOAT", CAP_MKFIFOAT}, {"CAP_MKNODAT", CAP_MKNODAT},
	{"CAP_RENAMEAT_SOURCE", CAP_RENAMEAT_SOURCE}, {"CAP_SYMLINKAT", CAP_SYMLINKAT},
	{"CAP_UNLINKAT", CAP_UNLINKAT}, {"CAP_ACCEPT", CAP_ACCEPT}, {"CAP_BIND", CAP_BIND},
	{"CAP_CONNECT", CAP_CONNECT}, {"CAP_GETPEERNAME", CAP_GETPEERNAME},
	{"CAP_GETSOCKNAME", CAP_GETSOCKNAME}, {"CAP_GETSOCKOPT", CAP_GETSOCKOPT},
	{"CAP_LISTEN", CAP_LISTEN}, {"CAP_PEELOFF", CAP_PEELOFF}, {"CAP_RECV", CAP_RECV},
	{"CAP_SEND", CAP_SEND}, {"CAP_SETSOCKOPT", CAP_SETSOCKOPT}, {"CAP_SHUTDOWN", CAP_SHUTDOWN},
	{"CAP_BINDAT", CAP_BINDAT}, {"CAP_CONNECTAT", CAP_CONNECTAT},
	{"CAP_LINKAT_SOURCE", CAP_LINKAT_SOURCE}, {"CAP_RENAMEAT_TARGET", CAP_RENAMEAT_TARGET},
	{"CAP_SOCK_CLIENT", CAP_SOCK_CLIENT}, {"CAP_SOCK_SERVER", CAP_SOCK_SERVER},
	{"CAP_ALL0", CAP_ALL0}, {"CAP_UNUSED0_44", CAP_UNUSED0_44}, {"CAP_UNUSED0_57", CAP_UNUSED0_57},
	{"CAP_MAC_GET", CAP_MAC_GET}, {"CAP_MAC_SET", CAP_MAC_SET},
	{"CAP_SEM_GETVALUE", CAP_SEM_GETVALUE}, {"CAP_SEM_POST", CAP_SEM_POST},
	{"CAP_SEM_WAIT", CAP_SEM_WAIT}, {"CAP_EVENT", CAP_EVENT},
	{"CAP_KQUEUE_EVENT", CAP_KQUEUE_EVENT}, {"CAP_IOCTL", CAP_IOCTL}, {"CAP_TTYHOOK", CAP_TTYHOOK},
	{"CAP_PDGETPID", CAP_PDGETPID}, {"CAP_PDWAIT", CAP_PDWAIT}, {"CAP_PDKILL", CAP_PDKILL},
	{"CAP_EXTATTR_DELETE", CAP_EXTATTR_DELETE}, {"CAP_EXTATTR_GET", CAP_EXTATTR_GET},
	{"CAP_EXTATTR_LIST", CAP_EXTATTR_LIST}, {"CAP_EXTATTR_SET", CAP_EXTATTR_SET},
	{"CAP_ACL_CHECK", CAP_ACL_CHECK}, {"CAP_ACL_DELETE", CAP_ACL_DELETE},
	{"CAP_ACL_GET", CAP_ACL_GET}, {"CAP_ACL_SET", CAP_ACL_SET},
	{"CAP_KQUEUE_CHANGE", CAP_KQUEUE_CHANGE}, {"CAP_KQUEUE", CAP_KQUEUE},
	{"CAP_ALL1", CAP_ALL1}, {"CAP_UNUSED1_22", CAP_UNUSED1_22}, {"CAP_UNUSED1_57", CAP_UNUSED1_57},
	{"CAP_POLL_EVENT", CAP_POLL_EVENT},
}

// spelling (built at first use, like nameOf and byName: start-up pays
// for no table it may not need) is the subset of definitions Names uses: each right that adds a
// bit of its own. Aliases, unions with no bit of their own and the
// CAP_ALL/CAP_UNUSED markers are left out.
var spelling = sync.OnceValue(func() []spelled {
	skip := map[string]bool{
		"CAP_RECV": true, "CAP_SEND": true, "CAP_POLL_EVENT": true,
		"CAP_ALL0": true, "CAP_ALL1": true, "CAP_UNUSED0_44": true, "CAP_UNUSED0_57": true,
		"CAP_UNUSED1_22": true, "CAP_UNUSED1_57": true,
	}
	var out []spelled
	for i, d := range definitions {
		if skip[d.name] {
			continue
		}
		// A union adds no bit of its own when the rights defined before
		// it already cover its bits (CAP_PREAD, CAP_FSTATAT, CAP_KQUEUE).
		var before uint64
		for _, e := range definitions[:i] {
			if !skip[e.name] && e.right.index() == d.right.index() && e.right.bits()&^d.right.bits() == 0 {
				before |= e.right.bits()
			}
		}
		if own := d.right.bits() &^ before; own != 0 {
			out = append(out, spelled{d, Right(uint64(d.right)&indexBits | own)})
		}
	}
	return out
})

var nameOf = sync.OnceValue(func() map[Right]string {
	m := make(map[Right]string)
	for _, d := range definitions {
		if _, dup := m[d.right]; !dup {
			m[d.right] = d.name
		}
	}
	return m
})

var byName = sync.OnceValue(func() map[string]Right {
	m := make(map[string]Right)
	for _, d := range definitions {
		m[d.name] = d.right
	}
	return m
})

// Lookup finds a CAP_* right by its name ("CAP_READ").
func Lookup(name string) (Right, bool) {
	r, ok := byName()[name]
	return r, ok
}

// Parse reads a set written as Set.String writes it: CAP_* names joined by
// '|' (spaces allowed), "no rights" or "all rights".
func Parse(text string) (Set, error) {
	switch text {
	case "no rights", "":
		return Set{}, nil
	case "all rights":
		return All(), nil
	}
	var s Set
	for _, f := range splitNames(text) {
		r, ok := Lookup(f)
		if !ok {
			return Set{}, &UnknownNameError{Name: f}
		}
		s = s.With(r)
	}
	return s, nil
}

// UnknownNameError is Parse's error for a name capsicum.h does not define.
type UnknownNameError struct{ Name string }

func (e *UnknownNameError) Error() string { return "unknown Capsicum right " + e.Name }
