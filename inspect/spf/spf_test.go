package spf

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// startZone serves testdata/check.zone with down.example answering
// SERVFAIL, and returns a client for it. No test here waits for a timeout
// with this client, so its timeout only needs to be long enough for a
// loaded machine.
func startZone(t testing.TB) (*dnstest.Server, *dnsx.Client) {
	t.Helper()
	srv := dnstest.Start(t, "testdata/check.zone")
	srv.Fail("down.example", dns.RcodeServerFailure)
	return srv, &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 2 * time.Second}
}

func TestCheck(t *testing.T) {
	_, c := startZone(t)
	cases := []struct {
		name      string
		ip        string
		sender    string
		helo      string
		result    trace.Result
		mechanism string
		lookups   int
		voids     int
		explains  []string // phrases the explanation must hold
	}{
		{"own network", "192.0.2.7", "bob@example.org", "mail.example.org", trace.Pass, "ip4:192.0.2.0/24", 0, 0,
			[]string{"192.0.2.7 is allowed to send mail for the MAIL FROM domain example.org", "ip4:192.0.2.0/24", "From: address"}},
		{"through two includes", "203.0.113.9", "bob@example.org", "mail.example.org", trace.Pass, "include:_spf.provider.example", 2, 0,
			[]string{"ip4:203.0.113.0/25 in the record of _v6.provider.example", "include:_spf.provider.example then include:_v6.provider.example"}},
		{"ipv6 through includes", "2001:db8:2::25", "bob@example.org", "mail.example.org", trace.Pass, "include:_spf.provider.example", 2, 0, nil},
		{"softfail", "198.18.0.1", "bob@example.org", "mail.example.org", trace.SoftFail, "~all", 2, 0,
			[]string{"198.18.0.1 is not in any address", "~all, which asks receivers to accept but mark the message"}},
		{"fail with exp", "198.18.0.1", "bob@strict.example", "", trace.Fail, "-all", 1, 0,
			[]string{"-all, which asks receivers to reject the message", `strict.example adds its own explanation (its words, not headercheck's): "198.18.0.1 is not one of strict.example's mail servers"`}},
		{"mx match", "192.0.2.10", "bob@strict.example", "", trace.Pass, "mx", 1, 0, []string{"it matched mx in the record"}},
		{"redirect", "192.0.2.7", "bob@news.example.org", "", trace.Pass, "ip4:192.0.2.0/24", 1, 0,
			[]string{"the record of example.org (which news.example.org hands over to with redirect=)"}},
		{"neutral default", "192.0.2.7", "bob@open.example", "", trace.Neutral, "", 1, 0, []string{"neither an all nor a redirect="}},
		{"plus all", "198.18.0.1", "bob@anyone.example", "", trace.Pass, "+all", 0, 0, []string{"+all", "says nothing about who really sent"}},
		{"no record", "192.0.2.7", "bob@nospf.example", "", trace.None, "", 0, 0, []string{"The domain nospf.example publishes no SPF record", "SPF says nothing"}},
		{"no domain", "192.0.2.7", "bob@nowhere.example", "", trace.None, "", 0, 0, []string{"does not exist in DNS (NXDOMAIN)"}},
		{"servfail in include", "192.0.2.7", "bob@broken.example", "", trace.TempError, "", 1, 0,
			[]string{"in the record of down.example", "SERVFAIL", "try again later"}},
		{"two records", "192.0.2.7", "bob@double.example", "", trace.PermError, "", 0, 0, []string{"publishes 2 SPF records"}},
		{"syntax error", "192.0.2.1", "bob@typo.example", "", trace.PermError, "", 0, 0, []string{`term "-al"`, "operator must fix"}},
		{"void limit", "192.0.2.1", "bob@voids.example", "", trace.PermError, "", 3, 3, []string{"more than 2 of its lookups found nothing"}},
		{"null sender", "192.0.2.25", "", "mail.example.org", trace.Pass, "a", 1, 0, []string{"MAIL FROM domain mail.example.org"}},
		{"angle brackets", "192.0.2.7", "<bob@example.org>", "", trace.Pass, "ip4:192.0.2.0/24", 0, 0, nil},
		{"ipv4-mapped client", "::ffff:192.0.2.7", "bob@example.org", "", trace.Pass, "ip4:192.0.2.0/24", 0, 0, nil},
		{"address literal domain", "192.0.2.7", "bob@[192.0.2.7]", "", trace.None, "", 0, 0, []string{"address literal"}},
		{"single label", "192.0.2.7", "bob@localhost", "", trace.None, "", 0, 0, []string{"single label"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr(tc.ip), Sender: tc.sender, HELO: tc.helo, Now: time.Unix(1700000000, 0)})
			if res.Result != tc.result || res.Mechanism != tc.mechanism || res.DNSLookups != tc.lookups || res.VoidLookups != tc.voids {
				t.Errorf("Check(%s, %q) = %s by %q, %d lookups, %d void; want %s by %q, %d, %d\nexplanation: %s\n%s",
					tc.ip, tc.sender, res.Result, res.Mechanism, res.DNSLookups, res.VoidLookups,
					tc.result, tc.mechanism, tc.lookups, tc.voids, res.Explanation, dumpSteps(res.Steps, "  "))
			}
			for _, p := range tc.explains {
				if !strings.Contains(res.Explanation, p) {
					t.Errorf("explanation %q lacks %q", res.Explanation, p)
				}
			}
			checkSteps(t, res.Steps)
			if res.Identity != MailFrom {
				t.Errorf("identity = %q, want mailfrom", res.Identity)
			}
		})
	}
}

