package symbolize

import (
	"debug/dwarf"
	"debug/elf"
	"sort"
	"strings"
)

// Tail-call frames. A function whose last act is `return f(x);` compiles,
// at -O2, to a jmp: its frame is gone before f runs, and a CFI unwind goes
// from f straight to the function that called it. DWARF's call-site
// entries still tell that it ran: the caller's call site names the
// function it called, and that function's tail-call sites name where it
// jumped. Between two unwound frames whose call site does not target the
// callee's entry, the chain of tail calls from the site's target to the
// callee is rebuilt, as gdb does (gdb/dwarf2/loc.c, call_site_find_chain)
// and LLDB does (StackFrameList::SynthesizeTailCallFrames), and kept only
// when it is the one possible chain: never a guess.
//
// DWARF 5 (gcc 11+, clang 14+): DW_TAG_call_site with DW_AT_call_return_pc
// (clang gives a tail call DW_AT_call_pc, the jmp itself, instead),
// DW_AT_call_tail_call, DW_AT_call_origin, and DW_AT_call_all_calls on the
// subprogram. DWARF 4 GNU extensions: DW_TAG_GNU_call_site (0x4109) with
// DW_AT_low_pc for the return PC, DW_AT_GNU_tail_call (0x2115),
// DW_AT_abstract_origin, DW_AT_GNU_all_call_sites (0x2117).

const (
	tagGNUCallSite          dwarf.Tag  = 0x4109
	attrGNUTailCall         dwarf.Attr = 0x2115
	attrGNUAllTailCallSites dwarf.Attr = 0x2116
	attrGNUAllCallSites     dwarf.Attr = 0x2117
	attrCallAllTailCalls    dwarf.Attr = 0x7b // DW_AT_call_all_tail_calls
)

// callSite is one call instruction of a function, at link-time addresses.
type callSite struct {
	// pc is the return address of a call, or for a tail call given by
	// DW_AT_call_pc the jmp itself (exact).
	pc    uint64
	exact bool
	tail  bool
	// The callee: entry when DWARF gives its address, else name, the
	// symbol of a declaration (a call through the PLT, or into another
	// unit).
	entry uint64
	name  string
}

// funcSites are the call sites of one function, sorted by pc.
type funcSites struct {
	sites []callSite
	// complete: the function lists every (tail) call it makes, so a chain
	// through it that is not listed does not exist.
	complete bool
}

// maxTailChain bounds the tail calls in one rebuilt chain; maxChains
// stops the search once a second chain shows the answer is ambiguous.
const (
	maxTailChain = 8
	maxSearch    = 256
)

// callSitesOf reads the call sites of the subprogram at off: its
// children at every depth (lexical blocks, inlined subroutines), since
// a call inlined into the function is made from the function's code.
func (di *dwarfInfo) callSitesOf(cu *compUnit, off dwarf.Offset) *funcSites {
	if fs, ok := cu.sites[off]; ok {
		return fs
	}
	fs := &funcSites{}
	cu.sites[off] = fs
	r := di.data.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return fs
	}
	for _, a := range []dwarf.Attr{dwarf.AttrCallAllCalls, attrCallAllTailCalls, attrGNUAllCallSites, attrGNUAllTailCallSites} {
		if v, ok := e.Val(a).(bool); ok && v {
			fs.complete = true
		}
	}
	if !e.Children {
		return fs
	}
	for depth := 1; depth > 0; {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			continue
		}
		if e.Children {
			depth++
		}
		if e.Tag != dwarf.TagCallSite && e.Tag != tagGNUCallSite {
			continue
		}
		if s, ok := di.readCallSite(e); ok {
			fs.sites = append(fs.sites, s)
		}
	}
	sort.Slice(fs.sites, func(i, j int) bool { return fs.sites[i].pc < fs.sites[j].pc })
	return fs
}

func (di *dwarfInfo) readCallSite(e *dwarf.Entry) (callSite, bool) {
	var s callSite
	if pc, ok := e.Val(dwarf.AttrCallReturnPC).(uint64); ok {
		s.pc = pc
	} else if pc, ok := e.Val(dwarf.AttrLowpc).(uint64); ok && e.Tag == tagGNUCallSite {
		s.pc = pc
	} else if pc, ok := e.Val(dwarf.AttrCallPC).(uint64); ok {
		s.pc, s.exact = pc, true
	} else {
		return s, false
	}
	for _, a := range []dwarf.Attr{dwarf.AttrCallTailCall, attrGNUTailCall} {
		if v, ok := e.Val(a).(bool); ok && v {
			s.tail = true
		}
	}
	origin, ok := e.Val(dwarf.AttrCallOrigin).(dwarf.Offset)
	if !ok {
		origin, ok = e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
	}
	if ok {
		s.entry, s.name = di.originTarget(origin)
	}
	return s, true
}

