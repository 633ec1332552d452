package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestHeaderWrap: a long header line wraps after a space, never inside a
// word that fits a row, its continuation rows indented past the line's own
// indent; a word longer than a row is cut; no row is wider than the view,
// and the rows hold every byte of the line but the spaces they broke at.
func TestHeaderWrap(t *testing.T) {
	const spf = "Received-SPF: pass (mx.example: domain of bounce@football.example.com designates 198.51.100.25 as permitted sender) client-ip=198.51.100.25;"
	cases := []struct {
		name  string
		line  string
		width int
		want  []string // the rows, as shown
	}{
		{"words", spf, 60, []string{
			"Received-SPF: pass (mx.example: domain of",
			"    bounce@football.example.com designates 198.51.100.25 as",
			"    permitted sender) client-ip=198.51.100.25;",
		}},
		{"a fold keeps its indent", "        designates 198.51.100.25 as permitted sender and more", 30, []string{
			"        designates",
			"            198.51.100.25 as",
			"            permitted sender",
			"            and more",
		}},
		{"a word longer than a row", "X-Long: " + strings.Repeat("a", 30) + " end", 20, []string{
			"X-Long:",
			"    aaaaaaaaaaaaaaaa",
			"    aaaaaaaaaaaaaa",
			"    end",
		}},
		{"fits", "Subject: hi", 20, []string{"Subject: hi"}},
		{"wide characters", "Subject: 日本語のテキスト とても長い行です", 20, []string{
			"Subject:",
			"    日本語のテキスト",
			"    とても長い行です",
		}},
	}
	keys := DefaultKeyMap()
	st := NewStyles(true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHeaderView()
			h.lines = []string{c.line}
			h.setFrame(&keys, &st, c.width, 10, "")
			h = h.relayout()
			var got []string
			for _, r := range h.rows {
				got = append(got, strings.TrimRight(h.renderRow(r), " "))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("rows at width %d:\n%s\nwant:\n%s", c.width, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			var joined strings.Builder
			for _, r := range h.rows {
				if w := width(h.renderRow(r)); w > c.width {
					t.Errorf("row %q is %d cells, view %d", h.renderRow(r), w, c.width)
				}
				joined.WriteString(c.line[r.start:r.end])
			}
			if strings.ReplaceAll(joined.String(), " ", "") != strings.ReplaceAll(c.line, " ", "") {
				t.Errorf("the rows hold %q, want the line %q", joined.String(), c.line)
			}
		})
	}
}

// TestSubjectDate: the summary gives the Subject the room first: the
// whole Date when both fit, the short Date when only that leaves the
// Subject whole, and the Subject cut only beside the short Date (K4).
func TestSubjectDate(t *testing.T) {
	const (
		subject = "Your new card is ready to activate"
		date    = "Fri, 11 Jul 2003 21:00:37 -0700 (PDT)"
	)
	st := NewStyles(true)
	cases := []struct {
		width int
		want  string
	}{
		{120, "Subject Your new card is ready to activate" + strings.Repeat(" ", 36) + "Date " + date},
		{80, "Subject Your new card is ready to activate" + strings.Repeat(" ", 22) + "Date 11 Jul 2003"},
		{60, "Subject Your new card is ready to activate  Date 11 Jul 2003"},
		{50, "Subject Your new card is ready …  Date 11 Jul 2003"},
		{30, "Subject Your new card is read…"},
	}
	for _, c := range cases {
		got := ansi.Strip(subjectDate(&st, subject, date, c.width))
		if got != c.want {
			t.Errorf("width %d:\n got %q\nwant %q", c.width, got, c.want)
		}
		if w := width(got); w > c.width {
			t.Errorf("width %d: the line is %d cells", c.width, w)
		}
	}
	if got := ansi.Strip(subjectDate(&st, "hi", "not a date at all, but long enough", 30)); got != "Subject hi" {
		t.Errorf("an unparsable Date that does not fit: got %q, want the Subject alone", got)
	}
}

// FuzzHeaderWrap: any header line at any width wraps without panicking,
// every row but one holding a single wide character fits the view, and
// the rows hold the whole line but the spaces they broke at.
func FuzzHeaderWrap(f *testing.F) {
	for _, s := range []string{"Received-SPF: pass (mx.example: domain of bounce@football.example.com designates 198.51.100.25 as permitted sender)", "        folded  value", strings.Repeat("x", 300), "日本語 テキスト", "a\u0301\u0301 b", "   ", " a"} {
		f.Add(s, 20)
		f.Add(s, 3)
	}
	keys := DefaultKeyMap()
	st := NewStyles(true)
	f.Fuzz(func(t *testing.T, line string, w int) {
		w = 1 + (w%200+200)%200
		line = block(strings.ReplaceAll(line, "\n", " "))
		h := newHeaderView()
		h.lines = []string{line}
		h.setFrame(&keys, &st, w, 10, "")
		h = h.relayout()
		var joined strings.Builder
		for _, r := range h.rows {
			row := h.renderRow(r)
			if cw := width(row); cw > w && width(line[r.start:r.end]) > 2 {
				t.Fatalf("width %d: row %q is %d cells", w, row, cw)
			}
			joined.WriteString(line[r.start:r.end])
		}
		if strings.ReplaceAll(joined.String(), " ", "") != strings.ReplaceAll(line, " ", "") {
			t.Fatalf("width %d: the rows hold %q, want %q", w, joined.String(), line)
		}
	})
}
