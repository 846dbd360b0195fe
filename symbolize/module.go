package symbolize

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// module is one parsed ELF object, independent of where a process mapped
// it: every address it holds is a link-time address, so one parse serves
// every process and every load bias. Its file is not kept open: what is
// parsed up front is held in memory, and DWARF and .gopclntab, read on
// first use, reopen the file (see withELF).
type module struct {
	path string
	// info identifies the file that was parsed; a reopen that finds
	// another file (rebuilt since) reads nothing from it.
	info os.FileInfo
	src  io.ReaderAt // in-memory images (the vDSO); nil for files

	cfi  cfiTable    // .eh_frame and .debug_frame: small, loaded first
	syms symTable    // .symtab then .dynsym of the object itself
	stop []addrRange // functions that end a stack: _start, runtime.goexit
	// switches are the Go runtime's functions that moved the thread to
	// another stack: their callers are not above them in memory.
	switches []switchRange

	debugDirs []string
	// static: no PT_INTERP (see Frame.Static).
	static  bool
	fetcher DebugFetcher // nil: no debuginfod
	siteIn  bool         // a system library the user counts as own code (Cache.SiteIn)
	entry   entryInfo    // what the entry code says (startcode.go)
	// libcUnlocated: a static program whose linked-in C library could
	// not be located from its entry code (see Frame.MaybeLibC).
	libcUnlocated bool

	dwOnce sync.Once
	dw     *dwarfInfo // nil when no DWARF was found
	// dwMu serializes DWARF lookups: Delve's line tables cache state
	// machines in maps without locks.
	dwMu sync.Mutex

	// names maps every function symbol, aliases included, to its
	// address: tail-call targets named by declarations (tailcall.go).
	namesOnce sync.Once
	names     map[string]uint64

	// goTable: the file has a .gopclntab, which loadGoTables reads when
	// first needed (C programs and libraries have none: nothing to open).
	goTable bool
	goOnce  sync.Once
	gotab   *goTable     // .gopclntab of Go 1.20+, for Go binaries without DWARF
	oldgo   *gosym.Table // .gopclntab of older Go, through debug/gosym
}

type addrRange struct{ lo, hi uint64 }

// switchKind says how to find the stack a runtime function switched from.
type switchKind uint8

const (
	// switchCgo is runtime.asmcgocall: it runs C on the system stack and
	// leaves there the goroutine and its SP's depth below the stack's
	// top (see stackswitch.go).
	switchCgo switchKind = iota + 1
	// switchSystem is runtime.systemstack: the way back is in
	// m.curg.sched, whose offsets vary by Go version and OS and are known
	// only from DWARF types. The unwind ends there, not on the garbage
	// above it.
	switchSystem
)

type switchRange struct {
	addrRange
	kind switchKind
	// framed is true when the function starts with Go's frame-pointer
	// prologue (PUSHQ BP; MOVQ SP, BP): the return address is then above
	// the saved BP. Go 1.26's assembler adds it to asmcgocall, a $0 frame
	// that makes calls (cmd/internal/obj/x86/obj6.go, bpsize); whether
	// other releases do is read from the code, not assumed.
	framed bool
}

// framePrologue is PUSHQ BP; MOVQ SP, BP.
var framePrologue = []byte{0x55, 0x48, 0x89, 0xe5}

// readPrologues notes which switches begin with framePrologue. A switch
// whose code cannot be read ends the unwind: the layout of its frame is
// unknown.
func readPrologues(ef *elf.File, sws []switchRange) {
	for i := range sws {
		if sws[i].kind != switchCgo {
			continue
		}
		code := make([]byte, len(framePrologue))
		if !readText(ef, sws[i].lo, code) {
			sws[i].kind = switchSystem
			continue
		}
		sws[i].framed = bytes.Equal(code, framePrologue)
	}
}

// readText reads len(p) bytes at the link-time address addr of an
// executable section.
func readText(ef *elf.File, addr uint64, p []byte) bool {
	for _, sec := range ef.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_EXECINSTR == 0 || addr < sec.Addr || addr-sec.Addr+uint64(len(p)) > sec.Size {
			continue
		}
		_, err := sec.ReadAt(p, int64(addr-sec.Addr))
		return err == nil
	}
	return false
}

