// Command gostack makes the marker syscall (getppid, raw) from a
// goroutine, for unwinding through Go's syscall frames, and opens a file
// through os.Open, which the compiler inlines into readConfig.
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

//go:noinline
func readConfig(path string) error {
	f, err := os.Open(path) // LINE:go_open
	if err != nil {
		return err
	}
	return f.Close()
}

func main() {
	done := make(chan uintptr)
	go worker(done) // LINE:go_spawn
	if <-done == 0 {
		os.Exit(1)
	}
	readConfig("/captrace-marker") // LINE:go_config
}
