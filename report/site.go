package report

import (
	"strings"

	"github.com/captrace/captrace/symbolize"
)

// IsSystemFrame reports whether a frame belongs to code that only passes a
// call through: the C library, the dynamic loader, the vDSO, any library
// under /lib, /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64 or /libexec,
// the Go runtime and standard library, and golang.org/x/sys/unix. The call
// site of a violation is the innermost frame that is not one of these.
func IsSystemFrame(f symbolize.Frame) bool {
	return symbolize.IsSystemModule(f.Module) || isGoSystemFunction(f.Function, f.File)
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
	for i, f := range frames {
		if !IsSystemFrame(f) {
			return i
		}
		if goroot != "" && strings.HasSuffix(f.File, ".go") && !strings.HasPrefix(f.File, goroot) && !isGoXSys(f.Function) && !isGoRuntime(f.Function) {
			return i
		}
	}
	return 0
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
