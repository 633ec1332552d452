package dmarc

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"golang.org/x/net/idna"
)

// FromProblem names why a message has no single Author Domain.
type FromProblem string

// The ways the From header fields can fail to name exactly one domain.
const (
	FromOK                FromProblem = ""                   // one From field naming one domain
	FromMissing           FromProblem = "missing"            // no From field at all
	FromMultipleFields    FromProblem = "multiple_fields"    // more than one From field
	FromMultipleAddresses FromProblem = "multiple_addresses" // one From field naming several addresses
	FromNoDomain          FromProblem = "no_domain"          // a From field with no usable domain (empty group, address literal, garbage)
)

// Author is what the From header fields say about who wrote the message.
type Author struct {
	Fields    int         // how many From fields the message has
	Addresses []string    // every address found, in order
	Domains   []string    // the distinct Author Domains, A-labels in lower case, in order of appearance
	Problem   FromProblem // FromOK when exactly one field names exactly one domain
	Lenient   bool        // some field broke RFC 5322 and was read leniently
	Notes     []string    // what was read from each field and anything odd, in plain words
}

// maxFromLen bounds how much of one From field is parsed; a real one is a
// few hundred bytes.
const maxFromLen = 16 << 10

// ParseAuthor extracts the Author Domain from the raw values of every From
// header field of a message, in header order (RFC 9989 §5.3.1, RFC 7489
// §6.6.1). Values may still be folded. U-labels are converted to A-labels
// (RFC 5890 §2.3), as both standards require.
//
// A field that net/mail cannot parse is read leniently, picking the
// addr-spec out of angle brackets or bare words with an "@": a mail program
// shows such a field anyway, so DMARC should judge the domain the reader
// sees. Domain literals ("[192.0.2.1]") name no domain.
func ParseAuthor(values []string) Author {
	a := Author{Fields: len(values)}
	seen := map[string]bool{}
	for i, v := range values {
		field := "The From field"
		if len(values) > 1 {
			field = fmt.Sprintf("From field %d", i+1)
		}
		if len(v) > maxFromLen {
			v = v[:maxFromLen]
			a.Notes = append(a.Notes, fmt.Sprintf("%s is longer than %d bytes; only the start was read", field, maxFromLen))
		}
		addrs, lenient := parseAddresses(unfold(v))
		if lenient {
			a.Lenient = true
			if len(addrs) > 0 {
				a.Notes = append(a.Notes, fmt.Sprintf("%s does not follow the RFC 5322 address syntax; headercheck read %s from it the way a lenient mail program would", field, strings.Join(addrs, ", ")))
			} else {
				a.Notes = append(a.Notes, fmt.Sprintf("%s does not follow the RFC 5322 address syntax and holds no recognisable address", field))
			}
		} else if len(addrs) == 0 {
			a.Notes = append(a.Notes, fmt.Sprintf("%s holds no address (an empty group)", field))
		}
		for _, addr := range addrs {
			a.Addresses = append(a.Addresses, addr)
			at := strings.LastIndexByte(addr, '@')
			if at < 0 {
				continue
			}
			d, err := normalizeDomain(addr[at+1:])
			if err != nil {
				a.Notes = append(a.Notes, fmt.Sprintf("%s: the domain of %s cannot be used: %s", field, addr, err))
				continue
			}
			if !seen[d] {
				seen[d] = true
				a.Domains = append(a.Domains, d)
			}
		}
	}
	switch {
	case a.Fields == 0:
		a.Problem = FromMissing
	case a.Fields > 1:
		a.Problem = FromMultipleFields
	case len(a.Addresses) > 1:
		a.Problem = FromMultipleAddresses
	case len(a.Domains) == 0:
		a.Problem = FromNoDomain
	}
	return a
}

func unfold(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "")
	v = strings.ReplaceAll(v, "\n", "")
	return strings.TrimSpace(strings.ReplaceAll(v, "\r", ""))
}

// anyCharset lets net/mail get past encoded-words in unknown charsets: only
// the address matters here, not how the display name is spelled.
var addrParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
}}

func parseAddresses(v string) (addrs []string, lenient bool) {
	if _, a, ok := PlainAddress(v); ok {
		return []string{a}, false
	}
	list, err := addrParser.ParseList(v)
	if err == nil {
		for _, a := range list {
			addrs = append(addrs, a.Address)
		}
		return addrs, false
	}
	if strings.TrimSpace(v) == "" {
		return nil, false
	}
	return lenientAddresses(v), true
}

