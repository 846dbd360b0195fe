package main

import (
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/symbolize"
)

// Stacks through the real tracer: for each victim of testdata/victims/stacks
// (markers "LINE:<name>"), the program's own frames of each group's example
// stack, from the call site to main, must be exactly the expected ones.

// frameWant is one expected frame: function, source file (base name) and
// the marker of its line.
type frameWant struct{ function, file, marker string }

// programFrames keeps the frames that are not system code (libc, the
// loader, the Go runtime and standard library), as "function file:line",
// up to main: what runs before it (_start) is the C runtime's.
func programFrames(g report.Group) []string {
	var out []string
	for _, f := range g.Example.Stack {
		if report.IsSystemFrame(symbolize.Frame{Module: f.Module, Function: f.Function, File: f.File}) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
		if f.Function == "main" {
			break
		}
	}
	return out
}

func wantFrames(t *testing.T, frames []frameWant) []string {
	var out []string
	for _, f := range frames {
		marker := f.marker
		if !strings.Contains(marker, ":") {
			marker = "LINE:" + marker
		}
		out = append(out, fmt.Sprintf("%s %s:%d", f.function, filepath.Base(f.file), victims.Line(t, f.file, marker)))
	}
	return out
}

// checkStacks asserts that each wanted stack is the program-frame list of
// exactly one group, and that there are no other groups.
func checkStacks(t *testing.T, r runResult, stacks ...[]frameWant) {
	t.Helper()
	var got []string
	for _, g := range r.report.Groups {
		got = append(got, strings.Join(programFrames(g), " <- "))
	}
	for _, s := range stacks {
		want := strings.Join(wantFrames(t, s), " <- ")
		found := false
		for i, g := range got {
			if g == want {
				got = append(got[:i], got[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no group with stack\n  %s\ngroups:\n  %s\nstderr:\n%s", want, strings.Join(got, "\n  "), r.stderr)
		}
	}
	for _, g := range got {
		t.Errorf("unexpected group with stack %s", g)
	}
}

func chainStacks() [][]frameWant {
	const c = "stacks/chain.c"
	tail := []frameWant{{"level3", c, "level3_call"}, {"level2", c, "level2_call"}, {"level1", c, "level1_call"}, {"main", c, "main_call"}}
	direct := append([]frameWant{{"level4", c, "level4_open"}}, tail...)
	// Inlined twice: each inlined function is a frame with its own line.
	inlined := append([]frameWant{{"inner_open", c, "inner_open"}, {"twice_open", c, "twice_call"}, {"level4", c, "level4_twice"}}, tail...)
	return [][]frameWant{direct, inlined}
}

func TestStacksOptimizedC(t *testing.T) {
	for _, v := range []victims.Variant{victims.O0, victims.O2} {
		t.Run(string(v), func(t *testing.T) {
			r := captrace(t, "--enter=main", victims.C(t, "stacks/chain", v))
			checkStacks(t, r, chainStacks()...)
		})
	}
}

func TestStacksSharedLibrary(t *testing.T) {
	dir := filepath.Dir(victims.C(t, "stacks/chain", victims.O0))
	lib := victims.Build(t, "libstack", func(out string) error {
		return victims.Run("gcc", "-O2", "-g", "-fPIC", "-shared", "-o", out, victims.Source("stacks/lib.c"))
	})
	libDir := filepath.Join(dir, "libstack-dir")
	os.MkdirAll(libDir, 0o755)
	link := filepath.Join(libDir, "libstack.so")
	os.Remove(link)
	if err := os.Symlink(lib, link); err != nil {
		t.Fatal(err)
	}
	prog := victims.Build(t, "uselib", func(out string) error {
		// -O0: via_link and via_dlopen end in tail calls at -O2.
		return victims.Run("gcc", "-O0", "-g", "-o", out, victims.Source("stacks/uselib.c"), "-L"+libDir, "-lstack", "-Wl,-rpath,"+libDir, "-ldl")
	})
	const l, u = "stacks/lib.c", "stacks/uselib.c"
	t.Run("linked", func(t *testing.T) {
		r := captrace(t, "--enter=main", prog)
		checkStacks(t, r, []frameWant{{"lib_inner", l, "lib_open"}, {"lib_open", l, "lib_call"}, {"via_link", u, "via_link"}, {"main", u, "main_link"}})
	})
	t.Run("dlopen", func(t *testing.T) {
		r := captrace(t, "--enter=main", prog, "dlopen", lib)
		// dlopen itself reads the library by path: a violation sited at
		// via_dlopen's dlopen call, before the library's own.
		r.report.Groups = withoutSyscallAt(r.report.Groups, "via_dlopen", "openat")
		checkStacks(t, r, []frameWant{{"lib_inner", l, "lib_open"}, {"lib_open", l, "lib_call"}, {"via_dlopen", u, "via_dlopen"}, {"main", u, "main_dlopen"}})
	})
}

// withoutSyscallAt drops the groups of syscall sited in function whose
// path argument is not the marker.
func withoutSyscallAt(groups []report.Group, function, syscall string) []report.Group {
	var out []report.Group
	for _, g := range groups {
		if g.Site.Function == function && g.Syscall == syscall && !strings.Contains(strings.Join(g.Example.Args, " "), "captrace-marker") {
			continue
		}
		out = append(out, g)
	}
	return out
}

func TestStacksSignalHandler(t *testing.T) {
	const s = "stacks/signal.c"
	r := captrace(t, "--enter=main", victims.C(t, "stacks/signal", victims.O0))
	checkStacks(t, r, []frameWant{{"handler_open", s, "handler_open"}, {"on_signal", s, "handler_call"}, {"raise_it", s, "raise_call"}, {"main", s, "main_raise"}})
}

func TestStacksCPlusPlusDemangled(t *testing.T) {
	const w = "stacks/widget.cc"
	prog := victims.Build(t, "widget", func(out string) error {
		return victims.Run("g++", "-O2", "-g", "-o", out, victims.Source(w))
	})
	r := captrace(t, "--enter=main", prog)
	checkStacks(t, r, []frameWant{{"shop::Widget::open_config", w, "cxx_open"}, {"main", w, "cxx_main"}})
}

func TestStacksGo(t *testing.T) {
	const g = "goviolate/main.go"
	for _, flags := range [][]string{nil, {"-ldflags=-s -w"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			r := captrace(t, victims.Go(t, "goviolate", flags...))
			// From a goroutine: the closure, then runtime.goexit (system).
			checkStacks(t, r, []frameWant{{"main.readConfig", g, "SITE:go_open"}, {"main.main.func1", g, "LINE:go_func"}})
		})
	}
}

// TestStrippedAndSplitDebug: a stripped binary's sites are module+0xoff of
// the enclosing function and still group per call; with its debug info
// split off and found by .gnu_debuglink or by build-id under --debug-dir,
// the full names and lines come back.
func TestStrippedAndSplitDebug(t *testing.T) {
	full, stripped := strippedChain(t)
	t.Run("stripped", func(t *testing.T) {
		r := captrace(t, "--enter=main", stripped)
		if len(r.report.Groups) != 2 {
			t.Fatalf("%d groups, want the 2 call sites\n%s", len(r.report.Groups), r.stderr)
		}
		seen := map[string]bool{}
		for _, g := range r.report.Groups {
			if !strings.HasPrefix(g.Site.Function, "chain+0x") || g.Site.Address == "" || g.Site.Line != 0 {
				t.Errorf("site %+v: want chain+0x<function> with an address and no line", g.Site)
			}
			seen[g.Site.Address] = true
		}
		if len(seen) != 2 {
			t.Errorf("the two calls must have two addresses: %v", seen)
		}
	})
	t.Run("debuglink", func(t *testing.T) {
		d := t.TempDir()
		prog := filepath.Join(d, "chain")
		debug := filepath.Join(d, "chain.debug")
		for _, c := range [][]string{
			{"objcopy", "--only-keep-debug", full, debug},
			{"strip", "--strip-debug", "--strip-unneeded", "-o", prog, full},
			{"objcopy", "--add-gnu-debuglink=" + debug, prog},
		} {
			if err := victims.Run(c[0], c[1:]...); err != nil {
				t.Fatal(err)
			}
		}
		r := captrace(t, "--enter=main", prog)
		checkStacks(t, r, chainStacks()...)
	})
	t.Run("build-id", func(t *testing.T) {
		d := t.TempDir()
		id := buildID(t, full)
		debug := filepath.Join(d, ".build-id", id[:2], id[2:]+".debug")
		os.MkdirAll(filepath.Dir(debug), 0o755)
		if err := victims.Run("objcopy", "--only-keep-debug", full, debug); err != nil {
			t.Fatal(err)
		}
		r := captrace(t, "--enter=main", "--debug-dir="+d, stripped)
		checkStacks(t, r, chainStacks()...)
	})
}

// buildID reads the GNU build-id note of an ELF file.
func buildID(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sec := f.Section(".note.gnu.build-id")
	if sec == nil {
		t.Fatalf("%s has no build-id", path)
	}
	data, err := sec.Data()
	if err != nil || len(data) < 16 {
		t.Fatalf("%s: bad build-id note", path)
	}
	// Elf64_Nhdr: namesz, descsz, type, then "GNU\0" and the id.
	descsz := int(f.ByteOrder.Uint32(data[4:8]))
	return hex.EncodeToString(data[16 : 16+descsz])
}

// strippedChain builds stacks/chain at -O2 with a build-id and a stripped
// copy of it in a directory of the test's own.
func strippedChain(t *testing.T) (full, stripped string) {
	t.Helper()
	full = victims.C(t, "stacks/chain", victims.O2, "-Wl,--build-id")
	stripped = filepath.Join(t.TempDir(), "chain")
	if err := victims.Run("strip", "-o", stripped, full); err != nil {
		t.Fatal(err)
	}
	return full, stripped
}
