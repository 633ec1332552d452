// Package spf evaluates Sender Policy Framework records: check_host() of
// RFC 7208 §4 for the MAIL FROM identity (Check) and the HELO identity
// (CheckHELO), over an injected dnsx.Resolver, and records every term it
// evaluated, every DNS exchange behind it and the running lookup counts as
// trace steps, with a plain-words explanation of the result.
//
// Where RFC 7208 leaves a choice, this package decides as follows:
//
//   - A target name that is valid domain-spec syntax but cannot be a DNS
//     name (an empty label, a label over 63 octets, after macro expansion
//     and the truncation of §7.3) makes a, mx, ptr and exists not match,
//     like a name that does not exist; §4.8 leaves this undefined. For
//     include it is permerror (check_host() of a malformed domain is none,
//     §4.3, and include turns none into permerror, §5.2), for redirect
//     permerror (§6.1), and exp= is ignored (§6.2).
//   - Void lookups (§4.6.4) are counted per term: the A/AAAA query of a,
//     the MX query of mx, the PTR query of ptr and the A query of exists.
//     Address lookups of MX and PTR names, the TXT lookups of include and
//     redirect (whose "none" is already permerror) and exp= do not count.
//   - More than 10 MX names is permerror before any of them is looked up,
//     so the result does not depend on the order DNS returns them in
//     (§4.6.4). Of more than 10 PTR names the first 10 are used.
//   - ptr and %{p} validate only the PTR names they could use: ptr skips
//     names outside its target (the result is the same, with fewer
//     queries, as §4 allows).
//   - %{i} of an IPv6 address is written in lowercase nibbles, as in the
//     RFC's own example (§7.4).
//   - An IPv4-mapped IPv6 client is evaluated as the IPv4 address (§5).
//   - The evaluation has a deadline (20 seconds unless Limits.Timeout says
//     otherwise, §4.6.4); lookups after it are temperror.
//   - Sender, HELO and receiver names longer than MaxInputLength are not
//     evaluated (none): SMTP never carries such names and macros would
//     multiply them.
//   - The initial domain must be an ASCII multi-label name of letters,
//     digits, hyphens and underscores; anything else is none (§4.3).
package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Identity names which SMTP identity is being authorised (RFC 7208 §2.3,
// §2.4), as Received-SPF and Authentication-Results write it.
type Identity string

// The two identities SPF checks.
const (
	MailFrom Identity = "mailfrom"
	HELO     Identity = "helo"
)

// Default limits of RFC 7208 §4.6.4.
const (
	DefaultLookups  = 10
	DefaultVoids    = 2
	DefaultMXNames  = 10
	DefaultPTRNames = 10
	DefaultTimeout  = 20 * time.Second
)

// MaxInputLength bounds the sender, HELO and receiver names evaluated.
const MaxInputLength = 1024

// maxExplanation bounds the explanation text an exp= record can produce.
const maxExplanation = 2048

// Limits are the processing limits of RFC 7208 §4.6.4. A zero field takes
// the RFC's default.
type Limits struct {
	Lookups  int           // DNS-querying terms (include, a, mx, ptr, exists, redirect) per check
	Voids    int           // terms whose lookup found nothing (NXDOMAIN or no records)
	MXNames  int           // names an MX lookup may return
	PTRNames int           // PTR names used by ptr and %{p}
	Timeout  time.Duration // the whole evaluation
}

func (l Limits) withDefaults() Limits {
	if l.Lookups <= 0 {
		l.Lookups = DefaultLookups
	}
	if l.Voids <= 0 {
		l.Voids = DefaultVoids
	}
	if l.MXNames <= 0 {
		l.MXNames = DefaultMXNames
	}
	if l.PTRNames <= 0 {
		l.PTRNames = DefaultPTRNames
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	return l
}

// Input is what check_host() is evaluated for (RFC 7208 §4.1).
type Input struct {
	Resolver dnsx.Resolver
	IP       netip.Addr // the SMTP client
	// Sender is the MAIL FROM address, with or without angle brackets. ""
	// (or "<>") is the null sender, checked as postmaster@HELO (RFC 7208
	// §2.4). An address without a local part gets "postmaster" (§4.3).
	Sender   string
	HELO     string    // the HELO/EHLO name, for %{h} and the null sender
	Receiver string    // the checking host, for %{r}; "" expands to "unknown"
	Now      time.Time // for %{t}; zero means the time of the call
	Limits   Limits
}

// Result is the outcome of one SPF check. Its JSON is the report's spf
// object (CONTRACT.md); the keys after steps are additions.
type Result struct {
	Result      trace.Result `json:"result"`
	Domain      string       `json:"domain"`   // the domain whose policy was checked
	Identity    Identity     `json:"identity"` // mailfrom or helo
	ClientIP    string       `json:"client_ip"`
	Explanation string       `json:"explanation"` // what the result means for a receiver, in plain words
	DNSLookups  int          `json:"dns_lookups"` // DNS-querying terms counted against the limit of 10
	VoidLookups int          `json:"void_lookups"`
	Steps       []trace.Step `json:"steps"`

	Sender string `json:"sender"` // the <sender> evaluated, postmaster@ filled in
	Record string `json:"record,omitempty"`
	// Mechanism is the directive that decided the result, as written, in
	// whichever record it stood.
	Mechanism string `json:"mechanism,omitempty"`
	// Exp is the explanation string of RFC 7208 §6.2: the domain's own
	// words from its exp= record, "" when it gave none.
	Exp string `json:"exp,omitempty"`
	// TipOff reports that a query carried the sender's local part, address
	// or the client IP to DNS servers the sender's side may run.
	TipOff bool `json:"tip_off,omitempty"`
}

// Check evaluates SPF for the MAIL FROM identity (RFC 7208 §2.4).
func Check(ctx context.Context, in Input) Result {
	return check(ctx, in, MailFrom)
}

// CheckHELO evaluates SPF for the HELO identity (RFC 7208 §2.3): the HELO
// name is both the domain and, as postmaster@HELO, the sender. It gives
// none when the name is not a multi-label domain (an address literal, a
// bare word).
func CheckHELO(ctx context.Context, in Input) Result {
	return check(ctx, in, HELO)
}

func check(ctx context.Context, in Input, id Identity) Result {
	lim := in.Limits.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	ip := in.IP.Unmap()
	res := Result{Identity: id, Steps: []trace.Step{}}
	if ip.IsValid() {
		res.ClientIP = ip.String()
	}
	helo := strings.TrimSpace(in.HELO)
	shownHELO := helo
	if shownHELO == "" {
		shownHELO = "(not given)"
	}

	// Who is asking to be authorised (RFC 7208 §2.3, §2.4, §4.3).
	input := trace.Step{Title: "Inputs", Result: trace.Info, Ref: "RFC 7208 §4.1"}
	var sender, domain string
	heloDomain := strings.TrimSuffix(helo, ".")
	switch id {
	case HELO:
		domain = heloDomain
		sender = "postmaster@" + heloDomain
		input.Detail = "client " + shownIP(res.ClientIP) + ", HELO " + shownHELO
		input.Explain = "the HELO identity is checked: the domain is the HELO name " + strconv.Quote(helo) + " and the sender is " + sender
		input.Ref = "RFC 7208 §2.3"
	default:
		s := strings.TrimSpace(in.Sender)
		if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
			s = s[1 : len(s)-1]
		}
		input.Detail = "client " + shownIP(res.ClientIP) + ", MAIL FROM <" + s + ">, HELO " + shownHELO
		local, dom := splitSender(s)
		switch {
		case s == "":
			domain = heloDomain
			sender = "postmaster@" + heloDomain
			input.Explain = fmt.Sprintf("the MAIL FROM is empty (the null sender of bounces), so SPF checks postmaster@ the HELO name instead: %s", sender)
			input.Ref = "RFC 7208 §2.4"
		case local == "":
			domain = dom
			sender = "postmaster@" + dom
			input.Explain = fmt.Sprintf("the MAIL FROM has no local part, so it is checked as %s", sender)
			input.Ref = "RFC 7208 §4.3"
		case dom == "":
			sender = s
			input.Explain = fmt.Sprintf("the MAIL FROM %s names no domain after the @, so there is no domain whose SPF record could be asked", s)
			input.Ref = "RFC 7208 §4.3"
		default:
			domain = dom
			sender = s
			input.Explain = "SPF asks whether " + orUnknown(res.ClientIP) + " may send mail whose MAIL FROM is in " + dom
		}
	}
	domain = strings.TrimSuffix(domain, ".")
	res.Sender, res.Domain = sender, domain

	stop := func(r trace.Result, title, explain, ref string) Result {
		res.Result = r
		res.Steps = append(res.Steps, input, trace.Step{Title: title, Result: r, Explain: explain, Ref: ref})
		res.Explanation = capital(explain) + " (" + ref + ")."
		return res
	}
	if !ip.IsValid() {
		return stop(trace.None, "Check the client address", "the address of the SMTP client that sent the message is not known (no Received header recorded one, and none was given), so SPF has nothing to authorise and was not evaluated; this says nothing about the domain's SPF record", "RFC 7208 §4.1")
	}
	if len(sender) > MaxInputLength || len(helo) > MaxInputLength || len(in.Receiver) > MaxInputLength {
		return stop(trace.None, "Check the inputs", fmt.Sprintf("the sender or HELO name is longer than %d octets, which SMTP never carries, so it is not evaluated", MaxInputLength), "RFC 7208 §4.3")
	}
	if in.Resolver == nil {
		return stop(trace.TempError, "Ask DNS", "no DNS resolver was configured, so no record could be fetched", "RFC 7208 §4.4")
	}
	if p := domainProblem(domain); p != "" {
		what := "the MAIL FROM domain"
		switch {
		case id == HELO:
			what = "the HELO name"
		case strings.TrimSpace(in.Sender) == "" || strings.TrimSpace(in.Sender) == "<>":
			what = "the HELO name (used for the null sender)"
		}
		ref := "RFC 7208 §4.3"
		if id == HELO {
			ref = "RFC 7208 §2.3, §4.3"
		}
		if domain == "" {
			// `the MAIL FROM domain "" is empty` reads as a glitch.
			return stop(trace.None, "Check the domain", fmt.Sprintf("%s is missing, so there is no domain whose SPF policy could apply: none", what), ref)
		}
		return stop(trace.None, "Check the domain", fmt.Sprintf("%s %q %s, so there is no domain whose SPF policy could apply: none", what, domain, p), ref)
	}

	e := &evaluator{
		ctx:    ctx,
		r:      in.Resolver,
		ip:     ip,
		ipText: res.ClientIP,
		lim:    lim,
		env:    MacroEnv{Sender: sender, IP: ip, HELO: helo, Receiver: in.Receiver, Now: now},
	}
	var mapped *trace.Step
	if ip != in.IP {
		mapped = &trace.Step{
			Title:   "IPv4-mapped client address",
			Result:  trace.Info,
			Detail:  fmt.Sprintf("%s is treated as %s", in.IP, ip),
			Explain: "an IPv4 address written as IPv6 (::ffff:a.b.c.d) is still an IPv4 client, so A records and ip4: apply",
			Ref:     "RFC 7208 §5",
		}
	}
	o := e.checkHost(domain, true)
	res.Result = o.result
	// The inputs, then the evaluation's steps: one slice, sized once.
	res.Steps = make([]trace.Step, 0, 2+len(o.steps))
	res.Steps = append(res.Steps, input)
	if mapped != nil {
		res.Steps = append(res.Steps, *mapped)
	}
	res.Steps = append(res.Steps, o.steps...)
	res.DNSLookups = min(e.lookups, lim.Lookups) // the one over the limit was not evaluated
	res.VoidLookups = e.voids
	res.Record = o.record
	res.Exp = o.exp
	res.TipOff = e.tipOff
	res.Mechanism = o.term
	res.Explanation = explain(o, domain, id, e.ipText)
	return res
}

// shownIP is the client address as a step shows it.
func shownIP(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "the client"
	}
	return s
}

