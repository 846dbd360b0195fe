package tracer

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/rights"
	"github.com/captrace/captrace/rightsemu"
	"github.com/captrace/captrace/symbolize"
)

// Descriptor rights on Linux (docs/rights.md). The shim's calls arrive as
// seccomp stops of the reserved numbers (both filters trap them) and are
// answered from the process's rights.Table. A process that has limited a
// descriptor (or, with --suggest-rights, one in capability mode) is resumed
// with PTRACE_SYSCALL from then on: its every syscall stops at entry, where
// the descriptor calls are checked, and at exit, where limits follow the
// descriptors that dup, openat, accept and recvmsg return. Processes that
// never limit a descriptor never make a syscall stop.

// rightsProcess is one process's descriptor rights.
type rightsProcess struct {
	table *rights.Table
	// opened: for --suggest-rights, where each descriptor was opened.
	opened map[int]rights.Origin
}

func (r rightsProcess) forked() rightsProcess {
	c := rightsProcess{opened: map[int]rights.Origin{}}
	if r.table != nil {
		c.table = r.table.Fork()
	}
	for fd, o := range r.opened {
		c.opened[fd] = o
	}
	return c
}

// origin is the recorded stack of a call that limited a descriptor (or,
// for --suggest-rights, opened one).
type origin struct {
	stack []symbolize.PC
	maps  *symbolize.ModuleMap
}

// rightsSession is the backend's share of the emulation for a session.
type rightsSession struct {
	// stepping: processes resumed with PTRACE_SYSCALL.
	stepping map[int]bool
	// exits: threads stopped at a call's entry whose exit must be seen.
	exits   map[int]*pendingExit
	transit rightsemu.Transit
	origins []origin // rights.Origin n is origins[n-1]
	// limited: some process's descriptor calls were checked.
	limited bool
	names   *capmode.Table
}

type pendingExit struct {
	call string
	args [6]uint64
	uses []rights.Use
	// open: the recorded stack of a call that opens a descriptor
	// (--suggest-rights), for the descriptor it returns.
	open rights.Origin
	// polls: struct pollfd entries whose descriptor was hidden from poll.
	polls []hiddenPoll
}

// hiddenPoll is a pollfd.fd replaced for the call, to put back after it.
type hiddenPoll struct {
	addr uint64
	fd   int32
}

// noSuchFD is above any RLIMIT_NOFILE: poll reports it POLLNVAL.
const noSuchFD = 0x7fffffff

func (b *osBackend) hidePolls(tid int, mem processMemory, args [6]uint64, denied []rightsemu.Denied) []hiddenPoll {
	deny := map[int]bool{}
	for _, d := range denied {
		deny[d.Use.FD] = true
	}
	n := args[1]
	if n == 0 || n > 4096 {
		return nil
	}
	buf := make([]byte, 8*n)
	if mem.ReadMemory(args[0], buf) != nil {
		return nil
	}
	w := &tracerMemory{tid: tid, mem: mem}
	var hidden []hiddenPoll
	for i := uint64(0); i < n; i++ {
		fd := int32(binary.LittleEndian.Uint32(buf[8*i:]))
		if fd >= 0 && deny[int(fd)] {
			var v [4]byte
			binary.LittleEndian.PutUint32(v[:], noSuchFD)
			if w.WriteMemory(args[0]+8*i, v[:]) == nil {
				hidden = append(hidden, hiddenPoll{addr: args[0] + 8*i, fd: fd})
			}
		}
	}
	return hidden
}

func (r *rightsSession) init() {
	if r.stepping == nil {
		r.stepping = map[int]bool{}
		r.exits = map[int]*pendingExit{}
		r.names = capmode.Linux()
	}
}

// syscallInfoOp tells a syscall-entry stop from a syscall-exit stop:
// the op byte of struct ptrace_syscall_info (PTRACE_GET_SYSCALL_INFO,
// include/uapi/linux/ptrace.h, Linux 5.3), which x/sys/unix does not wrap.
func syscallInfoOp(tid int) int {
	var b [88]byte
	_, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GET_SYSCALL_INFO, uintptr(tid), uintptr(len(b)), uintptr(unsafe.Pointer(&b[0])), 0, 0)
	if errno != 0 {
		return 0
	}
	return int(b[0])
}

