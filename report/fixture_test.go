package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// fakeSymbolizer answers from a fixed table, as if every module had been
// read; PCs it does not know symbolize to nothing.
type fakeSymbolizer struct {
	frames map[uint64][]symbolize.Frame
	calls  int
	// bases give module load addresses for ModuleOffset.
	bases map[string]uint64
}

func (s *fakeSymbolizer) Symbolize(mm *symbolize.ModuleMap, pc symbolize.PC) []symbolize.Frame {
	s.calls++
	return s.frames[pc.Addr]
}

func (s *fakeSymbolizer) ModuleOffset(mm *symbolize.ModuleMap, pc uint64) (string, uint64, bool) {
	for _, f := range s.frames[pc+1] {
		if base, ok := s.bases[f.Module]; ok {
			return f.Module, pc - base, true
		}
	}
	return "", 0, false
}

const (
	libc    = "/usr/lib/x86_64-linux-gnu/libc.so.6"
	prog    = "/home/dev/prog/prog"
	plugin  = "/home/dev/prog/libplugin.so"
	progSrc = "testdata/src/prog.c"
)

func fixtureSymbolizer() *fakeSymbolizer {
	return &fakeSymbolizer{
		bases: map[string]uint64{plugin: 0x7f0000100000},
		frames: map[uint64][]symbolize.Frame{
			0x7f0000011000: {{PC: 0x7f0000011000, Module: libc, Function: "__libc_open64"}},
			0x7f0000012000: {{PC: 0x7f0000012000, Module: libc, Function: "kill"}},
			0x7f0000013000: {{PC: 0x7f0000013000, Module: libc, Function: "__tzfile_read"}},
			0x7f0000014000: {{PC: 0x7f0000014000, Module: libc, Function: "localtime"}},
			0x7f0000015000: {{PC: 0x7f0000015000, Module: libc, Function: "connect"}},
			0x7f000002a000: {{PC: 0x7f000002a000, Module: libc, Function: "__libc_start_call_main"}},
			0x401200:       {{PC: 0x401200, Module: prog, Function: "load_config", File: progSrc, Line: 13}},
			0x401300:       {{PC: 0x401300, Module: prog, Function: "twice", File: progSrc, Line: 21}},
			0x401310:       {{PC: 0x401310, Module: prog, Function: "twice", File: progSrc, Line: 22}},
			0x401400:       {{PC: 0x401400, Module: prog, Function: "main", File: progSrc, Line: 34}},
			0x401410:       {{PC: 0x401410, Module: prog, Function: "main", File: progSrc, Line: 35}},
			0x401420:       {{PC: 0x401420, Module: prog, Function: "main", File: progSrc, Line: 36}},
			0x401430: {
				{PC: 0x401430, Module: prog, Function: "stop_parent", File: progSrc, Line: 27, Inlined: true},
				{PC: 0x401430, Module: prog, Function: "main", File: progSrc, Line: 37},
			},
			0x401440:       {{PC: 0x401440, Module: prog, Function: "main", File: progSrc, Line: 38}},
			0x7f0000101160: {{PC: 0x7f0000101160, Module: plugin, Function: "libplugin.so+0x1139"}},
		},
	}
}

func stack(addrs ...uint64) []symbolize.PC {
	pcs := make([]symbolize.PC, len(addrs))
	for i, a := range addrs {
		pcs[i] = symbolize.PC{Addr: a}
	}
	return pcs
}

var (
	verdictFDCWD = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindGlobalNamespace,
		Reason: "openat(AT_FDCWD, ...) reaches the global file namespace",
		Hint:   "open the directory before cap_enter() and use openat(dirfd, relative), or cap_fileargs"}
	verdictKill = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindSignal,
		Reason: "kill() of another process", Hint: "use pdfork() and pdkill()"}
	verdictConnect = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindNetwork,
		Reason: "connect() reaches the global network namespace", Hint: "use cap_net"}
)

// fixtureEvents is the fixed synthetic run the golden files show: a
// forked child, two calls on two lines of one function, a call inside
// libc (localtime), an inlined site, and a stripped library.
func fixtureEvents() []Event {
	mm1, mm2 := &symbolize.ModuleMap{}, &symbolize.ModuleMap{}
	hostname := []string{"AT_FDCWD", `"/etc/hostname"`, "O_RDONLY"}
	passwd := []string{"AT_FDCWD", `"/etc/passwd"`, "O_RDONLY"}
	var evs []Event
	add := func(n, pid int, mm *symbolize.ModuleMap, sc string, args []string, v capmode.Verdict, pcs []symbolize.PC) {
		for range n {
			evs = append(evs, Event{Pid: pid, Tid: pid, Syscall: sc, Args: args, Verdict: v, Stack: pcs, Maps: mm})
		}
	}
	add(3, 4242, mm1, "openat", hostname, verdictFDCWD, stack(0x7f0000011000, 0x401200, 0x401400, 0x7f000002a000))
	add(1, 4242, mm1, "openat", passwd, verdictFDCWD, stack(0x7f0000011000, 0x401300, 0x401410, 0x7f000002a000))
	add(1, 4242, mm1, "openat", passwd, verdictFDCWD, stack(0x7f0000011000, 0x401310, 0x401410, 0x7f000002a000))
	add(1, 4242, mm1, "openat", []string{"AT_FDCWD", `"/etc/localtime"`, "O_RDONLY|O_CLOEXEC"}, verdictFDCWD,
		stack(0x7f0000011000, 0x7f0000013000, 0x7f0000014000, 0x401420, 0x7f000002a000))
	add(1, 4242, mm1, "kill", []string{"4241", "SIGTERM"}, verdictKill, stack(0x7f0000012000, 0x401430, 0x7f000002a000))
	// The forked child: same sites, its own module map.
	add(2, 4243, mm2, "openat", hostname, verdictFDCWD, stack(0x7f0000011000, 0x401200, 0x401400, 0x7f000002a000))
	add(2, 4243, mm2, "connect", []string{"3", `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.0.0.1")}`, "16"},
		verdictConnect, stack(0x7f0000015000, 0x7f0000101160, 0x401440, 0x7f000002a000))
	return evs
}

var fixtureMeta = Meta{
	Version:  "captrace 0.1.0-test",
	Platform: "linux/amd64",
	Mode:     "audit",
	Enter:    "main",
	Command:  []string{"./prog"},
}

func fixtureReport(t testing.TB) *Report {
	t.Helper()
	c := NewCollector(fixtureSymbolizer())
	for _, ev := range fixtureEvents() {
		c.Add(ev)
	}
	return c.Report(fixtureMeta)
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got:\n%s\n--- want:\n%s", name, got, want)
	}
}
