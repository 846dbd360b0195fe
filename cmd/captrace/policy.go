package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/tracer"
)

const policySynopsis = "captrace policy [--os=linux|freebsd] [--format=text|json] [SYSCALL...]"

func policyFlagSet(osName, format *string) *flag.FlagSet {
	fs := flag.NewFlagSet("captrace policy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(osName, "os", runtime.GOOS, "print the rules of `linux|freebsd`")
	fs.StringVar(format, "format", "text", "output format `text|json`")
	return fs
}

// runPolicy prints the capability-mode rules captrace applies: the whole
// table, or, with syscall names, each named entry explained in full.
func runPolicy(args []string, stdout, stderr io.Writer) int {
	var osName, format string
	fs := policyFlagSet(&osName, &format)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c, _ := findCommand("policy")
			writeHelp(stdout, c)
			return 0
		}
		fmt.Fprintf(stderr, "captrace policy: %v\nusage: %s\n", err, policySynopsis)
		return tracer.StatusUsage
	}
	var table *capmode.Table
	switch osName {
	case "linux":
		table = capmode.Linux()
	case "freebsd":
		table = capmode.FreeBSD()
	default:
		fmt.Fprintf(stderr, "captrace policy: --os=%s: want linux or freebsd\n", osName)
		return tracer.StatusUsage
	}
	if format != "text" && format != "json" {
		fmt.Fprintf(stderr, "captrace policy: --format=%s: want text or json\n", format)
		return tracer.StatusUsage
	}
	if names := fs.Args(); len(names) > 0 {
		sub, err := table.Only(names)
		if err != nil {
			fmt.Fprintf(stderr, "captrace policy: %v\n", err)
			return tracer.StatusUsage
		}
		if format == "text" {
			capmode.WriteExplanation(stdout, sub)
			return 0
		}
		table = sub
	}
	if err := capmode.WritePolicy(stdout, table, format); err != nil {
		fmt.Fprintf(stderr, "captrace policy: %v\n", err)
		return tracer.StatusFailure
	}
	return 0
}
