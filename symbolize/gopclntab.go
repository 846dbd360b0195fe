package symbolize

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Go's .gopclntab is the runtime's own symbol table, kept even when a
// binary is built with -ldflags=-s -w. The Go 1.20+ layout (magic
// 0xfffffff1, runtime/symtab.go and internal/abi/symtab.go) starts with a
// header: magic uint32, two pad bytes, the instruction quantum, the
// pointer size, then pointer-sized nfunc, nfiles, an unused word, and the
// offsets, from the header, of funcnametab, cutab, filetab, pctab and the
// function table. The function table holds nfunc+1 pairs {entry offset
// from the start of text, offset of the function's _func record from the
// table}; the last entry offset is the end of text. A _func record
// (44 bytes) names the function, points at its pc-value tables in pctab
// (pcsp: SP delta, pcfile, pcln) and ends with npcdata uint32 offsets of
// further pc-value tables (index 2: the inline tree index) and nfuncdata
// uint32 offsets from go:func.* (moduledata.gofunc) of data blobs (index
// 3: the inline tree, an array of 16-byte inlinedCall records {funcID
// uint8, 3 pad bytes, nameOff int32, parentPc int32, startLine int32}).
//
// A pc-value table is a sequence of (value delta, pc delta) varint pairs,
// the value delta zig-zag encoded, starting from value -1 at the function
// entry; a zero value delta after the first pair ends it.
//
// goTable reads that layout directly because debug/gosym ignores the
// inline tree: it reports the inlined callee's file and line under the
// outer function's name.

// go120Magic is the pclntab magic of Go 1.20 and later.
const go120Magic = 0xfffffff1

const (
	funcRecordSize     = 44 // _func up to and including nfuncdata
	pcdataInlTreeIndex = 2
	funcdataInlTree    = 3
	inlinedCallSize    = 16
	// maxInlineDepth bounds a walk up an inline tree whose parentPc links
	// a corrupt table may have made cyclic.
	maxInlineDepth = 256
)

// goTable is a parsed Go 1.20+ .gopclntab.
type goTable struct {
	quantum     uint64
	nfunc       int
	textStart   uint64 // link-time address that function entry offsets count from
	funcnametab []byte
	cutab       []byte
	filetab     []byte
	pctab       []byte
	functab     []byte // function table followed by the _func records

	// inlTrees is the go:func.* data from moduledata.gofunc on: inline
	// tree offsets count from its start. nil when moduledata was not
	// found; inlined frames then cannot be named.
	inlTrees []byte
}

// goFunc is one function of the table.
type goFunc struct {
	entry, end uint64 // link-time addresses
	rec        []byte // the _func record, its pcdata and funcdata
	npcdata    uint32
	nfuncdata  uint32
}

// goPCLnTabError reports a malformed .gopclntab.
type goPCLnTabError struct {
	off uint64
	msg string
}

func (e *goPCLnTabError) Error() string {
	return fmt.Sprintf("symbolize: .gopclntab at offset %#x: %s", e.off, e.msg)
}

// parseGoTable reads the header of a Go 1.20+ table. textStart is the
// link-time address of runtime.text (moduledata.text, or the .text
// section when moduledata is unknown).
func parseGoTable(data []byte, textStart uint64) (*goTable, error) {
	if len(data) < 8+8*8 {
		return nil, &goPCLnTabError{0, "short header"}
	}
	if binary.LittleEndian.Uint32(data) != go120Magic || data[4] != 0 || data[5] != 0 {
		return nil, &goPCLnTabError{0, "not a Go 1.20+ little-endian table"}
	}
	if data[7] != 8 {
		return nil, &goPCLnTabError{7, fmt.Sprintf("pointer size %d, want 8", data[7])}
	}
	word := func(i int) uint64 { return binary.LittleEndian.Uint64(data[8+8*i:]) }
	nfunc := word(0)
	if nfunc > uint64(len(data))/8 {
		return nil, &goPCLnTabError{8, fmt.Sprintf("%d functions in %d bytes", nfunc, len(data))}
	}
	t := &goTable{quantum: uint64(max(data[6], 1)), nfunc: int(nfunc), textStart: textStart}
	slices := []*[]byte{&t.funcnametab, &t.cutab, &t.filetab, &t.pctab, &t.functab}
	for i, s := range slices {
		off := word(3 + i)
		if off > uint64(len(data)) {
			return nil, &goPCLnTabError{uint64(8 + 8*(3+i)), fmt.Sprintf("table offset %#x past the end", off)}
		}
		*s = data[off:]
	}
	// Each table ends where the next begins; the function table runs to
	// the end of the section.
	for i := 0; i+1 < len(slices); i++ {
		a, b := word(3+i), word(4+i)
		if b >= a {
			*slices[i] = data[a:b]
		}
	}
	if uint64(len(t.functab)) < (nfunc+1)*8 {
		return nil, &goPCLnTabError{word(7), "function table shorter than nfunc"}
	}
	return t, nil
}

