package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/trace"
)

// checkLine is one row of the Overview's list of checks.
type checkLine struct {
	name    string
	result  trace.Result
	text    string // already safe
	pending bool
}

// overviewLines is the Overview: the story of the verdict, the phishing
// signs, one line per check, what the receivers recorded and their own
// verdict headers, and the notes of the run. w is its width, barW the
// summary bar's, whose third line shows the reason as far as it fits.
// lesson is the lesson laid out to go above it, nil for none.
func overviewLines(rep *inspect.Report, st *Styles, spin string, w, barW int, lesson []string) []string {
	var out []string
	para := func(text string) {
		out = append(out, wrap(text, w)...)
	}
	head := func(title string) {
		out = append(out, "", st.Title.Render(title))
	}
	if lesson != nil {
		out = append(out, lesson...)
		out = append(out, "")
	}
	if rep != nil && rep.Error != "" {
		out = append(out, st.Error.Render("This input could not be inspected."))
		para(s(rep.Error))
		return out
	}
	if done(rep, inspect.CheckVerdict) {
		v := rep.Verdict
		// The summary bar shows the reason on one line; when it does not
		// fit there, it is here in full.
		badge := st.Badge(v.Disposition).Render(s(strings.ToUpper(string(v.Disposition))))
		if width(badge)+1+width(s(v.Reason)) > barW {
			out = append(out, wrapIndent(s(v.Reason), badge+" ", width(badge)+1, w)...)
			out = append(out, "")
		}
		out = append(out, st.Title.Render("What happened"))
		// The story ends with the signs and the ARC note, which have
		// their own paragraphs below: tell them once.
		shown := []string{v.ARC}
		for _, sg := range v.Signs {
			shown = append(shown, sg.Explain)
		}
		para(s(without(v.Story, shown...)))
		if v.TempError {
			out = append(out, "")
			para(st.Warn.Render("A DNS failure decided this:") + " a receiver may instead defer the message and try again later.")
		}
		if v.ARC != "" {
			out = append(out, "")
			para("ARC: " + s(v.ARC))
		}
		if len(v.Signs) > 0 {
			head("Signs of phishing")
			for _, sg := range v.Signs {
				out = append(out, wrapIndent(st.Warn.Render("⚠ ")+s(sg.Explain), "", 2, w)...)
			}
		}
	} else {
		out = append(out, st.Spinner.Render(spin)+" Replaying the checks… each line below fills in as its answer arrives.")
	}

	head("Checks")
	for _, c := range checkLines(rep) {
		res := st.ResultText(c.result)
		if c.pending {
			res = st.Spinner.Render(padRight(spin, 9))
		}
		out = append(out, wrapIndent(c.text, padRight(c.name, 10)+res+" ", 20, w)...)
	}

	if done(rep, inspect.CheckRecorded) {
		rec := rep.Recorded
		if len(rec.AuthenticationResults) > 0 {
			head("What the receiving servers recorded")
			for _, h := range rec.AuthenticationResults {
				var res []string
				for _, m := range h.Results {
					res = append(res, m.Method+"="+string(m.Result))
				}
				if h.None {
					res = append(res, "none")
				}
				who := fmt.Sprintf("%s by %s", h.Field, orDash(h.AuthServID))
				out = append(out, claimLines(st, "• "+s(who)+": ", s(strings.Join(res, " ")), h.Trusted, s(h.Why), w)...)
			}
		}
		if len(rec.Differences) > 0 {
			head("Where the replay disagrees with them")
			for _, d := range rec.Differences {
				line := fmt.Sprintf("%s: recorded %s, replayed %s. %s", d.Subject, d.Recorded, d.Replayed, d.Explain)
				out = append(out, wrapIndent(s(line), st.Warn.Render("≠ "), 2, w)...)
			}
		}
	}
	if done(rep, inspect.CheckReceivers) && len(rep.Receivers) > 0 {
		head("The receivers' own verdict headers")
		for _, r := range rep.Receivers {
			out = append(out, claimLines(st, "• "+s(r.Vendor+", "+r.Header)+": ", s(r.Summary), r.Trusted, s(r.Why), w)...)
			// The raw value beside what each of its fields means, as the
			// text report and the JSON give them (issue 12).
			if r.Raw != "" {
				out = append(out, claimLines(st, "    raw: ", s(r.Raw), r.Trusted, "", w)...)
			}
			for _, k := range receiverKeys(r) {
				line := k + "=" + r.Fields[k]
				if m := r.Meaning[k]; m != "" {
					line += " — " + m
				}
				out = append(out, claimLines(st, "    ", s(line), r.Trusted, "", w)...)
			}
		}
	}
	if rep != nil && len(rep.Steps) > 0 {
		head("About this replay")
		for _, stp := range rep.Steps {
			line := stp.Title
			if stp.Detail != "" {
				line += ": " + stp.Detail
			}
			out = append(out, wrapIndent(s(line), "• ", 2, w)...)
		}
	}
	return out
}

