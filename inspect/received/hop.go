package received

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Hop is one Received header field as read. The first twelve fields are
// the report's received element (CONTRACT.md): a field the header lacks is
// "", addresses are bare, for has no angle brackets and from_helo is what
// the client said, brackets included for an address literal.
type Hop struct {
	FromHELO     string   `json:"from_helo"`     // the name the client gave in HELO/EHLO
	FromRDNS     string   `json:"from_rdns"`     // the reverse DNS name the receiver recorded ("unknown" if it found none)
	FromIP       string   `json:"from_ip"`       // the address the receiver saw the connection come from
	By           string   `json:"by"`            // the server that wrote this header
	Via          string   `json:"via"`           // link, e.g. "Frontend Transport"
	With         string   `json:"with"`          // protocol, e.g. "ESMTPS", "Microsoft SMTP Server"
	ID           string   `json:"id"`            // the receiver's queue or message id
	For          string   `json:"for"`           // the recipient, without angle brackets
	Time         string   `json:"time"`          // RFC 3339 in UTC, or "" when the date does not parse
	DelaySeconds *float64 `json:"delay_seconds"` // time since the hop below, negative when clocks disagree; null when unknown
	Anomalies    []string `json:"anomalies"`     // what looks wrong, in plain words
	Raw          string   `json:"raw"`           // the field value as given

	Date         string   `json:"date,omitempty"`          // the date text as written
	EnvelopeFrom string   `json:"envelope_from,omitempty"` // MAIL FROM, when the receiver wrote it in a comment
	TLS          string   `json:"tls,omitempty"`           // what the receiver said about the TLS session
	ByIP         string   `json:"by_ip,omitempty"`         // the receiver's own address, when it wrote one
	ForAll       []string `json:"for_all,omitempty"`       // every recipient, when the header lists more than one
	Comments     []string `json:"comments,omitempty"`      // other comments (software names, authentication notes)
	Notes        []string `json:"notes,omitempty"`         // where the header strays from RFC 5321 §4.4 without that being suspicious

	At   time.Time  `json:"-"` // the time, in the header's own zone; zero when Time is ""
	Addr netip.Addr `json:"-"` // FromIP parsed; invalid when FromIP is ""

	hasFrom    bool // the header has a from clause
	rdnsForged bool // the receiver wrote "may be forged" after the reverse DNS name
}

// MarshalJSON writes an empty anomaly list as [] rather than null, as the
// report contract shows it.
func (h Hop) MarshalJSON() ([]byte, error) {
	type plain Hop
	if h.Anomalies == nil {
		h.Anomalies = []string{}
	}
	return json.Marshal(plain(h))
}

// Limits that keep a hostile header cheap to read. Real Received fields
// have a few dozen tokens.
const (
	maxTokens    = 2048 // tokens read from the clause part of one header
	maxComments  = 16   // comments kept per hop
	maxDateTries = 8    // places tried as the start of a date when there is no ';'
)

// Parse reads one Received field value, unfolded and without the
// "Received:" name. It never fails: what it cannot read it leaves empty and
// explains in Anomalies or Notes.
//
// The grammar is RFC 5321 §4.4's (from, by, via, with, id, for clauses and a
// date after ';'), read leniently, because real servers stray from it:
//   - TCP-info is taken from any comment after the from name that holds an
//     address: Postfix "(rdns [ip])", Exchange "(ip)", Exim "([ip]:port
//     helo=x)", qmail "(HELO x) (user@ip)", ZMailer "([ip]:port "EHLO x")";
//   - when a comment names the HELO explicitly (qmail, Exim, CommuniGate),
//     the name after from is the receiver's reverse DNS lookup, not the HELO;
//   - a date without ';' before it (SendGrid) is looked for among the words;
//   - words after the date (Courier's "id …") are read as clauses.
func Parse(value string) Hop {
	// The Hop is the parser's own field, not a pointer to one: a pointer
	// stored in the parser, whose slices its methods grow, would send the
	// Hop to the heap.
	p := parser{h: Hop{Raw: value}}
	p.run(value)
	return p.h
}

