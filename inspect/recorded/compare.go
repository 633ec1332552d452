package recorded

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Replay is what headercheck found now, to compare with what was recorded.
type Replay struct {
	Chain received.Chain // the envelope and the hops the replay used
	SPF   spf.Result     // the MAIL FROM identity, or HELO for the null sender
	HELO  *spf.Result    // the HELO identity checked on its own, if it was
	DKIM  []dkim.Signature
	DMARC dmarc.Result
	IPRev IPRev

	// NullSender is set when the MAIL FROM was the null sender: SPF
	// checked postmaster@HELO as the MAIL FROM identity (RFC 7208 §2.4),
	// so a result the receiver recorded for smtp.helo is compared with SPF.
	NullSender bool
	// UnknownMailFrom is set when the replay did not know the MAIL FROM
	// (no Return-Path): SPF was not evaluated for it, so a recorded
	// smtp.mailfrom result differs for want of an envelope, not of DNS.
	UnknownMailFrom bool
}

// IPRev is the replay's reverse DNS result, when it was checked.
type IPRev struct {
	Result trace.Result // "" when not checked
	IP     string
}

// Compare lists where the replay disagrees with the recorded headers,
// each with its likely cause. Methods the replay does not perform (arc,
// auth, compauth, ...) and results outside RFC 8601's registry are not
// compared.
//
// The fields one authserv-id wrote at one delivery are judged together:
// OpenDKIM, OpenDMARC and policyd-spf each add their own field with the
// same authserv-id, so the SPF or DKIM difference that explains a DMARC
// difference can stand in a neighbouring field. The differences are
// listed receiver by receiver, in the order of each one's first field,
// and a receiver's DMARC differences come after the SPF and DKIM ones
// that explain them.
func Compare(headers []Header, r Replay) []Difference {
	cs := make([]*comparer, len(headers))
	for hi, h := range headers {
		c := &comparer{h: h, hi: hi, r: r}
		for _, m := range h.Results {
			switch m.Method {
			case "spf":
				c.spf(m)
			case "dkim":
				c.dkim(m)
			case "iprev":
				c.iprev(m)
			}
		}
		cs[hi] = c
	}
	var out []Difference
	// The same receiver often writes the same results twice, in
	// Authentication-Results and in its ARC-Authentication-Results: one
	// difference is enough.
	keep := func(ds []Difference) {
		for _, d := range ds {
			if !seen(out, d) {
				out = append(out, d)
			}
		}
	}
	grouped := make([]bool, len(headers))
	for hi := range headers {
		if grouped[hi] {
			continue
		}
		var group []*comparer
		for j := hi; j < len(headers); j++ {
			if !grouped[j] && sameDelivery(headers[hi], headers[j]) {
				grouped[j] = true
				group = append(group, cs[j])
			}
		}
		for _, c := range group {
			keep(c.out)
		}
		facts := judged(group)
		for _, c := range group {
			for _, m := range c.h.Results {
				if m.Method == "dmarc" {
					c.dmarc(m, facts)
				}
			}
			keep(c.dmarcOut)
		}
	}
	return out
}

// sameDelivery reports whether two fields were written by one receiver at
// one delivery: the same authserv-id, the same Received fields above them
// (Read counts them), and the same trust.
func sameDelivery(a, b Header) bool {
	return a.AuthServID == b.AuthServID && a.delivery == b.delivery && a.Trusted == b.Trusted
}

// groupFacts is what one receiver's fields at one delivery say about the
// inputs of DMARC.
type groupFacts struct {
	inputs    []Difference // its SPF and DKIM differences, each once
	spf, dkim bool         // whether it recorded an SPF, a DKIM result at all
}

func judged(group []*comparer) groupFacts {
	var f groupFacts
	for _, c := range group {
		for _, d := range c.out {
			if (d.Method == "spf" || d.Method == "dkim") && !slices.ContainsFunc(f.inputs, func(o Difference) bool { return o.Subject == d.Subject }) {
				f.inputs = append(f.inputs, d)
			}
		}
		for _, m := range c.h.Results {
			if _, ok := known(m.Result); !ok {
				continue
			}
			switch m.Method {
			case "spf":
				f.spf = true
			case "dkim":
				f.dkim = true
			}
		}
	}
	return f
}

func seen(out []Difference, d Difference) bool {
	for _, o := range out {
		if o.Method == d.Method && o.Subject == d.Subject && o.AuthServID == d.AuthServID &&
			o.Recorded == d.Recorded && o.Replayed == d.Replayed && o.Cause == d.Cause {
			return true
		}
	}
	return false
}

