package tracer

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/captrace/captrace/symbolize"
)

// The breakpoint logic both backends share, driven through a fake stopped
// thread: code bytes in a map, a program counter, argument registers and
// a module list. The ELF files it resolves symbols in are written by
// writeELF, so the tests need no compiler.

type fakeThread struct {
	mem   map[uint64]byte
	pcv   uint64
	args  [6]uint64
	mods  []loadedModule
	entry uint64 // the run-time entry point; 0: unknown, read the map
	ret   uint64 // the return address at a function's first instruction
	// mapReads counts modules() calls.
	mapReads int
}

func (f *fakeThread) readText(addr uint64, p []byte) error {
	for i := range p {
		b, ok := f.mem[addr+uint64(i)]
		if !ok {
			return fmt.Errorf("read %#x: unmapped", addr+uint64(i))
		}
		p[i] = b
	}
	return nil
}

func (f *fakeThread) writeText(addr uint64, p []byte) error {
	for i := range p {
		if _, ok := f.mem[addr+uint64(i)]; !ok {
			return fmt.Errorf("write %#x: unmapped", addr+uint64(i))
		}
	}
	for i, b := range p {
		f.mem[addr+uint64(i)] = b
	}
	return nil
}

func (f *fakeThread) pc() uint64                     { return f.pcv }
func (f *fakeThread) setPC(pc uint64) error          { f.pcv = pc; return nil }
func (f *fakeThread) funcArg(n int) uint64           { return f.args[n] }
func (f *fakeThread) modules() []loadedModule        { f.mapReads++; return f.mods }
func (f *fakeThread) entryPoint() (uint64, bool)     { return f.entry, f.entry != 0 }
func (f *fakeThread) returnAddress() (uint64, error) { return f.ret, nil }
func (f *fakeThread) isCode(addr uint64) bool {
	_, ok := f.mem[addr]
	return ok
}
func (f *fakeThread) code(addr uint64) byte { return f.mem[addr] }
func (f *fakeThread) mapCode(addr uint64, b ...byte) {
	for i, c := range b {
		f.mem[addr+uint64(i)] = c
	}
}

// trapAt makes the thread stop as it does after executing the trap at addr.
func (f *fakeThread) trapAt(addr uint64) { f.pcv = addr + uint64(len(trapInsn)) }

// elfSym is a function symbol for writeELF; an undefined one is imported.
type elfSym struct {
	name      string
	value     uint64
	undefined bool
}

// writeELF writes a minimal x86-64 ELF file (header, .text, .symtab,
// .strtab, .shstrtab) that debug/elf reads as a program would be read.
func writeELF(t *testing.T, path string, entry uint64, syms ...elfSym) {
	t.Helper()
	var strtab bytes.Buffer
	strtab.WriteByte(0)
	symtab := []elf.Sym64{{}}
	for _, s := range syms {
		sym := elf.Sym64{
			Name:  uint32(strtab.Len()),
			Info:  elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC),
			Shndx: 1,
			Value: s.value,
		}
		if s.undefined {
			sym.Info = elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE)
			sym.Shndx = uint16(elf.SHN_UNDEF)
			sym.Value = 0
		}
		strtab.WriteString(s.name + "\x00")
		symtab = append(symtab, sym)
	}
	var symBytes bytes.Buffer
	binary.Write(&symBytes, binary.LittleEndian, symtab)
	shstrtab := []byte("\x00.text\x00.symtab\x00.strtab\x00.shstrtab\x00")
	name := func(s string) uint32 { return uint32(bytes.Index(shstrtab, []byte(s+"\x00"))) }

	const hdr = 64
	strOff := uint64(hdr)
	shstrOff := strOff + uint64(strtab.Len())
	symOff := (shstrOff + uint64(len(shstrtab)) + 7) &^ 7
	shOff := (symOff + uint64(symBytes.Len()) + 7) &^ 7
	sections := []elf.Section64{
		{},
		{Name: name(".text"), Type: uint32(elf.SHT_PROGBITS), Flags: uint64(elf.SHF_ALLOC | elf.SHF_EXECINSTR), Addr: 0x1000, Addralign: 16},
		{Name: name(".symtab"), Type: uint32(elf.SHT_SYMTAB), Off: symOff, Size: uint64(symBytes.Len()), Link: 3, Info: 1, Addralign: 8, Entsize: elf.Sym64Size},
		{Name: name(".strtab"), Type: uint32(elf.SHT_STRTAB), Off: strOff, Size: uint64(strtab.Len()), Addralign: 1},
		{Name: name(".shstrtab"), Type: uint32(elf.SHT_STRTAB), Off: shstrOff, Size: uint64(len(shstrtab)), Addralign: 1},
	}
	h := elf.Header64{
		Type: uint16(elf.ET_DYN), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Entry: entry, Shoff: shOff, Ehsize: hdr, Phentsize: 56, Shentsize: 64,
		Shnum: uint16(len(sections)), Shstrndx: 4,
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)

	out := make([]byte, shOff)
	var hb bytes.Buffer
	binary.Write(&hb, binary.LittleEndian, h)
	copy(out, hb.Bytes())
	copy(out[strOff:], strtab.Bytes())
	copy(out[shstrOff:], shstrtab)
	copy(out[symOff:], symBytes.Bytes())
	var sb bytes.Buffer
	binary.Write(&sb, binary.LittleEndian, sections)
	out = append(out, sb.Bytes()...)
	if err := os.WriteFile(path, out, 0o755); err != nil {
		t.Fatal(err)
	}
}

