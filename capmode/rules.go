package capmode

import (
	"encoding/binary"
	"strconv"
)

// ownThread reports whether id names the calling process or one of its
// threads; the tracer knows which thread belongs to which process.
func ownThread(tr Tracee, id int32) bool {
	pid := tr.Pid()
	return int(id) == pid || (id > 0 && tr.ThreadGroup(int(id)) == pid)
}

// checkSignalProcess: sys_kill and sys_sigqueue (sys/kern/kern_sig.c)
// return ECAPMODE for any pid but the caller's own; kill(0) and kill(-1)
// reach process groups.
func checkSignalProcess(e *Entry, c Call, tr Tracee) Verdict {
	if int(int32Arg(c.Args[e.PidArg])) == tr.Pid() {
		return Verdict{}
	}
	return e.refusal()
}

// checkSignalThreadGroup: tgkill(tgid, tid) ~ thr_kill, which reaches only
// the caller's own threads; another tgid ~ thr_kill2, not CAPENABLED.
func checkSignalThreadGroup(e *Entry, c Call, tr Tracee) Verdict {
	return checkSignalProcess(e, c, tr)
}

// checkSignalThread: tkill(tid) names a thread only; allowed when it is
// one of the caller's.
func checkSignalThread(e *Entry, c Call, tr Tracee) Verdict {
	if ownThread(tr, int32Arg(c.Args[e.PidArg])) {
		return Verdict{}
	}
	return e.refusal()
}

// pidfdSignalProcessGroup is PIDFD_SIGNAL_PROCESS_GROUP (include/uapi/linux/pidfd.h).
const pidfdSignalProcessGroup = 0x4

// checkSignalDescriptor: a pidfd is a process descriptor; pdkill is
// CAPENABLED. Delivery to the whole process group is not.
func checkSignalDescriptor(e *Entry, c Call) Verdict {
	if c.Args[3]&pidfdSignalProcessGroup != 0 {
		return e.refusal()
	}
	return Verdict{}
}

// checkSendAddress: sendto(s, buf, len, flags, to, tolen). sendit()
// (sys/kern/uipc_syscalls.c) refuses a destination address in capability
// mode; Linux ignores an address of length 0.
func checkSendAddress(e *Entry, c Call) Verdict {
	if c.Args[4] != 0 && uint32(c.Args[5]) != 0 {
		return e.refusal()
	}
	return Verdict{}
}

// msghdrSize is sizeof(struct msghdr) on LP64 Linux and FreeBSD; msg_name
// is at offset 0 and msg_namelen at 8 on both.
const msghdrSize = 56

func (a *abi) msghdrNamesAddress(h []byte) bool {
	_, nameLenOff, _ := a.msghdrLayout()
	return a.pointerAt(h) != 0 && binary.LittleEndian.Uint32(h[nameLenOff:]) != 0
}

func (t *Table) checkSendmsgAddress(e *Entry, c Call, tr Tracee) Verdict {
	size, _, _ := t.abi.msghdrLayout()
	h := make([]byte, size)
	if tr.ReadMemory(c.Args[1], h) != nil {
		return Verdict{} // EFAULT on its own
	}
	if t.abi.msghdrNamesAddress(h) {
		return e.refusal()
	}
	return Verdict{}
}

// mmsghdrSize is sizeof(struct mmsghdr): a msghdr, msg_len, padding.
const mmsghdrSize = 64

// maxMmsg is UIO_MAXIOV, the most messages sendmmsg takes.
const maxMmsg = 1024

func (t *Table) checkSendmmsgAddress(e *Entry, c Call, tr Tracee) Verdict {
	n := int(uint32(c.Args[2]))
	if n > maxMmsg {
		n = maxMmsg
	}
	size, _, mmsgSize := t.abi.msghdrLayout()
	h := make([]byte, size)
	for i := 0; i < n; i++ {
		if tr.ReadMemory(c.Args[1]+uint64(i*mmsgSize), h) != nil {
			return Verdict{}
		}
		if t.abi.msghdrNamesAddress(h) {
			return e.refusal()
		}
	}
	return Verdict{}
}

// socketcallCalls are i386 socketcall's call numbers (SYS_SOCKET ... in
// include/uapi/linux/net.h), each with the syscall it stands for and its
// argument count (nargs[] in net/socket.c). SYS_SEND and SYS_RECV are
// sendto and recvfrom without an address. An array indexed by call number
// (0 is none), not a map: it is static data, which start-up does not build
// (issue 15).
var socketcallCalls = [...]struct {
	name  string
	nargs int
}{
	1: {"socket", 3}, 2: {"bind", 3}, 3: {"connect", 3}, 4: {"listen", 2},
	5: {"accept", 3}, 6: {"getsockname", 3}, 7: {"getpeername", 3},
	8: {"socketpair", 4}, 9: {"sendto", 4}, 10: {"recvfrom", 4},
	11: {"sendto", 6}, 12: {"recvfrom", 6}, 13: {"shutdown", 2},
	14: {"setsockopt", 5}, 15: {"getsockopt", 5}, 16: {"sendmsg", 3},
	17: {"recvmsg", 3}, 18: {"accept4", 4}, 19: {"recvmmsg", 5}, 20: {"sendmmsg", 4},
}

