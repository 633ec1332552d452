package dmarc

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	msgauth "github.com/emersion/go-msgauth/dmarc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// ErrNotDMARC means a TXT record is not a DMARC record at all: it does not
// start with the tag v=DMARC1 (RFC 9989 §4.7 "v", RFC 7489 §6.3 "v"). Such
// records are discarded before counting the records at a name.
var ErrNotDMARC = errors.New("dmarc: record does not start with v=DMARC1")

// Tag is one tag=value pair of a DMARC record, as written: the name is
// lowercased (tag names are ABNF literals, which RFC 5234 §2.3 makes
// case-insensitive), the value keeps its case, without the whitespace
// around it.
type Tag struct {
	Name  string
	Value string
}

// Note is something the parser noticed in one tag: an unknown tag, a value
// that does not follow the grammar, a tag the standard removed. Result is
// trace.Info for what the standard tells receivers to ignore anyway and
// trace.Warn for what changes how the record is read.
type Note struct {
	Tag     string
	Result  trace.Result
	Explain string
	Ref     string
}

// Record is a DMARC policy record as one standard reads it (ParseRecord).
// Zero values mean "absent or invalid"; the defaults the standard supplies
// are already filled in for ADKIM, ASPF, PSD and Percent.
type Record struct {
	Text     string    // the TXT record, strings joined (RFC 9989 §4.5)
	Standard Standard  // which standard this reading follows
	Tags     []Tag     // every well-formed tag, in order, duplicates included
	Policy   Policy    // p; "" when absent or invalid
	SubPol   Policy    // sp; "" when absent
	NonExist Policy    // np (RFC 9989 only); "" when absent
	ADKIM    Alignment // adkim, default relaxed
	ASPF     Alignment // aspf, default relaxed
	PSD      string    // psd (RFC 9989 only): "y", "n" or the default "u"
	Testing  bool      // t=y (RFC 9989 only)
	Percent  int       // pct (RFC 7489 only), default 100
	RUA      []string  // aggregate report URIs, as written
	ValidRUA bool      // at least one rua URI is syntactically valid

	// PolicyFromRUA is set when p (or sp/np) was missing or invalid and a
	// valid rua made the record count as p=none (RFC 9989 §4.10.1, RFC 7489
	// §6.6.3 step 6).
	PolicyFromRUA bool
	// Unusable is set when p, sp or np is missing or invalid and no valid
	// rua saves it: the receiver applies no DMARC processing (RFC 9989
	// §4.10.1, RFC 7489 §6.6.3 step 6).
	Unusable bool
	// Why says, in plain words, why the record is Unusable or PolicyFromRUA.
	Why string

	// Library is set when the RFC 7489 reading came from go-msgauth's
	// dmarc.Parse; LibraryErr holds its complaint when it refused the
	// record and headercheck read it itself.
	Library    bool
	LibraryErr string

	Notes []Note
}

// tagRule describes one tag a standard knows.
type tagRule struct {
	ref   string
	check func(r *Record, v string) bool // applies a valid value; false when invalid
}

func policyRule(set func(r *Record, p Policy)) func(*Record, string) bool {
	return func(r *Record, v string) bool {
		p, ok := parsePolicy(v)
		if ok {
			set(r, p)
		}
		return ok
	}
}

func alignRule(set func(r *Record, a Alignment)) func(*Record, string) bool {
	return func(r *Record, v string) bool {
		switch strings.ToLower(v) {
		case "r":
			set(r, Relaxed)
		case "s":
			set(r, Strict)
		default:
			return false
		}
		return true
	}
}

func uriListRule(set func(r *Record, uris []string, valid bool)) func(*Record, string) bool {
	return func(r *Record, v string) bool {
		var uris []string
		valid := false
		for _, u := range strings.Split(v, ",") {
			u = trimWSP(u)
			uris = append(uris, u)
			if validReportURI(u) {
				valid = true
			}
		}
		set(r, uris, valid)
		return valid
	}
}

