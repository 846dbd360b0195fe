// Package report turns violations into what captrace's users read: groups by
// call site with stable fingerprints, a text table, JSON (captrace/report/v1),
// SARIF 2.1.0, the baseline gate and diffs.
//
// report never drives ptrace. It receives Events whose stacks are raw PCs
// captured at the stop, symbolizes them off the ptrace thread (through the
// Symbolizer interface), and keeps one example per group so memory grows with
// groups, not events.
package report

import (
	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// Event is one violation as the tracer saw it, handed over after the thread
// has been resumed.
type Event struct {
	Pid, Tid int
	Syscall  string   // "openat"
	Args     []string // decoded strace style: "AT_FDCWD", "\"/etc/x\"", "O_RDONLY|O_CREAT"
	Verdict  capmode.Verdict
	Stack    []symbolize.PC       // innermost first
	Maps     *symbolize.ModuleMap // the process's module map at the stop
}

// Symbolizer is what the Collector needs from symbolize (an interface so
// tests can feed frames directly).
type Symbolizer interface {
	Symbolize(mm *symbolize.ModuleMap, pc symbolize.PC) []symbolize.Frame
}
