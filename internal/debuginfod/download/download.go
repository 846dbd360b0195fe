// Package download asks debuginfod servers for debug files over HTTP, in
// parallel, for package debuginfod; it is the body of the helper program
// captrace-debuginfod (Main), so that captrace itself links no HTTP or TLS
// (issue 15; debuginfod's package comment says why).
package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/captrace/captrace/internal/debuginfod"
)

// progressAfter: a download that takes longer reports its progress.
const progressAfter = 500 * time.Millisecond

var errStalled = errors.New("no data")

// Main is the helper program: it downloads what its arguments ask
// (debuginfod.HelperArgs) and reports the outcome on stdout
// (debuginfod.WriteOutcome), progress on stderr. It returns the exit
// status: 0 whatever the servers answered, 2 for bad arguments.
func Main(args []string, stdout, stderr io.Writer) int {
	r, progress, err := debuginfod.ParseHelperArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", debuginfod.HelperName, err)
		return 2
	}
	if progress {
		r.Progress = stderr
	}
	if err := debuginfod.WriteOutcome(stdout, Download(r)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", debuginfod.HelperName, err)
		return 1
	}
	return 0
}

// result is one server's answer.
type result struct {
	server      string
	tmp         string
	found       bool // false with err nil: the server has no such file
	err         error
	unreachable bool // err is the server's silence, not an answer
}

// Download asks every server of r at once; the first file delivered wins
// and the other requests are cancelled. It is a debuginfod.Downloader.
func Download(r debuginfod.Request) debuginfod.Outcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &downloader{req: r, http: &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: r.Timeout}).DialContext,
		ResponseHeaderTimeout: r.Timeout,
		TLSHandshakeTimeout:   r.Timeout,
	}}}
	results := make(chan result, len(r.Servers))
	for _, u := range r.Servers {
		go func(u string) { results <- d.get(ctx, u) }(u)
	}
	var out debuginfod.Outcome
	var errs []error
	answered := 0
	for range r.Servers {
		res := <-results
		if res.err != nil && res.unreachable {
			out.Dead = append(out.Dead, res.server)
		}
		switch {
		case res.found:
			cancel()
			// Drain the losers, deleting what they wrote.
			go func(n int) {
				for range n {
					if l := <-results; l.tmp != "" {
						os.Remove(l.tmp)
					}
				}
			}(len(r.Servers) - answered - 1)
			out.Tmp = res.tmp
			return out
		case res.err != nil:
			errs = append(errs, res.err)
		}
		answered++
	}
	if len(errs) == len(r.Servers) {
		out.Err = errors.Join(errs...)
	}
	return out
}

// downloader is one Download's shared state.
type downloader struct {
	req  debuginfod.Request
	http *http.Client
}

// get fetches from one server into a temporary file in the request's
// directory.
func (d *downloader) get(ctx context.Context, server string) result {
	r := d.getFrom(ctx, server)
	r.server = server
	return r
}

func (d *downloader) getFrom(ctx context.Context, server string) result {
	buildID, dir := d.req.BuildID, d.req.Dir
	url := strings.TrimRight(server, "/") + "/buildid/" + buildID + "/debuginfo"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return result{err: fmt.Errorf("debuginfod: %s: %w", server, err)}
	}
	req.Header.Set("User-Agent", "captrace")
	resp, err := d.http.Do(req)
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
	n, err := d.copyWatched(ctx, f, resp.Body, server, resp.ContentLength)
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
func (d *downloader) copyWatched(ctx context.Context, w io.Writer, r io.Reader, server string, size int64) (int64, error) {
	timeout, progress, buildID := d.req.Timeout, d.req.Progress, d.req.BuildID
	stall := time.NewTimer(timeout)
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
			return total, fmt.Errorf("%w for %v", errStalled, timeout)
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
			stall.Reset(timeout)
		}
		if progress != nil && time.Since(start) > progressAfter && (time.Since(lastPrint) > progressAfter || got.err != nil) {
			lastPrint = time.Now()
			of := ""
			if size > 0 {
				of = fmt.Sprintf(" of %d", size/1024)
			}
			fmt.Fprintf(progress, "\rcaptrace: downloading debug info %s from %s: %d%s KiB", buildID, server, total/1024, of)
			printed = true
		}
		if got.err == io.EOF {
			if printed {
				fmt.Fprintln(progress)
			}
			return total, nil
		}
		if got.err != nil {
			if printed {
				fmt.Fprintln(progress)
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
