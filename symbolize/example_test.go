package symbolize_test

import (
	"fmt"

	"github.com/captrace/captrace/symbolize"
)

// A violation's stack as the Symbolizer returns it, innermost first: the
// call site is the innermost frame of the program's own code, not the C
// library's wrapper that made the syscall.
func ExampleCallSite() {
	frames := []symbolize.Frame{
		{Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Function: "__libc_open64"},
		{Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Function: "fopen"},
		{Module: "/home/dev/prog/prog", Function: "load_config", File: "/home/dev/prog/prog.c", Line: 13},
		{Module: "/home/dev/prog/prog", Function: "main", File: "/home/dev/prog/prog.c", Line: 34},
	}
	for i := range frames {
		// What the Symbolizer records with each frame it resolves.
		frames[i].System = symbolize.IsSystemFrame(frames[i])
	}
	site := frames[symbolize.CallSite(frames)]
	fmt.Printf("%s at line %d\n", site.Function, site.Line)
	// Output: load_config at line 13
}
