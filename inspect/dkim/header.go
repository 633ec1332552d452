package dkim

import (
	"bytes"
	"strings"
)

// Field is one header field exactly as the message stores it.
type Field struct {
	// Raw is the name, the colon, the value with its folded lines and the
	// final line break, byte for byte (LF or CRLF as stored).
	Raw []byte
	// Offset is where Raw starts in the message.
	Offset int
}

// Name is the field name as written: the bytes before the first colon,
// without the whitespace RFC 5322 §4.5.3 (obs-optional) allows before the
// colon. A line with no colon at all is not a field by RFC 5322, but
// signers and verifiers (go-msgauth among them) treat it as one named by
// the whole line, so it is named by its text, trimmed, here too.
func (f Field) Name() string {
	raw := trimEOL(f.Raw)
	if i := bytes.IndexByte(raw, ':'); i >= 0 {
		raw = raw[:i]
	}
	return string(bytes.Trim(raw, " \t\r\n"))
}

// Value is everything after the first colon, folding kept, without the
// final line break.
func (f Field) Value() []byte {
	i := bytes.IndexByte(f.Raw, ':')
	if i < 0 {
		return nil
	}
	return trimEOL(f.Raw[i+1:])
}

// Is reports whether the field's name is name, ignoring ASCII case as
// RFC 6376 §3.5 (h=) and RFC 5322 §1.2.2 require.
func (f Field) Is(name string) bool { return strings.EqualFold(f.Name(), name) }

// Message is a message split into header fields and body without changing
// a byte.
type Message struct {
	Fields     []Field
	Body       []byte // the bytes after the empty line that ends the header
	BodyOffset int    // where Body starts; len(raw) when there is no body
	HasBody    bool   // an empty line ended the header (the body may still be empty)
}

// Split cuts raw into header fields and body (RFC 5322 §2.1, §2.2.3): a
// line that starts with SP or HTAB continues the field before it, and the
// first empty line ends the header. Lines end in CRLF or in a lone LF. A
// message with no empty line is all header. A continuation line at the very
// top becomes a field of its own with no name, so no byte is lost.
func Split(raw []byte) Message {
	var m Message
	pos := 0
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		next := len(raw)
		if end >= 0 {
			next = pos + end + 1
		}
		line := raw[pos:next]
		if len(trimEOL(line)) == 0 && end >= 0 {
			m.HasBody = true
			m.Body = raw[next:]
			m.BodyOffset = next
			return m
		}
		if (line[0] == ' ' || line[0] == '\t') && len(m.Fields) > 0 {
			f := &m.Fields[len(m.Fields)-1]
			f.Raw = raw[f.Offset:next]
		} else {
			m.Fields = append(m.Fields, Field{Raw: raw[pos:next], Offset: pos})
		}
		pos = next
	}
	m.BodyOffset = len(raw)
	return m
}

// trimEOL removes one final line break (CRLF or LF).
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// Count is how many fields are named name.
func (m Message) Count(name string) int {
	n := 0
	for _, f := range m.Fields {
		if f.Is(name) {
			n++
		}
	}
	return n
}

// Pick chooses the header fields an h= list signs, per RFC 6376 §5.4.2:
// each name takes the lowest instance not taken yet, so a name listed
// twice takes the last two instances, bottom up. A name with no instance
// left gives -1 (it signs "nothing", §3.5 h=). skip is a field index never
// taken — the signature being verified, which §3.5 says cannot sign itself
// — or -1.
func (m Message) Pick(names []string, skip int) []int {
	// Index the fields by name once, bottom-up, so that a long h= over a
	// long header costs their sum, not their product.
	byName := map[string][]int{}
	for i := len(m.Fields) - 1; i >= 0; i-- {
		if i != skip {
			k := strings.ToLower(m.Fields[i].Name())
			byName[k] = append(byName[k], i)
		}
	}
	out := make([]int, len(names))
	for j, name := range names {
		k := strings.ToLower(name)
		out[j] = -1
		if left := byName[k]; len(left) > 0 {
			out[j] = left[0]
			byName[k] = left[1:]
		}
	}
	return out
}
