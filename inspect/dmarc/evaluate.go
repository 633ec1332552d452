package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// maxAuthorDomains bounds how many domains of a multi-domain From are
// evaluated: RFC 9989 §11.5 warns that evaluating each is a denial-of-service
// risk and suggests a limit.
const maxAuthorDomains = 5

// maxIdentifierWalks bounds the tree walks one message may cause for its
// SPF and DKIM identifiers (each up to MaxWalkQueries queries): a message
// can carry any number of valid signatures from names under the author's
// Organizational Domain.
const maxIdentifierWalks = 10

type checker struct {
	in     Input
	w      *Walker
	walked map[string]bool // identifiers walked for alignment
}

// alignFunc decides whether id aligns with the Author Domain under mode,
// with the steps that show how.
type alignFunc func(id string, mode Alignment) (align, []trace.Step)

func (c *checker) run(ctx context.Context, std Standard) Result {
	author := ParseAuthor(c.in.From)
	var e9, e7 Evaluation
	switch author.Problem {
	case FromOK:
		e9 = c.eval9989(ctx, author.Domains[0])
		e7 = c.eval7489(ctx, author.Domains[0])
	case FromMissing, FromNoDomain:
		e9 = noAuthor(RFC9989, author)
		e7 = noAuthor(RFC7489, author)
	default:
		domains := author.Domains
		skipped := 0
		if len(domains) > maxAuthorDomains {
			skipped = len(domains) - maxAuthorDomains
			domains = domains[:maxAuthorDomains]
		}
		var ev9, ev7 []Evaluation
		for _, d := range domains {
			ev9 = append(ev9, c.eval9989(ctx, d))
			ev7 = append(ev7, c.eval7489(ctx, d))
		}
		e9 = combine(RFC9989, author, ev9, skipped)
		e7 = combine(RFC7489, author, ev7, skipped)
	}

	dec, oth := e9, e7
	if std == RFC7489 {
		dec, oth = e7, e9
	}
	res := Result{
		Result: dec.Result, Standard: dec.Standard, FromDomain: dec.FromDomain, OrgDomain: dec.OrgDomain,
		RecordDomain: dec.RecordDomain, Record: dec.Record, Policy: dec.Policy, Testing: dec.Testing,
		Pct: dec.Pct, SPFAligned: dec.SPFAligned, DKIMAligned: dec.DKIMAligned,
		Other: Other{Standard: oth.Standard, OrgDomain: oth.OrgDomain, RecordDomain: oth.RecordDomain,
			Policy: oth.Policy, Result: oth.Result},
		Disposition: dec.Disposition, TempError: dec.TempError, Reason: dec.Reason,
		FromProblem: author.Problem, RFC9989: e9, RFC7489: e7,
	}
	cmp, differ := compareStep(dec, oth)
	res.Differ = differ
	res.Steps = []trace.Step{
		authorStep(author),
		evalStep(dec, true),
		evalStep(oth, false),
		cmp,
	}
	res.Story = story(author, dec, oth, differ)
	return res
}

// authorStep reports the Author Domain (RFC 9989 §5.3.1, RFC 7489 §6.6.1).
func authorStep(a Author) trace.Step {
	s := trace.Step{Title: "Author Domain from the From header field", Ref: "RFC 9989 §5.3.1; RFC 7489 §6.6.1"}
	notes := strings.Join(a.Notes, ". ")
	if notes != "" {
		notes += ". "
	}
	switch a.Problem {
	case FromMissing:
		s.Result = trace.Fail
		s.Detail = "no From header field"
		s.Explain = "The message has no From header field, so there is no Author Domain for DMARC to check. RFC 5322 §3.6 requires exactly one From field; without it DMARC validation is not possible, and receivers typically reject such messages. headercheck counts it as a DMARC failure"
	case FromMultipleFields:
		s.Result = trace.Fail
		s.Detail = fmt.Sprintf("%d From header fields: %s", a.Fields, strings.Join(a.Addresses, ", "))
		s.Explain = notes + fmt.Sprintf("The message has %d From header fields, but RFC 5322 §3.6 allows exactly one: a mail program may show any of them, so none can be trusted to be the author. It cannot pass DMARC, and receivers typically reject such messages. Where a policy must still be chosen, each domain is checked and the strictest policy among those that fail applies", a.Fields)
	case FromMultipleAddresses:
		s.Result = trace.Fail
		s.Detail = fmt.Sprintf("%d addresses: %s", len(a.Addresses), strings.Join(a.Addresses, ", "))
		switch len(a.Domains) {
		case 0, 1:
			s.Explain = notes + fmt.Sprintf("The From field names %d addresses. RFC 5322 §3.6.2 allows several authors only together with a Sender field, and the mail DMARC protects does not use this form: receivers typically reject such messages, and Gmail refuses them outright. headercheck counts it as a DMARC failure. Both DMARC standards count domains rather than addresses, so a receiver that goes on anyway (OpenDMARC since 1.4.2 does when all domains match) evaluates the one domain, as shown below", len(a.Addresses))
		default:
			s.Explain = notes + fmt.Sprintf("The From field names %d addresses in %d different domains, so there is no single Author Domain and DMARC validation is not possible: it cannot pass DMARC, and receivers typically reject such messages. Each domain is checked and the strictest policy among those that fail applies", len(a.Addresses), len(a.Domains))
		}
	case FromNoDomain:
		s.Result = trace.None
		s.Detail = "no domain: " + strings.Join(a.Addresses, ", ")
		s.Explain = notes + "The From field names no domain DMARC could look up (an empty group, an address literal, or no address at all), so DMARC has nothing to check and does not apply; receivers typically ignore DMARC for such messages"
	default:
		s.Result = trace.Info
		s.Detail = a.Domains[0]
		s.Explain = notes + "The From field names " + strings.Join(a.Addresses, ", ") + ", so the Author Domain that DMARC checks is " + a.Domains[0] + ": the domain a reader sees, which DMARC lets its owner protect"
		if a.Lenient {
			s.Result = trace.Warn
		}
	}
	return s
}

// noAuthor is the evaluation of a message without a usable From domain.
func noAuthor(std Standard, a Author) Evaluation {
	e := Evaluation{Standard: std, Policy: PolicyNone, Disposition: Deliver}
	if a.Problem == FromMissing {
		e.Result, e.Disposition = trace.Fail, Reject
		e.Reason = "fail: the message has no From header field, so nothing can align; receivers typically reject it (RFC 7489 §6.6.1)"
	} else {
		e.Result = trace.None
		e.Reason = "none: the From field names no domain, so DMARC does not apply"
	}
	e.Steps = []trace.Step{resultStep(e, ref(std, "author"))}
	return e
}

