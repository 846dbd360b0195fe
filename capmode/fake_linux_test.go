package capmode

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// openOwnDescriptor reopens a descriptor of the test process as the
// tracer reopens a tracee's.
func openOwnDescriptor(fd int) (int, error) {
	return unix.Open("/proc/self/fd/"+strconv.Itoa(fd), unix.O_PATH|unix.O_CLOEXEC, 0)
}
