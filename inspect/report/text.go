package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TextOptions is how a text report is laid out.
type TextOptions struct {
	// Width is the terminal's width in columns; no line is wider. 0 means
	// 80, the width when stdout is not a terminal.
	Width int
	// Color styles the report with lipgloss (a terminal without
	// NO_COLOR). Without it the report is plain text.
	Color bool
	// Total is how many messages the input holds; above 1 the title says
	// "message N of Total".
	Total int
	// Alone says only one message of the input is reported (--message
	// N): its long parts (the aggregate report's XML) are written as for
	// a single message, which a report of several leaves out.
	Alone bool
}

// Text returns the plain-text report of rep: the verdict and its story
// first, then the envelope, the hop table, iprev, SPF, DKIM, DMARC and its
// reporting side (RFC 9990), ARC and
// the receivers' own headers, what the receivers recorded and where the
// replay differs, the DNS queries, and the notes of loading. It is safe to
// call from several goroutines.
func Text(rep *inspect.Report, o TextOptions) []byte {
	if o.Width <= 0 {
		o.Width = 80
	}
	t := &textWriter{o: o, st: newStyles(o.Color)}
	t.report(rep)
	return []byte(t.b.String())
}

// styles paints the parts of a report; each is the identity without colour.
type styles struct {
	title, heading, label, dim func(string) string
	// struck marks what a header claims that is not believed: struck
	// through with colour (SGR 9), and only the words "not trusted"
	// beside it in plain text, which has no way to strike.
	struck      func(string) string
	result      func(trace.Result, string) string
	disposition func(inspect.Disposition, string) string
}

func newStyles(color bool) styles {
	plain := func(s string) string { return s }
	if !color {
		return styles{
			title: plain, heading: plain, label: plain, dim: plain, struck: plain,
			result:      func(_ trace.Result, s string) string { return s },
			disposition: func(_ inspect.Disposition, s string) string { return s },
		}
	}
	render := func(st lipgloss.Style) func(string) string { return func(s string) string { return st.Render(s) } }
	green, red, yellow := lipgloss.Color("2"), lipgloss.Color("1"), lipgloss.Color("3")
	byResult := map[trace.Result]lipgloss.Style{
		trace.Pass:      lipgloss.NewStyle().Foreground(green).Bold(true),
		trace.Fail:      lipgloss.NewStyle().Foreground(red).Bold(true),
		trace.PermError: lipgloss.NewStyle().Foreground(red),
		trace.SoftFail:  lipgloss.NewStyle().Foreground(yellow).Bold(true),
		trace.TempError: lipgloss.NewStyle().Foreground(yellow),
		trace.Warn:      lipgloss.NewStyle().Foreground(yellow),
		trace.Policy:    lipgloss.NewStyle().Foreground(yellow),
		trace.Info:      lipgloss.NewStyle().Faint(true),
	}
	byDisp := map[inspect.Disposition]lipgloss.Style{
		inspect.Deliver:    lipgloss.NewStyle().Foreground(green).Bold(true),
		inspect.Quarantine: lipgloss.NewStyle().Foreground(yellow).Bold(true),
		inspect.Reject:     lipgloss.NewStyle().Foreground(red).Bold(true),
	}
	return styles{
		title:   render(lipgloss.NewStyle().Bold(true).Reverse(true)),
		heading: render(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("6"))),
		label:   render(lipgloss.NewStyle().Bold(true)),
		dim:     render(lipgloss.NewStyle().Faint(true)),
		struck:  render(lipgloss.NewStyle().Strikethrough(true)),
		result: func(r trace.Result, s string) string {
			if st, ok := byResult[r]; ok {
				return st.Render(s)
			}
			return s
		},
		disposition: func(d inspect.Disposition, s string) string {
			if st, ok := byDisp[d]; ok {
				return st.Render(s)
			}
			return s
		},
	}
}

type textWriter struct {
	o  TextOptions
	st styles
	b  strings.Builder
}

// line writes parts as one line, wrapped if the terminal is narrower.
func (t *textWriter) line(parts ...string) {
	wrap(&t.b, strings.Join(parts, ""), "", "    ", t.o.Width)
}

