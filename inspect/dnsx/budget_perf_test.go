package dnsx_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
)

// TestBudgetCachedAnswer: a Budget in front of a Cache answers a cached
// name without a deadline of its own (the fast path) and gives exactly
// what the Cache gives, answers and errors alike; a spent budget still
// sends nothing, cached or not.
func TestBudgetCachedAnswer(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	cache := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond}, dnsx.CacheOptions{})
	for _, c := range []struct {
		name  string
		qtype uint16
	}{{"example.org", dns.TypeTXT}, {"nosuchname.example.org", dns.TypeTXT}, {"example.org", dns.TypeMX}} {
		t.Run(c.name+"/"+dns.TypeToString[c.qtype], func(t *testing.T) {
			b := dnsx.NewBudget(cache, time.Second)
			first, ferr := b.Lookup(t.Context(), c.name, c.qtype)
			if first == nil || first.Cached {
				t.Fatalf("first lookup: %+v, want an answer from the server", first)
			}
			sent := srv.Count(c.name, c.qtype)
			got, gerr := b.Lookup(t.Context(), c.name, c.qtype)
			want, werr := cache.Lookup(t.Context(), c.name, c.qtype)
			if srv.Count(c.name, c.qtype) != sent {
				t.Errorf("the second lookup went to the server")
			}
			if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Errorf("through the budget: %+v, %v\nfrom the cache:     %+v, %v", got, gerr, want, werr)
			}
			if (ferr == nil) != (gerr == nil) {
				t.Errorf("first error %v, cached error %v", ferr, gerr)
			}
		})
	}
	spent := dnsx.NewBudget(cache, time.Nanosecond)
	time.Sleep(time.Millisecond)
	q, err := spent.Lookup(t.Context(), "example.org", dns.TypeTXT)
	if !errors.Is(err, dnsx.ErrTimeout) || !strings.Contains(q.Note, "not sent") {
		t.Errorf("a spent budget answered a cached name: %+v, %v", q, err)
	}
}