// lenientAddresses finds addr-specs in text that is not a valid
// address-list: the contents of <...> when there are angle brackets,
// otherwise every word holding an "@". Quoted strings and comments are
// dropped first, so a display name such as "service@paypal.example" is not
// mistaken for the address.
func lenientAddresses(v string) []string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && (quoted || depth > 0):
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
		case c == '"' && depth == 0:
			quoted = true
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	var words []string
	if strings.Contains(s, "<") {
		for _, part := range strings.Split(s, "<")[1:] {
			if j := strings.IndexByte(part, '>'); j >= 0 {
				part = part[:j]
			}
			words = append(words, part)
		}
	} else {
		words = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
	}
	var out []string
	for _, w := range words {
		w = strings.Trim(w, " \t,;:<>")
		at := strings.LastIndexByte(w, '@')
		if at <= 0 || at == len(w)-1 {
			continue
		}
		out = append(out, w)
	}
	return out
}

// normalizeDomain turns a domain as written in a message or a signature into
// the form DMARC compares and looks up: A-labels, lower case, no trailing
// dot (RFC 9989 §4.4: comparisons are case-insensitive; §5.3.1: U-labels
// become A-labels).
func normalizeDomain(d string) (string, error) {
	d = strings.TrimSpace(d)
	if strings.HasPrefix(d, "[") {
		return "", fmt.Errorf("%s is an address literal, not a domain name", d)
	}
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", fmt.Errorf("the domain is empty")
	}
	if strings.HasSuffix(d, ".") {
		// "example.org.." : one dot ends an absolute name, a second is an
		// empty label, which DNS cannot carry.
		return "", fmt.Errorf("%s is not a valid domain name (it ends in an empty label)", d+".")
	}
	if !utf8.ValidString(d) {
		return "", fmt.Errorf("the domain is not valid UTF-8")
	}
	ascii := true
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		a, err := idna.Lookup.ToASCII(d)
		if err != nil {
			return "", fmt.Errorf("%s cannot be converted to an A-label (RFC 5890 §2.3): %v", d, err)
		}
		d = a
	}
	d = strings.ToLower(d)
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("%q holds characters a host name cannot", d)
		}
	}
	// _dmarc. is prepended to every name DMARC asks, so that must fit too.
	// Most domains plainly fit; only the rest build the name to ask dnsx.
	if !dmarcNameFits(d) {
		if _, err := dnsx.Fqdn("_dmarc." + d); err != nil {
			return "", fmt.Errorf("%s is not a valid domain name (empty label, a label over 63 octets, or longer than DNS allows)", d)
		}
	}
	return d, nil
}

// dmarcNameFits reports, without building it, that _dmarc.<d> is a name
// dnsx.Fqdn accepts, for d of the bytes normalizeDomain lets through
// (lower-case letters, digits, '-', '.', '_'): every label 1 to 63 bytes
// and the whole at most 253. false means only that Fqdn must decide
// (TestDmarcNameFits, FuzzDmarcNameFits).
func dmarcNameFits(d string) bool {
	if len(d) > 253-len("_dmarc.") {
		return false
	}
	label := 0
	for i := 0; i < len(d); i++ {
		if d[i] != '.' {
			label++
			continue
		}
		if label == 0 || label > 63 {
			return false
		}
		label = 0
	}
	return label > 0 && label <= 63
}

// NormalizeDomain is normalizeDomain for other packages (a DKIM d=, an SPF
// domain): the form the alignment helpers compare.
func NormalizeDomain(d string) (string, error) { return normalizeDomain(d) }

// PlainAddress returns the addr-spec of a header field value holding one
// address in the plainest form mail writes it in, without net/mail: a bare
// addr-spec, or one in angle brackets after an optional display name of
// ASCII letters, digits and spaces; the local part and the domain are
// dot-atoms of letters, digits, "-" ("_", "+" and "=" also in the local
// part), and space or tab may surround it. net/mail reads those the same
// way (FuzzPlainAddress holds it to that) at some 1.2 us and 18
// allocations each, and every message parses its From in several checks.
// name is the display name as net/mail gives it: its words joined by one
// space. ok is false for any other value: the caller parses it with
// net/mail.
func PlainAddress(v string) (name, addr string, ok bool) {
	s := strings.Trim(v, " \t")
	if strings.HasSuffix(s, ">") {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return "", "", false
		}
		spaces := false
		for j := 0; j < i; j++ {
			if c := s[j]; c == ' ' {
				spaces = true
			} else if !isLetterDigit(c) {
				return "", "", false
			}
		}
		name = s[:i]
		if spaces {
			name = strings.Join(strings.Fields(name), " ")
		}
		s = s[i+1 : len(s)-1]
	}
	at := strings.IndexByte(s, '@')
	if at < 0 || !plainDotAtom(s[:at], "-_+=") || !plainDotAtom(s[at+1:], "-") {
		return "", "", false
	}
	return name, s, true
}

func isLetterDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// plainDotAtom reports whether s is non-empty words of letters, digits and
// extra, joined by single dots.
func plainDotAtom(s, extra string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetterDigit(c), strings.IndexByte(extra, c) >= 0:
		case c == '.' && s[i-1] != '.':
		default:
			return false
		}
	}
	return true
}
