package arc_test

import (
	"encoding/json"
	"fmt"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

func (e *env) verify(t testing.TB, msg string) arc.Result {
	t.Helper()
	return arc.Verify(t.Context(), []byte(msg), arc.Options{Resolver: e.client, Now: time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC)})
}

func brokenAt(r arc.Result) string {
	if r.BrokenAt == nil {
		return "null"
	}
	return fmt.Sprint(*r.BrokenAt)
}

// findStep returns the first step, at any depth, whose title contains s.
func findStep(steps []trace.Step, s string) (trace.Step, bool) {
	for _, st := range steps {
		if strings.Contains(st.Title, s) {
			return st, true
		}
		if x, ok := findStep(st.Steps, s); ok {
			return x, true
		}
	}
	return trace.Step{}, false
}

// removeInstance drops every ARC header field of instance i.
func removeInstance(msg string, i int) string {
	header, body, _ := strings.Cut(msg, "\r\n\r\n")
	var keep []string
	for _, f := range fields(header + "\r\n") {
		if name, n := arcInstance(f); name != "" && n == i {
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, "\r\n") + "\r\n\r\n" + body
}

func TestVerify(t *testing.T) {
	e := newEnv(t)
	one := seal(t, baseMsg, e.lists())
	two := seal(t, addFooter(one), e.forwarder())
	three := seal(t, two, e.mx())

	wrongCV := e.forwarder()
	wrongCV.cv = "none"
	firstPass := e.lists()
	firstPass.cv = "pass"
	newestFail := e.forwarder()
	newestFail.cv = "fail"
	hTag := e.forwarder()
	hTag.sealHTag = true
	badOrder := e.forwarder()
	badOrder.breakSealOrder = true
	revoked := e.lists()
	revoked.selector = "revoked"
	missingKey := e.lists()
	missingKey.selector = "gone"
	futureTag := e.forwarder()
	futureTag.extraSealTag = " zz=later;"
	expired := e.lists()
	expired.expires = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC).Unix()

	cases := []struct {
		name       string
		msg        string
		result     trace.Result
		instances  int
		brokenAt   string
		oldestPass string // "" when not checked
		reason     string // a fragment of Reason
	}{
		{name: "no ARC sets", msg: baseMsg, result: trace.None, brokenAt: "null", reason: "no ARC sets"},
		{name: "intact chain of 1", msg: one, result: trace.Pass, instances: 1, brokenAt: "null", oldestPass: "0",
			reason: "ARC chain of 1 set is intact"},
		{name: "intact chain of 3 (list footer added after i=1)", msg: three, result: trace.Pass, instances: 3, brokenAt: "null", oldestPass: "2",
			reason: "sealers: i=1 lists.example.org, i=2 forwarder.example.net, i=3 mx.example.com"},
		{name: "intact chain of 2 with LF line ends", msg: strings.ReplaceAll(two, "\r\n", "\n"), result: trace.Pass, instances: 2, brokenAt: "null", oldestPass: "2"},
		{name: "body changed after i=2", msg: addFooter(two), result: trace.Fail, instances: 2, brokenAt: "2",
			reason: "newest ARC-Message-Signature (i=2, forwarder.example.net) does not verify: the body was changed"},
		{name: "body changed after i=2, then sealed again at i=3", msg: seal(t, addFooter(two), e.mx()), result: trace.Pass, instances: 3, brokenAt: "null", oldestPass: "3"},
		{name: "Subject changed after i=1", msg: strings.Replace(one, "Subject: Example 1", "Subject: Example 2", 1), result: trace.Fail, instances: 1, brokenAt: "1",
			reason: "a signed header field was changed"},
		{name: "seal 2 with cv=none", msg: seal(t, one, wrongCV), result: trace.Fail, instances: 2, brokenAt: "2", reason: "Seal 2 says cv=none"},
		{name: "seal 1 with cv=pass", msg: seal(t, baseMsg, firstPass), result: trace.Fail, instances: 1, brokenAt: "1", reason: "Seal 1 says cv=pass"},
		{name: "newest seal says cv=fail", msg: seal(t, one, newestFail), result: trace.Fail, instances: 2, brokenAt: "2", reason: "already broken when the message reached it"},
		{name: "instance 2 missing", msg: removeInstance(three, 2), result: trace.Fail, instances: 2, brokenAt: "2", reason: "Instance 2 is missing"},
		{name: "instance 1 missing", msg: removeInstance(two, 1), result: trace.Fail, instances: 1, brokenAt: "1", reason: "Instance 1 is missing"},
		{name: "set 1 without its AAR", msg: strings.Replace(one, "ARC-Authentication-Results: i=1;", "X-Old-AAR: i=1;", 1), result: trace.Fail, instances: 1, brokenAt: "1",
			reason: "Set 1 has no ARC-Authentication-Results"},
		{name: "duplicate AAR in set 1", msg: "ARC-Authentication-Results: i=1; evil.example; dmarc=pass\r\n" + one, result: trace.Fail, instances: 1, brokenAt: "1",
			reason: "Set 1 has 2 ARC-Authentication-Results fields"},
		{name: "AAR of i=1 rewritten after i=2 sealed", msg: strings.Replace(two, "dmarc=pass header.from=d1.example", "dmarc=pass header.from=d1.example; x=1", 1),
			result: trace.Fail, instances: 2, brokenAt: "2", oldestPass: "2", reason: "ARC-Seal of i=2 (forwarder.example.net) does not verify"},
		{name: "seal over sets in the wrong order", msg: seal(t, one, badOrder), result: trace.Fail, instances: 2, brokenAt: "2", oldestPass: "0", reason: "ARC-Seal of i=2"},
		{name: "seal with h=", msg: seal(t, one, hTag), result: trace.Fail, instances: 2, brokenAt: "2", oldestPass: "0", reason: "must not name the header fields"},
		{name: "seal with an unknown tag", msg: seal(t, one, futureTag), result: trace.Pass, instances: 2, brokenAt: "null", oldestPass: "0"},
		{name: "newest signature expired (x=) before the evaluation time", msg: seal(t, baseMsg, expired), result: trace.Fail, instances: 1, brokenAt: "1", reason: "it expired at 2025-11-20T12:00:00Z"},
		{name: "revoked key", msg: seal(t, baseMsg, revoked), result: trace.Fail, instances: 1, brokenAt: "1", reason: "revoked"},
		{name: "no key in DNS", msg: seal(t, baseMsg, missingKey), result: trace.Fail, instances: 1, brokenAt: "1", reason: "no key in DNS"},
		{name: "instance 51", msg: strings.Replace(one, "ARC-Seal: i=1;", "ARC-Seal: i=51;", 1), result: trace.Fail, instances: 1, brokenAt: "null",
			reason: "more than 50 ARC sets"},
		{name: "instance not a number", msg: strings.Replace(one, "ARC-Seal: i=1;", "ARC-Seal: i=one;", 1), result: trace.Fail, instances: 1, brokenAt: "1",
			reason: "ARC-Seal without a readable instance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := e.verify(t, c.msg)
			if got.Result != c.result || got.Instances != c.instances || brokenAt(got) != c.brokenAt {
				t.Errorf("Verify = %s, %d instances, broken_at %s; want %s, %d, %s\nreason: %s", got.Result, got.Instances, brokenAt(got), c.result, c.instances, c.brokenAt, got.Reason)
			}
			op := ""
			if got.OldestPass != nil {
				op = fmt.Sprint(*got.OldestPass)
			}
			if op != c.oldestPass {
				t.Errorf("OldestPass = %q, want %q", op, c.oldestPass)
			}
			if !strings.Contains(got.Reason, c.reason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, c.reason)
			}
			if len(got.Steps) == 0 {
				t.Fatal("no steps")
			}
			last := got.Steps[len(got.Steps)-1]
			if last.Result != c.result {
				t.Errorf("last step %q has result %s, want %s", last.Title, last.Result, c.result)
			}
			checkSteps(t, got.Steps)
		})
	}
}

