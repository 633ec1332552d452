package message

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"

	"github.com/headercheck/headercheck/inspect/trace"
)

// maxLineSteps caps the steps about individual header lines, so a header of
// 100,000 broken lines gives a readable report, not 100,000 steps.
const maxLineSteps = 5

// rfcLineLimit is the longest line RFC 5322 §2.1.1 allows, without CRLF.
const rfcLineLimit = 998

const bom = "\xef\xbb\xbf"

// span is a header field found by the scanner: Raw[start:end], name is
// Raw[start:start+nameLen] after trimming.
type span struct {
	start, end int
	name       []byte
	line       int
	tooLong    int // length of its longest line when over the limit, else 0
}

// headerScan is what scanning the header section found.
type headerScan struct {
	fields    []span
	headerEnd int
	bodyStart int
	steps     []trace.Step

	noBlank      bool // the header ended at a line that is not a field
	noBlankLine  int
	noBlankText  []byte
	dropped      int // fields beyond MaxHeaderFields
	total        int // fields seen, stored or not
	longLines    int // lines over 998 characters
	longestLine  int
	longestAt    int
	nulLines     int
	malformed    int // lines skipped
	firstProblem string
}

// parse reads the header of raw into m. It never fails: what it cannot
// read becomes a step. notMail is set when not a single field was found.
func parse(m *Message, opts Options) (notMail string) {
	raw := m.Raw
	start := 0
	if bytes.HasPrefix(raw, []byte(bom)) {
		start = len(bom)
		m.Steps = append(m.Steps, trace.Step{
			Title:   "Message starts with a byte order mark",
			Result:  trace.Warn,
			Detail:  "bytes EF BB BF before the first header field",
			Explain: "Mail has no byte order mark; an editor or export tool added one. headercheck read the header after those 3 bytes and kept them in the raw message, where a DKIM check will still see them.",
			Ref:     "RFC 5322 §2.1",
		})
	}
	sc := scanHeader(raw, start, opts)
	m.HeaderEnd, m.BodyStart = sc.headerEnd, sc.bodyStart
	m.Steps = append(m.Steps, sc.steps...)

	if sc.total == 0 {
		return notMailReason(raw[start:])
	}

	// Every field's name, canonical key (when the name is not written
	// canonically already) and unfolded value go into one string, and
	// Name, Key and Value are substrings of it: one copy of the header per
	// message, where go-message's textproto.Header made a record, a map
	// entry and three strings of every field, and was then thrown away.
	// writeKey and unfold are textproto's canonical key and unfolding
	// byte for byte (FuzzHeader and FuzzMbox hold every field to
	// textproto), so Key and Value are what its DKIM and mail readers see.
	n := 0
	for _, sp := range sc.fields {
		n += sp.end - sp.start + len(sp.name)
	}
	var text strings.Builder
	text.Grow(n)
	fields := make([]Field, 0, len(sc.fields))
	var badCharset []string
	var notUTF8 []string
	for _, sp := range sc.fields {
		start := text.Len()
		text.Write(sp.name)
		nameEnd := text.Len()
		writeKey(&text, sp.name)
		keyEnd := text.Len()
		unfold(&text, raw[sp.start+bytes.IndexByte(raw[sp.start:sp.end], ':')+1:sp.end])
		// Bytes written to a Builder never change, so a string taken
		// now stays valid as the Builder grows.
		all := text.String()
		f := Field{
			Name:   all[start:nameEnd],
			Key:    all[nameEnd:keyEnd],
			Raw:    raw[sp.start:sp.end:sp.end],
			Value:  all[keyEnd:],
			Offset: sp.start,
			Line:   sp.line,
		}
		if f.Key == "" {
			f.Key = f.Name
		}
		f.Display = f.Value
		if strings.Contains(f.Value, "=?") {
			d, err := decodeWords(f.Value)
			if _, ok := err.(unknownCharset); ok {
				badCharset = append(badCharset, fmt.Sprintf("%s (line %d): %v", f.Name, f.Line, err))
			}
			f.Display = d
		}
		if !utf8.ValidString(f.Value) {
			notUTF8 = append(notUTF8, fmt.Sprintf("%s (line %d)", f.Name, f.Line))
		}
		fields = append(fields, f)
	}
	m.Fields = fields

	if len(badCharset) > 0 {
		m.Steps = append(m.Steps, trace.Step{
			Title:   "Encoded words in an unknown charset",
			Result:  trace.Warn,
			Detail:  listSome(badCharset),
			Explain: "These fields use RFC 2047 encoded words (=?charset?...?=) in a charset headercheck cannot convert, so they are shown as sent, still encoded.",
			Ref:     "RFC 2047 §2",
		})
	}
	if len(notUTF8) > 0 {
		m.Steps = append(m.Steps, trace.Step{
			Title:   "Header bytes that are not UTF-8",
			Result:  trace.Warn,
			Detail:  listSome(notUTF8),
			Explain: "A header may hold US-ASCII, or UTF-8 where both sides agreed to it (RFC 6532). These fields hold other 8-bit bytes, probably an unlabelled legacy charset; they are shown as \\xNN escapes.",
			Ref:     "RFC 5322 §2.2",
		})
	}
	m.dateRead = true
	if v := m.Get("Date"); v != "" {
		t, err := parseDate(v)
		if err == nil {
			// Kept for Summary and Date, which every report asks for
			// (twice in a batch run).
			m.date, m.dateOK = t, true
			m.dateText = t.UTC().Format(time.RFC3339)
		} else {
			m.Steps = append(m.Steps, trace.Step{
				Title:   "Date field does not parse",
				Result:  trace.Warn,
				Detail:  v,
				Explain: "The Date field is not in the date-time form of RFC 5322 §3.3, so the report shows no date. Mail clients may guess; a broken Date is common in spam.",
				Ref:     "RFC 5322 §3.3",
			})
		}
	}
	return ""
}

