package report

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Remedies come from FreeBSD's libcasper services (lib/libcasper/services/)
// and capsicum_helpers.h. capmode's hint says what to do about a syscall in
// general; the arguments and the stack often say which remedy fits this
// call, and that is the one a porter needs.
const (
	hintFileargs = "%s is named on the command line: open it with cap_fileargs (fileargs_init before cap_enter, then fileargs_open)"
	hintTZ       = "time zone data: call caph_cache_tzdata() (tzset) before cap_enter()"
	hintCatpages = "message catalogs: call caph_cache_catpages() before cap_enter()"
	hintPwd      = "user database: use cap_pwd (cap_getpwnam, cap_getpwuid) through a Casper channel opened before cap_enter()"
	hintGrp      = "group database: use cap_grp (cap_getgrnam, cap_getgrgid) through a Casper channel opened before cap_enter()"
	hintDNS      = "name resolution: use cap_net's cap_getaddrinfo (cap_dns on older FreeBSD) through a Casper channel opened before cap_enter()"
	hintNet      = "network: use cap_net (cap_connect, cap_bind) or connect the socket before cap_enter()"
	hintSyslog   = "syslog: use cap_syslog (cap_openlog, cap_syslog), or openlog(LOG_NDELAY) before cap_enter()"
	hintSysctl   = "sysctl: use cap_sysctl (cap_sysctlbyname), or read the value before cap_enter()"
	hintKill     = "signals to other processes: create children with pdfork() and signal them with pdkill()"
	hintExec     = "execve: open the program before cap_enter() and run it with fexecve()"
	hintRealpath = "realpath: resolve paths before cap_enter(), or use fileargs_realpath (cap_fileargs)"
)

// stackHints match functions anywhere in the example stack: the library
// call that led to the syscall names the remedy best.
var stackHints = []struct {
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

// pathHints match the path argument.
var pathHints = []struct {
	prefixes []string
	hint     string
}{
	{[]string{"/usr/share/zoneinfo", "/etc/localtime", "/etc/timezone"}, hintTZ},
	{[]string{"/usr/share/nls"}, hintCatpages},
	{[]string{"/etc/passwd", "/etc/master.passwd", "/etc/pwd.db", "/etc/spwd.db", "/etc/shadow"}, hintPwd},
	{[]string{"/etc/group"}, hintGrp},
	{[]string{"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols"}, hintDNS},
	{[]string{"/dev/log", "/var/run/log", "/run/systemd/journal"}, hintSyslog},
	{[]string{"/proc/sys/"}, hintSysctl},
}

// syscallHints match the syscall when nothing more specific did.
var syscallHints = map[string]string{
	"connect": hintNet, "bind": hintNet, "sendto": hintNet, "sendmsg": hintNet, "sendmmsg": hintNet,
	"kill": hintKill, "tkill": hintKill, "tgkill": hintKill, "thr_kill2": hintKill,
	"execve": hintExec, "execveat": hintExec,
	"__sysctl": hintSysctl, "__sysctlbyname": hintSysctl, "sysctl": hintSysctl, "_sysctl": hintSysctl,
	"__realpathat": hintRealpath,
}

// refineHint picks the hint for a group: from the stack, then the path,
// then the command line, then the syscall, else capmode's own hint.
func refineHint(g *Group, fallback string, meta Meta) string {
	for _, f := range g.Example.Stack {
		if !IsSystemFrame(f.frame()) {
			continue // the program's own functions may be named anything
		}
		for _, h := range stackHints {
			for _, p := range h.prefixes {
				if strings.HasPrefix(f.Function, p) {
					return h.hint
				}
			}
		}
	}
	p, hasPath := pathArg(g.Example.Args)
	for _, a := range g.Example.Args {
		// sockaddrs are decoded as {sa_family=AF_UNIX, sun_path="/dev/log"}.
		if strings.Contains(a, "sun_path=") {
			if _, v, ok := strings.Cut(a, "sun_path="); ok {
				p, hasPath = unquote(strings.TrimRight(v, "}")), true
			}
		}
		if strings.Contains(a, "htons(53)") {
			return hintDNS
		}
	}
	if hasPath {
		for _, h := range pathHints {
			for _, pre := range h.prefixes {
				if p == strings.TrimSuffix(pre, "/") || strings.HasPrefix(p, strings.TrimSuffix(pre, "/")+"/") {
					return h.hint
				}
			}
		}
		if namedOnCommandLine(p, meta) {
			return strings.Replace(hintFileargs, "%s", p, 1)
		}
	}
	if h, ok := syscallHints[g.Syscall]; ok {
		return h
	}
	return fallback
}

// pathArg finds the first quoted string argument, the way strace shows
// paths ("\"/etc/x\"", possibly followed by "..." when truncated).
func pathArg(args []string) (string, bool) {
	for _, a := range args {
		if strings.HasPrefix(a, `"`) {
			return unquote(a), true
		}
	}
	return "", false
}

func unquote(a string) string {
	a = strings.TrimSuffix(a, "...")
	if s, err := strconv.Unquote(a); err == nil {
		return s
	}
	return strings.Trim(a, `"`)
}

func namedOnCommandLine(p string, meta Meta) bool {
	if len(meta.Command) < 2 {
		return false
	}
	abs := func(s string) string {
		if filepath.IsAbs(s) || meta.Dir == "" {
			return filepath.Clean(s)
		}
		return filepath.Join(meta.Dir, s)
	}
	want := abs(p)
	for _, a := range meta.Command[1:] {
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