func TestCheckMappedClientIP(t *testing.T) {
	_, c := startZone(t)
	res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("::ffff:192.0.2.7"), Sender: "bob@example.org"})
	if res.ClientIP != "192.0.2.7" {
		t.Errorf("client_ip = %q, want the IPv4 form 192.0.2.7", res.ClientIP)
	}
	if !slices.ContainsFunc(res.Steps, func(s trace.Step) bool { return s.Title == "IPv4-mapped client address" }) {
		t.Errorf("no step says the mapped address is treated as IPv4:\n%s", dumpSteps(res.Steps, "  "))
	}
}

func TestCheckHELO(t *testing.T) {
	_, c := startZone(t)
	cases := []struct {
		helo   string
		ip     string
		result trace.Result
	}{
		{"mail.example.org", "192.0.2.25", trace.Pass},
		{"mail.example.org", "192.0.2.26", trace.Fail},
		{"[192.0.2.25]", "192.0.2.25", trace.None},
		{"192.0.2.25", "192.0.2.25", trace.None},
		{"OEMCOMPUTER", "192.0.2.25", trace.None},
		{"", "192.0.2.25", trace.None},
	}
	for _, tc := range cases {
		res := CheckHELO(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr(tc.ip), Sender: "ignored@example.org", HELO: tc.helo})
		if res.Result != tc.result || res.Identity != HELO || res.Domain != tc.helo {
			t.Errorf("CheckHELO(%q, %s) = %s (%s, domain %q), want %s (helo, %q)\n%s", tc.helo, tc.ip, res.Result, res.Identity, res.Domain, tc.result, tc.helo, dumpSteps(res.Steps, "  "))
		}
		if tc.result == trace.Pass && res.Sender != "postmaster@"+tc.helo {
			t.Errorf("CheckHELO sender = %q, want postmaster@%s", res.Sender, tc.helo)
		}
	}
}

func TestCheckTipOff(t *testing.T) {
	_, c := startZone(t)
	res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "alice@tracker.example"})
	if res.Result != trace.Pass || !res.TipOff {
		t.Fatalf("Check = %s, tip_off %v; want pass and a tip-off\n%s", res.Result, res.TipOff, dumpSteps(res.Steps, "  "))
	}
	var warn *trace.Step
	for i := range res.Steps {
		if res.Steps[i].Result == trace.Warn {
			warn = &res.Steps[i]
		}
	}
	if warn == nil {
		t.Fatalf("no warn step:\n%s", dumpSteps(res.Steps, "  "))
	}
	for _, p := range []string{"local part", "client IP", "alice.192.0.2.7._spf.tracker.example", "--dns-snapshot"} {
		if !strings.Contains(warn.Detail+warn.Explain, p) {
			t.Errorf("tip-off step %q / %q lacks %q", warn.Detail, warn.Explain, p)
		}
	}
	if warn.Ref != "RFC 7208 §11.6" {
		t.Errorf("tip-off ref = %q", warn.Ref)
	}

	// A record without such macros tips nobody off.
	res = Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@example.org"})
	if res.TipOff {
		t.Errorf("example.org's record has no l, s or i macros, but tip_off is set")
	}
}

