package inspect

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// decide reaches the verdict from the checks' results: what a receiver
// that honours the chosen DMARC standard does (RFC 9989 §5.3.6, §4.7; RFC
// 7489 §6.6.2–§6.6.4), one line of reason, and the story of the replay.
func decide(rep Report, opts Options) Verdict {
	d := rep.DMARC
	v := Verdict{
		Disposition: Disposition(d.Disposition),
		Standard:    d.Standard,
		TempError:   d.TempError,
		DecidedBy:   "dmarc",
	}
	if v.Disposition == "" {
		v.Disposition = Deliver
	}
	from := d.FromDomain
	ref := "RFC 9989 §5.3.6"
	if d.Standard == dmarc.RFC7489 {
		ref = "RFC 7489 §6.6.2"
	}

	switch {
	case d.FromProblem != dmarc.FromOK && d.FromProblem != dmarc.FromNoDomain:
		v.Reason = d.Reason
	case d.TempError || d.Result == trace.TempError:
		v.TempError = true
		v.Reason = "A temporary DNS error decided the outcome: DMARC could neither pass nor fail, so a receiver may deliver the message, or instead defer it and retry later."
	case d.Result == trace.Pass:
		v.Reason = fmt.Sprintf("DMARC passes for %s (%s), so a receiver delivers it.", from, alignedWords(d))
	case d.Result == trace.Fail:
		v.Reason = failReason(d)
	case d.Result == trace.PermError:
		v.DecidedBy = "none"
		v.Reason = fmt.Sprintf("The DMARC record for %s is broken, so no DMARC policy applies and a receiver decides by its own rules.", orWord(from, "the From domain"))
	default:
		v.DecidedBy = "none"
		if from == "" {
			v.Reason = "The From field names no domain, so DMARC does not apply and a receiver decides by its own rules."
		} else {
			v.Reason = fmt.Sprintf("%s publishes no DMARC policy, so DMARC does not apply and a receiver decides by its own rules.", from)
		}
	}
	v.Steps = append(v.Steps, trace.Step{
		Title:   "Disposition: " + string(v.Disposition),
		Result:  verdictResult(v),
		Detail:  fmt.Sprintf("DMARC %s under %s, policy %s", d.Result, d.Standard, orWord(string(d.Policy), "none")),
		Explain: v.Reason,
		Ref:     ref,
	})

	v.ARC = arcNote(&v, rep, opts)

	story := []string{d.Story}
	if !vouched(rep) && from != "" && (d.Result == trace.None || d.Result == trace.PermError) {
		story = append(story, fmt.Sprintf("Nothing vouches for %s: no check ties the message to the domain its From field names.", from))
	}
	v.Signs = phishingSigns(rep)
	for _, s := range v.Signs {
		story = append(story, s.Explain)
	}
	if v.ARC != "" {
		story = append(story, v.ARC)
	}
	if v.TempError && !strings.Contains(d.Story, "retry") {
		story = append(story, "A DNS failure decided this, so a receiver may instead defer the message and retry later.")
	}
	v.Story = strings.TrimSpace(strings.Join(nonEmpty(story), " "))
	return v
}

// failReason words a DMARC fail and the policy the owner asks for.
func failReason(d dmarc.Result) string {
	from := d.FromDomain
	owner := d.RecordDomain
	if owner == "" {
		owner = from
	}
	dec := d.RFC9989
	if d.Standard == dmarc.RFC7489 {
		dec = d.RFC7489
	}
	base := fmt.Sprintf("DMARC fails for %s: neither SPF nor DKIM passed for it", from)
	switch {
	case d.Policy == dmarc.PolicyReject:
		return fmt.Sprintf("%s, and %s asks receivers to reject such mail, so a receiver that follows DMARC rejects it.", base, owner)
	case d.Policy == dmarc.PolicyQuarantine && dec.Requested == dmarc.PolicyReject:
		return fmt.Sprintf("%s; %s asks for reject but only as a test or for part of its mail, so a receiver that follows DMARC puts it in the spam folder.", base, owner)
	case d.Policy == dmarc.PolicyQuarantine:
		return fmt.Sprintf("%s, and %s asks receivers to treat such mail as suspicious, so a receiver that follows DMARC puts it in the spam folder.", base, owner)
	case dec.Requested != "" && dec.Requested != dmarc.PolicyNone:
		return fmt.Sprintf("%s; %s asks for %s but only as a test or for none of its mail, so a receiver that follows DMARC delivers it.", base, owner, dec.Requested)
	}
	return fmt.Sprintf("%s, but %s asks for no action (p=none), so a receiver delivers it and only reports the failure.", base, owner)
}

