package dmarc_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
)

func validPolicy(p dmarc.Policy) bool {
	return p == "" || p == dmarc.PolicyNone || p == dmarc.PolicyQuarantine || p == dmarc.PolicyReject
}

func FuzzParseRecord(f *testing.F) {
	for _, tc := range recordCases {
		f.Add(tc.txt)
	}
	f.Add("v=DMARC1; p=reject; rua=mailto:a@b.example!10m, https://x.example/%zz")
	f.Add("v=DMARC1; fo=0:1:d:s:d; ri=99999999999; rf=afrf:iodef")
	f.Fuzz(func(t *testing.T, txt string) {
		for _, std := range []dmarc.Standard{dmarc.RFC9989, dmarc.RFC7489} {
			r, err := dmarc.ParseRecord(txt, std)
			if !dmarc.IsDMARC(txt) {
				if !errors.Is(err, dmarc.ErrNotDMARC) {
					t.Fatalf("ParseRecord(%q) = %v for a non-DMARC record", txt, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("ParseRecord(%q, %s): %v", txt, std, err)
			}
			if !validPolicy(r.Policy) || !validPolicy(r.SubPol) || !validPolicy(r.NonExist) {
				t.Fatalf("ParseRecord(%q, %s): policies %q %q %q", txt, std, r.Policy, r.SubPol, r.NonExist)
			}
			if !r.Unusable && r.Policy == "" || r.Unusable && r.Why == "" || r.Unusable && r.PolicyFromRUA {
				t.Fatalf("ParseRecord(%q, %s): unusable %v (%q) with p=%q", txt, std, r.Unusable, r.Why, r.Policy)
			}
			if r.ADKIM != dmarc.Relaxed && r.ADKIM != dmarc.Strict || r.ASPF != dmarc.Relaxed && r.ASPF != dmarc.Strict {
				t.Fatalf("ParseRecord(%q, %s): alignment %q %q", txt, std, r.ADKIM, r.ASPF)
			}
			if r.Percent < 0 || r.Percent > 100 {
				t.Fatalf("ParseRecord(%q, %s): pct %d", txt, std, r.Percent)
			}
			if std == dmarc.RFC7489 && (r.NonExist != "" || r.Testing || r.PSD != "u") {
				t.Fatalf("RFC 7489 reading of %q uses RFC 9989 tags", txt)
			}
			for _, n := range r.Notes {
				if n.Explain == "" || n.Ref == "" || !utf8.ValidString(n.Explain) && utf8.ValidString(txt) {
					t.Fatalf("ParseRecord(%q, %s): bad note %+v", txt, std, n)
				}
			}
		}
		agreeWithLibrary(t, txt)
	})
}

func FuzzParseAuthor(f *testing.F) {
	f.Add("a@example.com", "")
	f.Add(`"Alice" <alice@Example.COM>`, "")
	f.Add("a@example.com, b@example.net", "")
	f.Add("Team: a@example.com, b@example.net;", "x@y.example")
	f.Add("=?x-unknown?q?Alice?= <a@example.com>", "")
	f.Add("PayPal <service@paypal.example", "")
	f.Add(`"service@paypal.example" <x@evil.example`, "")
	f.Add("a@bücher.example", "")
	f.Add("(comment <a@b.example>) c@d.example", "")
	f.Add("undisclosed-recipients:;", "")
	f.Add("a@[192.0.2.1]", "")
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		for _, values := range [][]string{{v1}, {v1, v2}} {
			a := dmarc.ParseAuthor(values)
			if a.Fields != len(values) {
				t.Fatalf("Fields = %d for %d values", a.Fields, len(values))
			}
			seen := map[string]bool{}
			for _, d := range a.Domains {
				if seen[d] {
					t.Fatalf("ParseAuthor(%q): domain %q twice", values, d)
				}
				seen[d] = true
				if d != strings.ToLower(d) || strings.HasSuffix(d, ".") {
					t.Fatalf("ParseAuthor(%q): domain %q not normalized", values, d)
				}
				if _, err := dnsx.Fqdn("_dmarc." + d); err != nil {
					t.Fatalf("ParseAuthor(%q): domain %q cannot be asked: %v", values, d, err)
				}
			}
			switch {
			case len(values) > 1 && a.Problem != dmarc.FromMultipleFields,
				len(values) == 1 && len(a.Addresses) > 1 && a.Problem != dmarc.FromMultipleAddresses,
				len(values) == 1 && len(a.Addresses) <= 1 && len(a.Domains) == 0 && a.Problem != dmarc.FromNoDomain,
				len(values) == 1 && len(a.Addresses) == 1 && len(a.Domains) == 1 && a.Problem != dmarc.FromOK,
				len(a.Domains) > len(a.Addresses):
				t.Fatalf("ParseAuthor(%q): problem %q with domains %q", values, a.Problem, a.Domains)
			}
		}
	})
}

func FuzzWalkNames(f *testing.F) {
	f.Add("a.b.c.d.e.f.g.h.i.j.mail.example.com")
	f.Add("example.com")
	f.Add("com")
	f.Fuzz(func(t *testing.T, d string) {
		names := dmarc.WalkNames(d)
		if len(names) == 0 || len(names) > dmarc.MaxWalkQueries || names[0] != d {
			t.Fatalf("WalkNames(%q) = %q", d, names)
		}
		for i, n := range names[1:] {
			if !strings.HasSuffix(d, "."+n) || strings.Count(n, ".") >= strings.Count(names[i], ".") {
				t.Fatalf("WalkNames(%q) = %q: %q does not climb", d, names, n)
			}
		}
	})
}
