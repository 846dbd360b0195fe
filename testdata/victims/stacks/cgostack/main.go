// Command cgostack opens the marker file from C code called through cgo:
// the C function runs on the thread's system stack, which
// runtime.asmcgocall switched to, so unwinding it must cross back to the
// goroutine's stack to reach main.loadViaC and main.main.
package main

/*
#include <fcntl.h>
#include <stdlib.h>

__attribute__((noinline)) static int c_open_config(const char *p)
{
	int fd = open(p, O_RDONLY); // LINE:cgo_open
	__asm__ volatile("" ::: "memory"); // no tail call: keep the frame
	return fd;
}
*/
import "C"

import (
	"os"
	"unsafe"
)

//go:noinline
func loadViaC(path string) int {
	p := C.CString(path)
	defer C.free(unsafe.Pointer(p))
	return int(C.c_open_config(p)) // LINE:cgo_call
}

func main() {
	if loadViaC("/captrace-marker") < -1 { // LINE:cgo_main
		os.Exit(2)
	}
}
