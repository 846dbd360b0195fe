package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/report"
)

// savedReports writes two reports: old has one group, new has that group
// and one more.
func savedReports(t *testing.T) (oldPath, newPath string) {
	t.Helper()
	dir := t.TempDir()
	g := func(fp, fn string, line int) report.Group {
		return report.Group{Fingerprint: fp, Syscall: "openat", Errno: "ECAPMODE", Kind: "global-namespace",
			Reason: "openat(AT_FDCWD, ...) reaches the global file namespace", Hint: "use openat(dirfd, relative)",
			Count: 1, Pids: []int{10},
			Site: report.Site{Function: fn, File: "/src/prog.c", Line: line, Module: "/src/prog"},
			Example: report.Example{Pid: 10, Tid: 10, Args: []string{"AT_FDCWD", `"/etc/x"`, "O_RDONLY"},
				Stack: []report.StackFrame{{PC: "0x401000", Module: "/src/prog", Function: fn, File: "/src/prog.c", Line: line}}}}
	}
	mk := func(name string, groups ...report.Group) string {
		r := &report.Report{Schema: report.Schema, Version: "captrace test", Platform: "linux/amd64", Mode: "audit",
			Enter: "main", Command: []string{"./prog"}, Groups: groups,
			Summary: report.Summary{Violations: len(groups), Groups: len(groups), Processes: 1}}
		p := filepath.Join(dir, name)
		if err := report.WriteFile(p, report.FormatJSON, r, report.Options{}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return mk("old.json", g("aaaa", "load_config", 12)), mk("new.json", g("aaaa", "load_config", 14), g("bbbb", "save_state", 40))
}

func runCmd(f func([]string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	status := f(args, &out, &errb)
	return status, out.String(), errb.String()
}

func reportCmd(args []string, o, e *bytes.Buffer) int { return runReport(args, o, e) }
func diffCmd(args []string, o, e *bytes.Buffer) int   { return runDiff(args, o, e) }

func TestRunReport(t *testing.T) {
	oldPath, newPath := savedReports(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o644)
	wrong := filepath.Join(dir, "wrong.json")
	os.WriteFile(wrong, []byte(`{"schema": "other/v9"}`), 0o644)
	missing := filepath.Join(dir, "missing.json")

	for _, tc := range []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    []string
		wantErr    string // the whole of stderr
	}{
		{"text", []string{newPath}, 0, []string{"load_config  prog.c:14", "2 violations in 2 groups from 1 process"}, ""},
		{"verbose after the file", []string{newPath, "-v"}, 0, []string{"#2 openat ECAPMODE at save_state", "> 0x401000"}, ""},
		{"json", []string{"--format=json", newPath}, 0, []string{`"schema": "captrace/report/v1"`, `"fingerprint": "bbbb"`}, ""},
		{"sarif with a space", []string{"--format", "sarif", newPath}, 0, []string{`"version": "2.1.0"`, `"captrace/v1": "bbbb"`}, ""},
		{"html", []string{"--format=html", newPath}, 0, []string{"<!DOCTYPE html>", `<span class="fn">save_state</span>`}, ""},
		{"html with a baseline", []string{"--format=html", "--baseline=" + oldPath, newPath}, 0, []string{`<dd id="new-count" class="is-new">1</dd>`}, ""},
		{"missing baseline", []string{"--format=html", "--baseline", missing, newPath}, 125, nil, "captrace: baseline " + missing + ": no such file\n"},
		{"missing file", []string{missing}, 125, nil, "captrace: " + missing + ": no such file\n"},
		{"empty file", []string{empty}, 125, nil, "captrace: " + empty + ": empty file, not a captrace report\n"},
		{"wrong schema", []string{wrong}, 125, nil, "captrace: " + wrong + `: not a captrace report (schema "other/v9", want "captrace/report/v1")` + "\n"},
		{"bad flag", []string{"--colour", newPath}, 2, nil, "captrace report: unknown flag -colour\nusage: captrace report [--format=text|json|sarif|html] [-v] [-o FILE] [--baseline=FILE] FILE.json\n"},
		{"bad format", []string{"--format=xml", newPath}, 2, nil, "captrace report: --format=xml: want text, json, sarif or html\nusage: captrace report [--format=text|json|sarif|html] [-v] [-o FILE] [--baseline=FILE] FILE.json\n"},
		{"no file", nil, 2, nil, "captrace report: want one report file, got 0\nusage: captrace report [--format=text|json|sarif|html] [-v] [-o FILE] [--baseline=FILE] FILE.json\n"},
		{"two files", []string{newPath, newPath}, 2, nil, "captrace report: want one report file, got 2\nusage: captrace report [--format=text|json|sarif|html] [-v] [-o FILE] [--baseline=FILE] FILE.json\n"},
		{"help", []string{"-h"}, 0, []string{"usage: captrace report"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out, errOut := runCmd(reportCmd, tc.args...)
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d\nstderr: %s", status, tc.wantStatus, errOut)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if errOut != tc.wantErr {
				t.Errorf("stderr\n%q\nwant\n%q", errOut, tc.wantErr)
			}
		})
	}
}

// -o picks the format from the extension, as a tracing run does, and
// --format overrides it.
func TestRunReportOutput(t *testing.T) {
	_, newPath := savedReports(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args   []string
		file   string
		prefix string
	}{
		{[]string{newPath, "-o", filepath.Join(dir, "page.html")}, "page.html", "<!DOCTYPE html>"},
		{[]string{"--format=html", newPath, "-o", filepath.Join(dir, "page.out")}, "page.out", "<!DOCTYPE html>"},
		{[]string{newPath, "-o", filepath.Join(dir, "copy.json")}, "copy.json", "{"},
	} {
		status, out, errOut := runCmd(reportCmd, tc.args...)
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if status != 0 || out != "" || errOut != "" || err != nil || !strings.HasPrefix(string(data), tc.prefix) {
			t.Errorf("report %v: status %d, stdout %q, stderr %q, %s starts %.20q (%v); want it to start %q",
				tc.args, status, out, errOut, tc.file, data, err, tc.prefix)
		}
	}
	if status, _, errOut := runCmd(reportCmd, newPath, "-o", filepath.Join(dir, "no", "such", "dir.html")); status != 125 || !strings.HasPrefix(errOut, "captrace: writing the report: ") {
		t.Errorf("-o into a missing directory: status %d, stderr %q", status, errOut)
	}
}

func TestRunDiff(t *testing.T) {
	oldPath, newPath := savedReports(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"schema": "captrace/report/v1", "groups": [`), 0o644)

	status, out, errOut := runCmd(diffCmd, oldPath, newPath)
	want := "new: 1 group\n  + openat ECAPMODE at save_state  prog.c:40 (1 time) [bbbb]\n      hint: use openat(dirfd, relative)\n    > 0x401000           save_state  /src/prog.c:40\n"
	if status != 3 || out != want || errOut != "" {
		t.Errorf("diff old new: status %d\n%s\nwant 3\n%s\nstderr %q", status, out, want, errOut)
	}
	status, out, _ = runCmd(diffCmd, newPath, oldPath)
	if status != 0 || !strings.Contains(out, "fixed: 1 group\n  - openat ECAPMODE at save_state  prog.c:40 [bbbb]") {
		t.Errorf("diff new old: status %d\n%s", status, out)
	}
	status, out, _ = runCmd(diffCmd, newPath, newPath)
	if status != 0 || out != "no change: the same violation groups\n" {
		t.Errorf("diff new new: status %d\n%s", status, out)
	}
	status, _, errOut = runCmd(diffCmd, oldPath, corrupt)
	if status != 125 || errOut != "captrace: "+corrupt+": truncated JSON (the file ends in the middle of the report)\n" {
		t.Errorf("corrupt: status %d, stderr %q", status, errOut)
	}
	if status, _, errOut = runCmd(diffCmd, oldPath); status != 2 || !strings.HasPrefix(errOut, "captrace diff: want two report files, got 1\n") {
		t.Errorf("one file: status %d, stderr %q", status, errOut)
	}
}
