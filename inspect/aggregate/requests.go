package aggregate

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// Kind is a kind of DMARC report.
type Kind string

// The two kinds of report a DMARC record can ask for.
const (
	Aggregate Kind = "rua" // daily aggregate reports (RFC 9990)
	Failure   Kind = "ruf" // failure reports about single messages (RFC 9991)
)

// Requests is where the owner of the DMARC record that applied asks
// receivers to send reports.
type Requests struct {
	PolicyDomain string        `json:"policy_domain"` // the domain whose _dmarc record applied
	Record       string        `json:"record"`
	Aggregate    []Destination `json:"rua"` // in the record's order
	Failure      []Destination `json:"ruf"`
	// FailureOptions is fo= as written, "0" when absent (RFC 9989 §4.7).
	FailureOptions string `json:"fo"`
	// FailureReport says whether this message is one fo= asks a failure
	// report about, and FailureWhy why, in plain words.
	FailureReport bool   `json:"failure_report"`
	FailureWhy    string `json:"failure_why"`
}

// Destination is one reporting URI and whether a receiver may send to it.
type Destination struct {
	Kind   Kind   `json:"kind"`
	URI    string `json:"uri"`    // as written in the record
	Scheme string `json:"scheme"` // "mailto", "https", ...; "" when malformed
	// Address is where reports go: the mailbox of a mailto: URI, or the
	// URI itself. After a verification record overrode it, the new one.
	Address string `json:"address"`
	Host    string `json:"host"` // the destination host (RFC 9990 §4 step 1)
	// External is set when the host is outside the policy domain's
	// Organizational Domain, so the destination must agree to receive
	// reports (RFC 9990 §4).
	External bool `json:"external"`
	// Result is pass when a receiver may send reports here, fail when it
	// must not, temperror when the check could not get an answer,
	// permerror for a malformed URI, neutral for a scheme receivers need
	// not support.
	Result trace.Result `json:"result"`
	Reason string       `json:"reason"`
	// Override is set when the destination's verification record names
	// its own address for these reports (RFC 9990 §4 step 9).
	Override string `json:"override,omitempty"`
}

