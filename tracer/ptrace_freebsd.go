package tracer

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw ptrace(2) and procctl(2) requests that golang.org/x/sys/unix has no
// wrapper for. On FreeBSD a request names either a process (then it acts
// on the thread that reported the stop, p_xthread) or, with an id above
// PID_MAX, one thread (kern_ptrace() in sys/kern/sys_process.c).

func fbsdPtrace(req, id int, addr unsafe.Pointer, data int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(id), uintptr(addr), uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// fbsdPtraceInt is for requests whose addr is an integer: 1 means "resume
// where it stopped" for PT_CONTINUE and friends.
func fbsdPtraceInt(req, id int, addr uintptr, data int) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(id), addr, uintptr(data), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// fbsdContinue resumes the whole process; sig 0 delivers nothing (the
// TRAP_CAP SIGTRAP must never be re-injected: its default action kills).
func fbsdContinue(pid, sig int) error {
	return fbsdPtraceInt(fbsdPT_CONTINUE, pid, 1, sig)
}

func fbsdDetach(pid, sig int) error {
	return fbsdPtraceInt(fbsdPT_DETACH, pid, 1, sig)
}

func fbsdSetEventMask(pid, mask int) error {
	m := int32(mask)
	err := fbsdPtrace(fbsdPT_SET_EVENT_MASK, pid, unsafe.Pointer(&m), int(unsafe.Sizeof(m)))
	runtime.KeepAlive(&m)
	return err
}

func fbsdLwpInfoOf(id int) (fbsdLwpInfo, error) {
	var b [fbsdSizeofLwpinfo]byte
	if err := fbsdPtrace(fbsdPT_LWPINFO, id, unsafe.Pointer(&b[0]), len(b)); err != nil {
		return fbsdLwpInfo{}, err
	}
	return fbsdDecodeLwpInfo(b[:])
}

// fbsdScArgs reads the arguments at a syscall entry or exit stop.
// kern_ptrace() (sys/kern/sys_process.c) refuses PT_GET_SC_ARGS with EINVAL
// unless the thread is at one (TDB_SCE/TDB_SCX) or, in newer kernels, has
// a syscall code recorded (td_sa.code != 0); the backend asks only at
// syscall-entry stops and reads registers at TRAP_CAP stops, which works
// on every kernel.
func fbsdScArgs(tid int, narg uint32) ([]uint64, error) {
	var b [fbsdMaxSyscallArgs * 8]byte
	if err := fbsdPtrace(fbsdPT_GET_SC_ARGS, tid, unsafe.Pointer(&b[0]), len(b)); err != nil {
		return nil, err
	}
	return fbsdDecodeScArgs(b[:], narg), nil
}

// fbsdReadMemory reads with PT_IO/PIOD_READ_D and reports the bytes it
// got; a read that runs off the mapped memory gives its mapped prefix and
// the error (fbsdReadPrefix: a failed PT_IO reports no count).
func fbsdReadMemory(pid int, addr uint64, p []byte) (int, error) {
	return fbsdReadPrefix(func(addr uint64, b []byte) (int, error) {
		return unix.PtraceIO(fbsdPIOD_READ_D, pid, uintptr(addr), b, len(b))
	}, addr, p)
}

func fbsdWriteMemory(pid int, addr uint64, p []byte) error {
	if len(p) == 0 {
		return nil
	}
	n, err := unix.PtraceIO(fbsdPIOD_WRITE_D, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

// fbsdReadText and fbsdWriteText move code bytes with PT_IO's
// PIOD_READ_I/PIOD_WRITE_I (sys/sys/ptrace.h). The kernel writes through
// a read-only text mapping by copy-on-write (proc_rwmem() in
// sys/kern/sys_process.c asks for VM_PROT_COPY), so breakpoints change only
// the traced process.
func fbsdReadText(pid int, addr uint64, p []byte) error {
	n, err := unix.PtraceIO(fbsdPIOD_READ_I, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short read at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

func fbsdWriteText(pid int, addr uint64, p []byte) error {
	n, err := unix.PtraceIO(fbsdPIOD_WRITE_I, pid, uintptr(addr), p, len(p))
	if err == nil && n != len(p) {
		err = fmt.Errorf("short write at %#x: %d of %d bytes", addr, n, len(p))
	}
	return err
}

// fbsdVMEntries walks the process's map with PT_VM_ENTRY until ENOENT.
func fbsdVMEntries(pid int) ([]fbsdVMEntry, error) {
	var out []fbsdVMEntry
	path := make([]byte, unix.PathMax)
	var e fbsdPtraceVMEntry
	for len(out) < 1<<16 {
		e.Pathlen = uint32(len(path))
		e.Path = &path[0]
		err := fbsdPtrace(fbsdPT_VM_ENTRY, pid, unsafe.Pointer(&e), 0)
		if err == unix.ENOENT {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&e)), fbsdSizeofVMEntry)
		d, err := fbsdDecodeVMEntry(raw, path)
		if err != nil {
			return out, err
		}
		out = append(out, d)
		clear(path)
	}
	runtime.KeepAlive(path)
	return out, nil
}

// fbsdTrapCap sets or clears P2_TRAPCAP on pid. The tracer passes
// p_candebug on its own child (kern_procctl() in sys/kern/kern_procctl.c).
func fbsdTrapCap(pid int, enable bool) error {
	v := int32(fbsdPROC_TRAPCAP_CTL_DISABLE)
	if enable {
		v = fbsdPROC_TRAPCAP_CTL_ENABLE
	}
	_, _, e := unix.Syscall6(fbsdSYS_procctl, fbsdP_PID, uintptr(pid), fbsdPROC_TRAPCAP_CTL, uintptr(unsafe.Pointer(&v)), 0, 0)
	runtime.KeepAlive(&v)
	if e != 0 {
		return e
	}
	return nil
}

// fbsdRemoteSyscall makes the stopped thread tid run syscall nr with no
// arguments (PT_SC_REMOTE, FreeBSD 14.0+), e.g. cap_enter for --enter=exec
// in enforce mode.
func fbsdRemoteSyscall(tid int, nr uint32) (fbsdPtraceScRet, error) {
	sc := fbsdPtraceScRemote{Syscall: nr}
	err := fbsdPtrace(fbsdPT_SC_REMOTE, tid, unsafe.Pointer(&sc), int(unsafe.Sizeof(sc)))
	return sc.Ret, err
}
