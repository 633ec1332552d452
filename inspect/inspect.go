// Package inspect replays the authentication of one message and reaches a
// verdict: it walks the Received chain to the trust boundary and derives
// the SMTP envelope (RFC 5321 §4.4), checks the boundary client's reverse
// DNS (RFC 8601 §2.7.3), replays SPF (RFC 7208) for the MAIL FROM and HELO
// identities, DKIM (RFC 6376, RFC 8301, RFC 8463) and the ARC chain (RFC
// 8617) concurrently, then DMARC (RFC 9989 beside RFC 7489), compares the
// replay with the Authentication-Results the receivers recorded (RFC 8601),
// decodes the receivers' own verdict headers, and says what a receiver that
// honours DMARC does with the message and why.
//
// Everything a check found is a result in the Report, never an error: a
// spoofed message is an ordinary report with disposition reject. DNS goes
// through the injected dnsx.Resolver, one per-message time budget bounds it
// (DefaultTimeout, 30 s, unless Options.Timeout says otherwise), and every
// exchange is recorded for the report's dns array; the clock is
// injected as well, so a replay from a DNS snapshot at a fixed time is
// reproducible.
//
// Where this package chooses:
//
//   - The report's dns array lists each check's exchanges together, in a
//     fixed order (iprev, SPF, SPF HELO, DKIM, ARC, DMARC), each check's in
//     the order it asked them, although the checks run concurrently: the
//     same message and the same DNS give the same report. Which check's
//     exchange was answered from the run's cache (cached) can still depend
//     on which asked first.
//   - SPF for the null sender: RFC 7208 §2.4 makes its MAIL FROM identity
//     postmaster@<HELO>, so spf is that check, with identity mailfrom and
//     the HELO name as its domain, and DMARC aligns that domain with From
//     (RFC 9989 §3.2.4). It is the same evaluation as the HELO identity,
//     so there is no separate spf_helo. With a MAIL FROM address, the HELO
//     identity is checked as well (RFC 7208 §2.3 says it SHOULD be) and
//     reported beside, as spf_helo; DMARC uses only the MAIL FROM result
//     (RFC 9989 §4.4.2).
//   - An unknown MAIL FROM (no readable Return-Path, no envelope-from in
//     the boundary hop, no --mail-from) is not taken for the null sender:
//     spf is none for the MAIL FROM identity, with a step saying why,
//     only the HELO identity is checked (spf_helo), and DMARC gets no SPF
//     result to align.
//   - "As of" time (Options.At, AtReceived): DKIM expiry (x=) and SPF's
//     %{t} are judged as of it; the Received walk always uses the clock
//     (Options.Now), so later hops do not look as if they come from the
//     future. DNS is always asked as it is now (or as the snapshot
//     recorded it). A fixed clock (a lesson, a test) is named by
//     Options.NowSource, so the report does not call it "now".
//   - ARC (RFC 8617 §7.2 leaves its use to local policy): with
//     Options.TrustARC, an intact chain whose oldest trusted sealer saw the
//     message authenticated (arc.RescueRule) turns a DMARC failure into
//     delivery; without it the verdict stays DMARC's and the story says
//     what a receiver trusting the sealer would do.
//   - DKIM keys in testing mode (t=y): RFC 6376 §3.6.1 says verifiers must
//     not treat mail from such a signer differently from unsigned mail, so
//     such a signature that verifies goes to DMARC as policy, not pass: it
//     neither rescues a message nor, failing, condemns it. RFC 7489 and
//     RFC 9989 do not mention DKIM's t=y flag (RFC 9989's own t=y is a
//     DMARC tag), and many receivers count the pass; the verdict's steps
//     say what such a receiver would do.
//   - Phishing signs (RFC 9989 §11.4 leaves the display name out of
//     DMARC's scope): the first From field is read as written, not only as
//     DMARC normalized it, since IDNA processing drops some invisible
//     characters from the domain, and its display name as decoded; a sign
//     is given for a display name naming another domain or a brand
//     (also spelled with look-alike characters), and for invisible,
//     direction-changing or mixed-script characters in the name or the
//     domain (Unicode Technical Standard #39 §5.2). See signs.go.
//   - The verdict follows the DMARC standard Options.Standard names. When
//     DMARC does not apply (no policy, a broken record, no author domain)
//     the disposition is deliver: DMARC asks nothing, so a receiver decides
//     by its own rules, and the story says that nothing vouches for the
//     From domain.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/receivers"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Options is how one message is inspected. The zero value of each field is
// the default; only Resolver is required.
type Options struct {
	// Resolver answers every DNS question. A run shares one (a
	// dnsx.Cache in front of a Client or a Snapshot) among its messages;
	// Inspect puts its own budget and recorders in front of it.
	Resolver dnsx.Resolver
	// DKIMKeys keeps parsed DKIM key records for the run, shared like
	// Resolver's cache: in an mbox most messages of a sender carry the
	// same key, and parsing it is most of a cache hit's cost. nil parses
	// each fetched record.
	DKIMKeys *dkim.KeyCache
	// Checks runs the checks a message starts beside each other (SPF,
	// reverse DNS, ARC) on goroutines kept for the run; nil starts a
	// goroutine for each. See Checks.
	Checks *Checks
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NowSource names where Now's time comes from when it is not the
	// real clock, in words a reader follows: "the lesson's fixed time",
	// "the test's fixed clock". The "Evaluated as of" step and
	// Report.AtSource then say so instead of "now". "" means the real
	// clock.
	NowSource string

	// At evaluates as of a fixed moment (--at TIME) instead of now.
	At time.Time
	// AtReceived evaluates as of the time the receiving side stamped at
	// the trust-boundary hop (--at received); when that hop has no date,
	// now is used and a step says so. It wins over At.
	AtReceived bool

	// Standard is the DMARC standard that decides the verdict (--dmarc):
	// dmarc.RFC9989 (the default) or dmarc.RFC7489. Both are evaluated.
	Standard dmarc.Standard
	// StrictDKIM makes a valid signature with l= count as policy instead
	// of a warned pass (--strict-dkim).
	StrictDKIM bool
	// TrustARC lists ARC sealer domains whose intact chain may rescue a
	// DMARC failure (--trust-arc).
	TrustARC []string

	// IP, HELO and MailFrom override what the Received chain and
	// Return-Path say (--ip, --helo, --mail-from); "" derives them.
	// MailFrom "<>" is the null sender.
	IP, HELO, MailFrom string
	// Boundary, when not nil, makes that hop (an index into the Received
	// headers, top first; -1 for none) the trust boundary instead of the
	// one the walk finds.
	Boundary *int
	// Internal lists extra domains that belong to the receiving side (an
	// inbound filtering service with another name).
	Internal []string

	// Timeout is the whole DNS budget of the message (--timeout): every
	// lookup it causes must be answered within Timeout of the start, and
	// one asked later is not sent and counts as a temporary error. Zero
	// means DefaultTimeout, so a silent DNS server cannot hold a message
	// (or an mbox run) for as long as its signatures and includes take
	// to time out one by one; a negative value means no budget beyond
	// each check's own limits (SPF's 20 s, each query's timeout).
	Timeout time.Duration
	// Limits bound the work one message may cause.
	Limits Limits

	// OnUpdate, when set, receives each check's result as it completes,
	// so a user interface can show checks streaming in. Calls come from
	// Inspect's goroutines but never overlap, and all of them happen
	// before Inspect returns. If it panics, it is not called again and
	// the report says so.
	OnUpdate func(Update)
}

