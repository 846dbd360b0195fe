package tracer

import (
	"encoding/binary"
	"fmt"

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
func clearUntraced(tid int, regs *registers) error {
	switch syscallNr(regs) {
	case unix.SYS_CLONE:
		if flags := syscallArgs(regs)[0]; flags&unix.CLONE_UNTRACED != 0 {
			setSyscallArg(regs, 0, flags&^unix.CLONE_UNTRACED)
			if err := unix.PtraceSetRegs(tid, regs); err != nil {
				return fmt.Errorf("PTRACE_SETREGS: %w", err)
			}
		}
	case unix.SYS_CLONE3:
		addr := uintptr(syscallArgs(regs)[0])
		word := make([]byte, 8)
		if _, err := unix.PtracePeekData(tid, addr, word); err != nil {
			return nil // clone3 fails with EFAULT on its own
		}
		flags := binary.LittleEndian.Uint64(word)
		if flags&unix.CLONE_UNTRACED != 0 {
			binary.LittleEndian.PutUint64(word, flags&^unix.CLONE_UNTRACED)
			if _, err := unix.PtracePokeData(tid, addr, word); err != nil {
				return fmt.Errorf("PTRACE_POKEDATA: %w", err)
			}
		}
	}
	return nil
}

func isClone(nr int) bool { return nr == unix.SYS_CLONE || nr == unix.SYS_CLONE3 }
