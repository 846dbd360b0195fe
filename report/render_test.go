package report

import (
	"bytes"
	"os"
	"strings"
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
	// /dev/null is a character device, but no terminal: no escapes.
	if f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer f.Close()
		t.Setenv("NO_COLOR", "")
		if useColor(f, ColorAuto) {
			t.Error("ColorAuto colored /dev/null")
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

func TestShortFunction(t *testing.T) {
	long := "app::detail::Loader<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::vector<int, std::allocator<int> > >::load<main::{lambda(int)#1}>"
	if got := shortFunction(long); got != "app::detail::Loader<...>::load<...>" {
		t.Errorf("shortFunction = %q", got)
	}
	if got := shortFunction("main.loadConfig"); got != "main.loadConfig" {
		t.Errorf("a short name changed: %q", got)
	}
	if got := exampleArg([]string{"5", "0x55e9c55b901f", "1", "0", `{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.1")}`, "16"}); !strings.HasPrefix(got, "{sa_family=AF_INET") {
		t.Errorf("sendto example %q: want the destination", got)
	}
}
