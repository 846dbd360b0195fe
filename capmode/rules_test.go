package capmode

import (
	"encoding/binary"
	"os"
	"testing"
)

// atFDCWDFromC and atFDCWDFromGo are AT_FDCWD as the two calling
// conventions leave it in a register.
const (
	atFDCWDFromC  = uint64(0x00000000ffffff9c)
	atFDCWDFromGo = uint64(0xffffffffffffff9c)
)

type ruleCase struct {
	name    string
	syscall string
	args    func(f *fakeTracee) [6]uint64
	want    Outcome
	kind    Kind
}

func runRuleCases(t *testing.T, tab *Table, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			e, ok := tab.ByName(tc.syscall)
			if !ok {
				t.Fatalf("no entry %s", tc.syscall)
			}
			v := tab.Check(Call{Nr: e.Nr, Args: tc.args(f)}, f)
			if v.Outcome != tc.want {
				t.Fatalf("%s: got %v (%s), want %v", tc.syscall, v.Outcome.Errno(), v.Reason, tc.want.Errno())
			}
			if v.Violation() {
				if v.Reason == "" || v.Hint == "" || v.Kind == "" {
					t.Errorf("violation without explanation: %+v", v)
				}
				if tc.kind != "" && v.Kind != tc.kind {
					t.Errorf("kind %s, want %s", v.Kind, tc.kind)
				}
			}
		})
	}
}

func args(vs ...uint64) [6]uint64 {
	var a [6]uint64
	copy(a[:], vs)
	return a
}

func TestLinuxSignalRules(t *testing.T) {
	self := uint64(os.Getpid())
	runRuleCases(t, Linux(), []ruleCase{
		{"kill self", "kill", func(f *fakeTracee) [6]uint64 { return args(self, 15) }, Allow, ""},
		{"kill other", "kill", func(f *fakeTracee) [6]uint64 { return args(1, 15) }, CapMode, KindSignal},
		{"kill process group 0", "kill", func(f *fakeTracee) [6]uint64 { return args(0, 15) }, CapMode, KindSignal},
		{"kill -1", "kill", func(f *fakeTracee) [6]uint64 { return args(0xffffffff, 9) }, CapMode, KindSignal},
		{"kill self sign-extended", "kill", func(f *fakeTracee) [6]uint64 { return args(self|0xffffffff00000000, 0) }, Allow, ""},
		{"tgkill own thread", "tgkill", func(f *fakeTracee) [6]uint64 { return args(self, 12345, 6) }, Allow, ""},
		{"tgkill other process", "tgkill", func(f *fakeTracee) [6]uint64 { return args(1, 1, 6) }, CapMode, KindSignal},
		{"tkill self", "tkill", func(f *fakeTracee) [6]uint64 { return args(self, 6) }, Allow, ""},
		{"tkill own thread", "tkill", func(f *fakeTracee) [6]uint64 { f.threads[777] = f.pid; return args(777, 6) }, Allow, ""},
		{"tkill foreign thread", "tkill", func(f *fakeTracee) [6]uint64 { f.threads[778] = 1; return args(778, 6) }, CapMode, KindSignal},
		{"rt_sigqueueinfo self", "rt_sigqueueinfo", func(f *fakeTracee) [6]uint64 { return args(self, 10, 0) }, Allow, ""},
		// kern_sigqueue (kern_sig.c) checks p_cansignal only, not capability mode.
		{"rt_sigqueueinfo other", "rt_sigqueueinfo", func(f *fakeTracee) [6]uint64 { return args(1, 10, 0) }, Allow, ""},
		{"rt_tgsigqueueinfo self", "rt_tgsigqueueinfo", func(f *fakeTracee) [6]uint64 { return args(self, 5, 10, 0) }, Allow, ""},
		{"rt_tgsigqueueinfo other", "rt_tgsigqueueinfo", func(f *fakeTracee) [6]uint64 { return args(2, 5, 10, 0) }, CapMode, KindSignal},
		{"pidfd_send_signal", "pidfd_send_signal", func(f *fakeTracee) [6]uint64 { return args(5, 15, 0, 0) }, Allow, ""},
		{"pidfd_send_signal to group", "pidfd_send_signal", func(f *fakeTracee) [6]uint64 { return args(5, 15, 0, 4) }, CapMode, KindSignal},
	})
}