// SocketcallTarget is the syscall an i386 socketcall(call, args) makes,
// with its arguments read from the tracee (32-bit words, zero-extended);
// ok is false for an unknown call or unreadable arguments (the kernel
// fails those with EINVAL or EFAULT on its own).
func (t *Table) SocketcallTarget(c Call, tr Tracee) (Call, bool) {
	n := uint64(uint32(c.Args[0]))
	if n >= uint64(len(socketcallCalls)) || socketcallCalls[n].name == "" {
		return Call{}, false
	}
	sc := socketcallCalls[n]
	target, ok := t.ByName(sc.name)
	if !ok {
		return Call{}, false
	}
	words := make([]byte, 4*sc.nargs)
	if tr.ReadMemory(uint64(uint32(c.Args[1])), words) != nil {
		return Call{}, false
	}
	out := Call{Nr: target.Nr}
	for i := 0; i < sc.nargs; i++ {
		out.Args[i] = uint64(binary.LittleEndian.Uint32(words[4*i:]))
	}
	return out, true
}

// checkSocketcall judges i386's socketcall as the call it multiplexes.
func (t *Table) checkSocketcall(c Call, tr Tracee) Verdict {
	target, ok := t.SocketcallTarget(c, tr)
	if !ok {
		return Verdict{}
	}
	return t.Check(target, tr)
}

// checkSocketAt: FreeBSD bindat/connectat(fd, s, name, len) name a socket
// in the filesystem relative to fd; AT_FDCWD is the global namespace.
func (t *Table) checkSocketAt(e *Entry, c Call) Verdict {
	if int32Arg(c.Args[0]) == t.abi.atFDCWD {
		return e.refusal()
	}
	return Verdict{}
}

// checkSocketCreate: socreate() (sys/kern/uipc_socket.c) refuses, in
// capability mode, every protocol whose protosw lacks PR_CAPATTACH. Local
// sockets, TCP, UDP, UDP-Lite and SCTP have it: capmode.cc
// (AllowedSocketSyscalls) creates an AF_INET datagram socket and an AF_UNIX
// pair, bindat_connectat.c (bindat_connectat_2) a TCP socket. Raw IPv4 and
// IPv6 sockets and routing sockets do not: capmode.cc
// (AllowedSocketSyscallsIfRoot) expects ECAPMODE from SOCK_RAW with
// protocols 0, ICMP, ICMPv6, TCP and UDP, and from AF_ROUTE. Linux's
// AF_NETLINK (the routing socket's counterpart), AF_PACKET (link-level raw
// access; FreeBSD's bpf(4) is a device, refused by path) and ICMP datagram
// "ping" sockets (raw ICMP on FreeBSD) are refused with them, as is any
// family FreeBSD has no capability-mode protocol for.
func (t *Table) checkSocketCreate(e *Entry, c Call) Verdict {
	a := t.abi
	family := int(int32Arg(c.Args[0]))
	typ := int(uint64(uint32(c.Args[1])) & a.sockTypeMask)
	proto := int(int32Arg(c.Args[2]))
	if family == a.afUnix {
		return Verdict{}
	}
	inet := family == a.afInet || family == a.afInet6
	if inet && a.capAttachProtocols[[2]int{typ, proto}] {
		return Verdict{}
	}
	fam := a.familyNames[family]
	if fam == "" {
		fam = "family " + strconv.Itoa(family)
	}
	var why string
	switch {
	case inet && typ == sockRaw:
		why = "a raw " + fam + " socket: raw IP has no PR_CAPATTACH, so socreate() refuses it in capability mode (uipc_socket.c; capmode.cc AllowedSocketSyscallsIfRoot)"
	case inet:
		why = "an " + fam + " socket of type " + strconv.Itoa(typ) + ", protocol " + strconv.Itoa(proto) +
			": only TCP, UDP, UDP-Lite and SCTP carry PR_CAPATTACH (socreate(), uipc_socket.c; capmode.cc AllowedSocketSyscallsIfRoot refuses raw ICMP)"
	default:
		why = "an " + fam + " socket: only local, TCP, UDP and SCTP sockets may be created in capability mode (PR_CAPATTACH, socreate(), uipc_socket.c); capmode.cc AllowedSocketSyscallsIfRoot refuses routing sockets"
	}
	return violation(CapMode, e.Kind, "socket() of "+why, e.Hint)
}