// domainProblem says why domain cannot be checked (RFC 7208 §4.3), or "".
func domainProblem(domain string) string {
	switch {
	case domain == "":
		return "is empty"
	case strings.HasPrefix(domain, "["):
		return "is an address literal, not a domain name"
	}
	if isAddr(domain) {
		return "is an IP address, not a domain name"
	}
	for i := 0; i < len(domain); i++ {
		if domain[i] >= 0x80 {
			return "is not ASCII; internationalised names must be written as A-labels (xn--...)"
		}
	}
	if len(domain) > 253 {
		return "is longer than 253 characters"
	}
	labels := 0
	for rest, more := domain, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		labels++
		if l == "" {
			return "has an empty label (two dots in a row, or a leading dot)"
		}
		if len(l) > 63 {
			return fmt.Sprintf("has a label of %d characters; DNS allows at most 63", len(l))
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !isAlnum(c) && c != '-' && c != '_' {
				return fmt.Sprintf("contains %q, which cannot be part of a host name", string(c))
			}
		}
	}
	if labels < 2 {
		return "is a single label, not a fully qualified multi-label domain name"
	}
	return ""
}

// isAddr reports whether netip.ParseAddr reads s. It answers a name, which
// is what it is nearly always asked about, without calling ParseAddr, which
// allocates the error it returns: a character no address has, before any
// zone ("%"), settles it. FuzzIsAddr holds it to ParseAddr.
func isAddr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			break // the zone of an IPv6 address may hold anything
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// evaluator holds the state one check_host() evaluation shares across its
// includes and redirects: the global lookup counts of RFC 7208 §4.1.
type evaluator struct {
	ctx     context.Context
	r       dnsx.Resolver
	ip      netip.Addr
	ipText  string // ip as every step writes it, formatted once
	lim     Limits
	env     MacroEnv
	lookups int
	voids   int
	tipOff  bool
	depth   int // includes and redirects being evaluated
	// including counts the includes being evaluated: inside one, a
	// record's result only says whether the client is listed there.
	including int
}

