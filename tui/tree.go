package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect/trace"
)

// node is one row of a step tree: a check's summary at the top level, its
// steps below. Text in a node is already terminal-safe (see nodesOf).
type node struct {
	depth   int
	path    string // position in the tree, e.g. "0/2/1": keeps expansion across updates
	title   string
	result  trace.Result
	detail  string
	explain string
	ref     string
	query   *trace.Query
	// pre is preformatted text shown under preTitle after the rest,
	// its lines' indents kept (the aggregate report's XML).
	pre, preTitle string
	kids          bool
	open          bool
	pending       bool // the check is still running: a spinner instead of a result
}

// stepTree is the SPF, DKIM and DMARC views: an expandable list of steps
// and, beside or below it, the selected step's detail, explanation and DNS
// answer.
type stepTree struct {
	frame
	nodes  []node
	sel    int // index into nodes; always a visible node
	list   scroller
	detail scroller
	empty  string // shown when there is nothing to list
}

// frame is what every child gets from the root: the keys that apply, the
// style sheet, its size and the spinner's current frame.
type frame struct {
	keys   *KeyMap
	styles *Styles
	width  int
	height int
	spin   string
}

func (f *frame) setFrame(keys *KeyMap, st *Styles, w, h int, spin string) {
	f.keys, f.styles, f.width, f.height, f.spin = keys, st, w, h, spin
}

// setNodes replaces the tree, keeping which steps were open and which was
// selected when the same paths are still there.
func (t stepTree) setNodes(nodes []node) stepTree {
	// Only steps that could be opened keep their state: a check's
	// placeholder while it ran had none, and its result opens by default.
	open := map[string]bool{}
	for _, n := range t.nodes {
		if n.kids {
			open[n.path] = n.open
		}
	}
	selPath := ""
	if t.sel < len(t.nodes) {
		selPath = t.nodes[t.sel].path
	}
	for i := range nodes {
		if o, ok := open[nodes[i].path]; ok {
			nodes[i].open = o
		}
	}
	t.nodes = nodes
	t.sel = 0
	for i, n := range nodes {
		if n.path == selPath {
			t.sel = i
		}
	}
	t.sel = t.visibleFrom(t.sel)
	return t.sync()
}

// visible lists the indexes of nodes whose ancestors are all open.
func (t stepTree) visible() []int {
	var out []int
	closedAt := -1 // depth of a closed ancestor, -1 for none
	for i, n := range t.nodes {
		if closedAt >= 0 && n.depth > closedAt {
			continue
		}
		closedAt = -1
		out = append(out, i)
		if n.kids && !n.open {
			closedAt = n.depth
		}
	}
	return out
}

// visibleFrom returns i, or the nearest visible ancestor of node i.
func (t stepTree) visibleFrom(i int) int {
	vis := t.visible()
	best := 0
	for _, v := range vis {
		if v <= i {
			best = v
		}
	}
	return best
}

func (t stepTree) row(vis []int) int {
	for r, i := range vis {
		if i == t.sel {
			return r
		}
	}
	return 0
}

// Update moves the selection, opens and closes steps and scrolls the detail.
func (t stepTree) Update(msg tea.Msg) (stepTree, tea.Cmd) {
	if len(t.nodes) == 0 {
		return t, nil
	}
	vis := t.visible()
	r := t.row(vis)
	k := t.keys
	moved := true
	// Copy before opening or closing a step: earlier copies of the model
	// share the slice.
	t.nodes = slices.Clone(t.nodes)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			r--
		case key.Matches(msg, k.Down):
			r++
		case key.Matches(msg, k.PageUp):
			r -= max(t.list.height-1, 1)
		case key.Matches(msg, k.PageDown):
			r += max(t.list.height-1, 1)
		case key.Matches(msg, k.Top):
			r = 0
		case key.Matches(msg, k.Bottom):
			r = len(vis) - 1
		case key.Matches(msg, k.Toggle):
			if t.nodes[t.sel].kids {
				t.nodes[t.sel].open = !t.nodes[t.sel].open
			}
			moved = false
		case key.Matches(msg, k.Expand):
			if t.nodes[t.sel].kids {
				t.nodes[t.sel].open = true
			}
			moved = false
		case key.Matches(msg, k.Collapse):
			n := t.nodes[t.sel]
			if n.kids && n.open {
				t.nodes[t.sel].open = false
			} else {
				// Go to the parent, as file trees do.
				for i := t.sel - 1; i >= 0; i-- {
					if t.nodes[i].depth < n.depth {
						t.sel = i
						break
					}
				}
				t.detail.top = 0
			}
			moved = false
		case key.Matches(msg, k.DetailDown):
			t.detail = t.detail.by(1, len(t.detailLines(t.detailWidth())))
			return t, nil
		case key.Matches(msg, k.DetailUp):
			t.detail = t.detail.by(-1, len(t.detailLines(t.detailWidth())))
			return t, nil
		default:
			return t, nil
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			r -= 3
		case tea.MouseWheelDown:
			r += 3
		default:
			return t, nil
		}
	default:
		return t, nil
	}
	if moved {
		r = max(min(r, len(vis)-1), 0)
		if vis[r] != t.sel {
			t.detail.top = 0
		}
		t.sel = vis[r]
	}
	return t.sync(), nil
}

