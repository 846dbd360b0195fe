package main

import (
	"sync"

	"github.com/captrace/captrace/event"
)

// eventQueue hands events from the ptrace thread to the collector. push
// never blocks: the collector may be waiting for a debug file to
// download, and the traced program must not wait with it.
type eventQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []event.Event
	closed bool
}

func newEventQueue() *eventQueue {
	q := &eventQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push adds ev. It wakes the collector once wakeBatch events wait, not
// at every event: waking a parked collector costs a futex call and a
// context switch on the CPU the traced program needs, a tenth of a
// violation's cost (docs/performance.md). close wakes it for the rest.
func (q *eventQueue) push(ev event.Event) {
	q.mu.Lock()
	q.items = append(q.items, ev)
	wake := len(q.items) >= wakeBatch
	q.mu.Unlock()
	if wake {
		q.cond.Signal()
	}
}

// wakeBatch is how many events wait before the collector is woken.
const wakeBatch = 128

// next returns the oldest event, waiting for one; false once the queue
// is closed and empty.
func (q *eventQueue) next() (event.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return event.Event{}, false
	}
	ev := q.items[0]
	q.items[0] = event.Event{}
	q.items = q.items[1:]
	if len(q.items) == 0 {
		q.items = nil // let the backing array go
	}
	return ev, true
}

func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
