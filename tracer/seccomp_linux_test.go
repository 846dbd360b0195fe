package tracer

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/internal/shimabi"
)

// runFilter runs the filter on a seccomp_data for (arch, nr). x/net/bpf's
// VM loads words big-endian, so the test lays the fields out that way; the
// kernel reads the same fields in native order.
func runFilter(t *testing.T, prog []bpf.Instruction, arch uint32, nr uint32) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[seccompDataNr:], nr)
	binary.BigEndian.PutUint32(data[seccompDataArch:], arch)
	ret, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(ret)
}

func TestSeccompFilter(t *testing.T) {
	const arch = 0xc000003e
	allowed := []int{0, 1, 2, 3, 9, 10, 11, 60, 231, 202}
	prog := seccompFilter(arch, 0x40000003, allowed)
	if _, err := bpf.Assemble(prog); err != nil {
		t.Fatal(err)
	}
	isAllowed := map[uint32]bool{}
	for _, n := range allowed {
		isAllowed[uint32(n)] = true
	}
	for nr := uint32(0); nr < 460; nr++ {
		want := uint32(seccompRetTrace | traceNative)
		if isAllowed[nr] {
			want = seccompRetAllow
		}
		if got := runFilter(t, prog, arch, nr); got != want {
			t.Errorf("nr %d: %#x, want %#x", nr, got, want)
		}
	}
	// The compat ABI (i386) always stops, marked so, whatever the number;
	// another ABI, or an x32 number, always stops, marked foreign.
	for _, nr := range []uint32{0, 1, 3, 20} {
		if got := runFilter(t, prog, 0x40000003, nr); got != seccompRetTrace|traceCompat {
			t.Errorf("i386 syscall %d: %#x", nr, got)
		}
	}
	if got := runFilter(t, prog, 0xc00000b7, 1); got != seccompRetTrace|traceForeign {
		t.Errorf("aarch64 syscall 1: %#x", got)
	}
	if got := runFilter(t, prog, arch, x32SyscallBit|1); got != seccompRetTrace|traceForeign {
		t.Errorf("x32 write: %#x", got)
	}
}

// TestSeccompFilterOfThePolicy checks the filter the launcher really
// installs: every syscall the policy always allows passes, every other
// one stops, and the program assembles (its jumps fit in 8 bits).
func TestSeccompFilterOfThePolicy(t *testing.T) {
	allowed := filteredAllowed(capmode.Linux().AlwaysAllowed())
	prog := seccompFilter(0xc000003e, 0x40000003, allowed)
	if _, err := bpf.Assemble(prog); err != nil {
		t.Fatal(err)
	}
	isAllowed := map[uint32]bool{}
	for _, n := range allowed {
		isAllowed[uint32(n)] = true
	}
	for nr := uint32(0); nr < 1024; nr++ {
		got := runFilter(t, prog, 0xc000003e, nr)
		if isAllowed[nr] != (got == seccompRetAllow) {
			t.Errorf("nr %d: %#x, allowed by the policy: %v", nr, got, isAllowed[nr])
		}
	}
	if len(prog) > 512 {
		t.Errorf("filter of %d instructions", len(prog))
	}
}

func TestSyscallRanges(t *testing.T) {
	got := syscallRanges([]int{5, 3, 4, 9, 9, 11, 12, -1})
	want := []syscallRange{{3, 5}, {9, 9}, {11, 12}}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

// The Capsicum shim's reserved numbers stop in both filters, the launch
// filter and capability mode's: the tracer answers them
// (rights_linux.go); without a stop they would fail with ENOSYS and the
// shim would take captrace for absent.
func TestSeccompFilterTracesTheShim(t *testing.T) {
	for name, prog := range map[string][]bpf.Instruction{"launch": launchFilter(auditArch), "capability mode": capModeFilter()} {
		for nr := uint32(shimabi.First); nr <= shimabi.Last; nr++ {
			if got := runFilter(t, prog, auditArch, nr); got != seccompRetTrace|traceNative {
				t.Errorf("%s filter, shim number %#x: %#x, want a native trace", name, nr, got)
			}
		}
	}
}
