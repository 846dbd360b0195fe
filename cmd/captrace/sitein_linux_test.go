package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestSiteIn: a library counted as a system library (named like FreeBSD's
// libsys.so, as libarchive.so.13 under /usr/lib would be by its path) is
// passed through: its violation is sited at the program's call into it.
// --site-in=<its file name> makes its frames the program's own: the site
// is the library function that called open, named with file and line
// from its DWARF.
func TestSiteIn(t *testing.T) {
	const name = "libsys.so.captrace-test"
	libIn := func(prog string) string { return filepath.Join(prog+"-lib", name) }
	prog := victims.Build(t, "sitein-uselib", func(out string) error {
		lib := libIn(out)
		libDir := filepath.Dir(lib)
		if err := victims.Run("mkdir", "-p", libDir); err != nil {
			return err
		}
		if err := victims.Run("gcc", "-O2", "-g", "-fPIC", "-shared", "-Wl,-soname,"+name, "-o", lib, victims.Source("stacks/lib.c")); err != nil {
			return err
		}
		return victims.Run("gcc", "-O0", "-g", "-o", out, victims.Source("stacks/uselib.c"), lib, "-Wl,-rpath,"+libDir, "-ldl")
	})
	lib := libIn(prog)
	const l, u = "stacks/lib.c", "stacks/uselib.c"
	site := func(t *testing.T, r runResult, function, file, marker string) {
		t.Helper()
		if len(r.report.Groups) != 1 {
			t.Fatalf("%d groups, want 1\n%s", len(r.report.Groups), r.stderr)
		}
		s := r.report.Groups[0].Site
		if s.Function != function || filepath.Base(s.File) != filepath.Base(file) || s.Line != victims.Line(t, file, "LINE:"+marker) {
			t.Errorf("site %s %s:%d, want %s at %s LINE:%s", s.Function, s.File, s.Line, function, file, marker)
		}
	}
	t.Run("system", func(t *testing.T) {
		site(t, captrace(t, "--enter=main", prog), "via_link", u, "via_link")
	})
	t.Run("site-in", func(t *testing.T) {
		r := captrace(t, "--enter=main", "--site-in="+name, prog)
		site(t, r, "lib_inner", l, "lib_open")
		// The library's frames have their lines too.
		var got []string
		for _, f := range r.report.Groups[0].Example.Stack {
			if f.Module == lib {
				got = append(got, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
			}
		}
		want := wantFrames(t, []frameWant{{"lib_inner", l, "lib_open"}, {"lib_open", l, "lib_call"}})
		if strings.Join(got, " <- ") != strings.Join(want, " <- ") {
			t.Errorf("library frames %v, want %v", got, want)
		}
	})
}
