package tracer

import (
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/symbolize"
)

// enterPlan is how a session finds its enter point, decided before the
// program starts (so an unknown symbol is a usage error, not a late
// surprise) and carried out after the dynamic loader has mapped the
// program's libraries, when every symbol has an address.
type enterPlan struct {
	atExec bool // capability mode from the first instruction of PROGRAM
	// symbols to break on: the first one reached enters capability mode.
	symbols []string
	// start: a stripped C program's main is an argument of its C
	// library's start-up function, read when that function is called.
	start *startFunc
	// startCall: a stripped static C program has no start-up symbol to
	// break on, but its entry code calls the C start-up function with main
	// as one of the arguments: break at that call (link-time address).
	startCall *startCall
	// goMain is main.main's address in a Go program whose symbol table was
	// stripped, found through .gopclntab (link-time, before load bias).
	goMain uint64
	// programAddrs are where the program image itself defines the enter
	// function (link-time): every overload, every inlined copy of a Go
	// function, names from its debug file. Empty: look in the libraries.
	programAddrs []uint64
	what         string // for messages: "cap_enter", "main", ...
	// watchLoads: the image does not have the enter function; the
	// libraries it loads later (dlopen) are searched too.
	watchLoads bool
	// shim: the image was built against the Capsicum shim, when
	// shimKnown (the planner opened it).
	shim, shimKnown bool
	// fileEntry is the image's ELF entry point (e_entry), which with the
	// run-time one gives the load bias; 0 when unknown.
	fileEntry uint64
}

// inProgram reports whether every breakpoint of the plan lies in the
// program image, which is mapped at exec: they are planted there and then,
// with no stop at the entry point first to wait for the libraries.
func (p enterPlan) inProgram() bool {
	return len(p.programAddrs) > 0 || p.goMain != 0 || p.startCall != nil
}

// needsBreakpoints reports whether the plan is carried out with
// breakpoints (the entry point first), rather than at exec or, on FreeBSD,
// at the real cap_enter(2).
func (p enterPlan) needsBreakpoints() bool {
	return !p.atExec && (len(p.symbols) > 0 || p.start != nil || p.startCall != nil || p.goMain != 0)
}

// startFunc is a C library's start-up function, called by the program's
// _start with main as one of its arguments.
type startFunc struct {
	name    string
	mainArg int // which integer argument holds main, from 0
}

// startFuncs are the start-up functions captrace knows. Their names do not
// overlap, so the program's imports pick the row, whatever system runs it.
var startFuncs = []startFunc{
	// glibc: __libc_start_main(main, argc, argv, ...) (csu/libc-start.c).
	{"__libc_start_main", 0},
	// FreeBSD 14+: _start calls __libc_start1(argc, argv, env, cleanup,
	// main), or __libc_start1_gcrt with two more arguments when profiling
	// (lib/csu/amd64/crt1_s.S, lib/libc/csu/libc_start1.c). Older FreeBSD
	// csu called main from _start itself (lib/csu/amd64/crt1_c.c), so a
	// stripped program built there has no such call to break on.
	{"__libc_start1", 4},
	{"__libc_start1_gcrt", 4},
}

// startCall is the call instruction of a program's entry code that
// enters the C library's start-up function.
type startCall struct {
	addr    uint64 // link-time address of the call instruction
	mainArg int    // which integer argument holds main
}

// startMainArg is where the C library of f's system takes main: glibc's
// __libc_start_main first, FreeBSD's __libc_start1 fifth (startFuncs).
func startMainArg(f *elf.File) int {
	if f.OSABI == elf.ELFOSABI_FREEBSD {
		return 4
	}
	return 0
}

// entryCode reads up to n bytes of f's code at its entry point.
func entryCode(f *elf.File, n int) []byte {
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || f.Entry < p.Vaddr || f.Entry >= p.Vaddr+p.Filesz {
			continue
		}
		code := make([]byte, min(uint64(n), p.Vaddr+p.Filesz-f.Entry))
		if _, err := p.ReadAt(code, int64(f.Entry-p.Vaddr)); err != nil {
			return nil
		}
		return code
	}
	return nil
}

