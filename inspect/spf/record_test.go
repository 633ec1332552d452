package spf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestIsSPF(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"v=spf1", true},
		{"v=spf1 -all", true},
		{"V=SpF1 mx", true},
		{"v=spf10", false},
		{"v=spf1mx", false},
		{"v=spf2.0/pra -all", false},
		{" v=spf1 -all", false},
		{"spf1", false},
		{"", false},
	}
	for _, c := range cases {
		if got := IsSPF(c.in); got != c.want {
			t.Errorf("IsSPF(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// summary renders a parsed record compactly for table tests.
func summary(r *Record) string {
	var b []string
	for _, t := range r.Terms {
		if t.Modifier != "" {
			b = append(b, fmt.Sprintf("%s=%s", t.Modifier, t.Spec))
			continue
		}
		s := string(t.Qualifier) + t.Mechanism
		if t.Spec != "" {
			s += ":" + t.Spec
		}
		if t.Network.IsValid() {
			s += ":" + t.Network.String()
		}
		switch t.Mechanism {
		case A, MX, IP4, IP6:
			s += fmt.Sprintf("/%d//%d", t.Prefix4, t.Prefix6)
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func TestParse(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "v=spf1", ""},
		{"trailing spaces", "v=spf1 a -all  ", "+a/32//128 -all"},
		{"qualifiers", "v=spf1 +a -mx ~ptr ?all", "+a/32//128 -mx/32//128 ~ptr ?all"},
		{"case-insensitive names", "v=spf1 MX Include:example.com -ALL", "+mx/32//128 +include:example.com -all"},
		{"dual cidr", "v=spf1 a/24//64 mx:example.com//48 a:foo.example.com/0", "+a/24//64 +mx:example.com/32//48 +a:foo.example.com/0//128"},
		{"ip4 and ip6", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip4:192.0.2.1 ip6:::ffff:1.2.3.4", "+ip4:192.0.2.0/24//128 +ip6:2001:db8::/32//32 +ip4:192.0.2.1/32//128 +ip6:::ffff:1.2.3.4/32//128"},
		{"colon and slash in domain", "v=spf1 a:foo:bar/baz.example.com", "+a:foo:bar/baz.example.com/32//128"},
		{"macro domain", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", "+exists:%{ir}.%{l1r+-}._spf.%{d} -all"},
		{"trailing dot", "v=spf1 include:_spf.example.com.", "+include:_spf.example.com."},
		{"dashed toplabel", "v=spf1 a:foo.example.xn--zckzah", "+a:foo.example.xn--zckzah/32//128"},
		{"modifiers", "v=spf1 -all exp=explain.%{d} redirect=_spf.example.com", "-all exp=explain.%{d} redirect=_spf.example.com"},
		{"unknown modifier", "v=spf1 moo.cow-far_out=man:dog/cat default=+ -all", "moo.cow-far_out=man:dog/cat default=+ -all"},
		{"macro escapes end domain", "v=spf1 a:foo.example.com%%", "+a:foo.example.com%%/32//128"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse(c.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if got := summary(r); got != c.want {
				t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseModifiers(t *testing.T) {
	r, err := Parse("v=spf1 redirect=a.example.com mx exp=b.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if r.Redirect == nil || r.Redirect.Spec != "a.example.com" || r.Exp == nil || r.Exp.Spec != "b.example.com" || r.HasAll {
		t.Errorf("Redirect %+v, Exp %+v, HasAll %v", r.Redirect, r.Exp, r.HasAll)
	}
	r, err = Parse("v=spf1 redirect=a.example.com ~all")
	if err != nil || !r.HasAll {
		t.Errorf("HasAll = %v (%v), want true", r != nil && r.HasAll, err)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, in string
		term     string // the term the error names
		reason   string // a phrase the reason must hold
	}{
		{"unknown mechanism", "v=spf1 ip4:1.2.3.4 -all moo", "moo", "not a mechanism"},
		{"all with argument", "v=spf1 -all:foobar", "-all:foobar", "no argument"},
		{"all with cidr", "v=spf1 -all/8", "-all/8", "no argument"},
		{"all with dot", "v=spf1 -all.", "-all.", "not a mechanism"},
		{"redirect as mechanism", "v=spf1 redirect:t2.example.com", "redirect:t2.example.com", "is a modifier"},
		{"modifier name digit", "v=spf1 1up=foo", "1up=foo", "start with a letter"},
		{"empty name", "v=spf1 =all", "=all", "no name"},
		{"slash before equals", "v=spf1 moo.cow/far_out=man:dog/cat", "moo.cow/far_out=man:dog/cat", "not a mechanism"},
		{"no toplabel", "v=spf1 a:foo-bar -all", "a:foo-bar", "top-level label"},
		{"numeric toplabel", "v=spf1 a:abc.123", "a:abc.123", "all digits"},
		{"address in a", "v=spf1 a:111.222.33.44", "a:111.222.33.44", "write ip4:111.222.33.44"},
		{"only toplabel", "v=spf1 a:museum", "a:museum", "top-level label"},
		{"only toplabel dot", "v=spf1 a:museum.", "a:museum.", "top-level label"},
		{"dash toplabel", "v=spf1 a:example.-com", "a:example.-com", "not a valid top-level label"},
		{"port", "v=spf1 a:example.com:8080", "a:example.com:8080", "not a valid top-level label"},
		{"empty a domain", "v=spf1 a:", "a:", "nothing"},
		{"bad cidr4", "v=spf1 a/33 -all", "a/33", "more than 32"},
		{"bad cidr6", "v=spf1 a//129 -all", "a//129", "more than 128"},
		{"single slash pair", "v=spf1 a/24/64 -all", "a/24/64", "more than 32"},
		{"leading zero cidr", "v=spf1 ip4:1.2.3.4/032 -all", "ip4:1.2.3.4/032", "leading zero"},
		{"bare ip4", "v=spf1 ip4", "ip4", "needs an address"},
		{"short ip4", "v=spf1 ip4:1.2.3", "ip4:1.2.3", "not a whole IPv4 address"},
		{"ip4 port", "v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080", "not an IPv4 address"},
		{"ip4 dual cidr", "v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32", "not a CIDR prefix length"},
		{"ip4 leading zero octet", "v=spf1 ip4:1.2.3.04", "ip4:1.2.3.04", "not an IPv4 address"},
		{"ip6 of v4", "v=spf1 ip6:1.2.3.4", "ip6:1.2.3.4", "not an IPv6 address"},
		{"ip6 bad", "v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", "not an IPv6 address"},
		{"ip6 zone", "v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", "not an IPv6 address"},
		{"ip6 dual cidr", "v=spf1 ip6:::1.1.1.1//33", "ip6:::1.1.1.1//33", "not a CIDR prefix length"},
		{"ptr cidr", "v=spf1 ptr/0 -all", "ptr/0", "no CIDR"},
		{"ptr empty", "v=spf1 ptr:", "ptr:", "no CIDR"},
		{"include empty", "v=spf1 include: -all", "include:", "needs a domain"},
		{"include bare", "v=spf1 include +all", "include", "needs a domain"},
		{"include cidr", "v=spf1 include:ip5.example.com/24 -all", "include:ip5.example.com/24", "top-level label"},
		{"exists bare", "v=spf1 exists", "exists", "needs a domain"},
		{"exists cidr", "v=spf1 exists:mail.example.com/24", "exists:mail.example.com/24", "top-level label"},
		{"exp empty", "v=spf1 exp= -all", "exp=", "needs a domain"},
		{"exp bad domain", "v=spf1 exp=-all", "exp=-all", "top-level label"},
		{"redirect empty", "v=spf1 ?all redirect=", "redirect=", "needs a domain"},
		{"two exp", "v=spf1 exp=a.example.com -all exp=b.example.com", "exp=b.example.com", "more than one exp="},
		{"two redirect", "v=spf1 redirect=a.example.com -all redirect=a.example.com", "redirect=a.example.com", "more than one redirect="},
		{"bad unknown modifier", "v=spf1 -all foo=%abc", "foo=%abc", "must be followed by"},
		{"bad macro paren", "v=spf1 -exists:%(ir).sbl.example.com ?all", "-exists:%(ir).sbl.example.com", "must be followed by"},
		{"trailing percent", "v=spf1 exists:foo%.sbl.example.com", "exists:foo%.sbl.example.com", "must be followed by"},
		{"lone percent", "v=spf1 exists:foo.example.com%", "exists:foo.example.com%", "lone"},
		{"unclosed macro", "v=spf1 exists:%{d.example.com", "exists:%{d.example.com", "never closed"},
		{"unknown letter", "v=spf1 a:%{a}.example.com", "a:%{a}.example.com", "not a macro letter"},
		{"exp-only letter", "v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", "only be used in explanation"},
		{"zero digits", "v=spf1 exists:%{d0}.example.com", "exists:%{d0}.example.com", "nonzero"},
		{"bad delimiter", "v=spf1 exists:%{d2r!}.example.com", "exists:%{d2r!}.example.com", "delimiters"},
		{"empty macro", "v=spf1 exists:%{}.example.com", "exists:%{}.example.com", "no macro letter"},
		{"control char", "v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\rptr", "control character"},
		{"newline", "v=spf1 ip4:192.0.2.5\n include:x.example.com", "ip4:192.0.2.5\n", "control character"},
		{"non-ascii", "v=spf1 \x80a:example.net -all", "\x80a:example.net", "not US-ASCII"},
		{"nul", "v=spf1 a:foo.example.com\x00", "a:foo.example.com\x00", "control character"},
		{"tab separator", "v=spf1 a\t-all", "a\t-all", "control character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse(c.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want a *SyntaxError", c.in, r, err)
			}
			if se.Term != c.term || !strings.Contains(se.Reason, c.reason) {
				t.Errorf("Parse(%q): term %q, reason %q; want term %q and a reason with %q", c.in, se.Term, se.Reason, c.term, c.reason)
			}
			if !strings.Contains(se.Reason, "RFC 7208 §") {
				t.Errorf("Parse(%q): reason %q cites no RFC section", c.in, se.Reason)
			}
		})
	}
}

func TestParseNotSPF(t *testing.T) {
	for _, in := range []string{"", "v=spf10", "google-site-verification=abc", "v=spf1mx"} {
		if _, err := Parse(in); !errors.Is(err, ErrNotSPF) {
			t.Errorf("Parse(%q) error = %v, want ErrNotSPF", in, err)
		}
	}
}

func TestQueriesDNS(t *testing.T) {
	r, err := Parse("v=spf1 all include:a.example a mx ptr ip4:1.2.3.4 ip6:::1 exists:b.example redirect=c.example exp=d.example x=y")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, term := range r.Terms {
		if term.QueriesDNS() {
			got = append(got, term.Text)
		}
	}
	want := "include:a.example a mx ptr exists:b.example redirect=c.example"
	if strings.Join(got, " ") != want {
		t.Errorf("DNS-querying terms = %q, want %q", got, want)
	}
}
