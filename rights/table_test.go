package rights

import (
	"errors"
	"testing"
)

func TestLimitsOnlyNarrow(t *testing.T) {
	tab := NewTable()
	if tab.EverLimited() {
		t.Fatal("a new table is limited")
	}
	if err := tab.LimitRights(3, Of(CAP_READ, CAP_FSTAT, CAP_IOCTL, CAP_FCNTL), 1); err != nil {
		t.Fatal(err)
	}
	if !tab.EverLimited() {
		t.Fatal("not limited after a limit")
	}
	// Widening fails and changes nothing (kern_cap_rights_limit).
	if err := tab.LimitRights(3, Of(CAP_READ, CAP_WRITE), 2); !errors.Is(err, ErrNotCapable) {
		t.Fatalf("widening: %v", err)
	}
	if got := tab.Get(3); got.Rights != Of(CAP_READ, CAP_FSTAT, CAP_IOCTL, CAP_FCNTL) || got.Origin != 1 || got.IoctlsOrigin != 0 {
		t.Fatalf("after a failed widening: %+v", got)
	}
	// Ioctls narrow too; a command not in the list cannot come back.
	if err := tab.LimitIoctls(3, []uint64{0x5401, 0x5413}, 3); err != nil {
		t.Fatal(err)
	}
	if err := tab.LimitIoctls(3, []uint64{0x5401, 0x541b}, 4); !errors.Is(err, ErrNotCapable) {
		t.Fatalf("ioctl widening: %v", err)
	}
	if err := tab.LimitIoctls(3, make([]uint64, MaxIoctls+1), 4); !errors.Is(err, ErrInvalid) {
		t.Fatalf("too many ioctls: %v", err)
	}
	// Fcntls: only CAP_FCNTL_* bits, only narrower.
	if err := tab.LimitFcntls(3, CAP_FCNTL_GETFL, 5); err != nil {
		t.Fatal(err)
	}
	if err := tab.LimitFcntls(3, CAP_FCNTL_GETFL|CAP_FCNTL_SETFL, 6); !errors.Is(err, ErrNotCapable) {
		t.Fatalf("fcntl widening: %v", err)
	}
	if err := tab.LimitFcntls(4, 1, 6); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown fcntl bit: %v", err)
	}
	// Dropping CAP_IOCTL and CAP_FCNTL empties their limits.
	if err := tab.LimitRights(3, Of(CAP_READ), 7); err != nil {
		t.Fatal(err)
	}
	got := tab.Get(3)
	if !got.IoctlsLimited || len(got.Ioctls) != 0 || got.Fcntls != 0 || got.IoctlsOrigin != 7 || got.FcntlsOrigin != 7 {
		t.Fatalf("after dropping CAP_IOCTL|CAP_FCNTL: %+v", got)
	}
	// An untouched descriptor has everything.
	if tab.Get(4).Limited() {
		t.Fatal("fd 4 limited")
	}
}

