package symbolize

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func TestFunctionMatches(t *testing.T) {
	for _, c := range []struct {
		sym, name string
		want      bool
	}{
		{"open", "open", true},
		{"open@GLIBC_2.2.5", "open", true},
		{"parse.constprop.0", "parse", true},
		{"_Z6workeri", "worker(int)", true},
		{"_Z6workeri", "worker", true},
		{"_Z6workeri", "_Z6workeri", true},
		{"_Z6workeri", "worker(long)", false},
		{"_ZN2ns3Cls6methodEv", "ns::Cls::method", true},
		{"_ZN2ns3Cls6methodEv", "ns::Cls::method()", true},
		{"_ZN2ns3Cls6methodEv", "Cls::method", false},
		{"_ZN4shop6Widget11open_configEPKc", "shop::Widget::open_config(char const*)", true},
		{"_ZN4shop6Widget11open_configEPKc", "shop::Widget::open_config(char const *)", true},
		{"_ZN7mycrate6module4func17h0123456789abcdefE", "mycrate::module::func", true},
		{"_RNvNtCs1234_7mycrate6module4func", "mycrate::module::func", true},
		{"main.main.func1", "main.main.func1", true},
		{"main.main.func1", "main.main", false},
	} {
		if got := FunctionMatches(c.sym, c.name); got != c.want {
			t.Errorf("FunctionMatches(%q, %q) = %v, want %v", c.sym, c.name, got, c.want)
		}
	}
}

// TestFindGoInlined: a Go function inlined into a closure is found at
// the inlined copy (the linker dropped the out-of-line one), in a -s -w
// build too,
// through .gopclntab; the closure by the name reports print.
func TestFindGoInlined(t *testing.T) {
	dir := t.TempDir()
	for _, flags := range [][]string{nil, {"-ldflags=-s -w"}} {
		out := filepath.Join(dir, "goenter")
		args := append(append([]string{"build", "-o", out}, flags...), "./testdata/victims/goenter")
		cmd := exec.Command("go", args...)
		cmd.Dir = ".."
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		closure, err := FindFunction(out, "main.main.func1", FunctionLookup{})
		if err != nil || len(closure.Addrs) != 1 {
			t.Fatalf("%v: main.main.func1: %+v %v", flags, closure, err)
		}
		secret, err := FindFunction(out, "main.openSecret", FunctionLookup{})
		if err != nil || len(secret.Addrs) == 0 {
			t.Fatalf("%v: main.openSecret: %+v %v, want the copy inlined into the closure", flags, secret, err)
		}
		// The inlined copy lies inside the closure.
		ef, err := elf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		m := &module{}
		m.loadGo(ef)
		ef.Close()
		fn, ok := m.gotab.funcAt(closure.Addrs[0])
		if !ok || !slices.ContainsFunc(secret.Addrs, func(a uint64) bool { return a > fn.entry && a < fn.end }) {
			t.Errorf("%v: no copy of main.openSecret inside main.main.func1 [%#x, %#x): %#x", flags, fn.entry, fn.end, secret.Addrs)
		}
	}
}
