package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoHTTPInCaptrace: captrace links no HTTP or TLS code. Their package
// initialisation and a third more binary cost every run about 4 ms, more
// than its start-up can afford (issue 15); debuginfod downloads run in the
// helper program captrace-debuginfod instead (internal/debuginfod).
func TestNoHTTPInCaptrace(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/captrace/captrace/cmd/captrace").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || dep == "crypto/tls" || dep == "github.com/captrace/captrace/internal/debuginfod/download" {
			t.Errorf("captrace depends on %s", dep)
		}
	}
}
