package dkim

import (
	"bytes"
	"crypto"
	"math"
	"strings"
	"testing"
)

// The helpers below build step text in fewer allocations than the plain
// expressions they replaced; these tests hold them to those expressions.

func refAbbrevFWS(v string) string {
	if s := stripFWS(v); len(s) > 48 {
		return s[:24] + "…" + s[len(s)-16:]
	}
	return v
}

var abbrevCases = []string{
	"",
	"abc",
	strings.Repeat("A", 48),
	strings.Repeat("A", 49),
	"dGhpcyBpcyBhIHNpZ25hdHVyZQ==\r\n\tZGF0YSB0aGF0IGlzIGxvbmcgZW5vdWdo IGZvciB0aGUgcHJldmlldw==",
	strings.Repeat("ab \r\n\t", 20),
	strings.Repeat(" x", 48) + " ",
	"é" + strings.Repeat("B", 60) + "ü",
}

func TestAbbrevFWS(t *testing.T) {
	for _, v := range abbrevCases {
		if got, want := abbrevFWS(v), refAbbrevFWS(v); got != want {
			t.Errorf("abbrevFWS(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestJoinHeaderList(t *testing.T) {
	for _, v := range []string{"", "from", "From:To", "From : To\r\n\t:Subject", " a::b ", "x\u00a0y:z"} {
		if got, want := joinHeaderList(v), strings.Join(ParseHeaderList(v), ":"); got != want {
			t.Errorf("joinHeaderList(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestWithTime(t *testing.T) {
	for _, n := range []int64{0, 1, 1732870800, 999999999999, 253402300799, 253402300800, math.MaxInt64} {
		if got, want := withTime("t=1 (", n, ")"), "t=1 ("+unixString(n)+")"; got != want {
			t.Errorf("withTime(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCanonPair(t *testing.T) {
	for _, h := range []Canon{Simple, Relaxed, "odd"} {
		for _, b := range []Canon{Simple, Relaxed, ""} {
			if got, want := canonPair(h, b), string(h)+"/"+string(b); got != want {
				t.Errorf("canonPair(%q, %q) = %q, want %q", h, b, got, want)
			}
		}
	}
}

// TestVerifierHeaderHash holds the verifier's header hash, which strips
// b= with the tags parsed already and reuses one buffer, to HeaderHash.
func TestVerifierHeaderHash(t *testing.T) {
	for _, c := range headerHashCases {
		t.Run(c.name, func(t *testing.T) {
			if n := checkHeaderHash(t, c.msg); n == 0 {
				t.Errorf("%q: no signature was compared", c.msg)
			}
		})
	}
}

var headerHashCases = []struct{ name, msg string }{
	{"relaxed crlf", "From: a@example.org\r\nDKIM-Signature: v=1; c=relaxed; h=from:to:from; b=abc\r\n def ; bh=x\r\nTo:  b\r\n\r\n"},
	{"simple lf", "DKIM-Signature: v=1; h=From : Subject; b= x ;\n\tbh=y\nFrom: a\n  folded\nSubject: s\n\n"},
	{"b last, no semicolon", "From: a\r\nDKIM-Signature: h=from; b=zzz\r\n\r\n"},
	{"two signatures", "DKIM-Signature: c=relaxed/simple; h=from:dkim-signature; b=1\r\nDKIM-Signature: c=simple; h=From:DKIM-Signature; b=2\r\nFrom: x\r\n\r\n"},
}

// checkHeaderHash compares the two for every signature of msg that gets
// as far as the header hash, and returns how many it compared.
func checkHeaderHash(t *testing.T, msg string) int {
	n := 0
	m := Split([]byte(msg))
	v := &verifier{m: m}
	for i, f := range m.Fields {
		if !f.Is(FieldName) {
			continue
		}
		tags, err := ParseTagList(string(f.Value()))
		if err != nil {
			continue
		}
		h, _ := tags.Get("h")
		c, _ := tags.Get("c")
		hc, _, err := ParseCanon(c)
		if err != nil {
			continue
		}
		sig := &Sig{Tags: tags, Headers: ParseHeaderList(h), HeaderCanon: hc, Hash: crypto.SHA256}
		picked := m.Pick(sig.Headers, i)
		want, _, werr := HeaderHash(m, picked, f.Raw, hc, crypto.SHA256)
		got, gerr := v.headerHash(picked, i, sig)
		n++
		if !bytes.Equal(got, want) || (gerr == nil) != (werr == nil) {
			t.Errorf("field %d of %q: verifier's header hash %x (%v), HeaderHash %x (%v)", i, msg, got, gerr, want, werr)
		}
	}
	return n
}

func FuzzVerifierHeaderHash(f *testing.F) {
	for _, c := range headerHashCases {
		f.Add(c.msg)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		checkHeaderHash(t, msg)
	})
}

func FuzzAbbrevFWS(f *testing.F) {
	for _, v := range abbrevCases {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := abbrevFWS(v), refAbbrevFWS(v); got != want {
			t.Errorf("abbrevFWS(%q) = %q, want %q", v, got, want)
		}
		if got, want := joinHeaderList(v), strings.Join(ParseHeaderList(v), ":"); got != want {
			t.Errorf("joinHeaderList(%q) = %q, want %q", v, got, want)
		}
	})
}
