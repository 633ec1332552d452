// Package batch inspects every message of a source (an mbox, one message,
// the bundled lessons) with a pool of workers and hands the reports back
// strictly in source order, so that `headercheck --json big.mbox` streams one
// line per message, in mbox order, while later messages are still being
// inspected.
//
// The pool is bounded twice: Workers goroutines inspect, and at most Window
// messages are in flight (taken from the source but not yet handed to the
// caller). A slow message holds the writer back, and the window stops the
// workers from running arbitrarily far ahead of it, so memory stays the
// same however long the mbox is: Window reports and Workers messages at a
// time, never the mbox.
//
// All workers share the one Resolver of Options.Inspect; a run gives it a
// dnsx.Cache so that a domain's SPF, DKIM key and DMARC records are asked
// once for the whole mbox (RFC 2308 §5 negative answers included).
//
// A message that cannot be loaded (not mail, over a size limit, a read
// error) becomes a report that carries only Source and Error
// (inspect.Failed), as CONTRACT.md asks, and the run goes on. So does a
// message on which headercheck panics (a bug: while loading it,
// inspecting it outside the checks Inspect guards itself, or encoding
// its report): its report is inspect.Panicked's error report, and no
// worker dies with it, which would end the process. Only a cancelled
// context or an error from the caller's emit function stops a run.
package batch

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
)

// Source is where messages come from. *message.Source implements it; its
// Message must be safe to call from several goroutines at once (message.Source
// reads each message with ReadAt, which is).
type Source interface {
	Len() int
	Message(i int) (*message.Message, error)
}

var _ Source = (*message.Source)(nil)

// Options is how a run inspects its messages. Only Inspect.Resolver is
// required.
type Options struct {
	// Inspect are the options of every message. Their Resolver is shared
	// by all workers and must be safe for concurrent use (every dnsx
	// resolver is); OnUpdate is not used.
	Inspect inspect.Options

	// Name is the source's name for the reports of messages that could
	// not be loaded ("inbox.mbox", "stdin").
	Name string

	// Workers is how many messages are inspected at once; 0 means
	// runtime.GOMAXPROCS(0), the CPUs this process may use. DNS waits are
	// overlapped inside one message already (its checks run concurrently),
	// so more workers than CPUs buy little once the cache is warm.
	Workers int
	// Window is how many messages may be in flight ahead of the writer;
	// 0 means 4 per worker. It is raised to Workers if smaller, so that
	// every worker can be busy.
	Window int

	// Only, when > 0, inspects only message Only (1-based), as --message N.
	Only int

	// Encode, when set, turns each report into its output (a JSON line, a
	// text report) in the worker that inspected it, so the costly part of
	// writing runs in parallel and the writer only copies bytes. Its
	// result is Result.Out.
	Encode func(*inspect.Report) []byte
	// Append, when set, is Encode that appends the output to dst and
	// returns the extended slice (report.Encoder.AppendJSON): the run
	// hands it a buffer an earlier message's output was emitted from, so
	// the output of a long mbox is written through Window buffers
	// instead of a new one per message. Result.Out then lies in that
	// buffer and is valid only until emit returns. It wins over Encode.
	Append func(dst []byte, r *inspect.Report) []byte

	// Progress, when set, is called after each report is emitted, from the
	// goroutine that calls emit.
	Progress func(Progress)

	// Now is the clock of Progress and Stats; nil means time.Now.
	Now func() time.Time
}

// Result is one message's report, in source order.
type Result struct {
	Index  int             // 0-based position in the source
	Report *inspect.Report // never nil; Report.Error is set when the message could not be inspected
	// Out is Options.Encode(Report), when Encode is set. It is nil only
	// when Encode panicked on the report and then on the error report
	// that replaced it. With Options.Append it is valid only until emit
	// returns: the run writes a later message's output over it.
	Out []byte
}

// Progress is how far a run is.
type Progress struct {
	Done    int           // reports emitted so far
	Total   int           // reports the run will emit
	Elapsed time.Duration // since the run started
}

// Rate is messages per second so far, 0 before anything is done.
func (p Progress) Rate() float64 {
	if p.Done == 0 || p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// ETA is the time the rest should take at the rate so far; 0 when done
// or unknown.
func (p Progress) ETA() time.Duration {
	r := p.Rate()
	if r == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done) / r * float64(time.Second))
}

// Stats is what a run did.
type Stats struct {
	Emitted   int           // reports handed to emit
	Inspected int           // of which had no Error
	Errors    int           // of which carried Error
	Elapsed   time.Duration // from the start of the run to its end
}

// ErrNoSuchMessage means Options.Only names a message the source does not
// have.
var ErrNoSuchMessage = errors.New("batch: no such message")

