// Package dmarc evaluates DMARC for one message under both RFC 9989 (May
// 2026, which obsoletes RFC 7489 and RFC 9091) and the older RFC 7489, and
// says step by step why each reached its answer.
//
// RFC 9989 finds the policy and the Organizational Domain with the DNS
// tree walk (§4.10); RFC 7489 takes the Organizational Domain from the
// Public Suffix List (§3.2) and asks _dmarc.<from>, then _dmarc.<org>
// (§6.6.3). Both run every time, sharing their _dmarc answers (Walker);
// Input.Standard picks the one whose answer decides, and Result.Other holds
// the other's.
//
// Where this package chooses or diverges:
//
//   - From: no From field, several From fields, or one From field naming
//     several addresses cannot pass. RFC 9989 §5.3.1 calls validation
//     impossible with zero or several domains; RFC 7489 §6.6.1 notes that
//     receivers typically reject such messages and, where a policy must
//     still be chosen, applies the strictest policy among the domains that
//     fail. headercheck reports fail, takes that strictest policy, and
//     gives the disposition reject. Several addresses in one domain go
//     beyond the RFCs, which count domains (OpenDMARC evaluates such a
//     message): headercheck fails it too, as Gmail refuses it, and shows
//     the one domain's own evaluation beside. A From field with no domain
//     (an empty group, an address literal) leaves DMARC nothing to
//     evaluate: result none (RFC 7489 §6.6.1 "ignored").
//   - Records: ParseRecord reads RFC 7489 records with go-msgauth where it
//     fits and RFC 9989 records itself (see there). Tag names and policy
//     words are matched case-insensitively (ABNF literals, RFC 5234 §2.3);
//     v=DMARC1 is case-sensitive. A repeated tag keeps its first value.
//   - The walk always runs to its end from the Author Domain, even when a
//     receiver could stop early (§4.10.2 lists when), so the report can
//     name the Organizational Domain. Identifiers outside the author's
//     Organizational Domain are not walked: they cannot share it. At most
//     ten identifiers per message are walked (a guard in the spirit of
//     §11.5); beyond that an identifier counts as not aligned, and says so.
//   - np needs to know whether the Author Domain exists (RFC 9989 §3.2.13,
//     Appendix A.4): one A query, where NXDOMAIN means it does not (RFC
//     8020) and any other answer means it does. It is asked only when the
//     applicable record has an np tag asking for something else than sp (or
//     p) does.
//   - pct (RFC 7489 §6.6.4) is a sampling rate. headercheck is
//     deterministic: pct=0 selects no message, so the next weaker policy
//     applies; any other pct evaluates the message as sampled, and the
//     steps state the share.
//   - DNS errors: a failed lookup that could change the answer makes the
//     result temperror (RFC 7489 §6.6.2; RFC 9989 §5.3.6 "neither pass nor
//     fail"), and a receiver may defer the message and retry. A
//     temperror of SPF or DKIM counts only when its identifier would have
//     aligned. A permanent DNS failure (an oversized answer) is permerror.
//   - A record whose p, sp or (RFC 9989) np is missing or invalid counts as
//     p=none when it names a valid rua address, and otherwise leaves DMARC
//     unapplied with result permerror (RFC 9989 §4.10.1, RFC 7489 §6.6.3
//     step 6, RFC 8601 / RFC 9989 §9.2 "improperly formatted record").
package dmarc

import (
	"context"
	"encoding/json"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Standard names the DMARC specification an answer follows.
type Standard string

// The two standards headercheck evaluates.
const (
	RFC9989 Standard = "rfc9989" // DMARC, May 2026: the DNS tree walk
	RFC7489 Standard = "rfc7489" // DMARC, March 2015: the Public Suffix List
)

// Policy is a Domain Owner Assessment Policy (RFC 9989 §4.7 p, sp, np).
type Policy string

// The policies, weakest first.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// weaker is the next weaker policy: what t=y (RFC 9989 §4.7) or an
// unsampled message under pct (RFC 7489 §6.6.4) gets.
func (p Policy) weaker() Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	default:
		return PolicyNone
	}
}

func (p Policy) rank() int {
	switch p {
	case PolicyReject:
		return 2
	case PolicyQuarantine:
		return 1
	}
	return 0
}

// Alignment is an identifier alignment mode (adkim, aspf).
type Alignment string

// The alignment modes of RFC 9989 §3.2.10 and RFC 7489 §3.1.
const (
	Relaxed Alignment = "r"
	Strict  Alignment = "s"
)

// Disposition is what a receiver that honours DMARC does with the message.
type Disposition string

// The dispositions of the report's verdict.
const (
	Deliver    Disposition = "deliver"
	Quarantine Disposition = "quarantine" // the spam folder
	Reject     Disposition = "reject"
)

// SPFResult is what the SPF check concluded, as DMARC needs it (RFC 9989
// §5.3.3).
type SPFResult struct {
	Result trace.Result // pass, fail, ...; "" when SPF was not run
	Domain string       // the domain SPF was evaluated for
	// Identity is "mailfrom" or "helo". DMARC relies solely on the MAIL FROM
	// identity (RFC 9989 §4.4.2); "helo" is accepted as the stand-in RFC
	// 7208 §2.4 makes of postmaster@<HELO> for a null MAIL FROM, so pass it
	// only for that case.
	Identity string
}

