package inspect_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// panicky is the real client with a bug put in: asked about name (for
// qtype, or any type when qtype is 0), it panics, as a resolver with a
// bug would, in the goroutine of the check that asked.
type panicky struct {
	dnsx.Resolver
	name  string
	qtype uint16
}

func (p panicky) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	if strings.EqualFold(dns.Fqdn(name), p.name) && (p.qtype == 0 || p.qtype == qtype) {
		panic("resolver bug asked for " + name)
	}
	return p.Resolver.Lookup(ctx, name, qtype)
}

// crashStep finds the step a crashed check carries.
func crashStep(steps []trace.Step) (trace.Step, bool) {
	for _, s := range steps {
		if s.Title == "headercheck failed on this message" {
			return s, true
		}
	}
	return trace.Step{}, false
}

// TestPanicInACheck: a panic in one check's goroutine does not end the
// process. That check fails (permerror, for ARC fail) with a step that
// says headercheck failed and asks for a report; the other checks and
// the verdict go on, and the story owns up to it.
func TestPanicInACheck(t *testing.T) {
	srv := startDNS(t, "aligned.example")
	aligned := sign(t, mail([]string{boundaryHop("mail.aligned.example", "192.0.2.10")}, "Alice <alice@aligned.example>", "bounce@aligned.example"), "aligned.example")
	arcSrv := dnstest.Start(t, "testdata/arc-gmail.zone")
	arcMsg, err := message.Open("testdata/arc-gmail.eml", message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer arcMsg.Close()
	gmail, err := arcMsg.Message(0)
	if err != nil {
		t.Fatal(err)
	}

	type got struct {
		result trace.Result
		steps  []trace.Step
	}
	cases := []struct {
		name    string
		panicOn string
		qtype   uint16 // 0: any
		check   inspect.Check
		of      func(*inspect.Report) got
		want    trace.Result
		words   string // how the story names the check
		// others must still hold after the crash.
		others func(*inspect.Report) bool
	}{
		{
			name: "SPF", panicOn: "aligned.example.", check: inspect.CheckSPF,
			of:   func(r *inspect.Report) got { return got{r.SPF.Result, r.SPF.Steps} },
			want: trace.PermError, words: "the SPF check",
			// DKIM still passes, so DMARC still does.
			others: func(r *inspect.Report) bool {
				return r.DMARC.Result == trace.Pass && r.Verdict.Disposition == inspect.Deliver
			},
		},
		{
			// TXT only: reverse DNS asks the name's address too.
			name: "SPF of the HELO name", panicOn: "mail.aligned.example.", qtype: dns.TypeTXT, check: inspect.CheckSPFHELO,
			of: func(r *inspect.Report) got {
				if r.SPFHELO == nil {
					return got{}
				}
				return got{r.SPFHELO.Result, r.SPFHELO.Steps}
			},
			want: trace.PermError, words: "the SPF check of the HELO name",
			others: func(r *inspect.Report) bool { return r.SPF.Result == trace.Pass && r.DMARC.Result == trace.Pass },
		},
		{
			name: "DKIM", panicOn: "sel._domainkey.aligned.example.", check: inspect.CheckDKIM,
			of: func(r *inspect.Report) got {
				if len(r.DKIM) != 1 {
					return got{}
				}
				return got{r.DKIM[0].Result, r.DKIM[0].Steps}
			},
			want: trace.PermError, words: "the DKIM check",
			// SPF still passes, aligned, so DMARC still does.
			others: func(r *inspect.Report) bool { return r.SPF.Result == trace.Pass && r.DMARC.Result == trace.Pass },
		},
		{
			name: "reverse DNS", panicOn: "10.2.0.192.in-addr.arpa.", check: inspect.CheckIPRev,
			of:   func(r *inspect.Report) got { return got{r.IPRev.Result, r.IPRev.Steps} },
			want: trace.PermError, words: "the reverse DNS check (iprev)",
			others: func(r *inspect.Report) bool {
				return r.SPF.Result == trace.Pass && r.DMARC.Result == trace.Pass && r.IPRev.IP == "192.0.2.10"
			},
		},
		{
			name: "DMARC", panicOn: "_dmarc.aligned.example.", check: inspect.CheckDMARC,
			of:   func(r *inspect.Report) got { return got{r.DMARC.Result, r.DMARC.Steps} },
			want: trace.PermError, words: "the DMARC check",
			// DMARC decides nothing, and the reason says why.
			others: func(r *inspect.Report) bool {
				return r.SPF.Result == trace.Pass && r.Verdict.Disposition == inspect.Deliver && r.Verdict.DecidedBy == "none" &&
					strings.Contains(r.Verdict.Reason, "headercheck failed while evaluating DMARC")
			},
		},
		{
			name: "ARC", panicOn: "arc-20160816._domainkey.google.com.", check: inspect.CheckARC,
			of:   func(r *inspect.Report) got { return got{r.ARC.Result, r.ARC.Steps} },
			want: trace.Fail, words: "the ARC check",
			others: func(r *inspect.Report) bool { return r.DMARC.Result == trace.Fail },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, m := srv, load(t, aligned)
			now := fixedNow
			if c.check == inspect.CheckARC {
				s, m, now = arcSrv, gmail, time.Date(2018, 3, 29, 0, 0, 0, 0, time.UTC)
			}
			client := dnsx.NewClient(s.Addr)
			client.Timeout = 200 * time.Millisecond
			opts := inspect.Options{Resolver: panicky{client, c.panicOn, c.qtype}, Now: func() time.Time { return now }}

			rep, err := inspect.Inspect(t.Context(), m, opts)
			if err != nil || rep.Error != "" {
				t.Fatalf("Inspect = error %v, report error %q; want a report", err, rep.Error)
			}
			g := c.of(rep)
			if g.result != c.want {
				t.Errorf("%s = %q, want %q after its panic", c.check, g.result, c.want)
			}
			st, ok := crashStep(g.steps)
			switch {
			case !ok:
				t.Errorf("%s steps %+v: no step saying headercheck failed", c.check, g.steps)
			case !strings.Contains(st.Explain, "headercheck failed on this message: resolver bug asked for "+strings.TrimSuffix(c.panicOn, ".")) || !strings.Contains(st.Explain, "please report it"):
				t.Errorf("crash step explains %q, want the panic value and a request to report it", st.Explain)
			case !strings.Contains(st.Detail, "panic: resolver bug") || !strings.Contains(st.Detail, "crash_test.go:"):
				t.Errorf("crash step detail %q, want the panic value and where it was raised", st.Detail)
			}
			for _, want := range allChecks(rep) {
				if !slices.Contains(rep.Done, want) {
					t.Errorf("Done = %v, want %s among them", rep.Done, want)
				}
			}
			if !c.others(rep) {
				t.Errorf("the other checks did not go on: spf %s, dkim %v, dmarc %s, verdict %s by %s (%s)", rep.SPF.Result, rep.DKIM, rep.DMARC.Result, rep.Verdict.Disposition, rep.Verdict.DecidedBy, rep.Verdict.Reason)
			}
			if want := "headercheck itself failed during " + c.words + " (a bug in headercheck: please report it)"; !strings.Contains(rep.Verdict.Story, want) {
				t.Errorf("story %q, want it to say %q", rep.Verdict.Story, want)
			}
		})
	}
}

