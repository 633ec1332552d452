package tui

import (
	"fmt"
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
