package tracer

import "golang.org/x/sys/unix"

// inheritedFDs are the descriptors captrace itself inherited without
// close-on-exec, at their own numbers (closedFD in the gaps): the program
// gets them as it would without captrace in between (make's jobserver
// pipe, a 3>log redirect), on every platform.
func inheritedFDs() []uintptr {
	fds := []uintptr{closedFD, closedFD, closedFD} // stdin, stdout, stderr: closed unless open
	for _, fd := range openDescriptors() {
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
// child (syscall/exec_linux.go and exec_freebsd.go close an fd of -1).
const closedFD = ^uintptr(0)
