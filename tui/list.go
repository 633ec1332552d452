package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
)

// listEntry is one message of an mbox as the list knows it.
type listEntry struct {
	loaded  bool            // sum is filled in
	sum     message.Summary // as decoded, not yet safe
	state   entryState
	disp    inspect.Disposition
	problem string // why it could not be loaded or inspected
	lesson  string // the --demo lesson's title (Config.Each), "" for mail
}

type entryState int

const (
	notInspected entryState = iota
	inspecting
	inspected
)

// msgList is the message list of an mbox: from, subject, date and a
// verdict badge per message, filled in by inspections that run in the
// background for the rows on screen, and a filter.
type msgList struct {
	frame
	name string
	// entries is written in place (an mbox may hold a million messages,
	// too many to copy per message), so copies of the model share it; only
	// Update writes it, on Bubble Tea's one goroutine.
	entries  []listEntry
	shown    []int // indexes of the entries that pass the filter
	sel      int   // row in shown
	sc       scroller
	input    textinput.Model
	typing   bool
	filter   string
	loadedTo int // summaries loaded in order up to here
	// lessons says the list is the --demo gallery: a row is a lesson,
	// headed by its title, not by a date nobody asked about.
	lessons bool
}

// summariesMsg carries summaries read in the background, from index from.
type summariesMsg struct {
	from int
	sums []message.Summary
	errs []string
}

// noun is what a row is: a message, or a lesson of the --demo gallery.
func (l msgList) noun() string {
	if l.lessons {
		return "lesson"
	}
	return "message"
}

// verdictMsg carries the result of one background inspection.
type verdictMsg struct {
	index   int
	sum     message.Summary
	loaded  bool
	disp    inspect.Disposition
	problem string
}

// openMsg asks the root to open message index.
type openMsg struct{ index int }

func newMsgList(name string, n int) msgList {
	in := textinput.New()
	in.Prompt = "filter: "
	in.Placeholder = "words in From or Subject, or a verdict"
	in.CharLimit = 200
	l := msgList{name: name, entries: make([]listEntry, n), input: in}
	return l.refilter()
}

// refilter recomputes which entries pass the filter: every word of it must
// be in the From or the Subject (ignoring case). Entries whose summary is
// not read yet pass only an empty filter.
func (l msgList) refilter() msgList {
	var cur = -1
	if l.sel < len(l.shown) {
		cur = l.shown[l.sel]
	}
	l.shown = l.shown[:0:0]
	words := strings.Fields(strings.ToLower(l.filter))
	for i, e := range l.entries {
		if len(words) > 0 {
			if !e.loaded {
				continue
			}
			// The verdict column too, for the messages inspected so far:
			// an abuse desk looks for the rejects (exploratory use, C4).
			verdict := ""
			switch {
			case e.problem != "":
				verdict = "error"
			case e.state == inspected:
				verdict = string(e.disp)
			}
			hay := strings.ToLower(e.lesson + " " + e.sum.From + " " + e.sum.Subject + " " + verdict)
			ok := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		l.shown = append(l.shown, i)
	}
	l.sel = 0
	for r, i := range l.shown {
		if i == cur {
			l.sel = r
		}
	}
	return l.sync()
}

func (l msgList) bodyHeight() int {
	h := l.height - 1 // the column header
	if l.typing || l.filter != "" {
		h--
	}
	return max(h, 0)
}

func (l msgList) sync() msgList {
	l.sc.height = l.bodyHeight()
	l.sc = l.sc.show(l.sel, len(l.shown))
	return l
}

// onScreen is the entries on screen, then the ones just below: what the
// background should inspect first.
func (l msgList) onScreen() []int {
	start := l.sc.top
	end := min(start+l.sc.height+l.sc.height/2, len(l.shown))
	if start >= end {
		return nil
	}
	return l.shown[start:end]
}

func (l msgList) selected() (int, bool) {
	if l.sel < len(l.shown) {
		return l.shown[l.sel], true
	}
	return 0, false
}

func (l msgList) capturing() bool { return l.typing }

func (l msgList) Update(msg tea.Msg) (msgList, tea.Cmd) {
	k := l.keys
	if l.typing {
		if km, ok := msg.(tea.KeyPressMsg); ok {
			switch km.String() {
			case "enter":
				l.typing = false
				l.input.Blur()
				return l.sync(), nil
			case "esc":
				l.typing = false
				l.input.Blur()
				l.filter = ""
				l.input.SetValue("")
				return l.refilter(), nil
			}
		}
		var cmd tea.Cmd
		l.input, cmd = l.input.Update(msg)
		l.filter = l.input.Value()
		return l.refilter(), cmd
	}
	n := len(l.shown)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Search):
			l.typing = true
			l.input.SetValue(l.filter)
			l.input.SetWidth(max(l.width-10, 1))
			l = l.sync()
			return l, l.input.Focus()
		case key.Matches(msg, k.Back) && l.filter != "":
			l.filter = ""
			l.input.SetValue("")
			return l.refilter(), nil
		case key.Matches(msg, k.Open):
			if i, ok := l.selected(); ok {
				return l, func() tea.Msg { return openMsg{index: i} }
			}
			return l, nil
		case key.Matches(msg, k.Up):
			l.sel--
		case key.Matches(msg, k.Down):
			l.sel++
		case key.Matches(msg, k.PageUp):
			l.sel -= max(l.sc.height-1, 1)
		case key.Matches(msg, k.PageDown):
			l.sel += max(l.sc.height-1, 1)
		case key.Matches(msg, k.Top):
			l.sel = 0
		case key.Matches(msg, k.Bottom):
			l.sel = n - 1
		default:
			return l, nil
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			l.sel -= 3
		case tea.MouseWheelDown:
			l.sel += 3
		}
	default:
		return l, nil
	}
	l.sel = max(min(l.sel, n-1), 0)
	return l.sync(), nil
}

