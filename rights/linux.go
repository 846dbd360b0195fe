package rights

import (
	"encoding/binary"
	"slices"
	"sync"
)

// Use is one descriptor a call uses and what Capsicum needs on it.
type Use struct {
	Arg    int // the argument that holds the descriptor
	FD     int
	Rights Set
	// Ioctl: the call is ioctl(2) with command IoctlCmd, which must be in
	// the descriptor's ioctl limit.
	Ioctl    bool
	IoctlCmd uint64
	// Fcntl is the CAP_FCNTL_* bit the fcntl command needs, or 0.
	Fcntl FcntlMask
	// Lookup: FD is a directory the relative path Path is looked up in. A
	// limited directory allows only lookups that stay strictly beneath it.
	Lookup bool
	Path   string
	// PollNVAL: poll(2) reports a missing right as POLLNVAL in revents, not
	// as an error (pollrescan, sys/kern/sys_generic.c).
	PollNVAL bool
}

// Memory is what LinuxUses may read from the calling process: paths,
// struct msghdr, struct pollfd arrays, fd_sets, struct open_how.
type Memory interface {
	ReadString(addr uint64, max int) (string, error)
	ReadMemory(addr uint64, p []byte) error
}

// Linux values LinuxUses decodes (include/uapi/asm-generic/fcntl.h,
// include/uapi/linux/fcntl.h, mman-common.h, poll.h; the same on amd64 and
// arm64). They are written out rather than taken from x/sys/unix so that
// the package builds, and its tests run, on FreeBSD too.
const (
	linuxATFDCWD      = -100
	linuxATEmptyPath  = 0x1000
	linuxOWronly      = 0x1
	linuxORdwr        = 0x2
	linuxOAccmode     = 0x3
	linuxOCreat       = 0x40
	linuxOTrunc       = 0x200
	linuxOAppend      = 0x400
	linuxODsync       = 0x1000
	linuxOSync        = 0x101000 // __O_SYNC | O_DSYNC
	linuxOPath        = 0x200000
	linuxProtRead     = 0x1
	linuxProtWrite    = 0x2
	linuxProtExec     = 0x4
	linuxMapShared    = 0x1
	linuxMapSharedVal = 0x3 // MAP_SHARED_VALIDATE
	linuxMapAnonymous = 0x20
	linuxSIFMT        = 0o170000
	linuxSIFIFO       = 0o010000
	linuxPPIDFD       = 3 // waitid idtype P_PIDFD
	linuxEpollCtlAdd  = 1
	linuxEpollCtlMod  = 3
	pathMax           = 4096
	maxPollFDs        = 4096
)

// Linux fcntl commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h).
const (
	linuxFDupfd        = 0
	linuxFGetlk        = 5
	linuxFSetlk        = 6
	linuxFSetlkw       = 7
	linuxFGetfl        = 3
	linuxFSetfl        = 4
	linuxFSetown       = 8
	linuxFGetown       = 9
	linuxFSetownEx     = 15
	linuxFGetownEx     = 16
	linuxFOFDGetlk     = 36
	linuxFOFDSetlk     = 37
	linuxFOFDSetlkw    = 38
	linuxFDupfdCloexec = 1030
)

// LinuxFcntl is what a Linux fcntl command needs: FreeBSD guards F_GETFL,
// F_SETFL, F_GETOWN and F_SETOWN with CAP_FCNTL and the fcntl mask
// (fget_fcntl in sys/kern/kern_descrip.c) and record locks with CAP_FLOCK;
// the others (F_DUPFD, F_GETFD, F_SETFD, ...) need no right.
// F_GETOWN_EX/F_SETOWN_EX, Linux's wider forms, count as F_GETOWN/F_SETOWN.
func LinuxFcntl(cmd int) (Set, FcntlMask) {
	switch cmd {
	case linuxFGetfl:
		return Of(CAP_FCNTL), CAP_FCNTL_GETFL
	case linuxFSetfl:
		return Of(CAP_FCNTL), CAP_FCNTL_SETFL
	case linuxFGetown, linuxFGetownEx:
		return Of(CAP_FCNTL), CAP_FCNTL_GETOWN
	case linuxFSetown, linuxFSetownEx:
		return Of(CAP_FCNTL), CAP_FCNTL_SETOWN
	case linuxFGetlk, linuxFSetlk, linuxFSetlkw, linuxFOFDGetlk, linuxFOFDSetlk, linuxFOFDSetlkw:
		return Of(CAP_FLOCK), 0
	}
	return Set{}, 0
}

