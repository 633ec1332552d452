package tui

import (
	"fmt"
	"net/mail"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
)

// layout hands every child the keys that apply, the style sheet, its size
// and the spinner frame. Update calls it last, so View only reads.
func (m Model) layout() Model {
	w, bh := m.width, max(m.height-chrome, 0)
	spin := m.spin.View()
	keys := ptr(m.keysHere())
	m.help.SetWidth(w)
	m.list.setFrame(keys, m.styles, w, max(m.height-2, 0), spin)
	p := &m.page
	p.route.setFrame(keys, m.styles, w, bh, spin)
	for _, t := range []*stepTree{&p.spf, &p.dkim, &p.dmarc} {
		t.setFrame(keys, m.styles, w, bh, spin)
	}
	p.dns.setFrame(keys, m.styles, w, bh, spin)
	p.form.setFrame(keys, m.styles, w, bh, spin)
	p.headers.setFrame(keys, m.styles, w, bh, spin)
	// Only what is on screen is laid out: the rest is when it is shown,
	// since every view change goes through here too.
	if m.inList {
		m.list = m.list.sync()
		return m
	}
	switch p.view {
	case vOverview:
		// The lesson is laid out once per size and style sheet, not on
		// every frame (a spinner tick, a key): it is most of the text.
		if k, ok := m.lessonKey(); ok && k != p.lessonKey {
			p.lessonLines, p.lessonKey = lessonLines(*m.lesson(), m.styles, k.w), k
		}
		p.overview.height = bh
		p.overview = p.overview.clamp(len(m.overviewLines()))
	case vRoute:
		p.route = p.route.sync()
	case vSPF:
		p.spf = p.spf.sync()
	case vDKIM:
		p.dkim = p.dkim.sync()
	case vDMARC:
		p.dmarc = p.dmarc.sync()
	case vHeaders:
		if p.headers.wrapped != w {
			p.headers = p.headers.relayout()
		} else {
			p.headers.sc.height = p.headers.bodyHeight()
			p.headers.sc = p.headers.sc.clamp(len(p.headers.rows))
		}
	case vDNS:
		p.dns = p.dns.sync()
	}
	return m
}

// View draws the whole screen: always exactly the terminal's size, no line
// wider than it.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "headercheck"
	return v
}

// Render is the screen's text, with colours.
func (m Model) Render() string {
	return strings.Join(m.lines(), "\n")
}

func (m Model) lines() []string {
	w, h := m.width, m.height
	if m.tooSmall() {
		t := fmt.Sprintf("headercheck needs a window of at least %d×%d characters; this one is %d×%d. Please make the window larger. (q or ctrl+c quits)", MinWidth, MinHeight, w, h)
		return fit(wrap(t, max(w, 1)), w, h)
	}
	keys := m.keysHere()
	var out []string
	if m.inList {
		out = append(out, m.listTitle())
		if m.full {
			out = append(out, fit(m.fullHelp(), w, h-2)...)
		} else {
			out = append(out, m.list.View()...)
		}
	} else {
		out = append(out, m.summaryBar()...)
		out = append(out, m.tabs())
		if m.full {
			out = append(out, fit(m.fullHelp(), w, h-chrome)...)
		} else {
			out = append(out, fit(m.body(), w, h-chrome)...)
		}
	}
	out = append(out, m.help.ShortHelpView(keys.ShortHelp()))
	return fit(out, w, h)
}

