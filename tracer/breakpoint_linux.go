package tracer

import (
	"bytes"
	"fmt"

	"golang.org/x/sys/unix"
)

// setBreakpoint plants a one-shot trap at addr in the process of tid.
func (s *linuxSession) setBreakpoint(tid int, lp *linuxProcess, addr uint64, role breakpointRole, what string) {
	if _, ok := lp.breakpoints[addr]; ok {
		return
	}
	// Peek and poke move whole words; only the first bytes change.
	word := make([]byte, 8)
	if _, err := unix.PtracePeekData(tid, uintptr(addr), word); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: cannot set a breakpoint at %s (%#x): %v\n", what, addr, err)
		return
	}
	orig := append([]byte(nil), word[:len(breakpointInsn)]...)
	copy(word, breakpointInsn)
	if _, err := unix.PtracePokeData(tid, uintptr(addr), word); err != nil {
		fmt.Fprintf(s.cfg.Warnings, "captrace: cannot set a breakpoint at %s (%#x): %v\n", what, addr, err)
		return
	}
	lp.breakpoints[addr] = &linuxBreakpoint{breakpoint: breakpoint{addr: addr, orig: orig, what: what}, role: role}
}

// clearBreakpoint puts the original bytes back.
func (s *linuxSession) clearBreakpoint(tid int, lp *linuxProcess, bp *linuxBreakpoint) {
	word := make([]byte, 8)
	if _, err := unix.PtracePeekData(tid, uintptr(bp.addr), word); err == nil {
		if bytes.HasPrefix(word, breakpointInsn) {
			copy(word, bp.orig)
			unix.PtracePokeData(tid, uintptr(bp.addr), word)
		}
	}
	delete(lp.breakpoints, bp.addr)
	if lp.retired == nil {
		lp.retired = map[uint64]bool{}
	}
	lp.retired[bp.addr] = true
}

// onBreakpoint handles a SIGTRAP that may be one of ours; it reports false
// for a SIGTRAP the program should receive.
func (s *linuxSession) onBreakpoint(tid int, p *process) bool {
	lp := p.backend.(*linuxProcess)
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &regs); err != nil {
		return false
	}
	addr := programCounter(&regs) - uint64(len(breakpointInsn))
	bp := lp.breakpoints[addr]
	if bp == nil {
		if !lp.retired[addr] {
			return false
		}
		// Another thread ran into the trap before the first hit removed
		// it: run the restored instruction again.
		setProgramCounter(&regs, addr)
		unix.PtraceSetRegs(tid, &regs)
		s.resume(tid, 0)
		return true
	}
	s.clearBreakpoint(tid, lp, bp)
	setProgramCounter(&regs, addr)
	unix.PtraceSetRegs(tid, &regs)
	switch bp.role {
	case roleEntry:
		s.planted(tid, p, lp)
	case roleLibcStartMain:
		s.setBreakpoint(tid, lp, firstArg(&regs), roleEnter, "main")
	case roleEnter:
		for _, other := range lp.breakpoints {
			if other.role == roleEnter {
				s.clearBreakpoint(tid, lp, other)
			}
		}
		s.enterCapMode(p)
	}
	s.resume(tid, 0)
	return true
}

// planted runs at the program's entry point, when the dynamic loader has
// mapped every library: now the enter point's symbols have addresses.
func (s *linuxSession) planted(tid int, p *process, lp *linuxProcess) {
	s.refreshMaps(p.pid, lp)
	modules := s.loadedModules(p, lp)
	plan := lp.plan
	switch {
	case plan.goMain != 0:
		s.setBreakpoint(tid, lp, plan.goMain+s.exeBias(p), roleEnter, plan.what)
	case plan.viaLibcStartMain:
		if addr, ok := resolveSymbol(modules, "__libc_start_main"); ok {
			s.setBreakpoint(tid, lp, addr, roleLibcStartMain, "__libc_start_main")
		}
	default:
		for _, name := range plan.symbols {
			if addr, ok := resolveSymbol(modules, name); ok {
				s.setBreakpoint(tid, lp, addr, roleEnter, name)
			}
		}
	}
}

// loadedModules lists the process's ELF files, the program first.
func (s *linuxSession) loadedModules(p *process, lp *linuxProcess) []loadedModule {
	if lp.maps == nil {
		return nil
	}
	var out []loadedModule
	for _, m := range lp.maps.Modules() {
		if m.Path == "" || m.Path[0] != '/' {
			continue
		}
		lm := loadedModule{path: m.Path, bias: m.Bias}
		if m.Path == p.exe {
			out = append([]loadedModule{lm}, out...)
		} else {
			out = append(out, lm)
		}
	}
	return out
}

// exeBias is the program image's load bias (0 unless it is PIE).
func (s *linuxSession) exeBias(p *process) uint64 {
	lp := p.backend.(*linuxProcess)
	if lp.maps == nil {
		s.refreshMaps(p.pid, lp)
	}
	if lp.maps == nil {
		return 0
	}
	for _, m := range lp.maps.Modules() {
		if m.Path == p.exe {
			return m.Bias
		}
	}
	return 0
}
