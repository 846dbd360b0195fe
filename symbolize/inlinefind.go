package symbolize

import (
	"debug/dwarf"
	"debug/elf"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// dwarfInlinedFunctions finds the copies of the function name that the
// compiler inlined, from ef's DWARF: a static inline C function, or a C++
// method defined in its class, may have no out-of-line copy at -O2 at
// all, yet reports name it (an inlined frame, dwarfPlaces). Each
// DW_TAG_inlined_subroutine whose origin is named name is one copy; it
// begins at its DW_AT_entry_pc, else at its first range, as gdb's
// BLOCK_ENTRY_PC takes it (gdb/block.h).
func dwarfInlinedFunctions(ef *elf.File, name string, add func(uint64, string)) {
	di := loadDWARF(ef)
	if di == nil {
		return
	}
	byOffset := map[dwarf.Offset]*compUnit{}
	for _, c := range di.cus {
		byOffset[c.cu.offset] = c.cu
	}
	// Cheap first test on DW_AT_name, before names are qualified: the
	// last component of what the user wrote, without a parameter list.
	base := name
	if i := strings.IndexByte(base, '('); i > 0 {
		base = base[:i]
	}
	base = baseName(strings.TrimSpace(base))
	var cu *compUnit
	originNames := map[dwarf.Offset]string{} // DW_AT_name along the origin chain
	r := di.data.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return
		}
		switch e.Tag {
		case dwarf.TagCompileUnit, dwarf.TagPartialUnit:
			cu = byOffset[e.Offset]
			if cu == nil { // no code: nothing inlined into it
				r.SkipChildren()
			}
			continue
		case dwarf.TagInlinedSubroutine:
		default:
			continue
		}
		origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok || cu == nil {
			continue
		}
		short, seen := originNames[origin]
		if !seen {
			short = di.plainName(origin)
			originNames[origin] = short
		}
		if short != base && !strings.HasPrefix(short, "_Z") {
			continue
		}
		if !di.inlinedIs(cu, e.Offset, name) {
			continue
		}
		if at, ok := inlinedEntry(di.data, e); ok {
			add(at, name)
		}
	}
}

// plainName is DW_AT_name (else the linkage name) at the end of the
// DW_AT_abstract_origin / DW_AT_specification chain from off.
func (di *dwarfInfo) plainName(off dwarf.Offset) string {
	r := di.data.Reader()
	r.Seek(di.declaration(off))
	e, err := r.Next()
	if err != nil || e == nil {
		return ""
	}
	if n, ok := e.Val(dwarf.AttrName).(string); ok && n != "" {
		return n
	}
	n, _ := e.Val(dwarf.AttrLinkageName).(string)
	return n
}

// inlinedIs reports whether the inlined subroutine at off is a copy of
// the function a user called name: by the name reports print for it, or
// by its linkage name as FunctionMatches takes one (a signature, the
// mangled symbol).
func (di *dwarfInfo) inlinedIs(cu *compUnit, off dwarf.Offset, name string) bool {
	cu.parse(di) // the unit's scopes qualify C++ names
	n, err := godwarf.LoadTree(off, di.data, 0)
	if err != nil {
		return false
	}
	if di.funcName(cu, n).name == strings.TrimSpace(name) {
		return true
	}
	ln, _ := n.Val(dwarf.AttrLinkageName).(string)
	return ln != "" && FunctionMatches(ln, name)
}

// inlinedEntry is where an inlined copy begins. DW_AT_entry_pc is an
// address, or (DWARF 5, section 2.18) an offset from the copy's first
// address.
func inlinedEntry(d *dwarf.Data, e *dwarf.Entry) (uint64, bool) {
	if a, ok := e.Val(dwarf.AttrEntrypc).(uint64); ok && a != 0 {
		return a, true
	}
	rngs, err := d.Ranges(e)
	if err != nil || len(rngs) == 0 || rngs[0][1] <= rngs[0][0] {
		return 0, false
	}
	if off, ok := e.Val(dwarf.AttrEntrypc).(int64); ok && off >= 0 {
		return rngs[0][0] + uint64(off), true
	}
	return rngs[0][0], true
}
