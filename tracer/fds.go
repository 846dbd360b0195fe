package tracer

import "golang.org/x/sys/unix"

// inheritedFDs is syscall.ProcAttr.Files for PROGRAM: the program gets the
// descriptors captrace inherited as it would without captrace in between
// (make's jobserver pipe, a 3>log redirect), on every platform.
//
// Only stdin, stdout and stderr are listed. Every other descriptor that
// captrace inherited without close-on-exec stays open across the exec by
// itself, at its own number: Go's fork-and-exec child (forkAndExecInChild1
// in syscall/exec_linux.go and exec_freebsd.go) touches only the listed
// numbers, and Go opens all of captrace's own files close-on-exec. Listing
// them too, as captrace once did, cost a directory listing and an fcntl
// each, and the child one close(2) for every unused number below the
// highest (some 250 under a shell that keeps a descriptor at 255).
func inheritedFDs() []uintptr {
	fds := []uintptr{closedFD, closedFD, closedFD}
	for fd := range fds {
		// A standard descriptor captrace was started without may since
		// have been reused for one of its own files (close-on-exec): the
		// program gets it closed, as it would have.
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			fds[fd] = uintptr(fd)
		}
	}
	return fds
}

// closedFD in syscall.ProcAttr.Files leaves that descriptor closed in the
// child (syscall/exec_linux.go and exec_freebsd.go close an fd of -1).
const closedFD = ^uintptr(0)
