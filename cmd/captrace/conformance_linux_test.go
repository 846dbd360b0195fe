package main

import (
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestConformance runs the conformance victim in enforce mode with two
// distinctive errnos: each of its raw syscalls must meet the fate FreeBSD's
// capability mode gives it (ECAPMODE -> EDOM, ENOTCAPABLE -> ERANGE,
// allowed -> neither), and captrace must report every refused one. The
// expectations are FreeBSD's tests/sys/capsicum ones with a Linux
// counterpart (the victim names each file and test).
func TestConformance(t *testing.T) {
	for _, v := range []victims.Variant{victims.O0, victims.O2} {
		t.Run(string(v), func(t *testing.T) {
			r := captrace(t, "--mode=enforce", "--errno-capmode=EDOM", "--errno-notcapable=ERANGE",
				victims.C(t, "conformance", v), "33", "34")
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			refused := 0
			for _, l := range lines {
				if strings.Contains(l, "FAIL") {
					t.Errorf("%s", l)
				}
				if strings.Contains(l, "expected=ECAPMODE") || strings.Contains(l, "expected=ENOTCAPABLE") {
					refused++
				}
			}
			if r.exit != 0 {
				t.Errorf("conformance exit %d\n%s\nstderr:\n%s", r.exit, r.stdout, r.stderr)
			}
			if refused < 135 {
				t.Errorf("only %d refused calls checked; want at least 135", refused)
			}
			// Lines from other threads and processes, and the re-audited
			// socket rule, must be there, not silently lost.
			for _, want := range []string{
				"thread_open expected=ECAPMODE", "late_thread_open expected=ECAPMODE",
				"child_open expected=ECAPMODE", "socket_raw_icmp expected=ECAPMODE",
				"socket_netlink_route expected=ECAPMODE", "socket_packet expected=ECAPMODE",
				"socket_tcp expected=allowed", "execveat_dotdot expected=ENOTCAPABLE",
				"openat_sub_symlink_up expected=ENOTCAPABLE", "clone_pidfd_pdfork expected=allowed",
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("no line %q in the victim's output", want)
				}
			}
			if r.report.Summary.Violations != refused {
				t.Errorf("report counts %d violations, the victim made %d refused calls", r.report.Summary.Violations, refused)
			}
		})
	}
}

// TestNoFalsePositives: programs doing only allowed work after main report
// nothing: glibc (dynamic and static, -O0 and -O2, threads) and the Go
// runtime (goroutines, timers, signals).
func TestNoFalsePositives(t *testing.T) {
	progs := map[string]string{
		"c-O0":        victims.C(t, "noviolation", victims.O0),
		"c-O2":        victims.C(t, "noviolation", victims.O2),
		"c-static-O2": victims.C(t, "noviolation", victims.O2, "-static"),
		"go":          victims.Go(t, "noviolation_go"),
	}
	for name, prog := range progs {
		t.Run(name, func(t *testing.T) {
			r := captrace(t, "--enter=main", prog)
			if r.exit != 0 {
				t.Errorf("exit %d\n%s", r.exit, r.stderr)
			}
			for _, g := range r.report.Groups {
				t.Errorf("false positive: %s %s at %s %s:%d args %v", g.Syscall, g.Errno, g.Site.Function, g.Site.File, g.Site.Line, g.Example.Args)
			}
		})
	}
}
