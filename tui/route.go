package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/received"
)

// routeView is the Route view: the Received hops as a timeline, oldest
// first, the trust boundary marked, and the selected hop's details with the
// envelope derived from the boundary.
type routeView struct {
	frame
	chain  received.Chain
	iprev  string // the iprev line for the boundary, already safe
	ready  bool
	sel    int // row in the timeline: 0 is the oldest hop
	list   scroller
	detail scroller
	replay bool // a what-if replay is running
	chosen bool // the user chose the boundary (t)
}

// boundaryMsg asks the root to make hop (an index into the Received
// headers, top first) the trust boundary and replay.
type boundaryMsg struct{ hop int }

func (r routeView) setReport(rep *inspect.Report) routeView {
	r.ready = done(rep, inspect.CheckReceived)
	if !r.ready {
		return r
	}
	first := len(r.chain.Hops) == 0
	r.chain = rep.Chain
	if done(rep, inspect.CheckIPRev) {
		r.iprev = fmt.Sprintf("%s: %s", rep.IPRev.Result, s(rep.IPRev.Reason))
	} else {
		r.iprev = ""
	}
	if first && r.chain.Boundary >= 0 {
		r.sel = len(r.chain.Hops) - 1 - r.chain.Boundary
	}
	r.sel = max(min(r.sel, len(r.chain.Hops)-1), 0)
	return r.sync()
}

// hop returns the header index of timeline row i.
func (r routeView) hop(row int) int { return len(r.chain.Hops) - 1 - row }

func (r routeView) Update(msg tea.Msg) (routeView, tea.Cmd) {
	n := len(r.chain.Hops)
	if n == 0 {
		return r, nil
	}
	k := r.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			r.sel--
		case key.Matches(msg, k.Down):
			r.sel++
		case key.Matches(msg, k.PageUp):
			r.sel -= max(r.list.height/2, 1)
		case key.Matches(msg, k.PageDown):
			r.sel += max(r.list.height/2, 1)
		case key.Matches(msg, k.Top):
			r.sel = 0
		case key.Matches(msg, k.Bottom):
			r.sel = n - 1
		case key.Matches(msg, k.DetailDown):
			r.detail = r.detail.by(1, len(r.detailLines(r.detailWidth())))
			return r, nil
		case key.Matches(msg, k.DetailUp):
			r.detail = r.detail.by(-1, len(r.detailLines(r.detailWidth())))
			return r, nil
		case key.Matches(msg, k.Boundary):
			h := r.hop(r.sel)
			return r, func() tea.Msg { return boundaryMsg{hop: h} }
		default:
			return r, nil
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			r.sel--
		case tea.MouseWheelDown:
			r.sel++
		}
	default:
		return r, nil
	}
	r.sel = max(min(r.sel, n-1), 0)
	r.detail.top = 0
	return r.sync(), nil
}

// sideBySide puts the detail beside the timeline only when both get
// enough room for a hop's names; otherwise it goes below.
func (r routeView) sideBySide() bool { return r.width >= 140 }

func (r routeView) listWidth() int {
	if r.sideBySide() {
		return r.width / 2
	}
	return r.width
}

func (r routeView) detailWidth() int {
	if r.sideBySide() {
		return r.width - r.listWidth() - 2
	}
	return r.width
}

func (r routeView) sync() routeView {
	if r.styles == nil {
		return r // not laid out yet: layout syncs it once it has a frame
	}
	rows := 2 * len(r.chain.Hops)
	if r.sideBySide() {
		r.list.height = r.height
		r.detail.height = r.height
	} else {
		r.list.height = min(max(r.height/2, 4), rows)
		r.detail.height = max(r.height-r.list.height-1, 0)
	}
	// Keep both lines of the selected hop on screen.
	r.list = r.list.show(2*r.sel+1, rows)
	r.list = r.list.show(2*r.sel, rows)
	r.detail = r.detail.clamp(len(r.detailLines(r.detailWidth())))
	return r
}

