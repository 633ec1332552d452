package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrNotSPF means a TXT record does not begin with the version section
// "v=spf1" followed by a space or the end (RFC 7208 §4.5): it is some other
// TXT record and takes no part in SPF.
var ErrNotSPF = errors.New("spf: not an SPF record (it does not start with v=spf1)")

// SyntaxError is a record that starts with v=spf1 but breaks the grammar of
// RFC 7208 §12. Any such error anywhere in the record makes check_host()
// return permerror before anything is evaluated (RFC 7208 §4.6).
type SyntaxError struct {
	Term   string // the term as written; "" when the record as a whole is at fault
	Index  int    // 1-based position of the term after v=spf1; 0 with Term ""
	Reason string // what is wrong, in plain words, with the RFC section
}

func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return "spf: syntax error: " + e.Reason
	}
	return fmt.Sprintf("spf: syntax error in term %d %q: %s", e.Index, e.Term, e.Reason)
}

// Mechanism names (RFC 7208 §5).
const (
	All     = "all"
	Include = "include"
	A       = "a"
	MX      = "mx"
	PTR     = "ptr"
	IP4     = "ip4"
	IP6     = "ip6"
	Exists  = "exists"
)

// Modifier names RFC 7208 §6 defines; any other name=value term is an
// unknown modifier and is ignored.
const (
	Redirect = "redirect"
	Exp      = "exp"
)

// Term is one directive or modifier of a record, in the order written.
type Term struct {
	Text string // as written in the record

	// Mechanism is one of the mechanism constants for a directive and ""
	// for a modifier.
	Mechanism string
	// Qualifier is '+', '-', '~' or '?'; '+' when the directive has none
	// (RFC 7208 §4.6.2). Zero for modifiers.
	Qualifier byte

	// Modifier is the lowercased name of a modifier ("redirect", "exp" or
	// an unknown one) and "" for a directive.
	Modifier string

	// Spec is the domain-spec of include, a, mx, ptr, exists, redirect and
	// exp, or the value of an unknown modifier, as written; "" when absent.
	Spec string

	// Prefix4 and Prefix6 are the CIDR lengths a, mx, ip4 and ip6 compare
	// with: 32 and 128 unless the term gives others (RFC 7208 §5.6).
	Prefix4, Prefix6 int

	// Network is the address of ip4: and ip6: terms.
	Network netip.Addr

	spec macroString // Spec, parsed
}

// QueriesDNS reports whether evaluating the term asks DNS, so that it counts
// against the limit of 10 (RFC 7208 §4.6.4).
func (t *Term) QueriesDNS() bool {
	switch t.Mechanism {
	case Include, A, MX, PTR, Exists:
		return true
	}
	return t.Modifier == Redirect
}

// Record is a parsed SPF record.
type Record struct {
	Text     string
	Terms    []Term // mechanisms and modifiers in order
	Redirect *Term  // the redirect= modifier, nil when absent
	Exp      *Term  // the exp= modifier, nil when absent
	HasAll   bool   // an all mechanism is present, so redirect= is ignored (RFC 7208 §5.1)
}

// IsSPF reports whether a TXT record is an SPF version 1 record: it starts
// with "v=spf1" in any case, followed by a space or nothing (RFC 7208 §4.5),
// so "v=spf10" is not one.
func IsSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// parsed remembers the records Parse read without error, by their text:
// the same few records (a sender's, its providers' _spf includes) come back
// in message after message, and reading one again costs some 3 us. A
// parsed record is a pure function of its text, and check_host() only
// reads it, so one *Record can serve every message and goroutine. It holds
// at most parsedMax records of at most parsedMaxLen bytes; past that,
// records are parsed every time, as before.
var parsed recordCache

const (
	parsedMax    = 1024
	parsedMaxLen = 2048
)

type recordCache struct {
	m sync.Map // text -> *Record
	n atomic.Int64
}

// parse is Parse through the cache. The record returned may be shared:
// it must not be changed.
func (c *recordCache) parse(text string) (*Record, error) {
	if r, ok := c.m.Load(text); ok {
		return r.(*Record), nil
	}
	if len(text) > parsedMaxLen || c.n.Load() >= parsedMax {
		return Parse(text)
	}
	// The record and its terms keep slices of the text: a copy of their
	// own, not of whatever buffer the answer came in.
	text = strings.Clone(text)
	r, err := Parse(text)
	if err != nil {
		return r, err
	}
	if _, loaded := c.m.LoadOrStore(text, r); !loaded {
		c.n.Add(1)
	}
	return r, nil
}