// combine turns the evaluations of each domain of a From with several
// domains into one: a failure, with the strictest policy among the domains
// that fail (RFC 7489 §6.6.1, RFC 9989 §11.5).
func combine(std Standard, a Author, evals []Evaluation, skipped int) Evaluation {
	e := Evaluation{Standard: std, Result: trace.Fail, Policy: PolicyNone, Disposition: Reject}
	var chosen *Evaluation
	for i := range evals {
		if evals[i].Result == trace.Fail && (chosen == nil || evals[i].Policy.rank() > chosen.Policy.rank()) {
			chosen = &evals[i]
		}
	}
	base := chosen
	if base == nil && len(evals) > 0 {
		base = &evals[0]
	}
	if base != nil {
		e.FromDomain, e.OrgDomain, e.RecordDomain, e.Record = base.FromDomain, base.OrgDomain, base.RecordDomain, base.Record
		e.SPFAligned, e.DKIMAligned, e.spf, e.dkim = base.SPFAligned, base.DKIMAligned, base.spf, base.dkim
	}
	what := "several From header fields"
	if a.Problem == FromMultipleAddresses {
		what = "a From field with several addresses"
	}
	if chosen != nil {
		e.PolicyTag, e.Requested, e.Policy, e.Testing, e.Pct = chosen.PolicyTag, chosen.Requested, chosen.Policy, chosen.Testing, chosen.Pct
		e.Reason = fmt.Sprintf("fail: the message has %s, so it cannot pass; the strictest policy among the domains that fail is %s's (%s), and receivers typically reject such messages (RFC 7489 §6.6.1)", what, chosen.FromDomain, chosen.Policy)
	} else {
		e.Reason = fmt.Sprintf("fail: the message has %s, so it cannot pass; none of its domains fails with a policy of its own, but receivers typically reject such messages (RFC 7489 §6.6.1)", what)
	}
	alone := "With several From fields each domain is evaluated alone, so the strictest failing policy can be chosen."
	if a.Problem == FromMultipleAddresses {
		alone = "With several addresses in From each domain is evaluated alone, so the strictest failing policy can be chosen."
	}
	for _, ev := range evals {
		e.Queried = append(e.Queried, ev.Queried...)
		e.Steps = append(e.Steps, trace.Step{Title: "Check " + ev.FromDomain + " as if it were the Author Domain", Result: ev.Result,
			Detail: ev.Reason, Explain: alone, Ref: "RFC 7489 §6.6.1", Steps: ev.Steps})
	}
	if skipped > 0 {
		e.Steps = append(e.Steps, trace.Step{Title: fmt.Sprintf("%d more domains not checked", skipped), Result: trace.Warn, Ref: "RFC 9989 §11.5",
			Explain: fmt.Sprintf("only the first %d domains are checked, as RFC 9989 §11.5 advises to avoid a denial of service, so this evaluation is incomplete", maxAuthorDomains)})
	}
	e.Steps = append(e.Steps, resultStep(e, "RFC 7489 §6.6.1; RFC 9989 §11.5"))
	return e
}

// orgGloss says what an Organizational Domain is for, where a student
// first meets the term.
const orgGloss = "The Organizational Domain is the domain an organization registered; relaxed alignment counts every name under it as part of the same organization"

// evalSteps is the room an evaluation's steps get up front.
const evalSteps = 8

