package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// oddStartVictim builds static_site.c stripped and static with
// odd_start.S's entry code, which calls __libc_start_main through a
// register: nothing in the binary shows where its C library starts.
func oddStartVictim(t *testing.T) string {
	t.Helper()
	return victims.Build(t, "static_site-odd-start", func(out string) error {
		var crt []string
		for _, name := range []string{"crti.o", "crtn.o"} {
			b, err := exec.Command("gcc", "-print-file-name="+name).Output()
			if err != nil {
				return err
			}
			crt = append(crt, strings.TrimSpace(string(b)))
		}
		if err := victims.Run("gcc", "-O2", "-g", "-Wall", "-static", "-nostartfiles", "-o", out,
			victims.Source("odd_start.S"), crt[0], victims.Source("static_site.c"), crt[1]); err != nil {
			return err
		}
		return victims.Run("strip", out)
	})
}

// TestStrippedStaticSiteNote: in a stripped static program whose entry
// code does not show where the C library starts, the site of a violation
// cannot be told apart from the C library's wrapper of the call; the
// report says so plainly (JSON site note, text). With glibc's own
// start-up the same program's site is its own function, without a note.
func TestStrippedStaticSiteNote(t *testing.T) {
	prog := oddStartVictim(t)
	r := captrace(t, "--enter=main", prog)
	if r.exit != 0 || len(r.report.Groups) != 1 {
		t.Fatalf("exit %d, groups %+v\nstderr:\n%s", r.exit, r.report.Groups, r.stderr)
	}
	g := r.report.Groups[0]
	// The site is the innermost frame, the C library's wrapper, which is
	// why the note is there.
	if g.Syscall != "openat" || g.Site.Module != prog || g.Site.Line != 0 || g.Site.Note != report.NoteMaybeLibC ||
		len(g.Example.Stack) < 3 || g.Example.Stack[0].Function != g.Site.Function {
		t.Errorf("group %s at %+v, stack %+v; want openat at the innermost frame in %s with the note %q",
			g.Syscall, g.Site, g.Example.Stack, prog, report.NoteMaybeLibC)
	}
	text := captraceRaw(t, "", "--enter=main", prog)
	if want := "note (1 group): " + report.NoteMaybeLibC; !strings.Contains(text.stderr, want) {
		t.Errorf("text report lacks %q:\n%s", want, text.stderr)
	}

	// glibc's entry code: the C library is located, the site is the
	// program's function (stripped: known by its address), no note.
	plain := captrace(t, "--enter=main", victims.C(t, "static_site", victims.Stripped, "-static"))
	if len(plain.report.Groups) != 1 {
		t.Fatalf("glibc start-up: groups %+v\nstderr:\n%s", plain.report.Groups, plain.stderr)
	}
	pg := plain.report.Groups[0]
	if pg.Site.Note != "" || pg.Site.Address == "" || len(pg.Example.Stack) < 2 || pg.Example.Stack[0].Function == pg.Site.Function {
		t.Errorf("glibc start-up: site %+v, stack %+v; want a caller of the C library's wrapper, without a note", pg.Site, pg.Example.Stack)
	}
}
