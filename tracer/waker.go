package tracer

import (
	"io"
	"os"
	"syscall"
)

// The waker: how another goroutine wakes an attach session's thread out of
// wait4. Only that thread may make ptrace requests, and wait4 returns only
// for a change in one of its children or tracees; a signal does not end it
// (the Go runtime's handlers restart syscalls). So an attach session starts
// a child of its own, captrace re-executed with wakerArg, which only reads
// its standard input; closing the other end of that pipe makes it exit,
// and wait4 returns its death.
const wakerArg = "__captrace_waker__"

func init() {
	if len(os.Args) == 2 && os.Args[1] == wakerArg {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
}

// waker is a started waker process.
type waker struct {
	pid int
	w   *os.File
}

// startWaker starts a waker; wake makes it exit.
func startWaker() (*waker, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		w.Close()
		return nil, err
	}
	defer devnull.Close()
	pid, err := syscall.ForkExec(self, []string{self, wakerArg}, &syscall.ProcAttr{
		Files: []uintptr{r.Fd(), devnull.Fd(), devnull.Fd()},
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	return &waker{pid: pid, w: w}, nil
}

// wake makes the waker exit; safe from any goroutine, more than once.
func (k *waker) wake() { k.w.Close() }
