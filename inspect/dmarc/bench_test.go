package dmarc_test

import (
	"testing"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
)

// BenchmarkCheck runs whole checks against the loopback server: every
// iteration is a new message, so its _dmarc answers are asked again (the
// check's own cache lives for one message).
func BenchmarkCheck(b *testing.B) {
	srv := dnstest.Start(b, "testdata/dmarc.zone")
	r := dnsx.NewClient(srv.Addr)
	cases := []struct {
		name string
		in   dmarc.Input
	}{
		{"aligned pass", dmarc.Input{From: []string{"a@aligned.example"}, SPF: spfPass("aligned.example"), DKIM: []dmarc.DKIMResult{dkimPass("aligned.example")}}},
		{"relaxed subdomain walks", dmarc.Input{From: []string{"a@relaxed.example"}, SPF: spfPass("bounce.relaxed.example"), DKIM: []dmarc.DKIMResult{dkimPass("mail.relaxed.example")}}},
		{"nine labels", dmarc.Input{From: []string{"a@a.b.c.d.e.f.g.deep.example"}, SPF: spfFail("a.b.c.d.e.f.g.deep.example")}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tc.in.Resolver = r
			b.ReportAllocs()
			for b.Loop() {
				if res := dmarc.Check(b.Context(), tc.in); res.Result == "" {
					b.Fatal("no result")
				}
			}
		})
	}
}

// BenchmarkCheckCached is Check as an mbox run makes it: every answer
// comes from the run's warm DNS cache, so what is measured is the check's
// own work (the walk, both evaluations, the steps and their words) for
// messages like those of BenchmarkMboxJSON: SPF and one or two DKIM
// signatures passing for the From domain, or only DKIM passing for a
// subdomain.
func BenchmarkCheckCached(b *testing.B) {
	srv := dnstest.Start(b, "testdata/dmarc.zone")
	r := dnsx.NewCache(dnsx.NewClient(srv.Addr), dnsx.CacheOptions{})
	cases := []struct {
		name string
		in   dmarc.Input
	}{
		{"aligned pass", dmarc.Input{From: []string{"Sender 7 <news@aligned.example>"}, SPF: spfPass("aligned.example"),
			DKIM: []dmarc.DKIMResult{dkimPass("aligned.example"), dkimPass("aligned.example")}}},
		{"relaxed subdomain walks", dmarc.Input{From: []string{"a@relaxed.example"}, SPF: spfFail("bounce.relaxed.example"), DKIM: []dmarc.DKIMResult{dkimPass("mail.relaxed.example")}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tc.in.Resolver = r
			dmarc.Check(b.Context(), tc.in) // warm the cache
			b.ReportAllocs()
			for b.Loop() {
				if res := dmarc.Check(b.Context(), tc.in); res.Result != trace.Pass {
					b.Fatal(res.Result, res.Reason)
				}
			}
		})
	}
}

func BenchmarkParseRecord(b *testing.B) {
	const txt = "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; rua=mailto:a@example.com,mailto:b@example.net; fo=1"
	for _, std := range []dmarc.Standard{dmarc.RFC9989, dmarc.RFC7489} {
		b.Run(string(std), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dmarc.ParseRecord(txt, std); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseAuthor(b *testing.B) {
	in := []string{`"PayPal Service" <service@paypal.example>`}
	b.ReportAllocs()
	for b.Loop() {
		if a := dmarc.ParseAuthor(in); len(a.Domains) != 1 {
			b.Fatal(a.Domains)
		}
	}
}

// BenchmarkOrganizationalDomain asks for the names one message brings
// (author, SPF domain, DKIM d=, their subdomains), as every message of an
// mbox asks them again.
func BenchmarkOrganizationalDomain(b *testing.B) {
	names := []string{"example.com", "mail.example.com", "bounce.news.example.co.uk", "user.github.io", "a.b.c.d.e.f.g.deep.example", "paypal.com", "xn--pypal-4ve.com"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			dmarc.OrganizationalDomain(n)
		}
	}
}

// BenchmarkParseAuthorPlain is the From most mail has: a display name of
// plain words and the address in angle brackets.
func BenchmarkParseAuthorPlain(b *testing.B) {
	in := []string{" Sender 7 <news@d7.example>"}
	b.ReportAllocs()
	for b.Loop() {
		if a := dmarc.ParseAuthor(in); len(a.Domains) != 1 {
			b.Fatal(a.Domains)
		}
	}
}
