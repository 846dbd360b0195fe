package capmode

import (
	"path/filepath"
	"strings"
	"sync"
)

// Every remedy captrace prints lives in this file. The table's entries
// carry the remedy for a syscall in general; Remedy refines it for one
// call from what its arguments, its stack and the command line show.
// Sources: FreeBSD's Casper services (lib/libcasper/services/) and
// lib/libcapsicum/capsicum_helpers.h.

// Remedies for syscalls, used by the table's entries.
const (
	hintOpenDir   = "open the directory before cap_enter() and use openat(dirfd, relative path); cap_fileargs (fileargs_open) for files named on the command line"
	hintEscape    = "keep lookups relative and beneath the descriptor: open the directory you need before cap_enter(), or use cap_fileargs"
	hintSignal    = "signal only the calling process in capability mode; use pdfork() and pdkill() for children"
	hintNetwork   = "connect or bind before cap_enter(), or use cap_net (cap_connect, cap_bind, cap_getaddrinfo)"
	hintSocket    = "create raw, packet and netlink sockets before cap_enter(); in capability mode only local, TCP, UDP and SCTP sockets can be made"
	hintSendto    = "connect the socket before cap_enter() and send without an address, or use cap_net"
	hintExec      = "open the program before cap_enter() and run it with fexecve(fd, argv, envp)"
	hintProcess   = "act only on the calling process (pid 0 or getpid()); use process descriptors (pdfork, pdkill, pdwait) for children"
	hintWait      = "start children with pdfork() and reap them with pdwait() or wait4()"
	hintNamespace = "set up namespaces, mounts and credentials before cap_enter()"
	hintGlobal    = "do this before cap_enter(), or ask a Casper service (cap_sysctl, cap_pwd, cap_grp, cap_net) to do it"
	hintPathCall  = "use the *at form with a directory descriptor opened before cap_enter(): openat, fstatat, unlinkat, mkdirat, renameat, readlinkat, ..."
)

// Remedies for what a call is for: the file it opens, the library call
// that made it.
const (
	hintFileargs = "%s is named on the command line: open it with cap_fileargs (fileargs_init before cap_enter, then fileargs_open)"
	hintTZ       = "time zone data: call caph_cache_tzdata() (tzset) before cap_enter()"
	hintCatpages = "message catalogs: call caph_cache_catpages() before cap_enter()"
	hintLocale   = "locale data: call setlocale() and caph_cache_catpages() before cap_enter()"
	hintPwd      = "user database: use cap_pwd (cap_getpwnam, cap_getpwuid) through a Casper channel opened before cap_enter()"
	hintGrp      = "group database: use cap_grp (cap_getgrnam, cap_getgrgid) through a Casper channel opened before cap_enter()"
	hintDNS      = "name resolution: use cap_net's cap_getaddrinfo (cap_dns on older FreeBSD) through a Casper channel opened before cap_enter()"
	hintSyslog   = "syslog: use cap_syslog (cap_openlog, cap_syslog), or openlog(LOG_NDELAY) before cap_enter()"
	hintSysctl   = "sysctl: use cap_sysctl (cap_sysctlbyname), or read the value before cap_enter()"
	hintRealpath = "realpath: resolve paths before cap_enter(), or use fileargs_realpath (cap_fileargs)"
	hintRandom   = "randomness: use getrandom(2) or arc4random(3), both allowed in capability mode"
	hintProcFS   = "Linux-only pseudo file: read what you need before cap_enter(); FreeBSD has sysctl (cap_sysctl)"
)

// libraryHints match functions of system code in the stack: the library
// call that led to the syscall names the remedy best.
var libraryHints = []struct {
	prefixes []string
	hint     string
}{
	{[]string{"getaddrinfo", "gethostbyname", "gethostbyaddr", "getnameinfo", "res_n", "__res_"}, hintDNS},
	{[]string{"getpwnam", "getpwuid", "getpwent", "getspnam", "os/user."}, hintPwd},
	{[]string{"getgrnam", "getgrgid", "getgrent", "getgrouplist", "initgroups"}, hintGrp},
	{[]string{"tzset", "__tzfile_read", "tzload", "time.loadLocation", "time.initLocal"}, hintTZ},
	{[]string{"catopen"}, hintCatpages},
	{[]string{"openlog", "syslog", "vsyslog", "log/syslog."}, hintSyslog},
	{[]string{"sysctlbyname", "sysctlnametomib"}, hintSysctl},
	{[]string{"realpath"}, hintRealpath},
}

// pathHints match a path the call names (or a socket's file), by whole
// components: "/etc/group" is not "/etc/groups". The first match wins.
var pathHints = []struct {
	prefixes []string
	hint     string
}{
	{[]string{"/usr/share/zoneinfo", "/etc/localtime", "/etc/timezone"}, hintTZ},
	{[]string{"/usr/share/nls"}, hintCatpages},
	{[]string{"/usr/share/locale", "/usr/lib/locale"}, hintLocale},
	{[]string{"/etc/passwd", "/etc/master.passwd", "/etc/pwd.db", "/etc/spwd.db", "/etc/shadow"}, hintPwd},
	{[]string{"/etc/group"}, hintGrp},
	{[]string{"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols"}, hintDNS},
	{[]string{"/dev/log", "/var/run/log", "/run/systemd/journal"}, hintSyslog},
	{[]string{"/dev/urandom", "/dev/random"}, hintRandom},
	{[]string{"/proc/sys"}, hintSysctl},
	{[]string{"/proc", "/sys"}, hintProcFS},
}

