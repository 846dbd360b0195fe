package main

import (
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestDepthLimitsFramesNotSites: --depth=1 keeps one frame of each
// example stack, yet finds the same sites, groups and fingerprints as the
// full stack: its two calls of open are not merged into one libc group.
func TestDepthLimitsFramesNotSites(t *testing.T) {
	prog := victims.C(t, "stacks/chain", victims.O2)
	full := captrace(t, "--enter=main", prog)
	checkStacks(t, full, chainStacks()...)
	for _, depth := range []string{"--depth=1", "--depth=3"} {
		t.Run(depth, func(t *testing.T) {
			short := captrace(t, "--enter=main", depth, prog)
			if len(short.report.Groups) != len(full.report.Groups) {
				t.Fatalf("%d groups, want %d as without %s", len(short.report.Groups), len(full.report.Groups), depth)
			}
			want := map[string]bool{}
			for _, g := range full.report.Groups {
				want[g.Fingerprint+" "+g.Site.Function+" "+g.Site.File] = true
			}
			for _, g := range short.report.Groups {
				key := g.Fingerprint + " " + g.Site.Function + " " + g.Site.File
				if !want[key] {
					t.Errorf("group %s at %s:%d is not one of the full stack's", g.Fingerprint, g.Site.Function, g.Site.Line)
				}
				n := int(depth[len(depth)-1] - '0')
				if len(g.Example.Stack) != n {
					t.Errorf("%s: example stack has %d frames, want %d", depth, len(g.Example.Stack), n)
				}
			}
		})
	}
}
