package symbolize

import (
	"os"
	"path/filepath"
	"testing"
)

const (
	libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
	prog = "/home/dev/prog/prog"
)

func TestCallSite(t *testing.T) {
	f := func(module, function, file string) Frame {
		return Frame{Module: module, Function: function, File: file, Line: 1}
	}
	const goroot = "/usr/local/go/src/"
	const staticProg = "/bin/static-prog"
	for _, tc := range []struct {
		name   string
		frames []Frame
		want   int
	}{
		{"C through libc", []Frame{f(libc, "__libc_open64", ""), f(prog, "load", "p.c"), f(prog, "main", "p.c")}, 1},
		{"vdso", []Frame{f("[vdso]", "__vdso_clock_gettime", ""), f(prog, "main", "p.c")}, 1},
		{"dynamic loader", []Frame{f("/lib64/ld-linux-x86-64.so.2", "_dl_map_object", ""), f(prog, "main", "p.c")}, 1},
		{"FreeBSD libsys", []Frame{f("/lib/libsys.so.7", "__sys_openat", ""), f("/lib/libc.so.7", "open", ""), f(prog, "main", "p.c")}, 2},
		{"musl built in a prefix", []Frame{f("/opt/musl/lib/libc.so", "open", ""), f(prog, "main", "p.c")}, 1},
		{"system library", []Frame{f("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "RAND_load_file", ""), f(prog, "main", "p.c")}, 1},
		{"/usr/local is the user's", []Frame{f(libc, "open", ""), f("/usr/local/lib/libmine.so", "mine_open", "mine.c"), f(prog, "main", "p.c")}, 1},
		{"all system frames", []Frame{f(libc, "open", ""), f(libc, "__libc_start_main", "")}, 0},
		{"Go through os and syscall", []Frame{
			f(prog, "syscall.Syscall6", goroot+"syscall/syscall_linux.go"),
			f(prog, "syscall.openat", goroot+"syscall/zsyscall_linux_amd64.go"),
			f(prog, "os.OpenFile", goroot+"os/file.go"),
			f(prog, "internal/poll.(*FD).Init", goroot+"internal/poll/fd_unix.go"),
			f(prog, "main.loadConfig", "/src/victim/main.go"),
			f(prog, "runtime.main", goroot+"runtime/proc.go")}, 4},
		{"Go through x/sys/unix", []Frame{
			f(prog, "golang.org/x/sys/unix.Syscall", "/root/go/pkg/mod/golang.org/x/sys@v0.50.0/unix/syscall_linux.go"),
			f(prog, "github.com/acme/tool/store.Open", "/src/tool/store/store.go")}, 1},
		{"Go module without a dot in its path", []Frame{
			f(prog, "os.Open", goroot+"os/file.go"),
			f(prog, "victim/store.Open", "/home/dev/victim/store/store.go"),
			f(prog, "runtime.main", goroot+"runtime/proc.go")}, 1},
		{"C clone is not Go", []Frame{f(libc, "open", ""), f(prog, "parse.constprop.0", "")}, 1},
		{"cgo glue", []Frame{f(prog, "_cgo_abc_Cfunc_open", ""), f(prog, "main.main", "/src/m.go")}, 1},
		{"unsymbolized frame is the program's", []Frame{f(libc, "open", ""), {PC: 0x1234}}, 1},
		{"Rust standard library", []Frame{
			f(libc, "open64", ""),
			f(prog, "<std::sys::fs::unix::File>::open_c", "/rustc/4d91de4e/library/std/src/sys/fs/unix.rs"),
			f(prog, "std::fs::OpenOptions::_open", "/rustc/4d91de4e/library/std/src/fs.rs"),
			f(prog, "config::Loader::load", "/src/tool/main.rs")}, 3},
		{"static C library has no lines", []Frame{
			{Module: staticProg, Function: "__libc_open"},
			{Module: staticProg, Function: "open_config", File: "/src/p.c", Line: 12},
			{Module: staticProg, Function: "main", File: "/src/p.c", Line: 30}}, 1},
		{"user code without -g in a dynamic program is a site", []Frame{
			f(libc, "open", ""),
			{Module: prog, Function: "load_config"},
			{Module: prog, Function: "main", File: "/src/p.c", Line: 30}}, 1},
		{"standard-library goroutine", []Frame{
			f(prog, "internal/runtime/syscall/linux.Syscall6", goroot+"internal/runtime/syscall/linux/asm_linux_amd64.s"),
			f(prog, "syscall.openat", goroot+"syscall/zsyscall_linux_amd64.go"),
			f(prog, "os.OpenFile", goroot+"os/file.go"),
			f(prog, "net.dnsReadConfig", goroot+"net/dnsconfig_unix.go"),
			f(prog, "runtime.goexit", goroot+"runtime/asm_amd64.s")}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The facts the Symbolizer records with each frame.
			for i := range tc.frames {
				tc.frames[i].System = IsSystemFrame(tc.frames[i])
				tc.frames[i].Static = tc.frames[i].Module == staticProg
			}
			if got := CallSite(tc.frames); got != tc.want {
				t.Errorf("site = %d (%s), want %d (%s)", got, tc.frames[got].Function, tc.want, tc.frames[tc.want].Function)
			}
		})
	}
}

func TestStableName(t *testing.T) {
	for in, want := range map[string]string{
		"parse.constprop.0": "parse",
		"parse.isra.0.cold": "parse",
		"f.cold":            "f",
		"g.lto_priv.3":      "g",
		"main.main":         "main.main",
		"os.(*File).Read":   "os.(*File).Read",
	} {
		if got := StableName(in); got != want {
			t.Errorf("StableName(%q) = %q, want %q", in, got, want)
		}
	}
	// Symbols are cut more carefully: a Go function may be named like a
	// clone part.
	for in, want := range map[string]string{
		"parse.constprop.0": "parse",
		"f.part.1":          "f",
		"f.cold":            "f",
		"h.llvm.4711":       "h",
		"runtime.clone":     "runtime.clone",
		"net.(*conn).Read":  "net.(*conn).Read",
	} {
		if got := trimCloneSuffix(in); got != want {
			t.Errorf("trimCloneSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSourceRoot(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "src", "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	var roots sourceRoots
	for file, want := range map[string]string{
		filepath.Join(repo, "src", "lib", "a.c"): repo,
		filepath.Join(repo, "b.c"):               repo,
		filepath.Join(dir, "elsewhere", "c.c"):   "",
		"relative/d.go":                          "",
		"":                                       "",
	} {
		if got := roots.of(file); got != want {
			t.Errorf("root of %q = %q, want %q", file, got, want)
		}
	}
	// Cached: a .git that appears later is not looked for again.
	if err := os.Mkdir(filepath.Join(dir, "elsewhere"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := roots.of(filepath.Join(repo, "src", "lib", "e.c")); got != repo {
		t.Errorf("cached root %q, want %q", got, repo)
	}
}