// capEnterNames are the functions whose first call is the default enter
// point: libc's cap_enter(2) wrapper and capsicum_helpers.h's caph_enter.
var capEnterNames = []string{"cap_enter", "caph_enter"}

// planProgram plans PROGRAM's enter point before it starts. A #! script
// cannot be planned from its own file: the image that runs is its
// interpreter's, planned at its exec (deferred).
func planProgram(path, point string, warn io.Writer, find functionFinder) (plan enterPlan, deferred bool, err error) {
	if point != EnterExec && isScript(path) {
		return enterPlan{}, true, nil
	}
	plan, err = planEnterWith(path, point, warn, find)
	return plan, false, err
}

// functionFinder finds a function by the name reports print, in an ELF
// file, its debug file and .gopclntab (symbolize.Cache.FindFunction).
type functionFinder func(path, name string) symbolize.FoundFunction

// symbolsOnly finds functions in the file's own tables and in debug files
// under /usr/lib/debug, never through the network.
func symbolsOnly(path, name string) symbolize.FoundFunction {
	f, _ := symbolize.FindFunction(path, name, symbolize.FunctionLookup{})
	return f
}

// planLaterImage plans an image that a traced process execs after
// PROGRAM's own, quietly. The default's fallback to main is PROGRAM's
// alone: a helper that PROGRAM runs before its cap_enter (system(),
// popen()) is not in capability mode from its own main.
func planLaterImage(exe, point string, find functionFinder) (enterPlan, error) {
	if point == "" {
		point = EnterCapEnter
	}
	return planEnterWith(exe, point, io.Discard, find)
}

// planEnter decides the enter point of the program at exePath. point ""
// is the default: cap_enter, or main when the program has no cap_enter;
// an explicit "cap_enter" never falls back.
func planEnter(exePath, point string, warn io.Writer) (enterPlan, error) {
	return planEnterWith(exePath, point, warn, nil)
}

// planEnterWith is planEnter finding a named enter function with find
// (nil: symbolsOnly).
func planEnterWith(exePath, point string, warn io.Writer, find functionFinder) (enterPlan, error) {
	if find == nil {
		find = symbolsOnly
	}
	if point == EnterExec {
		return enterPlan{atExec: true, what: "exec"}, nil
	}
	f, err := elf.Open(exePath)
	if err != nil {
		return enterPlan{}, &Error{Path: exePath, Err: fmt.Errorf("not a valid ELF file: %w", err), Status: StatusNotExecutable}
	}
	defer f.Close()
	plan, err := planOpened(f, exePath, point, warn, find)
	plan.shim = builtWithShimFile(f)
	plan.shimKnown = true
	plan.fileEntry = f.Entry
	return plan, err
}

// planOpened is planEnterWith once the image is open.
func planOpened(f *elf.File, exePath, point string, warn io.Writer, find functionFinder) (enterPlan, error) {
	names := readImageFunctions(f)
	switch point {
	case "", EnterCapEnter:
		if builtWithShimFile(f) {
			// Built against captrace's Capsicum shim: its cap_enter()
			// announces itself (rights_linux.go), stripped or inlined.
			return enterPlan{what: EnterCapEnter}, nil
		}
		var found []string
		var addrs []uint64
		for _, n := range capEnterNames {
			if names.has(n) {
				found = append(found, n)
			}
			if addr, ok := names.defined(n); ok {
				addrs = append(addrs, addr)
			}
		}
		if len(found) > 0 {
			plan := enterPlan{symbols: found, what: found[0]}
			// Defined by the program itself (a test stub, a static
			// program): its own definitions are the ones to break on.
			if len(addrs) == len(found) {
				plan.programAddrs = addrs
			}
			return plan, nil
		}
		if point == EnterCapEnter {
			// Asked for by name: no fallback. A driver (make, a test
			// runner) never enters; the programs it runs may, and each
			// image is planned again at its exec.
			return enterPlan{what: EnterCapEnter}, nil
		}
		if lacksMain(f, names) {
			return enterPlan{}, &Error{Path: exePath, Err: errNoMain("has neither cap_enter nor main"), Status: StatusUsage}
		}
		plan, err := planMain(f, names, exePath)
		if err == nil {
			fmt.Fprintf(warn, "%s calls neither cap_enter nor caph_enter; capability mode starts at main (--enter=cap_enter: no fallback)\n", filepath.Base(exePath))
		}
		return plan, err
	case EnterMain:
		if lacksMain(f, names) {
			return enterPlan{}, &Error{Path: exePath, Op: "--enter=main", Err: errNoMain("has no main"), Status: StatusUsage}
		}
		return planMain(f, names, exePath)
	}
	found := find(exePath, point)
	if !found.Found() {
		// Not in this image: wait for one that has it, as an explicit
		// --enter=cap_enter does. The program may be a driver (a #!
		// script's interpreter, sh, make) of the one that has it.
		fmt.Fprintf(warn, "%s has no function %s; waiting for a program, or a library one loads, that has it\n", filepath.Base(exePath), point)
		return enterPlan{what: point, symbols: []string{point}, watchLoads: true}, nil
	}
	return enterPlan{symbols: []string{point}, programAddrs: found.Addrs, what: point}, nil
}

