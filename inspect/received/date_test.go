package received

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// dateCases are shared with the fuzz seeds.
var dateCases = []struct {
	name string
	in   string
	want string // RFC 3339 UTC, "" when the date must be rejected
}{
	{"rfc5322", "Fri, 20 Nov 2026 08:14:30 +0000", "2026-11-20T08:14:30Z"},
	{"zone comment", "Mon, 21 May 2018 09:08:53 -0700 (PDT)", "2018-05-21T16:08:53Z"},
	{"no weekday", "15 Apr 2020 21:51:22 -0000", "2020-04-15T21:51:22Z"},
	{"one-digit day, two spaces", "Mon,  6 Jul 2015 09:01:20 +0000 (UTC)", "2015-07-06T09:01:20Z"},
	{"EST", "Thu, 13 Feb 1997 11:24:23 EST", "1997-02-13T16:24:23Z"},
	{"EDT", "Thu, 13 Jun 1997 11:24:23 EDT", "1997-06-13T15:24:23Z"},
	{"CST CDT MST MDT", "1 Jan 2000 00:00:00 CST", "2000-01-01T06:00:00Z"},
	{"PDT two-digit year no seconds", "13 Feb 97 11:24 PDT", "1997-02-13T18:24:00Z"},
	{"UT", "Sat, 21 Apr 2018 03:01:33 UT", "2018-04-21T03:01:33Z"},
	{"GMT lower case", "Sat, 21 Apr 2018 03:01:33 gmt", "2018-04-21T03:01:33Z"},
	{"year 49 is 2049", "1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z"},
	{"year 50 is 1950", "1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z"},
	{"three-digit year", "1 Jan 104 00:00:00 +0000", "2004-01-01T00:00:00Z"},
	{"minus zero", "1 Jan 2020 00:00:00 -0000", "2020-01-01T00:00:00Z"},
	{"fractional seconds", "Mon, 26 Mar 2018 13:35:10.102 +0000 (UTC)", "2018-03-26T13:35:10.102Z"},
	{"numeric zone then name", "Mon, 26 Mar 2018 13:35:11.102 +0000 UTC", "2018-03-26T13:35:11.102Z"},
	{"zone glued to the time", "Thu, 6 May 2004 17:40:44-0500", "2004-05-06T22:40:44Z"},
	{"leap second", "Sat, 31 Dec 2016 23:59:60 +0000", "2017-01-01T00:00:00Z"},
	{"leap day", "Thu, 29 Feb 2024 12:00:00 +0100", "2024-02-29T11:00:00Z"},
	{"comments between the parts", " Tue, (x) 03 Jul (y (nested)) 2018 14:18:13 +0200 (CEST) ", "2018-07-03T12:18:13Z"},
	{"full weekday name", "Saturday, 21 Apr 2018 03:01:02 +0000", "2018-04-21T03:01:02Z"},
	{"month first", "Apr 21 2018 03:01:04 +0000", "2018-04-21T03:01:04Z"},
	{"one-digit hour", "21 Apr 2018 3:01:05 +0000", "2018-04-21T03:01:05Z"},
	{"plus fourteen", "1 Jan 2024 00:00:00 +1400", "2023-12-31T10:00:00Z"},
	{"zone with colon", "1 Jan 2024 00:00:00 +05:30", "2023-12-31T18:30:00Z"},
	{"unknown zone read as UTC", "1 Jan 2020 00:00:00 CEST", "2020-01-01T00:00:00Z"},
	{"military Z", "1 Jan 2020 00:00:00 Z", "2020-01-01T00:00:00Z"},
	{"go format", "2018-12-10 11:43:59.61 +0000 UTC m=+555016.72", "2018-12-10T11:43:59.61Z"},
	{"go format nanoseconds", "2021-06-17 14:45:16.810326635 +0000 UTC", "2021-06-17T14:45:16.810326635Z"},
	{"go format offset", "2018-12-10 11:43:59 -0700 MST", "2018-12-10T18:43:59Z"},
	{"rfc3339", "2018-12-10T11:43:59Z", "2018-12-10T11:43:59Z"},
	{"rfc3339 offset", "2018-12-10T11:43:59+01:00", "2018-12-10T10:43:59Z"},
	{"too many fraction digits", "2018-12-10 11:43:59.1234567891234 +0000", "2018-12-10T11:43:59.123456789Z"},

	{"empty", "", ""},
	{"blank", "   ", ""},
	{"asctime has no zone", "Sun Nov 13 14:50:12 2005", ""},
	{"no zone", "1 Jan 2021 10:00:00", ""},
	{"30 February", "30 Feb 2021 10:00:00 +0000", ""},
	{"31 April", "31 Apr 2021 10:00:00 +0000", ""},
	{"29 February, not a leap year", "29 Feb 2023 10:00:00 +0000", ""},
	{"hour 24", "1 Jan 2021 24:00:00 +0000", ""},
	{"minute 60", "1 Jan 2021 10:60:00 +0000", ""},
	{"second 61", "1 Jan 2021 10:00:61 +0000", ""},
	{"zone minutes 60", "1 Jan 2021 10:00:00 +0060", ""},
	{"zone hours 24", "1 Jan 2021 10:00:00 +2400", ""},
	{"zone short", "1 Jan 2021 10:00:00 +00", ""},
	{"year 1899", "1 Jan 1899 10:00:00 +0000", ""},
	{"five-digit year", "1 Jan 12021 10:00:00 +0000", ""},
	{"day 0", "0 Jan 2021 10:00:00 +0000", ""},
	{"slashes", "4/20/2018 23:01:06 -0400 (EDT)", ""},
	{"no time", "22 Apr 2018", ""},
	{"unknown month", "1 Foo 2021 10:00:00 +0000", ""},
	{"trailing words", "Mon, 26 Mar 2018 13:35:36 +0000 and more", ""},
	{"go month 13", "2018-13-01 00:00:00 +0000", ""},
	{"go without seconds", "2018-12-01 00:00 +0000", ""},
	{"long zone word", "1 Jan 2021 10:00:00 Atlantis", ""},
	{"weekday only", "Mon,", ""},
	{"unclosed comment", "1 Jan 2021 (10:00:00 +0000", ""},
}

