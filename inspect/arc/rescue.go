package arc

import (
	"fmt"
	"golang.org/x/net/publicsuffix"
	"strings"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Rescue is whether a chain lets a receiver that trusts some sealers
// accept a message that fails DMARC (--trust-arc), and why.
type Rescue struct {
	OK bool `json:"ok"`
	// Sealer and Instance name the trusted sealer whose record decided;
	// "" and 0 when no trusted sealer was found.
	Sealer   string `json:"sealer"`
	Instance int    `json:"instance"`
	// Because is the result in that sealer's record that vouches for the
	// author ("dmarc=pass", "dkim=pass header.d=example.org"); "" when
	// none does.
	Because string       `json:"because"`
	Why     string       `json:"why"` // one plain sentence
	Steps   []trace.Step `json:"steps"`
}

// RescueRule is the local policy Rescue applies, in words, for the report
// and the TUI. RFC 8617 §7.2.1 leaves the choice to the receiver.
const RescueRule = "headercheck trusts an ARC chain only when it validates (status pass) and the oldest sealer you trust recorded, " +
	"when the message reached it, DMARC pass for the From domain, or SPF or DKIM pass for a domain aligned with the From domain " +
	"(the same organizational domain). The oldest sealer you trust is the one that saw the message closest to its author, " +
	"before later hops could change it."

// Rescues reports whether the chain rescues a DMARC failure for a
// receiver that trusts the sealer domains trusted, and which sealer's
// record decided. See Rescue and RescueRule.
func (r Result) Rescues(trusted []string) (sealer string, ok bool) {
	x := r.Rescue(trusted)
	return x.Sealer, x.OK
}

// Rescue applies RescueRule. A sealer matches a trusted domain when its d=
// is that domain or a subdomain of it.
func (r Result) Rescue(trusted []string) Rescue {
	out := Rescue{Steps: []trace.Step{}}
	rule := trace.Step{Title: "Local policy for trusted ARC sealers", Result: trace.Info, Detail: RescueRule,
		Explain: "RFC 8617 lets a receiver accept the findings of intermediaries it trusts when DMARC fails because of forwarding; which sealers to trust and what their records must say is the receiver's own choice",
		Ref:     "RFC 8617 §7.2.1"}
	if len(trusted) > 0 {
		rule.Detail += " Trusted: " + strings.Join(trusted, ", ") + "."
	}
	out.Steps = append(out.Steps, rule)
	decide := func(ok bool, res trace.Result, why string) Rescue {
		out.OK, out.Why = ok, why
		st := trace.Step{Title: "ARC rescue", Result: res, Detail: why, Ref: "RFC 8617 §7.2.1",
			Explain: "the chain cannot change the verdict for this receiver; the DMARC result stands"}
		if ok {
			st.Explain = "a receiver with this local policy would accept the sealer's finding in place of the failed DMARC check; the DMARC result itself is unchanged"
		}
		out.Steps = append(out.Steps, st)
		return out
	}
	if r.Result != trace.Pass {
		why := "The ARC chain did not validate (status " + string(r.Result) + "), so no sealer's record can be used."
		if r.Result == trace.None {
			why = "The message has no ARC chain, so there is no sealer's record to use."
		}
		return decide(false, trace.None, why)
	}
	if len(trusted) == 0 {
		return decide(false, trace.None, "No ARC sealer is trusted (give --trust-arc DOMAIN), so the chain cannot change the verdict.")
	}
	var set *Set
	var entry string
	var names []string
	for i := range r.Sets {
		s := &r.Sets[i]
		names = append(names, fmt.Sprintf("i=%d %s", s.Instance, s.Sealer))
		if set != nil {
			continue
		}
		if t, ok := trustedDomain(s.Sealer, trusted); ok {
			set, entry = s, t
		}
	}
	var ignored []string
	for _, t := range trusted {
		if t = strings.TrimSpace(t); t != "" && IsPublicSuffix(t) {
			ignored = append(ignored, t)
		}
	}
	if len(ignored) > 0 {
		out.Steps = append(out.Steps, trace.Step{Title: "Trusted sealers that are public suffixes are ignored", Result: trace.Warn,
			Detail:  strings.Join(ignored, ", "),
			Explain: "a public suffix (such as com or co.uk) is where anyone registers a domain of their own, so trusting it would trust the ARC seal of any attacker with a domain under it; name the sealer's own domain instead",
			Ref:     "RFC 8617 §9.4"})
	}
	if set == nil {
		return decide(false, trace.None, "None of the sealers ("+strings.Join(names, ", ")+") is one you trust.")
	}
	if !strings.EqualFold(strings.TrimSuffix(set.Sealer, "."), entry) {
		out.Steps = append(out.Steps, trace.Step{Title: "Trusted sealer " + set.Sealer, Result: trace.Info,
			Detail:  fmt.Sprintf("i=%d %s is under %s, which you trust", set.Instance, set.Sealer, entry),
			Explain: fmt.Sprintf("trusting %s trusts every sealer name under it, since the same organization runs them", entry),
			Ref:     "RFC 8617 §7.2.1"})
	}
	out.Sealer, out.Instance = set.Sealer, set.Instance
	if set.AAR == nil {
		return decide(false, trace.Fail, fmt.Sprintf("The sealer you would trust, %s (i=%d), left no readable ARC-Authentication-Results.", set.Sealer, set.Instance))
	}
	from := r.FromDomain
	for _, d := range set.AAR.Get("dmarc") {
		if d.Result != "pass" {
			continue
		}
		if hf := d.Domain(); from != "" && hf != "" && hf != from {
			out.Steps = append(out.Steps, trace.Step{Title: "dmarc=pass for another From domain", Result: trace.Info,
				Detail:  d.Raw,
				Explain: fmt.Sprintf("%s recorded DMARC pass for %s, but the message's From domain is now %s: that pass is not about this author", set.Sealer, hf, from),
				Ref:     "RFC 8617 §4.1.1"})
			continue
		}
		out.Because = "dmarc=pass"
		return decide(true, trace.Pass, fmt.Sprintf("The ARC chain is intact and the oldest sealer you would trust, %s (i=%d), saw DMARC pass when the message reached it; a receiver that trusts %s would deliver.", set.Sealer, set.Instance, set.Sealer))
	}
	if from == "" {
		return decide(false, trace.Fail, fmt.Sprintf("The sealer you would trust, %s (i=%d), did not record DMARC pass, and without one From domain SPF or DKIM alignment cannot be judged.", set.Sealer, set.Instance))
	}
	for _, m := range []string{"spf", "dkim"} {
		for _, x := range set.AAR.Get(m) {
			if x.Result != "pass" {
				continue
			}
			d := x.Domain()
			if d == "" || dkim.OrgDomain(d) != dkim.OrgDomain(from) {
				continue
			}
			out.Because = m + "=pass (" + d + ")"
			return decide(true, trace.Pass, fmt.Sprintf("The ARC chain is intact and the oldest sealer you would trust, %s (i=%d), saw %s pass for %s, aligned with the From domain %s; a receiver that trusts %s would deliver.",
				set.Sealer, set.Instance, strings.ToUpper(m), d, from, set.Sealer))
		}
	}
	return decide(false, trace.Fail, fmt.Sprintf("The oldest sealer you would trust, %s (i=%d), recorded neither DMARC pass nor an SPF or DKIM pass aligned with %s: %s.",
		set.Sealer, set.Instance, from, set.AAR.Summary))
}

// trustedDomain returns the entry of trusted that sealer is, or is below.
// An entry that is a public suffix (com, co.uk) is never matched: anyone
// can register a name under it, so "trusting" it would trust any attacker
// who seals with a domain of their own.
func trustedDomain(sealer string, trusted []string) (string, bool) {
	sealer = strings.TrimSuffix(strings.ToLower(sealer), ".")
	if sealer == "" {
		return "", false
	}
	for _, t := range trusted {
		t = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(t)), ".")
		if t == "" || IsPublicSuffix(t) {
			continue
		}
		if sealer == t || strings.HasSuffix(sealer, "."+t) {
			return t, true
		}
	}
	return "", false
}

// IsPublicSuffix reports whether domain is a public suffix of the Public
// Suffix List (com, co.uk, and unlisted top-level names such as example),
// which cannot stand for one organization's sealers.
func IsPublicSuffix(domain string) bool {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	ps, _ := publicsuffix.PublicSuffix(domain)
	return ps == domain
}