// tooSmall reports whether the window is below the least size, where
// only a request to make it larger is shown.
func (m Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

func (m Model) listTitle() string {
	n, done := len(m.list.entries), 0
	for _, e := range m.list.entries {
		if e.state == inspected {
			done++
		}
	}
	t := m.styles.Title.Render("headercheck") + "  " + s(m.list.name) + fmt.Sprintf(": %s, %d inspected as they come into view", plural(n, m.list.noun()), done)
	if m.list.loadedTo < n {
		t += fmt.Sprintf(", reading %d of %d", m.list.loadedTo, n)
	}
	return t
}

// summaryBar is the three lines always on top: From with its phishing
// signs, Subject and Date, and the verdict with its reason.
func (m Model) summaryBar() []string {
	st := m.styles
	p := m.page
	var sum message.Summary
	switch {
	case p.rep != nil:
		sum = p.rep.Source
	case p.msg != nil:
		sum = p.msg.Summary()
	}
	from := st.Label.Render("From    ") + st.Title.Render(s(orDash(sum.From)))
	if done(p.rep, inspect.CheckVerdict) && len(p.rep.Verdict.Signs) > 0 {
		sg := p.rep.Verdict.Signs
		t := "⚠ " + s(sg[0].Detail)
		if len(sg) > 1 {
			t += fmt.Sprintf(" (+%d more in Overview)", len(sg)-1)
		}
		from += "  " + st.Warn.Render(t)
	}
	date := ""
	if p.msg != nil {
		date = s(p.msg.Get("Date"))
	}
	if date == "" {
		date = s(sum.Date)
	}
	line2 := subjectDate(st, s(orDash(sum.Subject)), orDash(date), m.width)
	var line3 string
	switch {
	case p.loadErr != "":
		line3 = st.Error.Render(" CANNOT INSPECT ") + " " + s(p.loadErr)
	case p.rep != nil && p.rep.Error != "":
		line3 = st.Error.Render(" CANNOT INSPECT ") + " " + s(p.rep.Error)
	case done(p.rep, inspect.CheckVerdict):
		v := p.rep.Verdict
		line3 = st.Badge(v.Disposition).Render(s(strings.ToUpper(string(v.Disposition)))) + " " + s(v.Reason)
	default:
		line3 = st.Spinner.Render(m.spin.View()) + " checking… the verdict appears when SPF, DKIM and DMARC are in"
	}
	return []string{from, line2, line3}
}

// tabs is the view bar, with what the page is doing on the right.
func (m Model) tabs() string {
	st := m.styles
	var parts []string
	compact := m.width < 76
	for i, name := range viewNames {
		label := fmt.Sprintf("%d %s", i+1, name)
		if compact {
			label = fmt.Sprintf("%d%s", i+1, name)
		}
		if viewID(i) == m.page.view {
			// Brackets as well as colour, so the active view shows
			// without colour too.
			parts = append(parts, st.ActiveTab.Render("["+label+"]"))
		} else {
			parts = append(parts, st.Tab.Render(label))
		}
	}
	sep := " "
	bar := strings.Join(parts, sep)
	var status string
	p := m.page
	switch {
	case p.running && p.whatIf != "":
		status = st.Spinner.Render(m.spin.View()) + " what if " + s(p.whatIf)
	case p.running:
		status = st.Spinner.Render(m.spin.View()) + " replaying"
	case p.runErr != "":
		status = st.Error.Render("stopped: " + s(p.runErr))
	case p.whatIf != "":
		status = st.Warn.Render("what if: " + s(p.whatIf) + " (r: as it is)")
		if width(status) > m.width-width(bar)-2 {
			status = st.Warn.Render("WHAT IF (r: as it is)")
		}
	case m.mbox:
		status = st.Muted.Render(fmt.Sprintf("%s %d/%d · esc: list", m.list.noun(), p.index+1, len(m.list.entries)))
	}
	room := m.width - width(bar) - 2
	if m.mbox && width(status) > room && p.whatIf == "" && !p.running && p.runErr == "" {
		// "2/13 · esc: list" says all of it where "lesson 2/13 · esc: list"
		// would lose the key.
		status = st.Muted.Render(fmt.Sprintf("%d/%d · esc: list", p.index+1, len(m.list.entries)))
	}
	if status != "" && room >= 12 {
		return bar + "  " + padLeft(cut(status, room), room)
	}
	return bar
}

func padLeft(v string, n int) string {
	if w := width(v); w < n {
		return strings.Repeat(" ", n-w) + v
	}
	return v
}

// body is the open view, in the body's height.
func (m Model) body() []string {
	p := m.page
	bh := max(m.height-chrome, 0)
	if p.loadErr != "" {
		return wrap("This message could not be read: "+s(p.loadErr), m.width)
	}
	if p.form.open {
		return p.form.View()
	}
	switch p.view {
	case vOverview:
		return m.overviewView(bh)
	case vRoute:
		return p.route.View()
	case vSPF:
		return p.spf.View()
	case vDKIM:
		return p.dkim.View()
	case vDMARC:
		return p.dmarc.View()
	case vHeaders:
		return p.headers.View()
	case vDNS:
		return p.dns.View()
	}
	return nil
}

// lessonBeside says whether a lesson goes in a pane beside the Overview.
func (m Model) lessonBeside() bool { return m.lesson() != nil && m.width >= 100 }

// lessonWidth is the width the lesson is laid out in: its pane beside
// the Overview (after a space, the pane's border and its padding), or the
// Overview itself.
func (m Model) lessonWidth() int {
	if m.lessonBeside() {
		return m.width - m.overviewWidth() - 3
	}
	return m.overviewWidth()
}

// lessonKey is what a laid-out lesson depends on.
type lessonKey struct {
	title, text string
	w           int
	styles      *Styles
}

func (m Model) lessonKey() (lessonKey, bool) {
	l := m.lesson()
	if l == nil {
		return lessonKey{}, false
	}
	return lessonKey{title: l.Title, text: l.Text, w: m.lessonWidth(), styles: m.styles}, true
}

// lessonText is the open lesson laid out, nil for none: as layout kept
// it, or laid out now if layout has not seen this size or style sheet.
func (m Model) lessonText() []string {
	k, ok := m.lessonKey()
	switch {
	case !ok:
		return nil
	case k == m.page.lessonKey:
		return m.page.lessonLines
	}
	return lessonLines(*m.lesson(), m.styles, k.w)
}

func (m Model) overviewWidth() int {
	if m.lessonBeside() {
		return m.width * 3 / 5
	}
	return m.width
}

func (m Model) overviewLines() []string {
	var above []string
	if !m.lessonBeside() {
		above = m.lessonText()
	}
	return overviewLines(m.page.rep, m.styles, m.spin.View(), m.overviewWidth(), m.width, above)
}

func (m Model) overviewView(bh int) []string {
	lines := m.overviewLines()
	ow := m.overviewWidth()
	left := fit(window(m.page.overview, lines), ow, bh)
	if m.page.overview.top+bh < len(lines) && bh > 0 {
		left[bh-1] = padRight(m.styles.Muted.Render(cut("  ↓ more below: ↓/j, pgdn", ow)), ow)
	}
	if !m.lessonBeside() {
		return left
	}
	lw := m.lessonWidth()
	right := fit(m.lessonText(), lw, bh)
	for i := range right {
		right[i] = m.styles.Pane.Render(right[i])
	}
	return side(left, right, " ")
}

// fullHelp is the ? screen: every key, wherever it acts, in as many
// columns as fit (help.Model drops columns that do not fit; this shows all
// of them, flowing into more rows instead).
func (m Model) fullHelp() []string {
	st := m.styles
	var items []string
	keys := m.keys
	if m.list.lessons {
		keys.Open.SetHelp("enter", "open lesson")
	}
	for _, group := range keys.FullHelp() {
		for _, b := range group {
			h := b.Help()
			items = append(items, st.Help.FullKey.Render(padRight(h.Key, 12))+" "+st.Help.FullDesc.Render(h.Desc))
		}
	}
	const colW = 36
	cols := max(m.width/colW, 1)
	rows := (len(items) + cols - 1) / cols
	out := []string{st.Title.Render("Keys"), ""}
	for r := range rows {
		var line string
		for c := range cols {
			if i := c*rows + r; i < len(items) {
				line += padRight(items[i], colW)
			}
		}
		out = append(out, line)
	}
	out = append(out, "")
	for _, l := range wrap("Keys act where they make sense: enter/space in the SPF, DKIM and DMARC trees, t in Route, / in Headers and the message list. ? or esc closes this.", m.width) {
		out = append(out, st.Muted.Render(l))
	}
	return out
}

// subjectDate is the summary's second line: the Subject, and the Date on
// the right. The Subject is what tells messages apart, so it gets the
// room first: when it does not fit beside the whole Date, the Date is
// shortened ("11 Jul 2003"), and only a Subject that does not fit beside
// that either is cut (K4: at 60 columns a whole Date cut the Subject to
// "Your new card…").
func subjectDate(st *Styles, subject, date string, w int) string {
	label := st.Label.Render("Subject ")
	dates := []string{date}
	if short := shortDate(date); short != "" && short != date {
		dates = append(dates, short)
	}
	for i, d := range dates {
		dt := st.Label.Render("Date ") + d
		room := w - width(label) - 2 - width(dt)
		if width(subject) <= room || i == len(dates)-1 && room >= 10 {
			return padRight(label+cut(subject, room), w-width(dt)) + dt
		}
	}
	return label + cut(subject, max(w-width(label), 10))
}

// shortDate is an RFC 5322 date as "11 Jul 2003", or "" when it does not
// parse. The day is the sender's own, as the whole Date says it.
func shortDate(date string) string {
	t, err := mail.ParseDate(date)
	if err != nil {
		return ""
	}
	return t.Format("2 Jan 2006")
}