func (b *osBackend) wantsSyscallStops(s *session, p *process) bool {
	if p.os.rights.table != nil && p.os.rights.table.EverLimited() {
		return true
	}
	return s.cfg.SuggestRights && p.inCapMode && s.suggest != nil && s.suggest.Tracking(p.pid)
}

// startStepping makes every thread of p stop at each syscall: the others
// are interrupted so that their next resume is PTRACE_SYSCALL too.
func (b *osBackend) startStepping(s *session, p *process, self int) {
	b.rights.init()
	if b.rights.stepping[p.pid] {
		return
	}
	b.rights.stepping[p.pid] = true
	b.rights.limited = true
	for tid := range p.threads {
		if tid != self {
			unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_INTERRUPT, uintptr(tid), 0, 0, 0, 0)
		}
	}
}

// onShim answers a shim call at its seccomp stop.
func (b *osBackend) onShim(s *session, p *process, tid int, regs *registers) {
	b.rights.init()
	if p.os.rights.table == nil {
		p.os.rights.table = rights.NewTable()
	}
	p.shim = true
	op := syscallNr(regs) - shimabi.First
	args := syscallArgs(regs)
	var at rights.Origin
	if op == shimabi.OpRightsLimit || op == shimabi.OpIoctlsLimit || op == shimabi.OpFcntlsLimit {
		b.rights.origins = append(b.rights.origins, origin{stack: s.unwind(p, regs), maps: p.maps})
		at = rights.Origin(len(b.rights.origins))
	}
	res := rightsemu.HandleShim(op, args, rightsemu.Process{
		Table:     p.os.rights.table,
		Mem:       &tracerMemory{tid: tid, mem: s.memory(p)},
		IsOpen:    func(fd int) bool { return descriptorOpen(p.pid, fd) },
		InCapMode: p.inCapMode,
	}, at)
	if res.Ret == -shimabi.ErrnoNotCapable && at != 0 && !p.quiet {
		b.reportWidening(s, p, tid, regs, op, args, at)
	}
	if res.Enter {
		// The site is the shim's cap_enter(), inlined where the program
		// calls it: unwound from the syscall, as FreeBSD's cap_enter(2).
		s.noteEnterSite(p, tid, regs, false)
	}
	skipSyscallReturning(regs, res.Ret) // Linux has no call of that number
	if err := unix.PtraceSetRegs(tid, regs); err != nil {
		s.warnf("thread %d: cannot answer the Capsicum shim: %v", tid, err)
	}
	if res.Enter {
		if err := s.enterCapMode(p, tid, nil); err != nil {
			s.warnf("process %d: cap_enter: %v", p.pid, err)
		}
	}
	if b.wantsSyscallStops(s, p) {
		b.startStepping(s, p, tid)
	}
}

// descriptorOpen reports whether fd is open in process pid.
func descriptorOpen(pid, fd int) bool {
	_, err := os.Lstat("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(fd))
	return err == nil
}

// tracerMemory writes tracee memory with PTRACE_POKEDATA (which, unlike
// process_vm_writev, works on any mapping) and reads it as capmode does.
type tracerMemory struct {
	tid int
	mem processMemory
}

func (m *tracerMemory) ReadMemory(addr uint64, p []byte) error { return m.mem.ReadMemory(addr, p) }

func (m *tracerMemory) ReadString(addr uint64, max int) (string, error) {
	t := &tracee{mem: m.mem}
	return t.ReadString(addr, max)
}

func (m *tracerMemory) WriteMemory(addr uint64, p []byte) error {
	n, err := unix.PtracePokeData(m.tid, uintptr(addr), p)
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x", addr)
	}
	return err
}

// onSyscallStop handles a PTRACE_SYSCALL stop of a stepping process.
func (b *osBackend) onSyscallStop(s *session, p *process, tid int) {
	b.rights.init()
	switch syscallInfoOp(tid) {
	case unix.PTRACE_SYSCALL_INFO_ENTRY:
		b.rightsEntry(s, p, tid)
	case unix.PTRACE_SYSCALL_INFO_EXIT:
		if pe := b.rights.exits[tid]; pe != nil {
			delete(b.rights.exits, tid)
			b.rightsExit(s, p, tid, pe)
		}
	}
}

