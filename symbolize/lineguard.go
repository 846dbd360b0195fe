package symbolize

import (
	"bytes"
	"encoding/binary"

	"github.com/go-delve/delve/pkg/dwarf/leb128"
)

// lineHeaderSane rejects line-program headers on which Delve's parser
// would loop for as long as a corrupt count says (a DWARF 5 directory
// table with entries but no entry format) or allocate without bound (it
// sizes the directory and file tables from their counts before reading
// them). A count can never exceed the bytes left in the unit, since every
// entry takes at least one byte.
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
	buf := bytes.NewBuffer(unit[p:])
	// The directory table, then the file-name table (DWARF 5, 6.2.4 items
	// 14-20): a format, a count, and that many entries in the format.
	dirForms, ok := entryForms(buf)
	if !ok {
		return false
	}
	dirs, _ := leb128.DecodeUnsigned(buf)
	if dirs > uint64(buf.Len()) || (len(dirForms) == 0 && dirs > 0) {
		return false
	}
	for range dirs {
		for _, form := range dirForms {
			if !skipForm(buf, form) {
				return false
			}
		}
	}
	fileForms, ok := entryForms(buf)
	if !ok {
		return false
	}
	files, _ := leb128.DecodeUnsigned(buf)
	return files <= uint64(buf.Len()) && (len(fileForms) > 0 || files == 0)
}

// entryForms reads an entry format: a count, then (content type, form)
// pairs; it keeps the forms.
func entryForms(buf *bytes.Buffer) ([]uint64, bool) {
	n, err := buf.ReadByte()
	if err != nil {
		return nil, false
	}
	forms := make([]uint64, 0, n)
	for range n {
		leb128.DecodeUnsigned(buf)
		form, _ := leb128.DecodeUnsigned(buf)
		forms = append(forms, form)
	}
	return forms, buf.Len() > 0
}

// skipForm skips one attribute value of the forms line tables use (DWARF 5,
// 7.5.6); an unknown form makes the header unusable.
func skipForm(buf *bytes.Buffer, form uint64) bool {
	var size int
	switch form {
	case 0x08: // DW_FORM_string
		_, err := buf.ReadBytes(0)
		return err == nil
	case 0x0f: // DW_FORM_udata
		leb128.DecodeUnsigned(buf)
		return true
	case 0x09: // DW_FORM_block
		n, _ := leb128.DecodeUnsigned(buf)
		if n > uint64(buf.Len()) {
			return false
		}
		buf.Next(int(n))
		return true
	case 0x0b: // DW_FORM_data1
		size = 1
	case 0x05: // DW_FORM_data2
		size = 2
	case 0x06, 0x0e, 0x1f: // DW_FORM_data4, DW_FORM_strp, DW_FORM_line_strp (32-bit DWARF)
		size = 4
	case 0x07: // DW_FORM_data8
		size = 8
	case 0x1e: // DW_FORM_data16
		size = 16
	default:
		return false
	}
	if buf.Len() < size {
		return false
	}
	buf.Next(size)
	return true
}
