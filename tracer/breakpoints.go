package tracer

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"syscall"

	"github.com/captrace/captrace/symbolize"
)

// The breakpoints that find an enter point other than exec, shared by both
// backends. They are one-shot software traps planted in the program's code:
//
//  1. at exec, one at the program's ELF entry point: when it fires, the
//     dynamic loader has mapped every library, so symbols have addresses
//     (a plan whose functions are all in the program skips this step);
//  2. there, one on each enter symbol (or on the C library's start-up
//     function, whose argument is main in a stripped program);
//  3. when an enter breakpoint fires, capability mode begins;
//  4. when no loaded module has the enter function, one on the dynamic
//     loader's debugger hook, which it calls around every dlopen: the
//     libraries loaded since are searched, and until one has it the hook
//     is planted again once the thread has returned from it.
//
// Each one is removed when it fires, and the thread re-runs the restored
// instruction. A backend supplies a stopped thread (breakpointThread);
// everything else is here, so it is tested on Linux for FreeBSD too.

// breakpointRole is what reaching a breakpoint means.
type breakpointRole int

const (
	roleEntry      breakpointRole = iota // the loader is done: resolve the enter symbols
	roleStartMain                        // the C start-up function: one of its arguments is main
	roleEnter                            // capability mode begins
	roleLoaderHook                       // the loader loaded or unloaded libraries: search them
	roleRearm                            // back from the loader's hook: plant it again
)

// loaderHooks are the functions a dynamic loader calls around every
// change to the set of loaded objects, for debuggers (r_debug's r_brk):
// glibc's _dl_debug_state (elf/dl-debug.c), FreeBSD's r_debug_state
// (libexec/rtld-elf/rtld.c).
var loaderHooks = []string{"_dl_debug_state", "r_debug_state"}

// breakpoint is one planted trap.
type breakpoint struct {
	addr    uint64 // absolute address in the tracee
	orig    []byte // the bytes the trap instruction replaced
	what    string // the symbol, for messages
	role    breakpointRole
	mainArg int    // roleStartMain: which argument holds main
	rearm   uint64 // roleRearm: the loader hook to plant again
}

// textMemory reads and writes a stopped process's code.
type textMemory interface {
	readText(addr uint64, p []byte) error
	writeText(addr uint64, p []byte) error
}

// breakpointThread is a thread stopped at a SIGTRAP (or at exec), as the
// breakpoint logic sees it. Registers are read once, when the backend
// builds it.
type breakpointThread interface {
	textMemory
	pc() uint64
	setPC(pc uint64) error
	// funcArg is integer argument n (from 0) of the function whose first
	// instruction the thread is at.
	funcArg(n int) uint64
	// modules reads the process's map afresh and lists its ELF files,
	// the program first (programModules).
	modules() []loadedModule
	// entryPoint is the program's run-time entry point, when the
	// backend knows it without reading the map.
	entryPoint() (uint64, bool)
	// isCode reports whether addr is in an executable mapping.
	isCode(addr uint64) bool
	// returnAddress is where the function whose first instruction the
	// thread is at will return to.
	returnAddress() (uint64, error)
}

// trapOutcome is what a SIGTRAP turned out to be.
type trapOutcome int

const (
	trapForeign trapOutcome = iota // not one of ours: deliver it to the program
	trapHandled                    // ours: resume the thread with no signal
	trapEnter                      // ours, and the enter point: capability mode begins, then resume with no signal
)

// breakpointTable is one process's breakpoints.
type breakpointTable struct {
	plan   enterPlan
	active map[uint64]*breakpoint
	// retired: addresses of breakpoints already removed, which other
	// threads may still trap on once (they ran into the trap before the
	// first hit removed it).
	retired map[uint64]bool
	// searched: the modules already searched for the enter function, so
	// that each load of a library searches only the new ones.
	searched map[string]bool
	warn     io.Writer
}

func newBreakpointTable(plan enterPlan, warn io.Writer) *breakpointTable {
	if warn == nil {
		warn = io.Discard
	}
	return &breakpointTable{plan: plan, active: map[uint64]*breakpoint{}, retired: map[uint64]bool{}, warn: warn}
}

// forked is the table of a forked child, whose memory is a copy of its
// parent's, trap bytes included.
func (t *breakpointTable) forked() *breakpointTable {
	if t == nil {
		return nil
	}
	return &breakpointTable{plan: t.plan, active: maps.Clone(t.active), retired: maps.Clone(t.retired), searched: maps.Clone(t.searched), warn: t.warn}
}

