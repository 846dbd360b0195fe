package tracer

import (
	"encoding/binary"
	"fmt"
	"os"
)

// The auxiliary vector the kernel gave a process at exec: one small read
// tells where its program starts (AT_ENTRY, hence its load bias) and
// where its vDSO is, where the memory map would open every mapped file.

// imageAddrs are addresses in the image a process runs that the tracer
// needs at most once per image: the entry point and the vDSO, from one
// read of the auxiliary vector, and a syscall instruction for injected
// calls. They hold from an exec to the next, in forked children too.
type imageAddrs struct {
	auxvRead    bool
	entry       uint64 // AT_ENTRY; 0 if absent
	vdso        uint64 // AT_SYSINFO_EHDR; 0 if absent
	syscallInsn uint64 // found by findSyscallInsn; 0 until then
}

// readAuxv fills entry and vdso from pid's auxiliary vector, once.
func (a *imageAddrs) readAuxv(pid int) {
	if a.auxvRead {
		return
	}
	a.auxvRead = true
	auxv, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return
	}
	for i := 0; i+16 <= len(auxv); i += 16 {
		t, val := binary.NativeEndian.Uint64(auxv[i:]), binary.NativeEndian.Uint64(auxv[i+8:])
		switch t {
		case atEntry:
			a.entry = val
		case atSysinfoEhdr:
			a.vdso = val
		case 0: // AT_NULL
			return
		}
	}
}

// Auxiliary vector tags (include/uapi/linux/auxvec.h).
const (
	atEntry       = 9  // AT_ENTRY: the program's entry point
	atSysinfoEhdr = 33 // AT_SYSINFO_EHDR: the vDSO
)
