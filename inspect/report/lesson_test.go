package report_test

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/report"
)

// TestLesson: a lesson's Markdown keeps its lines (a newline is not shown
// as \n), every other control character is escaped, and a line wider than
// the terminal wraps under its own text.
func TestLesson(t *testing.T) {
	cases := []struct {
		name, title, text string
		width             int
		want              string
	}{
		{"lines kept", "The real thing", "## What this case shows\n\nBank of Example sends Alice\nher statement.\n", 80,
			"\nLesson 1: The real thing\n\n## What this case shows\n\nBank of Example sends Alice\nher statement.\n"},
		{"a list item wraps under its text", "T", "- **SPF.** The list sends with its own MAIL FROM", 24,
			"\nLesson 1: T\n\n- **SPF.** The list\n  sends with its own\n  MAIL FROM\n"},
		{"a numbered item wraps under its text", "T", "  10. one two three four five", 16,
			"\nLesson 1: T\n\n  10. one two\n      three four\n      five\n"},
		{"control characters escaped, CRLF read as a line break", "a\x1b[31mb", "x\u202ey\r\nz\tw", 80,
			"\nLesson 1: a\\x1b[31mb\n\nx\\u202ey\nz\\tw\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(report.Lesson(1, c.title, c.text, report.TextOptions{Width: c.width}))
			if got != c.want {
				t.Errorf("Lesson() =\n%q\nwant\n%q", got, c.want)
			}
			for _, l := range strings.Split(got, "\n") {
				if w := ansi.StringWidth(l); w > c.width {
					t.Errorf("line of %d columns at width %d: %q", w, c.width, l)
				}
			}
		})
	}
	styled := report.Lesson(1, "T", "text", report.TextOptions{Width: 80, Color: true})
	if plain := report.Lesson(1, "T", "text", report.TextOptions{Width: 80}); ansi.Strip(string(styled)) != string(plain) || string(styled) == string(plain) {
		t.Errorf("styled lesson %q, plain %q: want the plain one with styles", styled, plain)
	}
}
