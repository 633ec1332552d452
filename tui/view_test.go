package tui

import (
	"fmt"
	"github.com/headercheck/headercheck/inspect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestViews drives the real program over the fixture message, replayed
// from a DNS snapshot at a fixed time, and compares each view's screen
// (colours stripped) with testdata/TestViews/VIEW_WxH.golden.
func TestViews(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		w, h := size[0], size[1]
		cfg := Config{Source: openSource(t, "football.eml"), Options: snapshotOptions(t)}
		hs := start(t, cfg, w, h)
		hs.waitFor(t, "the verdict", finished)
		for i, name := range viewNames {
			t.Run(fmt.Sprintf("%s_%dx%d", name, w, h), func(t *testing.T) {
				hs.key(fmt.Sprint(i + 1))
				m := hs.model(t)
				if m.page.view != viewID(i) {
					t.Fatalf("after key %d the view is %s, want %s", i+1, viewNames[m.page.view], name)
				}
				golden.RequireEqual(t, trimRight(plain(m)))
			})
		}
	}
}

// TestPhishingOverview is the Overview of the spoofed PayPal message: the
// reject badge, its reason and the display-name sign.
func TestPhishingOverview(t *testing.T) {
	t.Parallel()
	cfg := Config{Source: openSource(t, "paypal.eml"), Options: snapshotOptions(t)}
	hs := start(t, cfg, 100, 30)
	m := hs.waitFor(t, "the verdict", finished)
	screen := plain(m)
	for _, want := range []string{" REJECT ", "⚠ display name", "Signs of phishing"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	golden.RequireEqual(t, trimRight(screen))
}

// TestEach: Config.Each gives each message its own options and lesson, as
// the --demo gallery does: here message 2 of the mbox is replayed from a
// snapshot of its own and shown with its lesson.
func TestEach(t *testing.T) {
	t.Parallel()
	own := snapshotOptions(t) // another resolver than the base one
	each := func(i int, base inspect.Options) (inspect.Options, *Lesson) {
		if i != 1 {
			return base, nil
		}
		return own, &Lesson{Title: "Lesson two", Text: "A spoofed brand."}
	}
	opts, _ := liveOptions(t)
	hs := start(t, Config{Source: openSource(t, "inbox.mbox"), Options: opts, Each: each, Message: 2}, 120, 30)
	m := hs.waitFor(t, "message 2", func(m Model) bool { return finished(m) && m.page.index == 1 })
	if !strings.Contains(plain(m), "Lesson: Lesson two") {
		t.Errorf("no lesson beside message 2:\n%s", plain(m))
	}
	for _, q := range m.page.rep.DNS {
		if q.Server != "snapshot" {
			t.Errorf("message 2 asked %s for %s; want its own snapshot only", q.Server, q.Name)
		}
	}
}
