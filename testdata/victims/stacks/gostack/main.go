// Command gostack makes the marker syscall (getppid, raw) from a
// goroutine, for unwinding through Go's syscall frames.
package main

import (
	"os"
	"syscall"
)

//go:noinline
func worker(done chan<- uintptr) {
	r, _, _ := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0) // LINE:go_syscall
	done <- r
}

func main() {
	done := make(chan uintptr)
	go worker(done) // LINE:go_spawn
	if <-done == 0 {
		os.Exit(1)
	}
}
