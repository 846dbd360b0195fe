package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/captrace/captrace/symbolize"
)

// The page is one file: the template inlines the style sheet and the
// script, so it opens from disk with no network and no other file.
//
//go:embed html/page.html.tmpl html/page.css html/page.js
var htmlFiles embed.FS

// The template is parsed at the first page, not at package
// initialisation: every run of captrace links this package, and parsing
// it at start-up cost every traced program's start (docs/performance.md).
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page.html.tmpl").ParseFS(htmlFiles, "html/page.html.tmpl"))
})

// htmlStyle and htmlScript are the page's own files, embedded at build
// time: trusted text, never built from report data.
var htmlStyle = sync.OnceValue(func() string { return mustRead("html/page.css") })
var htmlScript = sync.OnceValue(func() string { return mustRead("html/page.js") })

func mustRead(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic(err) // the file is embedded: only a broken build gets here
	}
	return string(b)
}

// SourceExcerpts gives the HTML report the source lines around a site:
// lines[0] is line first of file. The error, shown in place of the
// excerpt, says in a few words why there is none ("no such file").
type SourceExcerpts interface {
	Excerpt(file string, line int) (first int, lines []string, err error)
}

// WriteHTML renders the report as one self-contained page: a header, the
// groups (sortable, filterable, each with its source excerpt and stack),
// and an icicle of all violations by stack. Every string from the traced
// program goes through html/template's contextual escaping.
func WriteHTML(w io.Writer, r *Report, opts Options) error {
	return htmlTemplate().Execute(w, newHTMLPage(r, opts))
}

type htmlPage struct {
	Program     string
	CommandLine string
	R           *Report
	Date        string
	Exit        string
	ByErrno     []htmlTotal
	ByKind      []htmlTotal
	Baseline    bool
	New, Fixed  int
	Groups      []htmlGroup
	Tree        htmlTree
	Style       template.CSS
	Script      template.JS
}

type htmlTotal struct {
	Name  string
	Count int
}

type htmlGroup struct {
	Group
	ID       string
	Index    int
	New      bool
	Leaf     int    // pre-order number of the group's site in the tree
	Search   string // what the filter box matches, lower case
	Location string // file:line, or the address in code without lines
	Module   string // base name
	Arg      string // the example argument the row shows
	Call     string // syscall(args)
	Excerpt  []htmlSourceLine
	NoSource string // why there is no excerpt
	Stack    []htmlFrame
	Pids     string
}

type htmlSourceLine struct {
	N    int
	Text string
	Site bool
}

type htmlFrame struct {
	StackFrame
	Name   string
	Where  string
	System bool
	Site   bool
}

func newHTMLPage(r *Report, opts Options) *htmlPage {
	dir := opts.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	p := &htmlPage{
		R:           r,
		CommandLine: shellQuote(r.Command),
		Date:        displayDate(r.Date),
		Exit:        exitText(r.ExitStatus),
		Style:       template.CSS(htmlStyle()),
		Script:      template.JS(htmlScript()),
	}
	if len(r.Command) > 0 {
		p.Program = filepath.Base(r.Command[0])
	}
	groups := slices.Clone(r.Groups)
	SortGroups(groups)

	isNew := map[string]bool{}
	if opts.Baseline != nil {
		newGroups, fixed := Compare(opts.Baseline, r)
		p.Baseline, p.New, p.Fixed = true, len(newGroups), len(fixed)
		for _, g := range newGroups {
			isNew[g.Fingerprint] = true
		}
	}

	byErrno, byKind := map[string]int{}, map[string]int{}
	tree := newStackTree()
	p.Groups = make([]htmlGroup, len(groups))
	for i, g := range groups {
		byErrno[g.Errno] += g.Count
		byKind[g.Kind] += g.Count
		hg := htmlGroup{
			Group:  g,
			ID:     "g" + strconv.Itoa(i+1),
			Index:  i,
			New:    isNew[g.Fingerprint],
			Module: filepath.Base(g.Site.Module),
			Arg:    exampleArg(g.Example.Args),
			Call:   g.Syscall + "(" + strings.Join(g.Example.Args, ", ") + ")",
			Pids:   joinInts(g.Pids),
		}
		// The program's own module goes without saying; a library's does
		// not.
		if g.Site.Module == "" || hg.Module == p.Program {
			hg.Module = ""
		}
		hg.Location = siteLocation(g.Site, dir)
		hg.Search = searchText(g)
		hg.Stack = htmlStack(g)
		hg.Excerpt, hg.NoSource = excerpt(opts.Sources, g.Site)
		hg.Leaf = tree.add(treePath(g), g.Count)
		p.Groups[i] = hg
	}
	p.ByErrno, p.ByKind = totals(byErrno), totals(byKind)
	p.Tree = tree.layout(p.Program)
	// Leaves were numbered as they were added; the layout numbers nodes in
	// pre-order, which is what lets the page test "in this subtree" as a
	// range.
	for i := range p.Groups {
		p.Groups[i].Leaf = tree.preorder[p.Groups[i].Leaf]
	}
	return p
}

