package inspect_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// scenario is one message, the DNS it meets, and what the replay must say.
type scenario struct {
	name       string
	top        []string // header fields above the author's, top first
	from       string   // the From value; "" for none
	extraFrom  string   // a second From field, when set
	returnPath string
	signedBy   string // DKIM d=, "" for an unsigned message
	dns        func(*dnstest.Server)
	opts       func(*inspect.Options)

	disposition inspect.Disposition
	dmarc       trace.Result
	spf         trace.Result
	reason      []string // each must appear in verdict.reason
	story       []string // each must appear in verdict.story
	notStory    []string // none may appear in verdict.story
	temperror   bool
}

var spoofTop = []string{boundaryHop("mail.attacker.example", "203.0.113.66")}

var scenarios = []scenario{
	{
		name:        "aligned pass delivers",
		top:         []string{boundaryHop("mail.aligned.example", "192.0.2.10")},
		from:        "Alice <alice@aligned.example>",
		returnPath:  "bounce@aligned.example",
		signedBy:    "aligned.example",
		disposition: inspect.Deliver, dmarc: trace.Pass, spf: trace.Pass,
		reason:   []string{"DMARC passes for aligned.example"},
		story:    []string{"From says aligned.example.", "A DKIM signature from aligned.example verifies."},
		notStory: []string{"Nothing vouches"},
	},
	{
		name:        "spoof against p=reject rejects",
		top:         spoofTop,
		from:        `"PayPal Service" <service@paypal.example>`,
		returnPath:  "bounce@attacker.example",
		disposition: inspect.Reject, dmarc: trace.Fail, spf: trace.Pass,
		reason: []string{"DMARC fails for paypal.example", "reject"},
		story: []string{
			"From says paypal.example.",
			"SPF passed, but for attacker.example, which is not paypal.example.",
			"No DKIM signature is from paypal.example.",
			"paypal.example asks receivers to reject such mail, so a receiver that follows DMARC rejects it.",
		},
	},
	{
		name:        "spoof against p=quarantine goes to the spam folder",
		top:         spoofTop,
		from:        "billing@quarantine.example",
		returnPath:  "bounce@attacker.example",
		disposition: inspect.Quarantine, dmarc: trace.Fail, spf: trace.Pass,
		reason: []string{"spam folder"},
		story:  []string{"quarantine.example asks receivers to treat such mail as suspicious", "spam folder"},
	},
	{
		// A saved draft or a Sent-folder copy: no Received header, so no
		// client address, and SPF is not evaluated; DMARC must not read
		// that as "publishes no SPF record".
		name:        "no Received header: SPF not evaluated",
		from:        "Alice <alice@aligned.example>",
		returnPath:  "bounce@aligned.example",
		disposition: inspect.Reject, dmarc: trace.Fail, spf: trace.None,
		story:    []string{"SPF was not checked (the client that sent the message, or its MAIL FROM, is unknown)."},
		notStory: []string{"publishes no SPF record"},
	},
	{
		// A wrong --dns or no network: every check is a temperror and
		// the verdict delivers, so the reason must say first that
		// nothing was really checked.
		name:        "DNS unreachable is said first",
		top:         spoofTop,
		from:        `"PayPal Service" <service@paypal.example>`,
		returnPath:  "bounce@attacker.example",
		dns:         func(s *dnstest.Server) { s.Close() },
		disposition: inspect.Deliver, dmarc: trace.TempError, spf: trace.TempError, temperror: true,
		reason: []string{"headercheck could not reach DNS (every question failed), so nothing was really checked."},
	},
	{
		name:        "no DMARC record delivers and says nothing vouches",
		top:         spoofTop,
		from:        "alice@nopolicy.example",
		returnPath:  "bounce@attacker.example",
		disposition: inspect.Deliver, dmarc: trace.None, spf: trace.Pass,
		reason: []string{"nopolicy.example has no DMARC policy"},
		story:  []string{"publishes no usable DMARC policy", "Nothing vouches for nopolicy.example"},
	},
	{
		name:        "no DMARC record but aligned SPF: something vouches",
		top:         []string{boundaryHop("mail.aligned.example", "192.0.2.10")},
		from:        "alice@nopolicy.example",
		returnPath:  "bounce@nopolicy.example",
		disposition: inspect.Deliver, dmarc: trace.None, spf: trace.Pass,
		story:    []string{"publishes no usable DMARC policy"},
		notStory: []string{"Nothing vouches"},
	},
	{
		name:        "a temperror decides: the reason says defer and retry",
		top:         spoofTop,
		from:        "alice@flaky.example",
		returnPath:  "bounce@attacker.example",
		dns:         func(s *dnstest.Server) { s.Fail("_dmarc.flaky.example.", dns.RcodeServerFailure) },
		disposition: inspect.Deliver, dmarc: trace.TempError, spf: trace.Pass,
		reason:    []string{"temporary DNS error", "defer", "retry"},
		temperror: true,
	},
	{
		name:        "the DNS budget runs out: temperror",
		top:         spoofTop,
		from:        "alice@flaky.example",
		returnPath:  "bounce@attacker.example",
		dns:         func(s *dnstest.Server) { s.Delay("_dmarc.flaky.example.", time.Second) },
		opts:        func(o *inspect.Options) { o.Timeout = 150 * time.Millisecond },
		disposition: inspect.Deliver, dmarc: trace.TempError,
		reason:    []string{"defer", "retry"},
		temperror: true,
	},
	{
		name:        "two From fields cannot pass",
		top:         []string{boundaryHop("mail.aligned.example", "192.0.2.10")},
		from:        "alice@aligned.example",
		extraFrom:   "service@paypal.example",
		returnPath:  "bounce@aligned.example",
		disposition: inspect.Reject, dmarc: trace.Fail, spf: trace.Pass,
		story: []string{"2 From header fields"},
	},
	{
		name:        "no From field cannot pass",
		top:         []string{boundaryHop("mail.aligned.example", "192.0.2.10")},
		returnPath:  "bounce@aligned.example",
		disposition: inspect.Reject, dmarc: trace.Fail, spf: trace.Pass,
		story: []string{"no From header field"},
	},
	{
		name: "forwarded mail: SPF fails, aligned DKIM passes",
		top: []string{
			"Received: from lists.forwarder.example (lists.forwarder.example [198.51.100.7]) by mx1.inbound.example (Postfix) with ESMTPS id 7T2; Fri, 20 Nov 2026 08:14:40 +0000",
			"Received: from mail.fwd.example (mail.fwd.example [192.0.2.10]) by lists.forwarder.example (Postfix) with ESMTPS id 9Q1; Fri, 20 Nov 2026 08:14:31 +0000",
		},
		from:        "Alice <alice@fwd.example>",
		returnPath:  "bounce@fwd.example",
		signedBy:    "fwd.example",
		disposition: inspect.Deliver, dmarc: trace.Pass, spf: trace.Fail,
		story: []string{"A DKIM signature from fwd.example verifies."},
	},
	{
		name:        "RFC 7489 decides when asked",
		top:         spoofTop,
		from:        "service@paypal.example",
		returnPath:  "bounce@attacker.example",
		opts:        func(o *inspect.Options) { o.Standard = dmarc.RFC7489 },
		disposition: inspect.Reject, dmarc: trace.Fail, spf: trace.Pass,
	},
}

