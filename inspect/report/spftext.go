package report

import (
	"strings"

	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// SPF returns the text report of one SPF evaluation as `headercheck spf`
// prints it: the result line ("SPF FAIL for example.org (MAIL FROM
// bob@example.org), client 192.0.2.7"), then what the main report's SPF
// section says below its heading (the explanation, the record, the
// domain's exp= text, the lookups against lim, the steps with their DNS
// exchanges), then the DNS queries as the main report lists them. The
// same code writes both, so they cannot drift: wrapped at o.Width, styled
// with o.Color, everything from the inputs or DNS escaped. A zero lim
// means RFC 7208's limits.
func SPF(r spf.Result, queries []trace.Query, lim spf.Limits, o TextOptions) []byte {
	if o.Width <= 0 {
		o.Width = 80
	}
	if lim.Lookups <= 0 {
		lim.Lookups = spf.DefaultLookups
	}
	t := &textWriter{o: o, st: newStyles(o.Color)}
	word := string(r.Result)
	if word == "" {
		word = string(trace.None)
	}
	first := t.st.heading("SPF") + " " + t.st.result(r.Result, strings.ToUpper(word)) + " "
	t.para(first, "    ", safe.Text(spfSubject(r)))
	t.spfBody(r, spfCountsWith(r, lim))
	t.dns(queries)
	return []byte(t.b.String())
}

// spfSubject is what the result line says SPF was evaluated for: "for
// DOMAIN (MAIL FROM sender), client IP". A sender with no domain ("a@")
// is said to have none, not shown as an empty name.
func spfSubject(r spf.Result) string {
	id := "MAIL FROM"
	if r.Identity == spf.HELO {
		id = "HELO"
	}
	var s string
	switch {
	case r.Domain != "":
		s = "for " + r.Domain + " (" + id + " " + orWord(r.Sender, "<>") + ")"
	case r.Identity == spf.HELO:
		s = "for no domain (the HELO name " + orWord(r.Sender, "given") + " is no domain)"
	default:
		s = "for no domain (MAIL FROM " + orWord(r.Sender, "<>") + " names no domain after the @)"
	}
	return s + ", client " + orWord(r.ClientIP, "-")
}