// checkSteps requires every step to say why, with an RFC section.
func checkSteps(t *testing.T, steps []trace.Step) {
	t.Helper()
	for _, st := range steps {
		if st.Title == "" || st.Result == "" {
			t.Errorf("step %+v has no title or result", st)
		}
		if st.Ref == "" {
			t.Errorf("step %q has no Ref", st.Title)
		}
		if st.Explain == "" {
			t.Errorf("step %q (%s) has no Explain", st.Title, st.Result)
		}
		if dkimOwned(st) {
			// inspect/dkim writes the key's steps; its own tests hold
			// their words.
			continue
		}
		for _, p := range tracetest.StepProblems(st) {
			t.Errorf("step %q: %s\n  explain: %s\n  detail: %s\n  ref: %s", st.Title, p, st.Explain, st.Detail, st.Ref)
		}
		checkSteps(t, st.Steps)
	}
}

// dkimOwned reports the steps dkim.LookupKey writes: the key record's
// fetch and reading.
func dkimOwned(st trace.Step) bool {
	return strings.HasPrefix(st.Title, "Fetch the key record ") || st.Title == "Read the key record"
}

// TestAboutARCOnce: the ARC view says once that ARC is Experimental and on
// its way to Historic.
func TestAboutARCOnce(t *testing.T) {
	e := newEnv(t)
	for _, msg := range []string{baseMsg, seal(t, baseMsg, e.lists())} {
		got := e.verify(t, msg)
		b, _ := json.Marshal(got.Steps)
		if n := strings.Count(string(b), "Historic"); n != 1 {
			t.Errorf("the steps mention Historic %d times, want once: %s", n, b)
		}
	}
}

