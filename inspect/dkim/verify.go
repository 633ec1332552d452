package dkim

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha256" // crypto.SHA256.New
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// DefaultMaxSignatures is how many signatures Verify checks when
// Options.MaxSignatures is zero (RFC 6376 §6.1 and §8.4 let a verifier
// limit them, against denial of service).
const DefaultMaxSignatures = 10

// Options is what Verify needs besides the message.
type Options struct {
	Resolver dnsx.Resolver // asked for <selector>._domainkey.<domain> TXT
	// Now is the evaluation time: x= and t= are judged against it. The
	// caller passes --at, the current time, or the time the message crossed
	// the trust boundary. When zero, expiry is not judged and a step says so.
	Now time.Time
	// Strict makes a valid signature with l= give policy instead of a
	// warned pass (--strict-dkim).
	Strict bool
	// MaxSignatures caps how many signatures are verified; zero means
	// DefaultMaxSignatures. The rest are listed as not checked.
	MaxSignatures int
	// FromDomain is the domain of the From address, used to warn when d=
	// cannot give DMARC alignment. When empty it is read from the From
	// header field.
	FromDomain string
	// Keys, when set, keeps parsed key records for the whole run (one
	// KeyCache shared by every message and worker); nil parses each key
	// record every time it is fetched.
	Keys *KeyCache
}

// Signature is the verification of one DKIM-Signature header field. It
// marshals as one element of the report's dkim array (CONTRACT.md).
type Signature struct {
	Result    trace.Result `json:"result"` // pass, fail, neutral, temperror, permerror, policy (RFC 8601 §2.7.1)
	Domain    string       `json:"domain"`
	Selector  string       `json:"selector"`
	Algorithm string       `json:"algorithm"`
	KeyBits   int          `json:"key_bits"`
	Reason    string       `json:"reason"` // one plain sentence
	Steps     []trace.Step `json:"steps"`

	Identity         string   `json:"identity"`         // i=, or "@" + d= when absent
	Headers          []string `json:"headers"`          // h=, as written
	Canonicalization string   `json:"canonicalization"` // header/body, e.g. relaxed/simple
	Timestamp        string   `json:"timestamp"`        // t= in RFC 3339, "" when absent
	Expires          string   `json:"expires"`          // x= in RFC 3339, "" when absent
	// BodyLength is l=, nil when absent; UnsignedBodyBytes is how many
	// canonical body bytes lie beyond it.
	BodyLength        *int64 `json:"body_length"`
	UnsignedBodyBytes int64  `json:"unsigned_body_bytes"`
	// BodyHashOK and HeaderSignatureOK are nil when the check was not
	// reached.
	BodyHashOK        *bool    `json:"body_hash_ok"`
	HeaderSignatureOK *bool    `json:"header_signature_ok"`
	Testing           bool     `json:"testing"` // the key has t=y
	Warnings          []string `json:"warnings"`
	NotChecked        bool     `json:"not_checked,omitempty"` // beyond MaxSignatures
	Field             int      `json:"field"`                 // index of the DKIM-Signature among the header fields, from the top
}

// FieldName is the header field that carries a DKIM signature.
const FieldName = "DKIM-Signature"

// Verify checks every DKIM-Signature of raw (the message exactly as
// stored, LF or CRLF line ends) and returns one Signature each, in header
// order. It never fails: a signature that cannot be checked is a result.
func Verify(ctx context.Context, raw []byte, opts Options) []Signature {
	m := Split(raw)
	idx := make([]int, 0, 4)
	for i, f := range m.Fields {
		if f.Is(FieldName) {
			idx = append(idx, i)
		}
	}
	max := opts.MaxSignatures
	if max <= 0 {
		max = DefaultMaxSignatures
	}
	v := &verifier{ctx: ctx, m: m, opts: opts, from: fromDomain(m, opts.FromDomain)}
	out := make([]Signature, 0, len(idx))
	for n, i := range idx {
		if n >= max {
			out = append(out, v.notChecked(i, n, len(idx), max))
			continue
		}
		out = append(out, v.verify(i, n, len(idx)))
	}
	return out
}

