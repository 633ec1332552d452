package dkim

import (
	"bytes"
	"crypto"
	"fmt"
	"strings"
)

// Canon is a canonicalization algorithm (RFC 6376 §3.4).
type Canon string

// The canonicalization algorithms of RFC 6376 §3.4.
const (
	Simple  Canon = "simple"
	Relaxed Canon = "relaxed"
)

// ParseCanon reads a c= value (RFC 6376 §3.5): "header/body", or one name
// for the header with simple for the body, or "" for simple/simple.
func ParseCanon(c string) (header, body Canon, err error) {
	h, b, two := strings.Cut(c, "/")
	header, body = Simple, Simple
	if c == "" {
		return header, body, nil
	}
	header = Canon(h)
	if two {
		body = Canon(b)
	}
	for _, x := range []Canon{header, body} {
		if x != Simple && x != Relaxed {
			return header, body, fmt.Errorf("dkim: unknown canonicalization %q", string(x))
		}
	}
	return header, body, nil
}

// CRLF returns b with every lone LF turned into CRLF: the form a message
// has on the wire (RFC 5321 §2.3.8), which DKIM signs (RFC 6376 §3.4 note,
// §5.3). b itself is returned when it has no lone LF.
func CRLF(b []byte) []byte {
	if !hasLoneLF(b) {
		return b
	}
	return appendCRLF(make([]byte, 0, len(b)+bytes.Count(b, []byte("\n"))), b)
}

func hasLoneLF(b []byte) bool {
	for pos := 0; ; {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return false
		}
		if i += pos; i == 0 || b[i-1] != '\r' {
			return true
		}
		pos = i + 1
	}
}

// appendCRLF appends b to dst with every lone LF turned into CRLF.
func appendCRLF(dst, b []byte) []byte {
	start := 0
	for pos := 0; ; {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return append(dst, b[start:]...)
		}
		if i += pos; i == 0 || b[i-1] != '\r' {
			dst = append(dst, b[start:i]...)
			dst = append(dst, '\r')
			start = i
		}
		pos = i + 1
	}
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// CanonHeader appends one header field, canonicalized, to dst. The result
// ends in CRLF (RFC 6376 §3.7: "each header field MUST be terminated with a
// single CRLF").
//
// simple (§3.4.1) keeps the field as it is, lone LFs read as CRLF.
// relaxed (§3.4.2) lowercases the name, unfolds, turns each run of WSP into
// one SP, and drops WSP at the end of the value and around the colon.
func CanonHeader(dst, field []byte, c Canon) []byte {
	if c != Relaxed {
		dst = appendCRLF(dst, trimEOL(field))
		return append(dst, '\r', '\n')
	}
	name, value, _ := bytes.Cut(trimEOL(field), []byte(":"))
	name = bytes.Trim(name, " \t\r\n")
	for _, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		dst = append(dst, ch)
	}
	dst = append(dst, ':')
	// Unfolding removes CRLF (or a lone LF) that is followed by WSP; the
	// splitter only leaves such breaks inside a field. Runs of WSP, with
	// any break inside them, become one SP; leading and trailing ones go.
	space := false
	wrote := false
	for i := 0; i < len(value); i++ {
		ch := value[i]
		switch {
		case isWSP(ch), ch == '\n', ch == '\r' && i+1 < len(value) && value[i+1] == '\n':
			space = true
			continue
		}
		if space && wrote {
			dst = append(dst, ' ')
		}
		space = false
		wrote = true
		dst = append(dst, ch)
	}
	return append(dst, '\r', '\n')
}

// HeaderHash computes hash step 2 of RFC 6376 §3.7: the fields at picked
// (indices into m.Fields, -1 for a name with no instance, see Message.Pick)
// canonicalized by c, then the signature field itself with the value of
// its b= tag removed and no final CRLF. It returns the hash and the exact
// bytes hashed, which the trace can show.
func HeaderHash(m Message, picked []int, sigField []byte, c Canon, h crypto.Hash) (sum, data []byte, err error) {
	stripped, err := StripB(sigField)
	if err != nil {
		return nil, nil, err
	}
	data = appendHeaderData(make([]byte, 0, headerDataSize(m, picked, len(stripped))), m, picked, stripped, c)
	hh := h.New()
	hh.Write(data)
	return hh.Sum(nil), data, nil
}

// headerDataSize is room for what appendHeaderData writes, made once:
// canonicalization lengthens a field only by a CR for each lone LF (a few
// per field) and the CRLF it ends with. More is appended if needed.
func headerDataSize(m Message, picked []int, sigLen int) int {
	n := sigLen + sigLen/8 + 2
	for _, i := range picked {
		if i >= 0 {
			n += len(m.Fields[i].Raw) + len(m.Fields[i].Raw)/8 + 2
		}
	}
	return n
}

// appendHeaderData appends the data of hash step 2 (RFC 6376 §3.7): the
// picked fields and the stripped signature field, canonicalized, without
// the final CRLF.
func appendHeaderData(dst []byte, m Message, picked []int, stripped []byte, c Canon) []byte {
	for _, i := range picked {
		if i >= 0 {
			dst = CanonHeader(dst, m.Fields[i].Raw, c)
		}
	}
	dst = CanonHeader(dst, stripped, c)
	return dst[:len(dst)-2]
}

// StripB returns the signature header field with the value of its b= tag,
// and the whitespace around that value, deleted (RFC 6376 §3.5, §3.7): the
// form that was signed. The field's name, the other tags and the final line
// break stay byte for byte.
func StripB(field []byte) ([]byte, error) {
	colon := bytes.IndexByte(field, ':')
	if colon < 0 {
		return nil, fmt.Errorf("%w: the field has no colon", ErrTagSyntax)
	}
	body := trimEOL(field[colon+1:])
	tags, err := ParseTagList(string(body))
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		if t.Name == "b" {
			start := colon + 1 + t.ValueStart
			end := colon + 1 + t.ValueEnd
			out := make([]byte, 0, len(field)-(end-start))
			out = append(out, field[:start]...)
			return append(out, field[end:]...), nil
		}
	}
	return nil, fmt.Errorf("%w: no b= tag", ErrTagSyntax)
}