func TestSets(t *testing.T) {
	e := newEnv(t)
	three := seal(t, seal(t, addFooter(seal(t, baseMsg, e.lists())), e.forwarder()), e.mx())
	got := e.verify(t, three)
	want := []struct {
		sealer, cv   string
		seal, ams    trace.Result
		summary, alg string
	}{
		{"lists.example.org", "none", trace.Pass, trace.Fail, "at i=1, lists.example.org saw SPF pass, DKIM pass, DMARC pass", ""},
		{"forwarder.example.net", "pass", trace.Pass, trace.Pass, "at i=2, forwarder.example.net saw SPF fail, DKIM fail, DMARC fail, ARC pass", ""},
		{"mx.example.com", "pass", trace.Pass, trace.Pass, "at i=3, mx.example.com saw SPF pass, DKIM fail, DMARC fail, ARC pass", ""},
	}
	if len(got.Sets) != len(want) {
		t.Fatalf("%d sets, want %d", len(got.Sets), len(want))
	}
	for i, w := range want {
		s := got.Sets[i]
		if s.Instance != i+1 || s.Sealer != w.sealer || s.CV != w.cv || s.SealResult != w.seal || s.AMSResult != w.ams {
			t.Errorf("set %d = %+v, want sealer %s cv %s seal %s ams %s", i+1, s, w.sealer, w.cv, w.seal, w.ams)
		}
		if s.AAR == nil || s.AAR.Summary != w.summary {
			t.Errorf("set %d summary = %v, want %q", i+1, s.AAR, w.summary)
		}
	}
	if got.FromDomain != "d1.example" {
		t.Errorf("FromDomain = %q", got.FromDomain)
	}
	// Each sealer's key is fetched once, though it signs and seals.
	if n := e.srv.Count("arc._domainkey.lists.example.org.", dns.TypeTXT); n != 1 {
		t.Errorf("lists.example.org key fetched %d times, want 1", n)
	}
}

func TestJSONShape(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, msg string
		want      string
	}{
		{"none", baseMsg, `"result":"none","instances":0,"broken_at":null,"steps":[`},
		{"fail", addFooter(seal(t, baseMsg, e.lists())), `"result":"fail","instances":1,"broken_at":1,"steps":[`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(e.verify(t, c.msg))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "{"+c.want) {
				t.Errorf("JSON = %.200s, want it to start with {%s", b, c.want)
			}
			if !strings.Contains(string(b), `"sets":[`) {
				t.Errorf("JSON has no sets array: %.300s", b)
			}
		})
	}
}

