package rights

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// fakeMemory is a process address space of a few strings and structs.
type fakeMemory map[uint64][]byte

func (m fakeMemory) ReadString(addr uint64, max int) (string, error) {
	b, ok := m[addr]
	if !ok {
		return "", errors.New("EFAULT")
	}
	return string(b), nil
}

func (m fakeMemory) ReadMemory(addr uint64, p []byte) error {
	b, ok := m[addr]
	if !ok || len(b) < len(p) {
		return errors.New("EFAULT")
	}
	copy(p, b)
	return nil
}

const (
	pRel   = 0x1000 // "data.txt"
	pAbs   = 0x2000 // "/etc/passwd"
	pEmpty = 0x3000 // ""
	pMsg   = 0x4000 // msghdr with msg_name
	pMsg0  = 0x5000 // msghdr without
	pPoll  = 0x6000 // {3, POLLIN}, {-1}, {5, POLLOUT}
	pHow   = 0x7000 // open_how{O_WRONLY|O_CREAT}
	pSet   = 0x8000 // fd_set {1, 4}
)

var mem = fakeMemory{
	pRel:   []byte("data.txt"),
	pAbs:   []byte("/etc/passwd"),
	pEmpty: []byte(""),
	pMsg:   le64(0xdead, 16),
	pMsg0:  le64(0, 0),
	pPoll:  pollfds(3, -1, 5),
	pHow:   le64(linuxOWronly|linuxOCreat, 0),
	pSet:   []byte{1<<1 | 1<<4, 0, 0, 0, 0, 0, 0, 0},
}

func le64(v ...uint64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return b
}

func pollfds(fds ...int32) []byte {
	b := make([]byte, 8*len(fds))
	for i, fd := range fds {
		binary.LittleEndian.PutUint32(b[8*i:], uint32(fd))
	}
	return b
}

const atFDCWD = 0xffffff9c // AT_FDCWD (-100) as the register holds it

