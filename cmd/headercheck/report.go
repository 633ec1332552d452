package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/trace"
)

// record is one line of --json until the checks land: what is known about
// the message, and nothing that was not checked. Keys follow CONTRACT.md
// (source, error); received_count and load are ours.
type record struct {
	Source        message.Summary `json:"source"`
	ReceivedCount *int            `json:"received_count,omitempty"`
	Load          *loadRecord     `json:"load,omitempty"`
	Error         string          `json:"error,omitempty"`
}

// loadRecord says how the message was read.
type loadRecord struct {
	Format        string       `json:"format"` // rfc5322, mboxrd, mboxcl, mboxcl2
	Size          int          `json:"size"`   // bytes of Raw
	LineEnding    string       `json:"line_ending"`
	HeaderFields  int          `json:"header_fields"`
	UnquotedLines int          `json:"unquoted_lines"`
	Steps         []trace.Step `json:"steps"`
}

// inspectInput loads the input and reports each message, one at a time so
// a large mbox is never held in memory.
func inspectInput(cfg *config, stdin io.Reader, stdout, stderr io.Writer) int {
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

	w := bufio.NewWriter(stdout)
	defer w.Flush()
	inspected := 0
	for i := first; i <= last; i++ {
		m, err := src.Message(i)
		rec := record{Source: message.SummaryOf(src.Name, i+1)}
		if err != nil {
			var le *message.Error
			if errors.As(err, &le) {
				rec.Error = le.Msg
			} else {
				rec.Error = err.Error()
			}
		} else {
			inspected++
			rec.Source = m.Summary()
			n := m.Count("Received")
			rec.ReceivedCount = &n
			rec.Load = &loadRecord{
				Format:        string(m.Format),
				Size:          len(m.Raw),
				LineEnding:    m.LineEnding,
				HeaderFields:  len(m.Fields),
				UnquotedLines: m.Unquoted,
				Steps:         m.Steps,
			}
		}
		if cfg.json {
			writeJSONRecord(w, rec)
		} else {
			writeTextRecord(w, rec, m, src.Len(), i == first)
		}
		// Hand each message to the reader as soon as it is done, so a
		// pipe shows progress through a large mbox.
		if err := w.Flush(); err != nil {
			fmt.Fprintf(stderr, "headercheck: write: %v\n", err)
			return exitError
		}
	}
	if !cfg.json && inspected > 0 {
		fmt.Fprintln(w)
		wrapTo(w, notCheckedYet, "", "", 80)
	}
	if inspected == 0 {
		return exitError
	}
	// No check reaches a verdict yet, so nothing is quarantined or
	// rejected: every inspected message counts as delivered.
	return exitDeliver
}

func openInput(cfg *config, stdin io.Reader) (*message.Source, error) {
	if cfg.input == "" || cfg.input == "-" {
		return message.Read(stdin, "stdin", message.Options{})
	}
	return message.Open(cfg.input, message.Options{})
}

func writeJSONRecord(w io.Writer, rec record) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<id@example>" stays readable
	if err := enc.Encode(rec); err != nil {
		// Only strings and numbers go in, so this does not happen; if it
		// ever does, the line still says which message and why.
		b.Reset()
		enc.Encode(record{Source: message.SummaryOf(rec.Source.File, rec.Source.Index), Error: "encoding the report failed: " + err.Error()})
	}
	w.Write(safe.JSON(b.Bytes()))
}

// writeTextRecord writes the plain-text report of one message. Every string
// from the message or the file name goes through safe first.
func writeTextRecord(w io.Writer, rec record, m *message.Message, total int, first bool) {
	if !first {
		fmt.Fprintln(w)
	}
	title := safe.Text(rec.Source.File)
	if total > 1 {
		title = fmt.Sprintf("Message %d of %d in %s", rec.Source.Index, total, title)
	}
	fmt.Fprintf(w, "== %s ==\n", title)
	if rec.Error != "" {
		fmt.Fprintf(w, "Not inspected: %s\n", safe.Text(rec.Error))
		return
	}
	date := safe.Text(m.Get("Date"))
	switch {
	case date == "":
		date = "(none)"
	case rec.Source.Date != "":
		date += "  = " + rec.Source.Date
	default:
		date += "  (does not parse)"
	}
	rows := [][2]string{
		{"From", orNone(rec.Source.From)},
		{"Subject", orNone(rec.Source.Subject)},
		{"Date", date},
		{"Message-ID", orNone(rec.Source.MessageID)},
		{"Received", receivedLine(*rec.ReceivedCount)},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-11s %s\n", r[0]+":", r[1])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Loading")
	writeTextSteps(w, rec.Load.Steps, "  ")
}

// notCheckedYet ends a text report while the checks are still to come, so
// nobody takes the absence of a verdict for a good one.
const notCheckedYet = "Not checked yet: SPF, DKIM, DMARC and the verdict come in a later version of headercheck; this report shows only what loading found."

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