// Parse reads an SPF record against the grammar of RFC 7208 §12 without
// fetching anything. It returns ErrNotSPF for a TXT record that is not an
// SPF record and a *SyntaxError for one that is but is malformed.
func Parse(text string) (*Record, error) {
	if !IsSPF(text) {
		return nil, ErrNotSPF
	}
	r := &Record{Text: text, Terms: make([]Term, 0, strings.Count(text, " "))}
	// terms = *( 1*SP ( directive / modifier ) ), record = version terms *SP:
	// only the space character separates terms (RFC 7208 §4.6.1).
	idx := 0
	for _, tok := range strings.Split(text[6:], " ") {
		if tok == "" {
			continue
		}
		idx++
		t, err := parseTerm(tok, idx)
		if err != nil {
			return nil, err
		}
		switch {
		case t.Mechanism == All:
			r.HasAll = true
		case t.Modifier == Redirect || t.Modifier == Exp:
			for _, prev := range r.Terms {
				if prev.Modifier == t.Modifier {
					return nil, &SyntaxError{Term: tok, Index: idx, Reason: fmt.Sprintf("the record has more than one %s= modifier; each may appear at most once (RFC 7208 §6)", t.Modifier)}
				}
			}
		}
		r.Terms = append(r.Terms, t)
	}
	for i := range r.Terms {
		switch r.Terms[i].Modifier {
		case Redirect:
			r.Redirect = &r.Terms[i]
		case Exp:
			r.Exp = &r.Terms[i]
		}
	}
	return r, nil
}

func parseTerm(tok string, idx int) (Term, error) {
	fail := func(format string, args ...any) (Term, error) {
		return Term{}, &SyntaxError{Term: tok, Index: idx, Reason: fmt.Sprintf(format, args...)}
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x21 || c > 0x7e {
			kind := "a control character"
			if c >= 0x80 {
				kind = "not US-ASCII"
			}
			return fail("byte 0x%02X (%s) at position %d; SPF records are US-ASCII (RFC 7208 §3.1) and terms are separated by spaces only (RFC 7208 §4.6.1)", c, kind, i+1)
		}
	}

	// A modifier is name "=" value, where name = ALPHA *( ALPHA / DIGIT /
	// "-" / "_" / "." ) and the "=" comes before any ":" or "/" (RFC 7208
	// §4.6.1). Known modifier names are never unknown modifiers, so a
	// malformed redirect= is an error, not something to ignore.
	if isAlpha(tok[0]) {
		j := 1
		for j < len(tok) && isNameChar(tok[j]) {
			j++
		}
		if j < len(tok) && tok[j] == '=' {
			return parseModifier(tok, idx, strings.ToLower(tok[:j]), tok[j+1:])
		}
	}

	t := Term{Text: tok, Qualifier: '+', Prefix4: 32, Prefix6: 128}
	rest := tok
	switch rest[0] {
	case '+', '-', '~', '?':
		t.Qualifier = rest[0]
		rest = rest[1:]
	}
	j := 0
	for j < len(rest) && rest[j] != ':' && rest[j] != '/' && rest[j] != '=' {
		j++
	}
	name, arg := strings.ToLower(rest[:j]), rest[j:]
	switch name {
	case All:
		if arg != "" {
			return fail("all takes no argument; it is just \"all\" with an optional qualifier (RFC 7208 §5.1)")
		}
	case Include, Exists:
		spec, ok := strings.CutPrefix(arg, ":")
		if !ok || spec == "" {
			return fail("%s needs a domain after a colon, like %s:_spf.example.com (RFC 7208 §5.2, §5.7)", name, name)
		}
		ms, err := parseDomainSpec(spec)
		if err != nil {
			return fail("%v", err)
		}
		t.Spec, t.spec = spec, ms
	case A, MX:
		rest, c4, c6, err := splitDualCIDR(arg)
		if err != nil {
			return fail("%v", err)
		}
		if c4 >= 0 {
			t.Prefix4 = c4
		}
		if c6 >= 0 {
			t.Prefix6 = c6
		}
		if rest != "" {
			spec, ok := strings.CutPrefix(rest, ":")
			if !ok || spec == "" {
				return fail("after %s comes either nothing, \":\" and a domain, or a CIDR length like /24 (RFC 7208 §5.3, §5.4)", name)
			}
			ms, err := parseDomainSpec(spec)
			if err != nil {
				if addr, perr := netip.ParseAddr(spec); perr == nil {
					mech := IP4
					if addr.Is6() {
						mech = IP6
					}
					return fail("%s: needs a host name, not an address; to allow the address %s write %s:%s (RFC 7208 §5.6)", name, spec, mech, spec)
				}
				return fail("%v", err)
			}
			t.Spec, t.spec = spec, ms
		}
	case PTR:
		if arg != "" {
			spec, ok := strings.CutPrefix(arg, ":")
			if !ok || spec == "" {
				return fail("ptr takes only an optional \":\" and a domain, and no CIDR length (RFC 7208 §5.5)")
			}
			ms, err := parseDomainSpec(spec)
			if err != nil {
				return fail("%v", err)
			}
			t.Spec, t.spec = spec, ms
		}
	case IP4, IP6:
		val, ok := strings.CutPrefix(arg, ":")
		if !ok || val == "" {
			return fail("%s needs an address after a colon, like %s (RFC 7208 §5.6)", name, map[string]string{IP4: "ip4:192.0.2.0/24", IP6: "ip6:2001:db8::/32"}[name])
		}
		addr, cidr, hasCIDR := strings.Cut(val, "/")
		ip, err := netip.ParseAddr(addr)
		if name == IP4 {
			if err != nil || !ip.Is4() {
				if n := strings.Count(addr, "."); err != nil && n < 3 && n > 0 {
					return fail("%q is not a whole IPv4 address; parts may not be left out, write e.g. %s.0/24 instead (RFC 7208 §5.6)", addr, addr)
				}
				return fail("%q is not an IPv4 address in dotted-quad form (RFC 7208 §5.6)", addr)
			}
		} else if err != nil || !ip.Is6() || ip.Zone() != "" {
			return fail("%q is not an IPv6 address (RFC 7208 §5.6, RFC 4291 §2.2)", addr)
		}
		t.Network = ip
		if hasCIDR {
			max := 32
			if name == IP6 {
				max = 128
			}
			n, err := cidrLength(cidr, max)
			if err != nil {
				return fail("%v", err)
			}
			if name == IP4 {
				t.Prefix4 = n
			} else {
				t.Prefix6 = n
			}
		}
	case Redirect, Exp:
		return fail("%s is a modifier and is written with \"=\": %s=... (RFC 7208 §6)", name, name)
	case "":
		return fail("the term has no name (RFC 7208 §4.6.1)")
	default:
		if isDigit(name[0]) && strings.Contains(arg, "=") {
			return fail("a modifier name must start with a letter (RFC 7208 §4.6.1, §12)")
		}
		return fail("%q is not a mechanism RFC 7208 defines (all, include, a, mx, ptr, ip4, ip6, exists) nor a name=value modifier (RFC 7208 §4.6.1)", rest[:j])
	}
	t.Mechanism = name
	return t, nil
}

