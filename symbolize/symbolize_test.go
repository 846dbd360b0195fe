package symbolize

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymbolizeKnownFunctions resolves the entry of functions found with
// the ELF symbol table, in every build of the chain victim.
func TestSymbolizeKnownFunctions(t *testing.T) {
	chainFile := filepath.Join(victimSrc, "chain.c")
	tests := []struct {
		victim   string
		debugDir bool
		symbol   string
		wantFunc string
		wantFile string
	}{
		{"chain-O0", false, "level3", "level3", chainFile},
		{"chain-O2", false, "level3", "level3", chainFile},
		{"chain-O2", false, "main", "main", chainFile},
		{"debuglink/chain", false, "level2", "level2", chainFile},
		{"buildid/chain", true, "level1", "level1", chainFile},
		{"widget", false, "_ZN4shop6Widget11open_configEPKc", "shop::Widget::open_config", filepath.Join(victimSrc, "widget.cc")},
		{"gostack", false, "main.worker", "main.worker", filepath.Join(victimSrc, "gostack/main.go")},
		{"libstack.so", false, "lib_open", "lib_open", filepath.Join(victimSrc, "lib.c")},
	}
	for _, tc := range tests {
		t.Run(tc.victim+"/"+tc.symbol, func(t *testing.T) {
			path := victim(t, tc.victim)
			var dirs []string
			if tc.debugDir {
				dirs = []string{filepath.Join(victimDir, "debugroot")}
			}
			// Take the symbol from the unstripped build: the stripped ones
			// have none, which is the point.
			symSrc := path
			if strings.Contains(tc.victim, "/") {
				symSrc = victim(t, "chain-O2")
			}
			addr := symbolAddr(t, symSrc, tc.symbol)
			mm, bias := staticMap(t, path)
			frames := NewSymbolizer(NewCache(dirs)).Symbolize(mm, PC{Addr: addr + bias + 1, Exact: true})
			last := frames[len(frames)-1]
			if last.Function != tc.wantFunc || last.File != tc.wantFile || last.Line == 0 || last.Module != path {
				t.Errorf("got %+v, want function %s in %s", frames, tc.wantFunc, tc.wantFile)
			}
		})
	}
}

// TestSymbolizeStripped checks the names left when nothing but CFI
// remains: module+0xoff of the enclosing function, one name per function.
func TestSymbolizeStripped(t *testing.T) {
	path := victim(t, "chain-stripped")
	addr := symbolAddr(t, victim(t, "chain-O2"), "level3")
	mm, bias := staticMap(t, path)
	s := NewSymbolizer(NewCache(nil))
	a := s.Symbolize(mm, PC{Addr: bias + addr + 1, Exact: true})
	b := s.Symbolize(mm, PC{Addr: bias + addr + 5, Exact: true})
	want := fmt.Sprintf("chain-stripped+0x%x", addr)
	if a[0].Function != want || b[0].Function != want {
		t.Errorf("got %q and %q, want %q for both", a[0].Function, b[0].Function, want)
	}
	if a[0].File != "" || a[0].Line != 0 {
		t.Errorf("stripped code has no lines, got %+v", a[0])
	}
}

// TestSymbolizeGoStripped resolves Go names through .gopclntab alone.
func TestSymbolizeGoStripped(t *testing.T) {
	path := victim(t, "gostack-stripped")
	addr := symbolAddr(t, victim(t, "gostack"), "main.worker")
	mm, bias := staticMap(t, path)
	f := NewSymbolizer(NewCache(nil)).Symbolize(mm, PC{Addr: bias + addr + 1, Exact: true})
	if f[0].Function != "main.worker" || !strings.HasSuffix(f[0].File, "gostack/main.go") {
		t.Errorf("got %+v, want main.worker in gostack/main.go", f)
	}
}
