package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-msgauth/authres"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
)

func TestShortReason(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"second colon ends it", "not a mail message: no header field could be read: line 1 has no colon", "not a mail message: no header field could be read"},
		{"full stop", "The key record in DNS is malformed.", "The key record in DNS is malformed"},
		{"comma", "The body was changed after signing, or the signature was copied", "The body was changed after signing"},
		{"a dotted name is not a full stop", "There is no key in DNS for selector s1 of example.org.", "There is no key in DNS for selector s1 of example.org"},
		{"long: cut at a space", "one two three four five six seven eight nine ten eleven twelve thirteen", "one two three four five six seven eight nine ten eleven..."},
		{"one long word", strings.Repeat("x", 100), strings.Repeat("x", 60) + "..."},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := shortReason(c.in, 60); got != c.want {
				t.Errorf("shortReason(%q, 60) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestMessageComment(t *testing.T) {
	cases := []struct {
		name string
		src  message.Summary
		want string
	}{
		{"mbox message", message.Summary{File: "inbox.mbox", Index: 12, MessageID: "<a@b.example>"}, "(message 12 in inbox.mbox, Message-ID <a@b.example>)"},
		{"no Message-ID", message.Summary{File: "x.eml", Index: 1}, "(message 1 in x.eml)"},
		{"parentheses and backslash are quoted", message.Summary{File: `a(b)\c`, Index: 1, MessageID: "<(x)@y>"}, `(message 1 in a\(b\)\\c, Message-ID <\(x\)@y>)`},
		{"an escape sequence is shown, not sent", message.Summary{File: "f", Index: 2, MessageID: "<\x1b[2J@y>"}, `(message 2 in f, Message-ID <\\x1b[2J@y>)`},
		{"a huge Message-ID is cut", message.Summary{Index: 1, MessageID: "<" + strings.Repeat("a", 300) + ">"}, "(message 1, Message-ID <" + strings.Repeat("a", 199) + "...)"},
		{"nothing known", message.Summary{}, "(headercheck replay)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := messageComment(&inspect.Report{Source: c.src}); got != c.want {
				t.Errorf("messageComment() = %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	head := "Authentication-Results: headercheck;"
	cases := []struct {
		name string
		rs   []string
		tail string
		want string
	}{
		{"fits on one line", []string{"spf=pass smtp.mailfrom=a@b.ex"}, "(message 1)",
			"Authentication-Results: headercheck; spf=pass smtp.mailfrom=a@b.ex (message 1)"},
		{"one result a line", []string{"spf=pass smtp.mailfrom=alice@aligned.example", "dmarc=pass header.from=aligned.example"}, "(message 1 in x.eml)",
			"Authentication-Results: headercheck;\n    spf=pass smtp.mailfrom=alice@aligned.example;\n    dmarc=pass header.from=aligned.example\n    (message 1 in x.eml)"},
		{"a long result broken at spaces, not inside quotes", []string{`dkim=fail reason="body hash does not match" header.a=rsa-sha256 header.d=a-rather-long-domain-name.example header.s=selector2024`}, "",
			"Authentication-Results: headercheck;\n    dkim=fail reason=\"body hash does not match\" header.a=rsa-sha256\n    header.d=a-rather-long-domain-name.example header.s=selector2024"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fold(head, c.rs, c.tail); got != c.want {
				t.Errorf("fold() =\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// FuzzFold holds fold to RFC 5322 whatever the words: no line over 998
// characters, no line over 78 unless it is one word, every continuation
// line starts with white space, nothing is lost, and go-msgauth still
// reads the field.
func FuzzFold(f *testing.F) {
	f.Add("spf=pass smtp.mailfrom=a@b.example", "dkim=fail reason=\"x y z\" header.d=b.example", "(message 1 in x.eml)")
	f.Add(strings.Repeat("x", 2000), "a=\"b c", "(\\(\")")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, a, b, tail string) {
		head := "Authentication-Results: headercheck;"
		var rs []string
		for _, r := range []string{a, b} {
			if r != "" && !strings.ContainsAny(r, "\r\n") {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 || strings.ContainsAny(tail, "\r\n") {
			return
		}
		got := fold(head, rs, tail)
		for i, l := range strings.Split(got, "\n") {
			if len(l) > hardLimit {
				t.Fatalf("line %d is %d characters, over RFC 5322's 998", i+1, len(l))
			}
			if i > 0 && !strings.HasPrefix(l, " ") {
				t.Fatalf("continuation line %d does not start with white space: %q", i+1, l)
			}
			if i > 0 && len(l) > foldWidth && strings.Contains(strings.TrimSpace(l), " ") && !strings.Contains(l, `"`) {
				t.Fatalf("line %d is %d characters and could have been broken: %q", i+1, len(l), l)
			}
		}
		want := strings.Join(strings.Fields(head+" "+strings.Join(rs, "; ")+" "+tail), "")
		if un := strings.Join(strings.Fields(got), ""); un != want {
			t.Fatalf("folding changed the field:\n%q\nwant\n%q", un, want)
		}
		// Each part on its own: two invalid halves in separate results
		// ("\xc2", "\x90") make valid UTF-8 only when joined.
		if utf8.ValidString(a) && utf8.ValidString(b) && utf8.ValidString(tail) && !utf8.ValidString(got) {
			t.Fatalf("folding split a character: %q", got)
		}
		_, _, _ = authres.Parse(strings.TrimPrefix(strings.ReplaceAll(got, "\n", ""), "Authentication-Results: "))
	})
}
