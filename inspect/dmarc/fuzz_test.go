package dmarc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
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
	f.Add("")
	f.Add("a..b.")
	f.Add(".a.b.c.d.e.f.g.h.i.")
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
		if want := walkNamesByLabels(d); !slices.Equal(names, want) {
			t.Fatalf("WalkNames(%q) = %q, want %q", d, names, want)
		}
	})
}

// walkNamesByLabels is WalkNames as RFC 9989 §4.10 words it, label by
// label: split the name, then join its last k labels for each k. WalkNames
// slices the suffixes out of the name instead.
func walkNamesByLabels(domain string) []string {
	labels := strings.Split(domain, ".")
	n := len(labels)
	names := []string{domain}
	for k := min(n-1, 7); k >= 1; k-- {
		names = append(names, strings.Join(labels[n-k:], "."))
	}
	return names
}

// FuzzCheck serves a fuzzed DMARC record for a fresh domain from a real
// loopback DNS server and checks a message whose From field, SPF domain and
// DKIM domain are fuzzed too ("DOMAIN" in them stands for the domain that
// publishes the record): whatever a domain publishes and whatever a From
// field says, Check ends with a result, a story and explained steps, never a
// panic or a hang.
func FuzzCheck(f *testing.F) {
	for i, tc := range recordCases {
		f.Add(tc.txt, "a@DOMAIN", "DOMAIN", "sub.DOMAIN", i%2 == 0, i%3 == 0, i%4 == 0)
	}
	f.Add("v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n", `"Alice" <a@nx.sub.DOMAIN>`, "bounce.DOMAIN", "other.example", true, false, false)
	f.Add("v=DMARC1; p=quarantine; t=y; pct=0", "a@DOMAIN, b@other.example", "", "", false, true, true)
	f.Add("v=DMARC1; p=none; psd=y", "Team: a@x.y.z.q.w.e.r.t.DOMAIN;", "DOMAIN", "DOMAIN", true, true, false)
	f.Add("v=DMARC1\x00; p=reject", "=?utf-8?q?=E2=80=AE?= <a@DOMAIN>", "\u202eDOMAIN", "DOMAIN.", false, false, true)
	srv := dnstest.StartZone(f, "")
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second, Attempts: 1}
	results := map[trace.Result]bool{trace.Pass: true, trace.Fail: true, trace.None: true, trace.TempError: true, trace.PermError: true}
	dispositions := map[dmarc.Disposition]bool{dmarc.Deliver: true, dmarc.Quarantine: true, dmarc.Reject: true}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, record, from, spfDomain, dkimDomain string, spfPass, dkimPass, rfc7489 bool) {
		if len(record) > 2048 || len(from) > 2048 || len(spfDomain) > 300 || len(dkimDomain) > 300 {
			return // real records and From fields are far smaller; FuzzParseRecord and FuzzParseAuthor take any length
		}
		domain := fmt.Sprintf("r%d.fuzz.example", n.Add(1))
		srv.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: "_dmarc." + domain + ".", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: txtStrings(record)})
		srv.AddRR(&dns.A{Hdr: dns.RR_Header{Name: "sub." + domain + ".", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 1}})
		in := dmarc.Input{Resolver: c, From: []string{strings.ReplaceAll(from, "DOMAIN", domain)}}
		in.SPF = dmarc.SPFResult{Result: trace.Fail, Domain: strings.ReplaceAll(spfDomain, "DOMAIN", domain), Identity: "mailfrom"}
		if spfPass {
			in.SPF.Result = trace.Pass
		}
		dk := dmarc.DKIMResult{Result: trace.Fail, Domain: strings.ReplaceAll(dkimDomain, "DOMAIN", domain), Selector: "s"}
		if dkimPass {
			dk.Result = trace.Pass
		}
		in.DKIM = []dmarc.DKIMResult{dk}
		if rfc7489 {
			in.Standard = dmarc.RFC7489
		}
		// A loaded machine can make every lookup wait out the client
		// timeout; the deadline keeps one input well under the fuzzer's
		// 10 s limit for a hung worker (the result is then temperror).
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		res := dmarc.Check(ctx, in)
		if !results[res.Result] || !validPolicy(res.Policy) || res.Story == "" || len(res.Steps) == 0 {
			t.Fatalf("record %q, From %q: result %q policy %q story %q, %d steps", record, in.From, res.Result, res.Policy, res.Story, len(res.Steps))
		}
		for _, e := range []dmarc.Evaluation{res.RFC9989, res.RFC7489} {
			if !results[e.Result] || !dispositions[e.Disposition] || e.Reason == "" {
				t.Fatalf("record %q, From %q: %s evaluation %q, disposition %q, reason %q", record, in.From, e.Standard, e.Result, e.Disposition, e.Reason)
			}
			if e.Result == trace.Pass && (!e.SPFAligned && !e.DKIMAligned || e.Disposition != dmarc.Deliver) {
				t.Fatalf("record %q, From %q: %s passes without alignment or is not delivered: %+v", record, in.From, e.Standard, e)
			}
			if len(e.Queried) > 3*dmarc.MaxWalkQueries {
				t.Fatalf("%s needed %d _dmarc names", e.Standard, len(e.Queried))
			}
		}
		checkSteps(t, res.Steps)
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}

