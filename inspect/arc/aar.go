package arc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// ErrInstance is wrapped by the errors of ParseInstance and ParseAAR: the
// value does not start with a valid instance tag (RFC 8617 §3.9, §4.2.1).
var ErrInstance = errors.New("arc: malformed instance tag")

// MaxInstance is the highest instance an ARC set may have (RFC 8617 §4.2.1).
const MaxInstance = 50

// AuthResult is one method's result from an Authentication-Results payload
// (RFC 8601 §2.2): "dkim=pass header.d=example.org".
type AuthResult struct {
	Method string `json:"method"` // lowercase: spf, dkim, dmarc, arc, iprev, auth, compauth, ...
	Result string `json:"result"` // lowercase, as written: pass, fail, softfail, bestguesspass, ...
	// Props are the properties after the result, keys lowercased as
	// written ("smtp.mailfrom", "header.d", and the bare "reason" and
	// "action" that receivers write); quotes removed.
	Props map[string]string `json:"props"`
	// Comment is the text of the comments in this result, joined with
	// " | " ("sender IP is 192.0.2.1").
	Comment string `json:"comment,omitempty"`
	// Raw is the result as written, comments included.
	Raw string `json:"raw"`
}

// Domain is the domain a result is about: the SPF MAIL FROM or HELO
// domain, the DKIM d= (or the domain of i=), the DMARC From domain; ""
// when the result does not say.
func (r AuthResult) Domain() string {
	var keys []string
	switch r.Method {
	case "spf":
		keys = []string{"smtp.mailfrom", "smtp.mfrom", "smtp.from", "smtp.helo"}
	case "dkim":
		keys = []string{"header.d", "header.i"}
	case "dmarc":
		keys = []string{"header.from"}
	default:
		return ""
	}
	for _, k := range keys {
		if v := r.Props[k]; v != "" {
			if at := strings.LastIndexByte(v, '@'); at >= 0 {
				v = v[at+1:]
			}
			return strings.ToLower(strings.TrimSuffix(strings.Trim(v, "<>"), "."))
		}
	}
	return ""
}

// Results is a parsed Authentication-Results payload.
type Results struct {
	// AuthServID is who wrote the results (RFC 8601 §2.5), as written;
	// "" when the header has none, as Microsoft 365 writes it.
	AuthServID string `json:"authserv_id"`
	Version    string `json:"version,omitempty"` // authres-version, when written
	// NoResult is the special "none" of RFC 8601 §2.2: nothing was checked.
	NoResult bool         `json:"no_result,omitempty"`
	Results  []AuthResult `json:"results"`
	// Ignored lists parts that are not a method=result: a second
	// authserv-id in the middle (Microsoft), a bare property, an empty
	// part.
	Ignored []string `json:"ignored,omitempty"`
}

// Get returns the results of method, in the order written.
func (r Results) Get(method string) []AuthResult {
	var out []AuthResult
	for _, x := range r.Results {
		if x.Method == method {
			out = append(out, x)
		}
	}
	return out
}

// maxResults bounds how many results one payload yields: a header is
// untrusted input and could hold thousands of ";".
const maxResults = 64

// ParseResults reads an authres-payload (RFC 8601 §2.2), the value of an
// Authentication-Results header field or what follows the instance of an
// ARC-Authentication-Results one. It never fails: what it cannot read is
// listed in Ignored.
//
// Each result is checked with go-msgauth's authres parser. That parser
// splits on every ";" and white space and keeps only the properties it
// knows, so this function first removes comments (keeping their text),
// splits outside quoted strings, skips parts that are not method=result,
// and takes the properties from its own split. The first part is the
// authserv-id unless it already looks like a result: Microsoft 365 writes
// no authserv-id at all ("spf=pass (sender IP is ...) smtp.mailfrom=...").
func ParseResults(payload string) Results {
	out := Results{Results: []AuthResult{}}
	parts := splitResults(payload)
	for i, p := range parts {
		text := strings.TrimSpace(p.text)
		if i == 0 {
			words := strings.Fields(text)
			if len(words) == 0 || !strings.Contains(words[0], "=") {
				if len(words) > 0 {
					out.AuthServID = strings.Trim(words[0], `"`)
				}
				if len(words) > 1 {
					out.Version = words[1]
				}
				continue
			}
		}
		if strings.EqualFold(text, "none") && len(out.Results) == 0 {
			out.NoResult = true
			continue
		}
		r, ok := parseResult(p)
		if !ok {
			if raw := strings.TrimSpace(p.raw); raw != "" && len(out.Ignored) < maxResults {
				out.Ignored = append(out.Ignored, raw)
			}
			continue
		}
		if len(out.Results) < maxResults {
			out.Results = append(out.Results, r)
		}
	}
	return out
}

