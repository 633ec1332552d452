package inspect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// decide reaches the verdict from the checks' results: what a receiver
// that honours the chosen DMARC standard does (RFC 9989 §5.3.6, §4.7; RFC
// 7489 §6.6.2–§6.6.4), one line of reason, the story of the replay, and
// the steps: which rule decided, and what an attacker would have needed to
// pass. The reason says what decided in one line; the story, which
// package dmarc begins, tells the whole replay, so the two do not repeat
// each other's sentences. rawFrom is the first From field as written, for
// the phishing signs; crashes are the checks that panicked (guard), which
// the story owns up to.
func decide(rep Report, opts Options, rawFrom string, crashes []crash) Verdict {
	d := rep.DMARC
	e := deciding(d)
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

	dmarcCrashed := slices.ContainsFunc(crashes, func(c crash) bool { return c.check == CheckDMARC })
	switch {
	case dmarcCrashed:
		v.DecidedBy = "none"
		v.Reason = "headercheck failed while evaluating DMARC (a bug in headercheck: please report it), so DMARC decides nothing here: the receiver's own filters do."
	case d.FromProblem != dmarc.FromOK && d.FromProblem != dmarc.FromNoDomain:
		v.Reason = fromProblemReason(d, v.Disposition)
	case d.TempError || d.Result == trace.TempError:
		v.TempError = true
		v.Reason = tempErrorReason(d, e)
	case d.Result == trace.Pass:
		v.Reason = "DMARC passes for " + from + ": " + passWords(rep) + ", so a receiver delivers it."
	case d.Result == trace.Fail:
		v.Reason = failReason(d, e)
	case d.Result == trace.PermError:
		v.DecidedBy = "none"
		v.Reason = fmt.Sprintf("%s's DMARC record cannot be used, so DMARC decides nothing here: the receiver's own filters do.", orWord(from, "The From domain"))
	default:
		v.DecidedBy = "none"
		if from == "" {
			v.Reason = "The From field names no domain, so DMARC has nothing to check: the receiver's own filters decide."
		} else {
			v.Reason = from + " has no DMARC policy, so DMARC decides nothing here: the receiver's own filters do."
		}
	}
	// Room for the testing-mode steps, the disposition, ARC and the
	// attacker's needs at once.
	testing := testingSteps(rep)
	v.Steps = make([]trace.Step, 0, len(testing)+3)
	v.Steps = append(v.Steps, testing...)
	dispo := len(v.Steps)
	v.Steps = append(v.Steps, trace.Step{
		Title:   dispositionTitle(v.Disposition),
		Result:  verdictResult(v, d),
		Detail:  "DMARC " + orWord(string(d.Result), "none") + " under " + standardWords(d.Standard) + "; " + policyWords(d, e),
		Explain: dispositionRule(d, e, v),
		Ref:     ref,
	})

	v.ARC = arcNote(&v, rep, opts)
	if v.DecidedBy == "arc" {
		v.Steps[dispo].Title = "Disposition by DMARC alone: " + string(d.Disposition)
	}
	v.Signs = phishingSigns(rep, rawFrom)
	if st, ok := attackerStep(rep, v); ok {
		v.Steps = append(v.Steps, st)
	}

	story := make([]string, 1, 5+len(v.Signs))
	story[0] = d.Story
	if mailFromOf(rep.Chain.Envelope) == mailFromUnknown && d.Result == trace.Fail && d.FromProblem == dmarc.FromOK {
		story = append(story, "The MAIL FROM is unknown (the message has no Return-Path), so SPF could not count for DMARC in this replay; the receiver knew it, and --mail-from replays with it.")
	}
	if words := testingWords(rep); words != "" {
		story = append(story, words)
	}
	if !vouched(rep) && from != "" && (d.Result == trace.None || d.Result == trace.PermError) {
		story = append(story, fmt.Sprintf("Nothing vouches for %s: no check ties the message to the domain its From field names.", from))
	}
	for _, s := range v.Signs {
		story = append(story, s.Explain)
	}
	if v.ARC != "" {
		story = append(story, v.ARC)
	}
	story = append(story, crashSentence(crashes))
	if v.TempError && !strings.Contains(d.Story, "retry") {
		story = append(story, "A DNS failure decided this, so a receiver may instead defer the message and retry later.")
	}
	v.Story = strings.TrimSpace(strings.Join(nonEmpty(story), " "))
	return v
}

