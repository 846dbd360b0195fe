package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/captrace/captrace/tracer"
)

// The help of each command is generated from its flag set: every flag's
// usage string is its help line, and a `backquoted` word in it names the
// flag's value (flag.UnquoteUsage). Nothing here lists flags by hand.

// commandHelp is what `captrace help COMMAND` and `COMMAND -h` print.
type commandHelp struct {
	name     string
	synopsis string // after "usage: "
	about    string
	flags    func() *flag.FlagSet // nil: no flags
	footer   string
}

const exitStatusHelp = `exit status: the program's own (128+N if killed by signal N); 3 when the
gate fails; 2 usage; 125 captrace failure; 126 not executable; 127 not found.`

// commands lists every command's help, the tracing run first.
func commands() []commandHelp {
	return []commandHelp{
		{
			name:     "captrace",
			synopsis: traceSynopsis,
			about: `Runs PROGRAM and reports every syscall that would fail in Capsicum
capability mode, grouped by call site.

commands:
  report   re-render a saved JSON report
  diff     what is new in a report, and what was fixed
  policy   the capability-mode rules captrace applies
  help     this text, or a command's ('captrace help report')
  version  captrace's version`,
			flags:  func() *flag.FlagSet { return traceFlagSet(&traceFlagValues{}) },
			footer: exitStatusHelp,
		},
		{
			name:     "report",
			synopsis: "captrace report [flags] FILE.json",
			about:    "Renders a JSON report saved with -o FILE.json again: as text, JSON, SARIF\nor one HTML page.",
			flags:    func() *flag.FlagSet { return reportFlagSet(new(string), new(string), new(string), new(bool)) },
		},
		{
			name:     "diff",
			synopsis: diffSynopsis,
			about: `Prints the violation groups of NEW that are not in OLD, and those of OLD
that NEW no longer has; groups are matched by fingerprint.`,
			footer: "exit status: 3 when something is new, else 0; 2 usage; 125 unreadable report.",
		},
		{
			name:     "policy",
			synopsis: policySynopsis,
			about: `Prints every syscall's verdict in capability mode, or, with names, each
named entry explained in full.`,
			flags: func() *flag.FlagSet { return policyFlagSet(new(string), new(string)) },
		},
		{
			name:     "help",
			synopsis: "captrace help [COMMAND]",
			about:    "Prints captrace's usage, or COMMAND's.",
		},
		{
			name:     "version",
			synopsis: "captrace version",
			about:    "Prints captrace's version and platform.",
		},
	}
}

func findCommand(name string) (commandHelp, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return commandHelp{}, false
}

// writeHelp prints a command's usage, description and flags.
func writeHelp(w io.Writer, c commandHelp) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.synopsis, c.about)
	if c.flags != nil {
		fmt.Fprintf(w, "\nflags:\n")
		writeFlags(w, c.flags())
	}
	if c.footer != "" {
		fmt.Fprintf(w, "\n%s\n", c.footer)
	}
}

const (
	flagColumn = 26 // where help text starts
	lineWidth  = 79
)

// writeFlags prints each flag of fs as "  --name=VALUE  usage", in
// alphabetical order, wrapped to lineWidth.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	var all []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { all = append(all, f) })
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, f := range all {
		left := "  " + flagSyntax(f)
		_, usage := flag.UnquoteUsage(f)
		if def := defaultText(f); def != "" {
			usage += " (default " + def + ")"
		}
		lines := wrap(usage, lineWidth-flagColumn)
		if len(left) >= flagColumn-1 {
			fmt.Fprintln(w, left)
		} else {
			fmt.Fprintf(w, "%-*s%s\n", flagColumn, left, lines[0])
			lines = lines[1:]
		}
		for _, l := range lines {
			fmt.Fprintf(w, "%*s%s\n", flagColumn, "", l)
		}
	}
}

// flagSyntax is how the flag is written: "-v", "-o FILE", "--depth=N".
func flagSyntax(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	dash := "--"
	if len(f.Name) == 1 {
		dash = "-"
	}
	switch {
	case name == "":
		return dash + f.Name
	case len(f.Name) == 1:
		return dash + f.Name + " " + name
	}
	return dash + f.Name + "=" + name
}

// defaultText is a flag's default worth showing: not empty, false or 0.
func defaultText(f *flag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "[]":
		return ""
	}
	return f.DefValue
}

func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// runHelp is `captrace help [COMMAND]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		c, _ := findCommand("captrace")
		writeHelp(stdout, c)
		return 0
	case 1:
		if c, ok := findCommand(args[0]); ok {
			writeHelp(stdout, c)
			return 0
		}
		var names []string
		for _, c := range commands()[1:] {
			names = append(names, c.name)
		}
		fmt.Fprintf(stderr, "captrace help: no command %q (commands: %s)\n", args[0], strings.Join(names, ", "))
		return tracer.StatusUsage
	}
	fmt.Fprintln(stderr, "captrace help: want at most one command\nusage: captrace help [COMMAND]")
	return tracer.StatusUsage
}
