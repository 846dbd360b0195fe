package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// displayText makes s safe to print on a terminal, one line: control
// characters (a newline in a path, an escape sequence in an argument) and
// bytes that are not UTF-8 are shown as Go-style escapes (\n, \t, \x1b,
// \xff, \u0085), everything else as it is. Only the text report uses it:
// JSON keeps the exact bytes (see rawbytes.go).
func displayText(s string) string {
	if isDisplaySafe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && !printable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !printable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func printable(r rune) bool { return r == ' ' || unicode.IsPrint(r) }

func isDisplaySafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || !printable(r) })
		}
	}
	return true
}
