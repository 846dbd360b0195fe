package symbolize

import (
	"encoding/binary"

	"github.com/go-delve/delve/pkg/dwarf/op"
)

// maxDepth caps an unwind whatever the caller asks: a corrupt stack must
// not keep the tracee stopped.
const maxDepth = 1024

// Unwinder walks stacks with CFI, falling back to frame pointers. It is
// used on the ptrace thread only and keeps per-PC compiled CFI rows, so a
// warm unwind is a few map lookups and memory reads per frame.
type Unwinder struct {
	cache *Cache
	rows  map[rowKey]rowResult
	stack stackWindow
	buf   []PC
}

type rowKey struct {
	mod   *module
	addr  uint64 // link-time address of the frame's PC
	exact bool
}

type rowResult struct {
	row   *cfaRow // nil: no CFI covers the PC
	exact bool    // the PC is a signal trampoline's, looked up as is
}

// maxRows bounds the row memo; a JIT-like stream of new PCs resets it
// rather than growing the tracer without limit.
const maxRows = 1 << 16

// NewUnwinder returns an Unwinder reading modules through c.
func NewUnwinder(c *Cache) *Unwinder {
	return &Unwinder{cache: c, rows: map[rowKey]rowResult{}}
}

// Unwind walks the stack of a thread stopped at a syscall, from regs.
// Frame 0 is the PC after the syscall instruction. missed reports a PC
// outside every module of mm (a dlopen since the map was read): re-read
// the map and unwind again.
func (u *Unwinder) Unwind(mm *ModuleMap, regs Regs, mem Memory, depth int) (pcs []PC, missed bool) {
	return u.unwind(mm, regs, mem, depth, PC{Addr: regs[RegRIP]}, false)
}

// UnwindToProgram walks the stack of a thread at its enter point through
// the program's own frames (the enter function, wrappers such as the
// Capsicum shim's, their callers) and stops at the first frame in a
// system library after them, recorded but never looked up: its unwind
// table is not needed to name the place, so reaching main, called from
// the C library, costs no parse of the C library's CFI. System frames
// before the program's (FreeBSD's cap_enter(2) wrapper in libc) are
// walked through. exact: the thread stopped before an instruction (a
// breakpoint on a function's first instruction, which belongs to that
// function, while the byte before it is the previous function's), not
// after a syscall; frame 0 is then marked Exact.
func (u *Unwinder) UnwindToProgram(mm *ModuleMap, regs Regs, mem Memory, depth int, exact bool) (pcs []PC, missed bool) {
	return u.unwind(mm, regs, mem, depth, PC{Addr: regs[RegRIP], Exact: exact}, true)
}

// unwind walks up to depth frames. With toProgram the walk ends at the
// first frame in a system library that follows one of the program's
// (UnwindToProgram); that frame is recorded without looking up its own
// unwind row, which would only say whether the PC is a signal
// trampoline's (looked up exactly), which an enter function's caller is
// not.
func (u *Unwinder) unwind(mm *ModuleMap, regs Regs, mem Memory, depth int, pc PC, toProgram bool) (pcs []PC, missed bool) {
	if depth <= 0 || depth > maxDepth {
		depth = maxDepth
	}
	u.stack.reset(mem)
	defer u.stack.reset(nil)
	u.buf = u.buf[:0]
	cur := regs
	sawProgram := false
	for len(u.buf) < depth && pc.Addr != 0 {
		m := mm.Find(pc.Addr)
		if m == nil {
			u.buf = append(u.buf, pc)
			missed = true
			break
		}
		if toProgram {
			if u.isSystem(m) {
				if sawProgram {
					u.buf = append(u.buf, pc)
					break
				}
			} else {
				sawProgram = true
			}
		}
		var mod *module
		if m.IsVDSO() {
			mod = u.cache.vdsoModule(m, mem)
		} else {
			mod = u.cache.moduleFor(m)
		}
		var row *cfaRow
		if mod != nil {
			r := u.row(mod, pc.Addr-m.Bias, pc.Exact)
			row, pc.Exact = r.row, r.exact
		}
		u.buf = append(u.buf, pc)
		if mod != nil && mod.isStop(pc.LookupAddr()-m.Bias) {
			break
		}
		next, ok := cur, false
		if sw, found := u.stackSwitch(mod, pc, m.Bias); found {
			if sw.kind != switchCgo {
				break
			}
			if next, ok = u.cgoStep(&cur, sw.framed); !ok {
				break
			}
			// The caller is on another stack: SP need not grow.
			pc, cur = PC{Addr: next[RegRIP]}, next
			continue
		}
		if row != nil {
			next, ok = u.step(row, &cur)
			if !ok {
				break // undefined return address: the outermost frame
			}
			if !row.signal && next[RegRSP] <= cur[RegRSP] {
				break // a caller's frame lies above its callee's
			}
			pc = PC{Addr: next[row.ra], Exact: row.signal}
		} else if d, isGo := u.goSPDelta(mod, pc.LookupAddr()-m.Bias); isGo {
			next, ok = u.goStep(d, &cur)
			if !ok {
				break
			}
			pc = PC{Addr: next[RegRIP]}
		} else if next, ok = u.leafStep(mm, m, &cur, len(u.buf) == 1); ok {
			pc = PC{Addr: next[RegRIP]}
		} else {
			next, ok = u.framePointerStep(&cur)
			if !ok {
				break
			}
			pc = PC{Addr: next[RegRIP]}
		}
		cur = next
	}
	pcs = make([]PC, len(u.buf))
	copy(pcs, u.buf)
	return pcs, missed
}

