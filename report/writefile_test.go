package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestFormatFor(t *testing.T) {
	for _, tc := range []struct {
		flag, path, want string
		wantErr          bool
	}{
		{"", "", FormatText, false},
		{"", "out.json", FormatJSON, false},
		{"", "out.SARIF", FormatSARIF, false},
		{"", "out.txt", FormatText, false},
		{"json", "out.sarif", FormatJSON, false}, // the flag wins
		{"", "report.html", FormatHTML, false},
		{"", "report.HTM", FormatHTML, false},
		{"html", "page.txt", FormatHTML, false},
		{"xml", "", "", true},
	} {
		got, err := FormatFor(tc.flag, tc.path)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("FormatFor(%q, %q) = %q, %v", tc.flag, tc.path, got, err)
		}
	}
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWriteFileReplacesRegularFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	r := fixtureReport(t)
	if err := WriteFile(p, FormatJSON, r, Options{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if _, err := Parse(got); err != nil {
		t.Errorf("written report does not load: %v", err)
	}
	after, _ := os.Stat(p)
	if after.Mode() != before.Mode() {
		t.Errorf("mode %v, want %v kept", after.Mode(), before.Mode())
	}
	if os.SameFile(before, after) {
		t.Errorf("the file was rewritten in place, not replaced by rename")
	}
	noTempFiles(t, dir)
}

func TestWriteFileNewFileAndSymlink(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new.txt")
	if err := WriteFile(p, FormatText, fixtureReport(t), Options{Color: ColorAlways}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Contains(b, []byte("11 violations in 6 groups from 2 processes")) || bytes.Contains(b, []byte("\x1b[")) != true {
		// ColorAlways is honoured even for files; ColorAuto would not color.
		t.Errorf("text report:\n%s", b)
	}
	if err := WriteFile(p, FormatText, fixtureReport(t), Options{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("\x1b[")) {
		t.Errorf("ColorAuto colored a regular file")
	}
	link := filepath.Join(dir, "link.json")
	target := filepath.Join(dir, "target.json")
	os.WriteFile(target, []byte("old"), 0o644)
	if err := os.Symlink("target.json", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, FormatJSON, fixtureReport(t), Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(target); !bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("target not updated: %q", b)
	}
	noTempFiles(t, dir)
}

func TestWriteFileErrorsLeaveOldFile(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "no", "such", "dir.json"), FormatJSON, fixtureReport(t), Options{}); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	p := filepath.Join(dir, "keep.json")
	os.WriteFile(p, []byte("old"), 0o644)
	if err := WriteFile(p, "xml", fixtureReport(t), Options{}); err == nil {
		t.Error("unknown format accepted")
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("a failed write changed the file: %q", b)
	}
	noTempFiles(t, dir)
}

func TestWriteFileDevNull(t *testing.T) {
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	if err := WriteFile(os.DevNull, FormatJSON, fixtureReport(t), Options{}); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(os.DevNull)
	if err != nil || !os.SameFile(before, after) || after.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null was replaced: %v %v", after.Mode(), err)
	}
	// Nothing may be created under /dev.
	if err := WriteFile("/dev/captrace-test-report.json", FormatJSON, fixtureReport(t), Options{}); err == nil {
		os.Remove("/dev/captrace-test-report.json")
		t.Error("WriteFile created a file under /dev")
	}
}

func TestWriteFileFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if err := WriteFile(p, FormatJSON, fixtureReport(t), Options{}); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Contains(b, []byte(`"schema": "captrace/report/v1"`)) {
		t.Errorf("read from the FIFO: %q", b)
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

func TestWriteFileStdout(t *testing.T) {
	for _, name := range []string{"-", "/dev/stdout"} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stdout
		os.Stdout = w
		err = WriteFile(name, FormatJSON, fixtureReport(t), Options{})
		os.Stdout = saved
		w.Close()
		b, _ := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Contains(b, []byte(`"schema": "captrace/report/v1"`)) {
			t.Errorf("%s: %v, wrote %q", name, err, b)
		}
	}
	if fi, err := os.Lstat("/dev/stdout"); err == nil && fi.Mode()&os.ModeSymlink == 0 && !fi.Mode().IsRegular() {
		t.Logf("/dev/stdout is %v", fi.Mode())
	}
}
