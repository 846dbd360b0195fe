package symbolize

import (
	"bytes"
	"testing"

	"github.com/go-delve/delve/pkg/dwarf/line"
)

// The readers meet whatever a traced program maps: corrupt input must
// give errors or nothing, never a panic or a hang. Seeds live in
// testdata/fuzz, so plain go test runs them.

func FuzzModule(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		mod, err := newModule(bytes.NewReader(data), "fuzz", nil)
		if err != nil {
			return
		}
		for _, fde := range mod.cfi.fdes {
			compileRow(fde, fde.Begin())
			mod.places(fde.Begin(), "fuzz")
		}
		for _, s := range mod.syms.syms {
			mod.places(s.addr, "fuzz")
		}
		mod.places(0x1000, "fuzz")
	})
}

func FuzzCFI(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ehAddr := range []uint64{0, 0x2000} {
			fdes := appendFDEs(nil, data, ehAddr)
			tab := cfiTable{fdes: fdes}
			u := NewUnwinder(NewCache(nil))
			for _, fde := range fdes {
				for _, a := range []uint64{fde.Begin(), fde.End() - 1} {
					if got := tab.fdeFor(a); got == nil {
						continue
					}
					row := compileRow(fde, a)
					if row == nil {
						continue
					}
					var regs Regs
					regs[RegRSP] = 0x7000
					u.stack.reset(zeroMemory{})
					u.step(row, &regs)
				}
			}
		}
	})
}

func FuzzLines(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func() {
			// Delve's line parser panics on some corrupt prologues; the
			// symbolizer recovers around it (module.places).
			_ = recover()
		}()
		di := &dwarfInfo{debugLine: data}
		cu := &compUnit{lineOff: 0, compDir: "/src"}
		if !lineHeaderSane(data) {
			return
		}
		cu.lines = line.Parse(cu.compDir, bytes.NewBuffer(di.debugLine), nil, nil, 0, false, 8)
		if cu.lines != nil {
			cu.lines.PCToLine(0, 0x1000)
			cu.fileName(1)
		}
	})
}

// zeroMemory reads as zeros: CFI rules then run against a blank stack.
type zeroMemory struct{}

func (zeroMemory) ReadMemory(addr uint64, p []byte) error {
	clear(p)
	return nil
}
