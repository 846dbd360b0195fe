package tracer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// linuxThread is a stopped Linux thread for the shared breakpoint logic
// (breakpoints.go): code through PTRACE_PEEKDATA/POKEDATA, which write
// even read-only text (ptrace(2): text and data share one address space),
// registers through PTRACE_GETREGS/SETREGS.
type linuxThread struct {
	s    *linuxSession
	tid  int
	p    *process
	lp   *linuxProcess
	regs unix.PtraceRegs
}

func (s *linuxSession) thread(tid int, p *process) (*linuxThread, error) {
	th := &linuxThread{s: s, tid: tid, p: p, lp: p.backend.(*linuxProcess)}
	if err := unix.PtraceGetRegs(tid, &th.regs); err != nil {
		return nil, err
	}
	return th, nil
}

func (t *linuxThread) readText(addr uint64, b []byte) error {
	n, err := unix.PtracePeekData(t.tid, uintptr(addr), b)
	if err == nil && n != len(b) {
		err = fmt.Errorf("short read at %#x", addr)
	}
	return err
}

// writeText: x/sys's PtracePokeData moves whole words, reading the
// partial ones first, so only len(b) bytes change.
func (t *linuxThread) writeText(addr uint64, b []byte) error {
	n, err := unix.PtracePokeData(t.tid, uintptr(addr), b)
	if err == nil && n != len(b) {
		err = fmt.Errorf("short write at %#x", addr)
	}
	return err
}

func (t *linuxThread) pc() uint64 { return programCounter(&t.regs) }

func (t *linuxThread) setPC(pc uint64) error {
	setProgramCounter(&t.regs, pc)
	return unix.PtraceSetRegs(t.tid, &t.regs)
}

func (t *linuxThread) funcArg(n int) uint64 { return funcArg(&t.regs, n) }

func (t *linuxThread) isCode(addr uint64) bool {
	return t.lp.maps != nil && t.lp.maps.Find(addr) != nil // Find knows executable mappings only
}

func (t *linuxThread) modules() []loadedModule {
	t.s.refreshMaps(t.p.pid, t.lp)
	return programModules(t.lp.maps, t.p.exe)
}

// onBreakpoint handles a SIGTRAP that may be one of ours; it reports false
// for a SIGTRAP the program should receive.
func (s *linuxSession) onBreakpoint(tid int, p *process) bool {
	lp := p.backend.(*linuxProcess)
	if lp.bps == nil {
		return false
	}
	th, err := s.thread(tid, p)
	if err != nil {
		return false
	}
	switch lp.bps.onTrap(th) {
	case trapForeign:
		return false
	case trapEnter:
		s.enterCapMode(p)
	}
	s.resume(tid, 0)
	return true
}
