package symbolize

import (
	"debug/elf"
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
	var all []ranked
	add := func(ss []elf.Symbol, base int) {
		for _, s := range ss {
			t := elf.ST_TYPE(s.Info)
			if (t != elf.STT_FUNC && t != elf.STT_GNU_IFUNC) || s.Value == 0 || s.Section == elf.SHN_UNDEF {
				continue
			}
			rank := base
			switch elf.ST_BIND(s.Info) {
			case elf.STB_WEAK:
				rank++
			case elf.STB_LOCAL:
				rank += 2
			}
			name := s.Name
			if i := strings.IndexByte(name, '@'); i > 0 {
				name = name[:i]
			}
			all = append(all, ranked{symbol{s.Value, s.Size, name}, rank})
		}
	}
	if ss, err := ef.Symbols(); err == nil {
		add(ss, 0)
	}
	if ss, err := ef.DynamicSymbols(); err == nil {
		add(ss, 3)
	}
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
