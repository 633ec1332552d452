package receivers_test

import (
	"fmt"

	"github.com/headercheck/headercheck/inspect/receivers"
)

func ExampleDecode() {
	headers := receivers.Decode(receivers.Input{
		Boundary: 1, // the Received field of the hop where the message entered the receiving side
		Fields: []receivers.Field{
			{Pos: 0, Name: "X-Spam-Status", Value: "Yes, score=7.3 required=5.0 tests=BAYES_99 autolearn=spam version=3.4.6"},
			{Pos: 1, Name: "Received", Value: "from mail.attacker.example (unknown [203.0.113.66]) by mx1.inbound.example"},
			{Pos: 2, Name: "X-MS-Exchange-Organization-SCL", Value: "-1"},
		},
	})
	for _, h := range headers {
		fmt.Printf("%s %s trusted=%v\n  %s\n", h.Vendor, h.Header, h.Trusted, h.Summary)
		if !h.Trusted {
			fmt.Println("  why:", h.Why)
		}
	}
	// Output:
	// SpamAssassin X-Spam-Status trusted=true
	//   SpamAssassin: spam, score 7.3 (spam from 5.0); rules BAYES_99.
	// Microsoft 365 X-MS-Exchange-Organization-SCL trusted=false
	//   Exchange's spam confidence level for the recipient's organization: -1: the message skipped spam filtering (a safe sender, a safe recipient, or a server on the IP Allow List); it goes to the Inbox.
	//   why: added before the message reached the receiver; anyone could have written it
}
