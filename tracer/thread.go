package tracer

import (
	"encoding/binary"

	"github.com/captrace/captrace/symbolize"
)

// stoppedThread is a stopped thread as the breakpoint logic
// (breakpoints.go) sees it, on either platform: registers read once, when
// it is made, and code through the backend.
type stoppedThread struct {
	s    *session
	p    *process
	tid  int
	regs registers
}

func (s *session) thread(p *process, tid int) (*stoppedThread, error) {
	regs, err := s.os.getRegs(tid)
	if err != nil {
		return nil, err
	}
	return &stoppedThread{s: s, p: p, tid: tid, regs: regs}, nil
}

func (t *stoppedThread) readText(addr uint64, b []byte) error {
	return t.s.os.readText(t.p.pid, t.tid, addr, b)
}

func (t *stoppedThread) writeText(addr uint64, b []byte) error {
	return t.s.os.writeText(t.p.pid, t.tid, addr, b)
}

func (t *stoppedThread) pc() uint64           { return programCounter(&t.regs) }
func (t *stoppedThread) funcArg(n int) uint64 { return funcArg(&t.regs, n) }

func (t *stoppedThread) setPC(pc uint64) error {
	setProgramCounter(&t.regs, pc)
	return t.s.os.setRegs(t.tid, &t.regs)
}

func (t *stoppedThread) isCode(addr uint64) bool {
	if t.p.maps == nil || t.p.maps.Find(addr) == nil {
		t.s.refreshMaps(t.p) // not read yet, or from before the loader's work
	}
	return t.p.maps != nil && t.p.maps.Find(addr) != nil // Find knows executable mappings only
}

func (t *stoppedThread) entryPoint() (uint64, bool) { return t.s.os.entryPoint(t.p) }

func (t *stoppedThread) returnAddress() (uint64, error) {
	var b [8]byte
	if err := t.readText(unwindRegs(&t.regs)[symbolize.RegRSP], b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func (t *stoppedThread) modules() []loadedModule {
	t.s.refreshMaps(t.p)
	return programModules(t.p.maps, t.p.exe)
}

// processText is a stopped process's code alone, for taking the traps out
// of a child that is about to be detached.
type processText struct {
	s   *session
	pid int
}

func (m processText) readText(addr uint64, b []byte) error {
	return m.s.os.readText(m.pid, m.pid, addr, b)
}

func (m processText) writeText(addr uint64, b []byte) error {
	return m.s.os.writeText(m.pid, m.pid, addr, b)
}
