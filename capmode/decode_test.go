package capmode

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	sockaddrIn := func(f *fakeTracee) uint64 {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint16(b, 2)
		binary.BigEndian.PutUint16(b[2:], 80)
		copy(b[4:], []byte{127, 0, 0, 1})
		return f.put(b)
	}
	sockaddrUn := func(f *fakeTracee) uint64 {
		b := make([]byte, 110)
		binary.LittleEndian.PutUint16(b, 1)
		copy(b[2:], "/run/x.sock")
		return f.put(b)
	}
	cases := []struct {
		syscall string
		args    func(f *fakeTracee) [6]uint64
		want    string
	}{
		{"openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("/etc/x"), 0) }, `AT_FDCWD, "/etc/x", O_RDONLY`},
		{"openat", func(f *fakeTracee) [6]uint64 { return args(3, f.str("a\"b\n"), 0x80241, 0o644) }, `3, "a\"b\n", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644`},
		{"openat", func(f *fakeTracee) [6]uint64 { return args(3, 0xdead, 0) }, `3, 0xdead, O_RDONLY`},
		{"newfstatat", func(f *fakeTracee) [6]uint64 { return args(3, f.str(""), 0x7ff000, 0x1000) }, `3, "", 0x7ff000, AT_EMPTY_PATH`},
		{"unlinkat", func(f *fakeTracee) [6]uint64 { return args(4, f.str("d"), 0x200) }, `4, "d", AT_REMOVEDIR`},
		{"connect", func(f *fakeTracee) [6]uint64 { return args(3, sockaddrIn(f), 16) }, `3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16`},
		{"connect", func(f *fakeTracee) [6]uint64 { return args(3, sockaddrUn(f), 110) }, `3, {sa_family=AF_UNIX, sun_path="/run/x.sock"}, 110`},
		{"kill", func(f *fakeTracee) [6]uint64 { return args(1234, 15) }, `1234, SIGTERM`},
		{"kill", func(f *fakeTracee) [6]uint64 { return args(0xffffffff, 9) }, `-1, SIGKILL`},
		{"access", func(f *fakeTracee) [6]uint64 { return args(f.str("/x"), 6) }, `"/x", R_OK|W_OK`},
		{"mkdirat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromGo, f.str("d"), 0o755) }, `AT_FDCWD, "d", 0755`},
		{"execve", func(f *fakeTracee) [6]uint64 {
			return args(f.str("/bin/ls"), f.u64s(f.str("ls"), f.str("-l"), 0), 0x7ff0)
		}, `"/bin/ls", ["ls", "-l"], 0x7ff0`},
		{"openat2", func(f *fakeTracee) [6]uint64 { return args(3, f.str("x"), f.u64s(0x80000, 0, 8), 24) }, `3, "x", {flags=O_RDONLY|O_CLOEXEC, mode=0, resolve=RESOLVE_BENEATH}, 24`},
		{"getpid", func(f *fakeTracee) [6]uint64 { return args() }, `0x0, 0x0, 0x0, 0x0, 0x0, 0x0`},
	}
	tab := Linux()
	for _, tc := range cases {
		f := newFake()
		e, _ := tab.ByName(tc.syscall)
		got := strings.Join(Strings(tab.Decode(Call{Nr: e.Nr, Args: tc.args(f)}, f)), ", ")
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.syscall, got, tc.want)
		}
	}
}

func TestQuoteTruncates(t *testing.T) {
	if got := quote(strings.Repeat("a", 40), 32); got != `"`+strings.Repeat("a", 32)+`"...` {
		t.Errorf("got %s", got)
	}
	if got := quote("\x01\xff", 32); got != `"\1\377"` {
		t.Errorf("got %s", got)
	}
}

// FuzzDecode feeds garbage registers and memory: Decode and Check must
// never panic, whatever the tracee holds.
func FuzzDecode(f *testing.F) {
	f.Add(uint16(257), uint64(0x10000), uint64(0x10000), uint64(0x40), uint64(16), []byte("/etc/x\x00"))
	f.Add(uint16(42), uint64(3), uint64(0x10000), uint64(200), uint64(0), []byte{2, 0, 0, 80, 127, 0, 0, 1})
	f.Add(uint16(59), uint64(0x10000), uint64(0x10000), uint64(0x10000), uint64(0), []byte{0, 0, 1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, nr uint16, a0, a1, a2, a3 uint64, mem []byte) {
		tr := newFake()
		tr.regions[0x10000] = mem
		c := Call{Nr: int(nr) % 480, Args: [6]uint64{a0, a1, a2, a3, a1, a2}}
		for _, tab := range []*Table{Linux(), FreeBSD()} {
			Strings(tab.Decode(c, tr))
			tab.Check(c, tr)
		}
	})
}

func TestDecodeAsStrace(t *testing.T) {
	tr := newFake()
	tr.regions[0x10000] = []byte("/tmp/a\x012b\x0b\x00")
	got := Strings(Linux().Decode(Call{Nr: 439, Args: [6]uint64{uint64(0xffffff9c), 0x10000, 0, 0x200}}, tr))
	want := []string{"AT_FDCWD", `"/tmp/a\0012b\v"`, "F_OK", "AT_EACCESS"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("faccessat2: %q, want %q", got, want)
	}
	got = Strings(Linux().Decode(Call{Nr: 263, Args: [6]uint64{3, 0x10000, 0x200}}, tr))
	if got[2] != "AT_REMOVEDIR" {
		t.Errorf("unlinkat flags %q, want AT_REMOVEDIR", got[2])
	}
}