// maxDepth bounds the nesting of includes and redirects whatever
// Limits.Lookups says; with the RFC's limit of 10 it is never reached.
const maxDepth = 32

// outcome is the result of one check_host() call and what decided it.
type outcome struct {
	result trace.Result
	steps  []trace.Step
	record string // the record evaluated

	at     string   // domain whose record decided
	term   string   // directive that matched, as written; "" for the default or an exception
	mech   string   // its mechanism
	qual   byte     // its qualifier
	inner  *outcome // for a matching include: what matched inside
	via    []string // redirect targets followed from the first domain to at
	reason string   // none, temperror, permerror: what happened
	exp    string   // the explanation string (RFC 7208 §6.2)
}

func (e *evaluator) counts() string {
	return "DNS-querying terms so far: " + strconv.Itoa(e.lookups) + " of at most " + strconv.Itoa(e.lim.Lookups) +
		"; void lookups: " + strconv.Itoa(e.voids) + " of at most " + strconv.Itoa(e.lim.Voids) + "."
}

// detailCounts is t.detail() + " " + e.counts(), written at once for a
// target as written (the usual include:name) or the current domain.
func (e *evaluator) detailCounts(t targetInfo) string {
	var mid string
	switch {
	case t.spec == "":
		mid = " (the current domain). "
	case t.spec == t.name:
		mid = ". "
	default:
		return t.detail() + " " + e.counts()
	}
	return "target " + t.name + mid + "DNS-querying terms so far: " + strconv.Itoa(e.lookups) + " of at most " + strconv.Itoa(e.lim.Lookups) +
		"; void lookups: " + strconv.Itoa(e.voids) + " of at most " + strconv.Itoa(e.lim.Voids) + "."
}

