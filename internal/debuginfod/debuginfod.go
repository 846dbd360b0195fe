// Package debuginfod fetches separate debug files by build-id from
// debuginfod servers, as elfutils' client does (debuginfod-client-config(7),
// debuginfod_find_debuginfo(3)), and shares its cache.
//
// Servers answer GET <url>/buildid/<lowercase hex>/debuginfo with the
// debug file (elfutils doc/debuginfod.8). DEBUGINFOD_URLS lists servers,
// separated by spaces; they are asked in parallel and the first to deliver
// wins. Files land in the cache as <cache>/<hex>/debuginfo, the layout of
// elfutils' client, so gdb, perf and captrace share downloads; a build-id
// no server has is remembered as an empty file, honoured for cache_miss_s
// seconds (default 600). DEBUGINFOD_TIMEOUT bounds the wait for a server
// to start answering and any stall afterwards (default 90 s);
// DEBUGINFOD_PROGRESS asks for a progress line on stderr when a download
// takes more than a moment.
//
// This package owns the cache and never touches the network: a Downloader
// does (package download, HTTP). captrace runs it as a helper program,
// captrace-debuginfod (Helper), as git runs git-remote-https: linking
// net/http and crypto/tls into captrace itself cost every run their
// package initialisation and a third more binary, about 4 ms of a start-up
// that must stay below strace's (issue 15), for downloads most runs never
// make.
//
// The package only downloads: it never parses what it fetched. Fetches
// block; callers run them off any thread that must not wait.
package debuginfod

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client fetches debug files. It is safe for concurrent use; concurrent
// requests for one build-id share one download.
type Client struct {
	URLs     []string
	CacheDir string
	// Timeout bounds the wait for a server's first bytes and every stall
	// of a transfer.
	Timeout time.Duration
	// CacheMiss is how long a recorded miss is trusted.
	CacheMiss time.Duration
	// Progress, when not nil, gets a line about downloads that take
	// longer than progressAfter.
	Progress io.Writer
	// Warnings gets one line per build-id no server could be asked
	// about (unreachable, timed out); nil: silent.
	Warnings io.Writer
	// Download asks the servers; FromEnv sets the helper program.
	Download Downloader

	mu       sync.Mutex
	inflight map[string]*fetch
	// dead are servers that could not be reached: not asked again in
	// this run, so a dead server costs one timeout, not one per file.
	dead     map[string]bool
	warnOnce sync.Once
}

type fetch struct {
	done chan struct{}
	path string
	err  error
}

// Default values of elfutils' client (debuginfod-client.c).
const (
	defaultTimeout   = 90 * time.Second
	defaultCacheMiss = 600 * time.Second
)

// ErrNotFound is returned when no server has the file, or a recent miss
// is cached.
var ErrNotFound = errors.New("debuginfod: not found")

// FromEnv returns a client configured by DEBUGINFOD_URLS,
// DEBUGINFOD_CACHE_PATH, DEBUGINFOD_TIMEOUT and DEBUGINFOD_PROGRESS, or nil
// when DEBUGINFOD_URLS names no server. It downloads with the helper
// program helper says where to find (Helper), asked only when there are
// servers.
func FromEnv(stderr io.Writer, helper func() string) *Client {
	urls := strings.Fields(os.Getenv("DEBUGINFOD_URLS"))
	if len(urls) == 0 {
		return nil
	}
	c := &Client{URLs: urls, CacheDir: CacheDir(), Timeout: defaultTimeout, CacheMiss: defaultCacheMiss, Warnings: stderr, Download: Helper(helper())}
	if s := os.Getenv("DEBUGINFOD_TIMEOUT"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			c.Timeout = time.Duration(n) * time.Second
		}
	}
	if os.Getenv("DEBUGINFOD_PROGRESS") != "" {
		c.Progress = stderr
	}
	return c
}

