package symbolize

import (
	"encoding/binary"
	"errors"
	"testing"
)

// wordMemory is a sparse memory of 8-byte words.
type wordMemory map[uint64]uint64

func (m wordMemory) ReadMemory(addr uint64, p []byte) error {
	for i := 0; i < len(p); i += 8 {
		v, ok := m[addr+uint64(i)]
		if !ok || len(p)-i < 8 {
			return errors.New("unmapped")
		}
		binary.LittleEndian.PutUint64(p[i:], v)
	}
	return nil
}

// TestCgoStep reads what runtime.asmcgocall left on the system stack
// (depth at SP, g at SP+8) and crosses to the goroutine's stack only
// when it describes a switch.
func TestCgoStep(t *testing.T) {
	const (
		sysSP = 0x7ffc_0000_1000 // the system stack at asmcgocall's frame
		g     = 0xc000_0010_00   // the goroutine
		lo    = 0xc000_1000_00   // its stack
		hi    = lo + 0x2000
		goSP  = hi - 0x190 // asmcgocall's SP on it
		ra    = 0x478835   // into runtime.cgocall
		bp    = goSP + 0x40
	)
	switched := wordMemory{sysSP: hi - goSP, sysSP + 8: g, g: lo, g + 8: hi, goSP: bp, goSP + 8: ra}
	unframed := wordMemory{sysSP: hi - goSP, sysSP + 8: g, g: lo, g + 8: hi, goSP: ra}
	with := func(m wordMemory, addr, v uint64) wordMemory {
		n := wordMemory{}
		for k, x := range m {
			n[k] = x
		}
		n[addr] = v
		return n
	}
	tests := []struct {
		name     string
		mem      wordMemory
		sp       uint64
		framed   bool
		ok       bool
		rip, rsp uint64
	}{
		{"framed asmcgocall returns above the saved BP", switched, sysSP, true, true, ra, goSP + 16},
		{"frameless asmcgocall returns at the saved SP", unframed, sysSP, false, true, ra, goSP + 8},
		{"on the system stack already g is 0 and SP is saved", wordMemory{sysSP: sysSP + 24, sysSP + 8: 0, sysSP + 24: ra}, sysSP, false, true, ra, sysSP + 32},
		{"a saved SP far from the slots is not asmcgocall's", wordMemory{sysSP: sysSP + 4096, sysSP + 8: 0}, sysSP, false, false, 0, 0},
		{"depth deeper than the goroutine's stack", with(switched, sysSP, 0x4000), sysSP, true, false, 0, 0},
		{"g whose stack bounds are reversed", with(switched, g, hi+8), sysSP, true, false, 0, 0},
		{"no switch: SP is on the goroutine's stack", with(with(switched, goSP-16, hi-goSP), goSP-8, g), goSP - 16, true, false, 0, 0},
		{"unreadable g", with(switched, sysSP+8, 0xdead0000), sysSP, true, false, 0, 0},
		{"misaligned depth", with(switched, sysSP, hi-goSP+4), sysSP, true, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &Unwinder{}
			u.stack.reset(tt.mem)
			var cur Regs
			cur[RegRSP], cur[RegRBP] = tt.sp, goSP
			next, ok := u.cgoStep(&cur, tt.framed)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && (next[RegRIP] != tt.rip || next[RegRSP] != tt.rsp) {
				t.Errorf("rip %#x rsp %#x, want %#x %#x", next[RegRIP], next[RegRSP], tt.rip, tt.rsp)
			}
			if ok && tt.framed && next[RegRBP] != bp {
				t.Errorf("rbp %#x, want the saved %#x", next[RegRBP], uint64(bp))
			}
		})
	}
}
