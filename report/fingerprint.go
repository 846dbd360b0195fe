package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/captrace/captrace/symbolize"
)

// A fingerprint names a group across rebuilds, ASLR and edits elsewhere in
// the file, the way SARIF's primaryLocationLineHash does. It hashes:
//
//   - the syscall and the errno;
//   - the site function;
//   - the site's source line with all whitespace removed, and its
//     occurrence index: how many earlier lines of the same function have
//     the same text. The function's first line is approximated as the
//     nearest line at or above the site that contains the function's short
//     name followed by "(" ("load_config(", "Load(" for "main.(*T).Load");
//     when none is found (closures, macros) the count starts at the top of
//     the file;
//   - the names of the program's own callers above the site, outermost
//     last, without system frames (a libc upgrade must not change it),
//     without unnamed "module+0xoff" frames, and with recursion collapsed.
//
// Never line numbers or addresses, with one exception: in stripped code the
// site is "module+0xoff" and the call's module-relative address is hashed,
// since nothing better exists; those fingerprints change when the binary is
// rebuilt. When the source is unreadable the line text is left out, and
// groups that would then share a fingerprint are told apart by their order
// of line in the report (stable under line shifts, not under removals).
const fingerprintVersion = "captrace/v1"

// fingerprintInput is what one group contributes to its fingerprint;
// lineText is filled in when the report is built, since reading source
// files does not belong on Add's path.
type fingerprintInput struct {
	syscall, errno string
	function       string
	file           string
	line           int
	address        string // stripped code only
	callers        []string
}

func (in *fingerprintInput) hash(src *sourceFiles, dup int) string {
	h := sha256.New()
	field := func(k, v string) {
		fmt.Fprintf(h, "%s=%s\x00", k, v)
	}
	field("v", fingerprintVersion)
	field("syscall", in.syscall)
	field("errno", in.errno)
	field("function", symbolize.StableName(in.function))
	if in.line > 0 && in.file != "" {
		if text, occ, ok := src.lineKey(in.file, in.line, in.function); ok {
			field("line", fmt.Sprintf("%s#%d", text, occ))
		}
	} else if in.address != "" {
		field("address", in.address)
	}
	field("callers", strings.Join(in.callers, "\x01"))
	if dup > 0 {
		field("dup", fmt.Sprint(dup))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// callerNames lists the function names the fingerprint keeps from the
// frames above the site.
func callerNames(frames []symbolize.Frame, site int) []string {
	var names []string
	for _, f := range frames[site+1:] {
		if f.Function == "" || strings.Contains(f.Function, "+0x") || strings.HasPrefix(f.Function, "0x") || f.System {
			continue
		}
		name := symbolize.StableName(f.Function)
		if len(names) > 0 && names[len(names)-1] == name {
			continue
		}
		names = append(names, name)
	}
	return names
}

// sourceFiles caches source files as lines; nil means unreadable.
type sourceFiles struct {
	read  func(string) ([]byte, error)
	files map[string][]string
}

func newSourceFiles(read func(string) ([]byte, error)) *sourceFiles {
	if read == nil {
		read = noSource
	}
	return &sourceFiles{read: read, files: map[string][]string{}}
}

var errNoSourceReader = errors.New("no source reader (WithSourceReader)")

func noSource(string) ([]byte, error) { return nil, errNoSourceReader }

func (s *sourceFiles) lines(name string) []string {
	if l, ok := s.files[name]; ok {
		return l
	}
	var l []string
	if b, err := s.read(name); err == nil && !bytes.Contains(b[:min(len(b), 8000)], []byte{0}) {
		l = strings.Split(string(b), "\n")
	}
	s.files[name] = l
	return l
}

// lineKey gives the normalized text of line (1-based) and its occurrence
// index within the function.
func (s *sourceFiles) lineKey(name string, line int, function string) (string, int, bool) {
	lines := s.lines(name)
	if line < 1 || line > len(lines) {
		return "", 0, false
	}
	text := normalizeLine(lines[line-1])
	if text == "" {
		return "", 0, false
	}
	start := 0
	if short := shortName(function); short != "" {
		for i := line - 1; i >= 0; i-- {
			if strings.Contains(lines[i], short+"(") {
				start = i
				break
			}
		}
	}
	occ := 0
	for i := start; i < line-1; i++ {
		if normalizeLine(lines[i]) == text {
			occ++
		}
	}
	return text, occ, true
}

// normalizeLine drops all whitespace, so reindenting or re-spacing a line
// keeps its fingerprint.
func normalizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// shortName is the identifier a function's definition line contains:
// "load_config", "main.(*T).Load" -> "Load", "ns::C::f(int) const" -> "f".
func shortName(fn string) string {
	fn = symbolize.StableName(fn)
	if i := strings.IndexByte(fn, '('); i > 0 && strings.Contains(fn, "::") {
		fn = fn[:i]
	}
	if i := strings.LastIndex(fn, "::"); i >= 0 {
		fn = fn[i+2:]
	}
	if i := strings.LastIndexByte(fn, '.'); i >= 0 {
		fn = fn[i+1:]
	}
	for _, r := range fn {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return ""
		}
	}
	return fn
}