func (e *evaluator) lookup(name string, qtype uint16) (*trace.Query, error) {
	q, err := e.r.Lookup(e.ctx, name, qtype)
	if q == nil {
		q = &trace.Query{Name: dns.Fqdn(name), Type: dnsx.TypeName(qtype), Rcode: trace.RcodeError, Answers: []string{}}
		if err == nil {
			err = fmt.Errorf("%w: the resolver returned nothing", dnsx.ErrNetwork)
		}
	}
	return q, err
}

// failure describes a lookup that got no usable answer, in plain words.
func failure(q *trace.Query, err error) string {
	return fmt.Sprintf("the %s lookup for %s got no usable answer (%s)", q.Type, strings.TrimSuffix(q.Name, "."), dnsWords(q, err))
}

// dnsWords says why a lookup got no usable answer in words a student can
// follow (dnsx.Failure), the rcode after them.
func dnsWords(q *trace.Query, err error) string {
	if dnsx.NotInSnapshot(q, err) {
		return missingWords
	}
	code, words := dnsx.Failure(q, err)
	if code != "" {
		return words + ": " + code
	}
	return words
}

// missingWords is dnsWords for a question the replayed snapshot lacks.
const missingWords = "the DNS snapshot holds no answer for it"

// retryWords is what a temporary DNS failure means for the message (RFC
// 7208 §2.6.6, §8.6).
const retryWords = "This is temporary: a receiver answers with a temporary error (4xx), asking the sender to try again later"

// replayWords replace retryWords when the lookup failed only because the
// DNS snapshot being replayed lacks the question: nothing is temporary
// there, and a student must not read it as an outage.
const replayWords = "Here the DNS snapshot being replayed simply lacks this answer, so the replay cannot finish; replay against live DNS, or with a snapshot that holds the answer, to see the result"

// retry is retryWords, or replayWords for a question the snapshot lacks.
func retry(q *trace.Query, err error) string {
	if dnsx.NotInSnapshot(q, err) {
		return replayWords
	}
	return retryWords
}

