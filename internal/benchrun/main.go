//go:build linux

// Command benchrun measures captrace against native runs and strace, side by
// side in one run, and prints the table docs/performance.md keeps. It is
// what `make bench` (scripts/bench.sh) runs once captrace, the bench
// victims and strace are in place.
//
// Each contender runs pinned to one CPU (taskset -c CPU) so that runs are
// comparable; the contenders of a comparison take turns within each
// repetition, so a machine that slows down mid-run slows them all. Times
// are wall-clock, start-up included; a ratio is of medians (and of minima).
// Peak memory is the kernel's maxrss of the waited-for process (as GNU
// time's %M): captrace's own, since the victim is far smaller.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/captrace/captrace/tracer"
)

var (
	captrace   = flag.String("captrace", "bin/captrace", "captrace binary")
	victimDir  = flag.String("victims", "build/bench", "directory holding bench_allowed, bench_violations and bench_stops (-O2 -g -fomit-frame-pointer)")
	reps       = flag.Int("reps", 5, "repetitions of each timed contender")
	cpu        = flag.String("cpu", "1", "CPU list every contender is pinned to (taskset -c)")
	allowedN   = flag.Int("allowed", 1000000, "allowed syscalls in the allowed-heavy run")
	violationN = flag.Int("violations", 20000, "violations in the violation-heavy run")
	memN       = flag.String("mem", "10000,100000,1000000", "violation counts of the peak-memory runs")
	skipGoBen  = flag.Bool("no-gobench", false, "skip the symbolize Go benchmark")
	root       = flag.String("root", ".", "module root (for the Go benchmark)")
	duDir      = flag.String("du", "/usr/share", "the directory the tree walk (du -s) reads")
	makeFiles  = flag.Int("make-files", 30, "C files in the make -j2 build")
	only       = flag.String("only", "", "run only these sections, comma-separated: du, make, startup, allowed, violations, stops, memory, gobench")
)

// contender is one command line that a comparison times.
type contender struct {
	name string
	argv []string
}

// sample is one timed run.
type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

// floorArg re-executes benchrun as a launcher that installs a one-line
// allow-everything seccomp filter and execs the rest of its arguments: the
// least any seccomp filter costs (the kernel's slow syscall-entry path),
// with no tracer at all. It is the floor for captrace's allowed-heavy ratio.
const floorArg = "__benchrun_seccomp_floor__"

// launchFilterArg does the same with captrace's launch filter: what a
// program built against the shim runs under until its enter point (any
// other runs with no filter), without the tracer (its clone3 calls fail
// with ENOSYS then, and glibc falls back to clone).
const launchFilterArg = "__benchrun_launch_filter__"

