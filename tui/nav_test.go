package tui

import (
	"github.com/headercheck/headercheck/inspect/message"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// TestTabThroughViews: tab goes through every view and wraps round,
// shift+tab goes back, number keys jump.
func TestTabThroughViews(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	for i := 1; i <= int(numViews); i++ {
		hs.key("tab")
		m := hs.model(t)
		if got, want := m.page.view, viewID(i%int(numViews)); got != want {
			t.Fatalf("after %d tabs the view is %s, want %s", i, viewNames[got], viewNames[want])
		}
		if tab := "[" + strings.TrimSpace(viewNameKey(m.page.view)) + "]"; !strings.Contains(plain(m), tab) {
			t.Errorf("tab bar does not mark %s as active:\n%s", tab, plain(m))
		}
	}
	hs.key("shift+tab")
	if got := hs.model(t).page.view; got != vDNS {
		t.Errorf("shift+tab from Overview went to %s, want DNS", viewNames[got])
	}
	hs.key("3")
	if got := hs.model(t).page.view; got != vSPF {
		t.Errorf("key 3 went to %s, want SPF", viewNames[got])
	}
}

func viewNameKey(v viewID) string { return string(rune('1'+v)) + " " + viewNames[v] }

// TestExpandStep: in the DKIM view a step with nested steps opens with
// enter and closes with space, and its detail shows in the pane.
func TestExpandStep(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	hs.key("4")
	hs.key("down") // "Read DKIM-Signature 1 of 2", which has steps of its own
	m := hs.model(t)
	sel := m.page.dkim.nodes[m.page.dkim.sel]
	if !sel.kids || sel.open {
		t.Fatalf("selected step %q: kids=%v open=%v, want a closed step with nested steps", sel.title, sel.kids, sel.open)
	}
	before := len(m.page.dkim.visible())
	hs.key("enter")
	m = hs.model(t)
	if got := len(m.page.dkim.visible()); got <= before {
		t.Errorf("after enter %d rows are visible, want more than %d", got, before)
	}
	if !strings.Contains(plain(m), "▾ info      Read DKIM-Signature 1 of 2") {
		t.Errorf("the opened step is not marked ▾:\n%s", plain(m))
	}
	hs.key("space")
	if got := len(hs.model(t).page.dkim.visible()); got != before {
		t.Errorf("after space %d rows are visible, want %d again", got, before)
	}
	// The detail pane shows the selected step's explanation.
	hs.key("up")
	m = hs.model(t)
	if !strings.Contains(plain(m), "What was looked at") || !strings.Contains(plain(m), "signer identity (i=)") {
		t.Errorf("detail pane lacks the signature's detail:\n%s", plain(m))
	}
}

// TestSearchHeaders: / finds text in the raw header, n and N move between
// matches and scroll to them, esc clears.
func TestSearchHeaders(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 80, 24)
	hs.waitFor(t, "the verdict", finished)
	hs.key("6")
	hs.key("/")
	hs.typ("Message-ID")
	hs.key("enter")
	m := hs.model(t)
	hv := m.page.headers
	// The field name, and "message-id" in each signature's h= (the search
	// ignores case).
	if hv.typing || len(hv.matches) != 3 {
		t.Fatalf("search Message-ID: typing=%v, %d matches, want 3", hv.typing, len(hv.matches))
	}
	if screen := plain(m); !strings.Contains(screen, "/Message-ID: 1 of 3") {
		t.Errorf("no match status line:\n%s", screen)
	}
	hs.key("n")
	hs.key("n")
	m = hs.model(t)
	if screen := plain(m); !strings.Contains(screen, "Message-ID: <20030712040037.46341.5F8J@football.example.com>") ||
		!strings.Contains(screen, "/Message-ID: 3 of 3") {
		t.Errorf("n n did not scroll to the third match, the field itself:\n%s", screen)
	}

	hs.key("/")
	hs.typ("football")
	hs.key("enter")
	m = hs.model(t)
	n := len(m.page.headers.matches)
	if n < 5 {
		t.Fatalf("search football: %d matches, want many", n)
	}
	first := m.page.headers.cur
	hs.key("n")
	if got := hs.model(t).page.headers.cur; got != (first+1)%n {
		t.Errorf("n: current match %d, want %d", got, (first+1)%n)
	}
	hs.key("N")
	hs.key("N")
	if got := hs.model(t).page.headers.cur; got != (first-1+n)%n {
		t.Errorf("N N: current match %d, want %d", got, (first-1+n)%n)
	}
	hs.key("G")
	hs.key("n") // from the bottom, n wraps to the first match and scrolls up
	m = hs.model(t)
	if m.page.headers.cur != first && m.page.headers.cur != 0 {
		t.Logf("current match %d", m.page.headers.cur)
	}
	hs.key("esc")
	m = hs.model(t)
	if m.page.headers.query != "" || len(m.page.headers.matches) != 0 {
		t.Errorf("esc left the search %q with %d matches", m.page.headers.query, len(m.page.headers.matches))
	}
	hs.key("/")
	hs.typ("no such text")
	hs.key("enter")
	if !strings.Contains(plain(hs.model(t)), "/no such text: not found") {
		t.Errorf("a search without matches does not say so:\n%s", plain(hs.model(t)))
	}
}

