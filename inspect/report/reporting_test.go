package report_test

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/trace"
)

// reportingOf is DMARC's reporting side carrying s wherever a DMARC record,
// a message or DNS puts text: the record, the URIs, the identifiers, the
// DKIM and SPF results and the steps.
func reportingOf(s string, sent bool) *aggregate.Result {
	res := trace.Fail
	if sent {
		res = trace.Pass
	}
	fb := &aggregate.Feedback{
		Version: "1.0",
		ReportMetadata: aggregate.ReportMetadata{OrgName: "inbound.example", Email: "dmarc@inbound.example",
			ReportID: "1." + s, DateRange: aggregate.DateRange{Begin: 1, End: 86400}},
		PolicyPublished: aggregate.PolicyPublished{Domain: s, P: "reject"},
		Records: []aggregate.Record{{
			Row: aggregate.Row{SourceIP: "203.0.113.66", Count: 1, PolicyEvaluated: aggregate.PolicyEvaluated{
				Disposition: "reject", DKIM: "fail", SPF: "fail", Reasons: []aggregate.Reason{{Type: "other", Comment: s}}}},
			Identifiers: aggregate.Identifiers{HeaderFrom: s, EnvelopeFrom: s},
			AuthResults: aggregate.AuthResults{
				DKIM: []aggregate.DKIMResult{{Domain: s, Selector: s, Result: "fail", HumanResult: s}},
				SPF:  &aggregate.SPFResult{Domain: s, Scope: "mfrom", Result: "pass", HumanResult: s},
			},
		}},
		Filename: s + ".xml",
	}
	return &aggregate.Result{
		Applies: true,
		Sent:    sent,
		Requests: aggregate.Requests{
			PolicyDomain: s, Record: s, FailureOptions: "1", FailureReport: true, FailureWhy: s,
			Aggregate: []aggregate.Destination{{Kind: aggregate.Aggregate, URI: "mailto:" + s, Address: s, External: true, Result: res, Reason: s}},
			Failure:   []aggregate.Destination{{Kind: aggregate.Failure, URI: "mailto:" + s, Result: trace.TempError, Reason: s}},
		},
		Feedback: fb,
		Steps:    []trace.Step{{Title: s, Result: trace.Info, Detail: s, Explain: s, Ref: "RFC 9990 §4"}},
	}
}

// TestTextReporting: the reporting section says where reports go and
// whether they may, the record in words, and the XML document in a report
// of one message but not in one of several (an mbox of thousands would
// print some 50 lines of XML per message).
func TestTextReporting(t *testing.T) {
	cases := []struct {
		name    string
		total   int
		alone   bool
		sent    bool
		want    []string
		wantNot []string
	}{
		{"one message, sent", 1, false, true,
			[]string{
				"DMARC reporting (RFC 9990): aggregate report sent to 1 destination",
				"  rua         [pass] mailto:owner.example: reports may go here (an external",
				"The record this message adds to the report of inbound.example:",
				"    source IP     203.0.113.66, count 1",
				"    disposition   reject, reason other: owner.example",
				"    DMARC aligned dkim fail, spf fail",
				"    DKIM          fail for d=owner.example s=owner.example",
				"    SPF           pass for owner.example (scope mfrom); owner.example",
				"  fo=1        a failure report: owner.example",
				"    <feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">",
				"          <source_ip>203.0.113.66</source_ip>",
				"  How the reporting side was worked out:",
			},
			[]string{"left out of a report of several messages"}},
		{"one message, sent to no one", 1, false, false,
			[]string{
				"DMARC reporting (RFC 9990): aggregate report sent to no one",
				"  rua         [fail] mailto:owner.example: reports must not go here (an",
				"The record this message would add to the report of inbound.example, which",
				"    <feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">",
			},
			nil},
		{"one of several reported alone", 3, true, true,
			[]string{"    <feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"},
			[]string{"left out of a report of several messages"}},
		{"several messages", 3, false, true,
			[]string{
				"    source IP     203.0.113.66, count 1",
				"  The XML document the domain owner receives is left out of a report of",
			},
			[]string{"<feedback", "<?xml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := fuzzReport("x", 1)
			rep.Reporting = reportingOf("owner.example", c.sent)
			out := string(report.Text(rep, report.TextOptions{Total: c.total, Alone: c.alone}))
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("the report lacks %q:\n%s", w, section(out))
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("the report has %q, want it left out:\n%s", w, section(out))
				}
			}
		})
	}
}

// TestTextNoReporting: a message whose domain has no DMARC record gets
// the section with the reason no one hears about it, and a report
// without a reporting side (an older JSON report read back) none.
func TestTextNoReporting(t *testing.T) {
	rep := fuzzReport("x", 1)
	rep.Reporting = &aggregate.Result{Steps: []trace.Step{{Title: "No DMARC report", Result: trace.None, Explain: "nobody.example publishes no DMARC record."}}}
	out := string(report.Text(rep, report.TextOptions{}))
	if !strings.Contains(out, "\nDMARC reporting (RFC 9990): no report\n  [none]      No DMARC report\n") {
		t.Errorf("the report lacks the no-report section:\n%s", out)
	}
	rep.Reporting = nil
	if out := string(report.Text(rep, report.TextOptions{})); strings.Contains(out, "DMARC reporting") {
		t.Errorf("a report without a reporting side has the section:\n%s", out)
	}
}

// section is the reporting section of a text report, for failure messages.
func section(out string) string {
	i := strings.Index(out, "DMARC reporting")
	if i < 0 {
		return out
	}
	rest := out[i:]
	if j := strings.Index(rest, "\nARC:"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
