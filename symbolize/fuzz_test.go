package symbolize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/go-delve/delve/pkg/dwarf/line"
)

// The readers meet whatever a traced program maps: corrupt input must
// give errors or nothing, never a panic or a hang. Seeds live in
// testdata/fuzz, so plain go test runs them. FuzzModule's seeds are whole
// ELF files: the engine minimizes each new interesting input for up to
// -fuzzminimizetime (60s by default), counting no executions meanwhile;
// -fuzzminimizetime=2s keeps the progress line moving.

func FuzzModule(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(10 * time.Second)()
		mod, err := newModule(bytes.NewReader(data), "fuzz", nil)
		if err != nil {
			return
		}
		// A bounded sample: each execution must stay cheap, or minimizing
		// a large interesting input (up to -fuzzminimizetime) shows up as
		// minutes without progress.
		for _, fde := range mod.cfi.fdes[:min(len(mod.cfi.fdes), 64)] {
			compileRow(fde, fde.Begin())
			mod.places(fde.Begin(), "fuzz")
		}
		for _, s := range mod.syms.syms[:min(len(mod.syms.syms), 64)] {
			mod.places(s.addr, "fuzz")
		}
		mod.places(0x1000, "fuzz")
		mod.goSPDelta(0x1000)
	})
}

// FuzzGoPCLnTab feeds .gopclntab bytes, which also serve as the inline
// trees, to the reader.
func FuzzGoPCLnTab(f *testing.F) {
	f.Add(minimalGoPCLnTab())
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(10 * time.Second)()
		tab, err := parseGoTable(data, 0x1000)
		if err != nil {
			return
		}
		tab.inlTrees = data
		for i := range min(tab.nfunc, 64) {
			f, ok := tab.funcByIndex(i)
			if !ok {
				continue
			}
			for _, a := range []uint64{f.entry, f.entry + 1, f.end - 1} {
				tab.places(a)
				tab.spDelta(a)
			}
		}
		tab.funcRanges(map[string]bool{"runtime.goexit": true})
	})
}

// minimalGoPCLnTab is a Go 1.20+ table of one function, "f" at 0x1000
// (16 bytes), whose pc-value tables are all one pair (value 0).
func minimalGoPCLnTab() []byte {
	le := binary.LittleEndian
	b := make([]byte, 8+8*8)
	le.PutUint32(b, go120Magic)
	b[6], b[7] = 1, 8
	le.PutUint64(b[8:], 1) // nfunc
	le.PutUint64(b[16:], 1)
	off := func(i int) { le.PutUint64(b[8+8*i:], uint64(len(b))) }
	off(3) // funcnametab
	b = append(b, "f\x00"...)
	off(4) // cutab
	b = le.AppendUint32(b, 0)
	off(5) // filetab
	b = append(b, "f.go\x00"...)
	off(6) // pctab
	b = append(b, 0, 2, 16, 0)
	off(7) // function table, then the _func record
	b = le.AppendUint32(le.AppendUint32(b, 0), 16)
	b = le.AppendUint32(le.AppendUint32(b, 16), 0)
	rec := make([]byte, funcRecordSize)
	le.PutUint32(rec[4:], 0)  // nameOff
	le.PutUint32(rec[16:], 1) // pcsp
	le.PutUint32(rec[20:], 1) // pcfile
	le.PutUint32(rec[24:], 1) // pcln
	return append(b, rec...)
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

// watchdog turns a hang into a crash: the fuzzing coordinator then saves
// the input and prints every goroutine's stack, instead of counting no
// executions for ever. Call the result when the input is done.
func watchdog(d time.Duration) (stop func()) {
	t := time.AfterFunc(d, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("input still running after %v", d))
	})
	return func() { t.Stop() }
}

// zeroMemory reads as zeros: CFI rules then run against a blank stack.
type zeroMemory struct{}

func (zeroMemory) ReadMemory(addr uint64, p []byte) error {
	clear(p)
	return nil
}