// rightsEntry checks one call of a stepping process at its entry.
func (b *osBackend) rightsEntry(s *session, p *process, tid int) {
	var regs registers
	if err := unix.PtraceGetRegs(tid, &regs); err != nil {
		return
	}
	nr := syscallNr(&regs)
	if shimabi.IsReserved(nr) {
		// Every filter traps the shim's numbers: its seccomp stop comes
		// next and answers it there, where cap_enter's filter injection
		// expects the thread (backend_linux.go, syscallEntry).
		return
	}
	name := b.rights.names.Name(nr)
	args := syscallArgs(&regs)
	tr := s.tracee(p)
	uses := rights.LinuxUses(name, args, tr)
	if p.os.rights.table == nil {
		p.os.rights.table = rights.NewTable()
	}
	table := p.os.rights.table
	if s.suggest != nil && p.inCapMode {
		for _, u := range uses {
			s.suggest.Use(p.pid, u)
		}
	}
	if name == "sendmsg" && b.sendRights(p, args[1], tr, table) {
		// The receiver may be any process: watch them all until then.
		for _, q := range s.state.procs {
			if q.os.rights.table == nil {
				q.os.rights.table = rights.NewTable()
			}
			b.startStepping(s, q, tid)
		}
	}
	var escapes rightsemu.Escapes
	if !p.inCapMode {
		// Outside capability mode only a limited directory confines its
		// lookups; capmode's path rule (which reads the call's own path
		// and directory arguments) decides whether this one leaves it. In
		// capability mode that rule judges the call anyway.
		escapes = func(int, string) bool {
			v := b.rights.names.Check(capmode.Call{Nr: nr, Args: args}, tr)
			return v.Kind == capmode.KindPathEscape
		}
	}
	denied := rightsemu.Check(name, uses, table, escapes)
	if len(denied) > 0 && !p.quiet {
		d := denied[0]
		v := capmode.Verdict{Outcome: capmode.NotCapable, Kind: capmode.KindRights, Reason: d.Reason,
			Hint: rightsHint(d)}
		st := &stop{pid: p.pid, tid: tid, call: capmode.Call{Nr: nr, Args: args}, regs: &regs}
		ev := s.violation(p, st, v, tr)
		ev.LimitedAt = b.origin(d.Origin())
		s.pending = append(s.pending, ev)
		if s.cfg.Mode == Enforce {
			if d.Use.PollNVAL {
				// poll answers a missing right per descriptor, with POLLNVAL
				// (pollrescan, sys/kern/sys_generic.c): the call runs on
				// descriptor numbers no process can have, and the real ones
				// are put back at its exit.
				b.rights.exits[tid] = &pendingExit{call: name, args: args, uses: uses,
					polls: b.hidePolls(tid, s.memory(p), args, denied)}
				return
			}
			skipSyscall(&regs, unix.Errno(s.errnoFor(p, capmode.NotCapable)))
			unix.PtraceSetRegs(tid, &regs)
			return
		}
	}
	if exitNeeded(name, args, uses) {
		b.rights.exits[tid] = &pendingExit{call: name, args: args, uses: uses}
		return
	}
	// Calls whose effect is known at entry: close and friends.
	rightsemu.Apply(name, args, 0, uses, table)
	if s.suggest != nil {
		s.suggest.Apply(p.pid, name, args, 0, uses)
	}
}

// exitNeeded: a stepping process stops at every exit anyway, so every
// call that makes or moves a descriptor is followed there, including
// those whose new descriptor has all rights (a number that was limited
// before must not keep its old limits).
func exitNeeded(name string, args [6]uint64, uses []rights.Use) bool {
	switch name {
	case "dup2", "dup3", "close_range", "openat", "openat2", "pipe", "pipe2", "socketpair":
		return true
	}
	return rightsemu.NeedsExit(name, args, uses) || rightsemu.NewDescriptor(name)
}

