package arc_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// FuzzVerify feeds mutated chains — sealed ones among the seeds — through
// the whole validator, keys served by the loopback DNS server behind a
// cache. Whatever the input, it must not panic, must give one of the three
// statuses, and may only pass with a chain that is whole.
func FuzzVerify(f *testing.F) {
	e := newEnv(f)
	one := seal(f, baseMsg, e.lists())
	two := seal(f, addFooter(one), e.forwarder())
	f.Add(baseMsg)
	f.Add(one)
	f.Add(two)
	f.Add(seal(f, two, e.mx()))
	f.Add(strings.ReplaceAll(two, "\r\n", "\n"))
	f.Add(removeInstance(two, 1))
	for _, name := range []string{"blaze-004-google.eml", "blaze-005-kernel.eml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("ARC-Seal: i=1; cv=none; a=rsa-sha256; d=x.example; s=s; b=\r\nARC-Message-Signature: i=1\r\nARC-Authentication-Results: i=1\r\n\r\n")
	f.Add("ARC-Seal: i=99\r\nARC-Seal: (c) i = 1 ; h=from\r\nARC-Authentication-Results: i=\r\n")
	r := dnsx.NewCache(e.client, dnsx.CacheOptions{})
	f.Fuzz(func(t *testing.T, msg string) {
		start := time.Now()
		got := arc.Verify(t.Context(), []byte(msg), arc.Options{Resolver: r})
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Verify took %v", d)
		}
		switch got.Result {
		case trace.None:
			if got.Instances != 0 || got.BrokenAt != nil {
				t.Errorf("none with %d instances, broken at %v", got.Instances, got.BrokenAt)
			}
		case trace.Pass:
			if got.Instances != len(got.Sets) || got.BrokenAt != nil || got.OldestPass == nil {
				t.Errorf("pass with %d instances, %d sets, broken at %v", got.Instances, len(got.Sets), got.BrokenAt)
			}
			for i, s := range got.Sets {
				want := "pass"
				if i == 0 {
					want = "none"
				}
				if s.Instance != i+1 || s.SealResult != trace.Pass || s.CV != want {
					t.Errorf("pass, but set %d = %+v", i+1, s)
				}
			}
			if got.Sets[len(got.Sets)-1].AMSResult != trace.Pass {
				t.Errorf("pass, but the newest AMS is %s", got.Sets[len(got.Sets)-1].AMSResult)
			}
		case trace.Fail:
			if got.BrokenAt != nil && (*got.BrokenAt < 1 || *got.BrokenAt > arc.MaxInstance) {
				t.Errorf("broken at %d", *got.BrokenAt)
			}
		default:
			t.Errorf("status %q", got.Result)
		}
		if got.Instances > arc.MaxInstance || len(got.Steps) == 0 || got.Reason == "" {
			t.Errorf("%d instances, %d steps, reason %q", got.Instances, len(got.Steps), got.Reason)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Errorf("json: %v", err)
		}
	})
}

// FuzzParseAAR: the Authentication-Results reader never panics and keeps
// its bounds.
func FuzzParseAAR(f *testing.F) {
	for _, s := range []string{
		" i=1; lists.example.org; spf=pass\r\n    smtp.mfrom=jqd@d1.example; dkim=pass (512-bit key)\r\n    header.i=@d1.example; dmarc=pass",
		"i=2; mx.microsoft.com 1; spf=pass (sender ip is\n 63.35.35.123) smtp.mailfrom=arm.com; arc=pass (0 oda=1 ltdi=1\n spf=[1,1,smtp.mailfrom=arm.com])",
		"i=1; spf=none (sender IP is 10.2.3.4) smtp.mailfrom=fabrikam.com; contoso.com; compauth=fail reason=001",
		`i=1; mx.example; spf=pass (a;b) smtp.mailfrom="x;y@example.org"; dmarc=pass`,
		"i=1; mx; dkim/1 = pass header.b=\"a\\\"b\" (unclosed",
		"(c) i = 12 ; x; none",
		"i=51;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arc.ParseAAR(s)
		if err == nil && (a.Instance < 1 || a.Instance > arc.MaxInstance) {
			t.Errorf("ParseAAR(%q): instance %d without an error", s, a.Instance)
		}
		if len(a.Results.Results) > 64 || len(a.Ignored) > 64 {
			t.Errorf("ParseAAR(%q): %d results, %d ignored", s, len(a.Results.Results), len(a.Ignored))
		}
		for _, r := range a.Results.Results {
			if r.Method == "" || r.Result == "" || strings.ContainsAny(r.Method, ". \t\r\n=") || r.Method != strings.ToLower(r.Method) {
				t.Errorf("ParseAAR(%q): result %+v", s, r)
			}
			if len(r.Props) > 32 {
				t.Errorf("ParseAAR(%q): %d props", s, len(r.Props))
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(a.Summary) {
			t.Errorf("ParseAAR(%q): summary %q is not UTF-8", s, a.Summary)
		}
	})
}
