package tracer

import (
	"os"
	"syscall"
)

// imageMemo remembers what was learnt from an image file (its enter plan,
// whether it was built against the shim), by file identity, for one
// session. A build runs the same few programs thousands of times (make,
// sh, gcc, cc1, as, ld), and planning one reads its whole symbol tables:
// cc1's alone cost milliseconds at every exec, which made a `make -j2`
// under captrace 1.6x slower than without. The session's thread is its
// only user.
type imageMemo[T any] struct {
	m map[imageKey]T
}

// imageKey identifies an image file and the question asked of it (the
// enter point, for a plan); a file rewritten in place (a rebuilt tool)
// gets a new size or mtime.
type imageKey struct {
	dev, ino    uint64
	size, mtime int64
	question    string
}

// get returns learn(), computed once per file and question.
func (c *imageMemo[T]) get(exe, question string, learn func() T) T {
	key, ok := keyOf(exe, question)
	if !ok {
		return learn()
	}
	if v, found := c.m[key]; found {
		return v
	}
	v := learn()
	c.put(key, v)
	return v
}

// set records what was learnt of exe another way.
func (c *imageMemo[T]) set(exe, question string, v T) {
	if key, ok := keyOf(exe, question); ok {
		c.put(key, v)
	}
}

func (c *imageMemo[T]) put(key imageKey, v T) {
	if c.m == nil {
		c.m = map[imageKey]T{}
	}
	c.m[key] = v
}

func keyOf(exe, question string) (imageKey, bool) {
	fi, err := os.Stat(exe)
	if err != nil {
		return imageKey{}, false
	}
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return imageKey{}, false
	}
	return imageKey{uint64(sys.Dev), uint64(sys.Ino), fi.Size(), fi.ModTime().UnixNano(), question}, true
}

// planResult is a remembered plan.
type planResult struct {
	plan enterPlan
	err  error
}
