package debuginfod_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/captrace/captrace/internal/debuginfod"
	"github.com/captrace/captrace/internal/debuginfod/download"
)

const id = "0123456789abcdef0123456789abcdef01234567"

// server answers /buildid/<id>/debuginfo with body, or 404 when body is
// nil, and counts requests.
func server(t *testing.T, body []byte, hits *atomic.Int32) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/buildid/"+id+"/debuginfo" || body == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestFirstServerWithTheFileWins(t *testing.T) {
	var a, b atomic.Int32
	empty := server(t, nil, &a)
	full := server(t, []byte("\x7fELF debug"), &b)
	c := &debuginfod.Client{Download: download.Download, URLs: []string{empty.URL, full.URL + "/"}, CacheDir: t.TempDir()}
	p, err := c.DebugInfo(strings.ToUpper(id))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(c.CacheDir, id, "debuginfo"); p != want {
		t.Errorf("path %s, want elfutils' layout %s", p, want)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, []byte("\x7fELF debug")) {
		t.Errorf("cached %q", got)
	}
	// Both asked at once (the loser may be cancelled before it is
	// reached); the second lookup is the cache's.
	if _, err := c.DebugInfo(id); err != nil || a.Load() > 1 || b.Load() != 1 {
		t.Errorf("second lookup: err %v, requests %d and %d, want at most 1 and 1", err, a.Load(), b.Load())
	}
}

func TestMissIsCachedAsEmptyFile(t *testing.T) {
	var hits atomic.Int32
	s := server(t, nil, &hits)
	c := &debuginfod.Client{Download: download.Download, URLs: []string{s.URL}, CacheDir: t.TempDir()}
	for range 2 {
		if _, err := c.DebugInfo(id); !errors.Is(err, debuginfod.ErrNotFound) {
			t.Fatalf("err %v, want debuginfod.ErrNotFound", err)
		}
	}
	if st, err := os.Stat(filepath.Join(c.CacheDir, id, "debuginfo")); err != nil || st.Size() != 0 {
		t.Errorf("miss not recorded as an empty file: %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests: the cached miss must be honoured", hits.Load())
	}
	// A miss older than cache_miss_s is asked again.
	os.WriteFile(filepath.Join(c.CacheDir, "cache_miss_s"), []byte("0\n"), 0o644)
	c2 := &debuginfod.Client{Download: download.Download, URLs: c.URLs, CacheDir: c.CacheDir}
	c2.DebugInfo(id)
	if hits.Load() != 2 {
		t.Errorf("%d requests: an expired miss must be asked again", hits.Load())
	}
}

func TestDeadServerWarnsOnceAndIsNotAskedAgain(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close() // connection refused from now on
	var warn bytes.Buffer
	c := &debuginfod.Client{Download: download.Download, URLs: []string{url}, CacheDir: t.TempDir(), Warnings: &warn}
	for _, b := range []string{id, "ab" + id[2:]} {
		if _, err := c.DebugInfo(b); err == nil {
			t.Fatal("no error from a dead server")
		}
	}
	if n := strings.Count(warn.String(), "\n"); n != 1 || !strings.Contains(warn.String(), url) {
		t.Errorf("want one warning naming %s, got %q", url, warn.String())
	}
	if _, err := os.Stat(filepath.Join(c.CacheDir, id, "debuginfo")); err == nil {
		t.Error("an unreachable server's silence was cached as a miss")
	}
}

func TestCacheDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, c := range []struct {
		cachePath, xdg, want string
	}{
		{"/x/cache", "/y", "/x/cache"},
		{"", "/y", "/y/debuginfod_client"},
		{"", "", filepath.Join(home, ".cache", "debuginfod_client")},
	} {
		t.Setenv("DEBUGINFOD_CACHE_PATH", c.cachePath)
		t.Setenv("XDG_CACHE_HOME", c.xdg)
		if got := debuginfod.CacheDir(); got != c.want {
			t.Errorf("DEBUGINFOD_CACHE_PATH=%q XDG_CACHE_HOME=%q: %s, want %s", c.cachePath, c.xdg, got, c.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("DEBUGINFOD_URLS", "  ")
	if debuginfod.FromEnv(nil, func() string { return "" }) != nil {
		t.Error("a client without servers")
	}
	t.Setenv("DEBUGINFOD_URLS", "http://a https://b")
	t.Setenv("DEBUGINFOD_TIMEOUT", "7")
	t.Setenv("DEBUGINFOD_PROGRESS", "1")
	c := debuginfod.FromEnv(os.Stderr, func() string { return "/no/helper" })
	if c == nil || len(c.URLs) != 2 || c.Timeout.Seconds() != 7 || c.Progress == nil {
		t.Errorf("client %+v", c)
	}
}

// TestProgressLine: a download that takes longer than a moment (the
// server pauses between its two halves) reports its progress.
func TestProgressLine(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{1}, 4096))
		w.(http.Flusher).Flush()
		time.Sleep(time.Second) // twice the moment after which progress shows
		w.Write(bytes.Repeat([]byte{2}, 4096))
	}))
	defer s.Close()
	var progress bytes.Buffer
	c := &debuginfod.Client{Download: download.Download, URLs: []string{s.URL}, CacheDir: t.TempDir(), Progress: &progress}
	if _, err := c.DebugInfo(id); err != nil {
		t.Fatal(err)
	}
	out := progress.String()
	if !strings.Contains(out, "downloading debug info "+id) || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress %q: want a line naming the build-id, ended", out)
	}
}

// TestHelperProgram: the client downloads through the real helper
// program, built here, as captrace does: its arguments, its report of a
// found file, a miss and a dead server, and its progress lines.
func TestHelperProgram(t *testing.T) {
	helper := filepath.Join(t.TempDir(), debuginfod.HelperName)
	build := exec.Command("go", "build", "-o", helper, "github.com/captrace/captrace/cmd/captrace-debuginfod")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var hits atomic.Int32
	full := server(t, []byte("\x7fELF debug"), &hits)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	var warn bytes.Buffer
	c := &debuginfod.Client{Download: debuginfod.Helper(helper), URLs: []string{dead.URL, full.URL}, CacheDir: t.TempDir(), Timeout: 5 * time.Second, Warnings: &warn}
	p, err := c.DebugInfo(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, []byte("\x7fELF debug")) {
		t.Errorf("cached %q", got)
	}
	// The dead server was reported and is not asked again: a miss now
	// comes from the live one alone.
	if _, err := c.DebugInfo("ab" + id[2:]); !errors.Is(err, debuginfod.ErrNotFound) {
		t.Errorf("miss: %v, want ErrNotFound", err)
	}
	if warn.Len() != 0 {
		t.Errorf("warnings %q: one server answered each time", warn.String())
	}
	// Left with the dead server alone, the client asks nobody: the
	// helper's report of it was kept.
	c.URLs = []string{dead.URL}
	if _, err := c.DebugInfo("cd" + id[2:]); err == nil || !strings.Contains(err.Error(), "no server reachable") {
		t.Errorf("only the dead server left: %v, want no server reachable", err)
	}
	warn.Reset()

	missing := &debuginfod.Client{Download: debuginfod.Helper(filepath.Join(t.TempDir(), "none")), URLs: []string{full.URL}, CacheDir: t.TempDir(), Warnings: &warn}
	if _, err := missing.DebugInfo(id); err == nil || !strings.Contains(warn.String(), "no "+debuginfod.HelperName+" beside captrace") {
		t.Errorf("without the helper: %v, warnings %q", err, warn.String())
	}
}
