package arc

import (
	"crypto"
	_ "crypto/sha256" // crypto.SHA256.New
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Field names of the three ARC header fields (RFC 8617 §4.1).
const (
	SealField       = "ARC-Seal"
	MessageSigField = "ARC-Message-Signature"
	ResultsField    = "ARC-Authentication-Results"
)

// problem is why an ARC signature cannot pass, worded for the trace.
type problem struct {
	title, detail, explain, ref string
}

func (p *problem) step() trace.Step {
	return trace.Step{Title: p.title, Result: trace.Fail, Detail: p.detail, Explain: p.explain, Ref: p.ref}
}

// signature is what an ARC-Seal and an ARC-Message-Signature share: both
// are DKIM-style tag-lists (RFC 8617 §4.1.2, §4.1.3).
type signature struct {
	tags      dkim.TagList
	instance  int
	algorithm string      // a=
	keyType   string      // "rsa", "ed25519"
	hashName  string      // "sha256"
	hash      crypto.Hash // SHA256
	sig       []byte      // b=, decoded
	domain    string      // d=, lowercase
	selector  string      // s=, lowercase
	timestamp int64       // t=; -1 when absent

	// ARC-Seal only.
	cv string

	// ARC-Message-Signature only.
	bodyHash               []byte
	headerCanon, bodyCanon dkim.Canon
	headers                []string
	length                 int64 // l=; -1 when absent
	expires                int64 // x=; -1 when absent
}

// parseSeal reads an ARC-Seal value (RFC 8617 §4.1.3).
func parseSeal(value string) (*signature, *problem) {
	s, p := parseCommon(value, "ARC-Seal", "RFC 8617 §4.1.3")
	if p != nil {
		return s, p
	}
	if _, ok := s.tags.Get("h"); ok {
		return s, &problem{"Tags of the ARC-Seal", "h= is present",
			"an ARC-Seal must not name the header fields it signs: RFC 8617 fixes them (the ARC sets, §5.1.1), and a seal with h= must give the chain the status fail",
			"RFC 8617 §4.1.3"}
	}
	if _, ok := s.tags.Get("bh"); ok {
		return s, &problem{"Tags of the ARC-Seal", "bh= is present",
			"an ARC-Seal does not cover the body, so it has no body hash; a seal with bh= was not made by an ARC sealer",
			"RFC 8617 §4.1.3"}
	}
	cv, ok := s.tags.Get("cv")
	if !ok {
		return s, &problem{"Tags of the ARC-Seal", "cv= is missing",
			"every ARC-Seal carries cv=, the chain validation status its sealer found (none, pass or fail)", "RFC 8617 §4.1.3, §4.4"}
	}
	s.cv = cv
	switch cv {
	case "none", "pass", "fail":
	default:
		return s, &problem{"Tags of the ARC-Seal", "cv=" + cv,
			"cv= must be none, pass or fail (lowercase)", "RFC 8617 §3.9, §4.4"}
	}
	return s, nil
}

// parseMessageSig reads an ARC-Message-Signature value (RFC 8617 §4.1.2):
// DKIM-Signature syntax without v= (ignored when present) and with i= the
// instance instead of an identity.
func parseMessageSig(value string) (*signature, *problem) {
	s, p := parseCommon(value, "ARC-Message-Signature", "RFC 8617 §4.1.2")
	if p != nil {
		return s, p
	}
	for _, t := range []string{"bh", "h"} {
		if _, ok := s.tags.Get(t); !ok {
			return s, &problem{"Tags of the ARC-Message-Signature", t + "= is missing",
				"an ARC-Message-Signature needs, as a DKIM signature does, the body hash (bh=) and the list of signed header fields (h=)",
				"RFC 8617 §4.1.2, RFC 6376 §3.5"}
		}
	}
	bh, _ := s.tags.Get("bh")
	var err error
	if s.bodyHash, err = decodeB64(bh); err != nil {
		return s, &problem{"Body hash (bh=)", err.Error(), "bh= must be base64", "RFC 6376 §3.5"}
	}
	c, _ := s.tags.Get("c")
	if s.headerCanon, s.bodyCanon, err = dkim.ParseCanon(c); err != nil {
		return s, &problem{"Canonicalization (c=)", "c=" + c,
			`only "simple" and "relaxed" are defined`, "RFC 6376 §3.4, §3.5"}
	}
	h, _ := s.tags.Get("h")
	s.headers = dkim.ParseHeaderList(h)
	from := false
	for _, n := range s.headers {
		if n == "" || strings.ContainsAny(n, " \t\r\n") {
			return s, &problem{"Signed header fields (h=)", "h=" + h, "h= must be a colon-separated list of header field names", "RFC 6376 §3.5"}
		}
		from = from || strings.EqualFold(n, "from")
	}
	if !from {
		return s, &problem{"From is signed", "h=" + h,
			"an ARC-Message-Signature has the semantics of a DKIM signature, which must cover the From header field",
			"RFC 8617 §4.1.2, RFC 6376 §5.4"}
	}
	s.length, s.expires = -1, -1
	if l, ok := s.tags.Get("l"); ok {
		n, ok := digits(l, 76)
		if !ok {
			return s, &problem{"Body length (l=)", "l=" + l, "l= must be a decimal number", "RFC 6376 §3.5"}
		}
		s.length = n
	}
	if x, ok := s.tags.Get("x"); ok {
		n, ok := digits(x, 0)
		if !ok {
			return s, &problem{"Expiry (x=)", "x=" + x, "x= must be a number of seconds since 1970", "RFC 6376 §3.5"}
		}
		s.expires = n
	}
	return s, nil
}

// parseCommon reads the tags both ARC signatures share: i=, a=, b=, d=,
// s= and t=.
func parseCommon(value, what, ref string) (*signature, *problem) {
	s := &signature{timestamp: -1, length: -1, expires: -1}
	tags, err := dkim.ParseTagList(value)
	s.tags = tags
	if err != nil {
		return s, &problem{"Read the " + what + "'s tags", strings.TrimPrefix(err.Error(), "dkim: "),
			"the " + what + " is a list of tag=value pairs separated by semicolons, as a DKIM signature is; this one breaks that syntax",
			ref + ", RFC 6376 §3.2"}
	}
	if d, ok := tags.Get("d"); ok {
		s.domain = strings.ToLower(d)
	}
	if sel, ok := tags.Get("s"); ok {
		s.selector = strings.ToLower(sel)
	}
	var missing []string
	for _, t := range []string{"i", "a", "b", "d", "s"} {
		if _, ok := tags.Get(t); !ok {
			missing = append(missing, t+"=")
		}
	}
	if len(missing) > 0 {
		return s, &problem{"Required tags of the " + what, "missing: " + strings.Join(missing, " "),
			"without the instance (i=), algorithm (a=), signature (b=), domain (d=) and selector (s=) the " + what + " cannot be checked", ref}
	}
	iv, _ := tags.Get("i")
	if s.instance, err = position(iv); err != nil {
		return s, &problem{"Instance (i=)", "i=" + iv, "i= must be a number from 1 to 50", "RFC 8617 §3.9, §4.2.1"}
	}
	s.algorithm, _ = tags.Get("a")
	switch s.algorithm {
	case "rsa-sha256":
		s.keyType, s.hashName, s.hash = "rsa", "sha256", crypto.SHA256
	case "ed25519-sha256":
		s.keyType, s.hashName, s.hash = "ed25519", "sha256", crypto.SHA256
	case "rsa-sha1":
		return s, &problem{"Algorithm", "a=rsa-sha1",
			"SHA-1 is broken enough that a signature made with it proves little; verifiers must not accept rsa-sha1 any more, for ARC as for DKIM",
			"RFC 8301 §3.1"}
	default:
		return s, &problem{"Algorithm", "a=" + s.algorithm,
			"this validator knows rsa-sha256 and ed25519-sha256; a signature made with another algorithm cannot be checked",
			"RFC 6376 §3.3, RFC 8463 §3"}
	}
	b, _ := tags.Get("b")
	if s.sig, err = decodeB64(b); err != nil {
		return s, &problem{"Signature data (b=)", err.Error(), "b= must be base64", "RFC 6376 §3.5"}
	}
	if len(s.sig) == 0 {
		return s, &problem{"Signature data (b=)", "b= is empty", "there is no signature to check", "RFC 6376 §3.5"}
	}
	if !validDomain(s.domain) {
		return s, &problem{"Domain (d=)", "d=" + s.domain, "d= must be a domain name", "RFC 6376 §3.5"}
	}
	if !validSelector(s.selector) {
		return s, &problem{"Selector (s=)", "s=" + s.selector, "s= must be one or more DNS labels", "RFC 6376 §3.1, §3.5"}
	}
	if t, ok := tags.Get("t"); ok {
		n, ok := digits(t, 0)
		if !ok {
			return s, &problem{"Time (t=)", "t=" + t, "t= must be a number of seconds since 1970", "RFC 6376 §3.5"}
		}
		s.timestamp = n
	}
	return s, nil
}

// decodeB64 decodes base64 after removing folding white space (RFC 6376
// §3.5 b=, bh=).
func decodeB64(v string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, v)
	b, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	return b, nil
}

