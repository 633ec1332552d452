package arc_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestRealSamples validates messages sealed by real intermediaries, with
// the keys that sealed them (testdata/SAMPLES.md says where each is from).
func TestRealSamples(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		file    string
		at      time.Time
		result  trace.Result
		sealers []string
		summary []string
	}{
		{file: "blaze-004-google.eml", at: time.Date(2018, 3, 28, 22, 2, 0, 0, time.UTC), result: trace.Pass,
			sealers: []string{"google.com"},
			summary: []string{"at i=1, mx.google.com saw DKIM pass, SPF pass, DMARC pass"}},
		{file: "blaze-005-kernel.eml", at: time.Date(2024, 9, 20, 8, 54, 0, 0, time.UTC), result: trace.Pass,
			sealers: []string{"webhostingserver.nl", "webhostingserver.nl", "subspace.kernel.org"},
			summary: []string{
				"at i=1, webhostingserver.nl saw iprev pass, SMTP AUTH pass, SPF softfail, DMARC skipped, ARC none",
				"at i=2, mailfilter02.webhostingserver.nl saw SPF softfail, DMARC fail, ARC pass",
				"at i=3, smtp.subspace.kernel.org saw DMARC fail, SPF fail, ARC pass",
			}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			got := arc.Verify(t.Context(), raw, arc.Options{Resolver: e.client, Now: c.at})
			if got.Result != c.result {
				t.Errorf("Verify = %s, want %s: %s", got.Result, c.result, got.Reason)
			}
			// Every hop's signature still matches: nobody changed these
			// messages after the first sealer.
			if got.OldestPass == nil || *got.OldestPass != 0 {
				t.Errorf("OldestPass = %v, want 0", got.OldestPass)
			}
			if len(got.Sets) != len(c.sealers) {
				t.Fatalf("%d sets, want %d", len(got.Sets), len(c.sealers))
			}
			for i, s := range got.Sets {
				if s.Sealer != c.sealers[i] {
					t.Errorf("set %d sealer = %q, want %q", i+1, s.Sealer, c.sealers[i])
				}
				if s.AAR == nil || s.AAR.Summary != c.summary[i] {
					t.Errorf("set %d summary = %+v, want %q", i+1, s.AAR, c.summary[i])
				}
			}
			checkSteps(t, got.Steps)

			// One byte more in the body breaks the newest signature.
			tampered := append(append([]byte{}, raw...), "P.S. one more line\n"...)
			bad := arc.Verify(t.Context(), tampered, arc.Options{Resolver: e.client, Now: c.at})
			if bad.Result != trace.Fail || brokenAt(bad) != fmt.Sprint(len(c.sealers)) {
				t.Errorf("tampered: Verify = %s at %s, want fail at %d: %s", bad.Result, brokenAt(bad), len(c.sealers), bad.Reason)
			}
		})
	}
}

// TestGoogleSignedAAR: Google's 2018 signature lists
// arc-authentication-results in h=, which RFC 8617 §4.1.2 later forbade;
// it is verified as written, with a warning.
func TestGoogleSignedAAR(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile("testdata/blaze-004-google.eml")
	if err != nil {
		t.Fatal(err)
	}
	got := arc.Verify(t.Context(), raw, arc.Options{Resolver: e.client})
	st, ok := findStep(got.Steps, "ARC header fields in h=")
	if !ok || st.Result != trace.Warn || st.Detail != "arc-authentication-results" {
		t.Errorf("warning step = %+v, %v", st, ok)
	}
}
