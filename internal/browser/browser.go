// Package browser starts headless Chromium through chromedp, for the tests
// of the HTML report and for the README's screenshot. It only starts and
// stops the browser; what a page is asked is up to the caller.
package browser

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium says that no Chromium binary was found.
var ErrNoChromium = errors.New("chromium not found (on Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome)")

// ExecPath finds Chromium: $CHROMIUM, else Debian's chromium on $PATH (or
// the names other distributions use).
func ExecPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Start launches a headless Chromium with a fresh profile in userDataDir
// and returns a context for one tab; cancel closes the browser.
//
// The flags keep it from reaching the network on its own (updates, sync,
// QUIC probes: on a machine with no network each would be refused many
// times) and let it run as root in a container (no sandbox, no GPU).
func Start(parent context.Context, execPath, userDataDir string, width, height int) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(userDataDir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(width, height),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	return ctx, func() {
		cancelTab()
		cancelAlloc()
	}
}

// ForTest starts Chromium for a test, closed when the test ends. Without
// Chromium the test is skipped, except in CI (CI set, as CI services do):
// there .ci/deps installs it, so its absence is a failure, not a skip.
func ForTest(t testing.TB, parent context.Context, width, height int) context.Context {
	t.Helper()
	path, err := ExecPath()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: the browser tests cannot run (CI is set, so this fails instead of skipping)", err)
		}
		t.Skipf("%v: skipping the browser test", err)
	}
	ctx, cancel := Start(parent, path, t.TempDir(), width, height)
	t.Cleanup(cancel)
	return ctx
}