// checkHost is check_host() from record lookup on (RFC 7208 §4.4 - §4.7).
// domain has been checked already: by domainProblem for the first call, by
// targetName for includes and redirects.
func (e *evaluator) checkHost(domain string, wantExp bool) outcome {
	o := outcome{at: domain}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		o.result = trace.PermError
		o.reason = fmt.Sprintf("includes and redirects nest more than %d levels deep", maxDepth)
		o.steps = []trace.Step{{Title: "Fetch SPF record for " + domain, Result: trace.PermError, Explain: o.reason + ", so evaluation stops", Ref: "RFC 7208 §4.6.4"}}
		return o
	}
	q, err := e.lookup(presentation(domain), dns.TypeTXT)
	step := trace.Step{Title: "Fetch SPF record for " + domain, Query: q, Ref: "RFC 7208 §4.4"}
	switch {
	case errors.Is(err, dnsx.ErrBadName):
		o.result, o.reason = trace.None, fmt.Sprintf("the domain %s cannot be asked of DNS (%s)", domain, dnsWords(q, err))
		step.Explain = o.reason + ", so there is no record: none"
		step.Ref = "RFC 7208 §4.3"
	case dnsx.IsPermanent(err):
		// An answer over dnsx's caps: asking again gives the same
		// oversized data, so only the domain's operator can fix it.
		o.result, o.reason = trace.PermError, failure(q, err)
		step.Detail = dnsWords(q, err)
		step.Explain = capital(o.reason) + "; asking again would give the same answer, so the domain's records cannot be interpreted and the SPF evaluation stops with permerror. Only the domain's operator can fix this"
		step.Ref = "RFC 7208 §2.6.7"
	case err != nil:
		o.result, o.reason = trace.TempError, failure(q, err)
		step.Detail = dnsWords(q, err)
		step.Explain = fmt.Sprintf("DNS gave no usable answer for the TXT records of %s, so its SPF record could not be read, and a DNS error while fetching the record stops the SPF evaluation with temperror. %s", domain, retry(q, err))
	case q.NXDomain():
		o.result, o.reason = trace.None, "the domain "+domain+" does not exist in DNS (NXDOMAIN)"
		step.Explain = o.reason + ", so it has no SPF record: none"
		step.Ref = "RFC 7208 §4.3"
	}
	if o.result != "" {
		step.Result = o.result
		o.steps = []trace.Step{step}
		return o
	}
	// The one SPF record is found without collecting: recs is made only
	// for the permerror of several, which lists them.
	nrecs, first := 0, ""
	for _, a := range q.Answers {
		if IsSPF(a) {
			if nrecs == 0 {
				first = a
			}
			nrecs++
		}
	}
	others := len(q.Answers) - nrecs
	step.Ref = "RFC 7208 §4.5"
	switch nrecs {
	case 0:
		o.result = trace.None
		o.reason = "the domain " + domain + " publishes no SPF record"
		if others > 0 {
			which := fmt.Sprintf("none of the %d TXT records of %s starts", others, domain)
			if others == 1 {
				which = fmt.Sprintf("the one TXT record of %s does not start", domain)
			}
			step.Explain = fmt.Sprintf("%s with \"v=spf1\" followed by a space or the end, so %s publishes no SPF record: none", which, domain)
			step.Detail = strings.Join(q.Answers, " | ")
		} else {
			step.Explain = domain + " has no TXT records, so it publishes no SPF record: none"
		}
	case 1:
	default:
		var recs []string
		for _, a := range q.Answers {
			if IsSPF(a) {
				recs = append(recs, a)
			}
		}
		o.result = trace.PermError
		o.reason = fmt.Sprintf("%s publishes %d SPF records, and a domain may publish only one", domain, len(recs))
		step.Detail = strings.Join(recs, " | ")
		step.Explain = fmt.Sprintf("%d TXT records start with v=spf1; a domain must publish exactly one, so the policy is ambiguous: permerror", len(recs))
		step.Ref = "RFC 7208 §3.2, §4.5"
	}
	if o.result != "" {
		step.Result = o.result
		o.steps = []trace.Step{step}
		return o
	}
	o.record = first
	step.Result = trace.Info
	step.Detail = first
	const exactlyOne = " publishes exactly one SPF record (a TXT record starting with v=spf1); its terms are evaluated from left to right, and the first mechanism that matches the client decides"
	switch others {
	case 0:
		step.Explain = "The domain " + domain + exactlyOne
	case 1:
		step.Explain = "The domain " + domain + exactlyOne + "; the other TXT record is not SPF and is ignored"
	default:
		step.Explain = "The domain " + domain + exactlyOne + "; the other " + strconv.Itoa(others) + " TXT records are not SPF and are ignored"
	}
	rec, err := parsed.parse(first)
	if err != nil {
		var se *SyntaxError
		reason := err.Error()
		syn := trace.Step{Title: "Check the record's syntax", Result: trace.PermError, Ref: "RFC 7208 §4.6"}
		if errors.As(err, &se) {
			reason = se.Reason
			if se.Term != "" {
				syn.Detail = fmt.Sprintf("term %d: %s", se.Index, se.Term)
				reason = fmt.Sprintf("term %q: %s", se.Term, se.Reason)
			}
		}
		syn.Explain = reason + ". A syntax error anywhere makes the whole record unusable, before any term is evaluated: permerror"
		o.result, o.reason = trace.PermError, "its record has a syntax error: "+reason
		o.steps = []trace.Step{step, syn}
		return o
	}
	r := e.evalRecord(domain, rec, wantExp, step)
	r.record = first
	return r
}

