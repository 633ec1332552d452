package dnsx_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// clock is a settable time for cache expiry.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestCacheConcurrentIdenticalQueriesSentOnce(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Delay("example.org", 100*time.Millisecond) // keep the first query in flight while the others arrive
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{})
	const n = 50
	var (
		wg      sync.WaitGroup
		fresh   atomic.Int32
		mu      sync.Mutex
		results [][]string
	)
	for range n {
		wg.Go(func() {
			q, err := cache.Lookup(t.Context(), "example.org", dns.TypeTXT)
			if err != nil {
				t.Errorf("Lookup: %v", err)
				return
			}
			if !q.Cached {
				fresh.Add(1)
			}
			mu.Lock()
			results = append(results, q.Answers)
			mu.Unlock()
		})
	}
	wg.Wait()
	if got := srv.Count("example.org", dns.TypeTXT); got != 1 {
		t.Errorf("server saw %d queries for %d concurrent lookups, want 1", got, n)
	}
	if got := fresh.Load(); got != 1 {
		t.Errorf("%d answers say they came from the network, want exactly 1", got)
	}
	for _, r := range results {
		if !slices.Equal(r, []string{"v=spf1 ip4:192.0.2.0/24 -all"}) {
			t.Errorf("answer %q", r)
		}
	}
}

func TestCacheHitsAndExpiry(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.AddRR(&dns.A{Hdr: dns.RR_Header{Name: "zero.example.org.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 0}, A: []byte{192, 0, 2, 9}})
	srv.AddRR(&dns.A{Hdr: dns.RR_Header{Name: "week.example.org.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 7 * 86400}, A: []byte{192, 0, 2, 8}})
	srv.Fail("servfail.example.org", dns.RcodeServerFailure)
	srv.Drop("silent.example.org")
	cases := []struct {
		name   string
		qtype  uint16
		keep   time.Duration // still cached just before this, asked again just after
		rcode  string
		failed error
	}{
		{"example.org", dns.TypeA, 300 * time.Second, "NOERROR", nil},       // TTL 300
		{"zero.example.org", dns.TypeA, dnsx.DefaultMinTTL, "NOERROR", nil}, // TTL 0 raised to MinTTL
		{"week.example.org", dns.TypeA, dnsx.DefaultMaxTTL, "NOERROR", nil}, // a week cut to MaxTTL
		{"nope.example.org", dns.TypeA, 120 * time.Second, "NXDOMAIN", nil}, // negative: SOA MINIMUM 120
		{"example.org", dns.TypeAAAA, 120 * time.Second, "NOERROR", nil},    // NODATA likewise
		{"gone.example.net", dns.TypeA, dnsx.DefaultNegativeTTL, "NXDOMAIN", nil},
		{"servfail.example.org", dns.TypeA, dnsx.DefaultErrorTTL, "SERVFAIL", dnsx.ErrServFail},
		{"silent.example.org", dns.TypeA, dnsx.DefaultErrorTTL, "TIMEOUT", dnsx.ErrTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			clk := newClock()
			cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{Now: clk.Now})
			first, err := cache.Lookup(t.Context(), tc.name, tc.qtype)
			if !errors.Is(err, tc.failed) || first.Rcode != tc.rcode || first.Cached {
				t.Fatalf("first lookup: %s %v cached %v; want %s %v from the network", first.Rcode, err, first.Cached, tc.rcode, tc.failed)
			}
			clk.Advance(tc.keep - time.Second)
			again, err := cache.Lookup(t.Context(), tc.name, tc.qtype)
			if !errors.Is(err, tc.failed) || !again.Cached {
				t.Errorf("just before expiry: cached %v err %v, want a cached answer", again.Cached, err)
			}
			if again.Server != first.Server || again.RTTms != first.RTTms || again.Rcode != first.Rcode || !slices.Equal(again.Answers, first.Answers) {
				t.Errorf("cached %+v, want the first exchange's %+v", again, first)
			}
			if n := srv.Count(tc.name, tc.qtype); n != 1 {
				t.Errorf("server asked %d times before expiry, want 1", n)
			}
			clk.Advance(2 * time.Second)
			third, _ := cache.Lookup(t.Context(), tc.name, tc.qtype)
			if third.Cached || srv.Count(tc.name, tc.qtype) != 2 {
				t.Errorf("after expiry: cached %v, server asked %d times; want a fresh query", third.Cached, srv.Count(tc.name, tc.qtype))
			}
			srv.ResetCounts()
		})
	}
}

// The returned Query is the caller's: changing it does not change what
// the next caller gets.
func TestCacheCallersOwnTheirQuery(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{})
	q, _ := cache.Lookup(t.Context(), "example.org", dns.TypeMX)
	q.Note = "mine"
	q.Answers = append(q.Answers, "99 extra.example.")
	q2, _ := cache.Lookup(t.Context(), "example.org", dns.TypeMX)
	if q2.Note != "" || len(q2.Answers) != 2 {
		t.Errorf("cache changed by a caller: %+v", q2)
	}
}

func TestCacheErrorsNotCachedWhenDisabled(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Fail("servfail.example.org", dns.RcodeServerFailure)
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{ErrorTTL: -1})
	for range 3 {
		cache.Lookup(t.Context(), "servfail.example.org", dns.TypeTXT)
	}
	if n := srv.Count("servfail.example.org", dns.TypeTXT); n != 3 {
		t.Errorf("server asked %d times, want 3 (errors not cached)", n)
	}
}

// One caller giving up does not fail the others waiting for the same
// answer, and an answer everyone gave up on is neither cached nor left
// running.
func TestCacheCallerCancellation(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Delay("example.org", 200*time.Millisecond)
	cache := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: 2 * time.Second}, dnsx.CacheOptions{})

	impatient, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var patientQ *trace.Query
	var patientErr error
	wg.Go(func() { patientQ, patientErr = cache.Lookup(t.Context(), "example.org", dns.TypeTXT) })
	q, err := cache.Lookup(impatient, "example.org", dns.TypeTXT)
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != trace.RcodeTimeout {
		t.Errorf("impatient caller: %s %v, want TIMEOUT", q.Rcode, err)
	}
	wg.Wait()
	if patientErr != nil || len(patientQ.Answers) != 1 {
		t.Errorf("patient caller: %v %q, want the answer", patientErr, patientQ.Answers)
	}
	if n := srv.Count("example.org", dns.TypeTXT); n != 1 {
		t.Errorf("server asked %d times, want 1", n)
	}

	// Everyone gives up: the lookup is cancelled and nothing is cached.
	srv.Delay("alias.example.org", time.Second)
	short, cancel2 := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel2()
	if _, err := cache.Lookup(short, "alias.example.org", dns.TypeA); !errors.Is(err, dnsx.ErrTimeout) {
		t.Errorf("abandoned: %v, want ErrTimeout", err)
	}
	before := cache.Len()
	srv.Delay("alias.example.org", 0)
	q, err = cache.Lookup(t.Context(), "alias.example.org", dns.TypeA)
	if err != nil || q.Cached {
		t.Errorf("after an abandoned lookup: %v cached %v, want a fresh answer", err, q.Cached)
	}
	if cache.Len() != before+1 {
		t.Errorf("cache grew from %d to %d, want one entry more (the abandoned lookup left none)", before, cache.Len())
	}
}

