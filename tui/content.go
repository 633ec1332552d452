package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// done reports whether check c has a result in rep yet.
func done(rep *inspect.Report, c inspect.Check) bool {
	return rep != nil && slices.Contains(rep.Done, c)
}

// pendingNode stands for a check that is still running.
func pendingNode(path, title string) []node {
	return []node{{path: path, title: title, pending: true, explain: "This check is still running: its DNS questions have not all been answered yet. The keys keep working meanwhile."}}
}

// spfWho names what SPF was checked for: the MAIL FROM address; the null
// sender, which RFC 7208 §2.4 checks as postmaster@ the HELO name; or an
// unknown MAIL FROM (no Return-Path), for which nothing was checked.
func spfWho(r spf.Result, env received.Envelope) string {
	switch {
	case r.Identity == spf.HELO:
		return "HELO " + orDash(r.Domain)
	case env.DerivedFrom.MailFrom == "" && r.Sender == "" && r.Domain == "":
		return "MAIL FROM unknown"
	case env.MailFrom == "" && env.DerivedFrom.MailFrom != "":
		if r.Domain == "" {
			return "MAIL FROM <> (no HELO domain to check it as postmaster@HELO)"
		}
		checked := r.Sender
		if checked == "" {
			checked = "postmaster@" + r.Domain
		}
		return "MAIL FROM <> (checked as " + checked + ")"
	}
	return "MAIL FROM " + orDash(r.Sender)
}

// spfNodes are the SPF view: SPF for MAIL FROM, SPF for HELO, and the
// reverse DNS of the same client.
func spfNodes(rep *inspect.Report) []node {
	var out []node
	if !done(rep, inspect.CheckSPF) {
		out = append(out, pendingNode("spf", "SPF")...)
	} else {
		r := rep.SPF
		title := fmt.Sprintf("SPF for %s from %s", s(spfWho(r, rep.Chain.Envelope)), s(orDash(r.ClientIP)))
		var det []string
		if r.Record != "" {
			det = append(det, "record of "+r.Domain+": "+r.Record)
		}
		if r.Mechanism != "" {
			det = append(det, "decided by "+r.Mechanism)
		}
		if lim, ok := rep.SPFLimits(); ok {
			det = append(det, fmt.Sprintf("%d of %d DNS lookups, %d of %d void lookups", r.DNSLookups, lim.Lookups, r.VoidLookups, lim.Voids))
		} else {
			det = append(det, fmt.Sprintf("%s, %s", plural(r.DNSLookups, "DNS lookup"), plural(r.VoidLookups, "void lookup")))
		}
		exp := r.Explanation
		if r.Exp != "" {
			exp += "\nThe domain's own explanation (exp=): " + r.Exp
		}
		out = append(out, root("spf", title, r.Result, block(strings.Join(det, "\n")), block(exp), "RFC 7208 §2.6", r.Steps)...)
	}
	if !done(rep, inspect.CheckSPFHELO) && !done(rep, inspect.CheckVerdict) {
		out = append(out, pendingNode("helo", "SPF for the HELO name")...)
	} else if h := rep.SPFHELO; h != nil {
		title := fmt.Sprintf("SPF for HELO %s from %s", s(orDash(h.Domain)), s(orDash(h.ClientIP)))
		out = append(out, root("helo", title, h.Result, block(h.Record), block(h.Explanation+"\nDMARC uses only the MAIL FROM result; the HELO check is shown because RFC 7208 §2.3 says it SHOULD be made."), "RFC 7208 §2.3", h.Steps)...)
	}
	if !done(rep, inspect.CheckIPRev) {
		out = append(out, pendingNode("iprev", "Reverse DNS of the client (iprev)")...)
	} else {
		r := rep.IPRev
		var det []string
		if len(r.Names) > 0 {
			det = append(det, "PTR names: "+strings.Join(r.Names, ", "))
		}
		if len(r.Confirmed) > 0 {
			det = append(det, "pointing back to the address: "+strings.Join(r.Confirmed, ", "))
		}
		if r.Recorded != "" {
			det = append(det, "the receiver recorded: "+r.Recorded)
		}
		title := fmt.Sprintf("Reverse DNS of %s (iprev)", s(orDash(r.IP)))
		out = append(out, root("iprev", title, r.Result, block(strings.Join(det, "\n")), block(r.Reason), "RFC 8601 §3", r.Steps)...)
	}
	return out
}

