package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// mechResult is what evaluating one mechanism gave: a match, no match, or
// an exception (temperror, permerror) that ends check_host() (RFC 7208
// §4.6.2).
type mechResult struct {
	match  bool
	err    trace.Result // TempError or PermError; "" for match / no match
	reason string       // for an exception: what happened
	pre    []trace.Step // steps that led up to the term's own (%{p}, a tip-off)
	step   trace.Step   // the term's own step
	inner  *outcome     // include: the included record's outcome
	at     string       // for an exception inside an include: whose record it came from
}

// appendTo appends the steps of m, those that led up to it and its own,
// to steps. The term's own step is a field rather than the last of a
// slice so that a mechanism costs no slice of its own.
func (m *mechResult) appendTo(steps []trace.Step) []trace.Step {
	steps = append(steps, m.pre...)
	if m.step.Title == "" {
		return steps // no step: a mechanism Parse never produces
	}
	return append(steps, m.step)
}

func (e *evaluator) evalMechanism(domain string, t *Term) mechResult {
	switch t.Mechanism {
	case All:
		return e.evalAll(t)
	case IP4, IP6:
		return e.evalIP(t)
	case A:
		return e.evalA(domain, t)
	case MX:
		return e.evalMX(domain, t)
	case PTR:
		return e.evalPTR(domain, t)
	case Exists:
		return e.evalExists(domain, t)
	case Include:
		return e.evalInclude(domain, t)
	}
	// Parse never produces another mechanism.
	return mechResult{err: trace.PermError, reason: "unknown mechanism " + t.Mechanism}
}

// decided finishes the term's step for a match or a no-match; why says
// what was found.
func decided(st trace.Step, t *Term, match bool, why string) trace.Step {
	if !match {
		st.Result = trace.Info
		st.Explain = why + ", so " + t.Mechanism + " does not match and evaluation moves on"
		return st
	}
	st.Result = qualifierResult(t.Qualifier)
	if t.Text[0] != t.Qualifier {
		st.Explain = why + ", so " + t.Mechanism + " matches; without a qualifier (the default is \"+\") that gives " + string(st.Result)
		return st
	}
	st.Explain = why + ", so " + t.Mechanism + " matches; its qualifier " + quotedQualifier(t.Qualifier) + " gives " + string(st.Result)
	return st
}

// quotedQualifier is strconv.Quote(string(q)), a constant for the four
// qualifiers there are.
func quotedQualifier(q byte) string {
	switch q {
	case '+':
		return `"+"`
	case '-':
		return `"-"`
	case '~':
		return `"~"`
	case '?':
		return `"?"`
	}
	return strconv.Quote(string(q))
}

func (e *evaluator) evalAll(t *Term) mechResult {
	st := trace.Step{Title: t.Text, Detail: "all matches every client address", Ref: "RFC 7208 §5.1"}
	st.Result = qualifierResult(t.Qualifier)
	if e.including > 0 {
		// Inside an include the record's result only answers "is the
		// client listed here?" (RFC 7208 §5.2).
		st.Explain = "all always matches, so this included record gives " + string(st.Result) + " for every address it did not list before this point; the record that includes it reads that only as \"not listed here\" and goes on"
		if st.Result == trace.Pass {
			st.Explain = "all always matches, and with \"+\" this included record allows every address on the internet, so the record that includes it matches for anyone"
		}
		return mechResult{match: true, step: st}
	}
	switch t.Qualifier {
	case '-':
		st.Explain = "all always matches; with \"-\" every address not allowed before this point gets fail, a request to reject the message"
	case '~':
		st.Explain = "all always matches; with \"~\" every address not allowed before this point gets softfail, a request to accept the message but treat it with suspicion"
	case '?':
		st.Explain = "all always matches; with \"?\" the domain says nothing about addresses it has not listed: neutral"
	default:
		st.Explain = "all always matches, and with \"+\" (or no qualifier) it allows every address on the internet: pass for anyone, which makes the policy worthless"
	}
	return mechResult{match: true, step: st}
}