// dispositionTitle is the title of the disposition step; the three
// dispositions have theirs written out, as every message needs one.
func dispositionTitle(d Disposition) string {
	switch d {
	case Deliver:
		return "Disposition: deliver"
	case Quarantine:
		return "Disposition: quarantine"
	case Reject:
		return "Disposition: reject"
	}
	return "Disposition: " + string(d)
}

// deciding is the evaluation of the standard that decided.
func deciding(d dmarc.Result) dmarc.Evaluation {
	if d.Standard == dmarc.RFC7489 {
		return d.RFC7489
	}
	return d.RFC9989
}

func standardWords(s dmarc.Standard) string {
	if s == dmarc.RFC7489 {
		return "RFC 7489 (the older DMARC standard)"
	}
	return "RFC 9989 (the current DMARC standard)"
}

// policyTag is the record's tag that chose the policy, "p" when unknown.
func policyTag(e dmarc.Evaluation) string {
	if e.PolicyTag == "" {
		return "p"
	}
	return e.PolicyTag
}

// policyWords says which policy applies, and why when it is not the one
// requested or none is known.
func policyWords(d dmarc.Result, e dmarc.Evaluation) string {
	tag := policyTag(e)
	switch {
	case d.FromProblem != dmarc.FromOK && d.FromProblem != dmarc.FromNoDomain:
		if d.Policy != "" && d.FromDomain != "" {
			return fmt.Sprintf("strictest policy among the From domains: %s's %s", d.FromDomain, d.Policy)
		}
		return "no single From domain to take a policy from"
	case d.Result == trace.TempError && (e.Record == "" || e.Requested == ""):
		return "policy unknown (the record could not be fetched)"
	case d.Result == trace.TempError:
		return "policy " + tag + "=" + string(e.Requested) + " requested but not applied, since DMARC could neither pass nor fail"
	case d.FromDomain == "":
		return "no policy (no domain in From)"
	case d.Result == trace.None:
		return "no policy (no DMARC record)"
	case d.Result == trace.PermError:
		return "no policy (the record cannot be used)"
	case d.Result == trace.Pass:
		return "policy " + tag + "=" + orWord(string(e.Requested), string(d.Policy)) + ", not applied since DMARC passed"
	case e.Requested != "" && e.Requested != d.Policy:
		return "policy " + tag + "=" + string(e.Requested) + ", applied as " + string(d.Policy) + " because " + downgradeWhy(e)
	}
	return "policy " + tag + "=" + orWord(string(d.Policy), "none")
}

// downgradeWhy says why the policy applied is weaker than the one asked.
func downgradeWhy(e dmarc.Evaluation) string {
	switch {
	case e.Testing:
		return "the owner is only testing it (t=y, RFC 9989 §4.7)"
	case e.Pct != nil:
		return fmt.Sprintf("pct=%d leaves this message out of the mail it applies to (RFC 7489 §6.6.4)", *e.Pct)
	}
	return "the record says so"
}

// fromProblemReason words a From field that names no single author, in
// one line; the story tells the rule and the policy, the Disposition
// step the policy.
func fromProblemReason(d dmarc.Result, disp Disposition) string {
	var s string
	switch d.FromProblem {
	case dmarc.FromMissing:
		s = "No From field, so no author domain: DMARC cannot pass"
	case dmarc.FromMultipleFields:
		s = "Several From fields, so no single author domain: DMARC cannot pass"
	default:
		s = "Several addresses in From, so no single author domain: DMARC cannot pass"
	}
	if disp == Reject {
		s += ", and receivers typically reject such a message"
	}
	return s + "."
}

// tempErrorReason words a DMARC result a DNS failure left undecided.
func tempErrorReason(d dmarc.Result, e dmarc.Evaluation) string {
	from := orWord(d.FromDomain, "the From domain")
	if e.Record == "" || e.Requested == "" {
		return fmt.Sprintf("A temporary DNS error kept the DMARC record of %s from being fetched, so its policy is unknown and DMARC neither passes nor fails: a receiver may instead defer the message and retry later.", from)
	}
	return fmt.Sprintf("A temporary DNS error left it unknown whether SPF or DKIM passed for %s, so DMARC neither passes nor fails and its policy (%s=%s) cannot be applied: a receiver may instead defer the message and retry later.", from, policyTag(e), e.Requested)
}

