package dnsx_test

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
)

// BenchmarkCachedLookup is one lookup of an mbox run answered from the
// warm cache, through the layers inspect puts in front of it for each
// message: Recorder, then Budget, then the shared Cache. Names come as
// checks ask them: without the root's dot (SPF, iprev's forward lookup)
// and with it (a reverse name).
func BenchmarkCachedLookup(b *testing.B) {
	srv := dnstest.StartZone(b, "d1.example. TXT \"v=spf1 include:_spf.esp1.example -all\"\n129.100.51.198.in-addr.arpa. PTR mail.d1.example.\n")
	cache := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second}, dnsx.CacheOptions{})
	for _, c := range []struct {
		name, q string
		qtype   uint16
	}{{"relative", "d1.example", dns.TypeTXT}, {"absolute", "129.100.51.198.in-addr.arpa.", dns.TypePTR}} {
		b.Run(c.name, func(b *testing.B) {
			if q, err := cache.Lookup(b.Context(), c.q, c.qtype); err != nil || len(q.Answers) != 1 {
				b.Fatalf("%+v, %v", q, err)
			}
			budget := dnsx.NewBudget(cache, 20*time.Second)
			b.ReportAllocs()
			for b.Loop() {
				rec := dnsx.NewRecorder(budget)
				if q, err := rec.Lookup(b.Context(), c.q, c.qtype); err != nil || !q.Cached {
					b.Fatalf("%+v, %v", q, err)
				}
			}
		})
	}
}
