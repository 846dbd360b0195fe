package symbolize

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// What a call site is, decided here once, when frames are symbolized: the
// report groups by the site and renders the facts, and never looks at a
// binary or the disk itself.

// IsSystemFrame reports whether a frame belongs to code that only passes a
// call through: the C library, the dynamic loader, the vDSO, any library
// under /lib, /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64 or /libexec,
// the Go runtime and standard library, and golang.org/x/sys/unix. The call
// site of a violation is the innermost frame that is not one of these.
// The Symbolizer records it in Frame.System.
func IsSystemFrame(f Frame) bool {
	return IsSystemModule(f.Module) || isGoSystemFunction(f.Function, f.File) || isRustStd(f.Function, f.File) ||
		isCapsicumHeader(f.File)
}

// isCapsicumHeader reports a frame in the Capsicum API's inline functions
// (captrace's Linux shim, or FreeBSD's capsicum_helpers.h): like the C
// library, they are the API, and the program's call is their caller.
func isCapsicumHeader(file string) bool {
	return strings.HasSuffix(file, "/sys/capsicum.h") || strings.HasSuffix(file, "/capsicum_helpers.h")
}

// rustStdPrefixes start the demangled names of Rust's standard library,
// which is linked into every Rust program (std::fs::File::open, and trait
// impls shown as <std::... as ...>).
var rustStdPrefixes = []string{"std::", "core::", "alloc::", "<std::", "<core::", "<alloc::"}