// LinuxFcntlDups reports whether a Linux fcntl command duplicates the
// descriptor (the new one gets the old one's limits).
func LinuxFcntlDups(cmd int) bool { return cmd == linuxFDupfd || cmd == linuxFDupfdCloexec }

// OpenRights is FreeBSD's flags_to_rights (sys/kern/vfs_syscalls.c) for
// Linux open flags, plus CAP_LOOKUP, which kern_openat always needs on the
// directory: read for O_RDONLY; write, and seek unless O_APPEND or O_TRUNC,
// for O_WRONLY/O_RDWR; CAP_CREATE, CAP_FTRUNCATE, CAP_FSYNC for O_CREAT,
// O_TRUNC, O_SYNC/O_DSYNC. Linux has no O_EXEC or O_EXLOCK/O_SHLOCK; an
// O_PATH descriptor is a lookup only.
func OpenRights(flags uint64) Set {
	s := Of(CAP_LOOKUP)
	if flags&linuxOPath != 0 {
		return s
	}
	switch flags & linuxOAccmode {
	case 0:
		s = s.With(CAP_READ)
	case linuxORdwr, linuxOWronly:
		if flags&linuxOAccmode == linuxORdwr {
			s = s.With(CAP_READ)
		}
		s = s.With(CAP_WRITE)
		if flags&(linuxOAppend|linuxOTrunc) == 0 {
			s = s.With(CAP_SEEK)
		}
	}
	if flags&linuxOCreat != 0 {
		s = s.With(CAP_CREATE)
	}
	if flags&linuxOTrunc != 0 {
		s = s.With(CAP_FTRUNCATE)
	}
	if flags&(linuxOSync|linuxODsync) != 0 {
		s = s.With(CAP_FSYNC)
	}
	return s
}

// MmapRights is what mmap needs on its descriptor (kern_mmap,
// sys/vm/vm_mmap.c): CAP_MMAP, plus CAP_MMAP_R for PROT_READ, CAP_MMAP_W
// for PROT_WRITE on a shared mapping (a private one writes a copy), and
// CAP_MMAP_X for PROT_EXEC.
func MmapRights(prot, flags uint64) Set {
	s := Of(CAP_MMAP)
	if prot&linuxProtRead != 0 {
		s = s.With(CAP_MMAP_R)
	}
	shared := flags&0x3 == linuxMapShared || flags&0x3 == linuxMapSharedVal
	if shared && prot&linuxProtWrite != 0 {
		s = s.With(CAP_MMAP_W)
	}
	if prot&linuxProtExec != 0 {
		s = s.With(CAP_MMAP_X)
	}
	return s
}

func fdArg(v uint64) int { return int(int32(uint32(v))) }

// FixedNeeds is what a call whose needs depend on nothing but its name
// (read, write, fstat, ...) needs on its first argument, by FreeBSD's rules.
// Such names mean the same call on FreeBSD, so its backend can name what a
// refused call lacked without decoding flags, whose values differ there.
func FixedNeeds(name string) (Set, bool) {
	s, ok := fixed()[name]
	return s, ok
}