// plantEntry plants the first breakpoints; the thread is stopped at exec,
// the program image mapped. A plan whose functions are all in the program
// is planted at once; any other waits at the program's entry point for
// the libraries the dynamic loader maps.
func (t *breakpointTable) plantEntry(th breakpointThread, exe string) {
	if t.plan.inProgram() {
		t.resolve(th)
		return
	}
	if entry, ok := th.entryPoint(); ok {
		t.plant(th, entry, roleEntry, "entry", 0)
		return
	}
	entry, err := elfEntry(exe)
	if err != nil {
		return
	}
	t.plant(th, entry+programBias(th.modules()), roleEntry, "entry", 0)
}

// programBias is the program image's load bias: the run-time entry point
// minus the file's, or else from the memory map.
func (t *breakpointTable) programBias(th breakpointThread) uint64 {
	if t.plan.fileEntry != 0 {
		if entry, ok := th.entryPoint(); ok && entry >= t.plan.fileEntry {
			return entry - t.plan.fileEntry
		}
	}
	return programBias(th.modules())
}

// plant sets a one-shot trap at addr.
func (t *breakpointTable) plant(th breakpointThread, addr uint64, role breakpointRole, what string, mainArg int) {
	if _, ok := t.active[addr]; ok {
		return
	}
	orig := make([]byte, len(trapInsn))
	if err := th.readText(addr, orig); err != nil {
		fmt.Fprintf(t.warn, "cannot set a breakpoint at %s (%#x): %v\n", what, addr, err)
		return
	}
	if err := th.writeText(addr, trapInsn); err != nil {
		fmt.Fprintf(t.warn, "cannot set a breakpoint at %s (%#x): %v\n", what, addr, err)
		return
	}
	t.active[addr] = &breakpoint{addr: addr, orig: orig, what: what, role: role, mainArg: mainArg}
}

// remove puts the original bytes back, unless something else (a vfork
// child sharing the memory) already did.
func (t *breakpointTable) remove(mem textMemory, bp *breakpoint) {
	cur := make([]byte, len(trapInsn))
	if mem.readText(bp.addr, cur) == nil && bytes.Equal(cur, trapInsn) {
		if err := mem.writeText(bp.addr, bp.orig); err != nil {
			fmt.Fprintf(t.warn, "cannot remove the breakpoint at %s (%#x): %v\n", bp.what, bp.addr, err)
		}
	}
	delete(t.active, bp.addr)
	t.retired[bp.addr] = true
}

// removeAll takes every trap out of a process that is about to run
// untraced, where one would kill it.
func (t *breakpointTable) removeAll(mem textMemory) {
	if t == nil {
		return
	}
	for _, bp := range t.active {
		t.remove(mem, bp)
	}
}

// isEnter reports whether a thread whose program counter is pc stopped at
// an enter-point breakpoint.
func (t *breakpointTable) isEnter(pc uint64) bool {
	if t == nil {
		return false
	}
	bp := t.active[trapAddr(pc)]
	return bp != nil && bp.role == roleEnter
}

// onTrap decides a SIGTRAP of th's process. For one of ours it removes
// the breakpoint, rewinds the thread onto the restored instruction and
// plants what comes next.
func (t *breakpointTable) onTrap(th breakpointThread) trapOutcome {
	if t == nil {
		return trapForeign
	}
	addr := trapAddr(th.pc())
	bp := t.active[addr]
	if bp == nil {
		if !t.retired[addr] {
			return trapForeign
		}
		t.rewind(th, addr)
		return trapHandled
	}
	t.remove(th, bp)
	t.rewind(th, addr)
	switch bp.role {
	case roleEntry:
		t.resolve(th)
	case roleStartMain:
		// Plant only in the program's code: a start-up call of another
		// shape (musl's _start passes the stack pointer to _start_c) would
		// put the trap into data.
		if main := th.funcArg(bp.mainArg); th.isCode(main) {
			t.plant(th, main, roleEnter, "main", 0)
		} else {
			fmt.Fprintf(t.warn, "%s does not pass main where expected; use --enter=exec or --enter=SYMBOL\n", bp.what)
		}
	case roleEnter:
		// Capability mode begins: no other trap has a purpose now.
		for _, other := range t.active {
			t.remove(th, other)
		}
		return trapEnter
	case roleLoaderHook:
		if !t.plantInLibraries(th, th.modules()) {
			// Not yet (the hook runs before and after a load): once the
			// thread is back from the hook, the hook gets its trap again.
			if ret, err := th.returnAddress(); err == nil {
				t.plant(th, ret, roleRearm, "the loader hook's return", 0)
				if r := t.active[ret]; r != nil && r.role == roleRearm {
					r.rearm = bp.addr
				}
			}
		}
	case roleRearm:
		t.plant(th, bp.rearm, roleLoaderHook, "the loader hook", 0)
	}
	return trapHandled
}

