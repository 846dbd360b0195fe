package symbolize

// Go runs C code (cgo) and parts of its runtime on the thread's system
// stack (g0), not on the goroutine's, so their callers are not above them
// in memory. runtime.asmcgocall (runtime/asm_amd64.s) switches to the
// system stack, aligns SP to 16 bytes below the system stack's saved SP,
// stores the goroutine (g) at 8(SP) and the goroutine SP's depth below
// the top of its stack, g.stack.hi - SP, at 0(SP), then calls the C
// function through asmcgocall_landingpad. It stores the depth rather than
// SP because a callback into Go may move the goroutine's stack. Called on
// the system stack already, it stores 0 for g and the SP itself.
//
// The C function's CFI unwinds to asmcgocall with SP at those two words.
// The goroutine SP that asmcgocall saved is its SP after its prologue:
// the return address into its caller (runtime.cgocall) is there, or just
// above the caller's BP where the assembler added a frame-pointer
// prologue (switchRange.framed); the caller's SP is above it. The Go runtime's traceback and Delve
// (pkg/proc, switchStack) cross the same way.

// gStackLo and gStackHi are the offsets in runtime.g of g.stack.lo and
// g.stack.hi: stack is g's first field on every Go version and OS.
const (
	gStackLo = 0
	gStackHi = 8
)

// maxGoroutineStack bounds g.stack.hi - g.stack.lo (the runtime's
// maxstacksize is 1 GB on 64-bit systems): a larger span is not a g.
const maxGoroutineStack = 1 << 30

// cgoStep unwinds runtime.asmcgocall, whose frame is on the system stack
// at cur's SP, to its caller on the goroutine's stack. ok is false when
// what asmcgocall saved does not describe a stack switch: the unwind then
// ends at asmcgocall rather than on a guessed frame.
func (u *Unwinder) cgoStep(cur *Regs, framed bool) (next Regs, ok bool) {
	sp := cur[RegRSP]
	depth, ok1 := u.stack.read(sp)
	g, ok2 := u.stack.read(sp + 8)
	if !ok1 || !ok2 {
		return next, false
	}
	var goSP uint64
	if g == 0 {
		// Called on the system stack: the slot holds the SP before
		// SUBQ $16 and the alignment.
		if depth < sp+16 || depth >= sp+32 {
			return next, false
		}
		goSP = depth
	} else {
		lo, ok1 := u.stack.read(g + gStackLo)
		hi, ok2 := u.stack.read(g + gStackHi)
		if !ok1 || !ok2 || lo >= hi || hi-lo > maxGoroutineStack || depth > hi-lo {
			return next, false
		}
		goSP = hi - depth
		// The switch left the goroutine's stack: the system stack's SP
		// is outside it.
		if goSP < lo || sp >= lo && sp < hi {
			return next, false
		}
	}
	if goSP&7 != 0 {
		return next, false
	}
	next = *cur
	if framed {
		bp, ok := u.stack.read(goSP)
		if !ok {
			return next, false
		}
		next[RegRBP] = bp
		goSP += 8
	}
	ra, ok := u.stack.read(goSP)
	if !ok {
		return next, false
	}
	next[RegRSP] = goSP + 8
	next[RegRIP] = ra
	return next, true
}
