package inspect

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/message"
)

// FuzzPhishingSigns: any From value and From domain give at most one sign
// of each kind, each explained, without panicking.
func FuzzPhishingSigns(f *testing.F) {
	for _, s := range []string{
		`"PayPal" <service@attacker.example>`, `"service@paypal.example" <x@attacker.example>`,
		`"Pay` + "\u202e" + `LAP" <a@paypal.example>`, "x@xn--pypal-4ve.example", `"Bank of America" <a@b.example>`,
		`=?utf-8?q?PayPal?= <a@b.example>`, `"a.b.c.d.e" <x@y.example>`, `"@@@..." <x@y.example>`,
	} {
		f.Add(s, "")
		f.Add(s, "attacker.example")
	}
	f.Fuzz(func(t *testing.T, from, domain string) {
		rep := Report{Source: message.Summary{From: from}, DMARC: dmarc.Result{FromDomain: domain}}
		signs := phishingSigns(rep)
		kinds := map[string]bool{}
		for _, s := range signs {
			if kinds[s.Kind] {
				t.Fatalf("two signs of kind %s", s.Kind)
			}
			kinds[s.Kind] = true
			if s.Explain == "" || strings.Contains(s.Explain, "\n") && !strings.Contains(from+domain, "\n") {
				t.Fatalf("sign %+v", s)
			}
			if utf8.ValidString(from+domain) && !utf8.ValidString(s.Explain) {
				t.Fatalf("explanation is not UTF-8: %q", s.Explain)
			}
		}
	})
}

func TestContainsWord(t *testing.T) {
	cases := []struct {
		s, w string
		want bool
	}{
		{"paypal service", "paypal", true},
		{"paypalservice", "paypal", false},
		{"my-paypal", "paypal", true},
		{"ups", "ups", true},
		{"groups team", "ups", false},
		{"wells fargo online", "wells fargo", true},
		{"", "ups", false},
	}
	for _, c := range cases {
		if got := containsWord(c.s, c.w); got != c.want {
			t.Errorf("containsWord(%q, %q) = %v, want %v", c.s, c.w, got, c.want)
		}
	}
}
