package dkim_test

import (
	"bytes"
	"crypto"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/emersion/go-msgauth/dkim"
	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/trace"
)

func FuzzParseTagList(f *testing.F) {
	for _, c := range tagListCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := ours.ParseTagList(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if seen[tag.Name] {
				t.Errorf("ParseTagList(%q): %q twice", s, tag.Name)
			}
			seen[tag.Name] = true
			if tag.ValueStart < 0 || tag.ValueStart > tag.ValueEnd || tag.ValueEnd > len(s) {
				t.Fatalf("ParseTagList(%q): span %d:%d out of range", s, tag.ValueStart, tag.ValueEnd)
			}
			span := s[tag.ValueStart:tag.ValueEnd]
			if strings.Contains(span, ";") || !strings.Contains(span, tag.Value) || strings.Trim(span, " \t\r\n") != tag.Value {
				t.Errorf("ParseTagList(%q): %s=%q does not match its span %q", s, tag.Name, tag.Value, span)
			}
			if s[tag.ValueStart-1] != '=' {
				t.Errorf("ParseTagList(%q): the value of %s does not follow an =", s, tag.Name)
			}
		}
	})
}

func FuzzParseKey(f *testing.F) {
	for _, c := range keyCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ours.ParseKey(s)
		if err != nil {
			return
		}
		switch {
		case k.Revoked && k.Public != nil:
			t.Errorf("ParseKey(%q): revoked but has a key", s)
		case !k.Revoked && (k.Type == "rsa" || k.Type == "ed25519") && (k.Public == nil || k.Bits <= 0):
			t.Errorf("ParseKey(%q): %s key without key material", s, k.Type)
		}
	})
}

// FuzzCanon checks properties of canonicalization that hold for any input:
// it is idempotent, relaxed forgives what it says it forgives, and the
// header splitter loses no byte.
func FuzzCanon(f *testing.F) {
	f.Add([]byte(rfcExample))
	f.Add([]byte(baseMsg))
	f.Add([]byte(lf(baseMsg)))
	f.Add([]byte("A: 1\r\n\r\n\r\n \t\r\nx\ry\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := ours.Split(raw)
		var joined []byte
		for _, fl := range m.Fields {
			joined = append(joined, fl.Raw...)
		}
		if !bytes.HasPrefix(raw, joined) || !bytes.Equal(raw[m.BodyOffset:], m.Body) || m.BodyOffset < len(joined) {
			t.Fatalf("Split(%q) loses bytes", raw)
		}
		for _, c := range []ours.Canon{ours.Simple, ours.Relaxed} {
			once := ours.CanonBody(m.Body, c)
			if twice := ours.CanonBody(once, c); !bytes.Equal(once, twice) {
				t.Errorf("CanonBody(%q, %s) not idempotent: %q then %q", m.Body, c, once, twice)
			}
			if bytes.Contains(once, []byte("\r\n\r\n")) && bytes.HasSuffix(once, []byte("\r\n\r\n")) {
				t.Errorf("CanonBody(%q, %s) = %q ends in an empty line", m.Body, c, once)
			}
			for _, fl := range m.Fields {
				h := ours.CanonHeader(nil, fl.Raw, c)
				if !bytes.HasSuffix(h, []byte("\r\n")) || bytes.Count(h, []byte("\n")) > bytes.Count(ours.CRLF(fl.Raw), []byte("\n"))+1 {
					t.Errorf("CanonHeader(%q, %s) = %q", fl.Raw, c, h)
				}
			}
		}
		relaxed := ours.CanonBody(m.Body, ours.Relaxed)
		if spaced := ours.CanonBody(bytes.ReplaceAll(m.Body, []byte(" "), []byte(" \t ")), ours.Relaxed); !bytes.Equal(spaced, relaxed) && !bytes.Contains(m.Body, []byte("\r")) {
			t.Errorf("relaxed body canonicalization is not blind to runs of whitespace: %q vs %q", relaxed, spaced)
		}
	})
}

