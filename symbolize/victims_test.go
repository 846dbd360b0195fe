package symbolize

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// victimDir holds the victims, compiled once per test binary by TestMain.
var victimDir string

var victimSrc, _ = filepath.Abs("../testdata/victims/stacks")

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "captrace-stacks-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	victimDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// victimBuild runs one build command at most once per test binary.
type victimBuild struct {
	done map[string]error
}

var builds = victimBuild{done: map[string]error{}}

func run(dir string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// victim returns the path of a built victim, building it (and what it
// needs) on first use. Variants are named after how they were built.
func victim(t testing.TB, name string) string {
	t.Helper()
	if err, ok := builds.done[name]; ok {
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(victimDir, name)
	}
	err := buildVictim(t, name)
	builds.done[name] = err
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(victimDir, name)
}

func buildVictim(t testing.TB, name string) error {
	src := func(f string) string { return filepath.Join(victimSrc, f) }
	d := victimDir
	switch name {
	case "chain-O0":
		return run(d, "gcc", "-O0", "-g", "-o", name, src("chain.c"))
	case "chain-O2":
		return run(d, "gcc", "-O2", "-g", "-fomit-frame-pointer", "-Wl,--build-id", "-o", name, src("chain.c"))
	case "chain-stripped":
		return run(d, "strip", "-o", name, victim(t, "chain-O2"))
	case "debuglink/chain":
		// Split the debug information off, as distributions do, and
		// point at it with .gnu_debuglink in .debug/ beside the binary.
		os.MkdirAll(filepath.Join(d, "debuglink/.debug"), 0o755)
		if err := run(d, "objcopy", "--only-keep-debug", victim(t, "chain-O2"), "debuglink/.debug/chain.debug"); err != nil {
			return err
		}
		if err := run(d, "strip", "-o", "debuglink/chain", victim(t, "chain-O2")); err != nil {
			return err
		}
		return run(filepath.Join(d, "debuglink"), "objcopy", "--add-gnu-debuglink=.debug/chain.debug", "chain")
	case "buildid/chain":
		// The debug file lives only under a debug directory, by build-id.
		os.MkdirAll(filepath.Join(d, "buildid"), 0o755)
		id := buildIDHex(t, victim(t, "chain-O2"))
		dbg := filepath.Join(d, "debugroot/.build-id", id[:2], id[2:]+".debug")
		os.MkdirAll(filepath.Dir(dbg), 0o755)
		if err := run(d, "objcopy", "--only-keep-debug", victim(t, "chain-O2"), dbg); err != nil {
			return err
		}
		return run(d, "strip", "-o", "buildid/chain", victim(t, "chain-O2"))
	case "libstack.so":
		return run(d, "gcc", "-O2", "-g", "-fPIC", "-shared", "-o", name, src("lib.c"))
	case "uselib":
		victim(t, "libstack.so")
		return run(d, "gcc", "-O0", "-g", "-o", name, src("uselib.c"), "-L.", "-lstack", "-Wl,-rpath,"+d, "-ldl")
	case "signal":
		return run(d, "gcc", "-O0", "-g", "-o", name, src("signal.c"))
	case "vdso":
		return run(d, "gcc", "-O0", "-g", "-o", name, src("vdso.c"))
	case "widget":
		return run(d, "g++", "-O2", "-g", "-o", name, src("widget.cc"))
	case "loader":
		return run(d, "g++", "-O2", "-g", "-o", name, src("loader.cc"))
	case "loader-nodebug":
		return run(d, "g++", "-O2", "-o", name, src("loader.cc"))
	case "gostack":
		return run(filepath.Join(victimSrc, "gostack"), "go", "build", "-o", filepath.Join(d, name), "main.go")
	case "cgostack", "cgostack-stripped":
		flags := ""
		if name == "cgostack-stripped" {
			flags = "-s -w"
		}
		cmd := exec.Command("go", "build", "-ldflags="+flags, "-o", filepath.Join(d, name), "main.go")
		cmd.Dir = filepath.Join(victimSrc, "cgostack")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", name, err, out)
		}
		return nil
	case "gostack-stripped":
		return run(filepath.Join(victimSrc, "gostack"), "go", "build", "-ldflags=-s -w", "-o", filepath.Join(d, name), "main.go")
	}
	return fmt.Errorf("unknown victim %q", name)
}

func buildIDHex(t testing.TB, path string) string {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	id := buildID(ef)
	if len(id) < 2 {
		t.Fatalf("%s has no build-id", path)
	}
	return fmt.Sprintf("%x", id)
}

// marker returns the line of the comment "LINE:name" in a victim source.
func marker(t testing.TB, file, name string) int {
	t.Helper()
	f, err := os.Open(filepath.Join(victimSrc, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(sc.Text(), "LINE:"+name) {
			return n
		}
	}
	t.Fatalf("no marker LINE:%s in %s", name, file)
	return 0
}

// symbolAddr returns a symbol's link-time address from the ELF symbol
// table of path (what nm prints).
func symbolAddr(t testing.TB, path, name string) uint64 {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, _ := ef.Symbols()
	for _, s := range syms {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("%s: no symbol %s", path, name)
	return 0
}

// staticMap maps one ELF file as a process would, without running it: a
// PIE at a fixed base, a non-PIE at its link-time address.
func staticMap(t testing.TB, path string) (*ModuleMap, uint64) {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	var bias uint64
	if ef.Type == elf.ET_DYN {
		bias = 0x7f0000000000
	}
	var lo, hi uint64 = ^uint64(0), 0
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			lo = min(lo, p.Vaddr&^(pageSize-1))
			hi = max(hi, p.Vaddr+p.Memsz)
		}
	}
	st, _ := os.Stat(path)
	_ = st
	mm := NewModuleMap([]Mapping{{Start: bias + lo, End: bias + hi, Offset: 0, Perm: "r-xp", Path: path, Inode: 1}})
	if m := mm.Find(bias + lo); m == nil || m.Bias != bias {
		t.Fatalf("staticMap: bias %#x, want %#x", m.Bias, bias)
	}
	return mm, bias
}
