package tracer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probeSignal reads /proc/PID/task/*/status (proc(5)): SigPnd is a
// thread's own pending set, ShdPnd the process's; State "t" is a ptrace
// stop.
func probeSignal(pid int, sig syscall.Signal) (pending, stopped bool) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	bit := uint64(1) << (uint(sig) - 1)
	for _, path := range tasks {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			key, val, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			switch key {
			case "State":
				stopped = stopped || strings.HasPrefix(val, "t")
			case "SigPnd", "ShdPnd":
				if set, err := strconv.ParseUint(val, 16, 64); err == nil && set&bit != 0 {
					pending = true
				}
			}
		}
		f.Close()
	}
	return pending, stopped
}

// Signal origins (include/uapi/asm-generic/siginfo.h): sent by kill(2),
// sigqueue(3), tkill/tgkill, or by the kernel (a terminal's interrupt or
// hangup).
const (
	siUser   = 0
	siQueue  = -1
	siTkill  = -6
	siKernel = 0x80
)

// signalOrigin reads, at tid's signal-delivery stop, who sent the signal:
// the kernel, or the process sender; ok is false for other origins (a
// fault, a timer, a child's SIGCHLD).
func signalOrigin(tid int) (kernel bool, sender int, ok bool) {
	var si struct {
		Signo, Errno, Code int32
		_                  int32
		Pid                int32
		Uid                uint32
		_                  [104]byte
	}
	_, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GETSIGINFO, uintptr(tid), 0, uintptr(unsafe.Pointer(&si)), 0, 0)
	if errno != 0 {
		return false, 0, false
	}
	switch si.Code {
	case siKernel:
		return true, 0, true
	case siUser, siQueue, siTkill:
		return false, int(si.Pid), true
	}
	return false, 0, false
}
