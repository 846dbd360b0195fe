package symbolize

import (
	"debug/elf"
	"encoding/binary"
	"sort"
	"strings"

	"github.com/ianlancetaylor/demangle"
)

type symbol struct {
	addr, size uint64
	name       string
}

// symTable holds an object's function symbols sorted by address, one per
// address: aliases (open, open64, __libc_open64) collapse to the
// strongest binding so a PC always gets the same name.
type symTable struct {
	syms []symbol
}

// loadSymbols merges .symtab and .dynsym; .symtab wins because it also
// names static functions.
func loadSymbols(ef *elf.File) symTable {
	type ranked struct {
		symbol
		rank int
	}
	// Sized for every entry of both tables: appending tens of thousands
	// of symbols (glibc's debug file) one doubling at a time copied and
	// faulted in several times the final table.
	n := 0
	for _, typ := range []elf.SectionType{elf.SHT_SYMTAB, elf.SHT_DYNSYM} {
		if sec := ef.SectionByType(typ); sec != nil {
			n += int(sec.Size / elf.Sym64Size)
		}
	}
	all := make([]ranked, 0, n)
	add := func(name string, value, size uint64, info byte, section elf.SectionIndex, base int) {
		t := elf.ST_TYPE(info)
		if (t != elf.STT_FUNC && t != elf.STT_GNU_IFUNC) || value == 0 || section == elf.SHN_UNDEF {
			return
		}
		rank := base
		switch elf.ST_BIND(info) {
		case elf.STB_WEAK:
			rank++
		case elf.STB_LOCAL:
			rank += 2
		}
		if i := strings.IndexByte(name, '@'); i > 0 {
			name = name[:i]
		}
		all = append(all, ranked{symbol{value, size, name}, rank})
	}
	EachSymbol(ef, elf.SHT_SYMTAB, func(name string, value, size uint64, info byte, section elf.SectionIndex) {
		add(name, value, size, info, section, 0)
	})
	EachSymbol(ef, elf.SHT_DYNSYM, func(name string, value, size uint64, info byte, section elf.SectionIndex) {
		add(name, value, size, info, section, 3)
	})
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.addr != b.addr {
			return a.addr < b.addr
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.name < b.name
	})
	t := symTable{syms: make([]symbol, 0, len(all))}
	for i, s := range all {
		if i > 0 && s.addr == all[i-1].addr {
			continue
		}
		t.syms = append(t.syms, s.symbol)
	}
	return t
}

// EachSymbol calls fn for each symbol of ef's first table of type typ
// (SHT_SYMTAB or SHT_DYNSYM), as ef.Symbols or ef.DynamicSymbols give
// them. A 64-bit little-endian table is read raw, its names substrings
// of one copy of the string table: glibc's debug file has tens of
// thousands of symbols, and building an elf.Symbol and a string for
// each was most of the cost of naming the first libc frame (the enter
// point's caller at main, docs/performance.md "Start-up"). The tracer
// reads libc's symbols with it too, to find __libc_start_main at start-up.
func EachSymbol(ef *elf.File, typ elf.SectionType, fn func(name string, value, size uint64, info byte, section elf.SectionIndex)) {
	if ef.Class != elf.ELFCLASS64 || ef.ByteOrder != binary.LittleEndian {
		get := ef.Symbols
		if typ == elf.SHT_DYNSYM {
			get = ef.DynamicSymbols
		}
		ss, _ := get()
		for _, s := range ss {
			fn(s.Name, s.Value, s.Size, s.Info, s.Section)
		}
		return
	}
	sec := ef.SectionByType(typ)
	if sec == nil || sec.Link == 0 || int(sec.Link) >= len(ef.Sections) || ef.Sections[sec.Link].Type != elf.SHT_STRTAB {
		return
	}
	data, err := sec.Data()
	if err != nil || len(data)%elf.Sym64Size != 0 {
		return
	}
	strdata, err := ef.Sections[sec.Link].Data()
	if err != nil {
		return
	}
	strs := string(strdata)
	// Entry 0 is the reserved null symbol, which debug/elf skips too.
	for off := elf.Sym64Size; off+elf.Sym64Size <= len(data); off += elf.Sym64Size {
		sym := data[off : off+elf.Sym64Size] // elf.Sym64
		name := ""
		if n := int(binary.LittleEndian.Uint32(sym[0:4])); n < len(strs) {
			name = strs[n:]
			if end := strings.IndexByte(name, 0); end >= 0 {
				name = name[:end]
			} else {
				name = ""
			}
		}
		fn(name, binary.LittleEndian.Uint64(sym[8:16]), binary.LittleEndian.Uint64(sym[16:24]), sym[4], elf.SectionIndex(binary.LittleEndian.Uint16(sym[6:8])))
	}
}

// lookup finds the symbol at or before addr; covers says whether its size
// spans addr, i.e. whether the name is a fact or a guess.
func (t *symTable) lookup(addr uint64) (s symbol, covers, ok bool) {
	i := sort.Search(len(t.syms), func(i int) bool { return t.syms[i].addr > addr }) - 1
	if i < 0 {
		return symbol{}, false, false
	}
	s = t.syms[i]
	return s, addr < s.addr+s.size, true
}

// demangleName turns C++ and Rust linkage names into source names. The
// parameter list is dropped: reports name functions, and a clone suffix
// (.constprop.0, .isra.0) would split one call site into several groups.
func demangleName(name string) string {
	if strings.HasPrefix(name, "_Z") || strings.HasPrefix(name, "_R") {
		return demangle.Filter(name, demangle.NoParams, demangle.NoClones)
	}
	return trimCloneSuffix(name)
}

// trimCloneSuffix cuts a clone suffix (cloneParts) off a symbol: a clone
// part followed by a number (".constprop.0", ".isra.0", ".llvm.4711"), or
// ".cold" at the end. Other names are left alone: "runtime.clone" is a
// Go function, not a clone.
func trimCloneSuffix(name string) string {
	for i := strings.IndexByte(name, '.'); i > 0; {
		rest := name[i+1:]
		part, after, more := strings.Cut(rest, ".")
		if more {
			next, _, _ := strings.Cut(after, ".")
			if cloneParts[part] && isDigits(next) {
				return name[:i]
			}
		} else if part == "cold" {
			return name[:i]
		}
		j := strings.IndexByte(rest, '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return name
}
