package capmode

import (
	"sort"
	"strconv"
)

// Rule names how an entry decides: always, never, or by its arguments.
type Rule string

const (
	// RuleAllow: the FreeBSD counterpart is CAPENABLED and takes no
	// global name; the seccomp filter lets these through (AlwaysAllowed).
	RuleAllow Rule = "allow"
	// RuleDeny: always fails with the entry's Outcome (ECAPMODE).
	RuleDeny Rule = "deny"

	// RuleAtPath: a lookup from a directory descriptor (namei in
	// sys/kern/vfs_lookup.c): AT_FDCWD -> ECAPMODE; absolute or escaping
	// paths -> ENOTCAPABLE. Entry.Paths says where the paths are.
	RuleAtPath Rule = "at-path"
	// RuleExecFD: execveat: the fexecve form (fd, "", AT_EMPTY_PATH), or
	// a path beneath a directory descriptor; never from AT_FDCWD.
	RuleExecFD Rule = "exec-descriptor"

	// RuleSignalProcess: the pid in Entry.PidArg must be the caller
	// (sys_kill, sys_sigqueue in sys/kern/kern_sig.c).
	RuleSignalProcess Rule = "signal-self"
	// RuleSignalThreadGroup: tgkill-like; the tgid in Entry.PidArg must be
	// the caller, any thread of it may be signalled (thr_kill).
	RuleSignalThreadGroup Rule = "signal-own-thread-group"
	// RuleSignalThread: tkill; the tid must be a thread of the caller.
	RuleSignalThread Rule = "signal-own-thread"
	// RuleSignalDescriptor: pidfd_send_signal ~ pdkill; refused only for
	// process-group delivery.
	RuleSignalDescriptor Rule = "signal-descriptor"

	// RuleSendAddress: sendto with a destination address -> ECAPMODE
	// (sendit() in sys/kern/uipc_syscalls.c).
	RuleSendAddress Rule = "send-no-address"
	// RuleSendmsgAddress: sendmsg whose msghdr names a destination.
	RuleSendmsgAddress Rule = "sendmsg-no-address"
	// RuleSendmmsgAddress: sendmmsg, every msghdr of the vector.
	RuleSendmmsgAddress Rule = "sendmmsg-no-address"
	// RuleSocketAt: FreeBSD bindat/connectat: AT_FDCWD -> ECAPMODE.
	RuleSocketAt Rule = "socket-at"
	// RuleSocketcall: i386's socketcall, judged as the call it names.
	RuleSocketcall Rule = "socketcall"
	// RuleSocketProtocol: socket(2) only for protocols with PR_CAPATTACH
	// (socreate() in sys/kern/uipc_socket.c): local, TCP, UDP, SCTP.
	RuleSocketProtocol Rule = "socket-capattach"

	// RuleOwnProcess: the pid in Entry.PidArg must be 0 or the caller.
	RuleOwnProcess Rule = "own-process"
	// RuleNoNamespaces: clone without CLONE_NEW* flags (fork/rfork/thr_new).
	RuleNoNamespaces Rule = "no-namespaces"
	// RuleNoNamespaces3: clone3, the flags read from struct clone_args.
	RuleNoNamespaces3 Rule = "no-namespaces-clone3"
	// RuleWaitDescriptor: waitid on a pidfd ~ pdwait; any other idtype ~ wait6.
	RuleWaitDescriptor Rule = "wait-pidfd-only"
	// RulePrctlSelf: prctl options that only touch the calling thread.
	RulePrctlSelf Rule = "prctl-self"
	// RuleReadClock: adjtimex/clock_adjtime with modes 0 ~ ntp_gettime.
	RuleReadClock Rule = "read-only-adjtime"
)

// PathMode says how an at-path argument's last component is looked up.
type PathMode int