func TestLimitsMoveWithDescriptors(t *testing.T) {
	tab := NewTable()
	_ = tab.LimitRights(3, Of(CAP_READ, CAP_LOOKUP), 1)
	tab.Dup(3, 7)
	if tab.Get(7).Rights != Of(CAP_READ, CAP_LOOKUP) {
		t.Fatal("dup did not copy")
	}
	child := tab.Fork()
	_ = child.LimitRights(7, Of(CAP_LOOKUP), 2)
	if tab.Get(7).Rights != Of(CAP_READ, CAP_LOOKUP) {
		t.Fatal("the child's limit reached the parent")
	}
	// openat through a limited directory: the directory's rights, not the flags'.
	tab.OpenedThrough(3, 8)
	if tab.Get(8).Rights != Of(CAP_READ, CAP_LOOKUP) {
		t.Fatalf("openat through a limited dir: %v", tab.Get(8).Rights)
	}
	// dup2 over a limited descriptor with an unlimited one.
	tab.Dup(5, 8)
	if tab.Get(8).Limited() {
		t.Fatal("dup2 of an unlimited fd kept the old limits")
	}
	tab.OpenedThrough(5, 9)
	if tab.Get(9).Limited() {
		t.Fatal("openat through an unlimited dir is limited")
	}
	tab.Close(3)
	if tab.Get(3).Limited() {
		t.Fatal("close kept the limits")
	}
	tab.Install(10, Limits{Rights: Of(CAP_WRITE), Fcntls: CAP_FCNTL_ALL})
	tab.CloseRange(9, 20)
	if tab.Get(10).Limited() {
		t.Fatal("close_range kept the limits")
	}
	tab.Install(11, Limits{Rights: Of(CAP_WRITE)})
	tab.Retain(func(fd int) bool { return fd != 11 })
	if tab.Get(11).Limited() || !tab.Get(7).Limited() {
		t.Fatal("Retain")
	}
}

func TestCheck(t *testing.T) {
	tab := NewTable()
	_ = tab.LimitRights(3, Of(CAP_READ, CAP_FSTAT), 1)
	_ = tab.LimitRights(1, Of(CAP_WRITE, CAP_IOCTL, CAP_FCNTL, CAP_FSTAT), 2)
	_ = tab.LimitIoctls(1, []uint64{0x5413}, 2)
	_ = tab.LimitFcntls(1, CAP_FCNTL_GETFL, 2)
	_ = tab.LimitRights(3, Of(CAP_READ, CAP_FSTAT), 1)
	for _, tc := range []struct {
		call   string
		use    Use
		reason string // "" when allowed
	}{
		{"read", Use{FD: 3, Rights: Of(CAP_READ)}, ""},
		{"write", Use{FD: 3, Rights: Of(CAP_WRITE)}, "write(2) on fd 3 needs CAP_WRITE; fd 3 has CAP_READ|CAP_FSTAT"},
		{"pread64", Use{FD: 3, Rights: Of(CAP_PREAD)}, "pread64(2) on fd 3 needs CAP_SEEK; fd 3 has CAP_READ|CAP_FSTAT"},
		{"write", Use{FD: 4, Rights: Of(CAP_WRITE)}, ""},
		{"ioctl", Use{FD: 1, Rights: Of(CAP_IOCTL), Ioctl: true, IoctlCmd: 0x5413}, ""},
		{"ioctl", Use{FD: 1, Rights: Of(CAP_IOCTL), Ioctl: true, IoctlCmd: 0x5401}, "ioctl(2) on fd 1 needs ioctl command 0x5401 in its ioctl limit; fd 1 allows 0x5413"},
		{"ioctl", Use{FD: 3, Rights: Of(CAP_IOCTL), Ioctl: true, IoctlCmd: 0x5401}, "ioctl(2) on fd 3 needs CAP_IOCTL; fd 3 has CAP_READ|CAP_FSTAT"},
		{"fcntl", Use{FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_GETFL}, ""},
		{"fcntl", Use{FD: 1, Rights: Of(CAP_FCNTL), Fcntl: CAP_FCNTL_SETFL}, "fcntl(2) on fd 1 needs CAP_FCNTL_SETFL in its fcntl limit; fd 1 allows CAP_FCNTL_GETFL"},
	} {
		d := tab.Check(tc.use)
		got := ""
		if d != nil {
			got = d.Reason(tc.call)
			// Each part of the limits names the call that set it.
			if want := map[bool]Origin{true: 2, false: 1}[tc.use.FD == 1]; d.OriginOf() != want {
				t.Errorf("%s on %d: origin %d, want %d", tc.call, tc.use.FD, d.OriginOf(), want)
			}
		}
		if got != tc.reason {
			t.Errorf("%s on %d: %q, want %q", tc.call, tc.use.FD, got, tc.reason)
		}
	}
}