// A PIE program and one library, as the map shows them at its entry point.
const (
	exeBias = 0x5555_5555_0000
	libBias = 0x7fff_f7d0_0000
	entry   = 0x1040
)

// sandboxProgram writes a program that defines sandbox_enter (0x1200)
// and imports cap_enter, and the library that defines cap_enter (0x3000).
func sandboxProgram(t *testing.T) (exe, lib string) {
	dir := t.TempDir()
	exe, lib = filepath.Join(dir, "prog"), filepath.Join(dir, "libc.so")
	writeELF(t, exe, entry, elfSym{name: "sandbox_enter", value: 0x1200}, elfSym{name: "cap_enter", undefined: true})
	writeELF(t, lib, 0, elfSym{name: "cap_enter", value: 0x3000})
	return exe, lib
}

func TestBreakpointsEnterSymbol(t *testing.T) {
	exe, lib := sandboxProgram(t)
	plan, err := planEnter(exe, "sandbox_enter", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	th := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: lib, bias: libBias}}}
	th.mapCode(exeBias+entry, 0xf3, 0x0f)
	th.mapCode(exeBias+0x1200, 0x55, 0x48)
	th.mapCode(libBias+0x3000, 0xb8, 0x04)

	// At exec: the program defines the enter function, so its trap goes in
	// at once, with no stop at the entry point to wait for the libraries.
	bps := newBreakpointTable(plan, io.Discard)
	bps.plantEntry(th, exe)
	if th.code(exeBias+entry) != 0xf3 || len(bps.active) != 1 {
		t.Fatalf("entry point trapped (byte %#x, %d active): the enter function is the program's own", th.code(exeBias+entry), len(bps.active))
	}
	if th.code(exeBias+0x1200) != 0xcc {
		t.Fatalf("sandbox_enter not planted at %#x", exeBias+0x1200)
	}
	if th.code(libBias+0x3000) != 0xb8 {
		t.Errorf("cap_enter planted although the enter point is sandbox_enter")
	}

	// The program reaches the enter point.
	th.trapAt(exeBias + 0x1200)
	if got := bps.onTrap(th); got != trapEnter {
		t.Fatalf("enter hit: %v, want trapEnter", got)
	}
	if th.code(exeBias+0x1200) != 0x55 || th.pc() != exeBias+0x1200 || len(bps.active) != 0 {
		t.Errorf("enter: byte %#x pc %#x active %d, want original byte, rewound pc, none left", th.code(exeBias+0x1200), th.pc(), len(bps.active))
	}

	// A second thread had executed the same trap before it was removed.
	th.trapAt(exeBias + 0x1200)
	if got := bps.onTrap(th); got != trapHandled || th.pc() != exeBias+0x1200 {
		t.Errorf("retired hit: %v at pc %#x, want trapHandled and the pc rewound", got, th.pc())
	}

	// The program's own int3, or a SIGTRAP from kill: delivered.
	th.pcv = exeBias + 0x1801
	if got := bps.onTrap(th); got != trapForeign || th.pc() != exeBias+0x1801 {
		t.Errorf("foreign trap: %v at pc %#x, want trapForeign and the pc untouched", got, th.pc())
	}
}