// requested reads the rua, ruf and fo tags of the record that applied and
// checks each destination, appending a step for each to steps.
func requested(ctx context.Context, res dnsx.Resolver, ev dmarc.Evaluation, rec dmarc.Record, failed failures, steps []trace.Step) (Requests, []trace.Step) {
	rq := Requests{PolicyDomain: ev.RecordDomain, Record: ev.Record, FailureOptions: "0"}
	var ruf []string
	for _, t := range rec.Tags {
		switch t.Name {
		case "ruf":
			if ruf == nil {
				ruf = splitURIs(t.Value)
			}
		case "fo":
			if rq.FailureOptions == "0" {
				rq.FailureOptions = t.Value
			}
		}
	}
	intro := trace.Step{
		Title:  "Where " + rq.PolicyDomain + " asks for reports",
		Result: trace.Info,
		Detail: rq.Record,
		Ref:    "RFC 9989 §4.7",
	}
	switch {
	case len(rec.RUA) == 0 && len(ruf) == 0:
		intro.Explain = "The DMARC record of " + rq.PolicyDomain + " has no rua= and no ruf= tag, so its owner asks for no reports: a receiver must send none, and the owner never learns about this message (RFC 9989 §4.7)."
	case len(rec.RUA) == 0:
		intro.Explain = "The DMARC record of " + rq.PolicyDomain + " asks for failure reports (ruf=) but has no rua=, so a receiver must send no aggregate reports for it (RFC 9989 §4.7)."
	default:
		intro.Explain = "rua= lists where receivers send aggregate reports: once a day, how many messages claiming to be from " + rq.PolicyDomain + " each sending server delivered and how they fared (RFC 9990). ruf= lists where they send failure reports about single messages (RFC 9991), which few receivers send. The owner uses them to find its own mail that fails and mail that spoofs it."
	}
	steps = append(steps, intro)

	if len(rec.RUA) > 0 { // none stays nil: the JSON says null
		rq.Aggregate = make([]Destination, 0, len(rec.RUA))
	}
	for _, u := range rec.RUA {
		d, st := destination(ctx, res, Aggregate, u, rq.PolicyDomain)
		rq.Aggregate = append(rq.Aggregate, d)
		steps = append(steps, st)
	}
	for _, u := range ruf {
		if rec.PSD == "y" {
			// RFC 9991 §2: report generators must not consider ruf in
			// a public suffix operator's record.
			d := Destination{Kind: Failure, URI: u, Result: trace.Fail,
				Reason: "the record is a public suffix domain's (psd=y), whose ruf= receivers must not consider"}
			rq.Failure = append(rq.Failure, d)
			steps = append(steps, trace.Step{Title: "ruf " + u, Result: trace.Fail, Detail: "psd=y",
				Explain: "This record belongs to a public suffix operator (psd=y). Failure reports would expose single messages of every domain below it, so receivers must not act on its ruf= (RFC 9991 §2; RFC 9989 §10.2).",
				Ref:     "RFC 9991 §2"})
			continue
		}
		d, st := destination(ctx, res, Failure, u, rq.PolicyDomain)
		rq.Failure = append(rq.Failure, d)
		steps = append(steps, st)
	}
	rq.FailureWhy = "the record has no ruf= tag: its owner asks for no failure reports, and fo= is ignored (RFC 9989 §4.7)"
	if len(ruf) > 0 {
		rq.FailureReport, rq.FailureWhy = failed.wanted(rq.FailureOptions)
		r := trace.Info
		if rq.FailureReport {
			r = trace.Warn
		}
		steps = append(steps, trace.Step{
			Title:   "Failure report for this message (fo=" + rq.FailureOptions + ")",
			Result:  r,
			Detail:  rq.FailureWhy,
			Explain: "fo= says which messages deserve a failure report: 0 (the default) when no mechanism gives an aligned pass, 1 when any one does not, d for any failing DKIM signature, s for failing SPF. A failure report carries the message's header fields or more, so many receivers never send them for privacy reasons (RFC 9991 §7).",
			Ref:     "RFC 9989 §4.7 (fo), RFC 9991 §2",
		})
	}
	return rq, steps
}

