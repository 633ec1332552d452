package inspect_test

import (
	"context"
	"flag"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
)

var update = flag.Bool("update", false, "rewrite testdata/paypal-spoof.dns from testdata/inspect.zone")

// exampleTime is when the examples are evaluated: a fixed moment, so the
// replay from the snapshot is the same on every run.
var exampleTime = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// Inspect a message offline: every DNS answer comes from a snapshot a
// live run saved (--save-dns), and the clock is fixed.
func Example() {
	snap, err := dnsx.LoadSnapshot("testdata/paypal-spoof.dns")
	if err != nil {
		log.Fatal(err)
	}
	src, err := message.Open("testdata/paypal-spoof.eml", message.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := inspect.Inspect(context.Background(), m, inspect.Options{
		Resolver:  snap,
		Now:       func() time.Time { return exampleTime },
		NowSource: "the example's fixed time",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SPF:", rep.SPF.Result, "for", rep.SPF.Domain, "from", rep.Chain.Envelope.ClientIP)
	fmt.Println("DMARC:", rep.DMARC.Result, "policy", rep.DMARC.Policy)
	fmt.Println("Verdict:", rep.Verdict.Disposition)
	fmt.Println(rep.Verdict.Story)
	fmt.Println(len(rep.DNS), "DNS exchanges, first", rep.DNS[0].Name, rep.DNS[0].Type)
	// Output:
	// SPF: pass for attacker.example from 203.0.113.66
	// DMARC: fail policy reject
	// Verdict: reject
	// From says paypal.example. SPF passed, but for attacker.example, which is not paypal.example. No DKIM signature is from paypal.example. paypal.example asks receivers to reject such mail, so a receiver that follows DMARC rejects it.
	// 5 DNS exchanges, first 66.113.0.203.in-addr.arpa. PTR
}

// What if the same message had come from paypal.example's own server,
// with its own MAIL FROM? WhatIf replays SPF, DMARC and the verdict for
// that envelope, reusing the DKIM results.
func ExampleWhatIf() {
	snap, err := dnsx.LoadSnapshot("testdata/paypal-spoof.dns")
	if err != nil {
		log.Fatal(err)
	}
	src, err := message.Open("testdata/paypal-spoof.eml", message.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		log.Fatal(err)
	}
	opts := inspect.Options{Resolver: snap, Now: func() time.Time { return exampleTime }}
	rep, err := inspect.Inspect(context.Background(), m, opts)
	if err != nil {
		log.Fatal(err)
	}
	opts.IP, opts.MailFrom = "192.0.2.50", "bounce@paypal.example"
	what, err := inspect.WhatIf(context.Background(), rep, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("as sent:", rep.Verdict.Disposition)
	fmt.Println("what if:", what.Verdict.Disposition)
	fmt.Println(what.Verdict.Reason)
	// Output:
	// as sent: reject
	// what if: deliver
	// DMARC passes for paypal.example: SPF passed for paypal.example, so a receiver delivers it.
}

// TestExampleSnapshot: the examples' snapshot is what the loopback zone
// answers, saved by the Saver a run uses for --save-dns, and replaying it
// gives the live report. -update rewrites it.
func TestExampleSnapshot(t *testing.T) {
	srv := startDNS(t)
	live := dnsx.NewSaver(options(srv).Resolver)
	src, err := message.Open("testdata/paypal-spoof.eml", message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	inspectWith := func(r dnsx.Resolver) *inspect.Report {
		t.Helper()
		opts := inspect.Options{Resolver: r, Now: func() time.Time { return exampleTime }}
		// the WhatIf of ExampleWhatIf asks for paypal.example's SPF too
		rep, err := inspect.Inspect(t.Context(), m, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.IP, opts.MailFrom = "192.0.2.50", "bounce@paypal.example"
		if _, err := inspect.WhatIf(t.Context(), rep, opts); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	want := inspectWith(live)
	if *update {
		live.Comment = []string{"the DNS of testdata/paypal-spoof.eml and its what-if, from testdata/inspect.zone"}
		if err := live.Save("testdata/paypal-spoof.dns"); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := dnsx.LoadSnapshot("testdata/paypal-spoof.dns")
	if err != nil {
		t.Fatal(err)
	}
	got := inspectWith(snap)
	if got.Verdict.Disposition != want.Verdict.Disposition || got.Verdict.Reason != want.Verdict.Reason || got.Verdict.Story != want.Verdict.Story {
		t.Errorf("replayed verdict = %+v, live %+v", got.Verdict, want.Verdict)
	}
	for i := range want.DNS {
		if i >= len(got.DNS) || got.DNS[i].Name != want.DNS[i].Name || got.DNS[i].Rcode != want.DNS[i].Rcode {
			t.Fatalf("replayed dns = %+v, live %+v", got.DNS, want.DNS)
		}
	}
	if len(got.DNS) != len(want.DNS) {
		t.Errorf("replayed %d exchanges, live %d", len(got.DNS), len(want.DNS))
	}
}
