package tracer

import (
	"bytes"
	"fmt"

	"golang.org/x/sys/unix"
)

// fbsdTracee is a stopped traced process as capmode and symbolize see it:
// memory through PT_IO (there is no process_vm_readv on FreeBSD).
type fbsdTracee struct{ pid int }

func (t fbsdTracee) Pid() int { return t.pid }

// ReadMemoryPartial lets symbolize's stack window keep the mapped part of
// a read that runs off the top of the stack.
func (t fbsdTracee) ReadMemoryPartial(addr uint64, p []byte) (int, error) {
	n, err := fbsdReadMemory(t.pid, addr, p)
	if n > 0 {
		return n, nil
	}
	if err == nil {
		err = unix.EFAULT
	}
	return 0, fmt.Errorf("read %#x: %w", addr, err)
}

func (t fbsdTracee) ReadMemory(addr uint64, p []byte) error {
	n, err := fbsdReadMemory(t.pid, addr, p)
	if err != nil {
		return err
	}
	if n != len(p) {
		return fmt.Errorf("read %#x: %d of %d bytes: %w", addr, n, len(p), unix.EFAULT)
	}
	return nil
}

// ReadString reads page by page so that a string ending just before an
// unmapped page is still read whole.
func (t fbsdTracee) ReadString(addr uint64, max int) (string, error) {
	var out []byte
	for len(out) < max {
		chunk := min(4096-int(addr%4096), max-len(out))
		buf := make([]byte, chunk)
		// Within one page: all of it, or nothing and an error.
		n, err := fbsdReadMemory(t.pid, addr, buf)
		if n <= 0 || err != nil {
			if err == nil {
				err = unix.EFAULT
			}
			return string(out), fmt.Errorf("read string at %#x: %w", addr, err)
		}
		buf = buf[:n]
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			return string(append(out, buf[:i]...)), nil
		}
		out = append(out, buf...)
		addr += uint64(n)
	}
	return string(out), nil
}

// fbsdVMTimestamp is the generation number of pid's VM map; it changes
// with every mapping change, so the module map is re-read only then.
func fbsdVMTimestamp(pid int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_PTRACE, fbsdPT_VM_TIMESTAMP, uintptr(pid), 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(int32(r)), nil
}

// fbsdExePath is the program pid runs now (kern.proc.pathname, the
// sysctl behind KERN_PROC_PATHNAME in sys/sys/sysctl.h).
func fbsdExePath(pid int) string {
	b, err := unix.SysctlRaw("kern.proc.pathname", pid)
	if err != nil {
		return ""
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