// evalRecord evaluates the terms of a parsed record left to right (RFC
// 7208 §4.6.2), then redirect= or the default (§4.7, §6.1). Its steps
// start with fetched, the step that fetched the record.
func (e *evaluator) evalRecord(domain string, rec *Record, wantExp bool, fetched trace.Step) outcome {
	// Room for the fetch, a step per term and the one after the match,
	// made once: most records are short and end in a match.
	steps := make([]trace.Step, 1, len(rec.Terms)+2)
	steps[0] = fetched
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.Modifier != "" {
			if t.Modifier != Redirect && t.Modifier != Exp {
				steps = append(steps, trace.Step{
					Title:   t.Text,
					Result:  trace.Info,
					Detail:  "unknown modifier " + t.Modifier + "=",
					Explain: fmt.Sprintf("RFC 7208 does not define %s=, and modifiers it does not define are ignored wherever they stand, so this changes nothing", t.Modifier),
					Ref:     "RFC 7208 §6",
				})
			}
			continue
		}
		if st, over := e.countLookup(t); over {
			st.Explain += laterMatch(rec, i, e.ip)
			return outcome{result: trace.PermError, steps: append(steps, st), at: domain, reason: e.overReason()}
		}
		m := e.evalMechanism(domain, t)
		steps = m.appendTo(steps)
		if m.err != "" {
			at := domain
			if m.at != "" {
				at = m.at
			}
			return outcome{result: m.err, steps: steps, at: at, reason: m.reason}
		}
		if !m.match {
			continue
		}
		o := outcome{result: qualifierResult(t.Qualifier), at: domain, term: t.Text, mech: t.Mechanism, qual: t.Qualifier, inner: m.inner}
		if o.result != trace.Pass && len(steps) > 1 && e.including == 0 {
			// The step that decided: what would have passed instead.
			last := &steps[len(steps)-1]
			last.Explain += ". " + wouldPass(rec, i)
		}
		if skipped := rest(rec, i); skipped != "" {
			steps = append(steps, trace.Step{
				Title:   "Terms after the match",
				Result:  trace.Info,
				Detail:  skipped,
				Explain: "the first mechanism that matches decides, so the terms after it are not evaluated (and a redirect= is not followed)",
				Ref:     "RFC 7208 §4.6.2",
			})
		}
		if o.result == trace.Fail && wantExp && rec.Exp != nil {
			var st []trace.Step
			o.exp, st = e.explanation(domain, rec.Exp)
			steps = append(steps, st...)
		}
		o.steps = steps
		return o
	}

	if rec.Redirect != nil {
		t := rec.Redirect
		if st, over := e.countLookup(t); over {
			return outcome{result: trace.PermError, steps: append(steps, st), at: domain, reason: e.overReason()}
		}
		tg, pre := e.target(domain, t)
		steps = append(steps, pre...)
		step := trace.Step{Title: t.Text, Ref: "RFC 7208 §6.1"}
		if tg.problem != "" {
			step.Result = trace.PermError
			step.Detail = tg.detail()
			step.Explain = fmt.Sprintf("no mechanism matched, so the redirect is followed, but its target %s; a malformed redirect target is permerror", tg.problem)
			return outcome{result: trace.PermError, steps: append(steps, step), at: domain, reason: "the redirect= target " + tg.problem}
		}
		step.Detail = e.detailCounts(tg)
		sub := e.checkHost(tg.name, wantExp)
		step.Steps = sub.steps
		o := sub
		o.via = append([]string{tg.name}, sub.via...)
		switch sub.result {
		case trace.None:
			o.result = trace.PermError
			o.reason = fmt.Sprintf("redirect=%s points to a domain without an SPF record (%s)", tg.name, sub.reason)
			step.Explain = fmt.Sprintf("no mechanism matched, so the policy of %s was to decide, but it has no SPF record; for a redirect that is permerror, not none", tg.name)
		default:
			step.Explain = fmt.Sprintf("no mechanism matched and the record has no all, so the result is whatever the record of %s gives: %s", tg.name, sub.result)
		}
		step.Result = o.result
		o.steps = append(steps, step)
		return o
	}

	steps = append(steps, trace.Step{
		Title:   "No mechanism matched",
		Result:  trace.Neutral,
		Detail:  e.ipText + " matched none of the mechanisms of " + domain,
		Explain: "the record has no all and no redirect=, so the default result applies: neutral, as if it ended with ?all",
		Ref:     "RFC 7208 §4.7",
	})
	return outcome{result: trace.Neutral, steps: steps, at: domain}
}