func TestCacheMaxEntries(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{MaxEntries: 64})
	for i := range 500 {
		cache.Lookup(t.Context(), fmt.Sprintf("n%d.example.org", i), dns.TypeA)
	}
	if n := cache.Len(); n > 64 || n == 0 {
		t.Errorf("cache holds %d entries, want 1..64", n)
	}
}

// A snapshot miss is not cached: nothing was asked, and the check must
// see the miss each time.
func TestCacheDoesNotKeepSnapshotMisses(t *testing.T) {
	snap, err := dnsx.ParseSnapshot(stringsReader("example.org. TXT \"v=spf1 -all\"\n"), "t.dns")
	if err != nil {
		t.Fatal(err)
	}
	cache := dnsx.NewCache(snap, dnsx.CacheOptions{})
	for range 2 {
		q, err := cache.Lookup(t.Context(), "other.example.org", dns.TypeTXT)
		if !errors.Is(err, dnsx.ErrNotInSnapshot) || q.Cached {
			t.Errorf("miss: %v cached %v", err, q.Cached)
		}
	}
	if cache.Len() != 0 {
		t.Errorf("cache holds %d entries, want 0", cache.Len())
	}
}

// Cached lookups under concurrency: the cost of the hit path, which is
// what an mbox of many messages from the same senders pays.
func BenchmarkCacheHitParallel(b *testing.B) {
	srv := dnstest.Start(b, "testdata/client.zone")
	cache := dnsx.NewCache(dnsx.NewClient(srv.Addr), dnsx.CacheOptions{})
	names := []string{"example.org.", "mx.example.org.", "alias.example.org.", "a.b.example.org."}
	for _, n := range names {
		if _, err := cache.Lookup(context.Background(), n, dns.TypeA); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			q, err := cache.Lookup(ctx, names[i%len(names)], dns.TypeA)
			if err != nil || !q.Cached {
				b.Errorf("not a hit: %v", err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// A cold lookup: one UDP exchange with the loopback server, no cache.
func BenchmarkClientColdLookup(b *testing.B) {
	srv := dnstest.Start(b, "testdata/client.zone")
	c := dnsx.NewClient(srv.Addr)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Lookup(ctx, "example.org", dns.TypeTXT); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// A caller whose context has already ended starts no network work, but a
// cached answer is still served to it: it costs nothing.
func TestCacheEndedContext(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{})
	cache.Lookup(t.Context(), "example.org", dns.TypeA)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if q, err := cache.Lookup(ctx, "example.org", dns.TypeA); err != nil || !q.Cached {
		t.Errorf("cached answer with an ended context: %v cached %v", err, q.Cached)
	}
	q, err := cache.Lookup(ctx, "mx.example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != trace.RcodeTimeout || srv.Total() != 1 {
		t.Errorf("miss with an ended context: %s %v, server saw %d queries; want TIMEOUT and nothing sent", q.Rcode, err, srv.Total())
	}
}

// Every spelling of one name (case, the root's dot) is one question: the
// first goes to the server, the rest are answered from the cache, and
// every answer names the question as Fqdn writes it. A name Fqdn refuses
// goes to the resolver behind, which says so.
func TestCacheOneEntryPerName(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	cache := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{})
	for i, name := range []string{"example.org", "example.org.", "Example.ORG", "EXAMPLE.org."} {
		q, err := cache.Lookup(t.Context(), name, dns.TypeA)
		if err != nil || q.Name != "example.org." || q.Cached != (i > 0) {
			t.Errorf("%s: name %q cached %v err %v; want example.org., cached %v", name, q.Name, q.Cached, err, i > 0)
		}
	}
	if n := srv.Count("example.org", dns.TypeA); n != 1 {
		t.Errorf("server asked %d times, want 1", n)
	}
	q, err := cache.Lookup(t.Context(), "a..example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrBadName) || q.Rcode != trace.RcodeError || q.Name != "a..example.org." {
		t.Errorf("bad name: %+v, %v; want ErrBadName from the client", q, err)
	}
	if cache.Len() != 1 {
		t.Errorf("cache holds %d entries, want 1", cache.Len())
	}
}