// dkimNodes are the DKIM view: one tree per DKIM-Signature.
func dkimNodes(rep *inspect.Report) []node {
	if !done(rep, inspect.CheckDKIM) {
		return pendingNode("dkim", "DKIM signatures")
	}
	if len(rep.DKIM) == 0 {
		return []node{{path: "dkim", title: "No DKIM-Signature in this message", result: trace.None,
			explain: "Nobody signed this message with DKIM, so no domain vouches for its content. DMARC can then pass only through an aligned SPF pass.",
			ref:     "RFC 6376 §6.1"}}
	}
	var out []node
	for i, sig := range rep.DKIM {
		title := fmt.Sprintf("DKIM d=%s s=%s", s(orDash(sig.Domain)), s(orDash(sig.Selector)))
		if sig.Algorithm != "" {
			title += " (" + s(sig.Algorithm)
			if sig.KeyBits > 0 {
				title += ", " + strconv.Itoa(sig.KeyBits) + " bits"
			}
			title += ")"
		}
		out = append(out, root("dkim"+strconv.Itoa(i), title, sig.Result, block(dkimDetail(sig)), block(sig.Reason), "RFC 6376 §6", sig.Steps)...)
	}
	return out
}

func dkimDetail(sig dkim.Signature) string {
	var d []string
	if sig.Identity != "" {
		d = append(d, "signer identity (i=): "+sig.Identity)
	}
	if len(sig.Headers) > 0 {
		d = append(d, "signed fields (h=): "+strings.Join(sig.Headers, ":"))
	}
	if sig.Canonicalization != "" {
		d = append(d, "canonicalization (c=): "+sig.Canonicalization)
	}
	if sig.Timestamp != "" {
		d = append(d, "signed at (t=): "+sig.Timestamp)
	}
	if sig.Expires != "" {
		d = append(d, "expires (x=): "+sig.Expires)
	}
	if sig.BodyLength != nil {
		d = append(d, fmt.Sprintf("body length (l=): %d, with %d unsigned bytes after it", *sig.BodyLength, sig.UnsignedBodyBytes))
	}
	if sig.BodyHashOK != nil {
		d = append(d, "body hash matches: "+yesNo(*sig.BodyHashOK))
	}
	if sig.HeaderSignatureOK != nil {
		d = append(d, "header signature verifies: "+yesNo(*sig.HeaderSignatureOK))
	}
	if sig.Testing {
		d = append(d, "the key is in testing mode (t=y)")
	}
	for _, w := range sig.Warnings {
		d = append(d, "warning: "+w)
	}
	return strings.Join(d, "\n")
}

