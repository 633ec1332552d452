package dkim

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/trace"
	"golang.org/x/net/publicsuffix"
)

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// fromInfo is the author domain the d= of each signature is compared with.
type fromInfo struct {
	domain string // lowercase; "" when unknown
	source string // how it was found, for the step
}

// fromDomain takes the given domain, or reads it from the single From
// header field.
func fromDomain(m Message, given string) fromInfo {
	if given != "" {
		return fromInfo{domain: strings.TrimSuffix(strings.ToLower(given), "."), source: "given by the caller"}
	}
	var froms []Field
	for _, f := range m.Fields {
		if f.Is("From") {
			froms = append(froms, f)
		}
	}
	if len(froms) != 1 {
		return fromInfo{source: fmt.Sprintf("the message has %d From fields", len(froms))}
	}
	v := string(CRLF(froms[0].Value()))
	if list, err := mail.ParseAddressList(v); err == nil && len(list) == 1 {
		if at := strings.LastIndexByte(list[0].Address, '@'); at >= 0 {
			return fromInfo{domain: strings.ToLower(strings.TrimSuffix(list[0].Address[at+1:], ".")), source: "the From header field"}
		}
	}
	// Not an address net/mail accepts: take what follows the last "@".
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		d := strings.FieldsFunc(v[at+1:], func(r rune) bool { return strings.ContainsRune(" \t\r\n<>,;()\"", r) })
		if len(d) > 0 {
			return fromInfo{domain: strings.ToLower(strings.TrimSuffix(d[0], ".")), source: "the From header field (not a well-formed address)"}
		}
	}
	return fromInfo{source: "the From header field holds no domain"}
}

// OrgDomain is the organizational domain of d by the Public Suffix List
// (RFC 7489 §3.2): the registered domain one label below a public suffix.
// It returns d itself when the list gives nothing.
func OrgDomain(d string) string {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	if od, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return od
	}
	return d
}

// oversigned lists the fields whose extra instances matter most: a second
// From or Subject changes what the reader sees (RFC 6376 §8.15, §5.4.2).
var oversigned = []string{"From", "Subject", "To", "Date"}

