package dmarc_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

// TestWalkRFCExamples replays the tree walk examples of RFC 9989 §4.10.2
// and Appendix B.4 against zones holding exactly the records they describe.
func TestWalkRFCExamples(t *testing.T) {
	cases := []struct {
		name  string
		zone  string
		start string
		org   string
		names []string // nil: not checked
	}{
		{
			name:  "§4.10.2: records at mail.example.com and example.com",
			zone:  "testdata/walk-4.10.2-both.zone",
			start: "a.mail.example.com", org: "example.com",
			names: []string{"a.mail.example.com", "mail.example.com", "example.com", "com"},
		},
		{
			name:  "§4.10.2: psd=n at mail.example.com",
			zone:  "testdata/walk-4.10.2-psdn.zone",
			start: "a.mail.example.com", org: "mail.example.com",
			names: []string{"a.mail.example.com", "mail.example.com"},
		},
		{
			name:  "§4.10.2: only _dmarc.com, with psd=y",
			zone:  "testdata/walk-4.10.2-com.zone",
			start: "a.mail.example.com", org: "example.com",
		},
		{
			name:  "§4.10.2: no record anywhere",
			zone:  "testdata/walk-empty.zone",
			start: "a.mail.example.com", org: "a.mail.example.com",
		},
		{
			name:  "B.4.1: the Author Domain",
			zone:  appendixB41,
			start: "example.com", org: "example.com",
			names: []string{"example.com", "com"},
		},
		{
			name:  "B.4.1: the DKIM identifier",
			zone:  appendixB41,
			start: "signing.example.com", org: "example.com",
			names: []string{"signing.example.com", "example.com", "com"},
		},
		{
			name:  "B.4.2: deep Author Domain",
			zone:  appendixB41,
			start: "a.b.c.d.e.f.g.h.i.j.k.example.com", org: "example.com",
			names: []string{"a.b.c.d.e.f.g.h.i.j.k.example.com", "g.h.i.j.k.example.com", "h.i.j.k.example.com",
				"i.j.k.example.com", "j.k.example.com", "k.example.com", "example.com", "com"},
		},
		{
			name:  "B.4.3: the Author Domain",
			zone:  appendixB43,
			start: "giant.bank.example", org: "giant.bank.example",
			names: []string{"giant.bank.example", "bank.example"},
		},
		{
			name:  "B.4.3: the MAIL FROM domain",
			zone:  appendixB43,
			start: "mail.giant.bank.example", org: "giant.bank.example",
			names: []string{"mail.giant.bank.example", "giant.bank.example", "bank.example"},
		},
		{
			name:  "B.4.3: the DKIM identifier",
			zone:  appendixB43,
			start: "mail.mega.bank.example", org: "mega.bank.example",
			names: []string{"mail.mega.bank.example", "mega.bank.example", "bank.example"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := dnstest.Start(t, tc.zone)
			w := dmarc.NewWalker(dnsx.NewClient(srv.Addr))
			wk := w.Walk(t.Context(), tc.start)
			if wk.Failed || wk.OrgDomain != tc.org {
				t.Errorf("Walk(%s) org = %q (failed %v), want %q; rule: %s", tc.start, wk.OrgDomain, wk.Failed, tc.org, wk.OrgRule)
			}
			if tc.names != nil && !slices.Equal(wk.Names, tc.names) {
				t.Errorf("Walk(%s) asked %q, want %q", tc.start, wk.Names, tc.names)
			}
			// A second walk from the same place asks nothing more.
			before := srv.Count("_dmarc."+tc.start, dns.TypeTXT)
			w.Walk(t.Context(), tc.start)
			if after := srv.Count("_dmarc."+tc.start, dns.TypeTXT); after != before || before != 1 {
				t.Errorf("_dmarc.%s asked %d then %d times, want once", tc.start, before, after)
			}
		})
	}
}

const (
	appendixB41 = "testdata/appendix-b41.zone"
	appendixB43 = "testdata/appendix-b43.zone"
)

func TestWalkerAligned(t *testing.T) {
	cases := []struct {
		zone, author, id string
		mode             dmarc.Alignment
		want             bool
	}{
		{appendixB41, "example.com", "signing.example.com", dmarc.Relaxed, true},
		{appendixB41, "example.com", "signing.example.com", dmarc.Strict, false},
		{appendixB41, "a.b.c.d.e.f.g.h.i.j.k.example.com", "example.com", dmarc.Relaxed, true},
		{appendixB43, "giant.bank.example", "mail.giant.bank.example", dmarc.Relaxed, true},
		{appendixB43, "giant.bank.example", "mail.mega.bank.example", dmarc.Relaxed, false},
		{appendixB43, "giant.bank.example", "giant.bank.example", dmarc.Strict, true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s~%s/%s", tc.author, tc.id, tc.mode), func(t *testing.T) {
			srv := dnstest.Start(t, tc.zone)
			w := dmarc.NewWalker(dnsx.NewClient(srv.Addr))
			got, known, _ := w.Aligned(t.Context(), tc.author, tc.id, tc.mode)
			if got != tc.want || !known {
				t.Errorf("Aligned(%s, %s, %s) = %v (known %v), want %v", tc.author, tc.id, tc.mode, got, known, tc.want)
			}
		})
	}
}

func ExampleAligned() {
	fmt.Println(dmarc.Aligned("news.example.com", "bounces.example.com", dmarc.Relaxed))
	fmt.Println(dmarc.Aligned("news.example.com", "bounces.example.com", dmarc.Strict))
	fmt.Println(dmarc.Aligned("mail.brand.co.uk", "evil.co.uk", dmarc.Relaxed))
	// Output:
	// true
	// false
	// false
}

func ExampleOrganizationalDomain() {
	fmt.Println(dmarc.OrganizationalDomain("mail.brand.co.uk"))
	fmt.Println(dmarc.OrganizationalDomain("co.uk"))
	// Output:
	// brand.co.uk true
	//  false
}
