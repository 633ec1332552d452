package dkim

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Sig is a DKIM-Signature header field read by ParseSignature.
type Sig struct {
	Tags TagList

	Version   string
	Algorithm string      // a=, as written
	KeyType   string      // "rsa", "ed25519"
	HashName  string      // "sha256", "sha1"
	Hash      crypto.Hash // SHA256; zero for sha1, which is never computed (RFC 8301 §3.1)
	Signature []byte      // b=, decoded
	BodyHash  []byte      // bh=, decoded

	HeaderCanon, BodyCanon Canon

	Domain   string   // d=, lowercase
	Selector string   // s=, lowercase
	Headers  []string // h=, names as written
	Identity string   // i= decoded, or "@" + d= when absent (§3.5)
	HasI     bool

	Length    int64 // l=; -1 when absent; math.MaxInt64 when too large to hold
	Timestamp int64 // t=; -1 when absent; math.MaxInt64 for more than 12 digits
	Expires   int64 // x=; as t=
	Query     []string
}

// problem is why a signature cannot pass, worded for the trace.
type problem struct {
	result  trace.Result
	title   string
	detail  string
	explain string
	ref     string
	reason  string
}

func (p *problem) step() trace.Step {
	return trace.Step{Title: p.title, Result: p.result, Detail: p.detail, Explain: p.explain, Ref: p.ref}
}

// requiredTags are the tags RFC 6376 §3.5 marks REQUIRED (listed again in
// §6.1.1).
var requiredTags = []string{"v", "a", "b", "bh", "d", "h", "s"}

// ParseSignature reads the value of a DKIM-Signature header field and
// validates it as RFC 6376 §6.1.1 asks. On a problem it returns what it
// could read so far and an error whose text is a plain sentence.
func ParseSignature(value string) (*Sig, error) {
	s, p := parseSignature(value)
	if p != nil {
		return s, fmt.Errorf("dkim: %s", p.reason)
	}
	return s, nil
}