// sideBySide says whether the detail pane goes beside the list (wide
// terminals) or below it.
func (t stepTree) sideBySide() bool { return t.width >= 100 }

func (t stepTree) listWidth() int {
	if t.sideBySide() {
		return t.width * 11 / 20
	}
	return t.width
}

func (t stepTree) detailWidth() int {
	if t.sideBySide() {
		return t.width - t.listWidth() - 2 // the pane's border and padding
	}
	return t.width
}

// View renders the tree and the detail pane in t.height lines.
func (t stepTree) View() []string {
	st := t.styles
	if len(t.nodes) == 0 {
		return fit(wrap(t.empty, t.width), t.width, t.height)
	}
	vis := t.visible()
	var rows []string
	lw := t.listWidth()
	for _, i := range vis {
		rows = append(rows, t.renderRow(t.nodes[i], i == t.sel, lw))
	}
	listH, detailH := t.list.height, t.detail.height
	left := fit(window(t.list, rows), lw, listH)

	dw := t.detailWidth()
	dl := t.detailLines(dw)
	right := fit(window(t.detail, dl), dw, detailH)
	if t.detail.top+detailH < len(dl) && detailH > 0 {
		right[len(right)-1] = padRight(st.Muted.Render(cut("  ↓ more: J/K scroll this pane", dw)), dw)
	}
	if t.sideBySide() {
		for i := range right {
			right[i] = st.Pane.Render(right[i])
		}
		return side(left, right, "")
	}
	out := append(left, st.Rule.Render(strings.Repeat("─", t.width)))
	return append(out, right...)
}

// sync recomputes the pane heights for the current size and scrolls the
// list so the selection is on screen. Update and resizes call it, so View
// only reads.
func (t stepTree) sync() stepTree {
	if t.styles == nil {
		return t // not laid out yet: layout syncs it once it has a frame
	}
	vis := t.visible()
	if t.sideBySide() {
		t.list.height = t.height
		t.detail.height = t.height
	} else {
		t.list.height = min(max(t.height*2/5, 3), max(len(vis), 1))
		t.detail.height = max(t.height-t.list.height-1, 0)
	}
	t.list = t.list.show(t.row(vis), len(vis))
	t.detail = t.detail.clamp(len(t.detailLines(t.detailWidth())))
	return t
}

func (t stepTree) renderRow(n node, selected bool, w int) string {
	st := t.styles
	ind := strings.Repeat("  ", n.depth)
	mark := "  "
	if n.kids {
		mark = "▸ "
		if n.open {
			mark = "▾ "
		}
	}
	if selected {
		// A cursor as well as the colour, so the selection shows without
		// colour too.
		return st.Selected.Render(padRight(cut("›"+ind+mark+padRight(resultWord(n), 9)+" "+n.title, w), w))
	}
	res := st.ResultText(n.result)
	if n.pending {
		res = st.Spinner.Render(padRight(t.spin, 9))
	}
	return " " + ind + mark + res + " " + n.title
}

func resultWord(n node) string {
	if n.pending {
		return "…"
	}
	return s(string(n.result))
}

// detailLines is the selected step in words: what was looked at, why it
// gave its result, the rule, and the DNS exchange behind it.
func (t stepTree) detailLines(w int) []string {
	if t.sel >= len(t.nodes) || w < 4 {
		return nil
	}
	return nodeDetail(t.nodes[t.sel], t.styles, w)
}