// DefaultTimeout is the DNS budget of a message when Options.Timeout is
// zero. RFC 7208 §4.6.4 asks SPF to allow at least 20 seconds; the rest
// gives DKIM keys and DMARC's walk room after a slow SPF evaluation.
const DefaultTimeout = 30 * time.Second

// budget is the message's DNS budget, 0 for none.
func (o Options) budget() time.Duration {
	switch {
	case o.Timeout == 0:
		return DefaultTimeout
	case o.Timeout < 0:
		return 0
	}
	return o.Timeout
}

// Limits bound one message's checks. A zero field takes the default of
// the package that applies it.
type Limits struct {
	SPF            spf.Limits // RFC 7208 §4.6.4 limits, per SPF check
	DKIMSignatures int        // DKIM signatures verified (dkim.DefaultMaxSignatures)
	ReceivedHops   int        // Received headers read (received.DefaultMaxHops)
}

// Update is one step of progress: which check just completed, and the
// report with every check completed so far. Report is a copy of its own;
// it is never modified afterwards.
type Update struct {
	Check  Check
	Report *Report
}

// ErrNoResolver means Options.Resolver is nil: no check could ask DNS.
var ErrNoResolver = errors.New("inspect: no DNS resolver")

// Inspect replays the authentication of m and reaches a verdict. A message
// that fails its checks is an ordinary report; an error means Inspect
// could not run at all: no message, no resolver, or ctx already done. When
// ctx ends while the checks run, the report so far is returned with
// ctx.Err(): lookups it stopped read as temperrors, so the report should
// not be taken as an answer.
//
// When m holds no header field at all it is not a mail message, and the
// report carries only Source and Error.
//
// A panic inside Inspect is a bug in headercheck and never ends the
// process: in one check it makes that check fail with a step saying so
// (the rest of the report stands), anywhere else the report carries only
// Source and Error (see Panicked).
func Inspect(ctx context.Context, m *message.Message, opts Options) (*Report, error) {
	if m == nil {
		return nil, errors.New("inspect: no message")
	}
	if opts.Resolver == nil {
		return nil, ErrNoResolver
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(m.Fields) == 0 {
		return Failed(m.Summary(), "not a mail message: no header field could be read"), nil
	}
	in := newRun(m, opts)
	rep := in.safeRun(ctx)
	if rep.Error != "" {
		return rep, nil
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

// Failed is the report of a message that could not be inspected at all:
// only its source and why, as the contract's error key.
func Failed(src message.Summary, why string) *Report {
	return &Report{Source: src, Error: why, Chain: received.Chain{Boundary: -1, AutoBoundary: -1}}
}

// replayState is what WhatIf needs to replay SPF, DMARC and the verdict
// for another boundary or envelope without the message.
type replayState struct {
	opts      Options // the options of the original run, OnUpdate dropped
	chainIn   received.Input
	from      []string
	headers   []recorded.Field
	rfields   []receivers.Field
	dkim      []dkim.Signature
	arc       arc.Result
	loadSteps []trace.Step
	// reused are the DNS exchanges of the checks WhatIf does not run
	// again, so its report's dns array still lists them.
	reused reusedQueries
}

// run is one Inspect or WhatIf call.
type run struct {
	opts  Options
	now   func() time.Time
	state *replayState

	raw []byte // the message, for DKIM; nil in WhatIf, which reuses the DKIM results

	mu  sync.Mutex
	rep Report
	// crashes are the panics the checks recovered (guard).
	crashes []crash
	// quiet is set once OnUpdate panicked: it is not called again.
	quiet bool
}

// safeRun is run, with a panic outside the checks' own guards (the
// Received walk, which the rest needs) turned into the message's error
// report. run waits for the goroutines it started even as a panic
// unwinds it, so none outlives the message.
func (r *run) safeRun(ctx context.Context) (rep *Report) {
	defer func() {
		if p := recover(); p != nil {
			rep = Panicked(r.rep.Source, p)
		}
	}()
	return r.run(ctx)
}

func newRun(m *message.Message, opts Options) *run {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	// The keys are written canonically (message.Field.Key), so Values
	// finds them without canonicalising them again.
	st := &replayState{
		from:      m.Values("From"),
		loadSteps: slices.Clone(m.Steps),
	}
	st.chainIn = received.Input{
		Received:                 m.Values("Received"),
		AuthenticationResults:    m.Values("Authentication-Results"),
		ARCAuthenticationResults: m.Values("Arc-Authentication-Results"),
		ReturnPath:               m.Values("Return-Path"),
		IP:                       opts.IP,
		HELO:                     opts.HELO,
		MailFrom:                 opts.MailFrom,
		Internal:                 opts.Internal,
		MaxHops:                  opts.Limits.ReceivedHops,
	}
	for _, name := range [...]struct{ key, name string }{
		{"X-Originating-Ip", "X-Originating-IP"}, {"X-Forwarded-For", "X-Forwarded-For"}, {"X-Sender-Ip", "X-Sender-IP"},
	} {
		for _, v := range m.Values(name.key) {
			st.chainIn.OriginatingIP = append(st.chainIn.OriginatingIP, received.Field{Name: name.name, Value: v})
		}
	}
	// Every field's raw text is a substring of one copy of the header,
	// not a string of its own.
	header := string(m.Header())
	st.headers = make([]recorded.Field, 0, len(m.Fields))
	st.rfields = make([]receivers.Field, 0, len(m.Fields))
	for i, f := range m.Fields {
		var raw string
		if end := f.Offset + len(f.Raw); f.Offset >= 0 && end <= len(header) && header[f.Offset:end] == string(f.Raw) {
			raw = header[f.Offset:end]
		} else {
			raw = string(f.Raw)
		}
		st.headers = append(st.headers, recorded.Field{Name: f.Name, Value: f.Value, Index: i})
		st.rfields = append(st.rfields, receivers.Field{Name: f.Name, Value: f.Value, Raw: raw, Pos: i})
	}
	o := opts
	o.OnUpdate = nil
	st.opts = o
	r := &run{opts: opts, now: now, state: st, raw: m.Raw}
	r.rep.Source = m.Summary()
	// Room for the steps run adds: the evaluation time, and rarely the
	// DNS budget and a crashed check's.
	r.rep.Steps = append(make([]trace.Step, 0, len(st.loadSteps)+2), st.loadSteps...)
	return r
}

// done records a completed check and hands a copy of the report so far to
// OnUpdate. set fills the check's part of the report under the lock.
//
// A panic in OnUpdate (the caller's code, in a check's goroutine) must not
// end the process either: it is recovered, OnUpdate is not called again,
// and the report gets a step saying so.
func (r *run) done(c Check, set func(*Report)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	set(&r.rep)
	r.rep.Done = append(r.rep.Done, c)
	if r.opts.OnUpdate != nil && !r.quiet {
		cp := r.rep
		cp.Done = slices.Clone(r.rep.Done)
		cp.Steps = slices.Clone(r.rep.Steps)
		cp.state = nil
		defer func() {
			if p := recover(); p != nil {
				r.quiet = true
				cr := crashOf("", p)
				st := cr.step()
				st.Explain = fmt.Sprintf("%s. This is a bug in headercheck, not something wrong with the message: showing the progress of the checks failed after %s, so the display stopped following them. The checks themselves ran as usual.", cr.words(), c)
				r.rep.Steps = append(r.rep.Steps, st)
			}
		}()
		r.opts.OnUpdate(Update{Check: c, Report: &cp})
	}
}

// recorders gives each check its own Recorder over the message's budget,
// so that the dns array can list them in a fixed order.
type recorders struct {
	budget budgetWatch
	mu     sync.Mutex
	by     [len(dnsOrder)]*dnsx.Recorder // by position in dnsOrder
}

// budgetWatch counts the lookups the message's DNS budget stopped, so the
// report can say that the budget, not a check's own limit, ran out.
type budgetWatch struct {
	*dnsx.Budget
	stopped atomic.Int64
}

func (w *budgetWatch) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	q, err := w.Budget.Lookup(ctx, name, qtype)
	if err != nil && ctx.Err() == nil && !w.Deadline.IsZero() && !time.Now().Before(w.Deadline) && errors.Is(err, dnsx.ErrTimeout) {
		w.stopped.Add(1)
	}
	return q, err
}

// ranOut is the step that says the budget ran out, and how to raise it.
func (w *budgetWatch) ranOut(explicit bool) (trace.Step, bool) {
	n := w.stopped.Load()
	if n == 0 {
		return trace.Step{}, false
	}
	whose := "headercheck's default budget"
	if explicit {
		whose = "the budget --timeout set"
	}
	lookups, was, them := "lookup", "was", "it"
	if n > 1 {
		lookups, was, them = "lookups", "were", "them"
	}
	return trace.Step{
		Title:  "DNS time budget ran out: " + w.Total.String(),
		Result: trace.TempError,
		Detail: fmt.Sprintf("%d %s stopped or not sent after %s", n, lookups, w.Total),
		Explain: fmt.Sprintf("Every DNS lookup this message causes must be answered within %s of the start (%s). That time ran out before every answer came: %d %s %s stopped or not sent, and each counts as a temporary DNS error (temperror), so the checks that needed %s could not finish, and a receiver would try again later (RFC 7208 §4.6.4 makes an SPF evaluation that runs out of time a temperror). A DNS server that answers slowly or not at all is the usual cause; --timeout raises the budget, e.g. --timeout 2m.",
			w.Total, whose, n, lookups, was, them),
		Ref: "RFC 7208 §4.6.4",
	}, true
}

func (rs *recorders) For(c Check) dnsx.Resolver {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rec := dnsx.NewRecorder(&rs.budget)
	rs.by[dnsIndex(c)] = rec
	return rec
}

// reusedQueries are the exchanges of the checks WhatIf reuses the
// results of: DKIM and ARC.
type reusedQueries struct{ dkim, arc []trace.Query }

func (q reusedQueries) of(c Check) []trace.Query {
	switch c {
	case CheckDKIM:
		return q.dkim
	case CheckARC:
		return q.arc
	}
	return nil
}

// dnsOrder is the order in which the checks' exchanges are listed.
var dnsOrder = [...]Check{CheckIPRev, CheckSPF, CheckSPFHELO, CheckDKIM, CheckARC, CheckDMARC, checkReporting}

// dnsIndex is the position of c in dnsOrder; every check that asks DNS
// is there.
func dnsIndex(c Check) int {
	for i, d := range dnsOrder {
		if d == c {
			return i
		}
	}
	panic("inspect: no DNS order for check " + string(c))
}

// checkReporting keys the DNS of DMARC's reporting side (the external
// destination check of RFC 9990 §4). It is not a check of its own in Done:
// it runs with the verdict.
const checkReporting Check = "reporting"

// Queries lists the exchanges of every check in dnsOrder. A check that
// did not ask this time (WhatIf reuses DKIM and ARC) lists those of the
// run whose results it reused, from reused.
func (rs *recorders) Queries(reused reusedQueries) []trace.Query {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	// Gathered first so that the list is made once, at its length.
	var parts [len(dnsOrder)][]trace.Query
	n := 0
	for i, c := range dnsOrder {
		if rec := rs.by[i]; rec != nil {
			parts[i] = rec.Queries()
		} else {
			parts[i] = reused.of(c)
		}
		n += len(parts[i])
	}
	if n == 0 {
		return nil
	}
	all := make([]trace.Query, 0, n)
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// of is the exchanges check c made, nil when it asked nothing.
func (rs *recorders) of(c Check) []trace.Query {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rec := rs.by[dnsIndex(c)]; rec != nil {
		return rec.Queries()
	}
	return nil
}

func (r *run) run(ctx context.Context) *Report {
	wall := r.now()
	st := r.state
	rs := &recorders{budget: budgetWatch{Budget: dnsx.NewBudget(r.opts.Resolver, r.opts.budget())}}
	if r.opts.Timeout > 0 {
		r.rep.Steps = append(r.rep.Steps, trace.Step{
			Title:   "DNS time budget: " + r.opts.Timeout.String(),
			Result:  trace.Info,
			Explain: fmt.Sprintf("Every DNS lookup this message causes must be answered within %s of the start; a lookup after that is not sent and counts as a temporary error. RFC 7208 asks for such a limit on SPF.", r.opts.Timeout),
			Ref:     "RFC 7208 §4.6.4",
		})
	}

	// The Received walk and the envelope (RFC 5321 §4.4).
	chain := r.analyze(wall)
	at, atSource, atStep := r.evaluationTime(chain, wall)
	r.done(CheckReceived, func(rep *Report) {
		rep.Chain = chain
		rep.At, rep.AtSource = at, atSource
		rep.Steps = append(rep.Steps, atStep)
	})

	// DKIM, reverse DNS and SPF do not depend on each other. WhatIf
	// reuses the DKIM results: nothing it changes affects them.
	var wg sync.WaitGroup
	// Even when a panic unwinds run (safeRun recovers it), no goroutine
	// may outlive the message, nor call OnUpdate after Inspect returned.
	defer wg.Wait()
	spfRes, helo := r.envelopeChecks(ctx, &wg, rs, chain, at)
	r.arcChecks(ctx, &wg, rs, chain, at)
	// DKIM runs here, beside the checks started above, rather than in a
	// goroutine of its own: RSA and the body hash need a deep stack, which
	// a new goroutine grows by copying for every message (2-3% of an mbox
	// run), while this goroutine's stack is grown once. guard recovers a
	// panic in it as in the others.
	sigs := st.dkim
	if r.raw != nil {
		sigs = guard(r, CheckDKIM, func() []dkim.Signature {
			return dkim.Verify(ctx, r.raw, dkim.Options{
				Resolver:      rs.For(CheckDKIM),
				Now:           at,
				Strict:        r.opts.StrictDKIM,
				MaxSignatures: r.opts.Limits.DKIMSignatures,
				Keys:          r.opts.DKIMKeys,
			})
		}, func(st trace.Step) []dkim.Signature {
			return []dkim.Signature{{Result: trace.PermError, Reason: st.Explain, Steps: []trace.Step{st}}}
		})
	}
	r.done(CheckDKIM, func(rep *Report) { rep.DKIM = sigs })
	wg.Wait()
	st.dkim = sigs
	if r.raw != nil {
		st.reused = reusedQueries{dkim: rs.of(CheckDKIM), arc: rs.of(CheckARC)}
	}

	r.finish(ctx, rs, chain, *spfRes, *helo, sigs, at)
	r.mu.Lock()
	defer r.mu.Unlock()
	// The run ends here, so its report is handed out in place rather than
	// copied (2.6 KB per message), and the message's bytes, a read buffer
	// the source reuses, are not held by it.
	r.raw = nil
	r.rep.state = st
	return &r.rep
}

// analyze walks the Received chain with the options' overrides and
// boundary.
func (r *run) analyze(wall time.Time) received.Chain {
	in := r.state.chainIn
	in.Now = wall
	chain := received.Analyze(in)
	if r.opts.Boundary != nil && *r.opts.Boundary != chain.Boundary {
		chain = chain.WithBoundary(*r.opts.Boundary)
	}
	return chain
}

// evaluationTime decides the moment the checks are judged as of. The time
// matters for a DKIM signature's creation time t= and expiry x= (RFC 6376
// §3.5) and SPF's %{t} macro (RFC 7208 §7.3); DNS is asked as it is.
func (r *run) evaluationTime(chain received.Chain, wall time.Time) (time.Time, string, trace.Step) {
	step := trace.Step{Title: "Evaluated as of", Result: trace.Info, Ref: "RFC 6376 §3.5; RFC 7208 §7.3"}
	const uses = "A DKIM signature's creation time (t=) and expiry (x=) and SPF's time macro %{t} are judged"
	clock := "now"
	if r.opts.NowSource != "" {
		clock = r.opts.NowSource
	}
	stamp := func(t time.Time, src string) string { return t.UTC().Format(time.RFC3339) + ", " + src }
	switch {
	case r.opts.AtReceived:
		if b := chain.Boundary; b >= 0 && b < len(chain.Hops) && !chain.Hops[b].At.IsZero() {
			at := chain.Hops[b].At
			src := fmt.Sprintf("received[%d] (boundary)", b)
			step.Detail = stamp(at, "from "+src)
			step.Explain = uses + " as of the moment the receiving side stamped the message at the trust boundary, as asked (--at received), so a signature that expired after delivery still counts as it did then. DNS answers are not turned back: they are what DNS (or the snapshot) says."
			return at, src, step
		}
		step.Result = trace.Warn
		step.Detail = stamp(wall, clock)
		step.Explain = fmt.Sprintf("--at received asks for the time the receiving side stamped at the trust boundary, but no boundary hop with a readable date was found, so the checks are judged as of %s instead.", clockWords(clock))
		return wall, clock + " (the boundary hop has no date)", step
	case !r.opts.At.IsZero():
		step.Detail = stamp(r.opts.At, "from --at")
		step.Explain = uses + " as of this moment, as asked (--at). DNS answers are not turned back: they are what DNS (or the snapshot) says."
		return r.opts.At, "--at", step
	}
	step.Detail = stamp(wall, clock)
	if r.opts.NowSource != "" {
		step.Explain = fmt.Sprintf("%s as of %s, not the real clock, so the replay gives the same answer whenever it runs. --at chooses another moment, --at received the moment of delivery.", uses, clock)
		return wall, clock, step
	}
	step.Explain = uses + " as of now, the moment of this run. --at chooses another moment, --at received the moment of delivery."
	return wall, clock, step
}

// clockWords is the clock's name inside a sentence.
func clockWords(clock string) string {
	if clock == "now" {
		return "now, the moment of this run"
	}
	return clock
}

// mailFromKind is what the replay knows of the SMTP MAIL FROM.
type mailFromKind int

const (
	mailFromAddress mailFromKind = iota // an address: Return-Path, the boundary hop or --mail-from
	mailFromNull                        // the null sender <> of a bounce or automatic reply
	mailFromUnknown                     // nothing says what it was
)

func mailFromOf(env received.Envelope) mailFromKind {
	switch {
	case env.DerivedFrom.MailFrom == "":
		return mailFromUnknown
	case env.MailFrom == "":
		return mailFromNull
	}
	return mailFromAddress
}

// envelopeChecks starts the checks that depend on the envelope (reverse
// DNS, SPF for MAIL FROM and HELO) on wg and returns where their results
// will be once wg is done.
// Checks keeps goroutines that run the checks of a run's messages, so
// their stacks, grown by the first message to the depth SPF and the others
// need, are not grown again by copying for every message (a new goroutine
// starts with a small stack: in an mbox run that copying cost as much as
// the reverse DNS check). A run makes one (NewChecks), passes it to every
// message through Options.Checks, and closes it at the end. When all of
// its goroutines are busy a check gets a goroutine of its own, so a slow
// DNS answer never holds up another check. It holds no result of a
// message: only idle goroutines.
type Checks struct {
	jobs chan checkJob
	wg   sync.WaitGroup
	once sync.Once
}

// checkJob is a check to run and the message's WaitGroup to mark it done
// in: passed as they are, they cost no closure around them.
type checkJob struct {
	f  func()
	wg *sync.WaitGroup
}

func (j checkJob) run() {
	defer j.wg.Done()
	j.f()
}

// NewChecks starts n goroutines (at least 1) for the checks of a run.
func NewChecks(n int) *Checks {
	c := &Checks{jobs: make(chan checkJob)}
	for range max(n, 1) {
		c.wg.Go(func() {
			for j := range c.jobs {
				j.run()
			}
		})
	}
	return c
}

// Close stops c's goroutines once the checks they run return. No message
// may be inspected with c after Close.
func (c *Checks) Close() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.jobs) })
	c.wg.Wait()
}