func TestDNSFailures(t *testing.T) {
	e := newEnv(t)
	slow := e.lists()
	slow.selector = "slow"
	msg := seal(t, baseMsg, slow)
	e.srv.Drop("slow._domainkey.lists.example.org.")
	got := e.verify(t, msg)
	if got.Result != trace.Fail || brokenAt(got) != "1" {
		t.Fatalf("Verify = %s at %s, want fail at 1: %s", got.Result, brokenAt(got), got.Reason)
	}
	st, ok := findStep(got.Steps, "Fetch the key record")
	if !ok || st.Result != trace.TempError || st.Query == nil || st.Query.Rcode != trace.RcodeTimeout {
		t.Errorf("key step = %+v, want a temperror with a TIMEOUT query", st)
	}
	if !strings.Contains(got.Reason, "RFC 8617 §5.2.1") {
		t.Errorf("Reason = %q, want it to say ARC failures are final", got.Reason)
	}

	e.srv.Heal("slow._domainkey.lists.example.org.")
	e.srv.Fail("slow._domainkey.lists.example.org.", dns.RcodeServerFailure)
	if got := e.verify(t, msg); got.Result != trace.Fail {
		t.Errorf("SERVFAIL: Verify = %s, want fail", got.Result)
	}

	if got := arc.Verify(t.Context(), []byte(msg), arc.Options{}); got.Result != trace.Fail {
		t.Errorf("no resolver: Verify = %s, want fail", got.Result)
	}
}

func TestTestingKeyWarns(t *testing.T) {
	e := newEnv(t)
	s := e.lists()
	s.selector = "testing"
	got := e.verify(t, seal(t, baseMsg, s))
	if got.Result != trace.Pass {
		t.Fatalf("Verify = %s: %s", got.Result, got.Reason)
	}
	if st, ok := findStep(got.Steps, "testing mode"); !ok || st.Result != trace.Warn {
		t.Errorf("no warning step for a key with t=y")
	}
}

func TestNewestFailMakesNoQueries(t *testing.T) {
	e := newEnv(t)
	s := e.forwarder()
	s.cv = "fail"
	msg := seal(t, seal(t, baseMsg, e.lists()), s)
	e.srv.ResetCounts()
	got := e.verify(t, msg)
	if got.Result != trace.Fail {
		t.Fatalf("Verify = %s", got.Result)
	}
	if n := e.srv.Total(); n != 0 {
		t.Errorf("%d DNS queries for a chain whose newest seal says cv=fail, want 0 (RFC 8617 §5.2 step 2)", n)
	}
}

func TestTooManySets(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 51; i++ {
		fmt.Fprintf(&b, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AAAA\r\n", i)
		fmt.Fprintf(&b, "ARC-Message-Signature: i=%d; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=AAAA\r\n", i)
		fmt.Fprintf(&b, "ARC-Authentication-Results: i=%d; x.example; none\r\n", i)
	}
	got := arc.Verify(t.Context(), []byte(b.String()+baseMsg), arc.Options{})
	if got.Result != trace.Fail || got.BrokenAt != nil || !strings.Contains(got.Reason, "more than 50") {
		t.Errorf("Verify = %s at %s: %s", got.Result, brokenAt(got), got.Reason)
	}
}

// TestFiftySets: the longest chain RFC 8617 allows validates; each seal
// covers every set below it, 150 header fields for the last.
func TestFiftySets(t *testing.T) {
	e := newEnv(t)
	msg := baseMsg
	for i := 0; i < arc.MaxInstance; i++ {
		msg = seal(t, msg, e.mx())
	}
	got := e.verify(t, msg)
	if got.Result != trace.Pass || got.Instances != arc.MaxInstance {
		t.Fatalf("Verify = %s with %d instances: %s", got.Result, got.Instances, got.Reason)
	}
	if n := e.srv.Count("ed._domainkey.mx.example.com.", dns.TypeTXT); n != 1 {
		t.Errorf("the sealer's key was fetched %d times for 100 signatures, want 1", n)
	}
	over := seal(t, msg, e.mx())
	if got := e.verify(t, over); got.Result != trace.Fail || !strings.Contains(got.Reason, "more than 50") {
		t.Errorf("51 sets: Verify = %s: %s", got.Result, got.Reason)
	}
}

// TestExpiryNotJudgedWithoutNow: with no evaluation time, x= is shown but
// not judged.
func TestExpiryNotJudgedWithoutNow(t *testing.T) {
	e := newEnv(t)
	s := e.lists()
	s.expires = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC).Unix()
	got := arc.Verify(t.Context(), []byte(seal(t, baseMsg, s)), arc.Options{Resolver: e.client})
	if got.Result != trace.Pass {
		t.Errorf("Verify = %s: %s", got.Result, got.Reason)
	}
}
