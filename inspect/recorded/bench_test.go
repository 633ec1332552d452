package recorded

import (
	"testing"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// BenchmarkParse reads the Authentication-Results fields of a Gmail
// delivery, a Microsoft 365 one and kernel.org's list server, as a
// message of an mbox run carries them.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse(gmailAR, false)
		Parse(gmailAAR, true)
		Parse(microsoftAR, false)
		Parse(kernelAAR, true)
	}
}

// BenchmarkCompare judges one receiver's three fields (OpenDMARC, OpenDKIM,
// the SPF checker) against a replay in which the DKIM key was revoked.
func BenchmarkCompare(b *testing.B) {
	chain := received.Chain{Boundary: 0, Receiving: []string{"inbound.example"}, Hops: []received.Hop{{By: "mx1.inbound.example", FromIP: "192.0.2.10"}}}
	var hs []Header
	for i, v := range []string{
		"mx1.inbound.example; dmarc=pass header.from=example.org",
		"mx1.inbound.example; dkim=pass header.d=example.org header.s=sel",
		"mx1.inbound.example; spf=pass smtp.mailfrom=bounces+1=x@em.esp.example",
	} {
		h := Parse(v, false)
		h.Trusted, h.Index = true, i
		hs = append(hs, h)
	}
	r := Replay{
		Chain: chain,
		SPF:   spf.Result{Result: trace.Pass, Domain: "em.esp.example", Identity: spf.MailFrom, ClientIP: "192.0.2.10"},
		DKIM:  []dkim.Signature{sig(trace.PermError, "NOERROR", "v=DKIM1; k=ed25519; p=", nil, nil)},
		DMARC: dmarc.Result{Result: trace.Fail, FromDomain: "example.org"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(Compare(hs, r)) != 2 {
			b.Fatal("want two differences")
		}
	}
}