const (
	// PathFollow: the last component is followed unless the AT flags in
	// FlagsArg say AT_SYMLINK_NOFOLLOW; AT_EMPTY_PATH allows "".
	PathFollow PathMode = iota
	// PathFollowIfFlag: followed only with AT_SYMLINK_FOLLOW (linkat's
	// source); AT_EMPTY_PATH allows "".
	PathFollowIfFlag
	// PathOpen: open flags in FlagsArg: O_NOFOLLOW, O_CREAT, O_EXCL.
	PathOpen
	// PathOpenHow: openat2's struct open_how at FlagsArg.
	PathOpenHow
	// PathCreate: the last component is created, never followed (mkdirat,
	// mknodat, symlinkat, the target of renameat and linkat).
	PathCreate
	// PathNoFollow: the last component must exist and is not followed
	// (unlinkat, readlinkat, the source of renameat).
	PathNoFollow
	// PathOptional: utimensat: a NULL path acts on the descriptor itself.
	PathOptional
)

// PathArg locates one looked-up path of an at-path call.
type PathArg struct {
	DirFD    int // argument index of the directory descriptor
	Path     int // argument index of the path
	FlagsArg int // argument index of the flags word; -1 when there is none
	Mode     PathMode
}

// Entry is one syscall of one OS's table.
type Entry struct {
	Nr        int    // the OS's syscall number
	Name      string // the OS's syscall name ("openat", "newfstatat")
	Rule      Rule   // "allow", "deny" or an argument rule ("at-path", "signal-self", ...)
	FreeBSD   string // counterpart on FreeBSD ("" when none)
	Reason    string // one line, citing the FreeBSD source that decides it
	Hint      string // remedy for violations ("" when always allowed)
	Outcome   Outcome
	ArgFormat []ArgType // how Decode prints the arguments (strace style)

	Kind   Kind      // the Kind of this entry's violations
	Paths  []PathArg // RuleAtPath: the looked-up paths, in lookup order
	PidArg int       // process rules: the argument index holding the pid
}

// Table is one OS's syscall table.
type Table struct {
	OS      string // "linux" or "freebsd"
	Entries []Entry
	byNr    []*Entry // indexed by syscall number; nil where none
	byName  map[string]*Entry
	abi     *abi
}

func newTable(os string, a *abi, entries []Entry) *Table {
	t := &Table{OS: os, Entries: entries, byName: make(map[string]*Entry, len(entries)), abi: a}
	sort.Slice(t.Entries, func(i, j int) bool { return t.Entries[i].Nr < t.Entries[j].Nr })
	maxNr := 0
	for _, e := range t.Entries {
		if e.Nr > maxNr {
			maxNr = e.Nr
		}
	}
	t.byNr = make([]*Entry, maxNr+1)
	for i := range t.Entries {
		e := &t.Entries[i]
		if e.ArgFormat == nil {
			e.ArgFormat = a.formats[e.Name]
		}
		if e.Rule == RuleDeny && e.Outcome == Allow {
			e.Outcome = CapMode
		}
		if e.Rule != RuleAllow && e.Kind == "" {
			e.Kind = KindSyscall
		}
		t.byNr[e.Nr] = e
		t.byName[e.Name] = e
	}
	return t
}

// Lookup returns the entry for syscall number nr.
func (t *Table) Lookup(nr int) (Entry, bool) {
	if e := t.entry(nr); e != nil {
		return *e, true
	}
	return Entry{}, false
}

// ByName returns the entry for a syscall name ("openat").
func (t *Table) ByName(name string) (Entry, bool) {
	if e, ok := t.byName[name]; ok {
		return *e, true
	}
	return Entry{}, false
}

// Name is the syscall's name, or "syscall_NNN" when the table has none.
func (t *Table) Name(nr int) string {
	if e := t.entry(nr); e != nil {
		return e.Name
	}
	return "syscall_" + strconv.Itoa(nr)
}

// AlwaysAllowed lists, in increasing order, the syscall numbers whose
// entry allows every call: the seccomp filter may let them through
// without a stop. Everything else must stop and reach Check.
func (t *Table) AlwaysAllowed() []int {
	var nrs []int
	for _, e := range t.Entries {
		if e.Rule == RuleAllow {
			nrs = append(nrs, e.Nr)
		}
	}
	return nrs
}

func (t *Table) entry(nr int) *Entry {
	if nr < 0 || nr >= len(t.byNr) {
		return nil
	}
	return t.byNr[nr]
}