// goCheck runs f beside the caller, counted in wg: on an idle goroutine of
// Options.Checks when there is one, else on a new goroutine.
func (r *run) goCheck(wg *sync.WaitGroup, f func()) {
	if c := r.opts.Checks; c != nil {
		wg.Add(1)
		job := checkJob{f, wg}
		select {
		case c.jobs <- job:
			return
		default:
			go job.run()
			return
		}
	}
	wg.Go(f)
}

// envelopeRun is what the envelope checks share, in one allocation per
// message instead of one for each variable their closures capture.
type envelopeRun struct {
	chain received.Chain
	in    spf.Input
	mail  spf.Result
	helo  *spf.Result
}

func (r *run) envelopeChecks(ctx context.Context, wg *sync.WaitGroup, rs *recorders, chain received.Chain, at time.Time) (*spf.Result, **spf.Result) {
	e := &envelopeRun{chain: chain}
	env := &e.chain.Envelope
	kind := mailFromOf(*env)
	receiver := ""
	if b := chain.Boundary; b >= 0 && b < len(chain.Hops) {
		receiver = chain.Hops[b].By
	}
	e.in = spf.Input{
		IP:       env.Addr,
		Sender:   env.MailFrom,
		HELO:     env.HELO,
		Receiver: receiver,
		Now:      at,
		Limits:   r.opts.Limits.SPF,
	}
	r.goCheck(wg, func() {
		res := guard(r, CheckIPRev, func() iprev.Result {
			return r.checkIPRev(ctx, rs.For(CheckIPRev), e.chain)
		}, func(st trace.Step) iprev.Result {
			ip := ""
			if env.Addr.IsValid() {
				ip = env.Addr.Unmap().String()
			}
			return iprev.Result{Result: trace.PermError, IP: ip, Reason: st.Explain, Steps: []trace.Step{st}}
		})
		r.done(CheckIPRev, func(rep *Report) { rep.IPRev = res })
	})
	if kind == mailFromUnknown {
		e.mail = unknownMailFrom(*env)
		res := e.mail
		r.done(CheckSPF, func(rep *Report) { rep.SPF = res })
	} else {
		r.goCheck(wg, func() {
			in := e.in
			in.Resolver = rs.For(CheckSPF)
			// For the null sender Sender is "", which spf.Check
			// evaluates as postmaster@HELO, the MAIL FROM identity of
			// RFC 7208 §2.4.
			e.mail = guard(r, CheckSPF, func() spf.Result { return spf.Check(ctx, in) }, func(st trace.Step) spf.Result {
				return crashedSPF(in, spf.MailFrom, st)
			})
			if kind == mailFromNull {
				e.mail.Steps = append([]trace.Step{nullSenderStep(*env, e.mail)}, e.mail.Steps...)
			}
			res := e.mail
			r.done(CheckSPF, func(rep *Report) { rep.SPF = res })
		})
	}
	if kind != mailFromNull && heloIsDomain(env.HELO) {
		r.goCheck(wg, func() {
			in := e.in
			in.Resolver = rs.For(CheckSPFHELO)
			res := guard(r, CheckSPFHELO, func() spf.Result { return spf.CheckHELO(ctx, in) }, func(st trace.Step) spf.Result {
				return crashedSPF(in, spf.HELO, st)
			})
			e.helo = &res
			r.done(CheckSPFHELO, func(rep *Report) { rep.SPFHELO = &res })
		})
	}
	return &e.mail, &e.helo
}