// fixed are the calls whose needs do not depend on their arguments: the
// descriptor in argument 0 needs the set. FreeBSD's counterpart and the
// rights it checks (sys/kern/sys_generic.c, vfs_syscalls.c,
// uipc_syscalls.c, kern_descrip.c, sys/sys/capsicum.h comments). Built at
// first use, not at package initialisation, so that a start-up that never
// judges a descriptor pays nothing for it (issue 15).
var fixed = sync.OnceValue(func() map[string]Set {
	return map[string]Set{
		"read":              Of(CAP_READ),
		"readv":             Of(CAP_READ),
		"recvfrom":          Of(CAP_RECV),
		"recvmsg":           Of(CAP_RECV),
		"recvmmsg":          Of(CAP_RECV),
		"pread64":           Of(CAP_PREAD),
		"preadv":            Of(CAP_PREAD),
		"write":             Of(CAP_WRITE),
		"writev":            Of(CAP_WRITE),
		"pwrite64":          Of(CAP_PWRITE),
		"pwritev":           Of(CAP_PWRITE),
		"lseek":             Of(CAP_SEEK), // kern_lseek checks cap_seek_rights for every whence
		"getdents":          Of(CAP_READ), // getdirentries: cap_read_rights
		"getdents64":        Of(CAP_READ),
		"fstat":             Of(CAP_FSTAT),
		"fstatfs":           Of(CAP_FSTATFS),
		"fsync":             Of(CAP_FSYNC),
		"fdatasync":         Of(CAP_FSYNC),
		"sync_file_range":   Of(CAP_FSYNC),
		"ftruncate":         Of(CAP_FTRUNCATE),
		"fallocate":         Of(CAP_PWRITE), // posix_fallocate: cap_pwrite_rights
		"fchmod":            Of(CAP_FCHMOD),
		"fchown":            Of(CAP_FCHOWN),
		"fchdir":            Of(CAP_FCHDIR),
		"flock":             Of(CAP_FLOCK),
		"accept":            Of(CAP_ACCEPT),
		"accept4":           Of(CAP_ACCEPT),
		"bind":              Of(CAP_BIND),
		"connect":           Of(CAP_CONNECT),
		"listen":            Of(CAP_LISTEN),
		"getsockopt":        Of(CAP_GETSOCKOPT),
		"setsockopt":        Of(CAP_SETSOCKOPT),
		"getpeername":       Of(CAP_GETPEERNAME),
		"getsockname":       Of(CAP_GETSOCKNAME),
		"shutdown":          Of(CAP_SHUTDOWN),
		"fgetxattr":         Of(CAP_EXTATTR_GET),
		"fsetxattr":         Of(CAP_EXTATTR_SET),
		"flistxattr":        Of(CAP_EXTATTR_LIST),
		"fremovexattr":      Of(CAP_EXTATTR_DELETE),
		"pidfd_send_signal": Of(CAP_PDKILL),
		"epoll_wait":        Of(CAP_KQUEUE_EVENT),
		"epoll_pwait":       Of(CAP_KQUEUE_EVENT),
		"epoll_pwait2":      Of(CAP_KQUEUE_EVENT),
	}
})

// at describes a *at call: the directory argument, the path argument, the
// flags argument (-1: none) and the rights the lookup needs.
type at struct {
	dir, path, flags int
	rights           Set
	// empty is what an empty path with AT_EMPTY_PATH needs: the call acts
	// on the descriptor itself (glibc's fstat is fstatat(fd, "",
	// AT_EMPTY_PATH)); zero when the call has no such form.
	empty Set
}

// atCalls are the calls that look a path up beneath a directory
// descriptor, with where their arguments are and what the lookup needs.
// Built at first use, like fixed.
var atCalls = sync.OnceValue(func() map[string][]at {
	return map[string][]at{
		"newfstatat": {{0, 1, 3, Of(CAP_FSTATAT), Of(CAP_FSTAT)}},
		"statx":      {{0, 1, 2, Of(CAP_FSTATAT), Of(CAP_FSTAT)}},
		"faccessat":  {{0, 1, -1, Of(CAP_FSTATAT), Set{}}},
		"faccessat2": {{0, 1, 3, Of(CAP_FSTATAT), Set{}}},
		"fchmodat":   {{0, 1, -1, Of(CAP_FCHMODAT), Set{}}},
		"fchmodat2":  {{0, 1, 3, Of(CAP_FCHMODAT), Of(CAP_FCHMOD)}},
		"fchownat":   {{0, 1, 4, Of(CAP_FCHOWNAT), Of(CAP_FCHOWN)}},
		"futimesat":  {{0, 1, -1, Of(CAP_FUTIMESAT), Set{}}},
		"mkdirat":    {{0, 1, -1, Of(CAP_MKDIRAT), Set{}}},
		"symlinkat":  {{1, 2, -1, Of(CAP_SYMLINKAT), Set{}}},
		"unlinkat":   {{0, 1, -1, Of(CAP_UNLINKAT), Set{}}},
		"readlinkat": {{0, 1, -1, Of(CAP_LOOKUP), Set{}}},
		"renameat":   {{0, 1, -1, Of(CAP_RENAMEAT_SOURCE), Set{}}, {2, 3, -1, Of(CAP_RENAMEAT_TARGET), Set{}}},
		"renameat2":  {{0, 1, -1, Of(CAP_RENAMEAT_SOURCE), Set{}}, {2, 3, -1, Of(CAP_RENAMEAT_TARGET), Set{}}},
		"linkat":     {{0, 1, 4, Of(CAP_LINKAT_SOURCE), Set{}}, {2, 3, -1, Of(CAP_LINKAT_TARGET), Set{}}},
		"execveat":   {{0, 1, 4, Of(CAP_LOOKUP), Of(CAP_FEXECVE, CAP_READ)}},
	}
})

