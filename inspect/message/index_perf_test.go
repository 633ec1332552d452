package message

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzIndexNLFrom holds indexNLFrom to bytes.Index, which it replaces in
// the mbox scan.
func FuzzIndexNLFrom(f *testing.F) {
	for _, s := range []string{"", "\n", "\nFrom", "\nFrom ", "From \n", "x\nFrom a", "\nFrom\nFrom x", "FFFF\nFrom ", "\n\nFrom ", "a\nFrom", "\nFrom \nFrom ", "\nFroM x\nFrom y", "F\nF\nFr\nFrom "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, w []byte) {
		if got, want := indexNLFrom(w), bytes.Index(w, nlFrom); got != want {
			t.Fatalf("indexNLFrom(%q) = %d, want %d", w, got, want)
		}
	})
}

// TestIndexNLFromEveryPlace puts the pattern at every offset of buffers
// of every length up to 20, among 'F's and line ends.
func TestIndexNLFromEveryPlace(t *testing.T) {
	for n := range 21 {
		for at := 0; at+len(nlFrom) <= n; at++ {
			for _, fill := range []string{"F", "\n", "x", "\nF"} {
				w := []byte(strings.Repeat(fill, n)[:n])
				copy(w[at:], nlFrom)
				if got, want := indexNLFrom(w), bytes.Index(w, nlFrom); got != want {
					t.Errorf("indexNLFrom(%q) = %d, want %d", w, got, want)
				}
			}
		}
	}
}

// BenchmarkIndexNLFrom scans mail text with one separator at its end.
func BenchmarkIndexNLFrom(b *testing.B) {
	w := []byte(strings.Repeat("the report for quarter shows growth of 12.5% in sales, while costs fell;\n", 1000) + "\nFrom a")
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		if indexNLFrom(w) < 0 {
			b.Fatal("not found")
		}
	}
}

func BenchmarkIndexNLFromBytesIndex(b *testing.B) {
	w := []byte(strings.Repeat("the report for quarter shows growth of 12.5% in sales, while costs fell;\n", 1000) + "\nFrom a")
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		if bytes.Index(w, nlFrom) < 0 {
			b.Fatal("not found")
		}
	}
}