// wouldPass says which terms of rec could have given pass instead of the
// non-pass term at index i, and so what a sender (or an attacker) would
// have needed: an address the domain authorizes (RFC 7208 §4.6.2, §5).
func wouldPass(rec *Record, i int) string {
	var allow []string
	for j, t := range rec.Terms {
		if t.Mechanism == All && j != i {
			if j < i {
				continue
			}
			break // nothing after an all is evaluated
		}
		if j == i || t.Mechanism == "" || t.Qualifier != '+' {
			continue
		}
		allow = append(allow, t.Text)
	}
	if rec.Redirect != nil && rec.Terms[i].Mechanism != All && !hasAll(rec) {
		allow = append(allow, rec.Redirect.Text)
	}
	if len(allow) == 0 {
		return "The record authorizes no address at all, so no mail can pass SPF for this domain: it says it sends no mail"
	}
	return fmt.Sprintf("Only mail from the addresses the record authorizes (%s) passes; an attacker would need to send from one of them, that is, through a server the domain uses", strings.Join(allow, " "))
}

// laterMatch points out an ip4: or ip6: term after index i that lists the
// client: the record would have passed it, had evaluation got that far.
func laterMatch(rec *Record, i int, ip netip.Addr) string {
	for _, t := range rec.Terms[i+1:] {
		if t.Mechanism == All {
			break
		}
		if (t.Mechanism != IP4 && t.Mechanism != IP6) || t.Network.Is4() != ip.Is4() {
			continue
		}
		bits := t.Prefix4
		if t.Mechanism == IP6 {
			bits = t.Prefix6
		}
		if netip.PrefixFrom(t.Network, bits).Masked().Contains(ip) {
			return fmt.Sprintf(". The record does list %s further on, which matches %s, but evaluation stops before it gets there", t.Text, ip)
		}
	}
	return ""
}

func hasAll(rec *Record) bool {
	for _, t := range rec.Terms {
		if t.Mechanism == All {
			return true
		}
	}
	return false
}

// countLookup counts a DNS-querying term against the limit and returns the
// permerror step when it goes over (RFC 7208 §4.6.4).
func (e *evaluator) countLookup(t *Term) (trace.Step, bool) {
	if !t.QueriesDNS() {
		return trace.Step{}, false
	}
	e.lookups++
	if e.lookups <= e.lim.Lookups {
		return trace.Step{}, false
	}
	return trace.Step{
		Title:   t.Text,
		Result:  trace.PermError,
		Detail:  e.counts(),
		Explain: fmt.Sprintf("this would be DNS-querying term number %d of the check (terms inside includes and redirects count too), and at most %d are allowed, so evaluation stops with permerror. Any client not matched before this point gets permerror instead of pass until the domain's operator cuts the lookups, for instance by listing addresses with ip4: and ip6: instead of includes", e.lookups, e.lim.Lookups),
		Ref:     "RFC 7208 §4.6.4",
	}, true
}

func (e *evaluator) overReason() string {
	return fmt.Sprintf("evaluating it takes more than %d DNS-querying terms (include, a, mx, ptr, exists and redirect, counting those inside includes and redirects)", e.lim.Lookups)
}

// rest lists the mechanisms and redirect= after index i, which are not
// evaluated (exp= is still used, and unknown modifiers never are).
func rest(rec *Record, i int) string {
	var b []string
	for _, t := range rec.Terms[i+1:] {
		if t.Mechanism != "" || t.Modifier == Redirect {
			b = append(b, t.Text)
		}
	}
	return strings.Join(b, " ")
}

