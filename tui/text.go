package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/safe"
)

// s makes one line of untrusted text (from a message or from DNS) safe to
// print: every control, escape and bidi character becomes a visible
// escape. Everything the TUI shows that it did not write itself goes
// through s or block first.
func s(v string) string { return safe.Text(v) }

// block is s for text of several lines: newlines stay, tabs become spaces
// (a tab's width depends on the terminal, so it would break the layout).
func block(v string) string {
	return strings.ReplaceAll(safe.Block(v), "\t", "    ")
}

// width is the cell width of a rendered string, escapes not counted.
func width(v string) int { return ansi.StringWidth(v) }

// padRight pads v with spaces to n cells; a longer v is left alone.
func padRight(v string, n int) string {
	if w := width(v); w < n {
		return v + strings.Repeat(" ", n-w)
	}
	return v
}

// cut truncates a rendered line to n cells, with an ellipsis when it was
// longer.
func cut(v string, n int) string {
	if n <= 0 {
		return ""
	}
	if width(v) <= n {
		return v
	}
	return ansi.Truncate(v, n, "…")
}

// wrap breaks text into lines of at most n cells at spaces, and breaks
// words longer than a line. Each paragraph (split at "\n") wraps on its own.
func wrap(text string, n int) []string {
	if n < 1 {
		n = 1
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		// ansi.Wrap may leave the space before a word that starts with
		// a hyphen ("ends in -all") at the end of a full line, one cell
		// too wide; Hardwrap would then make a line of that space alone.
		lines := strings.Split(ansi.Wrap(para, n, ""), "\n")
		for i, l := range lines {
			if width(l) > n {
				lines[i] = strings.TrimRight(l, " ")
			}
		}
		w := ansi.Hardwrap(strings.Join(lines, "\n"), n, true)
		out = append(out, strings.Split(w, "\n")...)
	}
	return out
}

// wrapIndent wraps text to n cells with every line after the first indented
// by ind spaces and the first prefixed by first (both as wide as ind).
func wrapIndent(text, first string, ind, n int) []string {
	lines := wrap(text, n-ind)
	pad := strings.Repeat(" ", ind)
	for i := range lines {
		if i == 0 {
			lines[i] = padRight(first, ind) + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	if len(lines) == 0 {
		lines = []string{first}
	}
	return lines
}

// fit makes a block exactly w cells wide and h lines high: longer lines
// are cut, shorter ones padded, missing lines added and extra lines
// dropped. Every pane goes through it, so nothing can spill over the
// terminal's edge whatever the content.
func fit(lines []string, w, h int) []string {
	if h < 0 {
		h = 0
	}
	out := make([]string, h)
	for i := range out {
		var l string
		if i < len(lines) {
			l = cut(lines[i], w)
		}
		out[i] = padRight(l, w)
	}
	return out
}

// side puts two blocks of the same height next to each other.
func side(left, right []string, gap string) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	lw := 0
	for _, l := range left {
		lw = max(lw, width(l))
	}
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = padRight(l, lw) + gap + r
	}
	return out
}

// plural is "1 hop", "2 hops".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// scroller is a window onto lines: the offset of the first line shown and
// how many fit.
type scroller struct {
	top    int
	height int
}

func (sc scroller) clamp(n int) scroller {
	sc.top = min(sc.top, max(n-sc.height, 0))
	sc.top = max(sc.top, 0)
	return sc
}

func (sc scroller) by(d, n int) scroller {
	sc.top += d
	return sc.clamp(n)
}

// show makes line i visible, moving as little as possible.
func (sc scroller) show(i, n int) scroller {
	if i < sc.top {
		sc.top = i
	}
	if sc.height > 0 && i >= sc.top+sc.height {
		sc.top = i - sc.height + 1
	}
	return sc.clamp(n)
}

// window returns the part of lines the scroller shows.
func window[T any](sc scroller, lines []T) []T {
	sc = sc.clamp(len(lines))
	end := min(sc.top+sc.height, len(lines))
	if sc.top >= end {
		return nil
	}
	return lines[sc.top:end]
}