// The tags of RFC 9989 §4.7 and Table 2 (§4.8).
var rules9989 = map[string]tagRule{
	"adkim": {"RFC 9989 §4.7", alignRule(func(r *Record, a Alignment) { r.ADKIM = a })},
	"aspf":  {"RFC 9989 §4.7", alignRule(func(r *Record, a Alignment) { r.ASPF = a })},
	"fo":    {"RFC 9989 §4.8", func(_ *Record, v string) bool { return validFO(v, true) }},
	"np":    {"RFC 9989 §4.7", policyRule(func(r *Record, p Policy) { r.NonExist = p })},
	"p":     {"RFC 9989 §4.7", policyRule(func(r *Record, p Policy) { r.Policy = p })},
	"psd": {"RFC 9989 §4.7", func(r *Record, v string) bool {
		switch v = strings.ToLower(v); v {
		case "y", "n", "u":
			r.PSD = v
			return true
		}
		return false
	}},
	"rua": {"RFC 9989 §4.7", uriListRule(func(r *Record, u []string, ok bool) { r.RUA, r.ValidRUA = u, ok })},
	"ruf": {"RFC 9989 §4.7", uriListRule(func(*Record, []string, bool) {})},
	"sp":  {"RFC 9989 §4.7", policyRule(func(r *Record, p Policy) { r.SubPol = p })},
	"t": {"RFC 9989 §4.7", func(r *Record, v string) bool {
		switch strings.ToLower(v) {
		case "y":
			r.Testing = true
		case "n":
			r.Testing = false
		default:
			return false
		}
		return true
	}},
}

// The tags of RFC 7489 §6.3.
var rules7489 = map[string]tagRule{
	"adkim": {"RFC 7489 §6.3", alignRule(func(r *Record, a Alignment) { r.ADKIM = a })},
	"aspf":  {"RFC 7489 §6.3", alignRule(func(r *Record, a Alignment) { r.ASPF = a })},
	"fo":    {"RFC 7489 §6.3", func(_ *Record, v string) bool { return validFO(v, false) }},
	"p":     {"RFC 7489 §6.3", policyRule(func(r *Record, p Policy) { r.Policy = p })},
	"pct": {"RFC 7489 §6.3", func(r *Record, v string) bool {
		if len(v) == 0 || len(v) > 3 || strings.Trim(v, "0123456789") != "" {
			return false
		}
		n := 0
		for _, c := range v {
			n = n*10 + int(c-'0')
		}
		if n > 100 {
			return false
		}
		r.Percent = n
		return true
	}},
	"rf": {"RFC 7489 §6.3", func(_ *Record, v string) bool {
		// Only afrf is registered (RFC 7489 §11.5); any other format is to
		// be ignored, which is what an invalid value gets here.
		for _, f := range strings.Split(v, ":") {
			if !strings.EqualFold(trimWSP(f), "afrf") {
				return false
			}
		}
		return true
	}},
	"ri": {"RFC 7489 §6.3", func(_ *Record, v string) bool {
		return v != "" && len(v) <= 10 && strings.Trim(v, "0123456789") == ""
	}},
	"rua": {"RFC 7489 §6.3", uriListRule(func(r *Record, u []string, ok bool) { r.RUA, r.ValidRUA = u, ok })},
	"ruf": {"RFC 7489 §6.3", uriListRule(func(*Record, []string, bool) {})},
	"sp":  {"RFC 7489 §6.3", policyRule(func(r *Record, p Policy) { r.SubPol = p })},
}

// Tags one standard has and the other has not, so the note can say so
// instead of calling them unknown.
var (
	only9989 = map[string]string{
		"np":  "RFC 7489 has no np tag; it came with RFC 9989 (Appendix C.5.1), so an RFC 7489 receiver ignores it",
		"psd": "RFC 7489 has no psd tag; it came with RFC 9989 (Appendix C.5.1), so an RFC 7489 receiver ignores it",
		"t":   "RFC 7489 has no t tag; it came with RFC 9989 (Appendix C.5.1), so an RFC 7489 receiver ignores it",
	}
	only7489 = map[string]string{
		"pct": "RFC 9989 removed the pct tag (Appendix A.6, C.5.2); t=y replaces pct=0, so an RFC 9989 receiver ignores it",
		"rf":  "RFC 9989 removed the rf tag (Appendix C.5.2), so an RFC 9989 receiver ignores it",
		"ri":  "RFC 9989 removed the ri tag (Appendix C.5.2), so an RFC 9989 receiver ignores it",
	}
)

// IsDMARC reports whether a TXT record starts with the version tag
// v=DMARC1, which is what makes it a DMARC record at all (RFC 9989 §4.10
// steps 2 and 6, RFC 7489 §6.6.3 steps 2 and 4). Both grammars start the
// record with the version, without leading space; the value is
// case-sensitive (RFC 9989 §4.8 %s"DMARC1", RFC 7489 §6.4 %x44...).
func IsDMARC(txt string) bool {
	if len(txt) == 0 || (txt[0] != 'v' && txt[0] != 'V') {
		return false
	}
	rest := trimWSPLeft(txt[1:])
	if !strings.HasPrefix(rest, "=") {
		return false
	}
	rest = trimWSPLeft(rest[1:])
	if !strings.HasPrefix(rest, "DMARC1") {
		return false
	}
	rest = trimWSPLeft(rest[len("DMARC1"):])
	return rest == "" || rest[0] == ';'
}