// splitURIs splits a dmarc-urilist at its commas (RFC 9989 §4.8).
func splitURIs(v string) []string {
	var out []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.Trim(u, " \t"); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// destination reads one reporting URI and, when it is external, asks DNS
// whether the destination agrees to receive the reports (RFC 9990 §4).
func destination(ctx context.Context, res dnsx.Resolver, kind Kind, uri, policyDomain string) (Destination, trace.Step) {
	d := Destination{Kind: kind, URI: uri}
	st := trace.Step{Title: string(kind) + " " + uri, Ref: "RFC 9990 §3.5, §4"}
	if kind == Failure {
		st.Ref = "RFC 9991 §5, RFC 9990 §4"
	}
	u, err := ParseURI(uri)
	if err != nil {
		d.Result, d.Reason = trace.PermError, err.Error()
		st.Result, st.Detail = trace.PermError, err.Error()
		st.Explain = "This is not a URI a receiver can send reports to, so it is ignored (RFC 9990 §3.5: malformed URIs SHOULD be ignored)."
		st.Ref = "RFC 9990 §3.5, RFC 9989 §4.8"
		return d, st
	}
	d.Scheme, d.Address, d.Host = u.Scheme, u.Address, u.Host
	if u.Scheme != "mailto" {
		d.Result = trace.Neutral
		d.Reason = "receivers must support mailto: only; other schemes may be ignored"
		st.Result, st.Detail = trace.Neutral, "scheme "+u.Scheme
		st.Explain = fmt.Sprintf("Receivers that send reports must support mailto: URIs; a %s: URI is used only by receivers that support that scheme and ignored by the rest (RFC 9989 §4.7).", u.Scheme)
		return d, st
	}
	policyOrg, _ := dmarc.OrganizationalDomain(policyDomain)
	hostOrg, _ := dmarc.OrganizationalDomain(u.Host)
	if policyOrg != "" && policyOrg == hostOrg {
		d.Result = trace.Pass
		d.Reason = "the address is in " + policyOrg + ", the policy domain's own organization"
		st.Result, st.Detail = trace.Pass, "reports go to "+u.Address
		st.Explain = "The address is in " + hostOrg + ", the same Organizational Domain as the record's " + policyDomain + ", so no one else's consent is needed: receivers send reports here."
		return d, st
	}
	d.External = true
	name := policyDomain + "._report._dmarc." + u.Host
	st.Detail = "ask " + name + " TXT"
	outside := orWord(hostOrg, u.Host)
	if _, ok := dns.IsDomainName(name); !ok || len(name) > 253 {
		d.Result = trace.Fail
		d.Reason = "the verification name " + name + " is too long for DNS"
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("The address is outside %s, so %s must publish a record agreeing to receive these reports, at %s; that name is longer than DNS allows, so the agreement cannot be checked and the address is ignored (RFC 9990 §4 step 4).", policyDomain, outside, name)
		return d, st
	}
	if res == nil {
		d.Result = trace.None
		d.Reason = "not checked: no DNS resolver"
		st.Result = trace.None
		st.Explain = fmt.Sprintf("The address is outside %s, so %s must agree to receive these reports by publishing a TXT record \"v=DMARC1\" at %s; it was not looked up here.", policyDomain, outside, name)
		return d, st
	}
	q, err := res.Lookup(ctx, name, dns.TypeTXT)
	st.Query = q
	switch {
	case err != nil && dnsx.IsTemporary(err):
		d.Result, d.Reason = trace.TempError, "the verification lookup got no answer"
		st.Result = trace.TempError
		st.Explain = fmt.Sprintf("The address is outside %s, so %s must agree to receive these reports; the lookup of %s got no answer, so the receiver cannot tell yet. It may try again later (RFC 9990 §4 step 5).", policyDomain, outside, name)
		return d, st
	case err != nil:
		d.Result, d.Reason = trace.Fail, "the verification lookup failed: "+errWords(err)
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("The address is outside %s, and the lookup of %s, where %s would agree to receive these reports, failed for good, so the address is ignored (RFC 9990 §4).", policyDomain, name, outside)
		return d, st
	}
	var agreed []string
	for _, a := range q.Answers {
		if isDMARC1(a) {
			agreed = append(agreed, a)
		}
	}
	if len(agreed) == 0 {
		d.Result = trace.Fail
		d.Reason = u.Host + " has not agreed to receive reports for " + policyDomain
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("The address is outside %s. Anyone can write any address in a DMARC record, so the receiving end must agree: %s publishes no \"v=DMARC1\" record at %s, so receivers must ignore this address and send it nothing. This stops a record from flooding a stranger's mailbox with reports (RFC 9990 §4 steps 6-7).", policyDomain, outside, name)
		return d, st
	}
	d.Result = trace.Pass
	d.Reason = u.Host + " agreed to receive reports for " + policyDomain
	st.Result = trace.Pass
	st.Explain = fmt.Sprintf("The address is outside %s, but %s agrees to receive its reports: it publishes %q at %s (RFC 9990 §4 step 8).", policyDomain, outside, agreed[0], name)
	// Step 9: the agreement may name the destination's own address.
	if over := overrideFor(agreed[0], kind); len(over) > 0 {
		for _, o := range over {
			ou, err := ParseURI(o)
			if err != nil || ou.Host != u.Host {
				d.Result = trace.Fail
				d.Reason = "the verification record redirects to another host"
				d.Override = o
				st.Result = trace.Fail
				st.Explain = fmt.Sprintf("%s agrees, but its record names %s, an address outside %s, for these reports. To prevent loops and abuse, a receiver must then send reports to neither address (RFC 9990 §4 step 9).", outside, o, u.Host)
				return d, st
			}
		}
		d.Override = over[0]
		d.Address = mustAddress(over[0])
		st.Explain += fmt.Sprintf(" Its record also names %s, which replaces the address %s wrote (RFC 9990 §4 step 9).", over[0], policyDomain)
	}
	st.Detail = "reports go to " + d.Address
	return d, st
}

// isDMARC1 reports whether a TXT record starts with the tag v=DMARC1
// (RFC 9990 §4 step 6: "v=DMARC1" is mandatory and must come first).
func isDMARC1(txt string) bool {
	k, v, ok := strings.Cut(txt, "=")
	if !ok || strings.TrimSpace(k) != "v" {
		return false
	}
	v, _, _ = strings.Cut(v, ";")
	return strings.TrimSpace(v) == "DMARC1"
}

// overrideFor returns the rua (or ruf) URIs of a verification record.
func overrideFor(record string, kind Kind) []string {
	for _, t := range strings.Split(record, ";") {
		k, v, ok := strings.Cut(t, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), string(kind)) {
			return splitURIs(v)
		}
	}
	return nil
}