// rightsExit moves limits once the call has returned.
func (b *osBackend) rightsExit(s *session, p *process, tid int, pe *pendingExit) {
	var regs registers
	if err := unix.PtraceGetRegs(tid, &regs); err != nil {
		return
	}
	ret := syscallReturn(&regs)
	for _, h := range pe.polls {
		var v [4]byte
		binary.LittleEndian.PutUint32(v[:], uint32(h.fd))
		(&tracerMemory{tid: tid, mem: s.memory(p)}).WriteMemory(h.addr, v[:])
	}
	if pe.open != 0 && ret >= 0 {
		if p.os.rights.opened == nil {
			p.os.rights.opened = map[int]rights.Origin{}
		}
		p.os.rights.opened[int(ret)] = pe.open
	}
	if p.os.rights.table == nil {
		p.os.rights.table = rights.NewTable()
	}
	rightsemu.Apply(pe.call, pe.args, ret, pe.uses, p.os.rights.table)
	if s.suggest != nil {
		s.suggest.Apply(p.pid, pe.call, pe.args, ret, pe.uses)
	}
	if ret >= 0 {
		// pipe(fds), pipe2(fds, flags), socketpair(d, t, p, sv): two new
		// descriptors in memory, with all rights.
		arg := map[string]int{"pipe": 0, "pipe2": 0, "socketpair": 3}
		if i, ok := arg[pe.call]; ok {
			var two [8]byte
			if s.memory(p).ReadMemory(pe.args[i], two[:]) == nil {
				for _, fd := range []int{int(int32(binary.LittleEndian.Uint32(two[:]))), int(int32(binary.LittleEndian.Uint32(two[4:])))} {
					p.os.rights.table.Opened(fd)
					if s.suggest != nil {
						s.suggest.Forget(p.pid, fd)
					}
				}
			}
		}
	}
	if pe.call == "recvmsg" && ret >= 0 {
		for _, fd := range rightsemu.SCMRights(s.tracee(p), pe.args[1]) {
			if id, ok := fileID(p.pid, fd); ok {
				b.rights.transit.Received(p.os.rights.table, fd, id)
			}
		}
	}
}

// sendRights records the limits of the descriptors a sendmsg passes; it
// reports whether any was limited.
func (b *osBackend) sendRights(p *process, msg uint64, tr *tracee, table *rights.Table) bool {
	limited := false
	for _, fd := range rightsemu.SCMRights(tr, msg) {
		if id, ok := fileID(p.pid, fd); ok && table.Get(fd).Limited() {
			b.rights.transit.Sent(id, table.Get(fd))
			limited = true
		}
	}
	return limited
}

// fileID is the device and inode descriptor fd of pid refers to.
func fileID(pid, fd int) (rightsemu.FileID, bool) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/fd/"+strconv.Itoa(fd), &st); err != nil {
		return rightsemu.FileID{}, false
	}
	return rightsemu.FileID{Dev: st.Dev, Ino: st.Ino}, true
}

func (b *osBackend) origin(o rights.Origin) *event.Origin {
	if o <= 0 || int(o) > len(b.rights.origins) {
		return nil
	}
	return &event.Origin{Stack: b.rights.origins[o-1].stack, Maps: b.rights.origins[o-1].maps}
}

// rightsHint is the remedy for a rights denial, in capmode's words.
func rightsHint(d rightsemu.Denied) string {
	if d.Denial == nil {
		return capmode.RightsRemedy(capmode.RightsDenial{Escape: true})
	}
	return capmode.RightsRemedy(capmode.RightsDenial{Ioctl: d.Denial.Ioctl, Fcntl: d.Denial.Fcntl, Missing: d.Denial.Missing.String()})
}

// suggestEnter starts recording p's descriptors at its enter point.
func (b *osBackend) suggestEnter(s *session, p *process, tid int) {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(p.pid) + "/fd")
	if err != nil {
		return
	}
	var held []rightsemu.Held
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		path, _ := os.Readlink("/proc/" + strconv.Itoa(p.pid) + "/fd/" + e.Name())
		held = append(held, rightsemu.Held{FD: fd, Path: path, Opened: p.os.rights.opened[fd]})
	}
	s.suggest.Enter(p.pid, held)
	b.startStepping(s, p, tid)
}

// suggestions are the recorder's, with the stacks of the opening calls.
func (b *osBackend) suggestions(s *session) []Descriptor {
	if s.suggest == nil {
		return nil
	}
	var out []Descriptor
	for _, r := range s.suggest.Suggestions() {
		out = append(out, Descriptor{Root: r, Opened: b.origin(r.Opened)})
	}
	return out
}

