package symbolize

import (
	"strings"
	"testing"
)

func TestParseMaps(t *testing.T) {
	const maps = `55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 1311 /usr/bin/my prog
55d0c0a01000-55d0c0a02000 r-xp 00001000 fe:01 1311 /usr/bin/my prog
7f1c00000000-7f1c00021000 rw-p 00000000 00:00 0
7f1c00100000-7f1c00128000 r--p 00000000 fe:01 2222                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c00128000-7f1c0029d000 r-xp 00028000 fe:01 2222                       /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd0b7f0000-7ffd0b7f2000 r-xp 00000000 00:00 0                          [vdso]
7ffd0b800000-7ffd0b801000 r-xp 00000000 fe:01 3333                       /tmp/gone (deleted)
`
	mm, err := ParseMaps(strings.NewReader(maps))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pc   uint64
		path string
	}{
		{0x55d0c0a01010, "/usr/bin/my prog"},
		{0x7f1c00128010, "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		{0x7ffd0b7f0100, "[vdso]"},
		{0x7ffd0b800010, "/tmp/gone (deleted)"},
	} {
		m := mm.Find(c.pc)
		if m == nil || m.Path != c.path {
			t.Errorf("Find(%#x) = %+v, want %q", c.pc, m, c.path)
		}
	}
	if m := mm.Find(0x55d0c0a00010); m != nil {
		t.Errorf("a PC in a non-executable mapping found %q", m.Path)
	}
	if m := mm.Find(0x7f1c00000010); m != nil {
		t.Errorf("a PC in anonymous memory found %q", m.Path)
	}
	if vdso := mm.Find(0x7ffd0b7f0100); vdso == nil || !vdso.IsVDSO() {
		t.Errorf("the vDSO is not recognised: %+v", vdso)
	}
}

func TestIsSystemModule(t *testing.T) {
	for path, want := range map[string]bool{
		"/usr/lib/x86_64-linux-gnu/libc.so.6":                 true,
		"/lib64/ld-linux-x86-64.so.2":                         true,
		"/usr/lib/x86_64-linux-gnu/libssl.so.3":               true,
		"[vdso]":                                              true,
		"/opt/glibc/lib/libc.so.6":                            true,
		"/usr/lib/openssh/sftp-server":                        false, // a program, not a library
		"/usr/lib/git-core/git-upload-pack":                   false,
		"/usr/local/lib/libmine.so.1":                         false,
		"/home/me/src/prog":                                   false,
		"/usr/lib/python3/dist-packages/_cffi.cpython-311.so": true,
	} {
		if got := IsSystemModule(path); got != want {
			t.Errorf("IsSystemModule(%q) = %v, want %v", path, got, want)
		}
	}
}

// A path as long as PATH_MAX makes a line longer than the scanner's first
// buffer.
func TestParseMapsLongPath(t *testing.T) {
	path := "/" + strings.Repeat("d/", 2040) + "libx.so"
	maps := "7f1c00128000-7f1c0029d000 r-xp 00000000 fe:01 2222 " + path + "\n"
	mm, err := ParseMaps(strings.NewReader(maps))
	if err != nil {
		t.Fatal(err)
	}
	if m := mm.Find(0x7f1c00128010); m == nil || m.Path != path {
		t.Errorf("Find: %v, want the %d-byte path", m, len(path))
	}
}