func TestScenarios(t *testing.T) {
	for _, c := range scenarios {
		t.Run(c.name, func(t *testing.T) {
			rep := runScenario(t, c)
			v := rep.Verdict
			if v.Disposition != c.disposition {
				t.Errorf("verdict.disposition = %q, want %q (reason %q)", v.Disposition, c.disposition, v.Reason)
			}
			if rep.DMARC.Result != c.dmarc {
				t.Errorf("dmarc.result = %q, want %q (%s)", rep.DMARC.Result, c.dmarc, rep.DMARC.Reason)
			}
			if c.spf != "" && rep.SPF.Result != c.spf {
				t.Errorf("spf.result = %q, want %q", rep.SPF.Result, c.spf)
			}
			if v.TempError != c.temperror {
				t.Errorf("verdict.temperror = %v, want %v", v.TempError, c.temperror)
			}
			for _, w := range c.reason {
				if !strings.Contains(v.Reason, w) {
					t.Errorf("verdict.reason = %q, want it to say %q", v.Reason, w)
				}
			}
			for _, w := range c.story {
				if !strings.Contains(v.Story, w) {
					t.Errorf("verdict.story = %q, want it to say %q", v.Story, w)
				}
			}
			for _, w := range c.notStory {
				if strings.Contains(v.Story, w) {
					t.Errorf("verdict.story = %q, want it not to say %q", v.Story, w)
				}
			}
			if strings.Contains(v.Reason, "\n") {
				t.Errorf("verdict.reason has a line break: %q", v.Reason)
			}
			// Only a run where DNS answered nothing says so.
			said := strings.Contains(v.Reason, "could not reach DNS")
			wanted := slices.ContainsFunc(c.reason, func(w string) bool { return strings.Contains(w, "could not reach DNS") })
			if said != wanted {
				t.Errorf("verdict.reason %q: says DNS could not be reached = %v, want %v", v.Reason, said, wanted)
			}
			if c.opts == nil && v.Standard != dmarc.RFC9989 || rep.DMARC.Standard != v.Standard {
				t.Errorf("verdict.standard = %q, dmarc.standard = %q", v.Standard, rep.DMARC.Standard)
			}
			if len(rep.Done) != len(allChecks(rep)) {
				t.Errorf("Done = %v, want every check", rep.Done)
			}
		})
	}
}

// allChecks are the checks a final report lists as done.
func allChecks(rep *inspect.Report) []inspect.Check {
	c := []inspect.Check{inspect.CheckReceived, inspect.CheckIPRev, inspect.CheckSPF, inspect.CheckDKIM, inspect.CheckDMARC, inspect.CheckARC, inspect.CheckReceivers, inspect.CheckRecorded, inspect.CheckVerdict}
	if rep.SPFHELO != nil {
		c = append(c, inspect.CheckSPFHELO)
	}
	return c
}

func runScenario(t *testing.T, c scenario) *inspect.Report {
	t.Helper()
	keys := []string{}
	if c.signedBy != "" {
		keys = append(keys, c.signedBy)
	}
	srv := startDNS(t, keys...)
	if c.dns != nil {
		c.dns(srv)
	}
	opts := options(srv)
	if c.opts != nil {
		c.opts(&opts)
	}
	raw := mail(c.top, c.from, c.returnPath)
	if c.extraFrom != "" {
		raw = strings.Replace(raw, "To: ", "From: "+c.extraFrom+"\nTo: ", 1)
	}
	if c.signedBy != "" {
		raw = sign(t, raw, c.signedBy)
	}
	rep, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return rep
}

func TestHELOIdentity(t *testing.T) {
	srv := startDNS(t)
	raw := mail([]string{boundaryHop("mail.aligned.example", "192.0.2.10")}, "alice@aligned.example", "bounce@aligned.example")
	rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.SPFHELO == nil {
		t.Fatal("spf_helo is nil, want the HELO identity checked beside MAIL FROM (RFC 7208 §2.3)")
	}
	if rep.SPFHELO.Identity != "helo" || rep.SPFHELO.Domain != "mail.aligned.example" {
		t.Errorf("spf_helo = %s for %s, want helo for mail.aligned.example", rep.SPFHELO.Identity, rep.SPFHELO.Domain)
	}
	if rep.SPF.Identity != "mailfrom" {
		t.Errorf("spf.identity = %q, want mailfrom", rep.SPF.Identity)
	}

	// The null sender: the MAIL FROM identity is postmaster@HELO (RFC
	// 7208 §2.4), the same evaluation as the HELO identity, so there is
	// no second check.
	opts := options(srv)
	opts.MailFrom = "<>"
	rep, err = inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SPF.Identity != "mailfrom" || rep.SPF.Sender != "postmaster@mail.aligned.example" || rep.SPF.Domain != "mail.aligned.example" || rep.SPFHELO != nil {
		t.Errorf("null sender: spf = %s for %s (%s), spf_helo = %v; want mailfrom for postmaster@mail.aligned.example (mail.aligned.example) and no spf_helo", rep.SPF.Identity, rep.SPF.Sender, rep.SPF.Domain, rep.SPFHELO)
	}
	if rep.Chain.Envelope.MailFrom != "" || rep.Chain.Envelope.DerivedFrom.MailFrom != "--mail-from" {
		t.Errorf("envelope = %+v, want the null sender from --mail-from", rep.Chain.Envelope)
	}
}