// opensDescriptor are the calls whose new descriptor --suggest-rights
// names by where it was opened.
// Built at first use, not at package initialisation (start-up, issue 15).
var opensDescriptor = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"open": true, "openat": true, "openat2": true, "creat": true, "socket": true,
		"accept": true, "accept4": true, "memfd_create": true, "eventfd2": true, "epoll_create1": true,
	}
})

// rememberOpen records the stack of a call that opens a descriptor before
// the enter point; its exit tells which descriptor it was.
func (b *osBackend) rememberOpen(s *session, p *process, tid int, regs *registers) {
	b.rights.init()
	name := b.rights.names.Name(syscallNr(regs))
	if !opensDescriptor()[name] {
		return
	}
	b.rights.origins = append(b.rights.origins, origin{stack: s.unwind(p, regs), maps: p.maps})
	at := rights.Origin(len(b.rights.origins))
	if pe := b.rights.exits[tid]; pe != nil {
		pe.open = at // a stepping process's entry stop came first
		return
	}
	b.rights.exits[tid] = &pendingExit{call: name, args: syscallArgs(regs), open: at}
}

// shimCalls name the shim's limit operations; built at first use, not at
// package initialisation (start-up, issue 15).
var shimCalls = sync.OnceValue(func() map[int]string {
	return map[int]string{
		shimabi.OpRightsLimit: "cap_rights_limit",
		shimabi.OpIoctlsLimit: "cap_ioctls_limit",
		shimabi.OpFcntlsLimit: "cap_fcntls_limit",
	}
})

// reportWidening reports a limit call that would widen a descriptor's
// limits: it fails with ENOTCAPABLE in both modes, as on FreeBSD, since
// there is nothing the call could do instead.
func (b *osBackend) reportWidening(s *session, p *process, tid int, regs *registers, op int, args [6]uint64, at rights.Origin) {
	fd := int(int32(uint32(args[0])))
	have := p.os.rights.table.Get(fd)
	var reason string
	switch op {
	case shimabi.OpRightsLimit:
		want, _ := rights.FromWords([2]uint64{args[1], args[2]})
		reason = fmt.Sprintf("cap_rights_limit(2) on fd %d cannot add %s: limits only narrow; fd %d has %s", fd, want.Remove(have.Rights), fd, have.Rights)
	case shimabi.OpIoctlsLimit:
		reason = fmt.Sprintf("cap_ioctls_limit(2) on fd %d cannot allow ioctl commands it does not allow already: limits only narrow", fd)
	default:
		reason = fmt.Sprintf("cap_fcntls_limit(2) on fd %d cannot add %s: limits only narrow; fd %d allows %s", fd, (rights.FcntlMask(args[1]) &^ have.Fcntls).String(), fd, have.Fcntls)
	}
	v := capmode.Verdict{Outcome: capmode.NotCapable, Kind: capmode.KindRights, Reason: reason,
		Hint: "limit a descriptor once, to everything it will need (captrace --suggest-rights)"}
	ev := event.Event{Pid: p.pid, Tid: tid, Syscall: shimCalls()[op], Args: capmode.RawArgs(capmode.Call{Args: args})[:3],
		Verdict: v, Stack: b.rights.origins[at-1].stack, Maps: b.rights.origins[at-1].maps, LimitedAt: b.origin(map[int]rights.Origin{shimabi.OpRightsLimit: have.Origin, shimabi.OpIoctlsLimit: have.IoctlsOrigin, shimabi.OpFcntlsLimit: have.FcntlsOrigin}[op])}
	s.pending = append(s.pending, ev)
}

// rightsChecked reports whether some process's descriptor calls were
// checked (a program that limits descriptors and never enters capability
// mode was still checked).
func (b *osBackend) rightsChecked() bool { return b.rights.limited }

// rightsExeced drops the limits of the descriptors exec closed.
func (b *osBackend) rightsExeced(s *session, p *process) {
	open := func(fd int) bool { return descriptorOpen(p.pid, fd) }
	if p.os.rights.table != nil {
		p.os.rights.table.Retain(open)
	}
	if s.suggest != nil {
		s.suggest.Retain(p.pid, open)
	}
}