// ParseRecord reads a DMARC record the way std does. It returns ErrNotDMARC
// for text that is not a DMARC record. Anything else parses: both standards
// tell receivers to ignore unknown tags and to replace invalid values with
// defaults (RFC 9989 §4.8, RFC 7489 §6.3), so problems become Notes, and a
// record whose policy tags cannot be used is marked Unusable.
//
// RFC 7489 readings go through go-msgauth's dmarc.Parse where it fits: a
// record that starts with v=DMARC1, is printable ASCII, writes its tag names
// in lower case and repeats none. go-msgauth refuses a record outright for
// any invalid value and for a missing p, while RFC 7489 §6.3 and §6.6.3
// step 6 ask for defaults and for p=none when a valid rua is present; it
// also reads neither upper-case tag names nor the RFC 9989 tags. Where it
// refuses, this parser reads the record itself and Record.LibraryErr says
// what go-msgauth objected to. RFC 9989 readings are always this parser's:
// go-msgauth implements RFC 7489 only.
func ParseRecord(txt string, std Standard) (Record, error) {
	if !IsDMARC(txt) {
		return Record{Text: txt, Standard: std}, ErrNotDMARC
	}
	k := recordKey{txt, std}
	if r, ok := records.m.Load(k); ok {
		return r.(Record), nil
	}
	if len(txt) > recordsMaxLen || records.n.Load() >= recordsMax {
		return parseRecord(txt, std)
	}
	// The record keeps slices of its text: a copy of its own, not of
	// whatever buffer the answer came in.
	k.txt = strings.Clone(txt)
	r, err := parseRecord(k.txt, std)
	if err != nil {
		return r, err
	}
	// Clipped, so a caller that appends to a slice of its copy gets an
	// array of its own instead of writing into the shared one.
	r.Tags, r.RUA, r.Notes = slices.Clip(r.Tags), slices.Clip(r.RUA), slices.Clip(r.Notes)
	if _, loaded := records.m.LoadOrStore(k, r); !loaded {
		records.n.Add(1)
	}
	return r, nil
}

// records remembers ParseRecord's readings by text and standard: every
// message reads its policy record under both standards, and its reporting
// side reads it again, so the same few records come back in message after
// message. A reading is a pure function of the text and standard, and is
// handed out by value with clipped slices, so callers may share it; it must
// not be changed through its slices. At most recordsMax readings of at most
// recordsMaxLen bytes are kept; past that, records are read every time.
var records struct {
	m sync.Map // recordKey -> Record
	n atomic.Int64
}

const (
	recordsMax    = 1024
	recordsMaxLen = 2048
)

type recordKey struct {
	txt string
	std Standard
}

