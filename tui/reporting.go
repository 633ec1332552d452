package tui

import (
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/inspect/trace"
)

// reportingNodes are DMARC's reporting side in the DMARC view (issue 10):
// a "Reporting (RFC 9990)" node, a child per rua and ruf destination with
// whether a receiver may send there, one for the failure report fo= asks
// for, and one for the aggregate record, whose detail holds the
// <feedback> XML the domain owner receives (J/K scroll it); the steps
// that worked it out come last, closed.
func reportingNodes(rep *inspect.Report) []node {
	if !done(rep, inspect.CheckVerdict) {
		return pendingNode("reporting", "Reporting (RFC 9990)")
	}
	r := rep.Reporting
	if r == nil {
		return nil
	}
	const ref = "RFC 9989 §4.7, RFC 9990"
	if !r.Applies {
		var exp []string
		for _, st := range r.Steps {
			exp = append(exp, st.Explain)
		}
		return []node{{path: "reporting", title: "Reporting (RFC 9990): no report", result: trace.None,
			explain: block(strings.Join(exp, "\n")), ref: ref}}
	}
	rq := r.Requests
	title := "Reporting (RFC 9990): "
	ok := 0
	for _, d := range rq.Aggregate {
		if d.Result == trace.Pass {
			ok++
		}
	}
	res := trace.Info
	switch {
	case len(rq.Aggregate) == 0:
		title += "no rua= asks for it"
	case ok == 0:
		title += "sent to no one"
	default:
		title += "sent to 1 address"
		if ok > 1 {
			title = fmt.Sprintf("Reporting (RFC 9990): sent to %d addresses", ok)
		}
		res = trace.Pass
	}
	top := node{path: "reporting", title: title, result: res, kids: true, open: true, ref: ref,
		detail:  block("record at " + rq.PolicyDomain + ": " + rq.Record),
		explain: "Where the owner of " + s(rq.PolicyDomain) + " asks receivers to send reports (rua= for daily aggregate reports, ruf= for failure reports about single messages), whether a receiver may send them there, and the record this message adds to the aggregate report. Select the aggregate record to read the XML document the owner receives."}
	out := []node{top}
	add := func(n node) {
		n.depth = 1
		n.path = fmt.Sprintf("reporting/%d", len(out)-1)
		out = append(out, n)
	}
	dests := append(append([]aggregate.Destination(nil), rq.Aggregate...), rq.Failure...)
	if len(rq.Aggregate) == 0 {
		add(node{title: "rua: none", result: trace.None, ref: "RFC 9989 §4.7",
			explain: "The record has no rua= tag, so its owner asks for no aggregate reports: a receiver sends none, and the owner never learns about this message."})
	}
	for _, d := range dests {
		add(node{title: s(string(d.Kind) + " " + d.URI), result: d.Result, ref: "RFC 9990 §4",
			detail: block(destDetail(d)), explain: block(d.Reason)})
	}
	fr := trace.Info
	fword := "no"
	if rq.FailureReport {
		fr, fword = trace.Warn, "yes"
	}
	add(node{title: s("Failure report (fo=" + rq.FailureOptions + "): " + fword), result: fr, ref: "RFC 9989 §4.7, RFC 9991 §2",
		explain: block(rq.FailureWhy)})
	if fb := r.Feedback; fb != nil && len(fb.Records) > 0 {
		rec := fb.Records[0]
		pe := rec.Row.PolicyEvaluated
		n := node{title: s(fmt.Sprintf("Aggregate record: %s, %s", orDash(rec.Row.SourceIP), pe.Disposition)),
			result: dispResult(pe.Disposition), ref: "RFC 9990 §3.1.1.7",
			detail: block(recordWords(rec))}
		n.explain = "The record this message adds to the report " + s(fb.ReportMetadata.OrgName) + " sends " + s(fb.PolicyPublished.Domain) + " once a day; a real report counts a day of messages per source and outcome."
		if !r.Sent {
			n.explain += " No rua= destination may receive it, so it goes to no one: it is shown to teach what it would hold."
		}
		if x, err := fb.XML(); err == nil {
			n.pre = block(strings.TrimRight(string(x), "\n"))
			n.preTitle = "The XML document " + s(fb.PolicyPublished.Domain) + " receives"
			if !r.Sent {
				n.preTitle = "The XML document " + s(fb.PolicyPublished.Domain) + " would receive"
			}
			n.explain += " The report comes as the attachment " + s(fb.Filename) + ", gzip-compressed (RFC 9990 §3.5.2)."
		}
		add(n)
	}
	if len(r.Steps) > 0 {
		p := fmt.Sprintf("reporting/%d", len(out)-1)
		out = append(out, node{depth: 1, path: p, title: "How it was worked out", result: trace.Info, kids: true,
			explain: "The steps behind the reporting side, each with its rule."})
		out = append(out, stepNodes(r.Steps, 2, p)...)
	}
	return out
}

func destDetail(d aggregate.Destination) string {
	var out []string
	if d.Address != "" {
		out = append(out, "address: "+d.Address)
	}
	if d.Host != "" {
		out = append(out, "host: "+d.Host)
	}
	if d.External {
		out = append(out, "external: outside the policy domain's organization, so the host must agree (RFC 9990 §4)")
	}
	if d.Override != "" {
		out = append(out, "the host's record names instead: "+d.Override)
	}
	return strings.Join(out, "\n")
}

// recordWords is the aggregate record in words (RFC 9990 §3.1.1.7-13).
func recordWords(rec aggregate.Record) string {
	pe := rec.Row.PolicyEvaluated
	lines := []string{
		fmt.Sprintf("source IP %s, count %d", orDash(rec.Row.SourceIP), rec.Row.Count),
		"disposition " + pe.Disposition,
	}
	for _, r := range pe.Reasons {
		lines = append(lines, "reason "+r.Type+": "+r.Comment)
	}
	lines = append(lines,
		"DMARC-aligned: dkim "+pe.DKIM+", spf "+pe.SPF,
		"header_from "+orDash(rec.Identifiers.HeaderFrom)+", envelope_from "+orDash(rec.Identifiers.EnvelopeFrom))
	for _, d := range rec.AuthResults.DKIM {
		lines = append(lines, "DKIM "+d.Result+" for d="+d.Domain+" s="+d.Selector)
	}
	if sp := rec.AuthResults.SPF; sp != nil {
		lines = append(lines, "SPF "+sp.Result+" for "+sp.Domain+" ("+sp.Scope+")")
	}
	return strings.Join(lines, "\n")
}

func dispResult(d string) trace.Result {
	switch d {
	case "pass":
		return trace.Pass
	case "quarantine":
		return trace.SoftFail
	case "reject":
		return trace.Fail
	}
	return trace.Info
}

// preLines lays out preformatted text (the XML) for a pane w cells wide:
// each line keeps its indent, and one too long goes on under it two
// cells further in, so the nesting stays readable.
func preLines(text string, w int) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		body := strings.TrimLeft(l, " ")
		ind := min(len(l)-len(body), max(w-12, 0))
		if width(body) <= w-ind {
			out = append(out, strings.Repeat(" ", ind)+body)
			continue
		}
		for i, part := range wrap(body, max(w-ind-2, 1)) {
			pad := ind
			if i > 0 {
				pad += 2
			}
			out = append(out, strings.Repeat(" ", pad)+part)
		}
	}
	return out
}
