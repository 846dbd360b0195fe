package symbolize

import (
	"bytes"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// stop is the state of a victim stopped at the entry of a marker syscall.
type stop struct {
	pid  int
	regs Regs
	mem  Memory
	// early is the module map read at the "snapshot" syscall, before the
	// marker: stale if the victim mapped code in between.
	early *ModuleMap
}

const markerPath = "/captrace-marker"

// traceUntil runs argv under ptrace until a thread enters syscall nr for
// the nth time (openat of markerPath when nr is SYS_OPENAT), calls fn
// with the stopped victim, and kills it. snapshotPath, if set, reads the
// module map at the first openat of that path.
func traceUntil(t testing.TB, argv []string, nr uint64, nth int, snapshotPath string, fn func(s *stop)) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		traceLocked(t, argv, nr, nth, snapshotPath, fn)
	}()
	<-done
}

func traceLocked(t testing.TB, argv []string, nr uint64, nth int, snapshotPath string, fn func(s *stop)) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return
	}
	pid := cmd.Process.Pid
	defer func() {
		unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(-1, &ws, unix.WALL, nil); err != nil {
				break
			}
		}
	}()
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		t.Errorf("victim did not stop at exec: %v %v", err, ws)
		return
	}
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		t.Error(err)
		return
	}
	inSyscall := map[int]bool{}
	seen := 0
	s := &stop{pid: pid, mem: ProcMemory(pid)}
	tid, sig := pid, 0
	for {
		if err := unix.PtraceSyscall(tid, sig); err != nil && err != unix.ESRCH {
			t.Error(err)
			return
		}
		sig = 0
		var err error
		tid, err = unix.Wait4(-1, &ws, unix.WALL, nil)
		if err != nil {
			t.Errorf("victim ended before the marker: %v", err)
			return
		}
		if ws.Exited() || ws.Signaled() {
			if tid == pid {
				t.Errorf("victim ended before the marker: %v", ws)
				return
			}
			continue
		}
		switch {
		case ws.StopSignal() == unix.SIGTRAP|0x80:
			inSyscall[tid] = !inSyscall[tid]
			if !inSyscall[tid] {
				continue
			}
			var pr unix.PtraceRegs
			if err := unix.PtraceGetRegs(tid, &pr); err != nil {
				t.Error(err)
				return
			}
			if snapshotPath != "" && s.early == nil && pr.Orig_rax == unix.SYS_OPENAT && readCString(s.mem, pr.Rsi) == snapshotPath {
				s.early, _ = ReadMaps(pid)
			}
			if pr.Orig_rax != nr || (nr == unix.SYS_OPENAT && readCString(s.mem, pr.Rsi) != markerPath) {
				continue
			}
			if seen++; seen < nth {
				continue
			}
			s.regs = regsFrom(&pr)
			fn(s)
			return
		case ws.StopSignal() == unix.SIGTRAP || ws.StopSignal() == unix.SIGSTOP:
			// exec, clone events and new threads' initial stop.
		default:
			sig = int(ws.StopSignal())
		}
	}
}

func readCString(mem Memory, addr uint64) string {
	buf := make([]byte, 256)
	for n := len(buf); n >= 16; n /= 2 {
		if mem.ReadMemory(addr, buf[:n]) == nil {
			if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
				return string(buf[:i])
			}
			return string(buf[:n])
		}
	}
	return ""
}

func regsFrom(pr *unix.PtraceRegs) Regs {
	return Regs{
		0: pr.Rax, 1: pr.Rdx, 2: pr.Rcx, 3: pr.Rbx, 4: pr.Rsi, 5: pr.Rdi, 6: pr.Rbp, 7: pr.Rsp,
		8: pr.R8, 9: pr.R9, 10: pr.R10, 11: pr.R11, 12: pr.R12, 13: pr.R13, 14: pr.R14, 15: pr.R15,
		16: pr.Rip,
	}
}