// row finds the CFI row for a link-time address. A return address is
// looked up at addr-1 (the call may be a function's last instruction),
// except in a signal trampoline, whose FDE (glibc's __restore_rt, 'S'
// augmentation) starts exactly where the kernel makes the handler return.
func (u *Unwinder) row(mod *module, addr uint64, exact bool) rowResult {
	k := rowKey{mod, addr, exact}
	if r, ok := u.rows[k]; ok {
		return r
	}
	r := rowResult{exact: exact}
	lookup := addr
	if !exact {
		if fde := mod.cfi.fdeFor(addr); fde != nil && isSignalFrame(fde) {
			r.exact = true
		} else {
			lookup = addr - 1
		}
	}
	if fde := mod.cfi.fdeFor(lookup); fde != nil {
		r.row = compileRow(fde, lookup)
	}
	if len(u.rows) >= maxRows {
		clear(u.rows)
	}
	u.rows[k] = r
	return r
}

// stackSwitch is the kind of stack switch a frame returns into. Only a
// return address counts: a PC interrupted by a signal (Exact) may be
// before the switch, where the stack holds something else.
func (u *Unwinder) stackSwitch(mod *module, pc PC, bias uint64) (switchRange, bool) {
	if mod == nil || pc.Exact || len(mod.switches) == 0 {
		return switchRange{}, false
	}
	return mod.switchAt(pc.LookupAddr() - bias)
}

// step applies one CFI row; ok is false at the outermost frame.
func (u *Unwinder) step(row *cfaRow, cur *Regs) (next Regs, ok bool) {
	var cfa uint64
	if row.cfaExpr != nil {
		v, ok := u.eval(row.cfaExpr, cur, 0, false)
		if !ok {
			return next, false
		}
		cfa = v
	} else {
		cfa = cur[row.cfaReg] + uint64(row.cfaOff)
	}
	next = *cur
	next[RegRSP] = cfa
	for r := range row.regs {
		rule := &row.regs[r]
		switch rule.kind {
		case ruleSame:
		case ruleUndefined:
			if r == int(row.ra) {
				return next, false
			}
		case ruleOffset:
			v, ok := u.stack.read(cfa + uint64(rule.off))
			if !ok {
				return next, false
			}
			next[r] = v
		case ruleValOffset:
			next[r] = cfa + uint64(rule.off)
		case ruleRegister:
			next[r] = cur[rule.reg]
		case ruleExpression, ruleValExpression:
			v, ok := u.eval(rule.expr, cur, cfa, true)
			if !ok {
				return next, false
			}
			if rule.kind == ruleExpression {
				if v, ok = u.stack.read(v); !ok {
					return next, false
				}
			}
			next[r] = v
		}
	}
	return next, true
}

