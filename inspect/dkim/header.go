package dkim

import (
	"bytes"
	"strings"
	"unicode/utf8"
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
func (f Field) Name() string { return string(f.name()) }

// name is Name as a slice of Raw: the checks below compare names per field
// per signature, and a string for each would be most of their allocations.
func (f Field) name() []byte {
	raw := trimEOL(f.Raw)
	if i := bytes.IndexByte(raw, ':'); i >= 0 {
		raw = raw[:i]
	}
	return bytes.Trim(raw, " \t\r\n")
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
func (f Field) Is(name string) bool { return equalFold(f.name(), name) }

// equalFold is strings.EqualFold(string(b), s) without making the string:
// ASCII, which field names nearly always are, is folded here, and from the
// first byte that is not ASCII on either side strings.EqualFold decides,
// so its Unicode folding (a Kelvin sign is a K) stays the rule.
func equalFold(b []byte, s string) bool {
	n := min(len(b), len(s))
	for i := 0; i < n; i++ {
		c, d := b[i], s[i]
		if c|d >= utf8.RuneSelf {
			return strings.EqualFold(string(b[i:]), s[i:])
		}
		if c != d && lowerASCII(c) != lowerASCII(d) {
			return false
		}
	}
	// One is a prefix of the other: equal only when both ended, as a
	// rune left over folds to no empty string.
	return len(b) == len(s)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

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
	// The fields are gathered on the stack and copied out once, at their
	// number: an ordinary header costs one allocation, not the five or six
	// of a slice growing field by field.
	var stack [32]Field
	fields := stack[:0]
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
			m.Fields = clone(fields)
			return m
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fields) > 0 {
			f := &fields[len(fields)-1]
			f.Raw = raw[f.Offset:next]
		} else {
			fields = append(fields, Field{Raw: raw[pos:next], Offset: pos})
		}
		pos = next
	}
	m.BodyOffset = len(raw)
	m.Fields = clone(fields)
	return m
}

// clone copies the fields to the heap; none gives nil, as before.
func clone(fields []Field) []Field {
	if len(fields) == 0 {
		return nil
	}
	return append(make([]Field, 0, len(fields)), fields...)
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
	// Each distinct name, lowercased, gets a slot; the fields of each slot
	// are chained bottom-up in one pass over the header (first[s] is the
	// lowest instance not taken yet, up[i] the next one above field i), so
	// a long h= over a long header costs their sum, not their product, and
	// no field name is copied to a string.
	out := make([]int, len(names)) // the slot of each name, then its field
	slots := nameSlots{keys: make([]string, 0, len(names))}
	keys := lowerAll(names)
	for j := range names {
		out[j] = slots.add(keys[j])
	}
	first := make([]int, len(slots.keys)+len(m.Fields))
	up := first[len(slots.keys):]
	first = first[:len(slots.keys)]
	for s := range first {
		first[s] = -1
	}
	var buf [64]byte
	for i := range m.Fields {
		if i == skip {
			continue
		}
		if s, ok := slots.find(lowerName(m.Fields[i].name(), &buf)); ok {
			up[i], first[s] = first[s], i
		}
	}
	for j, s := range out {
		i := first[s]
		out[j] = i
		if i >= 0 {
			first[s] = up[i]
		}
	}
	return out
}

// lowerAll is strings.ToLower of each name. ASCII names, which h= holds
// (parseSignature checks it), share one string made once.
func lowerAll(names []string) []string {
	keys := make([]string, len(names))
	n := 0
	for _, name := range names {
		n += len(name)
	}
	b := make([]byte, 0, n)
	for _, name := range names {
		for i := 0; i < len(name); i++ {
			b = append(b, lowerASCII(name[i]))
		}
	}
	all := string(b)
	pos := 0
	for j, name := range names {
		if isASCII(name) {
			keys[j] = all[pos : pos+len(name)]
		} else {
			keys[j] = strings.ToLower(name)
		}
		pos += len(name)
	}
	return keys
}

// lowerName is strings.ToLower(string(name)), made in buf when name is
// ASCII and fits: it is only looked up, never kept.
func lowerName(name []byte, buf *[64]byte) []byte {
	if len(name) > len(buf) || !isASCII(string(name)) {
		return []byte(strings.ToLower(string(name)))
	}
	for i, c := range name {
		buf[i] = lowerASCII(c)
	}
	return buf[:len(name)]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nameSlots numbers distinct names. An h= list names a handful of fields,
// searched in a slice; a long one gets a map, so that Pick stays linear.
type nameSlots struct {
	keys []string
	m    map[string]int
}

const slotsInSlice = 16

// find takes bytes: neither the map index nor the comparison copies them.
func (x *nameSlots) find(k []byte) (int, bool) {
	if x.m != nil {
		s, ok := x.m[string(k)]
		return s, ok
	}
	for s, key := range x.keys {
		if key == string(k) {
			return s, true
		}
	}
	return 0, false
}

func (x *nameSlots) add(k string) int {
	if x.m != nil {
		if s, ok := x.m[k]; ok {
			return s
		}
	} else {
		for s, key := range x.keys {
			if key == k {
				return s
			}
		}
	}
	s := len(x.keys)
	x.keys = append(x.keys, k)
	switch {
	case x.m != nil:
		x.m[k] = s
	case len(x.keys) > slotsInSlice:
		x.m = make(map[string]int, 2*len(x.keys))
		for s, key := range x.keys {
			x.m[key] = s
		}
	}
	return s
}