func TestLinuxUses(t *testing.T) {
	u := func(arg, fd int, rs ...Right) Use { return Use{Arg: arg, FD: fd, Rights: Of(rs...)} }
	look := func(arg, fd int, path string, s Set) Use {
		return Use{Arg: arg, FD: fd, Rights: s, Lookup: true, Path: path}
	}
	for _, tc := range []struct {
		call string
		args [6]uint64
		want []Use
	}{
		{"read", [6]uint64{3}, []Use{u(0, 3, CAP_READ)}},
		{"readv", [6]uint64{3}, []Use{u(0, 3, CAP_READ)}},
		{"recvfrom", [6]uint64{3}, []Use{u(0, 3, CAP_READ)}},
		{"pread64", [6]uint64{3}, []Use{u(0, 3, CAP_READ, CAP_SEEK)}},
		{"preadv2", [6]uint64{3, 0, 0, ^uint64(0)}, []Use{u(0, 3, CAP_READ)}},
		{"preadv2", [6]uint64{3, 0, 0, 8}, []Use{u(0, 3, CAP_PREAD)}},
		{"write", [6]uint64{1}, []Use{u(0, 1, CAP_WRITE)}},
		{"pwrite64", [6]uint64{1}, []Use{u(0, 1, CAP_PWRITE)}},
		{"lseek", [6]uint64{3, 0, 1}, []Use{u(0, 3, CAP_SEEK)}},
		{"fstat", [6]uint64{3}, []Use{u(0, 3, CAP_FSTAT)}},
		{"fstatfs", [6]uint64{3}, []Use{u(0, 3, CAP_FSTATFS)}},
		{"fsync", [6]uint64{3}, []Use{u(0, 3, CAP_FSYNC)}},
		{"ftruncate", [6]uint64{3}, []Use{u(0, 3, CAP_FTRUNCATE)}},
		{"fchmod", [6]uint64{3}, []Use{u(0, 3, CAP_FCHMOD)}},
		{"fchown", [6]uint64{3}, []Use{u(0, 3, CAP_FCHOWN)}},
		{"fchdir", [6]uint64{3}, []Use{u(0, 3, CAP_FCHDIR)}},
		{"flock", [6]uint64{3}, []Use{u(0, 3, CAP_FLOCK)}},
		{"getdents64", [6]uint64{3}, []Use{u(0, 3, CAP_READ)}},
		{"close", [6]uint64{3}, nil},
		{"dup2", [6]uint64{3, 4}, nil},
		// mmap by protection; anonymous needs nothing.
		{"mmap", [6]uint64{0, 4096, linuxProtRead, linuxMapShared, 3}, []Use{u(4, 3, CAP_MMAP_R)}},
		{"mmap", [6]uint64{0, 4096, linuxProtRead | linuxProtWrite, linuxMapShared, 3}, []Use{u(4, 3, CAP_MMAP_RW)}},
		{"mmap", [6]uint64{0, 4096, linuxProtRead | linuxProtWrite, 0x2, 3}, []Use{u(4, 3, CAP_MMAP_R)}},
		{"mmap", [6]uint64{0, 4096, linuxProtExec, 0x2, 3}, []Use{u(4, 3, CAP_MMAP_X)}},
		{"mmap", [6]uint64{0, 4096, 0, 0x2, 3}, []Use{u(4, 3, CAP_MMAP)}},
		{"mmap", [6]uint64{0, 4096, linuxProtRead, 0x22, ^uint64(0)}, nil},
		// ioctl and fcntl.
		{"ioctl", [6]uint64{1, 0x5401}, []Use{{Arg: 0, FD: 1, Rights: Of(CAP_IOCTL), Ioctl: true, IoctlCmd: 0x5401}}},
		{"fcntl", [6]uint64{1, linuxFGetfl}, []Use{{Arg: 0, FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_GETFL}}},
		{"fcntl", [6]uint64{1, linuxFSetfl}, []Use{{Arg: 0, FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_SETFL}}},
		{"fcntl", [6]uint64{1, linuxFGetown}, []Use{{Arg: 0, FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_GETOWN}}},
		{"fcntl", [6]uint64{1, linuxFSetown}, []Use{{Arg: 0, FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_SETOWN}}},
		{"fcntl", [6]uint64{1, linuxFSetlkw}, []Use{u(0, 1, CAP_FLOCK)}},
		{"fcntl", [6]uint64{1, 1 /* F_GETFD */}, nil},
		{"fcntl", [6]uint64{1, linuxFDupfdCloexec}, nil},
		// openat: CAP_LOOKUP plus flags_to_rights, relative paths only.
		{"openat", [6]uint64{5, pRel, 0}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_READ))}},
		{"openat", [6]uint64{5, pRel, linuxOWronly}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_WRITE, CAP_SEEK))}},
		{"openat", [6]uint64{5, pRel, linuxOWronly | linuxOAppend}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_WRITE))}},
		{"openat", [6]uint64{5, pRel, linuxORdwr | linuxOCreat | linuxOTrunc}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_READ, CAP_WRITE, CAP_CREATE, CAP_FTRUNCATE))}},
		{"openat", [6]uint64{5, pRel, linuxOSync}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_READ, CAP_FSYNC))}},
		{"openat", [6]uint64{5, pAbs, 0}, nil},
		{"openat", [6]uint64{atFDCWD, pRel, 0}, nil},
		{"openat2", [6]uint64{5, pRel, pHow, 24}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP, CAP_WRITE, CAP_SEEK, CAP_CREATE))}},
		// *at calls.
		{"newfstatat", [6]uint64{5, pRel, 0, 0}, []Use{look(0, 5, "data.txt", Of(CAP_FSTATAT))}},
		{"newfstatat", [6]uint64{5, pEmpty, 0, linuxATEmptyPath}, []Use{u(0, 5, CAP_FSTAT)}},
		{"newfstatat", [6]uint64{atFDCWD, pEmpty, 0, linuxATEmptyPath}, nil},
		{"statx", [6]uint64{5, pEmpty, linuxATEmptyPath}, []Use{u(0, 5, CAP_FSTAT)}},
		{"faccessat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_FSTATAT))}},
		{"fchmodat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_FCHMODAT))}},
		{"fchownat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_FCHOWNAT))}},
		{"utimensat", [6]uint64{5, 0}, []Use{u(0, 5, CAP_FUTIMES)}},
		{"utimensat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_FUTIMESAT))}},
		{"mkdirat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_MKDIRAT))}},
		{"mknodat", [6]uint64{5, pRel, linuxSIFIFO | 0o644}, []Use{look(0, 5, "data.txt", Of(CAP_MKFIFOAT))}},
		{"mknodat", [6]uint64{5, pRel, 0o020000}, []Use{look(0, 5, "data.txt", Of(CAP_MKNODAT))}},
		{"symlinkat", [6]uint64{pAbs, 5, pRel}, []Use{look(1, 5, "data.txt", Of(CAP_SYMLINKAT))}},
		{"unlinkat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_UNLINKAT))}},
		{"readlinkat", [6]uint64{5, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_LOOKUP))}},
		{"renameat", [6]uint64{5, pRel, 6, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_RENAMEAT_SOURCE)), look(2, 6, "data.txt", Of(CAP_RENAMEAT_TARGET))}},
		{"linkat", [6]uint64{5, pRel, 6, pRel}, []Use{look(0, 5, "data.txt", Of(CAP_LINKAT_SOURCE)), look(2, 6, "data.txt", Of(CAP_LINKAT_TARGET))}},
		{"execveat", [6]uint64{5, pEmpty, 0, 0, linuxATEmptyPath}, []Use{u(0, 5, CAP_FEXECVE, CAP_READ)}},
		// Sockets.
		{"accept4", [6]uint64{3}, []Use{u(0, 3, CAP_ACCEPT)}},
		{"bind", [6]uint64{3}, []Use{u(0, 3, CAP_BIND)}},
		{"connect", [6]uint64{3}, []Use{u(0, 3, CAP_CONNECT)}},
		{"listen", [6]uint64{3}, []Use{u(0, 3, CAP_LISTEN)}},
		{"getsockopt", [6]uint64{3}, []Use{u(0, 3, CAP_GETSOCKOPT)}},
		{"setsockopt", [6]uint64{3}, []Use{u(0, 3, CAP_SETSOCKOPT)}},
		{"getpeername", [6]uint64{3}, []Use{u(0, 3, CAP_GETPEERNAME)}},
		{"getsockname", [6]uint64{3}, []Use{u(0, 3, CAP_GETSOCKNAME)}},
		{"shutdown", [6]uint64{3}, []Use{u(0, 3, CAP_SHUTDOWN)}},
		{"sendto", [6]uint64{3, 0, 0, 0, 0}, []Use{u(0, 3, CAP_SEND)}},
		{"sendto", [6]uint64{3, 0, 0, 0, 0x99}, []Use{u(0, 3, CAP_SEND, CAP_CONNECT)}},
		{"sendmsg", [6]uint64{3, pMsg0}, []Use{u(0, 3, CAP_SEND)}},
		{"sendmsg", [6]uint64{3, pMsg}, []Use{u(0, 3, CAP_SEND, CAP_CONNECT)}},
		{"sendfile", [6]uint64{4, 3}, []Use{u(1, 3, CAP_READ), u(0, 4, CAP_WRITE)}},
		// Events: poll answers POLLNVAL, select an error.
		{"poll", [6]uint64{pPoll, 3}, []Use{{FD: 3, Rights: Of(CAP_EVENT), PollNVAL: true}, {FD: 5, Rights: Of(CAP_EVENT), PollNVAL: true}}},
		{"select", [6]uint64{5, pSet}, []Use{u(1, 1, CAP_EVENT), u(1, 4, CAP_EVENT)}},
		{"epoll_ctl", [6]uint64{7, linuxEpollCtlAdd, 3}, []Use{u(0, 7, CAP_KQUEUE_CHANGE), u(2, 3, CAP_EVENT)}},
		{"epoll_wait", [6]uint64{7}, []Use{u(0, 7, CAP_KQUEUE_EVENT)}},
		{"pidfd_send_signal", [6]uint64{7}, []Use{u(0, 7, CAP_PDKILL)}},
	} {
		got := LinuxUses(tc.call, tc.args, mem)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s%v:\n got %+v\nwant %+v", tc.call, tc.args[:3], got, tc.want)
		}
	}
}

// Every call LinuxCalls names is one LinuxUses knows, and the other way
// round: a name missing from LinuxCalls would never stop.
func TestLinuxCallsCoverLinuxUses(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range LinuxCalls() {
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		seen[name] = true
	}
	for _, name := range []string{"read", "write", "openat", "ioctl", "fcntl", "mmap", "poll", "renameat2", "newfstatat", "sendmsg"} {
		if !seen[name] {
			t.Errorf("%s missing", name)
		}
	}
	// The argument-decided calls are exactly the switch's cases: each gives
	// a use for some arguments.
	for _, name := range argumentCalls {
		if _, ok := fixed()[name]; ok {
			t.Errorf("%s is both fixed and argument-decided", name)
		}
	}
}