// crashedSPF is the SPF result of a check that panicked (guard): a
// permerror that says headercheck failed, for the identity it was
// checking.
func crashedSPF(in spf.Input, id spf.Identity, st trace.Step) spf.Result {
	res := spf.Result{Result: trace.PermError, Identity: id, Sender: in.Sender, Explanation: st.Explain, Steps: []trace.Step{st}}
	if in.IP.IsValid() {
		res.ClientIP = in.IP.Unmap().String()
	}
	switch {
	case id == spf.HELO || in.Sender == "":
		res.Domain = in.HELO
	default:
		if i := strings.LastIndexByte(in.Sender, '@'); i >= 0 {
			res.Domain = in.Sender[i+1:]
		}
	}
	return res
}

// nullSenderStep says which identity the null sender's SPF check is.
func nullSenderStep(env received.Envelope, res spf.Result) trace.Step {
	st := trace.Step{
		Title:  "MAIL FROM <> (the null sender): checked as " + orWord(res.Sender, "postmaster@<HELO>"),
		Result: trace.Info,
		Detail: fmt.Sprintf("identity mailfrom, sender %s, domain %s, MAIL FROM from %s", orWord(res.Sender, "(none)"), orWord(res.Domain, "(none)"), env.DerivedFrom.MailFrom),
		Ref:    "RFC 7208 §2.4",
	}
	if heloIsDomain(env.HELO) {
		st.Explain = fmt.Sprintf("The envelope sender is empty, as for bounces and automatic replies. RFC 7208 §2.4 then defines the MAIL FROM identity as %s, so this is the MAIL FROM check (identity mailfrom) for the HELO name %s. It is the same evaluation as checking the HELO identity (RFC 7208 §2.3), so it is made once, and %s is the domain DMARC compares with From (RFC 9989 §3.2.4).", res.Sender, res.Domain, res.Domain)
	} else {
		st.Explain = fmt.Sprintf("The envelope sender is empty, as for bounces and automatic replies. RFC 7208 §2.4 then checks postmaster@ the HELO name, but the HELO name %q is not a domain, so there is no domain to check and SPF authenticates nothing for DMARC.", env.HELO)
	}
	return st
}

