package symbolize

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// module is one parsed ELF object, independent of where a process mapped
// it: every address it holds is a link-time address, so one parse serves
// every process and every load bias.
type module struct {
	path string
	file *os.File // kept open for lazy DWARF loading; nil for in-memory images
	elf  *elf.File

	cfi  cfiTable    // .eh_frame and .debug_frame: small, loaded first
	syms symTable    // .symtab then .dynsym of the object itself
	stop []addrRange // functions that end a stack: _start, runtime.goexit

	debugDirs []string

	dwOnce sync.Once
	dw     *dwarfInfo // nil when no DWARF was found
	// dwMu serializes DWARF lookups: Delve's line tables cache state
	// machines in maps without locks.
	dwMu sync.Mutex

	goOnce sync.Once
	gotab  *gosym.Table // .gopclntab, for Go binaries without DWARF
}

type addrRange struct{ lo, hi uint64 }

// stopFunctions end an unwind: nothing above them is a caller.
var stopFunctions = map[string]bool{
	"_start":            true,
	"runtime.goexit":    true,
	"runtime.mstart":    true,
	"runtime.rt0_go":    true,
	"runtime.mcall":     true,
	"runtime.morestack": true,
}

// openModule parses the ELF file at path.
func openModule(path string, debugDirs []string) (*module, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := newModule(f, path, debugDirs)
	if err != nil {
		f.Close()
		return nil, err
	}
	m.file = f
	return m, nil
}

// newModule parses an ELF image. Corrupt input yields an error, never a
// panic: Delve's CFI parser panics on some malformed tables.
func newModule(r io.ReaderAt, path string, debugDirs []string) (m *module, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("symbolize: %s: corrupt ELF: %v", path, p)
		}
	}()
	ef, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("symbolize: %s: %w", path, err)
	}
	m = &module{path: path, elf: ef, debugDirs: debugDirs}
	m.cfi = loadCFI(ef)
	m.syms = loadSymbols(ef)
	for _, s := range m.syms.syms {
		if stopFunctions[strings.TrimSuffix(s.name, ".abi0")] {
			m.stop = append(m.stop, addrRange{s.addr, s.addr + max(s.size, 1)})
		}
	}
	if len(m.stop) == 0 && m.elf.Section(".gopclntab") != nil {
		if t := m.goTable(); t != nil {
			for name := range stopFunctions {
				for _, n := range []string{name, name + ".abi0"} {
					if fn := t.LookupFunc(n); fn != nil {
						m.stop = append(m.stop, addrRange{fn.Entry, fn.End})
					}
				}
			}
		}
	}
	return m, nil
}

// newMemoryModule parses an ELF image copied out of the tracee (the vDSO).
func newMemoryModule(image []byte, name string) (*module, error) {
	return newModule(bytes.NewReader(image), name, nil)
}

func (m *module) isStop(addr uint64) bool {
	for _, r := range m.stop {
		if addr >= r.lo && addr < r.hi {
			return true
		}
	}
	return false
}

// goTable loads .gopclntab, which even stripped Go binaries keep: the Go
// runtime needs it for its own tracebacks.
func (m *module) goTable() *gosym.Table {
	m.goOnce.Do(func() {
		defer func() { _ = recover() }()
		sec := m.elf.Section(".gopclntab")
		text := m.elf.Section(".text")
		if sec == nil || text == nil {
			return
		}
		data, err := sec.Data()
		if err != nil {
			return
		}
		t, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
		if err == nil {
			m.gotab = t
		}
	})
	return m.gotab
}
