package dnsx_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

func TestBudgetCancelsSlowQuery(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Delay("slow.example.org", 5*time.Second)
	shared := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: 5 * time.Second}, dnsx.CacheOptions{})
	b := dnsx.NewBudget(shared, 100*time.Millisecond)

	start := time.Now()
	q, err := b.Lookup(t.Context(), "slow.example.org", dns.TypeTXT)
	// Not a speed test: without the budget the lookup would wait out the
	// server's 5 s delay.
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("the budget did not stop the lookup: it took %v", el)
	}
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != trace.RcodeTimeout || q.Note != "stopped: the DNS time budget of 100ms for this message ran out" {
		t.Errorf("got %s %v note %q, want TIMEOUT saying the budget ran out", q.Rcode, err, q.Note)
	}

	// Once spent, the budget sends nothing more.
	q, err = b.Lookup(t.Context(), "example.org", dns.TypeTXT)
	if !errors.Is(err, dnsx.ErrTimeout) || !strings.Contains(q.Note, "not sent") || srv.Count("example.org", dns.TypeTXT) != 0 {
		t.Errorf("after the budget: %v note %q, %d queries; want nothing sent", err, q.Note, srv.Count("example.org", dns.TypeTXT))
	}

	// Another message has its own budget, and the shared cache still works.
	q, err = dnsx.NewBudget(shared, time.Second).Lookup(t.Context(), "example.org", dns.TypeTXT)
	if err != nil || len(q.Answers) != 1 {
		t.Errorf("next message: %v %q", err, q.Answers)
	}
	// Zero means no budget.
	if q, err := dnsx.NewBudget(shared, 0).Lookup(t.Context(), "example.org", dns.TypeTXT); err != nil || !q.Cached {
		t.Errorf("no budget: %v cached %v", err, q.Cached)
	}
}
