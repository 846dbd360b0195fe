package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/tracer"
)

const traceSynopsis = `captrace [flags] [--] PROGRAM [ARG...]
       captrace [flags] -p PID[,PID...]
       captrace report [--format=text|json|sarif|html] [-o FILE] FILE.json
       captrace diff OLD.json NEW.json
       captrace policy [--os=linux|freebsd] [--format=text|json] [SYSCALL...]
       captrace shim DIR
       captrace help [COMMAND]`

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
	suggestRights   bool
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

// traceFlagValues are the flags that traceOptions holds only after
// checking.
type traceFlagValues struct {
	o                           traceOptions
	mode, capErrno, notCapErrno string
	debuginfod                  string
	pids                        pidList
	dirs, siteIn                stringList
}

// traceFlagSet defines the flags of a tracing run; their usage strings
// are the help (usage.go).
func traceFlagSet(v *traceFlagValues) *flag.FlagSet {
	fs := flag.NewFlagSet("captrace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &v.o
	fs.StringVar(&v.mode, "mode", "audit", "`audit|enforce`: record each violation and let the call run, or make violating calls fail")
	fs.StringVar(&o.enter, "enter", "", "capability mode begins at `POINT`: cap_enter (only), main, exec or a function; by default the first call of cap_enter or caph_enter, else main")
	fs.StringVar(&o.output, "o", "", "write the report to `FILE` (- for stdout) instead of stderr")
	fs.StringVar(&o.format, "format", "", "report format `text|json|sarif|html` (default: by the extension of -o, else text)")
	fs.BoolVar(&o.verbose, "v", false, "show each group's reason and example stack")
	fs.StringVar(&o.baseline, "baseline", "", "compare with `FILE`, a JSON report of accepted violations")
	fs.StringVar(&o.failOn, "fail-on", "", "exit 3 on `never|new|any` violation; new, the default with --baseline, needs it")
	fs.StringVar(&v.capErrno, "errno-capmode", "", "in enforce mode, calls capability mode denies fail with errno `NAME` (or number; default EPERM, or the shim's ECAPMODE for a program built against it)")
	fs.StringVar(&v.notCapErrno, "errno-notcapable", "", "in enforce mode, ENOTCAPABLE calls fail with errno `NAME` (or number; default EPERM, or the shim's ENOTCAPABLE for a program built against it)")
	fs.BoolVar(&o.suggestRights, "suggest-rights", false, "print the minimal rights, ioctls and fcntls of each descriptor held at the enter point, as C (Linux)")
	fs.IntVar(&o.depth, "depth", 64, "show `N` frames per example stack; sites and grouping always use the whole stack")
	fs.BoolVar(&o.noFollow, "no-follow", false, "do not report violations of forked children")
	fs.Var(&v.dirs, "debug-dir", "look for separate debug files under `DIR` too (repeatable)")
	fs.Var(&v.siteIn, "site-in", "count the frames of `LIBRARY` (a file name, e.g. libarchive.so.13) as the program's own code, so sites land in it (repeatable)")
	fs.StringVar(&v.debuginfod, "debuginfod", "on", "`on|off`: fetch missing debug files from DEBUGINFOD_URLS, when it is set")
	fs.Var(&v.pids, "p", "attach to the running process `PID` (all its threads; repeatable or comma-separated) instead of starting one; capability mode starts at once; SIGINT, SIGTERM, SIGHUP or SIGQUIT detaches and writes the report")
	return fs
}

// parseTraceFlags returns nil and an exit status when the run must not go on
// (help, or a usage error already reported on stderr).
func parseTraceFlags(args []string, stdout, stderr io.Writer) (*traceOptions, int) {
	var v traceFlagValues
	fs := traceFlagSet(&v)
	o := &v.o
	usageErr := func(format string, a ...any) (*traceOptions, int) {
		fmt.Fprintf(stderr, "captrace: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'captrace --help' for usage.")
		return nil, tracer.StatusUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c, _ := findCommand("captrace")
			writeHelp(stdout, c)
			return nil, 0
		}
		return usageErr("%v", err)
	}
	switch v.mode {
	case "audit":
		o.mode = tracer.Audit
	case "enforce":
		o.mode = tracer.Enforce
	default:
		return usageErr("--mode=%s: want audit or enforce", v.mode)
	}
	enterGiven := false
	fs.Visit(func(f *flag.Flag) { enterGiven = enterGiven || f.Name == "enter" })
	if enterGiven && o.enter == "" {
		return usageErr("--enter: empty enter point")
	}
	if o.suggestRights && runtime.GOOS != "linux" {
		return usageErr("--suggest-rights works on Linux only")
	}
	if o.depth < 1 {
		return usageErr("--depth=%d: want at least 1", o.depth)
	}
	var err error
	// Unset errnos stay zero: the tracer then picks EPERM, or the shim's
	// own values for a program built against the shim.
	if v.capErrno != "" {
		if o.errnoCapMode, err = parseErrno(v.capErrno); err != nil {
			return usageErr("--errno-capmode: %v", err)
		}
	}
	if v.notCapErrno != "" {
		if o.errnoNotCapable, err = parseErrno(v.notCapErrno); err != nil {
			return usageErr("--errno-notcapable: %v", err)
		}
	}
	if o.format, err = report.FormatFor(o.format, o.output); err != nil {
		return usageErr("--format: %v", err)
	}
	if o.failOn, err = report.ParseFailOn(o.failOn, o.baseline != ""); err != nil {
		return usageErr("%v", err)
	}
	o.debugDirs = v.dirs
	for _, m := range v.siteIn {
		if m == "" {
			return usageErr("--site-in: empty library name")
		}
	}
	o.siteIn = v.siteIn
	switch v.debuginfod {
	case "on":
		o.debuginfod = true
	case "off":
	default:
		return usageErr("--debuginfod=%s: want on or off", v.debuginfod)
	}
	rest := fs.Args()
	if len(v.pids) > 0 {
		if len(rest) > 0 {
			return usageErr("-p attaches to a running process: give -p or a PROGRAM, not both")
		}
		if o.enter != "" {
			return usageErr("--enter: with -p capability mode starts at once")
		}
		o.pids = v.pids
		return o, 0
	}
	if len(rest) == 0 {
		return usageErr("no program to run")
	}
	o.program, o.args = rest[0], rest[1:]
	return o, 0
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
