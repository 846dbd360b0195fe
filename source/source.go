// Package source reads source excerpts for reports: the few lines around a
// call site, read when the report is rendered. It is the only place the
// HTML report's source text comes from, so that package report opens no
// file but the one it writes.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxFileSize bounds what one source file may be: a site's file that is in
// fact a device or a huge generated blob must not fill memory.
const maxFileSize = 16 << 20

// DefaultContext is how many lines an excerpt shows on each side of the
// site line.
const DefaultContext = 3

// Reader reads excerpts, each file once. Relative paths (what the
// compiler recorded for a file it was given by a relative name) are looked
// up under Dir. A Reader is safe for concurrent use.
type Reader struct {
	// Dir resolves relative file names ("" = the working directory).
	Dir string
	// Context is the number of lines around the site line (0 =
	// DefaultContext).
	Context int

	mu    sync.Mutex
	files map[string]fileLines
}

type fileLines struct {
	lines []string
	err   error
}

// NewReader returns a Reader that resolves relative names under dir.
func NewReader(dir string) *Reader {
	return &Reader{Dir: dir}
}

// Excerpt returns the lines of file around line, and the number of the
// first of them. When the file cannot be read, or is shorter than line,
// the error says why in a few words (it is shown to the user in place of
// the excerpt).
func (r *Reader) Excerpt(file string, line int) (first int, lines []string, err error) {
	if file == "" || line <= 0 {
		return 0, nil, errors.New("no source line recorded")
	}
	all, err := r.lines(file)
	if err != nil {
		return 0, nil, err
	}
	if line > len(all) {
		return 0, nil, fmt.Errorf("%s has %d lines, not %d: the file changed since the program was built", file, len(all), line)
	}
	ctx := r.Context
	if ctx <= 0 {
		ctx = DefaultContext
	}
	lo := max(1, line-ctx)
	hi := min(len(all), line+ctx)
	return lo, all[lo-1 : hi], nil
}

func (r *Reader) lines(file string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fl, ok := r.files[file]; ok {
		return fl.lines, fl.err
	}
	lines, err := readLines(r.resolve(file))
	if err != nil {
		err = fmt.Errorf("%s: %s", file, describe(err))
	}
	if r.files == nil {
		r.files = map[string]fileLines{}
	}
	r.files[file] = fileLines{lines, err}
	return lines, err
}

func (r *Reader) resolve(file string) string {
	if filepath.IsAbs(file) || r.Dir == "" {
		return file
	}
	return filepath.Join(r.Dir, file)
}

var errNotRegular = errors.New("not a regular file")

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotRegular
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errors.New("a binary file, not source")
	}
	text := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if !utf8.ValidString(l) {
			l = strings.ToValidUTF8(l, "\uFFFD")
		}
		lines[i] = l
	}
	return lines, nil
}

func describe(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file on this machine"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
