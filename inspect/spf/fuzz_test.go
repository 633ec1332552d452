package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// fuzzRecords seeds the fuzz targets with records from the tests.
var fuzzRecords = []string{
	"v=spf1",
	"v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example ~all",
	"v=spf1 a/24//64 mx:example.com//48 a:foo.example.com/0 ptr:example.com ?all",
	"v=spf1 ip6:2001:db8::/32 ip4:192.0.2.1 ip6:::ffff:1.2.3.4 -all",
	"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all exp=explain.%{d}",
	"v=spf1 redirect=%{d}.d.spf.example.com. exp=%{ir}.example.com",
	"v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
	"v=spf1 moo.cow-far_out=man:dog/cat default=+ -all",
	"v=spf1 a:%{H}.bar -all",
	"v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com",
	"v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all",
	"v=spf1 a:ctrl.example.com\rptr -all",
	"v=spf1 \x80a:example.net -all",
	"v=spf1 ip4:1.2.3.4/032 a//129 ptr/0 include: exp= redirect=",
	"v=spf1 exists:%{d99999999999}.%{s}.%{L}.%{O-}.%{V}.%{h}.example.com",
	"v=spf1 include:f1.fuzz.example include:f2.fuzz.example mx a ptr -all",
}

func FuzzParse(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			switch {
			case errors.Is(err, ErrNotSPF):
				if IsSPF(text) {
					t.Fatalf("Parse(%q) = ErrNotSPF, but IsSPF is true", text)
				}
			case errors.As(err, &se):
				if se.Reason == "" || !strings.Contains(text, se.Term) {
					t.Fatalf("Parse(%q): syntax error %+v does not name a term of the record", text, se)
				}
			default:
				t.Fatalf("Parse(%q): unexpected error type %T", text, err)
			}
			return
		}
		var texts []string
		for _, term := range r.Terms {
			if term.Text == "" || strings.ContainsAny(term.Text, " ") {
				t.Fatalf("Parse(%q): term %q", text, term.Text)
			}
			if (term.Mechanism == "") == (term.Modifier == "") {
				t.Fatalf("Parse(%q): term %q is neither or both a mechanism and a modifier", text, term.Text)
			}
			if term.Prefix4 < 0 || term.Prefix4 > 32 || term.Prefix6 < 0 || term.Prefix6 > 128 {
				t.Fatalf("Parse(%q): term %q has prefixes /%d //%d", text, term.Text, term.Prefix4, term.Prefix6)
			}
			texts = append(texts, term.Text)
		}
		// The terms, written out again, are the same record.
		again, err := Parse("v=spf1 " + strings.Join(texts, " "))
		if err != nil || summary(again) != summary(r) {
			t.Fatalf("Parse(%q) = %q, but its terms re-parse as %v, %v", text, summary(r), again, err)
		}
	})
}

func FuzzExpand(f *testing.F) {
	for _, r := range fuzzRecords {
		for _, tok := range strings.Split(r, " ") {
			if i := strings.IndexAny(tok, ":="); i >= 0 {
				f.Add(tok[i+1:], false, "strong-bad", "192.0.2.3")
			}
		}
	}
	f.Add("%{c} is not one of %{d}'s designated mail servers.", true, "~jack&jill=up-a_b3.c", "2001:db8::cb01")
	f.Add("See http://%{d}/why.html?s=%{S}&i=%{I}&t=%{t}&r=%{R}", true, "a.b", "::ffff:1.2.3.4")
	f.Fuzz(func(t *testing.T, s string, explain bool, local, ip string) {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			addr = netip.MustParseAddr("192.0.2.3")
		}
		env := MacroEnv{Sender: local + "@email.example.com", Domain: "email.example.com", IP: addr, HELO: local, Now: time.Unix(1234567890, 0)}
		out, err := Expand(s, explain, env)
		if err != nil {
			return
		}
		if !explain {
			// Truncation keeps names within DNS's 253 characters, and
			// windowed expansion agrees with the full one.
			ms, perr := parseDomainSpec(s)
			if perr != nil {
				t.Fatalf("Expand(%q) worked but parseDomainSpec fails: %v", s, perr)
			}
			full := targetName(out)
			part := targetName(ms.expandRight(&env, 4*253))
			// A name still over 253 characters once every label that can
			// go has gone is refused either way; which tail of it the
			// step shows may differ (a crasher FuzzExpand found).
			tooLong := full.problem == "is longer than 253 characters"
			if full.name != part.name && !tooLong || full.problem != part.problem {
				t.Fatalf("Expand(%q): windowed target %q (%q), full %q (%q)", s, part.name, part.problem, full.name, full.problem)
			}
			if full.problem == "" && len(full.name) > 253 {
				t.Fatalf("Expand(%q): target of %d characters passed as valid", s, len(full.name))
			}
		}
	})
}

// FuzzCheck serves each fuzzed record from a real loopback DNS server and
// evaluates it end to end: whatever a domain publishes, the check ends with
// a result and an explanation, never a panic or a hang.
func FuzzCheck(f *testing.F) {
	for i, r := range fuzzRecords {
		f.Add(r, "alice", i%2 == 0)
	}
	srv := dnstest.StartZone(f, `
a.fuzz.example.     A     192.0.2.1
a.fuzz.example.     AAAA  2001:db8::1
fuzz.example.       MX    10 a.fuzz.example.
f1.fuzz.example.    TXT   "v=spf1 a:a.fuzz.example ~all"
f2.fuzz.example.    TXT   "v=spf1 include:f1.fuzz.example redirect=f1.fuzz.example"
1.2.0.192.in-addr.arpa. PTR a.fuzz.example.
`)
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, record, local string, v4 bool) {
		if len(record) > 2048 || len(local) > 256 {
			// Real records are far smaller, and each larger input costs a
			// TCP exchange; FuzzParse covers records of any length.
			return
		}
		name := fmt.Sprintf("r%d.fuzz.example.", n.Add(1))
		srv.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: splitTXT(record)})
		ip := netip.MustParseAddr("192.0.2.1")
		if !v4 {
			ip = netip.MustParseAddr("2001:db8::1")
		}
		// Limits.Timeout keeps one input under the fuzzer's 10 s limit for
		// a hung worker, however loaded the machine (the default is 20 s).
		res := Check(t.Context(), Input{Resolver: c, IP: ip, Sender: local + "@" + strings.TrimSuffix(name, "."), HELO: "a.fuzz.example",
			Limits: Limits{Timeout: 3 * time.Second}})
		switch res.Result {
		case trace.Pass, trace.Fail, trace.SoftFail, trace.Neutral, trace.None, trace.TempError, trace.PermError:
		default:
			t.Fatalf("record %q: result %q", record, res.Result)
		}
		if res.Explanation == "" || len(res.Steps) == 0 {
			t.Fatalf("record %q: %s without explanation or steps", record, res.Result)
		}
		if res.DNSLookups > DefaultLookups || res.VoidLookups > DefaultVoids+1 {
			t.Fatalf("record %q: %d lookups, %d voids", record, res.DNSLookups, res.VoidLookups)
		}
		checkSteps(t, res.Steps)
	})
}

// splitTXT serves a fuzzed record as character-strings of at most 255
// octets, escaped for miekg/dns.
func splitTXT(s string) []string {
	out := []string{}
	for {
		chunk := s[:min(len(s), 255)]
		out = append(out, escapeTXT(chunk))
		s = s[len(chunk):]
		if s == "" {
			return out
		}
	}
}