func main() {
	if len(os.Args) > 2 && os.Args[1] == floorArg {
		seccompFloorExec(nil, os.Args[2:])
	}
	if len(os.Args) > 2 && os.Args[1] == launchFilterArg {
		prog, err := tracer.LaunchFilter()
		if err != nil {
			fatalf("%v", err)
		}
		seccompFloorExec(prog, os.Args[2:])
	}
	flag.Parse()
	for _, need := range []string{"taskset", "make", "gcc", "du", *captrace} {
		if _, err := exec.LookPath(need); err != nil {
			fatalf("%s: %v", need, err)
		}
	}
	allowed := filepath.Join(*victimDir, "bench_allowed")
	violations := filepath.Join(*victimDir, "bench_violations")
	stops := filepath.Join(*victimDir, "bench_stops")
	ct := func(args ...string) []string {
		return append([]string{*captrace, "-o", "/dev/null", "--format=json"}, args...)
	}
	strace := func(args ...string) []string {
		return append([]string{"strace", "-f", "-o", "/dev/null"}, args...)
	}
	floor := func(args ...string) []string { return append([]string{self(), floorArg}, args...) }
	const floorName = "allow-all seccomp filter, no tracer (floor)"
	launch := func(args ...string) []string { return append([]string{self(), launchFilterArg}, args...) }
	const launchName = "captrace's launch filter alone (shim-built programs), no tracer"

	machine()

	// Where capability mode is not in force: the program runs with no
	// filter (one built against the shim, under the launch filter).
	if want("du") {
		section(fmt.Sprintf("Nothing enters: du -s %s under --enter=cap_enter (target: <= 1.15x native)", *duDir))
		res := compare([]contender{
			{"native", []string{"du", "-s", *duDir}},
			{floorName, floor("du", "-s", *duDir)},
			{launchName, launch("du", "-s", *duDir)},
			{"captrace --enter=cap_enter", ct("--enter=cap_enter", "--", "du", "-s", *duDir)},
			{"strace -f --seccomp-bpf (open,openat)", strace("--seccomp-bpf", "-e", "trace=open,openat", "--", "du", "-s", *duDir)},
		}, *reps)
		table(res, "native")
		verdict("captrace / native", ratio(res, "captrace --enter=cap_enter", "native"), 1.15)
	}

	if want("make") {
		build := makeTree(*makeFiles)
		defer os.RemoveAll(build)
		mk := []string{"make", "-s", "-B", "-j2", "-C", build}
		section(fmt.Sprintf("Nothing enters: make -j2 of %d C files under --enter=cap_enter (target: <= 1.15x native)", *makeFiles))
		res := compare([]contender{
			{"native", mk},
			{floorName, floor(mk...)},
			{launchName, launch(mk...)},
			{"captrace --enter=cap_enter", ct(append([]string{"--enter=cap_enter", "--"}, mk...)...)},
			{"strace -f --seccomp-bpf (open,openat)", strace(append([]string{"--seccomp-bpf", "-e", "trace=open,openat", "--"}, mk...)...)},
		}, *reps)
		table(res, "native")
		verdict("captrace / native", ratio(res, "captrace --enter=cap_enter", "native"), 1.15)
	}

	if want("startup") {
		section("Start-up: a program that does nothing (target: captrace no slower than strace -f --seccomp-bpf)")
		// Each writes its default output, text, to /dev/null, as strace's
		// row does; the JSON report's row says what choosing it adds.
		text := func(args ...string) []string {
			return append([]string{*captrace, "-o", "/dev/null"}, args...)
		}
		res := compare([]contender{
			{"/bin/true", []string{"/bin/true"}},
			{"strace -f --seccomp-bpf (open,openat) -- /bin/true", strace("--seccomp-bpf", "-e", "trace=open,openat", "--", "/bin/true")},
			{"captrace -- /bin/true (enters at main)", text("--", "/bin/true")},
			{"captrace --enter=cap_enter -- /bin/true (never enters)", text("--enter=cap_enter", "--", "/bin/true")},
			{"captrace --format=json --enter=cap_enter -- /bin/true (never enters)", ct("--enter=cap_enter", "--", "/bin/true")},
			// captrace's floor: its Go runtime's start and package
			// initialisation, with nothing traced.
			{"captrace version (traces nothing)", []string{*captrace, "version"}},
		}, 2**reps)
		table(res, "/bin/true")
		verdict("captrace / strace", ratio(res, "captrace -- /bin/true (enters at main)", "strace -f --seccomp-bpf (open,openat) -- /bin/true"), 1.0)
		verdict("captrace --enter=cap_enter / strace", ratio(res, "captrace --enter=cap_enter -- /bin/true (never enters)", "strace -f --seccomp-bpf (open,openat) -- /bin/true"), 1.0)
		fmt.Printf("- start-up cost over /bin/true: captrace %s, strace %s (medians)\n",
			ms(median(res[2].samples)-median(res[0].samples)), ms(median(res[1].samples)-median(res[0].samples)))
		floor := ratio(res, "captrace version (traces nothing)", "strace -f --seccomp-bpf (open,openat) -- /bin/true")
		fmt.Printf("- captrace version, which traces nothing, / strace's whole run: %.3fx median, %.3fx min\n", floor[0], floor[1])
	}

	if want("allowed") {
		an := strconv.Itoa(*allowedN)
		section(fmt.Sprintf("Allowed-heavy: bench_allowed %s after the enter point (target: within 0.03 of the floor's ratio)", an))
		res := compare([]contender{
			{"native", []string{allowed, an}},
			{floorName, floor(allowed, an)},
			{"captrace", ct("--", allowed, an)},
			{"strace -f --seccomp-bpf (open,openat)", strace("--seccomp-bpf", "-e", "trace=open,openat", "--", allowed, an)},
		}, *reps)
		table(res, "native")
		c, f := ratio(res, "captrace", "native"), ratio(res, floorName, "native")
		status := "meets"
		if c[0]-f[0] > 0.03 {
			status = "MISSES"
		}
		fmt.Printf("- captrace / native %.3fx, floor / native %.3fx (medians): %+.3f; target <= +0.03: %s\n", c[0], f[0], c[0]-f[0], status)
	}

	vn := strconv.Itoa(*violationN)
	if want("violations") {
		section(fmt.Sprintf("Violation-heavy: bench_violations %s, 3-deep -O2 stacks (targets: <= 1.0x strace --seccomp-bpf, <= 0.1x strace -k)", vn))
		res := compare([]contender{
			{"native", []string{violations, vn}},
			{"strace -f", strace("-e", "trace=open,openat", "--", violations, vn)},
			{"strace -f --seccomp-bpf", strace("--seccomp-bpf", "-e", "trace=open,openat", "--", violations, vn)},
			{"strace -f -k", strace("-k", "-e", "trace=open,openat", "--", violations, vn)},
			{"captrace", ct("--", violations, vn)},
			{"captrace, enter point never reached", ct("--enter=bench_never_entered", "--", violations, vn)},
		}, *reps)
		table(res, "native")
		verdict("captrace / strace -f --seccomp-bpf", ratio(res, "captrace", "strace -f --seccomp-bpf"), 1.0)
		verdict("captrace / strace -f -k", ratio(res, "captrace", "strace -f -k"), 0.10)
		perCall(res, "per violation, captrace", "native", "captrace", *violationN)
		perCall(res, "per call, strace -f --seccomp-bpf (two stops)", "native", "strace -f --seccomp-bpf", *violationN)
		perCall(res, "per violation, strace -f -k", "native", "strace -f -k", *violationN)
	}

	if want("stops") {
		section(fmt.Sprintf("Bare stops: bench_stops %s, calls that stop and are allowed (kill(getpid(), 0))", vn))
		res := compare([]contender{
			{"native", []string{stops, vn}},
			{"strace -f --seccomp-bpf (kill)", strace("--seccomp-bpf", "-e", "trace=kill", "--", stops, vn)},
			{"captrace", ct("--", stops, vn)},
		}, *reps)
		table(res, "native")
		perCall(res, "per stop, captrace (one stop per call)", "native", "captrace", *violationN)
		perCall(res, "per call, strace -f --seccomp-bpf (two stops per call)", "native", "strace -f --seccomp-bpf (kill)", *violationN)
	}

	if want("memory") {
		section("Peak memory: captrace -o /dev/null --format=json -- bench_violations N (one call site)")
		var rss []int64
		fmt.Printf("| violations | wall | captrace peak RSS |\n|---:|---:|---:|\n")
		for _, f := range strings.Split(*memN, ",") {
			s := runOnce(ct("--", violations, f))
			rss = append(rss, s.maxRSS)
			fmt.Printf("| %s | %s | %.1f MiB |\n", f, ms(s.wall), float64(s.maxRSS)/1024)
		}
		fmt.Println()
		if len(rss) >= 2 {
			// The first runs end before the Go heap reaches its steady size
			// (twice the live heap, GOGC=100); growth with events shows as
			// growth between the last two, ten times apart.
			fmt.Printf("- growth from first to last: %.2fx\n", float64(rss[len(rss)-1])/float64(rss[0]))
			growth := float64(rss[len(rss)-1]) / float64(rss[len(rss)-2])
			status := "ok"
			if growth > 1.10 {
				status = "FAILS (memory grows with events)"
			}
			fmt.Printf("- growth between the last two: %.2fx: %s\n", growth, status)
		}

	}

	if !*skipGoBen && want("gobench") {
		section("Per-violation cost: symbolize Go benchmarks (warm caches)")
		goBench()
	}
}

