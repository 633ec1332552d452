package dnsx_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// TestClientHostileServers: what a domain's owner (or whoever answers for
// it) can send back, each ending in an error of the right class with a note
// that says what happened, and none taking longer than the client allows.
// The wrong ID, an answer for another question and CNAME loops are in
// client_test.go.
func TestClientHostileServers(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	// 64 KiB of TXT in one record: 250 character-strings of 255 octets,
	// about as much as one DNS message can carry. It cannot come over UDP.
	chunk := strings.Repeat("x", 255)
	big := make([]string, 250)
	for i := range big {
		big[i] = chunk
	}
	srv.AddRR(&dns.TXT{Hdr: hdr("big64k.example.org", dns.TypeTXT), Txt: big})
	// 1,000 TXT records of one name.
	for i := range 1000 {
		srv.AddRR(&dns.TXT{Hdr: hdr("thousand.example.org", dns.TypeTXT), Txt: []string{fmt.Sprintf("v=spf1 ip4:192.0.2.%d -all", i%256)}})
	}
	if err := srv.Add(
		"late.example.org. TXT \"v=spf1 -all\"",
		"tcpbroken.example.org. TXT \"v=spf1 -all\"",
	); err != nil {
		t.Fatal(err)
	}
	srv.Delay("late.example.org", 5*time.Second)
	srv.Truncate("tcpbroken.example.org")
	srv.BreakTCP("tcpbroken.example.org")

	cases := []struct {
		name      string
		c         *dnsx.Client
		is        error
		permanent bool
		rcode     string
		note      []string
	}{
		{"big64k.example.org", fast(srv.Addr), dnsx.ErrTooLarge, true, trace.RcodeError,
			[]string{"truncated (TC flag), so it was asked again over TCP", "holds 1 TXT records, 63750 bytes", "not used"}},
		{"thousand.example.org", fast(srv.Addr), dnsx.ErrTooLarge, true, trace.RcodeError,
			[]string{"holds 1000 TXT records", "at most 100 records", "not used"}},
		{"late.example.org", fast(srv.Addr), dnsx.ErrTimeout, false, trace.RcodeTimeout,
			[]string{"gave no answer within 200ms"}},
		{"tcpbroken.example.org", fast(srv.Addr), dnsx.ErrNetwork, false, trace.RcodeError,
			[]string{"truncated (TC flag), so it was asked again over TCP", "EOF"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			q, err := tc.c.Lookup(t.Context(), tc.name, dns.TypeTXT)
			// Not a speed test: the late answer comes after 5 s, and a
			// client that waited for it would take that long.
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("the lookup took %v", el)
			}
			if !errors.Is(err, tc.is) || dnsx.IsPermanent(err) != tc.permanent {
				t.Fatalf("err = %v (permanent %v), want %v (permanent %v)", err, dnsx.IsPermanent(err), tc.is, tc.permanent)
			}
			if q.Rcode != tc.rcode || len(q.Answers) != 0 || dnsx.IsNotFound(q) {
				t.Errorf("query = %s with %d answers, want %s with none (and not a negative answer)", q.Rcode, len(q.Answers), tc.rcode)
			}
			for _, n := range tc.note {
				if !strings.Contains(q.Note, n) {
					t.Errorf("Note = %q, want it to say %q", q.Note, n)
				}
			}
		})
	}

	// The 64 KiB answer itself arrives whole over TCP: with the cap raised
	// it is used, byte for byte.
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 2 * time.Second, Attempts: 1, MaxAnswerBytes: 70_000}
	q, err := c.Lookup(t.Context(), "big64k.example.org", dns.TypeTXT)
	if err != nil || len(q.Answers) != 1 || q.Answers[0] != strings.Repeat(chunk, 250) {
		t.Errorf("with MaxAnswerBytes 70000: %v, %d answers", err, len(q.Answers))
	}

	// A truncated answer whose TCP retry fails moves on to the next
	// server, as a timeout or SERVFAIL does.
	good := dnstest.Start(t, "testdata/client.zone")
	if err := good.Add("tcpbroken.example.org. TXT \"v=spf1 -all\""); err != nil {
		t.Fatal(err)
	}
	q, err = fast(srv.Addr, good.Addr).Lookup(t.Context(), "tcpbroken.example.org", dns.TypeTXT)
	if err != nil || q.Server != good.Addr || len(q.Answers) != 1 || !strings.Contains(q.Note, good.Addr+" answered") {
		t.Errorf("with a second server: %v from %s, %q, note %q; want the second server's answer", err, q.Server, q.Answers, q.Note)
	}
}
