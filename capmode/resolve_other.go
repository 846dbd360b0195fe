//go:build !linux

package capmode

// resolveBeneath without /proc and openat2 judges the text of the path
// only: an absolute path or a ".." above the start escapes; symlinks are
// not seen. On FreeBSD the kernel itself enforces, so this serves audit
// mode and tests.
func resolveBeneath(pid, dirfd int, path string, follow, create bool) escape {
	return lexicalEscape(path)
}

// sameThreadGroup without /proc knows only the main thread.
func sameThreadGroup(pid, tid int) bool { return tid == pid }
