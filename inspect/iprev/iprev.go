// Package iprev checks the "iprev" authentication method of RFC 8601 §3:
// the client address is looked up for names (PTR), and each name is looked
// up for addresses (A for IPv4, AAAA for IPv6); the check passes when one
// of those addresses is the client's — forward-confirmed reverse DNS. The
// result names are those of RFC 8601 §2.7.3.
//
// It also compares what DNS says now with the reverse DNS name the
// receiving server wrote in its Received header when the message arrived.
//
// Where it chooses, and why:
//
//   - At most MaxNames names of a PTR answer are looked up forward.
//     RFC 8601 §3 requires a limit and points to RFC 7208 §4.6.4, which
//     uses 10; the names beyond it are listed but not checked.
//   - The forward lookups stop at the first name that confirms the
//     address: RFC 8601 §3 passes when the client is among the addresses
//     of any name, so one is enough, and every further lookup is a query
//     the report would have to explain for nothing.
//   - Only the record type of the client's family is asked (A for an IPv4
//     client, AAAA for IPv6), as RFC 7208 §5 does for the same check: an
//     address of the other family can never be the client's. An
//     IPv4-mapped IPv6 client is checked as IPv4.
//   - A forward lookup that fails temporarily makes the result temperror
//     only when no other name confirms the address; a name that is not a
//     valid host name, or an answer too large to use, counts as a name that
//     does not point back.
//   - RFC 8601 §2.7.3 has no "none" for iprev, because every SMTP
//     connection has an address. A message whose headers name no client
//     address gets "none" here all the same, saying so: there was nothing to
//     evaluate, which is not a failure of the client.
package iprev

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// MaxNames is how many names of a PTR answer are looked up forward
// (RFC 8601 §3, after RFC 7208 §4.6.4).
const MaxNames = 10

// Result is an iprev evaluation, as the report's iprev object: result, ip,
// names and steps are the contract's; the others add detail.
type Result struct {
	Result    trace.Result `json:"result"`        // pass, fail, temperror, permerror (none when there is no address)
	IP        string       `json:"ip"`            // the client address, bare
	Names     []string     `json:"names"`         // the names the PTR lookup gave, without the trailing dot
	Confirmed []string     `json:"confirmed"`     // the names found to point back to the address
	Recorded  string       `json:"recorded_rdns"` // what the receiver wrote in its Received header
	Reason    string       `json:"reason"`        // the result in one plain sentence
	Steps     []trace.Step `json:"steps"`         // each lookup, with its DNS exchange
}

// MarshalJSON writes absent lists as [] rather than null.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	if r.Names == nil {
		r.Names = []string{}
	}
	if r.Confirmed == nil {
		r.Confirmed = []string{}
	}
	if r.Steps == nil {
		r.Steps = []trace.Step{}
	}
	return json.Marshal(plain(r))
}

