package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/shim"
)

// Descriptor rights end to end: FreeBSD-style programs built against the
// shim, traced by the real tracer (docs/rights.md).

// shimVictim builds testdata/victims/rights/<name>.c against the shim.
func shimVictim(t *testing.T, name string, v victims.Variant, extra ...string) string {
	t.Helper()
	key := fmt.Sprintf("shim/%s/%s/%s", name, v, strings.Join(extra, " "))
	return victims.Build(t, key, func(out string) error {
		inc := out + ".inc"
		if err := shim.Write(inc, "test"); err != nil {
			return err
		}
		args := []string{"-g", "-Wall", "-Werror", "-I", inc, "-o", out, victims.Source("rights/" + name + ".c")}
		if v == victims.O0 {
			args = append([]string{"-O0"}, args...)
		} else {
			args = append([]string{"-O2", "-fomit-frame-pointer"}, args...)
		}
		return victims.Run("gcc", append(args, extra...)...)
	})
}

// workDir is a directory holding data.txt.
func workDir(t *testing.T, data string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data.txt"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rightsGroup is one expected rights violation: the call, its site, the
// reason's start and where the descriptor was limited.
type rightsGroup struct {
	syscall, marker, reason, limitedAt string
}

func checkRightsGroups(t *testing.T, r runResult, file string, want []rightsGroup) {
	t.Helper()
	var wg []wantGroup
	for _, w := range want {
		wg = append(wg, wantGroup{syscall: w.syscall, errno: "ENOTCAPABLE", function: "main", file: file, marker: w.marker, count: 1})
	}
	checkGroups(t, r, wg)
	for _, w := range want {
		line := victims.Line(t, file, "SITE:"+w.marker)
		var g *report.Group
		for i := range r.report.Groups {
			if r.report.Groups[i].Syscall == w.syscall && r.report.Groups[i].Site.Line == line {
				g = &r.report.Groups[i]
			}
		}
		if g == nil {
			continue
		}
		wantReason := fmt.Sprintf("%s (limited at main, %s:%d)", w.reason, filepath.Base(file), victims.Line(t, file, "SITE:"+w.limitedAt))
		if g.Reason != wantReason || g.Kind != "rights" {
			t.Errorf("%s at line %d: kind %s, reason\n  %q\nwant\n  %q", w.syscall, line, g.Kind, g.Reason, wantReason)
		}
	}
}

const fileRights = "CAP_READ|CAP_FCNTL|CAP_FSTAT|CAP_IOCTL"

var limitsGroups = []rightsGroup{
	{"write", "write_file", "write(2) on fd 4 needs CAP_WRITE; fd 4 has " + fileRights, "limit_file"},
	{"lseek", "lseek_file", "lseek(2) on fd 4 needs CAP_SEEK; fd 4 has " + fileRights, "limit_file"},
	{"fcntl", "setfl_file", "fcntl(2) on fd 4 needs CAP_FCNTL_SETFL in its fcntl limit; fd 4 allows CAP_FCNTL_GETFL", "limit_fcntls"},
	{"ioctl", "ioctl_file", "ioctl(2) on fd 4 needs ioctl command 0x5421 in its ioctl limit; fd 4 allows 0x541b", "limit_ioctls"},
	{"mmap", "mmap_file", "mmap(2) on fd 4 needs CAP_SEEK|CAP_MMAP; fd 4 has " + fileRights, "limit_file"},
	{"poll", "poll_file", "poll(2) on fd 4 needs CAP_EVENT; fd 4 has " + fileRights, "limit_file"},
	{"fcntl", "setfl_stdout", "fcntl(2) on fd 1 needs CAP_FCNTL_SETFL in its fcntl limit; fd 1 allows CAP_FCNTL_GETFL", "limit_stdio"},
	{"cap_rights_limit", "widen", "cap_rights_limit(2) on fd 4 cannot add CAP_WRITE: limits only narrow; fd 4 has " + fileRights, "limit_file"},
	{"write", "write_dup", "write(2) on fd 5 needs CAP_WRITE; fd 5 has " + fileRights, "limit_file"},
	{"lseek", "lseek_openat", "lseek(2) on fd 6 needs CAP_SEEK; fd 6 has CAP_READ|CAP_LOOKUP|CAP_FSTAT", "limit_dir"},
	{"openat", "create_in_dir", "openat(2) on fd 3 needs CAP_WRITE|CAP_SEEK|CAP_CREATE; fd 3 has CAP_READ|CAP_LOOKUP|CAP_FSTAT", "limit_dir"},
	{"write", "write_child", "write(2) on fd 4 needs CAP_WRITE; fd 4 has " + fileRights, "limit_file"},
}

// In enforce mode a FreeBSD program gets ENOTCAPABLE (the shim's value, as
// `errno == ENOTCAPABLE` sees it) exactly where FreeBSD's rules give it:
// every rule class, inheritance by dup, fork and openat, and widening.
func TestRightsEnforced(t *testing.T) {
	for _, v := range []victims.Variant{victims.O0, victims.O2} {
		t.Run(string(v), func(t *testing.T) {
			prog := shimVictim(t, "limits", v)
			r := captrace(t, "--mode=enforce", "--", prog, workDir(t, "hello\n"))
			want := strings.Join([]string{
				"read: ok", "fstat: ok", "write: ENOTCAPABLE", "lseek: ENOTCAPABLE",
				"fcntl F_GETFL: ok", "fcntl F_SETFL: ENOTCAPABLE", "ioctl FIONREAD: ok",
				"ioctl FIONBIO: ENOTCAPABLE", "mmap: ENOTCAPABLE", "poll: POLLNVAL", "fcntl F_SETFL stdout: ENOTCAPABLE",
				"widen: ENOTCAPABLE", "cap_rights_get: write denied", "write dup: ENOTCAPABLE",
				"openat: ok", "lseek openat: ENOTCAPABLE", "openat create: ENOTCAPABLE",
				"write child: ENOTCAPABLE", "done: ok",
			}, "\n") + "\n"
			if r.stdout != want || r.exit != 0 {
				t.Fatalf("exit %d, stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.exit, r.stdout, want, r.stderr)
			}
			checkRightsGroups(t, r, "rights/limits.c", limitsGroups)
			if r.report.Mode != "enforce" || r.report.Enter != "cap_enter" {
				t.Errorf("mode %q, enter %q", r.report.Mode, r.report.Enter)
			}
		})
	}
}

// In audit mode the calls run (only widening fails: there is nothing else
// it could do), and each is reported once at its site with what is missing.
func TestRightsAudited(t *testing.T) {
	prog := shimVictim(t, "limits", victims.O0)
	r := captrace(t, "--", prog, workDir(t, "hello\n"))
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		switch line {
		case "widen: ENOTCAPABLE", "cap_rights_get: write denied":
		default:
			if !strings.HasSuffix(line, ": ok") {
				t.Errorf("audit mode changed an outcome: %q", line)
			}
		}
	}
	checkRightsGroups(t, r, "rights/limits.c", limitsGroups)
	// The shim's cap_enter(), inlined through caph_enter() into main,
	// is where capability mode began.
	line := victims.Line(t, "rights/limits.c", "ENTER:caph")
	if got := r.report.EnterReached; got == nil || got.Function != "main" || filepath.Base(got.File) != "limits.c" || got.Line != line {
		t.Errorf("enter_reached %+v, want main limits.c:%d", got, line)
	}
}

// A descriptor passed with SCM_RIGHTS keeps its limits in the receiver.
func TestRightsTravelWithSCMRights(t *testing.T) {
	prog := shimVictim(t, "scm", victims.O0)
	file := filepath.Join(workDir(t, "hello\n"), "data.txt")
	r := captrace(t, "--mode=enforce", "--", prog, file)
	if want := "child read: ok\nchild write: ENOTCAPABLE\n"; r.stdout != want {
		t.Fatalf("stdout %q, want %q\nstderr:\n%s", r.stdout, want, r.stderr)
	}
	checkRightsGroups(t, r, "rights/scm.c", []rightsGroup{
		{"write", "write_received", "write(2) on fd 3 needs CAP_WRITE; fd 3 has CAP_READ", "limit_sent"},
	})
	if !strings.Contains(r.stderr, "only descriptor rights were checked") {
		t.Errorf("stderr does not say that only rights were checked:\n%s", r.stderr)
	}
}

// --suggest-rights yields the minimal limits of each descriptor; pasted
// before cap_enter(), they give a clean enforce run with the same output.
func TestSuggestRightsApplied(t *testing.T) {
	prog := shimVictim(t, "suggest", victims.O0)
	dir := workDir(t, "hello world\n")
	plain, err := exec.Command(prog, dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	r := captrace(t, "--suggest-rights", "--", prog, dir)
	if r.stdout != string(plain) {
		t.Fatalf("traced output %q, plain %q", r.stdout, plain)
	}
	type desc struct {
		fd     int
		path   string
		line   int
		rights []string
		ioctls []uint64
		fcntls []string
	}
	var got []desc
	for _, d := range r.report.Descriptors {
		if d.FD > 4 {
			// Inherited from the test's environment, and never used.
			if len(d.Rights) != 0 {
				t.Errorf("fd %d (%s), unused, gets %v", d.FD, d.Path, d.Rights)
			}
			continue
		}
		got = append(got, desc{d.FD, d.Path, d.Opened.Line, d.Rights, d.Ioctls, d.Fcntls})
	}
	if len(got) != 5 {
		t.Fatalf("descriptors %+v", got)
	}
	src := "rights/suggest.c"
	want := []desc{
		{0, "/dev/null", 0, []string{}, []uint64{}, []string{}},
		{1, got[1].path, 0, []string{"CAP_WRITE", "CAP_FSTAT"}, []uint64{}, []string{}},
		{2, got[2].path, 0, []string{}, []uint64{}, []string{}},
		{3, dir, victims.Line(t, src, "SITE:open_dir"), []string{"CAP_WRITE", "CAP_CREATE", "CAP_FTRUNCATE", "CAP_LOOKUP", "CAP_FSTAT"}, []uint64{}, []string{}},
		{4, filepath.Join(dir, "data.txt"), victims.Line(t, src, "SITE:open_data"), []string{"CAP_READ", "CAP_SEEK", "CAP_MMAP", "CAP_FCNTL", "CAP_IOCTL"}, []uint64{0x541b}, []string{"CAP_FCNTL_GETFL"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("descriptors:\n got %+v\nwant %+v", got, want)
	}
	// The C on stderr, pasted where the victim includes it.
	i := strings.Index(r.stderr, "/* captrace --suggest-rights")
	if i < 0 {
		t.Fatalf("no suggestion on stderr:\n%s", r.stderr)
	}
	c := r.stderr[i:]
	if j := strings.Index(c, "\n}\n"); j >= 0 {
		c = c[:j+3] // the block, without captrace's summary line after it
	}
	inc := filepath.Join(t.TempDir(), "suggestion.inc")
	if err := os.WriteFile(inc, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	limited := shimVictim(t, "suggest", victims.O0, fmt.Sprintf("-DCAPTRACE_SUGGESTION=%q", inc))
	e := captrace(t, "--mode=enforce", "--", limited, dir)
	if e.stdout != string(plain) || e.exit != 0 || len(e.report.Groups) != 0 {
		t.Fatalf("with the suggested limits: exit %d, %d groups, stdout %q (want %q)\nstderr:\n%s",
			e.exit, len(e.report.Groups), e.stdout, plain, e.stderr)
	}
}

// The other rule classes, one call each on a descriptor without the right
// it needs: positioned I/O, the f*() calls, the *at() calls on a
// directory, sockets, select.
func TestRightsRuleClasses(t *testing.T) {
	prog := shimVictim(t, "classes", victims.O0)
	r := captrace(t, "--mode=enforce", "--", prog, workDir(t, "hello\n"))
	calls := []string{"pread", "fchmod", "ftruncate", "fsync", "flock", "fstatat", "mkdirat",
		"renameat", "unlinkat", "getsockname", "send", "shutdown", "select"}
	var want strings.Builder
	for _, c := range calls {
		want.WriteString(c + ": ENOTCAPABLE\n")
	}
	if r.stdout != want.String() {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want.String(), r.stderr)
	}
	file := func(call, need string) string {
		return call + "(2) on fd 4 needs " + need + "; fd 4 has CAP_READ"
	}
	dir := func(call, need string) string {
		return call + "(2) on fd 3 needs " + need + "; fd 3 has CAP_LOOKUP"
	}
	sock := func(call, need string) string {
		return call + "(2) on fd 5 needs " + need + "; fd 5 has CAP_READ"
	}
	checkRightsGroups(t, r, "rights/classes.c", []rightsGroup{
		{"pread64", "pread", file("pread64", "CAP_SEEK"), "limit_file"},
		{"fchmod", "fchmod", file("fchmod", "CAP_FCHMOD"), "limit_file"},
		{"ftruncate", "ftruncate", file("ftruncate", "CAP_FTRUNCATE"), "limit_file"},
		{"fsync", "fsync", file("fsync", "CAP_FSYNC"), "limit_file"},
		{"flock", "flock", file("flock", "CAP_FLOCK"), "limit_file"},
		{"newfstatat", "fstatat", dir("newfstatat", "CAP_FSTAT"), "limit_dir"},
		{"mkdirat", "mkdirat", dir("mkdirat", "CAP_MKDIRAT"), "limit_dir"},
		{"renameat", "renameat", dir("renameat", "CAP_RENAMEAT_SOURCE"), "limit_dir"},
		{"unlinkat", "unlinkat", dir("unlinkat", "CAP_UNLINKAT"), "limit_dir"},
		{"getsockname", "getsockname", sock("getsockname", "CAP_GETSOCKNAME"), "limit_file"},
		{"sendto", "send", sock("sendto", "CAP_WRITE"), "limit_file"},
		{"shutdown", "shutdown", sock("shutdown", "CAP_SHUTDOWN"), "limit_file"},
		{"pselect6", "select", file("pselect6", "CAP_EVENT"), "limit_file"},
	})
}