// Run inspects the messages of src and calls emit with each report in
// source order, from one goroutine. It returns when every report was
// emitted, when emit returns an error (which Run returns), or when ctx ends
// (ctx.Err()); in every case all of its goroutines have ended.
func Run(ctx context.Context, src Source, opts Options, emit func(Result) error) (Stats, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	first, last := 0, src.Len()-1
	if opts.Only > 0 {
		if opts.Only > src.Len() {
			return Stats{}, ErrNoSuchMessage
		}
		first, last = opts.Only-1, opts.Only-1
	}
	total := last - first + 1
	if total <= 0 {
		return Stats{}, nil
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, total)
	window := opts.Window
	if window <= 0 {
		window = 4 * workers
	}
	window = min(max(window, workers), total)

	if opts.Inspect.Checks == nil {
		// Goroutines for the checks of the run, whose stacks stay grown
		// from one message to the next: up to four checks run beside
		// each message's DKIM.
		checks := inspect.NewChecks(4 * workers)
		defer checks.Close()
		opts.Inspect.Checks = checks
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The reorder buffer. Message i goes to slot i % window; a slot is
	// free again once the writer took its report, and the dispatcher
	// hands out message i only after taking one of window tokens, which
	// the writer gives back as it emits. So at most window messages are
	// in flight and no two of them share a slot. Each slot holds one
	// result, so a worker never waits on the writer.
	slots := make([]chan Result, window)
	for i := range slots {
		slots[i] = make(chan Result, 1)
	}
	// With Append, each slot also keeps the buffer its last output was
	// emitted from, for the next message of the slot. The writer puts it
	// back after emit and before giving back the window token that lets
	// the dispatcher hand out that next message, so the worker that takes
	// it finds it there.
	var bufs [][]byte
	if opts.Append != nil {
		bufs = make([][]byte, window)
	}
	tokens := make(chan struct{}, window)
	for range window {
		tokens <- struct{}{}
	}
	jobs := make(chan int)

	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for i := first; i <= last; i++ {
			select {
			case <-tokens:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				var buf []byte
				if bufs != nil {
					buf = bufs[i%window]
				}
				res, ok := inspectOne(ctx, src, i, opts, buf)
				if !ok {
					return // ctx ended: nobody will read the slot
				}
				slots[i%window] <- res
			}
		})
	}

	var st Stats
	err := func() error {
		for i := first; i <= last; i++ {
			var res Result
			select {
			case res = <-slots[i%window]:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := emit(res); err != nil {
				return err
			}
			if bufs != nil && cap(res.Out) <= maxKept {
				bufs[i%window] = res.Out[:0]
			}
			st.Emitted++
			if res.Report.Error != "" {
				st.Errors++
			} else {
				st.Inspected++
			}
			tokens <- struct{}{}
			if opts.Progress != nil {
				opts.Progress(Progress{Done: st.Emitted, Total: total, Elapsed: now().Sub(start)})
			}
		}
		return nil
	}()
	cancel()
	wg.Wait()
	st.Elapsed = now().Sub(start)
	return st, err
}

// maxKept is the largest output buffer a run keeps for the next message
// of its slot: a rare huge report is not held on to for the rest of the
// run.
const maxKept = 1 << 20

// inspectOne loads, inspects and encodes message i, appending to buf with
// Options.Append. ok is false only when ctx ended, in which case the
// result is not to be used. A panic on the way becomes the message's
// error report: the worker, and so the run, goes on.
func inspectOne(ctx context.Context, src Source, i int, opts Options, buf []byte) (res Result, ok bool) {
	res.Index = i
	summary := message.SummaryOf(opts.Name, i+1)
	defer func() {
		if p := recover(); p != nil {
			res.Report = inspect.Panicked(summary, p)
			res.Out = encodeError(opts, res.Report, buf)
			ok = ctx.Err() == nil
		}
	}()
	if ctx.Err() != nil {
		return res, false
	}
	m, err := src.Message(i)
	if err != nil {
		res.Report = inspect.Failed(summary, loadError(err))
	} else {
		summary = m.Summary()
		o := opts.Inspect
		o.OnUpdate = nil
		res.Report, err = inspect.Inspect(ctx, m, o)
		if ctx.Err() != nil {
			return res, false
		}
		if err != nil {
			// Inspect could not run at all (no resolver): the message
			// carries why, and the run goes on as the contract asks.
			res.Report = inspect.Failed(summary, err.Error())
		}
	}
	switch {
	case opts.Append != nil:
		res.Out = opts.Append(buf, res.Report)
	case opts.Encode != nil:
		res.Out = opts.Encode(res.Report)
	}
	// The report holds copies of what it shows, never the message's
	// bytes (TestReleaseKeepsReports poisons them to make sure), so the
	// source may read the next message into the same memory.
	if r, ok := src.(releaser); ok && m != nil {
		r.Release(m)
	}
	return res, true
}

// releaser is a Source that can reuse a message's memory once its report
// is made: *message.Source.
type releaser interface {
	Release(*message.Message)
}

// encodeError encodes the error report of a message headercheck panicked
// on. If Encode panics on that too, there is no output for the message,
// but the run goes on.
func encodeError(opts Options, rep *inspect.Report, buf []byte) (out []byte) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	switch {
	case opts.Append != nil:
		// What the panicking Append left in buf is not kept.
		return opts.Append(buf[:0], rep)
	case opts.Encode != nil:
		return opts.Encode(rep)
	}
	return nil
}

// loadError is the words of a loading error: message.Error's own message,
// which names no file (the report's source does), or the error itself.
func loadError(err error) string {
	var le *message.Error
	if errors.As(err, &le) && le.Msg != "" {
		return le.Msg
	}
	return err.Error()
}