func TestCheckLimits(t *testing.T) {
	_, c := startZone(t)
	// twoinclude.example spends 2 terms on _spf.provider.example's two
	// includes and a third on strict.example.
	in := Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.10"), Sender: "bob@twoinclude.example"}
	if res := Check(t.Context(), in); res.Result != trace.Pass || res.DNSLookups != 4 {
		t.Errorf("default limits: %s with %d lookups, want pass with 4", res.Result, res.DNSLookups)
	}
	in.Limits.Lookups = 3
	res := Check(t.Context(), in)
	if res.Result != trace.PermError || res.DNSLookups != 3 || !strings.Contains(res.Explanation, "more than 3 DNS-querying terms") {
		t.Errorf("Lookups 3: %s with %d lookups (%s), want permerror after 3", res.Result, res.DNSLookups, res.Explanation)
	}
	in = Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.1"), Sender: "bob@voids.example", Limits: Limits{Voids: 5}}
	if res := Check(t.Context(), in); res.Result != trace.Fail || res.VoidLookups != 3 {
		t.Errorf("Voids 5: %s with %d voids, want fail with 3", res.Result, res.VoidLookups)
	}
}

func TestCheckDepth(t *testing.T) {
	srv, c := startZone(t)
	if err := srv.Add(`loop.example. TXT "v=spf1 include:loop.example -all"`); err != nil {
		t.Fatal(err)
	}
	in := Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@loop.example", Limits: Limits{Lookups: 1000}}
	res := Check(t.Context(), in)
	if res.Result != trace.PermError || !strings.Contains(res.Explanation, "nest more than 32 levels") {
		t.Errorf("self-include with a limit of 1000: %s (%s), want permerror for nesting", res.Result, res.Explanation)
	}
	in.Limits = Limits{}
	if res := Check(t.Context(), in); res.Result != trace.PermError || res.DNSLookups != 10 {
		t.Errorf("self-include: %s with %d lookups, want permerror after 10", res.Result, res.DNSLookups)
	}
}

// An answer over dnsx's caps comes back the same however often it is
// asked, so it is a permerror (RFC 7208 §2.6.7), not a temperror: for the
// record itself, for a mechanism's lookup, and for an MX host's addresses.
func TestCheckAnswerOverTheCaps(t *testing.T) {
	srv, c := startZone(t)
	hdr := func(name string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	big := make([]string, 100)
	for i := range big {
		big[i] = strings.Repeat("x", 250)
	}
	srv.AddRR(&dns.TXT{Hdr: hdr("huge.example.", dns.TypeTXT), Txt: append([]string{"v=spf1 -all "}, big...)})
	for i := range 150 {
		srv.AddRR(&dns.A{Hdr: hdr("crowd.example.", dns.TypeA), A: net.IPv4(198, 51, 100, byte(i))})
	}
	if err := srv.Add(
		`mech.example. TXT "v=spf1 a:crowd.example -all"`,
		`mxcrowd.example. TXT "v=spf1 mx -all"`,
		`mxcrowd.example. MX 10 crowd.example.`,
	); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sender, ref, explain string }{
		{"a@huge.example", "RFC 7208 §2.6.7", "holds 1 TXT records"},
		{"a@mech.example", "RFC 7208 §2.6.7", "the answer holds 150 A records"},
		{"a@mxcrowd.example", "RFC 7208 §2.6.7", "the answer holds 150 A records"},
	}
	for _, tc := range cases {
		t.Run(tc.sender, func(t *testing.T) {
			res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: tc.sender})
			if res.Result != trace.PermError || !strings.Contains(res.Explanation, "operator must fix") {
				t.Errorf("Check(%s) = %s (%s), want permerror", tc.sender, res.Result, res.Explanation)
			}
			var found bool
			var walk func([]trace.Step)
			walk = func(steps []trace.Step) {
				for _, s := range steps {
					if s.Result == trace.PermError && s.Ref == tc.ref && strings.Contains(s.Explain, "asking again would give the same answer") && s.Query != nil {
						found = found || strings.Contains(s.Explain+s.Detail+s.Query.Note, tc.explain)
					}
					walk(s.Steps)
				}
			}
			walk(res.Steps)
			if !found {
				t.Errorf("Check(%s): no permerror step citing %s that says %q:\n%+v", tc.sender, tc.ref, tc.explain, res.Steps)
			}
		})
	}
}

