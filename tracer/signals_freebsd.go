package tracer

import (
	"syscall"

	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// probeSignal: FreeBSD has no per-thread pending set a tracer can read
// without stopping the process, so only the signal-delivery stops that the
// loop records tell that the program got a signal.
func probeSignal(pid int, sig syscall.Signal) (pending, stopped bool) {
	return false, false
}

// Signal origins (sys/sys/signal.h): kill(2), sigqueue(2), thr_kill(2),
// and the kernel (tty_signal_pgrp in sys/kern/tty.c for a terminal's
// interrupt and hangup).
const (
	fbsdSiUser   = 0x10001
	fbsdSiQueue  = 0x10002
	fbsdSiKernel = 0x10006
	fbsdSiLwp    = 0x10007
)

// signalOrigin says who sent the signal of a signal-delivery stop: the
// kernel, or the process sender; ok is false for other origins.
func signalOrigin(si fbsd.Siginfo) (kernel bool, sender int, ok bool) {
	switch si.Code {
	case fbsdSiKernel:
		return true, 0, true
	case fbsdSiUser, fbsdSiQueue, fbsdSiLwp:
		return false, int(si.Pid), true
	}
	return false, 0, false
}
