package dkim

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dmarc"
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
	var from Field
	n := 0
	for _, f := range m.Fields {
		if f.Is("From") {
			from = f
			n++
		}
	}
	if n != 1 {
		return fromInfo{source: fmt.Sprintf("the message has %d From fields", n)}
	}
	v := string(CRLF(from.Value()))
	if d, ok := plainFromDomain(v); ok {
		return fromInfo{domain: d, source: "the From header field"}
	}
	return parsedFromDomain(v)
}

// plainFromDomain is the domain of a From value in the plain form most
// mail has ("Name <local@domain>", or the bare address), read by
// dmarc.PlainAddress as net/mail.ParseAddressList would read it, in a
// fraction of the time and allocations: this runs once per message of a
// run. ok is false for anything else, which parsedFromDomain reads
// (TestPlainFromDomain and FuzzPlainFromDomain hold the two to the same
// answer).
func plainFromDomain(v string) (domain string, ok bool) {
	_, addr, ok := dmarc.PlainAddress(v)
	if !ok {
		return "", false
	}
	// The domain is a dot-atom of letters, digits and "-", with no dot at
	// either end, so lowering it is all the net/mail path does to it.
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:]), true
}

// parsedFromDomain reads a From value with net/mail, and leniently when
// net/mail will not read it as one address.
func parsedFromDomain(v string) fromInfo {
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
var oversigned = [...]string{"From", "To", "Subject", "Date"}

// oversignedCounts is how many fields of each oversigned name the message
// has, counted in one pass for all the signatures of the message.
func (v *verifier) oversignedCounts() *[len(oversigned)]int {
	if v.counts == nil {
		v.counts = new([len(oversigned)]int)
		for _, f := range v.m.Fields {
			for j, name := range oversigned {
				if f.Is(name) {
					v.counts[j]++
				}
			}
		}
	}
	return v.counts
}

// warnSteps adds what an investigator must know even when the signature
// passes: copies of header fields that it does not cover, and a d= that
// cannot align with the From domain.
func (v *verifier) warnSteps(out *Signature, sig *Sig) {
	v.extraFieldsStep(out, sig)

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

// extraFieldsStep looks for the attack of RFC 6376 §8.15: a From, To,
// Subject or Date field added above the signed one, which many mail
// programs show instead. It is one info step when every such field is
// covered, and a warning naming each field that occurs more often than h=
// signs it. A signer can make that attack break the signature by listing
// a name once more than it occurs (oversigning, §5.4.2); that a signature
// does not oversign is not itself a problem, so it is said, not warned.
func (v *verifier) extraFieldsStep(out *Signature, sig *Sig) {
	st := trace.Step{Title: "Unsigned copies of From, To, Subject and Date", Ref: "RFC 6376 §5.4.2, §8.15"}
	// counts is the Detail, "%s: %d in the message, %s in h=" for each
	// name joined by "; ", written as it goes; over and notOver hold at
	// most the four names, on the stack.
	var counts strings.Builder
	counts.Grow(len(oversigned) * 48)
	var extra []string
	var overA, notOverA [len(oversigned)]string
	over, notOver := overA[:0], notOverA[:0]
	for j, name := range oversigned {
		k := 0
		for _, h := range sig.Headers {
			if strings.EqualFold(h, name) {
				k++
			}
		}
		n := v.oversignedCounts()[j]
		if j > 0 {
			counts.WriteString("; ")
		}
		counts.WriteString(name)
		counts.WriteString(": ")
		writeInt(&counts, int64(n))
		counts.WriteString(" in the message, ")
		counts.WriteString(times(k))
		counts.WriteString(" in h=")
		switch {
		case n > k:
			child := trace.Step{Title: name, Result: trace.Warn, Ref: "RFC 6376 §5.4.2, §8.15",
				Detail: fmt.Sprintf("%s; the message has %s; not signed: %s", listed(name, k), fields(n, name), topInstances(v.m, name, n-k))}
			switch above := "the one above"; {
			case k == 0 && n == 1:
				child.Explain = name + " is not signed at all, so anyone could have changed or added it after signing"
			case k == 0:
				child.Explain = name + " is not signed at all, so anyone could have changed or added them after signing"
			default:
				if n-k > 1 {
					above = fmt.Sprintf("the %d above", n-k)
				}
				bottom := "the bottom " + name + " field"
				if k > 1 {
					bottom = fmt.Sprintf("the bottom %d %s fields", k, name)
				}
				child.Explain = "the signature covers only " + bottom + "; " + above + " could have been added after signing, and many mail programs show the top one"
			}
			st.Steps = append(st.Steps, child)
			extra = append(extra, fmt.Sprintf("%s (%d in the message, %d signed; unsigned: %s)", name, n, k, topInstances(v.m, name, n-k)))
		case k > n:
			over = append(over, name)
		default:
			notOver = append(notOver, name)
		}
	}
	st.Detail = counts.String()
	if len(extra) > 0 {
		st.Result = trace.Warn
		st.Explain = "the message carries more of these fields than the signature covers: the unsigned ones were not there when the message was signed, or were not meant to be signed, and a reader may be shown them instead of the signed ones"
		out.Warnings = append(out.Warnings, "The message carries header fields this signature does not cover: "+strings.Join(extra, "; ")+". A reader may be shown the unsigned one.")
		out.Steps = append(out.Steps, st)
		return
	}
	st.Result = trace.Info
	st.Explain = "every From, To, Subject and Date field in the message is covered by this signature, so none of them was added after signing"
	switch {
	case len(notOver) == 0:
		st.Explain += "; h= even lists each once more than the message has it (oversigning), so adding one would break the signature"
	case len(over) == 0:
		st.Explain += "; h= does not list them once more than the message has them (oversigning), so another one added later would not break the signature, but it would show up here as a warning"
	default:
		them := "them"
		if len(over) == 1 {
			them = "it"
		}
		st.Explain += fmt.Sprintf("; h= lists %s once more than the message has %s (oversigning), so adding one would break the signature; another %s field added later would not break it, but would show up here as a warning", joinList(over, "and"), them, joinList(notOver, "or"))
	}
	out.Steps = append(out.Steps, st)
}

// joinList is "A", "A and B", "A, B and C" (or with "or").
func joinList(s []string, and string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + and + " " + s[len(s)-1]
}

func listed(name string, k int) string {
	if k == 0 {
		return "h= does not list " + name
	}
	return "h= lists " + name + " " + times(k)
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
