package dnsx

import (
	"strings"
	"testing"
)

// FuzzFqdnFast: Fqdn's shortcuts (a name already canonical, or canonical
// but for the root's dot) return what the general path returns, error
// or not.
func FuzzFqdnFast(f *testing.F) {
	fqdnSeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		got, gerr := Fqdn(name)
		want, werr := fqdnSlow(name)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Fatalf("Fqdn(%q) = %q, %v; the general path gives %q, %v", name, got, gerr, want, werr)
		}
	})
}

// FuzzCacheName: the Cache's key for a name is its Fqdn without the
// root's dot, and there is none exactly when Fqdn refuses the name, so
// that the key, made without allocating, tells names apart as Fqdn does.
func FuzzCacheName(f *testing.F) {
	fqdnSeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		key, ok := cacheName(name)
		fq, err := Fqdn(name)
		if ok != (err == nil) || ok && key+"." != fq {
			t.Fatalf("cacheName(%q) = %q, %v; Fqdn gives %q, %v", name, key, ok, fq, err)
		}
	})
}

func fqdnSeeds(f *testing.F) {
	f.Helper()
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
}
