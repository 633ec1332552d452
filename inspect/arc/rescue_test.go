package arc_test

import (
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/trace"
)

func TestRescue(t *testing.T) {
	e := newEnv(t)
	// The mailing list saw DMARC pass, then added a footer (breaking the
	// author's DKIM signature) and two more hops sealed the message.
	three := seal(t, seal(t, addFooter(seal(t, baseMsg, e.lists())), e.forwarder()), e.mx())
	chain := e.verify(t, three)
	if chain.Result != trace.Pass {
		t.Fatalf("setup: chain = %s: %s", chain.Result, chain.Reason)
	}

	dkimOnly := e.lists()
	dkimOnly.aar = "lists.example.org; spf=fail smtp.mailfrom=bounce.example; dkim=pass header.d=news.d1.example; dmarc=none"
	spfOnly := e.lists()
	spfOnly.aar = "lists.example.org; spf=pass smtp.mailfrom=bounces@mail.d1.example; dkim=none"
	otherFrom := e.lists()
	otherFrom.aar = "lists.example.org; dmarc=pass header.from=elsewhere.example"
	unaligned := e.lists()
	unaligned.aar = "lists.example.org; spf=pass smtp.mailfrom=lists.example.org; dkim=pass header.d=lists.example.org; dmarc=fail header.from=d1.example"

	cases := []struct {
		name    string
		chain   arc.Result
		trusted []string
		ok      bool
		sealer  string
		because string
		why     string
	}{
		{"oldest trusted sealer saw DMARC pass", chain, []string{"lists.example.org"}, true, "lists.example.org", "dmarc=pass",
			"the oldest sealer you would trust, lists.example.org (i=1), saw DMARC pass"},
		{"the oldest of two trusted sealers decides", chain, []string{"mx.example.com", "lists.example.org"}, true, "lists.example.org", "dmarc=pass", "lists.example.org (i=1)"},
		{"trusted sealer saw DMARC fail", chain, []string{"forwarder.example.net"}, false, "forwarder.example.net", "",
			"forwarder.example.net (i=2), recorded neither DMARC pass nor an SPF or DKIM pass aligned with d1.example"},
		{"a parent domain is trusted", chain, []string{"example.com"}, false, "mx.example.com", "", "mx.example.com (i=3)"},
		// Anyone can register a name under a public suffix: trusting
		// one would let any attacker's seal rescue a message.
		{"a public suffix is never trusted", chain, []string{"org", "com"}, false, "", "",
			"None of the sealers (i=1 lists.example.org, i=2 forwarder.example.net, i=3 mx.example.com) is one you trust."},
		{"an unlisted top-level name is a public suffix too", chain, []string{"example.org", "net"}, true, "lists.example.org", "dmarc=pass", "lists.example.org (i=1)"},
		{"case and trailing dot", chain, []string{"Lists.Example.ORG."}, true, "lists.example.org", "dmarc=pass", "lists.example.org"},
		{"no sealer trusted", chain, []string{"nobody.example"}, false, "", "",
			"None of the sealers (i=1 lists.example.org, i=2 forwarder.example.net, i=3 mx.example.com) is one you trust."},
		{"nothing trusted", chain, nil, false, "", "", "give --trust-arc DOMAIN"},
		{"a broken chain rescues nothing", e.verify(t, addFooter(three)), []string{"lists.example.org"}, false, "", "", "did not validate (status fail)"},
		{"no chain", e.verify(t, baseMsg), []string{"lists.example.org"}, false, "", "", "no ARC chain"},
		{"aligned DKIM pass", e.verify(t, seal(t, baseMsg, dkimOnly)), []string{"lists.example.org"}, true, "lists.example.org", "dkim=pass (news.d1.example)",
			"saw DKIM pass for news.d1.example, aligned with the From domain d1.example"},
		{"aligned SPF pass", e.verify(t, seal(t, baseMsg, spfOnly)), []string{"lists.example.org"}, true, "lists.example.org", "spf=pass (mail.d1.example)",
			"saw SPF pass for mail.d1.example"},
		{"DMARC pass for another From", e.verify(t, seal(t, baseMsg, otherFrom)), []string{"lists.example.org"}, false, "lists.example.org", "", "recorded neither"},
		{"passes that do not align", e.verify(t, seal(t, baseMsg, unaligned)), []string{"lists.example.org"}, false, "lists.example.org", "", "recorded neither"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.chain.Rescue(c.trusted)
			if got.OK != c.ok || got.Sealer != c.sealer || got.Because != c.because || !strings.Contains(got.Why, c.why) {
				t.Errorf("Rescue(%q) = ok %v, sealer %q, because %q, why %q\nwant ok %v, sealer %q, because %q, why containing %q",
					c.trusted, got.OK, got.Sealer, got.Because, got.Why, c.ok, c.sealer, c.because, c.why)
			}
			sealer, ok := c.chain.Rescues(c.trusted)
			if ok != c.ok || sealer != c.sealer {
				t.Errorf("Rescues = %q, %v; want %q, %v", sealer, ok, c.sealer, c.ok)
			}
			checkSteps(t, got.Steps)
			for _, tr := range c.trusted {
				if arc.IsPublicSuffix(tr) && !hasStep(got.Steps, "Trusted sealers that are public suffixes are ignored") {
					t.Errorf("%q is a public suffix, but no step says it was ignored: %+v", tr, got.Steps)
				}
			}
			exact := false
			for _, tr := range c.trusted {
				exact = exact || strings.EqualFold(strings.TrimSuffix(tr, "."), got.Sealer)
			}
			if got.Sealer != "" && !exact && !hasStep(got.Steps, "Trusted sealer "+got.Sealer) {
				t.Errorf("%s was trusted as a name under a trusted domain, but no step says so: %+v", got.Sealer, got.Steps)
			}
			for _, p := range tracetest.TextProblems("why", got.Why) {
				t.Errorf("Why %q: %s", got.Why, p)
			}
			if len(got.Steps) < 2 || got.Steps[0].Ref != "RFC 8617 §7.2.1" {
				t.Errorf("steps = %+v, want the rule and the decision", got.Steps)
			}
			checkSteps(t, got.Steps)
		})
	}
}

// TestRescueNeedsFromDomain: without exactly one From, alignment cannot
// be judged, so only a DMARC pass could count.
func TestRescueNeedsFromDomain(t *testing.T) {
	e := newEnv(t)
	s := e.lists()
	s.aar = "lists.example.org; dkim=pass header.d=d1.example"
	two := strings.Replace(baseMsg, "To: ", "From: x@y.example\r\nTo: ", 1)
	chain := e.verify(t, seal(t, two, s))
	if chain.Result != trace.Pass || chain.FromDomain != "" {
		t.Fatalf("chain = %s, From domain %q: %s", chain.Result, chain.FromDomain, chain.Reason)
	}
	r := chain.Rescue([]string{"lists.example.org"})
	if r.OK || !strings.Contains(r.Why, "without one From domain") {
		t.Errorf("Rescue = %+v", r)
	}
}

func hasStep(steps []trace.Step, title string) bool {
	for _, st := range steps {
		if st.Title == title {
			return true
		}
	}
	return false
}
