// Package safe makes text that came from a message or from DNS harmless to
// print on a terminal, in a report or in the TUI.
//
// A header can carry bytes that a terminal obeys instead of showing: ESC
// sequences that move the cursor, recolour or retitle the window, 8-bit C1
// controls that some terminals treat as ESC, and Unicode bidirectional
// controls that reorder what the reader sees ("Trojan Source", CVE-2021-42574:
// U+202E can make "moc.lapyap" read as "paypal.com"). An investigator must
// see those bytes, not be fooled by them, so every renderer passes untrusted
// text through this package and shows such characters as visible escapes:
//
//	C0 controls and DEL        \x1b  \x00  \x7f   (\t \n \r for those three)
//	C1 controls U+0080–U+009F  \u009b
//	bidi controls              \u202e  (U+202A–U+202E, U+2066–U+2069, and the
//	                           invisible marks U+200E, U+200F, U+061C)
//	line/paragraph separators  \u2028  \u2029
//	bytes that are not UTF-8   \xff
//
// The report contract (../shared/CONTRACT.md) names C0, C1 and U+202A–U+202E,
// U+2066–U+2069. We also escape LRM, RLM and ALM because they are invisible
// bidi marks of the same family, and U+2028/U+2029 because some terminals
// break lines on them. Backslashes are left alone, so the escapes are for
// reading, not a reversible encoding: a message that literally contains the
// text `\x1b` looks the same as one that contains ESC.
package safe

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// escapedRune reports whether r (decoded from valid UTF-8, r >= 0x80) is
// shown as a \u escape.
func escapedRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // ALM, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE RLE PDF LRO RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI RLI FSI PDI
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Text returns s for printing on one line: every control character,
// including tab and newline, is shown as an escape. It returns s itself when
// nothing needs escaping.
func Text(s string) string { return escape(s, false) }

// Block returns s for printing as several lines: newline and tab are kept,
// a CR directly before a newline is dropped (it is a line ending, not a
// control), and everything else Text escapes is escaped.
func Block(s string) string { return escape(s, true) }

// Bytes is Text for raw bytes.
func Bytes(b []byte) string { return Text(string(b)) }

// Needed reports whether Text would change s.
func Needed(s string) bool { return clean(s, false) < len(s) }

// clean returns the length of the prefix of s that needs no escaping.
func clean(s string, block bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !block || (c != '\n' && c != '\t') {
					return i
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || escapedRune(r) {
			return i
		}
		i += size
	}
	return len(s)
}

func escape(s string, block bool) string {
	n := clean(s, block)
	if n == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	// Copy runs that need no escaping in one piece; most of a header is.
	for n < len(s) {
		b.WriteString(s[:n])
		s = s[n:]
		c := s[0]
		size := 1
		if c < utf8.RuneSelf {
			switch {
			case block && c == '\r' && len(s) > 1 && s[1] == '\n':
				// CRLF line ending: the newline that follows is kept.
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			default:
				writeHexByte(&b, c)
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s)
			if r == utf8.RuneError && size == 1 {
				writeHexByte(&b, c)
			} else {
				writeU(&b, r)
			}
		}
		s = s[size:]
		n = clean(s, block)
	}
	b.WriteString(s)
	return b.String()
}

func writeHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func writeU(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xf])
	}
}

// JSON makes encoded JSON terminal-safe: DEL, C1 controls, bidi controls and
// U+2028/U+2029 inside its strings are rewritten as \uXXXX escapes, which
// decode to the same characters, so a JSON reader gets the exact value while
// a terminal showing the raw line sees only ASCII escapes. encoding/json
// already escapes C0 controls and replaces invalid UTF-8, so b is expected to
// be its output; the result is returned in a new slice only when something
// changed.
func JSON(b []byte) []byte {
	n := cleanJSON(b)
	if n == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:n]...)
	for i := n; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				out = append(out, `\u007f`...)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if size > 1 && escapedRune(r) {
			out = append(out, '\\', 'u',
				hexDigits[(r>>12)&0xf], hexDigits[(r>>8)&0xf], hexDigits[(r>>4)&0xf], hexDigits[r&0xf])
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func cleanJSON(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if size > 1 && escapedRune(r) {
			return i
		}
		i += size
	}
	return len(b)
}