// unknownMailFrom is the SPF result for the MAIL FROM identity when the
// replay does not know the MAIL FROM: nothing to evaluate (RFC 7208
// §2.6.1, no domain could be extracted), and a step that says what was
// evaluated instead.
func unknownMailFrom(env received.Envelope) spf.Result {
	instead := "The HELO name was not checked either: the boundary hop records none that is a domain."
	if heloIsDomain(env.HELO) {
		instead = fmt.Sprintf("What was evaluated instead is the HELO identity, %s, on its own (spf_helo): a receiver may check it (RFC 7208 §2.3), but DMARC does not use it.", env.HELO)
	}
	explain := "The message carries no readable Return-Path and nothing else records the envelope sender, so the replay does not know what the sending server said in MAIL FROM. It is not taken for the null sender of a bounce (<>), which would be checked as postmaster@ the HELO name (RFC 7208 §2.4): nothing says it was one. So SPF for the MAIL FROM identity has no domain to evaluate (none, RFC 7208 §2.6.1), and DMARC, which uses only the MAIL FROM identity (RFC 9989 §4.4.2), gets no SPF result to align. " + instead + " Give the envelope sender with --mail-from (--mail-from '<>' for a bounce)."
	ip := ""
	if env.Addr.IsValid() {
		ip = env.Addr.Unmap().String()
	}
	return spf.Result{
		Result:      trace.None,
		Identity:    spf.MailFrom,
		ClientIP:    ip,
		Explanation: "The MAIL FROM is unknown (no Return-Path), so SPF was not evaluated for it; give it with --mail-from (RFC 7208 §2.4).",
		Steps: []trace.Step{{
			Title:   "MAIL FROM unknown: SPF not evaluated for it",
			Result:  trace.Warn,
			Detail:  "no Return-Path, no envelope-from in the boundary hop, no --mail-from",
			Explain: explain,
			Ref:     "RFC 7208 §2.4",
		}},
	}
}

