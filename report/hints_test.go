package report

import "testing"

func TestRefineHint(t *testing.T) {
	meta := Meta{Command: []string{"./prog", "-v", "--config=etc/app.conf", "input.txt"}, Dir: "/home/dev"}
	g := func(syscall string, args []string, fns ...string) *Group {
		out := &Group{Syscall: syscall, Example: Example{Args: args}}
		for _, fn := range fns {
			out.Example.Stack = append(out.Example.Stack, StackFrame{Module: libc, Function: fn})
		}
		out.Example.Stack = append(out.Example.Stack, StackFrame{Module: prog, Function: "getaddrinfo_wrapper", File: "p.c", Line: 1})
		return out
	}
	path := func(p string) []string { return []string{"AT_FDCWD", `"` + p + `"`, "O_RDONLY"} }
	for _, tc := range []struct {
		name string
		g    *Group
		want string
	}{
		{"file named on the command line", g("openat", path("input.txt")), "input.txt is named on the command line: open it with cap_fileargs (fileargs_init before cap_enter, then fileargs_open)"},
		{"same file by absolute path", g("openat", path("/home/dev/input.txt")), "/home/dev/input.txt is named on the command line: open it with cap_fileargs (fileargs_init before cap_enter, then fileargs_open)"},
		{"--flag=FILE", g("openat", path("etc/app.conf")), "etc/app.conf is named on the command line: open it with cap_fileargs (fileargs_init before cap_enter, then fileargs_open)"},
		{"time zone file", g("openat", path("/usr/share/zoneinfo/Europe/Paris")), hintTZ},
		{"localtime", g("openat", path("/etc/localtime")), hintTZ},
		{"tzset in the stack", g("openat", path("/somewhere/else"), "__tzfile_read", "tzset"), hintTZ},
		{"passwd", g("openat", path("/etc/passwd")), hintPwd},
		{"group", g("openat", path("/etc/group")), hintGrp},
		{"resolv.conf", g("openat", path("/etc/resolv.conf")), hintDNS},
		{"getaddrinfo in the stack", g("connect", []string{"3", "{sa_family=AF_INET, sin_port=htons(443)}", "16"}, "connect", "getaddrinfo"), hintDNS},
		{"DNS port", g("connect", []string{"3", "{sa_family=AF_INET, sin_port=htons(53)}", "16"}), hintDNS},
		{"connect", g("connect", []string{"3", "{sa_family=AF_INET, sin_port=htons(80)}", "16"}), hintNet},
		{"syslog socket", g("connect", []string{"3", `{sa_family=AF_UNIX, sun_path="/dev/log"}`, "110"}), hintSyslog},
		{"kill", g("kill", []string{"42", "SIGTERM"}), hintKill},
		{"execve", g("execve", []string{`"/bin/sh"`, `["sh"]`, "0x7ffc"}), hintExec},
		{"sysctl", g("__sysctl", nil), hintSysctl},
		{"/proc/sys", g("openat", path("/proc/sys/kernel/random/uuid")), hintSysctl},
		{"user function names are not library calls", g("openat", path("/data/x")), "fallback"},
	} {
		if got := refineHint(tc.g, "fallback", meta); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestExampleArg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"AT_FDCWD", `"/etc/x"`, "O_RDONLY"}, `"/etc/x"`},
		{[]string{"42", "SIGTERM"}, "42, SIGTERM"},
		{[]string{"1", "2", "3", "4"}, "1, 2, 3"},
		{nil, ""},
		{[]string{`"/a/very/long/path/that/goes/on/and/on/and/on/forever/and/ever"`}, `"/a/very/long/path/that/goes/on/and/on/and/on...`},
	} {
		if got := exampleArg(tc.args); got != tc.want {
			t.Errorf("exampleArg(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