// eval9989 evaluates one Author Domain under RFC 9989.
func (c *checker) eval9989(ctx context.Context, author string) Evaluation {
	// Every path appends steps, up to some eight: room for them at once
	// saves growing the slice of large Steps four times.
	e := Evaluation{Standard: RFC9989, FromDomain: author, Policy: PolicyNone, Disposition: Deliver, Steps: make([]trace.Step, 0, evalSteps)}
	wk := c.w.Walk(ctx, author)
	e.Queried = wk.Names
	disc := trace.Step{Title: "Find the DMARC record for " + author + " (DNS tree walk)", Result: trace.Info, Ref: "RFC 9989 §4.10, §4.10.1",
		Detail: dmarcNames(strconv.Itoa(len(wk.Names))+" "+plural(len(wk.Names), "query", "queries")+": ", wk.Names), Steps: wk.Steps}
	disc.Explain = "RFC 9989 asks for _dmarc." + author + ", then walks up the DNS tree one label at a time (a name of eight or more labels jumps straight to its last seven), at most " + strconv.Itoa(MaxWalkQueries) + " queries, stopping early at a record with psd=y or psd=n"
	if wk.StoppedBy != "" {
		disc.Explain += fmt.Sprintf("; the record at _dmarc.%s stopped it", wk.StoppedBy)
	}
	e.Steps = append(e.Steps, disc)

	var pol *Found
	kind := ""
	if len(wk.Found) > 0 && wk.Found[0].Domain == author {
		pol, kind = &wk.Found[0], "author"
	}
	if pol == nil && wk.Failed {
		return c.dnsFailure(e, wk.FailedAt, wk.Temporary, "RFC 9989 §4.10.1, §5.3.6")
	}
	if !wk.Failed {
		e.OrgDomain = wk.OrgDomain
		st := trace.Step{Title: "Organizational Domain of " + author, Result: trace.Info, Ref: wk.OrgRef,
			Detail: wk.OrgDomain, Explain: wk.OrgRule + ". " + orgGloss}
		if _, ok := OrganizationalDomain(wk.OrgDomain); !ok && wk.OrgDomain != author {
			// RFC 9989 §11.8: a public suffix that publishes without psd=y
			// becomes everyone's Organizational Domain.
			st.Result = trace.Warn
			st.Ref += ", §11.8"
			st.Explain += fmt.Sprintf(". Beware: %s is a public suffix on the Public Suffix List, where anyone can register names. Its operator publishes a DMARC record without psd=y, so the tree walk takes it for the Organizational Domain, and any name registered under it counts as aligned with %s under relaxed alignment. The owner of %s can prevent this with psd=n in its own record", wk.OrgDomain, author, orgBelow(author, wk.OrgDomain))
		}
		e.Steps = append(e.Steps, st)
	} else {
		e.Steps = append(e.Steps, trace.Step{Title: "Organizational Domain of " + author, Result: trace.TempError, Ref: "RFC 9989 §4.10.2",
			Detail:  "unknown: the walk stopped at _dmarc." + wk.FailedAt,
			Explain: "the Author Domain's own record was found, so its policy is known, but the walk above it got no answer, so the Organizational Domain (needed for relaxed alignment) is unknown"})
	}
	if pol == nil {
		for i := range wk.Found {
			if wk.Found[i].Domain == wk.OrgDomain {
				pol, kind = &wk.Found[i], "org"
			}
		}
	}
	if pol == nil {
		for i := range wk.Found {
			if wk.Found[i].Record.PSD == "y" {
				pol, kind = &wk.Found[i], "psd"
			}
		}
	}
	if pol == nil {
		e.Result = trace.None
		e.Reason = fmt.Sprintf("none: no DMARC record was found for %s or any name above it, so DMARC does not apply (RFC 9989 §4.10.1, §5.3.2)", author)
		e.Steps = append(e.Steps, resultStep(e, "RFC 9989 §4.10.1, §5.3.2"))
		return e
	}
	rec := pol.Record
	e.RecordDomain, e.Record = pol.Domain, rec.Text
	e.Steps = append(e.Steps, recordStep(rec, pol.Domain, kind, author, e.OrgDomain))
	if rec.Unusable {
		return permRecord(e, rec, "RFC 9989 §4.10.1, §9.2")
	}

	af := func(id string, mode Alignment) (align, []trace.Step) {
		if mode == Relaxed && id != author && !wk.Failed && isUnder(id, wk.OrgDomain) && !c.walked[id] {
			if len(c.walked) >= maxIdentifierWalks {
				return alignNo, []trace.Step{{Title: "Organizational Domain of " + id, Result: trace.Warn, Ref: "RFC 9989 §4.10, §11.5",
					Explain: fmt.Sprintf("not looked up: headercheck walks the DNS tree for at most %d identifiers per message, so that a message carrying many signatures cannot make it send many queries; this identifier is counted as not aligned", maxIdentifierWalks)}}
			}
			c.walked[id] = true
		}
		return c.w.align(ctx, author, wk, id, mode)
	}
	e = c.alignAll(e, rec, af, wk.OrgDomain)

	// Which tag applies (RFC 9989 §4.10.1): p for the Author Domain's own
	// record; sp or np for a subdomain, by whether it exists.
	tag, requested := "p", rec.Policy
	var polExplain string
	switch {
	case kind == "author":
		polExplain = "the record is " + author + "'s own, so its p tag applies"
	default:
		alt, altTag := rec.Policy, "p"
		if rec.SubPol != "" {
			alt, altTag = rec.SubPol, "sp"
		}
		tag, requested = altTag, alt
		polExplain = author + " is a subdomain of " + pol.Domain + ", whose record applies"
		if rec.NonExist == "" {
			if altTag == "sp" {
				polExplain += ", so its sp tag (the policy for subdomains) applies"
			} else {
				polExplain += "; it has no sp or np tag, so its p tag applies to subdomains too"
			}
			break
		}
		if rec.NonExist == alt {
			// Existence cannot change the answer: spare the query.
			polExplain += fmt.Sprintf("; np and %s ask for the same policy, so whether %s exists does not matter", altTag, author)
			break
		}
		exists, known, st := c.exists(ctx, author)
		e.Steps = append(e.Steps, st)
		switch {
		case known && !exists:
			tag, requested = "np", rec.NonExist
			polExplain += fmt.Sprintf(", and %s does not exist in the DNS, so its np tag (the policy for non-existent subdomains) applies", author)
		case known:
			polExplain += fmt.Sprintf(", and %s exists, so the %s tag applies rather than np", author, altTag)
		default:
			polExplain += fmt.Sprintf("; whether %s exists is unknown (DNS error), so it is unknown whether np=%s or %s=%s applies", author, rec.NonExist, altTag, alt)
			if e.Result == trace.Fail {
				e.Result, e.TempError = trace.TempError, true
				e.Reason = fmt.Sprintf("temperror: DMARC fails for %s, but a DNS error left it unknown whether the domain exists, so the policy (np or %s) cannot be chosen; a receiver may defer the message and retry (RFC 9989 §5.3.6)", author, altTag)
			}
		}
	}
	e.PolicyTag, e.Requested, e.Policy = tag, requested, requested
	e.Testing = rec.Testing
	ps := trace.Step{Title: "Policy for " + author, Result: trace.Info, Ref: "RFC 9989 §4.10.1, §4.7",
		Detail: tag + "=" + string(requested), Explain: polExplain}
	if rec.Testing {
		if requested != PolicyNone {
			e.Policy = requested.weaker()
			ps.Detail += fmt.Sprintf(", t=y: %s applies", e.Policy)
			ps.Explain += fmt.Sprintf(". The record says t=y: the owner is testing the policy, so a receiver applies the next weaker one, %s instead of %s (RFC 9989 Appendix A.6)", e.Policy, requested)
		} else {
			ps.Explain += ". The record says t=y, which has no effect on p=none"
		}
	}
	e.Steps = append(e.Steps, ps)
	return c.finish(e, "RFC 9989 §5.3.5, §5.3.6")
}

