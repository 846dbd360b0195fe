//go:build !linux

package capmode

// resolveBeneath without openat2 judges the text of the path only: an
// absolute path or a ".." above the start escapes; symlinks are not seen.
// On FreeBSD the kernel itself enforces, so this serves audit mode and
// tests.
func resolveBeneath(tr Tracee, dirfd int, path string, follow, create bool) escape {
	return lexicalEscape(path)
}
