package tracer

import (
	"encoding/binary"
	"fmt"
	"os"
)

// The auxiliary vector the kernel gave a process at exec: one small read
// tells where its program starts (AT_ENTRY, hence its load bias) and
// where its vDSO is, where the memory map would open every mapped file.

// vdsoBase reads AT_SYSINFO_EHDR, the vDSO's address, from pid's
// auxiliary vector; 0 if there is none.
func vdsoBase(pid int) uint64 {
	v, _ := auxvValue(pid, atSysinfoEhdr)
	return v
}

// auxvValue reads one entry of pid's auxiliary vector.
func auxvValue(pid int, tag uint64) (uint64, bool) {
	auxv, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return 0, false
	}
	for i := 0; i+16 <= len(auxv); i += 16 {
		t, val := binary.NativeEndian.Uint64(auxv[i:]), binary.NativeEndian.Uint64(auxv[i+8:])
		if t == tag {
			return val, true
		}
		if t == 0 { // AT_NULL
			break
		}
	}
	return 0, false
}

// Auxiliary vector tags (include/uapi/linux/auxvec.h).
const (
	atEntry       = 9  // AT_ENTRY: the program's entry point
	atSysinfoEhdr = 33 // AT_SYSINFO_EHDR: the vDSO
)
