package batch_test

import (
	"encoding/json"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/batch"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/report"
)

// poisoning is a Source that overwrites each message's bytes when the
// run releases it, before the memory goes back to the mbox's reader.
type poisoning struct {
	*message.Source
	released int
}

func (p *poisoning) Release(m *message.Message) {
	raw := m.Raw[:cap(m.Raw)]
	for i := range raw {
		raw[i] = 0xAA
	}
	p.released++
	p.Source.Release(m)
}

// TestReleaseKeepsReports runs an mbox whose messages are poisoned as soon
// as the run releases them, on one worker so that each message reuses the
// memory of the one before: every report (as JSON, and as the line the
// Encoder wrote) must equal the report of the same message inspected
// without release. A report keeping a slice of the message's bytes would
// show 0xAA here.
func TestReleaseKeepsReports(t *testing.T) {
	srv := dnstest.Start(t, "testdata/batch.zone")
	var ms []mail
	for i := range 12 {
		switch {
		case i == 5:
			ms = append(ms, brokenMail)
		case i%3 == 1:
			ms = append(ms, rejectMail)
		case i%4 == 2:
			ms = append(ms, quarantineMail)
		default:
			ms = append(ms, deliverMail)
		}
	}
	want := make([]string, len(ms))
	wantLine := make([]string, len(ms))
	ref := source(t, ms)
	for i := range ms {
		m, err := ref.Message(i)
		if err != nil {
			continue
		}
		rep, err := inspect.Inspect(t.Context(), m, inspectOptions(srv))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		want[i] = timing.ReplaceAllString(string(b), "")
		line, err := report.JSON(rep)
		if err != nil {
			t.Fatal(err)
		}
		wantLine[i] = timing.ReplaceAllString(string(line), "")
	}
	src := &poisoning{Source: source(t, ms)}
	enc := report.NewEncoder()
	_, err := batch.Run(t.Context(), src, batch.Options{Inspect: inspectOptions(srv), Name: "test.mbox", Workers: 1, Window: 1,
		Encode: func(r *inspect.Report) []byte { b, _ := enc.JSON(r); return b },
	}, func(r batch.Result) error {
		if want[r.Index] == "" {
			return nil
		}
		got, _ := json.Marshal(r.Report)
		if g := timing.ReplaceAllString(string(got), ""); g != want[r.Index] {
			t.Errorf("message %d: the report changed when its message was released:\n got %s\nwant %s", r.Index+1, g, want[r.Index])
		}
		if g := timing.ReplaceAllString(string(r.Out), ""); g != wantLine[r.Index] {
			t.Errorf("message %d: the encoded line differs from the report of the message inspected alone:\n got %s\nwant %s", r.Index+1, g, wantLine[r.Index])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if src.released != len(ms)-1 {
		t.Errorf("%d messages released, want %d (all but the broken one)", src.released, len(ms)-1)
	}
}
