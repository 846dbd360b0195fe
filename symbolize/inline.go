package symbolize

import (
	"debug/dwarf"
	"strings"

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
// symbolName names, from the ELF symbols, the function starting at lo
// and covering addr ("" for none).
func (di *dwarfInfo) dwarfPlaces(addr uint64, symbolName func(lo, addr uint64) string) []place {
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
		out = append(out, place{function: di.funcName(cu, n).name, file: file, line: ln, inlined: true})
		cf, _ := n.Val(dwarf.AttrCallFile).(int64)
		cl, _ := n.Val(dwarf.AttrCallLine).(int64)
		file, ln = cu.fileName(cf), int(cl)
	}
	name := di.funcName(cu, tree)
	if !name.linked && isCXX(cu.lang) {
		// GCC leaves some instances, member function templates among
		// them, without a linkage name. The symbol is the mangled name:
		// demangled, it is what a build without DWARF reports.
		if s := symbolName(fr.lo, addr); s != "" && baseName(s) == baseName(name.name) {
			name.name = s
		}
	}
	return append(out, place{function: name.name, file: file, line: ln})
}

// funcName is a subprogram's name as reports show it.
type funcName struct {
	name   string
	linked bool // from DW_AT_linkage_name, demangled
}

// maxOriginChain bounds a walk along DW_AT_abstract_origin and
// DW_AT_specification links, which corrupt DWARF may make cyclic.
const maxOriginChain = 8

// funcName names the subprogram or inlined subroutine n. The linkage
// name, demangled, is preferred, from n or from what it refers to
// through DW_AT_abstract_origin and DW_AT_specification (godwarf merges
// those into n.Entry), because DW_AT_name of a C++ method lacks its class
// and namespace. Without one, DW_AT_name is qualified with the scopes
// that hold the end of that chain: the declaration, inside its class.
func (di *dwarfInfo) funcName(cu *compUnit, n *godwarf.Tree) funcName {
	if fn, ok := cu.names[n.Offset]; ok {
		return fn
	}
	var fn funcName
	if ln, ok := n.Val(dwarf.AttrLinkageName).(string); ok && ln != "" {
		if d := demangleName(ln); d != ln {
			fn = funcName{name: d, linked: true}
		}
	}
	if fn.name == "" {
		name, _ := n.Val(dwarf.AttrName).(string)
		if name == "" {
			name, _ = n.Val(dwarf.AttrLinkageName).(string)
		} else if sc := cu.scopeOf(di.declaration(n.Offset)); sc != "" {
			name = sc + "::" + name
		}
		fn.name = name
	}
	cu.names[n.Offset] = fn
	return fn
}

// declaration follows DW_AT_abstract_origin and DW_AT_specification from
// the DIE at off to the DIE that refers no further, whose parents are the
// function's class and namespaces.
func (di *dwarfInfo) declaration(off dwarf.Offset) dwarf.Offset {
	r := di.data.Reader()
	for range maxOriginChain {
		r.Seek(off)
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		next, ok := referredDIE(e)
		if !ok || next == off {
			break
		}
		off = next
	}
	return off
}

// referredDIE is the DIE e stands for: its DW_AT_abstract_origin (an
// inlined or out-of-line instance), else its DW_AT_specification (a
// definition of a declaration).
func referredDIE(e *dwarf.Entry) (dwarf.Offset, bool) {
	if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
		return off, true
	}
	off, ok := e.Val(dwarf.AttrSpecification).(dwarf.Offset)
	return off, ok
}

// isCXX reports whether a DW_AT_language is a C++ dialect.
func isCXX(lang int64) bool {
	switch lang {
	case 0x04, 0x19, 0x1a, 0x21: // DW_LANG_C_plus_plus, _03, _11, _14
		return true
	case 0x2a, 0x2b: // DWARF 6: DW_LANG_C_plus_plus_17, _20
		return true
	}
	return false
}

// baseName is a C++ function's name without its scopes and template
// arguments ("load" in both "Loader<int>::load<F>" and "load<F >"), to
// check that a symbol and a DWARF entry name the same function.
func baseName(s string) string {
	// Drop the trailing template argument list: DWARF and the
	// demangler spell its contents differently.
	if strings.HasSuffix(s, ">") {
		depth := 0
		for i := len(s) - 1; i >= 0; i-- {
			switch s[i] {
			case '>':
				depth++
			case '<':
				depth--
			}
			if depth == 0 {
				s = strings.TrimRight(s[:i], " ")
				break
			}
		}
	}
	// The last "::" outside brackets.
	depth := 0
	for i := len(s) - 1; i > 0; i-- {
		switch s[i] {
		case '>', ')', '}':
			depth++
		case '<', '(', '{':
			depth--
		case ':':
			if depth == 0 && s[i-1] == ':' {
				return s[i+1:]
			}
		}
	}
	return s
}
