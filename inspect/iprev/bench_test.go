package iprev_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/trace"
)

// BenchmarkCheckMbox is the iprev of one message of BenchmarkMboxJSON
// (inspect/batch), as inspect runs it: a Recorder over the message's
// Budget over the run's warm Cache; the name confirms the address and
// matches what the receiver recorded. The allocations per op are what
// each message pays.
func BenchmarkCheckMbox(b *testing.B) {
	srv := dnstest.StartZone(b, "129.100.51.198.in-addr.arpa. PTR mail.d1.example.\nmail.d1.example. A 198.51.100.129\n")
	cache := dnsx.NewCache(&dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second}, dnsx.CacheOptions{})
	ip := netip.MustParseAddr("198.51.100.129")
	if res := iprev.Check(b.Context(), dnsx.NewRecorder(dnsx.NewBudget(cache, 20*time.Second)), ip, "mail.d1.example"); res.Result != trace.Pass {
		b.Fatalf("%s: %s", res.Result, res.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		iprev.Check(b.Context(), dnsx.NewRecorder(dnsx.NewBudget(cache, 20*time.Second)), ip, "mail.d1.example")
	}
}