func qualifierResult(q byte) trace.Result {
	switch q {
	case '-':
		return trace.Fail
	case '~':
		return trace.SoftFail
	case '?':
		return trace.Neutral
	}
	return trace.Pass
}

// ------------------------------------------------------------------------
// Target names

// targetInfo is the <target-name> of a term (RFC 7208 §4.8).
type targetInfo struct {
	spec      string // the domain-spec as written; "" when the term had none
	expanded  string // after macro expansion
	name      string // after truncation and without a trailing dot
	truncated bool
	problem   string // why name cannot be a DNS name; "" when it can
}

func (t targetInfo) detail() string {
	switch {
	case t.spec == "":
		return "target " + t.name + " (the current domain)."
	case t.spec == t.name:
		return "target " + t.name + "."
	case t.truncated:
		return t.spec + " expands to " + t.expanded + ". That is over 253 characters, so labels are removed from the left: " + t.name + "."
	}
	return t.spec + " expands to " + t.expanded + "."
}

// target expands the domain-spec of t (or takes domain when it has none)
// into the name to look up. Steps resolving %{p}, and the tip-off warning
// of RFC 7208 §11.6, come back to be placed before the term's own step.
func (e *evaluator) target(domain string, t *Term) (targetInfo, []trace.Step) {
	if t.spec == nil {
		return targetInfo{name: domain}, nil
	}
	var pre []trace.Step
	env := e.env
	env.Domain = domain
	if t.spec.uses("p") {
		var st trace.Step
		env.Validated, st = e.validatedName(domain)
		pre = append(pre, st)
	}
	expanded := t.spec.expandRight(&env, 4*253)
	ti := targetName(expanded)
	ti.spec = t.Spec
	if w, ok := e.tipOffStep(t, ti.name); ok {
		pre = append(pre, w)
	}
	return ti, pre
}

// targetName turns an expanded domain-spec into a DNS name: without a
// trailing dot, cut to 253 characters by removing labels from the left
// (RFC 7208 §7.3), and checked for labels DNS cannot carry (§4.8).
func targetName(expanded string) targetInfo {
	ti := targetInfo{expanded: expanded}
	s := expanded
	if len(s) > 1 {
		s = strings.TrimSuffix(s, ".")
	}
	for len(s) > 253 {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			break
		}
		s = s[i+1:]
		ti.truncated = true
	}
	ti.name = s
	switch {
	case s == "" || s == ".":
		ti.problem = "is empty"
	case len(s) > 253:
		ti.problem = "is longer than 253 characters"
	default:
		for _, l := range strings.Split(s, ".") {
			if l == "" {
				ti.problem = fmt.Sprintf("%q has an empty label (two dots in a row), so it cannot be a DNS name", s)
				break
			}
			if len(l) > 63 {
				ti.problem = fmt.Sprintf("%q has a label of %d characters, over the 63 DNS allows, so it cannot be a DNS name", s, len(l))
				break
			}
		}
	}
	return ti
}

// presentation writes a name in the escaped form miekg/dns uses for owner
// names, so that answers match the question however odd the bytes macros
// put into it (RFC 7208 §11.5.3).
func presentation(name string) string {
	plain := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || strings.IndexByte(`'@;()"\`, c) >= 0 {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == ' ' || strings.IndexByte(`'@;()"\`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tipOffStep warns when a term's query carries the sender's local part,
// the sender address or the client IP (RFC 7208 §11.6).
func (e *evaluator) tipOffStep(t *Term, name string) (trace.Step, bool) {
	var what []string
	if t.spec.uses("l") {
		what = append(what, "the sender's local part")
	}
	if t.spec.uses("s") {
		what = append(what, "the sender's address")
	}
	if t.spec.uses("i") {
		what = append(what, "the client IP address")
	}
	if len(what) == 0 {
		return trace.Step{}, false
	}
	e.tipOff = true
	return trace.Step{
		Title:  "Tip-off: this lookup tells the sender's side about this message",
		Result: trace.Warn,
		Detail: fmt.Sprintf("%s puts %s into the DNS name %s", t.Text, strings.Join(what, " and "), name),
		Explain: fmt.Sprintf("on live DNS the query for %s goes to the name servers that answer for it, usually run by or for the sender's domain; whoever runs them learns %s and that someone is checking this message right now. "+
			"To inspect without tipping them off, replay from a saved DNS snapshot with --dns-snapshot, which sends nothing to the network", name, strings.Join(what, " and ")),
		Ref: "RFC 7208 §11.6",
	}, true
}
