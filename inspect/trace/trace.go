// Package trace holds the plain data every check returns: a result, the
// steps that led to it, and the DNS exchanges behind those steps.
//
// The TUI, the text report and the JSON report all render these values, so
// they hold only strings, numbers and nested values — never error values or
// library objects — and the JSON names are those of the report contract
// (../shared/CONTRACT.md). The package imports nothing of ours.
package trace

import "encoding/json"

// Result is an outcome in the vocabulary of RFC 8601 §2.7, plus Info for
// steps that only report what was looked at.
type Result string

// The results a check or a step can have. Names and spelling are RFC 8601's.
const (
	Pass      Result = "pass"
	Fail      Result = "fail"
	SoftFail  Result = "softfail"
	Neutral   Result = "neutral"
	None      Result = "none"
	TempError Result = "temperror"
	PermError Result = "permerror"
	Policy    Result = "policy" // DKIM: valid, but a local policy does not accept it (RFC 8601 §2.7.1)
	Info      Result = "info"   // a step that reports, without deciding anything
	Warn      Result = "warn"   // a step that does not change the result but that an investigator must see
)

// Step is one thing a check did, in the order it did it.
type Step struct {
	Title   string `json:"title"`           // "Fetch SPF record for example.org"
	Result  Result `json:"result"`          // what this step found
	Detail  string `json:"detail"`          // what was looked at: the record, the term, the answer
	Explain string `json:"explain"`         // why that gave this result, in plain words
	Ref     string `json:"ref"`             // the deciding rule, e.g. "RFC 7208 §4.6.4"
	Query   *Query `json:"query,omitempty"` // the DNS exchange behind the step, if any
	Steps   []Step `json:"steps"`           // nested steps: an include, a redirect
}

// Outcome is a check's result and how it got there.
type Outcome struct {
	Result Result `json:"result"`
	Reason string `json:"reason"`
	Steps  []Step `json:"steps"`
}

// Rcode mnemonics used in Query.Rcode. The DNS ones are miekg/dns's names;
// Timeout and the others below are ours, for exchanges that got no usable
// answer at all.
const (
	RcodeNoError  = "NOERROR"
	RcodeNXDomain = "NXDOMAIN"
	RcodeServFail = "SERVFAIL"
	RcodeRefused  = "REFUSED"
	RcodeTimeout  = "TIMEOUT" // no answer came within the time allowed
	RcodeMissing  = "MISSING" // replaying a snapshot that does not hold this question
	RcodeError    = "ERROR"   // the exchange failed another way (network unreachable, malformed reply, loop)
)

// Query is one DNS question and what came back, as shown to the user and
// saved in the report's dns array.
type Query struct {
	Name    string   `json:"name"`    // fully qualified, with the trailing dot
	Type    string   `json:"type"`    // TXT, A, AAAA, MX, PTR
	Rcode   string   `json:"rcode"`   // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT, ...
	Answers []string `json:"answers"` // presentation form; TXT strings already joined
	Server  string   `json:"server"`  // host:port asked, "cache" never appears: see Cached
	RTTms   float64  `json:"rtt_ms"`  // round-trip time of the exchange that produced the answer
	Cached  bool     `json:"cached"`  // answered from this run's cache, not the network
	AD      bool     `json:"ad"`      // the resolver set Authenticated Data (DNSSEC-validated)

	CNAMEs []string `json:"cnames,omitempty"` // aliases followed to reach Answers, in order
	TTL    uint32   `json:"ttl,omitempty"`    // smallest TTL of the answer set
	Note   string   `json:"note,omitempty"`   // e.g. a cap that bit, a TCP retry, a snapshot miss
	// Replayed names the DNS snapshot (--dns-snapshot) the answer came
	// from: nothing was asked, and Server and RTTms are as recorded
	// when the snapshot was saved ("snapshot" and 0 for a hand-written
	// one). Empty for a live exchange.
	Replayed string `json:"replayed,omitempty"`
}

// NoData reports an answer that exists but holds nothing of the asked type
// (NOERROR with no answers).
func (q *Query) NoData() bool {
	return q != nil && q.Rcode == RcodeNoError && len(q.Answers) == 0
}

// NXDomain reports that the name does not exist.
func (q *Query) NXDomain() bool { return q != nil && q.Rcode == RcodeNXDomain }

// MarshalJSON writes an absent list of nested steps as [] rather than null,
// as the report contract shows it.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	if s.Steps == nil {
		s.Steps = []Step{}
	}
	return json.Marshal(plain(s))
}

// MarshalJSON writes absent answers as [] rather than null.
func (q Query) MarshalJSON() ([]byte, error) {
	type plain Query
	if q.Answers == nil {
		q.Answers = []string{}
	}
	return json.Marshal(plain(q))
}
