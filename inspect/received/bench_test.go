package received

import (
	"fmt"
	"testing"
	"time"
)

// thirtyHops is a 30-hop chain made of the real corpus lines, repeated in
// order, top-most first.
func thirtyHops(b *testing.B) []string {
	lines := loadCorpus(b)
	out := make([]string, 30)
	for i := range out {
		out[i] = lines[i%len(lines)].value
	}
	return out
}

// BenchmarkParse30Hops parses every header of a 30-hop chain; divide ns/op
// by 30 for the cost of one hop.
func BenchmarkParse30Hops(b *testing.B) {
	chain := thirtyHops(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range chain {
			Parse(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/30/1000, "µs/hop")
}

// BenchmarkAnalyze30Hops is the whole walk over 30 hops: parsing, delays,
// boundary, anomalies and envelope.
func BenchmarkAnalyze30Hops(b *testing.B) {
	in := Input{Received: thirtyHops(b), ReturnPath: []string{"<a@example.org>"}, Now: time.Now(),
		AuthenticationResults: []string{"mx.example.org; spf=pass smtp.remote-ip=192.0.2.1"}}
	b.ReportAllocs()
	for b.Loop() {
		Analyze(in)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/30/1000, "µs/hop")
}

// BenchmarkParseHostile parses each hostile shape at 64 KiB-ish and 1 MiB-ish
// sizes; the per-byte cost should stay flat (linear time).
func BenchmarkParseHostile(b *testing.B) {
	for _, n := range []int{1 << 15, 1 << 19} {
		for name, s := range hostile(n) {
			b.Run(fmt.Sprintf("%s/%dKiB", name, len(s)>>10), func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				b.ReportAllocs()
				for b.Loop() {
					Parse(s)
				}
			})
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseDate("Mon, 21 May 2018 09:08:53 -0700 (PDT)")
	}
}

// BenchmarkAnalyzeMbox is the walk of one message of BenchmarkMboxJSON
// (inspect/batch): one Received field, by the receiver, and a
// Return-Path. The allocations per op are what each message pays.
func BenchmarkAnalyzeMbox(b *testing.B) {
	in := Input{
		Received:   []string{"from mail.d1.example (mail.d1.example [198.51.100.129])\t by mx1.inbound.example (Postfix) with ESMTPS id B1\t for <bob@inbound.example>; Sun, 29 Nov 2026 10:00:01 +0000 (UTC)"},
		ReturnPath: []string{"<news@d1.example>"},
		Now:        time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
	}
	if c := Analyze(in); c.Envelope.ClientIP != "198.51.100.129" || c.Envelope.MailFrom != "news@d1.example" || c.Envelope.HELO != "mail.d1.example" {
		b.Fatalf("envelope %+v", c.Envelope)
	}
	b.ReportAllocs()
	for b.Loop() {
		Analyze(in)
	}
}