// failReason words a DMARC fail and the policy the owner asks for, in
// one line; the story tells what each check found.
func failReason(d dmarc.Result, e dmarc.Evaluation) string {
	from := d.FromDomain
	owner := orWord(d.RecordDomain, from)
	base := "DMARC fails for " + from + ": neither SPF nor DKIM passed for a domain of its organization"
	whose := owner + "'s DMARC policy"
	switch e.PolicyTag {
	case "sp":
		whose = owner + "'s DMARC policy for its subdomains (sp)"
	case "np":
		whose = owner + "'s DMARC policy for subdomains that do not exist (np)"
	}
	req := orWord(string(e.Requested), string(d.Policy))
	switch {
	case req != "" && req != string(d.Policy) && d.Policy != "":
		return fmt.Sprintf("%s; %s is %s, applied as %s because %s.", base, whose, req, d.Policy, downgradeWhy(e))
	case d.Policy == dmarc.PolicyReject:
		return base + ", and " + whose + " is reject."
	case d.Policy == dmarc.PolicyQuarantine:
		return base + ", and " + whose + " is quarantine (the spam folder)."
	}
	return base + ", but " + whose + " is none: it asks for no action, only for reports."
}

// passWords names the identifiers that made DMARC pass, in plain words.
func passWords(rep Report) string {
	d := rep.DMARC
	from := d.FromDomain
	org := orWord(d.OrgDomain, from)
	var by []string
	of := func(dom string) string {
		if strings.EqualFold(dom, from) {
			return dom
		}
		return dom + ", in " + org + "'s organization"
	}
	if d.SPFAligned {
		dom := rep.SPF.Domain
		if dom == "" {
			by = append(by, "SPF passed for a domain of its organization")
		} else {
			by = append(by, "SPF passed for "+of(dom))
		}
	}
	if d.DKIMAligned {
		dom := ""
		for _, s := range rep.DKIM {
			if s.Result == trace.Pass && !s.Testing && (strings.EqualFold(s.Domain, from) || dmarc.Aligned(from, s.Domain, dmarc.Relaxed)) {
				dom = s.Domain
				break
			}
		}
		if dom == "" {
			by = append(by, "a DKIM signature by a domain of its organization verified")
		} else {
			by = append(by, "a DKIM signature by "+of(dom)+" verified")
		}
	}
	if len(by) == 0 {
		return "an identifier of its organization passed"
	}
	return joinWords(by)
}

// dispositionRule explains the rule that turned DMARC's answer into the
// disposition, in plain words.
func dispositionRule(d dmarc.Result, e dmarc.Evaluation, v Verdict) string {
	switch {
	case d.FromProblem != dmarc.FromOK && d.FromProblem != dmarc.FromNoDomain:
		return "DMARC needs exactly one author domain in From (RFC 9989 §5.3.1; RFC 5322 §3.6 allows one From field). A message without exactly one cannot pass, and receivers typically reject it (RFC 7489 §6.6.1)."
	case v.TempError:
		return "When a DNS query DMARC needs does not complete, the message neither passes nor fails and the domain's policy cannot be applied: the receiver decides (RFC 9989 §5.3.6). Many defer the message with a temporary (4xx) reply, so the sending server tries again later (RFC 7489 §6.6.2); headercheck shows deliver, what a receiver that does not defer does."
	case d.Result == trace.Pass:
		return "DMARC passed, so the domain's policy does not come into play: the receiver delivers the message unless its own filters object."
	case d.Result == trace.Fail:
		var s string
		switch d.Policy {
		case dmarc.PolicyReject:
			s = "reject asks a receiver to refuse mail that fails DMARC, usually during the SMTP conversation: the sending server gets an error and the recipient never sees the message (RFC 9989 §7.2)."
		case dmarc.PolicyQuarantine:
			s = "quarantine asks a receiver to treat mail that fails DMARC as suspicious: most put it in the spam (junk) folder instead of the inbox."
		default:
			s = "none asks for no action: the domain owner only wants reports about such mail (rua=), so the receiver delivers it as if DMARC had not failed."
		}
		if e.Requested != "" && e.Requested != d.Policy {
			s = fmt.Sprintf("The owner asks for %s, but %s, so one step weaker applies: %s", e.Requested, downgradeWhy(e), s)
		} else {
			s = "The policy " + s
		}
		return s + " A receiver may apply its own policy instead (RFC 9989 §5.3.6); headercheck shows what one that follows the owner's request does."
	}
	return "With no usable DMARC policy, DMARC asks nothing of the receiver: its own filters (spam scores, reputation, the SPF and DKIM results on their own) decide, and headercheck shows deliver."
}

