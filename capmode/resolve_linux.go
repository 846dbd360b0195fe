package capmode

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSymlinks matches Linux's and FreeBSD's MAXSYMLINKS (40 and 32): past
// it the real call fails with ELOOP, not a capability error.
const maxSymlinks = 40

// resolveBeneath decides whether path, looked up from descriptor dirfd of
// the tracee, stays beneath that directory, against the real filesystem:
// the tracer reopens the tracee's descriptor (Tracee.OpenDescriptor) and
// openat2(RESOLVE_BENEATH) walks the path, so "..", symlinks and
// symlinks inside symlinks are judged as the kernel walks them. FreeBSD's
// lookup_cap_dotdot (vfs_lookup.c) allows ".." back to directories already
// walked, which for a tree is the same as never rising above the start.
//
// Errors other than an escape (a missing directory, ENOTDIR, EACCES, a bad
// descriptor) make the call fail on its own, so they count as beneath.
func resolveBeneath(tr Tracee, dirfd int, path string, follow, create bool) escape {
	if e := lexicalEscape(path); e == byAbsolute {
		return e
	}
	root, err := tr.OpenDescriptor(dirfd)
	if err != nil {
		return beneath // EBADF in the tracee
	}
	defer unix.Close(root)
	return walkBeneath(root, path, follow, create, 0)
}

func walkBeneath(root int, path string, follow, create bool, depth int) escape {
	if depth > maxSymlinks {
		return beneath
	}
	if e := lexicalEscape(path); e == byAbsolute {
		return e
	}
	parent, last, trailingSlash := splitLast(path)
	if trailingSlash || last == "." || last == ".." || last == "/" {
		follow = true // "..", "." and "dir/" are never a final symlink
		create = false
	}
	if follow {
		err := openBeneath(root, path)
		switch {
		case err == nil:
			return beneath
		case errors.Is(err, unix.EXDEV):
			return classifyEscape(path)
		case errors.Is(err, unix.ENOENT) && create:
			// The name may be missing, or be a dangling symlink that
			// O_CREAT would follow: judge the parent and the link below.
		default:
			return beneath
		}
	}
	parentFD := root
	if parent != "" {
		fd, err := openDirBeneath(root, parent)
		if errors.Is(err, unix.EXDEV) {
			return classifyEscape(parent)
		}
		if err != nil {
			return beneath
		}
		defer unix.Close(fd)
		parentFD = fd
	}
	if !follow {
		return beneath // the last name is used as a name, never walked
	}
	target, err := readlinkAt(parentFD, last)
	if err != nil {
		return beneath // missing: it will be created beneath
	}
	if target == "" {
		return beneath
	}
	if target[0] == '/' {
		return byAbsolute
	}
	next := target
	if parent != "" {
		next = parent + "/" + target
	}
	if e := walkBeneath(root, next, true, create, depth+1); e != beneath {
		if e == byDotDot {
			return bySymlink
		}
		return e
	}
	return beneath
}

// classifyEscape names the cause of an EXDEV: ".." in the text itself, or
// else a symlink met on the way.
func classifyEscape(path string) escape {
	if e := lexicalEscape(path); e != beneath {
		return e
	}
	return bySymlink
}

// openBeneath walks path from root; magic links (/proc/self/fd/...) have no
// FreeBSD counterpart and are refused, as any escape is.
func openBeneath(root int, path string) error {
	fd, err := unix.Openat2(root, path, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func openDirBeneath(root int, path string) (int, error) {
	return unix.Openat2(root, path, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
}

func readlinkAt(dirfd int, name string) (string, error) {
	buf := make([]byte, maxPath)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// splitLast separates the last component of path. A trailing slash makes
// the lookup follow the last component (POSIX), which follow reports.
func splitLast(path string) (parent, last string, trailingSlash bool) {
	trimmed := strings.TrimRight(path, "/")
	trailingSlash = len(trimmed) != len(path)
	if trimmed == "" {
		return "", "/", trailingSlash
	}
	i := strings.LastIndexByte(trimmed, '/')
	if i < 0 {
		return "", trimmed, trailingSlash
	}
	return trimmed[:i], trimmed[i+1:], trailingSlash
}