// heloIsDomain reports whether a HELO name can be an SPF identity: a
// multi-label domain, not an address literal (RFC 7208 §2.3).
func heloIsDomain(h string) bool {
	h = strings.TrimSuffix(strings.TrimSpace(h), ".")
	if h == "" || strings.HasPrefix(h, "[") || !strings.Contains(h, ".") {
		return false
	}
	_, err := netip.ParseAddr(h)
	return err != nil
}

// finish runs what needs SPF and DKIM: DMARC, the recorded results and the
// verdict.
func (r *run) finish(ctx context.Context, rs *recorders, chain received.Chain, spfRes spf.Result, helo *spf.Result, sigs []dkim.Signature, at time.Time) {
	kind := mailFromOf(chain.Envelope)
	dres := guard(r, CheckDMARC, func() dmarc.Result {
		return dmarc.Check(ctx, dmarc.Input{
			Resolver: rs.For(CheckDMARC),
			From:     r.state.from,
			SPF:      dmarcSPF(spfRes, kind),
			DKIM:     dmarcDKIM(sigs),
			Standard: r.opts.Standard,
			Now:      at,
		})
	}, func(st trace.Step) dmarc.Result {
		std := r.opts.Standard
		if std == "" {
			std = dmarc.RFC9989
		}
		// No policy is known, so DMARC asks nothing (deliver), as for a
		// record that cannot be used; the verdict says why (decide).
		return dmarc.Result{Result: trace.PermError, Standard: std, Disposition: dmarc.Disposition(Deliver), Reason: st.Explain, Steps: []trace.Step{st}}
	})
	r.done(CheckDMARC, func(rep *Report) { rep.DMARC = dres })

	r.mu.Lock()
	iprev := r.rep.IPRev
	r.mu.Unlock()
	var crashStep *trace.Step
	rec := guard(r, CheckRecorded, func() Recorded {
		headers := recorded.Read(recorded.Input{Fields: r.state.headers, Chain: chain})
		diffs := recorded.Compare(headers, recorded.Replay{
			Chain: chain,
			SPF:   spfRes,
			HELO:  helo,
			DKIM:  sigs,
			DMARC: dres,
			IPRev: recorded.IPRev{Result: iprev.Result, IP: iprev.IP},

			NullSender:      kind == mailFromNull,
			UnknownMailFrom: kind == mailFromUnknown,
		})
		return Recorded{AuthenticationResults: headers, Differences: diffs}
	}, func(st trace.Step) Recorded {
		crashStep = &st
		return Recorded{}
	})
	r.done(CheckRecorded, func(rep *Report) {
		rep.Recorded = rec
		if crashStep != nil {
			rep.Steps = append(rep.Steps, *crashStep)
		}
	})

	r.mu.Lock()
	facts := r.rep
	crashes := slices.Clone(r.crashes)
	r.mu.Unlock()
	rawFrom := ""
	if len(r.state.from) > 0 {
		rawFrom = r.state.from[0]
	}
	v := guard(r, CheckVerdict, func() Verdict { return decide(facts, r.opts, rawFrom, crashes) }, func(st trace.Step) Verdict {
		return Verdict{
			Disposition: Deliver,
			Reason:      st.Detail + ": headercheck failed while reaching the verdict, so it gives none; please report it.",
			Story:       st.Explain,
			DecidedBy:   "none",
			Standard:    facts.DMARC.Standard,
			Steps:       []trace.Step{st},
		}
	})
	// The reporting side of DMARC needs the verdict (an ARC rescue shows
	// in the aggregate record).
	rp := guard(r, CheckVerdict, func() *aggregate.Result {
		m := facts.aggregateMessage(v)
		res := aggregate.Check(ctx, aggregate.Input{Report: &m, Resolver: rs.For(checkReporting)})
		return &res
	}, func(trace.Step) *aggregate.Result { return nil })
	ranOut, ok := rs.budget.ranOut(r.opts.Timeout > 0)
	if ok && v.TempError {
		v.Story += fmt.Sprintf(" The DNS time budget of %s for this message ran out before every answer came; --timeout raises it.", rs.budget.Total)
	}
	queries := rs.Queries(r.state.reused)
	if st, down := dnsUnreachable(queries); down {
		v.Steps = append([]trace.Step{st}, v.Steps...)
		v.Reason = "headercheck could not reach DNS (every question failed), so nothing was really checked. " + v.Reason
	}
	r.done(CheckVerdict, func(rep *Report) {
		rep.Verdict = v
		rep.Reporting = rp
		rep.DNS = queries
		if ok {
			rep.Steps = append(rep.Steps, ranOut)
		}
	})
}