// badgeW is the width of the verdict column.
const badgeW = 12

// numW is the width of the number column: 4, or as many digits as the
// last number has, so rows stay aligned past 9999 (K3).
func (l msgList) numW() int { return max(4, len(fmt.Sprint(len(l.entries)))) }

// columns are the widths of a row's text columns after its number and
// badge; a zero width leaves the column out.
type columns struct{ date, lesson, from, subj int }

// columns lays the row out: date, From and Subject for mail; for the
// --demo gallery the lesson's title first, then From and Subject as far as
// they fit, since the title is what a student chooses by.
func (l msgList) columns() columns {
	const dateW = 10
	rest := max(l.width-2-l.numW()-1-badgeW-1, 10)
	if !l.lessons {
		rest = max(rest-dateW-1, 10)
		from := rest * 2 / 5
		return columns{date: dateW, from: from, subj: rest - from - 1}
	}
	title := len("LESSON")
	for _, e := range l.entries {
		title = max(title, width(s(e.lesson)))
	}
	c := columns{lesson: min(title, rest)}
	switch left := rest - c.lesson - 1; {
	case left >= 56:
		c.from = left * 2 / 5
		c.subj = left - c.from - 1
	case left >= 16:
		c.from = left
	}
	return c
}

// text lays out the columns of c with the texts given (already safe).
func (c columns) text(date, lesson, from, subj string) string {
	var parts []string
	for _, col := range []struct {
		w int
		v string
	}{{c.date, date}, {c.lesson, lesson}, {c.from, from}} {
		if col.w > 0 {
			parts = append(parts, padRight(cut(col.v, col.w), col.w))
		}
	}
	if c.subj > 0 {
		parts = append(parts, cut(subj, c.subj))
	}
	return strings.Join(parts, " ")
}

func (l msgList) View() []string {
	st := l.styles
	c := l.columns()
	head := fmt.Sprintf("  %*s %s %s", l.numW(), "#", padRight("VERDICT", badgeW), c.text("DATE", "LESSON", "FROM", "SUBJECT"))
	out := []string{st.Label.Render(cut(head, l.width))}
	var rows []string
	for r, i := range window(l.sc, l.shown) {
		rows = append(rows, l.row(l.sc.top+r, i, c))
	}
	if len(l.shown) == 0 {
		t := "No " + l.noun() + " matches the filter."
		if l.loadedTo < len(l.entries) {
			t += fmt.Sprintf(" (%d of %d %ss read so far.)", l.loadedTo, len(l.entries), l.noun())
		}
		t += " A verdict matches only the " + l.noun() + "s inspected so far: they are inspected as they come into view."
		rows = wrap(t, l.width)
	}
	out = append(out, fit(rows, l.width, l.bodyHeight())...)
	switch {
	case l.typing:
		out = append(out, cut(l.input.View(), l.width))
	case l.filter != "":
		out = append(out, st.Muted.Render(cut(fmt.Sprintf("filter: %s — %d of %d %ss (/ to change, esc to clear)", s(l.filter), len(l.shown), len(l.entries), l.noun()), l.width)))
	}
	return fit(out, l.width, l.height)
}

func (l msgList) row(r, i int, c columns) string {
	st := l.styles
	e := l.entries[i]
	var badge string
	plainBadge := ""
	switch {
	case e.problem != "":
		plainBadge = "ERROR"
		badge = st.Error.Render(padRight(plainBadge, badgeW))
	case e.state == inspected:
		word := s(strings.ToUpper(string(e.disp)))
		plainBadge = " " + word + " "
		badge = st.Badge(e.disp).Render(word)
	case e.state == inspecting:
		plainBadge = l.spin
		badge = st.Spinner.Render(padRight(l.spin, badgeW))
	default:
		plainBadge = "·"
		badge = st.Muted.Render(padRight(plainBadge, badgeW))
	}
	from, subj, date := "…", "", ""
	if e.loaded {
		from, subj = s(orDash(e.sum.From)), s(e.sum.Subject)
		if len(e.sum.Date) >= 10 {
			date = e.sum.Date[:10]
		}
	}
	if e.problem != "" && !e.loaded {
		subj = s(e.problem)
		if c.subj == 0 {
			from = subj // the only column left to say why
		}
	}
	tail := c.text(date, s(e.lesson), from, subj)
	if r == l.sel {
		line := fmt.Sprintf("▶ %*d %s %s", l.numW(), i+1, padRight(plainBadge, badgeW), tail)
		return st.Selected.Render(padRight(cut(line, l.width), l.width))
	}
	return fmt.Sprintf("  %*d %s %s", l.numW(), i+1, padRight(badge, badgeW), tail)
}