func TestParseDate(t *testing.T) {
	for _, tc := range dateCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseDate(tc.in)
			if tc.want == "" {
				if ok {
					t.Errorf("ParseDate(%q) = %v, true; want it rejected", tc.in, got)
				}
				return
			}
			if !ok {
				t.Fatalf("ParseDate(%q) rejected it, want %s (%s)", tc.in, tc.want, parseDateAt(tc.in).why)
			}
			if s := got.UTC().Format(time.RFC3339Nano); s != tc.want {
				t.Errorf("ParseDate(%q) = %s, want %s", tc.in, s, tc.want)
			}
		})
	}
}

// TestDateRemarks checks what a date adds to its hop besides the time.
func TestDateRemarks(t *testing.T) {
	tests := []struct {
		in        string
		notes     []string // substrings
		anomalies []string // substrings
	}{
		{"Fri, 20 Nov 2026 08:14:30 +0000", nil, nil},
		{"8 Mar 04 12:23:56 -0000", []string{"two digits (04)", "read as 2004"}, nil},
		{"13 Feb 1997 11:24 EST", []string{"named zone EST is an obsolete form, read as -0500"}, nil},
		{"Mon, 20 Nov 2026 08:14:30 +0000", nil, []string{"the date says Monday, but 20 November 2026 was a Friday"}},
		{"1 Jan 2020 00:00:00 CEST", nil, []string{`the time zone "CEST" is not one RFC 5322 defines`}},
		{"1 Jan 2020 00:00:00 J", nil, []string{`the military time zone "J"`}},
		{"Apr 21 2018 03:01:04 +0000", []string{"month before the day"}, nil},
		{"2018-12-10 11:43:59 +0000", []string{"numeric format"}, nil},
	}
	for _, tc := range tests {
		r := parseDateAt(tc.in)
		if !r.ok {
			t.Errorf("parseDateAt(%q) rejected it: %s", tc.in, r.why)
			continue
		}
		if len(r.anomalies) != len(tc.anomalies) {
			t.Errorf("parseDateAt(%q).anomalies = %q, want %d", tc.in, r.anomalies, len(tc.anomalies))
		}
		for i, sub := range tc.anomalies {
			if i < len(r.anomalies) && !strings.Contains(r.anomalies[i], sub) {
				t.Errorf("parseDateAt(%q).anomalies[%d] = %q, want %q", tc.in, i, r.anomalies[i], sub)
			}
		}
		joined := strings.Join(r.notes, " | ")
		if len(tc.notes) == 0 && len(r.notes) != 0 {
			t.Errorf("parseDateAt(%q).notes = %q, want none", tc.in, r.notes)
		}
		for _, sub := range tc.notes {
			if !strings.Contains(joined, sub) {
				t.Errorf("parseDateAt(%q).notes = %q, want %q", tc.in, r.notes, sub)
			}
		}
	}
}

