package symbolize

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// want is one expected frame: function, source file (base name) and the
// marker naming its line.
type want struct {
	function, file, marker string
	inlined                bool
}

// stackOf unwinds and symbolizes a stopped victim.
func stackOf(t *testing.T, s *stop, mm *ModuleMap) ([]Frame, bool) {
	c := NewCache(nil)
	pcs, missed := NewUnwinder(c).Unwind(mm, s.regs, s.mem, 64)
	sym := NewSymbolizer(c)
	var frames []Frame
	for _, pc := range pcs {
		frames = append(frames, sym.Symbolize(mm, pc)...)
	}
	return frames, missed
}

func dump(frames []Frame) string {
	var b strings.Builder
	for _, f := range frames {
		fmt.Fprintf(&b, "\n  %#x %s %s:%d inlined=%v [%s]", f.PC, f.Function, f.File, f.Line, f.Inlined, filepath.Base(f.Module))
	}
	return b.String()
}

// checkStack asserts the frames from the syscall's caller up to main:
// the first frames (the C library's syscall wrapper) are skipped, then
// every frame must match want exactly. Frames of system libraries
// between wanted frames are allowed where want has a "*" function.
func checkStack(t *testing.T, frames []Frame, src string, wants []want) {
	t.Helper()
	i := 0
	for i < len(frames) && frames[i].Function != wants[0].function {
		if !isSystem(frames[i].Module) {
			t.Fatalf("frame %d is not in a system library before %s:%s", i, wants[0].function, dump(frames))
		}
		i++
	}
	for _, w := range wants {
		if w.function == "*" {
			if i >= len(frames) || !isSystem(frames[i].Module) {
				t.Fatalf("want system library frames at %d:%s", i, dump(frames))
			}
			for i < len(frames) && isSystem(frames[i].Module) {
				i++
			}
			continue
		}
		if i >= len(frames) {
			t.Fatalf("missing frame %s:%s", w.function, dump(frames))
		}
		f := frames[i]
		line := marker(t, w.file, w.marker)
		if f.Function != w.function || f.File != filepath.Join(victimSrc, w.file) || f.Line != line || f.Inlined != w.inlined {
			t.Fatalf("frame %d: got %s %s:%d inlined=%v, want %s %s:%d inlined=%v:%s", i, f.Function, f.File, f.Line, f.Inlined,
				w.function, w.file, line, w.inlined, dump(frames))
		}
		i++
	}
}

func isSystem(module string) bool {
	return strings.HasPrefix(module, "/lib") || strings.HasPrefix(module, "/usr/lib")
}

func TestUnwindChain(t *testing.T) {
	chain := []want{
		{"level4", "chain.c", "level4_open", false},
		{"level3", "chain.c", "level3_call", false},
		{"level2", "chain.c", "level2_call", false},
		{"level1", "chain.c", "level1_call", false},
		{"main", "chain.c", "main_call", false},
	}
	inlined := append([]want{
		{"inner_open", "chain.c", "inner_open", true},
		{"twice_open", "chain.c", "twice_call", true},
		{"level4", "chain.c", "level4_twice", false},
	}, chain[1:]...)
	for _, v := range []string{"chain-O0", "chain-O2", "debuglink/chain"} {
		for nth, wants := range map[int][]want{1: chain, 2: inlined} {
			t.Run(fmt.Sprintf("%s/open%d", v, nth), func(t *testing.T) {
				traceUntil(t, []string{victim(t, v)}, unix.SYS_OPENAT, nth, "", func(s *stop) {
					mm, err := ReadMaps(s.pid)
					if err != nil {
						t.Fatal(err)
					}
					frames, missed := stackOf(t, s, mm)
					if missed {
						t.Errorf("missed with a fresh map:%s", dump(frames))
					}
					checkStack(t, frames, "chain.c", wants)
				})
			})
		}
	}
}

