package capmode

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/linux-emulation.md from the Linux table")

const linuxEmulationDoc = "../docs/linux-emulation.md"

const linuxEmulationIntro = `# Linux: emulated capability mode

<!-- Generated from capmode.Linux() by ` + "`go test ./capmode -run TestLinuxEmulationDoc -update`" + `.
     Edit capmode/linuxdata.go, not this file; a test fails when it is stale. -->

Linux has no Capsicum. captrace emulates FreeBSD's capability mode so that
a program being ported can be run on Linux and shown every call that would
fail after ` + "`cap_enter()`" + `, at its call site.

**The emulation is a debugging aid, not a security boundary.** It judges
each call as FreeBSD would and, in ` + "`--mode=enforce`" + `, makes refused calls fail;
but a traced program can still do what seccomp lets through, the checks
race with other threads changing memory and the filesystem, and sysctl node
filtering is not emulated. Descriptor rights (` + "`cap_rights_limit`" + `, ioctl and
fcntl limits) are, for programs built against ` + "`captrace shim`" + `
(docs/rights.md).

How a call is judged:

- **allow**: the FreeBSD counterpart is CAPENABLED in ` + "`sys/kern/syscalls.master`" + `
  and names nothing global. The seccomp filter lets these through without
  a stop.
- **ECAPMODE**: the counterpart is not CAPENABLED, or the call is Linux-only
  and reaches global state. A Linux-only call with no counterpart is
  refused unless its reason below says why capability mode would allow it.
- **at-path**: a lookup from a directory descriptor, as ` + "`namei`" + ` does it in
  ` + "`sys/kern/vfs_lookup.c`" + `: ` + "`AT_FDCWD`" + ` gives ECAPMODE (even with an absolute
  path: ` + "`namei_setup`" + ` checks the descriptor first); an absolute path, or a
  path that climbs out of the directory by ` + "`..`" + ` or through a symlink, gives
  ENOTCAPABLE; ` + "`..`" + ` that stays beneath is allowed (` + "`vfs.lookup_cap_dotdot=1`" + `);
  ` + "`AT_EMPTY_PATH`" + ` with an empty path acts on the descriptor and is allowed.
  Escapes are decided against the real filesystem: captrace reopens the
  tracee's descriptor through ` + "`/proc/PID/fd/N`" + ` and walks the path with
  ` + "`openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS)`" + `. Calls that do not follow
  the last name (unlinkat, readlinkat, mkdirat, symlinkat's link, renameat,
  ` + "`AT_SYMLINK_NOFOLLOW`" + `, ` + "`O_NOFOLLOW`" + `) judge only its parent; names to be
  created (` + "`O_CREAT`" + `, mkdirat) may be missing.
- **signal-self**, **signal-own-thread-group**, **signal-own-thread**: signals
  reach only the calling process and its threads (` + "`sys_kill`" + `, ` + "`kern_sig.c`" + `).
  ` + "`kill(0, sig)`" + ` (the process group) and ` + "`kill(-1, sig)`" + ` are refused.
- **send-no-address**, **sendmsg-no-address**: a destination address is
  ECAPMODE (` + "`sendit()`" + `, ` + "`uipc_syscalls.c`" + `); sending on a connected socket is not.
- **own-process**: pid 0, the caller, or one of its threads
  (` + "`cpuset_check_capabilities`" + `, ` + "`kern_cpuset.c`" + `, for the affinity calls).
  getpriority, setpriority, getpgid, getsid, sched_* and sigqueue check
  only ` + "`p_cansee`" + `/` + "`p_cansched`" + `/` + "`p_cansignal`" + ` in FreeBSD, not capability mode,
  so they are allowed for any pid.
- **exec-descriptor**: ` + "`execveat(fd, \"\", AT_EMPTY_PATH)`" + ` is fexecve; by name
  from a directory descriptor it is ` + "`openat(O_EXEC)`" + ` then fexecve, judged as
  **at-path**; from ` + "`AT_FDCWD`" + ` it is execve, refused.
- **socket-capattach**: ` + "`socreate()`" + ` (` + "`uipc_socket.c`" + `) refuses protocols without
  ` + "`PR_CAPATTACH`" + `: local sockets and TCP, UDP, UDP-Lite and SCTP over IPv4 and
  IPv6 may be created; raw IP sockets, ` + "`AF_NETLINK`" + ` (the counterpart of
  FreeBSD's routing socket), ` + "`AF_PACKET`" + `, ICMP "ping" sockets and other
  families are ECAPMODE (` + "`capmode.cc`" + `, AllowedSocketSyscallsIfRoot).
- **wait-pidfd-only**: ` + "`waitid(P_PIDFD)`" + ` is pdwait; other waitid forms are wait6.
- 32-bit arguments (descriptors, pids) are compared on their low 32 bits:
  C passes them zero-extended, Go sign-extended.
- Calls through the i386 ABI (a 32-bit program, or ` + "`int $0x80`" + `) are numbered by
  ` + "`arch/x86/entry/syscalls/syscall_32.tbl`" + ` (` + "`capmode.LinuxI386`" + `) and judged by
  name by this table's rules; i386-only names by the call they stand for
  (` + "`stat64`" + ` as ` + "`stat`" + `, ` + "`_llseek`" + ` as ` + "`lseek`" + `), and ` + "`socketcall`" + ` as the call it
  multiplexes.

` + "`captrace policy --os=linux`" + ` prints the same table.

## The table (linux/amd64)

`

func renderLinuxEmulationDoc(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(linuxEmulationIntro)
	if err := WritePolicy(&b, Linux(), "markdown"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLinuxEmulationDoc(t *testing.T) {
	want := renderLinuxEmulationDoc(t)
	if *update {
		if err := os.WriteFile(linuxEmulationDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(linuxEmulationDoc)
	if err != nil {
		t.Fatalf("%v (run: go test ./capmode -run TestLinuxEmulationDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go test ./capmode -run TestLinuxEmulationDoc -update", linuxEmulationDoc)
	}
}

func TestWritePolicyFormats(t *testing.T) {
	var text bytes.Buffer
	if err := WritePolicy(&text, Linux(), "text"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	if len(lines) != len(Linux().Entries)+1 || !strings.HasPrefix(lines[0], "SYSCALL") {
		t.Fatalf("text: %d lines", len(lines))
	}
	var js bytes.Buffer
	if err := WritePolicy(&js, FreeBSD(), "json"); err != nil {
		t.Fatal(err)
	}
	var p Policy
	if err := json.Unmarshal(js.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Schema != PolicySchema || p.OS != "freebsd" || len(p.Entries) != len(FreeBSD().Entries) {
		t.Fatalf("json: %+v", p.Entries[:1])
	}
	if err := WritePolicy(&js, Linux(), "yaml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}