type verifier struct {
	ctx    context.Context
	m      Message
	opts   Options
	hashes []bodyHashOf // body hashes computed so far, shared by signatures that ask the same
	buf    []byte       // scratch space between canonicalization and hash
	hbuf   []byte       // scratch space for the signed header data and the stripped signature
	from   fromInfo
	counts *[len(oversigned)]int // how many fields of each oversigned name the message has, once counted
}

// headerHash is HeaderHash over the verifier's scratch space: the data is
// hashed and dropped, so one buffer serves every signature of the message.
// The signature field is stripped of its b= value with the tags already
// parsed from it, which are the ones StripB would parse again.
func (v *verifier) headerHash(picked []int, self int, sig *Sig) ([]byte, error) {
	field := v.m.Fields[self].Raw
	colon := bytes.IndexByte(field, ':')
	b, ok := -1, false
	for j, t := range sig.Tags {
		if t.Name == "b" {
			b, ok = j, true
			break
		}
	}
	if colon < 0 || !ok {
		sum, _, err := HeaderHash(v.m, picked, field, sig.HeaderCanon, sig.Hash)
		return sum, err
	}
	start, end := colon+1+sig.Tags[b].ValueStart, colon+1+sig.Tags[b].ValueEnd
	need := len(field) - (end - start) + headerDataSize(v.m, picked, len(field))
	if cap(v.hbuf) < need {
		v.hbuf = make([]byte, 0, need)
	}
	stripped := append(append(v.hbuf[:0], field[:start]...), field[end:]...)
	data := appendHeaderData(stripped[len(stripped):], v.m, picked, stripped, sig.HeaderCanon)
	hh := sig.Hash.New()
	hh.Write(data)
	return hh.Sum(nil), nil
}

// bodyHashOf is a body hash and what determines it.
type bodyHashOf struct {
	canon Canon
	hash  crypto.Hash
	limit int64
	bh    BodyHash
}

// bodyHash hashes the body once per canonicalization, hash and l=: two
// signatures that agree on all three (a domain's and its ESP's, often)
// share the work.
func (v *verifier) bodyHash(c Canon, h crypto.Hash, limit int64) BodyHash {
	for _, x := range v.hashes {
		if x.canon == c && x.hash == h && x.limit == limit {
			return x.bh
		}
	}
	if v.buf == nil {
		v.buf = make([]byte, 0, min(bodyChunk, len(v.m.Body)+len(v.m.Body)/8+64))
	}
	bh := hashRawBody(v.m.Body, c, h, limit, v.buf)
	v.hashes = append(v.hashes, bodyHashOf{c, h, limit, bh})
	return bh
}

func newSignature(field int) Signature {
	return Signature{Steps: []trace.Step{}, Warnings: []string{}, Headers: []string{}, Field: field}
}

func (v *verifier) notChecked(i, n, total, max int) Signature {
	s := newSignature(i)
	s.NotChecked = true
	if sig, _ := parseSignature(string(v.m.Fields[i].Value())); sig != nil {
		s.Domain, s.Selector = sig.Domain, sig.Selector
		s.Algorithm, _ = sig.Tags.Get("a")
	}
	s.Result = trace.Neutral
	s.Reason = fmt.Sprintf("Not checked: headercheck verifies at most %d signatures per message.", max)
	s.Steps = append(s.Steps, trace.Step{
		Title:   fmt.Sprintf("DKIM-Signature %d of %d not checked", n+1, total),
		Result:  trace.Neutral,
		Detail:  string(trimEOL(v.m.Fields[i].Raw)),
		Explain: fmt.Sprintf("a verifier may limit how many signatures it tries, so that a message stuffed with signatures cannot make it do endless DNS lookups and RSA operations; headercheck stops after %d (--max-dkim raises the limit), and this one was not verified", max),
		Ref:     "RFC 6376 §6.1, §8.4",
	})
	return s
}

