package dnsx_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

func TestClientAnswers(t *testing.T) {
	srv := dnstest.Start(t, "testdata/basic.zone")
	c := dnsx.NewClient(srv.Addr)
	cases := []struct {
		name    string
		qtype   uint16
		rcode   string
		answers []string
		cnames  []string
	}{
		{"example.org", dns.TypeTXT, "NOERROR", []string{"v=spf1 ip4:192.0.2.0/24 -all"}, nil},
		{"EXAMPLE.org.", dns.TypeA, "NOERROR", []string{"192.0.2.1"}, nil},
		{"example.org", dns.TypeMX, "NOERROR", []string{"10 mx.example.org."}, nil},
		{"example.org", dns.TypeAAAA, "NOERROR", nil, nil},
		{"b.example.org", dns.TypeA, "NOERROR", nil, nil}, // empty non-terminal: NODATA (RFC 8020)
		{"nope.example.org", dns.TypeA, "NXDOMAIN", nil, nil},
		{"alias.example.org", dns.TypeA, "NOERROR", []string{"192.0.2.1"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			q, err := c.Lookup(t.Context(), tc.name, tc.qtype)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if q.Rcode != tc.rcode || !slices.Equal(q.Answers, tc.answers) && len(q.Answers)+len(tc.answers) > 0 {
				t.Errorf("Lookup(%s) = %s %q, want %s %q", tc.name, q.Rcode, q.Answers, tc.rcode, tc.answers)
			}
			if q.Server != srv.Addr {
				t.Errorf("server = %q, want %q", q.Server, srv.Addr)
			}
		})
	}
}

func TestClientFailures(t *testing.T) {
	srv := dnstest.Start(t, "testdata/basic.zone")
	srv.Fail("example.org", dns.RcodeServerFailure)
	srv.Drop("a.b.example.org")
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond}

	q, err := c.Lookup(t.Context(), "example.org", dns.TypeTXT)
	if !errors.Is(err, dnsx.ErrServFail) || q.Rcode != "SERVFAIL" {
		t.Errorf("servfail: got %v %s", err, q.Rcode)
	}
	q, err = c.Lookup(t.Context(), "a.b.example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != "TIMEOUT" {
		t.Errorf("drop: got %v %s", err, q.Rcode)
	}
	q, err = c.Lookup(t.Context(), "loop1.example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrCNAMELoop) {
		t.Errorf("loop: got %v %s %q", err, q.Rcode, q.CNAMEs)
	}
}

func TestClientTruncationFallsBackToTCP(t *testing.T) {
	srv := dnstest.Start(t, "testdata/basic.zone")
	srv.Truncate("example.org")
	c := dnsx.NewClient(srv.Addr)
	q, err := c.Lookup(t.Context(), "example.org", dns.TypeTXT)
	if err != nil || len(q.Answers) != 1 {
		t.Fatalf("got %v %q", err, q.Answers)
	}
	if n := srv.CountProto("example.org", dns.TypeTXT, "tcp"); n != 1 {
		t.Errorf("tcp queries = %d, want 1", n)
	}
}
