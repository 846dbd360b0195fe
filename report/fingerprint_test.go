package report

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

const victimSource = `#include <fcntl.h>

static void load_config(void)
{
	open("/etc/hostname", O_RDONLY);
}

static void twice(void)
{
	open("/etc/passwd", O_RDONLY);
	open("/etc/passwd", O_RDONLY);
}

int main(void)
{
	load_config();
	twice();
	return 0;
}
`

// shifted is the same program with lines inserted above and inside every
// function, and re-indented: what an edit elsewhere in the file does.
func shifted(src string) string {
	src = "/* a comment\n * that pushes\n * everything down */\n\n" + src
	src = strings.ReplaceAll(src, "{\n", "{\n\n\n")
	return strings.ReplaceAll(src, "\topen(", "\t    open(")
}

// buildVictim compiles src with -g and returns the source path and, from
// the binary's DWARF line table, the lines holding calls (a line whose
// text contains call) of each function, in order.
func buildVictim(t *testing.T, dir, src string) (string, map[string][]lineAddr) {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to build the victim")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srcPath := filepath.Join(dir, "victim.c")
	bin := filepath.Join(dir, "victim")
	if err := os.WriteFile(srcPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-g", "-O0", "-o", bin, srcPath).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(src, "\n")
	calls := map[string][]lineAddr{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagCompileUnit {
			continue
		}
		lr, err := d.LineReader(e)
		if err != nil || lr == nil {
			continue
		}
		var le dwarf.LineEntry
		for lr.Next(&le) == nil {
			if filepath.Base(le.File.Name) != "victim.c" || le.Line < 1 || le.Line > len(lines) {
				continue
			}
			text := lines[le.Line-1]
			for _, fn := range []string{"open", "load_config", "twice"} {
				if strings.Contains(text, fn+"(") && !strings.Contains(text, "void") {
					caller := map[string]string{"open": "", "load_config": "main", "twice": "main"}[fn]
					if caller == "" {
						if strings.Contains(text, "hostname") && !containsLine(calls["load_config"], le.Line) {
							calls["load_config"] = append(calls["load_config"], lineAddr{le.Line, le.Address})
						} else if strings.Contains(text, "passwd") && !containsLine(calls["twice"], le.Line) {
							calls["twice"] = append(calls["twice"], lineAddr{le.Line, le.Address})
						}
					} else if !containsLine(calls["main/"+fn], le.Line) {
						calls["main/"+fn] = append(calls["main/"+fn], lineAddr{le.Line, le.Address})
					}
				}
			}
		}
	}
	return srcPath, calls
}

type lineAddr struct {
	line int
	addr uint64
}

func containsLine(ls []lineAddr, line int) bool {
	return slices.ContainsFunc(ls, func(l lineAddr) bool { return l.line == line })
}

// victimFingerprints runs the violations of the victim through a
// Collector with frames as the symbolizer would give them.
func victimFingerprints(t *testing.T, src string, calls map[string][]lineAddr) map[string]string {
	t.Helper()
	sym := &fakeSymbolizer{frames: map[uint64][]symbolize.Frame{
		0x7f0000011000: {{Module: libc, Function: "__libc_open64"}},
		0x7f000002a000: {{Module: libc, Function: "__libc_start_call_main"}},
	}}
	const bias = 0x555555554000
	frame := func(fn string, la lineAddr) uint64 {
		pc := bias + la.addr + 5 // a return address after the call
		sym.frames[pc] = []symbolize.Frame{{PC: pc, Module: "victim", Function: fn, File: src, Line: la.line}}
		return pc
	}
	c := NewCollector(sym, WithSourceReader(symbolize.ReadSource))
	var names []string
	for _, site := range []struct{ fn, caller string }{{"load_config", "main/load_config"}, {"twice", "main/twice"}} {
		if len(calls[site.fn]) == 0 || len(calls[site.caller]) == 0 {
			t.Fatalf("no DWARF lines for %s or its caller: %v", site.fn, calls)
		}
		for i, la := range calls[site.fn] {
			c.Add(event.Event{Pid: 1, Tid: 1, Syscall: "openat", Verdict: capmode.Verdict{Outcome: capmode.CapMode},
				Stack: stack(0x7f0000011000, frame(site.fn, la), frame("main", calls[site.caller][0]), 0x7f000002a000)})
			names = append(names, fmt.Sprintf("%s#%d@%d", site.fn, i, la.line))
		}
	}
	fps := map[string]string{}
	for _, g := range c.Report(Meta{}).Groups {
		fps[fmt.Sprintf("%s:%d", g.Site.Function, g.Site.Line)] = g.Fingerprint
	}
	out := map[string]string{}
	for _, n := range names {
		fn, rest, _ := strings.Cut(n, "#")
		idx, line, _ := strings.Cut(rest, "@")
		out[fn+"#"+idx] = fps[fn+":"+line]
	}
	return out
}

func TestFingerprintSurvivesLineShiftRebuild(t *testing.T) {
	dir := t.TempDir()
	src1, calls1 := buildVictim(t, filepath.Join(dir, "v1"), victimSource)
	src2, calls2 := buildVictim(t, filepath.Join(dir, "v2"), shifted(victimSource))
	if calls1["load_config"][0].line == calls2["load_config"][0].line {
		t.Fatalf("the rebuild did not move the call: line %d in both", calls1["load_config"][0].line)
	}
	if len(calls1["twice"]) != 2 || len(calls2["twice"]) != 2 {
		t.Fatalf("want two calls in twice(): %v / %v", calls1["twice"], calls2["twice"])
	}
	fp1 := victimFingerprints(t, src1, calls1)
	fp2 := victimFingerprints(t, src2, calls2)
	if len(fp1) != 3 {
		t.Fatalf("fingerprints %v, want 3", fp1)
	}
	for k, v := range fp1 {
		if v == "" || fp2[k] != v {
			t.Errorf("%s: fingerprint %q before the shift, %q after", k, v, fp2[k])
		}
	}
	if fp1["twice#0"] == fp1["twice#1"] {
		t.Errorf("the two identical calls in twice() share a fingerprint")
	}
}

func fingerprintOf(t *testing.T, src string, read func(string) ([]byte, error), site symbolize.Frame, callers ...string) string {
	t.Helper()
	sym := &fakeSymbolizer{frames: map[uint64][]symbolize.Frame{
		1: {{Module: libc, Function: "open"}},
		2: {site},
	}}
	pcs := stack(1, 2)
	for i, c := range callers {
		f := symbolize.Frame{Module: prog, Function: c, File: src, Line: 100 + i}
		if name, ok := strings.CutPrefix(c, "libc:"); ok {
			f = symbolize.Frame{Module: libc, Function: name}
		}
		sym.frames[uint64(10+i)] = []symbolize.Frame{f}
		pcs = append(pcs, symbolize.PC{Addr: uint64(10 + i)})
	}
	c := NewCollector(sym, WithSourceReader(read))
	c.Add(event.Event{Syscall: "openat", Verdict: verdictFDCWD, Stack: pcs})
	return c.Report(Meta{}).Groups[0].Fingerprint
}

func TestFingerprintInputs(t *testing.T) {
	files := map[string]string{
		"a.c": "void f(void)\n{\n\topen(\"/x\", O_RDONLY);\n}\n",
		"b.c": "\n\n\nvoid f(void)\n{\n  open( \"/x\",O_RDONLY );\n}\n",
		"c.c": "void f(void)\n{\n\topen(\"/y\", O_RDONLY);\n}\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	at := func(file string, line int) symbolize.Frame {
		return symbolize.Frame{Module: prog, Function: "f", File: file, Line: line}
	}
	base := fingerprintOf(t, "a.c", read, at("a.c", 3), "main")
	for _, tc := range []struct {
		name string
		fp   string
		same bool
	}{
		{"moved and re-spaced line", fingerprintOf(t, "b.c", read, at("b.c", 6), "main"), true},
		{"caller lines and addresses do not count", fingerprintOf(t, "a.c", read, at("a.c", 3), "main"), true},
		{"system callers do not count", fingerprintOf(t, "a.c", read, at("a.c", 3), "main", "libc:__libc_start_call_main"), true},
		{"changed line text", fingerprintOf(t, "c.c", read, at("c.c", 3), "main"), false},
		{"other caller", fingerprintOf(t, "a.c", read, at("a.c", 3), "run", "main"), false},
		{"recursion depth does not count", fingerprintOf(t, "a.c", read, at("a.c", 3), "main", "main", "main"), true},
		{"renamed function", fingerprintOf(t, "a.c", read, symbolize.Frame{Module: prog, Function: "g", File: "a.c", Line: 3}, "main"), false},
		{"GCC clone of the same function", fingerprintOf(t, "a.c", read, symbolize.Frame{Module: prog, Function: "f.constprop.0", File: "a.c", Line: 3}, "main"), true},
	} {
		if (tc.fp == base) != tc.same {
			t.Errorf("%s: fingerprint %s vs %s, want same=%v", tc.name, tc.fp, base, tc.same)
		}
	}
}

// Without readable source, two sites of one function with the same
// syscall still get two fingerprints.
func TestFingerprintWithoutSource(t *testing.T) {
	sym := &fakeSymbolizer{frames: map[uint64][]symbolize.Frame{
		1: {{Module: libc, Function: "open"}},
		2: {{Module: prog, Function: "f", File: "/gone/a.c", Line: 3}},
		3: {{Module: prog, Function: "f", File: "/gone/a.c", Line: 4}},
	}}
	c := NewCollector(sym)
	c.Add(event.Event{Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(1, 2)})
	c.Add(event.Event{Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(1, 3)})
	gs := c.Report(Meta{}).Groups
	if len(gs) != 2 || gs[0].Fingerprint == gs[1].Fingerprint {
		t.Errorf("groups %+v, want two with distinct fingerprints", gs)
	}
}
