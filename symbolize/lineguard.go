package symbolize

import (
	"encoding/binary"

	"bytes"
	"github.com/go-delve/delve/pkg/dwarf/leb128"
)

// lineHeaderSane rejects line-program headers on which Delve's parser
// would loop for as long as a corrupt count says (a DWARF 5 directory
// table with entries but no entry format) or allocate without bound.
func lineHeaderSane(b []byte) bool {
	if len(b) < 4+2+1+1+4 {
		return false
	}
	unitLen := uint64(binary.LittleEndian.Uint32(b))
	if unitLen >= 0xfffffff0 || unitLen+4 > uint64(len(b)) {
		return false
	}
	unit := b[4 : 4+unitLen]
	version := binary.LittleEndian.Uint16(unit)
	if version < 2 || version > 5 {
		return false
	}
	if version < 5 {
		return true
	}
	// version, address_size, segment_selector_size, header_length,
	// minimum_instruction_length, maximum_operations_per_instruction,
	// default_is_stmt, line_base, line_range, opcode_base.
	const fixed = 2 + 1 + 1 + 4 + 1 + 1 + 1 + 1 + 1 + 1
	if len(unit) < fixed {
		return false
	}
	opcodeBase := int(unit[fixed-1])
	p := fixed + max(opcodeBase-1, 0)
	if p >= len(unit) {
		return false
	}
	formats := int(unit[p])
	buf := bytes.NewBuffer(unit[p+1:])
	for range formats {
		leb128.DecodeUnsigned(buf)
		leb128.DecodeUnsigned(buf)
	}
	dirs, _ := leb128.DecodeUnsigned(buf)
	return (formats > 0 || dirs == 0) && dirs <= uint64(len(unit))
}
