package report

import (
	"runtime"
	"slices"
	"testing"

	"github.com/captrace/captrace/symbolize"
)

func TestCollectorMemoizesStacks(t *testing.T) {
	sym := fixtureSymbolizer()
	c := NewCollector(sym)
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
	c := NewCollector(sym, WithMemoLimit(2))
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
	c := NewCollector(fixtureSymbolizer())
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
	a := Event{Pid: 1, Tid: 1, Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(0x7f0000011000, 0x401200, 0x401400)}
	b := Event{Pid: 2, Tid: 2, Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(0x7f0000011000, 0x401200, 0x401500)}
	var fps []string
	for _, order := range [][]Event{{a, b}, {b, a}} {
		c := NewCollector(sym)
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

func TestSiteSelection(t *testing.T) {
	f := func(module, function, file string) symbolize.Frame {
		return symbolize.Frame{Module: module, Function: function, File: file, Line: 1}
	}
	const goroot = "/usr/local/go/src/"
	const staticProg = "/bin/static-prog"
	defer func(orig func(string) bool) { isStaticProgram = orig }(isStaticProgram)
	isStaticProgram = func(path string) bool { return path == staticProg }
	for _, tc := range []struct {
		name   string
		frames []symbolize.Frame
		want   int
	}{
		{"C through libc", []symbolize.Frame{f(libc, "__libc_open64", ""), f(prog, "load", "p.c"), f(prog, "main", "p.c")}, 1},
		{"vdso", []symbolize.Frame{f("[vdso]", "__vdso_clock_gettime", ""), f(prog, "main", "p.c")}, 1},
		{"dynamic loader", []symbolize.Frame{f("/lib64/ld-linux-x86-64.so.2", "_dl_map_object", ""), f(prog, "main", "p.c")}, 1},
		{"FreeBSD libsys", []symbolize.Frame{f("/lib/libsys.so.7", "__sys_openat", ""), f("/lib/libc.so.7", "open", ""), f(prog, "main", "p.c")}, 2},
		{"musl built in a prefix", []symbolize.Frame{f("/opt/musl/lib/libc.so", "open", ""), f(prog, "main", "p.c")}, 1},
		{"system library", []symbolize.Frame{f("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "RAND_load_file", ""), f(prog, "main", "p.c")}, 1},
		{"/usr/local is the user's", []symbolize.Frame{f(libc, "open", ""), f("/usr/local/lib/libmine.so", "mine_open", "mine.c"), f(prog, "main", "p.c")}, 1},
		{"all system frames", []symbolize.Frame{f(libc, "open", ""), f(libc, "__libc_start_main", "")}, 0},
		{"Go through os and syscall", []symbolize.Frame{
			f(prog, "syscall.Syscall6", goroot+"syscall/syscall_linux.go"),
			f(prog, "syscall.openat", goroot+"syscall/zsyscall_linux_amd64.go"),
			f(prog, "os.OpenFile", goroot+"os/file.go"),
			f(prog, "internal/poll.(*FD).Init", goroot+"internal/poll/fd_unix.go"),
			f(prog, "main.loadConfig", "/src/victim/main.go"),
			f(prog, "runtime.main", goroot+"runtime/proc.go")}, 4},
		{"Go through x/sys/unix", []symbolize.Frame{
			f(prog, "golang.org/x/sys/unix.Syscall", "/root/go/pkg/mod/golang.org/x/sys@v0.50.0/unix/syscall_linux.go"),
			f(prog, "github.com/acme/tool/store.Open", "/src/tool/store/store.go")}, 1},
		{"Go module without a dot in its path", []symbolize.Frame{
			f(prog, "os.Open", goroot+"os/file.go"),
			f(prog, "victim/store.Open", "/home/dev/victim/store/store.go"),
			f(prog, "runtime.main", goroot+"runtime/proc.go")}, 1},
		{"C clone is not Go", []symbolize.Frame{f(libc, "open", ""), f(prog, "parse.constprop.0", "")}, 1},
		{"cgo glue", []symbolize.Frame{f(prog, "_cgo_abc_Cfunc_open", ""), f(prog, "main.main", "/src/m.go")}, 1},
		{"unsymbolized frame is the program's", []symbolize.Frame{f(libc, "open", ""), {PC: 0x1234}}, 1},
		{"Rust standard library", []symbolize.Frame{
			f(libc, "open64", ""),
			f(prog, "<std::sys::fs::unix::File>::open_c", "/rustc/4d91de4e/library/std/src/sys/fs/unix.rs"),
			f(prog, "std::fs::OpenOptions::_open", "/rustc/4d91de4e/library/std/src/fs.rs"),
			f(prog, "config::Loader::load", "/src/tool/main.rs")}, 3},
		{"static C library has no lines", []symbolize.Frame{
			{Module: staticProg, Function: "__libc_open"},
			{Module: staticProg, Function: "open_config", File: "/src/p.c", Line: 12},
			{Module: staticProg, Function: "main", File: "/src/p.c", Line: 30}}, 1},
		{"user code without -g in a dynamic program is a site", []symbolize.Frame{
			f(libc, "open", ""),
			{Module: prog, Function: "load_config"},
			{Module: prog, Function: "main", File: "/src/p.c", Line: 30}}, 1},
		{"standard-library goroutine", []symbolize.Frame{
			f(prog, "internal/runtime/syscall/linux.Syscall6", goroot+"internal/runtime/syscall/linux/asm_linux_amd64.s"),
			f(prog, "syscall.openat", goroot+"syscall/zsyscall_linux_amd64.go"),
			f(prog, "os.OpenFile", goroot+"os/file.go"),
			f(prog, "net.dnsReadConfig", goroot+"net/dnsconfig_unix.go"),
			f(prog, "runtime.goexit", goroot+"runtime/asm_amd64.s")}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := siteIndex(tc.frames); got != tc.want {
				t.Errorf("site = %d (%s), want %d (%s)", got, tc.frames[got].Function, tc.want, tc.frames[tc.want].Function)
			}
		})
	}
}
