package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// inspectInput loads the input and inspects each message in mbox order,
// one at a time so a large mbox is never held in memory, writing each
// report as soon as it is done. One DNS cache serves the whole run.
func inspectInput(cfg *config, stdin io.Reader, stdout, stderr io.Writer, e env) int {
	src, err := openInput(cfg, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	defer src.Close()
	for _, s := range src.Steps() {
		fmt.Fprintf(stderr, "headercheck: note: %s: %s\n", safe.Text(s.Title), safe.Text(s.Detail))
	}

	first, last := 0, src.Len()-1
	if cfg.message > 0 {
		if cfg.message > src.Len() {
			fmt.Fprintf(stderr, "headercheck: --message %d: %s has %s\nRun 'headercheck --help' for usage and examples.\n",
				cfg.message, safe.Text(src.Name), countNoun(src.Len(), "message"))
			return exitUsage
		}
		first, last = cfg.message-1, cfg.message-1
	}

	opts, saver, err := inspectOptions(cfg, e)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	// One cache for the run: the second message from a sender asks DNS
	// nothing new (the Saver behind it still sees every question once).
	opts.Resolver = dnsx.NewCache(opts.Resolver, dnsx.CacheOptions{})
	if saver != nil {
		saver.Comment = []string{"headercheck run over " + oneLine(src.Name) + " at " + e.clock()().UTC().Format(time.RFC3339)}
		defer func() {
			if err := saver.Save(cfg.saveDNS); err != nil {
				fmt.Fprintf(stderr, "headercheck: --save-dns: %s\n", safe.Text(err.Error()))
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	w := bufio.NewWriter(stdout)
	defer w.Flush()
	inspected := 0
	worst := inspect.Deliver
	for i := first; i <= last; i++ {
		var rep *inspect.Report
		m, err := src.Message(i)
		if err != nil {
			var le *message.Error
			why := err.Error()
			if errors.As(err, &le) {
				why = le.Msg
			}
			rep = inspect.Failed(message.SummaryOf(src.Name, i+1), why)
		} else {
			rep, err = inspect.Inspect(ctx, m, opts)
			if err != nil {
				if ctx.Err() != nil {
					fmt.Fprintln(stderr, "headercheck: interrupted")
					return exitError
				}
				rep = inspect.Failed(m.Summary(), err.Error())
			}
		}
		if rep.Error == "" {
			inspected++
			worst = worse(worst, rep.Verdict.Disposition)
		}
		if cfg.json {
			writeJSONReport(w, rep)
		} else {
			writeTextReport(w, rep, m, src.Len(), i == first)
		}
		// Hand each message to the reader as soon as it is done, so a
		// pipe shows progress through a large mbox.
		if err := w.Flush(); err != nil {
			fmt.Fprintf(stderr, "headercheck: write: %v\n", err)
			return exitError
		}
	}
	if inspected == 0 {
		return exitError
	}
	switch worst {
	case inspect.Reject:
		return exitReject
	case inspect.Quarantine:
		return exitQuarantine
	}
	return exitDeliver
}

// worse is the stricter of two dispositions, for the exit status.
func worse(a, b inspect.Disposition) inspect.Disposition {
	rank := func(d inspect.Disposition) int {
		switch d {
		case inspect.Reject:
			return 2
		case inspect.Quarantine:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// oneLine keeps a file name on one comment line of a snapshot.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, safe.Text(s))
}

func openInput(cfg *config, stdin io.Reader) (*message.Source, error) {
	if cfg.input == "" || cfg.input == "-" {
		return message.Read(stdin, "stdin", message.Options{})
	}
	return message.Open(cfg.input, message.Options{})
}

// writeJSONReport writes one report as one line of JSON, terminal-safe.
func writeJSONReport(w io.Writer, rep *inspect.Report) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<id@example>" stays readable
	if err := enc.Encode(rep); err != nil {
		// Only plain data goes in, so this does not happen; if it ever
		// does, the line still says which message and why.
		b.Reset()
		enc.Encode(inspect.Failed(rep.Source, "encoding the report failed: "+err.Error()))
	}
	w.Write(safe.JSON(b.Bytes()))
}

// writeTextReport writes the plain-text report of one message: the
// verdict first, then what each check found, the recorded results that
// disagree with the replay, and how the message was loaded. Every string
// from the message, the file name or DNS goes through safe first. (A
// fuller renderer replaces this.)
func writeTextReport(w io.Writer, rep *inspect.Report, m *message.Message, total int, first bool) {
	if !first {
		fmt.Fprintln(w)
	}
	title := safe.Text(rep.Source.File)
	if total > 1 {
		title = fmt.Sprintf("Message %d of %d in %s", rep.Source.Index, total, title)
	}
	fmt.Fprintf(w, "== %s ==\n", title)
	if rep.Error != "" {
		fmt.Fprintf(w, "Not inspected: %s\n", safe.Text(rep.Error))
		return
	}
	date := safe.Text(m.Get("Date"))
	switch {
	case date == "":
		date = "(none)"
	case rep.Source.Date != "":
		date += "  = " + rep.Source.Date
	default:
		date += "  (does not parse)"
	}
	rows := [][2]string{
		{"From", orNone(rep.Source.From)},
		{"Subject", orNone(rep.Source.Subject)},
		{"Date", date},
		{"Message-ID", orNone(rep.Source.MessageID)},
		{"Received", receivedLine(len(rep.Chain.Hops))},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-11s %s\n", r[0]+":", r[1])
	}

	v := rep.Verdict
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Verdict: %s\n", strings.ToUpper(string(v.Disposition)))
	wrapTo(w, safe.Text(v.Reason), "  ", "  ", 80)
	if v.Story != "" {
		fmt.Fprintln(w)
		wrapTo(w, safe.Text(v.Story), "  ", "  ", 80)
	}

	env := rep.Chain.Envelope
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Envelope")
	envRows := [][3]string{
		{"Client IP", env.ClientIP, env.DerivedFrom.ClientIP},
		{"HELO", env.HELO, env.DerivedFrom.HELO},
		{"MAIL FROM", mailFromText(env.MailFrom), env.DerivedFrom.MailFrom},
	}
	for _, r := range envRows {
		val := orNone(r[1])
		if r[2] != "" {
			val += "  (from " + safe.Text(r[2]) + ")"
		}
		wrapTo(w, val, fmt.Sprintf("  %-10s ", r[0]), "             ", 80)
	}
	if b := rep.Chain.Boundary; b >= 0 {
		fmt.Fprintf(w, "  %-10s received[%d], where the message entered the receiving side\n", "Boundary", b)
	} else {
		fmt.Fprintf(w, "  %-10s none found in the Received chain\n", "Boundary")
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Checks")
	check := func(name string, r trace.Result, text string) {
		wrapTo(w, safe.Text(text), fmt.Sprintf("  %-10s %-9s ", name, r), strings.Repeat(" ", 23), 80)
	}
	check("iprev", rep.IPRev.Result, rep.IPRev.Reason)
	check("SPF", rep.SPF.Result, spfLine(rep.SPF))
	if rep.SPFHELO != nil {
		check("SPF HELO", rep.SPFHELO.Result, spfLine(*rep.SPFHELO))
	}
	if len(rep.DKIM) == 0 {
		check("DKIM", trace.None, "The message has no DKIM signature.")
	}
	for _, s := range rep.DKIM {
		check("DKIM", s.Result, fmt.Sprintf("d=%s s=%s: %s", s.Domain, s.Selector, s.Reason))
	}
	d := rep.DMARC
	check("DMARC", d.Result, fmt.Sprintf("%s, policy %s: %s", d.Standard, d.Policy, d.Reason))
	if o := d.Other; o.Result != d.Result || o.Policy != d.Policy {
		check("", o.Result, fmt.Sprintf("%s would say %s, policy %s (organizational domain %s).", o.Standard, o.Result, o.Policy, orNone(o.OrgDomain)))
	}
	check("ARC", rep.ARC.Result, rep.ARC.Reason)

	if rec := rep.Recorded; len(rec.AuthenticationResults) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Recorded at delivery (Authentication-Results)")
		for _, h := range rec.AuthenticationResults {
			var res []string
			for _, r := range h.Results {
				res = append(res, r.Method+"="+string(r.Result))
			}
			if h.None {
				res = append(res, "none")
			}
			who := h.AuthServID
			if who == "" {
				who = "(no authserv-id)"
			}
			trust := "untrusted"
			if h.Trusted {
				trust = "trusted"
			}
			wrapTo(w, safe.Text(fmt.Sprintf("%s, %s: %s", who, trust, strings.Join(res, " "))), "  ", "    ", 80)
		}
		if len(rec.Differences) == 0 {
			fmt.Fprintln(w, "  The replay agrees with what was recorded.")
		}
		for _, df := range rec.Differences {
			wrapTo(w, safe.Text(fmt.Sprintf("%s: %s. %s", df.Subject, df.Cause, df.Explain)), "  differs: ", "           ", 80)
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintf(w, "DNS: %s asked (--json lists each with its answer)\n", countNoun(len(rep.DNS), "question"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Loading")
	writeTextSteps(w, rep.Steps, "  ")
}

func spfLine(s spf.Result) string {
	if s.Explanation != "" {
		return s.Explanation
	}
	return fmt.Sprintf("%s for %s", s.Result, s.Domain)
}

func mailFromText(s string) string {
	if s == "" {
		return "<> (the null sender)"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return safe.Text(s)
}

func receivedLine(n int) string {
	switch n {
	case 0:
		return "no Received headers: the message does not show which servers it passed"
	case 1:
		return "1 header: one server recorded receiving the message"
	default:
		return fmt.Sprintf("%d headers: the chain of servers the message passed, newest first", n)
	}
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeTextSteps writes steps as an indented list: the result, the title,
// then what was looked at, why, and the rule that decided, wrapped to fit
// an 80-column terminal.
func writeTextSteps(w io.Writer, steps []trace.Step, indent string) {
	for _, s := range steps {
		body := indent + "      "
		wrapTo(w, safe.Text(s.Title), fmt.Sprintf("%s%-5s ", indent, s.Result), body, 80)
		if s.Detail != "" {
			wrapTo(w, safe.Text(s.Detail), body, body, 80)
		}
		if s.Explain != "" {
			wrapTo(w, safe.Text(s.Explain), body, body, 80)
		}
		if s.Ref != "" {
			fmt.Fprintf(w, "%s(%s)\n", body, safe.Text(s.Ref))
		}
		writeTextSteps(w, s.Steps, indent+"  ")
	}
}

// wrapTo writes s in lines of at most width columns (counting runes), the
// first starting with first and the others with indent (both as wide). It
// breaks only at single spaces and keeps runs of spaces, since a detail may
// quote a header whose spacing matters; a word longer than a line gets a
// line of its own.
func wrapTo(w io.Writer, s, first, indent string, width int) {
	room := max(width-len(indent), 20)
	var line strings.Builder
	n := 0
	for i, word := range strings.Split(s, " ") {
		wl := len([]rune(word))
		if n > 0 && wl > 0 && n+1+wl > room {
			fmt.Fprintf(w, "%s%s\n", first, line.String())
			first = indent
			line.Reset()
			n = 0
		} else if i > 0 {
			line.WriteByte(' ')
			n++
		}
		line.WriteString(word)
		n += wl
	}
	if n > 0 {
		fmt.Fprintf(w, "%s%s\n", first, strings.TrimRight(line.String(), " "))
	}
}
