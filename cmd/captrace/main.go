// Command captrace runs a program and reports, call site by call site, every
// syscall that would fail in Capsicum capability mode.
//
//	captrace [flags] [--] PROGRAM [ARG...]
//	captrace report FILE.json          re-render a saved report
//	captrace diff OLD.json NEW.json    what is new in NEW
//	captrace policy [--os=linux|freebsd] [--format=text|json] [SYSCALL...]
//	captrace help [COMMAND]
//
// This package is the CLI only: flags, subcommands and exit statuses. The
// work is in tracer, capmode, symbolize, event and report
// (docs/architecture.md).
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/captrace/captrace/internal/debuginfod"
	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/source"
	"github.com/captrace/captrace/symbolize"
	"github.com/captrace/captrace/tracer"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "report":
			return runReport(args[1:], stdout, stderr)
		case "diff":
			return runDiff(args[1:], stdout, stderr)
		case "policy":
			return runPolicy(args[1:], stdout, stderr)
		case "help":
			return runHelp(args[1:], stdout, stderr)
		case "shim":
			return runShim(args[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintf(stdout, "captrace %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
			return 0
		}
	}
	opts, status := parseTraceFlags(args, stdout, stderr)
	if opts == nil {
		return status
	}
	return trace(opts, stderr)
}

// unwindDepth is how deep stacks are unwound whatever --depth says: the
// site and the callers a fingerprint hashes come from the whole stack;
// --depth only limits the frames a report keeps.
const unwindDepth = 64

