package dnsx

import (
	"context"
	"sync"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Recorder wraps a Resolver for one message: it keeps every exchange that
// message caused, in the order they were asked, for the report's dns array.
// The Resolver behind it (and its cache) may be shared by many messages.
type Recorder struct {
	Resolver Resolver

	mu      sync.Mutex
	queries []trace.Query
}

var _ Resolver = (*Recorder)(nil)

// NewRecorder returns a Recorder asking r.
func NewRecorder(r Resolver) *Recorder { return &Recorder{Resolver: r} }

// Lookup asks the wrapped resolver and records the exchange.
func (r *Recorder) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	q, err := r.Resolver.Lookup(ctx, name, qtype)
	if q != nil {
		r.mu.Lock()
		c := *q
		// The record shares the answers with the caller, who must not
		// change them in place (Resolver), capped so that an append on
		// either side copies; only the fields are copied.
		c.Answers = clip(q.Answers)
		c.CNAMEs = clip(q.CNAMEs)
		if r.queries == nil {
			// Most checks ask one or two questions (iprev's PTR and A, a
			// DKIM key or two, DMARC's record); SPF asks a few more. Room
			// for two from the start skips the first growth, and takes
			// fewer bytes than growing 1, 2, 4 for three.
			r.queries = make([]trace.Query, 0, 2)
		}
		r.queries = append(r.queries, c)
		r.mu.Unlock()
	}
	return q, err
}

// Queries returns a copy of the exchanges recorded so far.
func (r *Recorder) Queries() []trace.Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]trace.Query(nil), r.queries...)
}

// clip is s with no room to grow, and nil for an empty s, as the copy
// Recorder used to make (append([]string(nil), s...)) was.
func clip(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s):len(s)]
}