type tokKind uint8

const (
	tWord    tokKind = 0
	tComment tokKind = 1
	tSemi    tokKind = 2
	tComma   tokKind = 3
)

type token struct {
	kind tokKind
	text string // the word, or a comment's inner text
	pos  int    // offset of the token in the string it came from
}

// scanState remembers, for one string, that no closing character of a kind
// is left, so that a long run of unclosed '<', '[' or '"' is scanned once,
// not once per opener.
type scanState struct {
	noAngle, noBracket bool
}

// skipGroup returns the offset after the group that opens at s[i] ('<' or
// '['), or i+1 when it is never closed.
func (st *scanState) skipGroup(s string, i int) int {
	closer, none := byte('>'), &st.noAngle
	if s[i] == '[' {
		closer, none = ']', &st.noBracket
	}
	if *none {
		return i + 1
	}
	k := strings.IndexByte(s[i+1:], closer)
	if k < 0 {
		*none = true
		return i + 1
	}
	return i + 1 + k + 1
}

// skipQuoted returns the offset after the quoted string that opens at
// s[i] == '"'; an unclosed one runs to the end.
func skipQuoted(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// lastTopSemicolon finds the ';' that separates the clauses from the date:
// the last one outside comments, quoted strings, <…> and […].
func lastTopSemicolon(s string) int {
	st := scanState{}
	last := -1
	for i := 0; i < len(s); {
		switch s[i] {
		case '(':
			i = skipComment(s, i)
		case '"':
			i = skipQuoted(s, i)
		case '<', '[':
			i = st.skipGroup(s, i)
		case ';':
			last = i
			i++
		default:
			i++
		}
	}
	return last
}

// tokenize splits s into words, comments, ';' and ',', appended to dst
// (nil: a slice of its own). Positions are offsets into s plus base. It
// stops after max tokens of s and reports whether it did, and whether a
// comment was left open.
func tokenize(dst []token, s string, base, max int) (toks []token, truncated, unclosed bool) {
	st := scanState{}
	toks = dst
	if toks == nil {
		// Room for the words after the date too, which run appends here.
		toks = make([]token, 0, min(32, len(s)/4+4))
	}
	start := len(toks)
	for i := 0; i < len(s); {
		c := s[i]
		if isSpace(c) {
			i++
			continue
		}
		if len(toks)-start >= max {
			return toks, true, unclosed
		}
		switch c {
		case '(':
			end, closed := commentEnd(s, i)
			inner := s[i+1 : end]
			if closed {
				inner = s[i+1 : end-1]
			} else {
				unclosed = true
			}
			toks = append(toks, token{tComment, inner, base + i})
			i = end
		case ')':
			i++ // a stray ')' has nothing to close
		case ';':
			toks = append(toks, token{tSemi, ";", base + i})
			i++
		case ',':
			toks = append(toks, token{tComma, ",", base + i})
			i++
		default:
			j := i
		word:
			for j < len(s) {
				switch s[j] {
				case ' ', '\t', '\r', '\n', '(', ')', ';', ',':
					break word
				case '<', '[':
					j = st.skipGroup(s, j)
				case '"':
					j = skipQuoted(s, j)
				default:
					j++
				}
			}
			toks = append(toks, token{tWord, s[i:j], base + i})
			i = j
		}
	}
	return toks, false, unclosed
}

// words splits comment text into the words TCP-info is made of: quoted
// strings lose their quotes and are split too (ZMailer writes
// ("EHLO name")), nested comments become one word each, kept with their
// parentheses.
func words(s string) []string {
	// Room for a word per space, made once (at most the 64 kept).
	out := make([]string, 0, min(64, strings.Count(s, " ")+1))
	st := scanState{}
	for i := 0; i < len(s) && len(out) < 64; {
		c := s[i]
		switch {
		case isSpace(c) || c == ',' || c == ';':
			i++
		case c == '(':
			end := skipComment(s, i)
			out = append(out, s[i:end])
			i = end
		case c == '"':
			end := skipQuoted(s, i)
			inner := strings.Trim(s[i:end], `"`)
			out = append(out, strings.Fields(inner)...)
			i = end
		default:
			j := i
		word:
			for j < len(s) {
				switch s[j] {
				case ' ', '\t', '\r', '\n', '(', ',', ';', '"':
					break word
				case '[':
					j = st.skipGroup(s, j)
				default:
					j++
				}
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// clauseNames are the keywords of RFC 5321 §4.4.
var clauseNames = [...]string{"from", "by", "via", "with", "id", "for"}

// keyword returns the clause keyword w is, lowercased, or "". It does not
// allocate: it runs for every word of every header.
func keyword(w string) string {
	if i := keywordIndex(w); i >= 0 {
		return clauseNames[i]
	}
	return ""
}

// keywordIndex is the index in clauseNames of the keyword w is, or -1.
func keywordIndex(w string) int {
	if len(w) < 2 || len(w) > 4 {
		return -1
	}
	for i, k := range clauseNames {
		if strings.EqualFold(w, k) {
			return i
		}
	}
	return -1
}

// containsFold reports whether s contains sub (lowercase ASCII), ignoring
// ASCII case, without allocating a lowered copy of s.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// parser carries the state of reading one header.
type parser struct {
	h Hop

	fromValue string
	tcpInfo   []token // comments and stray words after the from name
	seen      uint8   // clause keywords met so far: bit i for clauseNames[i]
	dup       []string
	other     []string
	pending   []token // comments to file once TCP-info is read, in header order
	with, via []string
}

func (p *parser) run(value string) {
	h := &p.h
	semi := lastTopSemicolon(value)
	clausePart := value
	if semi >= 0 {
		clausePart = value[:semi]
	}
	// The words after the date are read as clauses too (p.date, or the
	// date found among the words): appended to toks, in place of the date.
	toks, truncated, unclosed := tokenize(nil, clausePart, 0, maxTokens)
	if semi >= 0 {
		toks = p.date(toks, value[semi+1:], semi+1)
	} else if i, r := findDate(clausePart, toks); i >= 0 {
		start := toks[i].pos
		p.setDate(clausePart[start:start+r.end], r)
		h.Notes = append(h.Notes, "the date is not preceded by ';' as RFC 5322 §3.6.7 requires (SendGrid writes it so); it was found among the words")
		toks, _, _ = tokenize(toks[:i], clausePart[start+r.end:], start+r.end, maxTokens)
	} else if strings.TrimSpace(value) != "" {
		h.Anomalies = append(h.Anomalies, "the header has no date, so this hop has no time (RFC 5322 §3.6.7 requires one after a ';')")
	}
	if truncated {
		h.Anomalies = append(h.Anomalies, fmt.Sprintf("the header is too long to be real (more than %d words); only its beginning was read", maxTokens))
	}
	if unclosed {
		h.Anomalies = append(h.Anomalies, "a comment opened with '(' is never closed, so the rest of the header was read as that comment")
	}
	p.clauses(toks)
	p.finish()
}

// date reads the text after the last ';' and appends what follows the
// date to toks as tokens, to be read as clauses.
func (p *parser) date(toks []token, datePart string, base int) []token {
	h := &p.h
	if strings.TrimSpace(datePart) == "" {
		h.Anomalies = append(h.Anomalies, "nothing follows the ';' where the date belongs, so this hop has no time (RFC 5322 §3.6.7)")
		return toks
	}
	r := parseDateAt(datePart)
	if !r.ok {
		h.Date = strings.TrimSpace(datePart)
		h.Anomalies = append(h.Anomalies, fmt.Sprintf("the date %q could not be read (%s), so this hop has no time (RFC 5322 §3.3)", clip(h.Date, 80), r.why))
		return toks
	}
	p.setDate(datePart[:r.end], r)
	toks, _, _ = tokenize(toks, datePart[r.end:], base+r.end, maxTokens)
	return toks
}

func (p *parser) setDate(text string, r dateResult) {
	h := &p.h
	h.Date = strings.TrimSpace(text)
	h.At = r.t
	h.Time = r.t.UTC().Format(time.RFC3339Nano)
	h.Notes = append(h.Notes, r.notes...)
	h.Anomalies = append(h.Anomalies, r.anomalies...)
}

// findDate looks for a date among the words of a header that has no ';'.
// A candidate starts with a weekday, a day number followed by a month, or
// "YYYY-"; words right after a clause keyword are values, not dates.
func findDate(s string, toks []token) (int, dateResult) {
	tries := 0
	for i, t := range toks {
		if t.kind != tWord || tries >= maxDateTries {
			continue
		}
		if i > 0 && toks[i-1].kind == tWord && keyword(toks[i-1].text) != "" {
			continue
		}
		if !dateStart(toks, i) {
			continue
		}
		tries++
		if r := parseDateAt(s[t.pos:]); r.ok {
			return i, r
		}
	}
	return -1, dateResult{}
}

func dateStart(toks []token, i int) bool {
	w := strings.TrimSuffix(toks[i].text, ",")
	if _, ok := dayName(w); ok {
		return true
	}
	if len(w) >= 10 && allDigits(w[:4]) && w[4] == '-' {
		return true
	}
	if len(w) <= 2 && allDigits(w) && i+1 < len(toks) && toks[i+1].kind == tWord {
		_, ok := monthName(toks[i+1].text)
		return ok
	}
	return false
}

// clauses walks the tokens and fills the fields. A clause's value is the
// word after its keyword; "with" and "via" take every word up to the next
// comment or keyword ("Microsoft SMTP Server", "Frontend Transport").
func (p *parser) clauses(toks []token) {
	h := &p.h
	cur := ""
	nvals := 0
	closed := false
	prevComma := false
	tlsNext, tlsSeen := false, false
	for _, t := range toks {
		switch t.kind {
		case tSemi:
			cur, nvals, closed = "", 0, false
			continue
		case tComma:
			if cur == "with" || cur == "via" {
				closed = true
			}
			prevComma = true
			continue
		case tComment:
			switch {
			case cur == "from":
				p.tcpInfo = append(p.tcpInfo, t)
			case cur == "by" && nvals == 1 && h.ByIP == "" && p.byAddr(t.text):
			default:
				p.pending = append(p.pending, t)
			}
			if (cur == "with" || cur == "via") && nvals > 0 {
				closed = true
			}
			prevComma = false
			continue
		}
		w := t.text
		comma := prevComma
		prevComma = false
		if k := keywordIndex(w); k >= 0 {
			lw := clauseNames[k]
			if p.seen&(1<<k) != 0 {
				p.dup = append(p.dup, lw)
				cur, nvals, closed = "dup", 0, false
				continue
			}
			p.seen |= 1 << k
			if lw == "from" {
				h.hasFrom = true
			}
			cur, nvals, closed = lw, 0, false
			continue
		}
		if tlsNext {
			tlsNext = false
			h.TLS = strings.TrimSpace(h.TLS + " " + w)
			continue
		}
		switch {
		case cur == "from" && nvals == 0:
			p.fromValue = w
		case cur == "from":
			p.tcpInfo = append(p.tcpInfo, t)
		case cur == "by" && nvals == 0:
			h.By = w
		case (cur == "with" || cur == "via") && !closed:
			// Kept as parts and joined once: a hostile header with
			// thousands of words must not cost a copy per word.
			if cur == "with" {
				p.with = append(p.with, w)
			} else {
				p.via = append(p.via, w)
			}
		case cur == "with" && strings.EqualFold(w, "tls") && !tlsSeen:
			tlsNext, tlsSeen = true, true // Exim 4.94+: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384"
		case cur == "id" && nvals == 0:
			h.ID = w
		case cur == "for" && (nvals == 0 || comma):
			// ForAll is kept only for several recipients: it is made when
			// the second one comes, with the first.
			addr := stripAngles(w)
			if nvals == 0 {
				h.For = addr
			} else {
				if h.ForAll == nil {
					h.ForAll = append(make([]string, 0, 2), h.For)
				}
				h.ForAll = append(h.ForAll, addr)
			}
		default:
			p.word(w)
		}
		nvals++
	}
}

// byAddr takes the receiver's own address from a comment right after the by
// name, as Exchange writes it: "by X (10.152.69.201)".
func (p *parser) byAddr(text string) bool {
	for _, w := range words(text) {
		if a, ok := parseAddrLoose(w); ok {
			p.h.ByIP = a.String()
			return true
		}
	}
	return false
}

// word handles a word outside any clause value: Haraka's bare
// "envelope-from <addr>", XMail's trailing words, spam software's junk.
func (p *parser) word(w string) {
	if n := len(p.other); n > 0 && strings.EqualFold(p.other[n-1], "envelope-from") && p.h.EnvelopeFrom == "" {
		p.h.EnvelopeFrom = stripAngles(w)
	}
	if len(p.other) < maxComments {
		p.other = append(p.other, w)
	}
}

// comment files a comment that is not TCP-info: TLS details and the
// envelope sender get their own fields, the rest is kept as written.
func (p *parser) comment(text string) {
	h := &p.h
	t := collapseSpace(text)
	lt := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lt, "envelope-from ") || strings.HasPrefix(lt, "envelope-sender "):
		if h.EnvelopeFrom == "" {
			v := strings.TrimSpace(t[strings.IndexByte(t, ' ')+1:])
			if i := strings.IndexByte(v, ','); i >= 0 {
				v = v[:i] // SpamAssassin's qmail-scanner: "(envelope-from <a@b>, uid 502)"
			}
			h.EnvelopeFrom = stripAngles(strings.TrimSpace(v))
		}
		return
	case h.TLS == "" && isTLSComment(t, lt):
		h.TLS = strings.TrimPrefix(strings.TrimPrefix(t, "using "), "Using ")
		return
	}
	if len(h.Comments) < maxComments {
		h.Comments = append(h.Comments, t)
	}
}

// collapseSpace trims s and turns every run of white space (folding
// leaves tabs and runs of spaces) into one space, copying only when it
// must.
func collapseSpace(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) && (s[i] != ' ' || i+1 < len(s) && isSpace(s[i+1])) {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// isTLSComment recognises how servers describe the TLS session: Gmail,
// Exchange and Sendmail "(version=… cipher=…)", Postfix "(using TLSv1.2
// with cipher …)", Exim "(TLS1.3:ECDHE_…:256)", qmail "(… encrypted)".
func isTLSComment(t, lt string) bool {
	switch {
	case strings.Contains(lt, "version=") && strings.Contains(lt, "cipher="):
		return true
	case strings.HasPrefix(lt, "using tls"), strings.HasPrefix(lt, "using ssl"):
		return true
	case (strings.HasPrefix(t, "TLS") || strings.HasPrefix(t, "SSL")) && !strings.Contains(t, " "):
		return true
	case strings.HasSuffix(lt, " encrypted"):
		return true
	}
	return false
}

// stripAngles removes the angle brackets around a path, however many
// layers there are ("<<a@b>>" has been seen).
func stripAngles(s string) string {
	for len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = s[1 : len(s)-1]
	}
	return s
}

// finish reads the TCP-info, settles the from fields and adds the
// anomalies one header shows on its own.
func (p *parser) finish() {
	h := &p.h
	h.With = strings.Join(p.with, " ")
	h.Via = strings.Join(p.via, " ")
	rdns, helo, heloSet, forged := p.readTCPInfo()
	if len(p.pending) > 1 { // the sort costs a swapper and a closure, even for one comment
		sort.SliceStable(p.pending, func(i, j int) bool { return p.pending[i].pos < p.pending[j].pos })
	}
	for _, t := range p.pending {
		p.comment(t.text)
	}
	if heloSet {
		// qmail, Exim and CommuniGate name the HELO in a comment; the name
		// after "from" is then what the receiver looked up itself.
		h.FromHELO = helo
		if a, ok := parseAddrLoose(p.fromValue); ok {
			if !h.Addr.IsValid() {
				h.Addr = a
			}
		} else if rdns == "" {
			rdns = p.fromValue
		}
	} else {
		h.FromHELO = p.fromValue
	}
	h.FromRDNS = rdns
	if len(h.ForAll) < 2 {
		h.ForAll = nil
	}
	if h.Addr.IsValid() {
		h.Addr = h.Addr.Unmap()
		h.FromIP = h.Addr.String()
	}
	if len(p.other) > 0 {
		h.Notes = append(h.Notes, fmt.Sprintf("words outside the clauses of RFC 5321 §4.4 were kept as written: %q", clip(strings.Join(p.other, " "), 120)))
	}
	for _, d := range p.dup {
		h.Anomalies = append(h.Anomalies, fmt.Sprintf("the header has more than one %q clause, which no mail server writes: it was probably typed or made by spam software (RFC 5321 §4.4 allows one)", d))
	}
	if strings.EqualFold(h.FromRDNS, "unknown") {
		who := "the client"
		if h.FromIP != "" {
			who = h.FromIP
		}
		h.Anomalies = append(h.Anomalies, "the receiver recorded no reverse DNS name for "+who)
	}
	if forged {
		h.rdnsForged = true
		h.Anomalies = append(h.Anomalies, fmt.Sprintf("the receiver marked the reverse DNS name %s as \"may be forged\": the name does not lead back to %s, so it cannot be trusted", h.FromRDNS, h.FromIP))
	}
	if lit, ok := literalAddr(h.FromHELO); ok && h.Addr.IsValid() && lit.Unmap() != h.Addr {
		h.Anomalies = append(h.Anomalies, fmt.Sprintf("the client introduced itself with the address %s, but it connected from %s: computers behind a home router or NAT do this, a mail server should give its own name or address (RFC 5321 §4.1.4)", lit.Unmap(), h.FromIP))
	}
}

// readTCPInfo reads the comments and words after the from name. The first
// address is the connecting one; a name just before it in the same comment
// is the reverse DNS name; HELO/EHLO/helo= name the HELO argument.
func (p *parser) readTCPInfo() (rdns, helo string, heloSet, forged bool) {
	h := &p.h
	for n, t := range p.tcpInfo {
		if t.kind == tWord {
			if a, ok := parseAddrLoose(t.text); ok && !h.Addr.IsValid() {
				h.Addr = a // rspamd's sample: "from host [192.0.2.1] by …"
			}
			continue
		}
		ws := words(t.text)
		prev := ""
		used := false
		for k := 0; k < len(ws); k++ {
			w := ws[k]
			switch {
			case strings.HasPrefix(w, "("):
				if containsFold(w, "may be forged") {
					forged = true
				}
			case strings.EqualFold(w, "helo") || strings.EqualFold(w, "ehlo"):
				heloSet, used = true, true
				if k+1 < len(ws) && !strings.HasPrefix(ws[k+1], "(") {
					k++
					helo = ws[k]
				}
			case len(w) >= 5 && strings.EqualFold(w[:5], "helo="):
				heloSet, used = true, true
				helo = w[5:]
			default:
				if a, ok := parseAddrLoose(w); ok {
					used = true
					if !h.Addr.IsValid() {
						h.Addr = a
						// Postfix and Sendmail write "name [address]"; only a
						// bracketed address has the lookup result before it.
						if rdns == "" && prev != "" && strings.HasPrefix(w, "[") && (isHostName(prev) || strings.EqualFold(prev, "unknown")) {
							rdns = prev
						}
					}
				} else if len(ws) == 1 && n == 0 && rdns == "" && (isHostName(w) || strings.EqualFold(w, "unknown")) {
					rdns, used = w, true // "(unknown)", "(host.example)": a name and no address
				}
			}
			prev = w
		}
		if containsFold(t.text, "may be forged") {
			forged = true
		}
		if !used {
			// Not TCP-info: Postfix's "(using TLSv1.2 …)", "(Authenticated
			// sender: …)", Courier's "(AUTH: LOGIN …)".
			p.pending = append(p.pending, t)
		}
	}
	return rdns, helo, heloSet, forged
}