func TestUnwindSharedLibrary(t *testing.T) {
	traceUntil(t, []string{victim(t, "uselib")}, unix.SYS_OPENAT, 1, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		frames, missed := stackOf(t, s, mm)
		if missed {
			t.Errorf("missed with a fresh map:%s", dump(frames))
		}
		checkStack(t, frames, "", []want{
			{"lib_inner", "lib.c", "lib_open", false},
			{"lib_open", "lib.c", "lib_call", false},
			{"via_link", "uselib.c", "via_link", false},
			{"main", "uselib.c", "main_link", false},
		})
	})
}

func TestUnwindDlopen(t *testing.T) {
	lib := victim(t, "libstack.so")
	// A copy, so the library is not already mapped by the link.
	traceUntil(t, []string{victim(t, "uselib"), "dlopen", lib}, unix.SYS_OPENAT, 1, lib, func(s *stop) {
		if s.early == nil {
			t.Fatal("no snapshot before dlopen")
		}
		_, missed := stackOf(t, s, s.early)
		if !missed {
			t.Errorf("stale map: want missed")
		}
		mm, _ := ReadMaps(s.pid)
		frames, missed := stackOf(t, s, mm)
		if missed {
			t.Errorf("missed with a fresh map:%s", dump(frames))
		}
		checkStack(t, frames, "", []want{
			{"lib_inner", "lib.c", "lib_open", false},
			{"lib_open", "lib.c", "lib_call", false},
			{"via_dlopen", "uselib.c", "via_dlopen", false},
			{"main", "uselib.c", "main_dlopen", false},
		})
	})
}

func TestUnwindSignalHandler(t *testing.T) {
	traceUntil(t, []string{victim(t, "signal")}, unix.SYS_OPENAT, 1, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		frames, _ := stackOf(t, s, mm)
		checkStack(t, frames, "", []want{
			{"handler_open", "signal.c", "handler_open", false},
			{"on_signal", "signal.c", "handler_call", false},
			{"*", "", "", false}, // __restore_rt and raise's frames in libc
			{"raise_it", "signal.c", "raise_call", false},
			{"main", "signal.c", "main_raise", false},
		})
	})
}

// TestUnwindVDSO stops at a syscall made from inside the vDSO: the
// unwinder must read the vDSO's ELF from the process to find its CFI, and
// climb out through libc to the program.
func TestUnwindVDSO(t *testing.T) {
	traceUntil(t, []string{victim(t, "vdso")}, unix.SYS_CLOCK_GETTIME, 1, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		frames, _ := stackOf(t, s, mm)
		if len(frames) == 0 || frames[0].Module != "[vdso]" {
			t.Fatalf("frame 0 is not in the vDSO:%s", dump(frames))
		}
		if !strings.Contains(frames[0].Function, "clock_gettime") {
			t.Errorf("vDSO frame named %q, want its clock_gettime symbol:%s", frames[0].Function, dump(frames))
		}
		checkStack(t, frames[1:], "", []want{
			{"vdso_site", "vdso.c", "vdso_call", false},
			{"main", "vdso.c", "vdso_main", false},
		})
	})
}

func TestUnwindCXX(t *testing.T) {
	traceUntil(t, []string{victim(t, "widget")}, unix.SYS_OPENAT, 1, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		frames, _ := stackOf(t, s, mm)
		checkStack(t, frames, "", []want{
			{"shop::Widget::open_config", "widget.cc", "cxx_open", false},
			{"main", "widget.cc", "cxx_main", false},
		})
	})
}

