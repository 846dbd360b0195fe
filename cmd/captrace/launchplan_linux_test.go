package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/shim"
)

// The capability-mode filter goes in at the enter point, by injection:
// the victim prints what /proc says about each of its threads and
// processes. Until then a process runs with no filter at all (nor
// NoNewPrivs); the process that reaches cap_enter gets the filter, on
// every thread (TSYNC) and in children forked afterwards, while a child
// forked before stays as it was. A program built against the shim runs
// under the launch filter from its exec (here execed by sh), which traps
// the shim's cap_enter(), and gets the capability-mode filter on top.
func TestFilterGoesInAtTheEnterPoint(t *testing.T) {
	none := "Seccomp:0 Seccomp_filters:0 NoNewPrivs:0"
	capMode := "Seccomp:2 Seccomp_filters:1 NoNewPrivs:1"
	launchOnly := "Seccomp:2 Seccomp_filters:1 NoNewPrivs:1"
	shimCapMode := "Seccomp:2 Seccomp_filters:2 NoNewPrivs:1"
	bin := victims.C(t, "enterstate", victims.O2)
	inc := filepath.Join(t.TempDir(), "shim")
	if err := shim.Write(inc, "test"); err != nil {
		t.Fatal(err)
	}
	shimBin := victims.C(t, "enterstate", victims.O2, "-DCAPTRACE_SHIM", "-I", inc)
	for _, tc := range []struct {
		name  string
		args  []string
		want  map[string]string
		count int // violations: each state read after cap_enter is one
	}{
		{"enter", []string{bin, "enter"}, map[string]string{
			"main-before": none, "child-before": none,
			"main-after": capMode, "thread-after": capMode, "child-after": capMode,
		}, 3},
		{"none", []string{bin, "none"}, map[string]string{
			"main-before": none, "child-before": none,
			"main-after": none, "thread-after": none, "child-after": none,
		}, 0},
		{"shim-enter", []string{"/bin/sh", "-c", shimBin + " enter; exit $?"}, map[string]string{
			"main-before": launchOnly, "child-before": launchOnly,
			"main-after": shimCapMode, "thread-after": shimCapMode, "child-after": shimCapMode,
		}, 3},
		{"shim-none", []string{"/bin/sh", "-c", shimBin + " none; exit $?"}, map[string]string{
			"main-before": launchOnly, "child-before": launchOnly,
			"main-after": launchOnly, "thread-after": launchOnly, "child-after": launchOnly,
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := captrace(t, append([]string{"--enter=cap_enter"}, tc.args...)...)
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
