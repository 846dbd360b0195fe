package debuginfod

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Request asks servers for one build-id's debug file.
type Request struct {
	Servers []string
	BuildID string // lower-case hex
	Dir     string // where the temporary file goes (the cache entry's)
	// Timeout bounds the wait for a server's first bytes and every stall
	// of a transfer.
	Timeout time.Duration
	// Progress, when not nil, gets a line about a download that takes
	// more than a moment.
	Progress io.Writer
}

// Outcome is what the servers answered.
type Outcome struct {
	// Tmp is the downloaded file, in Request.Dir; "" when no server had
	// it.
	Tmp string
	// Dead are the servers that could not be reached (refused, timed
	// out): not asked again in this run.
	Dead []string
	// Err is set when every server failed; nil when they answered.
	Err error
}

// Downloader asks every server at once; the first file delivered wins.
type Downloader func(Request) Outcome

// HelperName is the helper program captrace runs to download
// (cmd/captrace-debuginfod), installed beside captrace.
const HelperName = "captrace-debuginfod"

// The helper's protocol. Its arguments: [-progress] TIMEOUT_SECONDS DIR
// BUILD-ID SERVER...; on stdout, one line per dead server, then one line
// for the outcome; progress lines on stderr.
const (
	lineDead    = "dead "
	lineFound   = "found "
	lineMissing = "missing"
	lineFailed  = "failed "
)

// HelperArgs are the helper's arguments for r.
func HelperArgs(r Request) []string {
	var args []string
	if r.Progress != nil {
		args = append(args, "-progress")
	}
	secs := int((r.Timeout + time.Second - 1) / time.Second)
	return append(append(args, strconv.Itoa(secs), r.Dir, r.BuildID), r.Servers...)
}

// ParseHelperArgs is HelperArgs read back, in the helper; progress says
// whether it should write progress lines.
func ParseHelperArgs(args []string) (r Request, progress bool, err error) {
	if len(args) > 0 && args[0] == "-progress" {
		progress, args = true, args[1:]
	}
	if len(args) < 4 {
		return r, false, errors.New("usage: " + HelperName + " [-progress] TIMEOUT_SECONDS DIR BUILD-ID SERVER...")
	}
	secs, err := strconv.Atoi(args[0])
	if err != nil || secs <= 0 {
		return r, false, fmt.Errorf("bad timeout %q", args[0])
	}
	return Request{Timeout: time.Duration(secs) * time.Second, Dir: args[1], BuildID: args[2], Servers: args[3:]}, progress, nil
}

// WriteOutcome writes o as the helper reports it.
func WriteOutcome(w io.Writer, o Outcome) error {
	var b strings.Builder
	for _, u := range o.Dead {
		b.WriteString(lineDead + u + "\n")
	}
	switch {
	case o.Tmp != "":
		b.WriteString(lineFound + o.Tmp + "\n")
	case o.Err != nil:
		b.WriteString(lineFailed + strings.ReplaceAll(o.Err.Error(), "\n", "; ") + "\n")
	default:
		b.WriteString(lineMissing + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readOutcome parses the helper's report.
func readOutcome(r io.Reader) (Outcome, error) {
	var o Outcome
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, lineDead):
			o.Dead = append(o.Dead, strings.TrimPrefix(line, lineDead))
		case strings.HasPrefix(line, lineFound):
			o.Tmp = strings.TrimPrefix(line, lineFound)
			return o, nil
		case line == lineMissing:
			return o, nil
		case strings.HasPrefix(line, lineFailed):
			o.Err = errors.New(strings.TrimPrefix(line, lineFailed))
			return o, nil
		}
	}
	return o, errors.New("no outcome")
}

// Helper is the Downloader that runs the helper program at path once per
// download; its progress lines go to the request's Progress.
func Helper(path string) Downloader {
	return func(r Request) Outcome {
		if _, err := os.Stat(path); err != nil {
			return Outcome{Err: fmt.Errorf("debuginfod: no %s beside captrace (%s): install it with make install, or go install github.com/captrace/captrace/cmd/%s", HelperName, path, HelperName)}
		}
		cmd := exec.Command(path, HelperArgs(r)...)
		var out, stderr bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &stderr
		if r.Progress != nil {
			cmd.Stderr = io.MultiWriter(&stderr, r.Progress)
		}
		err := cmd.Run()
		o, perr := readOutcome(&out)
		if perr != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" && err != nil {
				msg = err.Error()
			}
			return Outcome{Err: fmt.Errorf("debuginfod: %s: %s", HelperName, msg)}
		}
		return o
	}
}
