package report

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/trace"
)

// reporting writes DMARC's reporting side (package aggregate): where the
// domain owner asks for reports and whether a receiver may send them
// there (RFC 9990 §4), whether this message would bring a failure report
// (fo, RFC 9989 §4.7), the aggregate record it adds in words, the
// <feedback> document the owner receives, then the steps.
//
// The XML is some 50 lines. A report of one message (TextOptions.Total
// at most 1, or Alone) writes it in full; a report of several (an mbox
// of thousands) writes one line instead,
// since the record in words above it says the same, and --json carries
// it (reporting.feedback) for every message.
func (t *textWriter) reporting(r *aggregate.Result) {
	if r == nil {
		return
	}
	if !r.Applies {
		t.heading("DMARC reporting (RFC 9990): no report")
		t.steps(r.Steps, "  ")
		return
	}
	rq := r.Requests
	head := "DMARC reporting (RFC 9990): "
	switch n := okCount(rq.Aggregate); {
	case len(rq.Aggregate) == 0:
		head += "no aggregate report asked for"
	case n == 0:
		head += "aggregate report sent to no one"
	default:
		head += "aggregate report sent to " + plural(n, "destination")
	}
	t.heading(head)
	t.para("  "+t.st.label(pad("asked by", 12)), strings.Repeat(" ", 14), safe.Text(orWord(rq.PolicyDomain, "-")))
	t.destinations("rua", "aggregate reports", rq.Aggregate)
	t.destinations("ruf", "failure reports", rq.Failure)
	fo := "no failure report"
	if rq.FailureReport {
		fo = "a failure report"
	}
	t.para("  "+t.st.label(pad("fo="+rq.FailureOptions, 12)), strings.Repeat(" ", 14), safe.Text(fo+": "+rq.FailureWhy))

	if fb := r.Feedback; fb != nil && len(fb.Records) > 0 {
		rec := fb.Records[0]
		adds := "The record this message adds to the report of " + safe.Text(fb.ReportMetadata.OrgName) + ":"
		if !r.Sent {
			adds = "The record this message would add to the report of " + safe.Text(fb.ReportMetadata.OrgName) + ", which goes to no one (shown to teach what it holds):"
		}
		t.para("  ", "    ", t.st.label(adds))
		for _, row := range recordRows(rec) {
			t.para("    "+t.st.label(pad(row[0], 14)), strings.Repeat(" ", 18), safe.Text(row[1]))
		}
		t.feedbackXML(fb, r.Sent)
	}
	t.line("  ", t.st.label("How the reporting side was worked out:"))
	t.steps(r.Steps, "    ")
}

// destinations writes the rua or ruf addresses, each with whether a
// receiver may send there and why.
func (t *textWriter) destinations(tag, what string, ds []aggregate.Destination) {
	label := "  " + t.st.label(pad(tag, 12))
	body := strings.Repeat(" ", 14)
	if len(ds) == 0 {
		t.para(label, body, "(none: the record asks for no "+what+")")
		return
	}
	for i, d := range ds {
		if i > 0 {
			label = body
		}
		verdict := destinationWords(d)
		t.para(label, body+"  ", t.st.result(d.Result, "["+string(d.Result)+"]")+" "+safe.Text(d.URI)+": "+safe.Text(verdict))
	}
}

// destinationWords says whether reports may go to d, and why.
func destinationWords(d aggregate.Destination) string {
	var s string
	switch d.Result {
	case trace.Pass:
		s = "reports may go here"
		if d.Override != "" {
			s = "reports go to " + d.Address + ", which the destination named instead"
		}
	case trace.Fail:
		s = "reports must not go here"
	case trace.TempError:
		s = "not known yet"
	case trace.PermError:
		s = "ignored, malformed"
	case trace.Neutral:
		s = "only receivers that support " + orWord(d.Scheme, "this scheme") + ": send here"
	default:
		s = "not checked"
	}
	if d.External {
		s += " (an external destination, RFC 9990 §4)"
	}
	if d.Reason != "" {
		s += "; " + d.Reason
	}
	return s
}

func okCount(ds []aggregate.Destination) int {
	n := 0
	for _, d := range ds {
		if d.Result == trace.Pass {
			n++
		}
	}
	return n
}

// recordRows is the aggregate record in words: the row, the identifiers
// and the raw results (RFC 9990 §3.1.1.7-13).
func recordRows(rec aggregate.Record) [][2]string {
	pe := rec.Row.PolicyEvaluated
	disp := pe.Disposition
	for _, r := range pe.Reasons {
		disp += ", reason " + r.Type
		if r.Comment != "" {
			disp += ": " + r.Comment
		}
	}
	rows := [][2]string{
		{"source IP", fmt.Sprintf("%s, count %d", orWord(rec.Row.SourceIP, "(unknown)"), rec.Row.Count)},
		{"disposition", disp},
		{"DMARC aligned", "dkim " + pe.DKIM + ", spf " + pe.SPF},
		{"header_from", orWord(rec.Identifiers.HeaderFrom, "(none)")},
		{"envelope_from", orWord(rec.Identifiers.EnvelopeFrom, "(empty)")},
	}
	if rec.Identifiers.EnvelopeTo != "" {
		rows = append(rows, [2]string{"envelope_to", rec.Identifiers.EnvelopeTo})
	}
	if len(rec.AuthResults.DKIM) == 0 {
		rows = append(rows, [2]string{"DKIM", "none (no signature)"})
	}
	for _, d := range rec.AuthResults.DKIM {
		// human_result is in the XML; here it would repeat the DKIM
		// section's reason.
		v := d.Result + " for d=" + d.Domain + " s=" + d.Selector
		rows = append(rows, [2]string{"DKIM", v})
	}
	if s := rec.AuthResults.SPF; s != nil {
		v := s.Result + " for " + s.Domain
		if s.Scope != "" {
			v += " (scope " + s.Scope + ")"
		}
		if s.HumanResult != "" {
			v += "; " + s.HumanResult
		}
		rows = append(rows, [2]string{"SPF", v})
	} else {
		rows = append(rows, [2]string{"SPF", "none reported (no MAIL FROM result)"})
	}
	return rows
}

// feedbackXML writes the <feedback> document, or for a report of several
// messages a line saying where it is.
func (t *textWriter) feedbackXML(fb *aggregate.Feedback, sent bool) {
	if t.o.Total > 1 && !t.o.Alone {
		t.para("  ", "  ", t.st.dim("The XML document the domain owner receives is left out of a report of several messages; a message reported alone shows it, and --json carries it as reporting.feedback."))
		return
	}
	b, err := fb.XML()
	if err != nil {
		t.para("  ", "  ", "The XML document cannot be written: "+safe.Text(err.Error()))
		return
	}
	what := "The XML document " + safe.Text(fb.PolicyPublished.Domain) + " receives"
	if !sent {
		what = "The XML document " + safe.Text(fb.PolicyPublished.Domain) + " would receive"
	}
	t.para("  ", "    ", t.st.label(what)+" (attachment "+safe.Text(fb.Filename)+", gzip-compressed in a real report; RFC 9990 §3.5.2):")
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		// encoding/xml escapes markup but passes controls and bidi
		// characters from the message or DNS through: safe.Text shows
		// them. Each line keeps its indent, and a long one goes on
		// two columns further in.
		l = safe.Text(l)
		body := strings.TrimLeft(l, " ")
		lead := "    " + l[:len(l)-len(body)]
		t.para(lead, lead+"  ", body)
	}
}
