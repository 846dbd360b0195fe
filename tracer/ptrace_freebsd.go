package tracer

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/tracer/internal/fbsd"
)

// Raw ptrace(2) and procctl(2) requests that golang.org/x/sys/unix has no
// wrapper for. On FreeBSD a request names either a process (then it acts
// on the thread that reported the stop, p_xthread) or, with an id above
// PID_MAX, one thread (kern_ptrace() in sys/kern/sys_process.c).

func ptrace(req, id int, addr unsafe.Pointer, data int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(id), uintptr(addr), uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// ptraceInt is for requests whose addr is an integer: 1 means "resume
// where it stopped" for PT_CONTINUE and friends.
func ptraceInt(req, id int, addr uintptr, data int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(id), addr, uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// ptContinue resumes the whole process; sig 0 delivers nothing (the
// TRAP_CAP SIGTRAP must never be re-injected: its default action kills).
func ptContinue(pid, sig int) error {
	return ptraceInt(fbsd.PT_CONTINUE, pid, 1, sig)
}

func ptDetach(pid, sig int) error {
	return ptraceInt(fbsd.PT_DETACH, pid, 1, sig)
}

func setEventMask(pid, mask int) error {
	m := int32(mask)
	err := ptrace(fbsd.PT_SET_EVENT_MASK, pid, unsafe.Pointer(&m), int(unsafe.Sizeof(m)))
	runtime.KeepAlive(&m)
	return err
}

func lwpInfoOf(id int) (fbsd.LwpInfo, error) {
	var b [fbsd.SizeofLwpinfo]byte
	if err := ptrace(fbsd.PT_LWPINFO, id, unsafe.Pointer(&b[0]), len(b)); err != nil {
		return fbsd.LwpInfo{}, err
	}
	return fbsd.DecodeLwpInfo(b[:])
}

// scArgs reads the arguments at a syscall entry or exit stop.
// kern_ptrace() (sys/kern/sys_process.c) refuses PT_GET_SC_ARGS with EINVAL
// unless the thread is at one (TDB_SCE/TDB_SCX) or, in newer kernels, has
// a syscall code recorded (td_sa.code != 0); the backend asks only at
// syscall-entry stops and reads registers at TRAP_CAP stops, which works
// on every kernel.
func scArgs(tid int, narg uint32) ([]uint64, error) {
	var b [fbsd.MaxSyscallArgs * 8]byte
	if err := ptrace(fbsd.PT_GET_SC_ARGS, tid, unsafe.Pointer(&b[0]), len(b)); err != nil {
		return nil, err
	}
	return fbsd.DecodeScArgs(b[:], narg), nil
}

// readMemoryPT reads with PT_IO/PIOD_READ_D and reports the bytes it
// got; a read that runs off the mapped memory gives its mapped prefix and
// the error (fbsdReadPrefix: a failed PT_IO reports no count).
func readMemoryPT(pid int, addr uint64, p []byte) (int, error) {
	return fbsd.ReadPrefix(func(addr uint64, b []byte) (int, error) {
		return unix.PtraceIO(fbsd.PIOD_READ_D, pid, uintptr(addr), b, len(b))
	}, addr, p)
}

func writeMemoryPT(pid int, addr uint64, p []byte) error {
	if len(p) == 0 {
		return nil
	}
	n, err := unix.PtraceIO(fbsd.PIOD_WRITE_D, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

// readTextPT and writeTextPT move code bytes with PT_IO's
// PIOD_READ_I/PIOD_WRITE_I (sys/sys/ptrace.h). The kernel writes through
// a read-only text mapping by copy-on-write (proc_rwmem() in
// sys/kern/sys_process.c asks for VM_PROT_COPY), so breakpoints change only
// the traced process.
func readTextPT(pid int, addr uint64, p []byte) error {
	n, err := unix.PtraceIO(fbsd.PIOD_READ_I, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short read at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

func writeTextPT(pid int, addr uint64, p []byte) error {
	n, err := unix.PtraceIO(fbsd.PIOD_WRITE_I, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

// vmEntries walks the process's map with PT_VM_ENTRY until ENOENT.
func vmEntries(pid int) ([]fbsd.VMEntry, error) {
	var out []fbsd.VMEntry
	path := make([]byte, unix.PathMax)
	var e fbsd.PtraceVMEntry
	for len(out) < 1<<16 {
		e.Pathlen = uint32(len(path))
		e.Path = &path[0]
		err := ptrace(fbsd.PT_VM_ENTRY, pid, unsafe.Pointer(&e), 0)
		if err == unix.ENOENT {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&e)), fbsd.SizeofVMEntry)
		d, err := fbsd.DecodeVMEntry(raw, path)
		if err != nil {
			return out, err
		}
		out = append(out, d)
		clear(path)
	}
	runtime.KeepAlive(path)
	return out, nil
}

// setTrapCap sets or clears P2_TRAPCAP on pid. The tracer passes
// p_candebug on its own child (kern_procctl() in sys/kern/kern_procctl.c).
func setTrapCap(pid int, enable bool) error {
	v := int32(fbsd.PROC_TRAPCAP_CTL_DISABLE)
	if enable {
		v = fbsd.PROC_TRAPCAP_CTL_ENABLE
	}
	_, _, e := unix.Syscall6(fbsd.SYS_procctl, fbsd.P_PID, uintptr(pid), fbsd.PROC_TRAPCAP_CTL, uintptr(unsafe.Pointer(&v)), 0, 0)
	runtime.KeepAlive(&v)
	if e != 0 {
		return e
	}
	return nil
}

// remoteSyscall makes the stopped thread tid run syscall nr with no
// arguments (PT_SC_REMOTE, FreeBSD 14.0+), e.g. cap_enter for --enter=exec
// in enforce mode.
func remoteSyscall(tid int, nr uint32) (fbsd.PtraceScRet, error) {
	sc := fbsd.PtraceScRemote{Syscall: nr}
	err := ptrace(fbsd.PT_SC_REMOTE, tid, unsafe.Pointer(&sc), int(unsafe.Sizeof(sc)))
	return sc.Ret, err
}

// kinfoProc reads process pid's struct kinfo_proc: the kern.proc.pid
// sysctl (KERN_PROC_PID, sys/sys/sysctl.h), one record for the process.
func kinfoProc(pid int) (fbsd.KinfoProc, error) {
	b, err := unix.SysctlRaw("kern.proc.pid", pid)
	if err != nil {
		return fbsd.KinfoProc{}, fmt.Errorf("sysctl kern.proc.pid.%d: %w", pid, err)
	}
	return fbsd.DecodeKinfoProc(b)
}
