package symbolize_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/captrace/captrace/symbolize"
)

// Symbolizing a PC of this very process: read its module map, as the
// tracer does at a stop, then resolve the PC (here a return address, so
// Exact is false and the call's own line is looked up).
func ExampleSymbolizer() {
	pc, _, _, _ := runtime.Caller(0)
	mm, err := symbolize.ReadMaps(os.Getpid())
	if err != nil {
		fmt.Println(err)
		return
	}
	sym := symbolize.NewSymbolizer(symbolize.NewCache(nil))
	for _, f := range sym.Symbolize(mm, symbolize.PC{Addr: uint64(pc)}) {
		fmt.Println(f.Function, filepath.Base(f.File), f.System)
	}
	// Output: github.com/captrace/captrace/symbolize_test.ExampleSymbolizer example_linux_test.go false
}
