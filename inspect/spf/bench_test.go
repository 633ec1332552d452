package spf

import (
	"context"
	"net/netip"
	"strings"
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

// mboxZone is the DNS of two senders of BenchmarkMboxJSON's corpus
// (inspect/batch): d0 sends from the first provider (one include), d1
// from the second (two includes, the first not matching).
const mboxZone = `
_spf.esp1.example. TXT "v=spf1 ip4:198.51.100.0/25 -all"
_spf.esp2.example. TXT "v=spf1 ip4:198.51.100.128/25 ~all"
d0.example.        TXT "v=spf1 include:_spf.esp1.example -all"
d1.example.        TXT "v=spf1 include:_spf.esp1.example include:_spf.esp2.example -all"
mail.d0.example.   A   198.51.100.1
mail.d1.example.   A   198.51.100.129
`

// BenchmarkCheckMbox is the SPF of one message of BenchmarkMboxJSON, as
// inspect runs it: a Recorder over the message's Budget over the run's
// warm Cache. The allocations per op are what each message pays.
func BenchmarkCheckMbox(b *testing.B) {
	srv := dnstest.StartZone(b, mboxZone)
	cache := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second}, dnsx.CacheOptions{})
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		check  func(context.Context, Input) Result
		sender string
		ip     string
		want   trace.Result
	}{
		{"one_include", Check, "news@d0.example", "198.51.100.1", trace.Pass},
		{"two_includes", Check, "news@d1.example", "198.51.100.129", trace.Pass},
		{"fail", Check, "news@d1.example", "203.0.113.5", trace.Fail},
		{"helo_none", CheckHELO, "news@d1.example", "198.51.100.129", trace.None},
	} {
		b.Run(c.name, func(b *testing.B) {
			dom := c.sender[strings.IndexByte(c.sender, '@')+1:]
			in := Input{IP: netip.MustParseAddr(c.ip), Sender: c.sender, HELO: "mail." + dom, Receiver: "mx1.inbound.example", Now: at}
			in.Resolver = dnsx.NewRecorder(dnsx.NewBudget(cache, 20*time.Second))
			if res := c.check(b.Context(), in); res.Result != c.want {
				b.Fatalf("%s: %s, want %s\n%s", c.name, res.Result, c.want, res.Explanation)
			}
			b.ReportAllocs()
			for b.Loop() {
				in.Resolver = dnsx.NewRecorder(dnsx.NewBudget(cache, 20*time.Second))
				c.check(b.Context(), in)
			}
		})
	}
}
