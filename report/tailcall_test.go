package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

// tailSymbolizer adds a rebuilt frame between two PCs, as
// symbolize.Symbolizer does from DWARF call sites.
type tailSymbolizer struct {
	*fakeSymbolizer
	between map[[2]uint64][]symbolize.Frame
}

func (s tailSymbolizer) TailCallFrames(mm *symbolize.ModuleMap, callee, caller symbolize.PC) []symbolize.Frame {
	return s.between[[2]uint64{callee.Addr, caller.Addr}]
}

// TestTailCallFrameIsTheSite: a frame rebuilt between the libc wrapper and
// main is the innermost frame of the program: the site. It is marked in
// JSON, SARIF and the verbose text.
func TestTailCallFrameIsTheSite(t *testing.T) {
	sym := tailSymbolizer{fixtureSymbolizer(), map[[2]uint64][]symbolize.Frame{
		{0x7f0000011000, 0x401400}: {{PC: 0x401255, Module: prog, Function: "open_config", File: progSrc, Line: 13, TailCall: true}},
	}}
	c := NewCollector(sym)
	c.Add(event.Event{Pid: 1, Tid: 1, Syscall: "openat", Verdict: verdictFDCWD, Maps: &symbolize.ModuleMap{},
		Stack: stack(0x7f0000011000, 0x401400, 0x7f000002a000)})
	r := c.Report(fixtureMeta)
	if len(r.Groups) != 1 {
		t.Fatalf("%d groups", len(r.Groups))
	}
	g := r.Groups[0]
	if g.Site.Function != "open_config" || g.Site.Line != 13 {
		t.Errorf("site %+v, want the tail-calling open_config", g.Site)
	}
	var fns []string
	for _, f := range g.Example.Stack {
		fns = append(fns, f.Function)
	}
	if strings.Join(fns, " ") != "__libc_open64 open_config main __libc_start_call_main" {
		t.Errorf("stack %v", fns)
	}
	if f := g.Example.Stack[1]; !f.TailCall || f.PC != "0x401255" {
		t.Errorf("rebuilt frame %+v: want tailcall at its own pc", f)
	}

	var js bytes.Buffer
	if err := Write(&js, "json", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"tailcall": true`); n != 1 {
		t.Errorf("JSON has %d tailcall marks, want 1:\n%s", n, js.String())
	}
	var sarif bytes.Buffer
	if err := WriteSARIF(&sarif, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				CodeFlows []struct {
					ThreadFlows []struct {
						Locations []struct {
							Importance string         `json:"importance"`
							Properties map[string]any `json:"properties"`
						} `json:"locations"`
					} `json:"threadFlows"`
				} `json:"codeFlows"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sarif.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	locs := doc.Runs[0].Results[0].CodeFlows[0].ThreadFlows[0].Locations
	if locs[1].Properties["tailcall"] != true || locs[1].Importance != "essential" {
		t.Errorf("SARIF location of the rebuilt frame: %+v", locs[1])
	}
	var text bytes.Buffer
	if err := Write(&text, "text", r, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "open_config  testdata/src/prog.c:13 (tail call)") {
		t.Errorf("verbose text does not mark the tail call:\n%s", text.String())
	}
}
