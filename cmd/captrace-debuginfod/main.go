// Command captrace-debuginfod downloads one debug file from debuginfod
// servers for captrace, which runs it when a module it symbolizes has no
// debug file on disk and DEBUGINFOD_URLS names servers. It is a program
// of its own, as git's remote helpers are, so that captrace links no HTTP
// or TLS code: their start-up cost would be paid by every run
// (internal/debuginfod). Its arguments and output are captrace's business
// (debuginfod.HelperArgs, debuginfod.WriteOutcome); it is installed
// beside captrace.
package main

import (
	"os"

	"github.com/captrace/captrace/internal/debuginfod/download"
)

func main() {
	os.Exit(download.Main(os.Args[1:], os.Stdout, os.Stderr))
}
