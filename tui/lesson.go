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
	marker  string // "• " or "1. " for a list item, "" otherwise
	text    string
}

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
			blocks = append(blocks, mdBlock{heading: true, text: strings.TrimSpace(strings.TrimLeft(line, "#"))})
		case listMarker.MatchString(line):
			flush()
			m := listMarker.FindString(line)
			marker := strings.TrimSpace(m)
			if strings.ContainsAny(marker, "-*+") {
				marker = "•"
			}
			cur = &mdBlock{marker: marker + " ", text: strings.TrimSpace(line[len(m):])}
		case cur != nil:
			cur.text += " " + trimmed
		default:
			cur = &mdBlock{text: trimmed}
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
			out = append(out, wrap(words(b.text, st.Title.Render), w)...)
		case b.marker != "":
			ind := width(b.marker)
			out = append(out, wrapIndent(inline(b.text, st), b.marker, ind, w)...)
		default:
			if i > 0 && !blocks[i-1].heading {
				out = append(out, "")
			}
			out = append(out, wrap(inline(b.text, st), w)...)
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
	closes := func(from int, marker string) int {
		m := []rune(marker)
		for j := from; j+len(m) <= len(rs); j++ {
			if string(rs[j:j+len(m)]) == marker && j > from && !unicode.IsSpace(rs[j-1]) {
				return j
			}
		}
		return -1
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '`':
			j := i + 1
			for j < len(rs) && rs[j] != '`' {
				j++
			}
			if j < len(rs) && j > i+1 {
				for _, c := range rs[i+1 : j] {
					keep, kinds = append(keep, c), append(kinds, codeText)
				}
				i = j + 1
				continue
			}
		case r == '*' && i+2 < len(rs) && rs[i+1] == '*' && !unicode.IsSpace(rs[i+2]):
			if j := closes(i+2, "**"); j > 0 {
				for _, c := range rs[i+2 : j] {
					keep, kinds = append(keep, c), append(kinds, strongText)
				}
				i = j + 2
				continue
			}
		case r == '*' && i+1 < len(rs) && rs[i+1] != '*' && !unicode.IsSpace(rs[i+1]):
			if j := closes(i+1, "*"); j > 0 {
				for _, c := range rs[i+1 : j] {
					keep, kinds = append(keep, c), append(kinds, emphText)
				}
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
