package dnsx

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Budget bounds all the DNS one message may cause (--timeout): every
// lookup through it ends by the same deadline, and a lookup asked after it
// passed is not sent. RFC 7208 §4.6.4 asks for such a limit on SPF
// evaluation (at least 20 seconds) and makes exceeding it a temperror; the
// other checks are bounded the same way, so nothing outlives the user's
// patience. A lookup the budget stopped returns ErrTimeout, rcode TIMEOUT
// and a Note saying that the budget ran out.
type Budget struct {
	Resolver Resolver
	Deadline time.Time     // zero: no budget, lookups pass through
	Total    time.Duration // what the budget was, for the notes
}

var _ Resolver = (*Budget)(nil)

// NewBudget returns a Budget of d from now in front of r; d <= 0 means no
// budget.
func NewBudget(r Resolver, d time.Duration) *Budget {
	b := &Budget{Resolver: r, Total: d}
	if d > 0 {
		b.Deadline = time.Now().Add(d)
	}
	return b
}

// Lookup asks the resolver behind b, within what is left of the budget.
func (b *Budget) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	if b.Deadline.IsZero() {
		return b.Resolver.Lookup(ctx, name, qtype)
	}
	if !time.Now().Before(b.Deadline) {
		fq, _ := Fqdn(name)
		q := &trace.Query{Name: fq, Type: TypeName(qtype), Answers: []string{}}
		q.Note = "not sent: " + b.words()
		return failed(q, fmt.Errorf("%w: %s", ErrTimeout, b.words()))
	}
	// A cached answer needs no deadline: making one costs a timer, and an
	// mbox run answers most lookups from its cache.
	if c, ok := b.Resolver.(*Cache); ok {
		if q, err, hit := c.cached(name, qtype); hit {
			return q, err
		}
	}
	bctx, cancel := context.WithDeadline(ctx, b.Deadline)
	defer cancel()
	q, err := b.Resolver.Lookup(bctx, name, qtype)
	if err != nil && ctx.Err() == nil && bctx.Err() != nil {
		if q == nil {
			fq, _ := Fqdn(name)
			q = &trace.Query{Name: fq, Type: TypeName(qtype), Answers: []string{}}
		}
		q.Rcode = trace.RcodeTimeout
		inner := q.Note
		if strings.HasPrefix(inner, "stopped") { // the layer below only saw its context end: say why
			inner = ""
		}
		q.Note = joinNotes([]string{inner, "stopped: " + b.words()})
		err = fmt.Errorf("%w: %s", ErrTimeout, b.words())
	}
	return q, err
}

func (b *Budget) words() string {
	return fmt.Sprintf("the DNS time budget of %s for this message ran out", b.Total)
}
