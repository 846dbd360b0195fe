package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// Tail calls at -O2: functions ending in `return rename(...)`, open, kill
// and connect. Each violation must be sited at the tail-calling function
// and its line, and the program's frames must be exactly those gdb's `bt`
// shows at the syscall (gdb rebuilds tail-call frames from the same DWARF
// call sites, gdb/dwarf2/frame-tailcall.c).

// gdbScript stops at each of the victim's syscalls and prints the stack.
const gdbScript = `set pagination off
set width 0
set print frame-arguments none
set debuginfod enabled off
catch syscall rename openat kill connect
commands
bt
continue
end
run
`

// gdbFrame is "#N  [0xADDR in ]FUNCTION (ARGS) at FILE:LINE".
var gdbFrame = regexp.MustCompile(`^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (\S+):(\d+)$`)

// gdbStacks runs prog under gdb and returns, per syscall, the frames in
// source files under testdata/victims from the innermost to main, as
// programFrames spells them; syscalls of the loader and libc's start-up
// have none and are left out.
func gdbStacks(t *testing.T, prog string) map[string][]string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bt.gdb")
	if err := os.WriteFile(script, []byte(gdbScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gdb", "-batch", "-nx", "-x", script, prog)
	cmd.Env = append(os.Environ(), "DEBUGINFOD_URLS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	stacks := map[string][]string{}
	var syscall string
	var frames []string
	inMain := false
	flush := func() {
		if syscall != "" && len(frames) > 0 {
			stacks[syscall] = frames
		}
		syscall, frames, inMain = "", nil, false
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	victimDir := filepath.Dir(victims.Source("stacks/tailcall.c"))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Catchpoint 1 (call to syscall "); ok {
			flush()
			syscall, _, _ = strings.Cut(rest, ")")
			continue
		}
		if strings.HasPrefix(line, "Catchpoint 1 (returned") {
			flush()
			continue
		}
		m := gdbFrame.FindStringSubmatch(line)
		if m == nil || syscall == "" || inMain || !strings.HasPrefix(m[2], victimDir) {
			continue
		}
		frames = append(frames, fmt.Sprintf("%s %s:%s", m[1], filepath.Base(m[2]), m[3]))
		inMain = m[1] == "main"
	}
	flush()
	return stacks
}

// tailcallWant is the stacks in the victim's source, each with the
// markers of its frames and which of them are tail calls.
var tailcallWant = map[string][]frameWant{
	"rename":  {{"replace_output", "stacks/tailcall.c", "tail_rename"}, {"main", "stacks/tailcall.c", "main_rename"}},
	"openat":  {{"open_config", "stacks/tailcall.c", "tail_open"}, {"fetch_config", "stacks/tailcall.c", "tail_fetch"}, {"main", "stacks/tailcall.c", "main_fetch"}},
	"kill":    {{"poke_parent", "stacks/tailcall.c", "tail_kill"}, {"main", "stacks/tailcall.c", "main_kill"}},
	"connect": {{"dial", "stacks/tailcall.c", "tail_connect"}, {"main", "stacks/tailcall.c", "main_connect"}},
}

func TestTailCallsMatchGDB(t *testing.T) {
	for _, tool := range []string{"gdb", "clang"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (make deps installs it): %v", tool, err)
		}
	}
	src := victims.Source("stacks/tailcall.c")
	cases := []struct {
		name  string
		build func(out string) error
		lib   bool
		// gdbBlind: gdb 13 rebuilds no tail-call frame here, though the
		// DWARF describes them; its real frames are compared instead.
		gdbBlind bool
	}{
		{name: "gcc", build: func(out string) error {
			return victims.Run("gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", out, src)
		}},
		// gdb looks a C++ unit's declaration of an extern "C" callee up
		// by a physname with parameters ("rename(char const*, char
		// const*)"), which no symbol has.
		{name: "g++", gdbBlind: true, build: func(out string) error {
			return victims.Run("g++", "-x", "c++", "-O2", "-g", "-o", out, src)
		}},
		{name: "clang-dwarf4", build: func(out string) error {
			return victims.Run("clang", "-O2", "-g", "-gdwarf-4", "-fomit-frame-pointer", "-o", out, src)
		}},
		// gdb 13 does not read DW_AT_call_pc, clang's DWARF 5 form of a
		// tail call's address.
		{name: "clang", gdbBlind: true, build: func(out string) error {
			return victims.Run("clang", "-O2", "-g", "-fomit-frame-pointer", "-o", out, src)
		}},
		{name: "gcc-shared", lib: true, build: func(out string) error {
			lib := filepath.Join(filepath.Dir(out), "libtailcall.so")
			if err := victims.Run("gcc", "-O2", "-g", "-fPIC", "-shared", "-DTAILCALL_LIB", "-o", lib, src); err != nil {
				return err
			}
			return victims.Run("gcc", "-O0", "-g", "-o", out, victims.Source("stacks/tailcall_main.c"), lib, "-Wl,-rpath,"+filepath.Dir(out))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog := victims.Build(t, "tailcall-"+c.name, c.build)
			gdb := gdbStacks(t, prog)
			r := captrace(t, "--enter=main", prog)
			if len(r.report.Groups) != len(tailcallWant) {
				t.Errorf("%d groups, want %d\n%s", len(r.report.Groups), len(tailcallWant), r.stderr)
			}
			for _, g := range r.report.Groups {
				want, ok := tailcallWant[g.Syscall]
				if !ok {
					t.Errorf("unexpected group %s at %s", g.Syscall, g.Site.Function)
					continue
				}
				if c.lib {
					want = append(append([]frameWant(nil), want[:len(want)-1]...),
						frameWant{"tailcall_main", "stacks/tailcall.c", want[len(want)-1].marker},
						frameWant{"main", "stacks/tailcall_main.c", "lib_main"})
				}
				got := programFrames(g)
				wantText := wantFrames(t, want)
				if strings.Join(got, " <- ") != strings.Join(wantText, " <- ") {
					t.Errorf("%s: frames\n  %s\nwant\n  %s", g.Syscall, strings.Join(got, " <- "), strings.Join(wantText, " <- "))
				}
				if g.Site.Function != want[0].function || g.Site.Line != victims.Line(t, want[0].file, "LINE:"+want[0].marker) {
					t.Errorf("%s: site %s:%d, want the tail-calling %s", g.Syscall, g.Site.Function, g.Site.Line, want[0].function)
				}
				checkTailCallMarks(t, g, want)
				gdbWant := gdb[g.Syscall]
				if c.gdbBlind {
					// gdb shows the real frames only: ours without the
					// rebuilt ones must be exactly those.
					got = realFrames(g)
				}
				if strings.Join(got, " <- ") != strings.Join(gdbWant, " <- ") {
					t.Errorf("%s: frames\n  %s\ngdb bt shows\n  %s", g.Syscall, strings.Join(got, " <- "), strings.Join(gdbWant, " <- "))
				}
			}
		})
	}
}

// checkTailCallMarks: every frame but main (and, in the library case, the
// frames above the library) was left by a tail call, and is marked so.
func checkTailCallMarks(t *testing.T, g report.Group, want []frameWant) {
	t.Helper()
	tails := map[string]bool{}
	for _, w := range want {
		if strings.Contains(w.marker, "tail_") {
			tails[w.function] = true
		}
	}
	for _, f := range g.Example.Stack {
		if f.TailCall != tails[f.Function] {
			t.Errorf("%s: frame %s has tailcall=%v, want %v", g.Syscall, f.Function, f.TailCall, tails[f.Function])
		}
	}
}

// realFrames is programFrames without the frames rebuilt from call sites.
func realFrames(g report.Group) []string {
	var real report.Group
	for _, f := range g.Example.Stack {
		if !f.TailCall {
			real.Example.Stack = append(real.Example.Stack, f)
		}
	}
	return programFrames(real)
}

// TestTailCallsAmbiguous: two chains of tail calls could have led from
// pick to open; none is rebuilt, and the site is main's call of pick.
func TestTailCallsAmbiguous(t *testing.T) {
	const a = "stacks/tailcall_ambiguous.c"
	prog := victims.Build(t, "tailcall-ambiguous", func(out string) error {
		return victims.Run("gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", out, victims.Source(a))
	})
	r := captrace(t, "--enter=main", prog)
	checkStacks(t, r, []frameWant{{"main", a, "main_pick"}})
	for _, g := range r.report.Groups {
		for _, f := range g.Example.Stack {
			if f.TailCall {
				t.Errorf("rebuilt frame %s at %s:%d from an ambiguous chain", f.Function, f.File, f.Line)
			}
		}
	}
}
