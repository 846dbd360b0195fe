package capmode

import (
	"strconv"
	"strings"
	"sync"
)

// The maps below are built at first use (FreeBSD() builds its table), not
// at package initialisation: every captrace start-up would otherwise pay
// for them, FreeBSD table or not (issue 15).

// freebsdArgRules refines CAPENABLED syscalls whose arguments the kernel
// still checks in capability mode.
var freebsdArgRules = sync.OnceValue(func() map[string]Entry {
	return map[string]Entry{
		"openat":               atPath(0, "", "", "", pa(0, 1, 2, PathOpen)),
		"faccessat":            atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"fchmodat":             atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"fchownat":             atPath(0, "", "", "", pa(0, 1, 4, PathFollow)),
		"fstatat":              atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"freebsd11_fstatat":    atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"futimesat":            atPath(0, "", "", "", pa(0, 1, -1, PathFollow)),
		"utimensat":            atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"chflagsat":            atPath(0, "", "", "", pa(0, 1, 3, PathFollow)),
		"linkat":               atPath(0, "", "", "", pa(0, 1, 4, PathFollowIfFlag), pa(2, 3, -1, PathCreate)),
		"mkdirat":              atPath(0, "", "", "", pa(0, 1, -1, PathCreate)),
		"mkfifoat":             atPath(0, "", "", "", pa(0, 1, -1, PathCreate)),
		"mknodat":              atPath(0, "", "", "", pa(0, 1, -1, PathCreate)),
		"freebsd11_mknodat":    atPath(0, "", "", "", pa(0, 1, -1, PathCreate)),
		"readlinkat":           atPath(0, "", "", "", pa(0, 1, -1, PathNoFollow)),
		"renameat":             atPath(0, "", "", "", pa(0, 1, -1, PathNoFollow), pa(2, 3, -1, PathCreate)),
		"renameat2":            atPath(0, "", "", "", pa(0, 1, -1, PathNoFollow), pa(2, 3, -1, PathCreate)),
		"symlinkat":            atPath(0, "", "", "", pa(1, 2, -1, PathCreate)),
		"unlinkat":             atPath(0, "", "", "", pa(0, 1, -1, PathNoFollow)),
		"funlinkat":            atPath(0, "", "", "", pa(0, 1, -1, PathNoFollow)),
		"inotify_add_watch_at": atPath(0, "", "", "", pa(1, 2, -1, PathFollow)),
		"kill": argRule(0, "", RuleSignalProcess, "", KindSignal, 0,
			"only the caller itself, else ECAPMODE (sys_kill, kern_sig.c)", hintSignal),
		"sendto": argRule(0, "", RuleSendAddress, "", KindNetwork, 0,
			"a destination address is ECAPMODE (sendit(), uipc_syscalls.c)", hintSendto),
		"sendmsg": argRule(0, "", RuleSendmsgAddress, "", KindNetwork, 0,
			"msg_name set is ECAPMODE (sendit(), uipc_syscalls.c)", hintSendto),
		"osendmsg": argRule(0, "", RuleSendmsgAddress, "", KindNetwork, 0,
			"msg_name set is ECAPMODE (sendit(), uipc_syscalls.c)", hintSendto),
		"socket": argRule(0, "", RuleSocketProtocol, "", KindNetwork, 0,
			"socreate() refuses protocols without PR_CAPATTACH: raw IP, routing sockets (uipc_socket.c; capmode.cc AllowedSocketSyscallsIfRoot)", hintSocket),
		"bindat": argRule(0, "", RuleSocketAt, "", KindNetwork, 0,
			"bindat(AT_FDCWD, ...) is ECAPMODE (namei, vfs_lookup.c)", hintNetwork),
		"connectat": argRule(0, "", RuleSocketAt, "", KindNetwork, 0,
			"connectat(AT_FDCWD, ...) is ECAPMODE (namei, vfs_lookup.c)", hintNetwork),
	}
})

// freebsdAllowReasons explain CAPENABLED calls whose kernel code could be
// expected to restrict their arguments but does not ("" = the plain
// CAPENABLED reason).
var freebsdAllowReasons = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"sigqueue":           capEnabled("sigqueue") + "; kern_sigqueue checks only p_cansignal, not capability mode, unlike sys_kill (kern_sig.c)",
		"wait4":              capEnabled("wait4") + "; in capability mode kern_wait6 skips pdfork children (kern_exit.c)",
		"getpriority":        capEnabled("getpriority") + "; kern_getpriority checks only p_cansee (kern_resource.c)",
		"setpriority":        capEnabled("setpriority") + "; kern_setpriority checks only p_cansee/p_cansched (kern_resource.c)",
		"getpgid":            capEnabled("getpgid") + "; sys_getpgid checks only p_cansee (kern_prot.c)",
		"getsid":             capEnabled("getsid") + "; kern_getsid checks only p_cansee (kern_prot.c)",
		"cpuset_getaffinity": capEnabled("cpuset_getaffinity") + "; cpuset_check_capabilities (kern_cpuset.c) allows only CPU_LEVEL_WHICH on the caller's own thread or process",
		"cpuset_setaffinity": capEnabled("cpuset_setaffinity") + "; cpuset_check_capabilities (kern_cpuset.c) allows only CPU_LEVEL_WHICH on the caller's own thread or process",
		"cpuset_getdomain":   capEnabled("cpuset_getdomain") + "; cpuset_check_capabilities (kern_cpuset.c) allows only CPU_LEVEL_WHICH on the caller's own thread or process",
		"cpuset_setdomain":   capEnabled("cpuset_setdomain") + "; cpuset_check_capabilities (kern_cpuset.c) allows only CPU_LEVEL_WHICH on the caller's own thread or process",
	}
})

