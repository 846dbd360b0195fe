package tracer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An image is planned once per file; a file rewritten in place is planned
// again.
func TestCachedPlan(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "prog")
	if err := os.WriteFile(exe, []byte("one"), 0o755); err != nil {
		t.Fatal(err)
	}
	calls := 0
	plan := func(point string) func() planResult {
		return func() planResult {
			calls++
			return planResult{plan: enterPlan{what: point}}
		}
	}
	var c imageMemo[planResult]
	for i := 0; i < 3; i++ {
		if r := c.get(exe, "cap_enter", plan("cap_enter")); r.plan.what != "cap_enter" {
			t.Fatalf("plan %+v", r.plan)
		}
	}
	if calls != 1 {
		t.Errorf("planned %d times, want once", calls)
	}
	c.get(exe, "main", plan("main"))
	if calls != 2 {
		t.Errorf("another enter point must be planned: %d calls", calls)
	}
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(exe, []byte("rebuilt"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(exe, later, later)
	c.get(exe, "cap_enter", plan("cap_enter"))
	if calls != 3 {
		t.Errorf("a rewritten file must be planned again: %d calls", calls)
	}
}
