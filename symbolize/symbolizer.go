package symbolize

import (
	"fmt"
	"sync"
)

// Symbolizer turns PCs into frames. It is safe for concurrent use and
// remembers every PC it resolved: a process hits the same few call sites
// again and again.
type Symbolizer struct {
	cache *Cache
	mu    sync.RWMutex
	memo  map[memoKey][]Frame
}

type memoKey struct {
	vdso         *Module
	path         string
	inode, mtime uint64
	bias         uint64
	pc           PC
}

// NewSymbolizer returns a Symbolizer reading modules through c.
func NewSymbolizer(c *Cache) *Symbolizer {
	return &Symbolizer{cache: c, memo: map[memoKey][]Frame{}}
}

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
	out := make([]Frame, len(places))
	for i, p := range places {
		out[i] = Frame{PC: pc.Addr, Module: m.Path, Function: p.function, File: p.file, Line: p.line, Inlined: p.inlined}
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
	mod.dwMu.Lock()
	di := mod.dwarf()
	if di != nil {
		out = di.dwarfPlaces(addr)
	}
	mod.dwMu.Unlock()
	if len(out) > 0 {
		return out
	}
	if t := mod.goTable(); t != nil {
		if file, ln, fn := t.PCToLine(addr); fn != nil {
			return []place{{function: fn.Name, file: file, line: ln}}
		}
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

// dwarf loads DWARF on first use, from the object or its separate debug
// file: large, and only needed once a PC lands in this object.
func (mod *module) dwarf() *dwarfInfo {
	mod.dwOnce.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				mod.dw = nil
			}
		}()
		if di := loadDWARF(mod.elf); di != nil {
			mod.dw = di
			return
		}
		if mod.file == nil {
			return
		}
		p := findDebugFile(mod.path, mod.elf, mod.debugDirs)
		if p == "" {
			return
		}
		dbg, err := openELF(p)
		if err != nil {
			return
		}
		di := loadDWARF(dbg)
		if di == nil {
			di = &dwarfInfo{}
		}
		di.syms = loadSymbols(dbg)
		mod.dw = di
	})
	return mod.dw
}