// Check evaluates iprev for ip through resolver and compares the outcome
// with recordedRDNS, the name the receiving server wrote in the TCP-info of
// its Received header ("" when it wrote none, "unknown" when it found
// none). It does not fail: DNS trouble is a temperror result.
func Check(ctx context.Context, resolver dnsx.Resolver, ip netip.Addr, recordedRDNS string) Result {
	res := Result{Recorded: recordedRDNS}
	if !ip.IsValid() {
		res.Result = trace.None
		res.Reason = "no client address was found, so there is nothing to look up"
		res.Steps = append(res.Steps, trace.Step{
			Title:   "No client address to check",
			Result:  trace.None,
			Explain: "iprev looks up the address the message came from, but the headers name none. Give one with --ip to check it.",
			Ref:     "RFC 8601 §3",
		})
		return res
	}
	ip = ip.Unmap().WithZone("")
	res.IP = ip.String()
	// The PTR step, a forward lookup and the comparison: the steps of
	// most checks, in one slice made once.
	res.Steps = make([]trace.Step, 0, 3)

	ptrName, _ := dns.ReverseAddr(res.IP)
	q, err := resolver.Lookup(ctx, ptrName, dns.TypePTR)
	ptr := trace.Step{
		Title: "Look up the name of " + res.IP + " (PTR)",
		Query: q,
		Ref:   "RFC 8601 §2.7.3",
	}
	switch {
	case err != nil && dnsx.IsTemporary(err):
		ptr.Result = trace.TempError
		ptr.Detail = dnsWords(q, err)
		if dnsx.NotInSnapshot(q, err) {
			ptr.Explain = fmt.Sprintf("The DNS snapshot being replayed holds no answer for the reverse DNS (PTR) lookup of %s, so this replay cannot tell which names it has; iprev is temperror, as for any lookup that got no answer. Replay against live DNS, or with a snapshot that holds this answer, to see the result.", res.IP)
			res.Steps = append(res.Steps, ptr)
			return res.finish(trace.TempError, fmt.Sprintf("the DNS snapshot holds no answer for the reverse lookup of %s, so the replay cannot tell", res.IP))
		}
		ptr.Explain = fmt.Sprintf("The reverse DNS (PTR) lookup of %s got no usable answer, so it is not known which names it has. That is temporary: a later attempt may give a result, so iprev is temperror, and a receiver that requires iprev answers with a temporary error so that the sender tries again later.", res.IP)
		res.Steps = append(res.Steps, ptr)
		return res.finish(trace.TempError, fmt.Sprintf("the reverse lookup of %s got no answer (%s); a later attempt may give a result", res.IP, dnsWords(q, err)))
	case err != nil:
		ptr.Result = trace.PermError
		ptr.Detail = dnsWords(q, err)
		ptr.Explain = fmt.Sprintf("The reverse DNS (PTR) lookup of %s gave an answer that cannot be used; asking again gives the same, so iprev is permerror.", res.IP)
		res.Steps = append(res.Steps, ptr)
		return res.finish(trace.PermError, fmt.Sprintf("the reverse lookup of %s gave an answer that cannot be used", res.IP))
	case dnsx.IsNotFound(q):
		ptr.Result = trace.PermError
		ptr.Detail = rcode(q)
		ptr.Explain = fmt.Sprintf("No PTR record (the reverse DNS that gives an address its name) is published for %s (%s), so it has no name to confirm. A later attempt is unlikely to change that, so iprev is permerror. Well-run mail servers have one; home connections and throwaway servers often do not.", res.IP, describeNotFound(q))
		res.Steps = append(res.Steps, ptr)
		return res.finish(trace.PermError, fmt.Sprintf("no PTR record is published for %s", res.IP))
	}
	res.Names = names(q.Answers)
	ptr.Result = trace.Info
	ptr.Detail = strings.Join(res.Names, ", ")
	ptr.Explain = "The reverse DNS (PTR) lookup of " + res.IP + " gives " + countNames(len(res.Names)) + ". Whoever controls the reverse DNS of an address can write any name there, so " +
		plural(len(res.Names), "that name is", "each name is") + " now looked up forward, to see whether it leads back to " + res.IP + "."
	res.Steps = append(res.Steps, ptr)

	qtype, typeName := dns.TypeA, "A"
	if ip.Is6() {
		qtype, typeName = dns.TypeAAAA, "AAAA"
	}
	sawTemp, sawMissing := false, false
	checked := 0
	for i, name := range res.Names {
		if i >= MaxNames {
			break
		}
		checked++
		fq, ferr := resolver.Lookup(ctx, name, qtype)
		st := trace.Step{
			Title: "Does " + name + " point back to " + res.IP + "? (" + typeName + ")",
			Query: fq,
			Ref:   "RFC 8601 §2.7.3",
		}
		switch {
		case ferr != nil && dnsx.IsTemporary(ferr):
			sawTemp = true
			st.Result = trace.TempError
			st.Detail = dnsWords(fq, ferr)
			st.Explain = fmt.Sprintf("The lookup of %s got no usable answer, so it is not known whether it points back. That is temporary: a later attempt may give a result.", name)
			if dnsx.NotInSnapshot(fq, ferr) {
				sawMissing = true
				st.Explain = fmt.Sprintf("The DNS snapshot being replayed holds no answer for %s, so this replay cannot tell whether it points back. Replay against live DNS, or with a snapshot that holds this answer, to see the result.", name)
			}
		case ferr != nil:
			st.Result = trace.Fail
			st.Detail = dnsWords(fq, ferr)
			st.Explain = fmt.Sprintf("The name %s cannot be looked up (%s), so it does not confirm the address.", name, dnsWords(fq, ferr))
		case dnsx.IsNotFound(fq):
			st.Result = trace.Fail
			st.Detail = rcode(fq)
			st.Explain = fmt.Sprintf("The name %s has no %s record (%s): the forward lookup completed but produced no result, so this name does not confirm the address.", name, typeName, describeNotFound(fq))
		case contains(fq.Answers, ip):
			st.Result = trace.Pass
			st.Detail = strings.Join(fq.Answers, ", ")
			st.Explain = "The name " + name + " points to " + res.IP + ", the client's address: the reverse and forward lookups agree. That shows whoever runs the address also controls the name, not that the sender is who the From field says."
			// The one confirmed name (the loop stops at it), as a capped
			// window on Names rather than a slice of its own.
			res.Confirmed = res.Names[i : i+1 : i+1]
		default:
			st.Result = trace.Fail
			st.Detail = strings.Join(fq.Answers, ", ")
			st.Explain = fmt.Sprintf("The name %s points to %s, not to %s: whoever controls the reverse DNS of %s named a host that is somewhere else. Anyone can put any name in the reverse DNS of an address they run; to pass, they would also need to control the name's own DNS, which only its owner does.", name, strings.Join(fq.Answers, ", "), res.IP, res.IP)
		}
		res.Steps = append(res.Steps, st)
		if len(res.Confirmed) > 0 {
			break
		}
	}
	if rest := len(res.Names) - checked; rest > 0 {
		st := trace.Step{
			Title:  fmt.Sprintf("%d more %s not looked up", rest, plural(rest, "name", "names")),
			Result: trace.Info,
			Detail: strings.Join(res.Names[checked:], ", "),
			Ref:    "RFC 8601 §3",
		}
		if len(res.Confirmed) > 0 {
			st.Explain = "One name that points back is enough for iprev to pass, so the others were not asked about."
		} else {
			st.Explain = fmt.Sprintf("At most %d names are looked up: a limit is required, and this is the one RFC 7208 §4.6.4 sets for the same lookups, so that one address cannot make a receiver send unbounded queries.", MaxNames)
		}
		res.Steps = append(res.Steps, st)
	}

	switch {
	case len(res.Confirmed) > 0:
		return res.finish(trace.Pass, res.Confirmed[0]+", a name of "+res.IP+", points back to it: the reverse and forward lookups agree")
	case sawTemp && sawMissing:
		return res.finish(trace.TempError, fmt.Sprintf("no name of %s confirmed it, and the DNS snapshot holds no answer for a forward lookup, so the replay cannot tell", res.IP))
	case sawTemp:
		return res.finish(trace.TempError, fmt.Sprintf("no name of %s confirmed it, and a forward lookup failed for now; a later attempt may give a result", res.IP))
	}
	return res.finish(trace.Fail, fmt.Sprintf("none of the names of %s (%s) points back to it", res.IP, strings.Join(res.Names[:checked], ", ")))
}

