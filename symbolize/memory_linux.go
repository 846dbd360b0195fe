package symbolize

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ProcMemory reads a traced process's memory with process_vm_readv,
// falling back to /proc/PID/mem where that syscall is refused (some
// containers' seccomp profiles deny it). Close it when done: the fallback
// keeps the file open.
func ProcMemory(pid int) *ProcessMemory {
	return &ProcessMemory{pid: pid}
}

// ProcessMemory is a Memory of a Linux process (ProcMemory).
type ProcessMemory struct {
	pid     int
	memFile *os.File
	noVM    bool
}

func (m *ProcessMemory) ReadMemory(addr uint64, p []byte) error {
	n, err := m.ReadMemoryPartial(addr, p)
	if err != nil {
		return err
	}
	if n < len(p) {
		return fmt.Errorf("symbolize: short read of %d bytes at %#x: %d", len(p), addr, n)
	}
	return nil
}

// ReadMemoryPartial reads as much of p as is mapped from addr on.
func (m *ProcessMemory) ReadMemoryPartial(addr uint64, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !m.noVM {
		local := []unix.Iovec{{Base: &p[0]}}
		local[0].SetLen(len(p))
		remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(p)}}
		n, err := unix.ProcessVMReadv(m.pid, local, remote, 0)
		if err == nil {
			return n, nil
		}
		if err != unix.ENOSYS && err != unix.EPERM {
			return 0, fmt.Errorf("symbolize: reading %#x: %w", addr, err)
		}
		m.noVM = true
	}
	if m.memFile == nil {
		f, err := os.Open(fmt.Sprintf("/proc/%d/mem", m.pid))
		if err != nil {
			return 0, fmt.Errorf("symbolize: %w", err)
		}
		m.memFile = f
	}
	n, err := m.memFile.ReadAt(p, int64(addr))
	if n > 0 {
		return n, nil
	}
	return 0, fmt.Errorf("symbolize: reading %#x: %w", addr, err)
}

// Close closes /proc/PID/mem if the fallback opened it.
func (m *ProcessMemory) Close() error {
	if m.memFile == nil {
		return nil
	}
	err := m.memFile.Close()
	m.memFile = nil
	return err
}