// stackSwitches are matched in their assembly (ABI0) bodies only: an ABI
// wrapper of the same name is an ordinary frame on the goroutine stack.
var stackSwitches = map[string]switchKind{
	"runtime.asmcgocall":  switchCgo,
	"runtime.systemstack": switchSystem,
}

// stopFunctions end an unwind: nothing above them is a caller.
var stopFunctions = map[string]bool{
	"_start":            true,
	"runtime.goexit":    true,
	"runtime.mstart":    true,
	"runtime.rt0_go":    true,
	"runtime.mcall":     true,
	"runtime.morestack": true,
}

// openModule parses the ELF file at path and closes it.
func openModule(path string, debugDirs []string) (*module, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m, err := newModule(f, path, debugDirs)
	if err != nil {
		return nil, err
	}
	m.src, m.info = nil, info
	return m, nil
}

// newModule parses an ELF image. Corrupt input yields an error, never a
// panic: Delve's CFI parser panics on some malformed tables. r stays in
// use for lazy loads unless the caller clears m.src.
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
	m = &module{path: path, src: r, debugDirs: debugDirs, static: hasNoInterpreter(ef), goTable: ef.Section(".gopclntab") != nil}
	m.cfi = loadCFI(ef)
	m.syms = loadSymbols(ef)
	if !m.goTable {
		// Go binaries, stripped or not, name their functions in
		// .gopclntab.
		m.entry = readEntry(ef)
		nameEntryFunctions(&m.syms, &m.cfi, m.entry)
		m.libcUnlocated = m.static && m.entry.libcStart == 0 && isExecutable(ef)
	}
	for _, s := range m.syms.syms {
		if stopFunctions[strings.TrimSuffix(s.name, ".abi0")] {
			m.stop = append(m.stop, addrRange{s.addr, s.addr + max(s.size, 1)})
		}
	}
	m.switches = symbolSwitches(m.syms.syms)
	if len(m.stop) == 0 && m.goTable {
		// A stripped Go binary: only its own table names runtime.goexit.
		m.goOnce.Do(func() { m.loadGo(ef) })
		m.stop, m.switches = m.goSpecials()
	}
	readPrologues(ef, m.switches)
	return m, nil
}

// newMemoryModule parses an ELF image copied out of the tracee (the vDSO).
func newMemoryModule(image []byte, name string) (*module, error) {
	return newModule(bytes.NewReader(image), name, nil)
}