func parseSignature(value string) (*Sig, *problem) {
	s := &Sig{Length: -1, Timestamp: -1, Expires: -1}
	tags, err := ParseTagList(value)
	s.Tags = tags
	if err != nil {
		return s, &problem{result: trace.Neutral, title: "Read the signature's tags", detail: err.Error(),
			explain: "the DKIM-Signature is a list of tag=value pairs separated by semicolons; this one breaks that syntax, so a verifier must ignore the whole signature",
			ref:     "RFC 6376 §3.2, §6.1.1", reason: "The signature cannot be read: its tag list is malformed."}
	}
	// d= and s= first, so that even a rejected signature says whose it is.
	if d, ok := tags.Get("d"); ok {
		s.Domain = strings.ToLower(d)
	}
	if sel, ok := tags.Get("s"); ok {
		s.Selector = strings.ToLower(sel)
	}
	var missing []string
	for _, t := range requiredTags {
		if _, ok := tags.Get(t); !ok {
			missing = append(missing, t+"=")
		}
	}
	if len(missing) > 0 {
		return s, syntax("Required tags", "missing: "+strings.Join(missing, " "),
			"RFC 6376 requires the tags v=, a=, b=, bh=, d=, h= and s= in every signature; without them it cannot be checked", "RFC 6376 §3.5, §6.1.1",
			"The signature lacks the required tag "+strings.Join(missing, " ")+".")
	}
	s.Version, _ = tags.Get("v")
	if s.Version != "1" {
		return s, syntax("Version", "v="+s.Version,
			"this verifier implements DKIM version 1 (v=1); a signature of another version must be ignored", "RFC 6376 §3.5, §6.1.1",
			"The signature is of an unknown DKIM version.")
	}

	s.Algorithm, _ = tags.Get("a")
	k, h, ok := strings.Cut(s.Algorithm, "-")
	if !ok || !isToken(k) || !isToken(h) {
		return s, syntax("Algorithm", "a="+s.Algorithm,
			`a= must name a key type and a hash, like "rsa-sha256"`, "RFC 6376 §3.5",
			"The signature's algorithm (a=) is malformed.")
	}
	s.KeyType, s.HashName = k, h
	switch s.Algorithm {
	case "rsa-sha256", "ed25519-sha256":
		s.Hash = crypto.SHA256
	case "rsa-sha1":
		// Recognised only to be refused: see checkAlgorithm.
	default:
		return s, syntax("Algorithm", "a="+s.Algorithm,
			"this verifier knows rsa-sha256 and ed25519-sha256; a verifier must ignore signatures made with an algorithm it does not implement", "RFC 6376 §3.3.4, RFC 8463 §3",
			"The signature uses an algorithm this verifier does not implement ("+s.Algorithm+").")
	}

	var perr error
	b, _ := tags.Get("b")
	if s.Signature, perr = decodeB64(b); perr != nil {
		return s, syntax("Signature data (b=)", perr.Error(), "b= must be base64; this value is not", "RFC 6376 §3.5", "The signature data (b=) is not valid base64.")
	}
	bh, _ := tags.Get("bh")
	if s.BodyHash, perr = decodeB64(bh); perr != nil {
		return s, syntax("Body hash (bh=)", perr.Error(), "bh= must be base64; this value is not", "RFC 6376 §3.5", "The body hash (bh=) is not valid base64.")
	}

	c, _ := tags.Get("c")
	if s.HeaderCanon, s.BodyCanon, perr = ParseCanon(c); perr != nil {
		return s, syntax("Canonicalization (c=)", "c="+c,
			`only "simple" and "relaxed" are defined; a verifier must ignore a signature whose canonicalization it does not know`, "RFC 6376 §3.4, §3.5",
			"The signature names an unknown canonicalization ("+c+").")
	}

	if !validDomain(s.Domain, 2) {
		return s, syntax("Signing domain (d=)", "d="+s.Domain,
			"d= must be a domain name of at least two labels (letters, digits, hyphens)", "RFC 6376 §3.5",
			"The signing domain (d=) is not a valid domain name.")
	}
	if !validDomain(s.Selector, 1) {
		return s, syntax("Selector (s=)", "s="+s.Selector,
			"s= must be one or more DNS labels separated by dots", "RFC 6376 §3.1, §3.5",
			"The selector (s=) is not a valid DNS name.")
	}

	hv, _ := tags.Get("h")
	s.Headers = ParseHeaderList(hv)
	for _, n := range s.Headers {
		if !validFieldName(n) {
			return s, syntax("Signed header fields (h=)", "h="+hv,
				"h= must be a colon-separated list of header field names", "RFC 6376 §3.5",
				"The list of signed header fields (h=) is malformed.")
		}
	}
	from := false
	for _, n := range s.Headers {
		from = from || strings.EqualFold(n, "from")
	}
	if !from {
		return s, &problem{result: trace.PermError, title: "From is signed", detail: "h=" + hv,
			explain: "a DKIM signature must cover the From header field, the author the reader sees; this one does not, so it says nothing about the author",
			ref:     "RFC 6376 §5.4, §6.1.1", reason: "The signature does not cover the From header field."}
	}

	s.Identity = "@" + s.Domain
	if iv, ok := tags.Get("i"); ok {
		s.HasI = true
		dec, err := decodeQP(iv)
		at := strings.LastIndexByte(dec, '@')
		if err != nil || at < 0 || !validDomain(strings.ToLower(dec[at+1:]), 1) {
			return s, syntax("Identity (i=)", "i="+iv,
				`i= must be an address like "user@example.com" or "@example.com"`, "RFC 6376 §3.5",
				"The identity (i=) is malformed.")
		}
		s.Identity = dec
		if id := strings.ToLower(dec[at+1:]); id != s.Domain && !strings.HasSuffix(id, "."+s.Domain) {
			return s, &problem{result: trace.PermError, title: "Identity (i=) within d=", detail: "i=" + dec + ", d=" + s.Domain,
				explain: "the domain of i= must be d= or a subdomain of it; otherwise the signer claims to speak for a domain it does not control",
				ref:     "RFC 6376 §3.5, §6.1.1", reason: "The identity i=" + dec + " is not within the signing domain " + s.Domain + "."}
		}
	}

	if lv, ok := tags.Get("l"); ok {
		n, ok := parseDigits(lv, 76)
		if !ok {
			return s, syntax("Body length (l=)", "l="+lv, "l= must be a decimal number of at most 76 digits", "RFC 6376 §3.5", "The body length (l=) is malformed.")
		}
		s.Length = n
	}
	for _, tm := range []struct {
		tag string
		dst *int64
	}{{"t", &s.Timestamp}, {"x", &s.Expires}} {
		v, ok := tags.Get(tm.tag)
		if !ok {
			continue
		}
		n, ok := parseDigits(v, 0)
		if !ok {
			return s, syntax("Time ("+tm.tag+"=)", tm.tag+"="+v, tm.tag+"= must be a number of seconds since 1970 (decimal digits only)", "RFC 6376 §3.5", "The signature's "+tm.tag+"= time is malformed.")
		}
		if len(strings.TrimLeft(v, "0")) > 12 {
			// "MAY consider any value longer than 12 digits to be infinite" (§3.5 t=).
			n = math.MaxInt64
		}
		*tm.dst = n
	}
	if s.Timestamp >= 0 && s.Expires >= 0 && s.Expires != math.MaxInt64 && s.Expires <= s.Timestamp {
		return s, syntax("Expiry after signing time", fmt.Sprintf("t=%d x=%d", s.Timestamp, s.Expires),
			"x= must be later than t=: a signature cannot expire before it was made", "RFC 6376 §3.5",
			"The signature expires (x=) before it was made (t=).")
	}

	s.Query = []string{"dns/txt"}
	if qv, ok := tags.Get("q"); ok {
		s.Query = ParseHeaderList(qv)
		dns := false
		for _, q := range s.Query {
			dns = dns || q == "dns/txt"
		}
		if !dns {
			return s, syntax("Key query method (q=)", "q="+qv,
				"the only key query method defined is dns/txt; unknown methods must be ignored, and this signature names no other", "RFC 6376 §3.5",
				"The signature names no key query method this verifier knows.")
		}
	}
	return s, nil
}

