package main

import (
	"debug/elf"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// Stripped programs name what their entry code tells: _start, and main,
// whose address _start hands to the C library's start-up.

// stackFunctions lists the functions of a group's example stack in the
// module path.
func stackFunctions(g report.Group, module string) []string {
	var out []string
	for _, f := range g.Example.Stack {
		if f.Module == module {
			out = append(out, f.Function)
		}
	}
	return out
}

func TestStrippedNamesMainAndStart(t *testing.T) {
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Fatal(err)
	}
	cat, _ = filepath.EvalSymlinks(cat)
	stripped := victims.C(t, "stacks/chain", victims.Stripped)
	for _, prog := range []string{cat, stripped} {
		t.Run(filepath.Base(prog), func(t *testing.T) {
			r := captrace(t, "--enter=main", prog, "/etc/hostname")
			if len(r.report.Groups) == 0 {
				t.Fatalf("no violations\n%s", r.stderr)
			}
			for _, g := range r.report.Groups {
				fns := stackFunctions(g, prog)
				if !slices.Contains(fns, "main") || len(fns) == 0 || fns[len(fns)-1] != "_start" {
					t.Errorf("%s at %s: program frames %v, want main and _start last", g.Syscall, g.Site.Function, fns)
				}
			}
		})
	}
}

// TestStrippedStaticSites: in a stripped static program every frame is
// the program's module; the C library's code (linked after the program's
// objects, from __libc_start_main on) is passed through, so each site is
// the enclosing function of the program's own code that called open.
func TestStrippedStaticSites(t *testing.T) {
	full := victims.Build(t, "chain-static", func(out string) error {
		return victims.Run("gcc", "-O2", "-g", "-static", "-o", out, victims.Source("stacks/chain.c"))
	})
	prog := filepath.Join(t.TempDir(), "chain-static")
	if err := victims.Run("strip", "-o", prog, full); err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	f.Close()
	var level4 uint64
	for _, s := range syms {
		if s.Name == "level4" {
			level4 = s.Value
		}
	}
	r := captrace(t, "--enter=main", prog)
	if len(r.report.Groups) != 2 {
		t.Fatalf("%d groups, want level4's two calls of open\n%s", len(r.report.Groups), r.stderr)
	}
	want := fmt.Sprintf("chain-static+0x%x", level4)
	seen := map[string]bool{}
	for _, g := range r.report.Groups {
		if g.Site.Function != want || g.Site.Address == "" {
			t.Errorf("site %s (%s), want %s, level4", g.Site.Function, g.Site.Address, want)
		}
		seen[g.Site.Address] = true
		fns := stackFunctions(g, prog)
		if !slices.Contains(fns, "main") || fns[len(fns)-1] != "_start" {
			t.Errorf("frames %v: want main and _start named", fns)
		}
	}
	if len(seen) != 2 {
		t.Errorf("the two calls must be two addresses: %v", seen)
	}
}
