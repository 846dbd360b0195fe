package tracer

import "golang.org/x/sys/unix"

// holdOtherThreads stops every thread of a process but the one at its
// enter point (PTRACE_INTERRUPT) and waits until each has stopped, so that
// none of them runs a single syscall between the enter point and the
// filter that checks it: capability mode begins for the whole process at
// once, as cap_enter(2) does on FreeBSD. The stops it waited for are
// returned for the loop to handle, in order, once the filter is in.
func holdOtherThreads(tids []int, at int) []heldStop {
	var waiting []int
	for _, tid := range tids {
		if tid == at {
			continue
		}
		if err := ptraceRaw(unix.PTRACE_INTERRUPT, tid, 0, 0); err != nil {
			continue // gone: its exit is in the loop's queue
		}
		waiting = append(waiting, tid)
	}
	held := make([]heldStop, 0, len(waiting))
	for _, tid := range waiting {
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(tid, &ws, unix.WALL, nil)
			if err == unix.EINTR {
				continue
			}
			if err == nil {
				held = append(held, heldStop{tid, ws})
			}
			break
		}
	}
	return held
}
