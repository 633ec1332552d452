package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/rivo/uniseg"
)

// headerView is the Headers view: the raw header as the message holds it,
// escaped, wrapped to the width, scrollable and searchable.
type headerView struct {
	frame
	lines   []string // logical lines, already safe
	rows    []hrow   // the lines wrapped to the width
	sc      scroller
	input   textinput.Model
	typing  bool
	query   string
	matches []hmatch
	cur     int // the current match, -1 for none
	wrapped int // the width rows were wrapped to; 0 when they must be redone
}

// hrow is one screen row: a piece of logical line `line` from byte start
// to end.
type hrow struct{ line, start, end int }

// hmatch is one match in logical line `line`, bytes start to end.
type hmatch struct{ line, start, end int }

func newHeaderView() headerView {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search the header"
	in.CharLimit = 200
	return headerView{input: in, cur: -1}
}

// setMessage loads the header of m: each physical line, escaped, tabs as
// spaces.
func (h headerView) setMessage(m *message.Message) headerView {
	h.lines = nil
	if m != nil {
		text := string(m.Header())
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.TrimSuffix(text, "\n")
		for _, l := range strings.Split(text, "\n") {
			h.lines = append(h.lines, block(l))
		}
	}
	h.wrapped = 0 // wrapped when shown (layout)
	return h
}

// relayout wraps the lines to the width and recomputes the matches.
func (h headerView) relayout() headerView {
	h.rows = h.rows[:0:0]
	w := max(h.width, 1)
	for i, l := range h.lines {
		if l == "" {
			h.rows = append(h.rows, hrow{line: i})
			continue
		}
		// One pass over the line's graphemes: a header line can be
		// megabytes long, so no per-row rescans.
		start, cells := 0, 0
		state := -1
		rest := l
		for pos := 0; len(rest) > 0; {
			var g string
			var gw int
			g, rest, gw, state = uniseg.FirstGraphemeClusterInString(rest, state)
			if cells+gw > w && pos > start {
				h.rows = append(h.rows, hrow{line: i, start: start, end: pos})
				start, cells = pos, 0
			}
			cells += gw
			pos += len(g)
		}
		h.rows = append(h.rows, hrow{line: i, start: start, end: len(l)})
	}
	h.wrapped = w
	h.sc.height = h.bodyHeight()
	h.sc = h.sc.clamp(len(h.rows))
	return h.search(h.query, false)
}

func (h headerView) bodyHeight() int {
	if h.typing || h.query != "" {
		return max(h.height-1, 0)
	}
	return h.height
}