func TestLinuxNetworkRules(t *testing.T) {
	msghdr := func(f *fakeTracee, name uint64, namelen uint32) uint64 {
		b := make([]byte, msghdrSize)
		binary.LittleEndian.PutUint64(b[0:], name)
		binary.LittleEndian.PutUint32(b[8:], namelen)
		return f.put(b)
	}
	runRuleCases(t, Linux(), []ruleCase{
		{"connect", "connect", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 16) }, CapMode, KindNetwork},
		{"bind", "bind", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 16) }, CapMode, KindNetwork},
		// socreate() (uipc_socket.c) wants PR_CAPATTACH; capmode.cc,
		// AllowedSocketSyscalls and AllowedSocketSyscallsIfRoot.
		{"socket tcp", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 1, 0) }, Allow, ""},
		{"socket udp cloexec", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 2|0x80000, 17) }, Allow, ""},
		{"socket tcp6 nonblock", "socket", func(f *fakeTracee) [6]uint64 { return args(10, 1|0x800, 6) }, Allow, ""},
		{"socket sctp seqpacket", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 5, 132) }, Allow, ""},
		{"socket unix", "socket", func(f *fakeTracee) [6]uint64 { return args(1, 2, 0) }, Allow, ""},
		{"socket raw ip", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 3, 0) }, CapMode, KindNetwork},
		{"socket raw icmp", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 3, 1) }, CapMode, KindNetwork},
		{"socket raw icmpv6", "socket", func(f *fakeTracee) [6]uint64 { return args(10, 3, 58) }, CapMode, KindNetwork},
		{"socket raw udp", "socket", func(f *fakeTracee) [6]uint64 { return args(10, 3, 17) }, CapMode, KindNetwork},
		{"socket ping", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 2, 1) }, CapMode, KindNetwork},
		{"socket netlink route", "socket", func(f *fakeTracee) [6]uint64 { return args(16, 3, 0) }, CapMode, KindNetwork},
		{"socket packet", "socket", func(f *fakeTracee) [6]uint64 { return args(17, 3, 0x300) }, CapMode, KindNetwork},
		{"socket from Go, sign-extended family", "socket", func(f *fakeTracee) [6]uint64 { return args(0xffffffff00000002, 1, 0) }, Allow, ""},
		{"sendto connected", "sendto", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 5, 0, 0, 0) }, Allow, ""},
		{"sendto address", "sendto", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 5, 0, 0x2000, 16) }, CapMode, KindNetwork},
		{"sendto address of length 0", "sendto", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 5, 0, 0x2000, 0) }, Allow, ""},
		{"sendmsg connected", "sendmsg", func(f *fakeTracee) [6]uint64 { return args(3, msghdr(f, 0, 0), 0) }, Allow, ""},
		{"sendmsg address", "sendmsg", func(f *fakeTracee) [6]uint64 { return args(3, msghdr(f, 0x3000, 16), 0) }, CapMode, KindNetwork},
		{"sendmsg unreadable", "sendmsg", func(f *fakeTracee) [6]uint64 { return args(3, 0xdead0000, 0) }, Allow, ""},
		{"sendmmsg second has address", "sendmmsg", func(f *fakeTracee) [6]uint64 {
			b := make([]byte, 2*mmsghdrSize)
			binary.LittleEndian.PutUint64(b[mmsghdrSize:], 0x3000)
			binary.LittleEndian.PutUint32(b[mmsghdrSize+8:], 16)
			return args(3, f.put(b), 2, 0)
		}, CapMode, KindNetwork},
	})
}