func (v *verifier) verify(i, n, total int) Signature {
	out := newSignature(i)
	// Room for the steps of a signature that is checked to the end, made
	// once instead of grown step by step.
	out.Steps = make([]trace.Step, 0, 12)
	field := v.m.Fields[i]
	sig, prob := parseSignature(string(field.Value()))
	out.Domain, out.Selector = sig.Domain, sig.Selector
	out.Algorithm, _ = sig.Tags.Get("a")
	out.Steps = append(out.Steps, trace.Step{
		Title:   "Read DKIM-Signature " + strconv.Itoa(n+1) + " of " + strconv.Itoa(total),
		Result:  trace.Info,
		Detail:  string(trimEOL(field.Raw)),
		Explain: "a DKIM-Signature is a list of tag=value pairs; each tag is explained below, unknown ones included (they are signed but otherwise ignored)",
		Ref:     "RFC 6376 §3.5",
		Steps:   sigTagSteps(sig.Tags),
	})
	if prob != nil {
		out.Steps = append(out.Steps, prob.step())
		return out.finish(prob.result, prob.reason)
	}
	out.Identity = sig.Identity
	out.Headers = sig.Headers
	out.Canonicalization = canonPair(sig.HeaderCanon, sig.BodyCanon)
	if sig.Timestamp >= 0 {
		out.Timestamp = unixString(sig.Timestamp)
	}
	if sig.Expires >= 0 {
		out.Expires = unixString(sig.Expires)
	}
	if sig.Length >= 0 {
		l := sig.Length
		out.BodyLength = &l
	}

	// RFC 8301 §3.1: rsa-sha1 has permanently failed evaluation.
	if sig.Algorithm == "rsa-sha1" {
		out.Steps = append(out.Steps, trace.Step{Title: "Algorithm", Result: trace.Fail, Detail: "a=rsa-sha1",
			Explain: "SHA-1 is broken enough that a signature made with it proves little, so verifiers must not accept rsa-sha1 any more; the signature fails whatever it covers",
			Ref:     "RFC 8301 §3.1"})
		return out.finish(trace.Fail, "The signature uses rsa-sha1, which verifiers must no longer accept (RFC 8301).")
	}
	alg := trace.Step{Title: "Algorithm", Result: trace.Info, Detail: "a=" + sig.Algorithm}
	if sig.KeyType == "ed25519" {
		alg.Explain, alg.Ref = "Ed25519 signature over a SHA-256 hash of the signed header fields", "RFC 8463 §3"
	} else {
		alg.Explain, alg.Ref = "RSA signature (PKCS#1 v1.5) over a SHA-256 hash of the signed header fields", "RFC 6376 §3.3.2"
	}
	out.Steps = append(out.Steps, alg)
	expired := v.timeSteps(&out, sig)

	kl := v.opts.Keys.LookupKey(v.ctx, v.opts.Resolver, sig.Selector, sig.Domain)
	out.Steps = append(out.Steps, kl.Steps...)
	if kl.Result != "" {
		return out.finish(kl.Result, kl.Reason)
	}
	key := kl.Key
	out.KeyBits = key.Bits
	if p := v.keySteps(&out, sig, key); p != nil {
		out.Steps = append(out.Steps, p.step())
		return out.finish(p.result, p.reason)
	}

	bodyOK := v.bodyStep(&out, sig)
	headerOK := v.headerStep(&out, sig, key, i, bodyOK)
	v.warnSteps(&out, sig)

	switch {
	case !bodyOK && !headerOK:
		return out.finish(trace.Fail, "Neither the body nor the signed header fields match the signature: the message was changed after signing, the signature was copied from another message, or the key in DNS is not the one that signed.")
	case !bodyOK:
		return out.finish(trace.Fail, "The body was changed after signing, or the signature was copied from another message: the body's hash no longer matches bh=, though the signed header fields are intact.")
	case !headerOK:
		return out.finish(trace.Fail, "The body is as signed, but the header signature does not verify: a signed header field was changed, or the key in DNS is not the one that signed.")
	case expired:
		return out.finish(trace.PermError, "The signature was valid but expired at "+out.Expires+", before the evaluation time.")
	case sig.Length >= 0 && v.opts.Strict:
		return out.finish(trace.Policy, fmt.Sprintf("The signature verifies but covers only the first %d body bytes (l=), which strict DKIM policy does not accept.", sig.Length))
	case sig.Length >= 0:
		return out.finish(trace.Pass, fmt.Sprintf("The signature of %s verifies, but only for the first %d body bytes (l=): %d bytes after them are not signed.", sig.Domain, sig.Length, out.UnsignedBodyBytes))
	}
	return out.finish(trace.Pass, "The signature of "+sig.Domain+" verifies: the body and the signed header fields are exactly as signed.")
}