func parseRecord(txt string, std Standard) (Record, error) {
	if !IsDMARC(txt) {
		return Record{Text: txt, Standard: std}, ErrNotDMARC
	}
	r := Record{Text: txt, Standard: std, ADKIM: Relaxed, ASPF: Relaxed, PSD: "u", Percent: 100}
	rules, only, ref := rules9989, only7489, "RFC 9989 §4.7"
	if std == RFC7489 {
		rules, only, ref = rules7489, only9989, "RFC 7489 §6.3"
	}
	segs := strings.Split(txt, ";")
	seen := map[string]bool{"v": true}
	invalid := map[string]bool{}
	pSecond := false
	for i, seg := range segs[1:] {
		seg = trimWSP(seg)
		if seg == "" {
			continue
		}
		name, value, ok := splitTag(seg)
		if !ok {
			r.Notes = append(r.Notes, Note{Tag: seg, Result: trace.Warn, Ref: syntaxRef(std),
				Explain: fmt.Sprintf("%q is not a tag=value pair (a tag name of letters, \"=\", then a value of printable characters), so it is ignored", clip(seg))})
			continue
		}
		r.Tags = append(r.Tags, Tag{Name: name, Value: value})
		if seen[name] {
			r.Notes = append(r.Notes, Note{Tag: name, Result: trace.Warn, Ref: syntaxRef(std),
				Explain: fmt.Sprintf("the tag %s appears more than once; headercheck uses the first and ignores this one (the grammar allows each tag once, and syntax errors are to be discarded)", name)})
			continue
		}
		seen[name] = true
		if name == "p" && i == 0 {
			pSecond = true
		}
		rule, known := rules[name]
		if !known {
			if why, ok := only[name]; ok {
				r.Notes = append(r.Notes, Note{Tag: name, Result: trace.Info, Ref: ref, Explain: why})
			} else {
				r.Notes = append(r.Notes, Note{Tag: name, Result: trace.Info, Ref: ref,
					Explain: fmt.Sprintf("%s is not a DMARC tag this standard defines; unknown tags must be ignored", name)})
			}
			continue
		}
		if !validValue(value) || !rule.check(&r, value) {
			invalid[name] = true
			r.Notes = append(r.Notes, Note{Tag: name, Result: trace.Warn, Ref: rule.ref,
				Explain: fmt.Sprintf("%s=%s is not a valid value for %s; %s", name, clip(value), name, invalidConsequence(name, std))})
		}
	}
	if seen["p"] && !pSecond && std == RFC7489 {
		r.Notes = append(r.Notes, Note{Tag: "p", Result: trace.Info, Ref: "RFC 7489 §6.4",
			Explain: "RFC 7489's grammar wants p right after v; this record puts it later. Receivers, go-msgauth among them, accept it anywhere, and so does headercheck"})
	}
	if std == RFC7489 {
		r.fromLibrary(seen)
	}
	r.settle(seen, invalid)
	return r, nil
}

// fromLibrary replaces the RFC 7489 reading with go-msgauth's where the
// library fits (see ParseRecord).
func (r *Record) fromLibrary(seen map[string]bool) {
	for i := 0; i < len(r.Text); i++ {
		if c := r.Text[i]; (c < 0x20 && c != '\t') || c > 0x7e {
			r.LibraryErr = "not used: the record holds bytes other than printable ASCII"
			return
		}
	}
	names := map[string]bool{}
	for _, t := range r.Tags {
		if names[t.Name] {
			r.LibraryErr = "not used: the record repeats a tag, which go-msgauth would silently resolve to the last one"
			return
		}
		names[t.Name] = true
	}
	if strings.ToLower(r.Text) != r.Text && hasUpperTagName(r.Text) {
		r.LibraryErr = "not used: go-msgauth reads tag names in lower case only"
		return
	}
	rec, err := msgauth.Parse(r.Text)
	if err != nil {
		r.LibraryErr = err.Error()
		return
	}
	r.Library = true
	r.Policy = Policy(rec.Policy)
	r.SubPol = Policy(rec.SubdomainPolicy)
	r.ADKIM = Alignment(rec.DKIMAlignment)
	r.ASPF = Alignment(rec.SPFAlignment)
	pct := 100
	if rec.Percent != nil {
		pct = *rec.Percent
	}
	if pct != r.Percent {
		// Only pct can differ: go-msgauth takes any integer strconv.Atoi
		// reads ("+50", "0050") where RFC 7489 §6.4 wants 1 to 3 digits.
		kept := r.Notes[:0]
		for _, n := range r.Notes {
			if n.Tag != "pct" || n.Result != trace.Warn {
				kept = append(kept, n)
			}
		}
		r.Notes = append(kept, Note{Tag: "pct", Result: trace.Info, Ref: "RFC 7489 §6.4",
			Explain: fmt.Sprintf("go-msgauth reads this pct as %d, although RFC 7489's grammar wants 1 to 3 digits; headercheck follows the library here", pct)})
	}
	r.Percent = pct
	if len(rec.ReportURIAggregate) > 0 {
		r.RUA = rec.ReportURIAggregate
		r.ValidRUA = false
		for _, u := range r.RUA {
			if validReportURI(u) {
				r.ValidRUA = true
			}
		}
	}
}

func hasUpperTagName(txt string) bool {
	for _, seg := range strings.Split(txt, ";") {
		name, _, ok := splitTag(trimWSP(seg))
		if !ok {
			continue
		}
		orig := trimWSP(seg)[:len(name)]
		if orig != name {
			return true
		}
	}
	return false
}