// TestBreakpointsFromTheEntryPoint: where the backend knows the run-time
// entry point (Linux's AT_ENTRY), the program's load bias comes from it
// and the memory map is not read at exec at all.
func TestBreakpointsFromTheEntryPoint(t *testing.T) {
	exe, lib := sandboxProgram(t)

	// The program's own function: planted at exec, at entry's bias.
	plan, err := planEnter(exe, "sandbox_enter", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	th := &fakeThread{mem: map[uint64]byte{}, entry: exeBias + entry}
	th.mapCode(exeBias+entry, 0xf3)
	th.mapCode(exeBias+0x1200, 0x55)
	newBreakpointTable(plan, io.Discard).plantEntry(th, exe)
	if th.code(exeBias+0x1200) != 0xcc || th.mapReads != 0 {
		t.Errorf("sandbox_enter %#x after %d map reads: want the trap, and no map read", th.code(exeBias+0x1200), th.mapReads)
	}

	// A library's function: the entry point's trap goes at AT_ENTRY.
	plan, err = planEnter(exe, EnterCapEnter, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	th = &fakeThread{mem: map[uint64]byte{}, entry: exeBias + entry, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: lib, bias: libBias}}}
	th.mapCode(exeBias+entry, 0xf3)
	th.mapCode(libBias+0x3000, 0xb8)
	bps := newBreakpointTable(plan, io.Discard)
	bps.plantEntry(th, exe)
	if th.code(exeBias+entry) != 0xcc || th.mapReads != 0 {
		t.Fatalf("entry %#x after %d map reads: want the trap, and no map read", th.code(exeBias+entry), th.mapReads)
	}
	th.trapAt(exeBias + entry)
	bps.onTrap(th)
	if th.code(libBias+0x3000) != 0xcc {
		t.Errorf("cap_enter not planted in the library once the loader is done")
	}
}

