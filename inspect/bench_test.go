package inspect_test

import (
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
)

// BenchmarkInspect: one typical message — three hops, an
// Authentication-Results of the receiver, a DKIM signature — with every
// DNS answer already in the run's cache, as for the second and later
// messages of an mbox from the same senders. It measures the checks, not
// the network.
func BenchmarkInspect(b *testing.B) {
	srv := startDNS(b, "aligned.example")
	top := []string{
		"Authentication-Results: mx1.inbound.example; spf=pass smtp.mailfrom=aligned.example; dkim=pass header.d=aligned.example header.s=sel; dmarc=pass header.from=aligned.example",
		"Received: from mx1.inbound.example (mx1.inbound.example [192.0.2.1]) by store.inbound.example (Dovecot) with LMTP id 1; Fri, 20 Nov 2026 08:14:31 +0000",
		boundaryHop("mail.aligned.example", "192.0.2.10"),
		"Received: from laptop (unknown [10.0.0.5]) by mail.aligned.example (Postfix) with ESMTPSA id 2; Fri, 20 Nov 2026 08:14:29 +0000",
	}
	raw := sign(b, mail(top, "Alice <alice@aligned.example>", "bounce@aligned.example"), "aligned.example")
	m := load(b, raw)
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = time.Second
	opts := inspect.Options{Resolver: dnsx.NewCache(c, dnsx.CacheOptions{}), Now: func() time.Time { return fixedNow }}
	rep, err := inspect.Inspect(b.Context(), m, opts) // warm the cache
	if err != nil {
		b.Fatal(err)
	}
	if rep.Verdict.Disposition != inspect.Deliver || rep.DMARC.Result != "pass" {
		b.Fatalf("the benchmark message does not pass: %s", rep.Verdict.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inspect.Inspect(b.Context(), m, opts); err != nil {
			b.Fatal(err)
		}
	}
}