// makeTree writes n small C files and a Makefile that compiles and links
// them, for the make -j2 row: a build is the CI use case, thousands of
// processes of which none enters capability mode.
func makeTree(n int) string {
	dir, err := os.MkdirTemp("", "captrace-bench-make-")
	if err != nil {
		fatalf("%v", err)
	}
	var objs []string
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("#include <stdio.h>\n#include <string.h>\n\nint f%d(const char *s)\n{\n\tchar buf[64];\n\tsnprintf(buf, sizeof buf, \"%%s-%d\", s);\n\treturn (int)strlen(buf);\n}\n", i, i)
		if i == 0 {
			src += "\nint main(void) { return f0(\"x\") > 0 ? 0 : 1; }\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.c", i)), []byte(src), 0o644); err != nil {
			fatalf("%v", err)
		}
		objs = append(objs, fmt.Sprintf("f%d.o", i))
	}
	mk := fmt.Sprintf("OBJS = %s\nprog: $(OBJS)\n\tgcc -o $@ $(OBJS)\n%%.o: %%.c\n\tgcc -O2 -c -o $@ $<\n", strings.Join(objs, " "))
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
		fatalf("%v", err)
	}
	return dir
}

// want reports whether -only asks for section name (or -only is empty).
func want(name string) bool {
	if *only == "" {
		return true
	}
	for _, s := range strings.Split(*only, ",") {
		if s == name {
			return true
		}
	}
	return false
}

func self() string {
	p, err := os.Executable()
	if err != nil {
		fatalf("%v", err)
	}
	return p
}

