package capmode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzResolveBeneath walks arbitrary paths from a directory of a fixed tree
// with symlinks that stay inside and symlinks that escape. Whatever the
// path, the resolver must return (no panic, no endless symlink loop), and
// its answer must agree with what is known without it: an absolute path
// escapes; a path of plain names that names no symlink stays beneath.
func FuzzResolveBeneath(f *testing.F) {
	root := f.TempDir()
	for _, d := range []string{"top/dir/sub", "top/other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "top/dir/file"), []byte("x"), 0o644)
	for link, target := range map[string]string{
		"top/dir/in":    "sub",
		"top/dir/up":    "..",
		"top/dir/out":   "../../..",
		"top/dir/abs":   "/etc",
		"top/dir/loop1": "loop2",
		"top/dir/loop2": "loop1",
		"top/dir/chain": "in/../up/other",
	} {
		os.Symlink(target, filepath.Join(root, link))
	}
	dirfd, err := unix.Open(filepath.Join(root, "top/dir"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { unix.Close(dirfd) })
	for _, seed := range []string{"file", "sub/../file", "../dir/file", "..", "out/x", "abs/passwd", "loop1", "chain/x", "in/..", "/etc", "up/up", "new/name"} {
		f.Add(seed, true, false)
		f.Add(seed, false, true)
	}
	symlinks := []string{"in", "up", "out", "abs", "loop1", "loop2", "chain"}
	f.Fuzz(func(t *testing.T, path string, follow, create bool) {
		if len(path) > 512 || strings.ContainsRune(path, 0) {
			return
		}
		got := resolveBeneath(newFake(), dirfd, path, follow, create)
		if strings.HasPrefix(path, "/") && got == beneath {
			t.Fatalf("%q: an absolute path must escape", path)
		}
		plain := path != "" && !strings.HasPrefix(path, "/")
		for _, part := range strings.Split(path, "/") {
			if part == ".." {
				plain = false
			}
			for _, l := range symlinks {
				if part == l {
					plain = false
				}
			}
		}
		if plain && got != beneath {
			t.Fatalf("%q (follow %v, create %v): plain names cannot escape, got %v", path, follow, create, got)
		}
	})
}
