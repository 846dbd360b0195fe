package tracer

import (
	"syscall"
	"testing"
	"time"
)

// TestSignalBook: each recent delivery the loop records answers one signal
// captrace received; an old one answers none; a signal found pending is
// answered before its delivery is recorded, so it answers no later one.
func TestSignalBook(t *testing.T) {
	b := newSignalBook()
	now := time.Now()
	since := now.Add(-signalRecent)
	if b.take(syscall.SIGINT, since) {
		t.Fatal("took a delivery never recorded")
	}
	b.record(syscall.SIGINT, now)
	if b.take(syscall.SIGTERM, since) {
		t.Error("a SIGINT delivery answered SIGTERM")
	}
	if !b.take(syscall.SIGINT, since) || b.take(syscall.SIGINT, since) {
		t.Error("one delivery must answer exactly one signal")
	}
	b.record(syscall.SIGINT, now.Add(-time.Minute)) // sent to the program alone, long ago
	if b.take(syscall.SIGINT, since) {
		t.Error("an old delivery answered a new signal")
	}
	b.reserve(syscall.SIGHUP)     // pending when captrace looked
	b.record(syscall.SIGHUP, now) // then delivered
	if b.take(syscall.SIGHUP, since) {
		t.Error("a reserved signal's delivery answered a second signal")
	}
}
