package received_test

import (
	"fmt"

	"github.com/headercheck/headercheck/inspect/received"
)

// A phishing message as mx1.inbound.example received it: the walk finds
// the hop where it entered inbound.example and derives the envelope SPF is
// replayed for.
func ExampleAnalyze() {
	c := received.Analyze(received.Input{
		Received: []string{
			"from mail.attacker.example (unknown [203.0.113.66]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8x2LmZ1kz9 for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000 (UTC)",
			"from localhost (127.0.0.1) by mail.attacker.example (Postfix) with ESMTP id 77A1C; Fri, 20 Nov 2026 08:14:24 +0000",
		},
		ReturnPath: []string{"<bounce@attacker.example>"},
	})
	fmt.Println("boundary:", c.Boundary)
	fmt.Println("client:", c.Envelope.ClientIP, "from", c.Envelope.DerivedFrom.ClientIP)
	fmt.Println("helo:", c.Envelope.HELO)
	fmt.Println("mail from:", c.Envelope.MailFrom, "from", c.Envelope.DerivedFrom.MailFrom)
	fmt.Println("recorded rDNS:", c.RecordedRDNS())
	fmt.Println("delay:", *c.Hops[0].DelaySeconds, "s;", c.Hops[0].Anomalies[0])
	// Output:
	// boundary: 0
	// client: 203.0.113.66 from received[0] (boundary)
	// helo: mail.attacker.example
	// mail from: bounce@attacker.example from Return-Path
	// recorded rDNS: unknown
	// delay: 6 s; the receiver recorded no reverse DNS name for 203.0.113.66
}

// Parse reads one Received field; qmail names the HELO in a comment, so
// the name after "from" is the receiver's reverse lookup.
func ExampleParse() {
	h := received.Parse("from unknown (HELO lenovo.com) (103.30.234.5) by server-8.tower-406.messagelabs.com with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP; 15 Apr 2020 21:51:22 -0000")
	fmt.Printf("helo=%s rdns=%s ip=%s by=%s time=%s\n", h.FromHELO, h.FromRDNS, h.FromIP, h.By, h.Time)
	// Output:
	// helo=lenovo.com rdns=unknown ip=103.30.234.5 by=server-8.tower-406.messagelabs.com time=2020-04-15T21:51:22Z
}
