package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// -p takes process ids, repeated or comma-separated, and excludes a
// PROGRAM: each mistake is one usage line and exit status 2.
func TestAttachFlags(t *testing.T) {
	for _, c := range []struct {
		args   []string
		pids   []int
		status int
		msg    string
	}{
		{[]string{"-p", "42"}, []int{42}, 0, ""},
		{[]string{"-p", "42,43", "-p", "7"}, []int{42, 43, 7}, 0, ""},
		{[]string{"-p=42", "--mode=enforce"}, []int{42}, 0, ""},
		{[]string{"-p", "42", "--", "/bin/true"}, nil, 2, "not both"},
		{[]string{"-p", "x"}, nil, 2, `"x" is not a process id`},
		{[]string{"-p", "0"}, nil, 2, "not a process id"},
		{[]string{"-p", "42,42"}, nil, 2, "given twice"},
		{[]string{"-p", "42", "--enter=main"}, nil, 2, "starts at once"},
	} {
		var stdout, stderr bytes.Buffer
		o, status := parseTraceFlags(c.args, &stdout, &stderr)
		if status != c.status {
			t.Errorf("%v: status %d, want %d (%s)", c.args, status, c.status, stderr.String())
			continue
		}
		if c.status != 0 {
			if !strings.Contains(stderr.String(), c.msg) || !strings.HasPrefix(stderr.String(), "captrace: ") {
				t.Errorf("%v: stderr %q, want a line with %q", c.args, stderr.String(), c.msg)
			}
			continue
		}
		if !reflect.DeepEqual(o.pids, c.pids) || o.program != "" {
			t.Errorf("%v: pids %v program %q, want %v", c.args, o.pids, o.program, c.pids)
		}
	}
}
