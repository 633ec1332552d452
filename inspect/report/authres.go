package report

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// DefaultAuthServID names the replay in the Authentication-Results header
// it writes: it is not the receiver, so it does not borrow its name
// (RFC 8601 §2.5).
const DefaultAuthServID = "headercheck"

// AuthRes returns the Authentication-Results header field (name included)
// that this replay would add to the message (RFC 8601 §2.2), each result
// formatted by go-msgauth's authres.Format, for comparing with what the
// receiver wrote. authservID "" means DefaultAuthServID. A report that
// carries Error gives "; none": nothing was checked.
func AuthRes(rep *inspect.Report, authservID string) string {
	if authservID == "" {
		authservID = DefaultAuthServID
	}
	var rs []string
	if rep.Error == "" {
		rs = authResults(rep)
	}
	if len(rs) == 0 {
		return "Authentication-Results: " + safe.Text(authres.Format(authservID, nil))
	}
	return "Authentication-Results: " + safe.Text(authservID+"; "+strings.Join(rs, "; "))
}

// resinfo is one result as authres.Format writes it ("method=value
// props"), without the "; " before it and the space go-msgauth leaves
// after a result without properties.
func resinfo(r authres.Result) string {
	return strings.TrimSpace(strings.TrimPrefix(authres.Format("", []authres.Result{r}), ";"))
}

// authResults returns the results of the replay, one resinfo each, in the
// order a receiver checks them.
func authResults(rep *inspect.Report) []string {
	var rs []string
	// iprev: policy.iprev is the client address (RFC 8601 §3).
	if ip := rep.IPRev; ip.IP != "" && ip.Result != "" {
		rs = append(rs, resinfo(&authres.IPRevResult{Value: value(ip.Result), IP: ip.IP}))
	}
	// spf: smtp.mailfrom or smtp.helo, whichever identity was checked
	// (RFC 8601 §2.7.2).
	if r := spfResinfo(rep.SPF, rep.Chain.Envelope); r != "" {
		rs = append(rs, r)
	}
	if h := rep.SPFHELO; h != nil {
		if r := spfResinfo(*h, received.Envelope{}); r != "" {
			rs = append(rs, r)
		}
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
		rs = append(rs, resinfo(&authres.GenericResult{Method: "dkim", Value: value(s.Result), Params: p}))
	}
	// dmarc: header.from is the Author Domain (RFC 7489 §11.2), and
	// policy.dmarc the policy evaluated (RFC 9989 §9.1), written only
	// when a record was found to evaluate: without one (none, or a
	// temperror fetching it) there is no policy, although the report's
	// policy then says what a receiver does (none).
	if d := rep.DMARC; d.Result != "" {
		p := map[string]string{"header.from": d.FromDomain}
		if d.Policy != "" && d.Record != "" {
			p["policy.dmarc"] = string(d.Policy)
		}
		rs = append(rs, resinfo(&authres.GenericResult{Method: "dmarc", Value: value(d.Result), Params: p}))
	}
	// arc: only when the message has a chain (RFC 8617 §4.1.1). A
	// GenericResult, since go-msgauth v0.7.0 formats its ARCResult
	// without the method name ("=pass").
	if a := rep.ARC; a.Instances > 0 {
		rs = append(rs, resinfo(&authres.GenericResult{Method: "arc", Value: value(a.Result)}))
	}
	return rs
}

// spfResinfo is the resinfo of one SPF check; env is the envelope for the
// MAIL FROM check, zero for the HELO one. "" when nothing was checked.
//
// RFC 8601 §2.7.2 names the identity SPF evaluated by the property,
// smtp.mailfrom or smtp.helo, and says nothing of the two cases where the
// MAIL FROM is not an address:
//
//   - The null sender (MAIL FROM <>), which RFC 7208 §2.4 checks as
//     postmaster@ the HELO name. "<>" is neither a token nor an address,
//     so RFC 8601's grammar would quote it, but receivers write
//     smtp.mailfrom=<> bare (Microsoft 365, Stalwart) or only
//     smtp.helo=NAME (rspamd). We write both, smtp.mailfrom=<>
//     smtp.helo=NAME, so the line reads like the receiver's and names
//     the domain that was checked; go-msgauth's Parse reads it back as
//     From "<>", Helo NAME (a quoted "<>" would keep its quotes).
//   - An unknown MAIL FROM (no Return-Path): the replay did not know it,
//     so the result (none) has no property, which RFC 8601 §2.2 allows
//     when none could be extracted, and a comment says why, so it is not
//     read as the receiver's own none.
func spfResinfo(r spf.Result, env received.Envelope) string {
	if r.Result == "" {
		return ""
	}
	if r.Identity == spf.MailFrom {
		switch {
		case env.MailFrom == "" && env.DerivedFrom.MailFrom != "":
			helo := env.HELO
			if helo == "" {
				helo = r.Domain
			}
			s := "spf=" + string(value(r.Result)) + " smtp.mailfrom=<>"
			if helo != "" {
				s += " " + strings.TrimPrefix(resinfo(&authres.SPFResult{Value: value(r.Result), Helo: helo}), "spf="+string(value(r.Result))+" ")
			}
			return s
		case env.DerivedFrom.MailFrom == "" && r.Sender == "" && r.Domain == "":
			return "spf=" + string(value(r.Result)) + " (MAIL FROM unknown: no Return-Path)"
		}
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
	return resinfo(res)
}

func value(r trace.Result) authres.ResultValue {
	if r == "" {
		return authres.ResultNone
	}
	return authres.ResultValue(r)
}
