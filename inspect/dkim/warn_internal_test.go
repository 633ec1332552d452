package dkim

import (
	"testing"
)

// fromCases are From values of every shape: the plain ones
// plainFromDomain reads and the ones it must leave to net/mail.
var fromCases = []struct {
	name, value string
	plain       bool // plainFromDomain reads it
	domain      string
}{
	{"name and angle address", " Alice Example <alice@example.org>", true, "example.org"},
	{"bare address", " alice@example.org", true, "example.org"},
	{"angle address only", "<alice@example.org>", true, "example.org"},
	{"upper case domain", " Sender 12 <news@Mail.Example.COM>", true, "mail.example.com"},
	{"tab around", "\tbob+tag=x@sub-domain.example.net\t", true, "sub-domain.example.net"},
	{"many spaces in name", " Alice   Example  <alice@example.org> ", true, "example.org"},
	{"digits", " 12 <1@2.3>", true, "2.3"},
	{"quoted name", ` "Example, Alice" <alice@example.org>`, false, "example.org"},
	{"encoded word", " =?utf-8?q?Alice?= <alice@example.org>", false, "example.org"},
	{"comment", " alice@example.org (Alice)", false, "example.org"},
	{"trailing dot domain", " <alice@example.org.>", false, "example.org"},
	{"two addresses", " a@one.example, b@two.example", false, "two.example"},
	{"group", " team: a@one.example;", false, "one.example"},
	{"empty group", " undisclosed-recipients:;", false, ""},
	{"folded", " Alice\r\n <alice@example.org>", false, "example.org"},
	{"domain literal", " <alice@[192.0.2.1]>", false, "[192.0.2.1]"},
	{"no at", " alice", false, ""},
	{"garbage after at", " alice@ <>", false, ""},
	{"unbalanced", " Alice <alice@example.org", false, "example.org"},
	{"empty", "", false, ""},
	{"unicode name", " Zoë <zoe@example.org>", false, "example.org"},
	{"unicode domain", " <zoe@bücher.example>", false, "bücher.example"},
}

// TestPlainFromDomain holds the fast path to the net/mail one: wherever
// plainFromDomain answers, parsedFromDomain gives the same domain from the
// same source, and fromDomain gives the same either way.
func TestPlainFromDomain(t *testing.T) {
	for _, c := range fromCases {
		t.Run(c.name, func(t *testing.T) {
			d, ok := plainFromDomain(c.value)
			if ok != c.plain {
				t.Fatalf("plainFromDomain(%q) ok = %v, want %v", c.value, ok, c.plain)
			}
			slow := parsedFromDomain(c.value)
			if slow.domain != c.domain {
				t.Errorf("parsedFromDomain(%q).domain = %q, want %q", c.value, slow.domain, c.domain)
			}
			if ok && (d != slow.domain || slow.source != "the From header field") {
				t.Errorf("plainFromDomain(%q) = %q, but net/mail gives %+v", c.value, d, slow)
			}
			m := Split([]byte("From:" + c.value + "\r\nTo: b@example.net\r\n\r\nbody\r\n"))
			if got := fromDomain(m, ""); got != slow {
				t.Errorf("fromDomain of From:%q = %+v, want %+v", c.value, got, slow)
			}
		})
	}
}

// FuzzPlainFromDomain checks the fast path against net/mail on any From
// value: where plainFromDomain answers, net/mail must read one address
// with the same domain.
func FuzzPlainFromDomain(f *testing.F) {
	for _, c := range fromCases {
		f.Add(c.value)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := plainFromDomain(v)
		if !ok {
			return
		}
		if slow := parsedFromDomain(v); slow.domain != d || slow.source != "the From header field" {
			t.Fatalf("plainFromDomain(%q) = %q, but net/mail gives %+v", v, d, slow)
		}
	})
}
