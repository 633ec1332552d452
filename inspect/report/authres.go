package report

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-msgauth/authres"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dkim"
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
// receiver wrote. authservID "" means DefaultAuthServID.
//
// The field ends with a comment naming the message it is about (its
// position in the input, the file and its Message-ID), since an mbox gives
// one field per message and a reader must be able to pair them without
// counting lines. The comment goes last, where RFC 8601 §2.2 allows [CFWS]
// before the end of the field: before the authserv-id it would be valid
// too, but go-msgauth's Parse (and other parsers that read the first word
// as the authserv-id) would then fail on the whole field.
//
// A report that carries Error gives "; none" (RFC 8601 §2.2: no
// authentication was performed) with the reason in the comment, so it is
// not read as a message on which no method applied.
//
// A field longer than 78 columns is folded (RFC 5322 §2.2.3, the line
// length of §2.1.1): each result on a line of its own, indented, and a
// result still too long broken at its spaces. The lines end in "\n", not
// CRLF, like the rest of headercheck's output.
func AuthRes(rep *inspect.Report, authservID string) string {
	if authservID == "" {
		authservID = DefaultAuthServID
	}
	var rs []string
	if rep.Error == "" {
		rs = authResults(rep)
	}
	head := "Authentication-Results: " + safe.Text(authservID) + ";"
	tie := messageComment(rep)
	if len(rs) == 0 {
		rs = []string{"none"}
		if rep.Error != "" {
			tie = "(not inspected: " + commentText(shortReason(rep.Error, 60)) + "; " + strings.TrimPrefix(tie, "(")
		}
	}
	for i := range rs {
		rs[i] = safe.Text(rs[i])
	}
	return fold(head, rs, tie)
}

// foldWidth is the line length RFC 5322 §2.1.1 asks for (SHOULD be no
// more than 78 characters), hardLimit the one it requires (MUST be no
// more than 998), and foldIndent what starts a continuation line.
const (
	foldWidth  = 78
	hardLimit  = 998
	foldIndent = "    "
)

// fold writes the field head (name and authserv-id, ending in ";"), the
// resinfos rs separated by "; ", and the comment tail, on one line when it
// fits in foldWidth, else each resinfo and the comment on a continuation
// line of its own, broken at spaces outside quoted strings when still too
// long. Removing each "\n" (RFC 5322 §2.2.3) gives the one-line field
// back, with more spaces where it was folded.
func fold(head string, rs []string, tail string) string {
	one := head + " " + strings.Join(rs, "; ")
	if tail != "" {
		one += " " + tail
	}
	if len(one) <= foldWidth {
		return one
	}
	var b strings.Builder
	b.WriteString(head)
	lines := slices.Clone(rs)
	for i := range len(lines) - 1 {
		lines[i] += ";"
	}
	if tail != "" {
		lines = append(lines, tail)
	}
	for _, r := range lines {
		n := 0
		for j, w := range foldWords(r) {
			// The words of one resinfo: the first always starts a line,
			// the others join it while they fit.
			if j == 0 || n+1+len(w) > foldWidth {
				b.WriteString("\n" + foldIndent)
				n = len(foldIndent)
			} else {
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += len(w)
		}
	}
	return b.String()
}

// foldWords splits s at the spaces outside double quotes, where folding
// white space may go without changing a value (RFC 5322 §3.2.2). A word
// longer than a line may hold (hardLimit) is cut into pieces, since the
// limit is a MUST: only a hostile message has a property that long.
func foldWords(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // a quoted-pair: the next byte is not special
		case '"':
			quoted = !quoted
		case ' ':
			if !quoted {
				if i > start {
					out = append(out, s[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	max := hardLimit - len(foldIndent) - 2
	for i := 0; i < len(out); i++ {
		if w := out[i]; len(w) > max {
			k := max
			for k > 0 && !utf8.RuneStart(w[k]) {
				k--
			}
			out = slices.Insert(out, i+1, w[k:])
			out[i] = w[:k]
		}
	}
	return out
}

// messageComment is the comment that ties the field to its message:
// "(message 3 in inbox.mbox, Message-ID <id@example.org>)".
func messageComment(rep *inspect.Report) string {
	src := rep.Source
	var parts []string
	if src.Index > 0 {
		parts = append(parts, fmt.Sprintf("message %d", src.Index))
	}
	if src.File != "" {
		if len(parts) > 0 {
			parts[0] += " in " + commentText(capText(src.File, 200))
		} else {
			parts = append(parts, commentText(capText(src.File, 200)))
		}
	}
	if id := strings.TrimSpace(src.MessageID); id != "" {
		parts = append(parts, "Message-ID "+commentText(capText(id, 200)))
	}
	if len(parts) == 0 {
		return "(headercheck replay)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// commentText is s made safe to print and to sit inside a comment:
// parentheses and backslashes are quoted-pairs (RFC 5322 §3.2.2, ctext
// excludes them).
func commentText(s string) string {
	s = safe.Text(s)
	r := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	return r.Replace(s)
}

// capText is s cut to at most n bytes on a character boundary, with "..."
// when it was cut: a Message-ID or a file name of megabytes has no place
// in a one-line summary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// shortReason is the gist of a sentence of explanation, for reason=
// and comments: up to the first full stop, semicolon or comma, or the
// second colon ("not a mail message: no header field could be read"), at
// most n bytes cut at a space.
func shortReason(s string, n int) string {
	s = strings.TrimSpace(s)
	end, colons := len(s), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			colons++
		}
		if (c == '.' || c == ';' || c == ',' || c == '(' || (c == ':' && colons == 2)) && (i+1 == len(s) || s[i+1] == ' ') {
			end = i
			break
		}
	}
	s = strings.TrimSpace(s[:end])
	if len(s) > n {
		cut := strings.LastIndexByte(s[:n], ' ')
		if cut <= 0 {
			return capText(s, n)
		}
		s = s[:cut] + "..."
	}
	return s
}

// dkimReason is a few words saying why a signature did not pass, for its
// reason= (RFC 8601 §2.7.1): the Signature's own sentence is too long to
// fit in a header line.
func dkimReason(s dkim.Signature) string {
	switch {
	case s.NotChecked:
		return "not checked: over the signature limit"
	case s.BodyHashOK != nil && !*s.BodyHashOK && s.HeaderSignatureOK != nil && !*s.HeaderSignatureOK:
		return "body hash and signature do not match"
	case s.BodyHashOK != nil && !*s.BodyHashOK:
		return "body hash does not match"
	case s.HeaderSignatureOK != nil && !*s.HeaderSignatureOK:
		return "signature does not verify"
	case s.Result == trace.TempError:
		return "key lookup failed"
	case s.Result == trace.Policy:
		return "l= not accepted by policy"
	}
	return shortReason(s.Reason, 50)
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
			p["reason"] = dkimReason(s)
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
