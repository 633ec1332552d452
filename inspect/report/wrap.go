package report

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// wrap appends s to b in lines of at most width display columns: the first
// line starts with first, the others with indent. Widths are display
// columns (a CJK character is two), and first may be styled: its escape
// sequences take no room. It breaks at spaces and keeps runs of spaces
// inside a line, since a detail may quote a header whose spacing matters;
// a word longer than a line is cut, so no line is ever wider than width.
func wrap(b *strings.Builder, s, first, indent string, width int) {
	// A line keeps at least 10 columns for text however deep the indent;
	// a first prefix that leaves less goes on a line of its own.
	room := max(width-cols(indent), 10)
	firstRoom := width - cols(first)
	if firstRoom < 10 {
		b.WriteString(strings.TrimRight(first, " "))
		b.WriteByte('\n')
		first, firstRoom = indent, room
	}
	prefix, cur := first, firstRoom
	var line strings.Builder
	n := 0         // display width of line
	cont := false  // on a continuation line, which must not start with the space between two words
	words := false // line holds a word, not only spaces
	flush := func() {
		b.WriteString(trimRight(prefix + line.String()))
		b.WriteByte('\n')
		prefix, cur, cont = indent, room, true
		line.Reset()
		n, words = 0, false
	}
	for i, word := range strings.Split(s, " ") {
		wl := cols(word)
		if i > 0 {
			if words && wl > 0 && n+1+wl > cur {
				// Spaces alone are not flushed: a line of them
				// (the indent of a folded header line before a long
				// word) would print as an empty line.
				flush()
			} else if !cont || n > 0 {
				line.WriteByte(' ')
				n++
			}
		}
		for wl > cur-n {
			if words {
				flush()
				continue
			}
			if !cont && wl <= room && room > cur {
				// The word fits on a continuation line but not
				// after the first prefix: leave the prefix alone
				// on its line rather than cut the word.
				line.Reset()
				flush()
				continue
			}
			if n > 0 {
				// Only spaces before a word that needs the whole
				// line: drop them.
				line.Reset()
				n = 0
				continue
			}
			// A word longer than a whole line: cut it. The rest's
			// width is what is left, not measured again, so a word of
			// megabytes costs one pass, not one per line.
			head, hw := cut(word, cur)
			// cut counts grapheme clusters (uniseg), the screen and
			// cols count as ansi does, and the two disagree on some
			// characters (a prepended concatenation mark such as
			// U+0600 joins the next character): measure the head as it
			// will be shown, and drop characters until it fits.
			if cw := cols(head); cw != hw {
				for hw = cw; hw > cur && head != ""; hw = cols(head) {
					_, size := utf8.DecodeLastRuneInString(head)
					head = head[:len(head)-size]
				}
			}
			if head == "" {
				break
			}
			line.WriteString(head)
			n = hw
			word = word[len(head):]
			// What is left is measured again once it is short (a few
			// lines), so a disagreement cannot carry over; a word of
			// megabytes still costs one pass, not one per line.
			if wl -= hw; wl < 0 || len(word) <= 16*room {
				wl = cols(word)
			}
			flush()
		}
		line.WriteString(word)
		n += wl
		words = words || word != ""
	}
	if n > 0 || !cont {
		flush()
	}
}

// trimRight drops the spaces at the end of a line, also those that a
// style's closing escape sequence follows, so a styled line ends as the
// plain one does.
func trimRight(s string) string {
	s = strings.TrimRight(s, " ")
	for strings.HasSuffix(s, "m") {
		i := strings.LastIndex(s, "\x1b[")
		if i < 0 || strings.Trim(s[i+2:len(s)-1], "0123456789;") != "" {
			break
		}
		head := strings.TrimRight(s[:i], " ")
		if len(head) == i {
			break
		}
		s = head + s[i:]
	}
	return s
}

// cut returns the longest start of word at most w columns wide, cut
// between grapheme clusters, and its width. It reads only that start.
func cut(word string, w int) (string, int) {
	// Only the part that can fit is looked at: a cluster is at least one
	// byte per column and at most a few dozen bytes.
	if strings.IndexByte(word[:min(len(word), 64*w+64)], 0x1b) >= 0 {
		// A styled word: short, and escape sequences take no room.
		head := ansi.Truncate(word, w, "")
		return head, cols(head)
	}
	n, i, state := 0, 0, -1
	rest := word
	for len(rest) > 0 {
		if c := rest[0]; c >= 0x20 && c < 0x80 && (len(rest) == 1 || rest[1] < 0x80) {
			// A printable ASCII byte before another ASCII byte is a
			// cluster of its own, one column wide.
			if n+1 > w {
				break
			}
			n, i, rest, state = n+1, i+1, rest[1:], -1
			continue
		}
		cluster, r, cw, st := uniseg.FirstGraphemeClusterInString(rest, state)
		if n+cw > w {
			break
		}
		n, i, rest, state = n+cw, i+len(cluster), r, st
	}
	return word[:i], n
}

// cols is the display width of s: its length for plain ASCII, the
// commonest case by far, else what ansi.StringWidth says (wide and
// zero-width characters, escape sequences).
func cols(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// pad returns s padded with spaces to w display columns.
func pad(s string, w int) string {
	if d := w - cols(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
