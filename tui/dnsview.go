package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect/trace"
)

// dnsView is the DNS view: every query the message caused, one per line
// with its answer, timing, cache state and AD bit, and the selected one in
// full.
type dnsView struct {
	frame
	queries []trace.Query
	ready   bool
	sel     int
	list    scroller
	detail  scroller
}

func (d dnsView) setQueries(q []trace.Query, ready bool) dnsView {
	d.queries, d.ready = q, ready
	d.sel = max(min(d.sel, len(q)-1), 0)
	return d.sync()
}

func (d dnsView) Update(msg tea.Msg) (dnsView, tea.Cmd) {
	n := len(d.queries)
	if n == 0 {
		return d, nil
	}
	k := d.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			d.sel--
		case key.Matches(msg, k.Down):
			d.sel++
		case key.Matches(msg, k.PageUp):
			d.sel -= max(d.list.height-1, 1)
		case key.Matches(msg, k.PageDown):
			d.sel += max(d.list.height-1, 1)
		case key.Matches(msg, k.Top):
			d.sel = 0
		case key.Matches(msg, k.Bottom):
			d.sel = n - 1
		case key.Matches(msg, k.DetailDown):
			d.detail = d.detail.by(1, len(d.detailLines()))
			return d, nil
		case key.Matches(msg, k.DetailUp):
			d.detail = d.detail.by(-1, len(d.detailLines()))
			return d, nil
		default:
			return d, nil
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			d.sel -= 3
		case tea.MouseWheelDown:
			d.sel += 3
		}
	default:
		return d, nil
	}
	d.sel = max(min(d.sel, n-1), 0)
	d.detail.top = 0
	return d.sync(), nil
}

func (d dnsView) sync() dnsView {
	if d.styles == nil {
		return d // not laid out yet: layout syncs it once it has a frame
	}
	n := len(d.queries)
	d.list.height = min(max((d.height-1)*3/5, 3), max(n, 1))
	d.detail.height = max(d.height-1-d.list.height-1, 0)
	d.list = d.list.show(d.sel, n)
	d.detail = d.detail.clamp(len(d.detailLines()))
	return d
}

// row is one query on one line: type, name, rcode, timing, flags, first
// answer.
func (d dnsView) row(i int) string {
	st := d.styles
	q := d.queries[i]
	flags := ""
	if q.Cached {
		flags += "C"
	} else {
		flags += " "
	}
	if q.AD {
		flags += "A"
	} else {
		flags += " "
	}
	ans := ""
	switch {
	case len(q.Answers) > 0:
		ans = s(q.Answers[0])
		if len(q.Answers) > 1 {
			ans += fmt.Sprintf(" (+%d)", len(q.Answers)-1)
		}
	case q.Rcode == trace.RcodeNoError:
		ans = "(no records)"
	}
	rc := padRight(s(q.Rcode), 8)
	timing := rtt(q.RTTms)
	if q.Replayed != "" {
		timing = "replay" // the recorded time was not spent now
	}
	line := fmt.Sprintf("%-5s %s %s %7s %s %s", s(q.Type), padRight(cut(s(q.Name), d.nameWidth()), d.nameWidth()), rc, timing, flags, ans)
	if i == d.sel {
		return st.Selected.Render(padRight(cut("▶ "+line, d.width), d.width))
	}
	rcs := st.Result(rcodeResult(q.Rcode)).Render(rc)
	line = fmt.Sprintf("%-5s %s %s %7s %s %s", s(q.Type), padRight(cut(s(q.Name), d.nameWidth()), d.nameWidth()), rcs, timing, flags, ans)
	return "  " + line
}

func (d dnsView) nameWidth() int {
	w := 0
	for _, q := range d.queries {
		w = max(w, width(s(q.Name)))
	}
	return min(w, max(d.width/3, 16))
}

func rtt(ms float64) string {
	return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
}

func (d dnsView) detailLines() []string {
	if d.sel >= len(d.queries) {
		return nil
	}
	return queryLines(d.queries[d.sel], d.styles, d.width)
}

func (d dnsView) View() []string {
	st := d.styles
	if len(d.queries) == 0 {
		t := "No DNS queries yet."
		if d.ready {
			t = "This message caused no DNS queries."
		} else {
			t = st.Spinner.Render(d.spin) + " Waiting for the checks to ask DNS…"
		}
		return fit([]string{t}, d.width, d.height)
	}
	head := fmt.Sprintf("  %-5s %s %-8s %7s %s %s", "TYPE", padRight("NAME", d.nameWidth()), "RCODE", "TIME", "CA", "ANSWER")
	out := []string{st.Label.Render(cut(head, d.width))}
	var rows []string
	for i := range d.queries {
		rows = append(rows, d.row(i))
	}
	out = append(out, fit(window(d.list, rows), d.width, d.list.height)...)
	legend := fmt.Sprintf(" %d queries · C: from this run's cache · A: DNSSEC-validated (AD) ", len(d.queries))
	out = append(out, st.Rule.Render(cut("──"+legend+strings.Repeat("─", max(d.width-width(legend)-2, 0)), d.width)))
	out = append(out, fit(window(d.detail, d.detailLines()), d.width, d.detail.height)...)
	return fit(out, d.width, d.height)
}