// TestUnwindCXXTemplate names a member function template of a class
// template the same with DWARF as without it (ELF symbols, demangled):
// GCC's DWARF gives the instance neither its class nor a linkage name.
// An inlined instance has no symbol: its class and namespaces come from
// the DWARF scopes of its declaration, its template arguments as DWARF
// spells them.
func TestUnwindCXXTemplate(t *testing.T) {
	const load = "app::detail::Loader<int>::load<main::{lambda(int)#1}>"
	const reopen = "app::detail::Loader<int>::reopen<main()::<lambda(int)> >"
	tests := []struct {
		victim string
		nth    int
		wants  []want // file "" when the build has no lines
	}{
		{"loader", 1, []want{{load, "loader.cc", "tmpl_open", false}, {"main", "loader.cc", "tmpl_main", false}}},
		{"loader", 2, []want{{reopen, "loader.cc", "tmpl_reopen", true}, {load, "loader.cc", "tmpl_call_reopen", false}, {"main", "loader.cc", "tmpl_main", false}}},
		{"loader-nodebug", 1, []want{{load, "", "", false}, {"main", "", "", false}}},
		{"loader-nodebug", 2, []want{{load, "", "", false}, {"main", "", "", false}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/open%d", tt.victim, tt.nth), func(t *testing.T) {
			traceUntil(t, []string{victim(t, tt.victim)}, unix.SYS_OPENAT, tt.nth, "", func(s *stop) {
				mm, _ := ReadMaps(s.pid)
				frames, _ := stackOf(t, s, mm)
				if tt.wants[0].file != "" {
					checkStack(t, frames, "", tt.wants)
					return
				}
				i := 0
				for i < len(frames) && isSystem(frames[i].Module) {
					i++
				}
				for _, w := range tt.wants {
					if i >= len(frames) || frames[i].Function != w.function {
						t.Fatalf("frame %d: want %s:%s", i, w.function, dump(frames))
					}
					i++
				}
			})
		})
	}
}

// TestUnwindGoroutine unwinds a goroutine stopped in a raw syscall, with
// CFI from .debug_frame and, stripped (-s -w), from .gopclntab's pcsp
// tables: both must give the same frames, from the syscall up.
func TestUnwindGoroutine(t *testing.T) {
	var withDWARF []Frame
	for _, v := range []string{"gostack", "gostack-stripped"} {
		t.Run(v, func(t *testing.T) {
			frames := goroutineStack(t, v)
			if withDWARF == nil {
				withDWARF = frames
				return
			}
			if dump(frames) != dump(withDWARF) {
				t.Errorf("stripped:%s\nwith DWARF:%s", dump(frames), dump(withDWARF))
			}
		})
	}
}

// goroutineStack returns the frames of gostack's worker goroutine from
// frame 0 (the syscall) up, with Module cleared.
func goroutineStack(t *testing.T, v string) []Frame {
	var out []Frame
	traceUntil(t, []string{victim(t, v)}, unix.SYS_GETPPID, 1, "", func(s *stop) {
		mm, _ := ReadMaps(s.pid)
		frames, missed := stackOf(t, s, mm)
		if missed {
			t.Errorf("missed:%s", dump(frames))
		}
		i := 0
		for i < len(frames) && frames[i].Function != "main.worker" {
			if !strings.HasPrefix(frames[i].Function, "syscall.") && !strings.HasPrefix(frames[i].Function, "internal/runtime/syscall") && !strings.HasPrefix(frames[i].Function, "runtime.") {
				t.Fatalf("frame %d is not Go's syscall machinery:%s", i, dump(frames))
			}
			i++
		}
		// The go statement wraps the call in main.main.gowrap1.
		if i+3 != len(frames) || frames[i].Line != marker(t, "gostack/main.go", "go_syscall") ||
			frames[i+1].Function != "main.main.gowrap1" || frames[i+1].Line != marker(t, "gostack/main.go", "go_spawn") ||
			frames[i+2].Function != "runtime.goexit" {
			t.Fatalf("want main.worker at go_syscall, main.main.gowrap1, runtime.goexit:%s", dump(frames))
		}
		// Go's syscall machinery: RawSyscall and the assembly Syscall6,
		// which frame pointers alone would skip.
		if i < 2 {
			t.Errorf("want the syscall frames below main.worker:%s", dump(frames))
		}
		out = frames
		for j := range out {
			out[j].Module = ""
		}
	})
	return out
}

