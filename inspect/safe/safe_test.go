package safe_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/safe"
)

var textCases = []struct {
	name, in, text, block string
}{
	{"empty", "", "", ""},
	{"plain ascii", "Your account is limited", "Your account is limited", "Your account is limited"},
	{"plain utf8", "Grüße, 東京 🙂", "Grüße, 東京 🙂", "Grüße, 東京 🙂"},
	{"escape sequence", "ok\x1b[2Jcleared", `ok\x1b[2Jcleared`, `ok\x1b[2Jcleared`},
	{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
	{"nul and del", "a\x00b\x7fc", `a\x00b\x7fc`, `a\x00b\x7fc`},
	{"tab newline cr", "a\tb\nc\rd", `a\tb\nc\rd`, "a\tb\nc\\rd"},
	{"crlf", "line1\r\nline2\r\n", `line1\r\nline2\r\n`, "line1\nline2\n"},
	{"lone cr at end", "x\r", `x\r`, `x\r`},
	{"c1 csi as utf8", "a\u009b31mb", `a\u009b31mb`, `a\u009b31mb`},
	{"c1 nel", "a\u0085b", `a\u0085b`, `a\u0085b`},
	{"rlo spoof", "service@\u202elapyap.com", `service@\u202elapyap.com`, `service@\u202elapyap.com`},
	{"all embeddings", "\u202a\u202b\u202c\u202d\u202e", `\u202a\u202b\u202c\u202d\u202e`, `\u202a\u202b\u202c\u202d\u202e`},
	{"isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`, `\u2066\u2067\u2068\u2069`},
	{"marks", "\u200e\u200f\u061c", `\u200e\u200f\u061c`, `\u200e\u200f\u061c`},
	{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`, `a\u2028b\u2029c`},
	// U+2065 (unassigned), U+206A, U+202F and U+00A0 are next to controls
	// but are not controls: kept.
	{"neighbours kept", "\u2065\u206a\u2029x\u202f\u00a0", "\u2065\u206a" + `\u2029` + "x\u202f\u00a0", "\u2065\u206a" + `\u2029` + "x\u202f\u00a0"},
	{"raw 8-bit csi byte", "a\x9bb", `a\x9bb`, `a\x9bb`},
	{"latin1 bytes", "caf\xe9", `caf\xe9`, `caf\xe9`},
	{"truncated utf8", "ok\xe2\x80", `ok\xe2\x80`, `ok\xe2\x80`},
	{"backslash untouched", `C:\x1b`, `C:\x1b`, `C:\x1b`},
}

func TestText(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			if got := safe.Text(c.in); got != c.text {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
			}
			if got := safe.Bytes([]byte(c.in)); got != c.text {
				t.Errorf("Bytes(%q) = %q, want %q", c.in, got, c.text)
			}
			if got, want := safe.Needed(c.in), c.text != c.in; got != want {
				t.Errorf("Needed(%q) = %v, want %v", c.in, got, want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			if got := safe.Block(c.in); got != c.block {
				t.Errorf("Block(%q) = %q, want %q", c.in, got, c.block)
			}
		})
	}
}

func TestCleanInputIsNotCopied(t *testing.T) {
	in := strings.Repeat("plain text ", 100)
	allocs := testing.AllocsPerRun(100, func() { _ = safe.Text(in) })
	if allocs != 0 {
		t.Errorf("Text(clean input) allocates %v times, want 0", allocs)
	}
}

func TestJSON(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // the encoded JSON after JSON()
	}{
		{"plain", "hello", `"hello"`},
		{"c0 already escaped by encoding/json", "a\x1bb", `"a\u001bb"`},
		{"del", "a\x7fb", `"a\u007fb"`},
		{"c1", "a\u009bb", `"a\u009bb"`},
		{"rlo", "x\u202ey", `"x\u202ey"`},
		{"isolate", "x\u2068y", `"x\u2068y"`},
		{"lrm", "x\u200ey", `"x\u200ey"`},
		{"separators", "x\u2028y", `"x\u2028y"`},
		{"non-ascii kept", "Grüße", `"Grüße"`},
		{"invalid utf8 replaced by encoding/json", "a\xffb", `"a\ufffdb"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc, err := json.Marshal(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got := string(safe.JSON(enc))
			if got != c.want {
				t.Errorf("JSON(%s) = %s, want %s", enc, got, c.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatalf("result %s is not JSON: %v", got, err)
			}
			var orig string
			_ = json.Unmarshal(enc, &orig)
			if back != orig {
				t.Errorf("JSON changed the value: decoded %q, want %q", back, orig)
			}
		})
	}
}

// terminalSafe reports the first thing in s a terminal could act on.
func terminalSafe(s string, block bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !block {
				return fmt.Errorf("control %U at %d", r, i)
			}
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return fmt.Errorf("control %U at %d", r, i)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
			return fmt.Errorf("bidi or separator %U at %d", r, i)
		}
	}
	return nil
}

func FuzzText(f *testing.F) {
	for _, c := range textCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		text := safe.Text(in)
		if err := terminalSafe(text, false); err != nil {
			t.Fatalf("Text(%q) = %q: %v", in, text, err)
		}
		block := safe.Block(in)
		if err := terminalSafe(block, true); err != nil {
			t.Fatalf("Block(%q) = %q: %v", in, block, err)
		}
		if terminalSafe(in, false) == nil && text != in {
			t.Fatalf("Text changed safe input %q to %q", in, text)
		}
		if safe.Needed(in) != (text != in) {
			t.Fatalf("Needed(%q) = %v but Text gave %q", in, safe.Needed(in), text)
		}
		enc, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		out := safe.JSON(enc)
		if err := terminalSafe(string(out), false); err != nil {
			t.Fatalf("JSON(%s) = %s: %v", enc, out, err)
		}
		var a, b string
		if err := json.Unmarshal(enc, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("JSON(%s) = %s, not JSON: %v", enc, out, err)
		}
		if a != b {
			t.Fatalf("JSON changed the value: %q, want %q", b, a)
		}
	})
}

func ExampleText() {
	fmt.Println(safe.Text("Invoice \x1b[8mhidden\x1b[0m from service@\u202elapyap.com"))
	// Output: Invoice \x1b[8mhidden\x1b[0m from service@\u202elapyap.com
}

func BenchmarkText(b *testing.B) {
	clean := strings.Repeat("Received: from mail.example.org (mail.example.org [192.0.2.1]) ", 16)
	dirty := strings.Repeat("Subject: \x1b[31mred\x1b[0m \u202eevil ", 16)
	b.Run("clean", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			_ = safe.Text(clean)
		}
	})
	b.Run("dirty", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(dirty)))
		for b.Loop() {
			_ = safe.Text(dirty)
		}
	})
}
