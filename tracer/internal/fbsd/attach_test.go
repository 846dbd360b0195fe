package fbsd

import (
	"testing"

	"github.com/captrace/captrace/capmode"
)

// How an attached process is traced follows from ki_cr_flags alone.
func TestAttachModeOf(t *testing.T) {
	for _, c := range []struct {
		crFlags uint32
		mode    AttachMode
		traps   bool
		mask    int // with nothing owed
	}{
		{0, AttachEmulate, false, PTRACE_EXEC | PTRACE_FORK | PTRACE_LWP | PTRACE_SCE},
		{0x80000000, AttachEmulate, false, PTRACE_EXEC | PTRACE_FORK | PTRACE_LWP | PTRACE_SCE},
		{KI_CRF_CAPABILITY_MODE, AttachObserve, true, PTRACE_EXEC | PTRACE_FORK | PTRACE_LWP},
	} {
		k, err := DecodeKinfoProc(kinfoProcBytes(SizeofKinfoProc, 7, 0, c.crFlags))
		if err != nil {
			t.Fatal(err)
		}
		m := AttachModeOf(k)
		if m != c.mode || m.TrapsCapabilityErrors() != c.traps || AttachEventMask(m, false) != c.mask {
			t.Errorf("ki_cr_flags %#x: %v traps %v mask %#x, want %v %v %#x", c.crFlags, m, m.TrapsCapabilityErrors(), AttachEventMask(m, false), c.mode, c.traps, c.mask)
		}
		if AttachEventMask(m, true) != c.mask|PTRACE_SCX {
			t.Errorf("%v with a denied call owed: mask %#x, want the exit stop too", m, AttachEventMask(m, true))
		}
	}
}

func TestAttachEntryAction(t *testing.T) {
	const openat, read = 499, 3
	for _, c := range []struct {
		enforce   bool
		nr        int
		violation bool
		want      AttachEntry
	}{
		{false, read, false, AttachRun},
		{true, read, false, AttachRun},
		{false, openat, true, AttachReport},
		{true, openat, true, AttachDeny},
		{false, SYS_cap_enter, false, AttachCapEnter},
		{true, SYS_cap_enter, false, AttachCapEnter},
		{false, SYS_cap_getmode, false, AttachGetmode},
		{true, SYS_cap_getmode, false, AttachGetmode},
	} {
		if got := AttachEntryAction(c.enforce, c.nr, c.violation); got != c.want {
			t.Errorf("enforce %v nr %d violation %v: %d, want %d", c.enforce, c.nr, c.violation, got, c.want)
		}
	}
}

// A denied call: swapped at its entry, failed at its exit with the
// kernel's errno for the same refusal, as cpu_set_syscall_retval() fails
// a call. The exit stop is asked for only while something is owed.
func TestOwedDenial(t *testing.T) {
	var o Owed
	if o.Pending() {
		t.Fatal("nothing denied yet")
	}
	o.Deny(101, DeniedErrno(capmode.CapMode))
	o.Deny(102, DeniedErrno(capmode.NotCapable))
	if _, ok := o.Settle(103); ok {
		t.Error("thread 103 was owed nothing")
	}
	if errno, ok := o.Settle(102); !ok || errno != ENOTCAPABLE {
		t.Errorf("thread 102: %d %v, want ENOTCAPABLE", errno, ok)
	}
	if !o.Pending() || AttachEventMask(AttachEmulate, o.Pending())&PTRACE_SCX == 0 {
		t.Error("thread 101 still waits: the exit stop must stay in the mask")
	}
	errno, ok := o.Settle(101)
	if !ok || errno != ECAPMODE {
		t.Errorf("thread 101: %d %v, want ECAPMODE", errno, ok)
	}
	if o.Pending() || AttachEventMask(AttachEmulate, o.Pending())&PTRACE_SCX != 0 {
		t.Error("nothing owed: no exit stops")
	}

	const rflagsAfterSuccess = 0x202 // IF and the reserved bit, carry clear
	rax, flags := ErrorReturn(rflagsAfterSuccess, ECAPMODE)
	if rax != 94 || flags != 0x203 {
		t.Errorf("error return rax %d rflags %#x, want 94 and the carry flag added", rax, flags)
	}
}
