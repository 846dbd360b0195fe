package tracer

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// CLONE_UNTRACED lets a child escape PTRACE_O_TRACEFORK/TRACECLONE: it
// would run untraced yet keep the seccomp filter, and every RET_TRACE call
// would then fail with ENOSYS (strace's --seccomp-bpf loses such children,
// strace issue 303). The filter therefore always stops clone and clone3,
// whatever the policy says, and the tracer clears the flag.
var cloneSyscalls = []int{unix.SYS_CLONE, unix.SYS_CLONE3}

// filteredAllowed is the policy's always-allowed list minus the clone
// calls the tracer must see.
func filteredAllowed(allowed []int) []int {
	out := make([]int, 0, len(allowed))
next:
	for _, nr := range allowed {
		for _, c := range cloneSyscalls {
			if nr == c {
				continue next
			}
		}
		out = append(out, nr)
	}
	return out
}

// clearUntraced removes CLONE_UNTRACED from a clone or clone3 call stopped
// at its seccomp stop. clone takes the flags in its first argument; clone3
// in the first field of struct clone_args, in tracee memory.
func clearUntraced(tid int, regs *unix.PtraceRegs) {
	switch syscallNr(regs) {
	case unix.SYS_CLONE:
		if regs.Rdi&unix.CLONE_UNTRACED != 0 {
			regs.Rdi &^= unix.CLONE_UNTRACED
			unix.PtraceSetRegs(tid, regs)
		}
	case unix.SYS_CLONE3:
		addr := uintptr(regs.Rdi)
		word := make([]byte, 8)
		if _, err := unix.PtracePeekData(tid, addr, word); err != nil {
			return
		}
		flags := binary.LittleEndian.Uint64(word)
		if flags&unix.CLONE_UNTRACED != 0 {
			binary.LittleEndian.PutUint64(word, flags&^unix.CLONE_UNTRACED)
			unix.PtracePokeData(tid, addr, word)
		}
	}
}

func isClone(nr int) bool { return nr == unix.SYS_CLONE || nr == unix.SYS_CLONE3 }
