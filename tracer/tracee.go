package tracer

import (
	"bytes"
	"fmt"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// tracee is the stopped process as capmode sees it, for one stop, on every
// platform: capmode checks a call and then decodes it, so each string is
// read once and remembered until the thread resumes.
type tracee struct {
	pid  int
	mem  symbolize.Memory
	s    *session
	read map[uint64]string // whole strings read during this stop
	buf  [256]byte
}

var _ capmode.Tracee = (*tracee)(nil)

func (t *tracee) Pid() int { return t.pid }

// ThreadGroup answers from the session's own bookkeeping: every thread of
// a traced process is traced, and its creator announced it before the
// thread id could reach the program (the clone event comes before clone
// returns).
func (t *tracee) ThreadGroup(tid int) int {
	if t.s == nil {
		return 0
	}
	if p := t.s.state.process(tid); p != nil {
		return p.pid
	}
	return 0
}

// OpenDescriptor opens the tracee's descriptor fd in captrace.
func (t *tracee) OpenDescriptor(fd int) (int, error) {
	if t.s == nil {
		return -1, fmt.Errorf("descriptor %d of process %d: no session", fd, t.pid)
	}
	return t.s.os.openDescriptor(t.pid, fd)
}

func (t *tracee) ReadMemory(addr uint64, p []byte) error { return t.mem.ReadMemory(addr, p) }

// ReadString reads up to max bytes of a NUL-terminated string. Paths are
// short: it reads 256 bytes at a time, never across a page boundary, so
// that a string ending just before an unmapped page still reads. A string
// that runs into unmapped memory reads as far as it is mapped, without an
// error (the kernel's own copy would fail with EFAULT; the prefix is what
// a report can show); one that starts there is an error.
func (t *tracee) ReadString(addr uint64, max int) (string, error) {
	if s, ok := t.read[addr]; ok && len(s) <= max {
		return s, nil
	}
	const page = 4096
	var out []byte
	complete := false
	for start := addr; len(out) < max; {
		n := min(len(t.buf), page-int(start%page), max-len(out))
		if err := t.mem.ReadMemory(start, t.buf[:n]); err != nil {
			if len(out) == 0 {
				return "", fmt.Errorf("read string at %#x: %w", addr, err)
			}
			break
		}
		if i := bytes.IndexByte(t.buf[:n], 0); i >= 0 {
			out = append(out, t.buf[:i]...)
			complete = true
			break
		}
		out = append(out, t.buf[:n]...)
		start += uint64(n)
	}
	s := string(out)
	if complete { // only whole strings can answer a later, longer read
		if t.read == nil {
			t.read = map[uint64]string{}
		}
		t.read[addr] = s
	}
	return s, nil
}
