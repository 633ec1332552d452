package inspect_test

import (
	"context"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"go.uber.org/goleak"
)

// Every test here stops what it starts.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestNoGoroutineOutlivesInspect: once Inspect returns, nothing it started
// runs on — not on success, not when DNS stays silent, not when the
// context ends midway.
func TestNoGoroutineOutlivesInspect(t *testing.T) {
	cases := []struct {
		name   string
		silent string // a name the server never answers
		cancel bool
	}{
		{name: "ordinary"},
		{name: "silent DNS", silent: "_dmarc.paypal.example."},
		{name: "cancelled", silent: "_dmarc.paypal.example.", cancel: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startDNS(t)
			if c.silent != "" {
				srv.Drop(c.silent)
			}
			opts := options(srv)
			m := load(t, mail(spoofTop, "service@paypal.example", "bounce@attacker.example"))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if c.cancel {
				opts.OnUpdate = func(u inspect.Update) {
					if u.Check == inspect.CheckSPF {
						cancel()
					}
				}
			}
			before := goleak.IgnoreCurrent()
			if _, err := inspect.Inspect(ctx, m, opts); err != nil && !c.cancel {
				t.Fatal(err)
			}
			// Find retries for a moment, no longer than goroutines that
			// are merely finishing need.
			if err := goleak.Find(before); err != nil {
				t.Error(err)
			}
		})
	}
}
