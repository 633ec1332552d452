package dnsx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// fast is a client for tests: short timeouts so that silent servers cost
// little, one attempt unless the test says otherwise.
func fast(servers ...string) *dnsx.Client {
	return &dnsx.Client{Servers: servers, Timeout: 200 * time.Millisecond, Attempts: 1}
}

const dkimKey = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuTeWqlX2EnjVPHwxnWspq2WY1iKfJfuKNjQqaQo8Dp1BZYQ8W5CZmJKmIiwDQ+YzYSG1eLR" +
	"7LoE5o9Kot3yGyh2+2e4cjL3cbNkP0UJHZRtQbYGxzp7nTJUEWP2k4rDcoXb0ELaiz6G0ysZzB0YyC2MxpFyBsg8ZBmi5s8kD8mCK5IR60nScw2/0k7/yq8RMnFBg/9wxL5s+bh0" +
	"pj2vmrLdKJYMS7vzIdTd5yiU5jABGTIBHaHmAuYcB+mlXaCjGGgpjSCAcYRQeHmtS+Va16ic6ycdlLjK4EExxZSD4aFGnsc08IfXYV9Cvjp3eSXxXxKUxbVoAVgb3vWfQDdAKZm8z4wIDAQAB"

func TestClientAnswers(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	c := fast(srv.Addr)
	cases := []struct {
		name    string
		qtype   uint16
		rcode   string
		answers []string
		cnames  []string
		ttl     uint32
	}{
		{"example.org", dns.TypeTXT, "NOERROR", []string{"v=spf1 ip4:192.0.2.0/24 -all"}, nil, 300},
		{"EXAMPLE.org.", dns.TypeA, "NOERROR", []string{"192.0.2.1"}, nil, 300},
		{"example.org", dns.TypeMX, "NOERROR", []string{"10 mx.example.org.", "20 mx2.example.org."}, nil, 300},
		{"mx.example.org", dns.TypeAAAA, "NOERROR", []string{"2001:db8::25"}, nil, 300},
		{"7.2.0.192.in-addr.arpa", dns.TypePTR, "NOERROR", []string{"mail.example.org."}, nil, 300},
		// several character-strings joined with nothing between them
		// (RFC 7208 §3.3, RFC 6376 §3.6.2.2), escapes undone to raw bytes
		{"sel._domainkey.example.org", dns.TypeTXT, "NOERROR", []string{dkimKey}, nil, 300},
		{"quoted.example.org", dns.TypeTXT, "NOERROR", []string{"say \"hi\"; \\ done\xf0\n"}, nil, 300},
		// NODATA (the name exists, the type does not) against NXDOMAIN;
		// the negative TTL is min(SOA TTL, MINIMUM) (RFC 2308 §5)
		{"example.org", dns.TypeAAAA, "NOERROR", nil, nil, 120},
		{"b.example.org", dns.TypeA, "NOERROR", nil, nil, 120}, // empty non-terminal (RFC 8020)
		{"nope.example.org", dns.TypeA, "NXDOMAIN", nil, nil, 120},
		{"x.nope.example.org", dns.TypeTXT, "NXDOMAIN", nil, nil, 120},
		// CNAME chains, reported in order
		{"alias.example.org", dns.TypeA, "NOERROR", []string{"192.0.2.1"}, []string{"example.org."}, 300},
		{"two.example.org", dns.TypeTXT, "NOERROR", []string{"v=spf1 ip4:192.0.2.0/24 -all"}, []string{"alias.example.org.", "example.org."}, 300},
		{"c2.example.org", dns.TypeA, "NOERROR", []string{"192.0.2.10"}, []string{"c3.example.org.", "c4.example.org.", "c5.example.org.", "c6.example.org.", "c7.example.org.", "c8.example.org.", "c9.example.org.", "c10.example.org."}, 300},
		{"ext.example.org", dns.TypeA, "NXDOMAIN", nil, []string{"gone.example.net."}, 0}, // RFC 6604: the rcode is the target's
		{"empty.example.org", dns.TypeTXT, "NOERROR", nil, []string{"mx.example.org."}, 120},
		{"alias.example.org", dns.TypeCNAME, "NOERROR", []string{"example.org."}, nil, 300},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			q, err := c.Lookup(t.Context(), tc.name, tc.qtype)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if q.Rcode != tc.rcode || !slices.Equal(q.Answers, orEmpty(tc.answers)) {
				t.Errorf("Lookup(%s) = %s %q, want %s %q", tc.name, q.Rcode, q.Answers, tc.rcode, tc.answers)
			}
			if !slices.Equal(q.CNAMEs, tc.cnames) {
				t.Errorf("CNAMEs = %q, want %q", q.CNAMEs, tc.cnames)
			}
			if q.TTL != tc.ttl {
				t.Errorf("TTL = %d, want %d", q.TTL, tc.ttl)
			}
			if q.Server != srv.Addr || q.RTTms <= 0 || q.Cached || q.AD {
				t.Errorf("server %q rtt %v cached %v ad %v, want %q, >0, false, false", q.Server, q.RTTms, q.Cached, q.AD, srv.Addr)
			}
			if got, want := dnsx.IsNotFound(q), len(tc.answers) == 0; got != want {
				t.Errorf("IsNotFound = %v, want %v", got, want)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Each way of getting no usable answer is its own error, and none looks
// like NXDOMAIN or NODATA.
func TestClientFailuresAreDistinguishable(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Fail("servfail.example.org", dns.RcodeServerFailure)
	srv.Fail("refused.example.org", dns.RcodeRefused)
	srv.Fail("notimp.example.org", dns.RcodeNotImplemented)
	srv.Drop("silent.example.org")
	dead := closedPort(t)
	cases := []struct {
		name    string
		server  string
		want    error
		rcode   string
		perm    bool
		cnames  int
		inNote  string
		queries int // at srv
	}{
		{"servfail.example.org", srv.Addr, dnsx.ErrServFail, "SERVFAIL", false, 0, "", 1},
		{"refused.example.org", srv.Addr, dnsx.ErrRefused, "REFUSED", false, 0, "", 1},
		{"silent.example.org", srv.Addr, dnsx.ErrTimeout, "TIMEOUT", false, 0, "gave no answer within 200ms", 1},
		{"notimp.example.org", srv.Addr, dnsx.ErrNetwork, "NOTIMP", false, 0, "without it", 2}, // retried without EDNS0, still NOTIMP
		{"loop1.example.org", srv.Addr, dnsx.ErrCNAMELoop, "ERROR", false, 2, "loops", 1},
		{"c1.example.org", srv.Addr, dnsx.ErrCNAMELoop, "ERROR", false, 9, "longer than 8", 1},
		{"bad..name", srv.Addr, dnsx.ErrBadName, "ERROR", true, 0, "not sent", 0},
		{strings.Repeat("a", 64) + ".example.org", srv.Addr, dnsx.ErrBadName, "ERROR", true, 0, "not sent", 0},
		{"example.org", dead, dnsx.ErrNetwork, "ERROR", false, 0, "refused", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetCounts()
			q, err := fast(tc.server).Lookup(t.Context(), tc.name, dns.TypeA)
			if !errors.Is(err, tc.want) || q.Rcode != tc.rcode {
				t.Fatalf("Lookup = %s, %v; want %s, %v", q.Rcode, err, tc.rcode, tc.want)
			}
			for _, other := range []error{dnsx.ErrServFail, dnsx.ErrRefused, dnsx.ErrTimeout, dnsx.ErrCNAMELoop, dnsx.ErrBadName, dnsx.ErrNetwork} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
			if dnsx.IsPermanent(err) != tc.perm || dnsx.IsTemporary(err) == tc.perm {
				t.Errorf("IsPermanent = %v, IsTemporary = %v; want permanent %v", dnsx.IsPermanent(err), dnsx.IsTemporary(err), tc.perm)
			}
			if dnsx.IsNotFound(q) || len(q.Answers) != 0 {
				t.Errorf("a failed lookup reads as not found: %+v", q)
			}
			if len(q.CNAMEs) != tc.cnames {
				t.Errorf("CNAMEs = %q, want %d of them", q.CNAMEs, tc.cnames)
			}
			if !strings.Contains(q.Note, tc.inNote) {
				t.Errorf("Note = %q, want it to mention %q", q.Note, tc.inNote)
			}
			if n := srv.Total(); n != tc.queries {
				t.Errorf("server saw %d queries, want %d", n, tc.queries)
			}
		})
	}
}

// closedPort is a loopback UDP address where nothing listens: the kernel
// answers "port unreachable" and the exchange fails at once.
func closedPort(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func TestClientTruncationFallsBackToTCP(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Truncate("example.org")
	q, err := fast(srv.Addr).Lookup(t.Context(), "example.org", dns.TypeTXT)
	if err != nil || !slices.Equal(q.Answers, []string{"v=spf1 ip4:192.0.2.0/24 -all"}) {
		t.Fatalf("got %v %q", err, q.Answers)
	}
	if udp, tcp := srv.CountProto("example.org", dns.TypeTXT, "udp"), srv.CountProto("example.org", dns.TypeTXT, "tcp"); udp != 1 || tcp != 1 {
		t.Errorf("udp, tcp queries = %d, %d; want 1, 1", udp, tcp)
	}
	if !strings.Contains(q.Note, "TCP") {
		t.Errorf("Note = %q, want it to say the answer came over TCP", q.Note)
	}
}

// An answer too big for the 1232-byte EDNS0 buffer is truncated by the
// server itself and fetched over TCP; one within the caps is used whole.
func TestClientLargeAnswerOverTCP(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	for i := range 100 {
		srv.AddRR(&dns.A{Hdr: hdr("many.example.org", dns.TypeA), A: net.IPv4(192, 0, 2, byte(i))})
	}
	q, err := fast(srv.Addr).Lookup(t.Context(), "many.example.org", dns.TypeA)
	if err != nil || len(q.Answers) != 100 {
		t.Fatalf("got %v, %d answers; want 100", err, len(q.Answers))
	}
	if n := srv.CountProto("many.example.org", dns.TypeA, "tcp"); n != 1 {
		t.Errorf("tcp queries = %d, want 1", n)
	}
}

func TestClientAnswerOverTheCaps(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	for i := range 150 {
		srv.AddRR(&dns.A{Hdr: hdr("huge.example.org", dns.TypeA), A: net.IPv4(192, 0, 2, byte(i))})
	}
	big := strings.Repeat("x", 250)
	for range 80 { // 80 strings of 250 bytes: 20000 bytes
		srv.AddRR(&dns.TXT{Hdr: hdr("fat.example.org", dns.TypeTXT), Txt: []string{big}})
	}
	cases := []struct {
		name   string
		qtype  uint16
		c      *dnsx.Client
		inNote string
	}{
		{"huge.example.org", dns.TypeA, fast(srv.Addr), "holds 150 A records"},
		{"fat.example.org", dns.TypeTXT, fast(srv.Addr), "20000 bytes"},
		{"example.org", dns.TypeMX, &dnsx.Client{Servers: []string{srv.Addr}, MaxAnswers: 1}, "at most 1 records"},
		{"sel._domainkey.example.org", dns.TypeTXT, &dnsx.Client{Servers: []string{srv.Addr}, MaxAnswerBytes: 255}, "and 255 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.c.Lookup(t.Context(), tc.name, tc.qtype)
			if !errors.Is(err, dnsx.ErrTooLarge) || !dnsx.IsPermanent(err) {
				t.Fatalf("err = %v, want a permanent ErrTooLarge", err)
			}
			if q.Rcode != trace.RcodeError || len(q.Answers) != 0 || dnsx.IsNotFound(q) {
				t.Errorf("query = %s %d answers, want ERROR with none (and not NODATA)", q.Rcode, len(q.Answers))
			}
			if !strings.Contains(q.Note, tc.inNote) || !strings.Contains(q.Note, "not used") {
				t.Errorf("Note = %q, want it to say %q and that the answer was not used", q.Note, tc.inNote)
			}
		})
	}
}

func hdr(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: dns.Fqdn(name), Rrtype: t, Class: dns.ClassINET, Ttl: 300}
}

func TestClientNextServer(t *testing.T) {
	first := dnstest.Start(t, "testdata/client.zone")
	second := dnstest.Start(t, "testdata/client.zone")
	first.Drop("example.org")
	first.Fail("alias.example.org", dns.RcodeServerFailure)
	first.Fail("two.example.org", dns.RcodeRefused)
	for _, name := range []string{"example.org", "alias.example.org", "two.example.org"} {
		t.Run(name, func(t *testing.T) {
			q, err := fast(first.Addr, second.Addr).Lookup(t.Context(), name, dns.TypeA)
			if err != nil || !slices.Equal(q.Answers, []string{"192.0.2.1"}) {
				t.Fatalf("got %v %q, want the second server's answer", err, q.Answers)
			}
			if q.Server != second.Addr {
				t.Errorf("server = %s, want %s", q.Server, second.Addr)
			}
			if !strings.Contains(q.Note, first.Addr) || !strings.Contains(q.Note, second.Addr+" answered") {
				t.Errorf("Note = %q, want it to tell what each server did", q.Note)
			}
			if n := first.Count(name, dns.TypeA); n != 1 {
				t.Errorf("first server asked %d times, want 1", n)
			}
		})
	}
}

// When every server is silent the list is tried Attempts times; SERVFAIL
// from all of them is returned at once.
func TestClientAttempts(t *testing.T) {
	a := dnstest.Start(t, "testdata/client.zone")
	b := dnstest.Start(t, "testdata/client.zone")
	a.Drop("example.org")
	b.Drop("example.org")
	a.Fail("alias.example.org", dns.RcodeServerFailure)
	b.Fail("alias.example.org", dns.RcodeServerFailure)
	c := &dnsx.Client{Servers: []string{a.Addr, b.Addr}, Timeout: 100 * time.Millisecond, Attempts: 2}
	q, err := c.Lookup(t.Context(), "example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != trace.RcodeTimeout {
		t.Errorf("silent: %s %v, want TIMEOUT", q.Rcode, err)
	}
	if na, nb := a.Count("example.org", dns.TypeA), b.Count("example.org", dns.TypeA); na != 2 || nb != 2 {
		t.Errorf("silent servers asked %d and %d times, want 2 and 2", na, nb)
	}
	q, err = c.Lookup(t.Context(), "alias.example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrServFail) || q.Server != b.Addr {
		t.Errorf("servfail: %s %v from %s, want SERVFAIL from %s", q.Rcode, err, q.Server, b.Addr)
	}
	if na, nb := a.Count("alias.example.org", dns.TypeA), b.Count("alias.example.org", dns.TypeA); na != 1 || nb != 1 {
		t.Errorf("failing servers asked %d and %d times, want 1 and 1", na, nb)
	}
}

// miekg/dns matches the reply's ID: over UDP it skips a forged reply and
// waits for the real one, over TCP the exchange fails. Either way the
// forged records never reach a check.
func TestClientRejectsWrongID(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.WrongID("example.org")
	q, err := fast(srv.Addr).Lookup(t.Context(), "example.org", dns.TypeA)
	if err != nil || !slices.Equal(q.Answers, []string{"192.0.2.1"}) {
		t.Errorf("udp: got %v %q, want the real answer after the forged one", err, q.Answers)
	}
	srv.Truncate("example.org")
	q, err = fast(srv.Addr).Lookup(t.Context(), "example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrNetwork) || len(q.Answers) != 0 || !strings.Contains(q.Note, dns.ErrId.Error()) {
		t.Errorf("tcp: got %v %q note %q, want ErrNetwork from %q and no answers", err, q.Answers, q.Note, dns.ErrId)
	}
}

func TestClientRejectsAnswerForAnotherQuestion(t *testing.T) {
	bad := dnstest.Start(t, "testdata/client.zone")
	good := dnstest.Start(t, "testdata/client.zone")
	bad.Misdirect("example.org")
	q, err := fast(bad.Addr).Lookup(t.Context(), "example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrNetwork) || !strings.Contains(q.Note, "misdirected.invalid.") {
		t.Errorf("got %v note %q, want ErrNetwork naming the other question", err, q.Note)
	}
	q, err = fast(bad.Addr, good.Addr).Lookup(t.Context(), "example.org", dns.TypeA)
	if err != nil || q.Server != good.Addr {
		t.Errorf("got %v from %s, want the answer of %s", err, q.Server, good.Addr)
	}
}

func TestClientRetriesWithoutEDNS(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.NoEDNS("example.org")
	q, err := fast(srv.Addr).Lookup(t.Context(), "example.org", dns.TypeTXT)
	if err != nil || len(q.Answers) != 1 {
		t.Fatalf("got %v %q", err, q.Answers)
	}
	if n := srv.Count("example.org", dns.TypeTXT); n != 2 || !strings.Contains(q.Note, "EDNS0") {
		t.Errorf("%d queries, note %q; want 2 and a note about EDNS0", n, q.Note)
	}
}

// AD comes back only because the client asks with DO (dnstest, like a
// validating resolver, sets AD only then), and an alias chain is
// authenticated only if every answer on it was.
func TestClientRecordsAD(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.SetAD("example.org")
	srv.SetAD("two.example.org")
	cases := []struct {
		name string
		ad   bool
	}{
		{"example.org", true},
		{"mx.example.org", false},
		{"two.example.org", true}, // the server follows the chain and vouches for the whole answer
	}
	for _, tc := range cases {
		q, err := fast(srv.Addr).Lookup(t.Context(), tc.name, dns.TypeA)
		if err != nil || q.AD != tc.ad {
			t.Errorf("Lookup(%s): AD = %v (%v), want %v", tc.name, q.AD, err, tc.ad)
		}
	}
}

func TestClientCancel(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Delay("slow.example.org", 5*time.Second)
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	q, err := c.Lookup(ctx, "slow.example.org", dns.TypeA)
	// Not a speed test: a lookup that ignored the cancellation would take
	// the 5 s timeout, twice.
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("a cancelled lookup returned after %v", el)
	}
	if !errors.Is(err, dnsx.ErrTimeout) || q.Rcode != trace.RcodeTimeout || !strings.Contains(q.Note, "cancelled") {
		t.Errorf("got %s %v note %q, want TIMEOUT saying it was cancelled", q.Rcode, err, q.Note)
	}
	q, err = c.Lookup(ctx, "example.org", dns.TypeA)
	if !errors.Is(err, dnsx.ErrTimeout) || !strings.Contains(q.Note, "not sent") || srv.Count("example.org", dns.TypeA) != 0 {
		t.Errorf("after cancel: %v note %q, want it not sent", err, q.Note)
	}
}

