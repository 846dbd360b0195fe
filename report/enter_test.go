package report

import "testing"

func TestEnterReachedText(t *testing.T) {
	for _, tc := range []struct {
		enter string
		site  *EnterSite
		want  string
	}{
		{"cap_enter", nil, ""},
		{"cap_enter", &EnterSite{Pid: 4242, Function: "sandbox_init", File: "/src/prog.c", Line: 41, Module: "/src/prog"},
			"cap_enter reached in pid 4242 at sandbox_init prog.c:41"},
		{"main", &EnterSite{Pid: 7, Function: "__libc_start_call_main", Module: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
			"main reached in pid 7 at __libc_start_call_main (libc.so.6)"},
		{"exec", &EnterSite{Pid: 9, Exec: "/bin/prog"}, "exec reached in pid 9 at exec of /bin/prog"},
		{"main", &EnterSite{Pid: 9}, "main reached in pid 9"},
	} {
		r := &Report{Enter: tc.enter, EnterReached: tc.site}
		if got := r.EnterReachedText(); got != tc.want {
			t.Errorf("%s %+v: %q, want %q", tc.enter, tc.site, got, tc.want)
		}
	}
}
