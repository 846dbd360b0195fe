package rightsemu

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/rights"
)

// fakeMemory is a flat little address space starting at base.
type fakeMemory struct {
	base uint64
	b    []byte
}

func newMemory() *fakeMemory { return &fakeMemory{base: 0x10000, b: make([]byte, 4096)} }

func (m *fakeMemory) slice(addr uint64, n int) ([]byte, error) {
	if addr < m.base || addr+uint64(n) > m.base+uint64(len(m.b)) {
		return nil, errors.New("EFAULT")
	}
	return m.b[addr-m.base : addr-m.base+uint64(n)], nil
}

func (m *fakeMemory) ReadMemory(addr uint64, p []byte) error {
	s, err := m.slice(addr, len(p))
	if err == nil {
		copy(p, s)
	}
	return err
}

func (m *fakeMemory) WriteMemory(addr uint64, p []byte) error {
	s, err := m.slice(addr, len(p))
	if err == nil {
		copy(s, p)
	}
	return err
}

func (m *fakeMemory) ReadString(addr uint64, max int) (string, error) {
	s, err := m.slice(addr, 1)
	if err != nil {
		return "", err
	}
	rest := m.b[addr-m.base:]
	_ = s
	if i := strings.IndexByte(string(rest), 0); i >= 0 {
		return string(rest[:i]), nil
	}
	return "", errors.New("unterminated")
}

func (m *fakeMemory) put64(addr uint64, vs ...uint64) {
	for i, v := range vs {
		s, _ := m.slice(addr+8*uint64(i), 8)
		binary.LittleEndian.PutUint64(s, v)
	}
}

func TestHandleShim(t *testing.T) {
	mem := newMemory()
	tab := rights.NewTable()
	open := func(fd int) bool { return fd >= 0 && fd <= 5 }
	proc := Process{Table: tab, Mem: mem, IsOpen: open}
	call := func(op int, args ...uint64) ShimResult {
		var a [6]uint64
		copy(a[:], args)
		return HandleShim(op, a, proc, 7)
	}
	rf := rights.Of(rights.CAP_READ, rights.CAP_FSTAT, rights.CAP_IOCTL, rights.CAP_FCNTL).Words()
	notcap := -int64(shimabi.ErrnoNotCapable)
	for _, tc := range []struct {
		name string
		got  ShimResult
		want ShimResult
	}{
		{"enter", call(shimabi.OpEnter), ShimResult{Enter: true}},
		{"getmode outside", call(shimabi.OpGetMode), ShimResult{}},
		{"limit", call(shimabi.OpRightsLimit, 3, rf[0], rf[1]), ShimResult{Limited: true}},
		{"limit closed fd", call(shimabi.OpRightsLimit, 9, rf[0], rf[1]), ShimResult{Ret: -errnoEBADF}},
		{"limit invalid", call(shimabi.OpRightsLimit, 3, 0, 0), ShimResult{Ret: -errnoEINVAL}},
		{"widen", call(shimabi.OpRightsLimit, 3, rights.All().Words()[0], rights.All().Words()[1]), ShimResult{Ret: notcap}},
		{"get", call(shimabi.OpRightsGet, 3, 0x10000), ShimResult{}},
		{"get bad address", call(shimabi.OpRightsGet, 3, 0x9), ShimResult{Ret: -errnoEFAULT}},
		{"ioctls all", call(shimabi.OpIoctlsGet, 3, 0x10100, 4), ShimResult{Ret: 1<<63 - 1}},
		{"fcntls limit", call(shimabi.OpFcntlsLimit, 3, uint64(rights.CAP_FCNTL_GETFL)), ShimResult{Limited: true}},
		{"fcntls widen", call(shimabi.OpFcntlsLimit, 3, uint64(rights.CAP_FCNTL_ALL)), ShimResult{Ret: notcap}},
		{"fcntls get", call(shimabi.OpFcntlsGet, 3), ShimResult{Ret: int64(rights.CAP_FCNTL_GETFL)}},
		{"unknown op", call(15, 3), ShimResult{Ret: -errnoENOSYS}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, tc.got, tc.want)
		}
	}
	var w [2]uint64
	w[0], w[1] = binary.LittleEndian.Uint64(mem.b[0:]), binary.LittleEndian.Uint64(mem.b[8:])
	if w != rf {
		t.Errorf("cap_rights_get wrote %#x, want %#x", w, rf)
	}
	// Ioctls: limit to two, read them back; the count is the list's length
	// even when the caller's array is shorter.
	mem.put64(0x10200, 0x5401, 0x5413)
	if r := call(shimabi.OpIoctlsLimit, 3, 0x10200, 2); r != (ShimResult{Limited: true}) {
		t.Fatalf("ioctls limit: %+v", r)
	}
	if r := call(shimabi.OpIoctlsGet, 3, 0x10300, 1); r.Ret != 2 || binary.LittleEndian.Uint64(mem.b[0x300:]) != 0x5401 {
		t.Fatalf("ioctls get: %+v %#x", r, mem.b[0x300:0x310])
	}
	mem.put64(0x10200, 0x541b)
	if r := call(shimabi.OpIoctlsLimit, 3, 0x10200, 1); r.Ret != notcap {
		t.Fatalf("ioctl widening: %+v", r)
	}
	if r := call(shimabi.OpIoctlsLimit, 3, 0x10200, 257); r.Ret != -errnoEINVAL {
		t.Fatalf("too many ioctls: %+v", r)
	}
	proc.InCapMode = true
	if r := HandleShim(shimabi.OpGetMode, [6]uint64{}, proc, 0); r.Ret != 1 {
		t.Fatalf("getmode in capability mode: %+v", r)
	}
	if tab.Get(3).Origin != 7 {
		t.Fatalf("origin %d", tab.Get(3).Origin)
	}
}

