package fbsd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// The byte layouts below are written field by field from the C structs in
// sys/sys/signal.h and sys/sys/ptrace.h (LP64), not from the Go decoders.

type cSiginfo struct {
	signo, errno, code, pid int32
	uid                     uint32
	status                  int32
	addr                    uint64
	value                   uint64
	syscall                 int32 // _reason._capsicum._syscall
}

func (s cSiginfo) bytes() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	w(s.signo)
	w(s.errno)
	w(s.code)
	w(s.pid)
	w(s.uid)
	w(s.status)
	w(s.addr)  // void *si_addr
	w(s.value) // union sigval
	w(s.syscall)
	w([36]byte{}) // rest of the 40-byte _reason union
	return b.Bytes()
}

type cLwpinfo struct {
	lwpid, event, flags int32
	sigmask, siglist    [4]uint32
	siginfo             cSiginfo
	tdname              string
	childPid            int32
	code, narg          uint32
}

func (l cLwpinfo) bytes() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	w(l.lwpid)
	w(l.event)
	w(l.flags)
	w(l.sigmask)
	w(l.siglist)
	w(uint32(0)) // padding: struct __siginfo is 8-aligned (holds a pointer)
	b.Write(l.siginfo.bytes())
	var name [20]byte // MAXCOMLEN + 1
	copy(name[:], l.tdname)
	w(name)
	w(l.childPid)
	w(l.code)
	w(l.narg)
	return b.Bytes()
}

type cVMEntry struct {
	entry, timestamp   int32
	start, end, offset uint64
	prot, pathlen      uint32
	fileid             int64
	fsid               uint32
	path               uint64 // char *
}

func (e cVMEntry) bytes() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	w(e.entry)
	w(e.timestamp)
	w(e.start)
	w(e.end)
	w(e.offset)
	w(e.prot)
	w(e.pathlen)
	w(e.fileid)
	w(e.fsid)
	w(uint32(0)) // padding before the pointer
	w(e.path)
	return b.Bytes()
}

func TestSiginfoLayout(t *testing.T) {
	b := cSiginfo{}.bytes()
	if len(b) != SizeofSiginfo {
		t.Fatalf("siginfo_t is %d bytes, decoder expects %d", len(b), SizeofSiginfo)
	}
}

func TestDecodeSiginfoTrapCap(t *testing.T) {
	raw := cSiginfo{signo: 5, errno: 94, code: 4, pid: 4242, addr: 0x401234, syscall: 499}.bytes()
	// si_syscall sits at byte 40, where x/sys/unix has only padding.
	if got := binary.LittleEndian.Uint32(raw[40:]); got != 499 {
		t.Fatalf("test layout: si_syscall at 40 = %d", got)
	}
	si, err := DecodeSiginfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := Siginfo{Signo: 5, Errno: 94, Code: 4, Pid: 4242, Addr: 0x401234, Syscall: 499}
	if si != want {
		t.Errorf("got %+v, want %+v", si, want)
	}
	if _, err := DecodeSiginfo(raw[:79]); err == nil {
		t.Error("short siginfo decoded without error")
	}
}

func TestLwpinfoLayout(t *testing.T) {
	b := cLwpinfo{}.bytes()
	if len(b) != SizeofLwpinfo {
		t.Fatalf("struct ptrace_lwpinfo is %d bytes, decoder expects %d", len(b), SizeofLwpinfo)
	}
}

