package report

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPlain8 holds the 8-bytes-at-a-time test of appendString to the
// byte table it stands for: every byte value at every position among
// plain neighbours, and random words.
func TestPlain8(t *testing.T) {
	want := func(w [8]byte) bool {
		for _, c := range w {
			if !plainASCII[c] {
				return false
			}
		}
		return true
	}
	check := func(w [8]byte) {
		t.Helper()
		if got := plain8(binary.LittleEndian.Uint64(w[:])); got != want(w) {
			t.Fatalf("plain8(%q) = %v, want %v", w[:], got, want(w))
		}
	}
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', ' ', '~', 0x21, '"' + 1, '\\' - 1} {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				check(w)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		check(w)
		for i := range w {
			w[i] = byte(0x1e + rng.IntN(0x64)) // around the edges: 0x1e..0x81
		}
		check(w)
	}
}

// TestAppendStringMatchesMarshal compares appendString with encoding/json
// (which escapes < > & and leaves the terminal's controls alone) on
// strings where the two must agree, at every alignment of the escape
// within the 8-byte skip.
func TestAppendStringMatchesMarshal(t *testing.T) {
	for _, special := range []string{"\"", "\\", "\n", "\t", "\x00", "\x1f", "é", "日本", "\U0001F600"} {
		for pre := range 17 {
			for post := range 9 {
				s := strings.Repeat("a", pre) + special + strings.Repeat("b ", post)
				want, _ := json.Marshal(s)
				if got := appendString(nil, s); string(got) != string(want) {
					t.Errorf("appendString(%q) = %s, want %s", s, got, want)
				}
			}
		}
	}
}

// BenchmarkAppendString writes the kind of text a step explanation holds.
func BenchmarkAppendString(b *testing.B) {
	s := strings.Repeat("The domain d1.example publishes \"v=spf1 include:_spf.esp1.example -all\"; 198.51.100.2 is listed. ", 4)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = appendString(buf[:0], s)
	}
}
