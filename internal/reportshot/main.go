// Command reportshot takes the README's screenshot of an HTML report: it
// loads PAGE in headless Chromium, opens the first group, points at the
// first frame of the call tree that is a call site, and writes a PNG of the
// whole page.
//
//	go run ./internal/reportshot PAGE.html OUT.png
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/captrace/captrace/internal/browser"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: reportshot PAGE.html OUT.png")
		os.Exit(2)
	}
	if err := shoot(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "reportshot: %v\n", err)
		os.Exit(1)
	}
}

func shoot(page, out string) error {
	abs, err := filepath.Abs(page)
	if err != nil {
		return err
	}
	exe, err := browser.ExecPath()
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "reportshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx, closeBrowser := browser.Start(ctx, exe, profile, 1280, 900)
	defer closeBrowser()

	if err := chromedp.Do(ctx,
		chromedp.Navigate((&url.URL{Scheme: "file", Path: abs}).String()),
		chromedp.Click(chromedp.CSS("#g1 > summary")),
		// What a hover shows: the status line under the tree.
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => {
				const site = document.querySelector("#g1").dataset.function;
				const n = document.querySelector("#tree .node[data-name='" + CSS.escape(site) + "']");
				if (n) n.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
				return true;
			})()`)(ctx, t)
			return err
		}),
	); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	return os.WriteFile(out, png, 0o644)
}
