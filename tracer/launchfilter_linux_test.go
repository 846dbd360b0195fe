package tracer

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/internal/shimabi"
)

// Every number the launch filter can see, through the BPF VM: only the
// shim's numbers, clone3, and clone with CLONE_UNTRACED stop.
func TestLaunchFilter(t *testing.T) {
	const arch = unix.AUDIT_ARCH_X86_64
	prog := launchFilter(arch)
	if _, err := bpf.Assemble(prog); err != nil {
		t.Fatal(err)
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	run := func(arch, nr, arg0 uint32) uint32 {
		data := make([]byte, 64)
		// x/net/bpf's VM loads words big-endian; the kernel reads the same
		// fields in native order.
		binary.BigEndian.PutUint32(data[seccompDataNr:], nr)
		binary.BigEndian.PutUint32(data[seccompDataArch:], arch)
		binary.BigEndian.PutUint32(data[seccompDataArg0Low:], arg0)
		ret, err := vm.Run(data)
		if err != nil {
			t.Fatal(err)
		}
		return uint32(ret)
	}
	trace := uint32(seccompRetTrace | traceNative)
	nrs := []uint32{shimabi.First - 1, shimabi.Last + 1, x32SyscallBit | unix.SYS_OPENAT}
	for nr := uint32(0); nr < 1024; nr++ {
		nrs = append(nrs, nr)
	}
	for nr := uint32(shimabi.First); nr <= shimabi.Last; nr++ {
		nrs = append(nrs, nr)
	}
	for _, nr := range nrs {
		for _, arg0 := range []uint32{0, unix.CLONE_UNTRACED, unix.CLONE_VM | unix.CLONE_VFORK | uint32(unix.SIGCHLD)} {
			want := uint32(seccompRetAllow)
			switch {
			case shimabi.IsReserved(int(nr)), nr == unix.SYS_CLONE3:
				want = trace
			case nr == unix.SYS_CLONE && arg0&unix.CLONE_UNTRACED != 0:
				want = trace
			}
			if got := run(arch, nr, arg0); got != want {
				t.Errorf("nr %#x arg0 %#x: %#x, want %#x", nr, arg0, got, want)
			}
		}
	}
	// Before the enter point nothing of another ABI needs a stop.
	if got := run(unix.AUDIT_ARCH_I386, shimabi.First, 0); got != seccompRetAllow {
		t.Errorf("i386: %#x, want allow", got)
	}
}