// attackerStep says what an attacker would have needed for the message to
// pass, where that can be said (RFC 9989 §4.4, §2.2).
func attackerStep(rep Report, v Verdict) (trace.Step, bool) {
	d := rep.DMARC
	from := d.FromDomain
	st := trace.Step{Title: "What an attacker would have needed to pass", Result: trace.Info, Ref: "RFC 9989 §4.4"}
	lure := ""
	for _, s := range v.Signs {
		if strings.HasPrefix(s.Kind, "display_name") {
			lure = s.Detail
		}
	}
	switch {
	case d.FromProblem == dmarc.FromMultipleFields || d.FromProblem == dmarc.FromMultipleAddresses:
		st.Explain = "A message with a single From address, in a domain whose SPF or DKIM the attacker controls: with several From addresses a message cannot pass DMARC at all. The trick only works on a receiver that checks one From and a mail program that shows the other."
		st.Ref = "RFC 9989 §5.3.1"
	case from == "" || v.TempError:
		return st, false
	case d.Result == trace.None || d.Result == trace.PermError:
		what := "publishes no DMARC policy"
		if d.Result == trace.PermError {
			what = "has a DMARC record that cannot be used"
		}
		if lure != "" {
			st.Explain = fmt.Sprintf("Nothing more than it did: %s %s, and the deception is in the display name (here: %s), which SPF, DKIM and DMARC do not check (RFC 9989 §2.2, §11.4).", from, what, lure)
		} else {
			st.Explain = fmt.Sprintf("Nothing: %s %s, so anyone can write %s in From and no DMARC rule tells a receiver to refuse it; only the receiver's own filters stand in the way.", from, what, from)
		}
		st.Ref = "RFC 9989 §5.3.2"
	default:
		org := orWord(d.OrgDomain, from)
		need := "To pass DMARC as " + from + ", a message needs SPF to pass for a MAIL FROM domain in " + org + "'s organization, which means sending from a server " + org + "'s SPF record lists, or a DKIM signature by " + org + " or one of its subdomains that verifies, which takes " + org + "'s private key."
		if d.Result == trace.Pass {
			st.Explain = need + " Here that held, so it was sent with " + org + "'s authorization, or by someone with access to its servers or keys."
			if len(v.Signs) > 0 {
				st.Explain += fmt.Sprintf(" A pass for %s says nothing about whether %s is the sender it looks like: anyone can register a domain and pass DMARC for it (RFC 9989 §2.2).", from, from)
			}
		} else {
			st.Explain = need + " Here neither passed, so nothing shows it comes from " + org + ": someone else sent it, or something on the way or in DNS broke the proof (a forwarder or mailing list that changed it, a key revoked since, a broken record)."
			if d.Policy == dmarc.PolicyNone || d.Policy == "" {
				st.Explain += " And with the policy none, failing costs a spoofer nothing: the message is delivered anyway. Only p=quarantine or p=reject makes the proof matter."
			} else {
				st.Explain += fmt.Sprintf(" An attacker without %s's servers or keys cannot pass; spoofers avoid %s in From instead, with a look-alike domain or a display name (RFC 9989 §2.2).", org, from)
			}
		}
	}
	return st, true
}

// testingSteps explain each DKIM signature whose key is in testing mode
// (t=y): RFC 6376 §3.6.1 says verifiers must not treat such mail
// differently from unsigned mail, so the signature neither rescues nor
// condemns the message (dmarcDKIM).
func testingSteps(rep Report) []trace.Step {
	var out []trace.Step
	from := rep.DMARC.FromDomain
	for _, s := range rep.DKIM {
		if !s.Testing {
			continue
		}
		st := trace.Step{
			Title:  fmt.Sprintf("DKIM key in testing mode: d=%s s=%s", s.Domain, s.Selector),
			Result: trace.Info,
			Detail: fmt.Sprintf("DKIM %s; the key record has t=y", s.Result),
			Ref:    "RFC 6376 §3.6.1",
		}
		if s.Result == trace.Pass {
			st.Explain = fmt.Sprintf("The signature by %s verifies, but its key record says t=y: %s is only testing DKIM, and RFC 6376 §3.6.1 says verifiers must not treat its mail differently from unsigned mail. So the signature does not count for DMARC here (DMARC gets it as policy, not pass).", s.Domain, s.Domain)
			if from != "" && dmarc.Aligned(from, s.Domain, dmarc.Relaxed) {
				st.Explain += fmt.Sprintf(" Had it counted, it would have aligned with %s; a receiver that ignores t=y, as many do, would count it.", from)
			}
		} else {
			st.Explain = fmt.Sprintf("The signature by %s does not verify, but its key record says t=y: %s is only testing DKIM, and RFC 6376 §3.6.1 says the failure must not count against the message either. For DMARC that is the same as no signature: it authenticates nothing.", s.Domain, s.Domain)
		}
		out = append(out, st)
	}
	return out
}