// eval7489 evaluates one Author Domain under RFC 7489.
func (c *checker) eval7489(ctx context.Context, author string) Evaluation {
	e := Evaluation{Standard: RFC7489, FromDomain: author, Policy: PolicyNone, Disposition: Deliver, Steps: make([]trace.Step, 0, evalSteps)}
	org, hasOrg := OrganizationalDomain(author)
	e.OrgDomain = org
	orgStep := trace.Step{Title: "Organizational Domain of " + author + " (Public Suffix List)", Result: trace.Info, Ref: "RFC 7489 §3.2"}
	suffix, icann := publicsuffix.PublicSuffix(author)
	section := "private section"
	if icann {
		section = "ICANN section"
	} else if !strings.Contains(suffix, ".") {
		section = "default rule for unlisted top-level names"
	}
	if hasOrg {
		orgStep.Detail = org
		orgStep.Explain = "the Public Suffix List says " + suffix + " is a public suffix (" + section + "), so the Organizational Domain is it plus one label: " + org
	} else {
		orgStep.Detail = "none"
		orgStep.Explain = fmt.Sprintf("%s is itself a public suffix (%s), so it has no Organizational Domain", author, section)
	}

	disc := trace.Step{Title: "Find the DMARC record for " + author, Result: trace.Info, Ref: "RFC 7489 §6.6.3"}
	l := c.w.Lookup(ctx, author)
	e.Queried = []string{author}
	disc.Steps = append(disc.Steps, lookupStep(l, "RFC 7489 §6.6.3 step 1"))
	var polDomain, polText string
	kind := ""
	switch {
	case l.Failed():
		disc.Result = l.StepResult()
		disc.Detail = dmarcNames("asked: ", e.Queried)
		disc.Explain = "RFC 7489 leaves DNS errors during policy discovery to the receiver: it may deliver the message (fail open) or defer it with a 4xx reply and retry (fail closed)"
		e.Steps = append(e.Steps, orgStep, disc)
		return c.dnsFailure(e, author, l.Temporary(), "RFC 7489 §6.6.2, §6.6.3")
	case l.state == stateMany:
		disc.Detail = dmarcNames("asked: ", e.Queried)
		disc.Explain = "with more than one record, policy discovery ends and DMARC is not applied"
		disc.Ref = "RFC 7489 §6.6.3 step 5"
		e.Steps = append(e.Steps, orgStep, disc)
		e.Result = trace.None
		e.Reason = fmt.Sprintf("none: _dmarc.%s holds more than one DMARC record, so RFC 7489 applies no DMARC (RFC 7489 §6.6.3 step 5)", author)
		e.Steps = append(e.Steps, resultStep(e, "RFC 7489 §6.6.3 step 5"))
		return e
	case l.state == stateOne:
		polDomain, polText, kind = author, l.Record(), "author"
		disc.Explain = "the Author Domain publishes its own record"
	case hasOrg && org != author:
		l2 := c.w.Lookup(ctx, org)
		e.Queried = append(e.Queried, org)
		disc.Steps = append(disc.Steps, lookupStep(l2, "RFC 7489 §6.6.3 step 3"))
		switch {
		case l2.Failed():
			disc.Result = l2.StepResult()
			disc.Detail = dmarcNames("asked: ", e.Queried)
			disc.Explain = fmt.Sprintf("%s publishes no record, so RFC 7489 asks its Organizational Domain %s, but that lookup failed. RFC 7489 leaves DNS errors during policy discovery to the receiver: it may deliver the message or defer it and retry", author, org)
			e.Steps = append(e.Steps, orgStep, disc)
			return c.dnsFailure(e, org, l2.Temporary(), "RFC 7489 §6.6.2, §6.6.3")
		case l2.state == stateOne:
			polDomain, polText, kind = org, l2.Record(), "org"
			disc.Explain = author + " publishes no record, so RFC 7489 asks its Organizational Domain " + org
			disc.Ref = "RFC 7489 §6.6.3 step 3"
		default:
			disc.Explain = fmt.Sprintf("neither %s nor its Organizational Domain %s publishes exactly one DMARC record", author, org)
			disc.Ref = "RFC 7489 §6.6.3 step 5"
		}
	default:
		disc.Explain = fmt.Sprintf("%s publishes no record and has no other Organizational Domain to ask", author)
	}
	disc.Detail = dmarcNames("asked: ", e.Queried)
	e.Steps = append(e.Steps, orgStep, disc)
	if polText == "" {
		e.Result = trace.None
		e.Reason = fmt.Sprintf("none: no DMARC record applies to %s, so DMARC does not apply (RFC 7489 §6.6.3)", author)
		e.Steps = append(e.Steps, resultStep(e, "RFC 7489 §6.6.3"))
		return e
	}
	rec, _ := ParseRecord(polText, RFC7489)
	e.RecordDomain, e.Record = polDomain, polText
	e.Steps = append(e.Steps, recordStep(rec, polDomain, kind, author, org))
	if rec.Unusable {
		return permRecord(e, rec, "RFC 7489 §6.6.3 step 6, §11.2")
	}
	af := func(id string, mode Alignment) (align, []trace.Step) {
		if id == author {
			return alignYes, nil
		}
		if mode == Strict {
			return alignNo, nil
		}
		idOrg, ok := OrganizationalDomain(id)
		st := trace.Step{Title: "Organizational Domain of " + id + " (Public Suffix List)", Result: trace.Info, Ref: "RFC 7489 §3.2", Detail: idOrg}
		if !ok {
			st.Detail = "none"
			st.Explain = fmt.Sprintf("%s is itself a public suffix, so it has no Organizational Domain and cannot align (RFC 7489 §3.1.1)", id)
			return alignNo, []trace.Step{st}
		}
		if !hasOrg {
			st.Explain = fmt.Sprintf("%s is a public suffix with no Organizational Domain, so nothing but itself aligns with it", author)
			return alignNo, []trace.Step{st}
		}
		st.Explain = fmt.Sprintf("the Public Suffix List gives %s as the Organizational Domain of %s", idOrg, id)
		if idOrg == org {
			return alignYes, []trace.Step{st}
		}
		return alignNo, []trace.Step{st}
	}
	e = c.alignAll(e, rec, af, org)

	tag, requested := "p", rec.Policy
	polExplain := "the record is " + author + "'s own, so its p tag applies"
	if kind == "org" {
		if rec.SubPol != "" {
			tag, requested = "sp", rec.SubPol
			polExplain = author + " is a subdomain of " + org + ", whose record applies, so its sp tag (the policy for subdomains) applies"
		} else {
			polExplain = author + " is a subdomain of " + org + ", whose record has no sp tag, so its p tag applies to subdomains too"
		}
	}
	e.PolicyTag, e.Requested, e.Policy = tag, requested, requested
	pct := rec.Percent
	e.Pct = &pct
	ps := trace.Step{Title: "Policy for " + author, Result: trace.Info, Ref: "RFC 7489 §6.3, §6.6.4",
		Detail: tag + "=" + string(requested) + ", pct=" + strconv.Itoa(pct), Explain: polExplain}
	switch {
	case requested == PolicyNone:
		if pct != 100 {
			ps.Explain += fmt.Sprintf(". pct=%d has no effect on p=none", pct)
		}
	case pct == 0:
		e.Policy = requested.weaker()
		ps.Detail += ": " + string(e.Policy) + " applies"
		ps.Explain += fmt.Sprintf(". pct=0 asks receivers to apply %s to none of the failing mail, so a message that fails gets the next weaker treatment, %s", requested, e.Policy)
	case pct < 100:
		rest := "quarantined instead"
		if requested == PolicyQuarantine {
			rest = "handled by the receiver's normal filtering instead"
		}
		ps.Explain += fmt.Sprintf(". pct=%d asks receivers to apply %s to %d%% of failing mail, picked at random; the other %d%% is %s. headercheck cannot know which share this message fell into and evaluates it as sampled, so %s applies", pct, requested, pct, 100-pct, rest, requested)
	}
	e.Steps = append(e.Steps, ps)
	return c.finish(e, "RFC 7489 §6.6.2")
}

