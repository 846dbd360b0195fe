package symbolize

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// The inline trees of a Go binary are addressed from go:func.*, whose
// address only the runtime's moduledata records once the symbol table
// is stripped. moduledata (runtime/symtab.go) lives in .go.module since
// Go 1.26, in .noptrdata before (in .data.rel.ro of a PIE), and begins with a pointer to .gopclntab followed by slices into it; in Go
// 1.20 and later its word 22 is text, word 40 gofunc and word 41
// epclntab, the end of .gopclntab.
const (
	mdWords       = 42
	mdFuncnametab = 1
	mdPctab       = 10
	mdText        = 22
	mdGofunc      = 40
	mdEpclntab    = 41
)

type moduleData struct {
	text, gofunc uint64
}

// findModuleData scans the writable data sections for the moduledata
// that describes the .gopclntab at pclnAddr, and accepts a candidate
// only when its slices and end pointer agree with the table's header: an
// 8-byte value equal to pclnAddr alone is found in unrelated data too.
func findModuleData(ef *elf.File, pclnAddr uint64, pcln []byte) (moduleData, bool) {
	if len(pcln) < 8+8*8 {
		return moduleData{}, false
	}
	hdr := func(i int) uint64 { return binary.LittleEndian.Uint64(pcln[8+8*i:]) }
	wantNames, wantPctab := pclnAddr+hdr(3), pclnAddr+hdr(6)
	wantEnd := pclnAddr + uint64(len(pcln))
	var key [8]byte
	binary.LittleEndian.PutUint64(key[:], pclnAddr)
	for _, sec := range moduleDataSections(ef) {
		data, err := sec.Data()
		if err != nil {
			continue
		}
		for off := 0; off+mdWords*8 <= len(data); {
			i := bytes.Index(data[off:], key[:])
			if i < 0 {
				break
			}
			off += i
			if off%8 == 0 && off+mdWords*8 <= len(data) {
				w := func(i int) uint64 { return binary.LittleEndian.Uint64(data[off+8*i:]) }
				if w(mdFuncnametab) == wantNames && w(mdPctab) == wantPctab && w(mdEpclntab) == wantEnd {
					return moduleData{text: w(mdText), gofunc: w(mdGofunc)}, true
				}
			}
			off++
		}
	}
	return moduleData{}, false
}

// moduleDataSections lists the sections that may hold moduledata, the
// likely ones first: its section has moved between Go releases.
func moduleDataSections(ef *elf.File) []*elf.Section {
	var first, rest []*elf.Section
	for _, sec := range ef.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_ALLOC == 0 || sec.Flags&elf.SHF_WRITE == 0 {
			continue
		}
		switch sec.Name {
		case ".go.module", ".noptrdata", ".data.rel.ro":
			first = append(first, sec)
		default:
			rest = append(rest, sec)
		}
	}
	return append(first, rest...)
}

// readAt copies the contents of the allocated section holding addr, from
// addr to the section's end.
func readAt(ef *elf.File, addr uint64) []byte {
	for _, sec := range ef.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_ALLOC == 0 || addr < sec.Addr || addr-sec.Addr >= sec.Size {
			continue
		}
		data, err := sec.Data()
		if err != nil || addr-sec.Addr >= uint64(len(data)) {
			return nil
		}
		return bytes.Clone(data[addr-sec.Addr:])
	}
	return nil
}