// TestUnwindCgo stops in C code called through cgo. The C function runs
// on the system stack, which runtime.asmcgocall switched to: the unwinder
// must cross back to the goroutine's stack to reach the Go callers. The
// stripped build (-s -w, no symbols for the C functions) must give the
// same Go frames from .gopclntab.
func TestUnwindCgo(t *testing.T) {
	src := "cgostack/main.go"
	wants := []struct {
		function string // a prefix for the cgo-generated C wrapper
		marker   string // "" for frames in files the toolchain made
	}{
		{"c_open_config", "cgo_open"},
		{"_cgo_", ""},
		{"runtime.asmcgocall", ""},
		{"runtime.cgocall", ""},
		{"main._Cfunc_c_open_config", ""},
		{"main.loadViaC", "cgo_call"},
		{"main.main", "cgo_main"},
		{"runtime.main", ""},
		{"runtime.goexit", ""},
	}
	var withSymbols []Frame
	for _, v := range []string{"cgostack", "cgostack-stripped"} {
		t.Run(v, func(t *testing.T) {
			traceUntil(t, []string{victim(t, v)}, unix.SYS_OPENAT, 1, "", func(s *stop) {
				mm, _ := ReadMaps(s.pid)
				frames, missed := stackOf(t, s, mm)
				if missed {
					t.Errorf("missed:%s", dump(frames))
				}
				i := 0
				for i < len(frames) && isSystem(frames[i].Module) {
					i++
				}
				frames = frames[i:]
				if len(frames) != len(wants) {
					t.Fatalf("got %d frames above libc, want %d:%s", len(frames), len(wants), dump(frames))
				}
				if withSymbols != nil {
					// Without symbols the C functions are named by
					// their module offset; the Go frames must not change.
					for j := range frames {
						got, want := frames[j], withSymbols[j]
						got.Module, want.Module = "", ""
						if j >= 2 && got != want {
							t.Errorf("frame %d: stripped %+v, with symbols %+v", j, got, want)
						}
					}
					return
				}
				for j, w := range wants {
					f := frames[j]
					if !strings.HasPrefix(f.Function, w.function) {
						t.Fatalf("frame %d is %s, want %s:%s", j, f.Function, w.function, dump(frames))
					}
					if w.marker != "" && (f.File != filepath.Join(victimSrc, src) || f.Line != marker(t, src, w.marker)) {
						t.Fatalf("frame %d at %s:%d, want %s at LINE:%s:%s", j, f.File, f.Line, src, w.marker, dump(frames))
					}
				}
				withSymbols = frames
			})
		})
	}
}

// TestUnwindToProgram: the enter site's walk is a prefix of the full
// unwind that goes through the C library's syscall wrapper, the program's
// frames, and stops at the C library's start-up code after main, whose
// row it never looks up.
func TestUnwindToProgram(t *testing.T) {
	traceUntil(t, []string{victim(t, "chain-O2")}, unix.SYS_OPENAT, 1, "", func(s *stop) {
		mm, err := ReadMaps(s.pid)
		if err != nil {
			t.Fatal(err)
		}
		c := NewCache(nil)
		full, _ := NewUnwinder(c).Unwind(mm, s.regs, s.mem, 64)
		pcs, missed := NewUnwinder(c).UnwindToProgram(mm, s.regs, s.mem, 16, false)
		if missed || len(pcs) < 3 || len(pcs) >= len(full) {
			t.Fatalf("UnwindToProgram %v (missed %v), want a prefix of %v ending at the C library", pcs, missed, full)
		}
		for i, pc := range pcs {
			if pc != full[i] {
				t.Fatalf("frame %d: %v, want %v", i, pc, full[i])
			}
			system := IsSystemModule(mm.Find(pc.Addr).Path)
			switch {
			case i == 0 && !system:
				t.Errorf("frame 0 (the syscall wrapper) is not the C library's")
			case i > 0 && i < len(pcs)-1 && system:
				t.Errorf("frame %d is a system library's: the walk should have ended", i)
			case i == len(pcs)-1 && !system:
				t.Errorf("the last frame is the program's: the walk should have gone on")
			}
		}
		frames := NewSymbolizer(c).Symbolize(mm, pcs[len(pcs)-2])
		if len(frames) == 0 || frames[len(frames)-1].Function != "main" {
			t.Errorf("the frame before the C library is %+v, want main", frames)
		}
	})
}
