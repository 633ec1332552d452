package dkim

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// refDecodeB64 is decodeB64 as it was written first: strip, then
// DecodeString. decodeB64 must give its bytes and its error text.
func refDecodeB64(v string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(stripFWS(v))
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	return b, nil
}

var b64Cases = []struct{ name, in string }{
	{"empty", ""},
	{"only FWS", " \r\n\t "},
	{"plain", "aGVsbG8gd29ybGQ="},
	{"folded", "aGVs\r\n bG8g\r\n\td29y bGQ="},
	{"no padding", "aGVsbG8"},
	{"bad byte", "aGVs!G8="},
	{"bad byte after FWS", "aGVs \r\n !G8="},
	{"padding inside", "aG==bG8="},
	{"lone LF", "aGVs\nbG8="},
	{"lone CR", "aGVs\rbG8="},
	{"bare CRLF", "aGVsbG8=\r\n"},
	{"non-ASCII", "aGVs\u00a0bG8="},
	{"rsa-2048 sized", strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph\r\n ", 10) + "AAAA"},
}

func TestDecodeB64(t *testing.T) {
	for _, c := range b64Cases {
		t.Run(c.name, func(t *testing.T) {
			got, gotErr := decodeB64(c.in)
			want, wantErr := refDecodeB64(c.in)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || string(got) != string(want) || (got == nil) != (want == nil) {
				t.Errorf("decodeB64(%q) = %q, %v; want %q, %v", c.in, got, gotErr, want, wantErr)
			}
		})
	}
}

func FuzzDecodeB64(f *testing.F) {
	for _, c := range b64Cases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, gotErr := decodeB64(v)
		want, wantErr := refDecodeB64(v)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || string(got) != string(want) || (got == nil) != (want == nil) {
			t.Fatalf("decodeB64(%q) = %q, %v; want %q, %v", v, got, gotErr, want, wantErr)
		}
	})
}

// refValidDomain is validDomain as it was written first, splitting the
// labels into a slice.
func refValidDomain(d string, min int) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < min {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

var domainCases = []struct {
	name, in string
	want2    bool // validDomain(in, 2)
}{
	{"two labels", "example.org", true},
	{"one label", "org", false},
	{"underscore", "_dmarc.example.org", true},
	{"empty", "", false},
	{"dot", ".", false},
	{"leading dot", ".example.org", false},
	{"trailing dot", "example.org.", false},
	{"double dot", "example..org", false},
	{"hyphen start", "-x.example", false},
	{"hyphen end", "x-.example", false},
	{"hyphen inside", "x-y.example", true},
	{"label 63", strings.Repeat("a", 63) + ".example", true},
	{"label 64", strings.Repeat("a", 64) + ".example", false},
	{"253 long", strings.Repeat("a.", 126) + "a", true},
	{"254 long", strings.Repeat("a.", 126) + "ab", false},
	{"space", "exa mple.org", false},
	{"non-ASCII", "bücher.example", false},
	{"upper case", "Example.ORG", true},
}

func TestValidDomain(t *testing.T) {
	for _, c := range domainCases {
		t.Run(c.name, func(t *testing.T) {
			if got := validDomain(c.in, 2); got != c.want2 {
				t.Errorf("validDomain(%q, 2) = %v, want %v", c.in, got, c.want2)
			}
			for _, min := range []int{0, 1, 2, 3} {
				if got, want := validDomain(c.in, min), refValidDomain(c.in, min); got != want {
					t.Errorf("validDomain(%q, %d) = %v, the split version says %v", c.in, min, got, want)
				}
			}
		})
	}
}

func FuzzValidDomain(f *testing.F) {
	for _, c := range domainCases {
		f.Add(c.in, uint8(2))
	}
	f.Fuzz(func(t *testing.T, d string, min uint8) {
		if got, want := validDomain(d, int(min%4)), refValidDomain(d, int(min%4)); got != want {
			t.Fatalf("validDomain(%q, %d) = %v, the split version says %v", d, min%4, got, want)
		}
	})
}