// CacheDir is the client cache elfutils uses: $DEBUGINFOD_CACHE_PATH,
// else ~/.debuginfod_client_cache when it exists (older clients), else
// $XDG_CACHE_HOME/debuginfod_client, else ~/.cache/debuginfod_client.
func CacheDir() string {
	if p := os.Getenv("DEBUGINFOD_CACHE_PATH"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	if home != "" {
		legacy := filepath.Join(home, ".debuginfod_client_cache")
		if st, err := os.Stat(legacy); err == nil && st.IsDir() {
			return legacy
		}
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "debuginfod_client")
	}
	return filepath.Join(home, ".cache", "debuginfod_client")
}

// hexID is compiled at first use, not at package initialisation: every
// captrace start-up would pay for it, debuginfod or not (issue 15).
var hexID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{2,}$`) })

// DebugInfo returns the path of the cached debug file of buildID (lower
// case hex), downloading it first when needed.
func (c *Client) DebugInfo(buildID string) (string, error) {
	buildID = strings.ToLower(buildID)
	if !hexID().MatchString(buildID) {
		return "", fmt.Errorf("debuginfod: bad build-id %q", buildID)
	}
	c.mu.Lock()
	if c.inflight == nil {
		c.inflight = map[string]*fetch{}
	}
	f := c.inflight[buildID]
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		c.inflight[buildID] = f
		c.mu.Unlock()
		f.path, f.err = c.find(buildID)
		close(f.done)
	} else {
		c.mu.Unlock()
		<-f.done
	}
	return f.path, f.err
}

func (c *Client) find(buildID string) (string, error) {
	dir := filepath.Join(c.CacheDir, buildID)
	target := filepath.Join(dir, "debuginfo")
	if st, err := os.Stat(target); err == nil {
		if st.Size() > 0 {
			return target, nil
		}
		if time.Since(st.ModTime()) < c.cacheMiss() {
			return "", ErrNotFound
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("debuginfod: cache: %w", err)
	}
	tmp, found, err := c.download(buildID, dir)
	if err != nil {
		// Unreachable servers say nothing about the file: no miss is
		// recorded, and the next run asks again.
		c.warn(buildID, err)
		return "", err
	}
	if !found {
		// elfutils records a miss as an empty file; an expired one is
		// replaced (it is read-only).
		os.Remove(target)
		if f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o444); err == nil {
			f.Close()
		}
		return "", ErrNotFound
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("debuginfod: cache: %w", err)
	}
	return target, nil
}

// cacheMiss reads cache_miss_s, which elfutils keeps in the cache.
func (c *Client) cacheMiss() time.Duration {
	if b, err := os.ReadFile(filepath.Join(c.CacheDir, "cache_miss_s")); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	if c.CacheMiss > 0 {
		return c.CacheMiss
	}
	return defaultCacheMiss
}

func (c *Client) warn(buildID string, err error) {
	if c.Warnings == nil {
		return
	}
	// One line per run: a dead server would otherwise print one per
	// module.
	c.warnOnce.Do(func() {
		fmt.Fprintf(c.Warnings, "captrace: warning: %v (build-id %s); names need debug files\n", err, buildID)
	})
}

// download asks the servers not known to be dead, through c.Download.
// found is false when every server answered and none had the file.
func (c *Client) download(buildID, dir string) (tmp string, found bool, err error) {
	var servers []string
	c.mu.Lock()
	for _, u := range c.URLs {
		if !c.dead[u] {
			servers = append(servers, u)
		}
	}
	c.mu.Unlock()
	if len(servers) == 0 {
		return "", false, errors.New("debuginfod: no server reachable")
	}
	if c.Download == nil {
		return "", false, errors.New("debuginfod: no downloader")
	}
	out := c.Download(Request{Servers: servers, BuildID: buildID, Dir: dir, Timeout: c.timeout(), Progress: c.Progress})
	if len(out.Dead) > 0 {
		c.mu.Lock()
		if c.dead == nil {
			c.dead = map[string]bool{}
		}
		for _, u := range out.Dead {
			c.dead[u] = true
		}
		c.mu.Unlock()
	}
	if out.Tmp != "" {
		return out.Tmp, true, nil
	}
	return "", false, out.Err
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultTimeout
}