// testingWords is the story's sentence about a testing-mode signature
// that would have made DMARC pass, "" when there is none.
func testingWords(rep Report) string {
	d := rep.DMARC
	if d.Result == trace.Pass || d.FromDomain == "" {
		return ""
	}
	for _, s := range rep.DKIM {
		if s.Testing && s.Result == trace.Pass && dmarc.Aligned(d.FromDomain, s.Domain, dmarc.Relaxed) {
			return fmt.Sprintf("A DKIM signature by %s verifies, but its key is marked as testing (t=y), so it counts as if the message were unsigned (RFC 6376 §3.6.1); a receiver that ignores t=y would let DMARC pass.", s.Domain)
		}
	}
	return ""
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
	if rep.SPF.Result == trace.Pass && rep.SPF.Domain != "" && dmarc.Aligned(from, strings.ToLower(rep.SPF.Domain), dmarc.Relaxed) {
		return true
	}
	for _, s := range rep.DKIM {
		// A key in testing mode vouches for nothing (RFC 6376 §3.6.1).
		if s.Result == trace.Pass && !s.Testing && dmarc.Aligned(from, s.Domain, dmarc.Relaxed) {
			return true
		}
	}
	return false
}

func verdictResult(v Verdict, d dmarc.Result) trace.Result {
	switch {
	case v.TempError:
		return trace.TempError
	case v.Disposition == Reject || v.Disposition == Quarantine:
		return trace.Fail
	case v.DecidedBy == "none":
		return trace.None
	case d.Result == trace.Fail:
		return trace.Warn // delivered although DMARC failed (p=none)
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
		step.Detail = fmt.Sprintf("%s, %s", a.Result, plural(a.Instances, "instance"))
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
			step.Detail = fmt.Sprintf("%s, %s; not trusted (no --trust-arc)", a.Result, plural(a.Instances, "instance"))
			step.Explain = r.Why
			return fmt.Sprintf("A receiver that trusts the ARC sealer %s (--trust-arc %s), as large mailbox providers do for some mailing lists and forwarders, would deliver it instead: %s found %s when the message reached it, and the ARC chain, the signed record intermediaries add of what they found (RFC 8617), is intact.", r.Sealer, r.Sealer, r.Sealer, foundWords(r.Because))
		}
	}
	step.Detail = fmt.Sprintf("%s, %s", a.Result, plural(a.Instances, "instance"))
	step.Explain = "No sealer of the chain recorded a result that vouches for the From domain, so trusting one would not change the verdict. " + a.Reason
	return ""
}

// foundWords says what a sealer's recorded result means, in words.
func foundWords(because string) string {
	if strings.HasPrefix(because, "dmarc=pass") {
		return "that DMARC passed"
	}
	if because == "" {
		return "the message authenticated"
	}
	return because
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dnsUnreachable says when no DNS question of the message got an answer
// from DNS at all: every one failed for want of a server (no server
// reachable, nothing in time, REFUSED). Then every check that needed DNS
// is a temperror and the verdict delivers, which is right for a receiver
// that would retry, but a reader must be told first that headercheck
// itself could not reach DNS (a wrong --dns, no network), or a phishing
// message reads as delivered. A snapshot's missing answers are not this:
// the snapshot answered.
func dnsUnreachable(queries []trace.Query) (trace.Step, bool) {
	if len(queries) == 0 {
		return trace.Step{}, false
	}
	servers := map[string]bool{}
	var list []string
	written := true // every answer from a hand-written snapshot: a staged outage
	for _, q := range queries {
		written = written && q.Server == "snapshot"
		switch q.Rcode {
		case trace.RcodeError, trace.RcodeTimeout, trace.RcodeRefused:
		default:
			return trace.Step{}, false
		}
		if s := q.Server; s != "" && !servers[s] {
			servers[s] = true
			list = append(list, s)
		}
	}
	if written {
		return trace.Step{}, false
	}
	who := "the DNS servers"
	if len(list) > 0 {
		who = strings.Join(list, ", ")
	}
	return trace.Step{
		Title:  "DNS could not be reached",
		Result: trace.Warn,
		Detail: fmt.Sprintf("all %d questions failed: no answer from %s", len(queries), who),
		Explain: "Not one DNS question of this message got an answer, so every check that needs DNS ended in temperror and " +
			"nothing was really checked: the verdict below is what a receiver does while DNS fails, not a judgement of the " +
			"message. Check the --dns address or the network, or replay offline with --dns-snapshot.",
		Ref: "RFC 7208 §8.6; RFC 9989 §5.3.6",
	}, true
}
