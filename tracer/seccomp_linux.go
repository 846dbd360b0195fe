package tracer

import (
	"sort"

	"golang.org/x/net/bpf"

	"github.com/captrace/captrace/capmode"
)

// Layout of struct seccomp_data (include/uapi/linux/seccomp.h).
const (
	seccompDataNr   = 0
	seccompDataArch = 4
)

// Filter return values (include/uapi/linux/seccomp.h), and what captrace
// puts in SECCOMP_RET_DATA to tell the stops apart.
const (
	seccompRetAllow = 0x7fff0000
	seccompRetTrace = 0x7ff00000

	traceNative  = 0 // a syscall of the filter's architecture
	traceForeign = 1 // an ABI captrace cannot decode (x32): numbers mean other calls
	traceCompat  = 2 // the architecture's 32-bit ABI (i386's int $0x80 on amd64)
)

// x32 syscalls carry this bit in their number (arch/x86/include/asm/unistd.h).
const x32SyscallBit = 0x40000000

// seccompFilter builds the classic BPF program of capability mode: the
// syscalls of allowed (capability mode allows them whatever their
// arguments) return SECCOMP_RET_ALLOW and never stop the tracee; every other
// syscall returns SECCOMP_RET_TRACE so the tracer can decide. The list comes
// from capmode's table; nothing here names a syscall. Calls of the
// compat architecture (AUDIT_ARCH_I386 for an int $0x80 on amd64) always
// stop, marked so, to be judged by that ABI's table.
func seccompFilter(arch, compat uint32, allowed []syscallRange) []bpf.Instruction {
	trace := func(data uint32) bpf.Instruction { return bpf.RetConstant{Val: seccompRetTrace | data} }
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: seccompDataArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: compat, SkipFalse: 1},
		trace(traceCompat),
		trace(traceForeign),
		bpf.LoadAbsolute{Off: seccompDataNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: x32SyscallBit, SkipFalse: 1},
		trace(traceForeign),
	}
	// A binary search over the sorted ranges: every syscall runs about
	// 2*log2(ranges) instructions, where a linear scan made the most
	// frequent allowed calls pay for every range before theirs.
	return searchRanges(prog, allowed, trace(traceNative))
}

// searchRanges appends to prog the decision tree for ranges: a node jumps
// over its lower half when nr is at least the upper half's first number;
// a leaf checks its own range. Classic BPF jumps are 8 bits, which holds
// for the tree of a few hundred ranges (seccompFilter's test builds the
// real one).
func searchRanges(prog []bpf.Instruction, ranges []syscallRange, trace bpf.Instruction) []bpf.Instruction {
	switch len(ranges) {
	case 0:
		return append(prog, trace)
	case 1:
		r := ranges[0]
		return append(prog,
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: r.lo, SkipFalse: 2},
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: r.hi, SkipTrue: 1},
			bpf.RetConstant{Val: seccompRetAllow},
			trace,
		)
	}
	mid := len(ranges) / 2
	node := len(prog)
	prog = searchRanges(append(prog, nil), ranges[:mid], trace)
	lower := len(prog) - node - 1
	if lower > 255 {
		panic("seccomp filter: too many syscall ranges for 8-bit jumps")
	}
	prog[node] = bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: ranges[mid].lo, SkipTrue: uint8(lower)}
	return searchRanges(prog, ranges[mid:], trace)
}

type syscallRange struct{ lo, hi uint32 }

// syscallRanges folds syscall numbers into sorted inclusive ranges.
func syscallRanges(nrs []int) []syscallRange {
	sorted := append([]int(nil), nrs...)
	sort.Ints(sorted)
	var out []syscallRange
	for _, nr := range sorted {
		if nr < 0 {
			continue
		}
		n := uint32(nr)
		if len(out) > 0 && (out[len(out)-1].hi == n || out[len(out)-1].hi+1 == n) {
			out[len(out)-1].hi = n
			continue
		}
		out = append(out, syscallRange{n, n})
	}
	return out
}

// capModeFilter is the filter of capability mode: every syscall the
// policy always allows passes, every other one stops. The allowed ranges
// are generated from capmode's table (capModeAllowed), so entering
// capability mode never builds the table: a run without violations
// never needs it (issue 15, start-up).
func capModeFilter() []bpf.Instruction {
	return seccompFilter(auditArch, compatAuditArch, capModeAllowed)
}

// policyAllowedRanges is what capModeAllowed is generated from (`go test
// ./tracer -run TestCapModeAllowedIsThePolicy -update`): the policy's
// always-allowed calls minus the clone calls the tracer must see.
func policyAllowedRanges() []syscallRange {
	return syscallRanges(filteredAllowed(capmode.Linux().AlwaysAllowed()))
}
