package tui

import (
	"regexp"
	"strings"
	"unicode"
)

// lessonLines renders a --demo lesson: its title, then its text.
func lessonLines(l Lesson, st *Styles, w int) []string {
	out := wrap(words("Lesson: "+s(l.Title), st.Boundary.Render), w)
	return append(append(out, ""), markdown(l.Text, st, w)...)
}

// mdBlock is one block of a lesson's Markdown: a heading, a paragraph or
// a list item, its source lines joined.
type mdBlock struct {
	heading bool
	marker  string   // "• " or "1. " for a list item, "" otherwise
	lines   []string // the source lines, trimmed
}

func (b mdBlock) text() string { return strings.Join(b.lines, " ") }

var listMarker = regexp.MustCompile(`^(?:[-*+]|[0-9]{1,3}[.)]) +`)

// markdown lays out the little Markdown the lessons are written in:
// headings, paragraphs and list items reflowed to the width (the source
// is wrapped at about 72 columns, so wrapping its lines one by one would
// leave ragged fragments in any other width), **strong**, *emphasis* and
// `code`. Anything else shows as written. The text goes through s first,
// like everything the TUI did not write itself.
func markdown(text string, st *Styles, w int) []string {
	var blocks []mdBlock
	var cur *mdBlock
	flush := func() {
		if cur != nil {
			blocks = append(blocks, *cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(block(text), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(line, "#"):
			flush()
			blocks = append(blocks, mdBlock{heading: true, lines: []string{strings.TrimSpace(strings.TrimLeft(line, "#"))}})
		case listMarker.MatchString(line):
			flush()
			m := listMarker.FindString(line)
			marker := strings.TrimSpace(m)
			if strings.ContainsAny(marker, "-*+") {
				marker = "•"
			}
			cur = &mdBlock{marker: marker + " ", lines: []string{strings.TrimSpace(line[len(m):])}}
		case cur != nil:
			cur.lines = append(cur.lines, trimmed)
		default:
			cur = &mdBlock{lines: []string{trimmed}}
		}
	}
	flush()

	var out []string
	for i, b := range blocks {
		switch {
		case b.heading:
			if i > 0 {
				out = append(out, "")
			}
			out = append(out, wrap(words(b.text(), st.Title.Render), w)...)
		case b.marker != "" && width(b.marker)+2 <= w:
			ind := width(b.marker)
			out = append(out, wrapIndent(inline(b.text(), st), b.marker, ind, w)...)
		case b.marker != "":
			// No room to hang the item under its marker (two cells at
			// least, for a wide character).
			out = append(out, wrap(b.marker+inline(b.text(), st), w)...)
		default:
			if i > 0 && !blocks[i-1].heading {
				out = append(out, "")
			}
			out = append(out, wrap(inline(b.text(), st), w)...)
		}
	}
	// A style is opened and closed within one word, but a word longer
	// than the line is cut in two: close whatever is open at the end of
	// every line, so nothing spills into the pane beside.
	for i, l := range out {
		if strings.Contains(l, "\x1b[") {
			out[i] = l + "\x1b[m"
		}
	}
	return out
}

// The inline styles of a lesson's Markdown.
const (
	plainText = iota
	strongText
	emphText
	codeText
)

// inline renders **strong**, *emphasis* and `code` in one block of text,
// word by word, so that wrapping never separates a style from its end.
// A marker without its closing partner is shown as written.
func inline(text string, st *Styles) string {
	rs := []rune(text)
	kinds := make([]int, 0, len(rs))
	var keep []rune
	// none[k] is where a search for closer k last failed: a later
	// search, from further on, fails too, so no opener rescans the rest
	// of the text (which would take quadratic time).
	none := [3]int{len(rs) + 1, len(rs) + 1, len(rs) + 1}
	const (
		cStrong = iota
		cEmph
		cCode
	)
	// closes finds closer k from from on: "**" or "*" after a non-space
	// rune, or "`" anywhere; -1 when there is none.
	closes := func(from int, k int) int {
		if from >= none[k] {
			return -1
		}
		for j := from; j < len(rs); j++ {
			switch k {
			case cCode:
				if rs[j] == '`' {
					return j
				}
			case cStrong:
				if rs[j] == '*' && j+1 < len(rs) && rs[j+1] == '*' && j > from && !unicode.IsSpace(rs[j-1]) {
					return j
				}
			case cEmph:
				if rs[j] == '*' && j > from && !unicode.IsSpace(rs[j-1]) {
					return j
				}
			}
		}
		none[k] = from
		return -1
	}
	add := func(span []rune, kind int) {
		for _, c := range span {
			keep, kinds = append(keep, c), append(kinds, kind)
		}
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '`':
			if j := closes(i+1, cCode); j > i+1 {
				add(rs[i+1:j], codeText)
				i = j + 1
				continue
			}
		case r == '*' && i+2 < len(rs) && rs[i+1] == '*' && !unicode.IsSpace(rs[i+2]):
			if j := closes(i+2, cStrong); j > 0 {
				add(rs[i+2:j], strongText)
				i = j + 2
				continue
			}
		case r == '*' && i+1 < len(rs) && rs[i+1] != '*' && !unicode.IsSpace(rs[i+1]):
			if j := closes(i+1, cEmph); j > 0 {
				add(rs[i+1:j], emphText)
				i = j + 1
				continue
			}
		}
		keep, kinds = append(keep, r), append(kinds, plainText)
		i++
	}
	style := [...]func(string) string{
		plainText:  func(v string) string { return v },
		strongText: func(v string) string { return st.Title.Render(v) },
		emphText:   func(v string) string { return st.Emph.Render(v) },
		codeText:   func(v string) string { return st.Code.Render(v) },
	}
	var b strings.Builder
	for i := 0; i < len(keep); {
		j := i + 1
		for j < len(keep) && kinds[j] == kinds[i] && !unicode.IsSpace(keep[j]) && !unicode.IsSpace(keep[j-1]) {
			j++
		}
		run := string(keep[i:j])
		if unicode.IsSpace(keep[i]) {
			b.WriteString(run)
		} else {
			b.WriteString(style[kinds[i]](run))
		}
		i = j
	}
	return b.String()
}

// words renders each word of text with render, and the spaces as they are.
func words(text string, render func(...string) string) string {
	f := strings.Split(text, " ")
	for i, w := range f {
		if w != "" {
			f[i] = render(w)
		}
	}
	return strings.Join(f, " ")
}
