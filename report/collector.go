package report

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/event"
	"github.com/captrace/captrace/symbolize"
)

// ModuleOffsetter is implemented by a Symbolizer that can turn a PC into an
// offset in its module's file. The Collector uses it for code without line
// information, so the same stripped call site is one group across
// processes with different load addresses; without it such a site is
// known by its absolute address.
type ModuleOffsetter interface {
	ModuleOffset(mm *symbolize.ModuleMap, pc uint64) (module string, off uint64, ok bool)
}

// TailCallSymbolizer is implemented by a Symbolizer that can rebuild the
// frames of functions that left by a tail call between two unwound
// frames (symbolize.Symbolizer does, from DWARF call sites).
type TailCallSymbolizer interface {
	TailCallFrames(mm *symbolize.ModuleMap, callee, caller symbolize.PC) []symbolize.Frame
}

// SiteInSymbolizer is implemented by a Symbolizer that knows the
// libraries --site-in makes the program's own code, which the enter site
// then does not take for system libraries.
type SiteInSymbolizer interface {
	IsSiteIn(path string) bool
}

// CollectorOption configures a Collector.
type CollectorOption func(*Collector)

// WithSourceReader gives the Collector the source files fingerprints hash
// the site's line of (symbolize.ReadSource; tests, or a source tree mapped
// elsewhere, pass their own). Without it fingerprints leave the line's
// text out: report reads no file itself.
func WithSourceReader(read func(path string) ([]byte, error)) CollectorOption {
	return func(c *Collector) { c.readSource = read }
}

// WithStackLimit keeps at most n frames of each group's example stack
// (n <= 0: all). Sites and fingerprints are found from the whole stack
// first: a shorter stack shows less, it never groups differently.
func WithStackLimit(n int) CollectorOption {
	return func(c *Collector) { c.stackLimit = n }
}

// WithMemoLimit bounds the number of distinct raw stacks remembered
// (default 1<<16). Past it the memo is dropped and rebuilt, which costs
// re-symbolizing, never correctness.
func WithMemoLimit(n int) CollectorOption {
	return func(c *Collector) { c.memoLimit = n }
}

// Collector groups event.Events by call site. Add is called for every violation
// and is built for that: an event whose raw stack (with its module map and
// syscall) has been seen before costs a hash and a map lookup, no
// symbolization. Memory grows with distinct sites and stacks, never with
// the number of events. It is safe for concurrent use, though the tracer
// feeds it from one goroutine.
type Collector struct {
	mu         sync.Mutex
	sym        Symbolizer
	readSource func(string) ([]byte, error)
	memoLimit  int
	stackLimit int

	memo       map[memoKey]*memoEntry
	memoSize   int
	groups     map[groupKey]*group
	violations int
	pids       map[int]struct{}
	lastPid    int
	enter      *event.EnterPoint
}