// partlyAllowedHints are for calls the table lets through because
// capability mode allows them in part (sysctl nodes, lookups beneath a
// descriptor); when the kernel refuses one, the table has no remedy.
// Built at first use, not at start-up (issue 15).
var partlyAllowedHints = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"__sysctl": hintSysctl, "__sysctlbyname": hintSysctl,
		"__realpathat": hintRealpath,
	}
})

// dnsPort is the port of a socket address that is a name server.
const dnsPort = 53

// pathRemedy is the remedy for a well-known file, else fallback. Check
// calls it at the stop, so it allocates nothing.
func pathRemedy(path, fallback string) string {
	for _, h := range pathHints {
		for _, pre := range h.prefixes {
			if strings.HasPrefix(path, pre) && (len(path) == len(pre) || path[len(pre)] == '/') {
				return h.hint
			}
		}
	}
	return fallback
}

// Circumstances are what is known of one violation besides its verdict.
type Circumstances struct {
	Syscall string
	Args    []Arg // as Decode captured them
	// LibraryCalls are the functions of system code in the stack,
	// innermost first (the program's own functions may be named
	// anything, so they are left out).
	LibraryCalls []string
	// Command is the traced command line, argv[0] first, and Dir the
	// directory it started in: a file named there is the program's
	// input, which cap_fileargs is for.
	Command []string
	Dir     string
}

// Remedy is the one hint a porter needs for a violation: from the library
// call behind it, then the file or address it names, then the command
// line, then the syscall; else the verdict's own.
func Remedy(v Verdict, c Circumstances) string {
	for _, fn := range c.LibraryCalls {
		for _, h := range libraryHints {
			for _, p := range h.prefixes {
				if strings.HasPrefix(fn, p) {
					return h.hint
				}
			}
		}
	}
	path, hasPath := "", false
	for _, a := range c.Args {
		if p, ok := a.Path(); ok && !hasPath {
			path, hasPath = p, true
		}
	}
	for _, a := range c.Args {
		if port, ok := a.Port(); ok && port == dnsPort {
			return hintDNS
		}
		if p, ok := a.SocketPath(); ok {
			path, hasPath = p, true
		}
	}
	if hasPath {
		if h := pathRemedy(path, ""); h != "" {
			return h
		}
		if namedOnCommandLine(path, c.Command, c.Dir) {
			return strings.Replace(hintFileargs, "%s", path, 1)
		}
	}
	if h, ok := partlyAllowedHints()[c.Syscall]; ok {
		return h
	}
	return v.Hint
}

// namedOnCommandLine reports whether p is one of the command's arguments
// (bare, or as --flag=FILE), compared as absolute paths from dir.
func namedOnCommandLine(p string, command []string, dir string) bool {
	if len(command) < 2 {
		return false
	}
	abs := func(s string) string {
		if filepath.IsAbs(s) || dir == "" {
			return filepath.Clean(s)
		}
		return filepath.Join(dir, s)
	}
	want := abs(p)
	for _, a := range command[1:] {
		if a == "" || strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
			continue
		}
		// --config=FILE names FILE as much as a bare argument does.
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = v
		}
		if a == p || abs(a) == want {
			return true
		}
	}
	return false
}

// RightsDenial is what refused a call on a limited descriptor, as far as
// its remedy goes.
type RightsDenial struct {
	Escape  bool   // a lookup leaving a limited directory
	Ioctl   bool   // the ioctl command is not in the cap_ioctls_limit list
	Fcntl   bool   // the fcntl command is not in the cap_fcntls_limit mask
	Missing string // otherwise: the CAP_* rights it lacked, "CAP_WRITE"
}

// RightsRemedy is the remedy for a descriptor-rights violation (kind
// rights): widen the limit where it is set, before cap_enter().
func RightsRemedy(d RightsDenial) string {
	switch {
	case d.Escape:
		return "look up only names beneath the directory, or open what it needs before limiting it"
	case d.Ioctl:
		return "add the command to the descriptor's cap_ioctls_limit list before cap_enter()"
	case d.Fcntl:
		return "add the command's CAP_FCNTL_* bit to its cap_fcntls_limit mask before cap_enter()"
	}
	return "add " + d.Missing + " to the descriptor's cap_rights_limit before cap_enter() (captrace --suggest-rights lists what each descriptor needs)"
}

// KernelRefusalRemedy is the remedy for a refusal the table does not
// explain: FreeBSD's kernel answered ECAPMODE or ENOTCAPABLE for a call
// whose rule allows it (a descriptor's rights, most often).
func KernelRefusalRemedy(o Outcome) string {
	if o == CapMode {
		return hintGlobal
	}
	return "grant the right with cap_rights_limit() before cap_enter(), or open a descriptor that has it"
}
