package tracer

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
)

// launcherArg marks captrace's re-execution of itself as the launcher:
// /proc/self/exe launcherArg RUNNINGFD SEIZEDFD PROGRAM ARGV0 ARG...
const launcherArg = "__captrace_launcher__"

func init() {
	// The filter is per thread and the same thread must exec, so the
	// launcher's main goroutine stays on the main thread, which is also the
	// thread-group leader (an exec from it keeps the pid).
	if isLauncher() {
		runtime.LockOSThread()
	}
}

func isLauncher() bool { return len(os.Args) > 1 && os.Args[1] == launcherArg }

// MaybeRunLauncher runs the launcher when captrace was started as one: it
// never returns then, unless it fails. Otherwise it returns nil at once.
// main calls it first.
func MaybeRunLauncher() error {
	if !isLauncher() {
		return nil
	}
	if len(os.Args) < 6 {
		return failure("launcher", errors.New("missing program"))
	}
	runningFD, err1 := strconv.Atoi(os.Args[2])
	seizedFD, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil {
		return failure("launcher", errors.New("bad descriptors"))
	}
	program, argv := os.Args[4], os.Args[5:]
	// Until it is traced, PTRACE_O_EXITKILL does not tie the launcher to
	// captrace: die with it instead of waiting for a tracer that is gone.
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	// Say "running": the tracer seizes only now, so the exec of the
	// launcher itself is over and its PTRACE_EVENT_EXEC cannot be taken
	// for the program's (which may be captrace too). A captrace that died
	// before the death signal was set shows as a broken pipe.
	if _, err := unix.Write(runningFD, []byte{1}); err != nil {
		return failure("launcher", err)
	}
	unix.Close(runningFD)
	if err := waitForTracer(seizedFD); err != nil {
		return failure("launcher", err)
	}
	// Traced now, EXITKILL holds; the program must not inherit the signal.
	unix.Prctl(unix.PR_SET_PDEATHSIG, 0, 0, 0, 0)
	if err := installFilter(); err != nil {
		return failure("cannot install the seccomp filter", err)
	}
	err := syscall.Exec(program, argv, os.Environ())
	// The parent checked the program; this is a race or an odd file.
	status := StatusNotExecutable
	if err == syscall.ENOENT {
		status = StatusNotFound
	}
	return &Error{Path: program, Err: err, Status: status}
}

func installFilter() error {
	raw, err := bpf.Assemble(seccompFilter(auditArch, filteredAllowed(capmode.Linux().AlwaysAllowed())))
	if err != nil {
		return err
	}
	// Without NO_NEW_PRIVS an unprivileged process may not install a filter
	// (seccomp(2)); it also keeps setuid programs from gaining privileges
	// under a tracer.
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	prog := unix.SockFprog{Len: uint16(len(raw)), Filter: (*unix.SockFilter)(unsafe.Pointer(&raw[0]))}
	if _, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); errno != 0 {
		return errno
	}
	runtime.KeepAlive(raw)
	return nil
}

// waitForTracer blocks until captrace says it has seized this process:
// a syscall that RET_TRACE stops in an untraced process fails with ENOSYS,
// so the filter must not be installed before. The end of the pipe means
// captrace is gone.
func waitForTracer(seizedFD int) error {
	var b [1]byte
	for {
		n, err := unix.Read(seizedFD, b[:])
		if err == unix.EINTR {
			continue
		}
		unix.Close(seizedFD)
		if err != nil {
			return err
		}
		if n != 1 {
			return errors.New("captrace went away before tracing the program")
		}
		return nil
	}
}