func TestCheckAndApply(t *testing.T) {
	tab := rights.NewTable()
	_ = tab.LimitRights(5, rights.Of(rights.CAP_LOOKUP, rights.CAP_READ, rights.CAP_FSTAT), 1)
	escapes := func(fd int, path string) bool { return strings.HasPrefix(path, "..") }
	look := func(path string, flags uint64) []rights.Use {
		return []rights.Use{{FD: 5, Rights: rights.OpenRights(flags), Lookup: true, Path: path}}
	}
	// O_RDONLY is within the directory's rights; O_CREAT|O_WRONLY is not; ".." escapes.
	if d := Check("openat", look("data.txt", 0), tab, escapes); d != nil {
		t.Fatalf("openat O_RDONLY denied: %+v", d)
	}
	d := Check("openat", look("new.txt", 0x41), tab, escapes)
	if len(d) != 1 || d[0].Reason != "openat(2) on fd 5 needs CAP_WRITE|CAP_SEEK|CAP_CREATE; fd 5 has CAP_READ|CAP_LOOKUP|CAP_FSTAT" {
		t.Fatalf("openat O_CREAT: %+v", d)
	}
	d = Check("openat", look("../x", 0), tab, escapes)
	if len(d) != 1 || d[0].Denial != nil || d[0].Reason != `openat(2) through fd 5 must stay beneath it: fd 5 is limited (CAP_READ|CAP_LOOKUP|CAP_FSTAT) and "../x" leaves it` {
		t.Fatalf("escape: %+v", d)
	}
	// The opened file gets the directory's rights, not the flags'.
	Apply("openat", [6]uint64{5}, 6, look("data.txt", 0), tab)
	if tab.Get(6).Rights != tab.Get(5).Rights {
		t.Fatalf("openat through a limited dir: %v", tab.Get(6).Rights)
	}
	Apply("openat", [6]uint64{0xffffff9c}, 8, nil, tab)
	Apply("dup", [6]uint64{6}, 7, nil, tab)
	Apply("dup2", [6]uint64{6, 9}, 9, nil, tab)
	Apply("fcntl", [6]uint64{6, 1030}, 10, nil, tab)
	Apply("accept4", [6]uint64{5}, 11, nil, tab)
	for _, fd := range []int{7, 9, 10, 11} {
		if tab.Get(fd).Rights != tab.Get(5).Rights {
			t.Errorf("fd %d did not inherit: %v", fd, tab.Get(fd).Rights)
		}
	}
	if tab.Get(8).Limited() {
		t.Error("openat(AT_FDCWD) inherited limits")
	}
	Apply("dup2", [6]uint64{6, 9}, -9, nil, tab) // a failed call moves nothing
	Apply("close", [6]uint64{9}, -4, nil, tab)   // close releases the number even on EINTR
	Apply("close_range", [6]uint64{10, 11, 4}, 0, nil, tab)
	if tab.Get(9).Limited() || !tab.Get(10).Limited() {
		t.Error("close / close_range(CLOEXEC)")
	}
	Apply("close_range", [6]uint64{10, 11, 0}, 0, nil, tab)
	Apply("socket", [6]uint64{}, 7, nil, tab)
	if tab.Get(10).Limited() || tab.Get(11).Limited() || tab.Get(7).Limited() {
		t.Error("close_range / a new socket kept limits")
	}
}

