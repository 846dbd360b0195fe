package tracer

import (
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// launchedSet is every process a session started or followed. Closing
// Config.Stop kills them all from another goroutine; a process that
// appears after that is killed as soon as it is seen, so the session's wait
// loop always runs dry.
type launchedSet struct {
	mu     sync.Mutex
	pids   map[int]bool
	killed bool
}

func (l *launchedSet) add(pid int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pids == nil {
		l.pids = map[int]bool{}
	}
	l.pids[pid] = true
	if l.killed {
		unix.Kill(pid, unix.SIGKILL)
	}
}

func (l *launchedSet) remove(pid int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pids, pid)
}

func (l *launchedSet) killAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.killed = true
	for pid := range l.pids {
		unix.Kill(pid, unix.SIGKILL)
	}
}

// signal sends sig to root if it still runs, else to every process the
// session still has: the program's own children outlive it.
func (l *launchedSet) signal(root int, sig syscall.Signal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pids[root] {
		unix.Kill(root, sig)
		return
	}
	for pid := range l.pids {
		unix.Kill(pid, sig)
	}
}

// has reports whether pid is one of the session's processes.
func (l *launchedSet) has(pid int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pids[pid]
}

// wasKilled reports whether the session was stopped by Config.Stop.
func (l *launchedSet) wasKilled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.killed
}

// runSession runs session on one locked OS thread: Linux takes ptrace
// requests only from the thread that attached, and on both systems the
// session's wait loop must not interleave with another. What happens to
// the thread afterwards is releasePtraceThread's business. Closing stop
// kills the launched processes, which ends the session.
func runSession(stop <-chan struct{}, launched *launchedSet, session func() (Result, error)) (Result, error) {
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	finished := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer releasePtraceThread()
		res, err := session()
		close(finished)
		done <- outcome{res, err}
	}()
	if stop != nil {
		go func() {
			select {
			case <-stop:
				launched.killAll()
			case <-finished:
			}
		}()
	}
	o := <-done
	return o.res, o.err
}