func (r routeView) View() []string {
	st := r.styles
	if !r.ready {
		return fit([]string{st.Spinner.Render(r.spin) + " Reading the Received chain…"}, r.width, r.height)
	}
	if len(r.chain.Hops) == 0 {
		lines := wrap("This message has no Received headers, so it does not show which servers it passed. Nothing tells where it entered the receiving side; SPF can only be replayed with --ip (or the what-if form, w).", r.width)
		lines = append(lines, "")
		lines = append(lines, r.envelopeLines(r.width)...)
		return fit(lines, r.width, r.height)
	}
	lw := r.listWidth()
	var rows []string
	for row := range len(r.chain.Hops) {
		rows = append(rows, r.hopRows(row, lw)...)
	}
	left := fit(window(r.list, rows), lw, r.list.height)
	dw := r.detailWidth()
	dl := r.detailLines(dw)
	right := fit(window(r.detail, dl), dw, r.detail.height)
	if r.detail.top+r.detail.height < len(dl) && r.detail.height > 0 {
		right[len(right)-1] = padRight(st.Muted.Render(cut("  ↓ more: J/K scroll this pane", dw)), dw)
	}
	if r.sideBySide() {
		for i := range right {
			right[i] = st.Pane.Render(right[i])
		}
		return side(left, right, "")
	}
	out := append(left, st.Rule.Render(strings.Repeat("─", r.width)))
	return append(out, right...)
}

// hopRows renders timeline row row as two lines: who handed the message to
// whom, then protocol, time, delay and marks.
func (r routeView) hopRows(row, w int) []string {
	st := r.styles
	i := r.hop(row)
	h := r.chain.Hops[i]
	from := s(orDash(h.FromHELO))
	if h.FromRDNS != "" && !strings.EqualFold(h.FromRDNS, h.FromHELO) {
		from += " (" + s(h.FromRDNS) + ")"
	}
	if h.FromIP != "" {
		from += " [" + s(h.FromIP) + "]"
	}
	// Numbered as the checks' steps name hops ("hop 2: the message
	// entered ..."): by Received header from the top, received[i].
	line1 := fmt.Sprintf("%2d. %s → %s", i, from, s(orDash(h.By)))
	mark := "  "
	if row == r.sel {
		mark = "▶ "
	}
	line1 = mark + line1
	var parts []string
	if h.With != "" {
		parts = append(parts, s(h.With))
	}
	if !h.At.IsZero() {
		parts = append(parts, h.At.UTC().Format("Jan 02 15:04:05"))
	} else if h.Date != "" {
		parts = append(parts, "date does not parse")
	}
	delay := delayText(h.DelaySeconds)
	line2 := "      " + strings.Join(parts, "  ")
	if delay != "" {
		line2 += "  " + delay
	}
	marks := ""
	if i == r.chain.Boundary {
		marks += "  " + st.Boundary.Render("⚑ boundary")
	}
	if len(h.Anomalies) > 0 {
		marks += "  " + st.Warn.Render(fmt.Sprintf("! %d", len(h.Anomalies)))
	}
	if row == r.sel {
		return []string{
			st.Selected.Render(padRight(cut(line1, w), w)),
			cut(line2+marks, w),
		}
	}
	return []string{cut(line1, w), cut(line2+marks, w)}
}

// delayText is the time since the hop below as words and a bar whose
// length grows with the logarithm of the delay, so seconds and hours both
// fit.
func delayText(d *float64) string {
	if d == nil {
		return ""
	}
	v := *d
	if v < 0 {
		return "−" + duration(-v) + " (clocks disagree)"
	}
	n := min(int(math.Ceil(math.Log2(v+1))), 12)
	return "+" + duration(v) + " " + strings.Repeat("▇", max(n, 1))
}

