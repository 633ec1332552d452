package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// macroCtx is where a macro-string stands; it decides which characters and
// letters are allowed (RFC 7208 §7.1, §7.2).
type macroCtx int

const (
	ctxDomain  macroCtx = iota // the domain-spec of a term: no spaces, no c/r/t
	ctxExplain                 // the explain-string fetched for exp=: spaces and c/r/t allowed
	ctxUnknown                 // the value of an unknown modifier: never expanded
)

// macroPart is a literal run or one macro-expand of a macro-string.
type macroPart struct {
	lit     string // literal text (with %%, %_ and %- already turned into "%", " ", "%20")
	letter  byte   // lowercase macro letter; 0 for a literal
	upper   bool   // uppercase letter: URL-escape the expansion (RFC 7208 §7.3)
	digits  int    // keep this many right-hand parts; 0 keeps all
	reverse bool   // the r transformer
	delims  string // split on these; "" means "."
}

type macroString []macroPart

// uses reports whether the string expands any of letters (lowercase).
func (m macroString) uses(letters string) bool {
	for _, p := range m {
		if p.letter != 0 && strings.IndexByte(letters, p.letter) >= 0 {
			return true
		}
	}
	return false
}

// maxDigits caps the DIGIT transformer: RFC 7208 §7.3 asks for at least 127
// (labels in a name); anything larger keeps every part anyway.
const maxDigits = 1 << 16

// parseMacroString reads a macro-string (RFC 7208 §7.1):
//
//	macro-string = *( macro-expand / macro-literal )
//	macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//	macro-literal = %x21-24 / %x26-7E
//
// In an explain-string spaces are allowed too.
func parseMacroString(s string, ctx macroCtx) (macroString, error) {
	ms, _, err := parseMacroTail(s, ctx)
	return ms, err
}

// parseMacroTail is parseMacroString that also returns where the literal
// text after the last macro-expand starts (len(s) when s ends with one).
func parseMacroTail(s string, ctx macroCtx) (macroString, int, error) {
	var out macroString
	tail := 0
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, macroPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if (c < 0x21 || c > 0x7e) && !(c == ' ' && ctx == ctxExplain) {
				return nil, 0, fmt.Errorf("byte 0x%02X is not allowed here; only visible US-ASCII characters may appear (RFC 7208 §7.1)", c)
			}
			lit.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return nil, 0, fmt.Errorf("%q ends with a lone %%; a literal %% is written %%%% (RFC 7208 §7.1)", s)
		}
		switch s[i+1] {
		case '%':
			lit.WriteByte('%')
			i++
			tail = i + 1
			continue
		case '_':
			lit.WriteByte(' ')
			i++
			tail = i + 1
			continue
		case '-':
			lit.WriteString("%20")
			i++
			tail = i + 1
			continue
		case '{':
		default:
			return nil, 0, fmt.Errorf("%q has %%%c; a %% must be followed by {, %%, _ or - (RFC 7208 §7.3)", s, s[i+1])
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return nil, 0, fmt.Errorf("%q opens a macro with %%{ that is never closed with } (RFC 7208 §7.1)", s)
		}
		body := s[i+2 : i+2+end]
		p, err := parseMacroExpand(body, ctx)
		if err != nil {
			return nil, 0, err
		}
		flush()
		out = append(out, p)
		i += 2 + end
		tail = i + 1
	}
	flush()
	return out, tail, nil
}

