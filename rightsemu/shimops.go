package rightsemu

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/rights"
)

// Linux errno values the shim's calls may get besides shimabi's.
const (
	errnoEBADF  = 9
	errnoEFAULT = 14
	errnoEINVAL = 22
	errnoENOSYS = 38
)

// Memory is the tracee's address space as the emulation needs it.
type Memory interface {
	rights.Memory
	WriteMemory(addr uint64, p []byte) error
}

// Process is what a shim call may see and change of the calling process.
type Process struct {
	Table     *rights.Table
	Mem       Memory
	IsOpen    func(fd int) bool // whether fd is an open descriptor of the process
	InCapMode bool
}

// ShimResult is the answer to one shim call.
type ShimResult struct {
	// Ret is the syscall's return value: the result, or -errno.
	Ret int64
	// Enter: the call was cap_enter(), and capability mode starts now.
	Enter bool
	// Limited: a limit call changed a descriptor's limits.
	Limited bool
}

func fail(errno int) ShimResult { return ShimResult{Ret: -int64(errno)} }

// HandleShim performs shim operation op (a number of internal/shimabi)
// with the raw argument registers; at is recorded as where a limit was
// set. Errors are those of FreeBSD's sys_capability.c, with ENOTCAPABLE as
// the shim's value.
func HandleShim(op int, args [6]uint64, p Process, at rights.Origin) ShimResult {
	fd := int(int32(uint32(args[0])))
	needFD := op != shimabi.OpEnter && op != shimabi.OpGetMode
	if needFD && (fd < 0 || p.IsOpen == nil || !p.IsOpen(fd)) {
		return fail(errnoEBADF)
	}
	limitErr := func(err error) ShimResult {
		switch {
		case err == nil:
			return ShimResult{Limited: true}
		case errors.Is(err, rights.ErrNotCapable):
			return fail(shimabi.ErrnoNotCapable)
		}
		return fail(errnoEINVAL)
	}
	switch op {
	case shimabi.OpEnter:
		return ShimResult{Enter: true}
	case shimabi.OpGetMode:
		if p.InCapMode {
			return ShimResult{Ret: 1}
		}
		return ShimResult{}
	case shimabi.OpRightsLimit:
		s, err := rights.FromWords([2]uint64{args[1], args[2]})
		if err != nil {
			return fail(errnoEINVAL)
		}
		return limitErr(p.Table.LimitRights(fd, s, at))
	case shimabi.OpRightsGet:
		var b [16]byte
		w := p.Table.Get(fd).Rights.Words()
		binary.LittleEndian.PutUint64(b[0:], w[0])
		binary.LittleEndian.PutUint64(b[8:], w[1])
		if p.Mem.WriteMemory(args[1], b[:]) != nil {
			return fail(errnoEFAULT)
		}
		return ShimResult{}
	case shimabi.OpIoctlsLimit:
		n := args[2]
		if n > rights.MaxIoctls {
			return fail(errnoEINVAL)
		}
		cmds := make([]uint64, n)
		if n > 0 {
			b := make([]byte, 8*n)
			if p.Mem.ReadMemory(args[1], b) != nil {
				return fail(errnoEFAULT)
			}
			for i := range cmds {
				cmds[i] = binary.LittleEndian.Uint64(b[8*i:])
			}
		}
		return limitErr(p.Table.LimitIoctls(fd, cmds, at))
	case shimabi.OpIoctlsGet:
		l := p.Table.Get(fd)
		if !l.IoctlsLimited {
			return ShimResult{Ret: math.MaxInt64} // CAP_IOCTLS_ALL
		}
		n := min(uint64(len(l.Ioctls)), args[2])
		if n > 0 {
			b := make([]byte, 8*n)
			for i := range n {
				binary.LittleEndian.PutUint64(b[8*i:], l.Ioctls[i])
			}
			if p.Mem.WriteMemory(args[1], b) != nil {
				return fail(errnoEFAULT)
			}
		}
		// sys_cap_ioctls_get returns the number of allowed commands, even
		// when fewer fit in the caller's array.
		return ShimResult{Ret: int64(len(l.Ioctls))}
	case shimabi.OpFcntlsLimit:
		if args[1] > math.MaxUint32 {
			return fail(errnoEINVAL)
		}
		return limitErr(p.Table.LimitFcntls(fd, rights.FcntlMask(args[1]), at))
	case shimabi.OpFcntlsGet:
		return ShimResult{Ret: int64(p.Table.Get(fd).Fcntls)}
	}
	return fail(errnoENOSYS)
}