func TestDecodeLwpInfo(t *testing.T) {
	raw := cLwpinfo{
		lwpid: 100123, event: PL_EVENT_SIGNAL, flags: PL_FLAG_SI,
		sigmask: [4]uint32{1, 2, 3, 4}, siglist: [4]uint32{5, 6, 7, 8},
		siginfo:  cSiginfo{signo: 5, errno: 93, code: 4, syscall: 499},
		tdname:   "victim",
		childPid: 0, code: 0, narg: 0,
	}.bytes()
	l, err := DecodeLwpInfo(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := LwpInfo{
		Lwpid: 100123, Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SI,
		Siginfo: Siginfo{Signo: 5, Errno: 93, Code: 4, Syscall: 499},
		TdName:  "victim",
	}
	if l != want {
		t.Errorf("got %+v\nwant %+v", l, want)
	}

	raw = cLwpinfo{lwpid: 100200, flags: PL_FLAG_SCE, code: 499, narg: 4, tdname: "a-nineteen-char-nam"}.bytes()
	l, _ = DecodeLwpInfo(raw)
	if l.SyscallCode != 499 || l.SyscallNarg != 4 || l.TdName != "a-nineteen-char-nam" {
		t.Errorf("syscall entry: got %+v", l)
	}
	raw = cLwpinfo{flags: PL_FLAG_FORKED | PL_FLAG_SCX, childPid: 777}.bytes()
	if l, _ = DecodeLwpInfo(raw); l.ChildPid != 777 {
		t.Errorf("fork: child pid %d, want 777", l.ChildPid)
	}
	if _, err := DecodeLwpInfo(raw[:100]); err == nil {
		t.Error("short ptrace_lwpinfo decoded without error")
	}
}

func TestClassify(t *testing.T) {
	si := func(signo, code int32) Siginfo { return Siginfo{Signo: signo, Code: code} }
	tests := []struct {
		name string
		l    LwpInfo
		want Stop
	}{
		{"TRAP_CAP stop: SIGTRAP, si_code 4, no syscall flags",
			LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SI, Siginfo: Siginfo{Signo: 5, Code: 4, Errno: 94, Syscall: 5}}, StopTrapCap},
		{"breakpoint", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SI, Siginfo: si(5, TRAP_BRKPT)}, StopBreak},
		{"a SIGINT for the program", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SI, Siginfo: si(2, 0x10001)}, StopSignal},
		{"a signal without siginfo", LwpInfo{Event: PL_EVENT_SIGNAL}, StopSignal},
		{"syscall entry", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SCE, SyscallCode: 5}, StopSCE},
		{"syscall exit", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_SCX}, StopSCX},
		{"exec is reported at the execve's exit", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_EXEC | PL_FLAG_SCX}, StopExec},
		{"parent side of fork", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_FORKED | PL_FLAG_SCX, ChildPid: 9}, StopForked},
		{"parent side of vfork", LwpInfo{Flags: PL_FLAG_FORKED | PL_FLAG_VFORKED | PL_FLAG_SCX}, StopForked},
		{"child's first stop", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_CHILD | PL_FLAG_SCX | PL_FLAG_SI, Siginfo: si(17, 0)}, StopChild},
		{"new thread", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_BORN | PL_FLAG_SCX}, StopBorn},
		{"exiting thread", LwpInfo{Event: PL_EVENT_SIGNAL, Flags: PL_FLAG_EXITED}, StopExited},
		{"vfork done", LwpInfo{Flags: PL_FLAG_VFORK_DONE}, StopOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.l); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCallFromRegs(t *testing.T) {
	regs := [6]uint64{1, 2, 3, 4, 5, 6}
	tests := []struct {
		name string
		nr   int
		regs [6]uint64
		want capmode.Call
	}{
		{"direct openat", 499, regs, capmode.Call{Nr: 499, Args: regs}},
		{"syscall(2): number in rdi, arguments shift", SYS_syscall, [6]uint64{499, 0xffffff9c, 0x1000, 0, 0, 0},
			capmode.Call{Nr: 499, Args: [6]uint64{0xffffff9c, 0x1000, 0, 0, 0, 0}}},
		{"__syscall(2): 64-bit number", SYS___syscall, [6]uint64{37, 1, 0, 0, 0, 0},
			capmode.Call{Nr: 37, Args: [6]uint64{1, 0, 0, 0, 0, 0}}},
	}
	for _, tt := range tests {
		if got := CallFromRegs(tt.nr, tt.regs); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestScArgs(t *testing.T) {
	var b bytes.Buffer
	for _, v := range []uint64{0xffffff9c, 0x7fffffffe000, 0x200, 0o644, 99, 98, 97, 96} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	args := DecodeScArgs(b.Bytes(), 4)
	if want := []uint64{0xffffff9c, 0x7fffffffe000, 0x200, 0o644}; !reflect.DeepEqual(args, want) {
		t.Errorf("got %#x, want %#x", args, want)
	}
	c := CallFromScArgs(499, args)
	if c.Nr != 499 || c.Args[3] != 0o644 || c.Args[4] != 0 {
		t.Errorf("call: %+v", c)
	}
	if got := DecodeScArgs(b.Bytes(), 200); len(got) != MaxSyscallArgs {
		t.Errorf("narg beyond td_sa.args: %d words", len(got))
	}
}

func TestVMEntryStructLayout(t *testing.T) {
	var e PtraceVMEntry
	offsets := []struct {
		name      string
		got, want uintptr
	}{
		{"pve_entry", unsafe.Offsetof(e.Entry), VMEntryEntry},
		{"pve_timestamp", unsafe.Offsetof(e.Timestamp), VMEntryTimestamp},
		{"pve_start", unsafe.Offsetof(e.Start), VMEntryStart},
		{"pve_end", unsafe.Offsetof(e.End), VMEntryEnd},
		{"pve_offset", unsafe.Offsetof(e.Offset), VMEntryOffset},
		{"pve_prot", unsafe.Offsetof(e.Prot), VMEntryProt},
		{"pve_pathlen", unsafe.Offsetof(e.Pathlen), VMEntryPathlen},
		{"pve_fileid", unsafe.Offsetof(e.Fileid), VMEntryFileid},
		{"pve_fsid", unsafe.Offsetof(e.Fsid), VMEntryFsid},
		{"pve_path", unsafe.Offsetof(e.Path), VMEntryPath},
		{"sizeof", unsafe.Sizeof(e), SizeofVMEntry},
	}
	for _, o := range offsets {
		if o.got != o.want {
			t.Errorf("%s at %d, C puts it at %d", o.name, o.got, o.want)
		}
	}
	// The Go struct's bytes, as the kernel writes them, are the C layout.
	e = PtraceVMEntry{Entry: 3, Timestamp: 7, Start: 0x1000, End: 0x1fff, Offset: 0x2000, Prot: 5, Pathlen: 9, Fileid: 42, Fsid: 0xabcd}
	goBytes := unsafe.Slice((*byte)(unsafe.Pointer(&e)), unsafe.Sizeof(e))
	cBytes := cVMEntry{entry: 3, timestamp: 7, start: 0x1000, end: 0x1fff, offset: 0x2000, prot: 5, pathlen: 9, fileid: 42, fsid: 0xabcd}.bytes()
	if !bytes.Equal(goBytes, cBytes) {
		t.Errorf("Go struct bytes\n%x\nC layout\n%x", goBytes, cBytes)
	}
}

func TestScRemoteStructLayout(t *testing.T) {
	// struct ptrace_sc_remote { struct ptrace_sc_ret pscr_ret; u_int
	// pscr_syscall; u_int pscr_nargs; syscallarg_t *pscr_args; }, where
	// ptrace_sc_ret is { syscallarg_t sr_retval[2]; int sr_error; } (24 bytes).
	var r PtraceScRemote
	if unsafe.Sizeof(r.Ret) != 24 || unsafe.Offsetof(r.Syscall) != 24 ||
		unsafe.Offsetof(r.Nargs) != 28 || unsafe.Offsetof(r.Args) != 32 || unsafe.Sizeof(r) != 40 {
		t.Errorf("ptrace_sc_remote layout: ret %d, syscall@%d, nargs@%d, args@%d, size %d",
			unsafe.Sizeof(r.Ret), unsafe.Offsetof(r.Syscall), unsafe.Offsetof(r.Nargs), unsafe.Offsetof(r.Args), unsafe.Sizeof(r))
	}
	if unsafe.Offsetof(r.Ret.Error) != 16 {
		t.Errorf("sr_error at %d, want 16", unsafe.Offsetof(r.Ret.Error))
	}
}

func TestDecodeVMEntries(t *testing.T) {
	path := func(s string) []byte { b := make([]byte, 1024); copy(b, s); return b }
	tests := []struct {
		name string
		raw  cVMEntry
		path []byte
		want VMEntry
	}{
		{"text of the program: pve_end is inclusive",
			cVMEntry{entry: 1, start: 0x200000, end: 0x200fff, offset: 0, prot: 5, pathlen: 14, fileid: 1234, fsid: 77},
			path("/usr/bin/prog"),
			VMEntry{Start: 0x200000, End: 0x201000, Offset: 0, Prot: 5, Fileid: 1234, Fsid: 77, Path: "/usr/bin/prog"}},
		{"anonymous memory has pathlen 0",
			cVMEntry{entry: 2, start: 0x800000, end: 0x80ffff, prot: 3, pathlen: 0},
			path("stale-bytes"),
			VMEntry{Start: 0x800000, End: 0x810000, Prot: 3}},
		{"libc data mapped at an offset",
			cVMEntry{entry: 9, start: 0x8010000, end: 0x8011fff, offset: 0x1d0000, prot: 3, pathlen: 17, fileid: 5, fsid: 1},
			path("/lib/libc.so.7"),
			VMEntry{Start: 0x8010000, End: 0x8012000, Offset: 0x1d0000, Prot: 3, Fileid: 5, Fsid: 1, Path: "/lib/libc.so.7"}},
	}
	for _, tt := range tests {
		got, err := DecodeVMEntry(tt.raw.bytes(), tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	if _, err := DecodeVMEntry(make([]byte, 63), nil); err == nil {
		t.Error("short ptrace_vm_entry decoded without error")
	}
}

func TestMappingsFromVMEntries(t *testing.T) {
	es := []VMEntry{
		{Start: 0x200000, End: 0x201000, Prot: VM_PROT_READ, Path: "/usr/bin/prog", Fileid: 10, Fsid: 2},
		{Start: 0x201000, End: 0x203000, Offset: 0x1000, Prot: VM_PROT_READ | VM_PROT_EXECUTE, Path: "/usr/bin/prog", Fileid: 10, Fsid: 2},
		{Start: 0x800000, End: 0x810000, Prot: VM_PROT_READ | VM_PROT_WRITE},
	}
	want := []symbolize.Mapping{
		{Start: 0x200000, End: 0x201000, Perm: "r--p", Path: "/usr/bin/prog", Inode: 10, Dev: 2},
		{Start: 0x201000, End: 0x203000, Offset: 0x1000, Perm: "r-xp", Path: "/usr/bin/prog", Inode: 10, Dev: 2},
		{Start: 0x800000, End: 0x810000, Perm: "rw-p"},
	}
	got := Mappings(es)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	mm := symbolize.NewModuleMap(got)
	if m := mm.Find(0x201234); m == nil || m.Path != "/usr/bin/prog" {
		t.Errorf("PC in the program's text: module %+v", m)
	}
	if m := mm.Find(0x200100); m != nil {
		t.Errorf("PC in a non-executable mapping resolved to %s", m.Path)
	}
}

// fakePolicy stands in for capmode.FreeBSD(): openat (499) with AT_FDCWD is
// ECAPMODE, with an absolute path under a descriptor ENOTCAPABLE, and kill
// (37) of another process ECAPMODE.
type fakePolicy struct{}

const atFDCWD = 0xffffff9c // AT_FDCWD (-100) as the kernel sees the int

func (fakePolicy) Check(c capmode.Call, tr capmode.Tracee) capmode.Verdict {
	switch c.Nr {
	case 499:
		if c.Args[0] == atFDCWD {
			return capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindGlobalNamespace, Reason: "AT_FDCWD", Hint: "openat(dirfd)"}
		}
		p, _ := tr.ReadString(c.Args[1], 64)
		if len(p) > 0 && p[0] == '/' {
			return capmode.Verdict{Outcome: capmode.NotCapable, Kind: capmode.KindPathEscape, Reason: "absolute", Hint: "relative"}
		}
	case 37:
		if int(c.Args[0]) != tr.Pid() {
			return capmode.Verdict{Outcome: capmode.CapMode, Kind: capmode.KindSignal, Reason: "other process", Hint: "pdkill"}
		}
	}
	return capmode.Verdict{}
}

func (fakePolicy) Name(nr int) string {
	return map[int]string{499: "openat", 37: "kill", 3: "read"}[nr]
}

func (fakePolicy) Decode(c capmode.Call, tr capmode.Tracee) []capmode.Arg {
	return []capmode.Arg{{Type: capmode.ArgFD, Value: 7}}
}

// fakeTracee has one string in memory.
type fakeTracee struct {
	pid int
	mem map[uint64]string
}

func (f fakeTracee) Pid() int { return f.pid }
func (f fakeTracee) ReadString(addr uint64, max int) (string, error) {
	if s, ok := f.mem[addr]; ok {
		return s, nil
	}
	return "", errors.New("unmapped")
}
func (f fakeTracee) ReadMemory(addr uint64, p []byte) error { return errors.New("unmapped") }
func (f fakeTracee) ThreadGroup(tid int) int                { return 0 }
func (f fakeTracee) OpenDescriptor(fd int) (int, error)     { return -1, errors.New("no descriptors") }

func TestTrapCapVerdict(t *testing.T) {
	tr := fakeTracee{pid: 4242, mem: map[uint64]string{0x1000: "/etc/passwd", 0x2000: "../x"}}
	tests := []struct {
		name     string
		errno    int32
		call     capmode.Call
		ok       bool
		outcome  capmode.Outcome
		kind     capmode.Kind
		reasonIs string // "" to skip
	}{
		{"open(\"/etc/passwd\") -> openat(AT_FDCWD): ECAPMODE, table agrees",
			ECAPMODE, capmode.Call{Nr: 499, Args: [6]uint64{atFDCWD, 0x1000}}, true, capmode.CapMode, capmode.KindGlobalNamespace, "AT_FDCWD"},
		{"openat(dirfd, \"/etc/passwd\"): ENOTCAPABLE, table agrees",
			ENOTCAPABLE, capmode.Call{Nr: 499, Args: [6]uint64{3, 0x1000}}, true, capmode.NotCapable, capmode.KindPathEscape, "absolute"},
		{"openat(dirfd, \"../x\"): ENOTCAPABLE, the kernel decides what the table cannot",
			ENOTCAPABLE, capmode.Call{Nr: 499, Args: [6]uint64{3, 0x2000}}, true, capmode.NotCapable, capmode.KindRights, ""},
		{"kill(1, 0): ECAPMODE",
			ECAPMODE, capmode.Call{Nr: 37, Args: [6]uint64{1, 0}}, true, capmode.CapMode, capmode.KindSignal, "other process"},
		{"read on a descriptor without CAP_READ: rights, not in the table",
			ENOTCAPABLE, capmode.Call{Nr: 3, Args: [6]uint64{4}}, true, capmode.NotCapable, capmode.KindRights, ""},
		{"a syscall the table allows but the kernel refused with ECAPMODE",
			ECAPMODE, capmode.Call{Nr: 3}, true, capmode.CapMode, capmode.KindSyscall, ""},
		{"table says ECAPMODE, kernel says ENOTCAPABLE: the kernel wins",
			ENOTCAPABLE, capmode.Call{Nr: 499, Args: [6]uint64{atFDCWD, 0x1000}}, true, capmode.NotCapable, capmode.KindGlobalNamespace, ""},
		{"any other errno is not a capability failure",
			13, capmode.Call{Nr: 499}, false, capmode.Allow, "", ""},
	}
	for _, tt := range tests {
		v, ok := TrapCapVerdict(tt.errno, tt.call, fakePolicy{}, tr)
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if v.Outcome != tt.outcome || v.Kind != tt.kind {
			t.Errorf("%s: got %v/%q, want %v/%q", tt.name, v.Outcome, v.Kind, tt.outcome, tt.kind)
		}
		if tt.reasonIs != "" && v.Reason != tt.reasonIs {
			t.Errorf("%s: reason %q, want %q", tt.name, v.Reason, tt.reasonIs)
		}
		if v.Reason == "" || v.Hint == "" {
			t.Errorf("%s: reason %q, hint %q: both must be set", tt.name, v.Reason, v.Hint)
		}
	}
}

func TestAuditEntry(t *testing.T) {
	tests := []struct {
		name                       string
		inCapMode, enterAtCapEnter bool
		nr                         int
		want                       EntryAction
	}{
		{"before cap_enter everything runs", false, true, 499, EntryRun},
		{"cap_enter is the enter point: skip it", false, true, SYS_cap_enter, EntryEnter},
		{"cap_enter before an --enter symbol: skipped, checking has not begun", false, false, SYS_cap_enter, EntrySkip},
		{"a second cap_enter: still skipped", true, true, SYS_cap_enter, EntryEnter},
		{"cap_enter after --enter=exec: skipped, stays outside", true, false, SYS_cap_enter, EntryEnter},
		{"cap_getmode in emulated capability mode answers 1", true, true, SYS_cap_getmode, EntryGetmode},
		{"cap_getmode before: runs", false, true, SYS_cap_getmode, EntryRun},
		{"after cap_enter: check", true, true, 499, EntryCheck},
	}
	for _, tt := range tests {
		if got := AuditEntry(tt.inCapMode, tt.enterAtCapEnter, tt.nr); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// The real FreeBSD table behind the backend's Policy.
func TestFreeBSDTableAsPolicy(t *testing.T) {
	var pol Policy = capmode.FreeBSD()
	// Numbers from sys/kern/syscalls.master.
	for nr, name := range map[int]string{5: "open", 37: "kill", 499: "openat", SYS_cap_enter: "cap_enter", SYS_cap_getmode: "cap_getmode", SYS_sched_yield: "sched_yield"} {
		if got := pol.Name(nr); got != name {
			t.Errorf("Name(%d) = %q, want %q", nr, got, name)
		}
	}
	tr := fakeTracee{pid: 4242, mem: map[uint64]string{0x1000: "/etc/passwd"}}
	c := CallFromRegs(499, [6]uint64{atFDCWD, 0x1000, 0})
	v, ok := TrapCapVerdict(ECAPMODE, c, pol, tr)
	if !ok || v.Outcome != capmode.CapMode || v.Reason == "" || v.Hint == "" {
		t.Errorf("openat(AT_FDCWD, \"/etc/passwd\") refused with ECAPMODE: %+v", v)
	}
	if got := pol.Check(capmode.Call{Nr: SYS_sched_yield}, tr); got.Violation() {
		t.Errorf("sched_yield, cap_enter's stand-in in audit mode, must be allowed: %+v", got)
	}
}

// cReg is amd64 struct reg (struct __reg64, sys/x86/include/reg.h), field
// by field.
type cReg struct {
	r15, r14, r13, r12, r11, r10, r9, r8 uint64
	rdi, rsi, rbp, rbx, rdx, rcx, rax    uint64
	trapno                               uint32
	fs, gs                               uint16
	err                                  uint32
	es, ds                               uint16
	rip, cs, rflags, rsp, ss             uint64
}

func (r cReg) bytes() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	for _, v := range []uint64{r.r15, r.r14, r.r13, r.r12, r.r11, r.r10, r.r9, r.r8,
		r.rdi, r.rsi, r.rbp, r.rbx, r.rdx, r.rcx, r.rax} {
		w(v)
	}
	w(r.trapno)
	w(r.fs)
	w(r.gs)
	w(r.err)
	w(r.es)
	w(r.ds)
	for _, v := range []uint64{r.rip, r.cs, r.rflags, r.rsp, r.ss} {
		w(v)
	}
	return b.Bytes()
}

// TestSyscallArgsFromReg: at a TRAP_CAP stop the fourth argument is in
// r_rcx, where fast_syscall saved the program's r10
// (sys/amd64/amd64/exception.S); r_r10 is stale. renameat's new path is
// its fourth argument.
func TestSyscallArgsFromReg(t *testing.T) {
	r := cReg{rdi: 3, rsi: 0x1000, rdx: 4, rcx: 0x2000, r8: 0, r9: 0,
		r10: 0xdeadbeef, r11: 0x246, rax: ECAPMODE, rip: 0x401000, rsp: 0x7fff0000}
	b := r.bytes()
	if len(b) != SizeofReg {
		t.Fatalf("struct reg is %d bytes, constant says %d", len(b), SizeofReg)
	}
	got, err := SyscallArgsFromReg(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := [6]uint64{3, 0x1000, 4, 0x2000, 0, 0}; got != want {
		t.Errorf("arguments %#x, want %#x", got, want)
	}
	const renameat = 501
	c := CallFromRegs(renameat, got)
	if c.Args[3] != 0x2000 {
		t.Errorf("renameat's new path %#x, want %#x (r_rcx)", c.Args[3], 0x2000)
	}
	// syscall(SYS_renameat, ...): the number in rdi, the rest shift down.
	ind, _ := SyscallArgsFromReg(cReg{rdi: renameat, rsi: 3, rdx: 0x1000, rcx: 4, r8: 0x2000, r10: 7}.bytes())
	if c := CallFromRegs(SYS_syscall, ind); c.Nr != renameat || c.Args[3] != 0x2000 {
		t.Errorf("indirect: %+v", c)
	}
	if _, err := SyscallArgsFromReg(b[:100]); err == nil {
		t.Error("short struct reg accepted")
	}
}

// TestConsumeRemoteStop: after PT_SC_REMOTE the tracer waits once with
// WNOHANG for the stop the remote call leaves (ptrace(2), "PT_COREDUMP and
// PT_SC_REMOTE usage"), retrying EINTR and accepting "nothing yet".
func TestConsumeRemoteStop(t *testing.T) {
	const pid = 4242
	stopped := unix.WaitStatus(SIGTRAP<<8 | 0x7f) // WIFSTOPPED, WSTOPSIG SIGTRAP
	var calls []int
	fake := func(answers ...func(ws *unix.WaitStatus) (int, error)) WaitFunc {
		return func(p int, ws *unix.WaitStatus, options int, ru *unix.Rusage) (int, error) {
			if p != pid || options != unix.WNOHANG {
				t.Errorf("wait4(%d, options %#x), want wait4(%d, WNOHANG)", p, options, pid)
			}
			calls = append(calls, p)
			a := answers[0]
			answers = answers[1:]
			return a(ws)
		}
	}
	ws, ok := ConsumeRemoteStop(fake(
		func(*unix.WaitStatus) (int, error) { return -1, unix.EINTR },
		func(ws *unix.WaitStatus) (int, error) { *ws = stopped; return pid, nil },
	), pid)
	if !ok || ws != stopped || len(calls) != 2 {
		t.Errorf("got %#x %v after %d calls, want the stop after 2", uint32(ws), ok, len(calls))
	}
	if _, ok := ConsumeRemoteStop(fake(func(*unix.WaitStatus) (int, error) { return 0, nil }), pid); ok {
		t.Error("wait4 returning 0 (no stop) reported a status")
	}
	if _, ok := ConsumeRemoteStop(fake(func(*unix.WaitStatus) (int, error) { return -1, unix.ECHILD }), pid); ok {
		t.Error("ECHILD reported a status")
	}
}

// kernelPTIO mimics PT_IO PIOD_READ_D over mapped pages [lo, hi): like
// proc_rwmem() it copies page by page up to the first unmapped page, and
// like sys_ptrace() it then fails without copying piod_len back, so the
// count the caller sees is the length it asked for.
func kernelPTIO(lo, hi uint64, calls *int) func(addr uint64, b []byte) (int, error) {
	return func(addr uint64, b []byte) (int, error) {
		*calls++
		for i := range b {
			a := addr + uint64(i)
			if a < lo || a >= hi {
				return len(b), unix.EFAULT // piod_len not copied out
			}
			b[i] = byte(a)
		}
		return len(b), nil
	}
}

func TestReadPrefix(t *testing.T) {
	const lo, hi = 0x10000, 0x12000 // two mapped pages
	for _, c := range []struct {
		name    string
		addr    uint64
		size    int
		want    int
		wantErr bool
	}{
		{"inside", 0x10100, 64, 64, false},
		{"across mapped pages", 0x10ff0, 0x20, 0x20, false},
		{"runs off the top", 0x11f00, 0x400, 0x100, true},
		{"from an unmapped page", 0x12000, 16, 0, true},
		{"empty", 0x12000, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			p := make([]byte, c.size)
			n, err := ReadPrefix(kernelPTIO(lo, hi, &calls), c.addr, p)
			if n != c.want || (err != nil) != c.wantErr {
				t.Fatalf("read %#x+%#x: %d, %v; want %d, error %v", c.addr, c.size, n, err, c.want, c.wantErr)
			}
			if c.wantErr && !errors.Is(err, unix.EFAULT) {
				t.Errorf("error %v, want EFAULT", err)
			}
			for i := 0; i < n; i++ {
				if p[i] != byte(c.addr+uint64(i)) {
					t.Fatalf("byte %d = %#x, want %#x", i, p[i], byte(c.addr+uint64(i)))
				}
			}
		})
	}
}