// parseMacroExpand reads the inside of %{...}: macro-letter transformers
// *delimiter, with transformers = *DIGIT [ "r" ].
func parseMacroExpand(body string, ctx macroCtx) (macroPart, error) {
	if body == "" {
		return macroPart{}, fmt.Errorf("%%{} has no macro letter (RFC 7208 §7.1)")
	}
	c := body[0]
	p := macroPart{letter: c | 0x20, upper: c >= 'A' && c <= 'Z'}
	switch p.letter {
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
	case 'c', 'r', 't':
		if ctx == ctxDomain {
			return macroPart{}, fmt.Errorf("%%{%c} may only be used in explanation text, not in a domain (RFC 7208 §7.2)", c)
		}
	default:
		return macroPart{}, fmt.Errorf("%%{%s} uses %q, which is not a macro letter (s l o d i p h v, and c r t in explanations; RFC 7208 §7.2)", body, string(c))
	}
	rest := body[1:]
	j := 0
	for j < len(rest) && isDigit(rest[j]) {
		j++
	}
	if j > 0 {
		n, err := strconv.Atoi(rest[:j])
		if err != nil || n > maxDigits {
			n = maxDigits
		}
		if n == 0 {
			return macroPart{}, fmt.Errorf("%%{%s} asks for 0 parts; the number must be nonzero (RFC 7208 §7.3)", body)
		}
		p.digits = n
	}
	rest = rest[j:]
	if rest != "" && (rest[0] == 'r' || rest[0] == 'R') {
		p.reverse = true
		rest = rest[1:]
	}
	for k := 0; k < len(rest); k++ {
		if !strings.ContainsRune(".-+,/_=", rune(rest[k])) {
			return macroPart{}, fmt.Errorf("%%{%s} has %q where only a number, r, and the delimiters . - + , / _ = may follow the letter (RFC 7208 §7.1)", body, string(rest[k]))
		}
	}
	p.delims = rest
	return p, nil
}

// parseDomainSpec reads domain-spec = macro-string domain-end, with
// domain-end = ( "." toplabel [ "." ] ) / macro-expand (RFC 7208 §7.1).
// Syntax is checked here, before expansion, as the RFC requires.
func parseDomainSpec(s string) (macroString, error) {
	if s == "" {
		return nil, fmt.Errorf("the domain is empty (RFC 7208 §4.8)")
	}
	ms, tail, err := parseMacroTail(s, ctxDomain)
	if err != nil {
		return nil, err
	}
	if tail == len(s) {
		return ms, nil // ends with a macro-expand
	}
	t := strings.TrimSuffix(s[tail:], ".")
	i := strings.LastIndexByte(t, '.')
	if i < 0 {
		return nil, fmt.Errorf("%q must end with a dot and a top-level label such as .com, or with a macro (RFC 7208 §7.1)", s)
	}
	if top := t[i+1:]; !isToplabel(top) {
		why := "letters, digits and inner hyphens only, and not all digits"
		if top != "" && allDigits(top) {
			why = "it is all digits, so this looks like an IP address; addresses are written with ip4: or ip6:"
		}
		return nil, fmt.Errorf("%q ends in %q, which is not a valid top-level label: %s (RFC 7208 §7.1)", s, top, why)
	}
	return ms, nil
}

