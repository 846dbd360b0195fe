package tracer

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
)

// TestUnsupportedPlatformsFailInOneSentence: a build for a platform
// captrace cannot trace stops at unsupported.go's package name, not at
// whatever the platform lacks.
func TestUnsupportedPlatformsFailInOneSentence(t *testing.T) {
	for _, env := range [][]string{{"GOOS=darwin", "GOARCH=amd64"}, {"GOOS=linux", "GOARCH=arm64"}} {
		cmd := exec.Command("go", "build", "-o", os.DevNull, "./cmd/captrace")
		cmd.Dir = victims.Root()
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		text := strings.TrimSpace(string(out))
		if err == nil || strings.Count(text, "\n") != 0 || !strings.Contains(text, "captrace_traces_only_linux_amd64_and_freebsd_amd64") {
			t.Errorf("%v: %v\n%s\nwant one line naming the supported platforms", env, err, text)
		}
	}
}
