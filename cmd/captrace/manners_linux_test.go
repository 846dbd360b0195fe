package main

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// TestEscapedNames: a file name with a newline, a tab and the byte 0xff,
// named on the command line and opened after cap_enter. The text report
// shows every such byte escaped, hint included, one row per group; the
// JSON report gives back the exact bytes of the argument and of the hint.
func TestEscapedNames(t *testing.T) {
	const name = "a\nb\tc\xff.txt"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := victims.C(t, "escapes", victims.O0)

	r := captraceRaw(t, dir, prog, name)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.exit != 0 || len(lines) != 3 || lines[2] != "1 violation in 1 group from 1 process" {
		t.Fatalf("exit %d, want a header, one row and the summary:\n%s", r.exit, r.stderr)
	}
	row := lines[1]
	if f := strings.Fields(row); len(f) < 2 || f[0] != "1" || f[1] != "openat" {
		t.Errorf("row does not start with 1 openat:\n%s", row)
	}
	for _, want := range []string{
		`ECAPMODE  main  escapes.c:` + strconv.Itoa(victims.Line(t, "escapes.c", "SITE:open_arg")),
		`"a\nb\tc\377.txt"`,
		`a\nb\tc\xff.txt is named on the command line`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q:\n%s", want, row)
		}
	}
	if strings.ContainsAny(r.stderr, "\t\xff") {
		t.Errorf("raw tab or 0xff in the text report:\n%q", r.stderr)
	}

	out := filepath.Join(t.TempDir(), "r.json")
	r = captraceRaw(t, dir, "-o", out, prog, name)
	data, err := os.ReadFile(out)
	if err != nil || r.exit != 0 {
		t.Fatalf("exit %d, %v\n%s", r.exit, err, r.stderr)
	}
	if !strings.Contains(string(data), `"/command/1": "YQpiCWP/LnR4dA=="`) {
		t.Errorf("no raw_bytes for the argument:\n%s", data)
	}
	rep, err := report.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Command) != 2 || rep.Command[1] != name {
		t.Errorf("command %q, want [%q %q]", rep.Command, prog, name)
	}
	if len(rep.Groups) != 1 || !strings.HasPrefix(rep.Groups[0].Hint, name+" is named on the command line") {
		t.Fatalf("groups %+v", rep.Groups)
	}
	// Re-rendered as JSON, the bytes survive again.
	r = captraceRaw(t, "", "report", "--format=json", out)
	again, err := report.Parse([]byte(r.stdout))
	if err != nil || again.Command[1] != name || again.Groups[0].Hint != rep.Groups[0].Hint {
		t.Errorf("re-rendered report lost bytes: %v\n%s", err, r.stdout)
	}
}

