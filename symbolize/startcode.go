package symbolize

import (
	"bytes"
	"debug/elf"
	"slices"
	"sort"

	"golang.org/x/arch/x86/x86asm"
)

// What a program's entry code tells even when the program is stripped.
// glibc's _start (sysdeps/x86_64/start.S) loads main into %rdi ("mov
// $main, %rdi", or "lea main(%rip), %rdi" when position-independent) and
// calls __libc_start_main; FreeBSD's crt1 (lib/csu/amd64/crt1_s.S) passes
// main in %r8 to __libc_start1. The entry point is _start, main is the
// loaded address, and in a static program the call is direct, so the C
// library's start-up function has an address too.

// entryInfo is what was read from the entry code, at link-time addresses.
type entryInfo struct {
	start, main uint64 // 0 when unknown
	// libcStart is the C library's start-up function when the call is
	// direct (a static program): the C library is linked after the
	// program's own objects, so code at or above it is the library's.
	libcStart uint64
}

// entryEndbr64 is CET's landing pad (F3 0F 1E FA), which x86asm does
// not decode.
var entryEndbr64 = []byte{0xf3, 0x0f, 0x1e, 0xfa}

// readEntry decodes the entry code of an x86-64 executable up to its
// first call.
func readEntry(ef *elf.File) entryInfo {
	if ef.Machine != elf.EM_X86_64 || ef.Entry == 0 || (ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN) {
		return entryInfo{}
	}
	info := entryInfo{start: ef.Entry}
	code := make([]byte, 128)
	n := readCode(ef, ef.Entry, code)
	code = code[:n]
	mainReg := x86asm.RDI
	if ef.OSABI == elf.ELFOSABI_FREEBSD {
		mainReg = x86asm.R8
	}
	for off := 0; off < len(code); {
		if bytes.HasPrefix(code[off:], entryEndbr64) {
			off += len(entryEndbr64)
			continue
		}
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			break
		}
		next := ef.Entry + uint64(off+inst.Len)
		switch inst.Op {
		case x86asm.MOV, x86asm.LEA:
			if r, ok := inst.Args[0].(x86asm.Reg); ok && (r == mainReg || r == mainReg-x86asm.RAX+x86asm.EAX) {
				info.main = 0
				// "mov main@GOTPCREL(%rip)" loads main from the GOT,
				// unknown until relocation; only an immediate or an
				// address computed by lea is main itself.
				if _, load := inst.Args[1].(x86asm.Mem); !load || inst.Op == x86asm.LEA {
					info.main = operandAddr(inst.Args[1], next)
				}
			}
		case x86asm.CALL:
			if rel, ok := inst.Args[0].(x86asm.Rel); ok && info.main != 0 && !hasInterp(ef) {
				info.libcStart = uint64(int64(next) + int64(rel))
			}
			return info
		}
		off += inst.Len
	}
	return info
}

// operandAddr is the address an immediate or a RIP-relative operand
// names; 0 for anything else.
func operandAddr(a x86asm.Arg, next uint64) uint64 {
	switch a := a.(type) {
	case x86asm.Imm:
		return uint64(a)
	case x86asm.Mem:
		if a.Base == x86asm.RIP && a.Index == 0 {
			return uint64(int64(next) + a.Disp)
		}
	}
	return 0
}

func hasInterp(ef *elf.File) bool {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// readCode reads up to len(p) bytes at a link-time address from the
// loadable segment holding it.
func readCode(ef *elf.File, addr uint64, p []byte) int {
	for _, pr := range ef.Progs {
		if pr.Type != elf.PT_LOAD || addr < pr.Vaddr || addr >= pr.Vaddr+pr.Filesz {
			continue
		}
		n := min(uint64(len(p)), pr.Vaddr+pr.Filesz-addr)
		m, _ := pr.ReadAt(p[:n], int64(addr-pr.Vaddr))
		return m
	}
	return 0
}

// nameEntryFunctions adds _start and main to a symbol table that does not
// name them (a stripped program), sized by their FDEs. Only entry code of
// the C start-up's shape is trusted: a shared library's entry point is
// not a _start.
func nameEntryFunctions(t *symTable, cfi *cfiTable, info entryInfo) {
	if info.main == 0 {
		return
	}
	for _, s := range []struct {
		addr uint64
		name string
	}{{info.start, "_start"}, {info.main, "main"}} {
		if s.addr == 0 {
			continue
		}
		if _, covers, ok := t.lookup(s.addr); ok && covers {
			continue
		}
		i := sort.Search(len(t.syms), func(i int) bool { return t.syms[i].addr >= s.addr })
		if i < len(t.syms) && t.syms[i].addr == s.addr {
			continue
		}
		var size uint64
		if fde := cfi.fdeFor(s.addr); fde != nil && fde.Begin() == s.addr {
			size = fde.End() - fde.Begin()
		}
		t.syms = slices.Insert(t.syms, i, symbol{addr: s.addr, size: size, name: s.name})
	}
}

// isExecutable reports a program rather than a shared library: ET_EXEC,
// or ET_DYN marked DF_1_PIE (a position-independent program, static-pie
// included). The vDSO and shared libraries are neither.
func isExecutable(ef *elf.File) bool {
	if ef.Type == elf.ET_EXEC {
		return true
	}
	flags, err := ef.DynValue(elf.DT_FLAGS_1)
	return ef.Type == elf.ET_DYN && err == nil && len(flags) > 0 && flags[0]&uint64(elf.DF_1_PIE) != 0
}

// isLinkedLibC reports code of the C library linked into a static
// program: a function at or above the C library's start-up function.
func (mod *module) isLinkedLibC(addr uint64) bool {
	if mod.entry.libcStart == 0 || addr < mod.entry.libcStart {
		return false
	}
	if fde := mod.cfi.fdeFor(addr); fde != nil {
		addr = fde.Begin()
	}
	return addr >= mod.entry.libcStart
}

// EntryMain is main's link-time address as a C program's entry code hands
// it to the C library's start-up function (glibc's _start loads it into
// %rdi, FreeBSD's crt1 into %r8), read without running anything; 0 when
// the entry code is not of that shape (musl passes the stack pointer) or
// the address is not in the program's code. It lets a stripped program's
// main be found before the C library is even loaded.
func EntryMain(ef *elf.File) uint64 {
	if !isExecutable(ef) {
		return 0
	}
	main := readEntry(ef).main
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && main >= p.Vaddr && main < p.Vaddr+p.Filesz {
			return main
		}
	}
	return 0
}