func nodeDetail(n node, st *Styles, w int) []string {
	var out []string
	head := st.ResultText(n.result) + " " + st.Title.Render(n.title)
	if n.pending {
		head = st.Spinner.Render("checking…") + " " + st.Title.Render(n.title)
	}
	out = append(out, wrapIndent(head, "", 0, w)...)
	if n.ref != "" {
		out = append(out, st.Muted.Render(cut("Rule: "+n.ref, w)))
	}
	if n.detail != "" {
		out = append(out, "", st.Label.Render("What was looked at"))
		for _, l := range wrap(n.detail, w-2) {
			out = append(out, "  "+l)
		}
	}
	if n.explain != "" {
		out = append(out, "", st.Label.Render("Why"))
		for _, l := range wrap(n.explain, w-2) {
			out = append(out, "  "+l)
		}
	}
	if q := n.query; q != nil {
		out = append(out, "", st.Label.Render("DNS"))
		out = append(out, queryLines(*q, st, w)...)
	}
	if n.pre != "" {
		out = append(out, "", st.Label.Render(cut(n.preTitle, w)))
		for _, l := range preLines(n.pre, w-2) {
			out = append(out, "  "+l)
		}
	}
	return out
}

// queryLines is one DNS exchange in words, all of it from DNS and so made
// safe here.
func queryLines(q trace.Query, st *Styles, w int) []string {
	var out []string
	head := fmt.Sprintf("%s %s → %s", s(q.Name), s(q.Type), st.Result(rcodeResult(q.Rcode)).Render(s(q.Rcode)))
	out = append(out, wrapIndent(head, "  ", 2, w)...)
	var how []string
	switch {
	case q.Replayed != "":
		// Nothing was asked now: the server and time are as recorded.
		how = append(how, "replayed from "+s(q.Replayed)+", nothing sent")
		if q.Server != "" && q.Server != "snapshot" {
			how = append(how, "recorded from "+s(q.Server)+" in "+strconv.FormatFloat(q.RTTms, 'f', 1, 64)+" ms")
		}
	default:
		if q.Server != "" {
			how = append(how, "asked "+s(q.Server))
		}
		how = append(how, strconv.FormatFloat(q.RTTms, 'f', 1, 64)+" ms")
	}
	if q.Cached {
		how = append(how, "from this run's cache")
	}
	if q.AD {
		how = append(how, "DNSSEC-validated (AD)")
	}
	if q.TTL > 0 {
		how = append(how, fmt.Sprintf("TTL %ds", q.TTL))
	}
	out = append(out, wrapIndent(st.Muted.Render(strings.Join(how, ", ")), "  ", 2, w)...)
	for _, c := range q.CNAMEs {
		out = append(out, wrapIndent("alias "+s(c), "  ", 2, w)...)
	}
	if len(q.Answers) == 0 && q.Rcode == trace.RcodeNoError {
		out = append(out, "  (no records of this type)")
	}
	for _, a := range q.Answers {
		out = append(out, wrapIndent(s(a), "  • ", 4, w)...)
	}
	if q.Note != "" {
		out = append(out, wrapIndent(st.Muted.Render("note: "+s(q.Note)), "  ", 2, w)...)
	}
	return out
}

// rcodeResult colours an rcode like the result it usually leads to.
func rcodeResult(rcode string) trace.Result {
	switch rcode {
	case trace.RcodeNoError:
		return trace.Pass
	case trace.RcodeNXDomain:
		return trace.SoftFail
	case trace.RcodeServFail, trace.RcodeTimeout, trace.RcodeMissing:
		return trace.TempError
	}
	return trace.Fail
}

// stepNodes turns steps into nodes below depth, with paths under prefix.
// Every string from a step goes through s: steps quote records and headers.
func stepNodes(steps []trace.Step, depth int, prefix string) []node {
	var out []node
	for i, st := range steps {
		p := prefix + "/" + strconv.Itoa(i)
		out = append(out, node{
			depth:   depth,
			path:    p,
			title:   s(st.Title),
			result:  trace.Result(s(string(st.Result))),
			detail:  block(st.Detail),
			explain: block(st.Explain),
			ref:     s(st.Ref),
			query:   st.Query,
			kids:    len(st.Steps) > 0,
			open:    false,
		})
		out = append(out, stepNodes(st.Steps, depth+1, p)...)
	}
	return out
}

// root is a top-level node: one check, open by default so its steps show.
func root(path, title string, r trace.Result, detail, explain, ref string, steps []trace.Step) []node {
	n := node{path: path, title: title, result: r, detail: detail, explain: explain, ref: ref, kids: len(steps) > 0, open: true}
	return append([]node{n}, stepNodes(steps, 1, path)...)
}
