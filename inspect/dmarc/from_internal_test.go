package dmarc

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx"
)

var fitsCases = []struct {
	name string
	d    string
	want bool
}{
	{"plain", "example.com", true},
	{"one label", "localhost", true},
	{"underscore and hyphen", "a_b-c.example", true},
	{"label of 63", strings.Repeat("a", 63) + ".example", true},
	{"label of 64", strings.Repeat("a", 64) + ".example", false},
	{"last label of 64", "example." + strings.Repeat("a", 64), false},
	{"246 bytes: _dmarc. makes 253", strings.Repeat("a.", 122) + "ab", true},
	{"247 bytes: left to dnsx", strings.Repeat("a.", 123) + "a", false},
	{"empty label", "a..example", false},
	{"leading dot", ".example", false},
	{"empty", "", false},
}

// TestDmarcNameFits holds the shortcut to what it stands for: dnsx.Fqdn
// of the _dmarc name accepts every domain it says fits. (A domain it does
// not vouch for is left to Fqdn, which may accept it too.)
func TestDmarcNameFits(t *testing.T) {
	for _, c := range fitsCases {
		t.Run(c.name, func(t *testing.T) {
			if got := dmarcNameFits(c.d); got != c.want {
				t.Errorf("dmarcNameFits(%q) = %v, want %v", c.d, got, c.want)
			}
			if _, err := dnsx.Fqdn("_dmarc." + c.d); c.want && err != nil {
				t.Errorf("dnsx.Fqdn(%q) = %v, but dmarcNameFits says it fits", "_dmarc."+c.d, err)
			}
		})
	}
}

// FuzzDmarcNameFits: whatever domain of normalizeDomain's bytes the
// shortcut says fits, dnsx.Fqdn accepts as a _dmarc name, so normalizeDomain
// gives what it gave when it always asked Fqdn.
func FuzzDmarcNameFits(f *testing.F) {
	for _, c := range fitsCases {
		f.Add(c.d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		for i := 0; i < len(d); i++ {
			if c := d[i]; !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-' || c == '.' || c == '_') {
				return
			}
		}
		if !dmarcNameFits(d) {
			return
		}
		if _, err := dnsx.Fqdn("_dmarc." + d); err != nil {
			t.Fatalf("dmarcNameFits(%q) = true, but dnsx.Fqdn of the _dmarc name says %v", d, err)
		}
	})
}