// trace runs one tracing session and renders its report.
func trace(o *traceOptions, stderr io.Writer) int {
	if err := report.CheckOutput(o.output); err != nil {
		fmt.Fprintf(stderr, "captrace: -o %s: %v\n", o.output, err)
		return tracer.StatusFailure
	}
	var baseline *report.Report
	if o.baseline != "" {
		b, err := report.Load(o.baseline)
		if err != nil {
			fmt.Fprintf(stderr, "captrace: baseline %v\n", err)
			return tracer.StatusFailure
		}
		baseline = b
	}

	started := time.Now()
	cache := symbolize.NewCache(o.debugDirs)
	cache.SiteIn(o.siteIn...)
	if o.debuginfod {
		if c := debuginfod.FromEnv(stderr, debuginfodHelper); c != nil {
			cache.FetchDebugFiles(c)
		}
	}
	collector := report.NewCollector(symbolize.NewSymbolizer(cache), report.WithSourceReader(symbolize.ReadSource), report.WithStackLimit(o.depth))
	// The ptrace thread only queues events; symbolizing and grouping run
	// here, while the tracee is already running again. The queue has no
	// bound: a debug file downloading for the collector must not stop
	// the ptrace thread, and with it the program.
	events := newEventQueue()
	collected := make(chan struct{})
	go func() {
		for {
			ev, ok := events.next()
			if !ok {
				break
			}
			collector.Add(ev)
		}
		close(collected)
	}()

	// Signals are the program's business (docs/usage.md, "Signals"): the
	// first SIGINT, SIGTERM, SIGHUP or SIGQUIT is the program's, passed on
	// to it once unless it got it from the kernel too; a second ends the
	// run, and the report is still written. Attached (-p), the first
	// detaches: the processes were running before captrace, and go on.
	stop := make(chan struct{})
	incoming := make(chan os.Signal, 4)
	var forward chan syscall.Signal
	if len(o.pids) == 0 {
		forward = make(chan syscall.Signal, 1)
	}
	ending := make(chan syscall.Signal, 1)
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		// Under nohup SIGHUP stays ignored, for captrace as for the
		// program (Notify would undo that).
		if !signal.Ignored(sig) {
			signal.Notify(incoming, sig)
		}
	}
	go func() {
		if forward != nil {
			forward <- (<-incoming).(syscall.Signal)
		}
		ending <- (<-incoming).(syscall.Signal)
		close(stop)
	}()

	res, err := tracer.Run(tracer.Config{
		Program:         o.program,
		Args:            o.args,
		Attach:          o.pids,
		Mode:            o.mode,
		Enter:           o.enter,
		ErrnoCapMode:    o.errnoCapMode,
		ErrnoNotCapable: o.errnoNotCapable,
		Depth:           max(o.depth, unwindDepth),
		NoFollow:        o.noFollow,
		SuggestRights:   o.suggestRights,
		DebugDirs:       o.debugDirs,
		OnViolation:     events.push,
		Warnings:        &prefixWriter{w: stderr},
		Cache:           cache,
		Stop:            stop,
		Signals:         forward,
	})
	signal.Stop(incoming)
	events.close()
	<-collected
	if err != nil && res.Processes == 0 {
		return failure(stderr, err)
	}
	enter := o.enterName()
	if res.Enter != "" {
		enter = res.Enter // what the default resolved to: main, main.main
	}
	switch {
	case res.EnterReached || res.Interrupted:
	case res.RightsChecked:
		fmt.Fprintf(stderr, "captrace: the enter point (%s) was never reached: only descriptor rights were checked\n", enter)
	default:
		fmt.Fprintf(stderr, "captrace: the enter point (%s) was never reached: nothing was checked\n", enter)
	}

	exit := res.ExitStatus
	command := append([]string{o.program}, o.args...)
	switch {
	case len(o.pids) > 0:
		// Attached: a detach on a signal is the normal end, and the
		// processes run on; the status is the first one's if it exited.
		command = res.Command
		if res.Interrupted {
			exit = 0
		}
	case res.Interrupted:
		exit = 128 + int(<-ending)
	}
	collector.SetEnterPoint(res.EnterSite)
	wd, _ := os.Getwd()
	rep := collector.Report(report.Meta{
		Version:    "captrace " + version,
		Platform:   runtime.GOOS + "/" + runtime.GOARCH,
		Mode:       o.modeName(),
		Enter:      enter,
		Command:    command,
		Date:       started.UTC().Format(time.RFC3339),
		ExitStatus: exit,
		Dir:        wd,
	})
	rep.Summary.Processes = res.Processes
	if o.suggestRights {
		rep.Descriptors = suggestions(collector, res.Descriptors)
	}
	if o.noFollow {
		// Children still run traced (docs/design-deviations.md), but the
		// report counts only the processes whose violations it holds.
		rep.Summary.Processes = min(res.Processes, 1)
	}

	if werr := writeReport(o, rep, baseline, stderr); werr != nil {
		fmt.Fprintf(stderr, "captrace: %v\n", werr)
		return tracer.StatusFailure
	}
	if o.suggestRights {
		writeSuggestions(stderr, collector, res.Descriptors)
	}
	if o.output != "" && o.output != "/dev/stderr" {
		// A report in a file says nothing at the terminal: one line does.
		where := o.output
		if where == "-" {
			where = "stdout"
		}
		fmt.Fprintf(stderr, "captrace: %s -> %s\n", report.SummaryLine(rep.Summary), where)
	}
	if err != nil {
		// The session ran, and failed (enforce mode could not deny a
		// call): its report is written, its error already said.
		return tracer.ExitStatus(err)
	}
	if report.GateFails(stderr, baseline, rep, o.failOn) {
		return report.GateExitStatus
	}
	return exit
}

func writeReport(o *traceOptions, rep, baseline *report.Report, stderr io.Writer) error {
	opts := report.Options{Verbose: o.verbose, Baseline: baseline}
	if o.format == report.FormatHTML {
		// Relative source names are the compiler's, relative to where the
		// program was built: most often where it is traced from.
		opts.Sources = source.NewReader("")
	}
	if o.output == "" {
		return report.Write(stderr, o.format, rep, opts)
	}
	return report.WriteFile(o.output, o.format, rep, opts)
}

// failure prints an error as one line and picks the exit status.
func failure(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "captrace: %v\n", err)
	return tracer.ExitStatus(err)
}

// prefixWriter starts every line with the program's name: the tracer's
// warnings come without it.
type prefixWriter struct {
	w       io.Writer
	midLine bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.midLine {
			out = append(out, "captrace: "...)
			p.midLine = true
		}
		out = append(out, c)
		if c == '\n' {
			p.midLine = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// debuginfodHelper is where the download helper is installed: beside
// captrace (make install, go install ./cmd/...).
func debuginfodHelper() string {
	exe, err := os.Executable()
	if err != nil {
		return debuginfod.HelperName
	}
	return filepath.Join(filepath.Dir(exe), debuginfod.HelperName)
}
