package report

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func workDir() string {
	d, _ := os.Getwd()
	return d
}

// The CI gate's policies (--fail-on).
const (
	// FailNever never fails the run (the default without a baseline).
	FailNever = "never"
	// FailNew fails when a group is not in the baseline (the default with
	// one).
	FailNew = "new"
	// FailAny fails on any violation, baseline or not.
	FailAny = "any"
)

// GateExitStatus is captrace's exit status when the gate fails; it
// replaces the traced program's own status.
const GateExitStatus = 3

// ParseFailOn checks a --fail-on value; "" picks the default, which
// depends on whether there is a baseline.
func ParseFailOn(s string, haveBaseline bool) (string, error) {
	switch s {
	case FailNew:
		if !haveBaseline {
			// Without a baseline every group is new: that is "any", and
			// more likely a forgotten --baseline.
			return "", fmt.Errorf("--fail-on=new needs --baseline (or use --fail-on=any)")
		}
		return s, nil
	case FailNever, FailAny:
		return s, nil
	case "":
		if haveBaseline {
			return FailNew, nil
		}
		return FailNever, nil
	}
	return "", fmt.Errorf("--fail-on=%s: want never, new or any", s)
}

// GateFails applies the policy to current against baseline (nil: none) and
// tells w why it failed: each offending group with its site and example
// stack, so the CI log alone is enough to find the code. Groups of the
// baseline that no longer occur are mentioned, since the baseline can
// then be tightened.
// An unknown policy never fails (ParseFailOn rejects it at the flag).
func GateFails(w io.Writer, baseline, current *Report, failOn string) (failed bool) {
	newGroups, fixed := Compare(baseline, current)
	switch failOn {
	case FailAny:
		if len(current.Groups) > 0 {
			fmt.Fprintf(w, "captrace: gate failed (--fail-on=any): %s\n", plural(len(current.Groups), "violation group"))
			writeGroups(w, current.Groups)
			failed = true
		}
	case FailNew:
		if len(newGroups) > 0 {
			fmt.Fprintf(w, "captrace: gate failed: %s not in the baseline\n", plural(len(newGroups), "new violation group"))
			writeGroups(w, newGroups)
			failed = true
		}
	}
	if baseline != nil && len(fixed) > 0 {
		verb := "occur"
		if len(fixed) == 1 {
			verb = "occurs"
		}
		fmt.Fprintf(w, "captrace: %s of the baseline no longer %s; re-run with -o to update it\n", plural(len(fixed), "group"), verb)
	}
	return failed
}

// WriteDiff prints what is new in current and what was fixed since old,
// and returns the number of new groups.
func WriteDiff(w io.Writer, old, current *Report) int {
	newGroups, fixed := Compare(old, current)
	if len(newGroups) == 0 && len(fixed) == 0 {
		fmt.Fprintln(w, "no change: the same violation groups")
		return 0
	}
	if len(newGroups) > 0 {
		fmt.Fprintf(w, "new: %s\n", plural(len(newGroups), "group"))
		writeGroups(w, newGroups)
	}
	if len(fixed) > 0 {
		if len(newGroups) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "fixed: %s\n", plural(len(fixed), "group"))
		for _, g := range fixed {
			fmt.Fprintf(w, "  - %s %s at %s [%s]\n", displayText(g.Syscall), displayText(g.Errno), siteText(g.Site, workDir()), displayText(g.Fingerprint))
		}
	}
	return len(newGroups)
}

func writeGroups(w io.Writer, groups []Group) {
	for _, g := range groups {
		var b strings.Builder
		fmt.Fprintf(&b, "  + %s %s at %s (%s) [%s]\n", displayText(g.Syscall), displayText(g.Errno), siteText(g.Site, workDir()), plural(g.Count, "time"), displayText(g.Fingerprint))
		if g.Hint != "" {
			fmt.Fprintf(&b, "      hint: %s\n", displayText(g.Hint))
		}
		writeStack(&b, g, "    ", false)
		io.WriteString(w, b.String())
	}
}
