package symbolize

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestEntryMain reads main's address from the entry code of programs gcc
// builds here (PIE: "lea main(%rip), %rdi"; non-PIE: "mov $main, %rdi";
// static), stripped, and compares it with the symbol table of the same
// program before stripping.
func TestEntryMain(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "testdata", "victims", "noviolation.c")
	for _, v := range []struct {
		name  string
		flags []string
	}{
		{"pie", []string{"-fPIE", "-pie"}},
		{"nopie", []string{"-fno-PIE", "-no-pie"}},
		{"static", []string{"-static"}},
		{"static-pie", []string{"-static-pie"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			bin := filepath.Join(dir, v.name)
			if out, err := exec.Command("gcc", append([]string{"-O2", "-o", bin, src}, v.flags...)...).CombinedOutput(); err != nil {
				t.Fatalf("gcc: %v\n%s", err, out)
			}
			want := symbolAddr(t, bin, "main")
			if out, err := exec.Command("strip", bin).CombinedOutput(); err != nil {
				t.Fatalf("strip: %v\n%s", err, out)
			}
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Section(".symtab") != nil {
				t.Fatal("still has a symbol table")
			}
			if got := EntryMain(f); got != want {
				t.Errorf("EntryMain = %#x, want main at %#x", got, want)
			}
		})
	}
}

// TestEntryMainRefusesLibraries: a shared library's entry point is no
// _start.
func TestEntryMainRefusesLibraries(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib.so")
	src := filepath.Join("..", "testdata", "victims", "noviolation.c")
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	f, err := elf.Open(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := EntryMain(f); got != 0 {
		t.Errorf("EntryMain of a shared library = %#x, want 0", got)
	}
}

// TestEntryMainFromTheGOT: entry code that loads main from the GOT
// ("mov main@GOTPCREL(%rip), %rdi", kept so by --no-relax) does not say
// where main is until relocation: no address is taken from it.
func TestEntryMainFromTheGOT(t *testing.T) {
	dir := t.TempDir()
	start := filepath.Join(dir, "start.S")
	if err := os.WriteFile(start, []byte(`
	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	movq main@GOTPCREL(%rip), %rdi
	call *__libc_start_main@GOTPCREL(%rip)
	hlt
	.globl main
main:
	xorl %eax, %eax
	ret
	.section .note.GNU-stack,"",@progbits
`), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "got")
	if out, err := exec.Command("gcc", "-nostartfiles", "-pie", "-Wl,--no-relax", "-o", bin, start).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := readEntry(f).main; got != 0 {
		t.Errorf("main read as %#x from a GOT load", got)
	}
	if got := EntryMain(f); got != 0 {
		t.Errorf("EntryMain = %#x, want 0", got)
	}
}
