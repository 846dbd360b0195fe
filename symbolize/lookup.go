package symbolize

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"os"
	"strings"

	"github.com/ianlancetaylor/demangle"
)

// Finding functions by the names reports print, for enter points: the
// inverse of symbolization. A report names a C++ function
// "ns::Cls::method" (demangled, without parameters), a Rust one
// "crate::module::func" (without its hash), a Go closure
// "main.main.func1"; users may also write a C++ signature
// ("worker(int)") or the mangled symbol itself.

// FunctionMatches reports whether the ELF symbol sym (a linkage name,
// with or without a @VERSION) is the function a user called name.
func FunctionMatches(sym, name string) bool {
	if i := strings.IndexByte(sym, '@'); i > 0 {
		sym = sym[:i]
	}
	name = strings.TrimSpace(name)
	if sym == name {
		return true
	}
	if strings.HasPrefix(sym, "_Z") || strings.HasPrefix(sym, "_R") {
		if demangleName(sym) == name {
			return true
		}
		// A signature: compare as the demangler spells it, ignoring
		// spaces ("worker(int)", "f(char const*)", "f(const char *)"
		// differ in style only when written by hand).
		full := demangle.Filter(sym, demangle.NoClones)
		return full == name || squeeze(full) == squeeze(name)
	}
	// GCC's specialised copies keep the name before the suffix.
	return demangleName(sym) == name
}

// squeeze drops the spaces of a C++ signature.
func squeeze(s string) string { return strings.ReplaceAll(s, " ", "") }

// FunctionLookup says where FindFunction looks besides the file itself.
type FunctionLookup struct {
	DebugDirs []string     // searched for separate debug files, before /usr/lib/debug
	Fetch     DebugFetcher // debuginfod; nil: none (it may block: not for the ptrace thread)
}

// FoundFunction is what FindFunction learned about a name in one ELF
// file.
type FoundFunction struct {
	// Addrs are the link-time addresses where the function begins: one
	// per definition, and one per inlined copy (DWARF's inlined
	// subroutines, Go's inline trees).
	Addrs []uint64
	// Symbols are the linkage names that matched, for messages.
	Symbols []string
	// Imported: the file calls a function of that name defined elsewhere
	// (a shared library), which only the running process can place.
	Imported bool
}

// Found reports whether the name is defined or imported.
func (f FoundFunction) Found() bool { return len(f.Addrs) > 0 || f.Imported }

// FindFunction finds the functions the ELF file at path defines or
// imports under name: its .symtab and .dynsym, its separate debug file's
// .symtab (a stripped program keeps its names there), the copies DWARF
// records as inlined (a report names an inlined frame, so --enter must
// find it: gdb's breakpoints too are set at each inlined copy), and for
// Go programs .gopclntab, which names closures and inlined functions
// even in -s -w builds.
func FindFunction(path, name string, look FunctionLookup) (FoundFunction, error) {
	f, err := os.Open(path)
	if err != nil {
		return FoundFunction{}, err
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return FoundFunction{}, err
	}
	var out FoundFunction
	seen := map[uint64]bool{}
	add := func(addr uint64, sym string) {
		if !seen[addr] {
			seen[addr] = true
			out.Addrs = append(out.Addrs, addr)
			out.Symbols = append(out.Symbols, sym)
		}
	}
	matchSymbols(ef, name, add, &out.Imported)
	if ef.Section(".gopclntab") != nil {
		goFunctions(ef, name, add)
	} else {
		dwarfInlinedFunctions(ef, name, add)
	}
	if len(out.Addrs) == 0 && !hasSymtab(ef) {
		p := findDebugFile(path, ef, look.DebugDirs)
		if p == "" && look.Fetch != nil {
			if id := buildID(ef); len(id) > 0 {
				p, _ = look.Fetch.DebugInfo(hex.EncodeToString(id))
			}
		}
		if p != "" {
			if dbg, err := elf.Open(p); err == nil {
				var ignored bool
				matchSymbols(dbg, name, add, &ignored)
				dwarfInlinedFunctions(dbg, name, add)
				dbg.Close()
			}
		}
	}
	return out, nil
}

func hasSymtab(ef *elf.File) bool {
	s := ef.Section(".symtab")
	return s != nil && s.Type != elf.SHT_NOBITS
}

// matchSymbols reports the defined functions of ef that match name, and
// whether ef imports one.
func matchSymbols(ef *elf.File, name string, add func(uint64, string), imported *bool) {
	for _, get := range []func() ([]elf.Symbol, error){ef.Symbols, ef.DynamicSymbols} {
		syms, err := get()
		if err != nil {
			continue
		}
		for _, s := range syms {
			if s.Name == "" || !FunctionMatches(s.Name, name) {
				continue
			}
			t := elf.ST_TYPE(s.Info)
			switch {
			case s.Section == elf.SHN_UNDEF:
				*imported = true
			case t == elf.STT_FUNC && s.Value != 0:
				add(s.Value, s.Name)
			}
		}
	}
}

// goFunctions finds Go functions by name in .gopclntab: the function
// itself, and each copy inlined into another function, at the first
// instruction of the copy (Go keeps an out-of-line copy of an inlinable
// function that its inlined callers never call).
func goFunctions(ef *elf.File, name string, add func(uint64, string)) {
	m := &module{}
	m.loadGo(ef)
	t := m.gotab
	if t == nil {
		return
	}
	for _, r := range t.funcRanges(map[string]bool{name: true}) {
		add(r.lo, r.name)
	}
	for _, a := range t.inlinedStarts(name) {
		add(a, name)
	}
}

// inlinedStarts returns, for every copy of the function name inlined
// anywhere, the lowest address of code inside that copy: each inline
// tree node naming the function is one copy, and a PC is inside it when
// the node is on the PC's chain of inlined calls.
func (t *goTable) inlinedStarts(name string) []uint64 {
	if t.inlTrees == nil {
		return nil
	}
	want := []byte(name)
	var out []uint64
	for i := 0; i < t.nfunc; i++ {
		f, ok := t.funcByIndex(i)
		if !ok {
			continue
		}
		if _, ok := f.funcdata(funcdataInlTree); !ok {
			continue
		}
		first := map[int32]uint64{} // node -> lowest PC inside it
		t.eachValueRun(f.pcdata(pcdataInlTreeIndex), f, func(start uint64, idx int32) {
			for n := 0; idx >= 0 && n < maxInlineDepth; n++ {
				call, ok := t.inlinedCall(f, idx)
				if !ok {
					return
				}
				if bytes.Equal([]byte(t.funcName(call.nameOff)), want) {
					if a, seen := first[idx]; !seen || start < a {
						first[idx] = start
					}
				}
				idx = t.inlineIndex(f, f.entry+uint64(call.parentPC))
			}
		})
		for _, a := range first {
			out = append(out, a)
		}
	}
	return out
}

// eachValueRun calls fn with the start of each run of equal values of
// the pc-value table at off.
func (t *goTable) eachValueRun(off uint32, f goFunc, fn func(start uint64, val int32)) {
	if off == 0 || uint64(off) >= uint64(len(t.pctab)) {
		return
	}
	p := t.pctab[off:]
	pc, val := f.entry, int32(-1)
	for len(p) > 0 {
		uv, n := readVarint(p)
		if n == 0 || (uv == 0 && pc != f.entry) {
			return
		}
		val += int32(-(uv & 1) ^ (uv >> 1))
		p = p[n:]
		pcDelta, n := readVarint(p)
		if n == 0 {
			return
		}
		p = p[n:]
		if val >= 0 {
			fn(pc, val)
		}
		pc += uint64(pcDelta) * t.quantum
		if pc >= f.end {
			return
		}
	}
}

// FindFunction is FindFunction looking in c's debug directories, and
// asking c's debug fetcher when fetch is true: a fetch may wait for the
// network, so the ptrace thread passes false.
func (c *Cache) FindFunction(path, name string, fetch bool) (FoundFunction, error) {
	look := FunctionLookup{DebugDirs: c.debugDirs}
	if fetch {
		look.Fetch = c.fetcher
	}
	return FindFunction(path, name, look)
}