// TestMbox: the list comes first and fills in verdicts in the background;
// the filter narrows it; enter opens a message, esc goes back.
func TestMbox(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "inbox.mbox"), Options: opts}, 100, 30)
	m := hs.waitFor(t, "every row's verdict", func(m Model) bool {
		for _, e := range m.list.entries {
			if e.state != inspected {
				return false
			}
		}
		return m.inList
	})
	want := []inspect.Disposition{inspect.Deliver, inspect.Reject, inspect.Deliver}
	for i, e := range m.list.entries {
		if e.disp != want[i] || e.problem != "" {
			t.Errorf("row %d: %s %q, want %s", i+1, e.disp, e.problem, want[i])
		}
	}
	screen := plain(m)
	for _, w := range []string{"3 messages, 3 inspected", " REJECT ", "Your account is limited", "Is dinner ready?"} {
		if !strings.Contains(screen, w) {
			t.Errorf("list lacks %q:\n%s", w, screen)
		}
	}

	hs.key("/")
	hs.typ("paypal")
	hs.key("enter")
	m = hs.model(t)
	if len(m.list.shown) != 1 || m.list.shown[0] != 1 {
		t.Fatalf("filter paypal shows %v, want message 2 only", m.list.shown)
	}
	hs.key("enter")
	m = hs.waitFor(t, "message 2 open and inspected", finished)
	if m.inList || m.page.index != 1 || !strings.Contains(plain(m), "Subject Your account is limited") {
		t.Fatalf("enter did not open message 2:\n%s", plain(m))
	}
	hs.key("2")
	hs.key("esc")
	m = hs.model(t)
	if !m.inList || m.page.open {
		t.Fatalf("esc did not go back to the list:\n%s", plain(m))
	}
	if len(m.list.shown) != 1 {
		t.Errorf("the filter was lost on the way back: %v", m.list.shown)
	}
	hs.key("esc") // clears the filter
	if m := hs.model(t); len(m.list.shown) != 3 {
		t.Errorf("esc in the list kept the filter: %v", m.list.shown)
	}
}

// TestResize: the screen follows the terminal's size, and a window too
// small for the layout gets a message instead.
func TestResize(t *testing.T) {
	t.Parallel()
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	hs.key("3")
	for _, sz := range [][2]int{{80, 24}, {160, 50}, {50, 12}, {120, 40}} {
		hs.tm.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		m := hs.model(t)
		lines := strings.Split(m.Render(), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide", sz[0], sz[1], i, w)
			}
		}
		small := strings.Contains(plain(m), "needs a window of at least")
		if small != (sz[0] < MinWidth || sz[1] < MinHeight) {
			t.Errorf("%dx%d: asks for a larger window: %v\n%s", sz[0], sz[1], small, plain(m))
		}
		if !small && !strings.Contains(plain(m), "SPF for MAIL FROM") {
			t.Errorf("%dx%d: the SPF view did not reflow:\n%s", sz[0], sz[1], plain(m))
		}
	}
}

// TestEscapeSequences: a Subject and From holding ESC sequences, BEL,
// a C1 control and U+202E reach the screen only as visible escapes; the
// raw bytes never reach the terminal.
func TestEscapeSequences(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "escape.eml"), Options: opts}, 120, 30)
	hs.waitFor(t, "the verdict", finished)
	for _, k := range []string{"1", "6", "2", "7"} {
		hs.key(k)
		screen := plain(hs.model(t))
		if k == "6" && !strings.Contains(screen, `Subject: hello \x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \u202egpj.exe`) {
			t.Errorf("Headers view does not show the escapes visibly:\n%s", screen)
		}
		if k == "1" && !strings.Contains(screen, `"Joe \u202eSixPack"`) {
			t.Errorf("summary bar does not show U+202E visibly:\n%s", screen)
		}
	}
	hs.key("q")
	hs.tm.WaitFinished(t, teatestTimeout())
	out, err := readAll(hs.tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	// The renderer writes escape sequences of its own (clear, title), so
	// look for the message's: its OSC title, its colour, BEL after it.
	for _, bad := range []string{"\x1b]0;pwned", "pwned\x07", "\x1b[31mred", "\u202e", "\u009b", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Errorf("the terminal received %q raw", bad)
		}
	}
	if !strings.Contains(out, `\x1b]0;pwned\x07`) {
		t.Errorf("the escaped Subject never reached the terminal")
	}
}