func TestPhishingSigns(t *testing.T) {
	cases := []struct {
		name, from string
		kinds      []string // in order; none for no sign
		says       []string // each must appear in some sign's explanation
	}{
		{"brand in display name", `"PayPal" <service@attacker.example>`, []string{"display_name_brand"}, []string{"names a well-known sender"}},
		{"domain in display name", `"service@paypal.example" <x@attacker.example>`, []string{"display_name_domain"}, nil},
		{"brand that is the address's own", `"PayPal Service" <service@paypal.example>`, nil, nil},
		{"a person's name", `"Alice Example" <alice@attacker.example>`, nil, nil},
		{"mixed scripts in the From domain", "x@xn--pypal-4ve.example", []string{"from_domain_characters"}, []string{"mixes Latin and Cyrillic letters in one label", "а (U+0430) is a Cyrillic letter that looks like the Latin a"}},

		// Issue 11: what the display name hides, and what IDNA drops from
		// the domain before DMARC sees it.
		{
			"Cyrillic а in the display name", "\"P\u0430yPal\" <service@attacker.example>",
			[]string{"display_name_characters", "display_name_brand"},
			[]string{`"P\u0430yPal" mixes Latin and Cyrillic letters`, "а (U+0430) is a Cyrillic letter that looks like the Latin a", "made to look like PayPal", "а (U+0430, Cyrillic) for a"},
		},
		{
			"right-to-left override in the display name", "\"\u202eLAPYAP\" <service@attacker.example>",
			[]string{"display_name_characters", "display_name_brand"},
			[]string{`"\u202eLAPYAP" holds an invisible or direction-changing character (U+202E)`, "right-to-left override", `A reader sees "PAYPAL".`, "made to look like PayPal"},
		},
		{
			"zero-width space in the display name", "\"Pay\u200bPal\" <service@attacker.example>",
			[]string{"display_name_characters", "display_name_brand"},
			[]string{`"Pay\u200bPal" holds an invisible or direction-changing character (U+200B), a zero-width space`, "an invisible U+200B"},
		},
		{
			"zero-width space in the domain", "bob@ex\u200bample.com",
			[]string{"from_domain_characters"},
			[]string{`The From domain is written "ex\u200bample.com": it holds an invisible or direction-changing character (U+200B)`, "DMARC checked example.com"},
		},
		{
			"right-to-left override in an encoded word", "=?utf-8?q?=E2=80=AELAPYAP?= <service@attacker.example>",
			[]string{"display_name_characters", "display_name_brand"},
			[]string{`A reader sees "PAYPAL".`},
		},
		{"a brand with the digit 1 for l", `"PayPa1 Support" <x@attacker.example>`, []string{"display_name_brand"}, []string{"1 for l"}},
		{"a brand in fullwidth letters", "\"\uff30\uff41\uff59\uff30\uff41\uff4c\" <x@attacker.example>", []string{"display_name_brand"}, []string{"Ｐ (U+FF30) for P"}},
		{"a brand all in Cyrillic look-alikes", "\"\u0410\u0440\u0440\u04cf\u0435\" <x@attacker.example>", []string{"display_name_brand"}, []string{"made to look like Apple"}},

		// What is not a sign.
		{"a Cyrillic name in windows-1251", "=?windows-1251?b?yOLg7SDP5fLw7uI=?= <ivan@attacker.example>", nil, nil},
		{"an emoji sequence joined with U+200D", "\"Team \U0001F469\u200d\U0001F4BB\" <team@attacker.example>", nil, nil},
		{"a Persian name with U+200C", "\"\u0645\u06cc\u200c\u0631\u0648\u0645\" <a@attacker.example>", nil, nil},
		{"a Japanese name mixing Han and Katakana", "\"\u5c71\u7530\u30bf\u30ed\u30a6\" <a@attacker.example>", nil, nil},
	}
	srv := startDNS(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := mail(spoofTop, c.from, "bounce@attacker.example")
			rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			var explains strings.Builder
			for _, s := range rep.Verdict.Signs {
				kinds = append(kinds, s.Kind)
				explains.WriteString(s.Explain + "\n")
				if !strings.Contains(rep.Verdict.Story, s.Explain) {
					t.Errorf("story %q does not tell the sign %q", rep.Verdict.Story, s.Explain)
				}
				// What a reader cannot see is escaped in the sign itself.
				if i := strings.IndexFunc(s.Detail+s.Explain, hidden); i >= 0 {
					t.Errorf("sign %+v holds U+%04X unescaped", s, []rune((s.Detail + s.Explain)[i:])[0])
				}
			}
			if !slices.Equal(kinds, c.kinds) {
				t.Errorf("From %q: signs %v, want %v", c.from, kinds, c.kinds)
			}
			for _, w := range c.says {
				if !strings.Contains(explains.String(), w) {
					t.Errorf("From %q: the signs do not say %q:\n%s", c.from, w, explains.String())
				}
			}
		})
	}
}

// hidden reports the characters a reader cannot see: controls, zero-width
// and direction-changing characters.
func hidden(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0xfeff
}

