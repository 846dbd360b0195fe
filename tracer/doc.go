// Package tracer starts a program and drives it under ptrace, on one locked
// OS thread per session, so that every syscall that can violate capability
// mode is seen at a stop.
//
// It owns process control: starting the program (start_linux.go on
// Linux) or attaching to running processes (-p, attach_linux.go),
// following their threads, children and execs, finding the enter point
// (breakpoints.go, enter.go), asking capmode about each trapped call,
// enforcing the answer, and unwinding the stopped thread's stack. On Linux
// it emulates capability mode: a process runs with no filter until its
// enter point (a program built against the Capsicum shim, under a launch
// filter that stops almost nothing), where it is made to install (syscall
// injection, inject_linux.go) a seccomp-bpf filter derived from capmode's
// table that stops only the syscalls that can violate. On
// FreeBSD the kernel enforces and PROC_TRAPCAP_CTL raises a SIGTRAP at
// each ECAPMODE/ENOTCAPABLE return.
//
// Both platforms share one session loop (session.go) behind one backend
// interface (backend.go): backend_linux.go and backend_freebsd.go say what
// a stop means and make the requests; registers live in small
// regs_<os>_<arch>.go files; the FreeBSD kernel ABI and its decoders are in
// internal/fbsd, pure Go, tested on every platform.
//
// tracer must not symbolize (it hands raw PCs and the module map over in
// each event, and symbolizing runs off the ptrace thread), must not format
// or write reports, and must not block the ptrace thread on anything but
// the tracees. Its errors are *Error values that carry their cause; only
// the command adds the program's name to a message.
package tracer
