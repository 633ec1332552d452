package tui

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
)

// readyModel is a model with the fixture's complete report, built by
// calling Update directly, as Bubble Tea would.
func readyModel(tb testing.TB, w, h int) Model {
	tb.Helper()
	cfg := Config{Source: openSource(tb, "football.eml"), Options: snapshotOptions(tb)}
	m := New(context.Background(), cfg)
	mm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m = mm.(Model)
	msg, err := cfg.Source.Message(0)
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := inspect.Inspect(context.Background(), msg, cfg.Options)
	if err != nil {
		tb.Fatal(err)
	}
	m.page = page{open: true, msg: msg, headers: newHeaderView(), form: newWhatIfForm(), spf: stepTree{empty: "-"}, dkim: stepTree{empty: "-"}, dmarc: stepTree{empty: "-"}}
	m.page.headers = m.page.headers.setMessage(msg)
	m = m.setReport(rep)
	m.page.base = rep
	return m.layout()
}

// BenchmarkKey is one key press (down) in each view: Update and the
// layout it ends with, without drawing.
func BenchmarkKey(b *testing.B) {
	m := readyModel(b, 100, 30)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	for v := range numViews {
		b.Run(viewNames[v], func(b *testing.B) {
			m.page.view = v
			m = m.layout()
			b.ReportAllocs()
			for b.Loop() {
				mm, _ := m.Update(down)
				m = mm.(Model)
			}
		})
	}
}

// BenchmarkView draws each view at 100x30.
func BenchmarkView(b *testing.B) {
	m := readyModel(b, 100, 30)
	for v := range numViews {
		b.Run(viewNames[v], func(b *testing.B) {
			m.page.view = v
			m = m.layout()
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