func TestAtReceived(t *testing.T) {
	// The signature is made now and expires in two hours; the receiving
	// side stamped the message one hour from now, and the replay runs five
	// hours from now, when the signature has expired.
	signed := time.Now().UTC().Truncate(time.Second)
	hop := "Received: from mail.aligned.example (mail.aligned.example [192.0.2.10]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8; " + signed.Add(time.Hour).Format(time.RFC1123Z)
	ar := "Authentication-Results: mx1.inbound.example; dkim=pass header.d=aligned.example header.s=sel; spf=pass smtp.mailfrom=aligned.example; dmarc=pass header.from=aligned.example"
	raw := mail([]string{ar, hop}, "alice@aligned.example", "bounce@aligned.example")
	raw = signUntil(t, raw, "aligned.example", signed.Add(2*time.Hour))
	srv := startDNS(t, "aligned.example")
	later := func() time.Time { return signed.Add(5 * time.Hour) }

	opts := options(srv)
	opts.Now = later
	now, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(now.DKIM) != 1 || now.DKIM[0].Result != trace.PermError {
		t.Fatalf("as of now: dkim = %+v, want one expired signature (permerror)", now.DKIM)
	}
	if now.AtSource != "now" || !now.At.Equal(later()) {
		t.Errorf("as of now: at = %v from %q, want %v from now", now.At, now.AtSource, later())
	}
	if d := findDiff(now, "dkim"); d == nil || d.Cause != "signature_expired" {
		t.Errorf("as of now: dkim difference = %+v, want cause signature_expired", d)
	}

	opts.AtReceived = true
	then, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if then.DKIM[0].Result != trace.Pass {
		t.Errorf("--at received: dkim = %s (%s), want pass", then.DKIM[0].Result, then.DKIM[0].Reason)
	}
	if want := signed.Add(time.Hour); then.AtSource != "received[0] (boundary)" || !then.At.Equal(want) {
		t.Errorf("--at received: at = %v from %q, want %v from received[0] (boundary)", then.At, then.AtSource, want)
	}
	if d := findDiff(then, "dkim"); d != nil {
		t.Errorf("--at received: unexpected dkim difference %+v", d)
	}

	// No date at the boundary: now, and a step that says so.
	undated := strings.Replace(raw, "; "+signed.Add(time.Hour).Format(time.RFC1123Z), "", 1)
	rep, err := inspect.Inspect(t.Context(), load(t, undated), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.At.Equal(later()) || !strings.Contains(rep.AtSource, "no date") {
		t.Errorf("undated boundary: at = %v from %q, want now with a note", rep.At, rep.AtSource)
	}
	if !hasStep(rep.Steps, trace.Warn, "no boundary hop with a readable date") {
		t.Errorf("undated boundary: no warning step in %+v", rep.Steps)
	}

	// A fixed --at.
	opts.AtReceived = false
	opts.At = signed.Add(90 * time.Minute)
	rep, err = inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DKIM[0].Result != trace.Pass || rep.AtSource != "--at" {
		t.Errorf("--at: dkim = %s, at from %q; want pass, --at", rep.DKIM[0].Result, rep.AtSource)
	}
}

func hasStep(steps []trace.Step, r trace.Result, words string) bool {
	for _, s := range steps {
		if s.Result == r && strings.Contains(s.Explain, words) {
			return true
		}
	}
	return false
}

func findDiff(rep *inspect.Report, method string) *struct{ Cause, Explain string } {
	for _, d := range rep.Recorded.Differences {
		if d.Method == method {
			return &struct{ Cause, Explain string }{string(d.Cause), d.Explain}
		}
	}
	return nil
}

func TestRecordedDifferences(t *testing.T) {
	t.Run("key revoked since delivery", func(t *testing.T) {
		srv := startDNS(t) // no key at sel._domainkey.revoked.example but the revoked one
		ar := "Authentication-Results: mx1.inbound.example; dkim=pass header.d=revoked.example header.s=sel; spf=pass smtp.mailfrom=revoked.example; dmarc=pass header.from=revoked.example"
		raw := mail([]string{ar, boundaryHop("mail.aligned.example", "192.0.2.10")}, "alice@revoked.example", "bounce@revoked.example")
		raw = sign(t, raw, "revoked.example")
		rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rep.Recorded.AuthenticationResults); n != 1 || !rep.Recorded.AuthenticationResults[0].Trusted {
			t.Fatalf("authentication_results = %+v, want one trusted header", rep.Recorded.AuthenticationResults)
		}
		if len(rep.Recorded.Differences) != 1 {
			t.Fatalf("differences = %+v, want exactly the DKIM one", rep.Recorded.Differences)
		}
		d := rep.Recorded.Differences[0]
		if d.Method != "dkim" || d.Cause != "dkim_key_revoked" || d.Recorded != trace.Pass || d.Replayed != trace.PermError || !d.Trusted {
			t.Errorf("difference = %+v, want dkim pass→permerror, trusted, cause dkim_key_revoked", d)
		}
		if !strings.Contains(d.Explain, "revoked") {
			t.Errorf("explain = %q, want it to say the key was revoked", d.Explain)
		}
	})
	t.Run("forged header below the boundary", func(t *testing.T) {
		srv := startDNS(t)
		own := "Authentication-Results: mx1.inbound.example; spf=pass smtp.mailfrom=attacker.example; dmarc=fail header.from=paypal.example"
		forged := "Authentication-Results: mx1.inbound.example; spf=pass smtp.mailfrom=paypal.example; dkim=pass header.d=paypal.example; dmarc=pass header.from=paypal.example"
		lower := "Received: from localhost (localhost [127.0.0.1]) by mail.attacker.example (Postfix) with ESMTP id 77A1C; Fri, 20 Nov 2026 08:14:24 +0000"
		for _, layout := range []struct {
			name string
			top  []string
		}{
			{"beside the receiver's own", []string{own, spoofTop[0], forged}},
			{"below the sender's own hop", []string{spoofTop[0], lower, forged}},
		} {
			t.Run(layout.name, func(t *testing.T) {
				raw := mail(layout.top, "service@paypal.example", "bounce@attacker.example")
				rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
				if err != nil {
					t.Fatal(err)
				}
				h := rep.Recorded.AuthenticationResults
				fake := h[len(h)-1]
				if fake.Trusted || !strings.Contains(fake.Why, "forged") {
					t.Fatalf("forged header: trusted %v, why %q; want untrusted and called forged", fake.Trusted, fake.Why)
				}
				got := map[string]string{}
				for _, d := range rep.Recorded.Differences {
					if d.Header != len(h)-1 {
						t.Errorf("difference %+v about the receiver's own header, which agrees with the replay", d)
						continue
					}
					got[d.Method] = string(d.Cause)
					if d.Trusted {
						t.Errorf("difference %+v is marked trusted", d)
					}
				}
				want := map[string]string{"spf": "unproven_header", "dkim": "unproven_header", "dmarc": "unproven_header"}
				for m, c := range want {
					if got[m] != c {
						t.Errorf("difference for %s = %q, want %q (all: %v)", m, got[m], c, got)
					}
				}
				if rep.Verdict.Disposition != inspect.Reject {
					t.Errorf("a forged header changed the verdict: %s", rep.Verdict.Disposition)
				}
			})
		}
	})
	t.Run("a forwarder's own results", func(t *testing.T) {
		srv := startDNS(t, "fwd.example")
		top := []string{
			"Received: from lists.forwarder.example (lists.forwarder.example [198.51.100.7]) by mx1.inbound.example (Postfix) with ESMTPS id 7T2; Fri, 20 Nov 2026 08:14:40 +0000",
			"Authentication-Results: lists.forwarder.example; spf=pass smtp.mailfrom=fwd.example",
			"Received: from mail.fwd.example (mail.fwd.example [192.0.2.10]) by lists.forwarder.example (Postfix) with ESMTPS id 9Q1; Fri, 20 Nov 2026 08:14:31 +0000",
		}
		raw := sign(t, mail(top, "alice@fwd.example", "bounce@fwd.example"), "fwd.example")
		rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
		if err != nil {
			t.Fatal(err)
		}
		if d := findDiff(rep, "spf"); d == nil || d.Cause != "forwarder" {
			t.Errorf("spf difference = %+v, want cause forwarder", d)
		}
	})
}

