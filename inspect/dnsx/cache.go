package dnsx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Bounds of the cache, used where CacheOptions leaves a field zero.
const (
	DefaultMinTTL      = 30 * time.Second // an answer is kept at least this long, so one message sees one answer
	DefaultMaxTTL      = time.Hour        // and at most this long, however large its TTL
	DefaultNegativeTTL = 5 * time.Minute  // NXDOMAIN/NODATA without an SOA to say how long (RFC 2308 §5)
	DefaultErrorTTL    = 10 * time.Second // timeouts, SERVFAIL, REFUSED: only briefly (RFC 2308 §7 allows up to 5 minutes)
	DefaultMaxEntries  = 100000
)

// CacheOptions tunes a Cache; zero fields take the defaults above.
type CacheOptions struct {
	MinTTL      time.Duration
	MaxTTL      time.Duration
	NegativeTTL time.Duration
	ErrorTTL    time.Duration // negative: errors are not cached at all
	MaxEntries  int
	Now         func() time.Time // the clock for expiry; nil means time.Now
}

// Cache answers repeated questions from memory for the whole run. It is
// safe for concurrent use. Identical questions asked while one is on the
// network wait for that one instead of asking again. Answers, including
// NXDOMAIN and NODATA, are kept for their TTL clamped to [MinTTL, MaxTTL];
// a negative answer without an SOA is kept for NegativeTTL; answers that
// failed (timeout, SERVFAIL, REFUSED, a CNAME loop, an answer over the caps)
// for ErrorTTL only. A lookup abandoned by everyone who asked is cancelled
// and not cached. A cached answer comes back with Cached set and the server
// and round-trip time of the exchange that fetched it; so does an answer
// shared with an identical query in flight, so that the answers with Cached
// unset are exactly the exchanges that went to the network.
type Cache struct {
	r       Resolver
	opt     CacheOptions
	now     func() time.Time
	entries sync.Map     // cacheKey -> *cacheEntry; reads take no lock and write no shared memory
	count   atomic.Int64 // entries stored, roughly: for MaxEntries
	sweep   sync.Mutex   // one eviction at a time

	mu      sync.Mutex
	flights map[cacheKey]*flight
}

type cacheKey struct {
	name  string
	qtype uint16
}

// cacheName is the name part of the Cache's key for name: its Fqdn
// without the root's dot, so that a name asked as checks ask it (lower
// case, without the dot) is its own key and a hit allocates nothing, where
// Fqdn would add the dot. ok is false when Fqdn refuses the name.
// Different Fqdns never share a key: every one ends in the dot removed.
func cacheName(name string) (key string, ok bool) {
	switch n := len(name); {
	case canonical(name):
		return name[:n-1], true
	case n >= 1 && n <= 253 && name[n-1] != '.' && canonicalLabels(name):
		return name, true // Fqdn(name) is name + "."
	}
	fq, err := fqdnSlow(name)
	if err != nil {
		return "", false
	}
	return fq[:len(fq)-1], true
}

type cacheEntry struct {
	q       trace.Query // Cached already set; slices capped so appends copy
	err     error
	expires int64 // unix nanoseconds
}

// flight is one question on the network and the callers waiting for it.
type flight struct {
	done    chan struct{}
	q       *trace.Query
	err     error
	waiters int
	cancel  context.CancelFunc
}

var _ Resolver = (*Cache)(nil)

// NewCache returns a Cache in front of r.
func NewCache(r Resolver, opt CacheOptions) *Cache {
	if opt.MinTTL <= 0 {
		opt.MinTTL = DefaultMinTTL
	}
	if opt.MaxTTL <= 0 {
		opt.MaxTTL = DefaultMaxTTL
	}
	opt.MaxTTL = max(opt.MaxTTL, opt.MinTTL)
	if opt.NegativeTTL <= 0 {
		opt.NegativeTTL = DefaultNegativeTTL
	}
	if opt.ErrorTTL == 0 {
		opt.ErrorTTL = DefaultErrorTTL
	}
	if opt.MaxEntries <= 0 {
		opt.MaxEntries = DefaultMaxEntries
	}
	c := &Cache{r: r, opt: opt, now: opt.Now, flights: map[cacheKey]*flight{}}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Lookup answers from the cache, or asks the resolver behind it once for
// all concurrent askers of the same question.
func (c *Cache) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	key, ok := cacheName(name)
	if !ok {
		return c.r.Lookup(ctx, name, qtype) // not sendable; let the resolver say so in its own words
	}
	k := cacheKey{key, qtype}
	if q, err, ok := c.hit(k); ok {
		return q, err
	}
	fq := key + "." // Fqdn(name), made only when the answer is not at hand
	if err := ctx.Err(); err != nil {
		q := &trace.Query{Name: fq, Type: TypeName(qtype), Answers: []string{}, Note: "not sent: " + cancelWords(err)}
		return failed(q, fmt.Errorf("%w: %w", ErrTimeout, err))
	}
	return c.wait(ctx, k, fq)
}

