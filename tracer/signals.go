package tracer

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// Signals are the program's business, as under strace (design.md). A
// signal sent to the whole process group (a terminal's Ctrl-C, the SIGHUP
// of a closed terminal) reaches the program from the kernel: captrace gets
// it too and must not send it again. A signal sent to captrace alone is
// passed on, once. The two cases are told apart by what the tracer sees:
// the program's own signal-delivery stop for the signal, or the signal
// pending in one of its threads.

// signalBook keeps the recent deliveries of the signals captrace passes
// on that reached the program from outside the session. The ptrace loop
// records each signal-delivery stop; the forwarder takes one for each
// signal captrace itself received, if it came at about the same time: a
// signal sent to the program alone long before is no answer.
type signalBook struct {
	mu        sync.Mutex
	delivered map[syscall.Signal][]time.Time
	// reserved: signals found pending in the program, whose delivery, to
	// come, is already accounted for.
	reserved map[syscall.Signal]int
}

func newSignalBook() *signalBook {
	return &signalBook{delivered: map[syscall.Signal][]time.Time{}, reserved: map[syscall.Signal]int{}}
}

// signalRecent: how long before captrace handles a signal a delivery to
// the program still counts as the same signal (one kill(2) of the process
// group, one terminal interrupt).
const signalRecent = time.Second

// record notes a signal-delivery stop of sig that came from outside the
// session (not captrace's own forwarding, not a traced process's kill).
func (b *signalBook) record(sig syscall.Signal, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.reserved[sig] > 0 {
		b.reserved[sig]--
		return
	}
	b.delivered[sig] = append(b.delivered[sig], at)
}

// take consumes a delivery of sig recorded since since, if there is one;
// older ones are forgotten.
func (b *signalBook) take(sig syscall.Signal, since time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.delivered[sig]
	for len(d) > 0 && d[0].Before(since) {
		d = d[1:]
	}
	if len(d) == 0 {
		b.delivered[sig] = nil
		return false
	}
	b.delivered[sig] = d[1:]
	return true
}

// reserve takes sig before its delivery is recorded: it is pending in the
// program, and its delivery stop will come later.
func (b *signalBook) reserve(sig syscall.Signal) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserved[sig]++
}

// signalProbe tells whether a thread of process pid has sig pending, and
// whether one sits in a ptrace stop the loop may not have seen yet (it may
// hold sig, dequeued). A backend that cannot tell returns false, false.
type signalProbe func(pid int, sig syscall.Signal) (pending, stopped bool)

const (
	// signalSettle: kill(2) of a process group queues the signal to each
	// member in turn (kernel/signal.c, __kill_pgrp_info), so captrace may
	// run its handler while the loop has not reached the program yet.
	signalSettle = 10 * time.Millisecond
	// signalPoll and signalQuietPolls: how long the program must show no
	// sign of the signal (not pending, no thread in a ptrace stop) before
	// captrace decides that the signal was for captrace alone.
	signalPoll       = 2 * time.Millisecond
	signalQuietPolls = 3
	// signalMaxPolls bounds the wait for a thread that stays stopped (a
	// group-stop): then the signal is passed on.
	signalMaxPolls = 200
)

// forwardSignals passes each signal of sigs on to the program once, unless
// the program already got it, until finished is closed.
func forwardSignals(sigs <-chan syscall.Signal, finished <-chan struct{}, book *signalBook, launched *launchedSet, root int, probe signalProbe) {
	for {
		select {
		case sig := <-sigs:
			if !programGot(sig, book, root, probe) {
				launched.signal(root, sig)
			}
		case <-finished:
			return
		}
	}
}

func programGot(sig syscall.Signal, book *signalBook, root int, probe signalProbe) bool {
	since := time.Now().Add(-signalRecent)
	time.Sleep(signalSettle)
	quiet := 0
	for i := 0; i < signalMaxPolls && quiet < signalQuietPolls; i++ {
		if book.take(sig, since) {
			return true
		}
		pending, stopped := probe(root, sig)
		if pending {
			book.reserve(sig)
			return true
		}
		if stopped {
			quiet = 0
		} else {
			quiet++
		}
		time.Sleep(signalPoll)
	}
	return book.take(sig, since)
}

// forwardedSignal: the signals captrace passes on and watches for.
func forwardedSignal(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT:
		return true
	}
	return false
}

// outsideSignal tells, from a signal's origin at its delivery stop,
// whether it came from outside the session: from the kernel, or from a
// process that is neither captrace (which forwards signals) nor one of the
// traced processes (a program signalling itself or its children).
func (s *session) outsideSignal(kernel bool, sender int, ok bool) bool {
	return ok && (kernel || sender != os.Getpid() && !s.launched.has(sender))
}
