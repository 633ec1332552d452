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
// to end, shown indent cells in (a wrapped row's continuation indent).
type hrow struct{ line, start, end, indent int }

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

// relayout wraps the lines to the width and recomputes the matches. A
// line breaks after a space where it can, mid-word only when a word is
// longer than the room, and its continuation rows are indented four cells
// past the line's own indent, so a wrapped row is not read as a new field
// or fold (K4).
func (h headerView) relayout() headerView {
	h.rows = h.rows[:0:0]
	w := max(h.width, 1)
	for i, l := range h.lines {
		if l == "" {
			h.rows = append(h.rows, hrow{line: i})
			continue
		}
		lead := len(l) - len(strings.TrimLeft(l, " "))
		ind := min(lead+contIndent, w/2)
		// One pass over the line's graphemes: a header line can be
		// megabytes long, so no per-row rescans.
		start, cells, room, indent := 0, 0, w, 0
		brk, brkCells := -1, 0 // just after the row's last space that follows a word, and the cells up to it
		word := false          // the row holds more than spaces
		state := -1
		rest := l
		for pos := 0; len(rest) > 0; {
			var g string
			var gw int
			g, rest, gw, state = uniseg.FirstGraphemeClusterInString(rest, state)
			if gw > 1 || g[0] >= 0x80 {
				// Measured as the screen measures it (ansi), which
				// differs from uniseg for a few characters.
				gw = width(g)
			}
			if cells+gw > room && pos > start {
				end, next, carried := pos, pos, 0
				switch {
				case g == " ":
					// The space the row breaks at is shown on neither row.
					next += len(g)
				case brk > start && cells-brkCells+gw <= w-ind:
					end, next, carried = brk, brk, cells-brkCells
				}
				h.rows = append(h.rows, hrow{line: i, start: start, end: end, indent: indent})
				start, cells, room, indent, brk, word = next, carried, max(w-ind, 1), ind, -1, carried > 0
				if g == " " {
					pos += len(g)
					continue
				}
			}
			cells += gw
			pos += len(g)
			if g == " " {
				if word {
					brk, brkCells = pos, cells
				}
			} else {
				word = true
			}
		}
		if start < len(l) {
			h.rows = append(h.rows, hrow{line: i, start: start, end: len(l), indent: indent})
		}
	}
	h.wrapped = w
	h.sc.height = h.bodyHeight()
	h.sc = h.sc.clamp(len(h.rows))
	return h.search(h.query, false)
}

// contIndent is how much further in than its line a wrapped row starts.
const contIndent = 4

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
	// The row that holds the match's start: the last of its line that
	// starts at or before it (a space a row broke at is on no row).
	at := -1
	for r, row := range h.rows {
		if row.line == m.line && row.start <= m.start {
			at = r
		}
	}
	if at >= 0 {
		h.sc = h.sc.show(at, len(h.rows))
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
	pad := strings.Repeat(" ", r.indent)
	if len(h.matches) == 0 {
		return pad + h.lines[r.line][r.start:r.end]
	}
	var b strings.Builder
	b.WriteString(pad)
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
	return b.String()
}
