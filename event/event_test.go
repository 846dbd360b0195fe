package event_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoPresentationBelowReport: the packages that produce events (and the
// event itself) must not drag in what renders them. A table or colour
// library among their dependencies means a type lives in the wrong place.
func TestNoPresentationBelowReport(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/captrace/captrace/tracer", "github.com/captrace/captrace/event",
		"github.com/captrace/captrace/capmode", "github.com/captrace/captrace/symbolize").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/captrace/captrace/report", "github.com/olekukonko/", "github.com/fatih/", "github.com/mattn/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("tracer, event, capmode or symbolize depend on %s", dep)
			}
		}
	}
}