// NewCollector returns a Collector that symbolizes through sym.
func NewCollector(sym Symbolizer, opts ...CollectorOption) *Collector {
	c := &Collector{
		sym:       sym,
		memoLimit: 1 << 16,
		memo:      map[memoKey]*memoEntry{},
		groups:    map[groupKey]*group{},
		pids:      map[int]struct{}{},
		lastPid:   -1,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

type memoKey struct {
	mm             *symbolize.ModuleMap
	syscall, errno string
	n              int
	hash           uint64
}

type memoEntry struct {
	pcs  []symbolize.PC
	g    *group
	next *memoEntry // hash collisions
}

type groupKey struct {
	syscall, errno string
	function, file string
	line           int
	module         string
	address        string
}

type group struct {
	key     groupKey
	verdict capmode.Verdict
	// args of the example, typed: printed, and read for the remedy, only
	// when a report is built.
	args []capmode.Arg
	// libraryCalls are the example's system functions, innermost first
	// (capmode.Circumstances).
	libraryCalls []string
	count        int
	pids         []int // sorted
	site         Site
	example      Example
	fp           fingerprintInput
	// callers of the example, joined: the example is the stack with the
	// least caller chain, so the fingerprint does not depend on which of
	// several paths to one site happened to come first.
	callersKey string
}

// Add records one violation.
func (c *Collector) Add(ev event.Event) {
	errno := ev.Verdict.Outcome.Errno()
	k := memoKey{mm: ev.Maps, syscall: ev.Syscall, errno: errno, n: len(ev.Stack), hash: hashPCs(ev.Stack)}

	c.mu.Lock()
	defer c.mu.Unlock()
	c.violations++
	if ev.Pid != c.lastPid {
		c.pids[ev.Pid] = struct{}{}
		c.lastPid = ev.Pid
	}
	var g *group
	for e := c.memo[k]; e != nil; e = e.next {
		if slices.Equal(e.pcs, ev.Stack) {
			g = e.g
			break
		}
	}
	if g == nil {
		g = c.resolve(ev, errno)
		if c.memoSize >= c.memoLimit {
			clear(c.memo)
			c.memoSize = 0
		}
		c.memo[k] = &memoEntry{pcs: slices.Clone(ev.Stack), g: g, next: c.memo[k]}
		c.memoSize++
	}
	g.count++
	g.addPid(ev.Pid)
}

func (g *group) addPid(pid int) {
	n := len(g.pids)
	if n > 0 && g.pids[n-1] == pid {
		return
	}
	i, found := slices.BinarySearch(g.pids, pid)
	if !found {
		g.pids = slices.Insert(g.pids, i, pid)
	}
}

// resolve symbolizes a stack seen for the first time and finds its group.
func (c *Collector) resolve(ev event.Event, errno string) *group {
	frames, lookup := c.symbolizeStack(ev.Maps, ev.Stack)
	var stack []StackFrame
	for _, f := range frames {
		stack = append(stack, StackFrame{
			PC:       fmt.Sprintf("0x%x", f.PC),
			Module:   f.Module,
			Function: f.Function,
			File:     f.File,
			Line:     f.Line,
			Inlined:  f.Inlined,
			TailCall: f.TailCall,
		})
	}

	var site Site
	var callers []string
	if len(frames) > 0 {
		i := symbolize.CallSite(frames)
		f := frames[i]
		site = Site{Function: f.Function, File: f.File, Line: f.Line, Module: f.Module, SourceRoot: f.SourceRoot}
		if f.Line <= 0 || f.File == "" {
			site.Address = c.address(ev.Maps, f, lookup[i])
		}
		if f.MaybeLibC {
			site.Note = NoteMaybeLibC
		}
		callers = callerNames(frames, i)
	}
	key := groupKey{
		syscall: ev.Syscall, errno: errno,
		function: site.Function, file: site.File, line: site.Line,
		module: site.Module, address: site.Address,
	}
	callersKey := strings.Join(callers, "\x00")
	example := Example{Pid: ev.Pid, Tid: ev.Tid, Stack: stack}
	if example.Stack == nil {
		example.Stack = []StackFrame{}
	}
	if c.stackLimit > 0 && len(example.Stack) > c.stackLimit {
		example.Stack = slices.Clip(example.Stack[:c.stackLimit])
	}

	g := c.groups[key]
	if g == nil {
		g = &group{key: key, site: site}
		c.groups[key] = g
	} else if callersKey >= g.callersKey {
		return g
	}
	g.verdict = ev.Verdict
	if ev.LimitedAt != nil {
		if at, ok := c.OriginSite(ev.LimitedAt); ok {
			g.verdict.Reason += " (limited at " + at.Function + ", " + path.Base(at.File) + ":" + strconv.Itoa(at.Line) + ")"
		}
	}
	g.args = slices.Clone(ev.Args)
	g.libraryCalls = g.libraryCalls[:0]
	for _, f := range frames {
		if f.System && f.Function != "" {
			g.libraryCalls = append(g.libraryCalls, f.Function)
		}
	}
	g.example = example
	g.callersKey = callersKey
	g.fp = fingerprintInput{
		syscall: ev.Syscall, errno: errno,
		function: site.Function, file: site.File, line: site.Line,
		address: site.Address, callers: callers,
	}
	return g
}

// OriginSite is the call site of a recorded call (where a descriptor was
// limited or opened), found as an event's site is, tail-call frames
// included; false when the site
// has no source line.
func (c *Collector) OriginSite(o *event.Origin) (Site, bool) {
	frames, _ := c.symbolizeStack(o.Maps, o.Stack)
	if len(frames) == 0 {
		return Site{}, false
	}
	f := frames[symbolize.CallSite(frames)]
	if f.Line <= 0 || f.File == "" {
		return Site{}, false
	}
	return Site{Function: f.Function, File: f.File, Line: f.Line, Module: f.Module, SourceRoot: f.SourceRoot}, true
}

// address names the call of a frame without a line: module-relative when
// the Symbolizer can say, else absolute.
func (c *Collector) address(mm *symbolize.ModuleMap, f symbolize.Frame, pc uint64) string {
	if mo, ok := c.sym.(ModuleOffsetter); ok {
		if module, off, ok := mo.ModuleOffset(mm, pc); ok {
			return fmt.Sprintf("%s+0x%x", path.Base(module), off)
		}
	}
	return fmt.Sprintf("0x%x", pc)
}

func hashPCs(pcs []symbolize.PC) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, pc := range pcs {
		h ^= pc.Addr
		h *= prime
		if pc.Exact {
			h ^= 1
			h *= prime
		}
	}
	return h
}

// Report builds the v1 report of everything added so far. It may be called
// more than once (a report written on SIGINT, then the final one).
func (c *Collector) Report(meta Meta) *Report {
	c.mu.Lock()
	defer c.mu.Unlock()

	src := newSourceFiles(c.readSource)
	groups := make([]*group, 0, len(c.groups))
	for _, g := range c.groups {
		groups = append(groups, g)
	}
	// Order first by site so that fingerprint collisions are numbered
	// by line order, independent of map iteration.
	slices.SortFunc(groups, func(a, b *group) int { return compareKeys(a.key, b.key) })
	fps := make([]string, len(groups))
	seen := map[string]int{}
	for i, g := range groups {
		fp := g.fp.hash(src, 0)
		if n := seen[fp]; n > 0 {
			fps[i] = g.fp.hash(src, n)
		} else {
			fps[i] = fp
		}
		seen[fp]++
	}

	r := &Report{
		Schema:     Schema,
		Version:    meta.Version,
		Platform:   meta.Platform,
		Mode:       meta.Mode,
		Enter:      meta.Enter,
		Command:    slices.Clone(meta.Command),
		Date:       meta.Date,
		ExitStatus: meta.ExitStatus,
		Groups:     make([]Group, 0, len(groups)),
	}
	r.EnterReached = c.enterSite(meta.Enter)
	if r.Command == nil {
		r.Command = []string{}
	}
	for i, g := range groups {
		out := Group{
			Fingerprint: fps[i],
			Syscall:     g.key.syscall,
			Errno:       g.key.errno,
			Kind:        string(g.verdict.Kind),
			Reason:      g.verdict.Reason,
			Count:       g.count,
			Pids:        slices.Clone(g.pids),
			Site:        g.site,
			Example:     g.example,
			Hint: capmode.Remedy(g.verdict, capmode.Circumstances{
				Syscall: g.key.syscall, Args: g.args, LibraryCalls: g.libraryCalls,
				Command: meta.Command, Dir: meta.Dir,
			}),
		}
		out.Example.Args = capmode.Strings(g.args)
		out.Example.Stack = slices.Clone(g.example.Stack)
		r.Groups = append(r.Groups, out)
	}
	SortGroups(r.Groups)
	r.Summary = Summary{Violations: c.violations, Groups: len(r.Groups), Processes: len(c.pids)}
	return r
}

func compareKeys(a, b groupKey) int {
	return cmp.Or(
		cmp.Compare(a.function, b.function),
		cmp.Compare(a.file, b.file),
		cmp.Compare(a.line, b.line),
		cmp.Compare(a.module, b.module),
		cmp.Compare(a.address, b.address),
		cmp.Compare(a.syscall, b.syscall),
		cmp.Compare(a.errno, b.errno),
	)
}

// SortGroups puts the most frequent groups first, then orders by site, so
// every rendering of a report lists groups the same way.
func SortGroups(gs []Group) {
	slices.SortStableFunc(gs, func(a, b Group) int {
		return cmp.Or(
			cmp.Compare(b.Count, a.Count),
			cmp.Compare(a.Site.Function, b.Site.Function),
			cmp.Compare(a.Site.File, b.Site.File),
			cmp.Compare(a.Site.Line, b.Site.Line),
			cmp.Compare(a.Site.Address, b.Site.Address),
			cmp.Compare(a.Syscall, b.Syscall),
			cmp.Compare(a.Errno, b.Errno),
			cmp.Compare(a.Fingerprint, b.Fingerprint),
		)
	})
}
