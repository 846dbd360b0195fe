package tracer

import "golang.org/x/sys/unix"

// heldStop is a wait status taken from the wait loop while a process's
// threads were held at its enter point (backend.holdThreads), for the
// session to handle afterwards.
type heldStop struct {
	tid int
	ws  unix.WaitStatus
}
