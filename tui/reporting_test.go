package tui

import (
	"strings"
	"testing"
)

// TestReportingNode: the DMARC view ends with DMARC's reporting side; its
// aggregate record shows the <feedback> XML in the detail pane, and J and
// K scroll it.
func TestReportingNode(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, size[0], size[1])
		hs.waitFor(t, "the verdict", finished)
		hs.key("5")
		hs.key("G") // the last row
		m := hs.model(t)
		tree := m.page.dmarc
		var titles []string
		for _, i := range tree.visible() {
			titles = append(titles, tree.nodes[i].title)
		}
		for _, want := range []string{"Reporting (RFC 9990): sent to 1 address", "rua mailto:dmarc@football.example.com", "Failure report (fo=0): no", "Aggregate record: 192.0.2.10, pass"} {
			if !contains(titles, want) {
				t.Errorf("%dx%d: the DMARC view lacks the row %q; rows: %q", size[0], size[1], want, titles)
			}
		}
		// Up from the closed steps node is the record.
		hs.key("up")
		m = hs.model(t)
		tree = m.page.dmarc
		sel := tree.nodes[tree.sel]
		if !strings.HasPrefix(sel.title, "Aggregate record") {
			t.Fatalf("%dx%d: selected %q, want the aggregate record", size[0], size[1], sel.title)
		}
		lines := tree.detailLines(tree.detailWidth())
		detail := strings.Join(lines, "\n")
		for _, want := range []string{"<feedback xmlns=", "        <source_ip>192.0.2.10</source_ip>", "<domain>football.example.com</domain>", "</feedback>"} {
			if !strings.Contains(detail, want) {
				t.Errorf("%dx%d: the record's detail lacks %q:\n%s", size[0], size[1], want, detail)
			}
		}
		for i, l := range lines {
			if w := width(l); w > tree.detailWidth() {
				t.Errorf("%dx%d: detail line %d is %d cells, pane %d: %q", size[0], size[1], i, w, tree.detailWidth(), l)
			}
		}
		if len(lines) <= tree.detail.height {
			t.Fatalf("%dx%d: the detail (%d lines) fits its pane (%d): nothing to scroll", size[0], size[1], len(lines), tree.detail.height)
		}
		for range 5 {
			hs.key("J")
		}
		if got := hs.model(t).page.dmarc.detail.top; got != 5 {
			t.Errorf("%dx%d: after J five times the pane starts at line %d, want 5", size[0], size[1], got)
		}
		hs.key("K")
		if got := hs.model(t).page.dmarc.detail.top; got != 4 {
			t.Errorf("%dx%d: after K the pane starts at line %d, want 4", size[0], size[1], got)
		}
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// FuzzPreLines: preformatted text from a message or DNS (the aggregate
// report's XML) laid out at any width never panics, keeps every
// character but the spaces it breaks at, and no line is wider than the
// pane unless it holds a single character too wide for it.
func FuzzPreLines(f *testing.F) {
	for _, s := range []string{"<feedback>\n  <a>b</a>\n</feedback>", "    " + strings.Repeat("x", 90), "  日本語 テキスト\n\n", "      a b c d e f"} {
		f.Add(s, 30)
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, text string, w int) {
		w = 1 + (w%160+160)%160
		text = block(text)
		lines := preLines(text, w)
		for _, l := range lines {
			if cw := width(l); cw > w && width(strings.TrimSpace(l)) > 2 {
				t.Fatalf("width %d: line %q is %d cells", w, l, cw)
			}
		}
		strip := func(v string) string { return strings.Join(strings.Fields(v), "") }
		if got, want := strip(strings.Join(lines, "\n")), strip(text); got != want {
			t.Fatalf("width %d: the lines hold %q, want %q", w, got, want)
		}
	})
}
