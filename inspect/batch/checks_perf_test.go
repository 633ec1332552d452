package batch_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/batch"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
)

// timing matches what differs between two lookups of the same name: the
// round trip, and whether the run's cache had the answer.
var timing = regexp.MustCompile(`"rtt_ms":[0-9.e-]+,"cached":(true|false),`)

// TestChecksSameReports runs a mixed mbox through batch.Run, whose checks
// run on the goroutines it keeps (inspect.Checks), with one to many of
// them, and requires each report to be the JSON of inspect.Inspect on the
// same message with a goroutine per check. A check given its own goroutine
// when every kept one is busy is covered by the one-goroutine case. The
// goleak check in TestMain fails the binary if Close leaves one running.
func TestChecksSameReports(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	ms := mixedMails(24, 9)
	src := source(t, ms)
	want := make([]string, len(ms))
	for i := range ms {
		m, err := src.Message(i)
		if err != nil {
			continue // the broken one: compared as an error line below
		}
		rep, err := inspect.Inspect(t.Context(), m, inspectOptions(srv))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = timing.ReplaceAllString(string(b), "")
	}
	for _, n := range []int{1, 2, 16} {
		t.Run(fmt.Sprintf("checks=%d", n), func(t *testing.T) {
			checks := inspect.NewChecks(n)
			defer checks.Close()
			opts := inspectOptions(srv)
			opts.Checks = checks
			_, err := batch.Run(t.Context(), src, batch.Options{Inspect: opts, Name: "test.mbox", Workers: 3}, func(r batch.Result) error {
				if want[r.Index] == "" {
					if r.Report.Error == "" {
						t.Errorf("message %d: no error report", r.Index+1)
					}
					return nil
				}
				got, err := json.Marshal(r.Report)
				if err != nil {
					return err
				}
				if timing.ReplaceAllString(string(got), "") != want[r.Index] {
					t.Errorf("message %d: the report differs from one inspected with a goroutine per check:\n got %s\nwant %s", r.Index+1, got, want[r.Index])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
