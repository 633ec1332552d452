package spf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
)

// benchZone is a record with nested includes, as large senders publish:
// the client matches in the last included record, after 8 DNS-querying
// terms and 10 queries.
const benchZone = `
bench.example.      TXT  "v=spf1 include:_a.bench.example include:_b.bench.example -all"
bench.example.      MX   10 mx.bench.example.
mx.bench.example.   A    198.51.100.25
_a.bench.example.   TXT  "v=spf1 ip4:198.51.100.0/24 include:_a1.bench.example include:_a2.bench.example ~all"
_a1.bench.example.  TXT  "v=spf1 ip4:198.51.101.0/24 a:host1.bench.example -all"
host1.bench.example. A   198.51.102.1
_a2.bench.example.  TXT  "v=spf1 ip6:2001:db8:a2::/48 mx:bench.example -all"
_b.bench.example.   TXT  "v=spf1 include:_b1.bench.example ?all"
_b1.bench.example.  TXT  "v=spf1 exists:%{ir}.allow.bench.example ip4:203.0.113.0/24 -all"
`

var benchIP = netip.MustParseAddr("203.0.113.7")

func benchCheck(b *testing.B, r dnsx.Resolver) {
	b.Helper()
	in := Input{Resolver: r, IP: benchIP, Sender: "bob@bench.example", HELO: "mail.bench.example", Now: time.Unix(1700000000, 0)}
	if res := Check(b.Context(), in); res.Result != trace.Pass || res.DNSLookups != 8 {
		b.Fatalf("Check = %s with %d lookups, want pass with 8\n%s", res.Result, res.DNSLookups, res.Explanation)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Check(b.Context(), in)
	}
}

// BenchmarkCheckNestedIncludes evaluates the nested record against the
// loopback DNS server: cold, every query on the network; cached, answers
// from a dnsx.Cache shared by the iterations.
func BenchmarkCheckNestedIncludes(b *testing.B) {
	srv := dnstest.StartZone(b, benchZone)
	b.Run("cold", func(b *testing.B) {
		benchCheck(b, &dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second})
	})
	b.Run("cached", func(b *testing.B) {
		benchCheck(b, dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second}, dnsx.CacheOptions{}))
	})
}

func BenchmarkParse(b *testing.B) {
	const rec = "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:example.org/24//64 include:_spf.example.net exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com exp=explain.%{d}"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(rec); err != nil {
			b.Fatal(err)
		}
	}
}