// digits reads 1*DIGIT with at most max digits (0: any); values beyond
// int64 saturate.
func digits(v string, max int) (int64, bool) {
	if v == "" || (max > 0 && len(v) > max) {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

// validDomain checks a d= of at least two labels (RFC 6376 §3.5). The
// RFC's d= is ASCII; U-labels (RFC 8617 §4.1.4) are let through for DNS to
// judge.
func validDomain(d string) bool {
	return validSelector(d) && strings.Contains(d, ".")
}

// validSelector checks one or more DNS labels of letters, digits, "-" and
// "_" (selectors use "_"), or non-ASCII U-labels.
func validSelector(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80) {
				return false
			}
		}
	}
	return true
}

func unixString(t int64) string {
	if t < 0 {
		return ""
	}
	if t == math.MaxInt64 || t > 1<<40 {
		return "far in the future"
	}
	return time.Unix(t, 0).UTC().Format(time.RFC3339)
}

// tagSteps explains each tag of an ARC signature, unknown ones too.
func tagSteps(tags dkim.TagList, seal bool) []trace.Step {
	var out []trace.Step
	for _, t := range tags {
		st := trace.Step{Title: t.Name + "=", Result: trace.Info, Detail: t.Value, Ref: "RFC 8617 §4.1.2"}
		if seal {
			st.Ref = "RFC 8617 §4.1.3"
		}
		switch t.Name {
		case "i":
			st.Explain = "instance: which ARC set this belongs to, counting hops from 1"
			st.Ref = "RFC 8617 §4.2.1"
		case "a":
			st.Explain = "signing algorithm: key type and hash"
		case "b":
			st.Explain = "the signature itself, base64"
			if v := strings.Join(strings.Fields(t.Value), ""); len(v) > 48 {
				st.Detail = v[:24] + "…" + v[len(v)-16:]
			}
		case "bh":
			st.Explain = "hash of the canonicalized body, base64"
		case "c":
			st.Explain = "canonicalization for header/body: how much white space change the signature tolerates"
		case "d":
			st.Explain = "the domain of the intermediary that signed"
			if seal {
				st.Explain = "the sealer: the domain of the intermediary that added this ARC set and vouches for it"
			}
		case "s":
			st.Explain = "selector: which of the domain's keys signed, found at <s>._domainkey.<d>"
		case "h":
			st.Explain = "header fields covered by the signature, in order"
			if seal {
				st.Explain = "an ARC-Seal must not have h=: the fields it covers are fixed by RFC 8617 §5.1.1"
			}
			st.Detail = strings.Join(dkim.ParseHeaderList(t.Value), ":")
		case "l":
			st.Explain = "body length: only this many body bytes are signed"
		case "t":
			st.Explain = "signing time, seconds since 1970"
			if n, ok := digits(t.Value, 0); ok {
				st.Detail += " (" + unixString(n) + ")"
			}
		case "x":
			st.Explain = "expiry time, seconds since 1970"
			if n, ok := digits(t.Value, 0); ok {
				st.Detail += " (" + unixString(n) + ")"
			}
		case "cv":
			st.Explain = "chain validation status the sealer found when the message reached it: none (no chain yet), pass or fail"
			st.Ref = "RFC 8617 §4.4"
		case "v":
			st.Explain = "a version tag is not defined for ARC signatures and is ignored"
		default:
			st.Explain = "a tag RFC 8617 does not define for this field: it is ignored"
			st.Ref = "RFC 6376 §3.2"
		}
		out = append(out, st)
	}
	return out
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