// alignAll checks SPF and DKIM alignment and sets the result: pass when
// either aligns, temperror when none does but a DNS failure left one
// undecided, fail otherwise (RFC 9989 §5.3.4-5.3.5, RFC 7489 §6.6.2 step 5).
func (c *checker) alignAll(e Evaluation, rec Record, af alignFunc, org string) Evaluation {
	std := e.Standard
	author := e.FromDomain
	spfStep, spf := c.alignSPF(std, author, rec.ASPF, af, org)
	dkimStep, dkim := c.alignDKIM(std, author, rec.ADKIM, af, org)
	e.spf, e.dkim = spf, dkim
	e.aspf, e.adkim = rec.ASPF, rec.ADKIM
	e.Steps = append(e.Steps, spfStep, dkimStep)
	unknown := spf.aligned == alignUnknown
	if spf.aligned == alignYes {
		e.SPFAligned = true
		e.AlignedBy = spf.domain
	}
	for _, d := range dkim {
		if d.aligned == alignYes && !e.DKIMAligned {
			e.DKIMAligned = true
			if e.AlignedBy == "" {
				e.AlignedBy = d.domain
			}
		}
		if d.aligned == alignUnknown {
			unknown = true
		}
	}
	switch {
	case e.SPFAligned || e.DKIMAligned:
		e.Result = trace.Pass
		by := "SPF and DKIM both"
		if !e.DKIMAligned {
			by = "SPF"
		} else if !e.SPFAligned {
			by = "DKIM"
		}
		e.Reason = "pass: " + by + " passed " + alignedWith(author, rec)
	case unknown:
		e.Result, e.TempError = trace.TempError, true
		e.Reason = fmt.Sprintf("temperror: nothing is aligned with %s, but a DNS failure left an identifier that could have aligned undecided, so DMARC can neither pass nor fail; a receiver may defer the message and retry", author)
	default:
		e.Result = trace.Fail
		e.Reason = "fail: neither SPF nor DKIM passed " + alignedWith(author, rec)
	}
	return e
}

// alignedWith says what identifier alignment asks of a domain, for the
// one-line reason: the From domain itself when both modes are strict, a
// name of its organization otherwise (RFC 9989 §3.2.10, RFC 7489 §3.1).
func alignedWith(author string, rec Record) string {
	if rec.ADKIM == Strict && rec.ASPF == Strict {
		return "for " + author + " itself (strict alignment)"
	}
	return "for a domain of " + author + "'s organization (aligned)"
}

func (c *checker) alignSPF(std Standard, author string, mode Alignment, af alignFunc, org string) (trace.Step, idFact) {
	s := c.in.SPF
	st := trace.Step{Title: "SPF alignment (aspf=" + string(mode) + ")", Ref: ref(std, "spf")}
	f := idFact{domain: strings.ToLower(strings.TrimSuffix(s.Domain, ".")), result: s.Result, usable: true, mode: mode}
	res := s.Result
	if res == "" {
		res = trace.None
	}
	st.Detail = "SPF " + string(res) + " for " + f.domain
	if s.Result == "" || s.Domain == "" {
		st.Result = trace.Fail
		st.Detail = "SPF was not evaluated"
		st.Explain = "there is no SPF result for a MAIL FROM domain, so SPF cannot align"
		f.usable = false
		return st, f
	}
	identity := "MAIL FROM"
	if s.Identity == "helo" {
		identity = "HELO"
	}
	d, err := normalizeDomain(s.Domain)
	if err != nil {
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("the SPF domain cannot be compared: %v", err)
		return st, f
	}
	f.domain = d
	if s.Result != trace.Pass && s.Result != trace.TempError {
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("SPF gave %s, not pass, for %s, so it authenticates nothing DMARC could use", s.Result, d)
		return st, f
	}
	a, sub := af(d, mode)
	st.Steps = sub
	f.aligned = a
	prefix := ""
	if s.Identity == "helo" {
		prefix = fmt.Sprintf("the MAIL FROM was empty, so SPF checked the HELO name %s, which RFC 7208 §2.4 makes the MAIL FROM identity (postmaster@%s); ", d, d)
	}
	if s.Result == trace.TempError {
		if a == alignNo {
			st.Result = trace.Fail
			st.Explain = prefix + fmt.Sprintf("SPF could not be checked (temperror) for %s, and it would not align with %s even if it passed", d, author)
			f.aligned = alignNo
			return st, f
		}
		st.Result = trace.TempError
		st.Explain = prefix + fmt.Sprintf("SPF could not be checked (temperror) for %s; had it passed it could align with %s, so the DMARC result depends on a DNS answer that did not come", d, author)
		f.aligned = alignUnknown
		return st, f
	}
	st.Result, st.Explain = alignWords("SPF passed", identity, d, author, mode, a, org, "aspf")
	st.Explain = prefix + st.Explain
	return st, f
}

func (c *checker) alignDKIM(std Standard, author string, mode Alignment, af alignFunc, org string) (trace.Step, []idFact) {
	st := trace.Step{Title: "DKIM alignment (adkim=" + string(mode) + ")", Ref: ref(std, "dkim"), Result: trace.Fail}
	if len(c.in.DKIM) == 0 {
		st.Detail = "no DKIM signatures"
		st.Explain = "the message carries no DKIM signature, so DKIM cannot align"
		return st, nil
	}
	facts := make([]idFact, 0, len(c.in.DKIM))
	st.Steps = make([]trace.Step, 0, len(c.in.DKIM))
	anyYes, anyUnknown := false, false
	for i, sig := range c.in.DKIM {
		f := idFact{domain: strings.ToLower(strings.TrimSuffix(sig.Domain, ".")), result: sig.Result, selector: sig.Selector, usable: true, mode: mode}
		sel := "" // " s=" before a selector, nothing without one
		if sig.Selector != "" {
			sel = " s="
		}
		sub := trace.Step{Title: "Signature " + strconv.Itoa(i+1) + ": d=" + f.domain, Ref: ref(std, "dkim"), Result: trace.Fail,
			Detail: "DKIM " + string(orNone(sig.Result)) + " for d=" + f.domain + sel + sig.Selector}
		d, err := normalizeDomain(sig.Domain)
		switch {
		case err != nil:
			sub.Explain = fmt.Sprintf("the d= domain cannot be compared: %v", err)
		case sig.Result != trace.Pass && sig.Result != trace.TempError:
			f.domain = d
			sub.Explain = notVerified(sig.Result) + "; it authenticates nothing DMARC could use"
		default:
			f.domain = d
			a, walk := af(d, mode)
			sub.Steps = walk
			f.aligned = a
			if sig.Result == trace.TempError {
				if a == alignNo {
					sub.Explain = fmt.Sprintf("the signature could not be checked (temperror), and d=%s would not align with %s even if it verified", d, author)
				} else {
					f.aligned = alignUnknown
					sub.Result = trace.TempError
					sub.Explain = fmt.Sprintf("the signature could not be checked (temperror); had it verified, d=%s could align with %s, so the DMARC result depends on a DNS answer that did not come", d, author)
				}
			} else {
				sub.Result, sub.Explain = alignWords("the signature verified", "d=", d, author, mode, a, org, "adkim")
			}
		}
		if f.aligned == alignYes {
			anyYes = true
		}
		if f.aligned == alignUnknown {
			anyUnknown = true
		}
		facts = append(facts, f)
		st.Steps = append(st.Steps, sub)
	}
	st.Detail = strconv.Itoa(len(c.in.DKIM)) + " " + plural(len(c.in.DKIM), "signature", "signatures")
	switch {
	case anyYes:
		st.Result = trace.Pass
		st.Explain = "a verified signature's d= is aligned with " + author + ", so DKIM is aligned"
	case anyUnknown:
		st.Result = trace.TempError
		st.Explain = "no verified signature is aligned, but one that could align could not be checked"
	default:
		st.Explain = "no verified signature has a d= aligned with " + author
	}
	return st, facts
}

