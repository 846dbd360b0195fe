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
// The package only downloads: it never parses what it fetched. Fetches
// block; callers run them off any thread that must not wait.
package debuginfod

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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

	http     *http.Client
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
	progressAfter    = 500 * time.Millisecond
)

var errStalled = errors.New("no data")

// ErrNotFound is returned when no server has the file, or a recent miss
// is cached.
var ErrNotFound = errors.New("debuginfod: not found")

// FromEnv returns a client configured by DEBUGINFOD_URLS,
// DEBUGINFOD_CACHE_PATH, DEBUGINFOD_TIMEOUT and DEBUGINFOD_PROGRESS, or nil
// when DEBUGINFOD_URLS names no server.
func FromEnv(stderr io.Writer) *Client {
	urls := strings.Fields(os.Getenv("DEBUGINFOD_URLS"))
	if len(urls) == 0 {
		return nil
	}
	c := &Client{URLs: urls, CacheDir: CacheDir(), Timeout: defaultTimeout, CacheMiss: defaultCacheMiss, Warnings: stderr}
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

var hexID = regexp.MustCompile(`^[0-9a-f]{2,}$`)

// DebugInfo returns the path of the cached debug file of buildID (lower
// case hex), downloading it first when needed.
func (c *Client) DebugInfo(buildID string) (string, error) {
	buildID = strings.ToLower(buildID)
	if !hexID.MatchString(buildID) {
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

// result is one server's answer.
type result struct {
	tmp         string
	found       bool // false with err nil: the server has no such file
	err         error
	unreachable bool // err is the server's silence, not an answer
}

// download asks every server at once; the first file delivered wins and
// the other requests are cancelled. found is false when every server
// answered and none had the file.
func (c *Client) download(buildID, dir string) (tmp string, found bool, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	results := make(chan result, len(servers))
	for _, u := range servers {
		go func(u string) {
			r := c.get(ctx, u, buildID, dir)
			if r.err != nil && r.unreachable {
				c.mu.Lock()
				if c.dead == nil {
					c.dead = map[string]bool{}
				}
				c.dead[u] = true
				c.mu.Unlock()
			}
			results <- r
		}(u)
	}
	var errs []error
	answered := 0
	for range servers {
		r := <-results
		switch {
		case r.found:
			cancel()
			// Drain the losers, deleting what they wrote.
			go func(n int) {
				for range n {
					if l := <-results; l.tmp != "" {
						os.Remove(l.tmp)
					}
				}
			}(len(servers) - answered - 1)
			return r.tmp, true, nil
		case r.err != nil:
			errs = append(errs, r.err)
		}
		answered++
	}
	if len(errs) == len(servers) {
		return "", false, errors.Join(errs...)
	}
	return "", false, nil
}

func (c *Client) client() *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.http == nil {
		timeout := c.timeout()
		c.http = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: timeout}).DialContext,
			ResponseHeaderTimeout: timeout,
			TLSHandshakeTimeout:   timeout,
		}}
	}
	return c.http
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultTimeout
}

// get fetches from one server into a temporary file in dir.
func (c *Client) get(ctx context.Context, server, buildID, dir string) result {
	url := strings.TrimRight(server, "/") + "/buildid/" + buildID + "/debuginfo"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return result{err: fmt.Errorf("debuginfod: %s: %w", server, err)}
	}
	req.Header.Set("User-Agent", "captrace")
	resp, err := c.client().Do(req)
	if err != nil {
		return result{err: fmt.Errorf("debuginfod: %s: %w", server, unwrapURL(err)), unreachable: ctx.Err() == nil}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return result{}
	}
	if resp.StatusCode != http.StatusOK {
		return result{err: fmt.Errorf("debuginfod: %s: %s", server, resp.Status)}
	}
	f, err := os.CreateTemp(dir, ".debuginfo.tmp*")
	if err != nil {
		return result{err: fmt.Errorf("debuginfod: cache: %w", err)}
	}
	n, err := c.copyWatched(ctx, f, resp.Body, server, buildID, resp.ContentLength)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = errors.New("empty file")
	}
	if err != nil {
		os.Remove(f.Name())
		return result{err: fmt.Errorf("debuginfod: %s: %w", server, err), unreachable: errors.Is(err, errStalled)}
	}
	return result{tmp: f.Name(), found: true}
}

// copyWatched copies the body, giving up when no byte arrives for the
// timeout, and reports progress once the transfer takes longer than
// progressAfter.
func (c *Client) copyWatched(ctx context.Context, w io.Writer, r io.Reader, server, buildID string, size int64) (int64, error) {
	stall := time.NewTimer(c.timeout())
	defer stall.Stop()
	type chunk struct {
		n   int
		err error
	}
	start := time.Now()
	var lastPrint time.Time
	printed := false
	buf := make([]byte, 64<<10)
	var total int64
	for {
		ch := make(chan chunk, 1)
		go func() {
			n, err := r.Read(buf)
			ch <- chunk{n, err}
		}()
		var got chunk
		select {
		case got = <-ch:
		case <-stall.C:
			return total, fmt.Errorf("%w for %v", errStalled, c.timeout())
		case <-ctx.Done():
			return total, ctx.Err()
		}
		if got.n > 0 {
			if _, err := w.Write(buf[:got.n]); err != nil {
				return total, err
			}
			total += int64(got.n)
			if !stall.Stop() {
				<-stall.C
			}
			stall.Reset(c.timeout())
		}
		if c.Progress != nil && time.Since(start) > progressAfter && (time.Since(lastPrint) > progressAfter || got.err != nil) {
			lastPrint = time.Now()
			of := ""
			if size > 0 {
				of = fmt.Sprintf(" of %d", size/1024)
			}
			fmt.Fprintf(c.Progress, "\rcaptrace: downloading debug info %s from %s: %d%s KiB", buildID, server, total/1024, of)
			printed = true
		}
		if got.err == io.EOF {
			if printed {
				fmt.Fprintln(c.Progress)
			}
			return total, nil
		}
		if got.err != nil {
			if printed {
				fmt.Fprintln(c.Progress)
			}
			return total, got.err
		}
	}
}

// unwrapURL drops net/http's "Get \"url\":" prefix: the server is named
// already.
func unwrapURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
