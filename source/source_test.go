package source

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeLines(t *testing.T, dir, name string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString("line " + string(rune('0'+i%10)) + "\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExcerpt(t *testing.T) {
	dir := t.TempDir()
	file := writeLines(t, dir, "a.c", 10)
	r := NewReader("")
	for _, tc := range []struct {
		line, first int
		lines       []string
	}{
		{5, 2, []string{"line 2", "line 3", "line 4", "line 5", "line 6", "line 7", "line 8"}},
		{1, 1, []string{"line 1", "line 2", "line 3", "line 4"}},  // the top: no lines before
		{10, 7, []string{"line 7", "line 8", "line 9", "line 0"}}, // the last line
	} {
		first, lines, err := r.Excerpt(file, tc.line)
		if err != nil || first != tc.first || !reflect.DeepEqual(lines, tc.lines) {
			t.Errorf("Excerpt(line %d) = %d, %q, %v; want %d, %q", tc.line, first, lines, err, tc.first, tc.lines)
		}
	}
}

func TestExcerptRelativeAndCRLF(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.c"), []byte("a\r\nb\xff\r\nc\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Reader{Dir: dir, Context: 1}
	first, lines, err := r.Excerpt("w.c", 2)
	if err != nil || first != 1 || !reflect.DeepEqual(lines, []string{"a", "b\uFFFD", "c"}) {
		t.Errorf("relative w.c line 2 = %d, %q, %v", first, lines, err)
	}
}

func TestExcerptErrors(t *testing.T) {
	dir := t.TempDir()
	short := writeLines(t, dir, "short.c", 3)
	bin := filepath.Join(dir, "blob.c")
	if err := os.WriteFile(bin, []byte("ELF\x00\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := NewReader("")
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{filepath.Join(dir, "gone.c"), 3, "gone.c: no such file on this machine"},
		{short, 9, "short.c has 3 lines, not 9: the file changed since the program was built"},
		{dir, 1, ": not a regular file"},
		{"/dev/zero", 1, "/dev/zero: not a regular file"},
		{bin, 1, "blob.c: a binary file, not source"},
		{"", 4, "no source line recorded"},
	} {
		_, _, err := r.Excerpt(tc.file, tc.line)
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("Excerpt(%s, %d) error %v, want one ending %q", tc.file, tc.line, err, tc.want)
		}
	}
}

// A file is read once, however many sites it has; an edit after the first
// read does not tear a report in two.
func TestExcerptReadsOnce(t *testing.T) {
	dir := t.TempDir()
	file := writeLines(t, dir, "once.c", 10)
	r := NewReader("")
	if _, _, err := r.Excerpt(file, 2); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if _, lines, err := r.Excerpt(file, 9); err != nil || lines[0] != "line 6" {
		t.Errorf("second excerpt of a removed file: %q, %v", lines, err)
	}
}
