package symbolize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymbolizerMemoBounded feeds more distinct PCs than the memo holds.
func TestSymbolizerMemoBounded(t *testing.T) {
	path := victim(t, "gostack-stripped")
	mm, bias := staticMap(t, path)
	s := NewSymbolizer(NewCache(nil))
	s.maxMemo = 100
	lo, hi := symbolRange(t, victim(t, "gostack"), "main.main")
	for a := lo; a < hi && a < lo+250; a++ {
		s.Symbolize(mm, PC{Addr: a + bias, Exact: true})
		if n := len(s.memo); n > s.maxMemo {
			t.Fatalf("memo holds %d PCs, limit %d", n, s.maxMemo)
		}
	}
	if hi-lo < 150 {
		t.Fatalf("main.main is %d bytes: too few PCs to overflow the memo", hi-lo)
	}
	// A memo emptied by the limit still answers correctly.
	f := s.Symbolize(mm, PC{Addr: lo + bias, Exact: true})
	if f[len(f)-1].Function != "main.main" {
		t.Errorf("got %+v, want main.main", f)
	}
}

// TestModuleFilesClosed checks that symbolizing, including the lazy
// loads of DWARF, a separate debug file and .gopclntab, leaves no file
// of the victims open.
func TestModuleFilesClosed(t *testing.T) {
	tests := []struct {
		victim, symbolFrom, symbol string
	}{
		{"chain-O2", "chain-O2", "level2"},
		{"debuglink/chain", "chain-O2", "level2"},
		{"gostack", "gostack", "main.worker"},
		{"gostack-stripped", "gostack", "main.worker"},
	}
	for _, tc := range tests {
		mm, bias := staticMap(t, victim(t, tc.victim))
		addr := symbolAddr(t, victim(t, tc.symbolFrom), tc.symbol)
		f := NewSymbolizer(NewCache(nil)).Symbolize(mm, PC{Addr: addr + bias + 1, Exact: true})
		if f[0].Line == 0 {
			t.Errorf("%s: no line: %+v", tc.victim, f)
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, victimDir+"/") {
			t.Errorf("fd %s still open on %s", fd.Name(), target)
		}
	}
}
