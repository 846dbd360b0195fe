package report

import (
	"debug/elf"
	"strings"
	"sync"

	"github.com/captrace/captrace/symbolize"
)

// IsSystemFrame reports whether a frame belongs to code that only passes a
// call through: the C library, the dynamic loader, the vDSO, any library
// under /lib, /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64 or /libexec,
// the Go runtime and standard library, and golang.org/x/sys/unix. The call
// site of a violation is the innermost frame that is not one of these.
func IsSystemFrame(f symbolize.Frame) bool {
	return symbolize.IsSystemModule(f.Module) || isGoSystemFunction(f.Function, f.File) || isRustStd(f.Function, f.File)
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

// gccCloneParts are the suffixes GCC and Clang give specialised copies of C
// functions ("parse.constprop.0"); without them a C name with a dot would
// look like a Go standard-library symbol.
var gccCloneParts = map[string]bool{
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
		if gccCloneParts[rest] {
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

// siteIndex picks the call site among frames (innermost first): the
// innermost non-system frame, or the innermost frame when all are system
// frames (a violation inside libc's own start-up, or a static binary
// without symbols).
//
// A Go module may have a path without a dot ("module victim"), which the
// name rule alone would take for the standard library; so when the stack
// shows where GOROOT is (a runtime frame's file), a Go frame whose file is
// outside it is the program's own.
func siteIndex(frames []symbolize.Frame) int {
	goroot := gorootOf(frames)
	withLines := modulesWithLines(frames)
	for i, f := range frames {
		if linkedInWithoutLines(f, withLines) {
			continue
		}
		if !IsSystemFrame(f) {
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
func modulesWithLines(frames []symbolize.Frame) map[string]bool {
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
func linkedInWithoutLines(f symbolize.Frame, withLines map[string]bool) bool {
	return f.Line == 0 && withLines[f.Module] && isStaticProgram(f.Module)
}

var staticPrograms sync.Map // module path -> bool

// isStaticProgram is readStaticProgram; tests replace it.
var isStaticProgram = readStaticProgram

// readStaticProgram reports an ELF executable without a program
// interpreter (PT_INTERP): one that carries its C library inside.
func readStaticProgram(path string) bool {
	if v, ok := staticPrograms.Load(path); ok {
		return v.(bool)
	}
	static := false
	if f, err := elf.Open(path); err == nil {
		static = true
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				static = false
			}
		}
		f.Close()
	}
	staticPrograms.Store(path, static)
	return static
}

// isSyscallPlumbing: the frames every syscall passes through, which say
// nothing about who made it.
func isSyscallPlumbing(f symbolize.Frame) bool {
	if symbolize.IsSystemModule(f.Module) || isGoRuntime(f.Function) || isGoXSys(f.Function) {
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
func gorootOf(frames []symbolize.Frame) string {
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

// frame gives a report frame back the shape IsSystemFrame reads.
func (f StackFrame) frame() symbolize.Frame {
	return symbolize.Frame{Module: f.Module, Function: f.Function, File: f.File, Line: f.Line, Inlined: f.Inlined}
}
