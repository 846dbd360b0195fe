package tracer

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/shimabi"
)

// The launch filter: what a program built against the Capsicum shim (its
// image carries shimabi.Section) runs under from its exec until it
// reaches its enter point (any point but exec); any other program runs
// with no filter at all until then. Capability mode is not in force yet,
// so nothing needs checking; the filter stops only what the tracer must
// see before then:
//
//   - the Capsicum shim's reserved syscalls (internal/shimabi): a program
//     built against the shim announces cap_enter() through one, and only a
//     filter can trap a number the kernel does not know (without a stop
//     it fails with ENOSYS, which the shim takes as "no captrace");
//   - clone with CLONE_UNTRACED and every clone3 (whose flags are in
//     memory, out of the filter's reach): the tracer clears the flag, so
//     no child escapes before the enter point either
//     (untraced_linux.go).
//
// Everything else is allowed. The filter reads nothing but the
// architecture and the number for every other syscall, so the kernel's
// action cache (kernel/seccomp.c, seccomp_cache_prepare, Linux 5.11+)
// decides those calls from a bitmap without running it: the cost is the
// slow syscall-entry path that any filter brings, measured by make bench.
// At the enter point the capability-mode filter (seccomp_linux.go) is
// stacked on top by injection (filterinject_linux.go).

// Layout of struct seccomp_data: args[0]'s low word on a little-endian
// machine (include/uapi/linux/seccomp.h).
const seccompDataArg0Low = 16

// LaunchFilter is the launch filter as the kernel takes it, for make
// bench's row that measures it alone, with no tracer (internal/benchrun).
func LaunchFilter() ([]bpf.RawInstruction, error) { return bpf.Assemble(launchFilter(auditArch)) }

func launchFilter(arch uint32) []bpf.Instruction {
	allow := bpf.RetConstant{Val: seccompRetAllow}
	trace := bpf.RetConstant{Val: seccompRetTrace | traceNative}
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: seccompDataArch, Size: 4},
		// Another ABI cannot reach the shim's numbers or clone natively.
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipFalse: 10},
		bpf.LoadAbsolute{Off: seccompDataNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: shimabi.First, SkipFalse: 2},
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: shimabi.Last, SkipTrue: 7},
		trace,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_CLONE3, SkipFalse: 1},
		trace,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_CLONE, SkipFalse: 3},
		bpf.LoadAbsolute{Off: seccompDataArg0Low, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: unix.CLONE_UNTRACED, SkipFalse: 1},
		trace,
		allow,
	}
}
