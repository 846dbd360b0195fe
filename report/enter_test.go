package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

func TestEnterReachedText(t *testing.T) {
	for _, tc := range []struct {
		enter string
		site  *EnterSite
		want  string
	}{
		{"cap_enter", nil, ""},
		{"cap_enter", &EnterSite{Pid: 4242, Function: "sandbox_init", File: "/src/prog.c", Line: 41, Module: "/src/prog"},
			"cap_enter reached in pid 4242 at sandbox_init prog.c:41"},
		{"main", &EnterSite{Pid: 7, Function: "__libc_start_call_main", Module: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
			"main reached in pid 7 at __libc_start_call_main (libc.so.6)"},
		{"exec", &EnterSite{Pid: 9, Exec: "/bin/prog"}, "exec reached in pid 9 at exec of /bin/prog"},
		{"main", &EnterSite{Pid: 9}, "main reached in pid 9"},
	} {
		r := &Report{Enter: tc.enter, EnterReached: tc.site}
		if got := r.EnterReachedText(); got != tc.want {
			t.Errorf("%s %+v: %q, want %q", tc.enter, tc.site, got, tc.want)
		}
	}
}

// TestCollectorEnterSite: the place named is the enter function's caller,
// the frame past those of the innermost PC (the breakpoint at the enter
// function's first instruction).
func TestCollectorEnterSite(t *testing.T) {
	c := NewCollector(fixtureSymbolizer())
	if r := c.Report(Meta{Enter: "cap_enter"}); r.EnterReached != nil {
		t.Fatalf("nothing reached, yet %+v", r.EnterReached)
	}
	c.SetEnterPoint(&event.EnterPoint{Pid: 4242, Tid: 4242,
		Stack: []symbolize.PC{{Addr: 0x401430, Exact: true}, {Addr: 0x401410}, {Addr: 0x7f000002a000}}})
	got := c.Report(Meta{Enter: "cap_enter"}).EnterReached
	want := EnterSite{Pid: 4242, Function: "main", File: progSrc, Line: 35, Module: prog}
	if got == nil || *got != want {
		t.Errorf("enter site %+v, want %+v (the caller of the inlined stop_parent and its main)", got, want)
	}
	// main, called from the C library's start-up: main itself names the
	// place, and the C library is never symbolized for it.
	mm := symbolize.NewModuleMap([]symbolize.Mapping{
		{Start: 0x400000, End: 0x402000, Perm: "r-xp", Path: prog},
		{Start: 0x7f0000000000, End: 0x7f0000100000, Perm: "r-xp", Path: libc},
	})
	sym := fixtureSymbolizer()
	c = NewCollector(sym)
	c.SetEnterPoint(&event.EnterPoint{Pid: 5, Tid: 5, Maps: mm,
		Stack: []symbolize.PC{{Addr: 0x401400, Exact: true}, {Addr: 0x7f000002a000}}})
	got = c.Report(Meta{Enter: "main"}).EnterReached
	if want := (EnterSite{Pid: 5, Function: "main", File: progSrc, Line: 34, Module: prog}); got == nil || *got != want {
		t.Errorf("enter site at main %+v, want %+v", got, want)
	}
	for _, pc := range sym.asked {
		if pc == 0x7f000002a000 {
			t.Errorf("the C library's frame was symbolized for the enter site")
		}
	}
	// A static program: main's caller is the C library linked into the
	// program, in the program's own module; main names the place.
	c = NewCollector(fixtureSymbolizer())
	c.SetEnterPoint(&event.EnterPoint{Pid: 6, Tid: 6,
		Stack: []symbolize.PC{{Addr: 0x401400, Exact: true}, {Addr: 0x401200}}})
	got = c.Report(Meta{Enter: "main"}).EnterReached
	if want := (EnterSite{Pid: 6, Function: "main", File: progSrc, Line: 34, Module: prog}); got == nil || *got != want {
		t.Errorf("enter site at a static program's main %+v, want %+v", got, want)
	}
	c.SetEnterPoint(&event.EnterPoint{Pid: 7, Exec: "/bin/prog"})
	if got := c.Report(Meta{Enter: "exec"}).EnterReached; got == nil || *got != (EnterSite{Pid: 7, Exec: "/bin/prog"}) {
		t.Errorf("exec: %+v", got)
	}
}

// TestSiteNoteMaybeLibC: a site the Symbolizer could not tell from the
// linked-in C library carries the note, and every writer shows it.
func TestSiteNoteMaybeLibC(t *testing.T) {
	const static = "/home/dev/static"
	sym := &fakeSymbolizer{frames: map[uint64][]symbolize.Frame{
		0x430410: {{PC: 0x430410, Module: static, Function: "static+0x430400", MaybeLibC: true}},
		0x401530: {{PC: 0x401530, Module: static, Function: "static+0x401500", MaybeLibC: true}},
	}}
	c := NewCollector(sym)
	c.Add(event.Event{Pid: 1, Tid: 1, Syscall: "openat", Verdict: verdictFDCWD, Stack: stack(0x430410, 0x401530)})
	r := c.Report(Meta{Enter: "main"})
	if len(r.Groups) != 1 || r.Groups[0].Site.Note != NoteMaybeLibC || r.Groups[0].Site.Function != "static+0x430400" {
		t.Fatalf("groups %+v, want one at the innermost frame with the note", r.Groups)
	}
	var text bytes.Buffer
	if err := WriteText(&text, r, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"note (1 group): " + NoteMaybeLibC, "   note:   " + NoteMaybeLibC} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if page := renderHTML(t, r, Options{}); !strings.Contains(page, `class="site-note">`+template.HTMLEscapeString(NoteMaybeLibC)+"<") {
		t.Errorf("HTML lacks the note")
	}
}

// TestEnterSiteInSiteInLibrary: a library --site-in names is the
// program's own code for the enter site too: its frame ends nothing, and
// the C library past it is not symbolized.
func TestEnterSiteInSiteInLibrary(t *testing.T) {
	const sandbox, app = "/usr/lib/libsandbox.so.1", "/usr/lib/libapp.so.1"
	sym := &fakeSymbolizer{
		siteIn: map[string]bool{app: true},
		frames: map[uint64][]symbolize.Frame{
			0x7f0000200000: {{Module: sandbox, Function: "cap_enter"}},
			0x7f0000300010: {{Module: app, Function: "app_start", File: "app.c", Line: 10}},
			0x7f000002a000: {{Module: libc, Function: "__libc_start_call_main"}},
		},
	}
	mm := symbolize.NewModuleMap([]symbolize.Mapping{
		{Start: 0x7f0000000000, End: 0x7f0000100000, Perm: "r-xp", Path: libc},
		{Start: 0x7f0000200000, End: 0x7f0000201000, Perm: "r-xp", Path: sandbox},
		{Start: 0x7f0000300000, End: 0x7f0000301000, Perm: "r-xp", Path: app},
	})
	c := NewCollector(sym)
	c.SetEnterPoint(&event.EnterPoint{Pid: 3, Tid: 3, Maps: mm,
		Stack: []symbolize.PC{{Addr: 0x7f0000200000, Exact: true}, {Addr: 0x7f0000300010}, {Addr: 0x7f000002a000}}})
	got := c.Report(Meta{Enter: "cap_enter"}).EnterReached
	if want := (EnterSite{Pid: 3, Function: "app_start", File: "app.c", Line: 10, Module: app}); got == nil || *got != want {
		t.Errorf("enter site %+v, want %+v", got, want)
	}
	for _, pc := range sym.asked {
		if pc == 0x7f000002a000 {
			t.Errorf("the C library past a --site-in library was symbolized")
		}
	}
}
