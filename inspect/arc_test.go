package inspect_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestARC: a real message Gmail sealed with ARC, whose DMARC fails today
// (testdata/arc-gmail.zone says why). Gmail's seal recorded DMARC pass at
// delivery: a receiver that trusts google.com as a sealer delivers the
// message; one that does not puts it in the spam folder, and the story
// says what trusting the sealer would change.
func TestARC(t *testing.T) {
	srv := dnstest.Start(t, "testdata/arc-gmail.zone")
	src, err := message.Open("testdata/arc-gmail.eml", message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = 200 * time.Millisecond
	opts := inspect.Options{Resolver: c, Now: func() time.Time { return time.Date(2018, 3, 29, 0, 0, 0, 0, time.UTC) }}

	rep, err := inspect.Inspect(t.Context(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ARC.Result != trace.Pass || rep.ARC.Instances != 1 {
		t.Fatalf("arc = %s with %d instances (%s), want an intact chain of 1", rep.ARC.Result, rep.ARC.Instances, rep.ARC.Reason)
	}
	if rep.DMARC.Result != trace.Fail || rep.Verdict.Disposition != inspect.Quarantine {
		t.Fatalf("dmarc %s, verdict %s; want fail, quarantine", rep.DMARC.Result, rep.Verdict.Disposition)
	}
	if !strings.Contains(rep.Verdict.Story, "trusts the ARC sealer google.com (--trust-arc google.com)") || !strings.Contains(rep.Verdict.ARC, "would deliver it") {
		t.Errorf("story = %q, want it to say what trusting google.com would do", rep.Verdict.Story)
	}
	if d := findDiff(rep, "dkim"); d == nil || d.Cause != "dkim_key_revoked" {
		t.Errorf("dkim difference = %+v, want the key gone since Gmail verified it", d)
	}

	opts.TrustARC = []string{"google.com"}
	rescued, err := inspect.Inspect(t.Context(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	v := rescued.Verdict
	if v.Disposition != inspect.Deliver || v.DecidedBy != "arc" {
		t.Errorf("--trust-arc google.com: %s decided by %s (%s), want deliver by arc", v.Disposition, v.DecidedBy, v.Reason)
	}
	if !strings.Contains(v.Reason, "google.com, a sealer you trust") || !strings.Contains(v.Story, "ARC rescues it") {
		t.Errorf("--trust-arc google.com: reason %q, story %q", v.Reason, v.Story)
	}
	if rescued.DMARC.Result != trace.Fail {
		t.Errorf("ARC changed the DMARC result itself: %s", rescued.DMARC.Result)
	}

	opts.TrustARC = []string{"lists.example.org"}
	other, err := inspect.Inspect(t.Context(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	if other.Verdict.Disposition != inspect.Quarantine || !strings.Contains(other.Verdict.Story, "ARC does not rescue it") {
		t.Errorf("--trust-arc lists.example.org: %s, story %q; want quarantine, not rescued", other.Verdict.Disposition, other.Verdict.Story)
	}

	// WhatIf reuses the chain; it does not verify it again.
	what, err := inspect.WhatIf(t.Context(), rescued, opts)
	if err != nil {
		t.Fatal(err)
	}
	if what.ARC.Result != trace.Pass || what.ARC.Instances != 1 {
		t.Errorf("WhatIf arc = %s/%d, want the reused chain", what.ARC.Result, what.ARC.Instances)
	}
}
