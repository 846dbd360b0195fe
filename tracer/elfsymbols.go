package tracer

import (
	"debug/elf"
	"encoding/binary"
)

// eachDefinedFunction calls fn with the name and link-time address of
// every function f defines, .symtab first, then .dynsym, in table order:
// the same symbols, in the same order, as f.Symbols and f.DynamicSymbols
// give, filtered for a defined STT_FUNC with a non-zero value.
//
// It runs while the program is stopped at its entry point, to find
// __libc_start_main in libc (tracer/breakpoints.go, resolve). Going
// through debug/elf's Symbols would build an elf.Symbol and a string for
// each of libc's ~3,000 dynamic symbols to keep one: about a tenth of
// captrace's start-up CPU on /bin/true (docs/performance.md, "Start-up").
// Read raw, a symbol costs a bounds check and a comparison. name is a
// slice of the string table, valid only during the call.
func eachDefinedFunction(f *elf.File, fn func(name []byte, value uint64)) {
	if f.Class != elf.ELFCLASS64 || f.ByteOrder != binary.LittleEndian {
		eachDefinedFunctionDecoded(f, fn)
		return
	}
	for _, typ := range []elf.SectionType{elf.SHT_SYMTAB, elf.SHT_DYNSYM} {
		syms, strs, ok := symbolTable(f, typ)
		if !ok {
			continue
		}
		// Entry 0 is the reserved null symbol, which debug/elf skips too.
		for off := elf.Sym64Size; off+elf.Sym64Size <= len(syms); off += elf.Sym64Size {
			sym := syms[off : off+elf.Sym64Size]
			// elf.Sym64: Name uint32, Info, Other uint8, Shndx uint16, Value, Size uint64.
			info := sym[4]
			shndx := binary.LittleEndian.Uint16(sym[6:8])
			value := binary.LittleEndian.Uint64(sym[8:16])
			if elf.SectionIndex(shndx) == elf.SHN_UNDEF || value == 0 || elf.ST_TYPE(info) != elf.STT_FUNC {
				continue
			}
			name, ok := cString(strs, binary.LittleEndian.Uint32(sym[0:4]))
			if !ok {
				continue
			}
			fn(name, value)
		}
	}
}

// symbolTable is the raw contents of f's first section of type typ and of
// the string table it links to.
func symbolTable(f *elf.File, typ elf.SectionType) (syms, strs []byte, ok bool) {
	sec := f.SectionByType(typ)
	if sec == nil || sec.Link == 0 || int(sec.Link) >= len(f.Sections) {
		return nil, nil, false
	}
	syms, err := sec.Data()
	if err != nil || len(syms)%elf.Sym64Size != 0 {
		return nil, nil, false
	}
	strs, err = f.Sections[sec.Link].Data()
	if err != nil {
		return nil, nil, false
	}
	return syms, strs, true
}

// cString is the NUL-terminated string at off in a string table.
func cString(table []byte, off uint32) ([]byte, bool) {
	if uint64(off) >= uint64(len(table)) {
		return nil, false
	}
	s := table[off:]
	for i, c := range s {
		if c == 0 {
			return s[:i], true
		}
	}
	return nil, false
}

// eachDefinedFunctionDecoded is eachDefinedFunction through debug/elf's
// decoded symbols, for the ELF classes and byte orders the raw reader
// does not handle.
func eachDefinedFunctionDecoded(f *elf.File, fn func(name []byte, value uint64)) {
	for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, err := get()
		if err != nil {
			continue
		}
		for _, s := range syms {
			if s.Section != elf.SHN_UNDEF && s.Value != 0 && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
				fn([]byte(s.Name), s.Value)
			}
		}
	}
}
