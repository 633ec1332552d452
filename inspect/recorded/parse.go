package recorded

import (
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Bounds on what one header field may make us keep. RFC 8601 sets none;
// real fields hold a handful of results with a few properties each.
const (
	maxResults = 64
	maxProps   = 32
	maxComment = 512
)

// Parse reads one Authentication-Results value (arc false) or
// ARC-Authentication-Results value (arc true), unfolded, without the field
// name. It never fails: what it cannot read it says in Problem. Trust is
// not decided here (see Read).
func Parse(value string, arc bool) Header {
	h := Header{Field: "Authentication-Results", Raw: value, Results: []Method{}}
	if arc {
		h.Field = "ARC-Authentication-Results"
	}
	if strings.TrimSpace(value) == "" {
		h.Problem = "the field is empty: it names no authserv-id and no results"
		return h
	}
	clean, comments := stripComments(value)
	parts := splitSemis(clean, comments)
	if arc {
		// RFC 8617 §4.1.1: arc-authres-header = "ARC-Authentication-Results:"
		// [CFWS] arc-info CFWS authres-payload, arc-info = instance ";".
		first := strings.TrimSpace(parts[0].text)
		name, val, ok := strings.Cut(first, "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "i") {
			if n, ok := atoiSmall(strings.TrimSpace(val)); ok {
				h.Instance = n
			} else {
				h.Problem = "the instance tag i= is not a number from 1 to 50"
			}
			parts = parts[1:]
		} else {
			h.Problem = "it does not start with the instance tag i= that RFC 8617 §4.1.1 requires"
		}
		if len(parts) == 0 {
			h.Problem = joinProblem(h.Problem, "it has no authserv-id")
			return h
		}
	}

	// authserv-id [CFWS authres-version] (RFC 8601 §2.2). Microsoft 365
	// writes no authserv-id: its first part is already a result.
	head := strings.TrimSpace(parts[0].text)
	rest := parts[1:]
	if looksLikeResult(head) {
		rest = parts
	} else {
		id, version := head, ""
		if i := strings.IndexAny(head, " \t"); i > 0 && !strings.HasPrefix(head, `"`) {
			id, version = head[:i], strings.TrimSpace(head[i:])
		}
		h.AuthServID = strings.ToLower(unquote(id))
		h.Version = version
		if version != "" && version != "1" {
			// RFC 8601 §2.6: a parser that finds a version it does not
			// know stops, since what follows may mean something else.
			h.Problem = joinProblem(h.Problem, "version "+version+" of the header format is unknown (only 1 is defined), so its results are not read")
			return h
		}
	}

	for _, p := range rest {
		s := strings.TrimSpace(p.text)
		if s == "" {
			continue
		}
		if strings.EqualFold(s, "none") {
			h.None = true
			continue
		}
		if len(h.Results) >= maxResults {
			h.Problem = joinProblem(h.Problem, "it holds more results than headercheck reads; the rest were skipped")
			break
		}
		m, ok := parseResinfo(s)
		if !ok {
			h.Problem = joinProblem(h.Problem, "a part does not read as method=result: "+clip(s, 80))
			continue
		}
		m.Comment = clip(strings.Join(p.comments, " "), maxComment)
		h.Results = append(h.Results, m)
	}
	return h
}

// looksLikeResult reports whether the first part of a field is a result
// (method=result ...) rather than an authserv-id: an authserv-id is a
// value, which cannot hold "=" unquoted (RFC 2045 §5.1 token).
func looksLikeResult(s string) bool {
	return !strings.HasPrefix(s, `"`) && strings.Contains(s, "=")
}

// parseResinfo reads "method[/version]=result [reason=value] [ptype.property=pvalue ...]"
// (RFC 8601 §2.2), comments already removed.
func parseResinfo(s string) (Method, bool) {
	toks := tokens(s)
	if len(toks) == 0 || toks[0].value == "" && !toks[0].eq {
		return Method{}, false
	}
	first := toks[0]
	if !first.eq || first.name == "" || first.value == "" {
		return Method{}, false
	}
	m := Method{Props: []Prop{}}
	m.Method = strings.ToLower(first.name)
	if meth, ver, ok := strings.Cut(m.Method, "/"); ok {
		m.Method, m.Version = strings.TrimSpace(meth), strings.TrimSpace(ver)
	}
	m.Result = trace.Result(strings.ToLower(first.value))
	if !isKeyword(m.Method) || !isKeyword(string(m.Result)) {
		return Method{}, false
	}
	for _, t := range toks[1:] {
		if !t.eq || t.name == "" {
			continue // a stray word or "=x": RFC 8601 has no place for it
		}
		name := strings.ToLower(t.name)
		if name == "reason" && m.Reason == "" {
			m.Reason = t.value
			continue
		}
		if len(m.Props) < maxProps {
			m.Props = append(m.Props, Prop{Name: name, Value: t.value})
		}
	}
	return m, true
}

type token struct {
	name, value string
	eq          bool // name=value; otherwise a bare word in name
}

// tokens splits "a=b c . d = e f" into name=value pairs, allowing the
// white space RFC 8601 allows around "=", "." and "/", and quoted values.
func tokens(s string) []token {
	var out []token
	i := 0
	skip := func() {
		for i < len(s) && space(s[i]) {
			i++
		}
	}
	word := func() string {
		if i < len(s) && s[i] == '"' {
			start := i
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i < len(s) {
				i++
			}
			return unquote(s[start:min(i, len(s))])
		}
		start := i
		for i < len(s) && !space(s[i]) && s[i] != '=' {
			i++
		}
		return s[start:i]
	}
	// pvalue reads what follows "=" (RFC 8601 §2.2):
	//
	//	pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
	//
	// A value (an RFC 2045 token) cannot hold "=" or "@", but a local-part
	// can: bounces+2213-9f1e=campus.example@em.esp.example, a VERP or SRS
	// bounce address, is one pvalue. So an unquoted pvalue runs to the next
	// white space (comments are already spaces here). A quoted string is a
	// value on its own, unquoted (reason="bad; very bad"), or the
	// local-part of an address when "@" follows it, kept as written
	// ("john doe"@example.net), since the quotes belong to the address.
	pvalue := func() string {
		start := i
		if i < len(s) && s[i] == '"' {
			v := word()
			if i < len(s) && s[i] == '@' {
				for i < len(s) && !space(s[i]) {
					i++
				}
				return s[start:i]
			}
			return v
		}
		for i < len(s) && !space(s[i]) {
			i++
		}
		return s[start:i]
	}
	for {
		skip()
		if i >= len(s) {
			return out
		}
		name := word()
		// ptype [CFWS] "." [CFWS] property, method [CFWS] "/" [CFWS] version
		// Every round consumes input, so the loop ends.
		for {
			j := i
			skip()
			if i < len(s) && (s[i] == '.' || s[i] == '/') {
				name += string(s[i])
				i++
				skip()
				name += word()
				continue
			}
			if i > j && (strings.HasSuffix(name, ".") || strings.HasSuffix(name, "/")) {
				// "smtp. mailfrom": white space after the dot
				if w := word(); w != "" {
					name += w
					continue
				}
			}
			i = j
			break
		}
		j := i
		skip()
		if i < len(s) && s[i] == '=' {
			i++
			skip()
			out = append(out, token{name: name, value: pvalue(), eq: true})
			continue
		}
		i = j
		if name == "" {
			// A lone "=" or an unterminated quote: step over one byte so
			// the loop always advances.
			i++
			continue
		}
		out = append(out, token{name: name})
	}
}

func space(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// part is a ";"-separated part of a field, and the comments it held.
type part struct {
	text     string
	comments []string
}

// stripComments replaces each comment (RFC 5322 §3.2.2, nested, with
// quoted-pairs) by a space and returns the comments, each in its
// parentheses, marked by position: a NUL stands where each was, so
// splitSemis can give each part its own.
func stripComments(s string) (string, []string) {
	var b strings.Builder
	var comments []string
	b.Grow(len(s))
	depth := 0
	inQuote := false
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case depth > 0:
			if c == '\\' && i+1 < len(s) {
				if cur.Len() < maxComment {
					cur.WriteByte(s[i+1])
				}
				i++
				continue
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
				if depth == 0 {
					comments = append(comments, "("+strings.Join(strings.Fields(cur.String()), " ")+")")
					cur.Reset()
					b.WriteString(" \x00 ")
					continue
				}
			}
			if cur.Len() < maxComment {
				cur.WriteByte(c)
			}
		case inQuote:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(s[i+1])
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
			b.WriteByte(c)
		case c == '(':
			depth = 1
		case c == '\x00':
			b.WriteByte(' ') // a NUL in the header must not pass for a comment mark
		default:
			b.WriteByte(c)
		}
	}
	if depth > 0 { // an unclosed comment runs to the end of the field
		comments = append(comments, "("+strings.Join(strings.Fields(cur.String()), " "))
		b.WriteString(" \x00 ")
	}
	return b.String(), comments
}

// splitSemis splits the comment-free text at ";" outside quoted strings
// and hands each part the comments that stood in it (a NUL marks each).
// The marks are removed from the text.
func splitSemis(s string, comments []string) []part {
	var parts []part
	start, next := 0, 0
	inQuote := false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			c := s[i]
			if inQuote {
				if c == '\\' && i+1 < len(s) {
					i++
				} else if c == '"' {
					inQuote = false
				}
				continue
			}
			if c == '"' {
				inQuote = true
				continue
			}
			if c != ';' {
				continue
			}
		}
		text := s[start:min(i, len(s))]
		p := part{text: text}
		if n := strings.Count(text, "\x00"); n > 0 {
			p.text = strings.ReplaceAll(text, "\x00", "")
			end := min(next+n, len(comments))
			p.comments = comments[next:end]
			next = end
		}
		parts = append(parts, p)
		start = i + 1
	}
	return parts
}

// isKeyword reports whether s is an RFC 5321 §4.1.2 Keyword (letters,
// digits and hyphens), allowing the underscore some receivers write.
func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
