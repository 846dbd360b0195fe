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
}
