package capmode

// Constructors that keep the data files one line per syscall.

const syscallsMaster = "syscalls.master"

func capEnabled(fb string) string { return fb + " is CAPENABLED (" + syscallsMaster + ")" }

func notCapEnabled(fb string) string { return fb + " is not CAPENABLED (" + syscallsMaster + ")" }

func allow(nr int, name, freebsd, reason string) Entry {
	if reason == "" {
		reason = capEnabled(freebsd)
	}
	return Entry{Nr: nr, Name: name, Rule: RuleAllow, FreeBSD: freebsd, Reason: reason}
}

func deny(nr int, name, freebsd string, kind Kind, reason, hint string) Entry {
	if reason == "" {
		reason = notCapEnabled(freebsd)
	}
	return Entry{Nr: nr, Name: name, Rule: RuleDeny, FreeBSD: freebsd, Reason: reason, Hint: hint,
		Outcome: CapMode, Kind: kind}
}

// noCounterpart is a Linux-only syscall capability mode has no rule for.
func noCounterpart(nr int, name string, kind Kind, why, hint string) Entry {
	return deny(nr, name, "", kind, "Linux-only, no FreeBSD counterpart: "+why, hint)
}

func pathCall(nr int, name, freebsd string) Entry {
	return deny(nr, name, freebsd, KindGlobalNamespace,
		notCapEnabled(freebsd)+": looks the path up from the working directory or root",
		hintPathCall)
}

// atFDCWDCall: a FreeBSD libc call with no syscall of its own, made as the
// *at syscall with AT_FDCWD, which namei_setup refuses (vfs_lookup.c).
func atFDCWDCall(libc, at string) string {
	return "FreeBSD has no " + libc + " syscall; libc calls " + at + "(AT_FDCWD, ...), which namei_setup refuses with ECAPMODE (vfs_lookup.c)"
}

func atPath(nr int, name, freebsd, reason string, paths ...PathArg) Entry {
	if reason == "" {
		reason = capEnabled(freebsd) + "; namei refuses AT_FDCWD (ECAPMODE) and escapes from the descriptor (ENOTCAPABLE) (vfs_lookup.c)"
	}
	return Entry{Nr: nr, Name: name, Rule: RuleAtPath, FreeBSD: freebsd, Reason: reason,
		Hint: hintOpenDir, Outcome: CapMode, Kind: KindGlobalNamespace, Paths: paths}
}

func argRule(nr int, name string, rule Rule, freebsd string, kind Kind, pidArg int, reason, hint string) Entry {
	return Entry{Nr: nr, Name: name, Rule: rule, FreeBSD: freebsd, Reason: reason, Hint: hint,
		Outcome: CapMode, Kind: kind, PidArg: pidArg}
}

func pa(dirfd, path, flags int, mode PathMode) PathArg {
	return PathArg{DirFD: dirfd, Path: path, FlagsArg: flags, Mode: mode}
}
