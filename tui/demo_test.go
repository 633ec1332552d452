package tui

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// demoConfig is what headercheck --demo runs: the gallery as the list,
// each lesson with its own options, and base options without a resolver
// (each lesson brings its own snapshot).
func demoConfig() Config {
	g := NewGallery(lessons.List())
	return Config{Source: g, Options: inspect.Options{}, Each: g.Each}
}

// allInspected: every row of the list has its verdict.
func allInspected(m Model) bool {
	if !m.inList || m.running != 0 || len(m.list.entries) == 0 {
		return false
	}
	for _, e := range m.list.entries {
		if e.state != inspected {
			return false
		}
	}
	return true
}

// TestDemoList: the gallery opens on a list of lessons, each replayed
// offline from its own snapshot, with the verdict its lesson documents;
// the rows are headed by the lesson's title, with From and Subject where
// they fit.
func TestDemoList(t *testing.T) {
	t.Parallel()
	all := lessons.List()
	for _, c := range []struct {
		w, h     int
		fromSubj bool
	}{{80, 24, false}, {160, 50, true}} {
		hs := start(t, demoConfig(), c.w, c.h)
		m := hs.waitFor(t, "every lesson's verdict", allInspected)
		screen := plain(m)
		if !strings.Contains(screen, "13 lessons, 13 inspected") || !strings.Contains(screen, "LESSON") || !strings.Contains(screen, "enter open lesson") {
			t.Errorf("%dx%d: the list does not read as lessons:\n%s", c.w, c.h, screen)
		}
		if got := strings.Contains(screen, "SUBJECT") && strings.Contains(screen, "Unusual sign-in attempt"); got != c.fromSubj {
			t.Errorf("%dx%d: From and Subject shown = %v, want %v:\n%s", c.w, c.h, got, c.fromSubj, screen)
		}
		for i, l := range all {
			e := m.list.entries[i]
			if e.problem != "" || string(e.disp) != l.Want.Verdict {
				t.Errorf("%dx%d: lesson %d (%s): %q %s, want %s", c.w, c.h, i+1, l.Name, e.problem, e.disp, l.Want.Verdict)
			}
			if !strings.Contains(screen, l.Title) {
				t.Errorf("%dx%d: no row titled %q", c.w, c.h, l.Title)
			}
		}
	}
}

// TestDemoWhatIf: open the exact-domain spoof (lesson 2), see it
// rejected beside its lesson, then ask what if the same spoof had been
// sent from the bank's own server, from an address bank.example's SPF
// record lists and with a MAIL FROM in bank.example: SPF and DMARC pass,
// and the verdict on screen turns to deliver; r brings back the message
// as it is.
func TestDemoWhatIf(t *testing.T) {
	t.Parallel()
	hs := start(t, demoConfig(), 120, 40)
	hs.waitFor(t, "the list", func(m Model) bool { return m.inList && m.list.loadedTo > 0 })
	hs.key("j")
	hs.key("enter")
	m := hs.waitFor(t, "lesson 2", func(m Model) bool { return finished(m) && m.page.index == 1 })
	screen := plain(m)
	for _, want := range []string{
		" REJECT  DMARC fails for bank.example",
		"│ Lesson: An exact-domain spoof against",
		"SPF       fail      bank.example for 203.0.113.66",
		"lesson 2/13",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("lesson 2 lacks %q:\n%s", want, screen)
		}
	}

	hs.key("w")
	m = hs.waitFor(t, "the what-if form", func(m Model) bool { return m.page.form.open })
	screen = plain(m)
	for _, want := range []string{"Client IP     203.0.113.66", "v=spf1 ip4:198.51.100.16/28 -all"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the form lacks %q:\n%s", want, screen)
		}
	}
	hs.key("ctrl+u")
	hs.typ("198.51.100.25")
	hs.key("tab")
	hs.key("tab")
	hs.key("ctrl+u")
	hs.typ("bounces@bank.example")
	hs.key("enter")
	m = hs.waitFor(t, "the what-if replay", func(m Model) bool { return finished(m) && m.page.whatIf != "" })
	screen = plain(m)
	for _, want := range []string{
		" DELIVER  DMARC passes for bank.example",
		"WHAT IF (r: as it is)",
		"SPF       pass      bank.example for 198.51.100.25",
		"│ Lesson: An exact-domain spoof against",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("after the what-if, the screen lacks %q:\n%s", want, screen)
		}
	}
	if got, want := m.page.whatIf, "client 198.51.100.25, MAIL FROM bounces@bank.example"; got != want {
		t.Errorf("what-if = %q, want %q", got, want)
	}
	if strings.Contains(screen, "REJECT") {
		t.Errorf("after the what-if, the screen still says REJECT:\n%s", screen)
	}

	hs.key("r")
	m = hs.waitFor(t, "the replay as it is", func(m Model) bool { return finished(m) && m.page.whatIf == "" })
	if screen = plain(m); !strings.Contains(screen, " REJECT ") {
		t.Errorf("r did not bring back the message as it is:\n%s", screen)
	}
}

// TestDemoTellsOnce: on a wide screen the Overview says each thing once:
// the reason that fits in the summary bar is not repeated below it, and
// the ARC note and the phishing signs, which have their own paragraphs,
// are not also in the story (the verdict's story ends with them).
func TestDemoTellsOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lesson int
		once   func(m Model) []string
	}{
		{6, func(m Model) []string { return []string{m.page.rep.Verdict.Reason, "would deliver it instead"} }},
		{4, func(m Model) []string { return []string{m.page.rep.Verdict.Reason, "names a well-known sender"} }},
	} {
		cfg := demoConfig()
		cfg.Message = c.lesson
		hs := start(t, cfg, 200, 60)
		m := hs.waitFor(t, "the lesson", func(m Model) bool { return finished(m) && m.page.index == c.lesson-1 })
		// Unwrapped, so that a sentence broken over two lines still counts.
		screen := strings.Join(strings.Fields(plain(m)), " ")
		badge := " " + strings.ToUpper(string(m.page.rep.Verdict.Disposition)) + " "
		if n := strings.Count(plain(m), badge); n != 1 {
			t.Errorf("lesson %d: the badge %q is on screen %d times, want once (the reason fits in the summary bar):\n%s", c.lesson, badge, n, plain(m))
		}
		for _, want := range c.once(m) {
			if n := strings.Count(screen, want); n != 1 {
				t.Errorf("lesson %d: %q is on screen %d times, want once:\n%s", c.lesson, want, n, plain(m))
			}
		}
	}
}