// lowerASCII lowercases ASCII letters only, so byte offsets stay the same.
func lowerASCII(v string) string {
	b := []byte(v)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// search finds q (ignoring ASCII case) in every line; with jump it moves
// to the first match at or after the top of the screen.
func (h headerView) search(q string, jump bool) headerView {
	h.query = q
	h.matches = nil
	if q == "" {
		h.cur = -1
		return h
	}
	lq := lowerASCII(q)
	for i, l := range h.lines {
		ll := lowerASCII(l)
		for off := 0; ; {
			j := strings.Index(ll[off:], lq)
			if j < 0 {
				break
			}
			h.matches = append(h.matches, hmatch{line: i, start: off + j, end: off + j + len(lq)})
			off += j + max(len(lq), 1)
		}
	}
	if len(h.matches) == 0 {
		h.cur = -1
		return h
	}
	if h.cur < 0 || h.cur >= len(h.matches) || jump {
		h.cur = 0
		if jump && len(h.rows) > 0 {
			topLine := h.rows[min(h.sc.top, len(h.rows)-1)].line
			for k, m := range h.matches {
				if m.line >= topLine {
					h.cur = k
					break
				}
			}
		}
	}
	if jump {
		h = h.showMatch()
	}
	return h
}

func (h headerView) showMatch() headerView {
	if h.cur < 0 || h.cur >= len(h.matches) {
		return h
	}
	m := h.matches[h.cur]
	for r, row := range h.rows {
		if row.line == m.line && m.start >= row.start && (m.start < row.end || row.end == row.start) {
			h.sc = h.sc.show(r, len(h.rows))
			break
		}
	}
	return h
}

func (h headerView) Update(msg tea.Msg) (headerView, tea.Cmd) {
	k := h.keys
	if h.typing {
		if km, ok := msg.(tea.KeyPressMsg); ok {
			switch km.String() {
			case "enter":
				h.typing = false
				h.input.Blur()
				h = h.search(h.input.Value(), true)
				h.sc.height = h.bodyHeight()
				return h, nil
			case "esc":
				h.typing = false
				h.input.Blur()
				h.input.SetValue(h.query)
				h.sc.height = h.bodyHeight()
				return h, nil
			}
		}
		var cmd tea.Cmd
		h.input, cmd = h.input.Update(msg)
		// Search as the user types, so they see at once whether it is there.
		h = h.search(h.input.Value(), true)
		return h, cmd
	}
	n := len(h.rows)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Search):
			h.typing = true
			h.input.SetValue("")
			h.sc.height = h.bodyHeight()
			h.input.SetWidth(max(h.width-2, 1))
			return h, h.input.Focus()
		case key.Matches(msg, k.Back) && h.query != "":
			h.query, h.matches, h.cur = "", nil, -1
			h.sc.height = h.bodyHeight()
		case key.Matches(msg, k.NextMatch) && len(h.matches) > 0:
			h.cur = (h.cur + 1) % len(h.matches)
			h = h.showMatch()
		case key.Matches(msg, k.PrevMatch) && len(h.matches) > 0:
			h.cur = (h.cur - 1 + len(h.matches)) % len(h.matches)
			h = h.showMatch()
		case key.Matches(msg, k.Up):
			h.sc = h.sc.by(-1, n)
		case key.Matches(msg, k.Down):
			h.sc = h.sc.by(1, n)
		case key.Matches(msg, k.PageUp):
			h.sc = h.sc.by(-max(h.sc.height-1, 1), n)
		case key.Matches(msg, k.PageDown):
			h.sc = h.sc.by(max(h.sc.height-1, 1), n)
		case key.Matches(msg, k.Top):
			h.sc.top = 0
		case key.Matches(msg, k.Bottom):
			h.sc = h.sc.by(n, n)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			h.sc = h.sc.by(-3, n)
		case tea.MouseWheelDown:
			h.sc = h.sc.by(3, n)
		}
	}
	return h, nil
}

// capturing reports whether keys go to the search field.
func (h headerView) capturing() bool { return h.typing }

func (h headerView) View() []string {
	st := h.styles
	var out []string
	for _, r := range window(h.sc, h.rows) {
		out = append(out, h.renderRow(r))
	}
	if len(h.lines) == 0 {
		out = []string{"The message has no header."}
	}
	out = fit(out, h.width, h.bodyHeight())
	switch {
	case h.typing:
		out = append(out, cut(h.input.View(), h.width))
	case h.query != "":
		status := "/" + h.query + ": "
		if len(h.matches) == 0 {
			status += "not found"
		} else {
			status += strings.Join([]string{strconv.Itoa(h.cur + 1), "of", strconv.Itoa(len(h.matches))}, " ") + "  (n/N next/previous, esc clears)"
		}
		out = append(out, st.Muted.Render(cut(status, h.width)))
	}
	return fit(out, h.width, h.height)
}

// renderRow highlights the matches inside one screen row.
func (h headerView) renderRow(r hrow) string {
	st := h.styles
	l := h.lines[r.line][r.start:r.end]
	if len(h.matches) == 0 {
		return l
	}
	var b strings.Builder
	pos := r.start
	for k, m := range h.matches {
		if m.line != r.line || m.end <= r.start || m.start >= r.end {
			continue
		}
		a, e := max(m.start, r.start), min(m.end, r.end)
		b.WriteString(h.lines[r.line][pos:a])
		style := st.Match
		if k == h.cur {
			style = st.Current
		}
		b.WriteString(style.Render(h.lines[r.line][a:e]))
		pos = e
	}
	b.WriteString(h.lines[r.line][pos:r.end])
	_ = l
	return b.String()
}
