package capmode

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestRemedy(t *testing.T) {
	inet := func(port uint16) func(f *fakeTracee) [6]uint64 {
		return func(f *fakeTracee) [6]uint64 {
			b := make([]byte, 16)
			binary.LittleEndian.PutUint16(b, 2)
			binary.BigEndian.PutUint16(b[2:], port)
			return args(3, f.put(b), 16)
		}
	}
	unixSocket := func(path string) func(f *fakeTracee) [6]uint64 {
		return func(f *fakeTracee) [6]uint64 {
			b := make([]byte, 110)
			binary.LittleEndian.PutUint16(b, 1)
			copy(b[2:], path)
			return args(3, f.put(b), 110)
		}
	}
	open := func(p string) func(f *fakeTracee) [6]uint64 {
		return func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str(p), 0) }
	}
	fileargs := func(p string) string { return strings.Replace(hintFileargs, "%s", p, 1) }
	command := []string{"./prog", "-v", "--config=etc/app.conf", "input.txt"}
	for _, tc := range []struct {
		name    string
		syscall string
		args    func(f *fakeTracee) [6]uint64
		library []string
		want    string
	}{
		{"file named on the command line", "openat", open("input.txt"), nil, fileargs("input.txt")},
		{"same file by absolute path", "openat", open("/home/dev/input.txt"), nil, fileargs("/home/dev/input.txt")},
		{"--flag=FILE", "openat", open("etc/app.conf"), nil, fileargs("etc/app.conf")},
		{"time zone file", "openat", open("/usr/share/zoneinfo/Europe/Paris"), nil, hintTZ},
		{"localtime", "openat", open("/etc/localtime"), nil, hintTZ},
		{"tzset in the stack", "openat", open("/somewhere/else"), []string{"__tzfile_read", "tzset"}, hintTZ},
		{"passwd", "openat", open("/etc/passwd"), nil, hintPwd},
		{"group", "openat", open("/etc/group"), nil, hintGrp},
		{"not a prefix of a name", "openat", open("/etc/groups"), nil, hintOpenDir},
		{"resolv.conf", "openat", open("/etc/resolv.conf"), nil, hintDNS},
		{"random", "openat", open("/dev/urandom"), nil, hintRandom},
		{"locale", "openat", open("/usr/lib/locale/C.utf8/LC_CTYPE"), nil, hintLocale},
		{"/proc/sys", "openat", open("/proc/sys/kernel/random/uuid"), nil, hintSysctl},
		{"/proc", "openat", open("/proc/self/status"), nil, hintProcFS},
		{"getaddrinfo in the stack", "connect", inet(443), []string{"connect", "getaddrinfo"}, hintDNS},
		{"DNS port", "connect", inet(53), nil, hintDNS},
		{"connect", "connect", inet(80), nil, hintNetwork},
		{"syslog socket", "connect", unixSocket("/dev/log"), nil, hintSyslog},
		{"kill", "kill", func(f *fakeTracee) [6]uint64 { return args(42, 15) }, nil, hintSignal},
		{"execve", "execve", func(f *fakeTracee) [6]uint64 { return args(f.str("/bin/sh"), 0, 0) }, nil, hintExec},
		{"sysctl", "_sysctl", func(f *fakeTracee) [6]uint64 { return args(0) }, nil, hintSysctl},
	} {
		f := newFake()
		tab := Linux()
		e, ok := tab.ByName(tc.syscall)
		if !ok {
			t.Fatalf("%s: no %s in the table", tc.name, tc.syscall)
		}
		c := Call{Nr: e.Nr, Args: tc.args(f)}
		v := tab.Check(c, f)
		got := Remedy(v, Circumstances{Syscall: tc.syscall, Args: tab.Decode(c, f), LibraryCalls: tc.library, Command: command, Dir: "/home/dev"})
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestRemedyKernelRefusal: a call the table allows in part gets its
// remedy when the FreeBSD kernel refuses it anyway.
func TestRemedyKernelRefusal(t *testing.T) {
	v := Verdict{Outcome: CapMode, Kind: KindSyscall, Hint: "generic"}
	if got := Remedy(v, Circumstances{Syscall: "__sysctl"}); got != hintSysctl {
		t.Errorf("__sysctl: %s", got)
	}
	if got := Remedy(v, Circumstances{Syscall: "getdents"}); got != "generic" {
		t.Errorf("getdents: %s", got)
	}
}

func TestArgFacts(t *testing.T) {
	f := newFake()
	b := make([]byte, 110)
	binary.LittleEndian.PutUint16(b, 1)
	copy(b[3:], "abstract") // a leading NUL: Linux's abstract namespace
	abstract := f.put(b)
	h := make([]byte, msghdrSize)
	sa := make([]byte, 16)
	binary.LittleEndian.PutUint16(sa, 10)
	binary.BigEndian.PutUint16(sa[2:], 53)
	binary.LittleEndian.PutUint64(h, f.put(append(sa, make([]byte, 12)...)))
	binary.LittleEndian.PutUint32(h[8:], 28)
	msg := f.put(h)
	tab := Linux()
	conn, _ := tab.ByName("connect")
	sendmsg, _ := tab.ByName("sendmsg")

	a := tab.Decode(Call{Nr: conn.Nr, Args: args(3, abstract, 110)}, f)
	if p, ok := a[1].SocketPath(); ok {
		t.Errorf("abstract socket has a path %q", p)
	}
	if got := a[1].String(); got != `{sa_family=AF_UNIX, sun_path=@"abstract"}` {
		t.Errorf("abstract socket prints %s", got)
	}
	m := tab.Decode(Call{Nr: sendmsg.Nr, Args: args(3, msg, 0)}, f)
	if port, ok := m[1].Port(); !ok || port != 53 {
		t.Errorf("msghdr port %d %v, want 53", port, ok)
	}
	want := `{msg_name={sa_family=AF_INET6, sin6_port=htons(53), inet_pton(AF_INET6, "::", &sin6_addr)}, msg_namelen=28, msg_iov=NULL, msg_iovlen=0}`
	if got := m[1].String(); got != want {
		t.Errorf("msghdr:\n got %s\nwant %s", got, want)
	}
	if _, ok := m[0].Path(); ok {
		t.Error("a descriptor has a path")
	}
	if got := (Arg{Type: ArgOpenFlags, Value: 0x41}).String(); got != "0x41" {
		t.Errorf("an Arg without an OS prints %s", got)
	}
}
