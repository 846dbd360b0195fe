package tracer

import (
	"bytes"
	"debug/elf"

	"golang.org/x/arch/x86/x86asm"
)

// entryStartCall finds the first call in f's entry code: in C programs it
// is the call of the C library's start-up function, with main in one of
// its argument registers (glibc's sysdeps/x86_64/start.S: "mov $main,
// %rdi" then "call __libc_start_main"; FreeBSD's lib/csu/amd64/crt1_s.S
// passes main in %r8 to __libc_start1). A breakpoint on the call reads
// main from the register, whatever the symbols say.
func entryStartCall(f *elf.File) (*startCall, bool) {
	if f.Machine != elf.EM_X86_64 {
		return nil, false
	}
	code := entryCode(f, 128)
	for off := 0; off < len(code); {
		if bytes.HasPrefix(code[off:], endbr64) {
			off += len(endbr64) // CET builds start with it; x86asm does not know it
			continue
		}
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			return nil, false
		}
		if inst.Op == x86asm.CALL {
			return &startCall{addr: f.Entry + uint64(off), mainArg: startMainArg(f)}, true
		}
		off += inst.Len
	}
	return nil, false
}

// endbr64 is CET's landing-pad instruction (F3 0F 1E FA).
var endbr64 = []byte{0xf3, 0x0f, 0x1e, 0xfa}
