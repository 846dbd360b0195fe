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
	plan := func(exe, point string) (enterPlan, error) {
		calls++
		return enterPlan{what: point}, nil
	}
	var c planCache
	for i := 0; i < 3; i++ {
		if p, _ := c.get(exe, "cap_enter", plan); p.what != "cap_enter" {
			t.Fatalf("plan %+v", p)
		}
	}
	if calls != 1 {
		t.Errorf("planned %d times, want once", calls)
	}
	c.get(exe, "main", plan)
	if calls != 2 {
		t.Errorf("another enter point must be planned: %d calls", calls)
	}
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(exe, []byte("rebuilt"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(exe, later, later)
	c.get(exe, "cap_enter", plan)
	if calls != 3 {
		t.Errorf("a rewritten file must be planned again: %d calls", calls)
	}
}
