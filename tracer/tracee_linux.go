package tracer

import (
	"bytes"
	"fmt"

	"github.com/captrace/captrace/symbolize"
)

// tracee is the stopped process as capmode sees it.
type tracee struct {
	pid int
	mem symbolize.Memory
}

func (t *tracee) Pid() int { return t.pid }

func (t *tracee) ReadMemory(addr uint64, p []byte) error { return t.mem.ReadMemory(addr, p) }

// ReadString reads up to max bytes of a NUL-terminated string, a page at a
// time so that a string ending just before an unmapped page still reads.
func (t *tracee) ReadString(addr uint64, max int) (string, error) {
	const page = 4096
	var out []byte
	var buf [page]byte
	for len(out) < max {
		n := page - int(addr%page)
		if n > max-len(out) {
			n = max - len(out)
		}
		if err := t.mem.ReadMemory(addr, buf[:n]); err != nil {
			if len(out) == 0 {
				return "", fmt.Errorf("read string at %#x: %w", addr, err)
			}
			break
		}
		if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
			return string(append(out, buf[:i]...)), nil
		}
		out = append(out, buf[:n]...)
		addr += uint64(n)
	}
	return string(out), nil
}
