package capmode

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"
)

func (f *fakeTracee) u32s(vs ...uint32) uint64 {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return f.put(b)
}

func TestLinuxI386Table(t *testing.T) {
	tab := LinuxI386()
	if len(tab.Entries) != 461 {
		t.Errorf("%d entries, want the 461 of syscall_32.tbl", len(tab.Entries))
	}
	seen := map[string]bool{}
	for _, e := range tab.Entries {
		if seen[e.Name] {
			t.Errorf("%s twice", e.Name)
		}
		seen[e.Name] = true
		if e.Reason == "" {
			t.Errorf("%s (%d) has no reason", e.Name, e.Nr)
		}
	}
	// syscall_32.tbl numbers, unlike x86-64's.
	for nr, name := range map[int]string{
		1: "exit", 5: "open", 11: "execve", 20: "getpid", 37: "kill", 102: "socketcall",
		117: "ipc", 195: "stat64", 295: "openat", 359: "socket", 362: "connect", 370: "sendmsg",
	} {
		if got := tab.Name(nr); got != name {
			t.Errorf("i386 syscall %d is %q, want %q", nr, got, name)
		}
	}
	// The same rule as amd64's same-named call, or the call it stands for.
	for _, pair := range [][2]string{
		{"openat", "openat"}, {"kill", "kill"}, {"getpid", "getpid"}, {"stat64", "stat"},
		{"fstatat64", "newfstatat"}, {"getuid32", "getuid"}, {"_llseek", "lseek"},
	} {
		e, _ := tab.ByName(pair[0])
		a, _ := Linux().ByName(pair[1])
		if e.Rule != a.Rule || e.Outcome != a.Outcome || !reflect.DeepEqual(e.Paths, a.Paths) {
			t.Errorf("i386 %s: rule %s, amd64 %s: rule %s", pair[0], e.Rule, pair[1], a.Rule)
		}
	}
}

// i386 arguments are 32-bit registers, zero-extended: AT_FDCWD is
// 0xffffff9c, never sign-extended.
func TestLinuxI386Rules(t *testing.T) {
	self := uint64(os.Getpid())
	i386msghdr := func(f *fakeTracee, name, namelen uint32) uint64 {
		return f.u32s(name, namelen, 0x1000, 1, 0, 0, 0) // struct compat_msghdr
	}
	const (
		sysSocket  = 1
		sysConnect = 3
		sysSendmsg = 16
	)
	runRuleCases(t, LinuxI386(), []ruleCase{
		{"getpid", "getpid", func(f *fakeTracee) [6]uint64 { return args() }, Allow, ""},
		{"open", "open", func(f *fakeTracee) [6]uint64 { return args(f.str("/etc/passwd"), 0) }, CapMode, KindGlobalNamespace},
		{"openat AT_FDCWD", "openat", func(f *fakeTracee) [6]uint64 { return args(0xffffff9c, f.str("x"), 0) }, CapMode, KindGlobalNamespace},
		{"stat64", "stat64", func(f *fakeTracee) [6]uint64 { return args(f.str("/"), 0x1000) }, CapMode, KindGlobalNamespace},
		{"kill self", "kill", func(f *fakeTracee) [6]uint64 { return args(self, 0) }, Allow, ""},
		{"kill other", "kill", func(f *fakeTracee) [6]uint64 { return args(1, 0) }, CapMode, KindSignal},
		{"socket raw", "socket", func(f *fakeTracee) [6]uint64 { return args(2, 3, 1) }, CapMode, KindNetwork},
		{"sendmsg no address", "sendmsg", func(f *fakeTracee) [6]uint64 { return args(3, i386msghdr(f, 0, 0), 0) }, Allow, ""},
		{"sendmsg address", "sendmsg", func(f *fakeTracee) [6]uint64 { return args(3, i386msghdr(f, 0x3000, 16), 0) }, CapMode, KindNetwork},
		{"socketcall socket tcp", "socketcall", func(f *fakeTracee) [6]uint64 { return args(sysSocket, f.u32s(2, 1, 0)) }, Allow, ""},
		{"socketcall socket raw", "socketcall", func(f *fakeTracee) [6]uint64 { return args(sysSocket, f.u32s(2, 3, 0)) }, CapMode, KindNetwork},
		{"socketcall connect", "socketcall", func(f *fakeTracee) [6]uint64 { return args(sysConnect, f.u32s(3, 0x2000, 16)) }, CapMode, KindNetwork},
		{"socketcall sendmsg address", "socketcall", func(f *fakeTracee) [6]uint64 {
			return args(sysSendmsg, f.u32s(3, uint32(i386msghdr(f, 0x3000, 16)), 0))
		}, CapMode, KindNetwork},
		{"socketcall unreadable", "socketcall", func(f *fakeTracee) [6]uint64 { return args(sysConnect, 0xdead0000) }, Allow, ""},
		{"ipc", "ipc", func(f *fakeTracee) [6]uint64 { return args(23, 0, 4096) }, CapMode, KindGlobalNamespace},
	})
}

func argStrings(args []Arg) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a.String()
	}
	return out
}

func TestLinuxI386Describe(t *testing.T) {
	tab := LinuxI386()
	f := newFake()
	argv := f.u32s(uint32(f.str("/bin/ls")), uint32(f.str("-l")), 0)
	execve, _ := tab.ByName("execve")
	name, decoded := tab.Describe(Call{Nr: execve.Nr, Args: args(f.str("/bin/ls"), argv, 0)}, f)
	got := argStrings(decoded)
	if want := []string{`"/bin/ls"`, `["/bin/ls", "-l"]`, "NULL"}; name != "execve" || !reflect.DeepEqual(got, want) {
		t.Errorf("execve: %s %q, want %q (argv of 32-bit pointers)", name, got, want)
	}
	sc, _ := tab.ByName("socketcall")
	sa := make([]byte, 16)
	binary.LittleEndian.PutUint16(sa, 2)
	binary.BigEndian.PutUint16(sa[2:], 53)
	copy(sa[4:], []byte{127, 0, 0, 1})
	name, decoded = tab.Describe(Call{Nr: sc.Nr, Args: args(3, f.u32s(4, uint32(f.put(sa)), 16))}, f)
	got = argStrings(decoded)
	if want := []string{"4", `{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}`, "16"}; name != "connect" || !reflect.DeepEqual(got, want) {
		t.Errorf("socketcall(SYS_CONNECT): %s %q, want connect %q", name, got, want)
	}
}