func TestLinuxProcessRules(t *testing.T) {
	self := uint64(os.Getpid())
	cloneArgs := func(f *fakeTracee, flags uint64) uint64 { return f.u64s(flags, 0, 0, 0, 0, 0, 0, 0) }
	runRuleCases(t, Linux(), []ruleCase{
		{"prlimit64 self 0", "prlimit64", func(f *fakeTracee) [6]uint64 { return args(0, 7, 0, 0x1000) }, Allow, ""},
		{"prlimit64 own pid", "prlimit64", func(f *fakeTracee) [6]uint64 { return args(self, 7, 0, 0x1000) }, Allow, ""},
		{"prlimit64 other", "prlimit64", func(f *fakeTracee) [6]uint64 { return args(1, 7, 0, 0x1000) }, CapMode, KindProcess},
		{"sched_getaffinity 0", "sched_getaffinity", func(f *fakeTracee) [6]uint64 { return args(0, 128, 0x1000) }, Allow, ""},
		{"sched_setaffinity own thread", "sched_setaffinity", func(f *fakeTracee) [6]uint64 { f.threads[900] = f.pid; return args(900, 128, 0x1000) }, Allow, ""},
		{"sched_setaffinity other", "sched_setaffinity", func(f *fakeTracee) [6]uint64 { return args(1, 128, 0x1000) }, CapMode, KindProcess},
		{"getpgid 0", "getpgid", func(f *fakeTracee) [6]uint64 { return args(0) }, Allow, ""},
		// sys_getpgid, kern_getsid (kern_prot.c), kern_{get,set}priority
		// (kern_resource.c) and the p1003_1b.c sched_* calls check only
		// p_cansee/p_cansched: capability mode does not restrict the pid.
		{"getpgid other", "getpgid", func(f *fakeTracee) [6]uint64 { return args(1) }, Allow, ""},
		{"getsid other", "getsid", func(f *fakeTracee) [6]uint64 { return args(1) }, Allow, ""},
		{"getpriority self", "getpriority", func(f *fakeTracee) [6]uint64 { return args(0, 0) }, Allow, ""},
		{"getpriority user", "getpriority", func(f *fakeTracee) [6]uint64 { return args(2, 0) }, Allow, ""},
		{"getpriority process group", "getpriority", func(f *fakeTracee) [6]uint64 { return args(1, 0) }, Allow, ""},
		{"setpriority other", "setpriority", func(f *fakeTracee) [6]uint64 { return args(0, 1, 5) }, Allow, ""},
		{"sched_getscheduler other", "sched_getscheduler", func(f *fakeTracee) [6]uint64 { return args(1) }, Allow, ""},
		{"sched_setparam other", "sched_setparam", func(f *fakeTracee) [6]uint64 { return args(1, 0x1000) }, Allow, ""},
		{"sched_rr_get_interval other", "sched_rr_get_interval", func(f *fakeTracee) [6]uint64 { return args(1, 0x1000) }, Allow, ""},
		{"sched_getattr other", "sched_getattr", func(f *fakeTracee) [6]uint64 { return args(1, 0x1000, 56, 0) }, Allow, ""},
		// cpuset_check_capabilities (kern_cpuset.c) does restrict affinity.
		{"sched_getaffinity other", "sched_getaffinity", func(f *fakeTracee) [6]uint64 { return args(1, 128, 0x1000) }, CapMode, KindProcess},
		{"clone thread", "clone", func(f *fakeTracee) [6]uint64 { return args(0x3d0f00) }, Allow, ""},
		{"clone new namespace", "clone", func(f *fakeTracee) [6]uint64 { return args(0x20000000 | 17) }, CapMode, KindProcess},
		{"clone3 thread", "clone3", func(f *fakeTracee) [6]uint64 { return args(cloneArgs(f, 0x3d0f00), 88) }, Allow, ""},
		{"clone3 new user ns", "clone3", func(f *fakeTracee) [6]uint64 { return args(cloneArgs(f, 0x10000000), 88) }, CapMode, KindProcess},
		{"fork", "fork", func(f *fakeTracee) [6]uint64 { return args() }, Allow, ""},
		{"vfork", "vfork", func(f *fakeTracee) [6]uint64 { return args() }, Allow, ""},
		{"wait4", "wait4", func(f *fakeTracee) [6]uint64 { return args(0xffffffff, 0, 0, 0) }, Allow, ""},
		{"waitid pid", "waitid", func(f *fakeTracee) [6]uint64 { return args(1, 42, 0x1000, 4, 0) }, CapMode, KindProcess},
		{"waitid pidfd", "waitid", func(f *fakeTracee) [6]uint64 { return args(3, 5, 0x1000, 4, 0) }, Allow, ""},
		{"execve", "execve", func(f *fakeTracee) [6]uint64 { return args(f.str("/bin/true"), 0, 0) }, CapMode, KindProcess},
		{"execveat fexecve", "execveat", func(f *fakeTracee) [6]uint64 { return args(3, f.str(""), 0, 0, 0x1000) }, Allow, ""},
		{"execveat AT_FDCWD by name", "execveat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("/bin/true"), 0, 0, 0) }, CapMode, KindProcess},
		// fexecve.cc, Execveat.NoUpwardTraversal: by name from a directory
		// descriptor is openat(O_EXEC) + fexecve, judged by namei.
		{"execveat absolute from dirfd", "execveat", func(f *fakeTracee) [6]uint64 { return args(3, f.str("/bin/true"), 0, 0, 0) }, NotCapable, KindPathEscape},
		{"execveat AT_FDCWD empty", "execveat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str(""), 0, 0, 0x1000) }, CapMode, KindProcess},
		{"prctl PR_SET_NAME", "prctl", func(f *fakeTracee) [6]uint64 { return args(15, 0x1000) }, Allow, ""},
		{"prctl PR_SET_VMA", "prctl", func(f *fakeTracee) [6]uint64 { return args(0x53564d41, 0, 0x1000, 0x1000, 0x2000) }, Allow, ""},
		// linux.cc, CheckHighWord: garbage in the option's high word.
		{"prctl high word", "prctl", func(f *fakeTracee) [6]uint64 { return args(39 | 1<<32) }, CapMode, KindProcess},
		{"prctl PR_SET_CHILD_SUBREAPER", "prctl", func(f *fakeTracee) [6]uint64 { return args(36, 1) }, CapMode, KindProcess},
		{"adjtimex read", "adjtimex", func(f *fakeTracee) [6]uint64 { return args(f.put(make([]byte, 208))) }, Allow, ""},
		{"adjtimex set", "adjtimex", func(f *fakeTracee) [6]uint64 { return args(f.put([]byte{1, 0, 0, 0})) }, CapMode, KindGlobalNamespace},
		{"ptrace", "ptrace", func(f *fakeTracee) [6]uint64 { return args(0) }, CapMode, KindProcess},
	})
}

func TestFreeBSDRules(t *testing.T) {
	self := uint64(os.Getpid())
	runRuleCases(t, FreeBSD(), []ruleCase{
		{"openat AT_FDCWD", "openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("/etc/passwd"), 0) }, CapMode, KindGlobalNamespace},
		{"openat absolute under dirfd", "openat", func(f *fakeTracee) [6]uint64 { return args(3, f.str("/etc/passwd"), 0) }, NotCapable, KindPathEscape},
		{"fstatat AT_EMPTY_PATH", "fstatat", func(f *fakeTracee) [6]uint64 { return args(3, f.str(""), 0x1000, 0x4000) }, Allow, ""},
		{"open", "open", func(f *fakeTracee) [6]uint64 { return args(f.str("x"), 0) }, CapMode, KindGlobalNamespace},
		{"kill self", "kill", func(f *fakeTracee) [6]uint64 { return args(self, 15) }, Allow, ""},
		{"kill other", "kill", func(f *fakeTracee) [6]uint64 { return args(1, 15) }, CapMode, KindSignal},
		{"kill -1", "kill", func(f *fakeTracee) [6]uint64 { return args(0xffffffff, 15) }, CapMode, KindSignal},
		{"sigqueue other", "sigqueue", func(f *fakeTracee) [6]uint64 { return args(1, 15, 0) }, Allow, ""},
		{"_exit", "_exit", func(f *fakeTracee) [6]uint64 { return args(0) }, Allow, ""},
		{"vfork", "vfork", func(f *fakeTracee) [6]uint64 { return args() }, Allow, ""},
		{"wait4", "wait4", func(f *fakeTracee) [6]uint64 { return args(0xffffffff, 0, 0, 0) }, Allow, ""},
		{"ptrace", "ptrace", func(f *fakeTracee) [6]uint64 { return args(0) }, CapMode, KindProcess},
		{"renameat2", "renameat2", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("a"), 3, f.str("b"), 0) }, CapMode, KindGlobalNamespace},
		{"connectat AT_FDCWD", "connectat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, 3, 0x1000, 16) }, CapMode, KindNetwork},
		{"connectat dirfd", "connectat", func(f *fakeTracee) [6]uint64 { return args(4, 3, 0x1000, 16) }, Allow, ""},
		{"connect", "connect", func(f *fakeTracee) [6]uint64 { return args(3, 0x1000, 16) }, CapMode, KindNetwork},
		{"socket udp", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 2|0x10000000, 0) }, Allow, ""},
		{"socket raw", "socket", func(f *fakeTracee) [6]uint64 { return args(28, 3, 58) }, CapMode, KindNetwork},
		{"socket route", "socket", func(f *fakeTracee) [6]uint64 { return args(17, 3, 0) }, CapMode, KindNetwork},
		{"wait6", "wait6", func(f *fakeTracee) [6]uint64 { return args() }, CapMode, KindProcess},
		{"pdwait", "pdwait", func(f *fakeTracee) [6]uint64 { return args() }, Allow, ""},
		{"fexecve", "fexecve", func(f *fakeTracee) [6]uint64 { return args(3, 0, 0) }, Allow, ""},
		{"execve", "execve", func(f *fakeTracee) [6]uint64 { return args(f.str("/bin/sh"), 0, 0) }, CapMode, KindProcess},
	})
}
