package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/trace"
)

// fuzzReport puts untrusted text where a message or DNS puts it: the
// source, a hop, a step and its DNS answer, the verdict.
func fuzzReport(s string, n float64) *inspect.Report {
	src := sourceWith(s)
	src.From = s + " <a@b>"
	rep := &inspect.Report{Source: src}
	rep.Chain.Hops = []received.Hop{{FromHELO: s, Raw: s, Anomalies: []string{s}, DelaySeconds: &n}}
	rep.Chain.Boundary = 0
	rep.Chain.Envelope.HELO = s
	rep.SPF.Steps = []trace.Step{{Title: s, Result: trace.Info, Detail: s, Explain: s,
		Query: &trace.Query{Name: s, Type: "TXT", Answers: []string{s}, RTTms: n},
		Steps: []trace.Step{{Title: s}}}}
	rep.Verdict = inspect.Verdict{Disposition: inspect.Reject, Reason: s, Story: s}
	rep.DNS = []trace.Query{{Name: s, Answers: []string{s, ""}, RTTms: n}}
	rep.Recorded.AuthenticationResults = []recorded.Header{{Field: "Authentication-Results", AuthServID: s, Why: s,
		Results: []recorded.Method{{Method: s, Result: trace.Pass, Props: []recorded.Prop{{Name: "header.d", Value: s}, {Name: s, Value: s}}}}}}
	return rep
}

// FuzzEncoder checks that the Encoder writes the bytes of encoding/json
// for any text a message or DNS can carry, and that the line is one line
// without a raw control byte.
func FuzzEncoder(f *testing.F) {
	for _, s := range []string{"", "<a@b> & c", `\u003c`, `\\u003e`, "pay\u202eexe", "a\u009bb", "a\x1b[31mb", "a\x7fb", "a\u2028b", "a\xffb", "日本 \U0001F600", "\t\n\r\b\f\"\\"} {
		f.Add(s, 0.4)
	}
	f.Add("x", 1e-7)
	f.Add("x", 1e21)
	f.Add("x", -12.5)
	enc := report.NewEncoder()
	f.Fuzz(func(t *testing.T, s string, n float64) {
		rep := fuzzReport(s, n)
		want, werr := report.JSON(rep)
		got, gerr := enc.JSON(rep)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("errors differ: encoding/json %v, Encoder %v", werr, gerr)
		}
		if werr != nil {
			return // NaN or Inf: encoding/json refuses them, and so does the Encoder
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Encoder differs from encoding/json for %q, %v:\n got %s\nwant %s", s, n, got, want)
		}
		if bytes.Count(got, []byte("\n")) != 1 || bytes.ContainsFunc(got[:len(got)-1], func(r rune) bool {
			return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
		}) {
			t.Fatalf("the line for %q carries a raw control character: %q", s, got)
		}
	})
}

// FuzzText renders a report carrying untrusted text at any width: no line
// may be wider than the width, none may carry a control character, and
// the plain report must be the styled one without its styles.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a b  c   d", strings.Repeat("x", 300), "pay\u202eexe \x1b]0;t\x07", "日本語のテキスト とても長い行", "\t\n\r", "a\u0301\u0301\u0301"} {
		f.Add(s, 80)
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		width = 30 + (width%200+200)%200
		rep := fuzzReport(s, 1.5)
		rep.Reporting = reportingOf(s, width%2 == 0)
		plain := report.Text(rep, report.TextOptions{Width: width})
		styled := report.Text(rep, report.TextOptions{Width: width, Color: true})
		if ansi.Strip(string(styled)) != string(plain) {
			t.Fatalf("styled report without styles differs from the plain one for %q", s)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n") {
			if w := ansi.StringWidth(line); w > width {
				t.Fatalf("width %d: line of %d columns for %q: %q", width, w, s, line)
			}
			if strings.ContainsFunc(line, func(r rune) bool {
				return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
			}) {
				t.Fatalf("line carries a control character for %q: %q", s, line)
			}
		}
	})
}
