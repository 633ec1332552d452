// Package message loads what headercheck inspects: one RFC 5322 message
// (.eml, from a file or stdin) or an mbox of many, detected from content.
//
// Every message keeps its bytes exactly as they were stored (Message.Raw),
// LF or CRLF, because DKIM (RFC 6376 §3.4) verifies raw bytes; line endings
// are normalised only by the check that needs it. Header fields are parsed
// as go-message's textproto does, and each Field keeps its raw folded bytes,
// its unfolded value and an RFC 2047-decoded value for display. What the
// loader noticed on the way — the mbox variant it assumed, lines it
// unquoted, a missing blank line, a limit that bit — becomes trace steps, so
// the report can say why a later check saw what it saw.
//
// An mbox (RFC 4155 App. A) is indexed in one streaming pass that records
// offsets only; a message is read (ReadAt) when it is asked for, so memory
// does not grow with the size of the mbox.
//
// Where this package diverges from the letter of the RFCs, on purpose:
//   - RFC 5322 §2.2 has no room for a header line without a colon. We skip
//     such a line when a header field or the blank line follows it, and end
//     the header there otherwise ("no blank line between header and body"),
//     as Python's email package and mutt do; either way a step says so.
//   - Field names may have white space before the colon (the obsolete syntax
//     of RFC 5322 §4.5); it is dropped from Field.Name.
//   - mboxo and mboxrd cannot be told apart from content. We read an mbox
//     without Content-Length as mboxrd (one '>' removed from ">From ",
//     ">>From ", ...), which differs from mboxo only on lines that start with
//     ">>From "; the step counts those. With a consistent Content-Length we
//     assume mboxcl (">From " unquoted) unless the body holds an unquoted
//     "From " line, which only mboxcl2 writes.
//   - A "From " line not preceded by a blank line starts a new message only
//     when it is a well-formed separator (sender and ctime date); otherwise
//     it is body text of a broken mboxo file.
//   - One blank line before each separator, and at the end of the file, is
//     the mbox's, not the message's, and is not part of Raw.
package message

import (
	"net/textproto"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"

	// Registers decoders for the charsets of RFC 2047 encoded words
	// (ISO-8859-x, Windows-125x, GB18030, ...) with go-message.
	_ "github.com/emersion/go-message/charset"
)

// Defaults for the limits of Options. Each guards memory or time against
// hostile input; none comes from an RFC (RFC 5322 sets no size limits
// beyond the 998-character line of §2.1.1).
const (
	DefaultMaxMessageSize  = 64 << 20  // bytes of one message, and of stdin
	DefaultMaxHeaderFields = 10_000    // fields parsed per message
	DefaultMaxLineLength   = 1 << 20   // bytes of one physical header line
	DefaultMaxMessages     = 1_000_000 // messages indexed in one mbox
)

// Options sets the loader's limits. A zero field takes its default.
type Options struct {
	MaxMessageSize  int64 // larger messages (and a larger stdin) are refused with an error
	MaxHeaderFields int   // fields after this many are counted but not parsed
	MaxLineLength   int   // a header field with a longer line is skipped, with a step
	MaxMessages     int   // an mbox is indexed up to this many messages
}

func (o Options) withDefaults() Options {
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.MaxHeaderFields <= 0 {
		o.MaxHeaderFields = DefaultMaxHeaderFields
	}
	if o.MaxLineLength <= 0 {
		o.MaxLineLength = DefaultMaxLineLength
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = DefaultMaxMessages
	}
	return o
}

// Format is how a message was stored.
type Format string

// The storage formats the loader knows. The mbox names are those of the
// qmail mbox(5) page that RFC 4155 App. A refers to.
const (
	Single  Format = "rfc5322" // one message on its own
	Mboxrd  Format = "mboxrd"  // mbox, ">From " quoting reversible by removing one '>'
	Mboxcl  Format = "mboxcl"  // mbox with Content-Length, mboxo quoting
	Mboxcl2 Format = "mboxcl2" // mbox with Content-Length, no quoting
)

// Field is one header field as it appears in the message.
type Field struct {
	Name    string // the name as written, e.g. "DKIM-Signature"
	Key     string // the name in canonical form, e.g. "Dkim-Signature" (textproto)
	Raw     []byte // the whole field, folded, with its line ending, exactly as in Message.Raw
	Value   string // unfolded, leading and trailing white space removed
	Display string // Value with RFC 2047 encoded words decoded to UTF-8, for people
	Offset  int    // where Raw starts in Message.Raw
	Line    int    // 1-based line of the message where the field starts
}

