package report

import (
	"bytes"
	"os"
	"testing"
)

func TestGoldenText(t *testing.T) {
	r := fixtureReport(t)
	for _, tc := range []struct {
		name    string
		verbose bool
	}{{"table.txt", false}, {"table-verbose.txt", true}} {
		var b bytes.Buffer
		if err := WriteText(&b, r, Options{Verbose: tc.verbose, Color: ColorNever, Dir: "/nonexistent"}); err != nil {
			t.Fatal(err)
		}
		golden(t, tc.name, b.Bytes())
	}
}

func TestGoldenJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixtureReport(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", b.Bytes())
}

func TestColor(t *testing.T) {
	var b bytes.Buffer
	if useColor(&b, ColorAuto) {
		t.Error("ColorAuto colored a buffer")
	}
	if !useColor(&b, ColorAlways) || useColor(&b, ColorNever) {
		t.Error("ColorAlways/ColorNever not obeyed")
	}
	// /dev/null is a character device, like a terminal; NO_COLOR wins.
	if f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer f.Close()
		t.Setenv("NO_COLOR", "")
		if !useColor(f, ColorAuto) {
			t.Error("an empty NO_COLOR turned color off")
		}
		t.Setenv("NO_COLOR", "1")
		if useColor(f, ColorAuto) {
			t.Error("NO_COLOR did not turn color off")
		}
	}
}

func TestTextEmptyReport(t *testing.T) {
	var b bytes.Buffer
	r := &Report{Schema: Schema}
	if err := WriteText(&b, r, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no capability-mode violations\n" {
		t.Errorf("empty report: %q", b.String())
	}
}
