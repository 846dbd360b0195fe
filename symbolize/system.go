package symbolize

import (
	"path"
	"strings"
)

// systemDirs hold libraries the user did not write. /usr/local is left out
// on purpose: on FreeBSD ports and on Linux hand-built software install
// there, and a violation inside a library the user builds should be shown
// where it is, not attributed to its caller.
var systemDirs = []string{"/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/libexec/"}

// systemLibs are C libraries and dynamic loaders by file name, wherever
// they are installed (musl or glibc built into a prefix, FreeBSD's
// libsys.so.7 which holds the syscall stubs since FreeBSD 15).
var systemLibs = []string{"libc.so", "libc-", "libc.musl", "ld-linux", "ld-musl", "ld-elf.so", "ld.so", "libsys.so", "libthr.so", "libpthread.so", "libdl.so"}

// IsSystemModule reports whether a mapped object is a system library (the
// C library, the dynamic loader, the vDSO, any shared object under /lib,
// /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64 or /libexec): code a
// violation only passes through, never its call site.
//
// The symbolizer names such objects from their symbol tables only (their
// own and their separate debug file's .symtab) and never loads their DWARF:
// for glibc that would inflate ~100 ms and ~35 MiB of debug sections to
// give file and line to frames no report site is in.
func IsSystemModule(p string) bool {
	if strings.HasPrefix(p, "[") { // [vdso], [vsyscall]
		return true
	}
	base := path.Base(p)
	for _, l := range systemLibs {
		if strings.HasPrefix(base, l) {
			return true
		}
	}
	// Only shared objects: programs live under /usr/lib too
	// (/usr/lib/openssh/sftp-server, /usr/lib/git-core/git-*), and a
	// program's own code is where its call sites are.
	if !strings.Contains(base, ".so") {
		return false
	}
	for _, d := range systemDirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}
