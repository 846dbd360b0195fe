package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestEnterSite: the report says in which process and where the enter
// point was first reached: the caller of cap_enter (a helper function in a
// forked child, at its line), in JSON and in the verbose text report.
func TestEnterSite(t *testing.T) {
	line := victims.Line(t, "enter_site.c", "SITE:enter")
	for _, v := range []victims.Variant{victims.O0, victims.O2} {
		t.Run(string(v), func(t *testing.T) {
			prog := victims.C(t, "enter_site", v)
			r := captrace(t, prog)
			child, err := strconv.Atoi(strings.TrimSpace(r.stdout))
			if err != nil || r.exit != 0 {
				t.Fatalf("exit %d, stdout %q (want the child's pid)\nstderr:\n%s", r.exit, r.stdout, r.stderr)
			}
			checkGroups(t, r, []wantGroup{{"openat", "ECAPMODE", "main", "enter_site.c", "after", 1}})
			got := r.report.EnterReached
			if got == nil || got.Pid != child || got.Function != "sandbox_init" ||
				filepath.Base(got.File) != "enter_site.c" || got.Line != line || got.Module != prog || got.Exec != "" {
				t.Fatalf("enter_reached %+v, want pid %d at sandbox_init enter_site.c:%d in %s", got, child, line, prog)
			}

			text := captraceRaw(t, "", "-v", prog)
			want := fmt.Sprintf("cap_enter reached in pid %s at sandbox_init enter_site.c:%d", strings.TrimSpace(text.stdout), line)
			if !strings.Contains(text.stderr, want) {
				t.Errorf("-v text report lacks %q:\n%s", want, text.stderr)
			}
		})
	}
}

// TestEnterSiteAtExec: --enter=exec is reached at the exec of the program
// itself; a run that never reaches its enter point has no enter_reached.
func TestEnterSiteAtExec(t *testing.T) {
	prog := victims.C(t, "enter_site", victims.O0)
	r := captrace(t, "--enter=exec", prog)
	if got := r.report.EnterReached; got == nil || got.Exec != prog || got.Function != "" || got.Pid <= 0 {
		t.Errorf("enter_reached %+v, want the exec of %s", got, prog)
	}
	r = captrace(t, "--enter=cap_enter", "/bin/true")
	if r.report.EnterReached != nil {
		t.Errorf("enter point never reached, yet enter_reached %+v", r.report.EnterReached)
	}
}