// isRustStd reports a frame of Rust's standard library: its files are
// under /rustc/<commit>/library/ as rustc records them.
func isRustStd(fn, file string) bool {
	if strings.HasPrefix(file, "/rustc/") {
		return true
	}
	for _, p := range rustStdPrefixes {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// cloneParts are the suffixes GCC and Clang give specialised copies of C
// functions ("parse.constprop.0", "f.cold", "g.llvm.4711"); without them a
// C name with a dot would look like a Go standard-library symbol, and one
// call site would split into several as optimization decisions change.
var cloneParts = map[string]bool{
	"constprop": true, "isra": true, "part": true, "cold": true, "clone": true,
	"lto_priv": true, "localalias": true, "llvm": true, "specialized": true,
}

// isGoSystemFunction applies Go's rule for the standard library: a package
// path whose first element has no dot ("os", "internal/poll", "runtime",
// "vendor/golang.org/x/net/...") other than "main".
func isGoSystemFunction(fn, file string) bool {
	if fn == "" || strings.Contains(fn, "::") || strings.Contains(fn, "+0x") {
		return false
	}
	// cgo's C half of the runtime lives in the program's own module.
	if strings.HasPrefix(fn, "_cgo_") || strings.HasPrefix(fn, "x_cgo_") || strings.HasPrefix(fn, "crosscall") {
		return true
	}
	pkg, ok := goPackage(fn)
	if !ok {
		return false
	}
	if !strings.HasSuffix(file, ".go") {
		// Without a Go file name only trust names that cannot be a C clone.
		rest := fn[len(pkg)+1:]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if cloneParts[rest] {
			return false
		}
	}
	if pkg == "golang.org/x/sys/unix" {
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	return first != "main" && !strings.Contains(first, ".")
}

// goPackage splits a Go symbol ("golang.org/x/sys/unix.Syscall",
// "main.(*T).m") at the dot that ends its package path.
func goPackage(fn string) (string, bool) {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot <= 0 {
		return "", false
	}
	return fn[:slash+1+dot], true
}

// CallSite picks the call site among frames (innermost first): the
// innermost non-system frame, or the innermost frame when all are system
// frames (a violation inside libc's own start-up, or a static binary
// without symbols).
//
// A Go module may have a path without a dot ("module victim"), which the
// name rule alone would take for the standard library; so when the stack
// shows where GOROOT is (a runtime frame's file), a Go frame whose file is
// outside it is the program's own.
//
// It reads the facts the Symbolizer recorded (Frame.System, Frame.Static).
func CallSite(frames []Frame) int {
	goroot := gorootOf(frames)
	withLines := modulesWithLines(frames)
	for i, f := range frames {
		if linkedInWithoutLines(f, withLines) {
			continue
		}
		if !f.System {
			return i
		}
		if goroot != "" && strings.HasSuffix(f.File, ".go") && !strings.HasPrefix(f.File, goroot) && !isGoXSys(f.Function) && !isGoRuntime(f.Function) {
			return i
		}
	}
	// All system code: a goroutine of the standard library (net's
	// resolver) or libc's own start-up. The innermost frame above the
	// syscall plumbing (net.dnsReadConfig, not Syscall6) tells calls apart.
	for i, f := range frames {
		if f.Function != "" && !isSyscallPlumbing(f) {
			return i
		}
	}
	return 0
}

// modulesWithLines are the modules some frame of the stack has a source
// line in: programs built with debug information.
func modulesWithLines(frames []Frame) map[string]bool {
	m := map[string]bool{}
	for _, f := range frames {
		if f.Line > 0 {
			m[f.Module] = true
		}
	}
	return m
}

// linkedInWithoutLines reports a frame without a line inside a static
// program that has lines elsewhere: the C library linked in without debug
// information (glibc's open inside a -static program), never a call site.
// In a dynamic program the C library is a module of its own, and a frame
// without a line is the user's code built without -g: a site.
func linkedInWithoutLines(f Frame, withLines map[string]bool) bool {
	return f.Line == 0 && withLines[f.Module] && f.Static
}

// hasNoInterpreter reports an ELF object without a program interpreter
// (PT_INTERP): a static program, which carries its C library inside, or a
// shared object.
func hasNoInterpreter(ef *elf.File) bool {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// isSyscallPlumbing: the frames every syscall passes through, which say
// nothing about who made it.
func isSyscallPlumbing(f Frame) bool {
	if IsSystemModule(f.Module) || isGoRuntime(f.Function) || isGoXSys(f.Function) {
		return true
	}
	for _, p := range []string{"syscall.", "internal/", "os.", "golang.org/x/sys/"} {
		if strings.HasPrefix(f.Function, p) {
			return true
		}
	}
	return false
}

// gorootOf finds "$GOROOT/src/" from a runtime frame's file.
func gorootOf(frames []Frame) string {
	for _, f := range frames {
		if isGoRuntime(f.Function) {
			if i := strings.LastIndex(f.File, "/src/runtime/"); i >= 0 {
				return f.File[:i+len("/src/")]
			}
		}
	}
	return ""
}

func isGoRuntime(fn string) bool { return strings.HasPrefix(fn, "runtime.") }

func isGoXSys(fn string) bool { return strings.HasPrefix(fn, "golang.org/x/sys/unix.") }

// StableName drops the suffixes compilers give clones of a C function
// ("parse.constprop.0", "f.cold"), which come and go with optimization
// decisions rather than with the source. Go names are left alone.
func StableName(fn string) string {
	parts := strings.Split(fn, ".")
	if parts[0] == "main" || strings.ContainsAny(parts[0], "/(") {
		return fn // Go
	}
	for i := 1; i < len(parts); i++ {
		numbered := i+1 < len(parts) && isDigits(parts[i+1])
		last := i == len(parts)-1
		if cloneParts[parts[i]] && (numbered || last) {
			return strings.Join(parts[:i], ".")
		}
	}
	return fn
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// sourceRoots finds the repository a source file belongs to: the nearest
// directory above it with a .git entry (a directory, or a file in
// worktrees and submodules). Lookups are cached per directory.
type sourceRoots struct {
	mu    sync.Mutex
	roots map[string]string // directory -> repository root ("" = none)
}

// maxSourceRoots bounds the cache; past it, it starts again.
const maxSourceRoots = 1 << 14

func (s *sourceRoots) of(file string) string {
	if file == "" || !filepath.IsAbs(file) {
		return "" // relative already: to the build's own source root
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roots == nil || len(s.roots) > maxSourceRoots {
		s.roots = map[string]string{}
	}
	var walked []string
	dir := filepath.Dir(file)
	root := ""
	for {
		if r, ok := s.roots[dir]; ok {
			root = r
			break
		}
		walked = append(walked, dir)
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			root = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, d := range walked {
		s.roots[d] = root
	}
	return root
}
