package symbolize

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"path"
	"sort"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/line"
)

// dwarfInfo is an object's DWARF, indexed by compile unit. Compile units
// are parsed further (functions, line table) only when a PC lands in them.
type dwarfInfo struct {
	data         *dwarf.Data
	debugLine    []byte
	debugLineStr []byte
	cus          []cuRange // sorted by lo
	syms         symTable  // .symtab of a separate debug file
}

type cuRange struct {
	lo, hi uint64
	cu     *compUnit
}

type compUnit struct {
	offset  dwarf.Offset
	compDir string
	lineOff int64 // -1 without a line table
	lang    int64

	parsed bool
	lines  *line.DebugLineInfo
	funcs  []funcRange // sorted by lo
	trees  map[dwarf.Offset]*godwarf.Tree
	// scopes are the unit's namespaces and types that have children, in
	// DIE order: they qualify the names of the functions declared in
	// them (scopeOf).
	scopes []scope
	names  map[dwarf.Offset]funcName   // by subprogram DIE, filled on use
	sites  map[dwarf.Offset]*funcSites // call sites by subprogram DIE, filled on use
}

// scope is a namespace, class, struct or union DIE: its children lie in
// [lo, hi) of .debug_info.
type scope struct {
	lo, hi dwarf.Offset
	parent int    // index in compUnit.scopes; -1 at the unit's top level
	name   string // qualified: "app::detail::Loader<int>"
}

type funcRange struct {
	lo, hi uint64
	off    dwarf.Offset
	// entry is where calls enter the function: its first range (a
	// function split into hot and cold parts has two).
	entry uint64
}

// loadDWARF indexes the compile units of ef; nil when ef has none.
func loadDWARF(ef *elf.File) *dwarfInfo {
	if ef.Section(".debug_info") == nil && ef.Section(".zdebug_info") == nil {
		return nil
	}
	d, err := ef.DWARF()
	if err != nil {
		return nil
	}
	di := &dwarfInfo{data: d}
	di.debugLine, _ = godwarf.GetDebugSectionElf(ef, "line")
	di.debugLineStr, _ = godwarf.GetDebugSectionElf(ef, "line_str")
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag != dwarf.TagCompileUnit && e.Tag != dwarf.TagPartialUnit {
			r.SkipChildren()
			continue
		}
		cu := &compUnit{offset: e.Offset, lineOff: -1}
		cu.compDir, _ = e.Val(dwarf.AttrCompDir).(string)
		cu.lang, _ = e.Val(dwarf.AttrLanguage).(int64)
		if off, ok := e.Val(dwarf.AttrStmtList).(int64); ok {
			cu.lineOff = off
		}
		rngs, err := d.Ranges(e)
		if err == nil {
			for _, rg := range rngs {
				if rg[1] > rg[0] {
					di.cus = append(di.cus, cuRange{rg[0], rg[1], cu})
				}
			}
		}
		r.SkipChildren()
	}
	sort.Slice(di.cus, func(i, j int) bool { return di.cus[i].lo < di.cus[j].lo })
	return di
}

func (di *dwarfInfo) cuFor(addr uint64) *compUnit {
	i := sort.Search(len(di.cus), func(i int) bool { return di.cus[i].lo > addr }) - 1
	// Ranges rarely nest; a bounded look back keeps lookups O(log n).
	for n := 0; i >= 0 && n < 32; i, n = i-1, n+1 {
		if addr < di.cus[i].hi {
			return di.cus[i].cu
		}
	}
	return nil
}

// parse reads the unit's functions and line table on first use.
func (cu *compUnit) parse(di *dwarfInfo) {
	if cu.parsed {
		return
	}
	cu.parsed = true
	cu.trees = map[dwarf.Offset]*godwarf.Tree{}
	cu.names = map[dwarf.Offset]funcName{}
	cu.sites = map[dwarf.Offset]*funcSites{}
	cu.lines = di.parseLines(cu)
	r := di.data.Reader()
	r.Seek(cu.offset)
	if e, err := r.Next(); err != nil || e == nil || !e.Children {
		return
	}
	// open holds the scopes being read, innermost last; closed those
	// whose end is the offset of the next entry (a null entry has none).
	var open, closed []int
	end := func(off dwarf.Offset) {
		for _, i := range closed {
			cu.scopes[i].hi = off
		}
		closed = closed[:0]
	}
	depth := 1
	for depth > 0 {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			if len(open) > 0 {
				closed = append(closed, open[len(open)-1])
				open = open[:len(open)-1]
			}
			continue
		}
		end(e.Offset)
		switch e.Tag {
		case dwarf.TagSubprogram:
			if rngs, err := di.data.Ranges(e); err == nil {
				for _, rg := range rngs {
					if rg[1] > rg[0] {
						cu.funcs = append(cu.funcs, funcRange{rg[0], rg[1], e.Offset, rngs[0][0]})
					}
				}
			}
			if e.Children {
				r.SkipChildren()
			}
		case dwarf.TagNamespace, dwarf.TagClassType, dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagModule:
			// C++ puts member and namespace function definitions here.
			if e.Children {
				depth++
				open = append(open, cu.addScope(e, open))
			}
		default:
			if e.Children {
				r.SkipChildren()
			}
		}
	}
	// The unit ends where the next one begins.
	unitEnd := dwarf.Offset(^uint32(0))
	if e, err := r.Next(); err == nil && e != nil {
		unitEnd = e.Offset
	}
	closed = append(closed, open...)
	end(unitEnd)
	sort.Slice(cu.funcs, func(i, j int) bool { return cu.funcs[i].lo < cu.funcs[j].lo })
}

