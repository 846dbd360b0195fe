package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// mapSources serves excerpts from in-memory files, as a source.Reader
// would from disk.
type mapSources map[string][]string

func (m mapSources) Excerpt(file string, line int) (int, []string, error) {
	lines, ok := m[file]
	if !ok {
		return 0, nil, fmt.Errorf("%s: no such file on this machine", file)
	}
	lo, hi := max(1, line-2), min(len(lines), line+2)
	return lo, lines[lo-1 : hi], nil
}

func renderHTML(t *testing.T, r *Report, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, FormatHTML, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func fixtureSources(t *testing.T) mapSources {
	data, err := os.ReadFile(progSrc)
	if err != nil {
		t.Fatal(err)
	}
	return mapSources{progSrc: strings.Split(string(data), "\n")}
}

// markupReport is a report whose every program string carries markup.
func markupReport() *Report {
	frame := StackFrame{PC: "0x401000", Module: "/src/<b>prog", Function: "load<script>alert(1)</script>", File: "/src/<script>x</script>.c", Line: 3}
	return &Report{
		Schema: Schema, Version: "captrace test", Mode: "audit", Enter: "main",
		Command: []string{"/src/<b>prog", `<img src=x onerror="alert(2)">`},
		Summary: Summary{Violations: 1, Groups: 1, Processes: 1},
		Groups: []Group{{
			Fingerprint: "f00", Syscall: "openat", Errno: "ECAPMODE", Kind: "global-namespace",
			Reason: "reason <i>here</i>", Hint: "hint & <u>more</u>", Count: 1, Pids: []int{7},
			Site:    Site{Function: frame.Function, File: frame.File, Line: 3, Module: frame.Module},
			Example: Example{Pid: 7, Tid: 7, Args: []string{"AT_FDCWD", `"/tmp/<script>alert(3)</script>"`, "O_RDONLY"}, Stack: []StackFrame{frame}},
		}},
	}
}

func TestHTMLEscapesEveryProgramString(t *testing.T) {
	src := mapSources{"/src/<script>x</script>.c": {"int a;", "/* </pre><script>alert(4)</script> */", "open(\"<x>\");"}}
	page := renderHTML(t, markupReport(), Options{Sources: src})
	// The page's own script is the only element: every tag the program
	// wrote is text.
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script elements in the page, want only its own", n)
	}
	for _, raw := range []string{"<img", "<b>prog", "<i>", "<u>", "</pre><"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page has the program's %q unescaped", raw)
		}
	}
	for _, text := range []string{"/tmp/&lt;script&gt;alert(3)&lt;/script&gt;", "hint &amp; &lt;u&gt;more&lt;/u&gt;", "load&lt;script&gt;"} {
		if !strings.Contains(page, text) {
			t.Errorf("the page does not show %q as text", text)
		}
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderHTML(t, fixtureReport(t), Options{Sources: fixtureSources(t)})
	for _, ref := range []string{"http://", "https://", "<link", " src=", "@import", "url("} {
		if strings.Contains(page, ref) {
			t.Errorf("the page refers to something outside it: %q", ref)
		}
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<style>") || !strings.Contains(page, "</html>") {
		t.Error("not a whole HTML document with its style inline")
	}
}

func TestHTMLSourceExcerpt(t *testing.T) {
	r := fixtureReport(t)
	page := renderHTML(t, r, Options{Sources: fixtureSources(t)})
	// load_config's open is on line 13 of prog.c.
	want := `<span class="src hl" data-line="13"><span class="ln">13</span>    fd = open(path, O_RDONLY);</span>`
	if !strings.Contains(page, want) {
		t.Errorf("no highlighted line 13 in the page; want %s", want)
	}
	if n := strings.Count(page, `class="src hl"`); n != countWithLines(r) {
		t.Errorf("%d highlighted lines, want one per group with a line (%d)", n, countWithLines(r))
	}

	// No file: the page says so, in place of the excerpt.
	page = renderHTML(t, r, Options{Sources: mapSources{}})
	if !strings.Contains(page, "Source not shown: testdata/src/prog.c: no such file on this machine.") {
		t.Error("a missing source file is not named plainly")
	}
	page = renderHTML(t, r, Options{})
	if !strings.Contains(page, "Source was not read for this report.") {
		t.Error("a page without a source reader does not say so")
	}
}