// dmarcSPF is what DMARC needs of the SPF result: the SPF-authenticated
// identifier is the MAIL FROM identity's domain (RFC 9989 §4.4.2, RFC 7489
// §4.1), and for the null sender that identity is postmaster@HELO, whose
// domain is the HELO name (RFC 7208 §2.4, RFC 9989 §3.2.4): package dmarc
// takes Identity "helo" as that stand-in and says so in its step. An
// unknown MAIL FROM gives DMARC no SPF result at all, never the HELO
// identity's.
func dmarcSPF(s spf.Result, kind mailFromKind) dmarc.SPFResult {
	switch {
	case kind == mailFromUnknown, s.ClientIP == "":
		// With no client address SPF was not evaluated (its none says
		// so): DMARC must not read it as "publishes no SPF record".
		return dmarc.SPFResult{}
	case kind == mailFromNull:
		return dmarc.SPFResult{Result: s.Result, Domain: s.Domain, Identity: string(spf.HELO)}
	}
	return dmarc.SPFResult{Result: s.Result, Domain: s.Domain, Identity: string(spf.MailFrom)}
}

// dmarcDKIM is what DMARC needs of the DKIM results. A signature whose key
// is in testing mode (t=y) goes to DMARC as policy, never pass: RFC 6376
// §3.6.1 says verifiers must not treat mail from a signer in testing mode
// differently from unsigned mail, so such a signature must not rescue a
// message, and its failure already counts for no more than no signature.
// The verdict's steps say so (testingSteps).
func dmarcDKIM(sigs []dkim.Signature) []dmarc.DKIMResult {
	out := make([]dmarc.DKIMResult, 0, len(sigs))
	for _, s := range sigs {
		res := s.Result
		if s.Testing && res == trace.Pass {
			res = trace.Policy
		}
		out = append(out, dmarc.DKIMResult{Result: res, Domain: s.Domain, Selector: s.Selector})
	}
	return out
}