// rewind puts the thread back onto the restored instruction at addr.
func (t *breakpointTable) rewind(th breakpointThread, addr uint64) {
	if err := th.setPC(addr); err != nil {
		fmt.Fprintf(t.warn, "cannot rewind a thread onto %#x after a breakpoint: %v\n", addr, err)
	}
}

// resolve runs at the program's entry point, when the dynamic loader has
// mapped every library: now the plan's symbols have addresses (or at
// exec, for a plan inProgram).
func (t *breakpointTable) resolve(th breakpointThread) {
	plan := t.plan
	switch {
	case plan.goMain != 0:
		t.plant(th, plan.goMain+t.programBias(th), roleEnter, plan.what, 0)
	case plan.start != nil:
		if addr, ok := resolveSymbols(th.modules(), plan.start.name)[plan.start.name]; ok {
			t.plant(th, addr, roleStartMain, plan.start.name, plan.start.mainArg)
		}
	case plan.startCall != nil:
		t.plant(th, plan.startCall.addr+t.programBias(th), roleStartMain, "the C start-up call", plan.startCall.mainArg)
	case len(plan.programAddrs) > 0:
		// The program's own definitions (every overload, every inlined
		// copy): the libraries are not searched.
		bias := t.programBias(th)
		for _, a := range plan.programAddrs {
			t.plant(th, a+bias, roleEnter, plan.what, 0)
		}
	default:
		modules := th.modules()
		if !t.plantInLibraries(th, modules) && plan.watchLoads {
			hooks := resolveSymbols(modules, loaderHooks...)
			for _, name := range loaderHooks {
				if addr, ok := hooks[name]; ok {
					t.plant(th, addr, roleLoaderHook, name, 0)
					break
				}
			}
		}
	}
}

// plantInLibraries plants the enter function's traps in the modules not
// searched before, and reports whether any went in.
func (t *breakpointTable) plantInLibraries(th breakpointThread, modules []loadedModule) bool {
	if t.searched == nil {
		t.searched = map[string]bool{}
	}
	var fresh []loadedModule
	for _, m := range modules {
		if !t.searched[m.path] {
			t.searched[m.path] = true
			fresh = append(fresh, m)
		}
	}
	planted := false
	for _, name := range t.plan.symbols {
		for _, addr := range resolveFunction(fresh, name) {
			t.plant(th, addr, roleEnter, name, 0)
			planted = true
		}
	}
	return planted
}

// programModules lists the ELF files of a module map, the program image
// first. The image is found by path, or else by inode and device: FreeBSD
// names files from the vnode name cache (vn_fullpath()), which may spell
// a path differently from the one captrace started.
func programModules(mm *symbolize.ModuleMap, exe string) []loadedModule {
	if mm == nil {
		return nil
	}
	var out []loadedModule
	found := false
	for _, m := range mm.Modules() {
		if m.Path == "" || m.Path[0] != '/' {
			continue
		}
		lm := loadedModule{path: m.Path, bias: m.Bias}
		if !found && m.Path == exe {
			lm.program, found = true, true
			out = append([]loadedModule{lm}, out...)
		} else {
			out = append(out, lm)
		}
	}
	if found || exe == "" {
		return out
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return out
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return out
	}
	for _, m := range mm.Modules() {
		if m.Inode != uint64(st.Ino) || m.Dev != uint64(st.Dev) {
			continue
		}
		for i := range out {
			if out[i].path == m.Path {
				lm := out[i]
				lm.program = true
				out = append(append([]loadedModule{lm}, out[:i]...), out[i+1:]...)
				return out
			}
		}
	}
	return out
}

// programBias is the program image's load bias (0 unless it is PIE, or
// when the image is not in the map).
func programBias(modules []loadedModule) uint64 {
	if len(modules) > 0 && modules[0].program {
		return modules[0].bias
	}
	return 0
}