// freebsdPathCalls take a path from the working directory or root.
var freebsdPathCalls = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"open": true, "ocreat": true, "link": true, "unlink": true, "chdir": true, "freebsd11_mknod": true,
		"chmod": true, "chown": true, "mount": true, "unmount": true, "access": true, "chflags": true,
		"ostat": true, "olstat": true, "ktrace": true, "acct": true, "revoke": true, "symlink": true,
		"readlink": true, "chroot": true, "swapon": true, "rename": true, "otruncate": true,
		"mkfifo": true, "mkdir": true, "rmdir": true, "utimes": true, "quotactl": true,
		"freebsd4_statfs": true, "lgetfh": true, "getfh": true, "freebsd11_stat": true,
		"freebsd11_lstat": true, "pathconf": true, "freebsd6_truncate": true, "undelete": true,
		"lchown": true, "lchmod": true, "lutimes": true, "freebsd11_nstat": true,
		"freebsd11_nlstat": true, "kldload": true, "__acl_get_file": true, "__acl_set_file": true,
		"__acl_delete_file": true, "__acl_aclcheck_file": true, "extattrctl": true,
		"extattr_set_file": true, "extattr_get_file": true, "extattr_delete_file": true,
		"eaccess": true, "__mac_get_file": true, "__mac_set_file": true, "lchflags": true,
		"freebsd11_statfs": true, "__mac_get_link": true, "__mac_set_link": true,
		"extattr_set_link": true, "extattr_get_link": true, "extattr_delete_link": true,
		"__acl_get_link": true, "__acl_set_link": true, "__acl_delete_link": true,
		"__acl_aclcheck_link": true, "extattr_list_file": true, "extattr_list_link": true,
		"auditctl": true, "truncate": true, "lpathconf": true, "statfs": true, "swapoff": true,
		"freebsd13_swapoff": true, "__realpathat": true, "__getcwd": true, "fchdir": true,
		"fchroot": true, "shm_unlink": true, "shm_rename": true, "kmq_open": true, "kmq_unlink": true,
		"ksem_open": true, "ksem_unlink": true, "getfhat": true, "fhlink": true, "fhlinkat": true,
	}
})

var freebsdProcessCalls = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"execve": true, "__mac_execve": true, "ptrace": true, "wait6": true, "procctl": true,
		"setpgid": true, "thr_kill2": true, "okillpg": true, "kcmp": true, "owait": true,
		"setgroups": true, "freebsd14_setgroups": true, "setlogin": true, "setloginclass": true,
		"swapcontext": true, "__setugid": true, "jail_attach": true, "jail_attach_jd": true,
	}
})

func freebsdEntries() []Entry {
	var entries []Entry
	for _, line := range strings.Split(freebsdSyscalls, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		nr, err := strconv.Atoi(f[0])
		if err != nil {
			panic("capmode: bad freebsdSyscalls line " + line)
		}
		name := f[1]
		capEnabledFlag := len(f) > 2 && f[2] == "c"
		entries = append(entries, freebsdEntry(nr, name, capEnabledFlag))
	}
	return entries
}

func freebsdEntry(nr int, name string, capEnabledFlag bool) Entry {
	if capEnabledFlag {
		if r, ok := freebsdArgRules()[name]; ok {
			r.Nr, r.Name, r.FreeBSD = nr, name, name
			if r.Rule == RuleAtPath {
				r.Reason = capEnabled(name) + "; namei refuses AT_FDCWD (ECAPMODE) and escapes from the descriptor (ENOTCAPABLE) (vfs_lookup.c)"
			} else {
				r.Reason = capEnabled(name) + "; " + r.Reason
			}
			return r
		}
		return allow(nr, name, name, freebsdAllowReasons()[name])
	}
	switch {
	case freebsdPathCalls()[name]:
		return pathCall(nr, name, name)
	case name == "connect" || name == "bind":
		return deny(nr, name, name, KindNetwork, "", hintNetwork)
	case name == "execve" || name == "__mac_execve":
		return deny(nr, name, name, KindProcess, "", hintExec)
	case name == "wait6":
		return deny(nr, name, name, KindProcess, "", hintWait)
	case freebsdProcessCalls()[name]:
		return deny(nr, name, name, KindProcess, "", hintProcess)
	}
	return deny(nr, name, name, KindSyscall, "", hintGlobal)
}