func TestOnUpdate(t *testing.T) {
	srv := startDNS(t, "aligned.example")
	raw := sign(t, mail([]string{boundaryHop("mail.aligned.example", "192.0.2.10")}, "alice@aligned.example", "bounce@aligned.example"), "aligned.example")
	var (
		mu      sync.Mutex
		updates []inspect.Update
		inCall  bool
	)
	opts := options(srv)
	opts.OnUpdate = func(u inspect.Update) {
		mu.Lock()
		if inCall {
			t.Error("OnUpdate called while another call runs")
		}
		inCall = true
		mu.Unlock()
		time.Sleep(time.Millisecond) // widen the window an overlap would need
		mu.Lock()
		updates = append(updates, u)
		inCall = false
		mu.Unlock()
	}
	rep, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[inspect.Check]int{}
	for i, u := range updates {
		seen[u.Check]++
		if len(u.Report.Done) != i+1 || u.Report.Done[i] != u.Check {
			t.Errorf("update %d (%s): Done = %v, want it to end with %s after %d checks", i, u.Check, u.Report.Done, u.Check, i+1)
		}
		if u.Check == inspect.CheckSPF && u.Report.SPF.Result != trace.Pass {
			t.Errorf("update %s: report.spf = %q, want the completed result", u.Check, u.Report.SPF.Result)
		}
		if u.Check == inspect.CheckDKIM && len(u.Report.DKIM) != 1 {
			t.Errorf("update %s: report.dkim = %v, want the completed result", u.Check, u.Report.DKIM)
		}
	}
	for _, c := range allChecks(rep) {
		if seen[c] != 1 {
			t.Errorf("check %s reported %d times, want once", c, seen[c])
		}
	}
	if last := updates[len(updates)-1]; last.Check != inspect.CheckVerdict || last.Report.Verdict.Disposition != rep.Verdict.Disposition {
		t.Errorf("last update = %s with %q, want the verdict %q", last.Check, last.Report.Verdict.Disposition, rep.Verdict.Disposition)
	}
	if updates[0].Check != inspect.CheckReceived || updates[0].Report.Verdict.Disposition != "" {
		t.Errorf("first update = %s (verdict %q), want received with no verdict yet", updates[0].Check, updates[0].Report.Verdict.Disposition)
	}
}