// LinuxUses lists the descriptors a Linux syscall uses and the rights each
// needs, by FreeBSD's rules for the call's FreeBSD counterpart. It returns
// nil for calls that use no descriptor, or none Capsicum guards (close,
// dup*, and the path calls relative to AT_FDCWD or with an absolute path,
// whose directory descriptor namei ignores). mem may be nil; then the calls
// that need memory (paths, msghdr, pollfd) are judged on registers alone.
func LinuxUses(name string, args [6]uint64, mem Memory) []Use {
	if s, ok := fixed()[name]; ok {
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: s}}
	}
	if ats, ok := atCalls()[name]; ok {
		var out []Use
		for _, a := range ats {
			if u, ok := atUse(a, args, mem); ok {
				out = append(out, u)
			}
		}
		return out
	}
	switch name {
	case "preadv2", "pwritev2":
		// An offset of -1 means the current position: plain readv/writev.
		s := Of(CAP_READ)
		if name == "pwritev2" {
			s = Of(CAP_WRITE)
		}
		if int64(args[3]) != -1 {
			s = s.With(CAP_SEEK)
		}
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: s}}
	case "mmap":
		if args[3]&linuxMapAnonymous != 0 || fdArg(args[4]) < 0 {
			return nil
		}
		return []Use{{Arg: 4, FD: fdArg(args[4]), Rights: MmapRights(args[2], args[3])}}
	case "ioctl":
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_IOCTL), Ioctl: true, IoctlCmd: uint64(uint32(args[1]))}}
	case "fcntl":
		s, m := LinuxFcntl(int(int32(uint32(args[1]))))
		if s.IsEmpty() {
			return nil
		}
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: s, Fcntl: m}}
	case "sendto":
		s := Of(CAP_SEND)
		if args[4] != 0 {
			s = s.With(CAP_CONNECT) // sendit: cap_send_connect_rights with a destination
		}
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: s}}
	case "sendmsg", "sendmmsg":
		s := Of(CAP_SEND)
		if mem != nil && msgHasName(args[1], mem) {
			s = s.With(CAP_CONNECT)
		}
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: s}}
	case "sendfile", "sendfile64":
		// sendfile(out, in, ...): CAP_READ on the file, CAP_WRITE on the socket.
		return []Use{{Arg: 1, FD: fdArg(args[1]), Rights: Of(CAP_READ)}, {Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_WRITE)}}
	case "copy_file_range", "splice":
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_READ)}, {Arg: 2, FD: fdArg(args[2]), Rights: Of(CAP_WRITE)}}
	case "tee":
		return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_READ)}, {Arg: 1, FD: fdArg(args[1]), Rights: Of(CAP_WRITE)}}
	case "openat":
		return openUse(fdArg(args[0]), args[1], args[2], mem)
	case "openat2":
		var how [8]byte
		if mem == nil || mem.ReadMemory(args[2], how[:]) != nil {
			return nil
		}
		return openUse(fdArg(args[0]), args[1], binary.LittleEndian.Uint64(how[:]), mem)
	case "utimensat":
		// utimensat(fd, NULL, ...) is futimens.
		if args[1] == 0 {
			return []Use{{Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_FUTIMES)}}
		}
		if u, ok := atUse(at{0, 1, 3, Of(CAP_FUTIMESAT), Of(CAP_FUTIMES)}, args, mem); ok {
			return []Use{u}
		}
		return nil
	case "mknodat":
		// Linux's mkfifo is mknodat(S_IFIFO): FreeBSD's mkfifoat.
		r := Of(CAP_MKNODAT)
		if args[2]&linuxSIFMT == linuxSIFIFO {
			r = Of(CAP_MKFIFOAT)
		}
		if u, ok := atUse(at{0, 1, -1, r, Set{}}, args, mem); ok {
			return []Use{u}
		}
		return nil
	case "epoll_ctl":
		out := []Use{{Arg: 0, FD: fdArg(args[0]), Rights: Of(CAP_KQUEUE_CHANGE)}}
		if op := args[1]; op == linuxEpollCtlAdd || op == linuxEpollCtlMod {
			out = append(out, Use{Arg: 2, FD: fdArg(args[2]), Rights: Of(CAP_EVENT)})
		}
		return out
	case "waitid":
		if args[0] == linuxPPIDFD {
			return []Use{{Arg: 1, FD: fdArg(args[1]), Rights: Of(CAP_PDWAIT)}}
		}
		return nil
	case "poll", "ppoll":
		return pollUses(args[0], args[1], mem)
	case "select", "pselect6":
		return selectUses(int(int32(uint32(args[0]))), [3]uint64{args[1], args[2], args[3]}, mem)
	}
	return nil
}

