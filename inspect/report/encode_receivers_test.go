package report_test

import (
	"bytes"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/receivers"
	"github.com/headercheck/headercheck/inspect/report"
)

// TestEncoderReceivers checks that a report with receivers entries encodes
// to the bytes of encoding/json (receivers.Header.MarshalJSON writes absent
// fields, meaning and keys as {}, {} and []). inspect.Receiver is an alias
// of receivers.Header: the Encoder once had a case for each, the first
// won, and it wrote an absent meaning or keys as null.
func TestEncoderReceivers(t *testing.T) {
	decoded := receivers.Decode(receivers.Input{
		Fields: []receivers.Field{
			{Name: "X-Spam-Status", Value: "Yes, score=7.1 required=5.0 tests=BAYES_99,SPF_SOFTFAIL autolearn=no", Pos: 0},
			{Name: "X-Forefront-Antispam-Report", Value: "CIP:203.0.113.66;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mail.attacker.example;CAT:PHSH;SFS:;DIR:INB;", Pos: 1},
			{Name: "Received", Value: "from mail.attacker.example (unknown [203.0.113.66]) by mx1.inbound.example with ESMTPS id 4Q8x; Fri, 20 Nov 2026 08:14:30 +0000", Pos: 2},
		},
		Boundary: 2,
	})
	if len(decoded) < 2 {
		t.Fatalf("receivers.Decode gave %d headers, want 2 to encode", len(decoded))
	}
	cases := []struct {
		name string
		recv []inspect.Receiver
	}{
		{"decoded by the receivers package", decoded},
		{"nothing decoded: fields, meaning and keys absent", []inspect.Receiver{{Vendor: receivers.Microsoft, Header: "X-MS-Exchange-Organization-AuthAs", Summary: "s"}}},
		{"fields without their meaning or order", []inspect.Receiver{{Vendor: "unknown", Header: "X-Spam", Fields: map[string]string{"score": "9"}}}},
		{"meaning and keys without fields", []inspect.Receiver{{Vendor: "unknown", Header: "X-Spam", Meaning: map[string]string{"a": "b"}, Keys: []string{"a"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &inspect.Report{Source: sourceWith("receivers"), Receivers: c.recv}
			want, err := report.JSON(rep)
			if err != nil {
				t.Fatal(err)
			}
			// The Encoder's self-check compares its first report with
			// encoding/json and falls back on a difference, which would
			// hide one: warm it up with a report without receivers
			// first, so this one goes through its own encoding.
			enc := report.NewEncoder()
			if _, err := enc.JSON(&inspect.Report{Source: sourceWith("warm-up")}); err != nil || !enc.Fast() {
				t.Fatalf("the warm-up report: err %v, fast %v", err, enc.Fast())
			}
			got, err := enc.JSON(rep)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				lo := max(0, i-80)
				t.Errorf("Encoder differs from encoding/json at byte %d:\n got: …%s\nwant: …%s", i, got[lo:min(len(got), i+60)], want[lo:min(len(want), i+60)])
			}
			if !bytes.Contains(want, []byte(`"meaning":{`)) || !bytes.Contains(want, []byte(`"keys":[`)) {
				t.Errorf("encoding/json wrote no meaning object or keys list: %s", want)
			}
		})
	}
}