func (t *goTable) entryOff(i int) uint32 { return binary.LittleEndian.Uint32(t.functab[8*i:]) }

// funcAt finds the function holding the link-time address addr.
func (t *goTable) funcAt(addr uint64) (goFunc, bool) {
	if t.nfunc == 0 || addr < t.textStart || addr-t.textStart >= 1<<32 {
		return goFunc{}, false
	}
	off := uint32(addr - t.textStart)
	// The first entry after off, then one back.
	lo, hi := 0, t.nfunc
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.entryOff(m) <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1
	if i < 0 || off >= t.entryOff(i+1) {
		return goFunc{}, false
	}
	return t.funcByIndex(i)
}

func (t *goTable) funcByIndex(i int) (goFunc, bool) {
	recOff := uint64(binary.LittleEndian.Uint32(t.functab[8*i+4:]))
	if recOff+funcRecordSize > uint64(len(t.functab)) {
		return goFunc{}, false
	}
	rec := t.functab[recOff:]
	f := goFunc{
		entry:     t.textStart + uint64(t.entryOff(i)),
		end:       t.textStart + uint64(t.entryOff(i+1)),
		npcdata:   binary.LittleEndian.Uint32(rec[28:]),
		nfuncdata: uint32(rec[43]),
	}
	n := funcRecordSize + 4*(uint64(f.npcdata)+uint64(f.nfuncdata))
	if n > uint64(len(rec)) || binary.LittleEndian.Uint32(rec) != t.entryOff(i) {
		return goFunc{}, false
	}
	f.rec = rec[:n]
	return f, true
}

func (f goFunc) field(off int) uint32 { return binary.LittleEndian.Uint32(f.rec[off:]) }

func (f goFunc) pcdata(i uint32) uint32 {
	if i >= f.npcdata {
		return 0
	}
	return f.field(funcRecordSize + 4*int(i))
}

// funcdata returns the offset from go:func.* of data blob i.
func (f goFunc) funcdata(i uint32) (uint32, bool) {
	if i >= f.nfuncdata {
		return 0, false
	}
	off := f.field(funcRecordSize + 4*int(f.npcdata+i))
	return off, off != ^uint32(0)
}

// pcvalue decodes the pc-value table at off for addr; ok is false when
// the function has no such table or it does not cover addr.
func (t *goTable) pcvalue(off uint32, f goFunc, addr uint64) (val int32, ok bool) {
	if off == 0 || uint64(off) >= uint64(len(t.pctab)) {
		return -1, false
	}
	p := t.pctab[off:]
	pc, val := f.entry, int32(-1)
	for len(p) > 0 {
		uv, n := readVarint(p)
		if n == 0 || (uv == 0 && pc != f.entry) {
			break
		}
		val += int32(-(uv & 1) ^ (uv >> 1))
		p = p[n:]
		pcDelta, n := readVarint(p)
		if n == 0 {
			break
		}
		p = p[n:]
		pc += uint64(pcDelta) * t.quantum
		if addr < pc {
			return val, true
		}
	}
	return -1, false
}

// readVarint reads the runtime's 32-bit unsigned LEB128; n is 0 when p
// ends inside it.
func readVarint(p []byte) (v uint32, n int) {
	var shift uint32
	for i, b := range p {
		v |= uint32(b&0x7f) << (shift & 31)
		if b&0x80 == 0 {
			return v, i + 1
		}
		shift += 7
	}
	return 0, 0
}

