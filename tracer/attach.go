package tracer

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// attach runs an attach session (-p): every process of cfg.Attach is
// traced from now on, until they have all exited or cfg.Stop is closed;
// then captrace detaches and the processes run on as they were. The
// backend attaches and detaches (attach_linux.go, attach_freebsd.go); the
// loop is the session's.
func attach(cfg Config) (Result, error) {
	s := newSession(cfg)
	s.plan = enterPlan{what: "attach"}
	var err error
	if s.os, err = newBackend(&s.cfg); err != nil {
		return Result{}, err
	}
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	ready := make(chan *waker, 1)
	go func() {
		// Only the session's thread may make ptrace requests.
		runtime.LockOSThread()
		defer releasePtraceThread()
		res, err := s.runAttached(ready)
		done <- outcome{res, err}
	}()
	if k := <-ready; k != nil && cfg.Stop != nil {
		go func() {
			select {
			case <-cfg.Stop:
				k.wake()
			case <-done:
			}
		}()
	}
	o := <-done
	return o.res, o.err
}

func (s *session) runAttached(ready chan<- *waker) (Result, error) {
	k, err := startWaker()
	if err != nil {
		ready <- nil
		return Result{}, failure("cannot attach", err)
	}
	ready <- k
	var command []string
	for i, pid := range s.cfg.Attach {
		if err := s.os.attachProcess(s, pid); err != nil {
			// Leave the ones attached already as they were.
			s.os.detachAll(s)
			k.wake()
			unix.Wait4(k.pid, nil, 0, nil)
			status := StatusFailure
			if errors.Is(err, unix.ESRCH) {
				status = StatusNotFound
			}
			return Result{}, &Error{Err: err, Status: status}
		}
		if i == 0 {
			s.root = pid
			command = processCommand(pid)
		}
	}
	s.enterReached = true
	detached := s.attachedLoop(k)
	return Result{
		ExitStatus:   s.rootStatus,
		Processes:    s.state.seen,
		Interrupted:  detached,
		EnterReached: true,
		Enter:        "attach",
		Command:      command,
	}, s.failure
}

// attachedLoop is the session loop of an attach session. It waits for the
// waker too, whose death means "detach now" (or, once the last traced
// process is gone, that it was let go). It reports whether it detached.
func (s *session) attachedLoop(k *waker) (detached bool) {
	waitAll(func(id int, ws unix.WaitStatus) {
		if id == k.pid {
			if !s.state.empty() {
				detached = true
				s.os.detachAll(s)
			}
			return
		}
		s.onReport(id, ws)
		if (ws.Exited() || ws.Signaled()) && s.state.empty() {
			k.wake()
		}
	})
	return detached
}

// AttachError is a process that cannot be attached to.
type AttachError struct {
	Pid int
	Err error
}

// ErrExited is the cause of an AttachError for a process that has exited
// but is not reaped yet (a zombie): nothing is left to trace.
var ErrExited = fmt.Errorf("process has exited (a zombie not yet reaped by its parent): %w", unix.ESRCH)

func (e *AttachError) Error() string {
	switch {
	case errors.Is(e.Err, ErrExited):
		return fmt.Sprintf("-p %d: the %v", e.Pid, e.Err)
	case errors.Is(e.Err, unix.ESRCH):
		return fmt.Sprintf("-p %d: no such process", e.Pid)
	case errors.Is(e.Err, unix.EPERM), errors.Is(e.Err, unix.EBUSY):
		return fmt.Sprintf("-p %d: not allowed to trace it (%v): %s", e.Pid, e.Err, attachPermissionHint)
	}
	return fmt.Sprintf("-p %d: cannot attach: %v", e.Pid, e.Err)
}

func (e *AttachError) Unwrap() error { return e.Err }