func TestSCMRights(t *testing.T) {
	mem := newMemory()
	// msghdr at 0x10000 with control at 0x10100: one SCM_RIGHTS with fds 4, 6.
	mem.put64(0x10000, 0, 0, 0, 0, 0x10100, 24, 0)
	c, _ := mem.slice(0x10100, 24)
	binary.LittleEndian.PutUint64(c[0:], 24)
	binary.LittleEndian.PutUint32(c[8:], solSocket)
	binary.LittleEndian.PutUint32(c[12:], scmRights)
	binary.LittleEndian.PutUint32(c[16:], 4)
	binary.LittleEndian.PutUint32(c[20:], 6)
	if got := SCMRights(mem, 0x10000); !reflect.DeepEqual(got, []int{4, 6}) {
		t.Fatalf("SCMRights = %v", got)
	}
	if got := SCMRights(mem, 0x1); got != nil {
		t.Fatalf("bad address: %v", got)
	}

	var tr Transit
	sender, receiver := rights.NewTable(), rights.NewTable()
	_ = sender.LimitRights(4, rights.Of(rights.CAP_READ), 3)
	file := FileID{Dev: 1, Ino: 99}
	tr.Sent(file, sender.Get(4))
	tr.Sent(FileID{Dev: 1, Ino: 100}, sender.Get(6)) // unlimited: nothing to carry
	tr.Received(receiver, 8, file)
	tr.Received(receiver, 9, FileID{Dev: 1, Ino: 100})
	if receiver.Get(8).Rights != rights.Of(rights.CAP_READ) || receiver.Get(9).Limited() {
		t.Fatalf("received: %v / %v", receiver.Get(8).Rights, receiver.Get(9).Rights)
	}
}

func TestRecorderSuggests(t *testing.T) {
	r := NewRecorder()
	r.Enter(10, []Held{{FD: 1, Path: "pipe:[7]"}, {FD: 3, Path: "/tmp/w", Opened: 2}, {FD: 4, Path: "/tmp/w/data.txt", Opened: 3}})
	use := func(pid int, u rights.Use) { r.Use(pid, u) }
	use(10, rights.Use{FD: 1, Rights: rights.Of(rights.CAP_WRITE)})
	use(10, rights.Use{FD: 1, Rights: rights.Of(rights.CAP_FSTAT)})
	use(10, rights.Use{FD: 4, Rights: rights.Of(rights.CAP_IOCTL), Ioctl: true, IoctlCmd: 0x541b})
	use(10, rights.Use{FD: 4, Rights: rights.Of(rights.CAP_FCNTL), Fcntl: rights.CAP_FCNTL_GETFL})
	// A file opened through fd 3 after cap_enter adds its needs to fd 3.
	dirUse := rights.Use{FD: 3, Rights: rights.OpenRights(0), Lookup: true, Path: "data.txt"}
	use(10, dirUse)
	r.Apply(10, "openat", [6]uint64{3}, 5, []rights.Use{dirUse})
	use(10, rights.Use{FD: 5, Rights: rights.Of(rights.CAP_SEEK)})
	// A dup and a forked child use fd 4 through copies.
	r.Apply(10, "dup", [6]uint64{4}, 6, nil)
	r.Fork(10, 11)
	use(11, rights.Use{FD: 6, Rights: rights.Of(rights.CAP_READ)})
	r.Apply(11, "close", [6]uint64{6}, 0, nil)
	use(11, rights.Use{FD: 6, Rights: rights.Of(rights.CAP_WRITE)}) // another file now
	use(12, rights.Use{FD: 1, Rights: rights.Of(rights.CAP_READ)})  // not tracked
	// A pipe reusing fd 4's number in the child, and an exec that closed
	// fd 3: neither counts for the old roots.
	r.Forget(11, 4)
	use(11, rights.Use{FD: 4, Rights: rights.Of(rights.CAP_WRITE)})
	r.Retain(11, func(fd int) bool { return fd != 3 })
	use(11, rights.Use{FD: 3, Rights: rights.Of(rights.CAP_WRITE)})
	if !NewDescriptor("socket") || NewDescriptor("dup") {
		t.Error("NewDescriptor")
	}

	got := r.Suggestions()
	if len(got) != 3 {
		t.Fatalf("%d suggestions", len(got))
	}
	want := []struct {
		fd     int
		rights rights.Set
		ioctls []uint64
		fcntls rights.FcntlMask
	}{
		{1, rights.Of(rights.CAP_WRITE, rights.CAP_FSTAT), nil, 0},
		{3, rights.Of(rights.CAP_LOOKUP, rights.CAP_READ, rights.CAP_SEEK), nil, 0},
		{4, rights.Of(rights.CAP_READ, rights.CAP_IOCTL, rights.CAP_FCNTL), []uint64{0x541b}, rights.CAP_FCNTL_GETFL},
	}
	for i, w := range want {
		g := got[i]
		if g.FD != w.fd || g.Rights != w.rights || !reflect.DeepEqual(g.Ioctls, w.ioctls) || g.Fcntls != w.fcntls {
			t.Errorf("suggestion %d: %+v, want %+v", i, g, w)
		}
	}
	var b strings.Builder
	where := func(o rights.Origin) string {
		if o == 0 {
			return ""
		}
		return "main, prog.c:" + string(rune('0'+o))
	}
	if err := WriteC(&b, got, where); err != nil {
		t.Fatal(err)
	}
	wantC := `/* captrace --suggest-rights, process 10: paste before cap_enter(). */
{
	cap_rights_t r;

	/* fd 1: pipe:[7] (inherited) */
	cap_rights_init(&r, CAP_WRITE, CAP_FSTAT);
	caph_rights_limit(1, &r);

	/* fd 3: /tmp/w (opened at main, prog.c:2) */
	cap_rights_init(&r, CAP_READ, CAP_SEEK, CAP_LOOKUP);
	caph_rights_limit(3, &r);

	/* fd 4: /tmp/w/data.txt (opened at main, prog.c:3) */
	cap_rights_init(&r, CAP_READ, CAP_FCNTL, CAP_IOCTL);
	caph_rights_limit(4, &r);
	{
		static const cap_ioctl_t cmds[] = { 0x541b /* FIONREAD */ };
		caph_ioctls_limit(4, cmds, nitems(cmds));
	}
	caph_fcntls_limit(4, CAP_FCNTL_GETFL);
}
`
	if b.String() != wantC {
		t.Errorf("C:\n%s\nwant:\n%s", b.String(), wantC)
	}
}