// TestParsePath checks Return-Path and --mail-from reading.
func TestParsePath(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"<bounce@attacker.example>", "bounce@attacker.example", true},
		{"<>", "", true},
		{" < > ", "", true},
		{"bounce@example.org", "bounce@example.org", true},
		{"<@relay1.example,@relay2.example:user@example.org>", "user@example.org", true},
		{" <user@example.org> (the sender)", "user@example.org", true},
		{"(comment) <user@example.org>", "user@example.org", true},
		{"<<>>", "", true},
		{"<MAILER-DAEMON>", "MAILER-DAEMON", true},
		{"<user@example.org", "user@example.org", true},
		{"", "", false},
		{"   ", "", false},
		{"(only a comment)", "", false},
		{"<a b@example.org>", "", false},
	}
	for _, tc := range tests {
		got, ok := parsePath(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parsePath(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestParseAuthResults checks the authserv-id and client address reading
// on real and RFC 8601 header values.
func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		arc    bool
		servID string
		ips    []string // key=address
	}{
		{"gmail", "mx.google.com;       dkim=pass header.i=@amazonses.com header.s=6gbrjpgwjskckoa6a5zn6fwqkn67xbtw header.b=ZYNwKBfh;       spf=pass (google.com: domain of x@amazonses.com designates 54.240.9.36 as permitted sender) smtp.mailfrom=x@amazonses.com",
			false, "mx.google.com", nil},
		{"microsoft, no authserv-id", "spf=pass (sender IP is 209.85.219.52) smtp.mailfrom=gmail.com; dkim=pass (signature was verified) header.d=gmail.com;dmarc=pass action=none header.from=gmail.com;compauth=pass reason=100",
			false, "", []string{"sender IP is=209.85.219.52"}},
		{"microsoft ARC", "i=2; mx.microsoft.com 1; spf=pass (sender ip is 209.85.219.52) smtp.mailfrom=gmail.com; dmarc=pass (p=none sp=quarantine pct=100) action=none header.from=gmail.com",
			true, "mx.microsoft.com", []string{"sender IP is=209.85.219.52"}},
		{"ozlabs client-ip in a comment", "lists.ozlabs.org; spf=pass (sender SPF authorized) smtp.mailfrom=em4937.fdc-k.co.ke (client-ip=50.31.63.79; helo=o50316379.outbound-mail.sendgrid.net; envelope-from=bounces@em4937.fdc-k.co.ke; receiver=<UNKNOWN>)",
			false, "lists.ozlabs.org", []string{"client-ip=50.31.63.79"}},
		{"kernel.org smtp.client-ip", "smtp.subspace.kernel.org; arc=none smtp.client-ip=54.240.11.173", false, "smtp.subspace.kernel.org",
			[]string{"smtp.client-ip=54.240.11.173"}},
		{"RFC 8601 iprev", "example.com; iprev=pass policy.iprev=192.0.2.200", false, "example.com", []string{"policy.iprev=192.0.2.200"}},
		{"remote-ip ipv6 and version", "mx.example.net 1; iprev=pass smtp.remote-ip=2001:db8::25", false, "mx.example.net", []string{"smtp.remote-ip=2001:db8::25"}},
		{"none", "example.org; none", false, "example.org", nil},
		{"comment first", "(the id) MX.Example.ORG; spf=none", false, "mx.example.org", nil},
		{"empty", "", false, "", nil},
		{"junk address", "x; smtp.remote-ip=999.1.1.1", false, "x", nil},
		// Bytes that are not UTF-8 before the key must not shift where the
		// address is read from (FuzzAnalyze found a panic here).
		{"latin-1 before the key", "x; spf=pass (caf\xe9 \xc2) SMTP.Remote-IP=192.0.2.9", false, "x", []string{"smtp.remote-ip=192.0.2.9"}},
		{"lone byte and an empty key", "\xc2smtp.remote-ip=", false, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseAuthResults(tc.in, tc.arc)
			if r.servID != tc.servID {
				t.Errorf("authserv-id = %q, want %q", r.servID, tc.servID)
			}
			var got []string
			for _, m := range r.ips {
				got = append(got, m.key+"="+m.addr.String())
			}
			if !reflect.DeepEqual(got, tc.ips) {
				t.Errorf("addresses = %q, want %q", got, tc.ips)
			}
		})
	}
}