func parseModifier(tok string, idx int, name, value string) (Term, error) {
	t := Term{Text: tok, Modifier: name, Spec: value}
	var err error
	switch name {
	case Redirect, Exp:
		if value == "" {
			err = fmt.Errorf("%s= needs a domain (RFC 7208 §6.1, §6.2)", name)
			break
		}
		t.spec, err = parseDomainSpec(value)
	default:
		// unknown-modifier = name "=" macro-string: ignored, but it must
		// still be a valid macro-string (RFC 7208 §6, §12).
		t.spec, err = parseMacroString(value, ctxUnknown)
	}
	if err != nil {
		return Term{}, &SyntaxError{Term: tok, Index: idx, Reason: err.Error()}
	}
	return t, nil
}

// splitDualCIDR takes a trailing dual-cidr-length off the argument of a or
// mx: [ "/" ip4-cidr ] [ "//" ip6-cidr ] (RFC 7208 §5.6). A domain-spec
// cannot end in "/digits" (its domain-end is a toplabel or a macro), so
// reading the lengths from the end is unambiguous. -1 means not given.
func splitDualCIDR(arg string) (rest string, c4, c6 int, err error) {
	c4, c6 = -1, -1
	if i := strings.LastIndex(arg, "//"); i >= 0 && allDigits(arg[i+2:]) {
		if c6, err = cidrLength(arg[i+2:], 128); err != nil {
			return "", 0, 0, err
		}
		arg = arg[:i]
	}
	if i := strings.LastIndexByte(arg, '/'); i >= 0 && allDigits(arg[i+1:]) {
		if c4, err = cidrLength(arg[i+1:], 32); err != nil {
			return "", 0, 0, err
		}
		arg = arg[:i]
	}
	return arg, c4, c6, nil
}

// cidrLength reads ip4-cidr-length ("0" / %x31-39 0*1DIGIT, at most 32) or
// ip6-cidr-length (at most 128): no leading zeros (RFC 7208 §5.6).
func cidrLength(s string, max int) (int, error) {
	if s == "" || !allDigits(s) {
		return 0, fmt.Errorf("%q is not a CIDR prefix length; it must be a number from 0 to %d (RFC 7208 §5.6)", "/"+s, max)
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("CIDR length /%s has a leading zero (RFC 7208 §5.6)", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > max {
		return 0, fmt.Errorf("CIDR length /%s is more than %d, the number of bits in the address (RFC 7208 §5.6)", s, max)
	}
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool    { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool    { return isAlpha(c) || isDigit(c) }
func isNameChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }
