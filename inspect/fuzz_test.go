package inspect_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
)

// FuzzInspect: any bytes that load as a message are inspected without
// panicking or hanging, and give a complete report: every check done, a
// disposition, a one-line reason. DNS comes from a snapshot in which
// nothing but the test zone's names exist, so the fuzzer never waits on
// the network.
func FuzzInspect(f *testing.F) {
	for _, c := range scenarios {
		raw := mail(c.top, c.from, c.returnPath)
		if c.extraFrom != "" {
			raw = strings.Replace(raw, "To: ", "From: "+c.extraFrom+"\nTo: ", 1)
		}
		f.Add([]byte(raw))
	}
	f.Add([]byte("From: \"PayPal\" <x@xn--pypal-4ve.example>\nAuthentication-Results: x; spf=pass (a; b) smtp.mailfrom=\"q\\\"\"\nReceived: from [IPv6:2001:db8::1] by mx1.inbound.example; Fri, 20 Nov 2026 08:14:30 +0000\nDKIM-Signature: v=1; a=ed25519-sha256; d=aligned.example; s=sel; h=from; bh=; b=\n\nbody\n"))
	f.Add([]byte("ARC-Seal: i=1; cv=none; d=x.example; s=s; b=\nARC-Authentication-Results: i=1; x.example; dmarc=pass header.from=paypal.example\nFrom: a@paypal.example\n\n"))
	// The null sender, and no Return-Path at all (an unknown MAIL FROM).
	f.Add([]byte("Return-Path: <>\n" + mail([]string{boundaryHop("bounces.aligned.example", "192.0.2.10")}, "mailer-daemon@aligned.example", "")))
	f.Add([]byte(mail([]string{"Authentication-Results: mx1.inbound.example; spf=pass smtp.mailfrom=b+1=x@aligned.example; dmarc=pass header.from=aligned.example", boundaryHop("bounces.aligned.example", "192.0.2.10")}, "a@aligned.example", "")))
	snap, err := dnsx.ParseSnapshot(strings.NewReader(testZoneSnapshot), "fuzz.dns")
	if err != nil {
		f.Fatal(err)
	}
	opts := inspect.Options{Resolver: snap, Now: func() time.Time { return fixedNow }, TrustARC: []string{"x.example"}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		src, err := message.FromBytes("fuzz.eml", raw, message.Options{MaxMessageSize: 1 << 16})
		if err != nil {
			return
		}
		for i := range min(src.Len(), 3) {
			m, err := src.Message(i)
			if err != nil {
				continue
			}
			rep, err := inspect.Inspect(t.Context(), m, opts)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if rep.Error != "" {
				continue
			}
			switch rep.Verdict.Disposition {
			case inspect.Deliver, inspect.Quarantine, inspect.Reject:
			default:
				t.Fatalf("disposition %q", rep.Verdict.Disposition)
			}
			if rep.Verdict.Reason == "" || strings.Contains(rep.Verdict.Reason, "\n") {
				t.Fatalf("reason %q", rep.Verdict.Reason)
			}
			// Every step of the verdict tells a student what it found and
			// which rule decided it.
			for _, s := range rep.Verdict.Steps {
				if s.Title == "" || s.Explain == "" || !strings.Contains(s.Ref, "RFC ") {
					t.Fatalf("verdict step %+v lacks a title, an explanation or an RFC section", s)
				}
			}
			if len(rep.Done) < 9 {
				t.Fatalf("checks done: %v", rep.Done)
			}
			b, err := rep.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if out := string(safe.JSON(b)); strings.ContainsAny(out, "\u202e\u2066\u0085") {
				t.Fatalf("terminal controls survive safe.JSON: %q", out)
			}
			if _, err := inspect.WhatIf(t.Context(), rep, opts); err != nil {
				t.Fatalf("WhatIf: %v", err)
			}
		}
	})
}

// testZoneSnapshot is testdata/inspect.zone's answers as a snapshot, and
// every other name absent.
const testZoneSnapshot = `
aligned.example.            TXT  "v=spf1 ip4:192.0.2.10 -all"
bounces.aligned.example.    TXT  "v=spf1 ip4:192.0.2.10 -all"
_dmarc.aligned.example.     TXT  "v=DMARC1; p=reject"
_dmarc.paypal.example.      TXT  "v=DMARC1; p=reject"
attacker.example.           TXT  "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc.quarantine.example.  TXT  "v=DMARC1; p=quarantine"
nopolicy.example.           TXT  "v=spf1 ip4:192.0.2.10 -all"
fwd.example.                TXT  "v=spf1 ip4:192.0.2.10 -all"
_dmarc.fwd.example.         TXT  "v=DMARC1; p=reject"
;! servfail _dmarc.flaky.example. TXT
;! zone .
`
