package capmode

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sandboxTree builds, in a temporary directory:
//
//	outside/secret
//	root/                  <- the directory descriptor
//	root/file
//	root/sub/inner/
//	root/sub/file
//	root/link_in     -> sub
//	root/link_up     -> ..            (escapes)
//	root/link_abs    -> /etc          (escapes)
//	root/sub/link_sib -> ../file      (stays beneath)
//	root/dangling_in  -> sub/newfile  (missing, beneath)
//	root/dangling_out -> ../outside/new (missing, escapes)
//
// and returns the descriptor of root, opened in this process.
func sandboxTree(t *testing.T) int {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	for _, d := range []string{"outside", "root/sub/inner"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"outside/secret", "root/file", "root/sub/file"} {
		if err := os.WriteFile(filepath.Join(base, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"link_in":      "sub",
		"link_up":      "..",
		"link_abs":     "/etc",
		"sub/link_sib": "../file",
		"dangling_in":  "sub/newfile",
		"dangling_out": "../outside/new",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	d, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return int(d.Fd())
}

func TestAtPathRules(t *testing.T) {
	dirfd := uint64(sandboxTree(t))
	symlinksSeen := runtime.GOOS == "linux" // elsewhere the resolver is lexical
	const (
		oCreat    = 0x40
		oExcl     = 0x80
		oNoFollow = 0x20000
		oTmpfile  = 0x410000
		nofollow  = 0x100
		emptyPath = 0x1000
	)
	type c struct {
		name    string
		syscall string
		args    func(f *fakeTracee) [6]uint64
		want    Outcome
		lexical bool // the case needs no symlink knowledge
	}
	cases := []c{
		{"open via AT_FDCWD (from C)", "openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("/etc/hostname"), 0) }, CapMode, true},
		{"open via AT_FDCWD (from Go)", "openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromGo, f.str("x"), 0) }, CapMode, true},
		{"AT_FDCWD empty path fails ENOENT", "openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str(""), 0) }, Allow, true},
		{"relative file", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), 0) }, Allow, true},
		{"absolute under dirfd", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("/etc/passwd"), 0) }, NotCapable, true},
		{"dotdot staying beneath", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/inner/../file"), 0) }, Allow, true},
		{"dotdot escaping", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("../outside/secret"), 0) }, NotCapable, true},
		{"dotdot escaping deep", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/../../outside/secret"), 0) }, NotCapable, true},
		{"bare dotdot", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str(".."), 0) }, NotCapable, true},
		{"missing file fails ENOENT", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("nope/x"), 0) }, Allow, true},
		{"create new file", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/new"), oCreat, 0o644) }, Allow, true},
		{"create beyond dotdot", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("../new"), oCreat, 0o644) }, NotCapable, true},
		{"O_TMPFILE in sub", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub"), oTmpfile|2, 0o600) }, Allow, true},
		{"symlink inside", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_in/file"), 0) }, Allow, true},
		{"symlink to sibling", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/link_sib"), 0) }, Allow, true},
		{"symlink up", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up/outside/secret"), 0) }, NotCapable, false},
		{"symlink absolute", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_abs/passwd"), 0) }, NotCapable, false},
		{"final symlink up followed", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), 0) }, NotCapable, false},
		{"final symlink up, O_NOFOLLOW", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), oNoFollow) }, Allow, true},
		{"O_CREAT through dangling link inside", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("dangling_in"), oCreat, 0o644) }, Allow, true},
		{"O_CREAT through dangling link out", "openat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("dangling_out"), oCreat, 0o644) }, NotCapable, false},
		{"O_CREAT|O_EXCL on dangling link out", "openat", func(f *fakeTracee) [6]uint64 {
			return args(dirfd, f.str("dangling_out"), oCreat|oExcl, 0o644)
		}, Allow, true},
		{"fstat through AT_EMPTY_PATH", "newfstatat", func(f *fakeTracee) [6]uint64 { return args(3, f.str(""), 0x1000, emptyPath) }, Allow, true},
		{"AT_EMPTY_PATH on AT_FDCWD", "newfstatat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str(""), 0x1000, emptyPath) }, CapMode, true},
		{"stat via AT_FDCWD", "newfstatat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("/etc"), 0x1000, 0) }, CapMode, true},
		{"lstat of link up", "newfstatat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), 0x1000, nofollow) }, Allow, true},
		{"stat of link up", "newfstatat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), 0x1000, 0) }, NotCapable, false},
		{"statx empty path", "statx", func(f *fakeTracee) [6]uint64 { return args(3, f.str(""), emptyPath, 0x7ff, 0x1000) }, Allow, true},
		{"unlinkat the link up itself", "unlinkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), 0) }, Allow, true},
		{"unlinkat through link up", "unlinkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up/outside/secret"), 0) }, NotCapable, false},
		{"unlinkat AT_FDCWD", "unlinkat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("x"), 0) }, CapMode, true},
		{"readlinkat link up", "readlinkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), 0x1000, 64) }, Allow, true},
		{"mkdirat new", "mkdirat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/newdir"), 0o755) }, Allow, true},
		{"mkdirat in link up", "mkdirat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up/newdir"), 0o755) }, NotCapable, false},
		{"mkdirat dotdot", "mkdirat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("../newdir"), 0o755) }, NotCapable, true},
		{"symlinkat escaping target text is fine", "symlinkat", func(f *fakeTracee) [6]uint64 { return args(f.str("/etc/passwd"), dirfd, f.str("sub/lnk")) }, Allow, true},
		{"symlinkat link path escapes", "symlinkat", func(f *fakeTracee) [6]uint64 { return args(f.str("x"), dirfd, f.str("../lnk")) }, NotCapable, true},
		{"renameat inside", "renameat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), dirfd, f.str("sub/renamed")) }, Allow, true},
		{"renameat target escapes", "renameat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), dirfd, f.str("../stolen")) }, NotCapable, true},
		{"renameat source escapes", "renameat2", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("../outside/secret"), dirfd, f.str("x"), 0) }, NotCapable, true},
		{"renameat target AT_FDCWD", "renameat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), atFDCWDFromC, f.str("x")) }, CapMode, true},
		{"linkat target escapes", "linkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), dirfd, f.str("../x"), 0) }, NotCapable, true},
		{"linkat source link up not followed", "linkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), dirfd, f.str("y"), 0) }, Allow, true},
		{"linkat source link up followed", "linkat", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("link_up"), dirfd, f.str("y"), 0x400) }, NotCapable, false},
		{"utimensat NULL path is futimens", "utimensat", func(f *fakeTracee) [6]uint64 { return args(3, 0, 0, 0) }, Allow, true},
		{"fchownat AT_FDCWD", "fchownat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, f.str("x"), 0, 0, 0) }, CapMode, true},
		{"faccessat dotdot", "faccessat2", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("../outside"), 0, 0) }, NotCapable, true},
		{"openat2 RESOLVE_BENEATH still AT_FDCWD", "openat2", func(f *fakeTracee) [6]uint64 {
			return args(atFDCWDFromC, f.str("x"), f.u64s(0, 0, 8), 24)
		}, CapMode, true},
		{"openat2 create inside", "openat2", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("sub/n2"), f.u64s(oCreat, 0o644, 0), 24) }, Allow, true},
		{"unreadable path fails EFAULT", "openat", func(f *fakeTracee) [6]uint64 { return args(atFDCWDFromC, 0xdead0000, 0) }, Allow, true},
		{"bad descriptor fails EBADF", "openat", func(f *fakeTracee) [6]uint64 { return args(9999, f.str("file"), 0) }, Allow, true},
		{"inotify_add_watch", "inotify_add_watch", func(f *fakeTracee) [6]uint64 { return args(3, f.str("."), 2) }, CapMode, true},
		{"name_to_handle_at", "name_to_handle_at", func(f *fakeTracee) [6]uint64 { return args(dirfd, f.str("file"), 0, 0, 0) }, CapMode, true},
	}
	tab := Linux()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.lexical && !symlinksSeen {
				t.Skip("the lexical resolver cannot see symlinks")
			}
			f := newFake()
			e, _ := tab.ByName(tc.syscall)
			v := tab.Check(Call{Nr: e.Nr, Args: tc.args(f)}, f)
			if v.Outcome != tc.want {
				t.Fatalf("got %q (%s), want %q", v.Outcome.Errno(), v.Reason, tc.want.Errno())
			}
			switch v.Outcome {
			case CapMode:
				if v.Hint == "" || v.Reason == "" {
					t.Errorf("unexplained: %+v", v)
				}
			case NotCapable:
				if v.Kind != KindPathEscape {
					t.Errorf("kind %s", v.Kind)
				}
			}
		})
	}
}