func syntax(title, detail, explain, ref, reason string) *problem {
	return &problem{result: trace.Neutral, title: title, detail: detail, explain: explain + ", so the signature is ignored", ref: ref, reason: reason}
}

// ParseHeaderList splits a colon-separated list (h=, q=, key h= s= t=) and
// removes the folding whitespace around each name (RFC 6376 §3.5 h=).
func ParseHeaderList(v string) []string {
	parts := strings.Split(v, ":")
	for i, p := range parts {
		parts[i] = trimFWS(p)
	}
	return parts
}

// decodeB64 decodes base64 after removing folding whitespace (RFC 6376
// §3.5 b=, bh=; §3.6.1 p=).
//
// It is base64.StdEncoding.DecodeString(stripFWS(v)) (TestDecodeB64,
// FuzzDecodeB64), with fewer allocations for a folded value: that is
// stripped into one buffer made at its length, not a growing builder (a
// b= of RSA-2048 is 344 characters, folded), and decoded from those bytes
// instead of from a string DecodeString would copy again. Every message
// decodes a b= and a bh= per signature.
func decodeB64(v string) ([]byte, error) {
	var out []byte
	var err error
	if strings.IndexFunc(v, func(r rune) bool { return r < 0x80 && fws(byte(r)) }) < 0 {
		// Nothing to strip: DecodeString reads the string in place.
		out, err = base64.StdEncoding.DecodeString(v)
	} else {
		src := make([]byte, 0, len(v))
		for i := 0; i < len(v); i++ {
			if !fws(v[i]) {
				src = append(src, v[i])
			}
		}
		out = make([]byte, base64.StdEncoding.DecodedLen(len(src)))
		var n int
		n, err = base64.StdEncoding.Decode(out, src)
		out = out[:n]
	}
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	return out, nil
}

// decodeQP decodes dkim-quoted-printable (RFC 6376 §2.11): "=XX" is the
// octet XX, and folding whitespace is not part of the value.
func decodeQP(v string) (string, error) {
	v = stripFWS(v)
	if !strings.Contains(v, "=") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '=' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", fmt.Errorf("dkim: \"=\" not followed by two hex digits")
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("dkim: \"=\" not followed by two hex digits")
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// parseDigits reads 1*DIGIT; max limits the number of digits (0: none).
// Values beyond int64 saturate at math.MaxInt64.
func parseDigits(v string, max int) (int64, bool) {
	if v == "" || (max > 0 && len(v) > max) {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

func isToken(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// validDomain checks a domain-name of RFC 6376 §3.5 (sub-domain labels,
// from RFC 5321) with at least min labels. Underscores are allowed in
// labels, as selectors and real DNS names use them.
//
// The labels are walked in place rather than split into a slice: d= and
// s= of every signature pass here (TestValidDomain and FuzzValidDomain
// hold it to the split version).
func validDomain(d string, min int) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	labels := 0
	for rest := d; ; {
		l, after, more := strings.Cut(rest, ".")
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
				return false
			}
		}
		labels++
		if !more {
			return labels >= min
		}
		rest = after
	}
}

// validFieldName checks a field-name of RFC 5322 §3.6.8: printable ASCII
// except the colon.
func validFieldName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}
