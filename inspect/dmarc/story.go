package dmarc

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
)

// story tells the DMARC part of what happened to the message in a few
// plain sentences, from the deciding evaluation, and adds the other
// standard's answer when it differs.
func story(a Author, dec, oth Evaluation, differ bool) string {
	var s []string
	switch a.Problem {
	case FromMissing:
		s = append(s, "The message has no From header field, so there is no author domain to check. RFC 5322 requires one, and receivers typically reject such a message.")
		return strings.Join(s, " ")
	case FromNoDomain:
		s = append(s, "The From field names no domain, so DMARC has nothing to check and does not apply.")
		return strings.Join(s, " ")
	case FromMultipleFields:
		s = append(s, fmt.Sprintf("The message has %d From header fields (%s), but RFC 5322 allows only one, so it cannot pass DMARC, and receivers typically reject it.", a.Fields, strings.Join(a.Domains, ", ")))
	case FromMultipleAddresses:
		if len(a.Domains) > 1 {
			s = append(s, fmt.Sprintf("The From field names addresses in %d domains (%s), so there is no single author domain; it cannot pass DMARC, and receivers typically reject it.", len(a.Domains), strings.Join(a.Domains, ", ")))
		} else {
			s = append(s, fmt.Sprintf("The From field names %d addresses, a form the mail DMARC protects does not use; it cannot pass DMARC, and receivers typically reject it.", len(a.Addresses)))
		}
	}
	if a.Problem != FromOK {
		if dec.Requested != "" && dec.Policy != PolicyNone {
			s = append(s, fmt.Sprintf("The strictest policy among them is %s's: %s.", dec.FromDomain, dec.Policy))
		}
		return strings.Join(s, " ")
	}

	x := dec.FromDomain
	s = append(s, fmt.Sprintf("From says %s.", x))
	if dec.Result == trace.None || dec.Result == trace.PermError || (dec.Result == trace.TempError && dec.Record == "") {
		s = append(s, outcomeSentence(dec))
	} else {
		s = append(s, spfSentence(dec), dkimSentence(dec), outcomeSentence(dec))
	}
	if differ && (oth.Result != dec.Result || oth.Policy != dec.Policy || oth.Disposition != dec.Disposition) {
		s = append(s, otherSentence(oth))
	}
	return strings.Join(s, " ")
}

func spfSentence(e Evaluation) string {
	f, x := e.spf, e.FromDomain
	if !f.usable {
		return "SPF was not checked (the client that sent the message, or its MAIL FROM, is unknown)."
	}
	what := f.domain
	switch f.result {
	case trace.Pass:
		switch {
		case f.aligned == alignYes && f.domain == x:
			return fmt.Sprintf("SPF passed for %s.", x)
		case f.aligned == alignYes:
			return fmt.Sprintf("SPF passed for %s, which belongs to the same organization as %s (%s).", what, x, e.OrgDomain)
		case f.aligned == alignUnknown:
			return fmt.Sprintf("SPF passed for %s, but a DNS failure left it unknown whether that belongs to %s's organization.", what, x)
		case f.mode == Strict:
			return fmt.Sprintf("SPF passed for %s, but %s's record asks for an exact match (aspf=s), and that is not %s.", what, x, x)
		}
		return fmt.Sprintf("SPF passed, but for %s, which is not %s.", what, x)
	case trace.TempError:
		return fmt.Sprintf("SPF could not be checked for %s because of a DNS error.", what)
	case "", trace.None:
		return fmt.Sprintf("%s publishes no SPF record, so SPF authenticates nothing.", what)
	}
	return fmt.Sprintf("SPF did not pass for %s (%s).", what, f.result)
}

