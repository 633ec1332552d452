package dnstest_test

import (
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const zone = `
example.org.       3600 SOA ns.example.org. h.example.org. 1 7200 3600 1209600 120
example.org.       300  A     192.0.2.1
alias.example.org. 300  CNAME example.org.
dead.example.org.  300  CNAME nowhere.example.org.
a.b.example.org.   300  A     192.0.2.2
`

// ask sends one question with a bare miekg/dns client, so these tests
// check the server on its own.
func ask(t *testing.T, s *dnstest.Server, name string, qtype uint16, proto string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, true)
	c := &dns.Client{Net: proto, Timeout: 300 * time.Millisecond}
	r, _, err := c.Exchange(m, s.Addr)
	if err != nil {
		t.Fatalf("exchange %s %s: %v", name, dns.TypeToString[qtype], err)
	}
	return r
}

func TestAnswers(t *testing.T) {
	s := dnstest.StartZone(t, zone)
	cases := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		soa     bool
	}{
		{"example.org.", dns.TypeA, dns.RcodeSuccess, 1, false},
		{"alias.example.org.", dns.TypeA, dns.RcodeSuccess, 2, false},
		{"example.org.", dns.TypeTXT, dns.RcodeSuccess, 0, true},      // NODATA with the SOA
		{"b.example.org.", dns.TypeA, dns.RcodeSuccess, 0, true},      // empty non-terminal
		{"nope.example.org.", dns.TypeA, dns.RcodeNameError, 0, true}, // NXDOMAIN with the SOA
		{"dead.example.org.", dns.TypeA, dns.RcodeNameError, 1, true}, // the CNAME, then NXDOMAIN for its target (RFC 6604)
		{"dead.example.org.", dns.TypeCNAME, dns.RcodeSuccess, 1, false},
		{"nope.example.org.", dns.TypeCNAME, dns.RcodeNameError, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name+dns.TypeToString[tc.qtype], func(t *testing.T) {
			r := ask(t, s, tc.name, tc.qtype, "udp")
			gotSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA
			if r.Rcode != tc.rcode || len(r.Answer) != tc.answers || gotSOA != tc.soa {
				t.Errorf("got %s, %d answers, soa %v; want %s, %d, %v", dns.RcodeToString[r.Rcode], len(r.Answer), gotSOA,
					dns.RcodeToString[tc.rcode], tc.answers, tc.soa)
			}
		})
	}
}

func TestKnobsAndHeal(t *testing.T) {
	s := dnstest.StartZone(t, zone)
	s.Fail("example.org", dns.RcodeServerFailure)
	if r := ask(t, s, "example.org.", dns.TypeA, "udp"); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("Fail: rcode %s", dns.RcodeToString[r.Rcode])
	}
	s.Heal("example.org")
	s.Truncate("example.org")
	if r := ask(t, s, "example.org.", dns.TypeA, "udp"); !r.Truncated || len(r.Answer) != 0 {
		t.Errorf("Truncate over UDP: tc %v, %d answers", r.Truncated, len(r.Answer))
	}
	if r := ask(t, s, "example.org.", dns.TypeA, "tcp"); r.Truncated || len(r.Answer) != 1 {
		t.Errorf("Truncate over TCP: tc %v, %d answers", r.Truncated, len(r.Answer))
	}
	s.Heal("example.org")
	s.SetAD("example.org")
	if r := ask(t, s, "example.org.", dns.TypeA, "udp"); !r.AuthenticatedData {
		t.Error("SetAD: AD not set for a DO query")
	}
	s.NoEDNS("example.org")
	if r := ask(t, s, "example.org.", dns.TypeA, "udp"); r.Rcode != dns.RcodeFormatError {
		t.Errorf("NoEDNS: rcode %s, want FORMERR", dns.RcodeToString[r.Rcode])
	}
	if got := s.CountProto("example.org", dns.TypeA, "tcp"); got != 1 || s.Total() != 5 {
		t.Errorf("counts: tcp %d total %d, want 1 and 5", got, s.Total())
	}
}

// BreakTCP closes a TCP connection that asks about the name without a
// reply; UDP still answers, and Heal mends it.
func TestBreakTCP(t *testing.T) {
	s := dnstest.StartZone(t, zone)
	s.BreakTCP("example.org")
	if r := ask(t, s, "example.org.", dns.TypeA, "udp"); len(r.Answer) != 1 {
		t.Errorf("BreakTCP over UDP: %d answers, want 1", len(r.Answer))
	}
	m := new(dns.Msg)
	m.SetQuestion("example.org.", dns.TypeA)
	c := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	if r, _, err := c.Exchange(m, s.Addr); err == nil {
		t.Errorf("BreakTCP over TCP: got a reply %v, want the connection closed", r)
	}
	if r := ask(t, s, "alias.example.org.", dns.TypeA, "tcp"); len(r.Answer) != 2 {
		t.Errorf("another name over TCP: %d answers, want 2", len(r.Answer))
	}
	s.Heal("example.org")
	if r := ask(t, s, "example.org.", dns.TypeA, "tcp"); len(r.Answer) != 1 {
		t.Errorf("after Heal over TCP: %d answers, want 1", len(r.Answer))
	}
}

// Close abandons a delayed answer instead of waiting it out, and closing
// again (t.Cleanup does) is harmless; goleak checks nothing is left.
func TestCloseAbandonsDelayedAnswers(t *testing.T) {
	s := dnstest.StartZone(t, zone)
	s.Delay("example.org", time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m := new(dns.Msg)
		m.SetQuestion("example.org.", dns.TypeA)
		c := &dns.Client{Timeout: 500 * time.Millisecond}
		c.Exchange(m, s.Addr) // times out or fails once the server is gone
	}()
	for s.Total() == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	s.Close()
	<-done
}
