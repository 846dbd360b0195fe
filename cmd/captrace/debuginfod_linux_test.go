package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// TestDebuginfod: a stripped program whose debug file only a real
// debuginfod server (elfutils') holds. Its report names functions, files
// and lines; a second run, the server stopped, is served from the cache;
// a server that never answers costs DEBUGINFOD_TIMEOUT and one warning.
func TestDebuginfod(t *testing.T) {
	if _, err := exec.LookPath("debuginfod"); err != nil {
		t.Fatalf("debuginfod is needed (make deps installs it): %v", err)
	}
	full := victims.C(t, "stacks/chain", victims.O2, "-Wl,--build-id")
	dir := t.TempDir()
	debugDir := filepath.Join(dir, "served")
	os.Mkdir(debugDir, 0o755)
	prog := filepath.Join(dir, "chain")
	for _, c := range [][]string{
		{"objcopy", "--only-keep-debug", full, filepath.Join(debugDir, "chain.debug")},
		{"strip", "-o", prog, full},
	} {
		if err := victims.Run(c[0], c[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	id := buildID(t, prog)
	server := startDebuginfod(t, debugDir, id)

	cache := filepath.Join(dir, "cache")
	env := []string{"DEBUGINFOD_URLS=" + server.url, "DEBUGINFOD_CACHE_PATH=" + cache}
	t.Run("served", func(t *testing.T) {
		r := captraceEnv(t, env, "--enter=main", prog)
		checkStacks(t, r, chainStacks()...)
		if st, err := os.Stat(filepath.Join(cache, id, "debuginfo")); err != nil || st.Size() == 0 {
			t.Errorf("no cached debug file at <cache>/%s/debuginfo: %v", id, err)
		}
	})
	t.Run("off", func(t *testing.T) {
		r := captraceEnv(t, []string{"DEBUGINFOD_URLS=" + server.url, "DEBUGINFOD_CACHE_PATH=" + filepath.Join(dir, "unused")}, "--debuginfod=off", "--enter=main", prog)
		for _, g := range r.report.Groups {
			if g.Site.Line != 0 {
				t.Errorf("--debuginfod=off: site %s:%d has a line", g.Site.Function, g.Site.Line)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "unused")); err == nil {
			t.Errorf("--debuginfod=off created a cache")
		}
	})
	server.stop(t)
	t.Run("cached", func(t *testing.T) {
		r := captraceEnv(t, env, "--enter=main", prog)
		checkStacks(t, r, chainStacks()...)
		if strings.Contains(r.stderr, "warning") {
			t.Errorf("a cached file needs no server:\n%s", r.stderr)
		}
	})
	t.Run("silent-server", func(t *testing.T) {
		// Accepts connections and never answers.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		env := []string{"DEBUGINFOD_URLS=http://" + ln.Addr().String(), "DEBUGINFOD_CACHE_PATH=" + filepath.Join(dir, "cache2"), "DEBUGINFOD_TIMEOUT=1"}
		r := captraceEnv(t, env, "--enter=main", prog)
		if len(r.report.Groups) != 2 {
			t.Errorf("%d groups, want the 2 stripped call sites", len(r.report.Groups))
		}
		var warnings []string
		for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if strings.Contains(l, "debuginfod") {
				warnings = append(warnings, l)
			}
		}
		if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "captrace: warning: ") || !strings.Contains(warnings[0], ln.Addr().String()) {
			t.Errorf("want one warning naming the server, got:\n%s", r.stderr)
		}
		// The silence is no answer: no miss may be cached.
		if _, err := os.Stat(filepath.Join(dir, "cache2", id, "debuginfo")); err == nil {
			t.Errorf("a silent server's non-answer was cached as a miss")
		}
	})
}

type debuginfodServer struct {
	url string
	cmd *exec.Cmd
}

// startDebuginfod serves dir on a free port and waits until it has indexed
// the debug file of id.
func startDebuginfod(t *testing.T, dir, id string) *debuginfodServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var log bytes.Buffer
	cmd := exec.Command("debuginfod", "-F", dir, "-p", fmt.Sprint(port), "-d", ":memory:", "-t", "0")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &debuginfodServer{url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(func() { s.stop(t) })
	// Poll until the file is served; each attempt waits for the server's
	// answer, so the loop is bounded by attempts, not by a clock.
	for attempt := 0; ; attempt++ {
		resp, err := http.Get(s.url + "/buildid/" + id + "/debuginfo")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if attempt == 200 {
			t.Fatalf("debuginfod never served %s:\n%s", id, log.String())
		}
		exec.Command("sleep", "0.1").Run()
	}
}

func (s *debuginfodServer) stop(t *testing.T) {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// captraceEnv runs captrace with extra environment and a JSON report.
func captraceEnv(t *testing.T, env []string, args ...string) runResult {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(victims.Captrace(t), append([]string{"-o", out}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := runResult{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("captrace %v: %v", args, err)
	}
	rep, lerr := report.Load(out)
	if lerr != nil {
		t.Fatalf("captrace %v: no report: %v\nstderr:\n%s", args, lerr, r.stderr)
	}
	r.report = rep
	return r
}