func TestCheckCancelled(t *testing.T) {
	_, c := startZone(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := Check(ctx, Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@example.org"})
	if res.Result != trace.TempError {
		t.Errorf("cancelled: %s, want temperror", res.Result)
	}
}

func TestCheckTimeout(t *testing.T) {
	srv := dnstest.Start(t, "testdata/check.zone")
	srv.Drop("strict.example")
	// The client would wait 30s per exchange; Limits.Timeout must end the
	// whole check long before. The bound only tells "the deadline applied"
	// from "it did not", so machine load cannot make it flaky.
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 30 * time.Second}
	start := time.Now()
	res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@strict.example", Limits: Limits{Timeout: 50 * time.Millisecond}})
	if res.Result != trace.TempError || !strings.Contains(res.Explanation, "TIMEOUT") {
		t.Errorf("dropped record: %s (%s), want temperror on a timeout", res.Result, res.Explanation)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the check took %v: Limits.Timeout did not bound it", d)
	}
}

func TestCheckBadInputs(t *testing.T) {
	_, c := startZone(t)
	cases := []struct {
		name string
		in   Input
		want trace.Result
	}{
		{"no ip", Input{Resolver: c, Sender: "bob@example.org"}, trace.None},
		{"no resolver", Input{IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@example.org"}, trace.TempError},
		{"huge sender", Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: strings.Repeat("a", 5000) + "@example.org"}, trace.None},
		{"non-ascii domain", Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "bob@bücher.example"}, trace.None},
		{"bidi in local part", Input{Resolver: c, IP: netip.MustParseAddr("192.0.2.7"), Sender: "\u202ebob@example.org"}, trace.Pass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Check(t.Context(), tc.in)
			if res.Result != tc.want || res.Explanation == "" {
				t.Errorf("Check = %s (%q), want %s with an explanation", res.Result, res.Explanation, tc.want)
			}
		})
	}
}

// Every DNS exchange the check made shows up in the step tree, so the trace
// hides no query.
func TestCheckStepsHoldEveryQuery(t *testing.T) {
	_, c := startZone(t)
	for _, sender := range []string{"bob@example.org", "bob@strict.example", "alice@tracker.example", "bob@voids.example", "bob@broken.example"} {
		rec := dnsx.NewRecorder(c)
		res := Check(t.Context(), Input{Resolver: rec, IP: netip.MustParseAddr("198.18.0.1"), Sender: sender})
		var inSteps []string
		var walk func([]trace.Step)
		walk = func(steps []trace.Step) {
			for _, s := range steps {
				if s.Query != nil {
					inSteps = append(inSteps, s.Query.Name+"/"+s.Query.Type)
				}
				walk(s.Steps)
			}
		}
		walk(res.Steps)
		var asked []string
		for _, q := range rec.Queries() {
			asked = append(asked, q.Name+"/"+q.Type)
		}
		slices.Sort(inSteps)
		slices.Sort(asked)
		if !slices.Equal(inSteps, asked) {
			t.Errorf("%s: queries in steps %q, queries asked %q", sender, inSteps, asked)
		}
	}
}

