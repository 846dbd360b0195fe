package tracer

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
)

// launcherArg marks captrace's re-execution of itself as the launcher:
// /proc/self/exe launcherArg READYFD PROGRAM ARGV0 ARG...
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

// MaybeRunLauncher runs the launcher and never returns when captrace was
// started as one; otherwise it returns at once. main calls it first.
func MaybeRunLauncher() {
	if !isLauncher() {
		return
	}
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "captrace: launcher: missing program")
		os.Exit(StatusFailure)
	}
	program, argv := os.Args[3], os.Args[4:]
	// Until it is traced, PTRACE_O_EXITKILL does not tie the launcher to
	// captrace: die with it instead of waiting for a tracer that is gone.
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	// Say "running": the tracer seizes only now, so the exec of the
	// launcher itself is over and its PTRACE_EVENT_EXEC cannot be taken
	// for the program's (which may be captrace too). A captrace that died
	// before the death signal was set shows as a broken pipe.
	if fd, err := strconv.Atoi(os.Args[2]); err == nil {
		if _, err := unix.Write(fd, []byte{1}); err != nil {
			os.Exit(StatusFailure)
		}
		unix.Close(fd)
	}
	if err := waitForTracer(10 * time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "captrace: launcher: %v\n", err)
		os.Exit(StatusFailure)
	}
	// Traced now, EXITKILL holds; the program must not inherit the signal.
	unix.Prctl(unix.PR_SET_PDEATHSIG, 0, 0, 0, 0)
	if err := installFilter(); err != nil {
		fmt.Fprintf(os.Stderr, "captrace: cannot install the seccomp filter: %v\n", err)
		os.Exit(StatusFailure)
	}
	err := syscall.Exec(program, argv, os.Environ())
	// The parent checked the program; this is a race or an odd file.
	fmt.Fprintf(os.Stderr, "captrace: %s: %v\n", program, err)
	if err == syscall.ENOENT {
		os.Exit(StatusNotFound)
	}
	os.Exit(StatusNotExecutable)
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

// waitForTracer returns once captrace has seized this process: a syscall
// that RET_TRACE stops in an untraced process fails with ENOSYS, so the
// filter must not be installed before.
func waitForTracer(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return err
		}
		if i := bytes.Index(status, []byte("\nTracerPid:\t")); i >= 0 && !bytes.HasPrefix(status[i+len("\nTracerPid:\t"):], []byte("0\n")) {
			return nil
		}
		time.Sleep(200 * time.Microsecond)
	}
	return fmt.Errorf("not traced after %v", limit)
}

// inheritedFDs are the descriptors captrace itself inherited without
// close-on-exec, at their own numbers (closedFD in the gaps): the program
// gets them as it would without captrace in between (make's jobserver
// pipe, a 3>log redirect).
func inheritedFDs() []uintptr {
	entries, _ := os.ReadDir("/proc/self/fd")
	fds := []uintptr{closedFD, closedFD, closedFD} // stdin, stdout, stderr: closed unless open
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue
		}
		for len(fds) <= fd {
			fds = append(fds, closedFD)
		}
		fds[fd] = uintptr(fd)
	}
	return fds
}

// closedFD in syscall.ProcAttr.Files leaves that descriptor closed in the
// child (syscall/exec_linux.go closes an fd of -1).
const closedFD = ^uintptr(0)