// TestPanicInOnUpdate: the caller's OnUpdate panicking in a check's
// goroutine does not end the process either. It is not called again, the
// report is complete and says what happened, and the verdict is
// untouched.
func TestPanicInOnUpdate(t *testing.T) {
	srv := startDNS(t, "aligned.example")
	raw := sign(t, mail([]string{boundaryHop("mail.aligned.example", "192.0.2.10")}, "alice@aligned.example", "bounce@aligned.example"), "aligned.example")
	var (
		mu    sync.Mutex
		calls []inspect.Check
	)
	opts := options(srv)
	opts.OnUpdate = func(u inspect.Update) {
		mu.Lock()
		calls = append(calls, u.Check)
		mu.Unlock()
		if u.Check == inspect.CheckDKIM {
			panic("display bug")
		}
	}
	rep, err := inspect.Inspect(t.Context(), load(t, raw), opts)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if i := slices.Index(calls, inspect.CheckDKIM); i < 0 || i != len(calls)-1 {
		t.Errorf("OnUpdate calls %v, want none after the one for dkim that panicked", calls)
	}
	st, ok := crashStep(rep.Steps)
	if !ok || !strings.Contains(st.Explain, "display bug") || !strings.Contains(st.Explain, "showing the progress of the checks failed after dkim") {
		t.Errorf("report steps %+v, want one saying that showing progress failed", rep.Steps)
	}
	if rep.DMARC.Result != trace.Pass || rep.Verdict.Disposition != inspect.Deliver || strings.Contains(rep.Verdict.Story, "headercheck itself failed") {
		t.Errorf("dmarc %s, verdict %s, story %q; want the verdict untouched", rep.DMARC.Result, rep.Verdict.Disposition, rep.Verdict.Story)
	}
	for _, want := range allChecks(rep) {
		if !slices.Contains(rep.Done, want) {
			t.Errorf("Done = %v, want %s among them", rep.Done, want)
		}
	}
}