// cstring returns the NUL-terminated string at off of tab.
func cstring(tab []byte, off uint64) string {
	if off >= uint64(len(tab)) {
		return ""
	}
	s := tab[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}

func (t *goTable) funcName(nameOff int32) string {
	if nameOff < 0 {
		return ""
	}
	return cstring(t.funcnametab, uint64(nameOff))
}

func (t *goTable) name(f goFunc) string { return t.funcName(int32(f.field(4))) }

// fileLine is the source position of addr in f: of the innermost inlined
// function when addr is in inlined code.
func (t *goTable) fileLine(f goFunc, addr uint64) (string, int) {
	fileno, ok1 := t.pcvalue(f.field(20), f, addr)
	line, ok2 := t.pcvalue(f.field(24), f, addr)
	if !ok1 || !ok2 || fileno < 0 {
		return "", 0
	}
	i := uint64(f.field(32)) + uint64(fileno)
	if (i+1)*4 > uint64(len(t.cutab)) {
		return "", 0
	}
	off := binary.LittleEndian.Uint32(t.cutab[4*i:])
	if off == ^uint32(0) {
		return "", 0
	}
	return cstring(t.filetab, uint64(off)), int(line)
}

// inlineIndex is the inline tree index at addr, -1 outside inlined code.
func (t *goTable) inlineIndex(f goFunc, addr uint64) int32 {
	v, ok := t.pcvalue(f.pcdata(pcdataInlTreeIndex), f, addr)
	if !ok {
		return -1
	}
	return v
}

// inlinedCall is one record of an inline tree.
type inlinedCall struct {
	nameOff  int32
	parentPC int32 // offset from the function entry of the call site
}

func (t *goTable) inlinedCall(f goFunc, idx int32) (inlinedCall, bool) {
	tree, ok := f.funcdata(funcdataInlTree)
	if !ok || t.inlTrees == nil || idx < 0 {
		return inlinedCall{}, false
	}
	off := uint64(tree) + uint64(idx)*inlinedCallSize
	if off+inlinedCallSize > uint64(len(t.inlTrees)) {
		return inlinedCall{}, false
	}
	rec := t.inlTrees[off:]
	return inlinedCall{
		nameOff:  int32(binary.LittleEndian.Uint32(rec[4:])),
		parentPC: int32(binary.LittleEndian.Uint32(rec[8:])),
	}, true
}

// places returns the frames at addr, innermost first, as DWARF's inlined
// subroutines would: each inlined function with the position inside it,
// then each caller with the line of its call.
func (t *goTable) places(addr uint64) []place {
	f, ok := t.funcAt(addr)
	if !ok {
		return nil
	}
	outer := t.name(f)
	file, line := t.fileLine(f, addr)
	idx := t.inlineIndex(f, addr)
	if idx < 0 {
		return []place{{function: outer, file: file, line: line}}
	}
	var out []place
	for depth := 0; idx >= 0; depth++ {
		call, ok := t.inlinedCall(f, idx)
		name := t.funcName(call.nameOff)
		pc := f.entry + uint64(call.parentPC)
		if !ok || name == "" || depth == maxInlineDepth || call.parentPC < 0 || pc >= f.end {
			return []place{t.outerOnly(f, addr, outer)}
		}
		out = append(out, place{function: name, file: file, line: line, inlined: true})
		file, line = t.fileLine(f, pc)
		idx = t.inlineIndex(f, pc)
	}
	return append(out, place{function: outer, file: file, line: line})
}

// outerOnly names the physical function at an inlined addr when the
// inline tree cannot be read. The line tables give the inlined callee's
// file and line there, which must not appear under the caller's name:
// the caller's line is taken from the nearest instruction before addr
// that is not inlined (the compiler's inline mark at the call site), and
// dropped if that is in another file than the function's entry.
func (t *goTable) outerOnly(f goFunc, addr uint64, name string) place {
	p := place{function: name}
	entryFile, _ := t.fileLine(f, f.entry)
	off := f.pcdata(pcdataInlTreeIndex)
	if off == 0 || uint64(off) >= uint64(len(t.pctab)) {
		p.file = entryFile
		return p
	}
	// Walk the inline index table for the last outermost range before addr.
	tab := t.pctab[off:]
	pc, val, last := f.entry, int32(-1), uint64(0)
	found := false
	for len(tab) > 0 {
		uv, n := readVarint(tab)
		if n == 0 || (uv == 0 && pc != f.entry) {
			break
		}
		val += int32(-(uv & 1) ^ (uv >> 1))
		tab = tab[n:]
		d, n := readVarint(tab)
		if n == 0 {
			break
		}
		tab = tab[n:]
		next := pc + uint64(d)*t.quantum
		if val < 0 && next > pc && pc <= addr {
			last, found = min(next-1, addr), true
		}
		if next > addr {
			break
		}
		pc = next
	}
	p.file = entryFile
	if found {
		if file, line := t.fileLine(f, last); file == entryFile {
			p.line = line
		}
	}
	return p
}

// spDelta is how far SP is below the function's entry SP at addr, from
// the pcsp table: the caller's frame starts at SP+spDelta+8.
func (t *goTable) spDelta(addr uint64) (int64, bool) {
	f, ok := t.funcAt(addr)
	if !ok {
		return 0, false
	}
	v, ok := t.pcvalue(f.field(16), f, addr)
	if !ok || v < 0 || v&7 != 0 {
		return 0, false
	}
	return int64(v), true
}

// goFuncRange is one function found by name in the table.
type goFuncRange struct {
	addrRange
	name string
	asm  bool // written in assembly (abi.FuncFlagAsm), not an ABI wrapper
}

// funcFlagAsm is abi.FuncFlagAsm, bit 2 of _func.flag (byte 41).
const funcFlagAsm = 1 << 2

// funcRanges returns the ranges of the functions whose names are keys of
// names, in one pass over the table. A name may come back more than once:
// .gopclntab names an assembly function and its ABI wrapper alike.
func (t *goTable) funcRanges(names map[string]bool) []goFuncRange {
	var out []goFuncRange
	for i := 0; i < t.nfunc; i++ {
		f, ok := t.funcByIndex(i)
		if !ok {
			continue
		}
		off := uint64(f.field(4))
		if off >= uint64(len(t.funcnametab)) {
			continue
		}
		s := t.funcnametab[off:]
		if j := bytes.IndexByte(s, 0); j >= 0 {
			s = s[:j]
		}
		if names[string(s)] {
			out = append(out, goFuncRange{addrRange{f.entry, f.end}, string(s), f.rec[41]&funcFlagAsm != 0})
		}
	}
	return out
}