// errNoMain says what a program without main lacks, and what to pass.
func errNoMain(lacks string) error {
	return fmt.Errorf("%s (built without the C start-up code?); use --enter=exec, or --enter=FUNCTION to begin at one of its functions", lacks)
}

// lacksMain is true for a C program that has a symbol table and no main
// in it, nor a C library start-up function to find main through: a program
// linked with -nostdlib, whose entry code is its own. A stripped program
// (no .symtab) may still have a main that planMain finds.
func lacksMain(f *elf.File, names imageFunctions) bool {
	if isGo(f) || names.has("main") || f.Section(".symtab") == nil {
		return false
	}
	for _, sf := range startFuncs {
		if names.has(sf.name) {
			return false
		}
	}
	return true
}

// builtWithShim reports whether the program at path was built against
// captrace's Capsicum shim (its objects carry shimabi.Section).
func builtWithShim(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return builtWithShimFile(f)
}

func builtWithShimFile(f *elf.File) bool { return f.Section(shimabi.Section) != nil }

func planMain(f *elf.File, names imageFunctions, exePath string) (enterPlan, error) {
	if isGo(f) {
		if names.has("main.main") {
			return enterPlan{symbols: []string{"main.main"}, what: "main.main"}, nil
		}
		if addr := goMainFromPclntab(f); addr != 0 {
			return enterPlan{goMain: addr, what: "main.main"}, nil
		}
		return enterPlan{}, &Error{Path: exePath, Err: errors.New("cannot find main.main; use --enter=exec"), Status: StatusFailure}
	}
	if names.has("main") {
		plan := enterPlan{symbols: []string{"main"}, what: "main"}
		if addr, ok := names.defined("main"); ok {
			plan.programAddrs = []uint64{addr}
		}
		return plan, nil
	}
	// Stripped: main is what the entry code hands the C library's start-up.
	if addr := symbolize.EntryMain(f); addr != 0 {
		return enterPlan{symbols: []string{"main"}, programAddrs: []uint64{addr}, what: "main"}, nil
	}
	for i := range startFuncs {
		if names.has(startFuncs[i].name) {
			return enterPlan{start: &startFuncs[i], what: "main"}, nil
		}
	}
	if call, ok := entryStartCall(f); ok {
		return enterPlan{startCall: call, what: "main"}, nil
	}
	return enterPlan{}, &Error{Path: exePath, Err: errors.New("stripped, and main reaches no known C start-up function (__libc_start_main, __libc_start1); use --enter=exec or --enter=SYMBOL"), Status: StatusFailure}
}

// imageFunctions are the functions an image defines, by name with their
// link-time address, or imports (address 0; cap_enter from libc, resolved
// in its library later): one raw pass over its symbol tables
// (eachDefinedFunction's reader), .symtab first.
type imageFunctions map[string]uint64

