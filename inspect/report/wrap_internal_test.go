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
