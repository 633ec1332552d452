package dnsx

import (
	"strings"
	"testing"
)

// FuzzFqdnFast: Fqdn's shortcuts (a name already canonical, or canonical
// but for the root's dot) return what the general path returns, error
// or not.
func FuzzFqdnFast(f *testing.F) {
	for _, s := range []string{"example.org", "example.org.", "Example.org", "a..b", ".a", "a.", ".", "", `\`, "_dmarc.d1.example", "x*y.example",
		"sel._domainkey.example.org", "1.2.0.192.in-addr.arpa", "a b.example", "é.example"} {
		f.Add(s)
	}
	f.Add(string(make([]byte, 64)) + ".example")
	// Label and name lengths at and past the limits.
	f.Add(strings.Repeat("a", 63) + ".example")
	f.Add(strings.Repeat("a", 64) + ".example")
	f.Add(strings.Repeat("abc.", 63) + "a")   // 253 bytes
	f.Add(strings.Repeat("abc.", 63) + "ab")  // 254
	f.Add(strings.Repeat("abc.", 63) + "ab.") // 255 with the dot
	f.Fuzz(func(t *testing.T, name string) {
		got, gerr := Fqdn(name)
		want, werr := fqdnSlow(name)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Fatalf("Fqdn(%q) = %q, %v; the general path gives %q, %v", name, got, gerr, want, werr)
		}
	})
}
