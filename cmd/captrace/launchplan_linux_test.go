package main

import (
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// The capability-mode filter goes in at the enter point, by injection:
// the victim prints what /proc says about each of its threads and
// processes. Until then every process runs under the launch filter only
// (one filter, trapping the shim's numbers and untraced clones; the
// start-up set NoNewPrivs for it); the process that reaches cap_enter
// gets a second filter, on every thread (TSYNC) and in children forked
// afterwards, while a child forked before stays as it was.
func TestFilterGoesInAtTheEnterPoint(t *testing.T) {
	launchOnly := "Seccomp:2 Seccomp_filters:1 NoNewPrivs:1"
	capMode := "Seccomp:2 Seccomp_filters:2 NoNewPrivs:1"
	bin := victims.C(t, "enterstate", victims.O2)
	for _, tc := range []struct {
		arg   string
		want  map[string]string
		count int // violations: each state read after cap_enter is one
	}{
		{"enter", map[string]string{
			"main-before": launchOnly, "child-before": launchOnly,
			"main-after": capMode, "thread-after": capMode, "child-after": capMode,
		}, 3},
		{"none", map[string]string{
			"main-before": launchOnly, "child-before": launchOnly,
			"main-after": launchOnly, "thread-after": launchOnly, "child-after": launchOnly,
		}, 0},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			r := captrace(t, "--enter=cap_enter", bin, tc.arg)
			got := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				who, fields, _ := strings.Cut(l, " ")
				f := strings.Fields(fields)
				// Print in a fixed order, whatever order /proc uses.
				order := map[string]string{}
				for _, kv := range f {
					k, _, _ := strings.Cut(kv, ":")
					order[k] = kv
				}
				got[who] = strings.Join([]string{order["Seccomp"], order["Seccomp_filters"], order["NoNewPrivs"]}, " ")
			}
			for who, want := range tc.want {
				if got[who] != want {
					t.Errorf("%s: %q, want %q\nstdout:\n%s\nstderr:\n%s", who, got[who], want, r.stdout, r.stderr)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("stdout has %d lines, want %d:\n%s", len(got), len(tc.want), r.stdout)
			}
			if tc.count == 0 {
				checkGroups(t, r, nil)
				return
			}
			checkGroups(t, r, []wantGroup{{"openat", "ECAPMODE", "state", "enterstate.c", "state_open", tc.count}})
			if g := r.report.Groups; len(g) == 1 && len(g[0].Pids) != 2 {
				t.Errorf("pids %v: want the program and the child forked after cap_enter", g[0].Pids)
			}
		})
	}
}
