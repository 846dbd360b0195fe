// Package fbsd is the FreeBSD backend's pure half: the kernel's ptrace and
// procctl ABI (constants and record layouts, each citing the header in
// freebsd/freebsd-src that defines it), decoders for the records the kernel
// fills in, and the decisions a stop leads to. Nothing here calls the
// kernel, so it builds and is tested on every platform; tracer's
// backend_freebsd.go makes the requests and feeds it the bytes.
//
// It must not drive ptrace, open files or know about reports.
package fbsd

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

var le = binary.LittleEndian

// Siginfo is the part of siginfo_t the backend reads.
type Siginfo struct {
	Signo, Errno, Code, Pid int32
	Addr                    uint64
	// Syscall is si_syscall (FreeBSD 14+): at a TRAP_CAP stop, the number
	// as the program invoked it (sa->original_code in syscallret(),
	// sys/kern/subr_syscall.c), so 0 or 198 for syscall(2)/__syscall(2).
	Syscall int32
}

func DecodeSiginfo(b []byte) (Siginfo, error) {
	if len(b) < SizeofSiginfo {
		return Siginfo{}, fmt.Errorf("siginfo: %d bytes, want %d", len(b), SizeofSiginfo)
	}
	return Siginfo{
		Signo:   int32(le.Uint32(b[SiginfoSigno:])),
		Errno:   int32(le.Uint32(b[SiginfoErrno:])),
		Code:    int32(le.Uint32(b[SiginfoCode:])),
		Pid:     int32(le.Uint32(b[SiginfoPid:])),
		Addr:    le.Uint64(b[SiginfoAddr:]),
		Syscall: int32(le.Uint32(b[SiginfoSyscall:])),
	}, nil
}

// LwpInfo is struct ptrace_lwpinfo, decoded.
type LwpInfo struct {
	Lwpid    int32
	Event    int32
	Flags    uint32
	Siginfo  Siginfo // meaningful only with PL_FLAG_SI
	TdName   string
	ChildPid int32
	// SyscallCode and SyscallNarg: td_sa at syscall entry/exit stops.
	// Older kernels leave them 0 elsewhere; newer ones report td_sa.code
	// whenever it is set (PT_LWPINFO in sys/kern/sys_process.c), so at a
	// TRAP_CAP stop the number comes from si_syscall, never from here.
	SyscallCode uint32
	SyscallNarg uint32
}

