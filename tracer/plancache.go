package tracer

import (
	"os"
	"syscall"
)

// planCache remembers the plans of images execed after PROGRAM's, by
// file identity, for one session. A build runs the same few programs
// thousands of times (make, sh, gcc, cc1, as, ld), and planning one reads
// its whole symbol tables: cc1's alone cost milliseconds at every exec,
// which made a `make -j2` under captrace 1.6x slower than without.
type planCache struct {
	m map[planKey]planResult
}

// planKey identifies an image file and the enter point asked for; a file
// rewritten in place (a rebuilt tool) gets a new size or mtime.
type planKey struct {
	dev, ino    uint64
	size, mtime int64
	point       string
}

type planResult struct {
	plan enterPlan
	err  error
}

// get returns plan(exe, point), computed once per file. The session's
// thread is its only user.
func (c *planCache) get(exe, point string, plan func(exe, point string) (enterPlan, error)) (enterPlan, error) {
	fi, err := os.Stat(exe)
	if err != nil {
		return plan(exe, point)
	}
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return plan(exe, point)
	}
	key := planKey{uint64(sys.Dev), uint64(sys.Ino), fi.Size(), fi.ModTime().UnixNano(), point}
	if r, found := c.m[key]; found {
		return r.plan, r.err
	}
	p, err := plan(exe, point)
	if c.m == nil {
		c.m = map[planKey]planResult{}
	}
	c.m[key] = planResult{p, err}
	return p, err
}