// hit returns a copy of the live answer cached for k, if there is one.
func (c *Cache) hit(k cacheKey) (*trace.Query, error, bool) {
	if v, ok := c.entries.Load(k); ok {
		if e := v.(*cacheEntry); c.now().UnixNano() < e.expires {
			q := new(trace.Query)
			*q = e.q
			return q, e.err, true
		}
	}
	return nil, nil, false
}

// cached returns what Lookup would return for a live cached answer, and
// false when Lookup would have to ask (or wait for) the resolver. A layer
// in front (Budget) answers from it without the context a lookup on the
// network needs.
func (c *Cache) cached(name string, qtype uint16) (*trace.Query, error, bool) {
	key, ok := cacheName(name)
	if !ok {
		return nil, nil, false
	}
	return c.hit(cacheKey{key, qtype})
}

// wait joins the flight for k, starting it if there is none; fq is the
// name asked, Fqdn of the name the caller gave.
func (c *Cache) wait(ctx context.Context, k cacheKey, fq string) (*trace.Query, error) {
	c.mu.Lock()
	f, joined := c.flights[k]
	if !joined {
		// The flight belongs to no single caller: one caller's deadline or
		// cancellation must not fail the others waiting for the same answer.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		c.flights[k] = f
		go c.fly(fctx, k, fq, f)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		c.leave(k, f)
		q := new(trace.Query)
		*q = *f.q
		q.Cached = q.Cached || joined
		return q, f.err
	case <-ctx.Done():
		c.leave(k, f)
		q := &trace.Query{Name: fq, Type: TypeName(k.qtype), Answers: []string{}}
		q.Note = "stopped waiting for the answer: " + cancelWords(ctx.Err())
		return failed(q, fmt.Errorf("%w: %w", ErrTimeout, ctx.Err()))
	}
}

// leave drops one waiter; the last one to give up cancels the lookup.
func (c *Cache) leave(k cacheKey, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		if c.flights[k] == f {
			delete(c.flights, k)
		}
	}
}

// fly asks the resolver for fq and stores the answer unless everyone
// gave up.
func (c *Cache) fly(ctx context.Context, k cacheKey, fq string, f *flight) {
	q, err := c.r.Lookup(ctx, fq, k.qtype)
	if q == nil {
		q = &trace.Query{Name: fq, Type: TypeName(k.qtype), Answers: []string{}}
	}
	q.Answers = q.Answers[:len(q.Answers):len(q.Answers)]
	q.CNAMEs = q.CNAMEs[:len(q.CNAMEs):len(q.CNAMEs)]
	if ctx.Err() == nil {
		if ttl := c.ttl(q, err); ttl > 0 {
			e := &cacheEntry{q: *q, err: err, expires: c.now().Add(ttl).UnixNano()}
			e.q.Cached = true
			c.store(k, e)
		}
	}
	c.mu.Lock()
	f.q, f.err = q, err
	if c.flights[k] == f {
		delete(c.flights, k)
	}
	c.mu.Unlock()
	close(f.done)
	f.cancel()
}

// ttl is how long to keep an answer; zero means not at all.
func (c *Cache) ttl(q *trace.Query, err error) time.Duration {
	if err != nil {
		if errors.Is(err, ErrBadName) || errors.Is(err, ErrNotInSnapshot) {
			return 0 // nothing was asked
		}
		return max(c.opt.ErrorTTL, 0)
	}
	d := time.Duration(q.TTL) * time.Second
	if len(q.Answers) == 0 && q.TTL == 0 {
		d = c.opt.NegativeTTL
	}
	return min(max(d, c.opt.MinTTL), c.opt.MaxTTL)
}

func (c *Cache) store(k cacheKey, e *cacheEntry) {
	if _, loaded := c.entries.Swap(k, e); !loaded {
		if c.count.Add(1) > int64(c.opt.MaxEntries) {
			c.evict()
		}
	}
}

// evict drops expired answers and, if that is not enough, arbitrary ones
// until the cache is back under MaxEntries. A run that asks this much is
// rare, and re-asking costs only time.
func (c *Cache) evict() {
	if !c.sweep.TryLock() {
		return // another caller is already at it
	}
	defer c.sweep.Unlock()
	now := c.now().UnixNano()
	c.entries.Range(func(k, v any) bool {
		if v.(*cacheEntry).expires <= now && c.entries.CompareAndDelete(k, v) {
			c.count.Add(-1)
		}
		return true
	})
	c.entries.Range(func(k, v any) bool {
		if c.count.Load() <= int64(c.opt.MaxEntries) {
			return false
		}
		if c.entries.CompareAndDelete(k, v) {
			c.count.Add(-1)
		}
		return true
	})
}

// Len is the number of answers held, expired ones included until they are
// swept.
func (c *Cache) Len() int { return int(c.count.Load()) }