func TestServerAddr(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"192.0.2.53", "192.0.2.53:53", ""},
		{"192.0.2.53:5353", "192.0.2.53:5353", ""},
		{"2001:db8::53", "[2001:db8::53]:53", ""},
		{"[2001:db8::53]", "[2001:db8::53]:53", ""},
		{"[2001:db8::53]:5353", "[2001:db8::53]:5353", ""},
		{" dns.example.net ", "dns.example.net:53", ""},
		{"dns.example.net:853", "dns.example.net:853", ""},
		{"", "", "no host"},
		{"192.0.2.53:0", "", "port"},
		{"192.0.2.53:99999", "", "port"},
		{"192.0.2.53:dns", "", "port"},
		{"bad host", "", "not an IP address"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := dnsx.ParseServer(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("ParseServer(%q) = %q, %v; want an error about %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseServer(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			if s := dnsx.ServerAddr(tc.in); s != tc.want {
				t.Errorf("ServerAddr(%q) = %q, want %q", tc.in, s, tc.want)
			}
		})
	}
}

func TestSystemServers(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := dnsx.SystemServers(write("resolv.conf", "# local\nnameserver 127.0.0.53\nnameserver 2001:db8::1\noptions edns0 trust-ad\nsearch example.org\n"))
	if want := []string{"127.0.0.53:53", "[2001:db8::1]:53"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("SystemServers = %q, %v; want %q", got, err, want)
	}
	if _, err := dnsx.SystemServers(write("empty.conf", "search example.org\n")); err == nil {
		t.Error("SystemServers of a file without nameserver lines: no error")
	}
	if _, err := dnsx.SystemServers(filepath.Join(dir, "missing.conf")); err == nil {
		t.Error("SystemServers of a missing file: no error")
	}
}