func TestResultJSON(t *testing.T) {
	_, c := startZone(t)
	res := Check(t.Context(), Input{Resolver: c, IP: netip.MustParseAddr("203.0.113.9"), Sender: "bob@example.org"})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The contract's spf object (CONTRACT.md).
	for _, k := range []string{"result", "domain", "identity", "client_ip", "explanation", "dns_lookups", "void_lookups", "steps"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if string(m["identity"]) != `"mailfrom"` || string(m["client_ip"]) != `"203.0.113.9"` || string(m["result"]) != `"pass"` {
		t.Errorf("identity %s, client_ip %s, result %s", m["identity"], m["client_ip"], m["result"])
	}
	if strings.Contains(string(b), `"steps":null`) {
		t.Errorf("a steps list is null rather than []: %s", b)
	}
	// Includes nest.
	var steps []trace.Step
	if err := json.Unmarshal(m["steps"], &steps); err != nil {
		t.Fatal(err)
	}
	var inc *trace.Step
	for i := range steps {
		if steps[i].Title == "include:_spf.provider.example" {
			inc = &steps[i]
		}
	}
	if inc == nil || len(inc.Steps) == 0 || inc.Steps[0].Query == nil || inc.Steps[0].Query.Name != "_spf.provider.example." {
		t.Errorf("include step does not nest the included record's steps: %+v", inc)
	}
}

// TestDecidingStepWords checks what the step that decides says: which
// addresses would have passed (what an attacker would have needed), the
// include's own all read as "not listed here", a listing the lookup limit
// cut off, and a DNS timeout in words with the retry it leads to.
func TestDecidingStepWords(t *testing.T) {
	srv, c := startZone(t)
	if err := srv.Add(
		`closed.example. TXT "v=spf1 -all"`,
		`deny.example. TXT "v=spf1 ip4:192.0.2.0/24 -ip4:198.18.0.0/16 a -all"`,
		`many.example. TXT "v=spf1 a:x1.many.example a:x2.many.example ip4:198.18.0.1 -all"`,
		`slow.example. TXT "v=spf1 -all"`,
	); err != nil {
		t.Fatal(err)
	}
	srv.Drop("slow.example.")
	quick := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond}
	cases := []struct {
		name, sender, ip string
		lookups          int
		r                dnsx.Resolver
		title            string   // the step to read
		want, not        []string // phrases it must and must not hold
	}{
		{name: "-all", sender: "a@strict.example", ip: "198.18.0.1", title: "-all",
			want: []string{"Only mail from the addresses the record authorizes (mx) passes; an attacker would need to send from one of them"}},
		{name: "~all after an include", sender: "a@example.org", ip: "198.18.0.1", title: "~all",
			want: []string{"(ip4:192.0.2.0/24 include:_spf.provider.example)", "treat it with suspicion"}},
		{name: "all inside an include", sender: "a@example.org", ip: "198.18.0.1", title: "include:_spf.provider.example > -all",
			want: []string{`reads that only as "not listed here"`}, not: []string{"attacker", "reject"}},
		{name: "a record that allows nothing", sender: "a@closed.example", ip: "192.0.2.1", title: "-all",
			want: []string{"authorizes no address at all"}},
		{name: "a forbidding term", sender: "a@deny.example", ip: "198.18.0.1", title: "-ip4:198.18.0.0/16",
			want: []string{"(ip4:192.0.2.0/24 a)"}},
		{name: "over the lookup limit", sender: "a@many.example", ip: "198.18.0.1", lookups: 1, title: "a:x2.many.example",
			want: []string{"The record does list ip4:198.18.0.1 further on, which matches 198.18.0.1", "Any client not matched before this point gets permerror"}},
		{name: "timeout", sender: "a@slow.example", ip: "192.0.2.1", r: quick, title: "Fetch SPF record for slow.example",
			want: []string{"no answer came in time: TIMEOUT", "DNS gave no usable answer for the TXT records of slow.example", "try again later"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			if r == nil {
				r = c
			}
			res := Check(t.Context(), Input{Resolver: r, IP: netip.MustParseAddr(tc.ip), Sender: tc.sender, Limits: Limits{Lookups: tc.lookups}})
			checkSteps(t, res.Steps)
			steps := res.Steps
			var st trace.Step
			for _, title := range strings.Split(tc.title, " > ") {
				i := slices.IndexFunc(steps, func(s trace.Step) bool { return s.Title == title })
				if i < 0 {
					t.Fatalf("no step %q:\n%s", tc.title, dumpSteps(res.Steps, "  "))
				}
				st, steps = steps[i], steps[i].Steps
			}
			text := st.Detail + " | " + st.Explain
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("step %q = %q, want it to hold %q", tc.title, text, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("step %q = %q, want no %q", tc.title, text, w)
				}
			}
		})
	}
}

func TestCapital(t *testing.T) {
	cases := []struct{ in, want string }{
		{"no valid client", "No valid client"},
		{"the domain x.example publishes", "The domain x.example publishes"},
		{"mail.bank.example publishes", "mail.bank.example publishes"},
		{"ip4:192.0.2.1 matched", "ip4:192.0.2.1 matched"},
		{"postmaster@x.example is", "postmaster@x.example is"},
		{"", ""},
	}
	for _, c := range cases {
		if got := capital(c.in); got != c.want {
			t.Errorf("capital(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
