package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/source"
	"github.com/captrace/captrace/tracer"
)

const (
	reportSynopsis = "captrace report [--format=text|json|sarif|html] [-v] [-o FILE] [--baseline=FILE] FILE.json"
	reportUsage    = "usage: " + reportSynopsis
	diffSynopsis   = "captrace diff OLD.json NEW.json"
	diffUsage      = "usage: " + diffSynopsis
	// diffNewStatus matches the gate: something new is what CI fails on.
	diffNewStatus = report.GateExitStatus
)

// runReport re-renders a saved JSON report: `captrace report FILE`.
func runReport(args []string, stdout, stderr io.Writer) int {
	var format, output, baselineFile string
	var verbose bool
	fs := reportFlagSet(&format, &output, &baselineFile, &verbose)
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c, _ := findCommand("report")
		writeHelp(stdout, c)
		return 0
	}
	if err != nil {
		return usage(stderr, "report", err.Error(), reportUsage)
	}
	if len(files) != 1 {
		return usage(stderr, "report", fmt.Sprintf("want one report file, got %d", len(files)), reportUsage)
	}
	f, err := report.FormatFor(format, output)
	if err != nil {
		return usage(stderr, "report", "--format="+format+": want text, json, sarif or html", reportUsage)
	}
	r, err := report.Load(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "captrace: %v\n", err)
		return tracer.StatusFailure
	}
	opts := report.Options{Verbose: verbose}
	if baselineFile != "" {
		if opts.Baseline, err = report.Load(baselineFile); err != nil {
			fmt.Fprintf(stderr, "captrace: baseline %v\n", err)
			return tracer.StatusFailure
		}
	}
	if f == report.FormatHTML {
		opts.Sources = source.NewReader("")
	}
	if output != "" && output != "-" {
		if err := report.WriteFile(output, f, r, opts); err != nil {
			fmt.Fprintf(stderr, "captrace: writing the report: %v\n", err)
			return tracer.StatusFailure
		}
		return 0
	}
	if err := report.Write(stdout, f, r, opts); err != nil {
		fmt.Fprintf(stderr, "captrace: writing the report: %v\n", err)
		return tracer.StatusFailure
	}
	return 0
}

func reportFlagSet(format, output, baseline *string, verbose *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("captrace report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(format, "format", "", "output format `text|json|sarif|html` (default: by the extension of -o, else text)")
	fs.StringVar(output, "o", "", "write the output to `FILE` instead of stdout")
	fs.StringVar(baseline, "baseline", "", "mark the groups that are not in `FILE`, a JSON report (HTML)")
	fs.BoolVar(verbose, "v", false, "show each group's reason and example stack")
	fs.BoolVar(verbose, "verbose", false, "the same as -v")
	return fs
}

// runDiff prints what is new in NEW and what was fixed since OLD; it
// exits 3 when something is new, like the gate.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("captrace diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c, _ := findCommand("diff")
		writeHelp(stdout, c)
		return 0
	}
	if err != nil {
		return usage(stderr, "diff", err.Error(), diffUsage)
	}
	if len(files) != 2 {
		return usage(stderr, "diff", fmt.Sprintf("want two report files, got %d", len(files)), diffUsage)
	}
	var reps [2]*report.Report
	for i, name := range files {
		r, err := report.Load(name)
		if err != nil {
			fmt.Fprintf(stderr, "captrace: %v\n", err)
			return tracer.StatusFailure
		}
		reps[i] = r
	}
	if report.WriteDiff(stdout, reps[0], reps[1]) > 0 {
		return diffNewStatus
	}
	return 0
}

// parseInterspersed lets flags follow the file names (`captrace report
// r.json --format=sarif`), which the flag package alone stops at; "--"
// still ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag.Parse consumed a "--" if rest is shorter than what followed it.
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usage(stderr io.Writer, cmd, problem, usageLine string) int {
	if f, ok := strings.CutPrefix(problem, "flag provided but not defined: "); ok {
		problem = "unknown flag " + f
	}
	fmt.Fprintf(stderr, "captrace %s: %s\n%s\n", cmd, problem, usageLine)
	return tracer.StatusUsage
}