// para writes untrusted text wrapped under a prefix.
func (t *textWriter) para(first, indent, s string) {
	wrap(&t.b, s, first, indent, t.o.Width)
}

// heading writes a section title. A title too long for the line goes on
// at the left margin like its first line: the body of a section is
// indented, so an indented continuation would read as the section's text.
func (t *textWriter) heading(s string) {
	t.b.WriteByte('\n')
	t.styledLines(s, "", t.st.heading)
}

// claim writes untrusted text wrapped under a prefix like para, the
// text struck through when trusted is false (issue 12: a header nobody
// vouches for is shown struck through, its reason beside it). Only the
// text is styled, after wrapping, so the prefixes stay plain and no
// escape sequence straddles a line break.
func (t *textWriter) claim(first, indent, s string, trusted bool) {
	if trusted {
		t.para(first, indent, s)
		return
	}
	var hb strings.Builder
	wrap(&hb, s, first, indent, t.o.Width)
	for i, l := range strings.Split(strings.TrimSuffix(hb.String(), "\n"), "\n") {
		pfx := indent
		if i == 0 {
			pfx = first
		}
		if strings.HasPrefix(l, pfx) && len(l) > len(pfx) {
			l = pfx + t.st.struck(l[len(pfx):])
		}
		t.b.WriteString(l)
		t.b.WriteByte('\n')
	}
}

// styledLines wraps s with indent before each line after the first and
// styles each line after wrapping, so escape sequences never count as
// width nor straddle a line break.
func (t *textWriter) styledLines(s, indent string, style func(string) string) {
	var hb strings.Builder
	wrap(&hb, s, "", indent, t.o.Width)
	for _, l := range strings.Split(strings.TrimSuffix(hb.String(), "\n"), "\n") {
		t.b.WriteString(style(l))
		t.b.WriteByte('\n')
	}
}

func (t *textWriter) report(rep *inspect.Report) {
	t.title(rep)
	if rep.Error != "" {
		t.para("Not inspected: ", "  ", safe.Text(rep.Error))
		return
	}
	t.verdict(rep)
	t.envelope(rep)
	t.hops(rep.Chain)
	t.iprev(rep)
	t.spf("SPF", rep.SPF, spfFor(rep.SPF, rep.Chain.Envelope), rep)
	if h := rep.SPFHELO; h != nil {
		t.spf("SPF for the HELO name", *h, spfFor(*h, received.Envelope{}), rep)
	}
	t.dkim(rep)
	t.dmarc(rep.DMARC)
	t.reporting(rep.Reporting)
	t.arc(rep)
	t.receivers(rep)
	t.recorded(rep)
	t.dns(rep.DNS)
	if len(rep.Steps) > 0 {
		t.heading("Notes")
		t.steps(rep.Steps, "  ")
	}
}

func (t *textWriter) title(rep *inspect.Report) {
	src := rep.Source
	title := safe.Text(src.File)
	if t.o.Total > 1 {
		title = fmt.Sprintf("Message %d of %d in %s", src.Index, t.o.Total, title)
	} else if src.Index > 1 {
		title = fmt.Sprintf("Message %d in %s", src.Index, title)
	}
	t.styledLines("== "+title+" ==", "   ", t.st.title)
	if rep.Error != "" {
		return
	}
	rows := [][2]string{
		{"From", src.From},
		{"Subject", src.Subject},
		{"Date", src.Date},
		{"Message-ID", src.MessageID},
	}
	for _, r := range rows {
		v := safe.Text(r[1])
		if v == "" {
			v = "(none)"
		}
		t.para(t.st.label(pad(r[0]+":", 12)), strings.Repeat(" ", 12), v)
	}
}