func TestEscapeCause(t *testing.T) {
	dirfd := sandboxTree(t)
	tr := newFake()
	for path, want := range map[string]escape{
		"/etc":                  byAbsolute,
		"../x":                  byDotDot,
		"sub/../../x":           byDotDot,
		"sub/inner/../../file":  beneath,
		"link_up/outside":       bySymlink,
		"link_abs":              bySymlink, // EXDEV from openat2 does not say which kind of link
		"link_in/inner/../file": beneath,
	} {
		if runtime.GOOS != "linux" && (want == bySymlink || path == "link_abs") {
			continue
		}
		if got := resolveBeneath(tr, dirfd, path, true, false); got != want {
			t.Errorf("%s: got %d, want %d", path, got, want)
		}
	}
}

func TestPathHints(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/share/zoneinfo/UTC": "caph_cache_tzdata",
		"/etc/localtime":          "caph_cache_tzdata",
		"/etc/passwd":             "cap_pwd",
		"/etc/group":              "cap_grp",
		"/etc/resolv.conf":        "cap_net",
		"/srv/data":               "openat(dirfd",
	} {
		f := newFake()
		v := Linux().Check(Call{Nr: 257, Args: args(atFDCWDFromC, f.str(path), 0)}, f)
		if !contains(v.Hint, want) {
			t.Errorf("%s: hint %q lacks %q", path, v.Hint, want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