func alignedWords(d dmarc.Result) string {
	switch {
	case d.SPFAligned && d.DKIMAligned:
		return "SPF and DKIM both aligned"
	case d.DKIMAligned:
		return "an aligned DKIM signature"
	case d.SPFAligned:
		return "aligned SPF"
	}
	return "aligned"
}

// vouched reports whether any check ties the message to the From domain:
// a passing SPF or DKIM identifier in its organization (RFC 7489 §3.1
// relaxed alignment, the Public Suffix List).
func vouched(rep Report) bool {
	from := rep.DMARC.FromDomain
	if from == "" {
		return false
	}
	if rep.DMARC.SPFAligned || rep.DMARC.DKIMAligned {
		return true
	}
	if rep.SPF.Result == trace.Pass && dmarc.Aligned(from, strings.ToLower(rep.SPF.Domain), dmarc.Relaxed) {
		return true
	}
	for _, s := range rep.DKIM {
		if s.Result == trace.Pass && dmarc.Aligned(from, s.Domain, dmarc.Relaxed) {
			return true
		}
	}
	return false
}

func verdictResult(v Verdict) trace.Result {
	switch {
	case v.TempError:
		return trace.TempError
	case v.Disposition == Reject || v.Disposition == Quarantine:
		return trace.Fail
	case v.DecidedBy == "none":
		return trace.None
	}
	return trace.Pass
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

func nonEmpty(s []string) []string {
	out := s[:0:0]
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

// arcNote weighs the ARC chain beside DMARC (RFC 8617 §7.2, local policy;
// arc.RescueRule says what we do). With --trust-arc, an intact chain whose
// trusted sealer saw the message authenticated turns a DMARC failure into
// delivery; without it, the note says what a receiver trusting that sealer
// would do. It returns the note for the story, "" without an ARC chain.
func arcNote(v *Verdict, rep Report, opts Options) string {
	a := rep.ARC
	if a.Instances == 0 {
		return ""
	}
	failed := rep.DMARC.Result == trace.Fail && v.Disposition != Deliver
	step := trace.Step{Title: "ARC chain", Result: trace.Info, Ref: "RFC 8617 §7.2"}
	defer func() { v.Steps = append(v.Steps, step) }()
	if !failed {
		step.Detail = fmt.Sprintf("%s, %d instance(s)", a.Result, a.Instances)
		step.Explain = "DMARC did not fail with a policy to apply, so the ARC chain changes nothing here."
		return ""
	}
	if len(opts.TrustARC) > 0 {
		r := a.Rescue(opts.TrustARC)
		step.Steps = r.Steps
		step.Detail = "trusted sealers: " + strings.Join(opts.TrustARC, ", ")
		step.Explain = r.Why + " " + arc.RescueRule
		if r.OK {
			step.Result = trace.Pass
			v.Disposition, v.DecidedBy, v.TempError = Deliver, "arc", false
			v.Reason = fmt.Sprintf("DMARC fails for %s, but the ARC chain is intact and %s, a sealer you trust, recorded %s when the message reached it, so a receiver that trusts %s delivers it.", rep.DMARC.FromDomain, r.Sealer, r.Because, r.Sealer)
			return fmt.Sprintf("ARC rescues it: %s", r.Why)
		}
		step.Result = trace.Fail
		return fmt.Sprintf("ARC does not rescue it: %s", r.Why)
	}
	// Without --trust-arc: would trusting one of the sealers change it?
	for _, set := range a.Sets {
		if set.Sealer == "" {
			continue
		}
		if r := a.Rescue([]string{set.Sealer}); r.OK {
			step.Detail = fmt.Sprintf("%s, %d instance(s); not trusted (no --trust-arc)", a.Result, a.Instances)
			step.Explain = r.Why
			return fmt.Sprintf("A receiver that trusts the ARC sealer %s (--trust-arc %s), as large mailbox providers do for some intermediaries, would deliver it instead: %s", r.Sealer, r.Sealer, r.Why)
		}
	}
	step.Detail = fmt.Sprintf("%s, %d instance(s)", a.Result, a.Instances)
	step.Explain = "No sealer of the chain recorded a result that vouches for the From domain, so trusting one would not change the verdict. " + a.Reason
	return ""
}
