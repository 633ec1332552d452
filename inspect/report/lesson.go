package report

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/safe"
)

// Lesson returns the text of lesson number index of the --demo gallery as
// it follows the lesson's report: "Lesson N: TITLE", then the lesson's
// Markdown as written, line by line. Each line is escaped on its own
// (safe.Text would show a newline as \n) and wrapped to o.Width, a list
// item's continuation lines under its text, so the lesson fits the
// terminal as the report does.
func Lesson(index int, title, text string, o TextOptions) []byte {
	if o.Width <= 0 {
		o.Width = 80
	}
	t := &textWriter{o: o, st: newStyles(o.Color)}
	t.heading(fmt.Sprintf("Lesson %d: %s", index, safe.Text(title)))
	t.b.WriteByte('\n')
	text = strings.ReplaceAll(strings.TrimRight(text, "\n"), "\r\n", "\n")
	for _, l := range strings.Split(text, "\n") {
		l = safe.Text(l)
		if strings.TrimSpace(l) == "" {
			t.b.WriteByte('\n')
			continue
		}
		body := strings.TrimLeft(l, " ")
		lead := l[:len(l)-len(body)]
		indent := lead + strings.Repeat(" ", listMarker(body))
		t.para(lead, indent, body)
	}
	return []byte(t.b.String())
}

// listMarker is the width of the Markdown list marker body starts with
// ("- ", "* ", "12. "), 0 when it starts with none.
func listMarker(body string) int {
	if strings.HasPrefix(body, "- ") || strings.HasPrefix(body, "* ") {
		return 2
	}
	i := 0
	for i < len(body) && i < 3 && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(body[i:], ". ") {
		return i + 2
	}
	return 0
}