func (t *textWriter) verdict(rep *inspect.Report) {
	v := rep.Verdict
	t.b.WriteByte('\n')
	word := strings.ToUpper(string(v.Disposition))
	if word == "" {
		word = "(NONE)"
	}
	t.line(t.st.label("Verdict: "), t.st.disposition(v.Disposition, word), t.st.dim(verdictGloss(v.Disposition)))
	t.para("  ", "  ", safe.Text(v.Reason))
	if story := storyBeyond(v.Story, v.Reason, rep.DMARC); story != "" {
		t.para("  ", "  ", safe.Text(story))
	}
	if v.TempError && !strings.Contains(v.Reason+v.Story, "retry") {
		t.para("  ", "  ", "A temporary DNS error decided this: a receiver may instead defer the message and retry later.")
	}
	// The story tells each sign's explanation and the ARC note (so it is
	// whole for a JSON reader); here they are written only when it does
	// not, so the reader is not told the same thing twice.
	told := func(s string) bool { return strings.Contains(v.Story, s) }
	if len(v.Signs) > 0 {
		t.line("  ", t.st.label("Phishing signs:"))
		for _, s := range v.Signs {
			t.para("  ! ", "    ", safe.Text(s.Detail))
			if !told(s.Explain) {
				t.para("    ", "    ", safe.Text(s.Explain))
			}
		}
	}
	if v.ARC != "" && !told(v.ARC) {
		t.para("  ARC: ", "       ", safe.Text(v.ARC))
	}
	if len(v.Steps) > 0 {
		t.line("  ", t.st.label("How the verdict was reached:"))
		t.steps(v.Steps, "    ")
	}
}

// storyBeyond is the verdict's story without what its reason already
// said. Without a DMARC policy the reason says "X has no DMARC policy, so
// DMARC decides nothing here" and the story ends "X publishes no usable
// DMARC policy, so DMARC does not apply ...": the same fact twice, one
// line apart. The story's sentence goes (both come from inspect and
// inspect/dmarc; the JSON keeps both whole).
func storyBeyond(story, reason string, d dmarc.Result) string {
	if story == reason {
		return ""
	}
	if d.Result == trace.None && d.FromDomain != "" && strings.Contains(reason, d.FromDomain+" has no DMARC policy") {
		dup := d.FromDomain + " publishes no usable DMARC policy, so DMARC does not apply and the receiver decides by its own rules."
		story = strings.Join(strings.Fields(strings.Replace(story, dup, "", 1)), " ")
	}
	return story
}

func verdictGloss(d inspect.Disposition) string {
	switch d {
	case inspect.Deliver:
		return " (the inbox)"
	case inspect.Quarantine:
		return " (the spam folder)"
	case inspect.Reject:
		return " (refused by a receiver that follows DMARC)"
	}
	return ""
}

func (t *textWriter) envelope(rep *inspect.Report) {
	env := rep.Chain.Envelope
	t.heading("Envelope: what SPF was evaluated for")
	row := func(name, value, from string) {
		if value == "" {
			value = "(unknown)"
		}
		v := safe.Text(value)
		if from != "" {
			v += "  (from " + safe.Text(from) + ")"
		}
		t.para("  "+t.st.label(pad(name, 11)), strings.Repeat(" ", 13), v)
	}
	row("client IP", env.ClientIP, env.DerivedFrom.ClientIP)
	row("HELO", env.HELO, env.DerivedFrom.HELO)
	mf := env.MailFrom
	if mf == "" && env.DerivedFrom.MailFrom != "" {
		mf = "<> (the null sender)"
	}
	row("MAIL FROM", mf, env.DerivedFrom.MailFrom)
	if !rep.At.IsZero() {
		row("as of", rep.At.UTC().Format(time.RFC3339), rep.AtSource)
	}
}

// hops writes the hop table, oldest hop first.
func (t *textWriter) hops(c received.Chain) {
	n := len(c.Hops)
	head := fmt.Sprintf("Received chain, oldest hop first (%s", plural(n, "hop"))
	if c.Boundary >= 0 && c.Boundary < n {
		head += fmt.Sprintf("; trust boundary received[%d]", c.Boundary)
	} else {
		head += "; no trust boundary found"
	}
	if c.Transit != nil {
		head += "; " + seconds(*c.Transit) + " in transit"
	}
	t.heading(head + ")")
	if n == 0 {
		t.para("  ", "  ", "The message has no Received header: it does not show which servers it passed.")
	}
	for i := n - 1; i >= 0; i-- {
		h := c.Hops[i]
		label := fmt.Sprintf("received[%d]", i)
		when := h.Time
		if when == "" {
			when = "(no readable date)"
		}
		row := "  " + t.st.label(pad(label, 13)) + " " + safe.Text(when)
		if h.DelaySeconds != nil {
			row += "  " + delay(*h.DelaySeconds)
		}
		t.line(row)
		if i == c.Boundary {
			t.para("      "+t.st.result(trace.Warn, ">> trust boundary:")+" ", "         ", "the message entered the receiving side here; the client of this hop is the one SPF and iprev were checked for")
		}
		t.para("      ", "        ", hopWords(h))
		for _, a := range h.Anomalies {
			t.para("      "+t.st.result(trace.Warn, "!")+" ", "        ", safe.Text(a))
		}
	}
	if len(c.Steps) > 0 {
		t.line("  ", t.st.label("How the boundary and the envelope were found:"))
		t.steps(c.Steps, "    ")
	}
	if len(c.Origins) > 0 {
		t.line("  ", t.st.label("Other claims about where the message started:"))
		for _, o := range c.Origins {
			t.para("    "+safe.Text(o.Header)+": ", "      ", safe.Text(o.Value))
			t.para("      ", "      ", safe.Text(o.Explain))
		}
	}
}

