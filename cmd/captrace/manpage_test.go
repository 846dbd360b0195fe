package main

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// manPage is captrace.1 at the top of the repository.
func manPage(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "captrace.1"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestManPageListsEveryFlag keeps captrace.1 honest: each flag of a
// tracing run has its own entry in the options list (.It Fl NAME), the
// list has no entry for a flag that is gone, and each flag of the other
// commands is named somewhere in the page.
func TestManPageListsEveryFlag(t *testing.T) {
	page := manPage(t)
	entries := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(page))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), ".It Fl "); ok {
			name := strings.TrimLeft(strings.Fields(rest)[0], "-")
			entries[name] = true
		}
	}
	var trace []string
	traceFlagSet(&traceFlagValues{}).VisitAll(func(f *flag.Flag) { trace = append(trace, f.Name) })
	for _, name := range trace {
		if !entries[name] {
			t.Errorf("captrace.1 has no .It entry for the flag %s", dashes(name))
		}
		delete(entries, name)
	}
	var stale []string
	for name := range entries {
		stale = append(stale, dashes(name))
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("captrace.1 documents flags captrace does not have: %v", stale)
	}
	for _, c := range commands()[1:] {
		if !strings.Contains(page, ".It Cm "+c.name) {
			t.Errorf("captrace.1 has no entry for the command %s", c.name)
		}
		if c.flags == nil {
			continue
		}
		c.flags().VisitAll(func(f *flag.Flag) {
			mdoc := "Fl " + f.Name
			if len(f.Name) > 1 {
				mdoc = "Fl -" + f.Name
			}
			if !strings.Contains(page, mdoc) {
				t.Errorf("captrace.1 never names %s of captrace %s", dashes(f.Name), c.name)
			}
		})
	}
}

func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