// TestBreakpointsInALibraryLoadedLater: an enter function no module has
// at the entry point is looked for again at each call of the loader's
// debugger hook, in the libraries loaded since; until one has it, the
// hook is planted again when the thread returns from it.
func TestBreakpointsInALibraryLoadedLater(t *testing.T) {
	dir := t.TempDir()
	exe, ld, plugin := filepath.Join(dir, "prog"), filepath.Join(dir, "ld.so"), filepath.Join(dir, "plugin.so")
	writeELF(t, exe, entry, elfSym{name: "main", value: 0x1100})
	writeELF(t, ld, 0, elfSym{name: "_dl_debug_state", value: 0x2060})
	writeELF(t, plugin, 0, elfSym{name: "plugin_enter", value: 0x500})
	const ldBias, pluginBias, ret = 0x7fff_f7f0_0000, 0x7fff_f7a0_0000, 0x7fff_f7f0_3000
	var warn bytes.Buffer
	plan, err := planEnter(exe, "plugin_enter", &warn)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.watchLoads || !strings.Contains(warn.String(), "or a library one loads") {
		t.Fatalf("plan %+v, warning %q: want the loads watched", plan, warn.String())
	}
	th := &fakeThread{mem: map[uint64]byte{}, entry: exeBias + entry, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: ld, bias: ldBias}}}
	th.mapCode(exeBias+entry, 0xf3)
	th.mapCode(ldBias+0x2060, 0xc3)
	th.mapCode(ret, 0x48)
	th.mapCode(pluginBias+0x500, 0x55)
	bps := newBreakpointTable(plan, io.Discard)
	bps.plantEntry(th, exe)
	th.trapAt(exeBias + entry)
	bps.onTrap(th)
	if th.code(ldBias+0x2060) != 0xcc {
		t.Fatalf("the loader hook has no trap after the entry point")
	}

	// The hook before the load: nothing new yet; the hook comes back
	// once the thread has returned from it.
	th.ret = ret
	th.trapAt(ldBias + 0x2060)
	if got := bps.onTrap(th); got != trapHandled || th.code(ldBias+0x2060) != 0xc3 || th.code(ret) != 0xcc {
		t.Fatalf("first hook call: %v, hook %#x, return %#x: want the hook restored and its return trapped", got, th.code(ldBias+0x2060), th.code(ret))
	}
	th.trapAt(ret)
	if got := bps.onTrap(th); got != trapHandled || th.code(ret) != 0x48 || th.code(ldBias+0x2060) != 0xcc || th.pc() != ret {
		t.Fatalf("back from the hook: %v, return %#x, hook %#x, pc %#x: want the hook trapped again", got, th.code(ret), th.code(ldBias+0x2060), th.pc())
	}

	// The hook after the load: the plugin is mapped and has the function.
	th.mods = append(th.mods, loadedModule{path: plugin, bias: pluginBias})
	th.trapAt(ldBias + 0x2060)
	bps.onTrap(th)
	if th.code(pluginBias+0x500) != 0xcc || th.code(ret) != 0x48 {
		t.Fatalf("plugin_enter %#x, return %#x: want plugin_enter trapped and no new return trap", th.code(pluginBias+0x500), th.code(ret))
	}
	th.trapAt(pluginBias + 0x500)
	if got := bps.onTrap(th); got != trapEnter || len(bps.active) != 0 {
		t.Errorf("plugin_enter hit: %v with %d traps left, want trapEnter and none", got, len(bps.active))
	}
}

// TestBreakpointsCapEnterInLibrary: the default enter point on Linux, an
// imported cap_enter, resolves in the library and removes its sibling.
func TestBreakpointsCapEnterInLibrary(t *testing.T) {
	dir := t.TempDir()
	exe, lib := filepath.Join(dir, "prog"), filepath.Join(dir, "libc.so")
	writeELF(t, exe, entry, elfSym{name: "main", value: 0x1100}, elfSym{name: "cap_enter", undefined: true}, elfSym{name: "caph_enter", value: 0x1300})
	writeELF(t, lib, 0, elfSym{name: "cap_enter", value: 0x3000})
	plan, err := planEnter(exe, EnterCapEnter, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	th := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: lib, bias: libBias}}}
	th.mapCode(exeBias+entry, 0xf3)
	th.mapCode(exeBias+0x1300, 0x55)
	th.mapCode(libBias+0x3000, 0xb8)
	bps := newBreakpointTable(plan, io.Discard)
	bps.plantEntry(th, exe)
	th.trapAt(exeBias + entry)
	bps.onTrap(th)
	if th.code(exeBias+0x1300) != 0xcc || th.code(libBias+0x3000) != 0xcc {
		t.Fatalf("caph_enter %#x, cap_enter %#x: both should be planted", th.code(exeBias+0x1300), th.code(libBias+0x3000))
	}
	th.trapAt(libBias + 0x3000)
	if got := bps.onTrap(th); got != trapEnter {
		t.Fatalf("cap_enter hit: %v", got)
	}
	if th.code(exeBias+0x1300) != 0x55 || th.code(libBias+0x3000) != 0xb8 {
		t.Errorf("after the enter point every enter trap must be gone: %#x %#x", th.code(exeBias+0x1300), th.code(libBias+0x3000))
	}
}