func openUse(dirfd int, pathAddr, flags uint64, mem Memory) []Use {
	if dirfd == linuxATFDCWD {
		return nil
	}
	path, ok := readPath(pathAddr, mem)
	if !ok || isAbsolute(path) {
		return nil
	}
	return []Use{{Arg: 0, FD: dirfd, Rights: OpenRights(flags), Lookup: true, Path: path}}
}

func atUse(a at, args [6]uint64, mem Memory) (Use, bool) {
	dirfd := fdArg(args[a.dir])
	path, ok := readPath(args[a.path], mem)
	if !ok {
		return Use{}, false
	}
	if path == "" && a.flags >= 0 && args[a.flags]&linuxATEmptyPath != 0 && !a.empty.IsEmpty() {
		if dirfd == linuxATFDCWD {
			return Use{}, false
		}
		return Use{Arg: a.dir, FD: dirfd, Rights: a.empty}, true
	}
	if dirfd == linuxATFDCWD || isAbsolute(path) {
		return Use{}, false
	}
	return Use{Arg: a.dir, FD: dirfd, Rights: a.rights, Lookup: true, Path: path}, true
}

func isAbsolute(path string) bool { return len(path) > 0 && path[0] == '/' }

func readPath(addr uint64, mem Memory) (string, bool) {
	if mem == nil || addr == 0 {
		return "", false
	}
	s, err := mem.ReadString(addr, pathMax)
	return s, err == nil
}

// msgHasName reads struct msghdr's msg_name (its first field).
func msgHasName(addr uint64, mem Memory) bool {
	var p [8]byte
	if addr == 0 || mem.ReadMemory(addr, p[:]) != nil {
		return false
	}
	return binary.LittleEndian.Uint64(p[:]) != 0
}

// pollUses: every non-negative descriptor in the struct pollfd array
// (int fd; short events; short revents) needs CAP_EVENT.
func pollUses(addr, n uint64, mem Memory) []Use {
	if mem == nil || addr == 0 || n == 0 || n > maxPollFDs {
		return nil
	}
	buf := make([]byte, 8*n)
	if mem.ReadMemory(addr, buf) != nil {
		return nil
	}
	var out []Use
	for i := uint64(0); i < n; i++ {
		fd := int(int32(binary.LittleEndian.Uint32(buf[8*i:])))
		if fd >= 0 {
			out = append(out, Use{Arg: 0, FD: fd, Rights: Of(CAP_EVENT), PollNVAL: true})
		}
	}
	return out
}

// selectUses: every descriptor set in the read, write and except fd_sets
// (bit arrays of longs) needs CAP_EVENT (getselfd_cap, sys/kern/sys_generic.c).
func selectUses(nfds int, sets [3]uint64, mem Memory) []Use {
	if mem == nil || nfds <= 0 || nfds > 1024 {
		return nil
	}
	seen := map[int]bool{}
	var out []Use
	for i, addr := range sets {
		if addr == 0 {
			continue
		}
		buf := make([]byte, (nfds+63)/64*8)
		if mem.ReadMemory(addr, buf) != nil {
			continue
		}
		for fd := 0; fd < nfds; fd++ {
			if buf[fd/8]&(1<<(fd%8)) != 0 && !seen[fd] {
				seen[fd] = true
				out = append(out, Use{Arg: 1 + i, FD: fd, Rights: Of(CAP_EVENT)})
			}
		}
	}
	return out
}

// argumentCalls are the calls LinuxUses decides from their arguments.
var argumentCalls = []string{
	"preadv2", "pwritev2", "mmap", "ioctl", "fcntl", "sendto", "sendmsg", "sendmmsg",
	"sendfile", "copy_file_range", "splice", "tee", "openat", "openat2", "utimensat",
	"mknodat", "epoll_ctl", "waitid", "poll", "ppoll", "select", "pselect6",
}

// LinuxCalls are the names of every Linux syscall LinuxUses may find a
// descriptor use in: what a process with limited descriptors must stop at.
func LinuxCalls() []string {
	var out []string
	for name := range fixed() {
		out = append(out, name)
	}
	for name := range atCalls() {
		out = append(out, name)
	}
	out = append(out, argumentCalls...)
	slices.Sort(out)
	return out
}