// warnSteps adds what an investigator must know even when the signature
// passes: header fields that could be added without breaking it, and a
// d= that cannot align with the From domain.
func (v *verifier) warnSteps(out *Signature, sig *Sig) {
	parent := trace.Step{Title: "Header fields that could be added (oversigning)", Result: trace.Info, Ref: "RFC 6376 §5.4.2, §8.15"}
	var weak, extra []string
	for _, name := range oversigned {
		k := 0
		for _, h := range sig.Headers {
			if strings.EqualFold(h, name) {
				k++
			}
		}
		n := v.m.Count(name)
		st := trace.Step{Title: name, Ref: "RFC 6376 §5.4.2, §8.15", Detail: fmt.Sprintf("h= lists %s %s; the message has %s", name, times(k), fields(n, name))}
		switch {
		case k == 0:
			st.Result = trace.Warn
			st.Explain = name + " is not signed at all: it could be changed, added or removed without breaking this signature"
			weak = append(weak, name)
		case n > k:
			st.Result = trace.Warn
			st.Explain = fmt.Sprintf("the message carries %d %s fields but the signature covers only the bottom %d; the one(s) above were not signed and may have been added after signing — many mail programs show the top one", n, name, k)
			extra = append(extra, fmt.Sprintf("%s (%d in the message, %d signed; unsigned: %s)", name, n, k, topInstances(v.m, name, n-k)))
		case n == k:
			st.Result = trace.Warn
			st.Explain = fmt.Sprintf("every %s field is signed, but h= does not list %s once more than the message has it, so another %s field could be added above without breaking the signature", name, name, name)
			weak = append(weak, name)
		default:
			st.Result = trace.Info
			st.Explain = fmt.Sprintf("h= lists %s more times than the message has it (oversigned), so adding another %s field would break the signature", name, name)
		}
		parent.Steps = append(parent.Steps, st)
	}
	switch {
	case len(extra) > 0:
		parent.Result = trace.Warn
		parent.Explain = "the message has header fields this signature does not cover, above the ones it does"
		out.Warnings = append(out.Warnings, "The message carries header fields this signature does not cover: "+strings.Join(extra, "; ")+". A reader may be shown the unsigned one.")
	case len(weak) > 0:
		parent.Result = trace.Warn
		parent.Explain = "fields not listed in h= once more than they occur could be added after signing without breaking the signature"
	default:
		parent.Explain = "From, Subject, To and Date are all oversigned"
	}
	if len(weak) > 0 {
		out.Warnings = append(out.Warnings, "Not oversigned in h=: "+strings.Join(weak, ", ")+"; another such field could be added without breaking the signature.")
	}
	out.Steps = append(out.Steps, parent)

	al := trace.Step{Title: "Signing domain and From domain", Ref: "RFC 7489 §3.1.1, RFC 9989 §4.10.2"}
	switch {
	case v.from.domain == "":
		al.Result = trace.Info
		al.Detail = "d=" + sig.Domain + "; From domain unknown: " + v.from.source
		al.Explain = "without one From domain, DMARC alignment cannot be judged"
	case sig.Domain == v.from.domain:
		al.Result = trace.Info
		al.Detail = "d=" + sig.Domain + ", From domain " + v.from.domain
		al.Explain = "the signing domain is the From domain itself, so a pass here aligns with From for DMARC even in strict mode"
	case OrgDomain(sig.Domain) == OrgDomain(v.from.domain):
		al.Result = trace.Info
		al.Detail = fmt.Sprintf("d=%s, From domain %s, both under %s", sig.Domain, v.from.domain, OrgDomain(sig.Domain))
		al.Explain = "the signing domain and the From domain share an organizational domain (by the Public Suffix List), so a pass aligns with From for DMARC in relaxed mode (the default), not in strict mode"
	default:
		al.Result = trace.Warn
		al.Detail = fmt.Sprintf("d=%s (organization %s), From domain %s (organization %s)", sig.Domain, OrgDomain(sig.Domain), v.from.domain, OrgDomain(v.from.domain))
		al.Explain = "the signing domain is unrelated to the author's domain: even if it passes, this signature only shows that " + sig.Domain + " handled the message, and it cannot give DMARC alignment for " + v.from.domain
		out.Warnings = append(out.Warnings, "The signing domain "+sig.Domain+" is unrelated to the From domain "+v.from.domain+", so this signature cannot make DMARC pass.")
	}
	out.Steps = append(out.Steps, al)
}

// topInstances shows the first n fields called name, from the top, which a
// signature picking bottom-up did not cover.
func topInstances(m Message, name string, n int) string {
	var out []string
	for _, f := range m.Fields {
		if len(out) == n {
			break
		}
		if f.Is(name) {
			out = append(out, Preview(CRLF(trimEOL(f.Raw)), 120))
		}
	}
	return strings.Join(out, " | ")
}

// Preview renders untrusted bytes for a person: printable text as is, a
// line break as "⏎", tabs and control, bidirectional and invalid bytes as
// visible escapes, and at most max characters.
func Preview(b []byte, max int) string {
	var s strings.Builder
	n := 0
	for len(b) > 0 && n < max {
		if len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
			s.WriteString("⏎")
			b = b[2:]
			n++
			continue
		}
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&s, `\x%02x`, b[0])
		case r == '\t':
			s.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&s, `\x%02x`, r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			fmt.Fprintf(&s, `\u%04x`, r)
		default:
			s.WriteRune(r)
		}
		b = b[size:]
		n++
	}
	if len(b) > 0 {
		s.WriteString("…")
	}
	return s.String()
}

func times(n int) string {
	switch n {
	case 0:
		return "not at all"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func fields(n int, name string) string {
	if n == 1 {
		return "1 " + name + " field"
	}
	return fmt.Sprintf("%d %s fields", n, name)
}