// TestReportRefusesInconsistent: `captrace report` refuses a report whose
// numbers cannot be true, in one line, instead of rendering it.
func TestReportRefusesInconsistent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	r := captraceRaw(t, "", "-o", out, victims.C(t, "rules", victims.O0), rulesDir(t))
	good, err := os.ReadFile(out)
	if err != nil || r.exit != 0 {
		t.Fatalf("exit %d, %v\n%s", r.exit, err, r.stderr)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"negative count", `"count": 1,`, `"count": -1,`, `groups[0] (openat at global_namespace) has count -1 (a group is at least one violation)`},
		{"summary disagrees", `"violations": 9,`, `"violations": 10,`, `summary.violations is 10 but the groups' counts add up to 9`},
		{"negative summary", `"processes": 3`, `"processes": -3`, `summary.processes is negative (-3)`},
		{"groups null", `"groups": [`, `"groups": null, "old_groups": [`, `"groups" is null (want an array, [] when there is no violation)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not in the report", tc.from)
			}
			p := filepath.Join(t.TempDir(), "bad.json")
			os.WriteFile(p, []byte(bad), 0o644)
			r := captraceRaw(t, "", "report", p)
			if want := "captrace: " + p + ": " + tc.want + "\n"; r.exit != 125 || r.stderr != want || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 125 and %q", r.exit, r.stdout, r.stderr, want)
			}
		})
	}
}

// TestHelp: `captrace help`, `captrace help COMMAND` and -h print the
// usage generated from each command's flags, on stdout, exit 0.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"usage: captrace [flags] [--] PROGRAM [ARG...]", "\n  --mode=audit|enforce ", "\n  -o FILE ", "\n  report ", "exit status:"}},
		{[]string{"-h"}, []string{"usage: captrace [flags] [--] PROGRAM [ARG...]", "\n  --no-follow ", "\n  --debug-dir=DIR "}},
		{[]string{"help", "report"}, []string{"usage: captrace report [flags] FILE.json", "\n  --format=text|json|sarif|html\n", "\n  -v ", "\n  --baseline=FILE "}},
		{[]string{"report", "--help"}, []string{"usage: captrace report", "\n  --verbose "}},
		{[]string{"help", "diff"}, []string{"usage: captrace diff OLD.json NEW.json", "exit status: 3 when something is new"}},
		{[]string{"help", "policy"}, []string{"usage: captrace policy", "\n  --os=linux|freebsd "}},
		{[]string{"policy", "-h"}, []string{"usage: captrace policy", "\n  --format=text|json "}},
		{[]string{"help", "help"}, []string{"usage: captrace help [COMMAND]"}},
	} {
		r := captraceRaw(t, "", tc.args...)
		if r.exit != 0 || r.stderr != "" {
			t.Errorf("captrace %q: exit %d, stderr %q", tc.args, r.exit, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("captrace %q: no %q in\n%s", tc.args, w, r.stdout)
			}
		}
		for i, line := range strings.Split(r.stdout, "\n") {
			if len(line) > 79 {
				t.Errorf("captrace %q: line %d is %d columns wide: %q", tc.args, i+1, len(line), line)
			}
		}
	}
	r := captraceRaw(t, "", "help", "nosuch")
	if want := "captrace help: no command \"nosuch\" (commands: report, diff, policy, help, version)\n"; r.exit != 2 || r.stderr != want {
		t.Errorf("help nosuch: exit %d, stderr %q", r.exit, r.stderr)
	}
}

// TestEveryFlagHasUsage: the help is generated from the usage strings, so
// a flag without one would be a hole in it.
func TestEveryFlagHasUsage(t *testing.T) {
	for _, c := range commands() {
		if c.flags == nil {
			continue
		}
		c.flags().VisitAll(func(f *flag.Flag) {
			if strings.TrimSpace(f.Usage) == "" {
				t.Errorf("captrace %s: flag -%s has no usage string", c.name, f.Name)
			}
		})
	}
}

// TestMissingInterpreter: a script whose #! interpreter does not exist
// gets one line naming the interpreter, and 127, as from a shell.
func TestMissingInterpreter(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/nonexistent/bin/interp -x\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := captraceRaw(t, dir, "./script")
	want := "captrace: ./script: bad interpreter /nonexistent/bin/interp: no such file or directory\n"
	if r.exit != 127 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want 127 and %q", r.exit, r.stderr, want)
	}
}

// TestNoStdlibProgram: a -nostdlib program has neither cap_enter nor main;
// under the default enter point captrace says so, and what to pass
// instead, before anything else. With --enter=exec it is traced.
func TestNoStdlibProgram(t *testing.T) {
	for _, link := range []string{"-static", "-no-pie"} {
		t.Run(link, func(t *testing.T) {
			prog := victims.Build(t, "nostdlib/start"+link, func(out string) error {
				return victims.Run("gcc", "-O0", "-g", "-nostdlib", link, "-o", out, victims.Source("nostdlib/start.c"))
			})
			r := captraceRaw(t, "", prog)
			want := "captrace: " + prog + ": has neither cap_enter nor main (built without the C start-up code?); use --enter=exec, or --enter=FUNCTION to begin at one of its functions\n"
			if r.exit != 2 || r.stderr != want {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.exit, r.stderr, want)
			}
			rr := captrace(t, "--enter=exec", prog)
			if len(rr.report.Groups) != 1 || rr.report.Groups[0].Syscall != "open" ||
				rr.report.Groups[0].Site.Function != "raw_syscall3" ||
				rr.report.Groups[0].Site.Line != victims.Line(t, "nostdlib/start.c", "SITE:syscall") {
				t.Errorf("--enter=exec: groups %+v\n%s", rr.report.Groups, rr.stderr)
			}
		})
	}
}