// txtStrings serves s as character-strings of at most 255 octets, escaped
// for miekg/dns's presentation form.
func txtStrings(s string) []string {
	var out []string
	for {
		chunk := s[:min(len(s), 255)]
		var b strings.Builder
		for i := 0; i < len(chunk); i++ {
			switch c := chunk[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		out = append(out, b.String())
		s = s[len(chunk):]
		if s == "" {
			return out
		}
	}
}

// FuzzPlainAddress holds PlainAddress to net/mail: whatever it accepts,
// mail.ParseAddressList reads as one address with the same addr-spec.
func FuzzPlainAddress(f *testing.F) {
	for _, s := range []string{
		" Sender 7 <news@d7.example>", "news@d7.example", "<a@b.c>", "Alice<a.b@c.d>", " a+tag=x@mail-1.example.com\t",
		"a..b@c.d", ".a@b.c", "a@b..c", "a@b.c.", "a@[192.0.2.1]", "\"q\" <a@b.c>", "A, B <a@b.c>", "a@b@c", "<a@b.c> x", "=?utf-8?q?x?= <a@b.c>",
		"a@b.c, d@e.f", "(c) a@b.c", "a_b@c-d.e", "-a@-b.c-", "A  B <a@b.c>", "a@b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		name, addr, ok := dmarc.PlainAddress(v)
		if !ok {
			return
		}
		list, err := mail.ParseAddressList(v)
		if err != nil || len(list) != 1 || list[0].Address != addr || list[0].Name != name {
			t.Fatalf("PlainAddress(%q) = %q, %q; net/mail gives %v, %v", v, name, addr, list, err)
		}
	})
}

// TestPlainAddress: the plain forms are read without net/mail, anything
// else is left to it.
func TestPlainAddress(t *testing.T) {
	cases := []struct{ in, want, name string }{
		{" Sender 7 <news@d7.example>", "news@d7.example", "Sender 7"},
		{"Sender   7  <news@d7.example>", "news@d7.example", "Sender 7"},
		{"news@d7.example", "news@d7.example", ""},
		{"<a@b.c>", "a@b.c", ""},
		{"Alice<a.b@c.d>", "a.b@c.d", "Alice"},
		{" a+tag=x@mail-1.example.com\t", "a+tag=x@mail-1.example.com", ""},
		{"a..b@c.d", "", ""},
		{"a@b.c.", "", ""},
		{"\"q\" <a@b.c>", "", ""},
		{"A, B <a@b.c>", "", ""},
		{"a@b@c", "", ""},
		{"=?utf-8?q?x?= <a@b.c>", "", ""},
		{"a@b.c, d@e.f", "", ""},
		{"(c) a@b.c", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		name, got, ok := dmarc.PlainAddress(c.in)
		if got != c.want || name != c.name || ok != (c.want != "") {
			t.Errorf("PlainAddress(%q) = %q, %q, %v; want %q, %q, %v", c.in, name, got, ok, c.name, c.want, c.want != "")
		}
	}
}
