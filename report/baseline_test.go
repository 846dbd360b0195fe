package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fixtureJSON(t *testing.T) string {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixtureReport(t)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestLoadRoundTrip(t *testing.T) {
	want := fixtureReport(t)
	got, err := Load(writeTemp(t, "r.json", fixtureJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	WriteJSON(&a, want)
	WriteJSON(&b, got)
	if a.String() != b.String() {
		t.Errorf("round trip changed the report:\n%s", b.String())
	}
}

func TestLoadErrors(t *testing.T) {
	good := fixtureJSON(t)
	for _, tc := range []struct {
		name, content string
		want          string // the whole message after "FILE: "
	}{
		{"empty file", "", "empty file, not a captrace report"},
		{"only whitespace", " \n\t", "empty file, not a captrace report"},
		{"truncated", good[:len(good)/2], "truncated JSON (the file ends in the middle of the report)"},
		{"corrupt", "{\n  \"schema\": \"captrace/report/v1\",\n  oops\n}", "corrupt JSON at line 3, column 3: invalid character 'o' looking for beginning of object key string"},
		{"trailing garbage", good + "}", "corrupt JSON at line"},
		{"wrong schema", `{"schema": "x"}`, `not a captrace report (schema "x", want "captrace/report/v1")`},
		{"future schema", `{"schema": "captrace/report/v2", "groups": []}`, `not a captrace report (schema "captrace/report/v2", want "captrace/report/v1")`},
		{"missing schema", `{"groups": []}`, `not a captrace report (no "schema" field, want "captrace/report/v1")`},
		{"schema not a string", `{"schema": 1}`, `not a captrace report (schema is a JSON number, want "captrace/report/v1")`},
		{"an array", `[1, 2]`, `not a captrace report (a JSON array, want an object with "schema": "captrace/report/v1")`},
		{"SARIF instead", `{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}`, `not a captrace report (no "schema" field, want "captrace/report/v1")`},
		{"wrong type", `{"schema": "captrace/report/v1", "groups": [{"fingerprint": "a", "count": "3"}]}`, "bad value for groups.count at line 1, column"},
		{"no fingerprint", `{"schema": "captrace/report/v1", "groups": [{"syscall": "openat", "site": {"function": "f"}}]}`, "groups[0] (openat at f) has no fingerprint"},
		{"groups null", `{"schema": "captrace/report/v1", "groups": null}`, `"groups" is null (want an array, [] when there is no violation)`},
		{"no groups", `{"schema": "captrace/report/v1"}`, `no "groups" field (want an array, [] when there is no violation)`},
		{"groups an object", `{"schema": "captrace/report/v1", "groups": {}}`, `"groups" is a JSON object (want an array)`},
		{"negative summary", `{"schema": "captrace/report/v1", "groups": [], "summary": {"violations": -1}}`, "summary.violations is negative (-1)"},
		{"negative count", `{"schema": "captrace/report/v1", "summary": {"violations": -2, "groups": 1, "processes": 1}, "groups": [{"fingerprint": "a", "syscall": "openat", "site": {"function": "f"}, "count": -2}]}`, "summary.violations is negative (-2)"},
		{"zero count", `{"schema": "captrace/report/v1", "summary": {"groups": 1, "processes": 1}, "groups": [{"fingerprint": "a", "syscall": "openat", "site": {"function": "f"}, "count": 0}]}`, "groups[0] (openat at f) has count 0 (a group is at least one violation)"},
		{"summary groups", `{"schema": "captrace/report/v1", "summary": {"violations": 1, "groups": 2, "processes": 1}, "groups": [{"fingerprint": "a", "count": 1}]}`, "summary.groups is 2 but the report has 1 groups"},
		{"summary violations", `{"schema": "captrace/report/v1", "summary": {"violations": 5, "groups": 1, "processes": 1}, "groups": [{"fingerprint": "a", "count": 1}]}`, "summary.violations is 5 but the groups' counts add up to 1"},
		{"summary processes", `{"schema": "captrace/report/v1", "summary": {"violations": 2, "groups": 1, "processes": 1}, "groups": [{"fingerprint": "a", "count": 2, "pids": [4, 5]}]}`, "summary.processes is 1 but the groups name 2 processes"},
		{"raw_bytes not base64", `{"schema": "captrace/report/v1", "command": ["x"], "groups": [], "raw_bytes": {"/command/0": "%%"}}`, `raw_bytes["/command/0"]: not base64`},
		{"raw_bytes nowhere", `{"schema": "captrace/report/v1", "command": ["x"], "groups": [], "raw_bytes": {"/command/1": "eA=="}}`, `raw_bytes["/command/1"]: the report has no string there`},
		{"raw_bytes at a number", `{"schema": "captrace/report/v1", "groups": [], "raw_bytes": {"/exit_status": "eA=="}}`, `raw_bytes["/exit_status"]: the report has no string there`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, "baseline.json", tc.content)
			_, err := Load(p)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, p+": ") || !strings.HasPrefix(strings.TrimPrefix(msg, p+": "), tc.want) {
				t.Errorf("error\n  %s\nwant\n  %s: %s", msg, p, tc.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "baseline.json")
	if _, err := Load(missing); err == nil || err.Error() != missing+": no such file" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(dir); err == nil || err.Error() != dir+": is a directory, not a report file" {
		t.Errorf("directory: %v", err)
	}
	if os.Geteuid() != 0 {
		p := writeTemp(t, "r.json", fixtureJSON(t))
		os.Chmod(p, 0)
		if _, err := Load(p); err == nil || err.Error() != p+": permission denied" {
			t.Errorf("unreadable: %v", err)
		}
	}
}

// TestRawBytesRoundTrip: strings that are not UTF-8 come back byte for
// byte; valid ones add nothing to the JSON.
func TestRawBytesRoundTrip(t *testing.T) {
	r := fixtureReport(t)
	var plain bytes.Buffer
	WriteJSON(&plain, r)
	if strings.Contains(plain.String(), "raw_bytes") {
		t.Errorf("a UTF-8 report has raw_bytes:\n%s", plain.String())
	}
	r.Command = append(r.Command, "caf\xe9", "\xff\xfe")
	r.Groups[1].Example.Stack[0].File = "/src/\x80.c"
	r.Groups[0].Hint = "\xc3 is named"
	r.EnterReached = &EnterSite{Pid: 1, Exec: "/bin/\xfe"}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.RawBytes != nil {
		t.Errorf("RawBytes left in memory: %v", got.RawBytes)
	}
	n := len(r.Command)
	if got.Command[n-2] != "caf\xe9" || got.Command[n-1] != "\xff\xfe" ||
		got.Groups[1].Example.Stack[0].File != "/src/\x80.c" || got.Groups[0].Hint != "\xc3 is named" {
		t.Errorf("bytes lost: %q %q %q", got.Command, got.Groups[1].Example.Stack[0].File, got.Groups[0].Hint)
	}
	if got.EnterReached == nil || got.EnterReached.Exec != "/bin/\xfe" {
		t.Errorf("bytes behind a pointer lost: %+v", got.EnterReached)
	}
	// The readable text stays in place, U+FFFD for each bad byte.
	if !strings.Contains(b.String(), `"caf\ufffd"`) && !strings.Contains(b.String(), "\"caf\uFFFD\"") && !strings.Contains(b.String(), "\"caf\xef\xbf\xbd\"") {
		t.Errorf("no readable form of the argument:\n%s", b.String())
	}
}

func TestDisplayText(t *testing.T) {
	for in, want := range map[string]string{
		"plain /etc/x":           "plain /etc/x",
		"a\nb\tc\xff":            `a\nb\tc\xff`,
		"esc\x1b[31m":            `esc\x1b[31m`,
		"del\x7f cr\r":           `del\x7f cr\r`,
		"caf\u00e9 \u65e5\u672c": "caf\u00e9 \u65e5\u672c",
		"nel\u0085":              `nel\u0085`,
		"rlo\u202e":              `rlo\u202e`,
		"back\\slash":            `back\slash`,
	} {
		if got := displayText(in); got != want {
			t.Errorf("displayText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLoad(f *testing.F) {
	var b bytes.Buffer
	WriteJSON(&b, fixtureReport(f))
	good := b.String()
	for _, s := range []string{
		good, good[:len(good)/3], "", "{}", "null", `{"schema": "captrace/report/v1"}`,
		`{"schema": "captrace/report/v1", "groups": null}`,
		`{"schema": "captrace/report/v1", "groups": [{"fingerprint": "x", "pids": [1e400]}]}`,
		`{"schema": "captrace/report/v1", "groups": [{"fingerprint": "x", "example": {"stack": [{}]}}]}`,
		"\xff\xfe{", `{"schema": "captrace/report/v1", "summary": {"violations": -1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "r.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Load(p)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		// Whatever loads must render in every format.
		for _, format := range []string{FormatText, FormatJSON, FormatSARIF} {
			if err := Write(&bytes.Buffer{}, format, r, Options{Verbose: true, Color: ColorAlways}); err != nil {
				t.Errorf("%s: %v", format, err)
			}
		}
		GateFails(&bytes.Buffer{}, r, r, FailAny)
		WriteDiff(&bytes.Buffer{}, r, r)
	})
}

// pick returns a copy of r with only the groups whose syscall and line
// match.
func pick(r *Report, keep func(Group) bool) *Report {
	out := *r
	out.Groups = nil
	for _, g := range r.Groups {
		if keep(g) {
			out.Groups = append(out.Groups, g)
		}
	}
	return &out
}

func TestCompare(t *testing.T) {
	cur := fixtureReport(t)
	base := pick(cur, func(g Group) bool { return g.Syscall == "openat" })
	base.Groups = append(base.Groups, Group{Fingerprint: "gone", Syscall: "chdir"})
	newG, fixed := Compare(base, cur)
	if len(newG) != 2 || newG[0].Syscall != "connect" || newG[1].Syscall != "kill" {
		t.Errorf("new groups %v, want connect and kill", newG)
	}
	if len(fixed) != 1 || fixed[0].Fingerprint != "gone" {
		t.Errorf("fixed groups %v, want the chdir one", fixed)
	}
	if n, f := Compare(cur, cur); n != nil || f != nil {
		t.Errorf("a report against itself: new %v fixed %v", n, f)
	}
}

func TestGateFails(t *testing.T) {
	cur := fixtureReport(t)
	clean := pick(cur, func(Group) bool { return false })
	partial := pick(cur, func(g Group) bool { return g.Syscall != "kill" })
	for _, tc := range []struct {
		name       string
		baseline   *Report
		current    *Report
		failOn     string
		wantFailed bool
		wantOutput []string
	}{
		{"never fails", nil, cur, FailNever, false, nil},
		{"new without a baseline: everything is new", nil, cur, FailNew, true, []string{"6 new violation groups not in the baseline", "+ openat ECAPMODE at load_config"}},
		{"new with everything accepted", cur, cur, FailNew, false, nil},
		{"new with one group new", partial, cur, FailNew, true, []string{"1 new violation group not in the baseline", "+ kill ECAPMODE at stop_parent  testdata/src/prog.c:27", "> 0x401430", "hint: signal only the calling process"}},
		{"new with a fixed group", cur, partial, FailNew, false, []string{"1 group of the baseline no longer occurs;"}},
		{"any with accepted groups still fails", cur, cur, FailAny, true, []string{"gate failed (--fail-on=any): 6 violation groups"}},
		{"any on a clean run passes", cur, clean, FailAny, false, []string{"6 groups of the baseline no longer occur;"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if got := GateFails(&b, tc.baseline, tc.current, tc.failOn); got != tc.wantFailed {
				t.Errorf("failed = %v, want %v\n%s", got, tc.wantFailed, b.String())
			}
			for _, w := range tc.wantOutput {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			if tc.wantOutput == nil && b.Len() > 0 {
				t.Errorf("unexpected output:\n%s", b.String())
			}
		})
	}
}

func TestParseFailOn(t *testing.T) {
	for _, tc := range []struct {
		in       string
		baseline bool
		want     string
		wantErr  bool
	}{
		{"", false, FailNever, false},
		{"", true, FailNew, false},
		{"any", false, FailAny, false},
		{"never", true, FailNever, false},
		{"sometimes", true, "", true},
		{"new", true, FailNew, false},
		{"new", false, "", true},
	} {
		got, err := ParseFailOn(tc.in, tc.baseline)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseFailOn(%q, %v) = %q, %v", tc.in, tc.baseline, got, err)
		}
	}
}

func TestGoldenDiff(t *testing.T) {
	cur := fixtureReport(t)
	old := pick(cur, func(g Group) bool { return g.Syscall != "kill" })
	old.Groups = append(old.Groups, Group{Fingerprint: "0123456789abcdef0123456789abcdef", Syscall: "chdir", Errno: "ECAPMODE",
		Site: Site{Function: "change_dir", File: "/home/dev/prog/old.c", Line: 7}})
	var b bytes.Buffer
	if n := WriteDiff(&b, old, cur); n != 1 {
		t.Errorf("WriteDiff = %d new, want 1", n)
	}
	golden(t, "diff.txt", b.Bytes())
}
