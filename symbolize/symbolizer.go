package symbolize

import (
	"debug/elf"
	"encoding/hex"
	"fmt"
	"sync"
)

// Symbolizer turns PCs into frames. It is safe for concurrent use and
// remembers the PCs it resolved: a process hits the same few call sites
// again and again. The memo holds at most maxMemo PCs; a stream of new
// ones (JIT code, a long trace of many programs) empties it rather than
// growing the tracer without limit.
type Symbolizer struct {
	cache   *Cache
	mu      sync.RWMutex
	memo    map[memoKey][]Frame
	maxMemo int
	roots   sourceRoots
}

// maxMemo bounds a Symbolizer's memo: ~10 MB of frames at most.
const maxMemo = 1 << 16

type memoKey struct {
	vdso         *Module
	path         string
	inode, mtime uint64
	bias         uint64
	pc           PC
}

// NewSymbolizer returns a Symbolizer reading modules through c.
func NewSymbolizer(c *Cache) *Symbolizer {
	return &Symbolizer{cache: c, memo: map[memoKey][]Frame{}, maxMemo: maxMemo}
}

// IsSiteIn reports whether --site-in made the module at path the
// program's own code (Cache.SiteIn).
func (s *Symbolizer) IsSiteIn(path string) bool { return s.cache.IsSiteIn(path) }

// Symbolize returns the frames at pc, innermost first (several when pc is
// inside inlined code). The result is shared: callers must not modify it.
func (s *Symbolizer) Symbolize(mm *ModuleMap, pc PC) []Frame {
	m := mm.Find(pc.Addr)
	if m == nil {
		return []Frame{{PC: pc.Addr, Function: fmt.Sprintf("0x%x", pc.Addr)}}
	}
	key := memoKey{path: m.Path, inode: m.Inode, mtime: uint64(m.Mtime), bias: m.Bias, pc: pc}
	if m.IsVDSO() {
		// The vDSO's image belongs to one map, not to a file.
		key.vdso = m
	}
	s.mu.RLock()
	f, ok := s.memo[key]
	s.mu.RUnlock()
	if ok {
		return f
	}
	f = s.resolve(m, pc)
	s.mu.Lock()
	if len(s.memo) >= s.maxMemo {
		clear(s.memo)
	}
	s.memo[key] = f
	s.mu.Unlock()
	return f
}

func (s *Symbolizer) resolve(m *Module, pc PC) []Frame {
	addr := pc.LookupAddr() - m.Bias
	var places []place
	mod := s.cache.moduleFor(m)
	if mod != nil {
		places = mod.places(addr, m.Name())
	}
	if len(places) == 0 {
		places = []place{{function: fmt.Sprintf("%s+0x%x", m.Name(), addr)}}
	}
	static := mod != nil && mod.static && !m.IsVDSO()
	// The C library linked into a static program is passed through like
	// a shared one, even stripped (startcode.go).
	linkedLibC := mod != nil && mod.isLinkedLibC(addr)
	// --site-in: a library the user ports counts as the program's own.
	siteIn := mod != nil && mod.siteIn
	out := make([]Frame, len(places))
	for i, p := range places {
		f := Frame{PC: pc.Addr, Module: m.Path, Function: p.function, File: p.file, Line: p.line, Inlined: p.inlined, Static: static}
		f.System = (IsSystemFrame(f) && !siteIn) || linkedLibC
		f.MaybeLibC = mod != nil && mod.libcUnlocated && p.line == 0
		f.SourceRoot = s.roots.of(f.File)
		out[i] = f
	}
	return out
}

// places resolves a link-time address: DWARF, then .gopclntab, then ELF
// symbols, then the enclosing FDE, so that even stripped code gets a name
// that is the same for every PC of one function.
func (mod *module) places(addr uint64, modName string) (out []place) {
	defer func() {
		if p := recover(); p != nil {
			out = nil
		}
	}()
	di := mod.dwarf()
	out = mod.dwarfPlaces(di, addr)
	if len(out) > 0 {
		return out
	}
	if out = mod.goPlaces(addr); len(out) > 0 {
		return out
	}
	tables := []*symTable{&mod.syms}
	if di != nil {
		tables = []*symTable{&di.syms, &mod.syms}
	}
	var guess symbol
	var haveGuess bool
	for _, t := range tables {
		s, covers, ok := t.lookup(addr)
		if ok && covers {
			return []place{{function: demangleName(s.name)}}
		}
		if ok && (!haveGuess || s.addr > guess.addr) {
			guess, haveGuess = s, true
		}
	}
	fde := mod.cfi.fdeFor(addr)
	if haveGuess && (fde == nil || fde.Begin() <= guess.addr) {
		return []place{{function: fmt.Sprintf("%s+0x%x", demangleName(guess.name), addr-guess.addr)}}
	}
	if fde != nil {
		return []place{{function: fmt.Sprintf("%s+0x%x", modName, fde.Begin())}}
	}
	return nil
}

// dwarfPlaces looks addr up in di under dwMu. The lock is released by a
// deferred call: a panic inside Delve, recovered by places, once left it
// held and the next lookup in the module blocked for ever.
func (mod *module) dwarfPlaces(di *dwarfInfo, addr uint64) []place {
	if di == nil {
		return nil
	}
	mod.dwMu.Lock()
	defer mod.dwMu.Unlock()
	return di.dwarfPlaces(addr, func(lo, addr uint64) string {
		for _, t := range []*symTable{&di.syms, &mod.syms} {
			if s, covers, ok := t.lookup(addr); ok && covers && s.addr == lo {
				return demangleName(s.name)
			}
		}
		return ""
	})
}

// fetchDebugFile asks debuginfod for the object's debug file by its
// build-id; "" when there is no fetcher, no build-id, or no file.
func (mod *module) fetchDebugFile(ef *elf.File) string {
	if mod.fetcher == nil {
		return ""
	}
	id := buildID(ef)
	if len(id) == 0 {
		return ""
	}
	p, err := mod.fetcher.DebugInfo(hex.EncodeToString(id))
	if err != nil {
		return ""
	}
	return p
}

// dwarf loads DWARF on first use, from the object or its separate debug
// file: large, and only needed once a PC lands in this object. System
// libraries get only their debug file's symbol table (IsSystemModule).
func (mod *module) dwarf() *dwarfInfo {
	mod.dwOnce.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				mod.dw = nil
			}
		}()
		system := IsSystemModule(mod.path) && !mod.siteIn
		mod.withELF(func(ef *elf.File) {
			if !system {
				if di := loadDWARF(ef); di != nil {
					mod.dw = di
					return
				}
			}
			if mod.src != nil {
				return
			}
			p := findDebugFile(mod.path, ef, mod.debugDirs)
			if p == "" && !system {
				p = mod.fetchDebugFile(ef)
			}
			if p == "" {
				return
			}
			dbg, err := openELF(p)
			if err != nil {
				return
			}
			defer dbg.Close()
			var di *dwarfInfo
			if !system {
				di = loadDWARF(dbg)
			}
			if di == nil {
				di = &dwarfInfo{}
			}
			di.syms = loadSymbols(dbg)
			mod.dw = di
		})
	})
	return mod.dw
}
