package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/captrace/captrace/shim"
	"github.com/captrace/captrace/tracer"
)

const shimUsage = "usage: captrace shim DIR   (writes DIR/sys/capsicum.h and DIR/capsicum_helpers.h; build with cc -I DIR)"

// runShim writes FreeBSD's Capsicum headers for Linux: `captrace shim DIR`.
func runShim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("captrace shim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dirs, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, shimUsage)
		return 0
	}
	if err != nil {
		return usage(stderr, "shim", err.Error(), shimUsage)
	}
	if len(dirs) != 1 {
		return usage(stderr, "shim", fmt.Sprintf("want one directory, got %d", len(dirs)), shimUsage)
	}
	if err := shim.Write(dirs[0], "captrace "+version); err != nil {
		fmt.Fprintf(stderr, "captrace: shim: %v\n", err)
		return tracer.StatusFailure
	}
	for _, h := range shim.Headers {
		fmt.Fprintln(stdout, filepath.Join(dirs[0], h))
	}
	return 0
}
