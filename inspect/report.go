package inspect

import (
	"encoding/json"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"time"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/receivers"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Report is everything headercheck found about one message: the plain data
// that the TUI, the text report and the JSON report all render. Its JSON
// form is the per-message object of ../shared/CONTRACT.md, key for key;
// keys the contract does not name are additions after them.
//
// A Report is never modified after Inspect (or WhatIf) returns it, and the
// partial reports handed to Options.OnUpdate are never modified after they
// are handed over, so any of them may be read from another goroutine.
type Report struct {
	Source message.Summary // source

	// Chain is the Received walk: its Hops are received, Boundary is
	// boundary, Envelope is envelope (what SPF was evaluated for, with the
	// --ip/--helo/--mail-from overrides applied), and its Steps say how the
	// boundary and the envelope were decided.
	Chain received.Chain

	IPRev iprev.Result // iprev: reverse DNS of the boundary client
	SPF   spf.Result   // spf: the MAIL FROM identity (or HELO, for the null sender)
	// SPFHELO is the HELO identity checked on its own (RFC 7208 §2.3), nil
	// when there was no HELO name to check. It is an addition: spf_helo.
	SPFHELO   *spf.Result
	DKIM      []dkim.Signature // dkim: one per DKIM-Signature, in header order
	DMARC     dmarc.Result     // dmarc: both standards; Standard says which decided
	Verdict   Verdict          // verdict
	Recorded  Recorded         // recorded: what the receivers wrote, and where the replay differs
	ARC       arc.Result       // arc: the ARC chain (RFC 8617)
	Receivers []Receiver       // receivers: the receivers' own verdict headers
	DNS       []trace.Query    // dns: every exchange this message caused, in the order asked
	// Reporting is DMARC's reporting side for the message (RFC 9990): where
	// the domain owner asks for reports, whether a receiver may send them
	// there, and the aggregate-report record this message adds. nil when
	// it could not be worked out. An addition: reporting.
	Reporting *aggregate.Result

	// Error is set only when the bytes are not a mail message at all or
	// exceed a size limit; the other fields are then empty.
	Error string

	// At is the moment the checks were evaluated as of (DKIM x= and t=,
	// SPF %{t}), and AtSource says where it came from: "now", "--at",
	// "received[2] (boundary)" or "now (the boundary hop has no date)";
	// with Options.NowSource set, that name stands for "now" ("the
	// lesson's fixed time").
	At       time.Time
	AtSource string

	// Steps are the orchestrator's own steps: what loading noticed, when
	// the replay was evaluated as of, the DNS budget, anything that stopped
	// a check from running. The checks' steps are in their own results.
	Steps []trace.Step

	// Done lists the checks that have completed, in the order they did:
	// all of them in a final report, some in a partial one (OnUpdate).
	Done []Check

	state *replayState // what WhatIf needs to replay parts of this report
}

// Check names one of the checks Inspect runs, for progressive results.
type Check string

// The checks, in the order their results appear in the report.
const (
	CheckReceived  Check = "received"
	CheckIPRev     Check = "iprev"
	CheckSPF       Check = "spf"
	CheckSPFHELO   Check = "spf_helo"
	CheckDKIM      Check = "dkim"
	CheckDMARC     Check = "dmarc"
	CheckARC       Check = "arc"
	CheckReceivers Check = "receivers"
	CheckRecorded  Check = "recorded"
	CheckVerdict   Check = "verdict"
)

// Disposition is what a receiver that honours DMARC (and, with --trust-arc,
// ARC) does with the message.
type Disposition string

// The dispositions of the report's verdict (CONTRACT.md).
const (
	Deliver    Disposition = "deliver"
	Quarantine Disposition = "quarantine" // the spam folder
	Reject     Disposition = "reject"
)

// Verdict is the answer: would the message land in the inbox, the spam
// folder, or be rejected, and why. The contract's keys are disposition and
// reason; the rest are additions.
type Verdict struct {
	Disposition Disposition `json:"disposition"`
	// Reason is one line: what decided the disposition.
	Reason string `json:"reason"`
	// Story is a short plain account of the whole replay, a few
	// sentences a student can follow.
	Story string `json:"story"`
	// DecidedBy names what decided: "dmarc", "arc" (a trusted sealer
	// rescued it) or "none" (nothing applied; the receiver's own rules do).
	DecidedBy string `json:"decided_by"`
	// Standard is the DMARC standard that decided (rfc9989 or rfc7489).
	Standard dmarc.Standard `json:"standard"`
	// TempError is set when a DNS failure decided the outcome: a receiver
	// may instead defer the message and retry.
	TempError bool `json:"temperror"`
	// Signs are phishing signs in the message that no check turns into a
	// failure but that a reader should see (a display name naming another
	// domain, invisible or mixed-script characters in the From domain).
	Signs []Sign `json:"signs"`
	// ARC says what the ARC chain would change: with --trust-arc, whether
	// a trusted sealer rescued the message; without it, what a receiver
	// trusting the sealer would do. "" when the message has no ARC chain.
	ARC string `json:"arc,omitempty"`
	// Steps show how the verdict was reached, each with its rule.
	Steps []trace.Step `json:"steps"`
}

// Sign is one phishing sign found in the message.
type Sign struct {
	Kind    string `json:"kind"`    // "display_name_domain", "from_domain_characters", ...
	Detail  string `json:"detail"`  // what was seen, e.g. the display name
	Explain string `json:"explain"` // why it matters, in plain words
}

// Recorded is what the receiving servers wrote in Authentication-Results
// and ARC-Authentication-Results at delivery, and where the replay
// disagrees with it.
type Recorded struct {
	AuthenticationResults []recorded.Header     `json:"authentication_results"`
	Differences           []recorded.Difference `json:"differences"`
}

// Receiver is one receiver's own verdict header (Microsoft's
// X-Forefront-Antispam-Report, SpamAssassin's X-Spam-Status, ...), decoded
// by package receivers, with whether it can be trusted.
type Receiver = receivers.Header

// reportJSON is the contract's key order, then our additions.
type reportJSON struct {
	Source    message.Summary   `json:"source"`
	Envelope  received.Envelope `json:"envelope"`
	Received  []received.Hop    `json:"received"`
	Boundary  int               `json:"boundary"`
	IPRev     iprev.Result      `json:"iprev"`
	SPF       spf.Result        `json:"spf"`
	DKIM      []dkim.Signature  `json:"dkim"`
	DMARC     dmarc.Result      `json:"dmarc"`
	Verdict   Verdict           `json:"verdict"`
	Recorded  Recorded          `json:"recorded"`
	ARC       arc.Result        `json:"arc"`
	Receivers []Receiver        `json:"receivers"`
	DNS       []trace.Query     `json:"dns"`

	SPFHELO       *spf.Result       `json:"spf_helo,omitempty"`
	At            string            `json:"at"`
	AtSource      string            `json:"at_source"`
	BoundarySteps []trace.Step      `json:"boundary_steps"`
	AutoBoundary  int               `json:"auto_boundary"`
	Transit       *float64          `json:"transit_seconds"`
	Receiving     []string          `json:"receiving_domains"`
	Origins       []received.Origin `json:"origins"`
	Steps         []trace.Step      `json:"steps"`
	Reporting     *aggregate.Result `json:"reporting,omitempty"`
}

// SPFLimits returns the RFC 7208 §4.6.4 limits the SPF checks of r ran
// under: Options.Limits.SPF (--spf-lookups, --spf-voids), a zero
// field taking the RFC's default, so a report can name the limit that
// applied rather than the RFC's 10. ok is false when r does not know: a
// partial report handed to Options.OnUpdate, or one not made by Inspect or
// WhatIf.
func (r *Report) SPFLimits() (lim spf.Limits, ok bool) {
	if r == nil || r.state == nil {
		return spf.Limits{}, false
	}
	lim = r.state.opts.Limits.SPF
	if lim.Lookups <= 0 {
		lim.Lookups = spf.DefaultLookups
	}
	if lim.Voids <= 0 {
		lim.Voids = spf.DefaultVoids
	}
	if lim.MXNames <= 0 {
		lim.MXNames = spf.DefaultMXNames
	}
	if lim.PTRNames <= 0 {
		lim.PTRNames = spf.DefaultPTRNames
	}
	if lim.Timeout <= 0 {
		lim.Timeout = spf.DefaultTimeout
	}
	return lim, true
}

// MarshalJSON writes the contract's object: every key present, absent
// lists as [] rather than null. A report that carries Error has only
// source and error, as the contract allows.
func (r Report) MarshalJSON() ([]byte, error) {
	if r.Error != "" {
		return json.Marshal(struct {
			Source message.Summary `json:"source"`
			Error  string          `json:"error"`
		}{r.Source, r.Error})
	}
	at := ""
	if !r.At.IsZero() {
		at = r.At.UTC().Format(time.RFC3339)
	}
	return json.Marshal(reportJSON{
		Source:        r.Source,
		Envelope:      r.Chain.Envelope,
		Received:      orEmpty(r.Chain.Hops),
		Boundary:      r.Chain.Boundary,
		IPRev:         r.IPRev,
		SPF:           r.SPF,
		DKIM:          orEmpty(r.DKIM),
		DMARC:         r.DMARC,
		Verdict:       r.Verdict,
		Recorded:      r.Recorded,
		ARC:           r.ARC,
		Receivers:     orEmpty(r.Receivers),
		DNS:           orEmpty(r.DNS),
		SPFHELO:       r.SPFHELO,
		At:            at,
		AtSource:      r.AtSource,
		BoundarySteps: orEmpty(r.Chain.Steps),
		AutoBoundary:  r.Chain.AutoBoundary,
		Transit:       r.Chain.Transit,
		Receiving:     orEmpty(r.Chain.Receiving),
		Origins:       orEmpty(r.Chain.Origins),
		Steps:         orEmpty(r.Steps),
		Reporting:     r.Reporting,
	})
}

// MarshalJSON writes absent lists as [] rather than null.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict
	v.Signs, v.Steps = orEmpty(v.Signs), orEmpty(v.Steps)
	return json.Marshal(plain(v))
}

// MarshalJSON writes absent lists as [] rather than null.
func (r Recorded) MarshalJSON() ([]byte, error) {
	type plain Recorded
	r.AuthenticationResults, r.Differences = orEmpty(r.AuthenticationResults), orEmpty(r.Differences)
	return json.Marshal(plain(r))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
