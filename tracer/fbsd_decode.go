package tracer

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

// The FreeBSD backend's pure logic: decoding the kernel's records and
// turning stops into decisions. None of it calls the kernel, so it is built
// and tested on Linux too; run_freebsd.go feeds it the bytes.

var fbsdLE = binary.LittleEndian

// fbsdSiginfo is the part of siginfo_t the backend reads.
type fbsdSiginfo struct {
	Signo, Errno, Code, Pid int32
	Addr                    uint64
	// Syscall is si_syscall (FreeBSD 14+): at a TRAP_CAP stop, the number
	// as the program invoked it (sa->original_code in syscallret(),
	// sys/kern/subr_syscall.c), so 0 or 198 for syscall(2)/__syscall(2).
	Syscall int32
}

func fbsdDecodeSiginfo(b []byte) (fbsdSiginfo, error) {
	if len(b) < fbsdSizeofSiginfo {
		return fbsdSiginfo{}, fmt.Errorf("siginfo: %d bytes, want %d", len(b), fbsdSizeofSiginfo)
	}
	return fbsdSiginfo{
		Signo:   int32(fbsdLE.Uint32(b[fbsdSiginfoSigno:])),
		Errno:   int32(fbsdLE.Uint32(b[fbsdSiginfoErrno:])),
		Code:    int32(fbsdLE.Uint32(b[fbsdSiginfoCode:])),
		Pid:     int32(fbsdLE.Uint32(b[fbsdSiginfoPid:])),
		Addr:    fbsdLE.Uint64(b[fbsdSiginfoAddr:]),
		Syscall: int32(fbsdLE.Uint32(b[fbsdSiginfoSyscall:])),
	}, nil
}

// fbsdLwpInfo is struct ptrace_lwpinfo, decoded.
type fbsdLwpInfo struct {
	Lwpid    int32
	Event    int32
	Flags    uint32
	Siginfo  fbsdSiginfo // meaningful only with PL_FLAG_SI
	TdName   string
	ChildPid int32
	// SyscallCode and SyscallNarg: td_sa at syscall entry/exit stops.
	// Older kernels leave them 0 elsewhere; newer ones report td_sa.code
	// whenever it is set (PT_LWPINFO in sys/kern/sys_process.c), so at a
	// TRAP_CAP stop the number comes from si_syscall, never from here.
	SyscallCode uint32
	SyscallNarg uint32
}