// part is one ";"-separated piece of a payload: the text with comments
// replaced by a space, the comments, and the raw text.
type part struct {
	text     string
	comments []string
	raw      string
}

// splitResults splits a payload on ";" outside comments and quoted
// strings (RFC 5322 §3.2.2, §3.2.4), collecting each part's comments.
func splitResults(s string) []part {
	var parts []part
	var text, comment, raw strings.Builder
	var comments []string
	depth := 0
	quoted := false
	flush := func() {
		parts = append(parts, part{text: text.String(), comments: comments, raw: raw.String()})
		text.Reset()
		raw.Reset()
		comments = nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if len(parts) > maxResults*2 {
			break
		}
		if c != ';' || depth > 0 || quoted {
			raw.WriteByte(c)
		}
		switch {
		case c == '\\' && (depth > 0 || quoted) && i+1 < len(s):
			i++
			raw.WriteByte(s[i])
			if depth > 0 {
				comment.WriteByte(s[i])
			} else {
				text.WriteByte(s[i])
			}
		case quoted:
			text.WriteByte(c)
			if c == '"' {
				quoted = false
			}
		case c == '(':
			if depth > 0 {
				comment.WriteByte(c)
			}
			depth++
		case c == ')' && depth > 0:
			depth--
			if depth == 0 {
				if t := strings.Join(strings.Fields(comment.String()), " "); t != "" {
					comments = append(comments, t)
				}
				comment.Reset()
				text.WriteByte(' ')
			} else {
				comment.WriteByte(c)
			}
		case depth > 0:
			comment.WriteByte(c)
		case c == '"':
			quoted = true
			text.WriteByte(c)
		case c == ';':
			flush()
		default:
			text.WriteByte(c)
		}
	}
	if depth > 0 {
		if t := strings.Join(strings.Fields(comment.String()), " "); t != "" {
			comments = append(comments, t)
		}
	}
	flush()
	return parts
}

// words splits s on white space outside quoted strings and around "=",
// so that "header.b = \"abc\"" is the one word header.b="abc".
func words(s string) []string {
	var out []string
	var w strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			w.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
			w.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			// "a = b": white space next to "=" does not end the word.
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n') {
				j++
			}
			if w.Len() > 0 && (strings.HasSuffix(w.String(), "=") || (j < len(s) && s[j] == '=')) {
				i = j - 1
				continue
			}
			if w.Len() > 0 {
				out = append(out, w.String())
				w.Reset()
			}
			i = j - 1
		default:
			w.WriteByte(c)
		}
	}
	if w.Len() > 0 {
		out = append(out, w.String())
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		if strings.Contains(v, `\`) {
			var b strings.Builder
			for i := 0; i < len(v); i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
			}
			v = b.String()
		}
	}
	return v
}

// parseResult reads one "method=result prop=value ..." part. A part whose
// first word is not method=result, or whose method has a "." (a property
// on its own), is not a result.
func parseResult(p part) (AuthResult, bool) {
	ws := words(p.text)
	if len(ws) == 0 {
		return AuthResult{}, false
	}
	method, value, ok := strings.Cut(ws[0], "=")
	method = strings.ToLower(strings.TrimSpace(method))
	value = strings.ToLower(strings.TrimSpace(unquote(value)))
	if !ok || method == "" || value == "" || strings.ContainsAny(method, `."`) {
		return AuthResult{}, false
	}
	// go-msgauth is the judge of method=result; a method/version ("dkim/1")
	// is passed without its version, which it does not read.
	base, _, _ := strings.Cut(method, "/")
	if !keyword(base) {
		return AuthResult{}, false
	}
	_, rs, err := authres.Parse("x; " + base + "=" + strings.ReplaceAll(value, " ", ""))
	if err != nil || len(rs) != 1 {
		return AuthResult{}, false
	}
	r := AuthResult{Method: base, Result: value, Props: map[string]string{}, Raw: strings.TrimSpace(p.raw)}
	if len(p.comments) > 0 {
		r.Comment = strings.Join(p.comments, " | ")
	}
	for _, w := range ws[1:] {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" || len(r.Props) >= 32 {
			continue
		}
		if _, dup := r.Props[k]; !dup {
			r.Props[k] = unquote(strings.TrimSpace(v))
		}
	}
	return r, true
}

