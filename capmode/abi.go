package capmode

import (
	"encoding/binary"
	"sync"
)

// abi holds the constants one OS's rules and decoder read from raw
// arguments. Both tables run on any host (captrace policy --os=freebsd on
// Linux), so the numbers are data here, not golang.org/x/sys/unix
// constants of the build target.
type abi struct {
	atFDCWD           int32
	atSymlinkNoFollow uint64
	atSymlinkFollow   uint64
	atEmptyPath       uint64
	oCreat            uint64
	oExcl             uint64
	oNoFollow         uint64
	oTmpfile          uint64 // Linux: O_TMPFILE creates nothing by name
	oEmptyPath        uint64 // FreeBSD: O_EMPTY_PATH opens the dirfd itself

	accessModes []string // index = O_ACCMODE value
	openFlags   []flagName
	atFlags     []flagName
	// accessAtFlags are faccessat's flags: Linux gives AT_EACCESS the bit
	// of AT_REMOVEDIR (include/uapi/linux/fcntl.h).
	accessAtFlags []flagName
	signals       []string // index = signal number
	afUnix        int
	afInet        int
	afInet6       int
	sockaddrLen   bool // BSD sockaddrs start with sa_len
	// ptr32: pointers in the call's structs are 4 bytes (Linux i386).
	ptr32 bool
	// sockTypeMask keeps socket(2)'s type and drops SOCK_CLOEXEC and
	// SOCK_NONBLOCK, which both systems pass in the same word.
	sockTypeMask uint64
	// capAttachProtocols: the (type, protocol) pairs of AF_INET and
	// AF_INET6 whose protosw carries PR_CAPATTACH (socreate(),
	// sys/kern/uipc_socket.c), i.e. TCP, UDP, UDP-Lite and SCTP.
	capAttachProtocols map[[2]int]bool
	// familyNames name the address families a socket verdict mentions.
	familyNames map[int]string

	formats map[string][]ArgType
}

type flagName struct {
	bit  uint64
	name string
}

