// Package symbolize turns a stopped thread's registers into a call stack,
// and program counters into functions, files and lines; it decides which
// frame of a stack is a violation's call site.
//
// The work is split in two, because only the first half needs the thread
// stopped:
//
//   - At the stop, on the ptrace thread: a ModuleMap is read (ReadMaps
//     from /proc/PID/maps on Linux; NewModuleMap from PT_VM_ENTRY records
//     on FreeBSD) and an Unwinder walks the stack from the registers (Regs)
//     through tracee Memory, returning raw PCs. It unwinds with CFI
//     (.eh_frame, .debug_frame, through Delve's pkg/dwarf/frame and
//     pkg/dwarf/op; Go's pcsp tables for Go code without CFI), falls back
//     to frame pointers, and crosses from cgo's C code back to its
//     goroutine's stack.
//   - Later, on any goroutine: a Symbolizer turns each PC, with the
//     ModuleMap captured at the stop, into Frames: DWARF line tables
//     (Delve's pkg/dwarf/line) with inlined subroutines, .gopclntab with its
//     inline trees, ELF .symtab/.dynsym, separate debug files. Each Frame
//     carries the facts the choice of call site rests on (System, Static,
//     SourceRoot), and CallSite picks the site from them.
//
// Both halves share a Cache of parsed modules, keyed by file identity, so
// each binary is parsed once. symbolize never drives ptrace: memory comes
// through the Memory interface. It knows nothing of reports: what it
// returns is plain data, formatted by its callers.
package symbolize

// Memory reads the traced process's address space (process_vm_readv on
// Linux, PT_IO on FreeBSD).
type Memory interface {
	ReadMemory(addr uint64, p []byte) error
}

// Regs holds the registers an unwinder needs, indexed by DWARF register
// number (amd64: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8-15 r8-r15, 16 rip = the return-address column).
type Regs [17]uint64

// DWARF register numbers of amd64 used by name.
const (
	RegRBP = 6
	RegRSP = 7
	RegRIP = 16
)

// PC is one frame's program counter as the unwinder found it.
type PC struct {
	Addr uint64
	// Exact is true when Addr is the instruction being executed (a frame
	// interrupted by a signal); false when it is a return address, or the
	// address after a syscall instruction, and is looked up at Addr-1.
	Exact bool
}

// LookupAddr is the address whose line and function the frame is in.
func (p PC) LookupAddr() uint64 {
	if p.Exact || p.Addr == 0 {
		return p.Addr
	}
	return p.Addr - 1
}

// Frame is one symbolized frame. A PC inside inlined code yields several
// frames, innermost first, all with the same PC and Inlined set on all but
// the last.
type Frame struct {
	PC       uint64
	Module   string // path of the mapped file ("[vdso]" for the vDSO)
	Function string // demangled; "module+0xoff" of the enclosing function when nothing names it
	File     string
	Line     int
	Inlined  bool
	// TailCall marks a frame rebuilt from DWARF call sites: a function
	// that left by a tail call, at the line of that call (tailcall.go).
	TailCall bool

	// Facts the choice of a call site rests on (CallSite), decided once
	// here, where the module is read, so that the report never opens a
	// binary or walks the disk.

	// System: code a call only passes through (IsSystemFrame), or the
	// C library linked into a static program, told from the program's
	// own code by where the linker put it (startcode.go).
	System bool
	// Static: the module has no program interpreter (PT_INTERP): a static
	// program, carrying its C library inside, or a shared object.
	Static bool
	// MaybeLibC: a frame without a line in a static program whose
	// linked-in C library could not be located (no recognizable C
	// start-up call, startcode.go): it may be the program's own code or
	// the C library's, and CallSite cannot tell which.
	MaybeLibC bool
	// SourceRoot is the repository File belongs to: the nearest directory
	// above it with a .git entry; "" when there is none or File is
	// relative (relative to the build's own source root).
	SourceRoot string
}
