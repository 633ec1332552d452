package recorded

import (
	"fmt"
	"net/netip"
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
}

// IPRev is the replay's reverse DNS result, when it was checked.
type IPRev struct {
	Result trace.Result // "" when not checked
	IP     string
}

// Compare lists where the replay disagrees with the recorded headers,
// header by header and method by method, each with its likely cause.
// Methods the replay does not perform (arc, auth, compauth, ...) and
// results outside RFC 8601's registry are not compared.
func Compare(headers []Header, r Replay) []Difference {
	var out []Difference
	for hi, h := range headers {
		c := comparer{h: h, hi: hi, r: r}
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
		// DMARC last: whether SPF or DKIM already differ explains it.
		for _, m := range h.Results {
			if m.Method == "dmarc" {
				c.dmarc(m)
			}
		}
		// The same receiver often writes the same results twice, in
		// Authentication-Results and in its ARC-Authentication-Results:
		// one difference is enough.
		for _, d := range c.out {
			if !seen(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
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
	h   Header
	hi  int
	r   Replay
	out []Difference
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
	who := c.h.AuthServID
	if who == "" {
		who = "a receiver that names no authserv-id"
	}
	explain := fmt.Sprintf("At delivery %s recorded %s; the replay now gives %s. %s", who, rec, rep, why)
	c.out = append(c.out, Difference{
		Method: method, Subject: subject, Header: c.hi, AuthServID: c.h.AuthServID, Trusted: c.h.Trusted,
		Recorded: rec, Replayed: rep, Cause: cause, Explain: explain, Ref: ref,
	})
}

// untrusted explains a difference with a header nobody vouches for: one
// written by a server on the way (a forwarder, a list) or one that claims
// what it cannot prove.
func (c *comparer) untrusted(what string) (Cause, string) {
	if c.h.AuthServID != "" && c.onTheWay() {
		return CauseForwarder, fmt.Sprintf("The header was written by %s, a server the message passed before it reached the receiving side, such as a forwarder or a mailing list: it judged %s as the message was when it got it, from the client that connected to it, which is not what the receiving side saw.", c.h.AuthServID, what)
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
	case identity == "helo" && c.r.SPF.Identity == spf.HELO:
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
	if otherDomain {
		subject = fmt.Sprintf("SPF (%s): recorded for %s, replayed for %s", identity, recDomain, rep.Domain)
	}
	ref := "RFC 8601 §2.7.2"
	switch {
	case rep.Result == trace.TempError:
		c.add("spf", subject, rec, rep.Result, CauseDNSFailure, "The replay could not get a DNS answer it needed, so it cannot say whether the domain's SPF record changed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("SPF")
		c.add("spf", subject, rec, rep.Result, cause, why, "RFC 8601 §5")
	case recIP.IsValid() && rep.ClientIP != "" && recIP.String() != rep.ClientIP:
		c.add("spf", subject, rec, rep.Result, CauseEnvelope, fmt.Sprintf("The receiver evaluated SPF for client %s, the replay for %s: they are about different connections. Check the trust boundary (--ip, or choose another hop).", recIP, rep.ClientIP), ref)
	case otherDomain:
		c.add("spf", subject, rec, rep.Result, CauseEnvelope, fmt.Sprintf("The receiver evaluated SPF for %s, the replay for %s: the replay used another MAIL FROM or HELO (--mail-from, --helo, or the Return-Path).", recDomain, rep.Domain), ref)
	default:
		c.add("spf", subject, rec, rep.Result, CauseSPFChanged, fmt.Sprintf("For the same client and domain, %s's SPF record now gives a different answer, so it was most likely changed since delivery (or a name it includes was).", rep.Domain), ref)
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
			cause, why := c.untrusted("DKIM")
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
		c.add("dkim", subject, rec, rep, CauseDNSFailure, "The replay could not fetch the key from DNS just now, so it cannot tell whether anything changed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("DKIM")
		if cause == CauseForwarder && rec == trace.Pass {
			why += " A mailing list that adds a footer or tags the subject breaks the signature after checking it."
		}
		c.add("dkim", subject, rec, rep, cause, why, "RFC 8601 §5")
	case rec == trace.Pass:
		switch state := keyState(*sig); {
		case state == "revoked":
			c.add("dkim", subject, rec, rep, CauseKeyRevoked, fmt.Sprintf("The key for selector %s is now published with an empty p=: the domain revoked it after delivery, as domains do when they retire a key (RFC 6376 §3.6.1).", sig.Selector), "RFC 6376 §3.6.1")
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
		cause, why := c.untrusted("reverse DNS")
		c.add("iprev", subject, rec, rep, cause, why, "RFC 8601 §5")
	case ip.IsValid() && c.r.IPRev.IP != "" && ip.String() != c.r.IPRev.IP:
		c.add("iprev", "reverse DNS", rec, rep, CauseEnvelope, fmt.Sprintf("The receiver checked %s, the replay %s: they are about different clients.", ip, c.r.IPRev.IP), ref)
	default:
		c.add("iprev", subject, rec, rep, CauseDNSChanged, "The address's PTR record, or the address records of its names, changed since delivery.", ref)
	}
}

func (c *comparer) dmarc(m Method) {
	rec, ok := known(m.Result)
	rep := c.r.DMARC.Result
	if !ok || rep == "" || rep == rec {
		return
	}
	subject := "DMARC"
	if c.r.DMARC.FromDomain != "" {
		subject = "DMARC for " + c.r.DMARC.FromDomain
	}
	ref := "RFC 8601 §2.7.6"
	inputs := 0
	for _, d := range c.out {
		if d.Method == "spf" || d.Method == "dkim" {
			inputs++
		}
	}
	recFrom := domainOf(m.Get("header.from"))
	switch {
	case rep == trace.TempError:
		c.add("dmarc", subject, rec, rep, CauseDNSFailure, "The replay could not get a DNS answer DMARC needed.", ref)
	case !c.h.Trusted:
		cause, why := c.untrusted("DMARC")
		c.add("dmarc", subject, rec, rep, cause, why, "RFC 8601 §5")
	case recFrom != "" && c.r.DMARC.FromDomain != "" && recFrom != c.r.DMARC.FromDomain:
		c.add("dmarc", subject, rec, rep, CauseModified, fmt.Sprintf("The receiver evaluated DMARC for From domain %s, the replay for %s: the From header was changed after delivery.", recFrom, c.r.DMARC.FromDomain), ref)
	case inputs > 0:
		c.add("dmarc", subject, rec, rep, CausePolicyDiffs, "DMARC follows from SPF and DKIM, and those differ too (see above).", ref)
	default:
		c.add("dmarc", subject, rec, rep, CauseDNSChanged, "SPF and DKIM agree with the receiver, so the domain's DMARC record (or the DNS that decides its organizational domain) has most likely changed since delivery.", ref)
	}
}