// linuxABI and freebsdABI are built at first use, not at package
// initialisation: their maps (and the argument formats) would otherwise
// cost every captrace start-up, even one that never looks at a syscall
// (issue 15).
var linuxABI = sync.OnceValue(func() *abi {
	return &abi{
		atFDCWD:           -100,
		atSymlinkNoFollow: 0x100,
		atSymlinkFollow:   0x400,
		atEmptyPath:       0x1000,
		oCreat:            0x40,
		oExcl:             0x80,
		oNoFollow:         0x20000,
		oTmpfile:          0x410000,

		accessModes: []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"},
		openFlags: []flagName{
			{0x410000, "O_TMPFILE"}, {0x101000, "O_SYNC"},
			{0x40, "O_CREAT"}, {0x80, "O_EXCL"}, {0x100, "O_NOCTTY"}, {0x200, "O_TRUNC"},
			{0x400, "O_APPEND"}, {0x800, "O_NONBLOCK"}, {0x1000, "O_DSYNC"}, {0x2000, "O_ASYNC"},
			{0x4000, "O_DIRECT"}, {0x8000, "O_LARGEFILE"}, {0x10000, "O_DIRECTORY"},
			{0x20000, "O_NOFOLLOW"}, {0x40000, "O_NOATIME"}, {0x80000, "O_CLOEXEC"},
			{0x200000, "O_PATH"},
		},
		atFlags: []flagName{
			{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
			{0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"},
			{0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"},
		},
		accessAtFlags: []flagName{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"}},
		signals: []string{"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
			"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
			"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
			"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"},
		afUnix:       1,
		afInet:       2,
		afInet6:      10,
		sockTypeMask: 0xf, // SOCK_TYPE_MASK, include/linux/net.h
		capAttachProtocols: map[[2]int]bool{
			// {type, protocol}; protocol 0 picks the type's default.
			{sockStream, 0}: true, {sockStream, ipprotoTCP}: true, {sockStream, ipprotoSCTP}: true,
			{sockStream, ipprotoMPTCP}: true, // Linux-only multipath TCP: TCP to the application
			{sockDgram, 0}:             true, {sockDgram, ipprotoUDP}: true, {sockDgram, ipprotoUDPLite}: true,
			{sockSeqpacket, 0}: true, {sockSeqpacket, ipprotoSCTP}: true,
		},
		// include/linux/socket.h
		familyNames: map[int]string{1: "AF_UNIX", 2: "AF_INET", 10: "AF_INET6", 16: "AF_NETLINK", 17: "AF_PACKET"},
		formats:     linuxFormats(),
	}
})

var freebsdABI = sync.OnceValue(func() *abi {
	return &abi{
		atFDCWD:           -100,
		atSymlinkNoFollow: 0x200,
		atSymlinkFollow:   0x400,
		atEmptyPath:       0x4000,
		oCreat:            0x200,
		oExcl:             0x800,
		oNoFollow:         0x100,
		oEmptyPath:        0x2000000,

		accessModes: []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"},
		openFlags: []flagName{
			{0x4, "O_NONBLOCK"}, {0x8, "O_APPEND"}, {0x10, "O_SHLOCK"}, {0x20, "O_EXLOCK"},
			{0x40, "O_ASYNC"}, {0x80, "O_FSYNC"}, {0x100, "O_NOFOLLOW"}, {0x200, "O_CREAT"},
			{0x400, "O_TRUNC"}, {0x800, "O_EXCL"}, {0x8000, "O_NOCTTY"}, {0x10000, "O_DIRECT"},
			{0x20000, "O_DIRECTORY"}, {0x40000, "O_EXEC"}, {0x80000, "O_TTY_INIT"},
			{0x100000, "O_CLOEXEC"}, {0x200000, "O_VERIFY"}, {0x400000, "O_PATH"},
			{0x800000, "O_RESOLVE_BENEATH"}, {0x1000000, "O_DSYNC"}, {0x2000000, "O_EMPTY_PATH"},
		},
		atFlags: []flagName{
			{0x100, "AT_EACCESS"}, {0x200, "AT_SYMLINK_NOFOLLOW"}, {0x400, "AT_SYMLINK_FOLLOW"},
			{0x800, "AT_REMOVEDIR"}, {0x2000, "AT_RESOLVE_BENEATH"}, {0x4000, "AT_EMPTY_PATH"},
		},
		accessAtFlags: []flagName{
			{0x100, "AT_EACCESS"}, {0x200, "AT_SYMLINK_NOFOLLOW"}, {0x2000, "AT_RESOLVE_BENEATH"}, {0x4000, "AT_EMPTY_PATH"},
		},
		signals: []string{"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT",
			"SIGFPE", "SIGKILL", "SIGBUS", "SIGSEGV", "SIGSYS", "SIGPIPE", "SIGALRM", "SIGTERM",
			"SIGURG", "SIGSTOP", "SIGTSTP", "SIGCONT", "SIGCHLD", "SIGTTIN", "SIGTTOU", "SIGIO",
			"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGINFO", "SIGUSR1", "SIGUSR2",
			"SIGTHR", "SIGLIBRT"},
		afUnix:       1,
		afInet:       2,
		afInet6:      28,
		sockaddrLen:  true,
		sockTypeMask: ^uint64(0x10000000 | 0x20000000), // SOCK_CLOEXEC, SOCK_NONBLOCK (sys/sys/socket.h)
		capAttachProtocols: map[[2]int]bool{
			{sockStream, 0}: true, {sockStream, ipprotoTCP}: true, {sockStream, ipprotoSCTP}: true,
			{sockDgram, 0}: true, {sockDgram, ipprotoUDP}: true, {sockDgram, ipprotoUDPLite}: true,
			{sockSeqpacket, 0}: true, {sockSeqpacket, ipprotoSCTP}: true,
		},
		// sys/sys/socket.h
		familyNames: map[int]string{1: "AF_UNIX", 2: "AF_INET", 17: "AF_ROUTE", 28: "AF_INET6", 38: "AF_NETLINK"},
		formats:     freebsdFormats(),
	}
})

// Socket types and IP protocol numbers, the same on Linux
// (include/linux/net.h, include/uapi/linux/in.h) and FreeBSD
// (sys/sys/socket.h, sys/netinet/in.h); IPPROTO_MPTCP is Linux-only.
const (
	sockStream     = 1
	sockDgram      = 2
	sockRaw        = 3
	sockSeqpacket  = 5
	ipprotoTCP     = 6
	ipprotoUDP     = 17
	ipprotoSCTP    = 132
	ipprotoUDPLite = 136
	ipprotoMPTCP   = 262
)

// int32Arg is a 32-bit argument (fd, pid): C passes it zero-extended, Go's
// syscall package sign-extended, so only the low 32 bits mean anything.
func int32Arg(v uint64) int32 { return int32(uint32(v)) }

// msghdrLayout is where struct msghdr keeps msg_name and msg_namelen, its
// size, and struct mmsghdr's: LP64 (Linux and FreeBSD) or i386's 4-byte
// pointers (include/linux/compat.h, struct compat_msghdr, compat_mmsghdr).
func (a *abi) msghdrLayout() (size, nameLenOff, mmsgSize int) {
	if a.ptr32 {
		return 28, 4, 32
	}
	return msghdrSize, 8, mmsghdrSize
}

// pointerAt reads a pointer of the ABI's width from b.
func (a *abi) pointerAt(b []byte) uint64 {
	if a.ptr32 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

func (a *abi) pointerSize() int {
	if a.ptr32 {
		return 4
	}
	return 8
}
