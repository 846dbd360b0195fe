package report

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
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
	// static modules have no PT_INTERP (symbolize.Frame.Static).
	static map[string]bool
	// asked are the PCs symbolized, in order.
	asked []uint64
	// siteIn are the modules --site-in names.
	siteIn map[string]bool
}

func (s *fakeSymbolizer) IsSiteIn(path string) bool { return s.siteIn[path] }

func (s *fakeSymbolizer) Symbolize(mm *symbolize.ModuleMap, pc symbolize.PC) []symbolize.Frame {
	s.calls++
	s.asked = append(s.asked, pc.Addr)
	fs := s.frames[pc.Addr]
	if fs == nil {
		return nil
	}
	// What the real Symbolizer records with every frame.
	out := make([]symbolize.Frame, len(fs))
	for i, f := range fs {
		f.System = symbolize.IsSystemFrame(f)
		f.Static = s.static[f.Module]
		out[i] = f
	}
	return out
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

// tableHint is the policy table's remedy for a syscall: what a real
// verdict carries.
func tableHint(syscall string) string {
	e, _ := capmode.Linux().ByName(syscall)
	return e.Hint
}

var (
	verdictFDCWD = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindGlobalNamespace,
		Reason: "openat(AT_FDCWD, ...) reaches the global file namespace", Hint: tableHint("openat")}
	verdictKill = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindSignal,
		Reason: "kill() of another process", Hint: tableHint("kill")}
	verdictConnect = capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindNetwork,
		Reason: "connect() reaches the global network namespace", Hint: tableHint("connect")}
)

// fakeMemory is a stopped process's memory: a few regions at chosen
// addresses.
type fakeMemory map[uint64][]byte

var errFault = errors.New("EFAULT")

func (m fakeMemory) Pid() int { return 4242 }

func (m fakeMemory) ReadMemory(addr uint64, p []byte) error {
	for base, b := range m {
		if addr >= base && addr-base+uint64(len(p)) <= uint64(len(b)) {
			copy(p, b[addr-base:])
			return nil
		}
	}
	return errFault
}

func (m fakeMemory) ReadString(addr uint64, max int) (string, error) {
	for base, b := range m {
		if addr >= base && addr < base+uint64(len(b)) {
			s, _, _ := strings.Cut(string(b[addr-base:]), "\x00")
			return s[:min(len(s), max)], nil
		}
	}
	return "", errFault
}

// The rest of capmode.Tracee: the fixture's calls need neither threads
// nor descriptors.
func (m fakeMemory) ThreadGroup(tid int) int { return 0 }

func (m fakeMemory) OpenDescriptor(fd int) (int, error) { return -1, errFault }

// linuxArgs decodes a call as the tracer does at the stop: path and
// struct arguments point into mem.
func linuxArgs(syscall string, mem fakeMemory, regs ...uint64) []capmode.Arg {
	t := capmode.Linux()
	e, ok := t.ByName(syscall)
	if !ok {
		panic("no syscall " + syscall)
	}
	var c capmode.Call
	c.Nr = e.Nr
	copy(c.Args[:], regs)
	return t.Decode(c, mem)
}

const atFDCWD = 0xffffff9c // -100 as C passes it

// openArgs are openat(AT_FDCWD, path, flags)'s arguments.
func openArgs(path string, flags uint64) []capmode.Arg {
	return linuxArgs("openat", fakeMemory{0x1000: []byte(path + "\x00")}, atFDCWD, 0x1000, flags)
}

// connectArgs are connect(fd, {AF_INET, ip:port}, 16)'s arguments.
func connectArgs(fd int, ip [4]byte, port uint16) []capmode.Arg {
	sa := make([]byte, 16)
	binary.LittleEndian.PutUint16(sa, 2)
	binary.BigEndian.PutUint16(sa[2:], port)
	copy(sa[4:], ip[:])
	return linuxArgs("connect", fakeMemory{0x2000: sa}, uint64(fd), 0x2000, 16)
}

// fixtureEvents is the fixed synthetic run the golden files show: a
// forked child, two calls on two lines of one function, a call inside
// libc (localtime), an inlined site, and a stripped library.
func fixtureEvents() []event.Event {
	mm1, mm2 := &symbolize.ModuleMap{}, &symbolize.ModuleMap{}
	hostname := openArgs("/etc/hostname", 0)
	passwd := openArgs("/etc/passwd", 0)
	var evs []event.Event
	add := func(n, pid int, mm *symbolize.ModuleMap, sc string, args []capmode.Arg, v capmode.Verdict, pcs []symbolize.PC) {
		for range n {
			evs = append(evs, event.Event{Pid: pid, Tid: pid, Syscall: sc, Args: args, Verdict: v, Stack: pcs, Maps: mm})
		}
	}
	add(3, 4242, mm1, "openat", hostname, verdictFDCWD, stack(0x7f0000011000, 0x401200, 0x401400, 0x7f000002a000))
	add(1, 4242, mm1, "openat", passwd, verdictFDCWD, stack(0x7f0000011000, 0x401300, 0x401410, 0x7f000002a000))
	add(1, 4242, mm1, "openat", passwd, verdictFDCWD, stack(0x7f0000011000, 0x401310, 0x401410, 0x7f000002a000))
	add(1, 4242, mm1, "openat", openArgs("/etc/localtime", 0x80000), verdictFDCWD,
		stack(0x7f0000011000, 0x7f0000013000, 0x7f0000014000, 0x401420, 0x7f000002a000))
	add(1, 4242, mm1, "kill", linuxArgs("kill", nil, 4241, 15), verdictKill, stack(0x7f0000012000, 0x401430, 0x7f000002a000))
	// The forked child: same sites, its own module map.
	add(2, 4243, mm2, "openat", hostname, verdictFDCWD, stack(0x7f0000011000, 0x401200, 0x401400, 0x7f000002a000))
	add(2, 4243, mm2, "connect", connectArgs(3, [4]byte{10, 0, 0, 1}, 80),
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
	c := NewCollector(fixtureSymbolizer(), WithSourceReader(os.ReadFile))
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