func TestWhatIf(t *testing.T) {
	srv := startDNS(t)
	raw := mail(spoofTop, "service@paypal.example", "bounce@attacker.example")
	opts := options(srv)
	base, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if base.Verdict.Disposition != inspect.Reject {
		t.Fatalf("base verdict = %s, want reject", base.Verdict.Disposition)
	}

	// The same spoof sent from the brand's own server with its own MAIL FROM.
	w := opts
	w.IP, w.MailFrom = "192.0.2.50", "bounce@paypal.example"
	rep, err := inspect.WhatIf(t.Context(), base, w)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SPF.Result != trace.Pass || rep.SPF.Domain != "paypal.example" || rep.SPF.ClientIP != "192.0.2.50" {
		t.Errorf("what-if spf = %s for %s from %s, want pass for paypal.example from 192.0.2.50", rep.SPF.Result, rep.SPF.Domain, rep.SPF.ClientIP)
	}
	if rep.Verdict.Disposition != inspect.Deliver || rep.DMARC.Result != trace.Pass {
		t.Errorf("what-if verdict = %s, dmarc %s; want deliver, pass", rep.Verdict.Disposition, rep.DMARC.Result)
	}
	if rep.Chain.Envelope.DerivedFrom.ClientIP != "--ip" {
		t.Errorf("what-if envelope derived_from = %+v, want the client IP from --ip", rep.Chain.Envelope.DerivedFrom)
	}
	if !strings.HasPrefix(rep.Steps[len(rep.Steps)-2].Title, "What if: client 192.0.2.50 and MAIL FROM bounce@paypal.example") {
		t.Errorf("what-if steps = %+v, want one saying what changed", rep.Steps)
	}
	if base.Verdict.Disposition != inspect.Reject || base.SPF.ClientIP != "203.0.113.66" {
		t.Errorf("WhatIf changed the base report: %s, %s", base.Verdict.Disposition, base.SPF.ClientIP)
	}

	// Back to the message's own envelope: the base answer again.
	again, err := inspect.WhatIf(t.Context(), rep, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Verdict.Disposition != inspect.Reject || again.Verdict.Reason != base.Verdict.Reason {
		t.Errorf("replaying the original envelope: %s %q, want %s %q", again.Verdict.Disposition, again.Verdict.Reason, base.Verdict.Disposition, base.Verdict.Reason)
	}

	if _, err := inspect.WhatIf(t.Context(), &inspect.Report{}, opts); !errors.Is(err, inspect.ErrNoReplay) {
		t.Errorf("WhatIf of a bare report: err = %v, want ErrNoReplay", err)
	}
}

func TestWhatIfBoundary(t *testing.T) {
	srv := startDNS(t, "fwd.example")
	top := []string{
		"Received: from lists.forwarder.example (lists.forwarder.example [198.51.100.7]) by mx1.inbound.example (Postfix) with ESMTPS id 7T2; Fri, 20 Nov 2026 08:14:40 +0000",
		"Received: from mail.fwd.example (mail.fwd.example [192.0.2.10]) by lists.forwarder.example (Postfix) with ESMTPS id 9Q1; Fri, 20 Nov 2026 08:14:31 +0000",
	}
	raw := sign(t, mail(top, "alice@fwd.example", "bounce@fwd.example"), "fwd.example")
	opts := options(srv)
	base, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if base.Chain.Boundary != 0 || base.SPF.Result != trace.Fail {
		t.Fatalf("base: boundary %d, spf %s; want 0, fail", base.Chain.Boundary, base.SPF.Result)
	}
	one := 1
	w := opts
	w.Boundary = &one
	rep, err := inspect.WhatIf(t.Context(), base, w)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Chain.Boundary != 1 || rep.SPF.Result != trace.Pass || rep.SPF.ClientIP != "192.0.2.10" {
		t.Errorf("boundary 1: boundary %d, spf %s from %s; want 1, pass from 192.0.2.10", rep.Chain.Boundary, rep.SPF.Result, rep.SPF.ClientIP)
	}
	if len(rep.DKIM) != 1 || rep.DKIM[0].Result != trace.Pass {
		t.Errorf("boundary 1: dkim = %+v, want the reused pass", rep.DKIM)
	}
	// The dns array still lists the DKIM key lookup the reused result
	// came from.
	found := false
	for _, q := range rep.DNS {
		found = found || q.Name == "sel._domainkey.fwd.example."
	}
	if !found {
		t.Errorf("boundary 1: dns = %+v, want the reused DKIM key lookup listed", rep.DNS)
	}
}

func TestInspectErrors(t *testing.T) {
	srv := startDNS(t)
	m := load(t, mail(spoofTop, "a@paypal.example", ""))
	if _, err := inspect.Inspect(t.Context(), nil, options(srv)); err == nil {
		t.Error("Inspect(nil message): no error")
	}
	if _, err := inspect.Inspect(t.Context(), m, inspect.Options{}); !errors.Is(err, inspect.ErrNoResolver) {
		t.Errorf("Inspect without resolver: err = %v, want ErrNoResolver", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := inspect.Inspect(ctx, m, options(srv)); !errors.Is(err, context.Canceled) {
		t.Errorf("Inspect with a cancelled context: err = %v, want context.Canceled", err)
	}

	// Bytes with no header field are not mail: a report with only source
	// and error.
	rep, err := inspect.Inspect(t.Context(), &message.Message{Raw: []byte("just words\n"), File: "x.eml", Index: 1}, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Error == "" || rep.Source.File != "x.eml" {
		t.Errorf("not mail: report = %+v, want an error report for x.eml", rep)
	}
}

func TestCancelledWhileRunning(t *testing.T) {
	srv := startDNS(t)
	srv.Delay("_dmarc.paypal.example.", 2*time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	opts := options(srv)
	opts.OnUpdate = func(u inspect.Update) {
		if u.Check == inspect.CheckSPF {
			cancel()
		}
	}
	start := time.Now()
	rep, err := inspect.Inspect(ctx, load(t, mail(spoofTop, "a@paypal.example", "bounce@attacker.example")), opts)
	if !errors.Is(err, context.Canceled) || rep == nil {
		t.Fatalf("Inspect = %v, %v; want the report so far and context.Canceled", rep, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Inspect took %v after cancellation, want it to stop promptly", d)
	}
}

// TestReceivers: the receivers' own verdict headers are decoded, and
// trusted only when the receiving side wrote them — and that depends on
// the boundary, which WhatIf can move.
func TestReceivers(t *testing.T) {
	srv := startDNS(t)
	top := []string{
		"X-Spam-Status: Yes, score=7.1 required=5.0 tests=SPF_PASS,DMARC_REJECT autolearn=no",
		spoofTop[0],
		"X-Spam-Status: No, score=-5.0 required=5.0 tests=ALL_TRUSTED",
	}
	raw := mail(top, "service@paypal.example", "bounce@attacker.example")
	opts := options(srv)
	rep, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Receivers) != 2 {
		t.Fatalf("receivers = %+v, want the two X-Spam-Status headers", rep.Receivers)
	}
	own, planted := rep.Receivers[0], rep.Receivers[1]
	if own.Vendor != "SpamAssassin" || !own.Trusted || own.Fields["score"] == "" {
		t.Errorf("the receiver's own header: %+v, want SpamAssassin, trusted, with its score", own)
	}
	if planted.Trusted {
		t.Errorf("a header below the boundary is trusted: %+v", planted)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"receivers":[{"vendor":"SpamAssassin","header":"X-Spam-Status","trusted":true`) {
		t.Errorf("JSON receivers are not the contract's elements:\n%s", b)
	}

	// With no boundary at all, nothing is the receiving side's.
	none := -1
	w := opts
	w.Boundary = &none
	what, err := inspect.WhatIf(t.Context(), rep, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range what.Receivers {
		if h.Trusted {
			t.Errorf("without a boundary: %s trusted", h.Header)
		}
	}
}

// TestEvaluatedAsOf: the "Evaluated as of" step cites what the time is
// used for, and with a fixed clock it names the clock instead of "now".
func TestEvaluatedAsOf(t *testing.T) {
	srv := startDNS(t)
	dated := mail([]string{boundaryHop("mail.aligned.example", "192.0.2.10")}, "alice@aligned.example", "bounce@aligned.example")
	undated := mail([]string{"Received: from mail.aligned.example (mail.aligned.example [192.0.2.10]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8"}, "alice@aligned.example", "bounce@aligned.example")
	cases := []struct {
		name       string
		raw        string
		opts       func(*inspect.Options)
		source     string // Report.AtSource
		detail     string // the step's detail must say this
		explain    string // the step's explanation must say this
		notExplain string
	}{
		{name: "the real clock", raw: dated, source: "now", detail: ", now", explain: "as of now, the moment of this run"},
		{
			name: "a fixed clock names itself", raw: dated,
			opts:   func(o *inspect.Options) { o.NowSource = "the lesson's fixed time" },
			source: "the lesson's fixed time", detail: ", the lesson's fixed time", explain: "as of the lesson's fixed time, not the real clock", notExplain: "as of now",
		},
		{
			name: "--at received without a date falls back to the fixed clock", raw: undated,
			opts:   func(o *inspect.Options) { o.NowSource = "the test's fixed clock"; o.AtReceived = true },
			source: "the test's fixed clock (the boundary hop has no date)", detail: ", the test's fixed clock", explain: "judged as of the test's fixed clock instead", notExplain: "as of now",
		},
		{
			name: "--at wins over the clock's name", raw: dated,
			opts:   func(o *inspect.Options) { o.NowSource = "the lesson's fixed time"; o.At = fixedNow.Add(-time.Hour) },
			source: "--at", detail: ", from --at", explain: "as asked (--at)",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := options(srv)
			if c.opts != nil {
				c.opts(&opts)
			}
			rep, err := inspect.Inspect(t.Context(), load(t, c.raw), opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.AtSource != c.source {
				t.Errorf("AtSource = %q, want %q", rep.AtSource, c.source)
			}
			var step *trace.Step
			for i := range rep.Steps {
				if rep.Steps[i].Title == "Evaluated as of" {
					step = &rep.Steps[i]
				}
			}
			if step == nil {
				t.Fatalf("no \"Evaluated as of\" step in %+v", rep.Steps)
			}
			if !strings.Contains(step.Ref, "RFC 6376 §3.5") || !strings.Contains(step.Ref, "RFC 7208 §7.3") {
				t.Errorf("Ref = %q, want DKIM t=/x= (RFC 6376 §3.5) and SPF %%{t} (RFC 7208 §7.3) cited", step.Ref)
			}
			if !strings.Contains(step.Detail, c.detail) {
				t.Errorf("Detail = %q, want it to say %q", step.Detail, c.detail)
			}
			if !strings.Contains(step.Explain, c.explain) || c.notExplain != "" && strings.Contains(step.Explain, c.notExplain) {
				t.Errorf("Explain = %q, want it to say %q and not %q", step.Explain, c.explain, c.notExplain)
			}
		})
	}
}

// TestMailFromIdentity: which SPF identity the report shows and DMARC
// uses, for a MAIL FROM address, the null sender of a bounce (RFC 7208
// §2.4: the MAIL FROM identity is postmaster@HELO) and an unknown MAIL
// FROM (no Return-Path), which is not a bounce.
func TestMailFromIdentity(t *testing.T) {
	srv := startDNS(t)
	hop := boundaryHop("bounces.aligned.example", "192.0.2.10")
	ar := "Authentication-Results: mx1.inbound.example; spf=pass smtp.mailfrom=bounce@aligned.example"
	base := mail([]string{ar, hop}, "Mail Delivery System <mailer-daemon@aligned.example>", "")
	cases := []struct {
		name       string
		returnPath string // the Return-Path line, "" for none
		spf        trace.Result
		sender     string // spf.Sender
		domain     string // spf.Domain
		heloCheck  bool   // whether spf_helo is there
		aligned    bool   // dmarc.spf_aligned
		dmarc      trace.Result
		step       string // a step of the SPF result must say this
		story      string // the verdict story must say this
		diff       string // the cause of the recorded SPF difference, "" for none
	}{
		{
			name: "a MAIL FROM address", returnPath: "Return-Path: <bounce@aligned.example>\n",
			spf: trace.Pass, sender: "bounce@aligned.example", domain: "aligned.example", heloCheck: true, aligned: true, dmarc: trace.Pass,
		},
		{
			name: "the null sender is checked as postmaster@HELO, identity mailfrom", returnPath: "Return-Path: <>\n",
			spf: trace.Pass, sender: "postmaster@bounces.aligned.example", domain: "bounces.aligned.example", aligned: true, dmarc: trace.Pass,
			step: "RFC 7208 §2.4 then defines the MAIL FROM identity as postmaster@bounces.aligned.example",
			diff: "different_envelope",
		},
		{
			name: "an unknown MAIL FROM is not the null sender", returnPath: "",
			spf: trace.None, sender: "", domain: "", heloCheck: true, dmarc: trace.Fail,
			step:  "not taken for the null sender",
			story: "The MAIL FROM is unknown",
			diff:  "different_envelope",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := inspect.Inspect(t.Context(), load(t, c.returnPath+base), options(srv))
			if err != nil {
				t.Fatal(err)
			}
			s := rep.SPF
			if s.Identity != "mailfrom" || s.Result != c.spf || s.Sender != c.sender || s.Domain != c.domain {
				t.Errorf("spf = %s %s for %q (%q), want mailfrom %s for %q (%q)", s.Identity, s.Result, s.Sender, s.Domain, c.spf, c.sender, c.domain)
			}
			if (rep.SPFHELO != nil) != c.heloCheck {
				t.Errorf("spf_helo = %+v, want one: %v", rep.SPFHELO, c.heloCheck)
			} else if c.heloCheck && (rep.SPFHELO.Result != trace.Pass || rep.SPFHELO.Identity != "helo") {
				t.Errorf("spf_helo = %s %s, want helo pass", rep.SPFHELO.Identity, rep.SPFHELO.Result)
			}
			if rep.DMARC.SPFAligned != c.aligned || rep.DMARC.Result != c.dmarc {
				t.Errorf("dmarc = %s, spf_aligned %v; want %s, %v", rep.DMARC.Result, rep.DMARC.SPFAligned, c.dmarc, c.aligned)
			}
			if c.step != "" && !anyStep(s.Steps, c.step) {
				t.Errorf("no SPF step says %q: %+v", c.step, s.Steps)
			}
			if !strings.Contains(rep.Verdict.Story, c.story) {
				t.Errorf("story = %q, want it to say %q", rep.Verdict.Story, c.story)
			}
			cause := ""
			if d := findDiff(rep, "spf"); d != nil {
				cause = d.Cause
			}
			if cause != c.diff {
				t.Errorf("recorded spf difference cause = %q, want %q", cause, c.diff)
			}
		})
	}
}

// anyStep reports whether a step, or a step under one, explains words.
func anyStep(steps []trace.Step, words string) bool {
	for _, s := range steps {
		if strings.Contains(s.Explain, words) || strings.Contains(s.Title, words) || anyStep(s.Steps, words) {
			return true
		}
	}
	return false
}

// TestTestingKey: a DKIM signature whose key has t=y neither rescues nor
// condemns a message (RFC 6376 §3.6.1): it counts as no signature.
func TestTestingKey(t *testing.T) {
	record := keyRecord()
	testingKey := strings.Replace(record, "k=ed25519;", "k=ed25519; t=y;", 1)
	signed := sign(t, mail(spoofTop, "alice@aligned.example", "bounce@attacker.example"), "aligned.example")
	tampered := strings.Replace(signed, "the figures are attached", "the figures are attached: pay now", 1)
	unsigned := mail(spoofTop, "alice@aligned.example", "bounce@attacker.example")
	cases := []struct {
		name        string
		raw, key    string
		dkim        trace.Result // the DKIM result stays what verification found
		dmarc       trace.Result
		disposition inspect.Disposition
		step        string // a verdict step must say this
		story       string
	}{
		{name: "a key in use rescues the message", raw: signed, key: record, dkim: trace.Pass, dmarc: trace.Pass, disposition: inspect.Deliver},
		{
			name: "a testing key's pass does not rescue it", raw: signed, key: testingKey, dkim: trace.Pass, dmarc: trace.Fail, disposition: inspect.Reject,
			step: "Had it counted, it would have aligned with aligned.example", story: "t=y",
		},
		{
			name: "a testing key's failure does not condemn it further", raw: tampered, key: testingKey, dkim: trace.Fail, dmarc: trace.Fail, disposition: inspect.Reject,
			step: "must not count against the message either",
		},
		{name: "unsigned, for comparison", raw: unsigned, key: record, dmarc: trace.Fail, disposition: inspect.Reject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startDNS(t)
			if err := srv.Add(`sel._domainkey.aligned.example. 300 IN TXT "` + c.key + `"`); err != nil {
				t.Fatal(err)
			}
			rep, err := inspect.Inspect(t.Context(), load(t, c.raw), options(srv))
			if err != nil {
				t.Fatal(err)
			}
			if c.dkim != "" && (len(rep.DKIM) != 1 || rep.DKIM[0].Result != c.dkim) {
				t.Fatalf("dkim = %+v, want one signature with %s", rep.DKIM, c.dkim)
			}
			if rep.DMARC.Result != c.dmarc || rep.Verdict.Disposition != c.disposition {
				t.Errorf("dmarc %s, verdict %s; want %s, %s (%s)", rep.DMARC.Result, rep.Verdict.Disposition, c.dmarc, c.disposition, rep.Verdict.Reason)
			}
			if c.step != "" && !anyStep(rep.Verdict.Steps, c.step) {
				t.Errorf("no verdict step says %q: %+v", c.step, rep.Verdict.Steps)
			}
			if c.step == "" && anyStep(rep.Verdict.Steps, "testing mode") {
				t.Errorf("a verdict step speaks of testing mode without a testing key: %+v", rep.Verdict.Steps)
			}
			if !strings.Contains(rep.Verdict.Story, c.story) {
				t.Errorf("story = %q, want it to say %q", rep.Verdict.Story, c.story)
			}
		})
	}
}

// TestDispositionStep: the step that turns DMARC's answer into the
// disposition names the policy as it stands (unknown when the record could
// not be fetched), explains the rule rather than repeating the reason, and
// is followed by what an attacker would have needed to pass.
func TestDispositionStep(t *testing.T) {
	cases := []struct {
		name       string
		from       string
		dns        func(*dnstest.Server)
		detail     string // the Disposition step's detail must say this
		notDetail  string
		attacker   string // the attacker step must say this; "" for no such step
		returnPath string // "" for bounce@attacker.example
		reason     string // the reason must say this
	}{
		{
			name: "temperror before the record: the policy is unknown", from: "alice@flaky.example",
			dns:    func(s *dnstest.Server) { s.Fail("_dmarc.flaky.example.", dns.RcodeServerFailure) },
			detail: "policy unknown (the record could not be fetched)", notDetail: "policy none",
		},
		{
			// SPF for bounce@aligned.example could align, but its record
			// cannot be fetched: the policy is known and not applied.
			name: "temperror after the record: the policy is known but not applied", from: "alice@aligned.example", returnPath: "bounce@aligned.example",
			dns:    func(s *dnstest.Server) { s.Fail("aligned.example.", dns.RcodeServerFailure) },
			detail: "policy p=reject requested but not applied", notDetail: "unknown",
			reason: "its policy (p=reject) cannot be applied",
		},
		{
			name: "a spoof against p=reject", from: "service@paypal.example",
			detail: "policy p=reject", attacker: "a DKIM signature by paypal.example or one of its subdomains that verifies",
		},
		{
			name: "no DMARC record: nothing was needed", from: "alice@nopolicy.example",
			detail: "no policy (no DMARC record)", attacker: "Nothing: nopolicy.example publishes no DMARC policy",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startDNS(t)
			if c.dns != nil {
				c.dns(srv)
			}
			rp := orDefault(c.returnPath, "bounce@attacker.example")
			rep, err := inspect.Inspect(t.Context(), load(t, mail(spoofTop, c.from, rp)), options(srv))
			if err != nil {
				t.Fatal(err)
			}
			v := rep.Verdict
			if !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason = %q, want it to say %q", v.Reason, c.reason)
			}
			var disp, attacker *trace.Step
			for i := range v.Steps {
				switch {
				case strings.HasPrefix(v.Steps[i].Title, "Disposition"):
					disp = &v.Steps[i]
				case v.Steps[i].Title == "What an attacker would have needed to pass":
					attacker = &v.Steps[i]
				}
			}
			if disp == nil {
				t.Fatalf("no Disposition step: %+v", v.Steps)
			}
			if !strings.Contains(disp.Detail, c.detail) || c.notDetail != "" && strings.Contains(disp.Detail, c.notDetail) {
				t.Errorf("Disposition detail = %q, want it to say %q and not %q", disp.Detail, c.detail, c.notDetail)
			}
			if disp.Explain == v.Reason || strings.Contains(v.Story, v.Reason) {
				t.Errorf("the reason %q is repeated (step: %q, story: %q)", v.Reason, disp.Explain, v.Story)
			}
			switch {
			case c.attacker == "" && attacker != nil:
				t.Errorf("attacker step %q, want none", attacker.Explain)
			case c.attacker != "" && (attacker == nil || !strings.Contains(attacker.Explain, c.attacker)):
				t.Errorf("attacker step = %+v, want it to say %q", attacker, c.attacker)
			}
		})
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// TestDNSBudget: when the message's DNS budget runs out, a step says so,
// what it cost and that --timeout raises it, and so does the story of a
// verdict the temperror decided; with no budget (a negative Timeout) only
// each query's own timeout applies.
func TestDNSBudget(t *testing.T) {
	cases := []struct {
		name    string
		timeout time.Duration
		delay   time.Duration // of _dmarc.flaky.example.
		ranOut  bool
		dmarc   trace.Result
	}{
		{name: "the budget runs out", timeout: 150 * time.Millisecond, delay: time.Second, ranOut: true, dmarc: trace.TempError},
		{name: "the budget is enough", timeout: 5 * time.Second, dmarc: trace.None},
		// The client's own timeout (200 ms, then 200 ms for its retry)
		// ends the lookup instead. The answer comes long after both:
		// at 300 ms it could reach the retry, and did once on a loaded
		// machine.
		{name: "no budget", timeout: -1, delay: 1500 * time.Millisecond, dmarc: trace.TempError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startDNS(t)
			if c.delay > 0 {
				srv.Delay("_dmarc.flaky.example.", c.delay)
			} else {
				srv.Fail("_dmarc.flaky.example.", dns.RcodeNameError)
			}
			opts := options(srv)
			opts.Timeout = c.timeout
			rep, err := inspect.Inspect(t.Context(), load(t, mail(spoofTop, "alice@flaky.example", "bounce@attacker.example")), opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.DMARC.Result != c.dmarc {
				t.Errorf("dmarc = %s, want %s", rep.DMARC.Result, c.dmarc)
			}
			var ranOut *trace.Step
			for i, s := range rep.Steps {
				if strings.HasPrefix(s.Title, "DNS time budget ran out") {
					ranOut = &rep.Steps[i]
				}
			}
			if !c.ranOut {
				if ranOut != nil {
					t.Errorf("step %+v, want none: the budget did not run out", *ranOut)
				}
				for _, q := range rep.DNS {
					if strings.Contains(q.Note, "budget") {
						t.Errorf("query %s %s: note %q, want no budget involved", q.Name, q.Type, q.Note)
					}
				}
				return
			}
			if ranOut == nil {
				t.Fatalf("steps %+v: none says the DNS time budget ran out", rep.Steps)
			}
			if ranOut.Title != "DNS time budget ran out: 150ms" || ranOut.Result != trace.TempError || ranOut.Detail != "1 lookup stopped or not sent after 150ms" || ranOut.Ref != "RFC 7208 §4.6.4" {
				t.Errorf("step %+v, want the 150ms budget, 1 lookup stopped, temperror", *ranOut)
			}
			for _, w := range []string{"within 150ms of the start (the budget --timeout set)", "temporary DNS error (temperror)", "--timeout raises the budget"} {
				if !strings.Contains(ranOut.Explain, w) {
					t.Errorf("step explains %q, want it to say %q", ranOut.Explain, w)
				}
			}
			if !strings.Contains(rep.Verdict.Story, "The DNS time budget of 150ms for this message ran out before every answer came; --timeout raises it.") {
				t.Errorf("story %q, want it to say the budget ran out", rep.Verdict.Story)
			}
		})
	}
}
