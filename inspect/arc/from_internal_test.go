package arc

import (
	"testing"

	"github.com/headercheck/headercheck/inspect/dkim"
)

// TestFromDomain: the plain From forms (read without net/mail) and the
// others give the domain as before: lower case, no trailing dot, "" for no
// From or several.
func TestFromDomain(t *testing.T) {
	cases := []struct{ name, header, want string }{
		{"plain", "From: Sender 7 <news@D7.Example>\r\n", "d7.example"},
		{"bare", "From: news@d7.example\r\n", "d7.example"},
		{"folded plain", "From: Sender 7\r\n <news@d7.example>\r\n", "d7.example"},
		{"quoted name", "From: \"Pay, Pal\" <service@paypal.example>\r\n", "paypal.example"},
		{"trailing dot, lenient", "From: <a@Example.COM.>\r\n", "example.com"},
		{"two addresses, lenient", "From: a@one.example, b@two.example\r\n", "two.example"},
		{"no From", "To: a@b.example\r\n", ""},
		{"two From fields", "From: a@one.example\r\nFrom: b@two.example\r\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := dkim.Split([]byte(c.header + "Subject: x\r\n\r\nbody\r\n"))
			if got := fromDomain(m); got != c.want {
				t.Errorf("fromDomain = %q, want %q", got, c.want)
			}
		})
	}
}