func duration(sec float64) string {
	d := time.Duration(sec * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func (r routeView) envelopeLines(w int) []string {
	st := r.styles
	e := r.chain.Envelope
	out := []string{st.Title.Render("SPF is evaluated for")}
	row := func(label, v, from string) {
		t := s(orDash(v))
		if from != "" {
			t += st.Muted.Render("  from " + s(from))
		}
		out = append(out, wrapIndent(t, "  "+label, 13, w)...)
	}
	row("client IP", e.ClientIP, e.DerivedFrom.ClientIP)
	row("HELO", e.HELO, e.DerivedFrom.HELO)
	mf := e.MailFrom
	if mf == "" && e.DerivedFrom.MailFrom != "" {
		mf = "<> (the null sender)"
	}
	row("MAIL FROM", mf, e.DerivedFrom.MailFrom)
	if r.iprev != "" {
		out = append(out, wrapIndent(r.iprev, "  iprev", 13, w)...)
	}
	return out
}

// detailLines is the envelope, then the selected hop in full, then how the
// boundary was chosen.
func (r routeView) detailLines(w int) []string {
	st := r.styles
	if len(r.chain.Hops) == 0 || w < 4 {
		return nil
	}
	out := r.envelopeLines(w)
	i := r.hop(r.sel)
	h := r.chain.Hops[i]
	out = append(out, "", st.Title.Render(cut(fmt.Sprintf("Hop %d: received[%d]", i, i), w)))
	if i == r.chain.Boundary {
		t := "This is the trust boundary: the first server of the receiving side took the message from this client, so SPF is replayed for its address."
		if r.chain.AutoBoundary != r.chain.Boundary {
			t += " You chose it; the walk had chosen another hop."
		}
		out = append(out, wrapIndent(st.Boundary.Render("⚑ ")+t, "", 2, w)...)
	} else {
		out = append(out, wrapIndent(st.Muted.Render("Press t to make this hop the trust boundary: SPF and DMARC are replayed for its client at once."), "", 0, w)...)
	}
	for _, a := range h.Anomalies {
		out = append(out, wrapIndent(s(a), "  "+st.Warn.Render("! "), 4, w)...)
	}
	field := func(label, v string) {
		if v != "" {
			out = append(out, wrapIndent(s(v), "  "+label, 13, w)...)
		}
	}
	field("from HELO", h.FromHELO)
	field("from rDNS", h.FromRDNS)
	field("from IP", h.FromIP)
	field("by", h.By)
	field("by IP", h.ByIP)
	field("via", h.Via)
	field("with", h.With)
	field("TLS", h.TLS)
	field("id", h.ID)
	field("for", h.For)
	field("env. from", h.EnvelopeFrom)
	field("date", h.Date)
	if h.DelaySeconds != nil {
		field("delay", delayText(h.DelaySeconds))
	}
	for _, n := range h.Notes {
		out = append(out, wrapIndent(st.Muted.Render(s(n)), "  · ", 4, w)...)
	}
	for _, c := range h.Comments {
		out = append(out, wrapIndent(st.Muted.Render("("+s(c)+")"), "  ", 2, w)...)
	}
	out = append(out, "", st.Label.Render("As written"))
	for _, l := range wrap(s(h.Raw), w-2) {
		out = append(out, "  "+l)
	}
	if len(r.chain.Steps) > 0 {
		out = append(out, "", st.Title.Render("How the boundary and envelope were chosen"))
		for _, stp := range r.chain.Steps {
			out = append(out, wrapIndent(st.ResultText(stp.Result)+" "+s(stp.Title), "", 0, w)...)
			if stp.Explain != "" {
				out = append(out, wrapIndent(s(stp.Explain), "  ", 2, w)...)
			}
			if stp.Ref != "" {
				out = append(out, "  "+st.Muted.Render(cut(s(stp.Ref), w-2)))
			}
		}
	}
	for _, o := range r.chain.Origins {
		out = append(out, "")
		out = append(out, wrapIndent(s(fmt.Sprintf("%s: %s. %s", o.Header, strings.Join(o.IPs, ", "), o.Explain)), "  ", 2, w)...)
	}
	return out
}