// withELF opens the module's ELF again for a lazy load, and closes it
// after fn. It does nothing when the file at path is no longer the one
// that was parsed.
func (m *module) withELF(fn func(ef *elf.File)) {
	if m.src != nil {
		if ef, err := elf.NewFile(m.src); err == nil {
			fn(ef)
		}
		return
	}
	f, err := os.Open(m.path)
	if err != nil {
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || m.info == nil || !os.SameFile(info, m.info) || !info.ModTime().Equal(m.info.ModTime()) || info.Size() != m.info.Size() {
		return
	}
	if ef, err := elf.NewFile(f); err == nil {
		fn(ef)
	}
}

func (m *module) isStop(addr uint64) bool {
	for _, r := range m.stop {
		if addr >= r.lo && addr < r.hi {
			return true
		}
	}
	return false
}

// switchAt returns the stack-switching function holding addr.
func (m *module) switchAt(addr uint64) (switchRange, bool) {
	for _, r := range m.switches {
		if addr >= r.lo && addr < r.hi {
			return r, true
		}
	}
	return switchRange{}, false
}

// symbolSwitches finds the stack-switching functions in an ELF symbol
// table. The linker suffixes an assembly function with .abi0 when it also
// emits an ABI wrapper under the plain name; without a wrapper the plain
// name is the assembly itself.
func symbolSwitches(syms []symbol) []switchRange {
	var abi0, plain []switchRange
	for _, s := range syms {
		name, isABI0 := strings.CutSuffix(s.name, ".abi0")
		k := stackSwitches[name]
		if k == 0 {
			continue
		}
		r := switchRange{addrRange: addrRange{s.addr, s.addr + max(s.size, 1)}, kind: k}
		if isABI0 {
			abi0 = append(abi0, r)
		} else {
			plain = append(plain, r)
		}
	}
	out := abi0
	for _, r := range plain {
		if !slices.ContainsFunc(abi0, func(a switchRange) bool { return a.kind == r.kind }) {
			out = append(out, r)
		}
	}
	return out
}

// goSpecials finds the stop and stack-switching functions in .gopclntab,
// which names an assembly function and its ABI wrapper alike: its flags
// tell them apart.
func (m *module) goSpecials() (stops []addrRange, switches []switchRange) {
	names := map[string]bool{}
	for n := range stopFunctions {
		names[n], names[n+".abi0"] = true, true
	}
	for n := range stackSwitches {
		names[n], names[n+".abi0"] = true, true
	}
	if m.gotab != nil {
		for _, f := range m.gotab.funcRanges(names) {
			name := strings.TrimSuffix(f.name, ".abi0")
			if stopFunctions[name] {
				stops = append(stops, f.addrRange)
			}
			if k := stackSwitches[name]; k != 0 && f.asm {
				switches = append(switches, switchRange{addrRange: f.addrRange, kind: k})
			}
		}
		return stops, switches
	}
	// Before Go 1.20, debug/gosym: no flags, so no switches.
	if m.oldgo != nil {
		for n := range names {
			if fn := m.oldgo.LookupFunc(n); fn != nil && stopFunctions[strings.TrimSuffix(n, ".abi0")] {
				stops = append(stops, addrRange{fn.Entry, fn.End})
			}
		}
	}
	return stops, nil
}

// loadGoTables makes .gopclntab available, which even stripped Go binaries
// keep: the Go runtime needs it for its own tracebacks.
func (m *module) loadGoTables() {
	if m.goTable {
		m.goOnce.Do(func() { m.withELF(m.loadGo) })
	}
}

func (m *module) loadGo(ef *elf.File) {
	defer func() {
		if p := recover(); p != nil {
			m.gotab, m.oldgo = nil, nil
		}
	}()
	sec := ef.Section(".gopclntab")
	text := ef.Section(".text")
	if sec == nil || text == nil || sec.Type == elf.SHT_NOBITS {
		return
	}
	data, err := sec.Data()
	if err != nil {
		return
	}
	md, haveMD := findModuleData(ef, sec.Addr, data)
	textStart := text.Addr
	if haveMD && md.text != 0 {
		textStart = md.text
	}
	if t, err := parseGoTable(data, textStart); err == nil {
		if haveMD {
			t.inlTrees = readAt(ef, md.gofunc)
		}
		m.gotab = t
		return
	}
	if t, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr)); err == nil {
		m.oldgo = t
	}
}

// goPlaces resolves addr through .gopclntab.
func (m *module) goPlaces(addr uint64) []place {
	m.loadGoTables()
	if m.gotab != nil {
		return m.gotab.places(addr)
	}
	if m.oldgo == nil {
		return nil
	}
	// debug/gosym knows no inline tree: at an inlined PC it gives the
	// callee's file and line. Those are kept only when they are in the
	// function's own file; the line may then still be the callee's.
	file, line, fn := m.oldgo.PCToLine(addr)
	if fn == nil {
		return nil
	}
	if entryFile, _, _ := m.oldgo.PCToLine(fn.Entry); entryFile != file {
		file, line = entryFile, 0
	}
	return []place{{function: fn.Name, file: file, line: line}}
}

// goSPDelta is the pcsp value at addr, for unwinding Go code that has no
// CFI (a binary built with -ldflags=-w).
func (m *module) goSPDelta(addr uint64) (int64, bool) {
	m.loadGoTables()
	if m.gotab == nil {
		return 0, false
	}
	return m.gotab.spDelta(addr)
}
