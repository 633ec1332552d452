package spf

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// rfcEnv is the setting of RFC 7208 §7.4's examples.
func rfcEnv(ip string) MacroEnv {
	return MacroEnv{
		Sender:    "strong-bad@email.example.com",
		Domain:    "email.example.com",
		IP:        netip.MustParseAddr(ip),
		HELO:      "mx.example.org",
		Validated: "mx.example.org",
		Receiver:  "mx.receiver.example",
		Now:       time.Unix(1234567890, 0),
	}
}

func TestExpandRFCExamples(t *testing.T) {
	// Every example of RFC 7208 §7.4, domain-specs with a "." toplabel end
	// so they parse as such.
	cases := []struct {
		in, want string
	}{
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d3}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
	}
	for _, c := range cases {
		got, err := Expand(c.in, false, rfcEnv("192.0.2.3"))
		if err != nil || got != c.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	got, err := Expand("%{ir}.%{v}._spf.%{d2}", false, rfcEnv("2001:db8::cb01"))
	want := "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
	if err != nil || got != want {
		t.Errorf("IPv6 Expand = %q, %v; want %q", got, err, want)
	}
}

func TestExpandExplain(t *testing.T) {
	cases := []struct {
		name, in, ip, want string
	}{
		{"c is dotted quad", "%{c} is not one of %{d}'s designated mail servers.", "192.0.2.3", "192.0.2.3 is not one of email.example.com's designated mail servers."},
		{"c is colon form", "%{c}", "2001:db8::cb01", "2001:db8::cb01"},
		{"url escaping", "See http://%{d}/why.html?s=%{S}&i=%{I}", "192.0.2.3", "See http://email.example.com/why.html?s=strong-bad%40email.example.com&i=192.0.2.3"},
		{"r and t", "checked by %{r} at %{t}", "192.0.2.3", "checked by mx.receiver.example at 1234567890"},
		{"p and h", "%{p} said HELO %{h}", "192.0.2.3", "mx.example.org said HELO mx.example.org"},
		{"escapes", "100%% %-sure%_now", "192.0.2.3", "100% %20sure now"},
		{"digits over parts", "%{d127}", "192.0.2.3", "email.example.com"},
		{"huge digits", "%{d99999999999999999999}", "192.0.2.3", "email.example.com"},
		{"leading zero digits", "%{d02}", "192.0.2.3", "example.com"},
		{"uppercase r transformer", "%{dR}", "192.0.2.3", "com.example.email"},
		{"several delimiters", "%{l-.}", "192.0.2.3", "strong.bad"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Expand(c.in, true, rfcEnv(c.ip))
			if err != nil || got != c.want {
				t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestExpandUnknownDefaults(t *testing.T) {
	env := MacroEnv{Sender: "a@b.example", Domain: "b.example", IP: netip.MustParseAddr("192.0.2.1")}
	got, err := Expand("%{p} %{r}", true, env)
	if err != nil || got != "unknown unknown" {
		t.Errorf("Expand(%%{p} %%{r}) with no values = %q, %v; want %q", got, err, "unknown unknown")
	}
}

func TestExpandKeepsEmptyParts(t *testing.T) {
	// No special treatment of leading, trailing or doubled delimiters
	// (RFC 7208 §7.3): the empty parts stay and are joined with dots.
	env := MacroEnv{Sender: "-a--b-@b.example", Domain: "b.example", IP: netip.MustParseAddr("192.0.2.1")}
	got, err := Expand("%{l-}", true, env)
	if want := ".a..b."; err != nil || got != want {
		t.Errorf("Expand(%%{l-}) = %q, %v; want %q", got, err, want)
	}
	got, err = Expand("%{l2-}", true, env)
	if want := "b."; err != nil || got != want {
		t.Errorf("Expand(%%{l2-}) = %q, %v; want %q", got, err, want)
	}
}

func TestURLEscape(t *testing.T) {
	// RFC 3986 unreserved: ALPHA DIGIT - . _ ~ stay, everything else is %XX.
	got := urlEscape("~jack&jill=up-a_b3.c \x00\xff/")
	want := "~jack%26jill%3Dup-a_b3.c%20%00%FF%2F"
	if got != want {
		t.Errorf("urlEscape = %q, want %q", got, want)
	}
}

func TestExpandErrors(t *testing.T) {
	cases := []struct {
		in      string
		explain bool
		reason  string
	}{
		{"%{x}", true, "not a macro letter"},
		{"%{r}.example.com", false, "only be used in explanation"},
		{"a b.example.com", false, "not allowed"},
		{"%", true, "lone"},
		{"%{d", true, "never closed"},
		{"%x", true, "must be followed by"},
		{"\xef\xbb\xbfExplanation", true, "not allowed"},
		{"%{d0}", true, "nonzero"},
		{"foo.example.com\x7f", false, "not allowed"},
	}
	for _, c := range cases {
		_, err := Expand(c.in, c.explain, rfcEnv("192.0.2.3"))
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Expand(%q, %v) error = %v, want one with %q", c.in, c.explain, err, c.reason)
		}
	}
}

func TestTargetName(t *testing.T) {
	long := strings.Repeat("somewhat.long.exp.example.com.", 8) + "example.com"
	cases := []struct {
		name, in, want, problem string
		truncated               bool
	}{
		{"plain", "mail.example.com", "mail.example.com", "", false},
		{"trailing dot", "mail.example.com.", "mail.example.com", "", false},
		{"truncated from the left", "foobar." + long, long, "", true},
		{"empty label", "mail.example...com", "mail.example...com", "empty label", false},
		{"long label", strings.Repeat("a", 64) + ".example.com", strings.Repeat("a", 64) + ".example.com", "63", false},
		{"one huge label", strings.Repeat("a", 300), strings.Repeat("a", 300), "longer than 253", false},
		{"empty", "", "", "empty", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ti := targetName(c.in)
			if ti.name != c.want || ti.truncated != c.truncated || (c.problem == "") != (ti.problem == "") || !strings.Contains(ti.problem, c.problem) {
				t.Errorf("targetName(%q) = %q truncated %v problem %q; want %q, %v, %q", c.in, ti.name, ti.truncated, ti.problem, c.want, c.truncated, c.problem)
			}
			if len(ti.name) > 253 && ti.problem == "" {
				t.Errorf("targetName(%q) = %q (%d characters) without a problem", c.in, ti.name, len(ti.name))
			}
		})
	}
}

func TestExpandRightKeepsTruncationExact(t *testing.T) {
	// A record can repeat a macro thousands of times; expandRight keeps
	// only the right-hand part, and the name after truncation must be the
	// same as with the whole expansion.
	spec := strings.Repeat("%{s}.", 5000) + "example.com"
	ms, err := parseDomainSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	env := rfcEnv("192.0.2.3")
	full := targetName(ms.expand(&env))
	part := targetName(ms.expandRight(&env, 4*253))
	if full.name != part.name || full.problem != part.problem {
		t.Errorf("expandRight gives %q (%q), full expansion %q (%q)", part.name, part.problem, full.name, full.problem)
	}
	if got := ms.expandLeft(&env, 100); len(got) != 100 {
		t.Errorf("expandLeft(100) gave %d bytes", len(got))
	}
}

func TestPresentation(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mail.example.com", "mail.example.com"},
		{"macro%percent  space%20url-space.example.com", `macro%percent\ \ space%20url-space.example.com`},
		{"a\x00b.example", `a\000b.example`},
		{`q"u'o@t;e(s)\.example`, `q\"u\'o\@t\;e\(s\)\\.example`},
		{"caf\xc3\xa9.example", `caf\195\169.example`},
	}
	for _, c := range cases {
		if got := presentation(c.in); got != c.want {
			t.Errorf("presentation(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