// TestOrigins checks the informational originating-address findings.
func TestOrigins(t *testing.T) {
	c := Analyze(Input{
		Received: contractExample,
		OriginatingIP: []Field{
			{"X-Originating-IP", "[70.48.229.51]"},
			{"X-Forwarded-For", "10.0.0.1, 203.0.113.66"},
		},
		AuthenticationResults:    []string{"mx1.inbound.example; spf=pass smtp.mailfrom=attacker.example smtp.remote-ip=203.0.113.66"},
		ARCAuthenticationResults: []string{"i=1; mx.forwarder.example; spf=pass smtp.remote-ip=198.51.100.4"},
	})
	want := []struct {
		header string
		ips    []string
		has    []string
	}{
		{"X-Originating-IP", []string{"70.48.229.51"}, []string{"Webmail services", "a lead to follow, not evidence", "70.48.229.51 is not the boundary client 203.0.113.66"}},
		{"X-Forwarded-For", []string{"10.0.0.1", "203.0.113.66"}, []string{"10.0.0.1 is a private address", "203.0.113.66 is the boundary client itself"}},
		{"Authentication-Results", []string{"203.0.113.66"}, []string{"authserv-id mx1.inbound.example", "written by the receiving side"}},
		{"ARC-Authentication-Results", []string{"198.51.100.4"}, []string{"authserv-id mx.forwarder.example", "written outside the receiving side"}},
	}
	if len(c.Origins) != len(want) {
		t.Fatalf("Origins = %+v, want %d", c.Origins, len(want))
	}
	for i, w := range want {
		o := c.Origins[i]
		if o.Header != w.header || !reflect.DeepEqual(o.IPs, w.ips) {
			t.Errorf("Origins[%d] = %s %q, want %s %q", i, o.Header, o.IPs, w.header, w.ips)
		}
		for _, sub := range w.has {
			if !strings.Contains(o.Explain, sub) {
				t.Errorf("Origins[%d].Explain = %q, want %q", i, o.Explain, sub)
			}
		}
	}
}

// TestAddrHelpers checks the address forms Received headers use.
func TestAddrHelpers(t *testing.T) {
	loose := map[string]string{
		"[192.0.2.1]": "192.0.2.1", "[IPv6:2001:db8::1]": "2001:db8::1", "[ipv6:2001:DB8::1]": "2001:db8::1",
		"[192.0.2.1]:25": "192.0.2.1", "192.0.2.1:25": "192.0.2.1", "user@192.0.2.1": "192.0.2.1",
		"?IPv6:::ffff:192.0.2.1?": "::ffff:192.0.2.1", "[fe80::1%4]": "fe80::1%4", "2001:db8::1": "2001:db8::1",
		"[2001:db8::1]:25": "2001:db8::1",
		"mail.example":     "", "[192.0.2.1": "", "192.0.2.1:x": "", "1": "", "[]": "", "999.0.0.1": "",
	}
	for in, want := range loose {
		a, ok := parseAddrLoose(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("parseAddrLoose(%q) = %q, want %q", in, got, want)
		}
	}
	classes := map[string]addrClass{
		"192.0.2.1": addrPublic, "203.0.113.9": addrPublic, "8.8.8.8": addrPublic, "2001:db8::1": addrPublic,
		"10.1.2.3": addrPrivate, "172.16.0.1": addrPrivate, "192.168.1.1": addrPrivate, "fd00::1": addrPrivate,
		"127.0.0.1": addrLoopback, "::1": addrLoopback, "::ffff:127.0.0.1": addrLoopback,
		"169.254.1.1": addrLinkLocal, "fe80::1": addrLinkLocal, "100.64.0.1": addrShared,
		"0.0.0.0": addrReserved, "240.0.0.1": addrReserved, "239.1.2.3": addrReserved, "::": addrReserved, "224.0.0.1": addrLinkLocal,
	}
	for in, want := range classes {
		if got := classify(netip.MustParseAddr(in)); got != want {
			t.Errorf("classify(%s) = %d, want %d", in, got, want)
		}
	}
	orgs := map[string]string{
		"mx.google.com": "google.com", "BY2NAM01FT028.mail.protection.outlook.com": "outlook.com",
		"mail.example.co.uk.": "example.co.uk", "smtp.attacker.example": "attacker.example", "locaweb.com.br": "locaweb.com.br",
		"localhost": "", "localhost.localdomain": "", "mx1": "", "host.corp": "", "192.0.2.1": "", "[192.0.2.1]": "",
		"co.uk": "", "a..b.example": "", "bad name.example": "", "": "",
	}
	for in, want := range orgs {
		if got := orgDomain(in); got != want {
			t.Errorf("orgDomain(%q) = %q, want %q", in, got, want)
		}
	}
}
