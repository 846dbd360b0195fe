package tracer

import (
	"syscall"
	"testing"
)

// TestSignalBook: each delivery the loop records answers one signal
// captrace received, and a signal found pending is answered before its
// delivery is recorded, so it does not answer a later one too.
func TestSignalBook(t *testing.T) {
	b := newSignalBook()
	if b.take(syscall.SIGINT) {
		t.Fatal("took a delivery never recorded")
	}
	b.record(syscall.SIGINT)
	if b.take(syscall.SIGTERM) {
		t.Error("a SIGINT delivery answered SIGTERM")
	}
	if !b.take(syscall.SIGINT) || b.take(syscall.SIGINT) {
		t.Error("one delivery must answer exactly one signal")
	}
	b.reserve(syscall.SIGHUP) // pending when captrace looked
	b.record(syscall.SIGHUP)  // then delivered
	if b.take(syscall.SIGHUP) {
		t.Error("a reserved signal's delivery answered a second signal")
	}
}