func DecodeLwpInfo(b []byte) (LwpInfo, error) {
	if len(b) < SizeofLwpinfo {
		return LwpInfo{}, fmt.Errorf("ptrace_lwpinfo: %d bytes, want %d", len(b), SizeofLwpinfo)
	}
	si, err := DecodeSiginfo(b[LwpinfoSiginfo : LwpinfoSiginfo+SizeofSiginfo])
	if err != nil {
		return LwpInfo{}, err
	}
	name := b[LwpinfoTdname : LwpinfoTdname+TdnameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return LwpInfo{
		Lwpid:       int32(le.Uint32(b[LwpinfoLwpid:])),
		Event:       int32(le.Uint32(b[LwpinfoEvent:])),
		Flags:       le.Uint32(b[LwpinfoFlags:]),
		Siginfo:     si,
		TdName:      string(name),
		ChildPid:    int32(le.Uint32(b[LwpinfoChildPid:])),
		SyscallCode: le.Uint32(b[LwpinfoSyscallCode:]),
		SyscallNarg: le.Uint32(b[LwpinfoSyscallNarg:]),
	}, nil
}

// Stop is what a ptrace stop means to captrace, decided from
// PT_LWPINFO alone.
type Stop int

const (
	StopOther   Stop = iota // a stop to resume as it is (e.g. PL_FLAG_VFORK_DONE)
	StopSignal              // a signal for the program: pass it on
	StopTrapCap             // SIGTRAP, TRAP_CAP: the kernel refused a call in capability mode
	StopBreak               // SIGTRAP, TRAP_BRKPT: a breakpoint of ours (or the program's)
	StopSCE                 // syscall entry
	StopSCX                 // syscall exit
	StopExec                // exec succeeded (reported at the exec's syscall exit)
	StopForked              // the parent's side of fork: ChildPid is new
	StopChild               // the child's first stop after fork
	StopBorn                // a new thread's first stop
	StopExited              // a thread is exiting
)

func (s Stop) String() string {
	return [...]string{"other", "signal", "trap-cap", "breakpoint", "syscall-entry",
		"syscall-exit", "exec", "forked", "child", "born", "exited"}[s]
}

// Classify orders the flags as they can combine: the kernel reports
// PL_FLAG_EXEC, PL_FLAG_FORKED and PL_FLAG_CHILD together with PL_FLAG_SCX
// (they are raised at the syscall exit, syscallret() in
// sys/kern/subr_syscall.c), and PL_FLAG_BORN/EXITED on their own LWP event
// stops (sys/kern/kern_thr.c, kern_thread.c).
func Classify(l LwpInfo) Stop {
	f := l.Flags
	switch {
	case f&PL_FLAG_EXITED != 0:
		return StopExited
	case f&PL_FLAG_BORN != 0:
		return StopBorn
	case f&PL_FLAG_CHILD != 0:
		return StopChild
	case f&PL_FLAG_EXEC != 0:
		return StopExec
	case f&PL_FLAG_FORKED != 0:
		return StopForked
	case f&PL_FLAG_SCE != 0:
		return StopSCE
	case f&PL_FLAG_SCX != 0:
		return StopSCX
	}
	if l.Event == PL_EVENT_SIGNAL && f&PL_FLAG_SI != 0 {
		si := l.Siginfo
		if si.Signo == SIGTRAP {
			switch si.Code {
			case TRAP_CAP:
				return StopTrapCap
			case TRAP_BRKPT:
				return StopBreak
			}
		}
		return StopSignal
	}
	if l.Event == PL_EVENT_SIGNAL {
		return StopSignal
	}
	return StopOther
}

// CallFromRegs builds the capmode.Call of a syscall from the number
// the program used and its six register arguments in order
// (SyscallArgsFromReg). For syscall(2) and __syscall(2) the real number is the
// first argument and the others shift down by one
// (cpu_fetch_syscall_args() in sys/amd64/amd64/trap.c); the sixth argument
// of such a call is on the stack and reads as 0 here.
func CallFromRegs(nr int, regs [6]uint64) capmode.Call {
	if nr == SYS_syscall || nr == SYS___syscall {
		c := capmode.Call{Nr: int(int32(regs[0]))}
		if nr == SYS___syscall {
			c.Nr = int(regs[0])
		}
		copy(c.Args[:], regs[1:])
		return c
	}
	return capmode.Call{Nr: nr, Args: regs}
}

// SyscallArgsFromReg reads the six register arguments of the syscall
// a thread is stopped in (a TRAP_CAP stop) from the bytes of its struct
// reg (PT_GETREGS). The fourth is r_rcx, not r_r10: the syscall
// instruction clobbers rcx, so libc passes the fourth argument in r10, and
// the kernel's fast_syscall entry stores that r10 in the trap frame's rcx
// slot ("movq %r10,TF_RCX(%rsp) /* arg 4 */") and never saves r10 at all
// (sys/amd64/amd64/exception.S); cpu_fetch_syscall_args() copies the six
// arguments from tf_rdi, tf_rsi, tf_rdx, tf_rcx, tf_r8, tf_r9
// (sys/amd64/amd64/trap.c), and fill_regs() reports tf_rcx as r_rcx. At a
// syscall stop r_r10 is whatever an earlier full trap left in the frame.
func SyscallArgsFromReg(b []byte) ([6]uint64, error) {
	if len(b) < SizeofReg {
		return [6]uint64{}, fmt.Errorf("struct reg: %d bytes, want %d", len(b), SizeofReg)
	}
	var a [6]uint64
	for i, off := range [6]int{RegRdi, RegRsi, RegRdx, RegRcx, RegR8, RegR9} {
		a[i] = le.Uint64(b[off:])
	}
	return a, nil
}

// CallFromScArgs builds the call at a syscall-entry stop, where
// PT_LWPINFO's pl_syscall_code is the real number and PT_GET_SC_ARGS has
// already removed the indirection.
func CallFromScArgs(code uint32, args []uint64) capmode.Call {
	c := capmode.Call{Nr: int(code)}
	copy(c.Args[:], args)
	return c
}

// DecodeScArgs reads PT_GET_SC_ARGS output: narg machine words.
func DecodeScArgs(b []byte, narg uint32) []uint64 {
	n := min(int(narg), len(b)/8, MaxSyscallArgs)
	out := make([]uint64, n)
	for i := range out {
		out[i] = le.Uint64(b[8*i:])
	}
	return out
}

// VMEntry is one PT_VM_ENTRY record, decoded.
type VMEntry struct {
	Start, End uint64 // End exclusive
	Offset     uint64
	Prot       uint32
	Fileid     uint64
	Fsid       uint32
	Path       string
}

// DecodeVMEntry decodes a struct ptrace_vm_entry the kernel filled in
// and the path buffer it points to.
func DecodeVMEntry(b []byte, path []byte) (VMEntry, error) {
	if len(b) < SizeofVMEntry {
		return VMEntry{}, fmt.Errorf("ptrace_vm_entry: %d bytes, want %d", len(b), SizeofVMEntry)
	}
	pathlen := int(le.Uint32(b[VMEntryPathlen:]))
	// pve_pathlen counts the NUL, and is 0 for anonymous memory or when
	// the vnode has no name in the cache (ptrace_vm_entry() in
	// sys/kern/sys_process.c).
	var p string
	if pathlen > 0 && len(path) > 0 {
		pb := path[:min(pathlen, len(path))]
		if i := bytes.IndexByte(pb, 0); i >= 0 {
			pb = pb[:i]
		}
		p = string(pb)
	}
	return VMEntry{
		Start:  le.Uint64(b[VMEntryStart:]),
		End:    le.Uint64(b[VMEntryEnd:]) + 1,
		Offset: le.Uint64(b[VMEntryOffset:]),
		Prot:   le.Uint32(b[VMEntryProt:]),
		Fileid: le.Uint64(b[VMEntryFileid:]),
		Fsid:   le.Uint32(b[VMEntryFsid:]),
		Path:   p,
	}, nil
}

// Mappings turns PT_VM_ENTRY records into symbolize's mappings. The
// file id and file system id play the part of Linux's inode and device, so
// two files at one path (a rebuilt library) stay apart.
func Mappings(es []VMEntry) []symbolize.Mapping {
	out := make([]symbolize.Mapping, 0, len(es))
	for _, e := range es {
		perm := []byte("---p")
		if e.Prot&VM_PROT_READ != 0 {
			perm[0] = 'r'
		}
		if e.Prot&VM_PROT_WRITE != 0 {
			perm[1] = 'w'
		}
		if e.Prot&VM_PROT_EXECUTE != 0 {
			perm[2] = 'x'
		}
		out = append(out, symbolize.Mapping{
			Start: e.Start, End: e.End, Offset: e.Offset,
			Perm: string(perm), Path: e.Path,
			Inode: e.Fileid, Dev: uint64(e.Fsid),
		})
	}
	return out
}

// Policy is what TrapCapVerdict asks of capmode's FreeBSD table
// (*capmode.Table satisfies it); tests use a fake.
type Policy interface {
	Check(c capmode.Call, tr capmode.Tracee) capmode.Verdict
	Name(nr int) string
}

// ErrnoOutcome maps the errno of a TRAP_CAP stop to capmode's outcome.
func ErrnoOutcome(errno int32) (capmode.Outcome, bool) {
	switch errno {
	case ECAPMODE:
		return capmode.CapMode, true
	case ENOTCAPABLE:
		return capmode.NotCapable, true
	}
	return capmode.Allow, false
}

// TrapCapVerdict is the verdict for a call the kernel refused. The
// kernel's errno decides the outcome; the FreeBSD table supplies the kind,
// reason and hint when it reaches the same conclusion. When it does not
// (the table cannot see descriptor rights: cap_rights_limit(2) makes read
// on a limited descriptor fail with ENOTCAPABLE, sys/kern/sys_capability.c),
// the verdict says what the kernel said.
func TrapCapVerdict(errno int32, c capmode.Call, pol Policy, tr capmode.Tracee) (capmode.Verdict, bool) {
	out, ok := ErrnoOutcome(errno)
	if !ok {
		return capmode.Verdict{}, false
	}
	v := pol.Check(c, tr)
	if v.Outcome == out {
		return v, true
	}
	name := pol.Name(c.Nr)
	if v.Violation() {
		// Same call refused for a different reason than the table's rule:
		// keep its remedy, state the kernel's answer.
		v.Outcome = out
		v.Reason = fmt.Sprintf("%s failed with %s in capability mode: %s", name, out.Errno(), v.Reason)
		return v, true
	}
	if out == capmode.CapMode {
		return capmode.Verdict{
			Outcome: out,
			Kind:    capmode.KindSyscall,
			Reason:  fmt.Sprintf("the kernel refused %s in capability mode (ECAPMODE, sys/kern/subr_syscall.c)", name),
			Hint:    capmode.KernelRefusalRemedy(out),
		}, true
	}
	return capmode.Verdict{
		Outcome: out,
		Kind:    capmode.KindRights,
		Reason:  fmt.Sprintf("%s on a descriptor without the needed capability rights, or a lookup outside its directory (ENOTCAPABLE, sys/kern/sys_capability.c)", name),
		Hint:    capmode.KernelRefusalRemedy(out),
	}, true
}

// EntryAction is what audit mode does at a syscall-entry stop.
type EntryAction int

const (
	EntryRun     EntryAction = iota // not in capability mode yet: let it run
	EntryEnter                      // cap_enter(2): skip it, and the process is in (emulated) capability mode
	EntrySkip                       // cap_enter(2) before the enter point (--enter=SYMBOL): skip it, nothing begins
	EntryGetmode                    // cap_getmode(2) in emulated capability mode: answer 1
	EntryCheck                      // ask the policy
)

// AuditEntry decides a syscall-entry stop in audit mode. cap_enter is
// always skipped, so that the process keeps running outside capability
// mode and every later violation is seen, not just the first; it marks the
// enter point only when the enter point is cap_enter (a later --enter
// symbol still decides when checking begins). Programs that check
// cap_getmode(2) (cap_sandboxed(3)) see the mode they asked for once the
// enter point is reached.
func AuditEntry(inCapMode, enterAtCapEnter bool, nr int) EntryAction {
	switch {
	case nr == SYS_cap_enter && (enterAtCapEnter || inCapMode):
		return EntryEnter
	case nr == SYS_cap_enter:
		return EntrySkip
	case !inCapMode:
		return EntryRun
	case nr == SYS_cap_getmode:
		return EntryGetmode
	}
	return EntryCheck
}

// WaitFunc is wait4(2) (unix.Wait4); tests pass a fake.
type WaitFunc func(pid int, ws *unix.WaitStatus, options int, ru *unix.Rusage) (int, error)

// ConsumeRemoteStop takes the stop that PT_SC_REMOTE leaves behind.
// The thread that ran the remote call stops again before ptrace(2)
// returns; that stop clears P_WAITED (thread_stopped() in
// sys/kern/kern_sig.c), and until it is waited for every further request
// on the process (PT_SETREGS, PT_SET_EVENT_MASK, PT_CONTINUE) fails with
// EBUSY (proc_can_ptrace() in sys/kern/sys_process.c). ptrace(2), "PT_COREDUMP
// and PT_SC_REMOTE usage": waitpid with WNOHANG unconditionally after the
// request, and accept 0 (no thread was unsuspended when the request failed
// early). It reports the status when wait4 returned one.
func ConsumeRemoteStop(wait WaitFunc, pid int) (unix.WaitStatus, bool) {
	for {
		var ws unix.WaitStatus
		wpid, err := wait(pid, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || wpid != pid {
			return 0, false
		}
		return ws, true
	}
}

// PageSize is PAGE_SIZE on amd64.
const PageSize = 4096

// ReadPrefix reads the mapped prefix of [addr, addr+len(p)) with read,
// one PT_IO PIOD_READ_D request, and reports how many bytes it got. A
// failed PT_IO tells nothing of how much it moved: kern_ptrace() shortens
// piod_len, but sys_ptrace() copies the descriptor back only when the
// request succeeds (sys/kern/sys_process.c), so a read that runs into an
// unmapped page fails with EFAULT while piod_len still holds the length
// asked for (what unix.PtraceIO returns as the count). proc_rwmem() moves
// one page at a time, so after a failure the prefix is found page by page.
func ReadPrefix(read func(addr uint64, b []byte) (int, error), addr uint64, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := read(addr, p)
	if err == nil {
		return min(max(n, 0), len(p)), nil
	}
	done := 0
	for done < len(p) {
		at := addr + uint64(done)
		chunk := min(PageSize-int(at%PageSize), len(p)-done)
		if _, perr := read(at, p[done:done+chunk]); perr != nil {
			return done, perr
		}
		done += chunk
	}
	return done, nil
}
