// Package rightsemu is the Linux emulation of Capsicum descriptor rights,
// without ptrace: it answers the shim's calls (internal/shimabi) from a
// process's rights.Table, decides whether a descriptor syscall has the
// rights it needs, moves limits along with descriptors when calls succeed
// (dup, openat through a limited directory, accept, SCM_RIGHTS, close),
// and records what each descriptor was used for, for --suggest-rights.
//
// The tracer owns the processes and their memory; everything it hands in
// comes through small interfaces, so each rule is tested here with fakes.
// rightsemu never symbolizes: where a limit was set is an opaque
// rights.Origin the tracer resolves.
package rightsemu