// originTarget resolves a call's origin DIE: the address of a definition,
// else the symbol name of a declaration (following
// DW_AT_abstract_origin and DW_AT_specification to the name).
func (di *dwarfInfo) originTarget(off dwarf.Offset) (entry uint64, name string) {
	r := di.data.Reader()
	for range maxOriginChain {
		r.Seek(off)
		e, err := r.Next()
		if err != nil || e == nil {
			return 0, name
		}
		if lo, ok := e.Val(dwarf.AttrLowpc).(uint64); ok && lo != 0 && entry == 0 {
			entry = lo
		}
		if name == "" {
			if n, ok := e.Val(dwarf.AttrLinkageName).(string); ok {
				name = n
			} else if n, ok := e.Val(dwarf.AttrName).(string); ok {
				name = n
			}
		}
		if entry != 0 && name != "" {
			return entry, name
		}
		next, ok := referredDIE(e)
		if !ok || next == off {
			break
		}
		off = next
	}
	return entry, name
}

// functionSites returns the call sites of the function whose code holds
// addr, with its entry; addr must be a DWARF-described function's.
func (mod *module) functionSites(addr uint64) (fs *funcSites, entry uint64, ok bool) {
	di := mod.dwarf()
	if di == nil || di.data == nil {
		return nil, 0, false
	}
	mod.dwMu.Lock()
	defer mod.dwMu.Unlock()
	cu := di.cuFor(addr)
	if cu == nil {
		return nil, 0, false
	}
	cu.parse(di)
	fr, found := cu.funcFor(addr)
	if !found {
		return nil, 0, false
	}
	return di.callSitesOf(cu, fr.off), fr.entry, true
}

// callAt is the call site whose return address is ret.
func (mod *module) callAt(ret uint64) (callSite, bool) {
	fs, _, ok := mod.functionSites(ret - 1)
	if !ok {
		return callSite{}, false
	}
	i := sort.Search(len(fs.sites), func(i int) bool { return fs.sites[i].pc >= ret })
	if i < len(fs.sites) && fs.sites[i].pc == ret && !fs.sites[i].exact && !fs.sites[i].tail {
		return fs.sites[i], true
	}
	return callSite{}, false
}

// funcEntry is the entry of the function holding addr: from DWARF, else
// the symbol that covers it, else its FDE.
func (mod *module) funcEntry(addr uint64) (uint64, bool) {
	if _, entry, ok := mod.functionSites(addr); ok {
		return entry, true
	}
	tables := []*symTable{&mod.syms}
	if di := mod.dwarf(); di != nil {
		tables = append(tables, &di.syms)
	}
	for _, t := range tables {
		if s, covers, ok := t.lookup(addr); ok && covers {
			return s.addr, true
		}
	}
	if fde := mod.cfi.fdeFor(addr); fde != nil {
		return fde.Begin(), true
	}
	return 0, false
}

// symbolAddr is the link-time address of the function the object
// defines under name, aliases included (open, open64 and __libc_open64
// are one function).
func (mod *module) symbolAddr(name string) (uint64, bool) {
	mod.namesOnce.Do(func() {
		mod.names = map[string]uint64{}
		mod.withELF(func(ef *elf.File) {
			add := func(ss []elf.Symbol, err error) {
				if err != nil {
					return
				}
				for _, s := range ss {
					t := elf.ST_TYPE(s.Info)
					if t != elf.STT_FUNC || s.Value == 0 || s.Section == elf.SHN_UNDEF {
						continue
					}
					n := s.Name
					if i := strings.IndexByte(n, '@'); i > 0 {
						n = n[:i]
					}
					if _, dup := mod.names[n]; !dup || elf.ST_BIND(s.Info) == elf.STB_GLOBAL {
						mod.names[n] = s.Value
					}
				}
			}
			add(ef.Symbols())
			add(ef.DynamicSymbols())
		})
	})
	a, ok := mod.names[name]
	return a, ok
}

// tailStep is one rebuilt frame: the function that tail-called, at its
// tail-call site.
type tailStep struct {
	m    *Module
	site callSite
}