func (e *evaluator) evalIP(t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.6"}
	ip := e.ip
	if (t.Mechanism == IP4) != ip.Is4() {
		fam, other := "IPv4", "IPv6"
		if t.Mechanism == IP6 {
			fam, other = "IPv6", "IPv4"
		}
		st.Detail = fmt.Sprintf("the client %s is an %s address and %s lists %s addresses", ip, other, t.Mechanism, fam)
		return mechResult{step: decided(st, t, false, "an address of the other family can never be inside it")}
	}
	bits := t.Prefix4
	if t.Mechanism == IP6 {
		bits = t.Prefix6
	}
	pfx := netip.PrefixFrom(t.Network, bits).Masked()
	// "ip is [not] inside pfx", written into one string.
	var buf [128]byte
	d := append(buf[:0], e.ipText...)
	if pfx.Contains(ip) {
		d = append(d, " is inside "...)
		st.Detail = string(pfx.AppendTo(d))
		return mechResult{match: true, step: decided(st, t, true, "the client address is one this record lists")}
	}
	d = append(d, " is not inside "...)
	st.Detail = string(pfx.AppendTo(d))
	return mechResult{step: decided(st, t, false, "the client address is outside this network")}
}

// addrType is the address record type to fetch for the client's family
// (RFC 7208 §5).
func (e *evaluator) addrType() uint16 {
	if e.ip.Is4() {
		return dns.TypeA
	}
	return dns.TypeAAAA
}

func (e *evaluator) prefixBits(t *Term) int {
	if e.ip.Is4() {
		return t.Prefix4
	}
	return t.Prefix6
}

