package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/tracer"
)

const usageText = `usage: captrace [flags] [--] PROGRAM [ARG...]
       captrace [flags] -p PID[,PID...]
       captrace report [--format=text|json|sarif|html] [-o FILE] FILE.json
       captrace diff OLD.json NEW.json
       captrace policy [--os=linux|freebsd] [--format=text|json] [SYSCALL...]

Runs PROGRAM and reports every syscall that would fail in Capsicum
capability mode, grouped by call site.

flags:
  --mode=audit|enforce     audit: record and let calls run (default);
                           enforce: make violating calls fail
  --enter=POINT            where capability mode begins: by default the first
                           call of cap_enter/caph_enter, else main; cap_enter
                           (no fallback to main), main, exec, or a function
  -o FILE                  write the report to FILE (default: text on stderr)
  --format=FORMAT          text, json, sarif or html (default from -o's
                           extension, else text)
  -v                       show each group's example stack
  --baseline=FILE          a JSON report of accepted violations
  --fail-on=never|new|any  exit 3 on new (default with --baseline; needs it) or
                           any violation
  --errno-capmode=NAME     errno of denied calls in enforce mode (default EPERM)
  --errno-notcapable=NAME  errno of escaping calls in enforce mode (default EPERM)
  --depth=N                frames shown per example stack (default 64); sites
                           and grouping always use the whole stack
  --no-follow              do not report violations of forked children
  --debug-dir=DIR          also look for separate debug files under DIR
  --site-in=LIBRARY        count a library's frames (by file name, e.g.
                           libarchive.so.13) as the program's own code, so
                           sites land in it (repeatable)
  --debuginfod=on|off      fetch missing debug files from DEBUGINFOD_URLS
                           (default on when DEBUGINFOD_URLS is set)
  -p PID                   attach to running process PID (all its threads;
                           repeatable or comma-separated) instead of starting
                           one; capability mode starts at once; on SIGINT or
                           SIGTERM captrace detaches and writes the report

exit status: the program's own (128+N if killed by signal N); 3 when the
gate fails; 2 usage; 125 captrace failure (with -p: not allowed to trace);
126 not executable; 127 not found (with -p: no such process).
`

// traceOptions are the parsed flags of a tracing run.
type traceOptions struct {
	program         string
	args            []string
	pids            []int // -p: attach to these instead of starting program
	mode            tracer.Mode
	enter           string
	output          string
	format          string
	verbose         bool
	baseline        string
	failOn          string
	errnoCapMode    syscall.Errno
	errnoNotCapable syscall.Errno
	depth           int
	noFollow        bool
	debugDirs       []string
	debuginfod      bool
	siteIn          []string
}

func (o *traceOptions) modeName() string {
	if o.mode == tracer.Enforce {
		return "enforce"
	}
	return "audit"
}

func (o *traceOptions) enterName() string {
	if o.enter == "" {
		return tracer.EnterCapEnter
	}
	return o.enter
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// parseTraceFlags returns nil and an exit status when the run must not go on
// (help, or a usage error already reported on stderr).
func parseTraceFlags(args []string, stdout, stderr io.Writer) (*traceOptions, int) {
	fs := flag.NewFlagSet("captrace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		o                           traceOptions
		mode, capErrno, notCapErrno string
		debuginfod                  string
		pids                        pidList
		dirs, siteIn                stringList
	)
	fs.StringVar(&mode, "mode", "audit", "")
	fs.StringVar(&o.enter, "enter", "", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.format, "format", "", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.StringVar(&o.baseline, "baseline", "", "")
	fs.StringVar(&o.failOn, "fail-on", "", "")
	fs.StringVar(&capErrno, "errno-capmode", "EPERM", "")
	fs.StringVar(&notCapErrno, "errno-notcapable", "EPERM", "")
	fs.IntVar(&o.depth, "depth", 64, "")
	fs.BoolVar(&o.noFollow, "no-follow", false, "")
	fs.Var(&dirs, "debug-dir", "")
	fs.Var(&siteIn, "site-in", "")
	fs.StringVar(&debuginfod, "debuginfod", "on", "")
	fs.Var(&pids, "p", "")

	usageErr := func(format string, a ...any) (*traceOptions, int) {
		fmt.Fprintf(stderr, "captrace: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'captrace --help' for usage.")
		return nil, tracer.StatusUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			return nil, 0
		}
		return usageErr("%v", err)
	}
	switch mode {
	case "audit":
		o.mode = tracer.Audit
	case "enforce":
		o.mode = tracer.Enforce
	default:
		return usageErr("--mode=%s: want audit or enforce", mode)
	}
	enterGiven := false
	fs.Visit(func(f *flag.Flag) { enterGiven = enterGiven || f.Name == "enter" })
	if enterGiven && o.enter == "" {
		return usageErr("--enter: empty enter point")
	}
	if o.depth < 1 {
		return usageErr("--depth=%d: want at least 1", o.depth)
	}
	var err error
	if o.errnoCapMode, err = parseErrno(capErrno); err != nil {
		return usageErr("--errno-capmode: %v", err)
	}
	if o.errnoNotCapable, err = parseErrno(notCapErrno); err != nil {
		return usageErr("--errno-notcapable: %v", err)
	}
	if o.format, err = report.FormatFor(o.format, o.output); err != nil {
		return usageErr("--format: %v", err)
	}
	if o.failOn, err = report.ParseFailOn(o.failOn, o.baseline != ""); err != nil {
		return usageErr("%v", err)
	}
	o.debugDirs = dirs
	for _, m := range siteIn {
		if m == "" {
			return usageErr("--site-in: empty library name")
		}
	}
	o.siteIn = siteIn
	switch debuginfod {
	case "on":
		o.debuginfod = true
	case "off":
	default:
		return usageErr("--debuginfod=%s: want on or off", debuginfod)
	}
	rest := fs.Args()
	if len(pids) > 0 {
		if len(rest) > 0 {
			return usageErr("-p attaches to a running process: give -p or a PROGRAM, not both")
		}
		if o.enter != "" {
			return usageErr("--enter: with -p capability mode starts at once")
		}
		o.pids = pids
		return &o, 0
	}
	if len(rest) == 0 {
		return usageErr("no program to run")
	}
	o.program, o.args = rest[0], rest[1:]
	return &o, 0
}

// pidList is -p: repeatable, each a comma-separated list of process ids.
type pidList []int

func (l *pidList) String() string { return fmt.Sprint([]int(*l)) }

func (l *pidList) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		pid, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || pid <= 0 {
			return fmt.Errorf("%q is not a process id", f)
		}
		for _, p := range *l {
			if p == pid {
				return fmt.Errorf("process %d given twice", pid)
			}
		}
		*l = append(*l, pid)
	}
	return nil
}

// parseErrno accepts an errno name (EDOM) or number (33).
func parseErrno(s string) (syscall.Errno, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 4095 {
			return 0, fmt.Errorf("%d is not an errno", n)
		}
		return syscall.Errno(n), nil
	}
	for n := syscall.Errno(1); n < 4096; n++ {
		if unix.ErrnoName(n) == strings.ToUpper(s) {
			return n, nil
		}
	}
	return 0, fmt.Errorf("unknown errno %q", s)
}
