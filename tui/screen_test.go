package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// checkScreen fails when the screen is not exactly w×h or holds a
// character a terminal would obey rather than show.
func checkScreen(t testing.TB, where string, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", where, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("%s: line %d is %d cells wide, more than %d: %q", where, i, got, w, ansi.Strip(l))
		}
		if r, bad := unsafeRune(ansi.Strip(l)); bad {
			t.Errorf("%s: line %d holds %U raw: %q", where, i, r, ansi.Strip(l))
		}
	}
}

// unsafeRune finds a control or bidi character in text that should hold
// none after the colours are stripped.
func unsafeRune(v string) (rune, bool) {
	for i, r := range v {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(v[i:], "\uFFFD"):
			return r, true
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return r, true
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return r, true
		}
	}
	return 0, false
}

// states are the screens of one message worth checking at every size.
func states(m Model) map[string]Model {
	out := map[string]Model{}
	for v := range numViews {
		mm := m
		mm.page.view = v
		out[viewNames[v]] = mm
	}
	help := m
	help.full = true
	out["help"] = help
	form := m
	form.page.form, _ = form.page.form.start(m.page.rep.Chain.Envelope, m.page.rep.SPF)
	out["form"] = form
	search := m
	search.page.view = vHeaders
	search.page.headers = search.page.headers.relayout().search("football", true)
	out["search"] = search
	return out
}

var sweepWidths = []int{1, MinWidth - 1, MinWidth, 75, 80, 99, 100, 139, 140, 200}
var sweepHeights = []int{1, MinHeight - 1, MinHeight, 24, 50}

// TestSizes: at every size, in every view and mode, the screen is the
// terminal's size exactly and no line is wider than it.
func TestSizes(t *testing.T) {
	t.Parallel()
	base := readyModel(t, 100, 30)
	for name, m := range states(base) {
		for _, w := range sweepWidths {
			for _, h := range sweepHeights {
				mm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
				checkScreen(t, fmt.Sprintf("%s at %dx%d", name, w, h), mm.(Model).Render(), w, h)
			}
		}
	}
}

// TestSizesList sweeps the mbox message list the same way, with one row
// inspected, one failed and one still waiting.
func TestSizesList(t *testing.T) {
	t.Parallel()
	src := openSource(t, "inbox.mbox")
	m := New(context.Background(), Config{Source: src, Options: snapshotOptions(t)})
	for i := range src.Len() {
		msg, err := src.Message(i)
		if err != nil {
			t.Fatal(err)
		}
		m.list.entries[i].sum, m.list.entries[i].loaded = msg.Summary(), true
	}
	m.list.entries[0].state, m.list.entries[0].disp = inspected, inspect.Reject
	m.list.entries[1].state, m.list.entries[1].problem = inspected, "not a mail message: \x1b[31m"
	m.list.entries[2].state = inspecting
	m.list.loadedTo = src.Len()
	for _, w := range sweepWidths {
		for _, h := range sweepHeights {
			mm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			checkScreen(t, fmt.Sprintf("list at %dx%d", w, h), mm.(Model).Render(), w, h)
		}
	}
}

// FuzzScreen draws every view of a report whose every string is
// arbitrary: the header comes from the fuzzer's bytes, and so do the hops,
// the steps, the DNS names and answers and the verdict's words. Nothing
// may panic, spill over the terminal's edge, or reach it unescaped. The
// report is built here rather than by inspect.Inspect so that the fuzzer
// spends its time on what the TUI does with hostile text.
func FuzzScreen(f *testing.F) {
	for _, name := range []string{"football.eml", "paypal.eml", "escape.eml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		for v := range uint8(numViews) {
			f.Add(b, "mail.example\x00|\u202e192.0.2.1|v=spf1 \x1b[2J -all", uint8(80)+v, uint8(24))
		}
	}
	f.Add([]byte("Subject: \x1b[2J\u202e\r\nFrom: \"\x07\" <a@\xff.example>\r\n\r\nbody"), "\t|\n|\r\x9b", uint8(61), uint8(17))
	f.Add([]byte("Received: from [\x00] by \x9b; 1 Jan 1970\nFrom: x\n\n"), "界界界界界界界界界界界界界|𝕏|‮", uint8(100), uint8(30))
	f.Fuzz(func(t *testing.T, raw []byte, words string, w8, h8 uint8) {
		w, h := int(w8)%180+1, int(h8)%60+1
		// One view per input, chosen by the size, so each run is short.
		v := viewID((int(w8) + int(h8)) % int(numViews))
		src, err := message.FromBytes("fuzz", raw, message.Options{})
		if err != nil || src.Len() == 0 {
			return
		}
		msg, err := src.Message(0)
		if err != nil {
			return
		}
		rep := fuzzReport(msg, strings.Split(words, "|"))
		m := New(context.Background(), Config{Source: src, Options: inspect.Options{}, Lesson: &Lesson{Title: words, Text: words}})
		m.inList = false // an mbox's first message, shown as a page
		m.page = page{open: true, msg: msg, headers: newHeaderView(), form: newWhatIfForm(), spf: stepTree{empty: "-"}, dkim: stepTree{empty: "-"}, dmarc: stepTree{empty: "-"}}
		m.page.headers = m.page.headers.setMessage(msg)
		m = m.setReport(rep)
		m.page.view = v
		mm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		checkScreen(t, viewNames[v], mm.(Model).Render(), w, h)
		// And a few keys in it: selection, expansion, the end.
		for _, k := range []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyEnter}, {Code: 'G', Text: "G"}, {Code: 'J', Text: "J"}} {
			mm, _ = mm.Update(k)
		}
		checkScreen(t, viewNames[v]+" after keys", mm.(Model).Render(), w, h)
	})
}

