package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/olekukonko/tablewriter"
)

// ColorMode says whether the text report uses ANSI colors.
type ColorMode int

const (
	// ColorAuto colors only a terminal, and only when NO_COLOR is unset or
	// empty (https://no-color.org).
	ColorAuto ColorMode = iota
	ColorNever
	ColorAlways
)

// Options shape the rendered report.
type Options struct {
	// Verbose adds each group's reason and example stack after the table.
	Verbose bool
	Color   ColorMode
	// Dir is the directory site files are shown relative to ("" = the
	// working directory). A file outside it is shown by its base name, to
	// keep the table narrow; the JSON report has the full path.
	Dir string
	// Sources gives the HTML report the source lines around each site
	// (nil: the page says no source was read). The writer reads no file
	// itself: the caller chooses where source comes from.
	Sources SourceExcerpts
	// Baseline, when set, lets the HTML report mark the groups that are
	// not in it (as --fail-on=new counts them).
	Baseline *Report
}

const (
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiCyan  = "\x1b[36m"
	ansiDim   = "\x1b[2m"
	ansiReset = "\x1b[0m"
)

// useColor decides ColorAuto for w: colors only for a terminal (not for
// /dev/null, a pipe or a file).
func useColor(w io.Writer, mode ColorMode) bool {
	switch mode {
	case ColorNever:
		return false
	case ColorAlways:
		return true
	}
	if os.Getenv("NO_COLOR") != "" { // no-color.org: set and not empty
		return false
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

// WriteText renders the report as a table, one row per group, most
// frequent first, and a summary line.
func WriteText(w io.Writer, r *Report, opts Options) error {
	p := painter(useColor(w, opts.Color))
	dir := opts.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	groups := append([]Group(nil), r.Groups...)
	SortGroups(groups)

	if len(groups) > 0 {
		tb := &trimmedLines{w: w}
		t := newTable(tb)
		t.SetHeader([]string{p.paint(ansiBold, "COUNT"), p.paint(ansiBold, "SYSCALL"), p.paint(ansiBold, "ERRNO"),
			p.paint(ansiBold, "SITE"), p.paint(ansiBold, "EXAMPLE"), p.paint(ansiBold, "HINT")})
		for _, g := range groups {
			t.Append([]string{
				strconv.Itoa(g.Count),
				displayText(g.Syscall),
				p.paint(ansiRed, displayText(g.Errno)),
				p.paint(ansiCyan, siteText(Site{Function: shortFunction(g.Site.Function), File: g.Site.File, Line: g.Site.Line, Module: g.Site.Module, Address: g.Site.Address}, dir)),
				exampleArg(g.Example.Args),
				displayText(g.Hint),
			})
		}
		t.Render() // its write errors reach tb, which flush reports
		if err := tb.flush(); err != nil {
			return err
		}
		if err := writeSiteNotes(w, groups); err != nil {
			return err
		}
	}
	if where := r.EnterReachedText(); opts.Verbose && where != "" {
		if _, err := fmt.Fprintf(w, "enter point: %s\n", displayText(where)); err != nil {
			return err
		}
	}
	if opts.Verbose && len(groups) > 0 {
		for i, g := range groups {
			if err := writeGroupDetail(w, i+1, g, dir, p); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, SummaryLine(r.Summary))
	return err
}

// columnGap separates the table's columns.
const columnGap = "  "

// newTable is the report's table: left-aligned columns two spaces apart
// under a plain header, no borders or rules, cells never wrapped (a path or
// a hint is read whole). tablewriter v0.0.5, not v1: the same text, but
// v1.0.9's dependencies (rivo/uniseg, olekukonko/errors and ll,
// fatih/color) cost every start-up about 0.3 ms more package
// initialisation and 0.4-0.5 ms more CPU, and v1.1's width cache far more
// (issue 15; docs/performance.md, "Package initialisation").
func newTable(w io.Writer) *tablewriter.Table {
	t := tablewriter.NewWriter(w)
	t.SetBorder(false)
	t.SetHeaderLine(false)
	t.SetAutoFormatHeaders(false)
	t.SetAutoWrapText(false)
	t.SetAlignment(tablewriter.ALIGN_LEFT)
	t.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
	t.SetNoWhiteSpace(true)
	t.SetTablePadding(columnGap)
	return t
}

// trimmedLines drops the blanks at the end of each line: tablewriter pads
// every cell to its column's width, the last column's too, and trailing
// blanks make the report diff and copy badly.
type trimmedLines struct {
	w       io.Writer
	pending []byte // the current line, not yet ended
	err     error
}

func (t *trimmedLines) Write(p []byte) (int, error) {
	for _, c := range p {
		if c != '\n' {
			t.pending = append(t.pending, c)
			continue
		}
		t.pending = append(bytesTrimRight(t.pending), '\n')
		if _, err := t.w.Write(t.pending); err != nil && t.err == nil {
			t.err = err
		}
		t.pending = t.pending[:0]
	}
	return len(p), nil
}

// flush writes a last line without a newline, and reports the first error.
func (t *trimmedLines) flush() error {
	if line := bytesTrimRight(t.pending); len(line) > 0 && t.err == nil {
		_, t.err = t.w.Write(line)
	}
	t.pending = t.pending[:0]
	return t.err
}

func bytesTrimRight(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// SummaryLine is the report in one line: "34 violations in 5 groups from 1
// process", or "no capability-mode violations".
func SummaryLine(s Summary) string {
	if s.Violations == 0 {
		return "no capability-mode violations"
	}
	return fmt.Sprintf("%s in %s from %s", plural(s.Violations, "violation"), plural(s.Groups, "group"), plural(s.Processes, "process"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// siteText is "function  file:line", or "function  module+0xoff" for code
// without lines, printable (displayText).
func siteText(s Site, dir string) string {
	return displayText(rawSiteText(s, dir))
}

func rawSiteText(s Site, dir string) string {
	fn := s.Function
	if fn == "" {
		fn = "??"
	}
	switch {
	case s.File != "" && s.Line > 0:
		return fn + "  " + displayPath(s.File, dir) + ":" + strconv.Itoa(s.Line)
	case s.Address != "":
		return fn + "  " + s.Address
	case s.Module != "":
		return fn + "  " + filepath.Base(s.Module)
	}
	return fn
}

func displayPath(file, dir string) string {
	if dir != "" && filepath.IsAbs(file) {
		if rel, err := filepath.Rel(dir, file); err == nil && filepath.IsLocal(rel) {
			return rel
		}
		return filepath.Base(file)
	}
	if filepath.IsAbs(file) {
		return filepath.Base(file)
	}
	return file
}

// maxExampleWidth keeps one long argument from pushing the hint off the
// screen.
const maxExampleWidth = 48

// exampleArg shows the path argument when there is one (what a porter
// recognises), else the first arguments.
func exampleArg(args []string) string {
	s := ""
	for _, a := range args {
		if strings.HasPrefix(a, `"`) {
			s = a
			break
		}
	}
	for _, a := range args {
		// A socket address is what connect and sendto are refused for.
		if s == "" && strings.HasPrefix(a, "{sa_family=") {
			s = a
		}
	}
	if s == "" {
		s = strings.Join(args[:min(len(args), 3)], ", ")
	}
	s = displayText(s)
	if r := []rune(s); len(r) > maxExampleWidth {
		s = string(r[:maxExampleWidth-3]) + "..."
	}
	return s
}

func writeGroupDetail(w io.Writer, n int, g Group, dir string, p painter) error {
	var b strings.Builder
	pids := "pid "
	if len(g.Pids) > 1 {
		pids = "pids "
	}
	fmt.Fprintf(&b, "\n#%d %s %s at %s: %s, %s%s\n", n, displayText(g.Syscall), p.paint(ansiRed, displayText(g.Errno)),
		p.paint(ansiCyan, siteText(g.Site, dir)), plural(g.Count, "time"), pids, joinInts(g.Pids))
	fmt.Fprintf(&b, "   %s(%s)\n", displayText(g.Syscall), displayText(strings.Join(g.Example.Args, ", ")))
	if g.Reason != "" {
		fmt.Fprintf(&b, "   reason: %s\n", displayText(g.Reason))
	}
	if g.Hint != "" {
		fmt.Fprintf(&b, "   hint:   %s\n", displayText(g.Hint))
	}
	fmt.Fprintf(&b, "   fingerprint %s\n", p.paint(ansiDim, displayText(g.Fingerprint)))
	writeStack(&b, g, "   ", p)
	if g.Site.Note != "" {
		fmt.Fprintf(&b, "   note:   %s\n", displayText(g.Site.Note))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeStack prints the example stack innermost first, marking the site.
func writeStack(b *strings.Builder, g Group, indent string, p painter) {
	marked := false
	for _, f := range g.Example.Stack {
		mark := "  "
		if !marked && isSiteFrame(f, g.Site) {
			mark, marked = "> ", true
		}
		fn := f.Function
		if fn == "" {
			fn = "??"
		}
		where := ""
		if f.Module != "" {
			where = filepath.Base(f.Module)
		}
		if f.File != "" && f.Line > 0 {
			where = f.File + ":" + strconv.Itoa(f.Line)
		}
		inl := ""
		if f.Inlined {
			inl = " (inlined)"
		}
		if f.TailCall {
			inl += " (tail call)"
		}
		line := fmt.Sprintf("%s%s%-18s %s  %s%s", indent, mark, displayText(f.PC), displayText(fn), displayText(where), inl)
		if mark == "> " {
			line = p.paint(ansiBold, line)
		}
		b.WriteString(line + "\n")
	}
}

func isSiteFrame(f StackFrame, s Site) bool {
	return f.Function == s.Function && f.File == s.File && f.Line == s.Line && f.Module == s.Module
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// maxFunctionWidth keeps C++ template instances from widening every row
// of the table; JSON and -v keep the whole name.
const maxFunctionWidth = 60

// shortFunction elides template arguments (<...>) of a long name, then cuts
// its middle: "app::Loader<...>::load<...>".
func shortFunction(fn string) string {
	if len(fn) <= maxFunctionWidth {
		return fn
	}
	var b strings.Builder
	depth := 0
	for _, r := range fn {
		switch {
		case r == '<':
			if depth == 0 {
				b.WriteString("<...>")
			}
			depth++
		case r == '>' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	short := b.String()
	if r := []rune(short); len(r) > maxFunctionWidth {
		half := (maxFunctionWidth - 3) / 2
		short = string(r[:half]) + "..." + string(r[len(r)-half:])
	}
	return short
}
