package tracer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/symbolize"
)

// attach runs an attach session (-p): every process of cfg.Attach is
// traced from now on, in capability mode at once, until they have all
// exited or cfg.Stop is closed; then captrace detaches and the processes
// run on as they were (attach_linux.go).
func attach(cfg Config) (Result, error) {
	if cfg.Warnings == nil {
		cfg.Warnings = io.Discard
	}
	if cfg.Cache == nil {
		cfg.Cache = symbolize.NewCache(cfg.DebugDirs)
	}
	s := &session{
		cfg:      cfg,
		policy:   &lazyPolicy{},
		state:    newSessionState(),
		unwinder: symbolize.NewUnwinder(cfg.Cache),
		depth:    cfg.Depth,
		expected: map[int]bool{},
		early:    map[int]bool{},
		plan:     enterPlan{what: "attach"},
	}
	if s.depth <= 0 {
		s.depth = 64
	}
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
		// Only the session's thread may make ptrace requests; it is never
		// handed back (releasePtraceThread).
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
		tids, err := seizeProcess(pid)
		if err != nil {
			// Leave the ones attached already as they were.
			s.detachAll()
			k.wake()
			unix.Wait4(k.pid, nil, 0, nil)
			status := StatusFailure
			if errors.Is(err, unix.ESRCH) {
				status = StatusNotFound
			}
			return Result{}, &Error{Err: err, Status: status}
		}
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		p := s.state.addProcess(pid, exe, nil)
		p.inCapMode = true
		p.os = &osProcess{}
		for _, tid := range tids {
			if tid != pid {
				s.state.addThread(tid, p)
			}
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
	for {
		var ws unix.WaitStatus
		id, err := unix.Wait4(-1, &ws, waitOptions, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return detached
		}
		switch {
		case id == k.pid:
			if !s.state.empty() {
				detached = true
				s.detachAll()
			}
		case ws.Exited() || ws.Signaled():
			s.onDeath(id, ws)
			if s.state.empty() {
				k.wake()
			}
		case ws.Stopped():
			s.onStop(id, ws)
		}
	}
}

// detachAll leaves every traced thread as it found it: each is stopped
// (PTRACE_INTERRUPT) and detached at that stop, passing on a signal it
// was stopped for. Threads and children created meanwhile are attached by
// the ptrace options and report too; they are detached the same way. No
// breakpoint and no filter is ever put in an attached process.
func (s *session) detachAll() {
	pending := map[int]bool{}
	for tid := range s.state.threads {
		if ptraceRaw(unix.PTRACE_INTERRUPT, tid, 0, 0) == nil {
			pending[tid] = true
		}
	}
	for tid := range s.expected {
		pending[tid] = true
	}
	for tid := range s.early {
		// Stopped already, waiting for their creator's announcement.
		ptraceRaw(unix.PTRACE_DETACH, tid, 0, 0)
	}
	for len(pending) > 0 {
		var ws unix.WaitStatus
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		if !ws.Stopped() {
			delete(pending, tid)
			s.state.threadExited(tid)
			continue
		}
		sig, event := ws.StopSignal(), int(uint32(ws)>>16)
		deliver := 0
		switch {
		case event == unix.PTRACE_EVENT_CLONE || event == unix.PTRACE_EVENT_FORK || event == unix.PTRACE_EVENT_VFORK:
			if child, err := unix.PtraceGetEventMsg(tid); err == nil {
				pending[int(child)] = true // it reports its first stop
			}
		case event == 0 && sig != syscallStopSignal && sig != unix.SIGTRAP:
			deliver = int(sig) // a signal on its way to the program
		}
		ptraceRaw(unix.PTRACE_DETACH, tid, 0, uintptr(deliver))
		delete(pending, tid)
		s.state.threadExited(tid)
	}
}

// processCommand is a process's command line, for the report.
func processCommand(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}