// notVerified says why a DKIM result other than pass cannot count for
// DMARC (RFC 8601 §2.7.1 names the results).
func notVerified(r trace.Result) string {
	switch r {
	case trace.Policy:
		return "the signature verified but is not accepted (policy: a key in testing mode t=y, or l= under --strict-dkim)"
	case trace.Fail:
		return "the signature did not verify (fail): the message or the signature was changed after signing, or the key in DNS is not the one that signed"
	case trace.PermError:
		return "the signature could not be verified at all (permerror: it is malformed, or its key is missing, revoked or unusable)"
	case trace.Neutral:
		return "the signature could not be evaluated (neutral)"
	case "", trace.None:
		return "there is no verifiable signature (none)"
	}
	return fmt.Sprintf("the signature did not verify (%s)", r)
}

// alignWords explains an alignment outcome. Each sentence is one
// concatenation: it is written for every identifier under both standards
// in every message.
func alignWords(what, identity, id, author string, mode Alignment, a align, org, tag string) (trace.Result, string) {
	// The subject is what, then how the identifier is named, then id.
	how := " for "
	if identity == "d=" {
		how = " with d="
	} else if identity == "HELO" {
		how = " for the HELO name "
	}
	switch a {
	case alignYes:
		if id == author {
			return trace.Pass, what + how + id + ", the very domain in From, so it is aligned"
		}
		return trace.Pass, what + how + id + ", which shares the Organizational Domain " + org + " with " + author + "; relaxed alignment (" + tag + "=r) accepts that, so it is aligned"
	case alignUnknown:
		return trace.TempError, what + how + id + ", but whether it shares " + author + "'s Organizational Domain is unknown because a DNS lookup failed"
	}
	if mode == Strict {
		return trace.Fail, what + how + id + ", but the record asks for strict alignment (" + tag + "=s), which needs exactly " + author + ", so it is not aligned"
	}
	if org == "" {
		return trace.Fail, what + how + id + ", which is not " + author + ", so it is not aligned"
	}
	if org == author {
		return trace.Fail, what + how + id + ", which is not " + author + " or a name under it (" + author + " is its own Organizational Domain), so it is not aligned"
	}
	return trace.Fail, what + how + id + ", which is not " + author + " and does not share its Organizational Domain " + org + ", so it is not aligned"
}

// exists runs the domain-existence test for np (RFC 9989 §3.2.13, Appendix
// A.4): NXDOMAIN means the name and everything below it does not exist
// (RFC 8020); any answer with another rcode means it exists.
func (c *checker) exists(ctx context.Context, domain string) (exists, known bool, st trace.Step) {
	st = trace.Step{Title: "Does " + domain + " exist?", Result: trace.Info, Ref: "RFC 9989 §3.2.13, Appendix A.4"}
	q, err := c.in.Resolver.Lookup(ctx, domain, dns.TypeA)
	if q != nil {
		cp := *q
		st.Query = &cp
	}
	switch {
	case err != nil && errors.Is(err, dnsx.ErrBadName):
		st.Detail = "not a valid name"
		st.Explain = "the name cannot exist in the DNS"
		return false, true, st
	case err != nil:
		st.Result = trace.TempError
		st.Detail = "no usable answer: " + dnsWords(q, err)
		st.Explain = "the record has an np tag for subdomains that do not exist, so headercheck asked for the domain; no usable answer came, so whether it exists is unknown"
		return false, false, st
	case q.NXDomain():
		st.Detail = "NXDOMAIN"
		st.Explain = "the record has an np tag for subdomains that do not exist, so headercheck asked for the domain: the DNS says the name does not exist (NXDOMAIN), and per RFC 8020 nothing below it does either"
		return false, true, st
	}
	st.Detail = q.Rcode
	if len(q.Answers) == 0 {
		st.Detail += ", no A records"
	}
	st.Explain = "the record has an np tag for subdomains that do not exist, so headercheck asked for the domain: the DNS answered without NXDOMAIN, so the name exists (any record at all counts, Appendix A.4)"
	return true, true, st
}

// finish sets the disposition from the result and policy and adds the
// result step.
func (c *checker) finish(e Evaluation, ref string) Evaluation {
	switch e.Result {
	case trace.Fail:
		e.Disposition = dispositionOf(e.Policy)
		e.Reason += fmt.Sprintf("; the policy is %s", e.Policy)
	case trace.TempError:
		e.Disposition, e.TempError = Deliver, true
	default:
		e.Disposition = Deliver
	}
	st := resultStep(e, ref)
	if e.Result == trace.Fail {
		st.Explain += ". " + attackerNeeds(e)
	}
	e.Steps = append(e.Steps, st)
	return e
}