// eval runs a DWARF expression. Delve does not push the CFA for register
// rules, as DWARF requires, so it is pushed here with DW_OP_constu.
func (u *Unwinder) eval(expr []byte, cur *Regs, cfa uint64, pushCFA bool) (v uint64, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			v, ok = 0, false
		}
	}()
	prog := expr
	if pushCFA {
		prog = binary.AppendUvarint([]byte{byte(op.DW_OP_constu)}, cfa)
		prog = append(prog, expr...)
	}
	regs := make([]*op.DwarfRegister, len(cur))
	for i, r := range cur {
		regs[i] = op.DwarfRegisterFromUint64(r)
	}
	dregs := op.NewDwarfRegisters(0, regs, binary.LittleEndian, RegRIP, RegRSP, RegRBP, 0)
	dregs.CFA = int64(cfa)
	res, _, err := op.ExecuteStackProgram(*dregs, prog, 8, func(b []byte, addr uint64) (int, error) {
		if err := u.stack.readBytes(addr, b); err != nil {
			return 0, err
		}
		return len(b), nil
	})
	if err != nil {
		return 0, false
	}
	return uint64(res), true
}

// goSPDelta reads the pcsp table of Go code without CFI (-ldflags=-w
// drops .debug_frame). It is exact where frame pointers are not: Go's
// assembly leaf functions (internal/runtime/syscall.Syscall6) push no
// frame pointer, and following rbp from them skips their caller.
func (u *Unwinder) goSPDelta(mod *module, addr uint64) (int64, bool) {
	if mod == nil {
		return 0, false
	}
	return mod.goSPDelta(addr)
}

// goStep unwinds one Go frame whose SP is d bytes below its entry SP: the
// return address is at SP+d and the caller's SP just above it. A frame
// that has pushed rbp (amd64's Go prologue does that first) saved the
// caller's rbp below the return address.
func (u *Unwinder) goStep(d int64, cur *Regs) (next Regs, ok bool) {
	cfa := cur[RegRSP] + uint64(d) + 8
	ra, ok := u.stack.read(cfa - 8)
	if !ok {
		return next, false
	}
	next = *cur
	if d >= 16 {
		bp, ok := u.stack.read(cfa - 16)
		if !ok {
			return next, false
		}
		next[RegRBP] = bp
	}
	next[RegRSP] = cfa
	next[RegRIP] = ra
	return next, true
}

// leafStep unwinds frame 0 when no CFI covers it: a syscall stub stopped at
// its syscall has pushed nothing, so its return address is at the stack
// pointer. glibc's clone3 ends its FDE just before the syscall instruction
// (sysdeps/unix/sysv/linux/x86_64/clone3.S: "the unwind info will be
// wrong" in the child), which is where a vforking parent stops. It is
// taken only in system libraries, whose stubs are such leaves: in a
// program's own assembly a frame may be set up without CFI, and a saved
// code pointer at [rsp] would make up a caller (frame pointers decide
// there). Only an address inside a mapped module is believed.
func (u *Unwinder) leafStep(mm *ModuleMap, m *Module, cur *Regs, frame0 bool) (next Regs, ok bool) {
	if !frame0 || !IsSystemModule(m.Path) {
		return next, false
	}
	ra, ok := u.stack.read(cur[RegRSP])
	if !ok || mm.Find(ra) == nil {
		return next, false
	}
	next = *cur
	next[RegRSP] = cur[RegRSP] + 8
	next[RegRIP] = ra
	return next, true
}

// framePointerStep follows the rbp chain where no CFI exists. It is
// right for code built with frame pointers and harmless elsewhere: a bad
// chain ends at a PC outside every module or a non-growing SP.
func (u *Unwinder) framePointerStep(cur *Regs) (next Regs, ok bool) {
	bp := cur[RegRBP]
	if bp < cur[RegRSP] || bp&7 != 0 {
		return next, false
	}
	ra, ok1 := u.stack.read(bp + 8)
	savedBP, ok2 := u.stack.read(bp)
	if !ok1 || !ok2 {
		return next, false
	}
	next = *cur
	next[RegRBP] = savedBP
	next[RegRSP] = bp + 16
	next[RegRIP] = ra
	return next, true
}

// isSystem reports a system library's module (not one --site-in names).
func (u *Unwinder) isSystem(m *Module) bool {
	return IsSystemModule(m.Path) && !u.cache.IsSiteIn(m.Path)
}
