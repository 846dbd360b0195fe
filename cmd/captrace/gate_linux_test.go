package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// The CI user's view: a baseline taken once keeps passing across rebuilds
// and line shifts, fails (exit 3) when a new call site appears, and the
// saved reports re-render and diff.

// buildEdited compiles minstrip.c after edit has rewritten its source, in a
// directory of its own (the report's fingerprints read the source there).
func buildEdited(t *testing.T, name string, edit func(string) string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	os.MkdirAll(dir, 0o755)
	for _, f := range []string{"minstrip.c", "capsicum_stub.h"} {
		b, err := os.ReadFile(victims.Source(f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "minstrip.c" {
			b = []byte(edit(string(b)))
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	out := filepath.Join(dir, "minstrip")
	if err := victims.Run("gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", out, filepath.Join(dir, "minstrip.c")); err != nil {
		t.Fatal(err)
	}
	return out
}

func unchanged(s string) string { return s }

// shifted inserts lines above every function, so every call site moves.
func shifted(s string) string {
	return strings.Replace(s, "#include \"capsicum_stub.h\"\n", "#include \"capsicum_stub.h\"\n\n/* a comment\n * that moves\n * every line */\n\n", 1)
}

// withNewSite adds a call site that was not in the baseline.
func withNewSite(s string) string {
	return strings.Replace(s, "\tif (copy_contents(in, out) < 0)", "\taccess(\"/etc/shadow\", R_OK); /* SITE:new_access */\n\tif (copy_contents(in, out) < 0)", 1)
}

func inputFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "input.bin")
	os.WriteFile(p, []byte("data"), 0o644)
	return p
}

func fingerprints(r *report.Report) map[string]bool {
	m := map[string]bool{}
	for _, g := range r.Groups {
		m[g.Fingerprint] = true
	}
	return m
}

func TestBaselineGate(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	first := captraceRaw(t, "", "-o", base, buildEdited(t, "a", unchanged), inputFile(t))
	if first.exit != 0 {
		t.Fatalf("baseline run: exit %d\n%s", first.exit, first.stderr)
	}
	baseline, err := report.Load(base)
	if err != nil || len(baseline.Groups) != 3 {
		t.Fatalf("baseline: %v, %d groups", err, len(baseline.Groups))
	}

	t.Run("shifted lines: nothing new", func(t *testing.T) {
		r := captrace(t, "--baseline="+base, buildEdited(t, "b", shifted), inputFile(t))
		if r.exit != 0 {
			t.Errorf("exit %d, want 0\n%s", r.exit, r.stderr)
		}
		got, want := fingerprints(r.report), fingerprints(baseline)
		for fp := range want {
			if !got[fp] {
				t.Errorf("fingerprint %s changed with a line shift", fp)
			}
		}
		for _, g := range r.report.Groups {
			for _, b := range baseline.Groups {
				if g.Fingerprint == b.Fingerprint && g.Site.Line == b.Site.Line {
					t.Errorf("%s: line %d did not move; the test shifts nothing", g.Site.Function, g.Site.Line)
				}
			}
		}
	})
	t.Run("new call site: exit 3", func(t *testing.T) {
		r := captraceRaw(t, "", "-o", filepath.Join(t.TempDir(), "r.json"), "--baseline="+base, buildEdited(t, "c", withNewSite), inputFile(t))
		if r.exit != report.GateExitStatus {
			t.Errorf("exit %d, want 3\n%s", r.exit, r.stderr)
		}
		if !strings.Contains(r.stderr, "access") || !strings.Contains(r.stderr, "main") {
			t.Errorf("the gate must name the new group's syscall and site:\n%s", r.stderr)
		}
	})
	t.Run("fail-on=any", func(t *testing.T) {
		r := captraceRaw(t, "", "-o", filepath.Join(t.TempDir(), "r.json"), "--baseline="+base, "--fail-on=any", buildEdited(t, "a2", unchanged), inputFile(t))
		if r.exit != report.GateExitStatus {
			t.Errorf("exit %d, want 3", r.exit)
		}
	})
	t.Run("fail-on=never", func(t *testing.T) {
		r := captraceRaw(t, "", "-o", filepath.Join(t.TempDir(), "r.json"), "--baseline="+base, "--fail-on=never", buildEdited(t, "c2", withNewSite), inputFile(t))
		if r.exit != 0 {
			t.Errorf("exit %d, want the program's 0", r.exit)
		}
	})
	t.Run("diff and report", func(t *testing.T) {
		newer := filepath.Join(t.TempDir(), "new.json")
		captraceRaw(t, "", "-o", newer, buildEdited(t, "c3", withNewSite), inputFile(t))
		if r := captraceRaw(t, "", "diff", base, newer); r.exit != 3 || !strings.Contains(r.stdout, "access") {
			t.Errorf("diff: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
		}
		if r := captraceRaw(t, "", "diff", base, base); r.exit != 0 {
			t.Errorf("diff of a report with itself: exit %d\n%s", r.exit, r.stdout)
		}
		r := captraceRaw(t, "", "report", base)
		if r.exit != 0 || !strings.Contains(r.stdout, "create_tempfile") || !strings.Contains(r.stdout, "3 violations in 3 groups") {
			t.Errorf("report: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
		}
	})
}

func TestSARIFFromTheCommandLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.sarif")
	r := captraceRaw(t, "", "-o", out, victims.C(t, "minstrip", victims.O2), inputFile(t))
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 3 {
		t.Fatalf("version %q, %d runs", doc.Version, len(doc.Runs))
	}
	lines := map[int]bool{}
	for _, res := range doc.Runs[0].Results {
		if res.RuleID != "capmode/global-namespace" || res.PartialFingerprints[report.FingerprintKey] == "" {
			t.Errorf("result %+v", res)
		}
		lines[res.Locations[0].PhysicalLocation.Region.StartLine] = true
	}
	for _, m := range []string{"create_tempfile", "keep_mode", "replace_input"} {
		if l := victims.Line(t, "minstrip.c", "SITE:"+m); !lines[l] {
			t.Errorf("no result at minstrip.c:%d (%s); got lines %v", l, m, lines)
		}
	}
}
