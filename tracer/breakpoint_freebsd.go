package tracer

import (
	"fmt"
)

// fbsdThread is a stopped FreeBSD thread for the shared breakpoint logic
// (breakpoints.go): code through PT_IO (PIOD_READ_I/PIOD_WRITE_I) on the
// process, registers through PT_GETREGS/PT_SETREGS on the thread (an id
// above PID_MAX names one thread, kern_ptrace() in sys/kern/sys_process.c).
type fbsdThread struct {
	s    *fbsdSession
	tid  int
	p    *process
	fp   *fbsdProcess
	regs fbsdRegs
}

func (s *fbsdSession) thread(p *process, fp *fbsdProcess, tid int) (*fbsdThread, error) {
	regs, err := fbsdGetRegs(tid)
	if err != nil {
		return nil, err
	}
	return &fbsdThread{s: s, tid: tid, p: p, fp: fp, regs: regs}, nil
}

func (t *fbsdThread) readText(addr uint64, b []byte) error  { return fbsdReadText(t.p.pid, addr, b) }
func (t *fbsdThread) writeText(addr uint64, b []byte) error { return fbsdWriteText(t.p.pid, addr, b) }
func (t *fbsdThread) pc() uint64                            { return fbsdPC(&t.regs) }
func (t *fbsdThread) funcArg(n int) uint64                  { return fbsdFuncArg(&t.regs, n) }

func (t *fbsdThread) setPC(pc uint64) error {
	fbsdSetPC(&t.regs, pc)
	return fbsdSetRegs(t.tid, &t.regs)
}

func (t *fbsdThread) isCode(addr uint64) bool {
	return t.fp.maps != nil && t.fp.maps.Find(addr) != nil // Find knows executable mappings only
}

func (t *fbsdThread) modules() []loadedModule {
	t.s.refreshMaps(t.p.pid, t.fp)
	return programModules(t.fp.maps, t.p.exe)
}

// fbsdProcessText is a process's code alone, for taking the traps out of
// a child that is about to be detached.
type fbsdProcessText struct{ pid int }

func (m fbsdProcessText) readText(addr uint64, b []byte) error  { return fbsdReadText(m.pid, addr, b) }
func (m fbsdProcessText) writeText(addr uint64, b []byte) error { return fbsdWriteText(m.pid, addr, b) }

// onExec sets up the enter point of the image p now runs; tid is stopped
// at the exec, before the image's first instruction.
func (s *fbsdSession) onExec(p *process, fp *fbsdProcess, tid int, plan enterPlan) error {
	if p.inCapMode {
		return nil
	}
	if plan.atExec {
		return s.enterAtExec(p, tid)
	}
	if !plan.needsBreakpoints() {
		return nil
	}
	fp.bps = newBreakpointTable(plan, s.cfg.Warnings)
	th, err := s.thread(p, fp, tid)
	if err != nil {
		return nil
	}
	fp.bps.plantEntry(th, p.exe)
	return nil
}

// onBreakpoint handles a SIGTRAP with si_code TRAP_BRKPT; it reports false
// for one the program should receive.
func (s *fbsdSession) onBreakpoint(p *process, fp *fbsdProcess, tid int) bool {
	if fp.bps == nil {
		return false
	}
	th, err := s.thread(p, fp, tid)
	if err != nil {
		return false
	}
	switch fp.bps.onTrap(th) {
	case trapForeign:
		return false
	case trapEnter:
		s.enterAtBreakpoint(th)
	}
	return true
}

// enterAtBreakpoint: the enter point is reached. In audit mode capability
// mode is captrace's from now on (fbsdAuditEntry); in enforce mode the
// thread itself calls cap_enter(2), through PT_SC_REMOTE, before it runs
// the enter point's first instruction.
func (s *fbsdSession) enterAtBreakpoint(th *fbsdThread) {
	p := th.p
	already := p.inCapMode
	p.inCapMode = true
	s.enterReached = true
	if s.cfg.Mode != Enforce || already {
		return
	}
	if err := s.capEnterRemote(p.pid, th.tid); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: process %d: cannot make the program call cap_enter at %s (PT_SC_REMOTE needs FreeBSD 14): %v; its calls are not restricted\n", p.pid, s.cfg.Enter, err)
	}
	// The remote call runs in the thread's kernel context; put back the
	// registers the program resumes with, rewound onto the enter point.
	fbsdSetRegs(th.tid, &th.regs)
	// Allowed calls no longer need to stop (eventMask).
	if err := fbsdSetEventMask(p.pid, s.eventMask(p)); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: process %d: PT_SET_EVENT_MASK: %v\n", p.pid, err)
	}
}