type comparer struct {
	h        Header
	hi       int
	r        Replay
	out      []Difference // SPF, DKIM and iprev
	dmarcOut []Difference
}

// known maps a recorded result to RFC 8601's names; ok is false for one
// outside the registry (RFC 8601 §4.1: such results are ignored).
func known(res trace.Result) (trace.Result, bool) {
	switch res {
	case "hardfail": // RFC 5451's old name for SPF fail
		return trace.Fail, true
	case trace.Pass, trace.Fail, trace.SoftFail, trace.Neutral, trace.None, trace.TempError, trace.PermError, trace.Policy:
		return res, true
	}
	return res, false
}

func (c *comparer) add(method, subject string, rec, rep trace.Result, cause Cause, why, ref string) {
	c.out = append(c.out, c.diff(method, subject, rec, rep, string(rec), string(rep), cause, why, ref))
}

// diff is one difference; recW and repW are the results in words, with
// their domains when those differ.
func (c *comparer) diff(method, subject string, rec, rep trace.Result, recW, repW string, cause Cause, why, ref string) Difference {
	who := c.h.AuthServID
	if who == "" {
		who = "a receiver that names no authserv-id"
	}
	var lead string
	switch {
	case c.h.Trusted:
		lead = fmt.Sprintf("At delivery %s recorded %s; the replay now gives %s.", who, recW, repW)
	case cause == CauseForwarder:
		lead = fmt.Sprintf("%s, a server on the message's way such as a forwarder or a mailing list, recorded %s before the receiving side got the message; the replay gives %s.", who, recW, repW)
	default:
		lead = fmt.Sprintf("The header says %s recorded %s; the replay gives %s.", who, recW, repW)
	}
	return Difference{
		Method: method, Subject: subject, Header: c.hi, AuthServID: c.h.AuthServID, Trusted: c.h.Trusted,
		Recorded: rec, Replayed: rep, Cause: cause, Explain: lead + " " + why, Ref: ref,
	}
}