// claimLines lays out what a header claims under the prefix first
// (already safe), struck through when it is not trusted and followed by
// "not trusted: why" in plain text, so the reason can be read and the
// claim cannot be mistaken for a fact (issue 12: untrusted headers shown
// struck through with the reason). The strike is applied line by line
// after wrapping, so no style straddles a line break.
func claimLines(st *Styles, first, claim string, trusted bool, why string, w int) []string {
	ind := 4
	var out []string
	head := ""
	if width(first)+min(width(claim), 20) <= w {
		// The claim starts on the prefix's line.
		head = first
		ind = min(width(first), max(w/3, 4))
	} else {
		out = append(out, strings.TrimRight(first, " "))
	}
	lines := wrap(claim, w-max(ind, width(head)))
	for i, l := range lines {
		p := strings.Repeat(" ", ind)
		if i == 0 && head != "" {
			p = padRight(head, ind)
		}
		if !trusted {
			l = st.Struck.Render(l)
		}
		out = append(out, p+l)
	}
	if !trusted && why != "" {
		out = append(out, wrapIndent("not trusted: "+why, "", ind, w)...)
	}
	return out
}

// receiverKeys are the keys of r.Fields in the order the receiver wrote
// them, then any the order does not list, sorted.
func receiverKeys(r inspect.Receiver) []string {
	keys := slices.Clone(r.Keys)
	var rest []string
	for k := range r.Fields {
		if !slices.Contains(keys, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	out := keys[:0]
	for _, k := range append(keys, rest...) {
		if _, ok := r.Fields[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// checkLines is one line per check, with its result or a spinner.
func checkLines(rep *inspect.Report) []checkLine {
	var out []checkLine
	add := func(c inspect.Check, name string, f func() (trace.Result, string)) {
		if !done(rep, c) {
			out = append(out, checkLine{name: name, pending: true, text: "checking…"})
			return
		}
		r, t := f()
		out = append(out, checkLine{name: name, result: r, text: t})
	}
	add(inspect.CheckReceived, "Received", func() (trace.Result, string) {
		c := rep.Chain
		t := plural(len(c.Hops), "hop")
		if c.Boundary >= 0 && c.Boundary < len(c.Hops) {
			h := c.Hops[c.Boundary]
			t += fmt.Sprintf("; entered the receiving side at %s from %s [%s]", s(orDash(h.By)), s(orDash(h.FromHELO)), s(orDash(h.FromIP)))
		} else {
			t += "; no trust boundary found"
		}
		n := 0
		for _, h := range c.Hops {
			n += len(h.Anomalies)
		}
		r := trace.Info
		if n > 0 {
			t += fmt.Sprintf("; %d %s (see Route)", n, map[bool]string{true: "anomaly", false: "anomalies"}[n == 1])
			r = trace.Warn
		}
		return r, t
	})
	add(inspect.CheckIPRev, "iprev", func() (trace.Result, string) { return rep.IPRev.Result, s(rep.IPRev.Reason) })
	add(inspect.CheckSPF, "SPF", func() (trace.Result, string) {
		r := rep.SPF
		return r.Result, s(fmt.Sprintf("%s for %s (%s)", orDash(r.Domain), orDash(r.ClientIP), r.Identity))
	})
	if !done(rep, inspect.CheckVerdict) || rep.SPFHELO != nil {
		add(inspect.CheckSPFHELO, "SPF HELO", func() (trace.Result, string) {
			if rep.SPFHELO == nil {
				return trace.None, "no HELO name to check"
			}
			r := rep.SPFHELO
			return r.Result, s(fmt.Sprintf("%s for %s", orDash(r.Domain), orDash(r.ClientIP)))
		})
	}
	if done(rep, inspect.CheckDKIM) && len(rep.DKIM) == 0 {
		out = append(out, checkLine{name: "DKIM", result: trace.None, text: "no signature"})
	} else if done(rep, inspect.CheckDKIM) {
		for _, sig := range rep.DKIM {
			out = append(out, checkLine{name: "DKIM", result: sig.Result, text: s(fmt.Sprintf("d=%s s=%s: %s", orDash(sig.Domain), orDash(sig.Selector), sig.Reason))})
		}
	} else {
		out = append(out, checkLine{name: "DKIM", pending: true, text: "checking…"})
	}
	add(inspect.CheckDMARC, "DMARC", func() (trace.Result, string) { return rep.DMARC.Result, s(rep.DMARC.Reason) })
	add(inspect.CheckARC, "ARC", func() (trace.Result, string) {
		a := rep.ARC
		if a.Instances == 0 {
			return a.Result, "no ARC chain"
		}
		return a.Result, plural(a.Instances, "instance")
	})
	return out
}

// without is text with each of parts taken out once, and the spaces
// around them closed up.
func without(text string, parts ...string) string {
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			text = strings.Replace(text, p, "", 1)
		}
	}
	return strings.Join(strings.Fields(text), " ")
}