// attackerNeeds says what a message must have had to pass DMARC for the
// Author Domain: what a forger lacked (RFC 9989 §4.4).
func attackerNeeds(e Evaluation) string {
	x := e.FromDomain
	spfDom := fmt.Sprintf("a MAIL FROM domain of %s's organization", x)
	if e.aspf == Strict {
		spfDom = fmt.Sprintf("%s itself as the MAIL FROM domain", x)
	}
	dkimDom := fmt.Sprintf("%s or a name of its organization", x)
	if e.adkim == Strict {
		dkimDom = x
	}
	return fmt.Sprintf("To pass, a message needs SPF to pass for %s, which takes sending from a server that domain's SPF record lists, or a DKIM signature by %s that verifies, which takes that domain's private key: an attacker would need one of the two", spfDom, dkimDom)
}

func dispositionOf(p Policy) Disposition {
	switch p {
	case PolicyReject:
		return Reject
	case PolicyQuarantine:
		return Quarantine
	}
	return Deliver
}

// dnsFailure ends an evaluation whose policy discovery got no usable answer.
func (c *checker) dnsFailure(e Evaluation, at string, temporary bool, ref string) Evaluation {
	e.OrgDomain = ""
	if e.Standard == RFC7489 {
		e.OrgDomain, _ = OrganizationalDomain(e.FromDomain)
	}
	if temporary {
		e.Result, e.TempError = trace.TempError, true
		e.Reason = fmt.Sprintf("temperror: the lookup of _dmarc.%s got no answer, so it is unknown which DMARC policy applies to %s; DMARC can neither pass nor fail, and a receiver may deliver the message or defer it and retry", at, e.FromDomain)
	} else {
		e.Result = trace.PermError
		e.Reason = fmt.Sprintf("permerror: the DNS answer for _dmarc.%s cannot be used, so no DMARC policy can be applied to %s", at, e.FromDomain)
	}
	e.Disposition = Deliver
	e.Steps = append(e.Steps, resultStep(e, ref))
	return e
}

// permRecord ends an evaluation whose record cannot be used.
func permRecord(e Evaluation, rec Record, ref string) Evaluation {
	e.Result = trace.PermError
	e.Reason = fmt.Sprintf("permerror: the DMARC record at _dmarc.%s cannot be used: %s", e.RecordDomain, rec.Why)
	e.Disposition = Deliver
	e.Steps = append(e.Steps, resultStep(e, ref))
	return e
}

func resultStep(e Evaluation, ref string) trace.Step {
	word, why, _ := strings.Cut(e.Reason, ": ")
	return trace.Step{Title: "DMARC result", Result: e.Result, Detail: word, Explain: dropCitation(why, ref), Ref: ref}
}

// dropCitation removes a closing "(RFC ...)" from text when ref names the
// same sections: renderers print ref after the explanation, and the
// one-line Reason the text comes from keeps its citation.
func dropCitation(text, ref string) string {
	i := strings.LastIndex(text, " (RFC ")
	if i < 0 || !strings.HasSuffix(text, ")") {
		return text
	}
	cited := text[i+2 : len(text)-1]
	for _, c := range strings.FieldsFunc(cited, func(r rune) bool { return r == ',' || r == ';' }) {
		c = strings.TrimSpace(c)
		if _, sec, ok := strings.Cut(c, "§"); !ok || !hasSection(ref, sec) {
			return text
		}
	}
	return text[:i]
}

// hasSection reports whether ref cites §sec itself, not a subsection of it.
func hasSection(ref, sec string) bool {
	for rest := ref; ; {
		i := strings.Index(rest, "§"+sec)
		if i < 0 {
			return false
		}
		rest = rest[i+len("§"+sec):]
		if rest == "" || rest[0] != '.' && (rest[0] < '0' || rest[0] > '9') {
			return true
		}
	}
}

// recordGloss says what the tags a student sees in every record mean
// (RFC 9989 §4.7, RFC 7489 §6.3).
const recordGloss = "p is what the owner asks receivers to do with mail that fails (none, quarantine, reject); adkim and aspf say how closely the DKIM and SPF domains must match From: r (relaxed) accepts any name of the same organization, s (strict) only the very same domain"

// recordStep shows the record that applies and how it was read. Its
// explanation is written into one buffer: every message gets one under
// each standard.
func recordStep(rec Record, domain, kind, author, org string) trace.Step {
	st := trace.Step{Title: "DMARC record of " + domain, Result: trace.Info, Detail: rec.Text, Ref: ref(rec.Standard, "record")}
	var b strings.Builder
	b.Grow(3*len(author) + len(domain) + len(org) + len(rec.Why) + len(rec.LibraryErr) + len(recordGloss) + 320)
	switch kind {
	case "author":
		b.WriteString("this is " + author + "'s own record")
	case "org":
		b.WriteString(author + " has no record of its own; this is the record of its Organizational Domain " + domain + ", which covers its subdomains")
	case "psd":
		if org == author {
			b.WriteString(author + ", its own Organizational Domain, has no record; this is the record of the public suffix domain " + domain + " (psd=y), which covers the names under it")
		} else {
			b.WriteString("neither " + author + " nor its Organizational Domain " + org + " has a record; this is the record of the public suffix domain " + domain + " (psd=y), which covers the names under it")
		}
	}
	// The tags as read, each "name=value", joined with ", ".
	b.WriteString("; read as ")
	if rec.Policy != "" {
		b.WriteString("p=" + string(rec.Policy) + ", ")
	}
	if rec.SubPol != "" {
		b.WriteString("sp=" + string(rec.SubPol) + ", ")
	}
	if rec.NonExist != "" {
		b.WriteString("np=" + string(rec.NonExist) + ", ")
	}
	b.WriteString("adkim=" + string(rec.ADKIM) + ", aspf=" + string(rec.ASPF))
	if rec.Standard == RFC9989 {
		if rec.Testing {
			b.WriteString(", t=y")
		}
		if rec.PSD != "u" {
			b.WriteString(", psd=" + rec.PSD)
		}
	} else {
		b.WriteString(", pct=" + strconv.Itoa(rec.Percent))
	}
	if rec.Standard == RFC7489 {
		if rec.Library {
			b.WriteString(" (parsed with go-msgauth's dmarc.Parse)")
		} else if rec.LibraryErr != "" {
			b.WriteString(" (go-msgauth's dmarc.Parse: " + rec.LibraryErr + "; read by headercheck itself)")
		}
	}
	switch {
	case rec.Unusable:
		st.Result = trace.PermError
		b.WriteString(". The record cannot be used: " + rec.Why)
	case rec.PolicyFromRUA:
		st.Result = trace.Warn
		b.WriteString(". " + capitalize(rec.Why))
	}
	b.WriteString(". " + recordGloss)
	st.Explain = b.String()
	for _, n := range rec.Notes {
		st.Steps = append(st.Steps, trace.Step{Title: "Tag " + clip(n.Tag), Result: n.Result, Explain: n.Explain, Ref: n.Ref})
	}
	return st
}

