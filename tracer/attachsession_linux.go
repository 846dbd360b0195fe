package tracer

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// attachProcess seizes every thread of process pid (seizeProcess) and
// registers it, in capability mode at once; no filter, no breakpoint.
func (b *osBackend) attachProcess(s *session, pid int) error {
	tids, err := seizeProcess(pid)
	if err != nil {
		return err
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
	return nil
}

// detachAll leaves every traced thread as it found it: each is stopped
// (PTRACE_INTERRUPT) and detached at that stop, passing on a signal it
// was stopped for. Threads and children created meanwhile are attached by
// the ptrace options and report too; they are detached the same way. No
// breakpoint and no filter is ever put in an attached process.
func (b *osBackend) detachAll(s *session) {
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