// addScope records a scope entry inside the open scopes and returns its
// index. GCC gives an anonymous namespace no name; the demangler calls it
// "(anonymous namespace)". An unnamed type adds nothing to the name.
func (cu *compUnit) addScope(e *dwarf.Entry, open []int) int {
	sc := scope{lo: e.Offset, hi: e.Offset, parent: -1}
	if len(open) > 0 {
		sc.parent = open[len(open)-1]
		sc.name = cu.scopes[sc.parent].name
	}
	n, _ := e.Val(dwarf.AttrName).(string)
	if n == "" && e.Tag == dwarf.TagNamespace {
		n = "(anonymous namespace)"
	}
	if n != "" {
		if sc.name != "" {
			sc.name += "::"
		}
		sc.name += n
	}
	cu.scopes = append(cu.scopes, sc)
	return len(cu.scopes) - 1
}

// scopeOf is the qualified name of the innermost scope holding the DIE at
// off, "" at the unit's top level or outside the unit. The last scope
// starting before off holds it, or one of that scope's parents does:
// scopes nest.
func (cu *compUnit) scopeOf(off dwarf.Offset) string {
	i := sort.Search(len(cu.scopes), func(i int) bool { return cu.scopes[i].lo >= off }) - 1
	for n := 0; i >= 0 && n < maxScopeDepth; i, n = cu.scopes[i].parent, n+1 {
		if off < cu.scopes[i].hi {
			return cu.scopes[i].name
		}
	}
	return ""
}

// maxScopeDepth bounds the walk up nested scopes.
const maxScopeDepth = 64

// parseLines parses the unit's line program. A corrupt program (a
// DW_FORM_line_strp offset past .debug_line_str, say) panics inside Delve;
// the unit then has functions but no lines.
func (di *dwarfInfo) parseLines(cu *compUnit) (lines *line.DebugLineInfo) {
	if cu.lineOff < 0 || cu.lineOff >= int64(len(di.debugLine)) || !lineHeaderSane(di.debugLine[cu.lineOff:]) {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			lines = nil
		}
	}()
	return line.Parse(cu.compDir, bytes.NewBuffer(di.debugLine[cu.lineOff:]), di.debugLineStr, nil, 0, false, 8)
}

// funcFor returns the innermost subprogram range holding addr.
func (cu *compUnit) funcFor(addr uint64) (funcRange, bool) {
	i := sort.Search(len(cu.funcs), func(i int) bool { return cu.funcs[i].lo > addr }) - 1
	for n := 0; i >= 0 && n < 32; i, n = i-1, n+1 {
		if addr < cu.funcs[i].hi {
			return cu.funcs[i], true
		}
	}
	return funcRange{}, false
}

// fileName resolves a DW_AT_call_file index: 1-based before DWARF 5,
// 0-based from it on.
func (cu *compUnit) fileName(idx int64) string {
	if cu.lines == nil {
		return ""
	}
	if cu.lines.Prologue.Version < 5 {
		idx--
	}
	if idx < 0 || idx >= int64(len(cu.lines.FileNames)) {
		return ""
	}
	return cu.absPath(cu.lines.FileNames[idx].Path)
}

// absPath joins relative names with the compilation directory so that
// Frame.File is absolute, as the user's editor needs. A relative comp_dir
// (Debian's reproducible builds record "./csu") cannot make it absolute:
// the name stays as DWARF records it.
func (cu *compUnit) absPath(p string) string {
	if p == "" || path.IsAbs(p) || !path.IsAbs(cu.compDir) {
		return p
	}
	return path.Join(cu.compDir, p)
}
