package report

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWrapLongWord wraps a word of a megabyte (a hostile Subject): every
// line must fit and no character may be lost. (Cutting it once took a pass
// over the rest of the word per line, n²/width: minutes for this word;
// BenchmarkWrapLongWord shows the cost.)
func TestWrapLongWord(t *testing.T) {
	for _, c := range []struct {
		name string
		word string
	}{
		{"ASCII", strings.Repeat("A", 1<<20)},
		{"wide characters", strings.Repeat("日本", 100_000)},
		{"combining marks", strings.Repeat("e\u0301", 100_000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			wrap(&b, "Subject: "+c.word+" end", "  ", "    ", 80)
			out := b.String()
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if w := ansi.StringWidth(line); w > 80 {
					t.Fatalf("line %d is %d columns", i+1, w)
				}
			}
			joined := strings.ReplaceAll(strings.ReplaceAll(out, "\n    ", ""), "\n", "")
			if want := "  Subject:" + c.word + "end"; strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(want, " ", "") {
				t.Errorf("the wrapped text lost or changed characters")
			}
		})
	}
}

// BenchmarkWrapLongWord wraps one word of 1 MiB at 80 columns.
func BenchmarkWrapLongWord(b *testing.B) {
	word := strings.Repeat("A", 1<<20)
	b.SetBytes(int64(len(word)))
	b.ReportAllocs()
	for b.Loop() {
		var out strings.Builder
		wrap(&out, word, "", "", 80)
	}
}

// TestWrapNoEmptyLines wraps lines that start with spaces, as the folded
// lines of a header field do (a tab shown as a space, then the indent of
// b=): spaces before a word too long for the rest of the line once made
// a line of their own, printed as an empty line between the folded lines
// of a DKIM signature.
func TestWrapNoEmptyLines(t *testing.T) {
	b64 := "pG3XEz/QuUWljGVsvHNsRaAbgB8d260+y3Mhnd1wc5Jdj+lqMfXbIgBYOpumb7cgo15FUD"
	cases := []struct {
		name, s, first, indent string
		width                  int
		want                   string
	}{
		{"a folded line longer than the room", "   " + b64, "      ", "      ", 40,
			"      pG3XEz/QuUWljGVsvHNsRaAbgB8d260+y3\n      Mhnd1wc5Jdj+lqMfXbIgBYOpumb7cgo15F\n      UD\n"},
		{"a folded line that fits keeps its indent", "   s=2026a; t=1795162465;", "      ", "      ", 40,
			"         s=2026a; t=1795162465;\n"},
		{"spaces after a word before a long one", "b=   " + b64, "  ", "  ", 30,
			"  b=\n  pG3XEz/QuUWljGVsvHNsRaAbgB8d\n  260+y3Mhnd1wc5Jdj+lqMfXbIgBY\n  Opumb7cgo15FUD\n"},
		{"only spaces", "     ", "  ", "  ", 30, "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			wrap(&b, c.s, c.first, c.indent, c.width)
			if got := b.String(); got != c.want {
				t.Errorf("wrap(%q, width %d) =\n%q\nwant\n%q", c.s, c.width, got, c.want)
			}
		})
	}
}