// TestBreakpointsMainThroughStartup: a stripped C program's main is an
// argument of its C library's start-up function, which one depends on the
// system that built it.
func TestBreakpointsMainThroughStartup(t *testing.T) {
	for _, tt := range []struct {
		system, start string
		mainArg       int
	}{
		{"glibc", "__libc_start_main", 0},  // rdi
		{"FreeBSD 14", "__libc_start1", 4}, // r8
		{"FreeBSD gprof", "__libc_start1_gcrt", 4},
	} {
		t.Run(tt.system, func(t *testing.T) {
			dir := t.TempDir()
			exe, lib := filepath.Join(dir, "stripped"), filepath.Join(dir, "libc.so")
			writeELF(t, exe, entry, elfSym{name: tt.start, undefined: true})
			writeELF(t, lib, 0, elfSym{name: tt.start, value: 0x2400})
			plan, err := planEnter(exe, EnterMain, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if plan.start == nil || plan.start.name != tt.start || plan.start.mainArg != tt.mainArg {
				t.Fatalf("plan.start = %+v, want %s argument %d", plan.start, tt.start, tt.mainArg)
			}
			const main = exeBias + 0x1150
			th := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: lib, bias: libBias}}}
			th.mapCode(exeBias+entry, 0xf3)
			th.mapCode(libBias+0x2400, 0x41)
			th.mapCode(main, 0x55)
			bps := newBreakpointTable(plan, io.Discard)
			bps.plantEntry(th, exe)
			th.trapAt(exeBias + entry)
			bps.onTrap(th)
			if th.code(libBias+0x2400) != 0xcc {
				t.Fatalf("%s not planted", tt.start)
			}
			// _start calls the start-up function with main in its argument.
			for i := range th.args {
				th.args[i] = 0xdead0000 + uint64(i)
			}
			th.args[tt.mainArg] = main
			th.trapAt(libBias + 0x2400)
			if got := bps.onTrap(th); got != trapHandled {
				t.Fatalf("%s hit: %v", tt.start, got)
			}
			if th.code(libBias+0x2400) != 0x41 || th.code(main) != 0xcc {
				t.Fatalf("after %s: its byte %#x, main's %#x", tt.start, th.code(libBias+0x2400), th.code(main))
			}
			th.trapAt(main)
			if got := bps.onTrap(th); got != trapEnter || th.code(main) != 0x55 || th.pc() != main {
				t.Errorf("main hit: %v, byte %#x, pc %#x", got, th.code(main), th.pc())
			}
		})
	}
}

func TestPlanMainStrippedWithoutStartup(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "static")
	writeELF(t, exe, entry)
	_, err := planEnter(exe, EnterMain, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "use --enter=exec") {
		t.Errorf("got %v, want an error that suggests --enter=exec", err)
	}
}

// TestBreakpointsForkedChild: a child forked before the enter point has
// the traps in its copy of the memory, and must handle them itself.
func TestBreakpointsForkedChild(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "prog")
	writeELF(t, exe, entry, elfSym{name: "work", value: 0x1200})
	plan, _ := planEnter(exe, "work", io.Discard)
	parent := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}}}
	parent.mapCode(exeBias+entry, 0xf3)
	parent.mapCode(exeBias+0x1200, 0x55)
	bps := newBreakpointTable(plan, io.Discard)
	bps.plantEntry(parent, exe)
	parent.trapAt(exeBias + entry)
	bps.onTrap(parent)

	child := &fakeThread{mem: map[uint64]byte{}, mods: parent.mods}
	for a, b := range parent.mem {
		child.mem[a] = b
	}
	cbps := bps.forked()
	child.trapAt(exeBias + 0x1200)
	if got := cbps.onTrap(child); got != trapEnter || child.code(exeBias+0x1200) != 0x55 {
		t.Errorf("child: %v, byte %#x", got, child.code(exeBias+0x1200))
	}
	if parent.code(exeBias+0x1200) != 0xcc || len(bps.active) != 1 {
		t.Errorf("the parent's breakpoint must stay: byte %#x, %d active", parent.code(exeBias+0x1200), len(bps.active))
	}

	// A child that will run untraced (FreeBSD --no-follow) loses its traps.
	other := &fakeThread{mem: map[uint64]byte{}}
	for a, b := range parent.mem {
		other.mem[a] = b
	}
	bps.forked().removeAll(other)
	if other.code(exeBias+0x1200) != 0x55 {
		t.Errorf("removeAll left %#x", other.code(exeBias+0x1200))
	}
}