// dmarcNodes are the DMARC view: DMARC under the deciding standard, the
// other standard beside it, the verdict, the ARC chain, and DMARC's
// reporting side (RFC 9990).
func dmarcNodes(rep *inspect.Report) []node {
	var out []node
	if !done(rep, inspect.CheckDMARC) {
		out = append(out, pendingNode("dmarc", "DMARC")...)
	} else {
		d := rep.DMARC
		title := fmt.Sprintf("DMARC for %s (%s)", s(orDash(d.FromDomain)), s(string(d.Standard)))
		var det []string
		if d.Record != "" {
			det = append(det, "record at "+d.RecordDomain+": "+d.Record)
		}
		if d.OrgDomain != "" {
			det = append(det, "organizational domain: "+d.OrgDomain)
		}
		if d.Policy != "" {
			det = append(det, "policy that applies: "+string(d.Policy))
		}
		if d.Pct != nil {
			det = append(det, fmt.Sprintf("pct=%d", *d.Pct))
		}
		if d.Testing {
			det = append(det, "testing mode (t=y)")
		}
		det = append(det, "SPF aligned: "+yesNo(d.SPFAligned)+", DKIM aligned: "+yesNo(d.DKIMAligned))
		exp := d.Reason
		if d.Story != "" {
			exp += "\n" + d.Story
		}
		out = append(out, root("dmarc", title, d.Result, block(strings.Join(det, "\n")), block(exp), "RFC 9989 §5.3.5", d.Steps)...)
		o := d.Other
		if o.Standard != "" {
			otitle := otherTitle(o)
			odet := fmt.Sprintf("organizational domain: %s\nrecord at: %s\npolicy: %s", o.OrgDomain, o.RecordDomain, o.Policy)
			oexp := "The other DMARC standard, evaluated beside the one that decides, so the two can be compared."
			if d.Differ {
				oexp += " Here they disagree."
			} else {
				oexp += " Here they agree."
			}
			out = append(out, node{depth: 1, path: "dmarc/other", title: otitle, result: o.Result, detail: block(odet), explain: oexp, ref: "RFC 9989 §4.10, RFC 7489 §3.2"})
		}
	}
	if !done(rep, inspect.CheckVerdict) {
		out = append(out, pendingNode("verdict", "Verdict")...)
	} else {
		v := rep.Verdict
		title := "Verdict: " + s(strings.ToUpper(string(v.Disposition)))
		out = append(out, root("verdict", title, dispositionResult(v.Disposition), block(v.Reason), block(v.Story), "RFC 9989 §5.3.6", v.Steps)...)
	}
	if !done(rep, inspect.CheckARC) {
		out = append(out, pendingNode("arc", "ARC chain")...)
	} else if rep.ARC.Instances > 0 || len(rep.ARC.Steps) > 0 {
		a := rep.ARC
		title := fmt.Sprintf("ARC chain: %s", plural(a.Instances, "instance"))
		if a.BrokenAt != nil {
			title += fmt.Sprintf(", broken at i=%d", *a.BrokenAt)
		}
		exp := a.Reason
		if rep.Verdict.ARC != "" {
			exp += "\n" + rep.Verdict.ARC
		}
		out = append(out, root("arc", title, a.Result, "", block(exp), "RFC 8617 §5.2", a.Steps)...)
	}
	// Last, so the verdict and ARC stay where they were on screen.
	out = append(out, reportingNodes(rep)...)
	return out
}

// otherTitle names the other standard's answer by its result first, then
// the policy and what it does to the message: "Under RFC 7489 instead:
// pass (policy reject, delivered)". The policy alone after the colon read
// as that standard's verdict, "reject" for a message that passes
// (exploratory use, C3).
func otherTitle(o dmarc.Other) string {
	name := string(o.Standard)
	switch o.Standard {
	case dmarc.RFC9989:
		name = "RFC 9989"
	case dmarc.RFC7489:
		name = "RFC 7489"
	}
	res := orDash(string(o.Result))
	var fate string
	switch o.Result {
	case trace.Pass:
		fate = "delivered"
	case trace.Fail:
		switch o.Policy {
		case dmarc.PolicyReject:
			fate = "rejected"
		case dmarc.PolicyQuarantine:
			fate = "quarantined"
		default:
			fate = "delivered"
		}
	default:
		fate = "DMARC decides nothing"
	}
	what := fate
	if o.Policy != "" {
		what = "policy " + string(o.Policy) + ", " + fate
	}
	return s(fmt.Sprintf("Under %s instead: %s (%s)", name, res, what))
}

func dispositionResult(d inspect.Disposition) trace.Result {
	switch d {
	case inspect.Deliver:
		return trace.Pass
	case inspect.Quarantine:
		return trace.SoftFail
	case inspect.Reject:
		return trace.Fail
	}
	return trace.None
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(v string) string {
	if v == "" {
		return "—"
	}
	return v
}