// keyword checks a method name: a letter or digit, then letters, digits,
// "-" or "_" (RFC 5321 §4.1.2 Keyword; "_" as real results use it).
func keyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '-' && c != '_')) {
			return false
		}
	}
	return true
}

// ParseInstance reads the instance tag at the start of an
// ARC-Authentication-Results value (RFC 8617 §3.9: [CFWS] "i" [CFWS] "="
// [CFWS] 1*2DIGIT, then ";") and returns the instance and the rest after
// the ";".
func ParseInstance(value string) (int, string, error) {
	s := skipCFWS(value)
	if !strings.HasPrefix(s, "i") {
		return 0, "", fmt.Errorf("%w: the value does not start with i=", ErrInstance)
	}
	s = skipCFWS(s[1:])
	if !strings.HasPrefix(s, "=") {
		return 0, "", fmt.Errorf("%w: the value does not start with i=", ErrInstance)
	}
	s = skipCFWS(s[1:])
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := position(s[:j])
	if err != nil {
		return n, "", err
	}
	rest := skipCFWS(s[j:])
	if !strings.HasPrefix(rest, ";") {
		return n, "", fmt.Errorf("%w: no \";\" after i=%s", ErrInstance, s[:j])
	}
	return n, rest[1:], nil
}

// position reads the 1*2DIGIT of an instance, 1 to 50 (RFC 8617 §3.9).
func position(d string) (int, error) {
	if d == "" || len(d) > 2 {
		return 0, fmt.Errorf("%w: i=%q is not a number of one or two digits", ErrInstance, d)
	}
	n := 0
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, fmt.Errorf("%w: i=%q is not a number of one or two digits", ErrInstance, d)
		}
		n = n*10 + int(d[i]-'0')
	}
	if n < 1 || n > MaxInstance {
		return n, fmt.Errorf("%w: i=%d is outside 1 to %d", ErrInstance, n, MaxInstance)
	}
	return n, nil
}

// skipCFWS skips white space and comments (RFC 5322 §3.2.2).
func skipCFWS(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if !strings.HasPrefix(s, "(") {
			return s
		}
		depth := 0
		i := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if i >= len(s) {
			return ""
		}
		s = s[i+1:]
	}
}

// AAR is one ARC-Authentication-Results header field decoded: what the
// intermediary of that instance saw when the message reached it.
type AAR struct {
	Instance int `json:"instance"`
	Results
	// Summary is one plain sentence: "at i=1, lists.example.org saw SPF
	// pass, DKIM pass, DMARC pass".
	Summary string `json:"summary"`
	Raw     string `json:"raw"` // the field value as written, folding kept
}

// ParseAAR decodes an ARC-Authentication-Results value (RFC 8617 §4.1.1):
// the instance, then an Authentication-Results payload. An error means the
// instance tag is malformed; the payload is decoded anyway when it can be
// found.
func ParseAAR(value string) (AAR, error) {
	a := AAR{Raw: value}
	n, rest, err := ParseInstance(value)
	a.Instance = n
	if err != nil {
		// Without a readable instance, still show what follows the first
		// ";" so an investigator can read it.
		if _, after, ok := strings.Cut(value, ";"); ok {
			rest = after
		}
	}
	a.Results = ParseResults(rest)
	a.Summary = summarize(a.Instance, a.Results)
	return a, err
}

// methodNames are the names a reader knows for the common methods.
var methodNames = map[string]string{
	"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "arc": "ARC", "iprev": "iprev",
	"auth": "SMTP AUTH", "bimi": "BIMI", "domainkeys": "DomainKeys", "sender-id": "Sender ID",
}

// summarize writes what an intermediary saw, each distinct method and
// result once, in the order written.
func summarize(instance int, r Results) string {
	who := r.AuthServID
	if who == "" {
		who = "an intermediary that gave no name"
	}
	var seen []string
	for _, x := range r.Results {
		name := methodNames[x.Method]
		if name == "" {
			name = x.Method
		}
		s := name + " " + x.Result
		dup := false
		for _, y := range seen {
			dup = dup || y == s
		}
		if !dup {
			seen = append(seen, s)
		}
	}
	at := "at i=?"
	if instance > 0 {
		at = fmt.Sprintf("at i=%d", instance)
	}
	switch {
	case r.NoResult:
		return at + ", " + who + " recorded that it checked nothing (none)"
	case len(seen) == 0:
		return at + ", " + who + " recorded no results"
	}
	return at + ", " + who + " saw " + strings.Join(seen, ", ")
}