func countWithLines(r *Report) int {
	n := 0
	for _, g := range r.Groups {
		if g.Site.File != "" && g.Site.Line > 0 {
			n++
		}
	}
	return n
}

func TestHTMLBaseline(t *testing.T) {
	r := fixtureReport(t)
	base := *r
	base.Groups = r.Groups[1:]
	page := renderHTML(t, r, Options{Baseline: &base})
	if !strings.Contains(page, `<dd id="new-count" class="is-new">1</dd>`) {
		t.Error("the header does not count one new group")
	}
	if n := strings.Count(page, " data-new>"); n != 1 {
		t.Errorf("%d groups marked new, want 1", n)
	}
	if page := renderHTML(t, r, Options{}); strings.Contains(page, `id="new-count"`) || strings.Contains(page, " data-new>") {
		t.Error("without a baseline, nothing is new")
	}
}

func TestHTMLEmptyReport(t *testing.T) {
	page := renderHTML(t, &Report{Schema: Schema, Command: []string{"true"}}, Options{})
	if !strings.Contains(page, `id="no-violations"`) || strings.Contains(page, `id="tree"`) {
		t.Error("an empty report does not say there is nothing")
	}
}

// The icicle's geometry: every node is as wide as its share, children sit
// inside their parent, and a group's site lies in the pre-order range of
// every frame its stack passes through.
func TestHTMLTree(t *testing.T) {
	r := fixtureReport(t)
	p := newHTMLPage(r, Options{})
	nodes := p.Tree.Nodes
	if nodes[0].Count != r.Summary.Violations || nodes[0].Pre != 0 || nodes[0].Last != len(nodes)-1 {
		t.Fatalf("root %+v: want all %d violations and every node beneath", nodes[0], r.Summary.Violations)
	}
	byName := map[string]htmlNode{}
	for i, n := range nodes {
		if n.Pre != i {
			t.Errorf("node %d numbered %d", i, n.Pre)
		}
		if !strings.Contains(string(n.Style), "width:"+percent(n.Count, nodes[0].Count)) {
			t.Errorf("node %s (%d of %d) style %q", n.Name, n.Count, nodes[0].Count, n.Style)
		}
		byName[n.Name] = n
	}
	// main holds every violation of the program's own code: all but none.
	if m := byName["main"]; m.Count != r.Summary.Violations {
		t.Errorf("main counts %d, want %d", m.Count, r.Summary.Violations)
	}
	lc := byName["load_config"]
	for _, g := range p.Groups {
		in := g.Leaf >= lc.Pre && g.Leaf <= lc.Last
		if in != (g.Site.Function == "load_config") {
			t.Errorf("group at %s: in load_config's subtree = %v", g.Site.Function, in)
		}
	}
	if lc.Count != 5 || !strings.Contains(lc.Title, "5 violations") {
		t.Errorf("load_config node %+v: want 5 violations, in its hover text too", lc)
	}
	// Inlined frames are frames of their own in the tree.
	if _, ok := byName["stop_parent"]; !ok {
		t.Error("the inlined stop_parent has no node")
	}
}

func TestHTMLStackMarks(t *testing.T) {
	r := markupReport()
	g := &r.Groups[0]
	g.Example.Stack = []StackFrame{
		{PC: "0x7f01", Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Function: "__open"},
		{PC: "0x4010", Module: "/src/prog", Function: "helper", File: "/src/a.c", Line: 4, Inlined: true},
		g.Example.Stack[0],
		{PC: "0x4020", Module: "/src/prog", Function: "caller", File: "/src/a.c", Line: 9, TailCall: true},
	}
	page := renderHTML(t, r, Options{})
	for _, want := range []string{
		`<li class="frame sys"><code class="pc">0x7f01</code>`,
		`<span class="fn">helper</span> <span class="loc">/src/a.c:4</span> <span class="tag inl"`,
		`<li class="frame site">`,
		`<span class="fn">caller</span> <span class="loc">/src/a.c:9</span> <span class="tag tail"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("stack: no %s", want)
		}
	}
}

func TestHTMLWriteError(t *testing.T) {
	if err := WriteHTML(failingWriter{}, fixtureReport(t), Options{}); err == nil {
		t.Error("a failing writer gave no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
