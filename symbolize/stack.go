package symbolize

import (
	"encoding/binary"
	"errors"
)

// stackWindow caches one contiguous read of the tracee's stack: a whole
// unwind usually needs only the few kilobytes above SP, and one
// process_vm_readv costs as much as eight bytes do.
type stackWindow struct {
	mem  Memory
	base uint64
	n    int
	buf  []byte
}

const windowSize = 16 << 10

// partialReader is implemented by memories that can report how much of a
// read succeeded, so a window that runs off the top of the stack still
// yields its mapped part.
type partialReader interface {
	ReadMemoryPartial(addr uint64, p []byte) (int, error)
}

var errNoMemory = errors.New("symbolize: no memory")

func (w *stackWindow) reset(mem Memory) {
	w.mem, w.n, w.base = mem, 0, 0
}

func (w *stackWindow) read(addr uint64) (uint64, bool) {
	var b [8]byte
	if err := w.readBytes(addr, b[:]); err != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

func (w *stackWindow) readBytes(addr uint64, p []byte) error {
	if w.mem == nil {
		return errNoMemory
	}
	if w.hit(addr, len(p)) {
		copy(p, w.buf[addr-w.base:])
		return nil
	}
	if len(p) <= 64 {
		w.fill(addr &^ 7)
		if w.hit(addr, len(p)) {
			copy(p, w.buf[addr-w.base:])
			return nil
		}
	}
	return w.mem.ReadMemory(addr, p)
}

func (w *stackWindow) hit(addr uint64, n int) bool {
	return w.n > 0 && addr >= w.base && addr-w.base <= uint64(w.n) && uint64(w.n)-(addr-w.base) >= uint64(n)
}

func (w *stackWindow) fill(addr uint64) {
	if w.buf == nil {
		w.buf = make([]byte, windowSize)
	}
	w.base, w.n = addr, 0
	if pr, ok := w.mem.(partialReader); ok {
		n, _ := pr.ReadMemoryPartial(addr, w.buf)
		w.n = max(n, 0)
		return
	}
	if w.mem.ReadMemory(addr, w.buf) == nil {
		w.n = len(w.buf)
		return
	}
	// Near the top of a stack the window crosses into unmapped memory:
	// settle for the rest of the page.
	end := (addr | (pageSize - 1)) + 1
	if w.mem.ReadMemory(addr, w.buf[:end-addr]) == nil {
		w.n = int(end - addr)
	}
}