func fbsdDecodeLwpInfo(b []byte) (fbsdLwpInfo, error) {
	if len(b) < fbsdSizeofLwpinfo {
		return fbsdLwpInfo{}, fmt.Errorf("ptrace_lwpinfo: %d bytes, want %d", len(b), fbsdSizeofLwpinfo)
	}
	si, err := fbsdDecodeSiginfo(b[fbsdLwpinfoSiginfo : fbsdLwpinfoSiginfo+fbsdSizeofSiginfo])
	if err != nil {
		return fbsdLwpInfo{}, err
	}
	name := b[fbsdLwpinfoTdname : fbsdLwpinfoTdname+fbsdTdnameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return fbsdLwpInfo{
		Lwpid:       int32(fbsdLE.Uint32(b[fbsdLwpinfoLwpid:])),
		Event:       int32(fbsdLE.Uint32(b[fbsdLwpinfoEvent:])),
		Flags:       fbsdLE.Uint32(b[fbsdLwpinfoFlags:]),
		Siginfo:     si,
		TdName:      string(name),
		ChildPid:    int32(fbsdLE.Uint32(b[fbsdLwpinfoChildPid:])),
		SyscallCode: fbsdLE.Uint32(b[fbsdLwpinfoSyscallCode:]),
		SyscallNarg: fbsdLE.Uint32(b[fbsdLwpinfoSyscallNarg:]),
	}, nil
}

// fbsdStop is what a ptrace stop means to captrace, decided from
// PT_LWPINFO alone.
type fbsdStop int

const (
	fbsdStopOther   fbsdStop = iota // a stop to resume as it is (e.g. PL_FLAG_VFORK_DONE)
	fbsdStopSignal                  // a signal for the program: pass it on
	fbsdStopTrapCap                 // SIGTRAP, TRAP_CAP: the kernel refused a call in capability mode
	fbsdStopBreak                   // SIGTRAP, TRAP_BRKPT: a breakpoint of ours (or the program's)
	fbsdStopSCE                     // syscall entry
	fbsdStopSCX                     // syscall exit
	fbsdStopExec                    // exec succeeded (reported at the exec's syscall exit)
	fbsdStopForked                  // the parent's side of fork: ChildPid is new
	fbsdStopChild                   // the child's first stop after fork
	fbsdStopBorn                    // a new thread's first stop
	fbsdStopExited                  // a thread is exiting
)

func (s fbsdStop) String() string {
	return [...]string{"other", "signal", "trap-cap", "breakpoint", "syscall-entry",
		"syscall-exit", "exec", "forked", "child", "born", "exited"}[s]
}

// fbsdClassify orders the flags as they can combine: the kernel reports
// PL_FLAG_EXEC, PL_FLAG_FORKED and PL_FLAG_CHILD together with PL_FLAG_SCX
// (they are raised at the syscall exit, syscallret() in
// sys/kern/subr_syscall.c), and PL_FLAG_BORN/EXITED on their own LWP event
// stops (sys/kern/kern_thr.c, kern_thread.c).
func fbsdClassify(l fbsdLwpInfo) fbsdStop {
	f := l.Flags
	switch {
	case f&fbsdPL_FLAG_EXITED != 0:
		return fbsdStopExited
	case f&fbsdPL_FLAG_BORN != 0:
		return fbsdStopBorn
	case f&fbsdPL_FLAG_CHILD != 0:
		return fbsdStopChild
	case f&fbsdPL_FLAG_EXEC != 0:
		return fbsdStopExec
	case f&fbsdPL_FLAG_FORKED != 0:
		return fbsdStopForked
	case f&fbsdPL_FLAG_SCE != 0:
		return fbsdStopSCE
	case f&fbsdPL_FLAG_SCX != 0:
		return fbsdStopSCX
	}
	if l.Event == fbsdPL_EVENT_SIGNAL && f&fbsdPL_FLAG_SI != 0 {
		si := l.Siginfo
		if si.Signo == fbsdSIGTRAP {
			switch si.Code {
			case fbsdTRAP_CAP:
				return fbsdStopTrapCap
			case fbsdTRAP_BRKPT:
				return fbsdStopBreak
			}
		}
		return fbsdStopSignal
	}
	if l.Event == fbsdPL_EVENT_SIGNAL {
		return fbsdStopSignal
	}
	return fbsdStopOther
}

// fbsdCallFromRegs builds the capmode.Call of a syscall from the number
// the program used and its six register arguments in order
// (fbsdSyscallArgsFromReg). For syscall(2) and __syscall(2) the real number is the
// first argument and the others shift down by one
// (cpu_fetch_syscall_args() in sys/amd64/amd64/trap.c); the sixth argument
// of such a call is on the stack and reads as 0 here.
func fbsdCallFromRegs(nr int, regs [6]uint64) capmode.Call {
	if nr == fbsdSYS_syscall || nr == fbsdSYS___syscall {
		c := capmode.Call{Nr: int(int32(regs[0]))}
		if nr == fbsdSYS___syscall {
			c.Nr = int(regs[0])
		}
		copy(c.Args[:], regs[1:])
		return c
	}
	return capmode.Call{Nr: nr, Args: regs}
}

// fbsdSyscallArgsFromReg reads the six register arguments of the syscall
// a thread is stopped in (a TRAP_CAP stop) from the bytes of its struct
// reg (PT_GETREGS). The fourth is r_rcx, not r_r10: the syscall
// instruction clobbers rcx, so libc passes the fourth argument in r10, and
// the kernel's fast_syscall entry stores that r10 in the trap frame's rcx
// slot ("movq %r10,TF_RCX(%rsp) /* arg 4 */") and never saves r10 at all
// (sys/amd64/amd64/exception.S); cpu_fetch_syscall_args() copies the six
// arguments from tf_rdi, tf_rsi, tf_rdx, tf_rcx, tf_r8, tf_r9
// (sys/amd64/amd64/trap.c), and fill_regs() reports tf_rcx as r_rcx. At a
// syscall stop r_r10 is whatever an earlier full trap left in the frame.
func fbsdSyscallArgsFromReg(b []byte) ([6]uint64, error) {
	if len(b) < fbsdSizeofReg {
		return [6]uint64{}, fmt.Errorf("struct reg: %d bytes, want %d", len(b), fbsdSizeofReg)
	}
	var a [6]uint64
	for i, off := range [6]int{fbsdRegRdi, fbsdRegRsi, fbsdRegRdx, fbsdRegRcx, fbsdRegR8, fbsdRegR9} {
		a[i] = fbsdLE.Uint64(b[off:])
	}
	return a, nil
}

// fbsdCallFromScArgs builds the call at a syscall-entry stop, where
// PT_LWPINFO's pl_syscall_code is the real number and PT_GET_SC_ARGS has
// already removed the indirection.
func fbsdCallFromScArgs(code uint32, args []uint64) capmode.Call {
	c := capmode.Call{Nr: int(code)}
	copy(c.Args[:], args)
	return c
}

// fbsdDecodeScArgs reads PT_GET_SC_ARGS output: narg machine words.
func fbsdDecodeScArgs(b []byte, narg uint32) []uint64 {
	n := min(int(narg), len(b)/8, fbsdMaxSyscallArgs)
	out := make([]uint64, n)
	for i := range out {
		out[i] = fbsdLE.Uint64(b[8*i:])
	}
	return out
}

// fbsdVMEntry is one PT_VM_ENTRY record, decoded.
type fbsdVMEntry struct {
	Start, End uint64 // End exclusive
	Offset     uint64
	Prot       uint32
	Fileid     uint64
	Fsid       uint32
	Path       string
}

// fbsdDecodeVMEntry decodes a struct ptrace_vm_entry the kernel filled in
// and the path buffer it points to.
func fbsdDecodeVMEntry(b []byte, path []byte) (fbsdVMEntry, error) {
	if len(b) < fbsdSizeofVMEntry {
		return fbsdVMEntry{}, fmt.Errorf("ptrace_vm_entry: %d bytes, want %d", len(b), fbsdSizeofVMEntry)
	}
	pathlen := int(fbsdLE.Uint32(b[fbsdVMEntryPathlen:]))
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
	return fbsdVMEntry{
		Start:  fbsdLE.Uint64(b[fbsdVMEntryStart:]),
		End:    fbsdLE.Uint64(b[fbsdVMEntryEnd:]) + 1,
		Offset: fbsdLE.Uint64(b[fbsdVMEntryOffset:]),
		Prot:   fbsdLE.Uint32(b[fbsdVMEntryProt:]),
		Fileid: fbsdLE.Uint64(b[fbsdVMEntryFileid:]),
		Fsid:   fbsdLE.Uint32(b[fbsdVMEntryFsid:]),
		Path:   p,
	}, nil
}

// fbsdMappings turns PT_VM_ENTRY records into symbolize's mappings. The
// file id and file system id play the part of Linux's inode and device, so
// two files at one path (a rebuilt library) stay apart.
func fbsdMappings(es []fbsdVMEntry) []symbolize.Mapping {
	out := make([]symbolize.Mapping, 0, len(es))
	for _, e := range es {
		perm := []byte("---p")
		if e.Prot&fbsdVM_PROT_READ != 0 {
			perm[0] = 'r'
		}
		if e.Prot&fbsdVM_PROT_WRITE != 0 {
			perm[1] = 'w'
		}
		if e.Prot&fbsdVM_PROT_EXECUTE != 0 {
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

// fbsdPolicy is what the backend asks of capmode's FreeBSD table
// (*capmode.Table satisfies it); tests use a fake.
type fbsdPolicy interface {
	Check(c capmode.Call, tr capmode.Tracee) capmode.Verdict
	Name(nr int) string
	Decode(c capmode.Call, tr capmode.Tracee) []capmode.Arg
}

// fbsdErrnoOutcome maps the errno of a TRAP_CAP stop to capmode's outcome.
func fbsdErrnoOutcome(errno int32) (capmode.Outcome, bool) {
	switch errno {
	case fbsdECAPMODE:
		return capmode.CapMode, true
	case fbsdENOTCAPABLE:
		return capmode.NotCapable, true
	}
	return capmode.Allow, false
}

// fbsdTrapCapVerdict is the verdict for a call the kernel refused. The
// kernel's errno decides the outcome; the FreeBSD table supplies the kind,
// reason and hint when it reaches the same conclusion. When it does not
// (the table cannot see descriptor rights: cap_rights_limit(2) makes read
// on a limited descriptor fail with ENOTCAPABLE, sys/kern/sys_capability.c),
// the verdict says what the kernel said.
func fbsdTrapCapVerdict(errno int32, c capmode.Call, pol fbsdPolicy, tr capmode.Tracee) (capmode.Verdict, bool) {
	out, ok := fbsdErrnoOutcome(errno)
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
			Hint:    "do this before cap_enter(), or through a Casper service",
		}, true
	}
	return capmode.Verdict{
		Outcome: out,
		Kind:    capmode.KindRights,
		Reason:  fmt.Sprintf("%s on a descriptor without the needed capability rights, or a lookup outside its directory (ENOTCAPABLE, sys/kern/sys_capability.c)", name),
		Hint:    "grant the right with cap_rights_limit() before cap_enter(), or open a descriptor that has it",
	}, true
}

// fbsdEntryAction is what audit mode does at a syscall-entry stop.
type fbsdEntryAction int

const (
	fbsdEntryRun     fbsdEntryAction = iota // not in capability mode yet: let it run
	fbsdEntryEnter                          // cap_enter(2): skip it, and the process is in (emulated) capability mode
	fbsdEntrySkip                           // cap_enter(2) before the enter point (--enter=SYMBOL): skip it, nothing begins
	fbsdEntryGetmode                        // cap_getmode(2) in emulated capability mode: answer 1
	fbsdEntryCheck                          // ask the policy
)

// fbsdAuditEntry decides a syscall-entry stop in audit mode. cap_enter is
// always skipped, so that the process keeps running outside capability
// mode and every later violation is seen, not just the first; it marks the
// enter point only when the enter point is cap_enter (a later --enter
// symbol still decides when checking begins). Programs that check
// cap_getmode(2) (cap_sandboxed(3)) see the mode they asked for once the
// enter point is reached.
func fbsdAuditEntry(inCapMode, enterAtCapEnter bool, nr int) fbsdEntryAction {
	switch {
	case nr == fbsdSYS_cap_enter && (enterAtCapEnter || inCapMode):
		return fbsdEntryEnter
	case nr == fbsdSYS_cap_enter:
		return fbsdEntrySkip
	case !inCapMode:
		return fbsdEntryRun
	case nr == fbsdSYS_cap_getmode:
		return fbsdEntryGetmode
	}
	return fbsdEntryCheck
}

// fbsdViolation builds the event.Event of one violation.
func fbsdViolation(pid, tid int, c capmode.Call, v capmode.Verdict, pol fbsdPolicy, tr capmode.Tracee,
	stack []symbolize.PC, mm *symbolize.ModuleMap) event.Event {
	return event.Event{
		Pid: pid, Tid: tid,
		Syscall: pol.Name(c.Nr),
		Args:    pol.Decode(c, tr),
		Verdict: v,
		Stack:   stack,
		Maps:    mm,
	}
}

// fbsdWaitFunc is wait4(2) (unix.Wait4); tests pass a fake.
type fbsdWaitFunc func(pid int, ws *unix.WaitStatus, options int, ru *unix.Rusage) (int, error)

// fbsdConsumeRemoteStop takes the stop that PT_SC_REMOTE leaves behind.
// The thread that ran the remote call stops again before ptrace(2)
// returns; that stop clears P_WAITED (thread_stopped() in
// sys/kern/kern_sig.c), and until it is waited for every further request
// on the process (PT_SETREGS, PT_SET_EVENT_MASK, PT_CONTINUE) fails with
// EBUSY (proc_can_ptrace() in sys/kern/sys_process.c). ptrace(2), "PT_COREDUMP
// and PT_SC_REMOTE usage": waitpid with WNOHANG unconditionally after the
// request, and accept 0 (no thread was unsuspended when the request failed
// early). It reports the status when wait4 returned one.
func fbsdConsumeRemoteStop(wait fbsdWaitFunc, pid int) (unix.WaitStatus, bool) {
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

// fbsdPageSize is PAGE_SIZE on amd64.
const fbsdPageSize = 4096

// fbsdReadPrefix reads the mapped prefix of [addr, addr+len(p)) with read,
// one PT_IO PIOD_READ_D request, and reports how many bytes it got. A
// failed PT_IO tells nothing of how much it moved: kern_ptrace() shortens
// piod_len, but sys_ptrace() copies the descriptor back only when the
// request succeeds (sys/kern/sys_process.c), so a read that runs into an
// unmapped page fails with EFAULT while piod_len still holds the length
// asked for (what unix.PtraceIO returns as the count). proc_rwmem() moves
// one page at a time, so after a failure the prefix is found page by page.
func fbsdReadPrefix(read func(addr uint64, b []byte) (int, error), addr uint64, p []byte) (int, error) {
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
		chunk := min(fbsdPageSize-int(at%fbsdPageSize), len(p)-done)
		if _, perr := read(at, p[done:done+chunk]); perr != nil {
			return done, perr
		}
		done += chunk
	}
	return done, nil
}