// Message is one message: its bytes as stored and its parsed header.
type Message struct {
	// Raw is the message exactly as stored (after mbox unquoting, which the
	// steps report). It must not be modified: Field.Raw points into it.
	Raw []byte

	// Fields are the parsed header fields, top first.
	Fields []Field

	// HeaderEnd is where the last header field ends in Raw; BodyStart is
	// where the body begins, after the blank line. They are equal when no
	// blank line separates the two, and both len(Raw) when there is no body.
	HeaderEnd int
	BodyStart int

	File       string // the input's name: a path, "stdin", or "demo:NAME"
	Index      int    // 1-based position in the input
	Format     Format // how it was stored
	Separator  string // the mbox "From " line before it, without line ending; "" for a single message
	Unquoted   int    // lines from which mbox unquoting removed a '>'
	LineEnding string // "CRLF", "LF", "mixed", or "" when Raw has no line break

	// Steps says what loading found, in the order it was found.
	Steps []trace.Step

	// buf is the read buffer Raw lies in when Source.Release may take it
	// back for the next message; nil otherwise.
	buf *[]byte

	// The Date field as parse read it (dateRead), so that Summary and
	// Date, which every report asks for, do not parse and format it
	// again. A Message parse did not fill in reads the field when asked.
	dateRead bool
	dateOK   bool
	date     time.Time
	dateText string // date in UTC as RFC 3339
}

// Header returns the header section: the fields, without the blank line.
func (m *Message) Header() []byte { return m.Raw[:m.HeaderEnd] }

// Body returns the body, after the blank line.
func (m *Message) Body() []byte { return m.Raw[m.BodyStart:] }

// FieldsByKey returns the fields named key (any case), top first.
func (m *Message) FieldsByKey(key string) []Field {
	k := textproto.CanonicalMIMEHeaderKey(key)
	var out []Field
	for _, f := range m.Fields {
		if f.Key == k {
			out = append(out, f)
		}
	}
	return out
}

// Values returns the unfolded values of the fields named key (any case), top
// first: Values("Received")[0] is the last hop's.
func (m *Message) Values(key string) []string {
	k := textproto.CanonicalMIMEHeaderKey(key)
	var out []string
	for _, f := range m.Fields {
		if f.Key == k {
			out = append(out, f.Value)
		}
	}
	return out
}

// Get returns the value of the top-most field named key, or "".
func (m *Message) Get(key string) string {
	if f, ok := m.first(key); ok {
		return f.Value
	}
	return ""
}

// Count returns how many fields are named key.
func (m *Message) Count(key string) int {
	k := textproto.CanonicalMIMEHeaderKey(key)
	n := 0
	for _, f := range m.Fields {
		if f.Key == k {
			n++
		}
	}
	return n
}

func (m *Message) first(key string) (Field, bool) {
	k := textproto.CanonicalMIMEHeaderKey(key)
	for _, f := range m.Fields {
		if f.Key == k {
			return f, true
		}
	}
	return Field{}, false
}

// Summary is what identifies a message to a person: the report's source
// object (../shared/CONTRACT.md). Values are as decoded from the message and
// not yet made terminal-safe; renderers do that.
type Summary struct {
	File      string `json:"file"`
	Index     int    `json:"index"`
	MessageID string `json:"message_id"`
	From      string `json:"from"`
	Subject   string `json:"subject"`
	Date      string `json:"date"` // RFC 3339 in UTC, or "" when absent or unparsable
}

// Summary returns the source object of m. From and Subject are the top-most
// fields, RFC 2047-decoded as a mail client would show them.
func (m *Message) Summary() Summary {
	s := Summary{File: m.File, Index: m.Index, MessageID: m.Get("Message-ID")}
	if f, ok := m.first("From"); ok {
		s.From = f.Display
	}
	if f, ok := m.first("Subject"); ok {
		s.Subject = f.Display
	}
	switch {
	case m.dateRead:
		s.Date = m.dateText
	default:
		if t, ok := m.Date(); ok {
			s.Date = t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// Date returns the parsed Date field (RFC 5322 §3.3), and false when there
// is none or it does not parse.
func (m *Message) Date() (time.Time, bool) {
	if m.dateRead {
		return m.date, m.dateOK
	}
	v := m.Get("Date")
	if v == "" {
		return time.Time{}, false
	}
	t, err := parseDate(v)
	return t, err == nil
}

// SummaryOf returns the source object for message index (1-based) of a
// file that could not be loaded, so an error line can still say which
// message it is about.
func SummaryOf(file string, index int) Summary {
	return Summary{File: file, Index: index}
}
