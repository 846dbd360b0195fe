package report

import (
	"runtime"
	"slices"
	"testing"

	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

func TestCollectorMemoizesStacks(t *testing.T) {
	sym := fixtureSymbolizer()
	c := NewCollector(sym, WithSourceReader(symbolize.ReadSource))
	evs := fixtureEvents()
	for _, ev := range evs {
		c.Add(ev)
	}
	after := sym.calls
	for range 1000 {
		for _, ev := range evs {
			c.Add(ev)
		}
	}
	if sym.calls != after {
		t.Errorf("repeated stacks were symbolized again: %d calls, want %d", sym.calls, after)
	}
	r := c.Report(fixtureMeta)
	if r.Summary.Violations != 1001*len(evs) {
		t.Errorf("violations %d, want %d", r.Summary.Violations, 1001*len(evs))
	}
}

func TestCollectorMemoLimit(t *testing.T) {
	sym := fixtureSymbolizer()
	c := NewCollector(sym, WithMemoLimit(2), WithSourceReader(symbolize.ReadSource))
	for range 3 {
		for _, ev := range fixtureEvents() {
			c.Add(ev)
		}
	}
	want := fixtureReport(t)
	got := c.Report(fixtureMeta)
	for i := range want.Groups {
		w, g := want.Groups[i], got.Groups[i]
		if g.Fingerprint != w.Fingerprint || g.Count != 3*w.Count {
			t.Errorf("group %d: %s x%d, want %s x%d", i, g.Fingerprint, g.Count, w.Fingerprint, 3*w.Count)
		}
	}
}

func TestCollectorMemoryGrowsWithGroupsNotEvents(t *testing.T) {
	c := NewCollector(fixtureSymbolizer(), WithSourceReader(symbolize.ReadSource))
	ev := fixtureEvents()[0]
	c.Add(ev)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 200000 {
		c.Add(ev)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<10 {
		t.Errorf("heap grew by %d bytes over 200000 events at one site", grew)
	}
	if allocs := testing.AllocsPerRun(1000, func() { c.Add(ev) }); allocs > 0 {
		t.Errorf("Add of a known stack allocates %.1f times", allocs)
	}
}

func TestCollectorGroups(t *testing.T) {
	r := fixtureReport(t)
	if r.Schema != Schema || r.Summary != (Summary{Violations: 11, Groups: 6, Processes: 2}) {
		t.Errorf("summary %+v", r.Summary)
	}
	byLine := map[int]Group{}
	for _, g := range r.Groups {
		byLine[g.Site.Line] = g
	}
	hostname := byLine[13]
	if hostname.Count != 5 || !slices.Equal(hostname.Pids, []int{4242, 4243}) {
		t.Errorf("load_config group: count %d pids %v, want 5 [4242 4243]", hostname.Count, hostname.Pids)
	}
	// Two calls on two lines of one function are two groups, and their
	// identical text still gives two fingerprints (occurrence index).
	if byLine[21].Fingerprint == "" || byLine[21].Fingerprint == byLine[22].Fingerprint {
		t.Errorf("twice's two calls share fingerprint %q", byLine[21].Fingerprint)
	}
	// The site of a call made inside libc (localtime -> open) is the
	// program's frame, not libc's.
	if g := byLine[36]; g.Site.Function != "main" {
		t.Errorf("localtime site %+v", g.Site)
	}
	if g := byLine[27]; g.Site.Function != "stop_parent" {
		t.Errorf("inlined site %+v, want the inlined stop_parent", g.Site)
	}
	for _, g := range r.Groups {
		if g.Syscall == "connect" {
			if g.Site.Address != "libplugin.so+0x115f" || g.Site.Line != 0 {
				t.Errorf("stripped site %+v, want address libplugin.so+0x115f", g.Site)
			}
		}
	}
	seen := map[string]bool{}
	for _, g := range r.Groups {
		if seen[g.Fingerprint] {
			t.Errorf("duplicate fingerprint %s", g.Fingerprint)
		}
		seen[g.Fingerprint] = true
	}
}

// Two paths to one site are one group, and the example (hence the
// fingerprint) does not depend on which path came first.
func TestCollectorExampleIndependentOfOrder(t *testing.T) {
	sym := fixtureSymbolizer()
	sym.frames[0x401500] = []symbolize.Frame{{Module: prog, Function: "zeta_caller", File: progSrc, Line: 30}}
	a := event.Event{Pid: 1, Tid: 1, Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(0x7f0000011000, 0x401200, 0x401400)}
	b := event.Event{Pid: 2, Tid: 2, Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(0x7f0000011000, 0x401200, 0x401500)}
	var fps []string
	for _, order := range [][]event.Event{{a, b}, {b, a}} {
		c := NewCollector(sym, WithSourceReader(symbolize.ReadSource))
		for _, ev := range order {
			c.Add(ev)
		}
		r := c.Report(fixtureMeta)
		if len(r.Groups) != 1 || r.Groups[0].Count != 2 {
			t.Fatalf("groups %+v, want one of 2", r.Groups)
		}
		fps = append(fps, r.Groups[0].Fingerprint)
		if r.Groups[0].Example.Pid != 1 {
			t.Errorf("example from pid %d, want the main path (pid 1)", r.Groups[0].Example.Pid)
		}
	}
	if fps[0] != fps[1] {
		t.Errorf("fingerprint depends on event order: %v", fps)
	}
}