// TestBoundary: t on another hop makes it the trust boundary and replays
// SPF for its client at once; DKIM is kept.
func TestBoundary(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	hs.key("2")
	hs.key("g") // the oldest hop: the sender's own submission from 198.51.100.7
	hs.key("t")
	m := hs.waitFor(t, "the what-if replay", func(m Model) bool {
		return finished(m) && m.page.rep.Chain.Envelope.ClientIP == "198.51.100.7"
	})
	if got := m.page.rep.SPF.Result; got != trace.Fail {
		t.Errorf("SPF for 198.51.100.7 = %s, want fail", got)
	}
	if got := m.page.rep.Chain.Boundary; got != 2 {
		t.Errorf("boundary = %d, want 2", got)
	}
	if len(m.page.rep.DKIM) != 2 || m.page.rep.DKIM[0].Result != trace.Pass {
		t.Errorf("DKIM not kept: %+v", m.page.rep.DKIM)
	}
	if m.page.whatIf != "boundary received[2]" || !strings.Contains(strings.ToLower(plain(m)), "what if") {
		t.Errorf("the screen does not say it is a what-if:\n%s", plain(m))
	}
	hs.key("r") // as the message is
	m = hs.waitFor(t, "the replay", func(m Model) bool { return finished(m) && m.page.whatIf == "" })
	if got := m.page.rep.Chain.Envelope.ClientIP; got != "192.0.2.10" {
		t.Errorf("after r the client is %s, want 192.0.2.10 again", got)
	}
}

// TestWhatIfForm: w opens the form filled with the envelope; a typed
// client IP replays SPF for it; a bad address is refused with a reason.
func TestWhatIfForm(t *testing.T) {
	t.Parallel()
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	hs.key("w")
	m := hs.model(t)
	if !m.page.form.open || m.page.form.inputs[0].Value() != "192.0.2.10" || m.page.form.inputs[2].Value() != "joe@football.example.com" {
		t.Fatalf("form not open with the envelope: open=%v %q %q", m.page.form.open, m.page.form.inputs[0].Value(), m.page.form.inputs[2].Value())
	}
	if !strings.Contains(plain(m), "What if the message had come with another envelope?") {
		t.Errorf("form not on screen:\n%s", plain(m))
	}
	clear := func() {
		for range 20 {
			hs.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
	}
	clear()
	hs.typ("not-an-ip")
	hs.key("enter")
	m = hs.model(t)
	if !m.page.form.open || !strings.Contains(plain(m), "is not an IP address") {
		t.Fatalf("a bad address was not refused:\n%s", plain(m))
	}
	clear()
	hs.typ("203.0.113.9")
	hs.key("enter")
	m = hs.waitFor(t, "the what-if replay", func(m Model) bool {
		return finished(m) && m.page.rep.SPF.ClientIP == "203.0.113.9"
	})
	if m.page.rep.SPF.Result != trace.Fail {
		t.Errorf("SPF for 203.0.113.9 = %s, want fail", m.page.rep.SPF.Result)
	}
	if m.page.form.open {
		t.Errorf("the form stayed open")
	}
}

// TestReplayAfterDNSChange: r asks DNS again (a fresh cache), so a record
// that broke since shows: here the DMARC lookup starts failing.
func TestReplayAfterDNSChange(t *testing.T) {
	t.Parallel()
	opts, srv := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	m := hs.waitFor(t, "the verdict", finished)
	if m.page.rep.DMARC.Result != trace.Pass {
		t.Fatalf("DMARC = %s, want pass before the change", m.page.rep.DMARC.Result)
	}
	srv.Fail("_dmarc.football.example.com.", dns.RcodeServerFailure)
	hs.key("r")
	m = hs.waitFor(t, "the replay", func(m Model) bool { return finished(m) && m.page.rep.DMARC.Result != trace.Pass })
	if got := m.page.rep.DMARC.Result; got != trace.TempError {
		t.Errorf("DMARC after SERVFAIL = %s, want temperror", got)
	}
}

// TestSlowDNS: while a DNS answer is late the checks waiting for it show
// a spinner, and the keys keep working.
func TestSlowDNS(t *testing.T) {
	t.Parallel()
	opts, srv := liveOptions(t)
	// Late enough that the keys are tried while DMARC waits; the client
	// gives up after its timeout.
	srv.Delay("_dmarc.football.example.com.", 5*time.Second)
	c := opts.Resolver.(*dnsx.Client)
	c.Timeout = 1500 * time.Millisecond
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: opts}, 100, 30)
	m := hs.waitFor(t, "DKIM done while DMARC waits", func(m Model) bool {
		return finished(m) || m.page.rep != nil && done(m.page.rep, inspect.CheckDKIM) && !done(m.page.rep, inspect.CheckDMARC)
	})
	if finished(m) {
		t.Skip("DMARC timed out before the first look; the machine is very slow")
	}
	if !strings.Contains(plain(m), "checking…") {
		t.Errorf("no check shows it is still running:\n%s", plain(m))
	}
	hs.key("6")
	hs.key("/")
	hs.typ("dkim")
	hs.key("enter")
	m = hs.model(t)
	if m.page.view != vHeaders || len(m.page.headers.matches) == 0 {
		t.Errorf("keys did not work while DNS was slow: view %s, %d matches", viewNames[m.page.view], len(m.page.headers.matches))
	}
	if done(m.page.rep, inspect.CheckDMARC) {
		t.Skip("DMARC finished before the keys were checked; the machine is very slow")
	}
	// The client gives up after its timeout: a temperror, not a hang.
	m = hs.waitFor(t, "the verdict", finished)
	if got := m.page.rep.DMARC.Result; got != trace.TempError {
		t.Errorf("DMARC after a timeout = %s, want temperror", got)
	}
}

