package dmarc_test

import (
	"encoding/json"
	"fmt"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// want is one standard's expected answer.
type want struct {
	res  trace.Result
	pol  dmarc.Policy
	org  string
	rec  string // record_domain
	spf  bool
	dkim bool
	disp dmarc.Disposition
}

type checkCase struct {
	name  string
	zones []string // default: testdata/dmarc.zone
	setup func(*dnstest.Server)
	// timeout is the client's per-exchange timeout: short only where the
	// server stays silent on purpose, so a loaded machine cannot make an
	// ordinary answer late.
	timeout time.Duration
	from    []string
	spf     dmarc.SPFResult
	dkim    []dmarc.DKIMResult
	w9      want // RFC 9989
	w7      want // RFC 7489
	more    func(t *testing.T, r dmarc.Result)
}

func spfPass(d string) dmarc.SPFResult {
	return dmarc.SPFResult{Result: trace.Pass, Domain: d, Identity: "mailfrom"}
}

func spfFail(d string) dmarc.SPFResult {
	return dmarc.SPFResult{Result: trace.Fail, Domain: d, Identity: "mailfrom"}
}

func dkimPass(d string) dmarc.DKIMResult {
	return dmarc.DKIMResult{Result: trace.Pass, Domain: d, Selector: "s1"}
}

var (
	none    = dmarc.PolicyNone
	quar    = dmarc.PolicyQuarantine
	reject  = dmarc.PolicyReject
	deliver = dmarc.Deliver
)

func checkCases() []checkCase {
	return []checkCase{
		{
			name: "aligned pass",
			from: []string{"News <news@aligned.example>"},
			spf:  spfPass("aligned.example"), dkim: []dmarc.DKIMResult{dkimPass("aligned.example")},
			w9: want{trace.Pass, reject, "aligned.example", "aligned.example", true, true, deliver},
			w7: want{trace.Pass, reject, "aligned.example", "aligned.example", true, true, deliver},
		},
		{
			name: "relaxed SPF alignment",
			from: []string{"a@relaxed.example"},
			spf:  spfPass("bounce.relaxed.example"),
			w9:   want{trace.Pass, reject, "relaxed.example", "relaxed.example", true, false, deliver},
			w7:   want{trace.Pass, reject, "relaxed.example", "relaxed.example", true, false, deliver},
		},
		{
			name: "relaxed DKIM alignment",
			from: []string{"a@relaxed.example"},
			spf:  spfFail("relaxed.example"), dkim: []dmarc.DKIMResult{dkimPass("mail.relaxed.example")},
			w9: want{trace.Pass, reject, "relaxed.example", "relaxed.example", false, true, deliver},
			w7: want{trace.Pass, reject, "relaxed.example", "relaxed.example", false, true, deliver},
		},
		{
			name: "strict SPF and DKIM refuse subdomains",
			from: []string{"a@strict.example"},
			spf:  spfPass("bounce.strict.example"), dkim: []dmarc.DKIMResult{dkimPass("mail.strict.example")},
			w9: want{trace.Fail, reject, "strict.example", "strict.example", false, false, dmarc.Reject},
			w7: want{trace.Fail, reject, "strict.example", "strict.example", false, false, dmarc.Reject},
		},
		{
			name: "strict alignment with identical domains",
			from: []string{"a@strict.example"},
			spf:  spfPass("strict.example"), dkim: []dmarc.DKIMResult{dkimPass("STRICT.example.")},
			w9: want{trace.Pass, reject, "strict.example", "strict.example", true, true, deliver},
			w7: want{trace.Pass, reject, "strict.example", "strict.example", true, true, deliver},
		},
		{
			name: "subdomain takes sp",
			from: []string{"a@shop.sub.example"},
			spf:  spfFail("shop.sub.example"),
			w9:   want{trace.Fail, quar, "sub.example", "sub.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, quar, "sub.example", "sub.example", false, false, dmarc.Quarantine},
		},
		{
			name: "non-existent subdomain takes np",
			from: []string{"x@ghost.np.example"},
			spf:  dmarc.SPFResult{Result: trace.None, Domain: "ghost.np.example", Identity: "mailfrom"},
			w9:   want{trace.Fail, reject, "np.example", "np.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, none, "np.example", "np.example", false, false, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if r.RFC9989.PolicyTag != "np" || r.RFC7489.PolicyTag != "sp" {
					t.Errorf("policy tags = %q/%q, want np/sp", r.RFC9989.PolicyTag, r.RFC7489.PolicyTag)
				}
				if !hasStep(r.RFC9989.Steps, "Does ghost.np.example exist?", trace.Info, "NXDOMAIN") {
					t.Errorf("no existence step with NXDOMAIN:\n%s", dump(r.RFC9989.Steps))
				}
			},
		},
		{
			name: "existing subdomain with np takes sp",
			from: []string{"x@real.np.example"},
			spf:  spfFail("real.np.example"),
			w9:   want{trace.Fail, none, "np.example", "np.example", false, false, deliver},
			w7:   want{trace.Fail, none, "np.example", "np.example", false, false, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if r.RFC9989.PolicyTag != "sp" {
					t.Errorf("policy tag = %q, want sp", r.RFC9989.PolicyTag)
				}
			},
		},
		{
			// RFC 9989 Appendix B.4.3.
			name: "psd=y above a domain with its own record",
			from: []string{"x@giant.bank.example"},
			spf:  spfPass("mail.giant.bank.example"), dkim: []dmarc.DKIMResult{dkimPass("mail.mega.bank.example")},
			w9: want{trace.Pass, reject, "giant.bank.example", "giant.bank.example", true, false, deliver},
			w7: want{trace.Pass, reject, "bank.example", "giant.bank.example", true, true, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if got := r.RFC9989.Queried; !slices.Equal(got, []string{"giant.bank.example", "bank.example"}) {
					t.Errorf("walk asked %q, want it to stop at psd=y", got)
				}
			},
		},
		{
			name: "psd=y record applies to a subdomain without one",
			from: []string{"x@tiny.bank.example"},
			spf:  spfPass("evil.bank.example"),
			w9:   want{trace.Fail, quar, "tiny.bank.example", "bank.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Pass, quar, "bank.example", "bank.example", true, false, deliver},
		},
		{
			name: "psd=n stops the walk",
			from: []string{"a@dept.corp.psdn.example"},
			spf:  spfPass("other.psdn.example"),
			w9:   want{trace.Fail, reject, "corp.psdn.example", "corp.psdn.example", false, false, dmarc.Reject},
			w7:   want{trace.Pass, none, "psdn.example", "psdn.example", true, false, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if got := r.RFC9989.Queried; !slices.Equal(got, []string{"dept.corp.psdn.example", "corp.psdn.example"}) {
					t.Errorf("walk asked %q, want it to stop at psd=n", got)
				}
			},
		},
		{
			name: "nine-label From domain",
			from: []string{"a@a.b.c.d.e.f.g.deep.example"},
			spf:  spfFail("a.b.c.d.e.f.g.deep.example"),
			w9:   want{trace.Fail, quar, "deep.example", "deep.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, quar, "deep.example", "deep.example", false, false, dmarc.Quarantine},
		},
		{
			name:  "multi-label public suffix, record only at the organizational domain",
			zones: []string{"testdata/couk-plain.zone"},
			from:  []string{"alerts@mail.brand.co.uk"},
			spf:   spfPass("bounce.brand.co.uk"),
			w9:    want{trace.Pass, reject, "brand.co.uk", "brand.co.uk", true, false, deliver},
			w7:    want{trace.Pass, reject, "brand.co.uk", "brand.co.uk", true, false, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if got := r.RFC9989.Queried; !slices.Equal(got, []string{"mail.brand.co.uk", "brand.co.uk", "co.uk", "uk"}) {
					t.Errorf("RFC 9989 asked %q", got)
				}
				if got := r.RFC7489.Queried; !slices.Equal(got, []string{"mail.brand.co.uk", "brand.co.uk"}) {
					t.Errorf("RFC 7489 asked %q", got)
				}
			},
		},
		{
			// RFC 9989 §11.8: a public suffix publishing without psd=y.
			name:  "multi-label public suffix with a record at co.uk, PSL and walk disagree",
			zones: []string{"testdata/couk-psd-missing.zone"},
			from:  []string{"alerts@mail.brand.co.uk"},
			spf:   spfPass("evil.co.uk"),
			w9:    want{trace.Pass, none, "co.uk", "co.uk", true, false, deliver},
			w7:    want{trace.Fail, reject, "brand.co.uk", "brand.co.uk", false, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if !r.Differ {
					t.Error("Differ = false, want true")
				}
			},
		},
		{
			name:  "multi-label public suffix, psd=n restores agreement",
			zones: []string{"testdata/couk-psdn.zone"},
			from:  []string{"alerts@mail.brand.co.uk"},
			spf:   spfPass("evil.co.uk"),
			w9:    want{trace.Fail, reject, "brand.co.uk", "brand.co.uk", false, false, dmarc.Reject},
			w7:    want{trace.Fail, reject, "brand.co.uk", "brand.co.uk", false, false, dmarc.Reject},
		},
		{
			name: "t=y applies the next weaker policy",
			from: []string{"a@testing.example"},
			spf:  spfFail("testing.example"),
			w9:   want{trace.Fail, quar, "testing.example", "testing.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, reject, "testing.example", "testing.example", false, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if !r.RFC9989.Testing || r.RFC7489.Testing {
					t.Errorf("testing = %v/%v, want true/false", r.RFC9989.Testing, r.RFC7489.Testing)
				}
				if r.RFC9989.Requested != reject {
					t.Errorf("requested = %s, want reject", r.RFC9989.Requested)
				}
			},
		},
		{
			name: "t=y on quarantine means none",
			from: []string{"a@testq.example"},
			spf:  spfFail("testq.example"),
			w9:   want{trace.Fail, none, "testq.example", "testq.example", false, false, deliver},
			w7:   want{trace.Fail, quar, "testq.example", "testq.example", false, false, dmarc.Quarantine},
		},
		{
			name: "pct=0",
			from: []string{"a@pct0.example"},
			spf:  spfFail("pct0.example"),
			w9:   want{trace.Fail, reject, "pct0.example", "pct0.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, quar, "pct0.example", "pct0.example", false, false, dmarc.Quarantine},
			more: func(t *testing.T, r dmarc.Result) { wantPct(t, r, 0) },
		},
		{
			name: "pct=50",
			from: []string{"a@pct50.example"},
			spf:  spfFail("pct50.example"),
			w9:   want{trace.Fail, quar, "pct50.example", "pct50.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, quar, "pct50.example", "pct50.example", false, false, dmarc.Quarantine},
			more: func(t *testing.T, r dmarc.Result) {
				wantPct(t, r, 50)
				if !strings.Contains(dump(r.RFC7489.Steps), "pct=50 asks receivers to apply quarantine to 50% of failing mail") {
					t.Errorf("pct share not explained:\n%s", dump(r.RFC7489.Steps))
				}
			},
		},
		{
			name: "invalid p without rua: no DMARC",
			from: []string{"a@badp.example"},
			spf:  spfFail("badp.example"),
			w9:   want{trace.PermError, none, "badp.example", "badp.example", false, false, deliver},
			w7:   want{trace.PermError, none, "badp.example", "badp.example", false, false, deliver},
		},
		{
			name: "invalid p with rua: p=none",
			from: []string{"a@badprua.example"},
			spf:  spfFail("badprua.example"),
			w9:   want{trace.Fail, none, "badprua.example", "badprua.example", false, false, deliver},
			w7:   want{trace.Fail, none, "badprua.example", "badprua.example", false, false, deliver},
		},
		{
			name: "rua without p: p=none",
			from: []string{"a@norp.example"},
			spf:  spfFail("norp.example"),
			w9:   want{trace.Fail, none, "norp.example", "norp.example", false, false, deliver},
			w7:   want{trace.Fail, none, "norp.example", "norp.example", false, false, deliver},
		},
		{
			name: "invalid sp without rua: no DMARC",
			from: []string{"a@badsp.example"},
			spf:  spfFail("badsp.example"),
			w9:   want{trace.PermError, none, "badsp.example", "badsp.example", false, false, deliver},
			w7:   want{trace.PermError, none, "badsp.example", "badsp.example", false, false, deliver},
		},
		{
			name: "invalid np: only RFC 9989 cares",
			from: []string{"a@badnp.example"},
			spf:  spfFail("badnp.example"),
			w9:   want{trace.PermError, none, "badnp.example", "badnp.example", false, false, deliver},
			w7:   want{trace.Fail, reject, "badnp.example", "badnp.example", false, false, dmarc.Reject},
		},
		{
			name: "invalid adkim falls back to relaxed",
			from: []string{"a@badadkim.example"},
			spf:  spfFail("badadkim.example"), dkim: []dmarc.DKIMResult{dkimPass("mail.badadkim.example")},
			w9: want{trace.Pass, reject, "badadkim.example", "badadkim.example", false, true, deliver},
			w7: want{trace.Pass, reject, "badadkim.example", "badadkim.example", false, true, deliver},
		},
		{
			name: "v not first: not a DMARC record",
			from: []string{"a@vlate.example"},
			spf:  spfFail("vlate.example"),
			w9:   want{trace.None, none, "vlate.example", "", false, false, deliver},
			w7:   want{trace.None, none, "vlate.example", "", false, false, deliver},
		},
		{
			name: "v=dmarc1 in lower case: not a DMARC record",
			from: []string{"a@vcase.example"},
			spf:  spfFail("vcase.example"),
			w9:   want{trace.None, none, "vcase.example", "", false, false, deliver},
			w7:   want{trace.None, none, "vcase.example", "", false, false, deliver},
		},
		{
			name: "junk between tags is ignored",
			from: []string{"a@junk.example"},
			spf:  spfFail("junk.example"),
			w9:   want{trace.Fail, reject, "junk.example", "junk.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "junk.example", "junk.example", false, false, dmarc.Reject},
		},
		{
			name: "record split over two strings",
			from: []string{"a@split.example"},
			spf:  spfFail("split.example"),
			w9:   want{trace.Fail, reject, "split.example", "split.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "split.example", "split.example", false, false, dmarc.Reject},
		},
		{
			name: "unknown tags are ignored",
			from: []string{"a@unknown.example"},
			spf:  spfFail("unknown.example"),
			w9:   want{trace.Fail, quar, "unknown.example", "unknown.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, quar, "unknown.example", "unknown.example", false, false, dmarc.Quarantine},
		},
		{
			name: "p not second",
			from: []string{"a@plate.example"},
			spf:  spfFail("plate.example"),
			w9:   want{trace.Fail, reject, "plate.example", "plate.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "plate.example", "plate.example", false, false, dmarc.Reject},
		},
		{
			name: "upper-case tag name and policy",
			from: []string{"a@upper.example"},
			spf:  spfFail("upper.example"),
			w9:   want{trace.Fail, reject, "upper.example", "upper.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "upper.example", "upper.example", false, false, dmarc.Reject},
		},
		{
			name: "two records at the Author Domain",
			from: []string{"a@two.multi.example"},
			spf:  spfFail("two.multi.example"),
			w9:   want{trace.Fail, reject, "multi.example", "multi.example", false, false, dmarc.Reject},
			w7:   want{trace.None, none, "multi.example", "", false, false, deliver},
		},
		{
			name: "a non-DMARC TXT record beside the record",
			from: []string{"a@spfonly.example"},
			spf:  spfFail("spfonly.example"),
			w9:   want{trace.Fail, quar, "spfonly.example", "spfonly.example", false, false, dmarc.Quarantine},
			w7:   want{trace.Fail, quar, "spfonly.example", "spfonly.example", false, false, dmarc.Quarantine},
		},
		{
			name:  "SERVFAIL for the record: temperror",
			setup: func(s *dnstest.Server) { s.Fail("_dmarc.tempfail.example", dns.RcodeServerFailure) },
			from:  []string{"a@tempfail.example"},
			spf:   spfFail("tempfail.example"),
			w9:    want{trace.TempError, none, "", "", false, false, deliver},
			w7:    want{trace.TempError, none, "tempfail.example", "", false, false, deliver},
			more: func(t *testing.T, r dmarc.Result) {
				if !r.TempError || !strings.Contains(r.Reason, "defer") {
					t.Errorf("TempError = %v, reason %q: want a temperror that says a receiver may defer", r.TempError, r.Reason)
				}
			},
		},
		{
			name:    "timeout for the record: temperror",
			setup:   func(s *dnstest.Server) { s.Drop("_dmarc.slow.example") },
			timeout: 100 * time.Millisecond,
			from:    []string{"a@slow.example"},
			spf:     spfPass("slow.example"),
			w9:      want{trace.TempError, none, "", "", false, false, deliver},
			w7:      want{trace.TempError, none, "slow.example", "", false, false, deliver},
		},
		{
			name:  "walk above the record fails, identical SPF still passes",
			setup: func(s *dnstest.Server) { s.Fail("_dmarc.example", dns.RcodeServerFailure) },
			from:  []string{"a@upfail.example"},
			spf:   spfPass("upfail.example"),
			w9:    want{trace.Pass, reject, "", "upfail.example", true, false, deliver},
			w7:    want{trace.Pass, reject, "upfail.example", "upfail.example", true, false, deliver},
		},
		{
			name:  "walk above the record fails, relaxed SPF undecided",
			setup: func(s *dnstest.Server) { s.Fail("_dmarc.example", dns.RcodeServerFailure) },
			from:  []string{"a@upfail.example"},
			spf:   spfPass("bounce.upfail.example"),
			w9:    want{trace.TempError, reject, "", "upfail.example", false, false, deliver},
			w7:    want{trace.Pass, reject, "upfail.example", "upfail.example", true, false, deliver},
		},
		{
			name:  "existence test fails: np or p unknown",
			setup: func(s *dnstest.Server) { s.Fail("ghost.nptemp.example", dns.RcodeServerFailure) },
			from:  []string{"a@ghost.nptemp.example"},
			spf:   spfFail("ghost.nptemp.example"),
			w9:    want{trace.TempError, quar, "nptemp.example", "nptemp.example", false, false, deliver},
			w7:    want{trace.Fail, quar, "nptemp.example", "nptemp.example", false, false, dmarc.Quarantine},
		},
		{
			name: "SPF temperror for an aligned domain",
			from: []string{"a@aligned.example"},
			spf:  dmarc.SPFResult{Result: trace.TempError, Domain: "aligned.example", Identity: "mailfrom"},
			w9:   want{trace.TempError, reject, "aligned.example", "aligned.example", false, false, deliver},
			w7:   want{trace.TempError, reject, "aligned.example", "aligned.example", false, false, deliver},
		},
		{
			name: "SPF temperror for an unrelated domain does not matter",
			from: []string{"a@aligned.example"},
			spf:  dmarc.SPFResult{Result: trace.TempError, Domain: "unrelated.example", Identity: "mailfrom"},
			w9:   want{trace.Fail, reject, "aligned.example", "aligned.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "aligned.example", "aligned.example", false, false, dmarc.Reject},
		},
		{
			name: "multiple From header fields",
			from: []string{"a@aligned.example", "b@testing.example"},
			spf:  spfPass("aligned.example"),
			w9:   want{trace.Fail, quar, "testing.example", "testing.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "testing.example", "testing.example", false, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if r.FromProblem != dmarc.FromMultipleFields {
					t.Errorf("FromProblem = %q, want %q", r.FromProblem, dmarc.FromMultipleFields)
				}
				if !strings.Contains(r.Steps[0].Explain, "RFC 5322 §3.6 allows exactly one") {
					t.Errorf("author step does not explain the rule: %q", r.Steps[0].Explain)
				}
			},
		},
		{
			name: "one From field with addresses in two domains",
			from: []string{"a@aligned.example, b@pct0.example"},
			spf:  spfPass("aligned.example"),
			w9:   want{trace.Fail, reject, "pct0.example", "pct0.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, quar, "pct0.example", "pct0.example", false, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if r.FromProblem != dmarc.FromMultipleAddresses {
					t.Errorf("FromProblem = %q, want %q", r.FromProblem, dmarc.FromMultipleAddresses)
				}
			},
		},
		{
			// The RFCs count domains; receivers such as Gmail refuse several
			// addresses outright, and the issue asks for a failure.
			name: "two addresses in one domain cannot pass",
			from: []string{"a@aligned.example, b@Aligned.Example"},
			spf:  spfPass("aligned.example"),
			w9:   want{trace.Fail, none, "aligned.example", "aligned.example", true, false, dmarc.Reject},
			w7:   want{trace.Fail, none, "aligned.example", "aligned.example", true, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if r.FromProblem != dmarc.FromMultipleAddresses || r.Steps[0].Result != trace.Fail {
					t.Errorf("FromProblem %q, author step %s; want multiple_addresses, fail", r.FromProblem, r.Steps[0].Result)
				}
				if r.RFC9989.Steps[0].Result != trace.Pass {
					t.Errorf("the domain's own evaluation = %s, want pass shown beside the failure", r.RFC9989.Steps[0].Result)
				}
			},
		},
		{
			name: "missing From",
			from: nil,
			spf:  spfPass("aligned.example"),
			w9:   want{trace.Fail, none, "", "", false, false, dmarc.Reject},
			w7:   want{trace.Fail, none, "", "", false, false, dmarc.Reject},
			more: func(t *testing.T, r dmarc.Result) {
				if r.FromProblem != dmarc.FromMissing || len(r.RFC9989.Queried)+len(r.RFC7489.Queried) != 0 {
					t.Errorf("FromProblem = %q, queried %q %q", r.FromProblem, r.RFC9989.Queried, r.RFC7489.Queried)
				}
			},
		},
		{
			name: "From with an empty group names no domain",
			from: []string{"undisclosed-recipients:;"},
			spf:  spfPass("aligned.example"),
			w9:   want{trace.None, none, "", "", false, false, deliver},
			w7:   want{trace.None, none, "", "", false, false, deliver},
		},
		{
			name: "forwarded: SPF fails, DKIM aligned passes",
			from: []string{"a@fwd.example"},
			spf:  spfFail("fwd.example"), dkim: []dmarc.DKIMResult{dkimPass("fwd.example")},
			w9: want{trace.Pass, reject, "fwd.example", "fwd.example", false, true, deliver},
			w7: want{trace.Pass, reject, "fwd.example", "fwd.example", false, true, deliver},
		},
		{
			name: "null sender: SPF of the HELO name aligns",
			from: []string{"mailer-daemon@aligned.example"},
			spf:  dmarc.SPFResult{Result: trace.Pass, Domain: "aligned.example", Identity: "helo"},
			w9:   want{trace.Pass, reject, "aligned.example", "aligned.example", true, false, deliver},
			w7:   want{trace.Pass, reject, "aligned.example", "aligned.example", true, false, deliver},
		},
		{
			name: "malformed From is read leniently",
			from: []string{"PayPal <service@paypal.example"},
			spf:  spfPass("attacker.example"),
			w9:   want{trace.Fail, reject, "paypal.example", "paypal.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "paypal.example", "paypal.example", false, false, dmarc.Reject},
		},
		{
			name: "a failed DKIM signature from the From domain",
			from: []string{"a@aligned.example"},
			spf:  spfPass("attacker.example"),
			dkim: []dmarc.DKIMResult{{Result: trace.Fail, Domain: "aligned.example", Selector: "s1"}, dkimPass("attacker.example")},
			w9:   want{trace.Fail, reject, "aligned.example", "aligned.example", false, false, dmarc.Reject},
			w7:   want{trace.Fail, reject, "aligned.example", "aligned.example", false, false, dmarc.Reject},
		},
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range checkCases() {
		t.Run(tc.name, func(t *testing.T) {
			zones := tc.zones
			if zones == nil {
				zones = []string{"testdata/dmarc.zone"}
			}
			srv := dnstest.Start(t, zones...)
			if tc.setup != nil {
				tc.setup(srv)
			}
			r := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: tc.timeout}
			for _, std := range []dmarc.Standard{dmarc.RFC9989, dmarc.RFC7489} {
				res := dmarc.Check(t.Context(), dmarc.Input{Resolver: r, From: tc.from, SPF: tc.spf, DKIM: tc.dkim, Standard: std})
				dec, oth := tc.w9, tc.w7
				if std == dmarc.RFC7489 {
					dec, oth = tc.w7, tc.w9
				}
				if res.Standard != std {
					t.Errorf("%s: standard = %q", std, res.Standard)
				}
				got := want{res.Result, res.Policy, res.OrgDomain, res.RecordDomain, res.SPFAligned, res.DKIMAligned, res.Disposition}
				if got != dec {
					t.Errorf("%s decides: got %+v, want %+v\n%s", std, got, dec, dump(res.Steps))
				}
				gotOther := res.Other
				wantOther := dmarc.Other{Standard: otherStd(std), OrgDomain: oth.org, RecordDomain: oth.rec, Policy: oth.pol, Result: oth.res}
				if gotOther != wantOther {
					t.Errorf("%s decides: other = %+v, want %+v", std, gotOther, wantOther)
				}
				e := res.RFC7489
				if std == dmarc.RFC7489 {
					e = res.RFC9989
				}
				gotE := want{e.Result, e.Policy, e.OrgDomain, e.RecordDomain, e.SPFAligned, e.DKIMAligned, e.Disposition}
				if gotE != oth {
					t.Errorf("%s decides: other evaluation %+v, want %+v\n%s", std, gotE, oth, dump(e.Steps))
				}
				if res.Differ != differ(tc.w9, tc.w7) {
					t.Errorf("Differ = %v for %+v vs %+v", res.Differ, tc.w9, tc.w7)
				}
				checkSteps(t, res.Steps)
				if res.Story == "" {
					t.Error("no story")
				}
				if tc.more != nil && std == dmarc.RFC9989 {
					tc.more(t, res)
				}
			}
		})
	}
}

// differ is when the two answers should be reported as different: the
// result, the policy, the record, or the Organizational Domain when both
// are known (a DNS failure leaves it unknown, which is no disagreement).
func differ(a, b want) bool {
	known := func(w want) bool {
		return w.org != "" || (w.res != trace.TempError && w.res != trace.PermError)
	}
	return a.res != b.res || a.pol != b.pol || a.rec != b.rec || (a.org != b.org && known(a) && known(b))
}

func otherStd(s dmarc.Standard) dmarc.Standard {
	if s == dmarc.RFC7489 {
		return dmarc.RFC9989
	}
	return dmarc.RFC7489
}

func wantPct(t *testing.T, r dmarc.Result, pct int) {
	t.Helper()
	if r.RFC9989.Pct != nil {
		t.Errorf("RFC 9989 pct = %d, want none", *r.RFC9989.Pct)
	}
	if r.RFC7489.Pct == nil || *r.RFC7489.Pct != pct {
		t.Errorf("RFC 7489 pct = %v, want %d", r.RFC7489.Pct, pct)
	}
}

// checkSteps asserts what every step must have: a title, a result, and for
// everything that decides (not info) an explanation and an RFC reference.
func checkSteps(t *testing.T, steps []trace.Step) {
	t.Helper()
	for _, s := range steps {
		if s.Title == "" || s.Result == "" {
			t.Errorf("step without title or result: %+v", s)
		}
		if s.Explain == "" {
			t.Errorf("step %q explains nothing (detail %q)", s.Title, s.Detail)
		}
		if s.Ref == "" {
			t.Errorf("step %q has no RFC reference", s.Title)
		}
		for _, p := range tracetest.StepProblems(s) {
			t.Errorf("step %q: %s\n  explain: %s\n  detail: %s\n  ref: %s", s.Title, p, s.Explain, s.Detail, s.Ref)
		}
		checkSteps(t, s.Steps)
	}
}

func hasStep(steps []trace.Step, title string, res trace.Result, detail string) bool {
	for _, s := range steps {
		if s.Title == title && s.Result == res && strings.Contains(s.Detail, detail) {
			return true
		}
		if hasStep(s.Steps, title, res, detail) {
			return true
		}
	}
	return false
}

func dump(steps []trace.Step) string {
	var b strings.Builder
	var walk func([]trace.Step, string)
	walk = func(ss []trace.Step, indent string) {
		for _, s := range ss {
			b.WriteString(indent + "[" + string(s.Result) + "] " + s.Title + " | " + s.Detail + " | " + s.Explain + " (" + s.Ref + ")\n")
			walk(s.Steps, indent+"  ")
		}
	}
	walk(steps, "")
	return b.String()
}

// TestWalkNineLabels counts, at the server, the _dmarc names asked for a
// From domain of nine labels: RFC 9989 §4.10 asks the name itself, jumps to
// its last seven labels, then walks up: eight queries, and the RFC 7489
// lookups reuse them.
func TestWalkNineLabels(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	rec := dnsx.NewRecorder(dnsx.NewClient(srv.Addr))
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: rec, From: []string{"a@a.b.c.d.e.f.g.deep.example"}, SPF: spfFail("a.b.c.d.e.f.g.deep.example")})
	wantNames := []string{
		"_dmarc.a.b.c.d.e.f.g.deep.example",
		"_dmarc.c.d.e.f.g.deep.example",
		"_dmarc.d.e.f.g.deep.example",
		"_dmarc.e.f.g.deep.example",
		"_dmarc.f.g.deep.example",
		"_dmarc.g.deep.example",
		"_dmarc.deep.example",
		"_dmarc.example",
	}
	for _, n := range wantNames {
		if got := srv.Count(n, dns.TypeTXT); got != 1 {
			t.Errorf("server saw %d queries for %s, want 1", got, n)
		}
	}
	if got := srv.Count("_dmarc.b.c.d.e.f.g.deep.example", dns.TypeTXT); got != 0 {
		t.Errorf("server saw %d queries for the skipped eight-label name, want 0", got)
	}
	var asked []string
	for _, q := range rec.Queries() {
		asked = append(asked, strings.TrimSuffix(q.Name, "."))
	}
	if !slices.Equal(asked, wantNames) {
		t.Errorf("queries in order = %q,\nwant %q", asked, wantNames)
	}
	if res.OrgDomain != "deep.example" {
		t.Errorf("org domain = %q", res.OrgDomain)
	}
}

func TestWalkNames(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"com", []string{"com"}},
		{"example.com", []string{"example.com", "com"}},
		{"a.mail.example.com", []string{"a.mail.example.com", "mail.example.com", "example.com", "com"}},
		{"1.2.3.4.5.6.7.8", []string{"1.2.3.4.5.6.7.8", "2.3.4.5.6.7.8", "3.4.5.6.7.8", "4.5.6.7.8", "5.6.7.8", "6.7.8", "7.8", "8"}},
		// RFC 9989 §4.10's own example.
		{"a.b.c.d.e.f.g.h.i.j.mail.example.com", []string{"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
			"i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := dmarc.WalkNames(tc.in)
			if !slices.Equal(got, tc.want) {
				t.Errorf("WalkNames(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if len(got) > dmarc.MaxWalkQueries {
				t.Errorf("WalkNames(%q) asks %d names", tc.in, len(got))
			}
		})
	}
}

// TestStory checks the plain story against the contract's example verdict.
func TestStory(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone", "testdata/couk-psd-missing.zone")
	r := dnsx.NewClient(srv.Addr)
	cases := []struct {
		name string
		in   dmarc.Input
		want string
	}{
		{
			name: "contract example",
			in:   dmarc.Input{From: []string{`"PayPal Service" <service@paypal.example>`}, SPF: spfPass("attacker.example")},
			want: "From says paypal.example. SPF passed, but for attacker.example, which is not paypal.example. No DKIM signature is from paypal.example. paypal.example asks receivers to reject such mail, so a receiver that follows DMARC rejects it.",
		},
		{
			name: "forwarded",
			in:   dmarc.Input{From: []string{"a@fwd.example"}, SPF: spfFail("fwd.example"), DKIM: []dmarc.DKIMResult{dkimPass("fwd.example")}},
			want: "From says fwd.example. SPF did not pass for fwd.example (fail). A DKIM signature from fwd.example verifies. So DMARC passes: fwd.example's owner stands behind this message.",
		},
		{
			name: "t=y",
			in:   dmarc.Input{From: []string{"a@testing.example"}, SPF: spfFail("testing.example")},
			want: "From says testing.example. SPF did not pass for testing.example (fail). No DKIM signature is from testing.example. testing.example asks receivers to reject such mail but is only testing that policy (t=y), so a receiver that follows DMARC puts it in the spam folder instead. A receiver that still follows RFC 7489 reaches a different answer (fail, policy reject) and rejects it.",
		},
		{
			name: "np",
			in:   dmarc.Input{From: []string{"x@ghost.np.example"}},
			want: "From says ghost.np.example. SPF was not checked (the client that sent the message, or its MAIL FROM, is unknown). No DKIM signature is from ghost.np.example. ghost.np.example does not exist in the DNS, and np.example asks receivers to reject such mail from subdomains that do not exist, so a receiver that follows DMARC rejects it. A receiver that still follows RFC 7489 reaches a different answer (fail, policy none) and delivers it.",
		},
		{
			name: "no record",
			in:   dmarc.Input{From: []string{"a@nothing.example"}, SPF: spfPass("nothing.example")},
			want: "From says nothing.example. nothing.example publishes no usable DMARC policy, so DMARC does not apply and the receiver decides by its own rules.",
		},
		{
			name: "missing From",
			in:   dmarc.Input{},
			want: "The message has no From header field, so there is no author domain to check. RFC 5322 requires one, and receivers typically reject such a message.",
		},
		{
			name: "quarantine",
			in:   dmarc.Input{From: []string{"a@deep.example"}, SPF: spfFail("deep.example")},
			want: "From says deep.example. SPF did not pass for deep.example (fail). No DKIM signature is from deep.example. deep.example asks receivers to treat such mail as suspicious, so a receiver that follows DMARC puts it in the spam folder.",
		},
		{
			name: "subdomain quarantine",
			in:   dmarc.Input{From: []string{"a@x.sub.example"}, SPF: spfFail("x.sub.example")},
			want: "From says x.sub.example. SPF did not pass for x.sub.example (fail). No DKIM signature is from x.sub.example. x.sub.example has no DMARC record of its own, and sub.example asks receivers to treat such mail from its subdomains as suspicious, so a receiver that follows DMARC puts it in the spam folder.",
		},
		{
			name: "rfc7489 decides",
			in:   dmarc.Input{From: []string{"a@pct50.example"}, SPF: spfFail("pct50.example"), Standard: dmarc.RFC7489},
			want: "From says pct50.example. SPF did not pass for pct50.example (fail). No DKIM signature is from pct50.example. pct50.example asks receivers to treat 50% of such mail as suspicious (pct=50); a receiver that follows DMARC puts it in the spam folder if this message is among them, and otherwise delivers it.",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Resolver = r
			got := dmarc.Check(t.Context(), tc.in).Story
			if got != tc.want {
				t.Errorf("story =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestResultJSON checks the dmarc object against the report contract's keys.
func TestResultJSON(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	r := dnsx.NewClient(srv.Addr)
	for _, std := range []dmarc.Standard{dmarc.RFC9989, dmarc.RFC7489} {
		t.Run(string(std), func(t *testing.T) {
			res := dmarc.Check(t.Context(), dmarc.Input{Resolver: r, From: []string{"a@pct50.example"}, SPF: spfFail("pct50.example"), Standard: std})
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			wantKeys := []string{"dkim_aligned", "from_domain", "org_domain", "other", "pct", "policy", "record", "record_domain", "result", "spf_aligned", "standard", "steps", "testing"}
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("keys = %q, want %q", keys, wantKeys)
			}
			var other map[string]any
			if err := json.Unmarshal(m["other"], &other); err != nil {
				t.Fatal(err)
			}
			if len(other) != 5 || other["standard"] != string(otherStd(std)) {
				t.Errorf("other = %v", other)
			}
			wantPct := "null"
			if std == dmarc.RFC7489 {
				wantPct = "50"
			}
			if string(m["pct"]) != wantPct {
				t.Errorf("pct = %s, want %s", m["pct"], wantPct)
			}
		})
	}
	b, _ := json.Marshal(dmarc.Result{})
	if !strings.Contains(string(b), `"steps":[]`) {
		t.Errorf("empty result marshals steps as %s", b)
	}
}

// TestIdentifierWalkLimit: a message with many valid signatures from names
// under the author's organization walks the tree for ten of them, no more.
func TestIdentifierWalkLimit(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	var sigs []dmarc.DKIMResult
	for i := range 15 {
		sigs = append(sigs, dkimPass(fmt.Sprintf("s%d.relaxed.example", i)))
	}
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: dnsx.NewClient(srv.Addr), From: []string{"a@relaxed.example"}, DKIM: sigs})
	if res.Result != trace.Pass || !res.DKIMAligned {
		t.Errorf("result = %s, dkim aligned %v, want pass", res.Result, res.DKIMAligned)
	}
	asked := 0
	for i := range 15 {
		asked += srv.Count(fmt.Sprintf("_dmarc.s%d.relaxed.example", i), dns.TypeTXT)
	}
	if asked != 10 {
		t.Errorf("identifier walks asked %d names, want 10", asked)
	}
	if !hasStep(res.Steps, "Organizational Domain of s14.relaxed.example", trace.Warn, "") {
		t.Errorf("the 15th signature does not say it was not looked up:\n%s", dump(res.Steps))
	}
}

// TestOversizedAnswer: an answer over the DNS layer's caps will not change
// by asking again, so it is permerror, not temperror.
func TestOversizedAnswer(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	c := &dnsx.Client{Servers: []string{srv.Addr}, MaxAnswers: 2}
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: c, From: []string{"a@big.example"}, SPF: spfFail("big.example")})
	if res.Result != trace.PermError || res.Other.Result != trace.PermError || res.TempError || res.Disposition != dmarc.Deliver {
		t.Errorf("result %s / %s, temperror %v, disposition %s; want permerror for both, delivered", res.Result, res.Other.Result, res.TempError, res.Disposition)
	}
	if !hasStep(res.Steps, "Look up _dmarc.big.example", trace.PermError, "unusable answer") {
		t.Errorf("no permerror lookup step:\n%s", dump(res.Steps))
	}
}

// findStep returns the first step titled title, depth first.
func findStep(steps []trace.Step, title string) (trace.Step, bool) {
	for _, s := range steps {
		if s.Title == title {
			return s, true
		}
		if f, ok := findStep(s.Steps, title); ok {
			return f, true
		}
	}
	return trace.Step{}, false
}

// TestStepWords checks the words a student reads where they depend on the
// case: counts in words, why a non-passing signature counts for nothing,
// and what each standard's evaluation is there for.
func TestStepWords(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	r := dnsx.NewClient(srv.Addr)
	sig := func(res trace.Result) dmarc.DKIMResult {
		return dmarc.DKIMResult{Result: res, Domain: "aligned.example", Selector: "s1"}
	}
	cases := []struct {
		name  string
		in    dmarc.Input
		title string // a step to look at
		want  []string
	}{
		{"one signature", dmarc.Input{From: []string{"a@aligned.example"}, DKIM: []dmarc.DKIMResult{sig(trace.Fail)}},
			"DKIM alignment (adkim=r)", []string{"1 signature"}},
		{"two signatures", dmarc.Input{From: []string{"a@aligned.example"}, DKIM: []dmarc.DKIMResult{sig(trace.Fail), sig(trace.Pass)}},
			"DKIM alignment (adkim=r)", []string{"2 signatures"}},
		{"policy", dmarc.Input{From: []string{"a@aligned.example"}, DKIM: []dmarc.DKIMResult{sig(trace.Policy)}},
			"Signature 1: d=aligned.example", []string{"verified but is not accepted (policy: a key in testing mode t=y, or l= under --strict-dkim)"}},
		{"permerror", dmarc.Input{From: []string{"a@aligned.example"}, DKIM: []dmarc.DKIMResult{sig(trace.PermError)}},
			"Signature 1: d=aligned.example", []string{"could not be verified at all (permerror"}},
		{"deciding standard", dmarc.Input{From: []string{"a@aligned.example"}},
			"DMARC by RFC 9989 (decides)", []string{"RFC 9989 decides here: the DNS tree walk finds the record; DMARC passes when SPF or DKIM passes for a domain aligned with From.", "RFC 9989 §4.4, §4.10"}},
		{"compared standard", dmarc.Input{From: []string{"a@aligned.example"}},
			"DMARC by RFC 7489 (for comparison)", []string{"RFC 7489 is evaluated beside it for comparison, with the Public Suffix List", "RFC 7489 §3.2, §6.6.3"}},
		{"RFC 7489 decides", dmarc.Input{From: []string{"a@aligned.example"}, Standard: dmarc.RFC7489},
			"DMARC by RFC 7489 (decides)", []string{"RFC 7489, the older DMARC standard, decides here"}},
		{"fail reason", dmarc.Input{From: []string{"a@aligned.example"}, SPF: spfFail("aligned.example")},
			"DMARC by RFC 9989 (decides)", []string{"fail: neither SPF nor DKIM passed for a domain of aligned.example's organization (aligned); the policy is reject"}},
		{"what an attacker needs", dmarc.Input{From: []string{"a@aligned.example"}, SPF: spfFail("aligned.example")},
			"DMARC result", []string{"an attacker would need one of the two", "private key"}},
		{"several From fields", dmarc.Input{From: []string{"a@aligned.example", "b@deep.example"}},
			"Check deep.example as if it were the Author Domain", []string{"With several From fields each domain is evaluated alone, so the strictest failing policy can be chosen."}},
		{"Organizational Domain rule", dmarc.Input{From: []string{"a@aligned.example"}},
			"Organizational Domain of aligned.example", []string{"the name with the fewest labels that has a DMARC record", "RFC 9989 §4.10.2 rule 3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Resolver = r
			res := dmarc.Check(t.Context(), c.in)
			checkSteps(t, res.Steps)
			st, ok := findStep(res.Steps, c.title)
			if !ok {
				t.Fatalf("no step %q", c.title)
			}
			all := st.Detail + " | " + st.Explain + " | " + st.Ref
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("step %q = %q, want it to contain %q", c.title, all, w)
				}
			}
		})
	}
}

// TestDNSFailureWords: a lookup that timed out is told in plain words,
// with no Go error text, and says that a retry may work.
func TestDNSFailureWords(t *testing.T) {
	srv := dnstest.Start(t, "testdata/dmarc.zone")
	srv.Drop("_dmarc.slow.example.")
	r := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond}
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: r, From: []string{"a@slow.example"}})
	if res.Result != trace.TempError {
		t.Fatalf("result %s, want temperror", res.Result)
	}
	checkSteps(t, res.Steps)
	st, ok := findStep(res.Steps, "Look up _dmarc.slow.example")
	if !ok {
		t.Fatal("no lookup step")
	}
	if st.Detail != "no usable answer: no answer came in time (TIMEOUT)" || !strings.Contains(st.Explain, "asking again later may work") {
		t.Errorf("lookup step = %q / %q, want the timeout in words and that a retry may work", st.Detail, st.Explain)
	}
}

// TestSnapshotMissing: a replayed snapshot that lacks _dmarc.<domain> is
// said to lack it, not described as an outage that a retry may cure.
func TestSnapshotMissing(t *testing.T) {
	snap, err := dnsx.ParseSnapshot(strings.NewReader("other.example. TXT \"v=spf1 -all\"\n"), "case.dns")
	if err != nil {
		t.Fatal(err)
	}
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: snap, From: []string{"a@missing.example"}, SPF: spfFail("missing.example")})
	if res.Result != trace.TempError {
		t.Fatalf("result %s (%s), want temperror", res.Result, res.Reason)
	}
	var found bool
	var walk func([]trace.Step)
	walk = func(steps []trace.Step) {
		for _, st := range steps {
			if st.Title == "Look up _dmarc.missing.example" {
				found = true
				if !strings.Contains(st.Explain, "snapshot being replayed holds no answer") || strings.Contains(st.Explain, "asking again later") {
					t.Errorf("step %q explains %q: want the snapshot named and no retry promised", st.Title, st.Explain)
				}
			}
			walk(st.Steps)
		}
	}
	walk(res.Steps)
	if !found {
		t.Errorf("no step looks up _dmarc.missing.example")
	}
}

// TestCompareNoRecord: the comparison of the two standards says "no
// policy" for a domain without a record, never "policy none", which would
// read as a published p=none.
func TestCompareNoRecord(t *testing.T) {
	srv := dnstest.StartZone(t, "norecord.example. TXT \"v=spf1 -all\"\n")
	res := dmarc.Check(t.Context(), dmarc.Input{Resolver: dnsx.NewClient(srv.Addr), From: []string{"a@norecord.example"}, SPF: spfFail("norecord.example")})
	for _, st := range res.Steps {
		if st.Title != "RFC 9989 and RFC 7489 compared" {
			continue
		}
		if !strings.Contains(st.Detail, "RFC 9989: none, no policy,") || strings.Contains(st.Detail, "policy none") {
			t.Errorf("compare detail %q: want \"none, no policy\" for both standards", st.Detail)
		}
		return
	}
	t.Errorf("no comparison step in %+v", res.Steps)
}
