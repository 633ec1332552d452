package received

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostile are header shapes built to find work that grows faster than the
// input: unclosed groups, deep nesting, many keywords, many date starts.
// n is the number of repetitions.
func hostile(n int) map[string]string {
	return map[string]string{
		"open parens":        strings.Repeat("(", n),
		"closed parens":      strings.Repeat("(a)", n),
		"nested comment":     "from x " + strings.Repeat("(", n) + strings.Repeat(")", n) + " by y; 1 Jan 2020 00:00:00 +0000",
		"open angles":        strings.Repeat("<", n),
		"open brackets":      strings.Repeat("[", n),
		"quotes":             strings.Repeat(`"`, n),
		"words":              strings.Repeat("a ", n),
		"keywords":           strings.Repeat("from x by y with z id w for v via u ", n/8+1),
		"semicolons":         strings.Repeat(";", n),
		"weekdays":           strings.Repeat("Mon, ", n),
		"day month":          strings.Repeat("1 Jan ", n),
		"with words":         "by x with " + strings.Repeat("ESMTP ", n),
		"tls words":          "by x with esmtps (TLS1.3) " + strings.Repeat("tls X ", n),
		"tcp-info addresses": "from x (" + strings.Repeat("[192.0.2.1] ", n) + ") by y; 1 Jan 2020 00:00:00 +0000",
		"helo markers":       "from x (" + strings.Repeat("HELO ", n) + ")",
		"many tcp comments":  "from x " + strings.Repeat("(HELO y) ", n) + "by z",
		"date comments":      "by x; " + strings.Repeat("(c) ", n) + "1 Jan 2020 00:00:00 +0000",
		"long date word":     "by x; 1 Jan 2020 00:00:00 " + strings.Repeat("A", n),
		"digits":             "by x; " + strings.Repeat("1", n),
		"long by name":       "from a by " + strings.Repeat("b.", n) + "example; 1 Jan 2020 00:00:00 +0000",
		"backslashes":        "(" + strings.Repeat(`\`, n),
		"envelope-from":      "by x id y " + strings.Repeat("envelope-from <a@b> ", n),
	}
}

// TestHugeHeaders parses 1 MiB headers of every hostile shape. It asserts
// only that the parser finishes with sane output; how long it takes is the
// benchmarks' business (BenchmarkParseHostile shows it grows linearly).
func TestHugeHeaders(t *testing.T) {
	if testing.Short() {
		t.Skip("1 MiB inputs")
	}
	size := 1 << 20
	if raceEnabled {
		size = 128 << 10
	}
	for name, s := range hostile(size / 2) {
		if len(s) > size {
			s = s[:size]
		}
		t.Run(name, func(t *testing.T) {
			checkHopInvariants(t, s, Parse(s))
			c := Analyze(Input{Received: []string{contractExample[0], s}, AuthenticationResults: []string{s}, ReturnPath: []string{s}})
			if len(c.Hops) != 2 {
				t.Errorf("got %d hops, want 2", len(c.Hops))
			}
		})
	}
}

// checkHopInvariants holds for any input whatever: the contract's forms
// and the relations between the parsed and the printed fields.
func checkHopInvariants(t *testing.T, in string, h Hop) {
	t.Helper()
	if h.Raw != in {
		t.Fatalf("Raw = %q, want the input", clip(h.Raw, 40))
	}
	if (h.Time == "") != h.At.IsZero() {
		t.Fatalf("Time %q but At %v", h.Time, h.At)
	}
	if h.Time != "" {
		tt, err := time.Parse(time.RFC3339Nano, h.Time)
		if err != nil || !tt.Equal(h.At) || !strings.HasSuffix(h.Time, "Z") {
			t.Fatalf("Time %q is not RFC 3339 UTC for %v: %v", h.Time, h.At, err)
		}
	}
	if h.FromIP != "" {
		a, err := netip.ParseAddr(h.FromIP)
		if err != nil || a != h.Addr || a.Is4In6() {
			t.Fatalf("FromIP %q is not a bare unmapped address (%v)", h.FromIP, err)
		}
	} else if h.Addr.IsValid() {
		t.Fatalf("Addr %v without FromIP", h.Addr)
	}
	if strings.HasPrefix(h.For, "<") && strings.HasSuffix(h.For, ">") {
		t.Fatalf("For %q keeps its angle brackets", h.For)
	}
	if h.DelaySeconds != nil {
		t.Fatalf("a single header has a delay")
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if !strings.Contains(string(b), `"anomalies":[`) {
		t.Fatalf("anomalies is not a list in %s", clip(string(b), 200))
	}
	for _, a := range h.Anomalies {
		if a == "" || !utf8.ValidString(a) && utf8.ValidString(in) {
			t.Fatalf("anomaly %q is empty or not UTF-8", a)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, l := range loadCorpus(f) {
		f.Add(l.value)
	}
	for _, s := range contractExample {
		f.Add(s)
	}
	for _, s := range hostile(8) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkHopInvariants(t, s, Parse(s))
	})
}

func FuzzParseDate(f *testing.F) {
	for _, tc := range dateCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s)
		r := parseDateAt(s)
		if ok && !r.ok {
			t.Fatalf("ParseDate(%q) accepted what parseDateAt rejected", s)
		}
		if !r.ok {
			if r.why == "" {
				t.Fatalf("parseDateAt(%q) rejected it without saying why", s)
			}
			return
		}
		if r.end < 0 || r.end > len(s) {
			t.Fatalf("parseDateAt(%q).end = %d", s, r.end)
		}
		if !ok {
			return
		}
		if y := got.UTC().Year(); y < 1899 || y > 10000 {
			t.Fatalf("ParseDate(%q) = %v, outside the years a date may name", s, got)
		}
		// What was read must read back the same in the canonical form.
		canon := got.Format("Mon, 02 Jan 2006 15:04:05.999999999 -0700")
		again, ok := ParseDate(canon)
		if !ok || !again.Equal(got) {
			t.Fatalf("ParseDate(%q) = %v; its canonical form %q reads back as %v, %v", s, got, canon, again, ok)
		}
	})
}

func FuzzAnalyze(f *testing.F) {
	f.Add(contractExample[0], contractExample[1], "mx1.inbound.example; spf=pass smtp.remote-ip=203.0.113.66", "<bounce@attacker.example>", "[70.48.229.51]", 1)
	f.Add(gmailToOutlook[2], gmailToOutlook[3], "spf=pass (sender IP is 209.85.217.171)", "<>", "10.0.0.1, 192.0.2.1", 0)
	f.Add(internalRelays[3], internalRelays[4], "i=1; x; client-ip=1.2.3.4", "<@a,@b:c@d>", "", -1)
	f.Fuzz(func(t *testing.T, a, b, ar, rp, xoip string, choose int) {
		in := Input{Received: []string{a, b}, AuthenticationResults: []string{ar}, ARCAuthenticationResults: []string{ar},
			ReturnPath: []string{rp}, OriginatingIP: []Field{{"X-Originating-IP", xoip}}, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		c := Analyze(in)
		if c.Boundary < -1 || c.Boundary >= len(c.Hops) {
			t.Fatalf("Boundary %d outside the chain of %d", c.Boundary, len(c.Hops))
		}
		d := c.WithBoundary(choose % 4)
		if d.Boundary < -1 || d.Boundary >= len(d.Hops) {
			t.Fatalf("chosen Boundary %d outside the chain of %d", d.Boundary, len(d.Hops))
		}
		if c.Envelope.ClientIP != "" && !c.Envelope.Addr.IsValid() {
			t.Fatalf("derived client %q is not an address", c.Envelope.ClientIP)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
		for _, s := range append(c.Steps, d.Steps...) {
			if s.Title == "" || s.Explain == "" {
				t.Fatalf("step without words: %+v", s)
			}
		}
		addr, ok := parsePath(rp)
		if ok && strings.ContainsAny(addr, " \t\r\n<>") {
			t.Fatalf("parsePath(%q) = %q", rp, addr)
		}
	})
}

// FuzzParseAddr: parseAddr, which refuses a host name without asking
// netip, gives exactly what netip.ParseAddr gives.
func FuzzParseAddr(f *testing.F) {
	for _, s := range parseAddrCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkParseAddr(t, s)
	})
}

// parseAddrCases are addresses, near-addresses and the names and words a
// Received header holds.
var parseAddrCases = []string{
	"192.0.2.1", "198.51.100.129", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
	"2001:db8::1", "2001:DB8::A", "::", "::1", "::ffff:192.0.2.1", "fe80::1%eth0", "fe80::1%", "1.2.3.4%eth0", "%eth0",
	"2001:db8::g", "abc.def", "dead:beef", "cafe", "a.b.c.d", "", ".", ":", "mail.d1.example", "Postfix", "ESMTPS",
	"[192.0.2.1]", "IPv6:2001:db8::1", "192.0.2.1:25", "unknown", "é", "1.2.3.4\x00",
}

func checkParseAddr(t *testing.T, s string) {
	t.Helper()
	got, ok := parseAddr(s)
	want, err := netip.ParseAddr(s)
	if ok != (err == nil) || got != want {
		t.Fatalf("parseAddr(%q) = %v, %v; netip.ParseAddr gives %v, %v", s, got, ok, want, err)
	}
}
