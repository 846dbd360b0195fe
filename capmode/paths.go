package capmode

import (
	"encoding/binary"
	"strings"
)

// maxPath is MAXPATHLEN/PATH_MAX on both systems: longer paths fail with
// ENAMETOOLONG before any capability check.
const maxPath = 4096

// escape says how a lookup left its directory descriptor.
type escape int

const (
	beneath    escape = iota // stays beneath the directory (or fails on its own)
	byAbsolute               // an absolute path, or a symlink to one
	byDotDot                 // ".." above the starting directory
	bySymlink                // a relative symlink whose target climbs out
)

// lookup is one at-path argument, decoded.
type lookup struct {
	dirfd   int32
	path    string
	follow  bool // the last component is followed if it is a symlink
	create  bool // the last component may be missing (it is created)
	emptyOK bool // "" names the descriptor itself (AT_EMPTY_PATH)
}

// checkAtPath applies namei's capability-mode rules (sys/kern/vfs_lookup.c,
// namei_setup and the cap_dotdot tracker) to each looked-up path, in the
// order the kernel looks them up.
func (t *Table) checkAtPath(e *Entry, c Call, tr Tracee) Verdict {
	for _, p := range e.Paths {
		if v := t.checkLookup(e, p, c, tr); v.Violation() {
			return v
		}
	}
	return Verdict{}
}

func (t *Table) checkLookup(e *Entry, p PathArg, c Call, tr Tracee) Verdict {
	a := t.abi
	l, ok := t.decodeLookup(p, c, tr)
	if !ok {
		// Unreadable path or struct: the call fails with EFAULT on its own,
		// or (utimensat with a NULL path) acts on the descriptor itself.
		return Verdict{}
	}
	if l.path == "" {
		// namei rejects "" with ENOENT before looking at the directory,
		// unless AT_EMPTY_PATH makes it name the descriptor itself.
		if l.emptyOK && l.dirfd == a.atFDCWD {
			return violation(CapMode, KindGlobalNamespace,
				e.Name+"(AT_FDCWD, \"\", AT_EMPTY_PATH) acts on the working directory, a global name (vfs_lookup.c)",
				hintOpenDir)
		}
		return Verdict{}
	}
	// namei_setup returns ECAPMODE for AT_FDCWD before it looks at the
	// path, so open("/etc/x") = openat(AT_FDCWD, "/etc/x") is ECAPMODE.
	if l.dirfd == a.atFDCWD {
		return violation(CapMode, KindGlobalNamespace,
			e.Name+"(AT_FDCWD, ...) reaches the global file namespace (namei_setup, vfs_lookup.c)",
			pathRemedy(l.path, hintOpenDir))
	}
	switch resolveBeneath(tr, int(l.dirfd), l.path, l.follow, l.create) {
	case byAbsolute:
		return violation(NotCapable, KindPathEscape,
			e.Name+"(dirfd, ...) with an absolute path: lookups from a descriptor must stay beneath it (vfs_lookup.c)",
			pathRemedy(l.path, hintEscape))
	case byDotDot:
		return violation(NotCapable, KindPathEscape,
			e.Name+"(dirfd, ...) climbs above the directory by \"..\" (vfs_lookup.c, lookup_cap_dotdot)",
			hintEscape)
	case bySymlink:
		return violation(NotCapable, KindPathEscape,
			e.Name+"(dirfd, ...) leaves the directory through a symbolic link (vfs_lookup.c)",
			hintEscape)
	}
	return Verdict{}
}

// decodeLookup reads the path and turns the call's flags into lookup
// semantics. ok is false when the call cannot reach a lookup.
func (t *Table) decodeLookup(p PathArg, c Call, tr Tracee) (l lookup, ok bool) {
	a := t.abi
	l.dirfd = int32Arg(c.Args[p.DirFD])
	var flags uint64
	if p.FlagsArg >= 0 {
		flags = c.Args[p.FlagsArg]
	}
	addr := c.Args[p.Path]
	if addr == 0 {
		// utimensat(fd, NULL, ...) is futimens(fd); elsewhere EFAULT.
		return l, false
	}
	switch p.Mode {
	case PathFollow, PathOptional:
		l.follow = flags&a.atSymlinkNoFollow == 0
		l.emptyOK = flags&a.atEmptyPath != 0
	case PathFollowIfFlag:
		l.follow = flags&a.atSymlinkFollow != 0
		l.emptyOK = flags&a.atEmptyPath != 0
	case PathOpenHow:
		var how [8]byte
		if tr.ReadMemory(c.Args[p.FlagsArg], how[:]) != nil {
			return l, false
		}
		flags = binary.LittleEndian.Uint64(how[:])
		fallthrough
	case PathOpen:
		create := flags&a.oCreat != 0
		if a.oTmpfile != 0 && flags&a.oTmpfile == a.oTmpfile {
			create = false // O_TMPFILE names the directory, which must exist
		}
		l.create = create
		// O_CREAT|O_EXCL never follows a final symlink (it fails EEXIST).
		l.follow = flags&a.oNoFollow == 0 && !(create && flags&a.oExcl != 0)
		l.emptyOK = a.oEmptyPath != 0 && flags&a.oEmptyPath != 0
	case PathCreate:
		l.create = true
	case PathNoFollow:
	}
	s, err := tr.ReadString(addr, maxPath)
	if err != nil {
		return l, false
	}
	l.path = s
	return l, true
}

// lexicalEscape judges a path by its text alone: absolute, or more ".."
// than names before them. It cannot see symlinks.
func lexicalEscape(path string) escape {
	if strings.HasPrefix(path, "/") {
		return byAbsolute
	}
	depth := 0
	for _, name := range strings.Split(path, "/") {
		switch name {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return byDotDot
			}
		default:
			depth++
		}
	}
	return beneath
}