// TestHelpAndQuit: ? shows every key, esc or ? hides it, q quits.
func TestHelpAndQuit(t *testing.T) {
	t.Parallel()
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, 100, 30)
	hs.waitFor(t, "the verdict", finished)
	hs.key("?")
	screen := plain(hs.model(t))
	for _, w := range []string{"page down", "next view", "previous view", "what if…", "replay", "quit"} {
		if !strings.Contains(screen, w) {
			t.Errorf("full help lacks %q:\n%s", w, screen)
		}
	}
	hs.key("?")
	if hs.model(t).full {
		t.Errorf("? did not close the help")
	}
	hs.key("?")
	hs.key("esc")
	if m := hs.model(t); m.full || m.page.view != vOverview {
		t.Errorf("esc did not close the help (full=%v, view %s)", m.full, viewNames[m.page.view])
	}
	hs.key("?")
	hs.key("5")
	if m := hs.model(t); m.full || m.page.view != vDMARC {
		t.Errorf("5 on the help screen: full=%v, view %s; want the DMARC view", m.full, viewNames[m.page.view])
	}
	hs.key("q")
	hs.tm.WaitFinished(t, teatestTimeout())
}

// TestMouseWheel scrolls the Headers view.
func TestMouseWheel(t *testing.T) {
	t.Parallel()
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, 80, 24)
	hs.waitFor(t, "the verdict", finished)
	hs.key("6")
	hs.tm.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := hs.model(t).page.headers.sc.top; got != 3 {
		t.Errorf("after one wheel step down the top line is %d, want 3", got)
	}
	hs.tm.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := hs.model(t).page.headers.sc.top; got != 0 {
		t.Errorf("after one wheel step up the top line is %d, want 0", got)
	}
}

// TestLightBackground: the terminal's answer about its background colour
// rebuilds the style sheet.
func TestLightBackground(t *testing.T) {
	t.Parallel()
	hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, 80, 24)
	hs.waitFor(t, "the verdict", finished)
	if !hs.model(t).styles.IsDark {
		t.Fatalf("styles start light; want dark until the terminal says")
	}
	hs.tm.Send(tea.BackgroundColorMsg{Color: white{}})
	if hs.model(t).styles.IsDark {
		t.Errorf("a white background left the dark styles in place")
	}
}

type white struct{}

func (white) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

// TestLesson: a --demo lesson shows beside the verdict when there is room
// and above it otherwise.
func TestLesson(t *testing.T) {
	t.Parallel()
	lesson := &Lesson{Title: "A spoofed brand", Text: "The From domain is paypal.example, but the mail came from the attacker's server."}
	for _, sz := range [][2]int{{120, 30}, {80, 24}} {
		hs := start(t, Config{Source: openSource(t, "paypal.eml"), Options: snapshotOptions(t), Lesson: lesson}, sz[0], sz[1])
		screen := plain(hs.waitFor(t, "the verdict", finished))
		if !strings.Contains(screen, "Lesson: A spoofed brand") {
			t.Errorf("%dx%d: no lesson title:\n%s", sz[0], sz[1], screen)
		}
		beside := strings.Contains(screen, "│ Lesson: A spoofed brand")
		if beside != (sz[0] >= 100) {
			t.Errorf("%dx%d: lesson beside the verdict = %v", sz[0], sz[1], beside)
		}
	}
}

