// Package symbolize turns a stopped thread's registers into a call stack and
// program counters into functions, files and lines.
//
// It owns module maps (/proc/PID/maps on Linux, PT_VM_ENTRY records on
// FreeBSD), CFI unwinding (.eh_frame, .debug_frame, through Delve's
// pkg/dwarf/frame and pkg/dwarf/op; Go's pcsp tables for Go code without
// CFI) with a frame-pointer fallback and the crossing from cgo's C code
// back to its goroutine's stack, and symbolization (Delve's
// pkg/dwarf/line, inlined subroutines, .gopclntab with its inline trees,
// ELF .symtab/.dynsym, separate debug files). Unwind must run while the
// thread is stopped; Symbolize runs later, on another goroutine, from the
// PCs and the module map captured at the stop. symbolize never drives
// ptrace itself: memory comes through the Memory interface.
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

	// Facts the choice of a call site rests on (CallSite), decided once
	// here, where the module is read, so that the report never opens a
	// binary or walks the disk.

	// System: code a call only passes through (IsSystemFrame).
	System bool
	// Static: the module has no program interpreter (PT_INTERP): a static
	// program, carrying its C library inside, or a shared object.
	Static bool
	// SourceRoot is the repository File belongs to: the nearest directory
	// above it with a .git entry; "" when there is none or File is
	// relative (relative to the build's own source root).
	SourceRoot string
}

// The rest of the API:
//
//	type Mapping struct{ Start, End, Offset uint64; Perm, Path string; Inode, Dev uint64 }
//	type Module struct{ Path string; Start, End, Offset, Bias uint64; Inode, Dev uint64; Mtime int64 }
//	func (m *Module) Name() string; func (m *Module) IsVDSO() bool
//	type ModuleMap struct{ ... }                 // immutable snapshot, safe to share
//	func ReadMaps(pid int) (*ModuleMap, error)   // /proc/PID/maps (Linux)
//	func ParseMaps(r io.Reader) (*ModuleMap, error)
//	func NewModuleMap(mappings []Mapping) *ModuleMap // FreeBSD: from PT_VM_ENTRY
//	func (m *ModuleMap) Find(pc uint64) *Module  // executable mappings only
//	func (m *ModuleMap) Modules() []*Module
//
//	func ProcMemory(pid int) Memory              // Linux: process_vm_readv, /proc/PID/mem fallback
//
//	type Cache struct{ ... }                     // parsed modules, by path+dev+inode+mtime; concurrency-safe
//	func NewCache(debugDirs []string) *Cache
//
//	type Unwinder struct{ ... }                  // used on the ptrace thread only
//	func NewUnwinder(c *Cache) *Unwinder
//	func (u *Unwinder) Unwind(mm *ModuleMap, regs Regs, mem Memory, depth int) (pcs []PC, missed bool)
//
//	type Symbolizer struct{ ... }                // safe for concurrent use; memoizes per module+PC
//	func NewSymbolizer(c *Cache) *Symbolizer
//	func (s *Symbolizer) Symbolize(mm *ModuleMap, pc PC) []Frame
