package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// --enter takes the names reports print, and finds them wherever the
// program's names are: its symbols, its debug file, .gopclntab.

func TestEnterCPlusPlusNames(t *testing.T) {
	const e = "stacks/enter.cc"
	prog := victims.Build(t, "enter-cxx", func(out string) error {
		return victims.Run("g++", "-O2", "-g", "-o", out, victims.Source(e))
	})
	method := wantGroup{"openat", "ECAPMODE", "ns::Cls::method", e, "cxx_method", 1}
	workerInt := wantGroup{"openat", "ECAPMODE", "worker", e, "cxx_worker_int", 1}
	workerLong := wantGroup{"openat", "ECAPMODE", "worker", e, "cxx_worker_long", 1}
	for _, c := range []struct {
		enter string
		want  []wantGroup
	}{
		{"worker(int)", []wantGroup{workerInt, method}},
		{"_Z6workeri", []wantGroup{workerInt, method}},
		{"ns::Cls::method", []wantGroup{method}},
		{"ns::Cls::method(char const*)", []wantGroup{method}},
		// Both overloads: the first reached, worker(long), begins it.
		{"worker", []wantGroup{workerLong, workerInt, method}},
	} {
		t.Run(c.enter, func(t *testing.T) {
			r := captrace(t, "--enter="+c.enter, prog)
			checkGroups(t, r, c.want)
		})
	}
}

func TestEnterGoClosureAndInlined(t *testing.T) {
	const g = "goenter/main.go"
	for _, flags := range [][]string{nil, {"-ldflags=-s -w"}} {
		prog := victims.Go(t, "goenter", flags...)
		for _, enter := range []string{"main.main.func1", "main.openSecret"} {
			t.Run(strings.Join(append(flags, enter), " "), func(t *testing.T) {
				r := captrace(t, "--enter="+enter, prog)
				checkGroups(t, r, []wantGroup{{"openat", "ECAPMODE", "main.openFile", g, "go_secret", 1}})
			})
		}
	}
}

// TestEnterRustPath: a Rust function by its path, under the legacy and
// the v0 symbol manglings.
func TestEnterRustPath(t *testing.T) {
	const r = "rustenter/main.rs"
	for _, mangling := range []string{"legacy", "v0"} {
		t.Run(mangling, func(t *testing.T) {
			prog := victims.Build(t, "rustenter-"+mangling, func(out string) error {
				args := []string{"-g", "-O", "--crate-name", "rustenter", "-o", out, victims.Source(r)}
				if mangling == "v0" { // legacy is the default, and naming it is unstable
					args = append(args, "-C", "symbol-mangling-version=v0")
				}
				return victims.Run("rustc", args...)
			})
			res := captrace(t, "--enter=rustenter::sandbox::enter", prog)
			checkGroups(t, res, []wantGroup{{"openat", "ECAPMODE", "rustenter::sandbox::enter", r, "rust_enter", 1}})
		})
	}
}

// TestEnterThroughDrivers: --enter=level2 waits for the image that has
// the function, whether the program is started directly, by a #! script,
// by sh, or by make.
func TestEnterThroughDrivers(t *testing.T) {
	prog := victims.C(t, "stacks/chain", victims.O0)
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n"+prog+"\n"), 0o755)
	makefile := filepath.Join(dir, "Makefile")
	os.WriteFile(makefile, []byte("all:\n\t"+prog+"\n"), 0o644)
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"direct", []string{prog}},
		{"script", []string{script}},
		{"sh", []string{"sh", script}},
		{"make", []string{"make", "-s", "-f", makefile}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := captrace(t, append([]string{"--enter=level2"}, c.argv...)...)
			checkStacks(t, r, chainStacks()...)
			if r.report.Enter != "level2" {
				t.Errorf("report enter %q", r.report.Enter)
			}
		})
	}
	t.Run("never", func(t *testing.T) {
		r := captrace(t, "--enter=no_such_function", prog)
		if len(r.report.Groups) != 0 || !strings.Contains(r.stderr, "never reached") {
			t.Errorf("an enter point no image has: %d groups, stderr:\n%s", len(r.report.Groups), r.stderr)
		}
	})
}

