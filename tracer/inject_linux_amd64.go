package tracer

import "golang.org/x/sys/unix"

// The linux/amd64 details of syscall injection (inject_linux.go).

// syscallInsn is the `syscall` instruction (0F 05). Both it and `int 0x80`
// are two bytes long, so a thread stopped at a syscall has its instruction
// just before rip.
var syscallInsn = []byte{0x0f, 0x05}

// setInjectedCall loads a syscall into the registers the `syscall`
// instruction reads (rax and rdi, rsi, rdx, r10, r8, r9: the kernel's
// calling convention, arch/x86/entry/entry_64.S). orig_rax -1 says "not in
// a syscall", so the kernel's restart logic (arch_do_signal_or_restart in
// arch/x86/kernel/signal.c) leaves rip and rax alone when the stop ends.
func setInjectedCall(r *unix.PtraceRegs, pc uint64, nr int, args [6]uint64) {
	r.Rip = pc
	r.Rax = uint64(nr)
	r.Orig_rax = ^uint64(0)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9 = args[0], args[1], args[2], args[3], args[4], args[5]
}

// replacePendingCall turns the syscall a thread is stopped at the entry of
// (a seccomp stop) into another: the kernel runs what orig_rax names
// (seccomp(2): the tracer may change the syscall at a RET_TRACE stop).
func replacePendingCall(r *unix.PtraceRegs, nr int, args [6]uint64) {
	r.Orig_rax = uint64(nr)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9 = args[0], args[1], args[2], args[3], args[4], args[5]
}

// syscallReturn is the value a syscall left: the result, or -errno.
func syscallReturn(r *unix.PtraceRegs) int64 { return int64(r.Rax) }

// completePendingCall makes a thread that was stopped at a syscall's entry
// return ret from it: rip is already past the instruction, and orig_rax -1
// makes the kernel skip the call if the thread is still at that entry
// (seccomp(2): "the tracer can skip the system call by changing the system
// call number to -1").
func completePendingCall(r *unix.PtraceRegs, ret int64) {
	r.Rax = uint64(ret)
	r.Orig_rax = ^uint64(0)
}