func TestBreakpointCannotBePlanted(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "prog")
	writeELF(t, exe, entry)
	var warn bytes.Buffer
	bps := newBreakpointTable(enterPlan{symbols: []string{"x"}}, &warn)
	th := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}}}
	bps.plantEntry(th, exe) // nothing mapped there
	if len(bps.active) != 0 || !strings.Contains(warn.String(), "cannot set a breakpoint at entry") {
		t.Errorf("active %d, warning %q", len(bps.active), warn.String())
	}
	var none *breakpointTable
	if none.onTrap(th) != trapForeign {
		t.Error("a process without breakpoints must deliver every SIGTRAP")
	}
}

func TestProgramModules(t *testing.T) {
	dir := t.TempDir()
	exe, lib := filepath.Join(dir, "prog"), filepath.Join(dir, "libc.so")
	writeELF(t, exe, entry)
	writeELF(t, lib, 0)
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	for _, tt := range []struct {
		name    string
		exePath string // the program's path as the map spells it
	}{
		{"by path", exe},
		// FreeBSD's vnode name cache may spell it otherwise.
		{"by inode", "/elsewhere/prog"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mm := symbolize.NewModuleMap([]symbolize.Mapping{
				{Start: 0x1000, End: 0x2000, Perm: "r-xp", Path: lib},
				{Start: 0x5000, End: 0x6000, Perm: "r-xp", Path: tt.exePath, Inode: uint64(st.Ino), Dev: uint64(st.Dev)},
				{Start: 0x7000, End: 0x8000, Perm: "rw-p", Path: "[stack]"},
			})
			mods := programModules(mm, exe)
			if len(mods) != 2 || !mods[0].program || mods[0].path != tt.exePath || mods[1].path != lib {
				t.Fatalf("modules = %+v, want the program first, then %s", mods, lib)
			}
			if got := programBias(mods); got != 0x5000 {
				t.Errorf("programBias = %#x, want 0x5000 (no PT_LOAD: the mapping's start)", got)
			}
		})
	}
	if got := programBias([]loadedModule{{path: lib, bias: libBias}}); got != 0 {
		t.Errorf("programBias without the program = %#x, want 0", got)
	}
}

// TestBreakpointsStartupArgumentNotCode: a start-up call of another shape
// (musl's _start passes the stack pointer) must not get a trap written
// into data.
func TestBreakpointsStartupArgumentNotCode(t *testing.T) {
	dir := t.TempDir()
	exe, lib := filepath.Join(dir, "stripped"), filepath.Join(dir, "libc.so")
	writeELF(t, exe, entry, elfSym{name: "__libc_start_main", undefined: true})
	writeELF(t, lib, 0, elfSym{name: "__libc_start_main", value: 0x2400})
	plan, err := planEnter(exe, EnterMain, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	th := &fakeThread{mem: map[uint64]byte{}, mods: []loadedModule{{path: exe, bias: exeBias, program: true}, {path: lib, bias: libBias}}}
	th.mapCode(exeBias+entry, 0xf3)
	th.mapCode(libBias+0x2400, 0x41)
	var warn bytes.Buffer
	bps := newBreakpointTable(plan, &warn)
	bps.plantEntry(th, exe)
	th.trapAt(exeBias + entry)
	bps.onTrap(th)
	const stack = 0x7ffc0000
	th.args[0] = stack
	th.trapAt(libBias + 0x2400)
	if got := bps.onTrap(th); got != trapHandled {
		t.Fatalf("start-up hit: %v", got)
	}
	if _, written := th.mem[stack]; written || len(bps.active) != 0 {
		t.Errorf("a trap was planted at a non-code argument: %v", bps.active)
	}
	if !strings.Contains(warn.String(), "does not pass main") {
		t.Errorf("no warning: %q", warn.String())
	}
}
