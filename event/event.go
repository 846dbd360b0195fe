// Package event holds what the tracer hands to the report: one Event per
// violation, captured while the thread was stopped.
//
// It sits below both of them, so data flows one way: tracer produces
// Events, report consumes them, and neither knows the other. An Event is
// plain data: arguments typed as capmode decoded them (capmode.Arg),
// the verdict, and the stack as raw PCs with the module map they belong
// to. Nothing here formats, symbolizes or knows about presentation; a
// package that renders must not be imported from here.
package event

import (
	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// Event is one violation as the tracer saw it at the stop, handed over
// after the thread has been resumed.
type Event struct {
	Pid, Tid int
	Syscall  string        // "openat"
	Args     []capmode.Arg // typed, with what pointers pointed to at the stop
	Verdict  capmode.Verdict
	Stack    []symbolize.PC       // innermost first
	Maps     *symbolize.ModuleMap // the process's module map at the stop
	// LimitedAt: for a rights violation, the call that limited the
	// descriptor; the report names its site ("limited at main, prog.c:41").
	LimitedAt *Origin
}

// Origin is a call recorded before the event (where a descriptor was
// limited or opened): its stack and the module map it belongs to.
type Origin struct {
	Stack []symbolize.PC
	Maps  *symbolize.ModuleMap
}

// EnterPoint is where the enter point was first reached: the process,
// and the stack of the thread stopped there, unwound as a violation's is.
// At a breakpoint the innermost PC is the enter function's first
// instruction and the next is its caller's return address; at FreeBSD's
// cap_enter(2) the innermost is the C library's wrapper. For
// --enter=exec there is no stack: Exec names the image execed.
type EnterPoint struct {
	Pid, Tid int
	Exec     string               // the program execed, for --enter=exec; "" otherwise
	Stack    []symbolize.PC       // innermost first
	Maps     *symbolize.ModuleMap // the process's module map at the stop
}
