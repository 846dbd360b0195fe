package symbolize

import (
	"os"
	"testing"
)

// The header-only reader must agree with debug/elf's decoded program
// headers on real files: a Go program (this test binary), libc and the
// loader where they exist, and a file that is not ELF.
func TestFirstLoadVaddrMatchesDebugELF(t *testing.T) {
	files := realELFFiles(t)
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := firstLoadVaddr(f)
		want, wantOK := firstLoadVaddrDecoded(f)
		f.Close()
		if !wantOK {
			t.Errorf("%s: debug/elf finds no PT_LOAD", path)
		}
		if got != want || ok != wantOK {
			t.Errorf("%s: firstLoadVaddr = %#x, %v; debug/elf's first PT_LOAD at %#x, %v", path, got, ok, want, wantOK)
		}
	}
	notELF, err := os.Open("maps.go")
	if err != nil {
		t.Fatal(err)
	}
	defer notELF.Close()
	if v, ok := firstLoadVaddr(notELF); ok {
		t.Errorf("maps.go: firstLoadVaddr = %#x, want none", v)
	}
}

// realELFFiles are ELF files every machine here has, to check a reader
// against debug/elf on: this test binary (a Go program), libc and the
// loader where they exist, and /bin/true (stripped).
func realELFFiles(t *testing.T) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	files := []string{self}
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2", "/bin/true"} {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	return files
}