func totals(m map[string]int) []htmlTotal {
	var out []htmlTotal
	for name, n := range m {
		if name == "" {
			name = "unknown"
		}
		out = append(out, htmlTotal{name, n})
	}
	slices.SortFunc(out, func(a, b htmlTotal) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// siteLocation is "file:line", or the call's address in code without
// lines.
func siteLocation(s Site, dir string) string {
	switch {
	case s.File != "" && s.Line > 0:
		return displayPath(s.File, dir) + ":" + strconv.Itoa(s.Line)
	case s.Address != "":
		return s.Address
	}
	return ""
}

// searchText is what the filter box looks in: the site's function and
// file, the path arguments, and the syscall.
func searchText(g Group) string {
	parts := []string{g.Site.Function, g.Site.File, g.Syscall}
	for _, a := range g.Example.Args {
		if strings.HasPrefix(a, `"`) {
			a = strings.TrimSuffix(a, "...") // a path cut short by the decoder
			if p, err := strconv.Unquote(a); err == nil {
				a = p
			}
			parts = append(parts, strings.Trim(a, `"`))
		}
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

func htmlStack(g Group) []htmlFrame {
	out := make([]htmlFrame, len(g.Example.Stack))
	marked := false
	for i, f := range g.Example.Stack {
		hf := htmlFrame{StackFrame: f, Name: frameName(f), System: isSystemStackFrame(f)}
		if f.File != "" && f.Line > 0 {
			hf.Where = f.File + ":" + strconv.Itoa(f.Line)
		} else if f.Module != "" {
			hf.Where = f.Module
		}
		if !marked && isSiteFrame(f, g.Site) {
			hf.Site, marked = true, true
		}
		out[i] = hf
	}
	return out
}

func isSystemStackFrame(f StackFrame) bool {
	return IsSystemFrame(symbolize.Frame{Module: f.Module, Function: f.Function, File: f.File, Line: f.Line})
}

func frameName(f StackFrame) string {
	if f.Function != "" {
		return f.Function
	}
	if f.Module != "" {
		return filepath.Base(f.Module) + "@" + f.PC
	}
	return f.PC
}

func excerpt(src SourceExcerpts, s Site) ([]htmlSourceLine, string) {
	switch {
	case s.File == "" || s.Line <= 0:
		return nil, "No source line: the site is in code without line information."
	case src == nil:
		return nil, "Source was not read for this report."
	}
	first, lines, err := src.Excerpt(s.File, s.Line)
	if err != nil {
		return nil, "Source not shown: " + err.Error() + "."
	}
	out := make([]htmlSourceLine, len(lines))
	for i, l := range lines {
		n := first + i
		out[i] = htmlSourceLine{N: n, Text: strings.ReplaceAll(l, "\t", "    "), Site: n == s.Line}
	}
	return out, ""
}

func displayDate(s string) string {
	if s == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func exitText(status int) string {
	if status > 128 && status < 128+65 {
		return fmt.Sprintf("%d (killed by signal %d)", status, status-128)
	}
	return strconv.Itoa(status)
}

var shellSafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`) })

// shellQuote joins a command line so that it can be pasted into a shell.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if shellSafe().MatchString(a) {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
