package tracer

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// injectFilter makes the stopped thread tid of process pid install a
// seccomp filter for its whole process: prctl(PR_SET_NO_NEW_PRIVS) and
// seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, prog). TSYNC
// puts the filter on every thread of the process at once
// (kernel/seccomp.c, seccomp_sync_threads); children created afterwards
// inherit it and it survives exec. The program goes into a page mapped
// for the purpose and unmapped afterwards, so neither the stack (a small
// goroutine stack may have no room below its red zone) nor any of the
// program's memory is touched. The thread is left stopped, for the caller
// to resume: from a syscall entry it returns pendingRet from that call,
// from any other stop it goes on where it was. image holds what is known
// of pid's image already, and learns where its syscall instruction is.
func injectFilter(pid, tid int, image *imageAddrs, kind injectionStop, prog []bpf.RawInstruction, pendingRet int64) (err error) {
	inj, err := beginInjection(pid, tid, image, kind)
	if err != nil {
		return err
	}
	fail := func(what string, ret int64) error {
		return fmt.Errorf("%s: %w", what, unix.Errno(-ret))
	}
	defer func() {
		if _, gone := err.(*errTraceeGone); gone {
			return
		}
		if ferr := inj.finish(pendingRet); err == nil {
			err = ferr
		}
	}()

	// struct sock_fprog {unsigned short len; struct sock_filter *filter;}
	// (include/uapi/linux/filter.h): 16 bytes on 64-bit, then the program.
	const header = 16
	data := make([]byte, header+8*len(prog))
	size := uint64(len(data)+pageSize-1) &^ (pageSize - 1)
	addr, err := inj.call(unix.SYS_MMAP, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uint64(0), 0)
	if err != nil {
		return err
	}
	if addr < 0 && addr > -4096 {
		return fail("mmap", addr)
	}
	defer func() {
		if _, gone := err.(*errTraceeGone); gone {
			return
		}
		if ret, uerr := inj.call(unix.SYS_MUNMAP, uint64(addr), size); err == nil && uerr != nil {
			err = uerr
		} else if err == nil && ret != 0 {
			err = fail("munmap", ret)
		}
	}()
	binary.NativeEndian.PutUint16(data[0:], uint16(len(prog)))
	binary.NativeEndian.PutUint64(data[8:], uint64(addr)+header)
	for i, ins := range prog {
		b := data[header+8*i:]
		binary.NativeEndian.PutUint16(b[0:], ins.Op)
		b[2], b[3] = ins.Jt, ins.Jf
		binary.NativeEndian.PutUint32(b[4:], ins.K)
	}
	if err := inj.write(pid, uint64(addr), data); err != nil {
		return err
	}
	// Without NO_NEW_PRIVS an unprivileged process may not install a
	// filter (seccomp(2)).
	if ret, err := inj.call(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	} else if ret != 0 {
		return fail("prctl(PR_SET_NO_NEW_PRIVS)", ret)
	}
	ret, err := inj.call(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uint64(addr))
	switch {
	case err != nil:
		return err
	case ret > 0:
		// TSYNC names the thread it could not synchronize (one with a
		// filter stack of its own).
		return fmt.Errorf("seccomp(TSYNC): thread %d has filters of its own", ret)
	case ret < 0:
		return fail("seccomp", ret)
	}
	return nil
}

const pageSize = 4096
