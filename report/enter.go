package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

// EnterReachedText says where the run's enter point was first reached, as
// the text and HTML reports print it: "cap_enter reached in pid 4242 at
// sandbox_init prog.c:41" (the caller of the enter function), or "exec
// reached in pid 4242 at exec of /bin/prog". It is "" when the report
// does not say (never reached, or a report older than the field).
func (r *Report) EnterReachedText() string {
	s := r.EnterReached
	if s == nil {
		return ""
	}
	text := fmt.Sprintf("%s reached in pid %d", r.Enter, s.Pid)
	switch {
	case s.Exec != "":
		return text + " at exec of " + s.Exec
	case s.Function == "":
		return text
	case s.File != "" && s.Line > 0:
		return fmt.Sprintf("%s at %s %s:%d", text, s.Function, filepath.Base(s.File), s.Line)
	case s.Module != "":
		return fmt.Sprintf("%s at %s (%s)", text, s.Function, filepath.Base(s.Module))
	}
	return text + " at " + s.Function
}

// symbolizeStack turns raw PCs (innermost first) into frames: inlined
// frames at each PC, and the tail-call frames rebuilt between two PCs.
// lookup holds, per frame, the address its PC is looked up at.
func (c *Collector) symbolizeStack(mm *symbolize.ModuleMap, pcs []symbolize.PC) (frames []symbolize.Frame, lookup []uint64) {
	tails, _ := c.sym.(TailCallSymbolizer)
	for i, pc := range pcs {
		fs := c.sym.Symbolize(mm, pc)
		if len(fs) == 0 {
			fs = []symbolize.Frame{{PC: pc.Addr}}
		}
		for _, f := range fs {
			f.PC = pc.Addr
			frames = append(frames, f)
			lookup = append(lookup, pc.LookupAddr())
		}
		if tails != nil && i+1 < len(pcs) {
			for _, f := range tails.TailCallFrames(mm, pc, pcs[i+1]) {
				frames = append(frames, f)
				lookup = append(lookup, f.PC-1)
			}
		}
	}
	return frames, lookup
}

// SetEnterPoint records where the enter point was first reached; Report
// names the place.
func (c *Collector) SetEnterPoint(ep *event.EnterPoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enter = ep
}

// enterSite names where the enter point was reached: the frame that called
// the enter function, that is the first frame past those of the innermost
// PC (the enter function's entry, or FreeBSD's cap_enter wrapper), or,
// when the innermost PC is in an inlined copy of the function enter
// names, the frame holding the copy; a function that reached it by a
// tail call is that frame, rebuilt. When the caller is a system library
// (main's is the C library's start-up), the enter function names the
// place itself.
func (c *Collector) enterSite(enter string) *EnterSite {
	ep := c.enter
	if ep == nil {
		return nil
	}
	site := &EnterSite{Pid: ep.Pid, Exec: ep.Exec}
	if ep.Exec != "" || len(ep.Stack) == 0 {
		return site
	}
	if !inSystemModule(ep.Maps, ep.Stack[0]) {
		fs := c.sym.Symbolize(ep.Maps, ep.Stack[0])
		for i := 0; i+1 < len(fs); i++ {
			// A breakpoint on an inlined copy of the enter function
			// (symbolize.FindFunction plants them): its caller is the
			// frame that holds the copy, at the line of the "call".
			if fs[i].Inlined && namesFunction(enter, fs[i].Function) {
				f := fs[i+1]
				site.Function, site.File, site.Line, site.Module = f.Function, f.File, f.Line, f.Module
				return site
			}
		}
		// A C program's main is called by the C library's start-up,
		// which a static program links in where its symbols may not
		// tell it apart from the program's code: main names the place.
		if namesFunction(enter, "main") && len(fs) == 1 && fs[0].Function == "main" {
			f := fs[0]
			site.Function, site.File, site.Line, site.Module = f.Function, f.File, f.Line, f.Module
			return site
		}
	}
	// Only the enter function and its caller are named. The caller of main
	// is the C library, whose symbols cost more than the rest of a short
	// run (a run with no violation would load them for this line alone):
	// when the caller is a system library, the enter function itself,
	// where capability mode began, stands for it.
	var f symbolize.Frame
	if len(ep.Stack) > 1 && !inSystemModule(ep.Maps, ep.Stack[1]) {
		frames, _ := c.symbolizeStack(ep.Maps, ep.Stack[:2])
		inner := max(1, len(c.sym.Symbolize(ep.Maps, ep.Stack[0])))
		if inner >= len(frames) {
			return site
		}
		f = frames[inner]
	} else {
		fs := c.sym.Symbolize(ep.Maps, ep.Stack[0])
		if len(fs) == 0 {
			return site
		}
		f = fs[len(fs)-1]
	}
	site.Function, site.File, site.Line, site.Module = f.Function, f.File, f.Line, f.Module
	return site
}

// inSystemModule reports whether pc lies in a system library, from the
// module map alone (without symbolizing).
func inSystemModule(mm *symbolize.ModuleMap, pc symbolize.PC) bool {
	if mm == nil {
		return false
	}
	m := mm.Find(pc.Addr)
	return m != nil && symbolize.IsSystemModule(m.Path)
}

// namesFunction reports whether the --enter value enter names the
// function a report prints as function: the name itself, or a C++
// signature of it ("worker(int)").
func namesFunction(enter, function string) bool {
	enter = strings.TrimSpace(enter)
	if i := strings.IndexByte(enter, '('); i > 0 {
		enter = enter[:i]
	}
	return enter == function
}