// canonPair is header + "/" + body, made once for each of the four pairs.
func canonPair(header, body Canon) string {
	switch {
	case header == Simple && body == Simple:
		return "simple/simple"
	case header == Simple && body == Relaxed:
		return "simple/relaxed"
	case header == Relaxed && body == Simple:
		return "relaxed/simple"
	case header == Relaxed && body == Relaxed:
		return "relaxed/relaxed"
	}
	return string(header) + "/" + string(body)
}

func (s Signature) finish(r trace.Result, reason string) Signature {
	s.Result, s.Reason = r, reason
	return s
}

func unixString(t int64) string {
	if t == math.MaxInt64 {
		return "never"
	}
	return time.Unix(t, 0).UTC().Format(time.RFC3339)
}

// withTime is prefix + unixString(t) + suffix, made in one allocation:
// the time is formatted on the stack.
func withTime(prefix string, t int64, suffix string) string {
	if t == math.MaxInt64 {
		return prefix + "never" + suffix
	}
	var buf [40]byte
	return prefix + string(time.Unix(t, 0).UTC().AppendFormat(buf[:0], time.RFC3339)) + suffix
}

// timeSteps judges t= and x= against Options.Now (RFC 6376 §3.5) and
// reports whether the signature has expired.
func (v *verifier) timeSteps(out *Signature, sig *Sig) (expired bool) {
	now := v.opts.Now
	if now.IsZero() {
		if sig.Expires >= 0 || sig.Timestamp >= 0 {
			out.Steps = append(out.Steps, trace.Step{Title: "Signing and expiry times", Result: trace.Info,
				Detail:  "t=" + orDash(out.Timestamp) + " x=" + orDash(out.Expires),
				Explain: "no evaluation time was given, so whether the signature had expired was not judged", Ref: "RFC 6376 §3.5"})
		}
		return false
	}
	at := now.UTC().Format(time.RFC3339)
	if sig.Expires >= 0 {
		st := trace.Step{Title: "Expiry (x=)", Detail: "x=" + out.Expires + ", evaluated at " + at, Ref: "RFC 6376 §3.5, §6.1.1"}
		if sig.Expires != math.MaxInt64 && now.Unix() > sig.Expires {
			expired = true
			st.Result = trace.PermError
			st.Explain = "the signer said this signature is valid only until x=, and the evaluation time is later; the hashes are still checked below to show whether it was genuine"
		} else {
			st.Result = trace.Info
			st.Explain = "the evaluation time is before the expiry the signer set"
		}
		out.Steps = append(out.Steps, st)
	}
	if sig.Timestamp >= 0 && (sig.Timestamp == math.MaxInt64 || sig.Timestamp > now.Unix()) {
		d := "far in the future"
		switch diff := sig.Timestamp - now.Unix(); {
		case sig.Timestamp == math.MaxInt64 || diff > 100*365*86400:
		case diff >= 2*86400:
			d = fmt.Sprintf("%d days after the evaluation time", diff/86400)
		default:
			d = (time.Duration(diff) * time.Second).String() + " after the evaluation time"
		}
		msg := "The signature claims to have been made in the future (t=" + out.Timestamp + ", " + d + ")."
		out.Warnings = append(out.Warnings, msg)
		out.Steps = append(out.Steps, trace.Step{Title: "Signing time (t=)", Result: trace.Warn,
			Detail:  "t=" + out.Timestamp + ", evaluated at " + at,
			Explain: "the signature says it was made " + d + "; a signer's clock may be wrong, or the evaluation time is too early, and a verifier may ignore such a signature — headercheck only warns",
			Ref:     "RFC 6376 §3.5"})
	}
	return expired
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// keySteps checks that the key fits the signature (RFC 6376 §6.1.2 steps
// 6–8, RFC 8301 §3.2, RFC 8463) and records the key's flags.
func (v *verifier) keySteps(out *Signature, sig *Sig, key *Key) *problem {
	if key.Revoked {
		return &problem{result: trace.PermError, title: "Key revoked", detail: "p= is empty",
			explain: "an empty p= is how a domain revokes a key: it still knows the selector but every signature made with it must fail", ref: "RFC 6376 §3.6.1, §6.1.2 step 7",
			reason: "The key for selector " + sig.Selector + " has been revoked (empty p=)."}
	}
	if key.Services != nil {
		ok := false
		for _, s := range key.Services {
			ok = ok || s == "email" || s == "*"
		}
		if !ok {
			return &problem{result: trace.PermError, title: "Key service type", detail: "s=" + strings.Join(key.Services, ":"),
				explain: `the key record is limited to services that do not include email, so it must not be used for mail`, ref: "RFC 6376 §3.6.1",
				reason: "The key is not meant for email (s=)."}
		}
	}
	if key.Type != sig.KeyType || key.Public == nil {
		return &problem{result: trace.PermError, title: "Key type", detail: "key k=" + key.Type + ", signature a=" + sig.Algorithm,
			explain: "the signature needs a key of type " + sig.KeyType + " and the record holds one of type " + key.Type, ref: "RFC 6376 §6.1.2 step 8",
			reason: "The key in DNS is of another type (" + key.Type + ") than the signature needs (" + sig.KeyType + ")."}
	}
	if key.Hashes != nil {
		ok := false
		for _, h := range key.Hashes {
			ok = ok || h == sig.HashName
		}
		if !ok {
			return &problem{result: trace.PermError, title: "Key hash algorithms", detail: "h=" + strings.Join(key.Hashes, ":") + ", signature uses " + sig.HashName,
				explain: "the key record lists the hashes it may be used with, and the signature's is not among them", ref: "RFC 6376 §6.1.2 step 6",
				reason: "The key does not allow the signature's hash algorithm."}
		}
	}
	if key.Strict() && sig.HasI {
		if at := strings.LastIndexByte(sig.Identity, '@'); strings.ToLower(sig.Identity[at+1:]) != sig.Domain {
			return &problem{result: trace.PermError, title: "Key flag t=s", detail: "i=" + sig.Identity + ", d=" + sig.Domain,
				explain: "the key has flag s, so the domain of i= must be exactly d=, not a subdomain", ref: "RFC 6376 §3.6.1, §3.10",
				reason: "The key forbids subdomains in i= (t=s), and this signature uses one."}
		}
	}
	size := trace.Step{Title: "Key type and size", Result: trace.Info}
	if sig.KeyType == "ed25519" {
		size.Detail = "Ed25519, 256 bits"
		size.Explain, size.Ref = "an Ed25519 key is always 256 bits, as strong as a ~3000-bit RSA key", "RFC 8463 §4.2"
	} else {
		size.Detail = fmt.Sprintf("RSA, %d bits", key.Bits)
		size.Ref = "RFC 8301 §3.2"
		if key.Bits < 1024 {
			size.Result = trace.Fail
			size.Explain = fmt.Sprintf("RSA keys under 1024 bits can be broken with ordinary computing power, so anyone may have made this signature; verifiers must not accept them (this key has %d bits)", key.Bits)
			out.Steps = append(out.Steps, size)
			return &problem{result: trace.Fail, title: "Key too short", detail: size.Detail,
				explain: "the signature is not checked further: a key this short proves nothing", ref: "RFC 8301 §3.2",
				reason: fmt.Sprintf("The RSA key is only %d bits; verifiers must refuse keys under 1024 bits (RFC 8301).", key.Bits)}
		}
		size.Explain = "RSA keys of 1024 bits and more are accepted; 2048 bits are recommended for signers"
	}
	out.Steps = append(out.Steps, size)
	if key.Testing() {
		out.Testing = true
		msg := "The key is marked as testing (t=y): the domain asks receivers to treat its mail as unsigned, whatever the result."
		out.Warnings = append(out.Warnings, msg)
		out.Steps = append(out.Steps, trace.Step{Title: "Key in testing mode", Result: trace.Warn, Detail: "t=y",
			Explain: "the domain is testing DKIM; receivers must not treat its mail differently from unsigned mail, so even a pass here should not earn trust",
			Ref:     "RFC 6376 §3.6.1"})
	}
	return nil
}

// bodyStep computes the body hash (RFC 6376 §3.7 step 1, §6.1.3 step 3)
// and, for l=, what the signature leaves uncovered (§8.2).
func (v *verifier) bodyStep(out *Signature, sig *Sig) bool {
	bh := v.bodyHash(sig.BodyCanon, sig.Hash, sig.Length)
	ok := !bh.Short && bytes.Equal(bh.Sum, sig.BodyHash)
	out.BodyHashOK = &ok
	// "computed %s over %d bytes of %s-canonicalized body; bh= says %s",
	// made in one allocation: the hashes are encoded on the stack.
	var d strings.Builder
	d.Grow(90 + base64.StdEncoding.EncodedLen(len(bh.Sum)) + base64.StdEncoding.EncodedLen(len(sig.BodyHash)))
	d.WriteString("computed ")
	writeB64(&d, bh.Sum)
	d.WriteString(" over ")
	writeInt(&d, bh.Hashed)
	d.WriteString(" bytes of ")
	d.WriteString(string(sig.BodyCanon))
	d.WriteString("-canonicalized body; bh= says ")
	writeB64(&d, sig.BodyHash)
	st := trace.Step{Title: "Body hash (bh=)", Ref: "RFC 6376 §3.7, §6.1.3 step 3", Detail: d.String()}
	switch {
	case bh.Short:
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("l= says the signature covers %d body bytes, but the canonical body has only %d: the body was cut short after signing", sig.Length, bh.Canonical)
	case ok:
		st.Result = trace.Pass
		st.Explain = "the body, canonicalized as c= says, hashes to exactly the value the signer recorded: the body was not changed in transit"
	default:
		st.Result = trace.Fail
		st.Explain = "the body no longer hashes to the value the signer recorded, so it is not the body that was signed: it was changed after signing (a footer added by a mailing list, re-encoding, or tampering), or the signature was copied from another message onto this one — it carries the other message's body hash, so it fails here"
		if sig.BodyCanon == Simple {
			st.Explain += "; with c=.../simple even a changed space or line ending counts"
		}
	}
	out.Steps = append(out.Steps, st)
	if sig.Length >= 0 && !bh.Short {
		out.UnsignedBodyBytes = bh.Canonical - bh.Hashed
		lst := trace.Step{Title: "Body length limit (l=)", Result: trace.Warn, Ref: "RFC 6376 §3.5, §8.2"}
		if out.UnsignedBodyBytes == 0 {
			lst.Detail = fmt.Sprintf("l=%d; the canonical body has %d bytes, all of them signed", sig.Length, bh.Canonical)
			lst.Explain = "the whole body is covered now, but l= means anyone may append text to this message without breaking the signature"
			out.Warnings = append(out.Warnings, "The signature has l=: text could be appended to the body without breaking it.")
		} else {
			lst.Detail = fmt.Sprintf("l=%d; the canonical body has %d bytes; the last %d are not signed: %s", sig.Length, bh.Canonical, out.UnsignedBodyBytes, Preview(bh.Tail, 200))
			lst.Explain = fmt.Sprintf("only the first %d bytes of the body are signed; the %d bytes after them could have been added by anyone — an attacker can append a whole new message part — and the signature would still verify", sig.Length, out.UnsignedBodyBytes)
			out.Warnings = append(out.Warnings, fmt.Sprintf("Only the first %d body bytes are signed (l=); %d bytes after them are not covered and could have been added by anyone.", sig.Length, out.UnsignedBodyBytes))
		}
		if v.opts.Strict {
			lst.Explain += "; strict DKIM (--strict-dkim) does not accept l=, so a valid signature gives policy"
		} else {
			lst.Explain += "; like most large receivers, headercheck still reports pass unless --strict-dkim is given"
		}
		out.Steps = append(out.Steps, lst)
	}
	return ok
}

// headerStep computes the header hash and checks the signature over it
// (RFC 6376 §3.7 step 2, §6.1.3 step 4).
func (v *verifier) headerStep(out *Signature, sig *Sig, key *Key, self int, bodyOK bool) bool {
	picked := v.m.Pick(sig.Headers, self)
	const (
		head   = "signed, in order: "
		absent = " (absent: signs that there is none)"
		tail   = ", then this DKIM-Signature without its b= value"
	)
	// Each name with the field it picked, "%s (field %d)", or absent,
	// joined by ", ", sized first so that it is made once.
	size := len(head) + len(tail)
	for j, p := range picked {
		if p < 0 {
			size += len(sig.Headers[j]) + len(absent) + 2
		} else {
			size += len(v.m.Fields[p].name()) + 20
		}
	}
	var d strings.Builder
	d.Grow(size)
	d.WriteString(head)
	for j, p := range picked {
		if j > 0 {
			d.WriteString(", ")
		}
		if p < 0 {
			d.WriteString(sig.Headers[j])
			d.WriteString(absent)
			continue
		}
		d.Write(v.m.Fields[p].name())
		d.WriteString(" (field ")
		writeInt(&d, int64(p+1))
		d.WriteByte(')')
	}
	d.WriteString(tail)
	st := trace.Step{Title: "Header signature (b=)", Ref: "RFC 6376 §3.7, §5.4.2, §6.1.3 step 4", Detail: d.String()}
	sum, err := v.headerHash(picked, self, sig)
	if err == nil {
		err = VerifyHash(key.Public, sig.Hash, sum, sig.Signature)
	}
	ok := err == nil
	out.HeaderSignatureOK = &ok
	switch {
	case ok:
		st.Result = trace.Pass
		st.Explain = "the key in DNS confirms the signature over these header fields and the signature's own tags: they are exactly as the signer sent them"
	case bodyOK:
		st.Result = trace.Fail
		st.Explain = "the body is intact, so either one of the signed header fields (or a tag of the signature) was changed after signing, or the key published in DNS is not the key that signed (for example, it was replaced since)"
	default:
		st.Result = trace.Fail
		st.Explain = "the signature over the header fields does not verify either: header fields changed too, the signature was copied from another message, or the key in DNS is not the key that signed"
	}
	if !ok {
		st.Explain += "; to pass, an attacker needs the private key of " + sig.Selector + "._domainkey." + sig.Domain + ", which only the signer should hold"
	}
	out.Steps = append(out.Steps, st)
	return ok
}

func b64(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return encodeB64(b)
}

// writeB64 writes b64(b) without making the string.
func writeB64(s *strings.Builder, b []byte) {
	if len(b) == 0 {
		s.WriteString("(empty)")
		return
	}
	var buf [64]byte
	s.Write(base64.StdEncoding.AppendEncode(buf[:0], b))
}

// writeInt writes n in decimal, as %d does, without making the string.
func writeInt(s *strings.Builder, n int64) {
	var buf [20]byte
	s.Write(strconv.AppendInt(buf[:0], n, 10))
}

// sigTagSteps explains each tag of a DKIM-Signature, unknown ones too.
func sigTagSteps(tags TagList) []trace.Step {
	var out []trace.Step
	if len(tags) > 0 {
		out = make([]trace.Step, 0, len(tags))
	}
	for _, t := range tags {
		st := trace.Step{Title: t.Name + "=", Result: trace.Info, Detail: t.Value, Ref: "RFC 6376 §3.5"}
		switch t.Name {
		case "v":
			st.Explain = "version; must be 1"
		case "a":
			st.Explain = "signing algorithm: key type and hash"
		case "b":
			st.Explain = "the signature itself, base64"
			st.Detail = abbrevFWS(t.Value)
		case "bh":
			st.Explain = "hash of the canonicalized body, base64"
			st.Detail = stripFWS(t.Value)
		case "c":
			st.Explain = "canonicalization for header/body: how much whitespace change the signature tolerates"
		case "d":
			st.Explain = "the signing domain, which takes responsibility for the message"
		case "s":
			st.Explain = "selector: which of the domain's keys signed, found at <s>._domainkey.<d>"
		case "h":
			st.Explain = "header fields covered by the signature, in order"
			st.Detail = joinHeaderList(t.Value)
		case "i":
			st.Explain = "identity (user or agent) the domain signs for; must be within d="
		case "l":
			st.Explain = "body length: only this many body bytes are signed"
			st.Ref = "RFC 6376 §3.5, §8.2"
		case "q":
			st.Explain = "how to fetch the key; dns/txt is the only method"
		case "t":
			st.Explain = "signing time, seconds since 1970"
			if n, ok := parseDigits(t.Value, 0); ok {
				st.Detail = withTime(t.Value+" (", n, ")")
			}
		case "x":
			st.Explain = "expiry time, seconds since 1970"
			if n, ok := parseDigits(t.Value, 0); ok {
				st.Detail = withTime(t.Value+" (", n, ")")
			}
		case "z":
			st.Explain = "copies of the header fields as signed, for diagnosis only"
		default:
			st.Explain = "a tag this verifier does not know: it is covered by the signature but otherwise ignored"
			st.Ref = "RFC 6376 §3.2, §3.5"
		}
		out = append(out, st)
	}
	return out
}