func readImageFunctions(f *elf.File) imageFunctions {
	fns := imageFunctions{}
	for _, typ := range []elf.SectionType{elf.SHT_SYMTAB, elf.SHT_DYNSYM} {
		symbolize.EachSymbol(f, typ, func(name string, value, _ uint64, info byte, section elf.SectionIndex) {
			isFunc := elf.ST_TYPE(info) == elf.STT_FUNC
			switch {
			case isFunc && section != elf.SHN_UNDEF && value != 0:
				if fns[name] == 0 {
					fns[name] = value
				}
			case isFunc || (section == elf.SHN_UNDEF && name != ""):
				if _, ok := fns[name]; !ok {
					fns[name] = 0
				}
			}
		})
	}
	return fns
}

// has reports whether the image defines or imports name.
func (fns imageFunctions) has(name string) bool {
	_, ok := fns[name]
	return ok
}

// defined is name's link-time address when the image defines it.
func (fns imageFunctions) defined(name string) (uint64, bool) {
	addr := fns[name]
	return addr, addr != 0
}

func isGo(f *elf.File) bool {
	return f.Section(".gopclntab") != nil || f.Section(".go.buildinfo") != nil
}

// goMainFromPclntab finds main.main in a Go binary built with -s -w, whose
// .symtab is gone but whose runtime function table stays.
func goMainFromPclntab(f *elf.File) uint64 {
	sec, text := f.Section(".gopclntab"), f.Section(".text")
	if sec == nil || text == nil {
		return 0
	}
	data, err := sec.Data()
	if err != nil {
		return 0
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return 0
	}
	if fn := table.LookupFunc("main.main"); fn != nil {
		return fn.Entry
	}
	return 0
}

// loadedModule is one mapped ELF file with its load bias.
type loadedModule struct {
	path    string
	bias    uint64
	program bool // the program image itself
}

// resolveSymbols finds the defined functions named in the loaded modules,
// the program first (its definition wins, as in symbol interposition).
// Each module's symbol tables are read at most once, and not at all once
// every name is found.
func resolveSymbols(modules []loadedModule, names ...string) map[string]uint64 {
	found := map[string]uint64{}
	for _, m := range modules {
		if len(found) == len(names) {
			break
		}
		f, err := elf.Open(m.path)
		if err != nil {
			continue
		}
		for name, addr := range definedFunctions(f, names) {
			if _, ok := found[name]; !ok {
				found[name] = addr + m.bias
			}
		}
		f.Close()
	}
	return found
}

// resolveFunction finds where the enter function name begins in the loaded
// modules: the first one that defines a function reports would call name
// (every overload in it). The program's own definitions are planned
// before (enterPlan.programAddrs).
func resolveFunction(modules []loadedModule, name string) []uint64 {
	var out []uint64
	for _, m := range modules {
		f, err := elf.Open(m.path)
		if err != nil {
			continue
		}
		seen := map[uint64]bool{}
		eachDefinedFunction(f, func(sym string, value uint64) {
			if !seen[value] && symbolize.FunctionMatches(sym, name) {
				seen[value] = true
				out = append(out, value+m.bias)
			}
		})
		f.Close()
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// definedFunctions are the link-time addresses of the named functions f
// defines (.symtab, then .dynsym).
func definedFunctions(f *elf.File, names []string) map[string]uint64 {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]uint64{}
	eachDefinedFunction(f, func(name string, value uint64) {
		if !want[name] {
			return
		}
		if _, ok := out[name]; !ok {
			out[name] = value
		}
	})
	return out
}

// elfEntry is the program's entry point before load bias.
func elfEntry(path string) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Entry, nil
}

// finder finds enter functions with the session's debug directories, and
// with its debuginfod client when fetch is true: only before the program
// starts, since a download must never hold up a stopped tracee.
func (cfg *Config) finder(fetch bool) functionFinder {
	return func(path, name string) symbolize.FoundFunction {
		var f symbolize.FoundFunction
		if cfg.Cache != nil {
			f, _ = cfg.Cache.FindFunction(path, name, fetch)
		} else {
			f, _ = symbolize.FindFunction(path, name, symbolize.FunctionLookup{DebugDirs: cfg.DebugDirs})
		}
		return f
	}
}
