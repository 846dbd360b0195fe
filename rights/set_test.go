package rights

import "testing"

func TestRightValuesMatchCapsicumH(t *testing.T) {
	// A sample spelled out from sys/sys/capsicum.h by hand; the FreeBSD
	// test compares every value with golang.org/x/sys/unix.
	for _, tc := range []struct {
		r    Right
		want uint64
	}{
		{CAP_READ, 0x200000000000001},
		{CAP_SEEK, 0x20000000000000c},
		{CAP_MMAP_RWX, 0x20000000000003f},
		{CAP_LOOKUP, 0x200000000000400},
		{CAP_FSTATAT, 0x200000000080400},
		{CAP_RENAMEAT_TARGET, 0x200040000000400},
		{CAP_SOCK_SERVER, 0x200007f60000003},
		{CAP_ALL0, 0x20007ffffffffff},
		{CAP_EVENT, 0x400000000000020},
		{CAP_IOCTL, 0x400000000000080},
		{CAP_KQUEUE, 0x400000000100040},
		{CAP_ALL1, 0x4000000001fffff},
	} {
		if uint64(tc.r) != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.r, uint64(tc.r), tc.want)
		}
	}
	if CAP_FCNTL_ALL != 0x78 {
		t.Errorf("CAP_FCNTL_ALL = %#x", CAP_FCNTL_ALL)
	}
}

func TestSetString(t *testing.T) {
	for _, tc := range []struct {
		set  Set
		want string
	}{
		{Of(CAP_READ, CAP_FSTAT), "CAP_READ|CAP_FSTAT"},
		{Of(CAP_FSTAT, CAP_READ), "CAP_READ|CAP_FSTAT"},
		{Of(CAP_PREAD), "CAP_READ|CAP_SEEK"},
		{Of(CAP_SEEK_TELL), "CAP_SEEK_TELL"},
		{Of(CAP_MKDIRAT), "CAP_MKDIRAT"},
		{Of(CAP_MKDIRAT, CAP_LOOKUP), "CAP_MKDIRAT"},
		{Of(CAP_FSTATAT), "CAP_LOOKUP|CAP_FSTAT"},
		{Of(CAP_MMAP_RX), "CAP_READ|CAP_MMAP_X"},
		{Of(CAP_RECV, CAP_SEND), "CAP_READ|CAP_WRITE"},
		{Of(CAP_EVENT, CAP_IOCTL, CAP_FCNTL), "CAP_FCNTL|CAP_EVENT|CAP_IOCTL"},
		{Of(CAP_KQUEUE), "CAP_KQUEUE_EVENT|CAP_KQUEUE_CHANGE"},
		{Of(CAP_MKDIRAT, CAP_FSTAT).Remove(Of(CAP_LOOKUP)), "CAP_FSTAT|CAP_MKDIRAT"},
		{Set{}, "no rights"},
		{All(), "all rights"},
	} {
		if got := tc.set.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		back, err := Parse(tc.set.String())
		if err != nil || back.Remove(Of(CAP_LOOKUP)) != tc.set.Remove(Of(CAP_LOOKUP)) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.set.String(), back, err, tc.set)
		}
	}
}

func TestEveryRightSpellsBackToItself(t *testing.T) {
	for _, d := range Definitions() {
		if !d.Right.Valid() {
			continue // the CAP_UNUSED markers
		}
		s := Of(d.Right)
		back, err := Parse(s.String())
		if err != nil || back != s {
			t.Errorf("%s: %q parses back as %v, %v", d.Name, s.String(), back, err)
		}
	}
	if _, err := Parse("CAP_READ|CAP_BOGUS"); err == nil {
		t.Error("Parse accepted CAP_BOGUS")
	}
}

func TestSetAlgebra(t *testing.T) {
	rw := Of(CAP_READ, CAP_WRITE)
	for _, tc := range []struct {
		name string
		got  bool
	}{
		{"rw contains read", rw.Contains(Of(CAP_READ))},
		{"read does not contain rw", !Of(CAP_READ).Contains(rw)},
		{"all contains everything", All().Contains(Of(CAP_PDKILL, CAP_MMAP_RWX))},
		{"union", rw.Union(Of(CAP_IOCTL)).Has(CAP_IOCTL) && rw.Union(Of(CAP_IOCTL)).Has(CAP_READ)},
		{"remove", rw.Remove(Of(CAP_WRITE)) == Of(CAP_READ)},
		{"seek does not have pread", !Of(CAP_SEEK).Has(CAP_PREAD)},
		{"pread has seek", Of(CAP_PREAD).Has(CAP_SEEK)},
		{"index 1 is apart from index 0", !Of(CAP_READ).Has(CAP_MAC_GET)},
		{"empty", Set{}.IsEmpty() && !rw.IsEmpty()},
	} {
		if !tc.got {
			t.Error(tc.name)
		}
	}
}

func TestWords(t *testing.T) {
	// CAP_NONE and CAP_ALL (sys/sys/capsicum.h) as cr_rights words.
	if got := (Set{}).Words(); got != [2]uint64{0x200000000000000, 0x400000000000000} {
		t.Errorf("empty words %#x", got)
	}
	if got := All().Words(); got != [2]uint64{uint64(CAP_ALL0), uint64(CAP_ALL1)} {
		t.Errorf("all words %#x", got)
	}
	rf := Of(CAP_READ, CAP_FSTAT, CAP_EVENT)
	back, err := FromWords(rf.Words())
	if err != nil || back != rf {
		t.Errorf("FromWords(Words) = %v, %v", back, err)
	}
	for _, bad := range [][2]uint64{
		{0, 0},                                         // no index bits
		{0x400000000000000, 0x200000000000000},         // indexes swapped
		{0x4200000000000000, 0x400000000000000},        // version 1
		{0x200000000000000 | 1<<50, 0x400000000000000}, // unassigned bit
	} {
		if _, err := FromWords(bad); err == nil {
			t.Errorf("FromWords(%#x) accepted", bad)
		}
	}
}

func TestRightValid(t *testing.T) {
	for _, d := range Definitions() {
		want := d.Name != "CAP_UNUSED0_44" && d.Name != "CAP_UNUSED0_57" && d.Name != "CAP_UNUSED1_22" && d.Name != "CAP_UNUSED1_57"
		if d.Right.Valid() != want {
			t.Errorf("%s.Valid() = %v", d.Name, !want)
		}
	}
}

func TestFcntlMaskString(t *testing.T) {
	if got := (CAP_FCNTL_GETFL | CAP_FCNTL_SETOWN).String(); got != "CAP_FCNTL_GETFL|CAP_FCNTL_SETOWN" {
		t.Errorf("got %q", got)
	}
	if got := FcntlMask(0).String(); got != "0" {
		t.Errorf("got %q", got)
	}
}
