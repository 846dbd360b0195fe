package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// maxReportSize bounds what Load reads: a report is a few kilobytes per
// group, and a wrong path (a disk image) must fail fast, not fill memory.
const maxReportSize = 256 << 20

// Load reads a saved JSON report (a baseline, or a report to re-render or
// diff). Every error is one line that starts with the file's name and says
// what is wrong with it.
func Load(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, describeOSError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a report file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, describeOSError(err))
	}
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("%s: larger than %d MiB, not a captrace report", path, maxReportSize>>20)
	}
	r, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func describeOSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// Parse decodes a JSON report. Unknown fields are accepted (newer
// captrace versions add fields to v1); a wrong schema is not.
func Parse(data []byte) (*Report, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file, not a captrace report")
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, describeJSONError(data, err)
	}
	obj, ok := probe.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a captrace report (a JSON %s, want an object with \"schema\": %q)", jsonKind(probe), Schema)
	}
	switch s := obj["schema"].(type) {
	case nil:
		return nil, fmt.Errorf("not a captrace report (no \"schema\" field, want %q)", Schema)
	case string:
		if s != Schema {
			return nil, fmt.Errorf("not a captrace report (schema %q, want %q)", s, Schema)
		}
	default:
		return nil, fmt.Errorf("not a captrace report (schema is a JSON %s, want %q)", jsonKind(s), Schema)
	}
	switch g := obj["groups"].(type) {
	case []any:
	case nil:
		if _, ok := obj["groups"]; ok {
			return nil, errors.New(`"groups" is null (want an array, [] when there is no violation)`)
		}
		return nil, errors.New(`no "groups" field (want an array, [] when there is no violation)`)
	default:
		return nil, fmt.Errorf(`"groups" is a JSON %s (want an array)`, jsonKind(g))
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, describeJSONError(data, err)
	}
	if err := restoreRawBytes(&r); err != nil {
		return nil, err
	}
	if err := checkConsistent(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// checkConsistent refuses a report whose numbers cannot be true: a gate
// or a diff computed from it would be wrong without a word.
func checkConsistent(r *Report) error {
	s := r.Summary
	for _, c := range []struct {
		name string
		n    int
	}{{"violations", s.Violations}, {"groups", s.Groups}, {"processes", s.Processes}} {
		if c.n < 0 {
			return fmt.Errorf("summary.%s is negative (%d)", c.name, c.n)
		}
	}
	total := 0
	pids := map[int]bool{}
	for i, g := range r.Groups {
		where := fmt.Sprintf("groups[%d] (%s at %s)", i, g.Syscall, g.Site.Function)
		if g.Fingerprint == "" {
			return fmt.Errorf("%s has no fingerprint", where)
		}
		if g.Count < 1 {
			return fmt.Errorf("%s has count %d (a group is at least one violation)", where, g.Count)
		}
		total += g.Count
		for _, p := range g.Pids {
			pids[p] = true
		}
	}
	switch {
	case s.Groups != len(r.Groups):
		return fmt.Errorf("summary.groups is %d but the report has %d groups", s.Groups, len(r.Groups))
	case s.Violations != total:
		return fmt.Errorf("summary.violations is %d but the groups' counts add up to %d", s.Violations, total)
	case s.Processes < len(pids):
		return fmt.Errorf("summary.processes is %d but the groups name %d processes", s.Processes, len(pids))
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "object"
}

func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if strings.Contains(se.Error(), "unexpected end") {
			return errors.New("truncated JSON (the file ends in the middle of the report)")
		}
		// Offset counts the offending byte as read.
		line, col := position(data, se.Offset-1)
		return fmt.Errorf("corrupt JSON at line %d, column %d: %s", line, col, se.Error())
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "the report"
		}
		line, col := position(data, te.Offset)
		return fmt.Errorf("bad value for %s at line %d, column %d: want %s, got JSON %s", where, line, col, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON (the file ends in the middle of the report)")
	}
	return fmt.Errorf("corrupt JSON: %v", err)
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Compare matches groups by fingerprint: newGroups are in current and not
// in baseline (in current's order), fixedGroups in baseline and no longer
// in current (in baseline's order). A nil baseline is an empty one.
func Compare(baseline, current *Report) (newGroups, fixedGroups []Group) {
	old := map[string]bool{}
	if baseline != nil {
		for _, g := range baseline.Groups {
			old[g.Fingerprint] = true
		}
	}
	now := map[string]bool{}
	if current != nil {
		for _, g := range current.Groups {
			now[g.Fingerprint] = true
			if !old[g.Fingerprint] {
				newGroups = append(newGroups, g)
			}
		}
	}
	if baseline != nil {
		for _, g := range baseline.Groups {
			if !now[g.Fingerprint] {
				fixedGroups = append(fixedGroups, g)
			}
		}
	}
	return newGroups, fixedGroups
}