// isToplabel: toplabel = ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) (RFC 7208 §7.1).
func isToplabel(s string) bool {
	if s == "" {
		return false
	}
	alpha, hyphen := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlpha(c):
			alpha = true
		case isDigit(c):
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	if hyphen {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return alpha
}

// MacroEnv holds the values macros expand to (RFC 7208 §7.2).
type MacroEnv struct {
	Sender   string     // <sender>: local-part@domain, local-part already "postmaster" if it had none
	Domain   string     // <domain>, the domain whose record is being evaluated
	IP       netip.Addr // <ip>
	HELO     string     // the HELO/EHLO name
	Receiver string     // %{r}: the receiving host; "" expands to "unknown"
	Now      time.Time  // %{t}
	// Validated is %{p}, the validated domain name of IP (RFC 7208 §5.5,
	// §7.3); "" expands to "unknown".
	Validated string
}

// Expand expands the macros of s. explain selects the explain-string rules
// (spaces and the letters c, r, t allowed, RFC 7208 §7.2) over those of a
// domain-spec; for a domain-spec the domain-end is checked as well. The
// result is the text as RFC 7208 §7.3 defines it, before any truncation to
// a DNS name.
func Expand(s string, explain bool, env MacroEnv) (string, error) {
	var (
		ms  macroString
		err error
	)
	if explain {
		ms, err = parseMacroString(s, ctxExplain)
	} else {
		ms, err = parseDomainSpec(s)
	}
	if err != nil {
		return "", err
	}
	return ms.expand(&env), nil
}

func (m macroString) expand(env *MacroEnv) string {
	return m.expandLimit(env, 0, 0)
}

// expandRight expands m for a DNS name, of which only the right-hand 253
// characters can survive truncation (RFC 7208 §7.3): it keeps no more than
// about 2*window bytes, so hostile records and inputs cannot blow up memory.
func (m macroString) expandRight(env *MacroEnv, window int) string {
	return m.expandLimit(env, window, 0)
}

// expandLeft expands m keeping at most max bytes from the left, for
// explanation text.
func (m macroString) expandLeft(env *MacroEnv, max int) string {
	return m.expandLimit(env, 0, max)
}

func (m macroString) expandLimit(env *MacroEnv, right, left int) string {
	var b strings.Builder
	for _, p := range m {
		v := p.lit
		if p.letter != 0 {
			v = p.transform(env.value(p.letter))
			if p.upper {
				v = urlEscape(v)
			}
		}
		b.WriteString(v)
		if right > 0 && b.Len() > 2*right {
			s := b.String()
			b.Reset()
			b.WriteString(s[len(s)-right:])
		}
		if left > 0 && b.Len() >= left {
			return b.String()[:left]
		}
	}
	return b.String()
}

func (env *MacroEnv) value(letter byte) string {
	switch letter {
	case 's':
		return env.Sender
	case 'l':
		l, _ := splitSender(env.Sender)
		return l
	case 'o':
		_, d := splitSender(env.Sender)
		return d
	case 'd':
		return env.Domain
	case 'i':
		return dotIP(env.IP)
	case 'p':
		if env.Validated == "" {
			return "unknown"
		}
		return env.Validated
	case 'v':
		if env.IP.Is6() {
			return "ip6"
		}
		return "in-addr"
	case 'h':
		return env.HELO
	case 'c':
		if !env.IP.IsValid() {
			return ""
		}
		return env.IP.String()
	case 'r':
		if env.Receiver == "" {
			return "unknown"
		}
		return env.Receiver
	case 't':
		return strconv.FormatInt(env.Now.Unix(), 10)
	}
	return ""
}

// splitSender splits local-part@domain at the last @.
func splitSender(s string) (local, domain string) {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// transform applies the transformers: split on the delimiters (default
// "."), reverse with r, keep the right-hand digits parts, join with "."
// (RFC 7208 §7.3).
func (p macroPart) transform(v string) string {
	if p.digits == 0 && !p.reverse && p.delims == "" {
		return v
	}
	delims := p.delims
	if delims == "" {
		delims = "."
	}
	parts := splitAny(v, delims)
	if p.reverse {
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
	}
	if p.digits > 0 && p.digits < len(parts) {
		parts = parts[len(parts)-p.digits:]
	}
	return strings.Join(parts, ".")
}

// splitAny splits s at every byte in delims, keeping empty parts: leading,
// trailing and doubled delimiters get no special treatment (RFC 7208 §7.3).
func splitAny(s, delims string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(delims, s[i]) >= 0 {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// dotIP is %{i}: dotted quad for IPv4, 32 dot-separated nibbles for IPv6
// (RFC 7208 §7.3), lowercase as in the RFC's own example (§7.4).
func dotIP(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	b := make([]byte, 0, 63)
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[x>>4], '.', hex[x&0xf])
	}
	return string(b)
}

// urlEscape percent-encodes every byte outside the RFC 3986 unreserved set
// (ALPHA DIGIT - . _ ~), as uppercase macros require (RFC 7208 §7.3).
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}
