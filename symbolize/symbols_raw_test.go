package symbolize

import (
	"debug/elf"
	"path/filepath"
	"slices"
	"testing"
)

// EachSymbol must give what debug/elf's decoded tables give, symbol for
// symbol, on real files: libc (versioned dynamic symbols), glibc's
// separate debug file when installed (tens of thousands of local
// symbols), the loader, a stripped program and this test binary.
func TestEachSymbolMatchesDebugELF(t *testing.T) {
	files := realELFFiles(t)
	if ef, err := elf.Open("/lib/x86_64-linux-gnu/libc.so.6"); err == nil {
		if p := findDebugFile("/lib/x86_64-linux-gnu/libc.so.6", ef, nil); p != "" {
			files = append(files, p)
		}
		ef.Close()
	}
	type sym struct {
		name        string
		value, size uint64
		info        byte
		section     elf.SectionIndex
	}
	for _, path := range files {
		ef, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []struct {
			typ elf.SectionType
			get func() ([]elf.Symbol, error)
		}{{elf.SHT_SYMTAB, ef.Symbols}, {elf.SHT_DYNSYM, ef.DynamicSymbols}} {
			var raw, decoded []sym
			EachSymbol(ef, table.typ, func(name string, value, size uint64, info byte, section elf.SectionIndex) {
				raw = append(raw, sym{name, value, size, info, section})
			})
			ss, _ := table.get()
			for _, s := range ss {
				decoded = append(decoded, sym{s.Name, s.Value, s.Size, s.Info, s.Section})
			}
			if !slices.Equal(raw, decoded) {
				t.Errorf("%s %v: raw reader gives %d symbols, debug/elf %d, or others", filepath.Base(path), table.typ, len(raw), len(decoded))
			}
		}
		ef.Close()
	}
}
