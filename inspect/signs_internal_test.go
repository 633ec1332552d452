package inspect

import (
	"net/mail"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/message"
)

// FuzzPhishingSigns: any From value and From domain give at most one sign
// of each kind, each explained, with what a reader cannot see escaped,
// without panicking. The value stands for the From field both as written
// and as decoded.
func FuzzPhishingSigns(f *testing.F) {
	for _, s := range []string{
		`"PayPal" <service@attacker.example>`, `"service@paypal.example" <x@attacker.example>`,
		`"Pay` + "\u202e" + `LAP" <a@paypal.example>`, "x@xn--pypal-4ve.example", `"Bank of America" <a@b.example>`,
		`=?utf-8?q?PayPal?= <a@b.example>`, `"a.b.c.d.e" <x@y.example>`, `"@@@..." <x@y.example>`,
		"\"P\u0430yPal\" <service@attacker.example>", "\"\u202eLAPYAP\" <a@b.example>", "\"Pay\u200bPal\" <a@b.example>",
		"bob@ex\u200bample.com", `"PayPa1" <x@y.example>`, "\"\uff30\uff41\uff59\uff30\uff41\uff4c\" <x@y.example>",
		"\"Team \U0001F469\u200d\U0001F4BB\" <t@y.example>", "a@x.example, \"P\u0430yPal\" <b@y.example>",
		"\"\u202e\u202eab\u202ccd\u202c\" <x@y.example>", "PayPal <x@y.example", "\"Doe, John\" <j@[192.0.2.1]>",
	} {
		f.Add(s, "")
		f.Add(s, "attacker.example")
	}
	// Two halves that are not UTF-8 but join into UTF-8: the property
	// once checked the two together (testdata/fuzz/FuzzPhishingSigns).
	f.Add("\xe2", "\x87\x88욛A")
	f.Fuzz(func(t *testing.T, from, domain string) {
		rep := Report{Source: message.Summary{From: from}, DMARC: dmarc.Result{FromDomain: domain}}
		signs := phishingSigns(rep, from)
		kinds := map[string]bool{}
		for _, s := range signs {
			if kinds[s.Kind] {
				t.Fatalf("two signs of kind %s", s.Kind)
			}
			kinds[s.Kind] = true
			if s.Explain == "" || s.Detail == "" {
				t.Fatalf("sign %+v lacks an explanation or a detail", s)
			}
			if utf8.ValidString(from) && utf8.ValidString(domain) && !utf8.ValidString(s.Explain) {
				t.Fatalf("explanation is not UTF-8: %q", s.Explain)
			}
			for _, text := range []string{s.Detail, s.Explain} {
				for _, r := range text {
					if r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0xfeff {
						t.Fatalf("sign %+v holds U+%04X unescaped", s, r)
					}
				}
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

// BenchmarkPhishingSigns: the From fields of ordinary mail (no sign) and
// of the lures issue 11 names, as every message pays for them.
func BenchmarkPhishingSigns(b *testing.B) {
	for _, c := range []struct{ name, from, domain string }{
		{"plain", `"Alice Example" <alice@aligned.example>`, "aligned.example"},
		{"encoded", "=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <j@aligned.example>", "aligned.example"},
		{"lure", "\"P\u0430yPal Serv\u200bice\" <service@ex\u200bample.com>", "example.com"},
		// A digit reads as a letter (0 for o), so every brand domain is
		// compared with the domain.
		{"digits", `"Sender 7" <news@d7.example>`, "d7.example"},
		{"unquoted", `Sender 7 <news@d7.example>`, "d7.example"},
	} {
		b.Run(c.name, func(b *testing.B) {
			rep := Report{Source: message.Summary{From: c.from}, DMARC: dmarc.Result{FromDomain: c.domain}}
			b.ReportAllocs()
			for b.Loop() {
				phishingSigns(rep, c.from)
			}
		})
	}
}

// TestRelaxedTo holds relaxedTo(x).aligns(relaxedTo(d)) to dmarc.Aligned(d,
// x, Relaxed), which it replaces in the brand loop of domainCharSign, and
// brandAlignments to the brands' domains.
func TestRelaxedTo(t *testing.T) {
	names := []string{"", ".", "paypal.com", "PayPal.com.", "mail.paypal.com", "paypa1.com", "com", "co.uk", "a.co.uk", "b.a.co.uk", "mail.instagram.com", "instagram.com", "user.github.io", "github.io", "d7.example", "example", "[192.0.2.1]"}
	for i, b := range brands {
		for j, d := range b.domains {
			if got, want := brandAlignments[i][j], relaxedTo(d); got != want {
				t.Errorf("brandAlignments[%d][%d] = %+v, want %+v (%s)", i, j, got, want, d)
			}
		}
	}
	for _, x := range names {
		for _, d := range names {
			got := relaxedTo(x).aligns(relaxedTo(d))
			if want := dmarc.Aligned(d, x, dmarc.Relaxed); got != want {
				t.Errorf("relaxedTo(%q).aligns(%q) = %v, want %v (dmarc.Aligned)", x, d, got, want)
			}
		}
	}
}

// TestFromAddressesPlain: a plain From, read without net/mail, gives the
// name and domain net/mail gives.
func TestFromAddressesPlain(t *testing.T) {
	for _, raw := range []string{" Sender 7 <news@d7.example>", "Alice   Example<alice@Aligned.Example>", "bob@b.example", "<c@c.example>"} {
		got := fromAddresses(raw, raw)
		list, err := mail.ParseAddressList(raw)
		if err != nil || len(list) != 1 {
			t.Fatalf("net/mail: %v, %v", list, err)
		}
		want := []fromAddress{{name: list[0].Name, domain: domainOf(list[0].Address)}}
		if !slices.Equal(got, want) {
			t.Errorf("fromAddresses(%q) = %+v, want %+v", raw, got, want)
		}
	}
}

// TestASCIIOneScript holds the shortcut of nameCharSign and domainCharSign
// (a word or label of ASCII is not looked at for mixed scripts) to what it
// skips: the letters of all 128 ASCII characters together are of one
// script, so no ASCII word can mix two.
func TestASCIIOneScript(t *testing.T) {
	all := make([]byte, 128)
	for i := range all {
		all[i] = byte(i)
	}
	if scripts := wordScripts(string(all)); len(scripts) > 1 || mixedScripts(scripts) {
		t.Errorf("wordScripts(all ASCII) = %q, want at most one script", scripts)
	}
	for _, c := range []struct {
		s    string
		want bool
	}{{"d7.example", true}, {"Sender 7", true}, {"", true}, {"P\u0430yPal", false}, {"\x7f", true}, {"\x80", false}} {
		if got := asciiOnly(c.s); got != c.want {
			t.Errorf("asciiOnly(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