// checkOwnProcess: pid 0, the caller, or one of its threads.
func checkOwnProcess(e *Entry, c Call, tr Tracee) Verdict {
	pid := int32Arg(c.Args[e.PidArg])
	if pid == 0 || ownThread(tr, pid) {
		return Verdict{}
	}
	return e.refusal()
}

// cloneNewFlags are the CLONE_NEW* bits (include/uapi/linux/sched.h): a
// new namespace changes the global view, which rfork/pdfork cannot do.
const cloneNewFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 |
	0x10000000 | 0x20000000 | 0x40000000 | 0x00000080

func checkNoNamespaces(e *Entry, flags uint64) Verdict {
	if flags&cloneNewFlags != 0 {
		return e.refusal()
	}
	return Verdict{}
}

// checkClone3 reads clone_args.flags, the first field of the struct.
func checkClone3(e *Entry, c Call, tr Tracee) Verdict {
	var f [8]byte
	if tr.ReadMemory(c.Args[0], f[:]) != nil {
		return Verdict{}
	}
	return checkNoNamespaces(e, binary.LittleEndian.Uint64(f[:]))
}

// pPIDFD is waitid's P_PIDFD idtype.
const pPIDFD = 3

// checkWaitDescriptor: waitid on a pidfd is pdwait (CAPENABLED); by pid or
// group it is wait6, which syscalls.master leaves out of capability mode.
func checkWaitDescriptor(e *Entry, c Call) Verdict {
	if int32Arg(c.Args[0]) == pPIDFD {
		return Verdict{}
	}
	return e.refusal()
}

// prctlSelf reports whether a prctl option reads or sets only the calling
// thread or its own memory: thr_set_name, sigaction-like and madvise-like
// state. A switch, not a map: it costs nothing at start-up (issue 15).
func prctlSelf(option uint64) bool {
	switch option {
	case 1, // PR_SET_PDEATHSIG
		2,          // PR_GET_PDEATHSIG
		3,          // PR_GET_DUMPABLE
		4,          // PR_SET_DUMPABLE
		7,          // PR_GET_KEEPCAPS
		15,         // PR_SET_NAME ~ thr_set_name
		16,         // PR_GET_NAME
		21,         // PR_GET_SECCOMP
		23,         // PR_CAPBSET_READ
		29,         // PR_SET_TIMERSLACK
		30,         // PR_GET_TIMERSLACK
		38,         // PR_SET_NO_NEW_PRIVS
		39,         // PR_GET_NO_NEW_PRIVS
		40,         // PR_GET_TID_ADDRESS
		41,         // PR_SET_THP_DISABLE
		42,         // PR_GET_THP_DISABLE
		52,         // PR_GET_SPECULATION_CTRL
		0x53564d41: // PR_SET_VMA: Go 1.25+ names its heap mappings
		return true
	}
	return false
}

func checkPrctlSelf(e *Entry, c Call) Verdict {
	// The option is an int, but a raw syscall can set the register's high
	// word; the Capsicum suite refuses such a call in capability mode
	// (linux.cc, CheckHighWord: PR_GET_NO_NEW_PRIVS|1<<32 -> ECAPMODE).
	if c.Args[0]>>32 != 0 {
		return e.refusal()
	}
	if prctlSelf(c.Args[0]) {
		return Verdict{}
	}
	return e.refusal()
}

// checkReadClock: struct timex starts with "unsigned int modes"; modes 0
// only reads the clock, like ntp_gettime (CAPENABLED).
func checkReadClock(e *Entry, c Call, tr Tracee) Verdict {
	addr := c.Args[0]
	if e.Name == "clock_adjtime" {
		addr = c.Args[1]
	}
	var m [4]byte
	if tr.ReadMemory(addr, m[:]) != nil {
		return Verdict{}
	}
	if binary.LittleEndian.Uint32(m[:]) == 0 {
		return Verdict{}
	}
	return e.refusal()
}

// checkExecFD: execveat(fd, "", argv, envp, AT_EMPTY_PATH) is fexecve
// (CAPENABLED). By name from AT_FDCWD it is execve, which is not. By name
// from a directory descriptor it is openat(fd, path, O_EXEC) then fexecve,
// both CAPENABLED, so namei's rules decide: an absolute path or one that
// climbs out is ENOTCAPABLE, one beneath is allowed (fexecve.cc,
// Execveat.NoUpwardTraversal).
func (t *Table) checkExecFD(e *Entry, c Call, tr Tracee) Verdict {
	a := t.abi
	if int32Arg(c.Args[0]) == a.atFDCWD {
		return e.refusal()
	}
	return t.checkLookup(e, PathArg{DirFD: 0, Path: 1, FlagsArg: 4, Mode: PathFollow}, c, tr)
}