// settle applies the rule for records whose policy tags cannot be used
// (RFC 9989 §4.10.1, RFC 7489 §6.6.3 step 6).
func (r *Record) settle(seen, invalid map[string]bool) {
	var bad []string
	switch {
	case r.Policy == "" && seen["p"]:
		bad = append(bad, "its p tag is not valid")
	case r.Policy == "":
		bad = append(bad, "it has no p tag")
	}
	if invalid["sp"] {
		bad = append(bad, "its sp tag is not valid")
	}
	if r.Standard == RFC9989 && invalid["np"] {
		bad = append(bad, "its np tag is not valid")
	}
	if len(bad) == 0 {
		return
	}
	what := strings.Join(bad, " and ")
	if r.ValidRUA {
		r.PolicyFromRUA = true
		r.Policy, r.SubPol, r.NonExist = PolicyNone, "", ""
		r.Why = fmt.Sprintf("%s, but it names a valid rua report address, so a receiver acts as if the record said p=none", what)
		return
	}
	r.Unusable = true
	r.Why = fmt.Sprintf("%s and it names no valid rua report address, so a receiver applies no DMARC processing", what)
}

func invalidConsequence(name string, std Standard) string {
	switch name {
	case "p", "sp", "np":
		if std == RFC7489 {
			return "RFC 7489 §6.6.3 step 6 then decides: with a valid rua the record counts as p=none, otherwise DMARC is not applied"
		}
		return "RFC 9989 §4.10.1 then decides: with a valid rua the record counts as p=none, otherwise DMARC is not applied"
	case "rua":
		return "no aggregate report address is usable"
	case "adkim", "aspf":
		return "the default, relaxed alignment (r), applies"
	case "pct":
		return "the default, 100 (apply the policy to all failing mail), applies"
	case "t":
		return "the default, n (apply the policy as published), applies"
	case "psd":
		return "the default, u (the tree walk decides), applies"
	}
	return "the value is ignored"
}

func syntaxRef(std Standard) string {
	if std == RFC7489 {
		return "RFC 7489 §6.3"
	}
	return "RFC 9989 §4.8"
}

// splitTag splits "name = value" (RFC 9989 §4.8 dmarc-tag: 1*ALPHA equals
// 1*dmarc-value). The name is lowercased.
func splitTag(seg string) (name, value string, ok bool) {
	i := 0
	for i < len(seg) && isAlpha(seg[i]) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	name = strings.ToLower(seg[:i])
	rest := trimWSPLeft(seg[i:])
	if !strings.HasPrefix(rest, "=") {
		return "", "", false
	}
	value = trimWSP(rest[1:])
	if value == "" {
		return "", "", false
	}
	return name, value, true
}

// validValue: dmarc-value = %x20-3A / %x3C-7E (RFC 9989 §4.8).
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func parsePolicy(v string) (Policy, bool) {
	switch p := Policy(strings.ToLower(v)); p {
	case PolicyNone, PolicyQuarantine, PolicyReject:
		return p, true
	}
	return "", false
}

// validFO checks the fo tag: a colon-separated list of 0, 1, d and s (RFC
// 7489 §6.4); RFC 9989 §4.8 further allows each once and not 0 with 1.
func validFO(v string, strict bool) bool {
	seen := map[string]bool{}
	for _, o := range strings.Split(v, ":") {
		o = strings.ToLower(trimWSP(o))
		switch o {
		case "0", "1", "d", "s":
		default:
			return false
		}
		if strict && seen[o] {
			return false
		}
		seen[o] = true
	}
	return !strict || !(seen["0"] && seen["1"])
}

// validReportURI checks one entry of rua or ruf: an absolute URI (RFC 3986
// §4.3), optionally followed by the obsolete "!size" suffix (RFC 9989 §4.8
// obs-dmarc-report-size, RFC 7489 §6.4).
func validReportURI(u string) bool {
	if i := strings.LastIndexByte(u, '!'); i >= 0 {
		size := strings.TrimRight(strings.ToLower(u[i+1:]), "kmgt")
		if len(u[i+1:])-len(size) > 1 || size == "" || strings.Trim(size, "0123456789") != "" {
			return false
		}
		u = u[:i]
	}
	colon := strings.IndexByte(u, ':')
	if colon < 1 || colon == len(u)-1 || !isAlpha(u[0]) {
		return false
	}
	for i := 1; i < colon; i++ {
		c := u[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	rest := u[colon+1:]
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case isAlpha(c), isDigit(c), strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(rest) || !isHex(rest[i+1]) || !isHex(rest[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func trimWSP(s string) string { return strings.Trim(s, " \t\r\n") }

func trimWSPLeft(s string) string { return strings.TrimLeft(s, " \t\r\n") }

// clip shortens untrusted text quoted back in an explanation, on a rune
// boundary.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
