package tracer

import (
	"debug/elf"
	"os"
	"slices"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// The raw reader must give exactly what debug/elf's decoded symbols give,
// in the same order (the first definition of a name wins in
// definedFunctions), on real files: libc, whose dynamic symbols are
// versioned, a stripped program, a C victim's .symtab, and this test
// binary (whose .symtab go test may strip).
func TestEachDefinedFunctionMatchesDebugELF(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	victim := victims.C(t, "inject", victims.O2)
	files := []string{self, victim}
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/bin/true"} {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	for _, path := range files {
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		type sym struct {
			name  string
			value uint64
		}
		var raw, decoded []sym
		eachDefinedFunction(f, func(name string, value uint64) { raw = append(raw, sym{name, value}) })
		for _, get := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
			syms, _ := get()
			for _, s := range syms {
				if s.Section != elf.SHN_UNDEF && s.Value != 0 && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
					decoded = append(decoded, sym{s.Name, s.Value})
				}
			}
		}
		f.Close()
		if len(decoded) == 0 && path != "/bin/true" && path != self {
			t.Errorf("%s: no functions decoded", path)
		}
		if path == victim && !slices.ContainsFunc(raw, func(s sym) bool { return s.name == "main" }) {
			t.Errorf("%s: no main among its functions", path)
		}
		if !slices.Equal(raw, decoded) {
			t.Errorf("%s: raw reader gives %d functions, debug/elf %d, or in another order", path, len(raw), len(decoded))
		}
	}
}

func TestDefinedFunctionsFindsLibcStart(t *testing.T) {
	f, err := elf.Open("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		t.Skip("no glibc here:", err)
	}
	defer f.Close()
	got := definedFunctions(f, []string{"__libc_start_main", "no_such_function_here"})
	if len(got) != 1 || got["__libc_start_main"] == 0 {
		t.Fatalf("definedFunctions = %v, want __libc_start_main only", got)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == "__libc_start_main" && s.Section != elf.SHN_UNDEF && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			if got["__libc_start_main"] != s.Value {
				t.Fatalf("__libc_start_main at %#x, debug/elf's first definition at %#x", got["__libc_start_main"], s.Value)
			}
			return
		}
	}
	t.Fatal("debug/elf finds no __libc_start_main")
}
