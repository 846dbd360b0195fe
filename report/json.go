package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the v1 report, indented. HTML escaping is off so C++
// names ("std::vector<int>") stay readable.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(normalized(r))
}

// normalized returns r with nil slices as empty ones, so readers of the
// JSON see [] rather than null.
func normalized(r *Report) *Report {
	out := *r
	if out.Command == nil {
		out.Command = []string{}
	}
	out.Groups = make([]Group, len(r.Groups))
	for i, g := range r.Groups {
		if g.Pids == nil {
			g.Pids = []int{}
		}
		if g.Example.Args == nil {
			g.Example.Args = []string{}
		}
		if g.Example.Stack == nil {
			g.Example.Stack = []StackFrame{}
		}
		out.Groups[i] = g
	}
	out.RawBytes = rawBytesOf(&out)
	return &out
}
