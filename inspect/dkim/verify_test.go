package dkim_test

import (
	"crypto"
	"crypto/rand"
	_ "crypto/sha1" // rsa-sha1 test signatures, to show they are refused
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// rawSign signs msg with the given tags (without bh= and b=), for the
// signatures go-msgauth's signer refuses to make: l=, rsa-sha1, odd i=.
// It uses this package's canonicalization, which TestDifferential checks
// against go-msgauth.
func rawSign(t testing.TB, msg string, tags []string, key crypto.Signer, h crypto.Hash) string {
	t.Helper()
	list, err := ours.ParseTagList(strings.Join(tags, "; "))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := list.Get("c")
	hc, bc, err := ours.ParseCanon(c)
	if err != nil {
		t.Fatal(err)
	}
	m := ours.Split([]byte(msg))
	limit := int64(-1)
	if l, ok := list.Get("l"); ok {
		limit, _ = strconv.ParseInt(l, 10, 64)
	}
	bh := ours.HashBody(ours.CanonBody(m.Body, bc), h, limit)
	field := "DKIM-Signature: " + strings.Join(tags, "; ") + ";\r\n bh=" + base64.StdEncoding.EncodeToString(bh.Sum) + "; b="
	full := ours.Split([]byte(field + "\r\n" + msg))
	hv, _ := list.Get("h")
	sum, _, err := ours.HeaderHash(full, full.Pick(ours.ParseHeaderList(hv), 0), full.Fields[0].Raw, hc, h)
	if err != nil {
		t.Fatal(err)
	}
	opts := crypto.SignerOpts(h)
	if _, ok := key.(interface{ Seed() []byte }); ok {
		opts = crypto.Hash(0)
	}
	b, err := key.Sign(rand.Reader, sum, opts)
	if err != nil {
		t.Fatal(err)
	}
	return field + base64.StdEncoding.EncodeToString(b) + "\r\n" + msg
}

func ptr(b bool) *bool { return &b }

type want struct {
	result   trace.Result
	bodyOK   *bool // nil: not reached
	headerOK *bool
	step     string       // a step with this title must exist...
	stepRes  trace.Result // ...with this result
	warning  string       // a warning containing this
	reason   string       // the reason contains this
	keyBits  int
}

var signedAt = time.Date(2026, 11, 20, 8, 14, 22, 0, time.UTC)

func TestVerify(t *testing.T) {
	e := newEnv(t)
	k := e.keys
	opts := func(sel string, key crypto.Signer, hc, bc dkim.Canonicalization) dkim.SignOptions {
		return dkim.SignOptions{Domain: "example.org", Selector: sel, Signer: key, HeaderCanonicalization: hc, BodyCanonicalization: bc,
			HeaderKeys: []string{"From", "From", "To", "Subject", "Date", "Message-ID"}}
	}
	relaxed := opts("rsa2048", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed)
	simple := opts("rsa2048", k.rsa2048, dkim.CanonicalizationSimple, dkim.CanonicalizationSimple)
	allH := []string{"from:to:subject:date:message-id"}

	cases := []struct {
		name string
		msg  func() string
		opts ours.Options
		want want
	}{
		{"pass/rsa2048/relaxed", func() string { return sign(t, baseMsg, relaxed) }, ours.Options{},
			want{result: trace.Pass, bodyOK: ptr(true), headerOK: ptr(true), keyBits: 2048, step: "Key type and size", stepRes: trace.Info}},
		{"pass/rsa2048/simple", func() string { return sign(t, baseMsg, simple) }, ours.Options{},
			want{result: trace.Pass, bodyOK: ptr(true), headerOK: ptr(true), keyBits: 2048}},
		{"pass/rsa1024/simple-relaxed", func() string {
			return sign(t, baseMsg, opts("rsa1024", k.rsa1024, dkim.CanonicalizationSimple, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Pass, keyBits: 1024}},
		{"pass/ed25519", func() string {
			return sign(t, baseMsg, opts("ed", k.ed, dkim.CanonicalizationRelaxed, dkim.CanonicalizationSimple))
		}, ours.Options{}, want{result: trace.Pass, keyBits: 256, step: "Algorithm", stepRes: trace.Info}},
		{"pass/rsapublickey-record", func() string {
			return sign(t, baseMsg, opts("pkcs1", k.rsa1024, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Pass, keyBits: 1024}},
		{"pass/unknown-key-tag", func() string {
			return sign(t, baseMsg, opts("unknowntag", k.rsa1024, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Pass}},
		{"pass/relaxed-tolerates-refolding", func() string {
			s := sign(t, baseMsg, relaxed)
			s = strings.Replace(s, "Subject: Lunch on Friday?", "Subject:   Lunch\r\n\ton   Friday?  ", 1)
			return strings.Replace(s, "Shall we meet", "Shall  we \t meet", 1) + "\r\n\r\n"
		}, ours.Options{}, want{result: trace.Pass}},
		{"pass/simple-tolerates-trailing-blank-lines", func() string { return sign(t, baseMsg, simple) + "\r\n\r\n\r\n" }, ours.Options{},
			want{result: trace.Pass}},
		{"body-changed/simple", func() string { return strings.Replace(sign(t, baseMsg, simple), "noon", "one", 1) }, ours.Options{},
			want{result: trace.Fail, bodyOK: ptr(false), headerOK: ptr(true), step: "Body hash (bh=)", stepRes: trace.Fail, reason: "body was changed"}},
		{"body-changed/relaxed-footer", func() string {
			return sign(t, baseMsg, relaxed) + "--\r\nSent via the lunch mailing list\r\n"
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(false), headerOK: ptr(true)}},
		{"body-whitespace/simple-breaks", func() string { return strings.Replace(sign(t, baseMsg, simple), "noon?  The", "noon? The", 1) }, ours.Options{},
			want{result: trace.Fail, bodyOK: ptr(false)}},
		{"signed-header-changed", func() string {
			return strings.Replace(sign(t, baseMsg, relaxed), "Subject: Lunch on Friday?", "Subject: Urgent: wire the money", 1)
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(true), headerOK: ptr(false), step: "Header signature (b=)", stepRes: trace.Fail, reason: "header"}},
		{"signed-header-refolded/simple-breaks", func() string {
			return strings.Replace(sign(t, baseMsg, simple), "Subject: Lunch on Friday?", "Subject: Lunch on\r\n Friday?", 1)
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(true), headerOK: ptr(false)}},
		{"both-changed", func() string {
			s := strings.Replace(sign(t, baseMsg, relaxed), "Subject: Lunch", "Subject: Dinner", 1)
			return strings.Replace(s, "noon", "eight", 1)
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(false), headerOK: ptr(false)}},
		{"unsigned-header-added", func() string { return "X-Spam: no\r\n" + sign(t, baseMsg, relaxed) }, ours.Options{},
			want{result: trace.Pass}},
		{"wrong-key", func() string {
			return sign(t, baseMsg, opts("rsa2048", k.rsa1024, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(true), headerOK: ptr(false)}},
		{"key-missing/nxdomain", func() string {
			return sign(t, baseMsg, opts("nosuchkey", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Fetch the key record nosuchkey._domainkey.example.org", stepRes: trace.PermError, reason: "no key"}},
		{"key-revoked", func() string {
			return sign(t, baseMsg, opts("revoked", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Key revoked", stepRes: trace.PermError, reason: "revoked"}},
		{"key-malformed", func() string {
			return sign(t, baseMsg, opts("malformed", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Read the key record", stepRes: trace.PermError, reason: "malformed"}},
		{"key-several-records", func() string {
			return sign(t, baseMsg, opts("two", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, reason: "several key records"}},
		{"key-type-mismatch", func() string {
			return sign(t, baseMsg, opts("rsa2048", k.ed, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Key type", stepRes: trace.PermError}},
		{"key-record-type-contradicts-key", func() string {
			return sign(t, baseMsg, opts("edtype", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Read the key record", stepRes: trace.PermError}},
		{"key-hash-not-allowed", func() string {
			return sign(t, baseMsg, opts("sha1only", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Key hash algorithms", stepRes: trace.PermError}},
		{"key-service-not-email", func() string {
			return sign(t, baseMsg, opts("web", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.PermError, step: "Key service type", stepRes: trace.PermError}},
		{"key-512-bits", func() string {
			return sign(t, baseMsg, opts("rsa512", k.rsa512, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Fail, keyBits: 512, step: "Key type and size", stepRes: trace.Fail, reason: "1024"}},
		{"rsa-sha1", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha1", "c=relaxed/relaxed", "d=example.org", "s=rsa2048", "h=" + allH[0]}, k.rsa2048, crypto.SHA1)
		}, ours.Options{}, want{result: trace.Fail, step: "Algorithm", stepRes: trace.Fail, reason: "rsa-sha1"}},
		{"expired", func() string {
			o := relaxed
			o.Expiration = time.Now().Add(time.Hour)
			return sign(t, baseMsg, o)
		}, ours.Options{Now: time.Now().Add(48 * time.Hour)},
			want{result: trace.PermError, bodyOK: ptr(true), headerOK: ptr(true), step: "Expiry (x=)", stepRes: trace.PermError, reason: "expired"}},
		{"not-yet-expired-at-delivery", func() string {
			o := relaxed
			o.Expiration = time.Now().Add(time.Hour)
			return sign(t, baseMsg, o)
		}, ours.Options{Now: time.Now().Add(time.Minute)}, want{result: trace.Pass, step: "Expiry (x=)", stepRes: trace.Info}},
		{"signed-in-the-future", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "s=rsa2048", "t=" + strconv.FormatInt(signedAt.Unix()+86400, 10), "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{Now: signedAt}, want{result: trace.Pass, step: "Signing time (t=)", stepRes: trace.Warn, warning: "future"}},
		{"signed-far-in-the-future", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "s=rsa2048", "t=999999999999", "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{Now: signedAt}, want{result: trace.Pass, warning: "far in the future"}},
		{"signed-days-ahead", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "s=rsa2048", "t=" + strconv.FormatInt(signedAt.Unix()+10*86400, 10), "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{Now: signedAt}, want{result: trace.Pass, warning: "10 days after"}},
		{"l=/appended-text", func() string {
			s := rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/simple", "d=example.org", "s=rsa2048", "l=" + strconv.Itoa(len(baseBody)), "h=from:from:to:subject:date"}, k.rsa2048, crypto.SHA256)
			return s + "P.S. Please pay invoice 4711 to IBAN XX00 EVIL today.\r\n"
		}, ours.Options{}, want{result: trace.Pass, bodyOK: ptr(true), headerOK: ptr(true), step: "Body length limit (l=)", stepRes: trace.Warn, warning: "Only the first", reason: "only for the first"}},
		{"l=/appended-text/strict", func() string {
			s := rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/simple", "d=example.org", "s=rsa2048", "l=" + strconv.Itoa(len(baseBody)), "h=from:from:to:subject:date"}, k.rsa2048, crypto.SHA256)
			return s + "P.S. Please pay invoice 4711 today.\r\n"
		}, ours.Options{Strict: true}, want{result: trace.Policy, reason: "strict"}},
		{"l=/longer-than-body", func() string {
			s := rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=simple/simple", "d=example.org", "s=rsa2048", "l=" + strconv.Itoa(len(baseBody)), "h=from:to"}, k.rsa2048, crypto.SHA256)
			return strings.Replace(s, "\r\n\r\nAlice\r\n", "\r\n", 1)
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(false), step: "Body hash (bh=)", stepRes: trace.Fail}},
		{"from-not-oversigned/second-from-prepended", func() string {
			o := relaxed
			o.HeaderKeys = []string{"From", "To", "Subject", "Date"}
			return "From: PayPal Security <security@paypal.example>\r\n" + sign(t, baseMsg, o)
		}, ours.Options{}, want{result: trace.Pass, step: "Unsigned copies of From, To, Subject and Date", stepRes: trace.Warn, warning: "paypal.example"}},
		{"from-oversigned/second-from-prepended-breaks", func() string {
			return "From: PayPal Security <security@paypal.example>\r\n" + sign(t, baseMsg, relaxed)
		}, ours.Options{}, want{result: trace.Fail, bodyOK: ptr(true), headerOK: ptr(false)}},
		{"i=/outside-d=", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "i=ceo@bank.example", "s=rsa2048", "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{}, want{result: trace.PermError, step: "Identity (i=) within d=", stepRes: trace.PermError}},
		{"i=/subdomain-ok", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "i=alice@news.example.org", "s=rsa2048", "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{}, want{result: trace.Pass}},
		{"i=/subdomain-with-t=s", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "i=alice@news.example.org", "s=strict", "h=" + allH[0]}, k.rsa2048, crypto.SHA256)
		}, ours.Options{}, want{result: trace.PermError, step: "Key flag t=s", stepRes: trace.PermError}},
		{"from-not-signed", func() string {
			return rawSign(t, baseMsg, []string{"v=1", "a=rsa-sha256", "c=relaxed/relaxed", "d=example.org", "s=rsa2048", "h=to:subject"}, k.rsa2048, crypto.SHA256)
		}, ours.Options{}, want{result: trace.PermError, step: "From is signed", stepRes: trace.PermError}},
		{"missing-bh", func() string {
			return "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=rsa2048; h=from; b=AAAA\r\n" + baseMsg
		}, ours.Options{}, want{result: trace.Neutral, step: "Required tags", stepRes: trace.Neutral, reason: "bh="}},
		{"unknown-algorithm", func() string {
			return "DKIM-Signature: v=1; a=rsa-sha512; bh=AAAA; d=example.org; s=rsa2048; h=from; b=AAAA\r\n" + baseMsg
		}, ours.Options{}, want{result: trace.Neutral, step: "Algorithm", stepRes: trace.Neutral}},
		{"duplicate-tag", func() string {
			return "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; d=evil.example; s=rsa2048; h=from; bh=AAAA; b=AAAA\r\n" + baseMsg
		}, ours.Options{}, want{result: trace.Neutral, reason: "tag list is malformed"}},
		{"testing-key", func() string {
			return sign(t, baseMsg, opts("testing", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.Pass, step: "Key in testing mode", stepRes: trace.Warn, warning: "testing"}},
		{"d=-unrelated-to-from", func() string {
			o := opts("ed", k.ed, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed)
			o.Domain = "mailer.example.net"
			return sign(t, baseMsg, o)
		}, ours.Options{}, want{result: trace.Pass, step: "Signing domain and From domain", stepRes: trace.Warn, warning: "unrelated"}},
		{"d=-parent-of-from", func() string {
			return sign(t, strings.Replace(baseMsg, "alice@example.org", "alice@news.example.org", 1), relaxed)
		}, ours.Options{}, want{result: trace.Pass, step: "Signing domain and From domain", stepRes: trace.Info}},
		{"dns-timeout", func() string {
			return sign(t, baseMsg, opts("slow", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.TempError, step: "Fetch the key record slow._domainkey.example.org", stepRes: trace.TempError, reason: "later"}},
		{"dns-servfail", func() string {
			return sign(t, baseMsg, opts("broken", k.rsa2048, dkim.CanonicalizationRelaxed, dkim.CanonicalizationRelaxed))
		}, ours.Options{}, want{result: trace.TempError}},
	}
	e.srv.Drop("slow._domainkey.example.org")
	e.srv.Fail("broken._domainkey.example.org", dns.RcodeServerFailure)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := c.msg()
			got := e.verify(t, msg, c.opts)
			if len(got) != 1 {
				t.Fatalf("Verify gave %d signatures, want 1", len(got))
			}
			checkWant(t, got[0], c.want)
			// The LF-only twin of every case must verify the same.
			twin := e.verify(t, lf(msg), c.opts)
			if len(twin) != 1 || twin[0].Result != got[0].Result || twin[0].Reason != got[0].Reason {
				t.Errorf("LF-only twin: got %s %q, want %s %q", twin[0].Result, twin[0].Reason, got[0].Result, got[0].Reason)
			}
		})
	}
}

func checkWant(t *testing.T, s ours.Signature, w want) {
	t.Helper()
	if s.Result != w.result {
		t.Errorf("result = %s (%s), want %s", s.Result, s.Reason, w.result)
	}
	if w.bodyOK != nil && (s.BodyHashOK == nil || *s.BodyHashOK != *w.bodyOK) {
		t.Errorf("body_hash_ok = %v, want %v", fmtBool(s.BodyHashOK), *w.bodyOK)
	}
	if w.headerOK != nil && (s.HeaderSignatureOK == nil || *s.HeaderSignatureOK != *w.headerOK) {
		t.Errorf("header_signature_ok = %v, want %v", fmtBool(s.HeaderSignatureOK), *w.headerOK)
	}
	if w.keyBits != 0 && s.KeyBits != w.keyBits {
		t.Errorf("key_bits = %d, want %d", s.KeyBits, w.keyBits)
	}
	if w.step != "" {
		st, ok := findStep(s.Steps, w.step)
		if !ok {
			t.Errorf("no step %q in %s", w.step, stepTitles(s.Steps))
		} else if st.Result != w.stepRes {
			t.Errorf("step %q result = %s (%s), want %s", w.step, st.Result, st.Explain, w.stepRes)
		}
	}
	if w.warning != "" && !strings.Contains(strings.Join(s.Warnings, "\n"), w.warning) {
		t.Errorf("warnings = %q, want one containing %q", s.Warnings, w.warning)
	}
	if w.reason != "" && !strings.Contains(s.Reason, w.reason) {
		t.Errorf("reason = %q, want it to contain %q", s.Reason, w.reason)
	}
	for _, st := range s.Steps {
		if st.Title == "" || st.Result == "" || (st.Result != trace.Info && st.Explain == "") {
			t.Errorf("step %+v lacks a title, result or explanation", st)
		}
		if st.Ref == "" {
			t.Errorf("step %q has no RFC reference", st.Title)
		}
		// Students read these: no Go error text.
		if strings.Contains(st.Explain, "dnsx:") || strings.Contains(st.Explain, "dkim:") {
			t.Errorf("step %q explains with Go error text: %q", st.Title, st.Explain)
		}
	}
	if s.Reason == "" || !strings.HasSuffix(s.Reason, ".") {
		t.Errorf("reason %q is not a sentence", s.Reason)
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "null"
	}
	return strconv.FormatBool(*b)
}

func findStep(steps []trace.Step, title string) (trace.Step, bool) {
	for _, s := range steps {
		if s.Title == title {
			return s, true
		}
		if st, ok := findStep(s.Steps, title); ok {
			return st, true
		}
	}
	return trace.Step{}, false
}

func stepTitles(steps []trace.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Title)
	}
	return out
}

func TestVerifyLWithPreview(t *testing.T) {
	e := newEnv(t)
	l := len(ours.CanonBody([]byte(baseBody), ours.Relaxed))
	s := rawSign(t, baseMsg, []string{"v=1", "a=ed25519-sha256", "c=relaxed/relaxed", "d=example.org", "s=ed", "l=" + strconv.Itoa(l), "h=from:from:to:subject:date"}, e.keys.ed, crypto.SHA256)
	appended := "\r\nPay \u202eevil\u202c now\x1b[31m!\r\n"
	got := e.verify(t, s+appended, ours.Options{})[0]
	if got.Result != trace.Pass {
		t.Fatalf("result = %s (%s), want pass", got.Result, got.Reason)
	}
	// relaxed: the appended block canonicalizes to "\r\nPay ‮evil‬ now\x1b[31m!\r\n".
	if got.UnsignedBodyBytes != int64(len(appended)) {
		t.Errorf("unsigned_body_bytes = %d, want %d", got.UnsignedBodyBytes, len(appended))
	}
	st, _ := findStep(got.Steps, "Body length limit (l=)")
	for _, want := range []string{`Pay \u202eevil\u202c now\x1b[31m!`, "⏎"} {
		if !strings.Contains(st.Detail, want) {
			t.Errorf("l= step detail %q lacks %q", st.Detail, want)
		}
	}
	if strings.ContainsAny(st.Detail, "\x1b\u202e") {
		t.Errorf("l= step detail %q carries raw control characters", st.Detail)
	}
}

func TestVerifyTwoSignaturesOneFailing(t *testing.T) {
	e := newEnv(t)
	k := e.keys
	first := sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "ed", Signer: k.ed, HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed, HeaderKeys: []string{"From", "Subject"}})
	// The second signer says it used selector rsa2048 but signed with the 1024-bit key.
	both := sign(t, first, dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: k.rsa1024, HeaderKeys: []string{"From", "DKIM-Signature"}})
	got := e.verify(t, both, ours.Options{})
	if len(got) != 2 {
		t.Fatalf("got %d signatures, want 2", len(got))
	}
	if got[0].Result != trace.Fail || got[0].Selector != "rsa2048" || got[1].Result != trace.Pass || got[1].Selector != "ed" {
		t.Errorf("got [%s %s, %s %s], want [fail rsa2048, pass ed]", got[0].Result, got[0].Selector, got[1].Result, got[1].Selector)
	}
	if got[0].Field != 0 || got[1].Field != 1 {
		t.Errorf("fields = %d, %d, want 0, 1", got[0].Field, got[1].Field)
	}
	ora, err := e.oracle(t, both)
	if err != nil || len(ora) != 2 || ora[0] == nil || ora[1] != nil {
		t.Errorf("go-msgauth disagrees: %v %v", ora, err)
	}
}

func TestVerifyCapsSignatures(t *testing.T) {
	e := newEnv(t)
	msg := baseMsg
	for range 12 {
		msg = sign(t, msg, dkim.SignOptions{Domain: "example.org", Selector: "ed", Signer: e.keys.ed, HeaderKeys: []string{"From"}})
	}
	got := e.verify(t, msg, ours.Options{})
	if len(got) != 12 {
		t.Fatalf("got %d signatures, want 12 (one per field)", len(got))
	}
	for i, s := range got {
		wantChecked := i < ours.DefaultMaxSignatures
		if s.NotChecked == wantChecked {
			t.Errorf("signature %d: not_checked = %v, want %v", i+1, s.NotChecked, !wantChecked)
		}
		if wantChecked && s.Result != trace.Pass || !wantChecked && s.Result != trace.Neutral {
			t.Errorf("signature %d: result %s (%s)", i+1, s.Result, s.Reason)
		}
	}
	if n := e.srv.Count("ed._domainkey.example.org", dns.TypeTXT); n != ours.DefaultMaxSignatures {
		t.Errorf("key queries = %d, want %d: signatures beyond the cap must cost nothing", n, ours.DefaultMaxSignatures)
	}
	if got := e.verify(t, msg, ours.Options{MaxSignatures: 3}); got[3].NotChecked != true || got[2].NotChecked {
		t.Errorf("MaxSignatures 3: not_checked of 3rd, 4th = %v, %v", got[2].NotChecked, got[3].NotChecked)
	}
}

// TestRFC8463Example verifies the signed message of RFC 8463 Appendix A
// with the keys of Appendix A.2, byte for byte as the RFC prints it.
func TestRFC8463Example(t *testing.T) {
	e := newEnv(t)
	raw, err := readTestdata("rfc8463.eml")
	if err != nil {
		t.Fatal(err)
	}
	got := ours.Verify(t.Context(), raw, ours.Options{Resolver: e.client, Now: time.Date(2018, 6, 10, 13, 38, 29, 0, time.UTC)})
	if len(got) != 2 {
		t.Fatalf("got %d signatures, want 2", len(got))
	}
	for i, w := range []struct {
		alg  string
		bits int
	}{{"ed25519-sha256", 256}, {"rsa-sha256", 1024}} {
		s := got[i]
		if s.Algorithm != w.alg || s.KeyBits != w.bits {
			t.Errorf("signature %d: %s %d bits, want %s %d", i+1, s.Algorithm, s.KeyBits, w.alg, w.bits)
		}
		if s.Result != trace.Pass {
			t.Errorf("signature %d (%s): %s: %s", i+1, s.Algorithm, s.Result, s.Reason)
		}
	}
	if ora, err := e.oracle(t, string(raw)); err != nil || len(ora) != 2 || ora[0] != nil || ora[1] != nil {
		t.Errorf("go-msgauth: %v %v", ora, err)
	}
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile("testdata/" + name)
}

func TestSignatureJSON(t *testing.T) {
	e := newEnv(t)
	msg := sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: e.keys.rsa2048})
	got := e.verify(t, msg, ours.Options{})
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The contract's keys, then ours.
	for _, k := range []string{"result", "domain", "selector", "algorithm", "key_bits", "reason", "steps",
		"identity", "headers", "body_length", "unsigned_body_bytes", "testing", "warnings", "body_hash_ok", "header_signature_ok"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if m["result"] != "pass" || m["domain"] != "example.org" || m["selector"] != "rsa2048" || m["algorithm"] != "rsa-sha256" || m["key_bits"] != float64(2048) {
		t.Errorf("JSON = %s", b)
	}
	if m["body_length"] != nil {
		t.Errorf("body_length = %v, want null without l=", m["body_length"])
	}
	// The key fetch step carries the DNS exchange.
	st, ok := findStep(got[0].Steps, "Fetch the key record rsa2048._domainkey.example.org")
	if !ok || st.Query == nil || st.Query.Name != "rsa2048._domainkey.example.org." || st.Query.Rcode != "NOERROR" {
		t.Errorf("fetch step = %+v", st)
	}
}

// TestVerifyDNSErrors maps each kind of DNS failure to its result: no
// answer now is temperror (RFC 6376 §6.1.2 step 2); an answer that will
// never be usable is permerror.
func TestVerifyDNSErrors(t *testing.T) {
	e := newEnv(t)
	msg := sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: e.keys.rsa2048})
	cases := []struct {
		name   string
		client *dnsx.Client
		want   trace.Result
		reason string
	}{
		{"answer over the caps", &dnsx.Client{Servers: []string{e.srv.Addr}, MaxAnswerBytes: 64}, trace.PermError, "cannot be used"},
		{"no server answers", &dnsx.Client{Servers: []string{"127.0.0.1:9"}, Timeout: 100 * time.Millisecond, Attempts: 1}, trace.TempError, "later"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ours.Verify(t.Context(), []byte(msg), ours.Options{Resolver: c.client})
			if got[0].Result != c.want || !strings.Contains(got[0].Reason, c.reason) {
				t.Errorf("got %s (%s), want %s with %q", got[0].Result, got[0].Reason, c.want, c.reason)
			}
		})
	}
	got := ours.Verify(t.Context(), []byte(msg), ours.Options{})
	if got[0].Result != trace.TempError {
		t.Errorf("no resolver: got %s (%s), want temperror", got[0].Result, got[0].Reason)
	}
}

// TestVerifyWording checks the sentences students read for the cases that
// matter most: an ordinary genuine message gets no oversigning warning;
// the attack it guards against does; a failed body hash says a copied
// signature fails that way; a failed header signature names the key an
// attacker would need; a key that could not be fetched is a temporary
// error in plain words.
func TestVerifyWording(t *testing.T) {
	e := newEnv(t)
	k := e.keys
	plain := dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: k.rsa2048,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}}
	over := plain
	over.HeaderKeys = []string{"From", "From", "To", "To", "Subject", "Subject", "Date", "Date"}
	const extra = "Unsigned copies of From, To, Subject and Date"
	e.srv.Drop("slow._domainkey.example.org")
	cases := []struct {
		name    string
		msg     string
		step    string
		result  trace.Result
		explain []string // the step's Explain contains each
		nested  int      // how many steps the step holds
		warning string   // a warning containing this; "" none mentioning oversigning or unsigned fields
	}{
		{"genuine, not oversigned", sign(t, baseMsg, plain), extra, trace.Info,
			[]string{"none of them was added after signing", "would show up here as a warning"}, 0, ""},
		{"genuine, oversigned", sign(t, baseMsg, over), extra, trace.Info,
			[]string{"none of them was added after signing", "adding one would break the signature"}, 0, ""},
		{"second From above the signed one", "From: PayPal <security@paypal.example>\r\n" + sign(t, baseMsg, plain), extra, trace.Warn,
			[]string{"more of these fields than the signature covers"}, 1, "paypal.example"},
		{"Subject not signed at all", "Subject: Urgent\r\n" + sign(t, strings.Replace(baseMsg, "Subject: Lunch on Friday?\r\n", "", 1), dkim.SignOptions{Domain: "example.org", Selector: "ed", Signer: k.ed, HeaderKeys: []string{"From", "To"}}), extra, trace.Warn,
			[]string{"more of these fields than the signature covers"}, 2, "Subject (1 in the message, 0 signed"},
		{"body changed", strings.Replace(sign(t, baseMsg, plain), "noon", "one", 1), "Body hash (bh=)", trace.Fail,
			[]string{"copied from another message"}, 0, ""},
		{"header changed", strings.Replace(sign(t, baseMsg, plain), "Subject: Lunch", "Subject: Wire", 1), "Header signature (b=)", trace.Fail,
			[]string{"to pass, an attacker needs the private key of rsa2048._domainkey.example.org"}, 0, ""},
		{"key fetch timed out", sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "slow", Signer: k.rsa2048}), "Fetch the key record slow._domainkey.example.org", trace.TempError,
			[]string{"no answer came from DNS in the time allowed", "a receiver would try again later"}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.verify(t, c.msg, ours.Options{})[0]
			st, ok := findStep(got.Steps, c.step)
			if !ok {
				t.Fatalf("no step %q in %s", c.step, stepTitles(got.Steps))
			}
			if st.Result != c.result {
				t.Errorf("step %q: result %s, want %s (%s)", c.step, st.Result, c.result, st.Explain)
			}
			for _, w := range c.explain {
				if !strings.Contains(st.Explain, w) {
					t.Errorf("step %q explains %q, want it to say %q", c.step, st.Explain, w)
				}
			}
			if len(st.Steps) != c.nested {
				t.Errorf("step %q holds %d steps, want %d: %s", c.step, len(st.Steps), c.nested, stepTitles(st.Steps))
			}
			warnings := strings.Join(got.Warnings, "\n")
			if c.warning == "" && (strings.Contains(warnings, "oversigned") || strings.Contains(warnings, "does not cover")) {
				t.Errorf("warnings %q on a message without unsigned copies", got.Warnings)
			}
			if c.warning != "" && !strings.Contains(warnings, c.warning) {
				t.Errorf("warnings %q, want one with %q", got.Warnings, c.warning)
			}
		})
	}
}

// TestVerifySnapshotMissing: a key record the replayed snapshot lacks is
// said to be missing from the snapshot, not a DNS failure to retry.
func TestVerifySnapshotMissing(t *testing.T) {
	e := newEnv(t)
	msg := sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: e.keys.rsa2048})
	snap, err := dnsx.ParseSnapshot(strings.NewReader("example.org. TXT \"v=spf1 -all\"\n"), "case.dns")
	if err != nil {
		t.Fatal(err)
	}
	got := ours.Verify(t.Context(), []byte(msg), ours.Options{Resolver: snap})
	if len(got) != 1 || got[0].Result != trace.TempError {
		t.Fatalf("Verify = %+v, want one temperror", got)
	}
	if !strings.Contains(got[0].Reason, "snapshot being replayed holds no key record") || strings.Contains(got[0].Reason, "later attempt") {
		t.Errorf("reason %q: want the snapshot named and no retry promised", got[0].Reason)
	}
}
