package report

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// DefaultAuthServID names the replay in the Authentication-Results header
// it writes: it is not the receiver, so it does not borrow its name
// (RFC 8601 §2.5).
const DefaultAuthServID = "headercheck"

// AuthRes returns the Authentication-Results header field (name included)
// that this replay would add to the message (RFC 8601 §2.2), formatted by
// go-msgauth's authres.Format, for comparing with what the receiver wrote.
// authservID "" means DefaultAuthServID. A report that carries Error gives
// "; none": nothing was checked.
func AuthRes(rep *inspect.Report, authservID string) string {
	if authservID == "" {
		authservID = DefaultAuthServID
	}
	var rs []authres.Result
	if rep.Error == "" {
		rs = authResults(rep)
	}
	return "Authentication-Results: " + safe.Text(authres.Format(authservID, rs))
}

func authResults(rep *inspect.Report) []authres.Result {
	var rs []authres.Result
	// iprev: policy.iprev is the client address (RFC 8601 §3).
	if ip := rep.IPRev; ip.IP != "" && ip.Result != "" {
		rs = append(rs, &authres.IPRevResult{Value: value(ip.Result), IP: ip.IP})
	}
	// spf: smtp.mailfrom or smtp.helo, whichever identity was checked
	// (RFC 8601 §2.7.2).
	addSPF := func(r spf.Result) {
		if r.Result == "" {
			return
		}
		res := &authres.SPFResult{Value: value(r.Result)}
		if r.Identity == spf.HELO {
			res.Helo = r.Domain
		} else {
			res.From = r.Sender
			if res.From == "" {
				res.From = r.Domain
			}
		}
		rs = append(rs, res)
	}
	addSPF(rep.SPF)
	if rep.SPFHELO != nil {
		addSPF(*rep.SPFHELO)
	}
	// dkim: header.d, header.s and header.i of each signature, with a
	// reason when it did not pass (RFC 8601 §2.7.1, RFC 6008 for header.s).
	for _, s := range rep.DKIM {
		p := map[string]string{"header.d": s.Domain, "header.s": s.Selector}
		if s.Identity != "" && s.Identity != "@"+s.Domain {
			p["header.i"] = s.Identity
		}
		if s.Algorithm != "" {
			p["header.a"] = s.Algorithm
		}
		if s.Result != trace.Pass && s.Reason != "" {
			p["reason"] = strings.TrimSuffix(s.Reason, ".")
		}
		rs = append(rs, &authres.GenericResult{Method: "dkim", Value: value(s.Result), Params: p})
	}
	// dmarc: header.from is the Author Domain (RFC 7489 §11.2).
	if d := rep.DMARC; d.Result != "" {
		p := map[string]string{"header.from": d.FromDomain}
		if d.Policy != "" {
			p["policy.dmarc"] = string(d.Policy)
		}
		rs = append(rs, &authres.GenericResult{Method: "dmarc", Value: value(d.Result), Params: p})
	}
	// arc: only when the message has a chain (RFC 8617 §4.1.1).
	if a := rep.ARC; a.Instances > 0 {
		rs = append(rs, &authres.ARCResult{Value: value(a.Result)})
	}
	return rs
}

func value(r trace.Result) authres.ResultValue {
	if r == "" {
		return authres.ResultNone
	}
	return authres.ResultValue(r)
}