// fuzzReport is a complete report of msg whose every string is one of
// words (taken in turn), as DNS answers and header values would be.
func fuzzReport(msg *message.Message, words []string) *inspect.Report {
	n := 0
	word := func() string {
		n++
		return words[n%len(words)]
	}
	q := &trace.Query{Name: word(), Type: word(), Rcode: word(), Answers: []string{word(), word()}, Server: word(), Note: word(), CNAMEs: []string{word()}}
	step := trace.Step{Title: word(), Result: trace.Result(word()), Detail: word(), Explain: word(), Ref: word(), Query: q,
		Steps: []trace.Step{{Title: word(), Result: trace.Fail, Detail: word(), Explain: word()}}}
	steps := []trace.Step{step, step}
	rep := &inspect.Report{Source: msg.Summary()}
	for _, v := range msg.Values("Received") {
		rep.Chain.Hops = append(rep.Chain.Hops, received.Parse(v))
	}
	rep.Chain.Hops = append(rep.Chain.Hops, received.Hop{FromHELO: word(), FromRDNS: word(), FromIP: word(), By: word(), With: word(), Anomalies: []string{word()}, Notes: []string{word()}, Raw: word()})
	rep.Chain.Boundary = len(rep.Chain.Hops) - 1
	rep.Chain.Envelope = received.Envelope{ClientIP: word(), HELO: word(), MailFrom: word()}
	rep.Chain.Steps = steps
	rep.IPRev = iprev.Result{Result: trace.Fail, IP: word(), Names: []string{word()}, Reason: word(), Steps: steps}
	rep.SPF = spf.Result{Result: trace.Result(word()), Domain: word(), ClientIP: word(), Explanation: word(), Sender: word(), Record: word(), Exp: word(), Steps: steps}
	rep.SPFHELO = &spf.Result{Result: trace.Neutral, Domain: word(), Steps: steps}
	rep.DKIM = []dkim.Signature{{Result: trace.Pass, Domain: word(), Selector: word(), Algorithm: word(), Reason: word(), Identity: word(), Headers: []string{word()}, Warnings: []string{word()}, Steps: steps}}
	rep.DMARC = dmarc.Result{Result: trace.Fail, FromDomain: word(), Record: word(), RecordDomain: word(), Reason: word(), Story: word(), Steps: steps,
		Other: dmarc.Other{Standard: dmarc.Standard(word()), OrgDomain: word(), Policy: dmarc.Policy(word())}}
	rep.Verdict = inspect.Verdict{Disposition: inspect.Disposition(word()), Reason: word(), Story: word(), ARC: word(), Steps: steps,
		Signs: []inspect.Sign{{Kind: word(), Detail: word(), Explain: word()}}}
	rep.ARC = arc.Result{Result: trace.Fail, Instances: 1, Steps: steps, Reason: word()}
	rep.Receivers = []inspect.Receiver{{Vendor: word(), Header: word(), Summary: word()}}
	rep.Recorded.AuthenticationResults = []recorded.Header{{Field: word(), AuthServID: word(), Why: word(), Results: []recorded.Method{{Method: word(), Result: trace.Result(word())}}}}
	rep.Recorded.Differences = []recorded.Difference{{Subject: word(), Explain: word(), Recorded: trace.Result(word()), Replayed: trace.Pass}}
	rep.DNS = []trace.Query{*q, *q}
	rep.Steps = steps
	rep.AtSource = word()
	rep.Done = []inspect.Check{inspect.CheckReceived, inspect.CheckIPRev, inspect.CheckSPF, inspect.CheckSPFHELO, inspect.CheckDKIM, inspect.CheckARC, inspect.CheckDMARC, inspect.CheckReceivers, inspect.CheckRecorded, inspect.CheckVerdict}
	return rep
}
