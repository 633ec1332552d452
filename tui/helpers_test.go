package tui

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
)

// fixedNow is the tests' clock, so "evaluated as of" and DKIM expiry are
// the same on every run.
var fixedNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// snapshotOptions answer DNS from testdata/football.dns as a snapshot:
// fixed timings and server names, for golden screens.
func snapshotOptions(t testing.TB) inspect.Options {
	t.Helper()
	snap, err := dnsx.LoadSnapshot("testdata/football.dns")
	if err != nil {
		t.Fatal(err)
	}
	return inspect.Options{Resolver: snap, Now: func() time.Time { return fixedNow }}
}

// liveOptions serve the same zone from a real DNS server on loopback,
// asked by the real client. The timeout only matters when a test makes the
// server late on purpose; it is long enough that a loaded machine running
// -race does not turn an answer into a timeout.
func liveOptions(t testing.TB) (inspect.Options, *dnstest.Server) {
	t.Helper()
	srv := dnstest.Start(t, "testdata/football.dns")
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = 2 * time.Second
	c.Attempts = 1
	return inspect.Options{Resolver: c, Now: func() time.Time { return fixedNow }}, srv
}

func openSource(t testing.TB, name string) *message.Source {
	t.Helper()
	src, err := message.Open(filepath.Join("testdata", name), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// harness runs the real program under teatest and lets a test look at the
// model between messages: a filter sees every model before its next
// message, and probe sends one message only to be seen.
type harness struct {
	tm *teatest.TestModel
}

type probeMsg struct{ done chan *Model }

func start(t *testing.T, cfg Config, w, h int) *harness {
	t.Helper()
	hs := &harness{}
	filter := func(m tea.Model, msg tea.Msg) tea.Msg {
		if p, ok := msg.(probeMsg); ok {
			mm := m.(Model)
			// The list's entries are written in place by Update; the
			// test reads its own copy.
			mm.list.entries = slices.Clone(mm.list.entries)
			p.done <- &mm
			return nil
		}
		return msg
	}
	hs.tm = teatest.NewTestModel(t, New(t.Context(), cfg),
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithFilter(filter)))
	t.Cleanup(func() {
		hs.tm.Quit()
	})
	return hs
}

// model returns the model after every message sent so far.
func (hs *harness) model(t *testing.T) Model {
	t.Helper()
	done := make(chan *Model, 1)
	hs.tm.Send(probeMsg{done: done})
	select {
	case m := <-done:
		return *m
	case <-time.After(30 * time.Second):
		t.Fatal("the program did not answer a probe within 30s")
	}
	return Model{}
}

// waitFor probes until cond holds for the model, or fails after 30s (a
// loaded CI machine with -race is slow; passing runs take far less).
func (hs *harness) waitFor(t *testing.T, what string, cond func(Model) bool) Model {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m := hs.model(t)
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not reached in 30s; screen:\n%s", what, plain(m))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// key sends one key press, as a terminal would.
func (hs *harness) key(k string) {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		msg = tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+c":
		msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		msg = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	default:
		r := []rune(k)
		msg = tea.KeyPressMsg{Code: r[0], Text: k}
	}
	hs.tm.Send(msg)
}

func (hs *harness) typ(s string) { hs.tm.Type(s) }

// plain is the model's screen without colours.
func plain(m Model) string { return ansi.Strip(m.Render()) }

// finished reports whether the open message's inspection is complete.
func finished(m Model) bool {
	return m.page.open && !m.page.running && m.page.rep != nil && done(m.page.rep, inspect.CheckVerdict)
}

// trimRight drops trailing spaces of each line, which goldens need not keep.
func trimRight(v string) string {
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func teatestTimeout() teatest.FinalOpt { return teatest.WithFinalTimeout(30 * time.Second) }

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
