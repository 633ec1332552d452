package recorded

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// FuzzParse: any header value parses without panicking, within the
// bounds, keeping the value as given, and the comparison over what it
// read does not panic either.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		rfcCommentHeavy, gmailAR, gmailAAR, kernelAR, kernelAAR, microsoftAAR, microsoftAR,
		"example.org 1; none", `example.com; dkim=fail reason="bad; very bad" header.d=x.example`,
		"example.com; spf / 1 = pass smtp . mailfrom = x.example", "x; spf=pass (no end", `x; a="unterminated`,
		"i=99; x; dkim=pass", "=;=;=", "\"quoted id\" 1; spf=pass", "x; spf=pass smtp.mailfrom=\"a@b\"\\",
		"mx1.campus.example; spf=pass smtp.mailfrom=bounces+2213-9f1e=campus.example@em.esp.example",
		`x.example; spf=pass smtp.mailfrom="john doe=x"@example.net smtp.helo=a.example`, `x; dkim=pass header.i="@a"@b header.s=s=1`,
	} {
		f.Add(s, strings.HasPrefix(s, "i="))
	}
	chain := received.Chain{Boundary: 0, Receiving: []string{"example.com"}, Hops: []received.Hop{{By: "mx.example.com"}, {By: "relay.example.net"}}}
	f.Fuzz(func(t *testing.T, v string, arc bool) {
		h := Parse(v, arc)
		if h.Raw != v {
			t.Fatalf("Raw = %q, want %q", h.Raw, v)
		}
		if len(h.Results) > maxResults {
			t.Fatalf("%d results", len(h.Results))
		}
		for _, m := range h.Results {
			if m.Method == "" || m.Result == "" {
				t.Fatalf("empty method or result in %+v", m)
			}
			if len(m.Props) > maxProps || len(m.Comment) > maxComment+len("…") {
				t.Fatalf("unbounded result %+v", m)
			}
			if utf8.ValidString(v) && !utf8.ValidString(m.Comment) {
				t.Fatalf("comment %q cut inside a character", m.Comment)
			}
		}
		if h.AuthServID != strings.ToLower(h.AuthServID) {
			t.Fatalf("authserv-id %q not lowercased", h.AuthServID)
		}
		again := Parse(v, arc)
		if again.AuthServID != h.AuthServID || len(again.Results) != len(h.Results) || again.Problem != h.Problem {
			t.Fatalf("Parse is not deterministic: %+v then %+v", h, again)
		}
		h.Trusted = len(v)%2 == 0
		Compare([]Header{h}, Replay{
			Chain: chain,
			SPF:   spf.Result{Result: trace.Fail, Domain: "example.com", Identity: spf.MailFrom, ClientIP: "192.0.2.1"},
			IPRev: IPRev{Result: trace.Fail, IP: "192.0.2.1"},
		})
	})
}