// writeKey writes the canonical key of a field name to b, as
// textproto.CanonicalMIMEHeaderKey makes it ("Dkim-Signature" for
// "DKIM-Signature"), unless it is the name itself: when the name is
// canonical already, or holds a byte that is not an RFC 7230 token
// character, which CanonicalMIMEHeaderKey leaves as it is. That function
// allocates the key of every name it does not know; a header of ARC sets
// and X-MS-Exchange fields has a dozen.
func writeKey(b *strings.Builder, name []byte) {
	upper, canonical := true, true
	for _, c := range name {
		if !tokenByte(c) {
			return
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			canonical = false
		}
		upper = c == '-'
	}
	if canonical {
		return
	}
	upper = true
	for _, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
		upper = c == '-'
	}
}

// tokenByte reports whether c may stand in an RFC 7230 token, the bytes
// net/textproto canonicalises a header key of.
func tokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// unfold writes the value v of a field (what follows the colon, line
// ending included) to b as go-message's textproto does (trimAroundNewlines):
// each line without its CR, spaces and tabs trimmed from both ends, the
// lines that are not empty joined by one space. RFC 5322 §2.2.3 unfolds by
// removing the CRLF alone; textproto also drops the white space around
// it, and DKIM's relaxed canonicalization and the checks read it so.
func unfold(b *strings.Builder, v []byte) {
	start := b.Len()
	for len(v) > 0 {
		line := v
		if i := bytes.IndexByte(v, '\n'); i >= 0 {
			line, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		line = bytes.Trim(line, " \t")
		if len(line) == 0 {
			continue
		}
		if b.Len() > start {
			b.WriteByte(' ')
		}
		b.Write(line)
	}
}

// decodeWords decodes the RFC 2047 encoded words of a field value as
// go-message's HeaderFields.Text does (decodeHeader), with the charsets its
// charset package registers; on an error it returns v and the error. A
// gomessage.Header built for one field would do the same with a map and a
// record per call.
func decodeWords(v string) (string, error) {
	d, err := (&mime.WordDecoder{CharsetReader: charsetReader}).DecodeHeader(v)
	if err != nil {
		return v, err
	}
	return d, nil
}

// charsetReader is go-message's: UTF-8 and US-ASCII as they are, other
// charsets through gomessage.CharsetReader, a charset it does not know
// an unknownCharset error.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	charset = strings.ToLower(charset)
	if charset == "utf-8" || charset == "us-ascii" {
		return input, nil
	}
	if gomessage.CharsetReader != nil {
		r, err := gomessage.CharsetReader(charset, input)
		if err != nil {
			return r, unknownCharset{err}
		}
		return r, nil
	}
	return input, unknownCharset{fmt.Errorf("message: unhandled charset %q", charset)}
}