// TailCallFrames returns the frames of the functions that ran between
// callee (an unwound frame) and caller (the frame above it) and left by
// a tail call, innermost first, each marked TailCall; none when the
// chain is not known for certain.
func (s *Symbolizer) TailCallFrames(mm *ModuleMap, callee, caller PC) []Frame {
	if caller.Exact || caller.Addr == 0 {
		return nil
	}
	steps := s.tailChain(mm, callee, caller)
	var out []Frame
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		pc := PC{Addr: st.site.pc + st.m.Bias, Exact: st.site.exact}
		for _, f := range s.Symbolize(mm, pc) {
			f.TailCall = true
			out = append(out, f)
		}
	}
	return out
}

func (s *Symbolizer) tailChain(mm *ModuleMap, callee, caller PC) []tailStep {
	cm := mm.Find(caller.Addr)
	em := mm.Find(callee.Addr)
	if cm == nil || em == nil || cm.IsVDSO() {
		return nil
	}
	if em.IsVDSO() {
		return nil
	}
	cmod, emod := s.cache.moduleFor(cm), s.cache.moduleFor(em)
	if cmod == nil || emod == nil {
		return nil
	}
	site, ok := cmod.callAt(caller.Addr - cm.Bias)
	if !ok {
		return nil
	}
	calleeEntry, ok := emod.funcEntry(callee.LookupAddr() - em.Bias)
	if !ok {
		return nil
	}
	calleeEntry += em.Bias
	target, ok := s.siteTarget(mm, cm, cmod, site)
	if !ok || target == calleeEntry {
		return nil
	}
	srch := chainSearch{s: s, mm: mm, goal: calleeEntry, onPath: map[uint64]bool{}}
	srch.walk(target)
	if srch.found != 1 || srch.ambiguous {
		return nil
	}
	return srch.chain
}

// chainSearch is a depth-first search of tail-call edges from a call's
// target to the callee, counting the chains it finds: only a unique one
// is used.
type chainSearch struct {
	s         *Symbolizer
	mm        *ModuleMap
	goal      uint64
	onPath    map[uint64]bool // functions on the current path: recursion is no chain
	path      []tailStep
	chain     []tailStep
	found     int
	visits    int
	ambiguous bool
}

func (c *chainSearch) walk(fn uint64) {
	c.visits++
	if c.found > 1 || c.ambiguous || c.visits > maxSearch {
		c.ambiguous = c.ambiguous || c.visits > maxSearch
		return
	}
	if len(c.path) >= maxTailChain || c.onPath[fn] {
		return
	}
	m := c.mm.Find(fn)
	if m == nil || m.IsVDSO() {
		return
	}
	mod := c.s.cache.moduleFor(m)
	if mod == nil {
		return
	}
	fs, entry, ok := mod.functionSites(fn - m.Bias)
	if !ok || entry != fn-m.Bias {
		return
	}
	if !fs.complete {
		// A function that does not list all its calls may make a tail
		// call DWARF does not show: another chain could exist.
		c.ambiguous = true
		return
	}
	c.onPath[fn] = true
	defer delete(c.onPath, fn)
	for _, st := range fs.sites {
		if !st.tail {
			continue
		}
		next, ok := c.s.siteTarget(c.mm, m, mod, st)
		if !ok {
			// An indirect or unresolvable tail call could reach the
			// goal too.
			c.ambiguous = true
			return
		}
		c.path = append(c.path, tailStep{m: m, site: st})
		if next == c.goal {
			c.found++
			c.chain = append([]tailStep(nil), c.path...)
		} else {
			c.walk(next)
		}
		c.path = c.path[:len(c.path)-1]
	}
}

// siteTarget is the run-time entry address a call site targets: its
// origin's address in the site's module, or its symbol, looked for first
// in that module (a static function) and then in every module of the map
// (a call through the PLT into a library).
func (s *Symbolizer) siteTarget(mm *ModuleMap, m *Module, mod *module, site callSite) (uint64, bool) {
	if site.entry != 0 {
		return site.entry + m.Bias, true
	}
	if site.name == "" {
		return 0, false
	}
	if a, ok := mod.symbolAddr(site.name); ok {
		return a + m.Bias, true
	}
	for _, other := range mm.Modules() {
		if other == m || other.IsVDSO() {
			continue
		}
		om := s.cache.moduleFor(other)
		if om == nil {
			continue
		}
		if a, ok := om.symbolAddr(site.name); ok {
			return a + other.Bias, true
		}
	}
	return 0, false
}
