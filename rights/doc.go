// Package rights is Capsicum descriptor rights as FreeBSD defines them: the
// cap_rights_t bit layout and every CAP_* right with FreeBSD's values
// (sys/sys/capsicum.h, sys/sys/caprights.h), the CAP_FCNTL_* mask, the rights
// each Linux syscall needs on its descriptors (FreeBSD's table, mapped onto
// Linux's calls), and a per-process descriptor table that narrows, copies and
// inherits limits as FreeBSD's kernel does (sys/kern/sys_capability.c,
// sys/kern/kern_descrip.c).
//
// The package is pure: it never touches a process. The Linux tracer feeds it
// the calls it traps; the FreeBSD backend decodes kf_cap_rights with it; the
// shim generator writes its constants into C headers, so the values in the
// headers and in the tracer cannot drift apart.
package rights