// unknownCharset is go-message's UnknownCharsetError, whose field cannot
// be set from outside: the same words.
type unknownCharset struct{ err error }

func (u unknownCharset) Error() string { return "unknown charset: " + u.err.Error() }
func (u unknownCharset) Unwrap() error { return u.err }

// scanHeader finds the header fields of raw (from start) and where the body
// begins, noting every irregularity as a step.
func scanHeader(raw []byte, start int, opts Options) headerScan {
	var sc headerScan
	sc.fields = make([]span, 0, 32)
	cur := -1 // index in sc.fields of the field being extended; -1 none or dropped
	curDropped := false
	lineNo := 0
	var malformedSteps []trace.Step
	pos := start
	for pos < len(raw) {
		lineNo++
		end, next := lineBounds(raw, pos)
		line := raw[pos:end]
		n := len(line)
		if n == 0 {
			sc.headerEnd, sc.bodyStart = pos, next
			break
		}
		if n > rfcLineLimit {
			sc.longLines++
			if n > sc.longestLine {
				sc.longestLine, sc.longestAt = n, lineNo
			}
		}
		if bytes.IndexByte(line, 0) >= 0 {
			sc.nulLines++
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur >= 0 || curDropped {
				if cur >= 0 {
					sc.fields[cur].end = next
					if n > opts.MaxLineLength && n > sc.fields[cur].tooLong {
						sc.fields[cur].tooLong = n
					}
				}
				pos = next
				continue
			}
			// A continuation with nothing to continue: the first line of
			// the header, or after a skipped line.
		}
		name, problem := fieldName(line)
		if problem == "" {
			sc.total++
			if len(sc.fields) >= opts.MaxHeaderFields {
				sc.dropped++
				cur, curDropped = -1, true
			} else {
				sp := span{start: pos, end: next, name: name, line: lineNo}
				if n > opts.MaxLineLength {
					sp.tooLong = n
				}
				sc.fields = append(sc.fields, sp)
				cur, curDropped = len(sc.fields)-1, false
			}
			pos = next
			continue
		}
		// Not a field. If what follows is a field or the blank line, this
		// is one broken line inside the header: skip it. Otherwise the
		// header has ended without the blank line RFC 5322 §2.1 asks for.
		if next < len(raw) && (startsField(raw, next) || isBlankAt(raw, next)) {
			sc.malformed++
			if len(malformedSteps) < maxLineSteps {
				malformedSteps = append(malformedSteps, trace.Step{
					Title:   fmt.Sprintf("Line %d is not a header field", lineNo),
					Result:  trace.Warn,
					Detail:  excerpt(line),
					Explain: "A header field is a name, a colon and a value (RFC 5322 §2.2); this line " + problem + ". headercheck skipped it and read the fields after it. A receiver may instead have ended the header here, turning the following fields into body text.",
					Ref:     "RFC 5322 §2.2",
				})
			}
			cur, curDropped = -1, false
			pos = next
			continue
		}
		sc.noBlank, sc.noBlankLine, sc.noBlankText = true, lineNo, line
		sc.headerEnd, sc.bodyStart = pos, pos
		break
	}
	if pos >= len(raw) {
		sc.headerEnd, sc.bodyStart = len(raw), len(raw)
	}

	// Fields with a line over the limit are dropped here, after scanning, so
	// that their continuation lines were consumed with them.
	kept := sc.fields[:0]
	var tooLong []trace.Step
	for _, sp := range sc.fields {
		if sp.tooLong == 0 {
			kept = append(kept, sp)
			continue
		}
		if len(tooLong) < maxLineSteps {
			tooLong = append(tooLong, trace.Step{
				Title:   fmt.Sprintf("Header field %s skipped: line too long", printableName(sp.name)),
				Result:  trace.Warn,
				Detail:  fmt.Sprintf("the field starting on line %d has a line of %s; headercheck reads header lines of up to %s", sp.line, size(int64(sp.tooLong)), size(int64(opts.MaxLineLength))),
				Explain: "RFC 5322 §2.1.1 allows 998 characters on a line. A line this long is broken or hostile, so headercheck does not parse this field (--max-line raises the limit); its bytes stay in the raw message, where a DKIM check still sees them.",
				Ref:     "RFC 5322 §2.1.1",
			})
		}
	}
	sc.fields = kept

	if sc.total == 0 {
		// Not mail: the caller explains that in one error; steps about
		// single lines would only repeat it.
		return sc
	}
	sc.steps = append(sc.steps, malformedSteps...)
	if sc.malformed > len(malformedSteps) {
		sc.steps = append(sc.steps, trace.Step{
			Title:   fmt.Sprintf("%d more lines are not header fields", sc.malformed-len(malformedSteps)),
			Result:  trace.Warn,
			Explain: "They were skipped like the ones above.",
			Ref:     "RFC 5322 §2.2",
		})
	}
	if sc.noBlank {
		sc.steps = append(sc.steps, trace.Step{
			Title:   "No blank line between header and body",
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("line %d: %s", sc.noBlankLine, excerpt(sc.noBlankText)),
			Explain: fmt.Sprintf("The header ends at the first empty line (RFC 5322 §2.1). Line %d is not a header field and no empty line came before it, so headercheck took the header to end there and the body to start with that line. Other programs may split this message differently.", sc.noBlankLine),
			Ref:     "RFC 5322 §2.1",
		})
	}
	if sc.longLines > 0 {
		sc.steps = append(sc.steps, trace.Step{
			Title:   "Header lines longer than 998 characters",
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("%s; the longest, line %d, has %s", plural(sc.longLines, "line"), sc.longestAt, size(int64(sc.longestLine))),
			Explain: "RFC 5322 §2.1.1 says a line must not be longer than 998 characters. Such lines come from broken software or from senders trying to confuse filters; some servers cut or refold them, which breaks DKIM.",
			Ref:     "RFC 5322 §2.1.1",
		})
	}
	sc.steps = append(sc.steps, tooLong...)
	if sc.dropped > 0 {
		sc.steps = append(sc.steps, trace.Step{
			Title:   fmt.Sprintf("Header has more than %s fields", thousands(int64(opts.MaxHeaderFields))),
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("%s fields; the first %s were read", thousands(int64(sc.total)), thousands(int64(opts.MaxHeaderFields))),
			Explain: fmt.Sprintf("RFC 5322 sets no limit, but real messages have dozens of fields. To keep memory bounded headercheck reads only the first %s (--max-fields raises the limit); the %s below them are not inspected.", thousands(int64(opts.MaxHeaderFields)), plural(sc.dropped, "field")),
			Ref:     "RFC 5322 §3.6",
		})
	}
	if sc.nulLines > 0 {
		sc.steps = append(sc.steps, trace.Step{
			Title:   "Header contains NUL bytes",
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("%s with a NUL byte", plural(sc.nulLines, "header line")),
			Explain: "A header may only hold printable characters and white space (RFC 5322 §2.2). Programs written in C stop reading at a NUL, so different programs can see different headers.",
			Ref:     "RFC 5322 §2.2",
		})
	}
	return sc
}

