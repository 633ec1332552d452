package inspect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
)

// ErrNoReplay means a report passed to WhatIf did not come from Inspect
// (or WhatIf) in this process, so what a replay needs is not in it.
var ErrNoReplay = errors.New("inspect: the report holds nothing to replay (it did not come from Inspect)")

// WhatIf answers "what if": it replays the Received walk with opts'
// boundary (Options.Boundary) and envelope (Options.IP, HELO, MailFrom,
// where "" derives the value from the chain as the flags do), then the
// reverse DNS, SPF, DMARC, the recorded-results comparison and the verdict,
// and reuses base's DKIM results, which no envelope changes. The rest of
// opts applies as in Inspect (Resolver, Now, Standard, Timeout, OnUpdate);
// StrictDKIM and the DKIM limits do not, since DKIM is not verified again,
// and At affects only SPF's time macro. base is not modified.
func WhatIf(ctx context.Context, base *Report, opts Options) (*Report, error) {
	if base == nil || base.state == nil {
		return nil, ErrNoReplay
	}
	if opts.Resolver == nil {
		return nil, ErrNoResolver
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := *base.state
	st.chainIn.IP, st.chainIn.HELO, st.chainIn.MailFrom = opts.IP, opts.HELO, opts.MailFrom
	st.chainIn.Internal = opts.Internal
	o := opts
	o.OnUpdate = nil
	st.opts = o
	r := &run{opts: opts, now: now, state: &st}
	r.rep.Source = base.Source
	r.rep.Steps = append(slices.Clone(st.loadSteps), trace.Step{
		Title:   "What if: " + whatIfWords(opts),
		Result:  trace.Info,
		Explain: "This is a replay for another trust boundary or envelope than the message shows. SPF, DMARC and the verdict are evaluated again; the DKIM results are those of the first inspection, since the envelope does not change them.",
		Ref:     "RFC 7208 §4.1",
	})
	rep := r.safeRun(ctx)
	if rep.Error != "" {
		return rep, nil
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

func whatIfWords(o Options) string {
	var parts []string
	if o.Boundary != nil {
		parts = append(parts, fmt.Sprintf("boundary received[%d]", *o.Boundary))
	}
	if o.IP != "" {
		parts = append(parts, "client "+o.IP)
	}
	if o.HELO != "" {
		parts = append(parts, "HELO "+o.HELO)
	}
	switch o.MailFrom {
	case "":
	case "<>":
		parts = append(parts, "the null sender")
	default:
		parts = append(parts, "MAIL FROM "+o.MailFrom)
	}
	if len(parts) == 0 {
		return "the envelope the message shows"
	}
	return joinWords(parts)
}

func joinWords(p []string) string {
	switch len(p) {
	case 1:
		return p[0]
	case 2:
		return p[0] + " and " + p[1]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}
