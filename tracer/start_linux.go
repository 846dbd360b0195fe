package tracer

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// startTraced starts path with argv, traced by the calling thread, and
// returns once it is seized with options and stopped before its first
// instruction, with filter installed (if any): the caller plants its breakpoints,
// then lets it run with letRun.
//
// captrace used to re-execute itself as a launcher that waited to be
// seized, installed the filter and execed PROGRAM: a second Go program
// start-up (runtime and package initialisation) on every run, more than
// half of captrace's start-up. Now PROGRAM is started directly under
// PTRACE_TRACEME, which stops it with a SIGTRAP right after its execve:
//
//  1. at that stop the filter, if it needs one, is injected
//     (filterinject_linux.go), before the program has run a single
//     instruction;
//  2. the tracer detaches, handing it a SIGSTOP, and waits (as its
//     parent) until it is in that group-stop;
//  3. it seizes the stopped process: PTRACE_SEIZE, unlike
//     PTRACE_TRACEME, reports group-stops as such, so a program stopped
//     by SIGTSTP or SIGSTOP really stops, as without captrace, and
//     resumes on SIGCONT (ptrace(2), "Group-stop"), and children inherit
//     the seized state;
//  4. letRun sends the SIGCONT that ends the group-stop. The program has
//     no handler yet (it has run nothing), so it sees nothing of it.
//
// Between 2 and 3 the stopped program is not traced; it runs nothing.
func startTraced(path string, argv []string, files []uintptr, filter []bpf.RawInstruction, options int) (int, error) {
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: files,
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		if err == syscall.EPERM {
			// PTRACE_TRACEME refused: captrace is traced itself, or
			// ptrace is disabled.
			return 0, &startError{"trace", err}
		}
		return 0, &startError{"exec", err}
	}
	abandon := func(stage string, err error) (int, error) {
		unix.Kill(pid, unix.SIGKILL)
		unix.Wait4(pid, nil, unix.WALL, nil)
		return 0, &startError{stage, err}
	}
	if err := waitStopped(pid, unix.WALL); err != nil {
		return abandon("trace", err)
	}
	if filter != nil {
		if err := injectFilter(pid, pid, &imageAddrs{}, injectOutsideSyscall, filter, 0); err != nil {
			return abandon("install the seccomp filter", err)
		}
	}
	if err := ptraceRaw(unix.PTRACE_DETACH, pid, 0, uintptr(unix.SIGSTOP)); err != nil {
		return abandon("trace", err)
	}
	if err := waitStopped(pid, unix.WUNTRACED); err != nil {
		return abandon("trace", err)
	}
	if err := seize(pid, options); err != nil {
		return abandon("trace", err)
	}
	// Seizing a stopped process traps it at once (PTRACE_EVENT_STOP).
	if err := waitStopped(pid, unix.WALL); err != nil {
		return abandon("trace", err)
	}
	return pid, nil
}

// letRun ends the group-stop startTraced left pid in.
func letRun(pid int) error {
	if err := unix.Kill(pid, unix.SIGCONT); err != nil {
		return err
	}
	return resumeRaw(pid, 0)
}

// waitStopped waits for pid's next stop; its death is an error.
func waitStopped(pid, options int) error {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, options, nil)
		if err == unix.EINTR {
			continue
		}
		switch {
		case err != nil:
			return err
		case ws.Stopped():
			return nil
		case ws.Exited():
			return fmt.Errorf("the program exited with status %d before it started", ws.ExitStatus())
		case ws.Signaled():
			return fmt.Errorf("the program was killed by %v before it started", ws.Signal())
		}
	}
}

// startError is a failure of startTraced at one stage: "exec" (execve
// failed: not found, not executable), "trace" (ptrace refused), or another.
type startError struct {
	stage string
	err   error
}

func (e *startError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *startError) Unwrap() error { return e.err }