// finish sets the result and adds the comparison with the name the
// receiver recorded.
func (res Result) finish(r trace.Result, reason string) Result {
	res.Result, res.Reason = r, reason
	res.Steps = append(res.Steps, res.compare())
	return res
}

// compare says whether the name the receiver wrote when the message
// arrived agrees with what DNS says now.
func (res Result) compare() trace.Step {
	rec := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(res.Recorded)), ".")
	st := trace.Step{
		Title:  "Compare with the name the receiver recorded",
		Result: trace.Info,
		Detail: "recorded: " + strconv.Quote(res.Recorded) + "; now: " + orNone(res.Names),
		Ref:    "RFC 5321 §4.4",
	}
	switch {
	case rec == "":
		st.Explain = "The receiving server wrote no reverse DNS name in its Received header (Exchange, Outlook.com and Gmail write only the address), so there is nothing to compare."
	case rec == "unknown" && len(res.Confirmed) > 0:
		st.Result = trace.Warn
		st.Explain = fmt.Sprintf("The receiving server wrote \"unknown\": when the message arrived it found no name that led back to %s, but now %s does. DNS has changed since, or the receiver's lookup failed at the time.", res.IP, res.Confirmed[0])
	case rec == "unknown":
		st.Explain = fmt.Sprintf("The receiving server wrote \"unknown\" (no name that leads back to %s), and DNS still gives none that does: the two agree.", res.IP)
	case slices.Contains(res.Names, rec):
		st.Explain = "The receiving server recorded " + rec + ", and the PTR lookup still gives it."
	case len(res.Names) == 0:
		st.Result = trace.Warn
		st.Explain = fmt.Sprintf("The receiving server recorded %s, but %s has no name now. DNS has changed since the message arrived, or the header was written by someone else.", rec, res.IP)
	default:
		st.Result = trace.Warn
		st.Explain = fmt.Sprintf("The receiving server recorded %s, but the PTR lookup now gives %s. DNS has changed since the message arrived, or the header was written by someone else.", rec, strings.Join(res.Names, ", "))
	}
	return st
}

// names turns PTR answers into host names: lowercase, no trailing dot,
// each once, in the order given.
func names(answers []string) []string {
	var out []string
	for _, a := range answers {
		n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a)), ".")
		// A linear search: an answer holds a few names (at most the
		// client's cap, 100), fewer than make a map pay.
		if n == "" || slices.Contains(out, n) {
			continue
		}
		if out == nil {
			out = make([]string, 0, len(answers))
		}
		out = append(out, n)
	}
	return out
}

func contains(answers []string, ip netip.Addr) bool {
	for _, a := range answers {
		if b, err := netip.ParseAddr(strings.TrimSpace(a)); err == nil && b.Unmap() == ip {
			return true
		}
	}
	return false
}

func rcode(q *trace.Query) string {
	if q == nil || q.Rcode == "" {
		return "no answer"
	}
	return q.Rcode
}

// dnsWords says why a lookup got no usable answer (dnsx.Failure), the
// rcode first, as the step's detail shows it.
func dnsWords(q *trace.Query, err error) string {
	code, words := dnsx.Failure(q, err)
	if code != "" {
		return code + ": " + words
	}
	return words
}

func describeNotFound(q *trace.Query) string {
	if q.NXDomain() {
		return "NXDOMAIN: the name does not exist"
	}
	return "NOERROR with no records of that type"
}

func countNames(n int) string {
	if n == 1 {
		return "one name"
	}
	return strconv.Itoa(n) + " names"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no name"
	}
	return strings.Join(names, ", ")
}
