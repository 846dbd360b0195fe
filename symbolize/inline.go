package symbolize

import (
	"debug/dwarf"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/dwarf/reader"
)

// place is a frame before it is bound to a run-time PC and module.
type place struct {
	function string
	file     string
	line     int
	inlined  bool
}

// dwarfPlaces returns the frames DWARF gives for addr, innermost first:
// each inlined call with its own function, then the real function. The
// line of an inlined frame's caller is the DW_AT_call_file/call_line of
// the inlined subroutine, not the line table's, which names the callee.
func (di *dwarfInfo) dwarfPlaces(addr uint64) []place {
	cu := di.cuFor(addr)
	if cu == nil {
		return nil
	}
	cu.parse(di)
	fr, ok := cu.funcFor(addr)
	if !ok {
		return nil
	}
	tree := cu.trees[fr.off]
	if tree == nil {
		t, err := godwarf.LoadTree(fr.off, di.data, 0)
		if err != nil {
			return nil
		}
		tree = t
		cu.trees[fr.off] = t
	}
	var file string
	var ln int
	if cu.lines != nil {
		file, ln = cu.lines.PCToLine(fr.lo, addr)
		file = cu.absPath(file)
	}
	stack := reader.InlineStack(tree, addr)
	out := make([]place, 0, len(stack)+1)
	for _, n := range stack {
		out = append(out, place{function: entryName(n.Entry), file: file, line: ln, inlined: true})
		cf, _ := n.Val(dwarf.AttrCallFile).(int64)
		cl, _ := n.Val(dwarf.AttrCallLine).(int64)
		file, ln = cu.fileName(cf), int(cl)
	}
	return append(out, place{function: entryName(tree.Entry), file: file, line: ln})
}

// entryName prefers the linkage name, demangled, because DW_AT_name of a
// C++ method lacks its class and namespace.
func entryName(e godwarf.Entry) string {
	if ln, ok := e.Val(dwarf.AttrLinkageName).(string); ok && ln != "" {
		if d := demangleName(ln); d != ln {
			return d
		}
	}
	if n, ok := e.Val(dwarf.AttrName).(string); ok && n != "" {
		return n
	}
	if ln, ok := e.Val(dwarf.AttrLinkageName).(string); ok {
		return ln
	}
	return ""
}