// seccompFloorExec installs prog (nil: a one-instruction allow-all filter)
// and execs argv.
func seccompFloorExec(raw []bpf.RawInstruction, argv []string) {
	// The filter is per thread, and this thread execs.
	runtime.LockOSThread()
	const bpfRetK = 0x06 // BPF_RET|BPF_K
	filter := []unix.SockFilter{{Code: bpfRetK, K: unix.SECCOMP_RET_ALLOW}}
	if raw != nil {
		filter = filter[:0]
		for _, ins := range raw {
			filter = append(filter, unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K})
		}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fatalf("PR_SET_NO_NEW_PRIVS: %v", err)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog))); e != 0 {
		fatalf("seccomp: %v", e)
	}
	runtime.KeepAlive(filter)
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fatalf("%v", err)
	}
	fatalf("exec %s: %v", argv[0], syscall.Exec(path, argv, os.Environ()))
}

type result struct {
	contender
	samples []sample
}

// compare runs each contender reps times, taking turns, after one untimed
// warm-up run each (page cache, module caches on disk).
func compare(cs []contender, reps int) []result {
	res := make([]result, len(cs))
	for i, c := range cs {
		res[i].contender = c
		runOnce(c.argv)
	}
	// The order rotates each repetition: a command run right after
	// another in a fixed order is favoured or hindered by it (what the
	// one before leaves in the caches and the scheduler).
	for r := 0; r < reps; r++ {
		for k := range cs {
			i := (k + r) % len(cs)
			res[i].samples = append(res[i].samples, runOnce(cs[i].argv))
		}
	}
	return res
}

func runOnce(argv []string) sample {
	cmd := exec.Command("taskset", append([]string{"-c", *cpu}, argv...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		fatalf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return sample{wall: wall, maxRSS: rss}
}

func table(res []result, base string) {
	var b result
	for _, r := range res {
		if r.name == base {
			b = r
		}
	}
	fmt.Printf("| contender | min | median | x %s (median) | x %s (min) |\n|---|---:|---:|---:|---:|\n", base, base)
	for _, r := range res {
		fmt.Printf("| %s | %s | %s | %.2fx | %.2fx |\n", r.name, ms(minimum(r.samples)), ms(median(r.samples)),
			seconds(median(r.samples))/seconds(median(b.samples)), seconds(minimum(r.samples))/seconds(minimum(b.samples)))
	}
	fmt.Println()
}

func ratio(res []result, a, b string) [2]float64 {
	var ra, rb *result
	for i := range res {
		switch res[i].name {
		case a:
			ra = &res[i]
		case b:
			rb = &res[i]
		}
	}
	return [2]float64{
		seconds(median(ra.samples)) / seconds(median(rb.samples)),
		seconds(minimum(ra.samples)) / seconds(minimum(rb.samples)),
	}
}

func verdict(what string, r [2]float64, target float64) {
	status := "meets"
	if r[0] > target {
		status = "MISSES"
	}
	fmt.Printf("- %s: %.3fx median, %.3fx min; target <= %.2fx: %s\n", what, r[0], r[1], target, status)
}

func perCall(res []result, label, base, name string, n int) {
	var b, r time.Duration
	for _, x := range res {
		switch x.name {
		case base:
			b = median(x.samples)
		case name:
			r = median(x.samples)
		}
	}
	fmt.Printf("- %s: %.1f us (median, native subtracted)\n", label, float64(r-b)/float64(n)/1e3)
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)

// goBench runs the symbolize package's warm unwind benchmarks.
func goBench() {
	cmd := exec.Command("go", "test", "-run=^$", "-bench=^(BenchmarkUnwindSymbolizeWarm|BenchmarkUnwindWarm)$", "-benchtime=2s", "./symbolize/")
	cmd.Dir = *root
	out, err := cmd.CombinedOutput()
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	fmt.Printf("| benchmark | us/op | other |\n|---|---:|---|\n")
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		fmt.Printf("| %s | %.1f | %s |\n", m[1], ns/1e3, strings.TrimSpace(m[4]))
		found++
	}
	fmt.Println()
	if err != nil || found == 0 {
		fmt.Printf("symbolize benchmarks absent or failing (%v):\n%s\n", err, out)
	}
}

func machine() {
	model := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	kernel := utsString(u.Release[:])
	strace, _ := exec.Command("strace", "-V").Output()
	sv := strings.SplitN(string(strace), "\n", 2)[0]
	fmt.Printf("machine: %d CPUs (nproc), %s, Linux %s, %s, %s; pinned to CPU %s; %d repetitions\n",
		runtime.NumCPU(), model, kernel, runtime.Version(), sv, *cpu, *reps)
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

func section(title string) { fmt.Printf("\n### %s\n\n", title) }

func median(s []sample) time.Duration {
	d := durations(s)
	n := len(d)
	if n%2 == 1 {
		return d[n/2]
	}
	return (d[n/2-1] + d[n/2]) / 2
}

func minimum(s []sample) time.Duration { return durations(s)[0] }

func durations(s []sample) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, x := range s {
		d[i] = x.wall
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "benchrun: "+format+"\n", a...)
	os.Exit(1)
}