// untrusted explains a difference with a header nobody vouches for: one
// written by a server on the way (a forwarder, a list) or one that claims
// what it cannot prove. method is spf, dkim, dmarc or iprev.
func (c *comparer) untrusted(method string) (Cause, string) {
	what := map[string]string{"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "iprev": "reverse DNS"}[method]
	if c.h.AuthServID != "" && c.onTheWay() {
		if method == "spf" || method == "iprev" {
			return CauseForwarder, fmt.Sprintf("It checked %s for the client that connected to it, which is not the client the receiving side saw.", what)
		}
		return CauseForwarder, fmt.Sprintf("It checked %s on the message as it was then; a change made there or later, or a key changed since, gives another answer now.", what)
	}
	if !c.h.Trusted && c.h.Index >= 0 && c.r.Chain.Boundary >= 0 && receivingID(c.h.AuthServID, c.r.Chain.Receiving) != "" {
		return CauseUnproven, fmt.Sprintf("The header claims to be the receiving side's but was in the message before the receiving side got it: a forged header claiming %s results it cannot prove.", what)
	}
	return CauseUnproven, fmt.Sprintf("Nothing vouches for the header: it was not written by the receiving side after the message arrived, so its %s result is only a claim.", what)
}

// onTheWay reports whether the header's authserv-id names a server the
// message passed below the trust boundary.
func (c *comparer) onTheWay() bool {
	id := strings.TrimSuffix(c.h.AuthServID, ".")
	hops := c.r.Chain.Hops
	for i := c.r.Chain.Boundary + 1; i >= 1 && i < len(hops); i++ {
		by := strings.ToLower(strings.TrimSuffix(hops[i].By, "."))
		if by == "" {
			continue
		}
		if by == id || strings.HasSuffix(by, "."+id) || strings.HasSuffix(id, "."+by) {
			return true
		}
	}
	return false
}

func (c *comparer) spf(m Method) {
	rec, ok := known(m.Result)
	if !ok {
		return
	}
	var rep *spf.Result
	identity, value := "mailfrom", m.Get("smtp.mailfrom")
	if value == "" && m.Get("smtp.helo") != "" {
		identity, value = "helo", m.Get("smtp.helo")
	}
	switch {
	case identity == "helo" && c.r.HELO != nil:
		rep = c.r.HELO
	case identity == "helo" && (c.r.NullSender || c.r.SPF.Identity == spf.HELO):
		// The null sender's MAIL FROM check is postmaster@HELO (RFC
		// 7208 §2.4): the same evaluation as the HELO identity.
		rep = &c.r.SPF
	case identity == "mailfrom":
		rep = &c.r.SPF
	}
	if rep == nil || rep.Result == "" {
		return
	}
	recIP := recordedIP(m)
	recDomain := domainOf(value)
	otherDomain := recDomain != "" && rep.Domain != "" && !strings.EqualFold(recDomain, rep.Domain)
	if rep.Result == rec && !otherDomain {
		return
	}
	subject := "SPF (" + identity + ")"
	if rep.Domain != "" {
		subject = fmt.Sprintf("SPF for %s (%s)", rep.Domain, identity)
	}
	recW, repW := string(rec), string(rep.Result)
	if otherDomain {
		subject = fmt.Sprintf("SPF (%s): recorded for %s, replayed for %s", identity, recDomain, rep.Domain)
		recW, repW = fmt.Sprintf("%s for %s", rec, recDomain), fmt.Sprintf("%s for %s", rep.Result, rep.Domain)
	}
	add := func(cause Cause, why, ref string) {
		c.out = append(c.out, c.diff("spf", subject, rec, rep.Result, recW, repW, cause, why, ref))
	}
	ref := "RFC 8601 §2.7.2"
	switch {
	case rep.Result == trace.TempError:
		add(CauseDNSFailure, "The replay could not get a DNS answer it needed, so it cannot say whether the domain's SPF record changed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("spf")
		add(cause, why, "RFC 8601 §5")
	case identity == "mailfrom" && c.r.UnknownMailFrom:
		why := "The replay does not know the MAIL FROM (the message has no Return-Path), so it could not check SPF for it."
		if value != "" {
			why += fmt.Sprintf(" The receiver checked %s; --mail-from %s replays that.", value, value)
		}
		add(CauseEnvelope, why, "RFC 7208 §2.4")
	case recIP.IsValid() && rep.ClientIP != "" && recIP.String() != rep.ClientIP:
		add(CauseEnvelope, fmt.Sprintf("The receiver evaluated SPF for client %s, the replay for %s: they are about different connections. Check the trust boundary (--ip, or choose another hop).", recIP, rep.ClientIP), ref)
	case otherDomain:
		add(CauseEnvelope, fmt.Sprintf("The receiver evaluated SPF for %s, the replay for %s: the replay used another MAIL FROM or HELO (--mail-from, --helo, or the Return-Path).", recDomain, rep.Domain), ref)
	default:
		add(CauseSPFChanged, fmt.Sprintf("For the same client and domain, %s's SPF record now gives a different answer, so it was most likely changed since delivery (or a name it includes was).", rep.Domain), ref)
	}
}

// recordedIP is the client address a result names: smtp.remote-ip or
// smtp.client-ip, policy.iprev, or "sender IP is" / "client-ip=" in the
// comment (Microsoft, pyspf).
func recordedIP(m Method) netip.Addr {
	for _, k := range []string{"smtp.remote-ip", "smtp.client-ip", "policy.iprev"} {
		if a, err := netip.ParseAddr(strings.Trim(m.Get(k), "[]")); err == nil {
			return a.Unmap()
		}
	}
	lc := strings.ToLower(m.Comment)
	for _, k := range []string{"sender ip is ", "client-ip="} {
		if i := strings.Index(lc, k); i >= 0 {
			rest := lc[i+len(k):]
			end := strings.IndexAny(rest, " ;,)")
			if end < 0 {
				end = len(rest)
			}
			if a, err := netip.ParseAddr(strings.Trim(rest[:end], "[]")); err == nil {
				return a.Unmap()
			}
		}
	}
	return netip.Addr{}
}

// domainOf is the domain of an address or a bare domain, lowercased.
func domainOf(v string) string {
	v = strings.Trim(strings.TrimSpace(v), "<>")
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(strings.TrimSuffix(v, "."))
}

func (c *comparer) dkim(m Method) {
	rec, ok := known(m.Result)
	if !ok {
		return
	}
	d := domainOf(m.Get("header.d"))
	if d == "" {
		d = domainOf(m.Get("header.i"))
	}
	if d == "" || d == "none" { // Microsoft writes header.d=none for an unsigned message
		return
	}
	sel := strings.ToLower(m.Get("header.s"))
	var sig *dkim.Signature
	for i := range c.r.DKIM {
		s := &c.r.DKIM[i]
		if s.Domain == d && (sel == "" || s.Selector == sel) {
			if sig == nil || (sig.Result != rec && s.Result == rec) {
				sig = s
			}
		}
	}
	subject := "DKIM signature d=" + d
	if sel != "" {
		subject += " s=" + sel
	}
	ref := "RFC 8601 §2.7.1"
	if sig == nil {
		if rec == trace.None {
			return
		}
		if !c.h.Trusted {
			cause, why := c.untrusted("dkim")
			c.add("dkim", subject, rec, trace.None, cause, why+" The message has no such signature now.", "RFC 8601 §5")
			return
		}
		c.add("dkim", subject, rec, trace.None, CauseModified, "The message no longer carries that signature: it was removed or changed after the receiver checked it.", ref)
		return
	}
	rep := sig.Result
	if rep == rec {
		return
	}
	switch {
	case rep == trace.TempError:
		c.add("dkim", subject, rec, rep, CauseDNSFailure, "The replay could not fetch the key from DNS (a temporary error), so it cannot tell whether anything changed since delivery.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("dkim")
		if cause == CauseForwarder && rec == trace.Pass {
			why += " A mailing list that adds a footer or tags the subject breaks the signature after checking it."
		}
		c.add("dkim", subject, rec, rep, cause, why, "RFC 8601 §5")
	case rec == trace.Pass:
		switch state := keyState(*sig); {
		case state == "revoked":
			c.add("dkim", subject, rec, rep, CauseKeyRevoked, fmt.Sprintf("The key for selector %s is now published with an empty p=: the domain revoked it after delivery, as domains do when they retire a key.", sig.Selector), "RFC 6376 §3.6.1")
		case state == "missing":
			c.add("dkim", subject, rec, rep, CauseKeyRevoked, fmt.Sprintf("There is no key for selector %s in DNS any more: the domain removed it after delivery, as domains do when they rotate keys. The signature was good when it arrived.", sig.Selector), "RFC 6376 §6.1.2")
		case sig.BodyHashOK != nil && !*sig.BodyHashOK:
			c.add("dkim", subject, rec, rep, CauseModified, "The body no longer matches the signed body hash: the message was changed after the receiver checked it (an added footer, a rewritten link, a re-encoded part).", ref)
		case rep == trace.PermError && sig.BodyHashOK != nil && *sig.BodyHashOK && sig.HeaderSignatureOK != nil && *sig.HeaderSignatureOK && sig.Expires != "":
			c.add("dkim", subject, rec, rep, CauseExpired, fmt.Sprintf("The signature is still intact but expired at %s (x=), after delivery. --at received judges it as of delivery.", sig.Expires), "RFC 6376 §3.5")
		case state == "present" && sig.BodyHashOK != nil && *sig.BodyHashOK && sig.HeaderSignatureOK != nil && !*sig.HeaderSignatureOK:
			c.add("dkim", subject, rec, rep, CauseKeyRotated, fmt.Sprintf("The body is intact but the signature does not verify with the key now published for selector %s: the domain most likely replaced the key since delivery (or a signed header changed).", sig.Selector), "RFC 6376 §3.6.1")
		default:
			c.add("dkim", subject, rec, rep, CauseDNSChanged, "Something the signature depends on changed since delivery; the steps of the DKIM check say what fails now.", ref)
		}
	default:
		c.add("dkim", subject, rec, rep, CauseDNSChanged, "The receiver's answer differs from the replay's for the same signature: the key in DNS has most likely changed since delivery (published or fixed), or the receiver's DNS failed then.", ref)
	}
}

// keyState says what DNS holds now for the signature's selector: "missing"
// (NXDOMAIN or no TXT), "revoked" (p= empty), "present", or "" when the
// trace shows no key lookup.
func keyState(s dkim.Signature) string {
	name := s.Selector + "._domainkey." + s.Domain + "."
	var q *trace.Query
	var walk func([]trace.Step)
	walk = func(steps []trace.Step) {
		for i := range steps {
			if steps[i].Query != nil && strings.EqualFold(steps[i].Query.Name, name) && steps[i].Query.Type == "TXT" {
				q = steps[i].Query
			}
			walk(steps[i].Steps)
		}
	}
	walk(s.Steps)
	switch {
	case q == nil:
		return ""
	case q.NXDomain() || q.NoData():
		return "missing"
	}
	for _, a := range q.Answers {
		if k, err := dkim.ParseKey(a); err == nil && k.Revoked {
			return "revoked"
		}
	}
	return "present"
}

func (c *comparer) iprev(m Method) {
	rec, ok := known(m.Result)
	rep := c.r.IPRev.Result
	if !ok || rep == "" || rep == rec {
		return
	}
	ref := "RFC 8601 §3"
	subject := "reverse DNS of " + c.r.IPRev.IP
	switch ip := recordedIP(m); {
	case rep == trace.TempError:
		c.add("iprev", subject, rec, rep, CauseDNSFailure, "The replay could not get the DNS answers it needed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("iprev")
		c.add("iprev", subject, rec, rep, cause, why, "RFC 8601 §5")
	case ip.IsValid() && c.r.IPRev.IP != "" && ip.String() != c.r.IPRev.IP:
		c.add("iprev", "reverse DNS", rec, rep, CauseEnvelope, fmt.Sprintf("The receiver checked %s, the replay %s: they are about different clients.", ip, c.r.IPRev.IP), ref)
	default:
		c.add("iprev", subject, rec, rep, CauseDNSChanged, "The address's PTR record, or the address records of its names, changed since delivery.", ref)
	}
}

// dmarc compares a recorded DMARC result. f is what the same receiver
// recorded at the same delivery about SPF and DKIM, in any of its fields.
func (c *comparer) dmarc(m Method, f groupFacts) {
	rec, ok := known(m.Result)
	rep := c.r.DMARC.Result
	if !ok || rep == "" || rep == rec {
		return
	}
	from := c.r.DMARC.FromDomain
	subject := "DMARC"
	if from != "" {
		subject = "DMARC for " + from
	}
	add := func(cause Cause, why, ref string) {
		c.dmarcOut = append(c.dmarcOut, c.diff("dmarc", subject, rec, rep, string(rec), string(rep), cause, why, ref))
	}
	ref := "RFC 8601 §2.7.6"
	recFrom := domainOf(m.Get("header.from"))
	switch {
	case rep == trace.TempError:
		add(CauseDNSFailure, "The replay could not get a DNS answer DMARC needed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("dmarc")
		add(cause, why, "RFC 8601 §5")
	case recFrom != "" && from != "" && recFrom != from:
		add(CauseModified, fmt.Sprintf("The receiver evaluated DMARC for From domain %s, the replay for %s: the From header was changed after delivery.", recFrom, from), ref)
	case len(f.inputs) > 0:
		var what []string
		for _, d := range f.inputs {
			what = append(what, fmt.Sprintf("%s (%s then, %s now)", d.Subject, d.Recorded, d.Replayed))
		}
		verb := "differs"
		if len(what) > 1 {
			verb = "differ"
		}
		add(CausePolicyDiffs, fmt.Sprintf("DMARC passes only when SPF or DKIM passes for the From domain's organization, and this receiver's result for %s %s from the replay too, which explains this difference.", joinAnd(what), verb), ref)
	case rec == trace.Pass && rep == trace.Fail && c.testingKey() != "":
		add(CauseTestingKey, fmt.Sprintf("The replay does not count the DKIM signature by %s: its key is marked as testing (t=y), and RFC 6376 §3.6.1 says verifiers must treat mail from a signer in testing mode like unsigned mail. The receiver counted the signature, as many do.", c.testingKey()), "RFC 6376 §3.6.1")
	case f.spf && f.dkim:
		add(CauseDNSChanged, "The SPF and DKIM results this receiver recorded agree with the replay, so the domain's DMARC record (or the DNS that decides its organizational domain) has most likely changed since delivery.", ref)
	case f.spf || f.dkim:
		have, lack := "SPF", "DKIM"
		if f.dkim {
			have, lack = "DKIM", "SPF"
		}
		add(CauseDNSChanged, fmt.Sprintf("The %s result this receiver recorded agrees with the replay, but it recorded no %s result to compare with, so either that result or the domain's DMARC record has changed since delivery.", have, lack), ref)
	default:
		add(CauseDNSChanged, "The receiver recorded no SPF or DKIM result beside its DMARC result, so which changed since delivery cannot be told: the domain's DMARC record, the DNS that decides its organizational domain, or the SPF and DKIM results DMARC rests on.", ref)
	}
}

// testingKey returns the d= of a passing DKIM signature whose key is in
// testing mode (t=y) and whose domain is in the From domain's
// organization, or "": such a signature would have aligned, but the replay
// treats its mail as unsigned (RFC 6376 §3.6.1).
func (c *comparer) testingKey() string {
	from := c.r.DMARC.FromDomain
	for _, s := range c.r.DKIM {
		if s.Testing && s.Result == trace.Pass && from != "" && dmarc.Aligned(from, s.Domain, dmarc.Relaxed) {
			return s.Domain
		}
	}
	return ""
}

func joinAnd(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}
