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

// enterSite names where the enter point was reached: the caller of the
// enter function, that is the frame just outside the outermost frame that
// names it (the function --enter names; for cap_enter, cap_enter or
// capsicum_helpers.h's caph_enter: the Capsicum shim's wrappers, inlined
// or not, are walked out of), whether the function was entered at a
// breakpoint, holds an inlined copy of it, or made the syscall; a
// function that reached it by a tail call is that frame, rebuilt. When
// the caller is a system library (main's is the C library's start-up) or
// the enter function is a C program's main, the enter function names the
// place itself. When no frame names the enter function (a stripped
// program), the caller of the innermost PC's frames does.
//
// The stack stops at the first system library past the program's frames
// (symbolize.Unwinder.UnwindToProgram), and that frame is never
// symbolized: the C library's symbols cost more than the rest of a short
// run, which would load them for this line alone.
func (c *Collector) enterSite(enter string) *EnterSite {
	ep := c.enter
	if ep == nil {
		return nil
	}
	site := &EnterSite{Pid: ep.Pid, Exec: ep.Exec}
	if ep.Exec != "" || len(ep.Stack) == 0 {
		return site
	}
	end := len(ep.Stack)
	program := false
	for i, pc := range ep.Stack {
		system := c.inSystemModule(ep.Maps, pc)
		if system && program {
			end = i
			break
		}
		program = program || !system
	}
	frames, _ := c.symbolizeStack(ep.Maps, ep.Stack[:end])
	if len(frames) == 0 {
		return site
	}
	outer := -1
	for i, f := range frames {
		if namesEnter(enter, f.Function) {
			outer = i
		}
	}
	var f symbolize.Frame
	switch {
	case outer >= 0 && (outer+1 == len(frames) || (namesFunction(enter, "main") && frames[outer].Function == "main")):
		// Called from a system library, or a C program's main, whose
		// caller is the C library's start-up (in a static program linked
		// in, where its symbols may not tell it apart from the program).
		f = frames[outer]
	case outer >= 0:
		f = frames[outer+1]
	default:
		inner := max(1, len(c.sym.Symbolize(ep.Maps, ep.Stack[0])))
		f = frames[min(inner, len(frames)-1)]
	}
	site.Function, site.File, site.Line, site.Module = f.Function, f.File, f.Line, f.Module
	return site
}

// namesEnter reports whether a frame's function is the enter function
// enter names: the name itself, a C++ signature of it, and for cap_enter
// capsicum_helpers.h's caph_enter, which calls it.
func namesEnter(enter, function string) bool {
	return namesFunction(enter, function) || (namesFunction(enter, "cap_enter") && function == "caph_enter")
}

// inSystemModule reports whether pc lies in a system library, from the
// module map alone (without symbolizing), --site-in libraries excepted.
func (c *Collector) inSystemModule(mm *symbolize.ModuleMap, pc symbolize.PC) bool {
	if mm == nil {
		return false
	}
	m := mm.Find(pc.Addr)
	if m == nil || !symbolize.IsSystemModule(m.Path) {
		return false
	}
	s, ok := c.sym.(SiteInSymbolizer)
	return !ok || !s.IsSiteIn(m.Path)
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