func evalStep(e Evaluation, decides bool) trace.Step {
	st := trace.Step{Result: e.Result, Detail: e.Reason, Steps: e.Steps}
	switch {
	case e.Standard == RFC7489 && decides:
		st.Title = "DMARC by RFC 7489 (decides)"
		st.Explain = "RFC 7489, the older DMARC standard, decides here, as asked: the Public Suffix List gives the Organizational Domain, the record is looked up at the Author Domain and then at that Organizational Domain, and DMARC passes when SPF or DKIM passes for a domain aligned with From."
		st.Ref = "RFC 7489 §3.2, §6.6.3, §6.6.2"
	case e.Standard == RFC7489:
		st.Title = "DMARC by RFC 7489 (for comparison)"
		st.Explain = "RFC 7489 is evaluated beside it for comparison, with the Public Suffix List; many receivers still follow it."
		st.Ref = "RFC 7489 §3.2, §6.6.3"
	case decides:
		st.Title = "DMARC by RFC 9989 (decides)"
		st.Explain = "RFC 9989 decides here: the DNS tree walk finds the record; DMARC passes when SPF or DKIM passes for a domain aligned with From."
		st.Ref = "RFC 9989 §4.4, §4.10"
	default:
		st.Title = "DMARC by RFC 9989 (for comparison)"
		st.Explain = "RFC 9989, the current DMARC standard, is evaluated beside it for comparison: its DNS tree walk finds the record and the Organizational Domain."
		st.Ref = "RFC 9989 §4.4, §4.10"
	}
	return st
}

// compareStep shows where the two standards disagree.
func compareStep(dec, oth Evaluation) (trace.Step, bool) {
	st := trace.Step{Title: "RFC 9989 and RFC 7489 compared", Result: trace.Info, Ref: "RFC 9989 Appendix C.3"}
	a, b := dec, oth
	if a.Standard == RFC7489 {
		a, b = b, a
	}
	var diffs []string
	if a.Result != b.Result {
		diffs = append(diffs, fmt.Sprintf("the result: %s under RFC 9989, %s under RFC 7489", a.Result, b.Result))
	}
	if a.Policy != b.Policy {
		diffs = append(diffs, fmt.Sprintf("the policy: %s under RFC 9989, %s under RFC 7489", a.Policy, b.Policy))
	}
	if a.OrgDomain != b.OrgDomain && orgKnown(a) && orgKnown(b) {
		diffs = append(diffs, fmt.Sprintf("the Organizational Domain: %s by the DNS tree walk, %s by the Public Suffix List", orNoneS(a.OrgDomain), orNoneS(b.OrgDomain)))
	}
	if a.RecordDomain != b.RecordDomain {
		diffs = append(diffs, fmt.Sprintf("the record used: %s under RFC 9989, %s under RFC 7489", recordAt(a.RecordDomain), recordAt(b.RecordDomain)))
	}
	var d strings.Builder
	d.Grow(2*len(a.RecordDomain) + 2*len(b.RecordDomain) + 160)
	d.WriteString("RFC 9989: ")
	compareSide(&d, a)
	d.WriteString(" | RFC 7489: ")
	compareSide(&d, b)
	st.Detail = d.String()
	if len(diffs) == 0 {
		st.Explain = "both standards reach the same answer"
		return st, false
	}
	st.Result = trace.Warn
	st.Explain = "the two standards disagree on " + strings.Join(diffs, "; ") + ". Many receivers still follow RFC 7489, so both answers matter"
	return st, true
}

// compareSide writes one standard's side of the comparison: the result,
// the policy, the Organizational Domain and the record used.
func compareSide(b *strings.Builder, e Evaluation) {
	b.WriteString(string(e.Result))
	b.WriteString(", ")
	// The policy is unknown when a DNS failure kept the record from being
	// read, rather than a "none" nobody asked for; without a record,
	// "policy none" would read as a published p=none.
	switch {
	case e.Result == trace.TempError && e.Record == "":
		b.WriteString("policy unknown")
	case e.Record == "":
		b.WriteString("no policy")
	default:
		b.WriteString("policy ")
		b.WriteString(string(e.Policy))
	}
	b.WriteString(", organizational domain ")
	b.WriteString(orgWord(e))
	b.WriteString(", ")
	if e.RecordDomain == "" {
		b.WriteString("no record")
	} else {
		b.WriteString("record at _dmarc.")
		b.WriteString(e.RecordDomain)
	}
}

// orgWord is the Organizational Domain for the comparison: unknown when a
// DNS failure kept it from being determined.
func orgWord(e Evaluation) string {
	if !orgKnown(e) {
		return "unknown"
	}
	return orNoneS(e.OrgDomain)
}

// orgKnown is false when a DNS failure kept the Organizational Domain from
// being determined, which is no disagreement about it.
func orgKnown(e Evaluation) bool {
	return e.OrgDomain != "" || (e.Result != trace.TempError && e.Result != trace.PermError)
}

// orgBelow is the name one label below suffix on the way to d: the name
// whose owner should add psd=n.
func orgBelow(d, suffix string) string { return oneBelow(d, suffix) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func recordAt(d string) string {
	if d == "" {
		return "no record"
	}
	return "record at _dmarc." + d
}

// dmarcNames is prefix, then the _dmarc name of each domain, joined with
// ", ": one allocation.
func dmarcNames(prefix string, names []string) string {
	n := len(prefix)
	for _, d := range names {
		n += len("_dmarc., ") + len(d)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(prefix)
	for i, d := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("_dmarc.")
		b.WriteString(d)
	}
	return b.String()
}

func orNone(r trace.Result) trace.Result {
	if r == "" {
		return trace.None
	}
	return r
}

func orNoneS(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ref names the section of each standard behind a kind of step.
func ref(std Standard, what string) string {
	if std == RFC7489 {
		switch what {
		case "spf":
			return "RFC 7489 §3.1.2"
		case "dkim":
			return "RFC 7489 §3.1.1"
		case "record":
			return "RFC 7489 §6.3"
		case "author":
			return "RFC 7489 §6.6.1"
		}
		return "RFC 7489"
	}
	switch what {
	case "spf":
		return "RFC 9989 §4.4.2, §3.2.10"
	case "dkim":
		return "RFC 9989 §4.4.1, §3.2.10"
	case "record":
		return "RFC 9989 §4.7"
	case "author":
		return "RFC 9989 §5.3.1"
	}
	return "RFC 9989"
}