// hopWords is one hop as a sentence of its clauses.
func hopWords(h received.Hop) string {
	var parts []string
	from := h.FromHELO
	var tcp []string
	if h.FromRDNS != "" {
		tcp = append(tcp, h.FromRDNS)
	}
	if h.FromIP != "" {
		tcp = append(tcp, "["+h.FromIP+"]")
	}
	if len(tcp) > 0 {
		from = strings.TrimSpace(from + " (" + strings.Join(tcp, " ") + ")")
	}
	if from != "" {
		parts = append(parts, "from "+from)
	}
	for _, kv := range [][2]string{{"by", h.By}, {"via", h.Via}, {"with", h.With}, {"id", h.ID}, {"for", h.For}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if h.TLS != "" {
		parts = append(parts, "("+h.TLS+")")
	}
	if len(parts) == 0 {
		return safe.Text(h.Raw)
	}
	return safe.Text(strings.Join(parts, " "))
}

func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < 0 {
		return "-" + (-d).Round(time.Second).String()
	}
	return d.Round(time.Second).String()
}

func delay(s float64) string {
	if s < 0 {
		return seconds(s) + " (earlier than the hop before: clocks disagree)"
	}
	return "+" + seconds(s)
}

func (t *textWriter) iprev(rep *inspect.Report) {
	r := rep.IPRev
	t.resultHeading("Reverse DNS (iprev)", r.Result, r.IP)
	t.para("  ", "  ", safe.Text(r.Reason))
	if len(r.Names) > 0 {
		t.para("  names: ", "         ", safe.Text(strings.Join(r.Names, ", ")))
	}
	if r.Recorded != "" {
		t.para("  the receiver recorded: ", "    ", safe.Text(r.Recorded))
	}
	t.steps(r.Steps, "  ")
}

// resultHeading writes "NAME: RESULT  detail" as a heading.
func (t *textWriter) resultHeading(name string, r trace.Result, detail string) {
	t.b.WriteByte('\n')
	word := string(r)
	if word == "" {
		word = "none"
	}
	first := t.st.heading(name+":") + " " + t.st.result(r, strings.ToUpper(word))
	if detail != "" {
		first += "  "
	}
	t.para(first, "  ", safe.Text(detail))
}