func dkimSentence(e Evaluation) string {
	x := e.FromDomain
	if len(e.dkim) == 0 {
		return fmt.Sprintf("No DKIM signature is from %s.", x)
	}
	var passed []string
	claimed, unknown := false, false
	for _, f := range e.dkim {
		switch {
		case f.aligned == alignYes:
			if f.domain == x {
				return fmt.Sprintf("A DKIM signature from %s verifies.", x)
			}
			return fmt.Sprintf("A DKIM signature from %s, part of the same organization as %s, verifies.", f.domain, x)
		case f.aligned == alignUnknown:
			unknown = true
		case f.result == trace.Pass:
			passed = appendUnique(passed, f.domain)
		case f.domain == x:
			claimed = true
		}
	}
	switch {
	case unknown:
		return fmt.Sprintf("A DKIM signature that could be from %s could not be checked because of a DNS error.", x)
	case claimed:
		return fmt.Sprintf("A DKIM signature claims to be from %s but does not verify.", x)
	case len(passed) > 0:
		return fmt.Sprintf("DKIM signatures from %s verify, but none is from %s.", strings.Join(passed, ", "), x)
	}
	return fmt.Sprintf("No DKIM signature from %s verifies.", x)
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func outcomeSentence(e Evaluation) string {
	x := e.FromDomain
	owner := e.RecordDomain
	switch e.Result {
	case trace.Pass:
		return fmt.Sprintf("So DMARC passes: %s's owner stands behind this message.", x)
	case trace.None:
		return fmt.Sprintf("%s publishes no usable DMARC policy, so DMARC does not apply and the receiver decides by its own rules.", x)
	case trace.PermError:
		return fmt.Sprintf("The DMARC record at _dmarc.%s is broken, so no DMARC policy applies and the receiver decides by its own rules.", owner)
	case trace.TempError:
		return "A DNS lookup failed, so DMARC can neither pass nor fail: a receiver may deliver the message, or defer it and retry later."
	}
	asks := fmt.Sprintf("%s asks", owner)
	if owner != x {
		switch e.PolicyTag {
		case "np":
			asks = fmt.Sprintf("%s does not exist in the DNS, and %s asks", x, owner)
		default:
			asks = fmt.Sprintf("%s has no DMARC record of its own, and %s asks", x, owner)
		}
	}
	req := e.Requested
	mail := "such mail"
	if owner != x {
		mail = "such mail from its subdomains"
		if e.PolicyTag == "np" {
			mail = "such mail from subdomains that do not exist"
		}
	}
	switch {
	case req == PolicyNone:
		return fmt.Sprintf("%s for no action on %s (p=none), so a receiver delivers it and only reports the failure.", asks, mail)
	case e.Testing:
		return fmt.Sprintf("%s receivers to %s but is only testing that policy (t=y), so a receiver that follows DMARC %s instead.", asks, treat(req, mail), act(e.Policy))
	case e.Pct != nil && *e.Pct == 0:
		return fmt.Sprintf("%s receivers to %s, but with pct=0 for none of it, so a receiver that follows DMARC %s instead.", asks, treat(req, mail), act(e.Policy))
	case e.Pct != nil && *e.Pct < 100:
		return fmt.Sprintf("%s receivers to %s (pct=%d); a receiver that follows DMARC %s if this message is among them, and otherwise %s.", asks, treat(req, fmt.Sprintf("%d%% of %s", *e.Pct, mail)), *e.Pct, act(req), act(req.weaker()))
	}
	return fmt.Sprintf("%s receivers to %s, so a receiver that follows DMARC %s.", asks, treat(req, mail), act(e.Policy))
}

func otherSentence(o Evaluation) string {
	if o.Standard == RFC7489 {
		return fmt.Sprintf("A receiver that still follows RFC 7489 reaches a different answer (%s, policy %s) and %s.", o.Result, o.Policy, act(dispositionPolicy(o)))
	}
	return fmt.Sprintf("A receiver that follows the current standard, RFC 9989, reaches a different answer (%s, policy %s) and %s.", o.Result, o.Policy, act(dispositionPolicy(o)))
}

// dispositionPolicy maps an evaluation to the policy its disposition
// corresponds to, for the sentence.
func dispositionPolicy(e Evaluation) Policy {
	switch e.Disposition {
	case Reject:
		return PolicyReject
	case Quarantine:
		return PolicyQuarantine
	}
	return PolicyNone
}

// treat is what a policy asks receivers to do with mail, the object in
// its place: "reject such mail", "treat such mail as suspicious".
func treat(p Policy, mail string) string {
	switch p {
	case PolicyReject:
		return "reject " + mail
	case PolicyQuarantine:
		return "treat " + mail + " as suspicious"
	}
	return "deliver " + mail
}

func act(p Policy) string {
	switch p {
	case PolicyReject:
		return "rejects it"
	case PolicyQuarantine:
		return "puts it in the spam folder"
	}
	return "delivers it"
}