func mustAddress(uri string) string {
	u, err := ParseURI(uri)
	if err != nil {
		return uri
	}
	return u.Address
}

// URI is a DMARC reporting URI, read.
type URI struct {
	Scheme  string // lower case: "mailto", "https"
	Address string // the mailbox of a mailto: URI; otherwise the URI
	Host    string // the destination host, lower case, without a trailing dot
}

// ParseURI reads one DMARC reporting URI (RFC 9989 §4.8: an RFC 3986
// URI, optionally followed by the obsolete "!size" suffix, which is
// ignored). For mailto: (RFC 6068) the destination host is the domain of
// the first address.
func ParseURI(s string) (URI, error) {
	if i := strings.LastIndexByte(s, '!'); i >= 0 && isSize(s[i+1:]) {
		s = s[:i] // obs-dmarc-report-size
	}
	if s == "" {
		return URI{}, fmt.Errorf("empty URI")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' {
			return URI{}, fmt.Errorf("%q is not a URI: it holds %q", s, c)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return URI{}, fmt.Errorf("%q is not a URI", s)
	}
	if u.Scheme == "" {
		return URI{}, fmt.Errorf("%q has no scheme (such as mailto:)", s)
	}
	out := URI{Scheme: strings.ToLower(u.Scheme), Address: s}
	if out.Scheme != "mailto" {
		out.Host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if out.Host == "" {
			return URI{}, fmt.Errorf("%q names no host", s)
		}
		return out, nil
	}
	to := u.Opaque
	if to == "" {
		to = u.Path
	}
	to, _, _ = strings.Cut(to, ",") // RFC 6068: several addresses
	addr, err := url.PathUnescape(to)
	if err != nil {
		return URI{}, fmt.Errorf("%q: %v", s, err)
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return URI{}, fmt.Errorf("%q names no mailbox (local@domain)", s)
	}
	host := strings.TrimSuffix(strings.ToLower(addr[at+1:]), ".")
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		host = a // an internationalized domain, as its A-label (RFC 5890)
	}
	if !isHostname(host) {
		return URI{}, fmt.Errorf("%q: %q is not a domain name", s, host)
	}
	out.Address, out.Host = addr, host
	return out, nil
}

// isHostname reports whether s is a host name of letters, digits and
// hyphens (RFC 1123 §2.1), as the domain of a mailbox must be.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isSize reports whether s is an obs-dmarc-report-size without its "!".
func isSize(s string) bool {
	if n := len(s); n > 0 && strings.IndexByte("kmgtKMGT", s[n-1]) >= 0 {
		s = s[:n-1]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errWords(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "dnsx") {
		return rest
	}
	return msg
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}
