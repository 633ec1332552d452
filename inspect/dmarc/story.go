package dmarc

import (
	"fmt"
	"strconv"
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
	s = make([]string, 0, 5)
	s = append(s, "From says "+x+".")
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
			return "SPF passed for " + x + "."
		case f.aligned == alignYes:
			return "SPF passed for " + what + ", which belongs to the same organization as " + x + " (" + e.OrgDomain + ")."
		case f.aligned == alignUnknown:
			return "SPF passed for " + what + ", but a DNS failure left it unknown whether that belongs to " + x + "'s organization."
		case f.mode == Strict:
			return "SPF passed for " + what + ", but " + x + "'s record asks for an exact match (aspf=s), and that is not " + x + "."
		}
		return "SPF passed, but for " + what + ", which is not " + x + "."
	case trace.TempError:
		return "SPF could not be checked for " + what + " because of a DNS error."
	case "", trace.None:
		return what + " publishes no SPF record, so SPF authenticates nothing."
	}
	return "SPF did not pass for " + what + " (" + string(f.result) + ")."
}

func dkimSentence(e Evaluation) string {
	x := e.FromDomain
	if len(e.dkim) == 0 {
		return "No DKIM signature is from " + x + "."
	}
	var passed []string
	claimed, unknown := false, false
	for _, f := range e.dkim {
		switch {
		case f.aligned == alignYes:
			if f.domain == x {
				return "A DKIM signature from " + x + " verifies."
			}
			return "A DKIM signature from " + f.domain + ", part of the same organization as " + x + ", verifies."
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
		return "A DKIM signature that could be from " + x + " could not be checked because of a DNS error."
	case claimed:
		return "A DKIM signature claims to be from " + x + " but does not verify."
	case len(passed) > 0:
		return "DKIM signatures from " + strings.Join(passed, ", ") + " verify, but none is from " + x + "."
	}
	return "No DKIM signature from " + x + " verifies."
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
		return "So DMARC passes: " + x + "'s owner stands behind this message."
	case trace.None:
		return x + " publishes no usable DMARC policy, so DMARC does not apply and the receiver decides by its own rules."
	case trace.PermError:
		return "The DMARC record at _dmarc." + owner + " is broken, so no DMARC policy applies and the receiver decides by its own rules."
	case trace.TempError:
		return "A DNS lookup failed, so DMARC can neither pass nor fail: a receiver may deliver the message, or defer it and retry later."
	}
	// Who asks, as the sentence's subject: the owner, after why it is not
	// x itself when it is not.
	var asks string
	switch {
	case owner == x:
	case e.PolicyTag == "np":
		asks = x + " does not exist in the DNS, and "
	default:
		asks = x + " has no DMARC record of its own, and "
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
		return asks + owner + " asks for no action on " + mail + " (p=none), so a receiver delivers it and only reports the failure."
	case e.Testing:
		return asks + owner + " asks receivers to " + treat(req, mail) + " but is only testing that policy (t=y), so a receiver that follows DMARC " + act(e.Policy) + " instead."
	case e.Pct != nil && *e.Pct == 0:
		return asks + owner + " asks receivers to " + treat(req, mail) + ", but with pct=0 for none of it, so a receiver that follows DMARC " + act(e.Policy) + " instead."
	case e.Pct != nil && *e.Pct < 100:
		pct := strconv.Itoa(*e.Pct)
		return asks + owner + " asks receivers to " + treat(req, pct+"% of "+mail) + " (pct=" + pct + "); a receiver that follows DMARC " + act(req) + " if this message is among them, and otherwise " + act(req.weaker()) + "."
	}
	return asks + owner + " asks receivers to " + treat(req, mail) + ", so a receiver that follows DMARC " + act(e.Policy) + "."
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