// checkIPRev checks the reverse DNS of the boundary client (RFC 8601
// §3), and compares it with the name the boundary hop recorded.
func (r *run) checkIPRev(ctx context.Context, res dnsx.Resolver, chain received.Chain) iprev.Result {
	recorded := ""
	if b := chain.Boundary; b >= 0 && b < len(chain.Hops) && chain.Hops[b].FromIP == chain.Envelope.ClientIP {
		recorded = chain.Hops[b].FromRDNS
	}
	return iprev.Check(ctx, res, chain.Envelope.Addr, recorded)
}

// arcChecks starts the ARC chain verification (RFC 8617 §5.2) and the
// decoding of the receivers' own verdict headers.
func (r *run) arcChecks(ctx context.Context, wg *sync.WaitGroup, rs *recorders, chain received.Chain, at time.Time) {
	if r.raw == nil { // WhatIf: the chain does not depend on the envelope
		res := r.state.arc
		r.done(CheckARC, func(rep *Report) { rep.ARC = res })
	} else {
		r.goCheck(wg, func() {
			res := guard(r, CheckARC, func() arc.Result {
				return arc.Verify(ctx, r.raw, arc.Options{Resolver: rs.For(CheckARC), Now: at})
			}, func(st trace.Step) arc.Result {
				// ARC has no permerror (RFC 8617 §4.4): a chain that
				// could not be validated is not intact.
				return arc.Result{Result: trace.Fail, Reason: st.Explain, Steps: []trace.Step{st}}
			})
			r.state.arc = res
			r.done(CheckARC, func(rep *Report) { rep.ARC = res })
		})
	}
	// The receivers' own verdict headers: no DNS, and their trust depends
	// on the boundary, so WhatIf decodes them again.
	var crashStep *trace.Step
	dec := guard(r, CheckReceivers, func() []receivers.Header {
		return receivers.Decode(receivers.Input{
			Fields:      r.state.rfields,
			Boundary:    boundaryField(r.state.headers, chain.Boundary),
			AuthServIDs: chain.Receiving,
		})
	}, func(st trace.Step) []receivers.Header {
		crashStep = &st
		return nil
	})
	r.done(CheckReceivers, func(rep *Report) {
		rep.Receivers = dec
		if crashStep != nil {
			rep.Steps = append(rep.Steps, *crashStep)
		}
	})
}

// boundaryField is the position among the header fields of the Received
// field of hop b (an index among the Received fields, top first); -1 when
// there is none.
func boundaryField(fields []recorded.Field, b int) int {
	if b < 0 {
		return -1
	}
	n := 0
	for _, f := range fields {
		if strings.EqualFold(f.Name, "Received") {
			if n == b {
				return f.Index
			}
			n++
		}
	}
	return -1
}
