// Package report writes an inspect.Report for people and for scripts: the
// plain-text report (--text, styled with lipgloss on a terminal), the JSON
// Lines of ../shared/CONTRACT.md (--json), the Authentication-Results header
// the replay would add (RFC 8601, --format authres), the summary of a run,
// and the exit status the contract gives it.
//
// The words are the Report's: every explanation, reason and RFC reference
// comes from the checks, and this package only lays them out, so the TUI,
// the text and the JSON say the same things. Everything that came from a
// message or from DNS is passed through inspect/safe before it is written,
// so no output carries raw control bytes.
//
// Where it chooses:
//
//   - JSON: one object per line, exactly inspect.Report's MarshalJSON, with
//     '<', '>' and '&' written as themselves rather than \u003c (encoding/json's
//     HTML escaping): Message-IDs and addresses stay readable and the value is
//     the same to any JSON reader. C1 and bidi controls are escaped (safe.JSON),
//     so a terminal showing the raw line sees only ASCII escapes.
//   - Text: the hop table runs oldest to newest, the way the message
//     travelled, although the Received headers (and the JSON received array)
//     are newest first; each hop is labelled with its index in that array.
//   - Authentication-Results (RFC 8601 §2.2): the authserv-id is the one the
//     caller names (default "headercheck"), since the replay is not the
//     receiver; dkim gets header.d/header.s and, as RFC 8601 §2.7.1 asks for
//     a failure, a reason; spf smtp.mailfrom or smtp.helo; dmarc header.from
//     and, when a record was found, policy.dmarc (RFC 9989 §9.1). For the
//     null sender, spf gets smtp.mailfrom=<> smtp.helo=NAME, unquoted, as
//     receivers write it (RFC 8601 defines no form for it); for an unknown
//     MAIL FROM (no Return-Path) spf has no property and a comment says why.
package report

import (
	"bytes"
	"encoding/json"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/safe"
)

// JSON returns rep as one line of JSON Lines, newline included: the
// contract's object (inspect.Report.MarshalJSON), terminal-safe. It is safe
// to call from several goroutines, so a run encodes in its workers.
func JSON(rep *inspect.Report) ([]byte, error) {
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	b = unescapeHTML(b)
	b = safe.JSON(b)
	return append(b, '\n'), nil
}

// unescapeHTML turns encoding/json's \u003c, \u003e and \u0026 back into
// '<', '>' and '&', in place. Escapes are read left to right, so the
// backslash of an escaped backslash ("\\u003c", a literal backslash followed
// by "u003c") is never taken for the start of one.
func unescapeHTML(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		if b[i+1] == 'u' && i+5 < len(b) && b[i+2] == '0' && b[i+3] == '0' {
			switch string(b[i+4 : i+6]) {
			case "3c":
				out = append(out, '<')
				i += 5
				continue
			case "3e":
				out = append(out, '>')
				i += 5
				continue
			case "26":
				out = append(out, '&')
				i += 5
				continue
			}
		}
		out = append(out, c, b[i+1])
		i++
	}
	return out
}