// FuzzVerify feeds arbitrary messages to Verify: it must not panic or
// hang, must give one result per DKIM-Signature field, and every result
// must be one RFC 8601 §2.7.1 names, with a reason.
func FuzzVerify(f *testing.F) {
	e := newEnv(f)
	f.Add([]byte(sign(f, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "ed", Signer: e.keys.ed})))
	f.Add([]byte("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=rsa2048; h=from; bh=AAAA; b=AAAA; l=5\r\nFrom: a@example.org\r\n\r\nbody"))
	f.Add([]byte("DKIM-Signature: v=1\nDKIM-Signature: ;;;\nDKIM-Signature:\n\n"))
	f.Add([]byte(rawSign(f, baseMsg, []string{"v=1", "a=ed25519-sha256", "c=relaxed/relaxed", "d=example.org", "s=ed", "l=10", "x=1", "t=0", "h=from"}, e.keys.ed, crypto.SHA256)))
	raw, _ := readTestdata("rfc8463.eml")
	f.Add(raw)
	valid := map[trace.Result]bool{trace.Pass: true, trace.Fail: true, trace.Neutral: true, trace.TempError: true, trace.PermError: true, trace.Policy: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := ours.Verify(t.Context(), raw, ours.Options{Resolver: e.client, MaxSignatures: 3})
		if n := ours.Split(raw).Count(ours.FieldName); len(got) != n {
			t.Fatalf("%d results for %d DKIM-Signature fields", len(got), n)
		}
		for _, s := range got {
			if !valid[s.Result] || s.Reason == "" || len(s.Steps) == 0 {
				t.Errorf("result %q reason %q, %d steps", s.Result, s.Reason, len(s.Steps))
			}
		}
	})
}

// FuzzDifferential is TestDifferential's property on fuzzed messages: the
// fuzzer writes a header and a body, go-msgauth signs them (so the
// signature is valid for whatever bytes the fuzzer chose), the fuzzer may
// change the result, and both verifiers must then agree on pass.
func FuzzDifferential(f *testing.F) {
	e := newEnv(f)
	f.Add(baseHeader, baseBody, uint8(0), uint16(0), "")
	f.Add(baseHeader, baseBody, uint8(0x0f), uint16(40), " ")
	f.Add("From: a@example.org\r\nSubject:  x \r\n\tfolded\r\n", "a  b \r\n\r\n\r\n", uint8(0x35), uint16(7), "\r\n")
	f.Add("From:a@example.org\nTo: b\n", "line\n\n", uint8(0x52), uint16(3), "X")
	f.Add("From: a@example.org\r\nSubject : spaced\r\n", "no final break", uint8(0x99), uint16(200), "From: b@example.org\r\n")
	g := gen{rand.New(rand.NewPCG(1, 2))}
	for range 8 {
		f.Add(g.header(), g.body(), uint8(g.r.Uint32()), uint16(g.r.Uint32()), []string{"", " ", "\t", "\r\n", "x"}[g.r.IntN(5)])
	}
	f.Fuzz(func(t *testing.T, header, body string, flags uint8, pos uint16, insert string) {
		if len(header)+len(body) > 1<<14 {
			return
		}
		sel, key := "ed", crypto.Signer(e.keys.ed)
		if flags&0x80 != 0 {
			sel, key = "rsa1024", e.keys.rsa1024
		}
		canon := func(bit uint8) dkim.Canonicalization {
			if flags&bit != 0 {
				return dkim.CanonicalizationRelaxed
			}
			return dkim.CanonicalizationSimple
		}
		o := dkim.SignOptions{Domain: "example.org", Selector: sel, Signer: key,
			HeaderCanonicalization: canon(1), BodyCanonicalization: canon(2),
			HeaderKeys: headerSets[int(flags>>2&7)%len(headerSets)]}
		sep := "\r\n"
		if flags&0x40 != 0 {
			sep = "\n"
		}
		var b strings.Builder
		if dkim.Sign(&b, strings.NewReader(header+sep+body), &o) != nil {
			return
		}
		msg := b.String()
		if flags&0x20 != 0 && len(msg) > 0 {
			p := int(pos) % len(msg)
			msg = msg[:p] + insert + msg[p:]
		}
		if flags&0x10 != 0 {
			msg = lf(msg)
		}
		if skip := divergence(msg); skip != "" {
			t.Skip(skip)
		}
		want, err := e.oracle(t, msg)
		if err != nil {
			return // go-msgauth could not read the message at all
		}
		got := e.verify(t, msg, ours.Options{})
		if len(got) != len(want) {
			t.Fatalf("%d signatures, go-msgauth %d", len(got), len(want))
		}
		for j := range got {
			if got[j].BodyLength != nil || got[j].Expires != "" {
				continue // outside the property: go-msgauth refuses every l=
			}
			if why := sigDivergence(ours.Split([]byte(msg)).Fields[got[j].Field]); why != "" {
				continue
			}
			if (got[j].Result == trace.Pass) != (want[j] == nil) {
				t.Errorf("signature %d: got %s (%s), go-msgauth %v\n%q", j, got[j].Result, got[j].Reason, want[j], msg)
			}
		}
	})
}

