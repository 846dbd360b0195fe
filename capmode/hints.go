package capmode

import "strings"

// Remedies, from lib/libcasper/services/ and lib/libcapsicum/capsicum_helpers.h.
const (
	hintOpenDir   = "open the directory before cap_enter() and use openat(dirfd, relative path); cap_fileargs (fileargs_open) for files named on the command line"
	hintEscape    = "keep lookups relative and beneath the descriptor: open the directory you need before cap_enter(), or use cap_fileargs"
	hintSignal    = "signal only the calling process in capability mode; use pdfork() and pdkill() for children"
	hintNetwork   = "connect or bind before cap_enter(), or use cap_net (cap_connect, cap_bind, cap_getaddrinfo)"
	hintSendto    = "connect the socket before cap_enter() and send without an address, or use cap_net"
	hintExec      = "open the program before cap_enter() and run it with fexecve(fd, argv, envp)"
	hintProcess   = "act only on the calling process (pid 0 or getpid()); use process descriptors (pdfork, pdkill, pdwait) for children"
	hintWait      = "start children with pdfork() and reap them with pdwait() or wait4()"
	hintNamespace = "set up namespaces, mounts and credentials before cap_enter()"
	hintGlobal    = "do this before cap_enter(), or ask a Casper service (cap_sysctl, cap_pwd, cap_grp, cap_net) to do it"
	hintPathCall  = "use the *at form with a directory descriptor opened before cap_enter(): openat, fstatat, unlinkat, mkdirat, renameat, readlinkat, ..."
)

// pathHint refines the remedy for well-known global files: the usual
// reasons a program opens them have dedicated Capsicum helpers.
func pathHint(path, fallback string) string {
	switch {
	case strings.HasPrefix(path, "/usr/share/zoneinfo") || strings.HasPrefix(path, "/etc/localtime"):
		return "call caph_cache_tzdata() (it runs tzset()) before cap_enter()"
	case path == "/etc/passwd" || path == "/etc/master.passwd" || path == "/etc/pwd.db" || path == "/etc/spwd.db":
		return "look users up through Casper: cap_pwd (cap_getpwnam, cap_getpwuid)"
	case path == "/etc/group":
		return "look groups up through Casper: cap_grp (cap_getgrnam, cap_getgrgid)"
	case path == "/etc/resolv.conf" || path == "/etc/hosts" || path == "/etc/nsswitch.conf" ||
		path == "/etc/services" || path == "/etc/protocols" || path == "/etc/gai.conf" || path == "/etc/host.conf":
		return "resolve names through Casper: cap_net (cap_getaddrinfo) or cap_dns"
	case path == "/dev/urandom" || path == "/dev/random":
		return "use getrandom(2) or arc4random(3), both allowed in capability mode"
	case strings.HasPrefix(path, "/usr/share/locale") || strings.HasPrefix(path, "/usr/lib/locale") ||
		strings.HasPrefix(path, "/usr/share/nls"):
		return "call setlocale() and caph_cache_catpages() before cap_enter()"
	case strings.HasPrefix(path, "/proc/") || strings.HasPrefix(path, "/sys/"):
		return "Linux-only pseudo file: read what you need before cap_enter(); FreeBSD has sysctl (cap_sysctl)"
	}
	return fallback
}