// TestEnterStrippedWithDebugFile: a stripped program's function is found
// in its debug file, wherever symbolization finds it.
func TestEnterStrippedWithDebugFile(t *testing.T) {
	full, stripped := strippedChain(t)
	dir := filepath.Dir(stripped)
	t.Run("without", func(t *testing.T) {
		r := captrace(t, "--enter=level2", stripped)
		if len(r.report.Groups) != 0 || !strings.Contains(r.stderr, "never reached") {
			t.Errorf("no debug file, no level2: %d groups\n%s", len(r.report.Groups), r.stderr)
		}
	})
	t.Run("debuglink", func(t *testing.T) {
		d := t.TempDir()
		prog := filepath.Join(d, "chain")
		debug := filepath.Join(d, "chain.debug")
		for _, c := range [][]string{
			{"objcopy", "--only-keep-debug", full, debug},
			{"strip", "-o", prog, full},
			{"objcopy", "--add-gnu-debuglink=" + debug, prog},
		} {
			if err := victims.Run(c[0], c[1:]...); err != nil {
				t.Fatal(err)
			}
		}
		checkStacks(t, captrace(t, "--enter=level2", prog), chainStacks()...)
	})
	t.Run("debug-dir", func(t *testing.T) {
		d := t.TempDir()
		id := buildID(t, full)
		debug := filepath.Join(d, ".build-id", id[:2], id[2:]+".debug")
		os.MkdirAll(filepath.Dir(debug), 0o755)
		if err := victims.Run("objcopy", "--only-keep-debug", full, debug); err != nil {
			t.Fatal(err)
		}
		checkStacks(t, captrace(t, "--enter=level2", "--debug-dir="+d, stripped), chainStacks()...)
	})
	t.Run("debuginfod", func(t *testing.T) {
		served := filepath.Join(dir, "served")
		os.Mkdir(served, 0o755)
		if err := victims.Run("objcopy", "--only-keep-debug", full, filepath.Join(served, "chain.debug")); err != nil {
			t.Fatal(err)
		}
		server := startDebuginfod(t, served, buildID(t, stripped))
		env := []string{"DEBUGINFOD_URLS=" + server.url, "DEBUGINFOD_CACHE_PATH=" + filepath.Join(dir, "cache")}
		checkStacks(t, captraceEnv(t, env, "--enter=level2", stripped), chainStacks()...)
	})
}

// TestEnterInlinedFunction: a C or C++ function that -O2 inlined into its
// only caller has no symbol, yet reports name its inlined frame; --enter
// with that name starts at its inlined copy, and the enter point is
// reached at the line that "calls" it.
func TestEnterInlinedFunction(t *testing.T) {
	const e = "stacks/enter_inline.cc"
	prog := victims.Build(t, "enter-inline", func(out string) error {
		return victims.Run("g++", "-O2", "-g", "-o", out, victims.Source(e))
	})
	plusOne := wantGroup{"openat", "ECAPMODE", "open_plus_one", e, "inl_plus_one", 1}
	load := wantGroup{"openat", "ECAPMODE", "app::Loader::load", e, "inl_load", 1}
	for _, c := range []struct {
		enter, caller string
		want          []wantGroup
	}{
		{"open_plus_one", "inl_call_plus_one", []wantGroup{plusOne, load}},
		{"app::Loader::load", "inl_call_load", []wantGroup{load}},
	} {
		t.Run(c.enter, func(t *testing.T) {
			r := captrace(t, "--enter="+c.enter, prog)
			checkGroups(t, r, c.want)
			line := victims.Line(t, e, "SITE:"+c.caller)
			if got := r.report.EnterReached; got == nil || got.Function != "main" || filepath.Base(got.File) != "enter_inline.cc" || got.Line != line {
				t.Errorf("enter_reached %+v, want main enter_inline.cc:%d", got, line)
			}
		})
	}
}