// divergence names the documented ways go-msgauth departs from RFC 6376,
// where the two verifiers are expected to differ; "" when none applies.
func divergence(msg string) string {
	for i := 0; i < len(msg); i++ {
		if msg[i] == '\r' && (i+1 == len(msg) || msg[i+1] != '\n') {
			// go-msgauth's relaxed canonicalization treats a lone CR as a
			// line break (dropping the WSP before it, and the CR itself at
			// the end of the body); RFC 6376 §3.4 knows only CRLF, so a lone
			// CR is data here.
			return "lone CR"
		}
	}
	for _, fl := range ours.Split([]byte(msg)).Fields {
		if n := fl.Name(); strings.TrimSpace(n) != n {
			// go-msgauth trims Unicode white space (\v, \f, U+0085, U+00A0)
			// from field names; RFC 5322 §4.5.3 allows only WSP before
			// the colon, and such a name is not a valid field name.
			return "non-WSP space around a field name"
		}
	}
	return ""
}

// sigDivergence is divergence for one signature field.
func sigDivergence(f ours.Field) string {
	for _, r := range string(f.Value()) {
		if unicode.IsSpace(r) && !strings.ContainsRune(" \t\r\n", r) {
			// go-msgauth deletes all Unicode white space (\v, \f, U+0085,
			// U+00A0) from tag values such as b=, which the signature does
			// not cover; RFC 6376 §2.8 and §3.5 allow only FWS there, so the
			// tag is malformed and the signature neutral here.
			return "non-FWS white space in a tag value"
		}
	}
	tags, err := ours.ParseTagList(string(f.Value()))
	if err != nil {
		return ""
	}
	h, _ := tags.Get("h")
	for _, n := range ours.ParseHeaderList(h) {
		for i := 0; i < len(n) || n == ""; i++ {
			if n == "" || n[i] < 33 || n[i] > 126 {
				// h= names a field that RFC 5322 §3.6.8 does not allow (empty,
				// or with spaces or 8-bit bytes): RFC 6376 §6.1.1 has the
				// signature ignored (neutral here); go-msgauth signs and
				// verifies such names.
				return "invalid field name in h="
			}
		}
	}
	return ""
}

// FuzzParseSignature reads arbitrary DKIM-Signature values: no panic, an
// error that is a sentence, and what is accepted keeps the rules of RFC 6376
// §3.5 and §6.1.1 that the verifier relies on later.
func FuzzParseSignature(f *testing.F) {
	for _, c := range signatureCases {
		f.Add(c.in)
	}
	f.Add("v=1; a=ed25519-sha256; c=relaxed/relaxed; d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane; t=1528637909; h=from : to : subject :\r\n date : message-id : from : subject : date;\r\n bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
	f.Add("v=1; a=rsa-sha1; d=x.example; s=s; h=From; bh=; b=; l=00000000000000000000001; t=0000000000000001; x=99999999999999")
	f.Add("v=1;a=rsa-sha256;d=x.example;s=s;h=from;bh=AAAA;b=AAAA;i=@X.EXAMPLE;q=dns/txt:foo/bar;z=a|b")
	f.Fuzz(func(t *testing.T, v string) {
		s, err := ours.ParseSignature(v)
		if s == nil {
			t.Fatalf("ParseSignature(%q) = nil", v)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "dkim: ") || len(err.Error()) < 10 {
				t.Fatalf("ParseSignature(%q) error %q is not a sentence", v, err)
			}
			return
		}
		if s.Version != "1" || s.Hash == 0 && s.Algorithm != "rsa-sha1" || s.Domain != strings.ToLower(s.Domain) || !strings.Contains(s.Domain, ".") || s.Selector == "" {
			t.Fatalf("ParseSignature(%q) accepted %+v", v, s)
		}
		from := false
		for _, h := range s.Headers {
			from = from || strings.EqualFold(h, "from")
			if h == "" || strings.TrimSpace(h) != h || strings.ContainsAny(h, ":\r\n") {
				t.Fatalf("ParseSignature(%q): h= name %q", v, h)
			}
		}
		if !from {
			t.Fatalf("ParseSignature(%q) accepted a signature that does not cover From", v)
		}
		at := strings.LastIndexByte(s.Identity, '@')
		if at < 0 {
			t.Fatalf("ParseSignature(%q): identity %q has no @", v, s.Identity)
		}
		if id := strings.ToLower(s.Identity[at+1:]); id != s.Domain && !strings.HasSuffix(id, "."+s.Domain) {
			t.Fatalf("ParseSignature(%q): identity %q outside d=%s", v, s.Identity, s.Domain)
		}
		if s.Length < -1 || s.Timestamp < -1 || s.Expires < -1 {
			t.Fatalf("ParseSignature(%q): l=%d t=%d x=%d", v, s.Length, s.Timestamp, s.Expires)
		}
		if s.Timestamp >= 0 && s.Expires >= 0 && s.Expires != math.MaxInt64 && s.Expires <= s.Timestamp {
			t.Fatalf("ParseSignature(%q): expires %d before it was made %d", v, s.Expires, s.Timestamp)
		}
		if !slices.Contains(s.Query, "dns/txt") {
			t.Fatalf("ParseSignature(%q): q= %q without dns/txt", v, s.Query)
		}
	})
}
