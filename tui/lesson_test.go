package tui

import (
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// TestMarkdown: a lesson's Markdown is reflowed to the width, whatever
// width its source was wrapped at, with headings, list items and inline
// styles; what is not Markdown it knows shows as written.
func TestMarkdown(t *testing.T) {
	cases := []struct {
		name string
		in   string
		w    int
		want []string // the lines, colours stripped
	}{
		{"a paragraph is reflowed", "one two\nthree four\nfive", 40,
			[]string{"one two three four five"}},
		{"to a narrower width too", "one two three\nfour five six", 9,
			[]string{"one two", "three", "four five", "six"}},
		{"paragraphs stay apart", "one\ntwo\n\nthree", 40,
			[]string{"one two", "", "three"}},
		{"a heading, then its text", "## What this case shows\n\nBob gets mail.\n\n## Next\ntext", 40,
			[]string{"What this case shows", "Bob gets mail.", "", "Next", "text"}},
		{"list items hang under their bullet", "- **SPF.** The record\n  lists an address.\n- **DKIM.** None.", 20,
			[]string{"• SPF. The record", "  lists an address.", "• DKIM. None."}},
		{"numbered items keep their number", "1. first\n2. second\n   more", 40,
			[]string{"1. first", "2. second more"}},
		{"inline markers go, their words stay", "ends in `-all`: every *other* address **fails**", 80,
			[]string{"ends in -all: every other address fails"}},
		{"a word after a hyphen-led word wraps without a blank line", "record lists 198.51.100.16/28 and ends in `-all`: every", 30,
			[]string{"record lists 198.51.100.16/28", "and ends in -all: every"}},
		{"a code span across a line break", "try `--trust-arc\n  lists.club.example`.", 80,
			[]string{"try --trust-arc lists.club.example."}},
		{"unclosed markers show as written", "a * b and ** c and ` d", 80,
			[]string{"a * b and ** c and ` d"}},
		{"a star inside a word", "the domain is paypa*one*, not paypal", 80,
			[]string{"the domain is paypaone, not paypal"}},
		{"control characters are escaped", "bad \x1b[31m red", 80,
			[]string{`bad \x1b[31m red`}},
	}
	st := NewStyles(true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := markdown(c.in, &st, c.w)
			for i := range got {
				got[i] = ansi.Strip(got[i])
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("markdown(%q, %d) =\n%q\nwant\n%q", c.in, c.w, got, c.want)
			}
		})
	}
}

// TestMarkdownStyles: strong, emphasis and code get their styles, word by
// word, and no line ends with a style still open.
func TestMarkdownStyles(t *testing.T) {
	st := NewStyles(true)
	got := strings.Join(markdown("**Received chain.** the *said* name `unknown [203.0.113.66]`", &st, 80), "\n")
	for _, want := range []string{st.Title.Render("Received"), st.Title.Render("chain."), st.Emph.Render("said"), st.Code.Render("unknown"), st.Code.Render("[203.0.113.66]")} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%q", want, got)
		}
	}
	for _, l := range markdown(strings.Repeat("`"+strings.Repeat("x", 30)+"` ", 3), &st, 12) {
		if strings.Contains(l, "\x1b[") && !strings.HasSuffix(l, "\x1b[m") {
			t.Errorf("line %q leaves a style open", l)
		}
	}
}

// TestGalleryLessonsRender: every lesson of the gallery lays out in a
// narrow and a wide pane, with its headings and no Markdown markers left.
func TestGalleryLessonsRender(t *testing.T) {
	st := NewStyles(true)
	for _, l := range lessons.List() {
		for _, w := range []int{40, 62, 80} {
			lines := lessonLines(Lesson{Title: l.Title, Text: l.Text}, &st, w)
			text := ansi.Strip(strings.Join(lines, "\n"))
			for _, h := range []string{"What this case shows", "What to look at", "What to conclude"} {
				if !strings.Contains(text, "\n"+h+"\n") {
					t.Errorf("%s at %d: no heading %q", l.Name, w, h)
				}
			}
			for _, marker := range []string{"**", "## ", "`"} {
				if strings.Contains(text, marker) {
					t.Errorf("%s at %d: %q left in the text:\n%s", l.Name, w, marker, text)
				}
			}
			for i, line := range lines {
				if width(line) > w {
					t.Errorf("%s at %d: line %d is %d wide: %q", l.Name, w, i, width(line), ansi.Strip(line))
				}
			}
		}
	}
}

// FuzzMarkdown: any lesson text lays out without panicking, within the
// width, with no control character but the styles' own escapes.
func FuzzMarkdown(f *testing.F) {
	for _, seed := range []string{
		"## h\n\npara\n- **a** b\n1. `c` *d*",
		"a * b ** c ` d", "paypa*one*", "**", "*", "`", "``", "- ", "#", "1) x",
		"bad \x1b[31m red \u202e", "- **x\n  y** z",
	} {
		f.Add(seed, 20)
	}
	st := NewStyles(true)
	f.Fuzz(func(t *testing.T, text string, w int) {
		// Two cells at least: a wide character cannot fit in one.
		w = 2 + int(uint(w)%119)
		for i, line := range markdown(text, &st, w) {
			if width(line) > w {
				t.Fatalf("line %d is %d wide, more than %d: %q", i, width(line), w, line)
			}
			for _, r := range ansi.Strip(line) {
				if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Fatalf("line %d holds %U raw: %q", i, r, line)
				}
			}
		}
	})
}

// BenchmarkMarkdownLesson lays out the longest lesson of the gallery in a
// 62-column pane, as the Overview does on every frame it is on screen.
func BenchmarkMarkdownLesson(b *testing.B) {
	st := NewStyles(true)
	var text string
	for _, l := range lessons.List() {
		if len(l.Text) > len(text) {
			text = l.Text
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		markdown(text, &st, 62)
	}
}

// BenchmarkMarkdownOpeners is 64 KiB of markers that never close: each
// opener must not search the rest of the text again.
func BenchmarkMarkdownOpeners(b *testing.B) {
	st := NewStyles(true)
	text := strings.Repeat("a *b **c `d ", 64<<10/12)
	b.ReportAllocs()
	for b.Loop() {
		markdown(text, &st, 80)
	}
}
