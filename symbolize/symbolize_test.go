package symbolize

import (
	"debug/elf"
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

// TestSymbolizeGoInlinedStripped resolves every PC of gostack's main
// package through .gopclntab's inline trees alone (-s -w) and expects
// what DWARF's inlined subroutines give, in particular os.Open inlined
// into main.readConfig: the callee at its own line, then the caller at
// the line of the call.
func TestSymbolizeGoInlinedStripped(t *testing.T) {
	withDWARF, stripped := victim(t, "gostack"), victim(t, "gostack-stripped")
	mmD, bias := staticMap(t, withDWARF)
	mmS, _ := staticMap(t, stripped)
	sD, sS := NewSymbolizer(NewCache(nil)), NewSymbolizer(NewCache(nil))
	src := filepath.Join(victimSrc, "gostack/main.go")
	sawOpen := false
	for _, fn := range []string{"main.readConfig", "main.worker", "main.main", "main.main.gowrap1"} {
		lo, hi := symbolRange(t, withDWARF, fn)
		for a := lo; a < hi; a++ {
			pc := PC{Addr: a + bias, Exact: true}
			d, s := sD.Symbolize(mmD, pc), sS.Symbolize(mmS, pc)
			if frameList(d) != frameList(s) {
				t.Fatalf("%s at %#x:\nwith DWARF:%s\nstripped:%s", fn, a, frameList(d), frameList(s))
			}
			if len(s) == 2 && s[0].Function == "os.Open" && s[0].Inlined && strings.HasSuffix(s[0].File, "/os/file.go") &&
				s[1].Function == "main.readConfig" && !s[1].Inlined && s[1].File == src && s[1].Line == marker(t, "gostack/main.go", "go_open") {
				sawOpen = true
			}
		}
	}
	if !sawOpen {
		t.Error("no PC gave os.Open inlined into main.readConfig at go_open")
	}
}

// TestSymbolizeGoNoInlineTree covers a .gopclntab whose moduledata was
// not found: at an inlined PC the physical function keeps its own file,
// never the callee's.
func TestSymbolizeGoNoInlineTree(t *testing.T) {
	path := victim(t, "gostack-stripped")
	mod, err := openModule(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mod.loadGoTables()
	if mod.gotab == nil || mod.gotab.inlTrees == nil {
		t.Fatal("no inline trees in a Go 1.20+ binary")
	}
	mod.gotab.inlTrees = nil
	lo, hi := symbolRange(t, victim(t, "gostack"), "main.readConfig")
	src := filepath.Join(victimSrc, "gostack/main.go")
	inlined := 0
	for a := lo; a < hi; a++ {
		f, _ := mod.gotab.funcAt(a)
		if mod.gotab.inlineIndex(f, a) >= 0 {
			inlined++
		}
		p := mod.gotab.places(a)
		if len(p) != 1 || p[0].function != "main.readConfig" || p[0].file != src || p[0].inlined {
			t.Fatalf("at %#x got %+v, want main.readConfig in %s", a, p, src)
		}
	}
	if inlined == 0 {
		t.Error("main.readConfig has no inlined code")
	}
}

func frameList(fs []Frame) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s:%d %v;", f.Function, f.File, f.Line, f.Inlined)
	}
	return b.String()
}

// symbolRange returns a function's link-time address range from the ELF
// symbol table of path.
func symbolRange(t testing.TB, path, name string) (lo, hi uint64) {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, _ := ef.Symbols()
	for _, s := range syms {
		if s.Name == name {
			return s.Value, s.Value + s.Size
		}
	}
	t.Fatalf("%s: no symbol %s", path, name)
	return 0, 0
}