// TestListInspectsOnScreen: in a long mbox only the rows on screen (and
// half a screen below) are inspected, at most Concurrency at a time;
// scrolling to the end inspects the rows there.
func TestListInspectsOnScreen(t *testing.T) {
	t.Parallel()
	one, err := os.ReadFile("testdata/paypal.eml")
	if err != nil {
		t.Fatal(err)
	}
	var mbox strings.Builder
	const n = 90
	for range n {
		mbox.WriteString("From MAILER-DAEMON Fri Nov 20 08:14:30 2026\n")
		mbox.Write(one)
		mbox.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "big.mbox")
	if err := os.WriteFile(path, []byte(mbox.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	hs := start(t, Config{Source: src, Options: snapshotOptions(t), Concurrency: 2}, 100, 30)
	busy := func(m Model) bool {
		if m.running > 2 {
			t.Fatalf("%d inspections in flight, more than Concurrency 2", m.running)
		}
		return m.running == 0
	}
	m := hs.waitFor(t, "the first screen inspected", func(m Model) bool { return busy(m) && m.list.entries[0].state == inspected })
	shown := m.list.sc.height
	for i, e := range m.list.entries {
		want := i < shown+shown/2
		if got := e.state == inspected; got != want {
			t.Fatalf("row %d (screen of %d rows): inspected=%v, want %v", i+1, shown, got, want)
		}
	}
	hs.key("G")
	m = hs.waitFor(t, "the last rows inspected", func(m Model) bool { return busy(m) && m.list.entries[n-1].state == inspected })
	if got := m.list.entries[n-1].disp; got != inspect.Reject {
		t.Errorf("last row: %s, want reject", got)
	}
}

// TestBrokenMessage: a message of an mbox that is not mail at all gets
// ERROR in the list, and opening it says why instead of a verdict.
func TestBrokenMessage(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("testdata/football.eml")
	if err != nil {
		t.Fatal(err)
	}
	mbox := "From a@b Sun Jun 10 13:38:35 2018\n" + string(good) + "\n" +
		"From a@b Sun Jun 10 13:38:35 2018\n\x00\x01\x02 these bytes are not a header\n\n"
	path := filepath.Join(t.TempDir(), "broken.mbox")
	if err := os.WriteFile(path, []byte(mbox), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	hs := start(t, Config{Source: src, Options: snapshotOptions(t)}, 100, 30)
	m := hs.waitFor(t, "both rows", func(m Model) bool {
		return m.running == 0 && m.list.entries[0].state == inspected && m.list.entries[1].state == inspected
	})
	if m.list.entries[1].problem == "" || !strings.Contains(plain(m), "ERROR") {
		t.Fatalf("row 2 is not marked as an error:\n%s", plain(m))
	}
	hs.key("j")
	hs.key("enter")
	m = hs.waitFor(t, "message 2 open", func(m Model) bool { return m.page.open && !m.page.running })
	screen := plain(m)
	if !strings.Contains(screen, "CANNOT INSPECT") || !strings.Contains(screen, "could not be read") {
		t.Errorf("opening a broken message does not say so:\n%s", screen)
	}
	hs.key("esc")
	if !hs.model(t).inList {
		t.Errorf("esc did not go back to the list")
	}
}

// TestTooSmallQuits: the "window too small" screen says q or ctrl+c quits,
// and they do, also with the what-if form open behind it, which would
// otherwise take q as a letter (exploratory use, C7).
func TestTooSmallQuits(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			hs := start(t, Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}, 100, 30)
			hs.waitFor(t, "the verdict", finished)
			hs.key("w")
			if m := hs.model(t); !m.page.form.open {
				t.Fatalf("w did not open the what-if form:\n%s", plain(m))
			}
			hs.tm.Send(tea.WindowSizeMsg{Width: 30, Height: 8})
			m := hs.model(t)
			if !strings.Contains(strings.Join(strings.Fields(plain(m)), " "), "(q or ctrl+c quits)") {
				t.Errorf("the small screen does not say how to quit:\n%s", plain(m))
			}
			hs.key(k)
			hs.tm.WaitFinished(t, teatestTimeout())
			// The form's text field had focus: bubbles' cursor blink
			// command is a goroutine that ends on its own after one
			// blink (530 ms), and goleak would count it if the
			// package's tests ended before.
			time.Sleep(600 * time.Millisecond)
		})
	}
}