// DKIMResult is what the DKIM check concluded for one signature.
type DKIMResult struct {
	Result   trace.Result // pass, fail, policy, ... (only pass can align)
	Domain   string       // d=
	Selector string       // s=, for the trace
}

// Input is what Check needs.
type Input struct {
	Resolver dnsx.Resolver
	// From holds the raw value of every From header field of the message,
	// in header order (possibly folded).
	From []string
	SPF  SPFResult
	DKIM []DKIMResult // one per DKIM-Signature, in header order
	// Standard decides the answer: RFC9989 ("" means RFC9989) or RFC7489.
	// Both are evaluated either way.
	Standard Standard
	// Now is the evaluation time. No DMARC rule depends on the clock (the
	// records are asked for as they are now); it is here so every check
	// takes the same inputs, and a snapshot replay fixes it.
	Now time.Time
}

// Other is the answer of the standard that did not decide, as the report
// contract shows it beside the deciding one.
type Other struct {
	Standard     Standard     `json:"standard"`
	OrgDomain    string       `json:"org_domain"`
	RecordDomain string       `json:"record_domain"`
	Policy       Policy       `json:"policy"`
	Result       trace.Result `json:"result"`
}

// Result is the DMARC outcome for one message. Its JSON form is the
// report's dmarc object (CONTRACT.md): the fields tagged "-" are for the
// verdict, the text report and the TUI.
type Result struct {
	Result       trace.Result `json:"result"`
	Standard     Standard     `json:"standard"`
	FromDomain   string       `json:"from_domain"`
	OrgDomain    string       `json:"org_domain"`
	RecordDomain string       `json:"record_domain"`
	Record       string       `json:"record"`
	// Policy applies to this From domain after choosing p, sp or np and
	// after the t=y (RFC 9989) or pct (RFC 7489) downgrade.
	Policy      Policy       `json:"policy"`
	Testing     bool         `json:"testing"`
	Pct         *int         `json:"pct"`
	SPFAligned  bool         `json:"spf_aligned"`
	DKIMAligned bool         `json:"dkim_aligned"`
	Other       Other        `json:"other"`
	Steps       []trace.Step `json:"steps"`

	// Disposition is what a receiver that honours the deciding standard
	// does with the message; no policy, p=none, pass, permerror and
	// temperror all deliver.
	Disposition Disposition `json:"-"`
	// TempError is set when a DNS failure decided the outcome: a receiver
	// may instead defer the message and retry later.
	TempError bool `json:"-"`
	// Reason is one line: the result and the rule that gave it.
	Reason string `json:"-"`
	// Story is the DMARC part of the plain story of the message, e.g.
	// "From says paypal.com. SPF passed, but for mailer.evil.example, ...".
	Story string `json:"-"`
	// FromProblem says why there was no single Author Domain.
	FromProblem FromProblem `json:"-"`
	// Differ is set when the two standards disagree on the result, the
	// policy, the Organizational Domain or the record used.
	Differ bool `json:"-"`
	// Both evaluations in full, for side-by-side views.
	RFC9989 Evaluation `json:"-"`
	RFC7489 Evaluation `json:"-"`
}

// MarshalJSON writes no steps as [] rather than null.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	if r.Steps == nil {
		r.Steps = []trace.Step{}
	}
	return json.Marshal(plain(r))
}

// Evaluation is one standard's answer and how it got there.
type Evaluation struct {
	Standard     Standard
	Result       trace.Result
	FromDomain   string
	OrgDomain    string // "" when unknown (a failed walk) or none (a public suffix under RFC 7489)
	RecordDomain string
	Record       string
	PolicyTag    string // "p", "sp" or "np": which tag chose Requested
	Requested    Policy // the policy the record asks for this domain, before t=y / pct
	Policy       Policy // after t=y / pct; "none" when no policy applies
	Testing      bool   // t=y honoured (RFC 9989)
	Pct          *int   // pct of the record (RFC 7489), nil under RFC 9989 or without a policy
	SPFAligned   bool
	DKIMAligned  bool
	AlignedBy    string // the identifier that aligned first: the SPF domain or a d=
	Disposition  Disposition
	TempError    bool
	Reason       string
	Queried      []string // domains whose _dmarc name this evaluation needed, in order
	Steps        []trace.Step

	spf  idFact
	dkim []idFact
	// the record's alignment modes, "" before alignment was checked
	aspf, adkim Alignment
}

// idFact is one authenticated identifier as the story tells it.
type idFact struct {
	domain   string
	result   trace.Result
	selector string
	aligned  align
	mode     Alignment
	usable   bool // SPF was evaluated at all
}

// Check evaluates DMARC for a message. It never fails: DNS problems,
// broken records and malformed From fields are results, explained in the
// steps.
func Check(ctx context.Context, in Input) Result {
	std := in.Standard
	if std != RFC7489 {
		std = RFC9989
	}
	c := &checker{in: in, w: NewWalker(in.Resolver), walked: map[string]bool{}}
	return c.run(ctx, std)
}