// lineBounds returns the end of the line at pos without its line ending,
// and the start of the next line.
func lineBounds(raw []byte, pos int) (end, next int) {
	i := bytes.IndexByte(raw[pos:], '\n')
	if i < 0 {
		end, next = len(raw), len(raw)
	} else {
		end, next = pos+i, pos+i+1
	}
	if end > pos && raw[end-1] == '\r' {
		end--
	}
	return end, next
}

func isBlankAt(raw []byte, pos int) bool {
	return raw[pos] == '\n' || raw[pos] == '\r' && pos+1 < len(raw) && raw[pos+1] == '\n'
}

// startsField reports whether the line at pos begins a header field.
func startsField(raw []byte, pos int) bool {
	end, _ := lineBounds(raw, pos)
	_, problem := fieldName(raw[pos:end])
	return problem == ""
}

// fieldName returns the name of the field that line starts, or says why the
// line is not a field. RFC 5322 §3.6.8: ftext is printable US-ASCII except
// the colon; §4.5 lets white space stand before the colon.
func fieldName(line []byte) (name []byte, problem string) {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return nil, "starts with white space but there is no field before it to continue"
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return nil, "has no colon"
	}
	name = bytes.TrimRight(line[:colon], " \t")
	if len(name) == 0 {
		return nil, "has no name before the colon"
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return nil, fmt.Sprintf("has %s in the name before the colon, where only printable characters without spaces may stand", describeByte(c))
		}
	}
	return name, ""
}

func describeByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c == '\t':
		return "a tab"
	case c == 0:
		return "a NUL byte"
	case c < 32 || c == 127:
		return fmt.Sprintf("the control byte 0x%02x", c)
	default:
		return fmt.Sprintf("the 8-bit byte 0x%02x", c)
	}
}

// notMailReason explains why raw, from which no header field could be
// read, is not a mail message.
func notMailReason(raw []byte) string {
	if len(raw) == 0 || len(bytes.TrimSpace(raw)) == 0 {
		return "it holds no header fields, only blank lines"
	}
	end, _ := lineBounds(raw, 0)
	_, problem := fieldName(raw[:end])
	if problem == "" {
		problem = "starts with white space"
	}
	s := "no header field could be read: line 1 " + problem
	if kind := sniff(raw); kind != "" {
		s += "; the data looks like " + kind
	}
	return s
}

// sniff names well-known non-mail file types by their first bytes.
func sniff(b []byte) string {
	magics := []struct{ prefix, kind string }{
		{"\x89PNG\r\n\x1a\n", "a PNG image"},
		{"\xff\xd8\xff", "a JPEG image"},
		{"GIF87a", "a GIF image"},
		{"GIF89a", "a GIF image"},
		{"%PDF-", "a PDF document"},
		{"PK\x03\x04", "a ZIP archive (or an Office document)"},
		{"\x1f\x8b", "gzip-compressed data"},
		{"\x7fELF", "a program (ELF)"},
		{"MZ", "a Windows program"},
		{"{\\rtf", "an RTF document"},
		{"<!DOCTYPE", "an HTML page"},
		{"<html", "an HTML page"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(b, []byte(m.prefix)) {
			return m.kind
		}
	}
	head := b[:min(len(b), 512)]
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary data (it contains NUL bytes)"
	}
	if !utf8.Valid(head) && bytes.IndexByte(head, '\n') < 0 {
		return "binary data"
	}
	return ""
}

// parseDate parses an RFC 5322 §3.3 date. Most mail uses the one layout
// tried first; net/mail handles the rest (obsolete forms, comments,
// missing day names) but costs ten times as much.
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse("Mon, 2 Jan 2006 15:04:05 -0700", v); err == nil {
		return t, nil
	}
	return mail.ParseDate(v)
}

// excerpt returns the start of a line for a step's detail.
func excerpt(line []byte) string {
	const max = 120
	if len(line) <= max {
		return string(line)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return string(line[:cut]) + fmt.Sprintf("… (%s)", size(int64(len(line))))
}

func printableName(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

func listSome(items []string) string {
	if len(items) <= maxLineSteps {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:maxLineSteps], "; ") + fmt.Sprintf("; and %d more", len(items)-maxLineSteps)
}

// size writes a byte count for people, with its unit: "5,242,880 bytes"
// below 10 MiB, "70.0 MiB" above.
func size(n int64) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	if n == 1 {
		return "1 byte"
	}
	return thousands(n) + " bytes"
}

// plural writes "1 line", "3 lines".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(int64(n)) + " " + noun + "s"
}

// appendPlural appends plural(n, noun) to b.
func appendPlural(b []byte, n int, noun string) []byte {
	b = appendThousands(b, int64(n))
	b = append(b, ' ')
	b = append(b, noun...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// thousands writes n with a comma between groups of three digits:
// "5,242,880".
func thousands(n int64) string {
	if n >= 0 && n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	var buf [32]byte
	return string(appendThousands(buf[:0], n))
}

// appendThousands appends thousands(n) to b.
func appendThousands(b []byte, n int64) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], n, 10)
	if n < 0 || len(s) <= 3 {
		return append(b, s...)
	}
	pre := len(s) % 3
	b = append(b, s[:pre]...)
	for i := pre; i < len(s); i += 3 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s[i:i+3]...)
	}
	return b
}