func TestDeniedOriginAndExits(t *testing.T) {
	tab := rights.NewTable()
	_ = tab.LimitRights(3, rights.Of(rights.CAP_READ, rights.CAP_IOCTL, rights.CAP_FCNTL), 1)
	_ = tab.LimitIoctls(3, nil, 2)
	_ = tab.LimitFcntls(3, 0, 3)
	for _, tc := range []struct {
		use  rights.Use
		want rights.Origin
	}{
		{rights.Use{FD: 3, Rights: rights.Of(rights.CAP_WRITE)}, 1},
		{rights.Use{FD: 3, Rights: rights.Of(rights.CAP_IOCTL), Ioctl: true, IoctlCmd: 0x5401}, 2},
		{rights.Use{FD: 3, Rights: rights.Of(rights.CAP_FCNTL), Fcntl: rights.CAP_FCNTL_SETFL}, 3},
	} {
		d := Check("x", []rights.Use{tc.use}, tab, nil)
		if len(d) != 1 || d[0].Origin() != tc.want {
			t.Errorf("%+v: %+v, want origin %d", tc.use, d, tc.want)
		}
	}
	for _, tc := range []struct {
		call string
		args [6]uint64
		uses []rights.Use
		want bool
	}{
		{"dup", [6]uint64{3}, nil, true},
		{"accept4", [6]uint64{3}, nil, true},
		{"recvmsg", [6]uint64{3}, nil, true},
		{"fcntl", [6]uint64{3, 0}, nil, true},
		{"fcntl", [6]uint64{3, 3}, nil, false},
		{"openat", [6]uint64{3}, []rights.Use{{FD: 3, Lookup: true}}, true},
		{"openat", [6]uint64{0xffffff9c}, nil, false},
		{"read", [6]uint64{3}, nil, false},
	} {
		if got := NeedsExit(tc.call, tc.args, tc.uses); got != tc.want {
			t.Errorf("NeedsExit(%s, %v) = %v", tc.call, tc.args[:2], got)
		}
	}
	calls := map[string]bool{}
	for _, c := range TrackedCalls() {
		calls[c] = true
	}
	for _, c := range []string{"read", "write", "close", "dup2", "close_range", "openat", "sendmsg", "recvmsg"} {
		if !calls[c] {
			t.Errorf("TrackedCalls lacks %s", c)
		}
	}
}