// inside reports whether ip is within bits of any of the answers.
func inside(ip netip.Addr, answers []string, bits int) bool {
	for _, a := range answers {
		addr, err := netip.ParseAddr(a)
		if err != nil || addr.Is4() != ip.Is4() {
			continue
		}
		if p, err := addr.Prefix(bits); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// badTarget is the no-match step for a target that cannot be a DNS name.
func (e *evaluator) badTarget(st trace.Step, t *Term, tg targetInfo, pre []trace.Step) mechResult {
	st.Detail = tg.detail() + " " + e.counts()
	st = decided(st, t, false, fmt.Sprintf("the target name %s; like a name that does not exist it has no records (RFC 7208 §4.8 leaves this case open)", tg.problem))
	return mechResult{pre: pre, step: st}
}

// dnsError is the temperror of a mechanism whose lookup failed (RFC 7208
// §5: an RCODE other than 0 or 3, or a timeout), or the permerror of one
// whose answer is over dnsx's caps: asking again would give the same
// answer, so the domain's records cannot be interpreted (RFC 7208 §2.6.7).
func (e *evaluator) dnsError(st trace.Step, q *trace.Query, err error, pre []trace.Step) mechResult {
	reason := failure(q, err)
	st.Detail = strings.TrimSpace(st.Detail + " " + q.Type + " " + strings.TrimSuffix(q.Name, ".") + ": " + dnsWords(q, err) + ".")
	if dnsx.IsPermanent(err) {
		st.Result = trace.PermError
		st.Explain = capital(reason) + "; asking again would give the same answer, so the mechanism cannot be evaluated and the whole check stops with permerror. Only the domain's operator can fix this"
		st.Ref = "RFC 7208 §2.6.7"
		return mechResult{err: trace.PermError, reason: reason, pre: pre, step: st}
	}
	st.Result = trace.TempError
	st.Explain = fmt.Sprintf("DNS gave no usable answer for the %s records of %s, so it is not known whether %s matches, and a DNS error inside a mechanism stops the whole check with temperror. %s", q.Type, strings.TrimSuffix(q.Name, "."), st.Title, retry(q, err))
	st.Ref = "RFC 7208 §5"
	return mechResult{err: trace.TempError, reason: reason, pre: pre, step: st}
}

// countVoid counts a lookup that found nothing (NXDOMAIN, or no records of
// the type asked) and reports whether that went over the limit of RFC 7208
// §4.6.4.
func (e *evaluator) countVoid(q *trace.Query) (void, over bool) {
	if !dnsx.IsNotFound(q) {
		return false, false
	}
	e.voids++
	return true, e.voids > e.lim.Voids
}

func (e *evaluator) voidOver(st trace.Step, pre []trace.Step) mechResult {
	st.Result = trace.PermError
	st.Detail += " " + e.counts()
	st.Explain = fmt.Sprintf("this is void lookup number %d (a query that found nothing), and at most %d are allowed, so evaluation stops with permerror", e.voids, e.lim.Voids)
	st.Ref = "RFC 7208 §4.6.4"
	reason := fmt.Sprintf("more than %d of its lookups found nothing (void lookups)", e.lim.Voids)
	return mechResult{err: trace.PermError, reason: reason, pre: pre, step: st}
}

func answersText(q *trace.Query) string {
	switch {
	case q.NXDomain():
		return "nothing (NXDOMAIN: the name does not exist) - a void lookup"
	case len(q.Answers) == 0:
		return fmt.Sprintf("nothing (the name has no %s records) - a void lookup", q.Type)
	}
	dotted := false
	for _, a := range q.Answers {
		dotted = dotted || strings.HasSuffix(a, ".")
	}
	if !dotted { // addresses, TXT: nothing to trim, nothing to copy
		return strings.Join(q.Answers, ", ")
	}
	shown := make([]string, len(q.Answers))
	for i, a := range q.Answers {
		shown[i] = strings.TrimSuffix(a, ".") // MX and PTR targets: the root dot adds nothing here
	}
	return strings.Join(shown, ", ")
}

func (e *evaluator) evalA(domain string, t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.3"}
	tg, pre := e.target(domain, t)
	if tg.problem != "" {
		return e.badTarget(st, t, tg, pre)
	}
	q, err := e.lookup(presentation(tg.name), e.addrType())
	st.Query = q
	if errors.Is(err, dnsx.ErrBadName) {
		tg.problem = "cannot be sent to DNS (" + dnsWords(q, err) + ")"
		return e.badTarget(st, t, tg, pre)
	}
	if err != nil {
		st.Detail = tg.detail()
		return e.dnsError(st, q, err, pre)
	}
	st.Detail = tg.detail() + " " + q.Type + " " + tg.name + ": " + answersText(q) + "."
	if _, over := e.countVoid(q); over {
		return e.voidOver(st, pre)
	}
	bits := e.prefixBits(t)
	st.Detail += " " + e.counts()
	match := inside(e.ip, q.Answers, bits)
	why := e.ipText + " is not among the addresses of " + tg.name
	if match {
		why = e.ipText + " is an address of " + tg.name
	}
	if bits != e.ip.BitLen() {
		why += " (compared as /" + strconv.Itoa(bits) + " networks)"
	}
	return mechResult{match: match, pre: pre, step: decided(st, t, match, why)}
}

func (e *evaluator) evalMX(domain string, t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.4"}
	tg, pre := e.target(domain, t)
	if tg.problem != "" {
		return e.badTarget(st, t, tg, pre)
	}
	q, err := e.lookup(presentation(tg.name), dns.TypeMX)
	st.Query = q
	if errors.Is(err, dnsx.ErrBadName) {
		tg.problem = "cannot be sent to DNS (" + dnsWords(q, err) + ")"
		return e.badTarget(st, t, tg, pre)
	}
	if err != nil {
		st.Detail = tg.detail()
		return e.dnsError(st, q, err, pre)
	}
	st.Detail = tg.detail() + " MX " + tg.name + ": " + answersText(q) + "."
	if _, over := e.countVoid(q); over {
		return e.voidOver(st, pre)
	}
	st.Detail += " " + e.counts()
	var hosts []string
	for _, a := range q.Answers {
		f := strings.Fields(a)
		if len(f) == 0 {
			continue
		}
		hosts = append(hosts, f[len(f)-1])
	}
	if len(hosts) > e.lim.MXNames {
		st.Result = trace.PermError
		st.Explain = fmt.Sprintf("%s has %d MX names, and looking up the addresses of more than %d is not allowed, so the mx mechanism gives permerror", tg.name, len(hosts), e.lim.MXNames)
		st.Ref = "RFC 7208 §4.6.4, §5.4"
		return mechResult{err: trace.PermError, reason: fmt.Sprintf("mx:%s has %d MX names, over the limit of %d", tg.name, len(hosts), e.lim.MXNames), pre: pre, step: st}
	}
	bits := e.prefixBits(t)
	match := false
	var matchedHost string
	for _, h := range hosts {
		if h == "." || h == "" {
			st.Steps = append(st.Steps, trace.Step{
				Title:   "MX host .",
				Result:  trace.Info,
				Detail:  "a null MX",
				Explain: "an MX of \".\" says the domain accepts no mail (RFC 7505); it has no addresses to compare",
				Ref:     "RFC 7208 §5.4",
			})
			continue
		}
		qa, err := e.lookup(h, e.addrType())
		child := trace.Step{Title: "Addresses of MX host " + strings.TrimSuffix(h, "."), Query: qa, Ref: "RFC 7208 §5.4"}
		if err != nil {
			r := e.dnsError(child, qa, err, nil)
			st.Steps = r.appendTo(st.Steps)
			st.Result, st.Explain = r.err, fmt.Sprintf("looking up the addresses of an MX host failed, so the mx mechanism cannot be decided: %s. %s", r.err, retryOr(r.err))
			st.Ref = r.step.Ref
			return mechResult{err: r.err, reason: r.reason, pre: pre, step: st}
		}
		child.Detail = qa.Type + " " + strings.TrimSuffix(h, ".") + ": " + answersText(qa)
		if inside(e.ip, qa.Answers, bits) {
			child.Result = trace.Info
			child.Explain = e.ipText + " is an address of this MX host"
			st.Steps = append(st.Steps, child)
			match, matchedHost = true, strings.TrimSuffix(h, ".")
			break
		}
		child.Result = trace.Info
		child.Explain = e.ipText + " is not an address of this MX host"
		st.Steps = append(st.Steps, child)
	}
	why := e.ipText + " is not an address of any MX host of " + tg.name
	switch {
	case match:
		why = e.ipText + " is an address of " + matchedHost + ", an MX host of " + tg.name
	case len(q.Answers) == 0:
		why = tg.name + " has no MX records, and mx must not fall back to its A records"
	}
	if bits != e.ip.BitLen() {
		why += " (compared as /" + strconv.Itoa(bits) + " networks)"
	}
	return mechResult{match: match, pre: pre, step: decided(st, t, match, why)}
}

// reverseName is the in-addr.arpa or ip6.arpa name of ip.
func reverseName(ip netip.Addr) string {
	r, err := dns.ReverseAddr(ip.String())
	if err != nil {
		return ip.String()
	}
	return r
}

// ptrNames looks up the PTR names of the client, keeping the first
// PTRNames of them (RFC 7208 §4.6.4, §5.5).
func (e *evaluator) ptrNames() (*trace.Query, []string, int, error) {
	q, err := e.lookup(reverseName(e.ip), dns.TypePTR)
	if err != nil {
		return q, nil, 0, err
	}
	names := make([]string, 0, len(q.Answers))
	for _, a := range q.Answers {
		names = append(names, strings.TrimSuffix(strings.ToLower(a), "."))
	}
	dropped := 0
	if len(names) > e.lim.PTRNames {
		dropped = len(names) - e.lim.PTRNames
		names = names[:e.lim.PTRNames]
	}
	return q, names, dropped, nil
}

// validates looks up the addresses of name and reports whether the client
// is among them, with the step that shows it. A DNS error skips the name
// (RFC 7208 §5.5).
func (e *evaluator) validates(name string) (bool, trace.Step) {
	q, err := e.lookup(name, e.addrType())
	st := trace.Step{Title: "Validate " + name, Query: q, Result: trace.Info, Ref: "RFC 7208 §5.5"}
	switch {
	case err != nil:
		st.Detail = failure(q, err)
		st.Explain = "a DNS error while validating a PTR name skips that name"
		return false, st
	case inside(e.ip, q.Answers, e.ip.BitLen()):
		st.Detail = fmt.Sprintf("%s %s: %s", q.Type, name, answersText(q))
		st.Explain = fmt.Sprintf("%s points back to %s, so the name is validated", name, e.ip)
		return true, st
	}
	st.Detail = fmt.Sprintf("%s %s: %s", q.Type, name, answersText(q))
	st.Explain = fmt.Sprintf("%s does not point back to %s, so the PTR record does not validate", name, e.ip)
	return false, st
}

func within(name, domain string) bool {
	return name == domain || strings.HasSuffix(name, "."+domain)
}

func (e *evaluator) evalPTR(domain string, t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.5"}
	tg, pre := e.target(domain, t)
	if tg.problem != "" {
		return e.badTarget(st, t, tg, pre)
	}
	want := strings.ToLower(presentation(tg.name))
	q, names, dropped, err := e.ptrNames()
	st.Query = q
	if err != nil {
		st.Detail = tg.detail() + " " + failure(q, err) + ". " + e.counts()
		return mechResult{pre: pre, step: decided(st, t, false, "the reverse (PTR) lookup failed, and for ptr a DNS error there means no match")}
	}
	st.Detail = fmt.Sprintf("%s PTR %s: %s.", tg.detail(), strings.TrimSuffix(q.Name, "."), answersText(q))
	if _, over := e.countVoid(q); over {
		return e.voidOver(st, pre)
	}
	st.Detail += " " + e.counts()
	if dropped > 0 {
		st.Detail += fmt.Sprintf(" Only the first %d PTR names are used; %d more are ignored (RFC 7208 §4.6.4).", e.lim.PTRNames, dropped)
	}
	match := false
	var validated string
	var skipped []string
	for _, n := range names {
		if !within(n, want) {
			skipped = append(skipped, n)
			continue
		}
		ok, vs := e.validates(n)
		st.Steps = append(st.Steps, vs)
		if ok {
			match, validated = true, n
			break
		}
	}
	if len(skipped) > 0 {
		st.Steps = append(st.Steps, trace.Step{
			Title:   "PTR names outside " + tg.name,
			Result:  trace.Info,
			Detail:  strings.Join(skipped, ", "),
			Explain: fmt.Sprintf("none of these is %s or a name under it, so even validated they could not make ptr match; they are not looked up", tg.name),
			Ref:     "RFC 7208 §5.5",
		})
	}
	why := fmt.Sprintf("no validated PTR name of %s is %s or under it", e.ip, tg.name)
	if match {
		why = fmt.Sprintf("%s is a validated name of %s and lies within %s", validated, e.ip, tg.name)
	}
	return mechResult{match: match, pre: pre, step: decided(st, t, match, why)}
}

func (e *evaluator) evalExists(domain string, t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.7"}
	tg, pre := e.target(domain, t)
	if tg.problem != "" {
		return e.badTarget(st, t, tg, pre)
	}
	// exists always asks for A, even for an IPv6 client (RFC 7208 §5.7).
	q, err := e.lookup(presentation(tg.name), dns.TypeA)
	st.Query = q
	if errors.Is(err, dnsx.ErrBadName) {
		tg.problem = "cannot be sent to DNS (" + dnsWords(q, err) + ")"
		return e.badTarget(st, t, tg, pre)
	}
	if err != nil {
		st.Detail = tg.detail()
		return e.dnsError(st, q, err, pre)
	}
	st.Detail = tg.detail() + " A " + tg.name + ": " + answersText(q) + "."
	if _, over := e.countVoid(q); over {
		return e.voidOver(st, pre)
	}
	st.Detail += " " + e.counts()
	match := len(q.Answers) > 0
	why := tg.name + " has no A record"
	if match {
		why = tg.name + " has an A record (its value does not matter)"
	}
	return mechResult{match: match, pre: pre, step: decided(st, t, match, why)}
}

func (e *evaluator) evalInclude(domain string, t *Term) mechResult {
	st := trace.Step{Title: t.Text, Ref: "RFC 7208 §5.2"}
	tg, pre := e.target(domain, t)
	if tg.problem != "" {
		st.Result = trace.PermError
		st.Detail = tg.detail()
		st.Explain = fmt.Sprintf("the include target %s; evaluating SPF for a malformed domain gives none, and include turns none into permerror", tg.problem)
		return mechResult{err: trace.PermError, reason: "the include target " + tg.problem, pre: pre, step: st}
	}
	st.Detail = e.detailCounts(tg)
	e.including++
	sub := e.checkHost(tg.name, false)
	e.including--
	st.Steps = sub.steps
	switch sub.result {
	case trace.Pass:
		st = decided(st, t, true, "the record of "+tg.name+" gives pass for "+e.ipText)
		inner := sub // only a match keeps it: sub itself stays off the heap
		return mechResult{match: true, pre: pre, step: st, inner: &inner}
	case trace.Fail, trace.SoftFail, trace.Neutral:
		st = decided(st, t, false, "the record of "+tg.name+" gives "+string(sub.result)+", which for include only means \"not listed there\" (its own all does not end this record)")
		return mechResult{pre: pre, step: st}
	case trace.None:
		st.Result = trace.PermError
		st.Explain = fmt.Sprintf("%s has no SPF record (%s); including a domain without one is an error: permerror", tg.name, sub.reason)
		return mechResult{err: trace.PermError, reason: fmt.Sprintf("include:%s names a domain without an SPF record", tg.name), pre: pre, step: st}
	default:
		st.Result = sub.result
		st.Explain = fmt.Sprintf("evaluating the record of %s ended in %s, and include passes that on", tg.name, sub.result)
		return mechResult{err: sub.result, reason: sub.reason, at: sub.at, pre: pre, step: st}
	}
}

// validatedName is %{p}: a validated PTR name of the client, preferring
// domain itself, then a name under it, then any; "unknown" when there is
// none or DNS fails (RFC 7208 §7.3).
func (e *evaluator) validatedName(domain string) (string, trace.Step) {
	st := trace.Step{Title: fmt.Sprintf("Find the validated name of %s for %%{p}", e.ip), Result: trace.Info, Ref: "RFC 7208 §7.3, §5.5"}
	q, names, _, err := e.ptrNames()
	st.Query = q
	if err != nil {
		st.Detail = failure(q, err)
		st.Explain = "a DNS error while finding the validated name makes %{p} expand to \"unknown\""
		return "unknown", st
	}
	var valid []string
	for _, n := range names {
		ok, vs := e.validates(n)
		st.Steps = append(st.Steps, vs)
		if ok {
			valid = append(valid, n)
		}
	}
	d := strings.ToLower(presentation(domain))
	pick := ""
	for _, n := range valid {
		if n == d {
			pick = n
		}
	}
	for _, n := range valid {
		if pick == "" && within(n, d) {
			pick = n
		}
	}
	if pick == "" && len(valid) > 0 {
		pick = valid[0]
	}
	st.Detail = fmt.Sprintf("PTR %s: %s", strings.TrimSuffix(q.Name, "."), answersText(q))
	if pick == "" {
		st.Explain = "no PTR name points back to the client address, so %{p} expands to \"unknown\""
		return "unknown", st
	}
	st.Explain = fmt.Sprintf("%%{p} expands to %s: validated names equal to or under %s are preferred", pick, domain)
	return pick, st
}

// explanation computes the explanation string of exp= for a fail (RFC 7208
// §6.2). Any problem means "as if there were no exp=".
func (e *evaluator) explanation(domain string, t *Term) (string, []trace.Step) {
	tg, pre := e.target(domain, t)
	st := trace.Step{Title: "Fetch explanation (" + t.Text + ")", Result: trace.Info, Ref: "RFC 7208 §6.2"}
	ignore := func(why string) (string, []trace.Step) {
		st.Explain = why + ", so the result carries no explanation from the domain, as if there were no exp="
		return "", append(pre, st)
	}
	if tg.problem != "" {
		st.Detail = tg.detail()
		return ignore("the explanation's name " + tg.problem)
	}
	q, err := e.lookup(presentation(tg.name), dns.TypeTXT)
	st.Query = q
	st.Detail = fmt.Sprintf("%s TXT %s: %s", tg.detail(), tg.name, answersText(q))
	switch {
	case err != nil:
		st.Detail = tg.detail()
		return ignore(failure(q, err))
	case len(q.Answers) == 0:
		return ignore("there is no TXT record there")
	case len(q.Answers) > 1:
		return ignore(fmt.Sprintf("there are %d TXT records there, and exp= needs exactly one", len(q.Answers)))
	}
	ms, perr := parseMacroString(q.Answers[0], ctxExplain)
	if perr != nil {
		return ignore("the explanation text is not valid: " + perr.Error())
	}
	env := e.env
	env.Domain = domain
	if ms.uses("p") {
		var vs trace.Step
		env.Validated, vs = e.validatedName(domain)
		st.Steps = append(st.Steps, vs)
	}
	text := ms.expandLeft(&env, maxExplanation)
	st.Detail = text
	st.Explain = fmt.Sprintf("%s publishes this explanation for failures; it is the domain's own text, not headercheck's, and may be misleading", domain)
	st.Ref = "RFC 7208 §6.2, §11.5.2"
	return text, append(pre, st)
}

// retryOr says what an exception means for the message: a retry for
// temperror, the operator's fix for permerror.
func retryOr(r trace.Result) string {
	if r == trace.TempError {
		return retryWords
	}
	return "Only the domain's operator can fix this"
}
