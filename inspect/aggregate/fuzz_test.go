package aggregate_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/aggregate"
)

// FuzzParseURI: any text read as a reporting URI gives a URI or an
// error, never a panic, and a URI it accepts has a scheme and a host
// that a DNS name can be built from.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"mailto:dmarc@example.org", "MAILTO:Dmarc@Example.ORG.", "mailto:dmarc@example.org!10m",
		"mailto:dmarc@example.org?subject=dmarc", "mailto:a%2Bb@example.org", "mailto:one@a.example,two@b.example",
		"https://reports.example.org/dmarc", "dmarc@example.org", "mailto:", "mailto:a@[192.0.2.1]",
		"mailto:dmarc@b%C3%BCcher.example", "mailto:%zz@example.org", "mailto:a@example.org!",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := aggregate.ParseURI(s)
		if err != nil {
			return
		}
		if u.Scheme == "" || u.Host == "" {
			t.Fatalf("ParseURI(%q) = %+v with no scheme or host", s, u)
		}
		if u.Scheme == "mailto" && (strings.ContainsAny(u.Host, "@[]!, \t\r\n") || !utf8.ValidString(u.Host)) {
			t.Fatalf("ParseURI(%q): host %q is not a host name", s, u.Host)
		}
	})
}

// zoneString writes s as quoted zone-file strings of at most 255 bytes
// each (RFC 1035 §3.3.14), escaping every byte that is not plain
// printable ASCII as \DDD (RFC 1035 §5.1).
func zoneString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if i > 0 && i%255 == 0 {
			b.WriteString(`" "`)
		}
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == ';' || c == '(' || c == ')' {
			fmt.Fprintf(&b, "\\%03d", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzCheck gives lesson 01 a DMARC record and an external verification
// record from the fuzzer, replays it from the snapshot, and requires a
// result whose XML, when there is a report, is well-formed and has the
// structure RFC 9990's schema requires: nothing a domain publishes can
// make headercheck write a broken report or panic.
func FuzzCheck(f *testing.F) {
	for _, s := range [][2]string{
		{"v=DMARC1; p=reject; rua=mailto:dmarc-reports@bank.example; ruf=mailto:dmarc-failures@bank.example; fo=1", ""},
		{"v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example", "v=DMARC1; rua=mailto:new@reports.vendor.example"},
		{"v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example", "v=DMARC1; rua=mailto:d@elsewhere.example"},
		{"v=DMARC1; p=quarantine; t=y; sp=none; np=reject; adkim=s; aspf=s; fo=0:d:s; psd=y; ruf=mailto:f@x.example", "v=DMARC1"},
		{"v=DMARC1; rua=https://x.example/r, not a uri, mailto:d@bank.example!10m", ""},
		{"v=DMARC1; p=none; rua=mailto:\x01<d>&@reports.vendor.example", "v=DMARC1; rua=mailto:\xff@reports.vendor.example"},
		{"v=DMARC1; p=sometimes", ""},
	} {
		f.Add(s[0], s[1])
	}
	s := dmarcSchema(f)
	l := lesson(f, "01-aligned")
	f.Fuzz(func(t *testing.T, record, agree string) {
		if len(record) > 2000 || len(agree) > 2000 {
			return
		}
		text := strings.Replace(string(l.DNS), bankRecord, "_dmarc TXT "+zoneString(record), 1)
		text += "\n;! zone vendor.example.\nbank.example._report._dmarc.reports.vendor.example. TXT " + zoneString(agree) + "\n"
		l := l
		l.DNS = []byte(text)
		rep := replay(t, l, inspect.Options{})
		res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snapshotOf(t, l)})
		if res.Applies != (res.Feedback != nil) {
			t.Fatalf("Applies %v with feedback %v", res.Applies, res.Feedback != nil)
		}
		if res.Feedback == nil {
			return
		}
		doc, err := res.Feedback.XML()
		if err != nil {
			t.Fatalf("XML: %v", err)
		}
		if probs := s.validate(doc); len(probs) > 0 {
			t.Fatalf("record %q: the report breaks the schema: %q\n%s", record, probs, doc)
		}
		if !bytes.HasPrefix(doc, []byte("<?xml")) {
			t.Fatalf("no XML declaration")
		}
	})
}
