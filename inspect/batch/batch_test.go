package batch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/batch"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
)

// TestOrder inspects a mixed mbox with several worker counts and windows
// and checks that reports come out in mbox order with the right verdicts,
// the broken message in the middle as an error line.
func TestOrder(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	ms := mixedMails(40, 17)
	src := source(t, ms)
	for _, c := range []struct{ workers, window int }{{1, 1}, {1, 0}, {2, 2}, {4, 0}, {8, 3}, {16, 64}} {
		t.Run(fmt.Sprintf("workers=%d,window=%d", c.workers, c.window), func(t *testing.T) {
			var got []batch.Result
			st, err := batch.Run(t.Context(), src, batch.Options{
				Inspect: inspectOptions(srv), Name: "test.mbox", Workers: c.workers, Window: c.window,
				Encode: func(r *inspect.Report) []byte { return []byte(r.Source.Subject) },
			}, func(r batch.Result) error {
				got = append(got, r)
				return nil
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(got) != len(ms) {
				t.Fatalf("got %d reports, want %d", len(got), len(ms))
			}
			for i, r := range got {
				if r.Index != i {
					t.Errorf("report %d has index %d", i, r.Index)
				}
				if ms[i].want == "" {
					if r.Report.Error == "" || r.Report.Source.Index != i+1 || r.Report.Source.File != "test.mbox" {
						t.Errorf("message %d: want an error report for test.mbox message %d, got %+v", i+1, i+1, r.Report.Source)
					}
					continue
				}
				if want := fmt.Sprintf("message %d", i+1); r.Report.Source.Subject != want || string(r.Out) != want {
					t.Errorf("report %d: subject %q, out %q, want %q", i, r.Report.Source.Subject, r.Out, want)
				}
				if r.Report.Verdict.Disposition != ms[i].want {
					t.Errorf("message %d: disposition %q, want %q (%s)", i+1, r.Report.Verdict.Disposition, ms[i].want, r.Report.Verdict.Reason)
				}
			}
			if st.Emitted != 40 || st.Errors != 1 || st.Inspected != 39 {
				t.Errorf("Stats = %+v, want 40 emitted, 1 error, 39 inspected", st)
			}
		})
	}
}

// TestAppend: with Options.Append every message's output is appended to
// a buffer that an earlier message of its window slot was emitted from,
// so a run goes through at most Window buffers, and each output is still
// its own message's.
func TestAppend(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	ms := make([]mail, 40)
	for i := range ms {
		ms[i] = deliverMail
		if i == 17 {
			ms[i] = brokenMail
		}
	}
	src := source(t, ms)
	for _, c := range []struct{ workers, window int }{{1, 1}, {2, 2}, {4, 0}, {8, 3}, {16, 64}} {
		t.Run(fmt.Sprintf("workers=%d,window=%d", c.workers, c.window), func(t *testing.T) {
			buffers := map[*byte]bool{}
			n := 0
			_, err := batch.Run(t.Context(), src, batch.Options{
				Inspect: inspectOptions(srv), Name: "test.mbox", Workers: c.workers, Window: c.window,
				// Subjects fit the 16 bytes a first append makes room for.
				Append: func(dst []byte, r *inspect.Report) []byte {
					if len(dst) != 0 {
						t.Errorf("message %d: Append got %q, want an empty buffer", r.Source.Index, dst)
					}
					return append(dst, fmt.Sprintf("%d:%s", r.Source.Index, r.Source.Subject)...)
				},
			}, func(r batch.Result) error {
				want := fmt.Sprintf("%d:message %d", r.Index+1, r.Index+1)
				if r.Index == 17 {
					want = "18:"
				}
				if string(r.Out) != want {
					t.Errorf("message %d: out %q, want %q", r.Index+1, r.Out, want)
				}
				buffers[&r.Out[:1][0]] = true
				n++
				return nil
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			window := c.window
			if window == 0 {
				window = 4 * c.workers
			}
			window = min(max(window, c.workers), n)
			if n != len(ms) || len(buffers) > window {
				t.Errorf("%d outputs in %d buffers, want %d outputs in at most %d", n, len(buffers), len(ms), window)
			}
		})
	}
}

// TestOnly inspects one message of an mbox, and refuses one it lacks.
func TestOnly(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	src := source(t, []mail{deliverMail, rejectMail, quarantineMail})
	var got []batch.Result
	_, err := batch.Run(t.Context(), src, batch.Options{Inspect: inspectOptions(srv), Only: 2}, func(r batch.Result) error {
		got = append(got, r)
		return nil
	})
	if err != nil || len(got) != 1 || got[0].Index != 1 || got[0].Report.Verdict.Disposition != inspect.Reject {
		t.Fatalf("Only 2: err %v, got %d results %+v", err, len(got), got)
	}
	_, err = batch.Run(t.Context(), src, batch.Options{Inspect: inspectOptions(srv), Only: 4}, func(batch.Result) error { return nil })
	if !errors.Is(err, batch.ErrNoSuchMessage) {
		t.Errorf("Only 4 of 3: err = %v, want ErrNoSuchMessage", err)
	}
}

// countingSource records how far ahead of the writer the workers read.
type countingSource struct {
	batch.Source
	highest atomic.Int64
}

func (c *countingSource) Message(i int) (*message.Message, error) {
	for {
		h := c.highest.Load()
		if int64(i) <= h || c.highest.CompareAndSwap(h, int64(i)) {
			break
		}
	}
	return c.Source.Message(i)
}

// TestWindow holds the writer back on every message and checks that the
// workers never take a message more than Window ahead of it.
func TestWindow(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	ms := make([]mail, 60)
	for i := range ms {
		ms[i] = deliverMail
	}
	src := &countingSource{Source: source(t, ms)}
	src.highest.Store(-1)
	const window = 5
	_, err := batch.Run(t.Context(), src, batch.Options{Inspect: inspectOptions(srv), Workers: 4, Window: window}, func(r batch.Result) error {
		time.Sleep(2 * time.Millisecond) // a slow writer
		if h := src.highest.Load(); h >= int64(r.Index+window) {
			t.Errorf("writing message %d while message %d was already taken: more than %d in flight", r.Index, h, window)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEmitError stops a run at the first write error and returns it.
func TestEmitError(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ms := make([]mail, 30)
	for i := range ms {
		ms[i] = deliverMail
	}
	broken := errors.New("write: broken pipe")
	n := 0
	st, err := batch.Run(t.Context(), source(t, ms), batch.Options{Inspect: inspectOptions(srv), Workers: 3}, func(batch.Result) error {
		n++
		if n == 4 {
			return broken
		}
		return nil
	})
	if !errors.Is(err, broken) || st.Emitted != 3 {
		t.Errorf("Run = %+v, %v; want 3 emitted and the write error", st, err)
	}
}

// TestCancel cancels a run whose DNS answers slowly and checks that it
// returns promptly with the context's error and leaves no goroutine behind.
func TestCancel(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	srv.Delay("slow.example.", 150*time.Millisecond)
	srv.Delay("_dmarc.slow.example.", 150*time.Millisecond)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ms := make([]mail, 200)
	for i := range ms {
		ms[i] = mail{"slow.example", "192.0.2.10", inspect.Reject}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var once sync.Once
	var cancelled time.Time
	st, err := batch.Run(ctx, source(t, ms), batch.Options{Inspect: inspectOptions(srv), Workers: 4}, func(batch.Result) error {
		once.Do(func() {
			cancelled = time.Now()
			cancel()
		})
		return nil
	})
	took := time.Since(cancelled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: err = %v, want context.Canceled", err)
	}
	if st.Emitted >= len(ms) {
		t.Errorf("Run emitted all %d reports after being cancelled at the first", st.Emitted)
	}
	if took > 2*time.Second {
		t.Errorf("Run took %v to return after cancel", took)
	}
}

// TestProgress checks the counts handed to Progress.
func TestProgress(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	src := source(t, []mail{deliverMail, brokenMail, rejectMail})
	var seen []batch.Progress
	_, err := batch.Run(t.Context(), src, batch.Options{Inspect: inspectOptions(srv), Progress: func(p batch.Progress) { seen = append(seen, p) }},
		func(batch.Result) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Fatalf("Progress called %d times, want 3", len(seen))
	}
	for i, p := range seen {
		if p.Done != i+1 || p.Total != 3 {
			t.Errorf("Progress %d = %+v, want Done %d of 3", i, p, i+1)
		}
	}
}

// panickySource is a source with a bug put in: loading message n panics.
type panickySource struct {
	batch.Source
	n int
}

func (p panickySource) Message(i int) (*message.Message, error) {
	if i == p.n {
		panic("loader bug")
	}
	return p.Source.Message(i)
}

// TestPanicInOneMessage: a panic while loading one message or encoding its
// report becomes that message's error line, in its place, and the run
// goes on with every other message; when Encode panics on the error
// report as well, the message has no output but the run still goes on.
func TestPanicInOneMessage(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ms := []mail{deliverMail, deliverMail, rejectMail, deliverMail, quarantineMail, deliverMail}
	src := panickySource{Source: source(t, ms), n: 1}
	encode := func(r *inspect.Report) []byte {
		switch {
		case r.Source.Subject == "message 4" && r.Error == "":
			panic("encoder bug")
		case r.Source.Subject == "message 5":
			panic("encoder bug, every time")
		}
		return []byte(r.Source.Subject + "|" + r.Error)
	}
	const failed = "headercheck failed on this message: "
	want := []struct {
		disposition inspect.Disposition
		err, out    string // prefixes
		noOut       bool
	}{
		{disposition: inspect.Deliver, out: "message 1|"},
		{err: failed + "loader bug — please report it (in inspect/batch_test.panickySource.Message (batch_test.go:", out: "|" + failed + "loader bug"},
		{disposition: inspect.Reject, out: "message 3|"},
		{err: failed + "encoder bug — please report it (in inspect/batch_test.TestPanicInOneMessage.func1 (batch_test.go:", out: "message 4|" + failed + "encoder bug"},
		{err: failed + "encoder bug, every time", noOut: true},
		{disposition: inspect.Deliver, out: "message 6|"},
	}
	for _, how := range []string{"Encode", "Append"} {
		t.Run(how, func(t *testing.T) {
			opts := batch.Options{Inspect: inspectOptions(srv), Name: "test.mbox", Workers: 2, Encode: encode}
			if how == "Append" {
				// The same output, appended to the slot's buffer.
				opts.Encode = nil
				opts.Append = func(dst []byte, r *inspect.Report) []byte { return append(dst, encode(r)...) }
			}
			checkPanics(t, src, opts, want)
		})
	}
}

func checkPanics(t *testing.T, src batch.Source, opts batch.Options, want []struct {
	disposition inspect.Disposition
	err, out    string
	noOut       bool
}) {
	var got []batch.Result
	st, err := batch.Run(t.Context(), src, opts, func(r batch.Result) error {
		r.Out = bytes.Clone(r.Out) // Append's output is valid only during emit
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Index != i {
			t.Errorf("result %d has index %d", i, r.Index)
		}
		if !strings.HasPrefix(r.Report.Error, w.err) || (w.err == "") != (r.Report.Error == "") {
			t.Errorf("message %d: error %q, want %q...", i+1, r.Report.Error, w.err)
		}
		if w.err == "" && r.Report.Verdict.Disposition != w.disposition {
			t.Errorf("message %d: disposition %q, want %q", i+1, r.Report.Verdict.Disposition, w.disposition)
		}
		if w.noOut != (r.Out == nil) || !strings.HasPrefix(string(r.Out), w.out) {
			t.Errorf("message %d: out %q, want %q...", i+1, r.Out, w.out)
		}
	}
	if got[1].Report.Source.File != "test.mbox" || got[1].Report.Source.Index != 2 {
		t.Errorf("message 2: source %+v, want test.mbox message 2", got[1].Report.Source)
	}
	if st.Emitted != 6 || st.Errors != 3 || st.Inspected != 3 {
		t.Errorf("Stats = %+v, want 6 emitted, 3 errors, 3 inspected", st)
	}
}