func TestFqdn(t *testing.T) {
	cases := []struct {
		in, want string
		bad      bool
	}{
		{"example.org", "example.org.", false},
		{"Example.ORG.", "example.org.", false},
		{"_dmarc.example.org.", "_dmarc.example.org.", false},
		{".", ".", false},
		{"a..b", "", true},
		{".example.org", "", true},
		{strings.Repeat("a", 63) + ".org", strings.Repeat("a", 63) + ".org.", false},
		{strings.Repeat("a", 64) + ".org", "", true},
		{strings.Repeat("abcdefghi.", 26), "", true},                                 // 260 octets
		{`a\..b`, `a\..b.`, false},                                                   // an escaped dot is part of the label "a."
		{strings.Repeat(`5`, 63) + ".org", strings.Repeat(`5`, 63) + ".org.", false}, // 63 octets once unescaped
		{strings.Repeat(`5`, 64) + ".org", "", true},
		{`\`, "", true}, // dns.Fqdn would make "\." of it, not absolute: found by FuzzSnapshotRoundTrip
	}
	for _, tc := range cases {
		got, err := dnsx.Fqdn(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("Fqdn(%q) = %q, %v; want %q (bad %v)", tc.in, got, err, tc.want, tc.bad)
		}
		if tc.bad && !errors.Is(err, dnsx.ErrBadName) {
			t.Errorf("Fqdn(%q) error %v is not ErrBadName", tc.in, err)
		}
		if !tc.bad {
			if again, err := dnsx.Fqdn(got); again != got || err != nil {
				t.Errorf("Fqdn(Fqdn(%q)) = %q, %v; want it unchanged", tc.in, again, err)
			}
		}
	}
}

func ExampleClient_Lookup() {
	srv := dnstest.StartZone(exampleT{}, `example.org. 300 TXT "v=spf1 " "-all"`)
	defer srv.Close()
	q, err := dnsx.NewClient(srv.Addr).Lookup(context.Background(), "Example.org", dns.TypeTXT)
	fmt.Println(q.Name, q.Type, q.Rcode, q.Answers, err)
	// Output: example.org. TXT NOERROR [v=spf1 -all] <nil>
}

// exampleT lets an Example start a dnstest server; its cleanups are not
// run, so the Example closes the server itself.
type exampleT struct{ testing.TB }

func (exampleT) Helper()               {}
func (exampleT) Cleanup(func())        {}
func (exampleT) Fatalf(string, ...any) { panic("dnstest failed to start") }