// spfFor says what an SPF result was evaluated for, as its heading shows
// it. env is the envelope for the MAIL FROM check, zero for the HELO one.
func spfFor(r spf.Result, env received.Envelope) string {
	var detail string
	switch {
	case r.Identity == spf.MailFrom && env.DerivedFrom.MailFrom == "" && r.Sender == "" && r.Domain == "":
		// Nothing recorded the MAIL FROM: there was nothing to check
		// (RFC 7208 §2.4), and the step below says so.
		detail = "for an unknown MAIL FROM"
	case r.Identity == spf.MailFrom && env.MailFrom == "" && env.DerivedFrom.MailFrom != "":
		// The null sender: RFC 7208 §2.4 makes the MAIL FROM identity
		// postmaster@ the HELO name.
		if r.Domain != "" {
			detail = "for " + r.Domain + " (MAIL FROM <>, checked as " + orWord(r.Sender, "postmaster@"+r.Domain) + ")"
		} else {
			detail = "for MAIL FROM <>, with no HELO domain to check it as postmaster@HELO"
		}
	default:
		if r.Domain != "" {
			detail = "for " + r.Domain
		}
		if r.Identity != "" {
			detail += " (" + string(r.Identity) + " identity"
			if r.Sender != "" {
				detail += " " + r.Sender
			}
			detail += ")"
		}
	}
	if r.ClientIP != "" {
		detail += ", client " + r.ClientIP
	}
	return strings.TrimSpace(detail)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

func (t *textWriter) spf(name string, r spf.Result, detail string, rep *inspect.Report) {
	t.resultHeading(name, r.Result, detail)
	t.spfBody(r, spfCounts(r, rep))
}

// spfBody is an SPF section below its heading: the explanation, the
// record, the domain's own explanation, the tip-off warning, the lookups
// against the limits (counts) and the steps. The main report and
// `headercheck spf` (SPF) both write it.
func (t *textWriter) spfBody(r spf.Result, counts string) {
	if r.Explanation != "" {
		t.para("  ", "  ", safe.Text(r.Explanation))
	}
	if r.Record != "" {
		t.para("  record: ", "          ", safe.Text(r.Record))
	}
	if r.Exp != "" {
		t.para("  the domain's own explanation (exp=): ", "    ", safe.Text(r.Exp))
	}
	if r.TipOff {
		t.para("  "+t.st.result(trace.Warn, "!")+" ", "    ", "Warning: some lookups carried the sender or the client to the sender's DNS, which can tell the sender that the message is being checked; see the tip-off steps below.")
	}
	t.line(t.st.dim("  " + counts))
	t.steps(r.Steps, "  ")
}

// spfCounts says how many lookups SPF made against the limits that applied
// (--spf-lookups and --spf-voids can change RFC 7208 §4.6.4's 10 and 2).
func spfCounts(r spf.Result, rep *inspect.Report) string {
	lim, ok := rep.SPFLimits()
	if !ok {
		return fmt.Sprintf("%s counted against the lookup limit, %s", plural(r.DNSLookups, "DNS lookup"), plural(r.VoidLookups, "void lookup"))
	}
	return spfCountsWith(r, lim)
}

func spfCountsWith(r spf.Result, lim spf.Limits) string {
	return fmt.Sprintf("%s counted against the limit of %d, %s", plural(r.DNSLookups, "DNS lookup"), lim.Lookups, plural(r.VoidLookups, "void lookup"))
}

func (t *textWriter) dkim(rep *inspect.Report) {
	sigs := rep.DKIM
	t.heading(fmt.Sprintf("DKIM: %s", plural(len(sigs), "signature")))
	if len(sigs) == 0 {
		t.para("  ", "  ", "The message carries no DKIM-Signature header, so no domain vouches for it with a signature (RFC 6376).")
	}
	for i, s := range sigs {
		t.b.WriteByte('\n')
		desc := fmt.Sprintf("d=%s s=%s", s.Domain, s.Selector)
		if s.Algorithm != "" {
			desc += " " + s.Algorithm
		}
		if s.KeyBits > 0 {
			desc += fmt.Sprintf(", %d-bit key", s.KeyBits)
		}
		first := "  " + t.st.label(fmt.Sprintf("Signature %d:", i+1)) + " " + t.st.result(s.Result, strings.ToUpper(string(s.Result))) + "  "
		t.para(first, "    ", safe.Text(desc))
		if s.Reason != "" {
			t.para("    ", "    ", safe.Text(s.Reason))
		}
		for _, w := range s.Warnings {
			t.para("    "+t.st.result(trace.Warn, "!")+" ", "      ", safe.Text(w))
		}
		t.steps(s.Steps, "    ")
	}
}

func (t *textWriter) dmarc(d dmarc.Result) {
	detail := ""
	if d.Standard != "" {
		detail = "under " + standardName(d.Standard)
	}
	// d.Policy is what a receiver applies, none also when there was no
	// policy to apply: the heading says which.
	switch {
	case d.Result == trace.TempError && d.Record == "":
		detail += ", policy unknown (the record could not be fetched)"
	case d.Result == trace.None && d.Record == "":
		detail += ", no policy (no DMARC record)"
	case d.Result == trace.PermError:
		detail += ", no policy (the record cannot be used)"
	case d.Policy != "":
		detail += ", policy " + string(d.Policy)
	}
	t.resultHeading("DMARC", d.Result, strings.TrimPrefix(detail, ", "))
	rows := [][2]string{
		{"From domain", d.FromDomain},
		{"org domain", d.OrgDomain},
		{"record at", d.RecordDomain},
		{"record", d.Record},
	}
	for _, r := range rows {
		if r[1] != "" {
			t.para("  "+t.st.label(pad(r[0], 12)), strings.Repeat(" ", 14), safe.Text(r[1]))
		}
	}
	t.line("  ", t.st.label(pad("aligned", 12)), "SPF ", yesNo(d.SPFAligned), ", DKIM ", yesNo(d.DKIMAligned))
	if d.Testing {
		t.para("  ", "  ", "The record is in testing mode (t=y): receivers apply the next weaker policy.")
	}
	if d.Pct != nil {
		t.para("  ", "  ", fmt.Sprintf("pct=%d: the policy applies to %d%% of failing messages (RFC 7489 §6.6.4).", *d.Pct, *d.Pct))
	}
	if d.Differ || d.Other.Result != "" && (d.Other.Result != d.Result || d.Other.Policy != d.Policy) {
		t.sideBySide(d)
	}
	t.steps(d.Steps, "  ")
	if d.Differ {
		other := d.RFC7489
		if d.Standard == dmarc.RFC7489 {
			other = d.RFC9989
		}
		if len(other.Steps) > 0 {
			t.line("  ", t.st.label("How "+standardName(other.Standard)+" got its answer:"))
			t.steps(other.Steps, "    ")
		}
	}
}

// sideBySide writes the two DMARC standards' answers in two columns.
func (t *textWriter) sideBySide(d dmarc.Result) {
	t.para("  ", "  ", "The two DMARC standards differ here:")
	a, b := d.RFC9989, d.RFC7489
	if a.Standard == "" {
		// Only the contract's summary of the other standard is known.
		a = dmarc.Evaluation{Standard: d.Standard, Result: d.Result, OrgDomain: d.OrgDomain, RecordDomain: d.RecordDomain, Policy: d.Policy}
		b = dmarc.Evaluation{Standard: d.Other.Standard, Result: d.Other.Result, OrgDomain: d.Other.OrgDomain, RecordDomain: d.Other.RecordDomain, Policy: d.Other.Policy}
		if d.Standard == dmarc.RFC7489 {
			a, b = b, a
		}
	}
	names := [2]string{standardName(a.Standard), standardName(b.Standard)}
	for i, e := range []dmarc.Evaluation{a, b} {
		if e.Standard == d.Standard {
			names[i] += " (decides)"
		}
	}
	rows := [][3]string{
		{"", names[0], names[1]},
		{"result", string(a.Result), string(b.Result)},
		{"org domain", orDash(a.OrgDomain), orDash(b.OrgDomain)},
		{"record at", orDash(a.RecordDomain), orDash(b.RecordDomain)},
		{"policy", orDash(string(a.Policy)), orDash(string(b.Policy))},
	}
	col := (t.o.Width - 4 - 13) / 2
	for _, r := range rows {
		left, right := safe.Text(r[1]), safe.Text(r[2])
		if col > 8 {
			left, right = clip(left, col-1), clip(right, col-1)
		}
		t.line(strings.TrimRight("    "+pad(r[0], 13)+pad(left, col)+right, " "))
	}
}

func clip(s string, w int) string {
	if len([]rune(s)) <= w {
		return s
	}
	r := []rune(s)
	return string(r[:w-1]) + "…"
}

func standardName(s dmarc.Standard) string {
	switch s {
	case dmarc.RFC9989:
		return "RFC 9989"
	case dmarc.RFC7489:
		return "RFC 7489"
	}
	return string(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (t *textWriter) arc(rep *inspect.Report) {
	a := rep.ARC
	detail := ""
	switch {
	case a.Instances > 0 && a.BrokenAt != nil:
		detail = fmt.Sprintf("%s, broken at instance %d", plural(a.Instances, "instance"), *a.BrokenAt)
	case a.Instances > 0:
		detail = plural(a.Instances, "instance")
	default:
		detail = "the message has no ARC chain"
	}
	r := a.Result
	if r == "" {
		r = trace.None
	}
	t.resultHeading("ARC", r, detail)
	if a.Reason != "" {
		t.para("  ", "  ", safe.Text(a.Reason))
	}
	t.steps(a.Steps, "  ")
}

func (t *textWriter) receivers(rep *inspect.Report) {
	if len(rep.Receivers) == 0 {
		return
	}
	t.heading("The receivers' own verdict headers")
	for _, r := range rep.Receivers {
		trust := "not trusted"
		if r.Trusted {
			trust = "trusted"
		}
		t.para("  "+t.st.label(safe.Text(r.Vendor))+" ", "    ", fmt.Sprintf("(%s, %s)", safe.Text(r.Header), trust))
		if r.Summary != "" {
			t.claim("    ", "    ", safe.Text(r.Summary), r.Trusted)
		}
		if r.Why != "" {
			t.para("    not trusted: ", "      ", safe.Text(r.Why))
		}
		// The fields in the order the receiver wrote them, each with
		// what its value means; any the order does not list come last.
		keys := slices.Clone(r.Keys)
		var rest []string
		for k := range r.Fields {
			if !slices.Contains(keys, k) {
				rest = append(rest, k)
			}
		}
		slices.Sort(rest)
		for _, k := range append(keys, rest...) {
			v, ok := r.Fields[k]
			if !ok {
				continue
			}
			line := k + "=" + v
			if m := r.Meaning[k]; m != "" {
				line += " — " + m
			}
			t.claim("    ", "      ", safe.Text(line), r.Trusted)
		}
	}
}

func (t *textWriter) recorded(rep *inspect.Report) {
	rec := rep.Recorded
	t.heading("What the receivers recorded, and where the replay differs")
	if len(rec.AuthenticationResults) == 0 {
		t.para("  ", "  ", "No Authentication-Results header: no receiver recorded its checks in the message.")
	}
	for i, h := range rec.AuthenticationResults {
		who := h.AuthServID
		if who == "" {
			who = "(no authserv-id)"
		}
		trust := "not trusted"
		if h.Trusted {
			trust = "trusted"
		}
		field := h.Field
		if h.Instance > 0 {
			field += fmt.Sprintf(" i=%d", h.Instance)
		}
		t.para(fmt.Sprintf("  [%d] ", i), "      ", fmt.Sprintf("%s by %s, %s", safe.Text(field), safe.Text(who), trust))
		if h.Why != "" {
			// One receiver often writes a field per filter (OpenDKIM,
			// OpenDMARC, the SPF checker), each trusted for the same
			// reason: the reason is given once.
			same := slices.IndexFunc(rec.AuthenticationResults[:i], func(o recorded.Header) bool { return o.Why == h.Why })
			if same >= 0 {
				t.para("      ", "      ", fmt.Sprintf("%s, for the same reason as [%d].", upperFirst(trust), same))
			} else {
				t.para("      ", "      ", safe.Text(h.Why))
			}
		}
		// One result a line with the properties that say what it was
		// for (header.d, smtp.mailfrom): two dkim results, or spf for
		// the MAIL FROM and the HELO, are told apart.
		for _, m := range h.Results {
			res := m.Method + "=" + string(m.Result)
			for _, p := range m.Props {
				res += " " + p.Name + "=" + p.Value
			}
			t.claim("      ", "        ", safe.Text(res), h.Trusted)
		}
		if h.None {
			t.claim("      ", "        ", "none (the writer checked nothing)", h.Trusted)
		}
		if h.Problem != "" {
			t.para("      "+t.st.result(trace.Warn, "!")+" ", "        ", safe.Text(h.Problem))
		}
	}
	if len(rec.Differences) == 0 {
		if len(rec.AuthenticationResults) > 0 {
			t.para("  ", "  ", "The replay agrees with what was recorded.")
		}
		return
	}
	t.line("  ", t.st.label("Differences:"))
	for _, d := range rec.Differences {
		head := fmt.Sprintf("%s: recorded %s by [%d] %s, replayed %s", d.Subject, d.Recorded, d.Header, d.AuthServID, d.Replayed)
		t.para("    "+t.st.result(trace.Warn, "!")+" ", "      ", safe.Text(head))
		ex := withRef(d.Explain, d.Ref)
		t.para("      ", "      ", safe.Text(ex))
	}
}

func (t *textWriter) dns(qs []trace.Query) {
	t.heading(fmt.Sprintf("DNS queries (%d, in the order asked)", len(qs)))
	if len(qs) == 0 {
		t.para("  ", "  ", "None: nothing in this message needed DNS.")
	}
	var files []string
	for _, q := range qs {
		if q.Replayed != "" && !slices.Contains(files, q.Replayed) {
			files = append(files, q.Replayed)
		}
	}
	if len(files) > 0 {
		t.para("  ", "  ", safe.Text("Replayed from the DNS snapshot "+strings.Join(files, ", ")+": nothing was sent to the network."))
	}
	for _, q := range qs {
		// The server, the round-trip time and whether the run's cache
		// answered are in --json; they differ from run to run (which of
		// several messages asked first), and a text report, pasted in a
		// slide or compared with an earlier one, should not.
		head := safe.Text(fmt.Sprintf("%s %s %s", q.Type, q.Name, q.Rcode))
		if q.AD {
			head += t.st.dim("  AD: the resolver validated it with DNSSEC")
		}
		t.para("  ", "      ", head)
		for _, c := range q.CNAMEs {
			t.para("      alias: ", "        ", safe.Text(c))
		}
		for _, a := range q.Answers {
			t.para("      ", "        ", safe.Text(a))
		}
		if q.Note != "" {
			t.para("      note: ", "        ", safe.Text(q.Note))
		}
	}
}

// block writes untrusted text that may span lines (a folded header field):
// each line wrapped on its own, tabs shown as spaces, every other control
// escaped.
func (t *textWriter) block(indent, s string) {
	s = strings.ReplaceAll(safe.Block(s), "\t", " ")
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		t.para(indent, indent, l)
	}
}

// steps writes a step tree: the result, the title, then what was looked at,
// why it gave that result with the rule, and the DNS exchange behind it.
func (t *textWriter) steps(steps []trace.Step, indent string) {
	for _, s := range steps {
		tag := "[" + string(s.Result) + "]"
		body := indent + strings.Repeat(" ", 12)
		t.para(indent+pad(t.st.result(s.Result, tag), 11)+" ", body, safe.Text(s.Title))
		if s.Detail != "" {
			t.block(body, s.Detail)
		}
		ex := withRef(s.Explain, s.Ref)
		if ex != "" {
			t.para(body, body, safe.Text(ex))
		}
		if q := s.Query; q != nil {
			dns := fmt.Sprintf("DNS: %s %s -> %s", q.Type, q.Name, q.Rcode)
			switch n := len(q.Answers); {
			case n == 1:
				dns += ", 1 answer"
			case n > 1:
				dns += fmt.Sprintf(", %d answers", n)
			}
			t.para(body+t.st.dim(""), body, t.st.dim(safe.Text(dns)))
		}
		if len(s.Steps) > 0 {
			t.steps(s.Steps, indent+"  ")
		}
	}
}

// withRef is an explanation followed by the RFC sections that decided it,
// "(RFC 7208 §2.4)", leaving out those the explanation cites already
// (many end with one): the reader is not given the same reference twice.
// A ref may name several, "RFC 9989 §5.3.1; RFC 7489 §6.6.1".
func withRef(explain, ref string) string {
	var left []string
	for r := range strings.SplitSeq(ref, "; ") {
		if r = strings.TrimSpace(r); r != "" && !cites(explain, r) {
			left = append(left, r)
		}
	}
	if len(left) == 0 {
		return explain
	}
	return strings.TrimSpace(explain + " (" + strings.Join(left, "; ") + ")")
}

// cites reports whether text cites ref as a whole: "RFC 9989 §4.4" is not
// cited by "RFC 9989 §4.4.2", nor "§3.1" by "§3.10".
func cites(text, ref string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], ref)
		if j < 0 {
			return false
		}
		end := i + j + len(ref)
		rest := text[end:]
		if rest == "" || !isDigit(rest[0]) && !(rest[0] == '.' && len(rest) > 1 && isDigit(rest[1])) {
			return true
		}
		i = end
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// upperFirst capitalizes the first letter of plain ASCII words.
func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
