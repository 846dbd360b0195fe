package symbolize

import (
	"fmt"
	"os"
	"unsafe"

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
		n, err := processVMRead(m.pid, addr, p)
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

// processVMRead is one process_vm_readv of p from addr. It is on the
// tracer's path at every stop that reads memory, so it allocates nothing
// (x/sys's wrapper takes slices of iovecs, which escape) and skips the
// runtime's syscall bookkeeping: it does not block on anything but the
// tracee's page faults.
func processVMRead(pid int, addr uint64, p []byte) (int, error) {
	var local unix.Iovec
	local.Base = &p[0]
	local.SetLen(len(p))
	remote := unix.RemoteIovec{Base: uintptr(addr), Len: len(p)}
	n, _, e := unix.RawSyscall6(unix.SYS_PROCESS_VM_READV, uintptr(pid),
		uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
