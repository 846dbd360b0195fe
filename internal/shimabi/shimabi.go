// Package shimabi is the contract between the Capsicum shim that
// `captrace shim DIR` writes (FreeBSD's sys/capsicum.h and
// capsicum_helpers.h for Linux) and the Linux tracer that answers it.
//
// A program built against the shim reaches captrace through syscall numbers
// Linux will never assign: x86-64 numbers are below 1024 and the x32 ABI sets
// bit 30, so First..Last can only mean "ask captrace". Without captrace the
// kernel answers ENOSYS and the shim behaves as a kernel without Capsicum
// would let a caller carry on (a no-op that succeeds). Under captrace the
// seccomp filter traps these numbers and the tracer performs the operation
// and writes the result into the registers.
//
// The numbers and errno values here are written into the generated headers;
// changing one breaks every program built against an older shim.
package shimabi

// Reserved syscall numbers: First + Op.
const (
	First = 0x636170 // "cap" in ASCII; far above any Linux syscall number
	Last  = First + 15
)

// Operations, added to First. Arguments travel in the syscall argument
// registers; the result is the return value (a negative errno on failure).
const (
	OpEnter       = 0 // cap_enter(): returns 0
	OpGetMode     = 1 // cap_getmode(): returns the mode (0 or 1); the shim stores it
	OpRightsLimit = 2 // cap_rights_limit(fd, cr_rights[0], cr_rights[1])
	OpRightsGet   = 3 // cap_rights_get(fd, cap_rights_t *out): the tracer writes *out
	OpIoctlsLimit = 4 // cap_ioctls_limit(fd, const cap_ioctl_t *cmds, size_t n)
	OpIoctlsGet   = 5 // cap_ioctls_get(fd, cap_ioctl_t *cmds, size_t max): count or CAP_IOCTLS_ALL
	OpFcntlsLimit = 6 // cap_fcntls_limit(fd, uint32_t mask)
	OpFcntlsGet   = 7 // cap_fcntls_get(fd): returns the mask; the shim stores it
)

// Errno values the shim's ECAPMODE and ENOTCAPABLE take on Linux. FreeBSD's
// 94 and 93 are EPROTONOSUPPORT and ESOCKTNOSUPPORT on Linux, so the shim
// uses values no Linux errno has (Linux's largest is EHWPOISON, 133), below
// 4096 so that they travel through the syscall return convention.
const (
	ErrnoNotCapable = 1093
	ErrnoCapMode    = 1094
)

// Section is the ELF section every object built against the shim carries:
// how captrace recognizes such a program, stripped or not, and takes its
// cap_enter() as the enter point.
const Section = ".captrace_shim"

// IsReserved reports whether nr is one of the shim's syscall numbers.
func IsReserved(nr int) bool { return nr >= First && nr <= Last }
