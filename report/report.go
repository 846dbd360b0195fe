// Package report turns violations into what captrace's users read: groups by
// call site with stable fingerprints, a text table, JSON (captrace/report/v1),
// SARIF 2.1.0, the baseline gate and diffs.
//
// report never drives ptrace and never looks at a binary or the disk: it
// receives event.Events whose stacks are raw PCs captured at the stop,
// symbolizes them off the ptrace thread through the Symbolizer interface
// (which also decides what each frame is: system code, a static program,
// which source tree), and keeps one example per group so memory grows with
// groups, not events. Arguments stay typed (capmode.Arg) until a report is
// built; remedies come from capmode.Remedy. The only files report opens
// are the one it writes and a saved report it is asked to Load.
package report

import (
	"github.com/captrace/captrace/symbolize"
)

// Symbolizer is what the Collector needs from symbolize (an interface so
// tests can feed frames directly). Frames carry the facts the call site
// is chosen by (symbolize.Frame's System, Static and SourceRoot).
type Symbolizer interface {
	Symbolize(mm *symbolize.ModuleMap, pc symbolize.PC) []symbolize.Frame
}

// IsSystemFrame reports whether a frame belongs to code that only passes a
// call through (symbolize.IsSystemFrame).
func IsSystemFrame(f symbolize.Frame) bool { return symbolize.IsSystemFrame(f) }
