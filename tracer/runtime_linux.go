package tracer

import (
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// How the Go runtime and a ptrace session share the CPU: the session's
// thread blocks in wait4 between stops, and everything it does at a stop
// is on the path of a tracee that waits for it (docs/performance.md,
// "Where the time goes").

// prepareRuntime tunes the runtime for a session; idempotent. The spare
// processor waits until stops come thick (spareProcessor).
func prepareRuntime() {
	quietStopNotifications()
}

// spareProcessor keeps GOMAXPROCS at 2 or more. With one P (captrace
// pinned to one CPU, as make bench does) the P of the thread blocked in
// wait4 is taken away by sysmon after 20 us whenever another goroutine is
// runnable (the collector, a signal), handed to a newly woken thread, and
// won back after the stop: two extra context switches per stop. With a
// spare P the blocked thread keeps its own (runtime/proc.go, retake).
// Raising GOMAXPROCS stops and restarts the world and starts a thread,
// which a run of a few dozen stops (a program that does little) would pay
// for nothing: it is done at the spareAfterStops-th stop, 1.3-1.7 ms off
// a start of /bin/true (docs/performance.md).
func spareProcessor() {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
}

// Every ptrace stop notifies the tracer with SIGCHLD
// (do_notify_parent_cldstop in kernel/signal.c). The Go runtime has a
// handler installed for every signal, so each stop also costs a signal
// delivery into captrace: a signal frame, the handler, rt_sigreturn, and
// often a wake-up of an idle runtime thread to run it, on the one CPU the
// tracee needs. The session learns of stops from wait4 alone, so the
// handler gets SA_NOCLDSTOP: no SIGCHLD for stops (the kernel still wakes
// wait4, "Even if SIGCHLD is not generated, we must wake up wait4 calls"),
// while exits still send it. Handlers do not survive exec, so the traced
// program is not affected.
var quietStops sync.Once

// spareAfterStops: a run this many stops long is one where each stop's
// cost counts (make bench's "stops only" row is 20,000).
const spareAfterStops = 100

func quietStopNotifications() {
	quietStops.Do(func() {
		// struct sigaction as the kernel takes it: the handler, then the
		// flags word, on every 64-bit Linux but mips. The buffer is larger
		// than any variant.
		var act [8]uint64
		const sigsetSize = 8
		if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), 0, uintptr(unsafe.Pointer(&act)), sigsetSize, 0, 0); e != 0 {
			return
		}
		if act[0] == 0 || act[0] == 1 { // SIG_DFL, SIG_IGN: nothing is delivered anyway
			return
		}
		const saNoCldStop = 1 // SA_NOCLDSTOP, include/uapi/asm-generic/signal-defs.h
		act[1] |= saNoCldStop
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGCHLD), uintptr(unsafe.Pointer(&act)), 0, sigsetSize, 0, 0)
	})
}
