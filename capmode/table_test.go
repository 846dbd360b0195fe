package capmode

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sysnums parses golang.org/x/sys/unix's generated syscall list for one
// GOOS/GOARCH from the module cache, at the version go.mod requires.
func sysnums(t *testing.T, file string) map[string]int {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Skipf("go list golang.org/x/sys: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "unix", file)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^\s*SYS_(\w+)\s*=\s*(\d+)`)
	nums := map[string]int{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m := re.FindStringSubmatch(s.Text()); m != nil {
			n, _ := strconv.Atoi(m[2])
			nums[strings.ToLower(m[1])] = n
		}
	}
	if len(nums) == 0 {
		t.Fatalf("no SYS_ constants in %s", path)
	}
	return nums
}

func TestLinuxTableCoversEveryXSysSyscall(t *testing.T) {
	want := sysnums(t, "zsysnum_linux_amd64.go")
	tab := Linux()
	for name, nr := range want {
		e, ok := tab.ByName(name)
		if !ok {
			t.Errorf("SYS_%s (%d) has no entry", strings.ToUpper(name), nr)
			continue
		}
		if e.Nr != nr {
			t.Errorf("%s: table says %d, x/sys says %d", name, e.Nr, nr)
		}
	}
	for _, e := range tab.Entries {
		if _, ok := want[e.Name]; !ok {
			t.Errorf("entry %s (%d) is not in x/sys", e.Name, e.Nr)
		}
	}
	if len(tab.Entries) != len(want) {
		t.Errorf("%d entries for %d x/sys syscalls", len(tab.Entries), len(want))
	}
}

func TestEntriesAreExplained(t *testing.T) {
	for _, tab := range []*Table{Linux(), FreeBSD()} {
		seen := map[int]bool{}
		for _, e := range tab.Entries {
			if seen[e.Nr] {
				t.Errorf("%s: number %d twice", tab.OS, e.Nr)
			}
			seen[e.Nr] = true
			if e.Reason == "" {
				t.Errorf("%s %s: no reason", tab.OS, e.Name)
			}
			if e.Rule == "" {
				t.Errorf("%s %s: no rule", tab.OS, e.Name)
			}
			if e.Rule != RuleAllow && (e.Kind == "" || e.Outcome == Allow) {
				t.Errorf("%s %s: rule %s without kind or outcome", tab.OS, e.Name, e.Rule)
			}
			if e.Rule == RuleAtPath && len(e.Paths) == 0 {
				t.Errorf("%s %s: at-path without paths", tab.OS, e.Name)
			}
			if e.Rule == RuleAllow && e.Hint != "" {
				t.Errorf("%s %s: allowed but has a hint", tab.OS, e.Name)
			}
		}
	}
}

// FreeBSD numbers that golang.org/x/sys also knows must agree with it.
func TestFreeBSDTableAgreesWithXSys(t *testing.T) {
	want := sysnums(t, "zsysnum_freebsd_amd64.go")
	// FreeBSD 15 gave these new numbers; x/sys still lists the old ones,
	// which the table keeps as freebsd14_getgroups & co.
	renumbered := map[string]bool{"getgroups": true, "setgroups": true, "swapoff": true}
	tab := FreeBSD()
	agreed := 0
	for name, nr := range want {
		if e, ok := tab.ByName(name); ok && !renumbered[name] {
			agreed++
			if e.Nr != nr {
				t.Errorf("%s: table says %d, x/sys says %d", name, e.Nr, nr)
			}
		}
	}
	if agreed < 300 {
		t.Errorf("only %d names in common with x/sys; transcription broken?", agreed)
	}
}

func TestAlwaysAllowed(t *testing.T) {
	allowed := map[string]bool{}
	tab := Linux()
	for _, nr := range tab.AlwaysAllowed() {
		allowed[tab.Name(nr)] = true
	}
	// glibc and Go runtime start-up and ordinary work: no stop at all.
	for _, name := range []string{"read", "write", "mmap", "munmap", "mprotect", "brk", "futex",
		"rt_sigaction", "rt_sigprocmask", "sigaltstack", "madvise", "getrandom", "clock_gettime",
		"clock_nanosleep", "membarrier", "rseq", "set_robust_list", "set_tid_address", "arch_prctl",
		"epoll_create1", "epoll_ctl", "epoll_pwait", "fcntl", "ioctl", "fstat", "close", "gettid",
		"getpid", "exit_group", "sched_yield", "pipe2", "eventfd2", "nanosleep", "fork", "vfork",
		"wait4", "getdents64", "lseek", "dup3", "sysinfo", "uname"} {
		if !allowed[name] {
			t.Errorf("%s should be always allowed", name)
		}
	}
	for _, name := range []string{"openat", "open", "kill", "tgkill", "connect", "execve",
		"clone", "clone3", "prlimit64", "sched_getaffinity", "sendto", "newfstatat", "statx"} {
		if allowed[name] {
			t.Errorf("%s must stop for Check", name)
		}
	}
}

func TestNameOfUnknownSyscall(t *testing.T) {
	if got := Linux().Name(999); got != "syscall_999" {
		t.Errorf("Name(999) = %q", got)
	}
	if got := Linux().Name(-1); got != "syscall_-1" {
		t.Errorf("Name(-1) = %q", got)
	}
	v := Linux().Check(Call{Nr: 999}, newFake())
	if v.Outcome != CapMode || v.Reason == "" {
		t.Errorf("unknown syscall: %+v", v)
	}
}

// TestLinuxCounterpartsAgreeWithFreeBSD: every FreeBSD counterpart a Linux
// entry names is in the FreeBSD table, and a Linux call that is always
// allowed never names a counterpart syscalls.master leaves out of
// capability mode.
func TestLinuxCounterpartsAgreeWithFreeBSD(t *testing.T) {
	fb := FreeBSD()
	for _, e := range Linux().Entries {
		if e.FreeBSD == "" {
			continue
		}
		c, ok := fb.ByName(e.FreeBSD)
		if !ok {
			t.Errorf("linux %s: counterpart %s is not in the FreeBSD table", e.Name, e.FreeBSD)
			continue
		}
		if e.Rule == RuleAllow && c.Rule == RuleDeny {
			t.Errorf("linux %s is allowed, but its counterpart %s is not CAPENABLED", e.Name, e.FreeBSD)
		}
	}
}
