package capmode

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// PolicyEntry is one row of `captrace policy --format=json`.
type PolicyEntry struct {
	Nr      int    `json:"nr"`
	Name    string `json:"name"`
	Verdict string `json:"verdict"` // "allow", "ECAPMODE", or the argument rule
	Kind    Kind   `json:"kind,omitempty"`
	FreeBSD string `json:"freebsd,omitempty"`
	Reason  string `json:"reason"`
	Hint    string `json:"hint,omitempty"`
}

// Policy is the document `captrace policy --format=json` prints.
type Policy struct {
	Schema  string        `json:"schema"`
	OS      string        `json:"os"`
	Entries []PolicyEntry `json:"entries"`
}

// PolicySchema names the JSON layout of Policy.
const PolicySchema = "captrace/policy/v1"

// verdictText is an entry's decision in one word.
func (e *Entry) verdictText() string {
	switch e.Rule {
	case RuleAllow:
		return "allow"
	case RuleDeny:
		return e.Outcome.Errno()
	}
	return string(e.Rule)
}

// WritePolicy prints the table for `captrace policy`: format "text" (an
// aligned table), "json" (Policy) or "markdown" (the table of
// docs/linux-emulation.md).
func WritePolicy(w io.Writer, t *Table, format string) error {
	switch format {
	case "", "text":
		return writePolicyText(w, t)
	case "json":
		return writePolicyJSON(w, t)
	case "markdown", "md":
		return writePolicyMarkdown(w, t)
	}
	return fmt.Errorf("unknown policy format %q (want text, json or markdown)", format)
}

func writePolicyText(w io.Writer, t *Table) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "SYSCALL\tNR\tVERDICT\tFREEBSD\tREASON\n")
	for i := range t.Entries {
		e := &t.Entries[i]
		fb := e.FreeBSD
		if fb == "" {
			fb = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", e.Name, e.Nr, e.verdictText(), fb, e.Reason)
	}
	return tw.Flush()
}

func writePolicyJSON(w io.Writer, t *Table) error {
	p := Policy{Schema: PolicySchema, OS: t.OS, Entries: make([]PolicyEntry, 0, len(t.Entries))}
	for i := range t.Entries {
		e := &t.Entries[i]
		pe := PolicyEntry{Nr: e.Nr, Name: e.Name, Verdict: e.verdictText(), FreeBSD: e.FreeBSD,
			Reason: e.Reason}
		if e.Rule != RuleAllow {
			pe.Kind, pe.Hint = e.Kind, e.Hint
		}
		p.Entries = append(p.Entries, pe)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

func writePolicyMarkdown(w io.Writer, t *Table) error {
	var b strings.Builder
	b.WriteString("| syscall | nr | verdict | FreeBSD | reason |\n")
	b.WriteString("|---|---:|---|---|---|\n")
	for i := range t.Entries {
		e := &t.Entries[i]
		fb := "—"
		if e.FreeBSD != "" {
			fb = "`" + e.FreeBSD + "`"
		}
		b.WriteString("| `" + e.Name + "` | " + strconv.Itoa(e.Nr) + " | " + e.verdictText() +
			" | " + fb + " | " + strings.ReplaceAll(e.Reason, "|", `\|`) + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Only is the table restricted to the named syscalls, in the order given,
// for `captrace policy NAME...`; an unknown name is an error.
func (t *Table) Only(names []string) (*Table, error) {
	sub := &Table{OS: t.OS}
	for _, n := range names {
		e, ok := t.ByName(n)
		if !ok {
			return nil, fmt.Errorf("no syscall %q in the %s table", n, t.OS)
		}
		sub.Entries = append(sub.Entries, e)
	}
	return sub, nil
}

// WriteExplanation prints each entry of t in full, reason and remedy
// included: the answer to "why was this call refused, and what now?".
func WriteExplanation(w io.Writer, t *Table) error {
	for i := range t.Entries {
		e := &t.Entries[i]
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s syscall %d): %s\n", e.Name, t.OS, e.Nr, e.verdictText())
		if e.FreeBSD != "" {
			fmt.Fprintf(w, "  FreeBSD counterpart: %s\n", e.FreeBSD)
		}
		if e.Rule != RuleAllow && e.Kind != "" {
			fmt.Fprintf(w, "  kind:   %s\n", e.Kind)
		}
		fmt.Fprintf(w, "  reason: %s\n", e.Reason)
		if e.Rule != RuleAllow && e.Hint != "" {
			fmt.Fprintf(w, "  hint:   %s\n", e.Hint)
		}
	}
	return nil
}
