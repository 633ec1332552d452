// Package dnstest runs a real DNS server on 127.0.0.1 for tests: UDP and TCP
// on one port, answering from zone-file text, with knobs to misbehave per
// name: SERVFAIL or another rcode, silence, truncation, latency, a forged
// reply with the wrong ID first, a reply for another question, no EDNS0, a
// TCP connection closed without an answer. Every DNS-dependent
// test of headercheck talks to one of these through the real dnsx client;
// nothing is mocked and nothing leaves the machine.
package dnstest

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Server is a loopback DNS server. Its methods are safe to call while it
// serves.
type Server struct {
	// Addr is "127.0.0.1:port", the same port for UDP and TCP.
	Addr string

	mu         sync.Mutex
	records    map[string][]dns.RR // owner name (lowercase FQDN) -> records
	fail       map[string]int      // name -> rcode to answer instead
	drop       map[string]bool     // name -> never answer
	dropNoData map[string]bool     // name -> never answer types the name has no records of
	truncate   map[string]bool     // name -> set TC on UDP answers
	delay      map[string]time.Duration
	ad         map[string]bool
	wrongID    map[string]bool
	misdirect  map[string]bool
	noEDNS     map[string]bool
	breakTCP   map[string]bool
	counts     map[string]int // "name/TYPE/proto" -> queries seen
	total      int

	udp, tcp  *dns.Server
	closing   chan struct{} // closed by Close: delayed answers give up
	closeOnce sync.Once
}

// Start serves the zone files at paths (zone-file text; "$ORIGIN ." is
// assumed and a default TTL of 300) and stops the server in t.Cleanup.
func Start(t testing.TB, paths ...string) *Server {
	t.Helper()
	var text strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("dnstest: %v", err)
		}
		text.Write(b)
		text.WriteString("\n")
	}
	return StartZone(t, text.String())
}

// StartZone serves zone-file text and stops the server in t.Cleanup.
func StartZone(t testing.TB, zone string) *Server {
	t.Helper()
	s := &Server{
		records:    map[string][]dns.RR{},
		fail:       map[string]int{},
		drop:       map[string]bool{},
		dropNoData: map[string]bool{},
		truncate:   map[string]bool{},
		delay:      map[string]time.Duration{},
		ad:         map[string]bool{},
		wrongID:    map[string]bool{},
		misdirect:  map[string]bool{},
		noEDNS:     map[string]bool{},
		breakTCP:   map[string]bool{},
		counts:     map[string]int{},
		closing:    make(chan struct{}),
	}
	if err := s.AddZone(zone); err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	if err := s.listen(); err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// AddZone adds the records of zone-file text.
func (s *Server) AddZone(zone string) error {
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "dnstest")
	zp.SetDefaultTTL(300)
	zp.SetIncludeAllowed(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		name := strings.ToLower(rr.Header().Name)
		rr.Header().Name = name
		s.records[name] = append(s.records[name], rr)
	}
	return zp.Err()
}

// Add adds records given one per string in zone-file syntax.
func (s *Server) Add(rrs ...string) error {
	return s.AddZone(strings.Join(rrs, "\n"))
}

// AddRR adds records built in code (e.g. a TXT whose strings are too long
// to write in zone text).
func (s *Server) AddRR(rrs ...dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		name := strings.ToLower(dns.Fqdn(rr.Header().Name))
		rr.Header().Name = name
		s.records[name] = append(s.records[name], rr)
	}
}

// Fail makes every question about name answer with rcode (e.g.
// dns.RcodeServerFailure, dns.RcodeRefused).
func (s *Server) Fail(name string, rcode int) { s.set(func() { s.fail[key(name)] = rcode }) }

// Drop makes the server never answer questions about name: the client
// times out.
func (s *Server) Drop(name string) { s.set(func() { s.drop[key(name)] = true }) }

// DropNoData makes the server stay silent for questions about name whose
// type the zone holds no records of, and answer the others normally (the
// TIMEOUT convention of the RFC 7208 test suite).
func (s *Server) DropNoData(name string) { s.set(func() { s.dropNoData[key(name)] = true }) }

// Truncate makes UDP answers about name come back with TC set and no
// records, so the client must retry over TCP.
func (s *Server) Truncate(name string) { s.set(func() { s.truncate[key(name)] = true }) }

// Delay holds every answer about name for d (or until Close). Combined
// with a client deadline shorter than d it is an answer that comes too late.
func (s *Server) Delay(name string, d time.Duration) { s.set(func() { s.delay[key(name)] = d }) }

// SetAD sets the Authenticated Data flag on answers about name, as a
// validating resolver would: only when the query carried DO or AD.
func (s *Server) SetAD(name string) { s.set(func() { s.ad[key(name)] = true }) }

// WrongID makes the server send, before each answer about name, a forged
// reply with another message ID whose records say 203.0.113.66 (A) or
// "forged" (TXT), as an off-path spoofer would. Over UDP the client must
// ignore it and take the real answer that follows; over TCP the forged
// reply comes first on the stream and the exchange fails.
func (s *Server) WrongID(name string) { s.set(func() { s.wrongID[key(name)] = true }) }

// Misdirect makes the server answer questions about name as if they were
// about "misdirected.invalid." of the same type, with the right ID.
func (s *Server) Misdirect(name string) { s.set(func() { s.misdirect[key(name)] = true }) }

// NoEDNS makes the server answer FORMERR to questions about name that carry
// an EDNS0 OPT record, as servers that predate RFC 6891 do.
func (s *Server) NoEDNS(name string) { s.set(func() { s.noEDNS[key(name)] = true }) }

// BreakTCP makes the server close a TCP connection that asks about name
// without answering, as a server behind a firewall that lets only UDP
// through appears to. With Truncate it is a truncated answer whose TCP
// retry fails.
func (s *Server) BreakTCP(name string) { s.set(func() { s.breakTCP[key(name)] = true }) }

// Heal undoes every knob set for name (Fail, Drop, DropNoData, Truncate,
// Delay, SetAD, WrongID, Misdirect, NoEDNS, BreakTCP): the server answers
// it normally again, as a flaky server does once it recovers.
func (s *Server) Heal(name string) {
	s.set(func() {
		k := key(name)
		for _, m := range []map[string]bool{s.drop, s.dropNoData, s.truncate, s.ad, s.wrongID, s.misdirect, s.noEDNS, s.breakTCP} {
			delete(m, k)
		}
		delete(s.fail, k)
		delete(s.delay, k)
	})
}

// Total is how many queries arrived, for any name, over UDP and TCP.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounts forgets the queries counted so far.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
}

// Count is how many questions for name and qtype arrived, over UDP and TCP
// together.
func (s *Server) Count(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(name) + "/" + dns.TypeToString[qtype]
	return s.counts[k+"/udp"] + s.counts[k+"/tcp"]
}

// CountProto is like Count for one transport ("udp" or "tcp").
func (s *Server) CountProto(name string, qtype uint16, proto string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[key(name)+"/"+dns.TypeToString[qtype]+"/"+proto]
}

// Close stops the server and waits for its handlers; delayed answers are
// abandoned. Closing twice is harmless.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.udp != nil {
			_ = s.udp.Shutdown()
		}
		if s.tcp != nil {
			_ = s.tcp.Shutdown()
		}
	})
}

func (s *Server) set(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func key(name string) string { return strings.ToLower(dns.Fqdn(name)) }

func (s *Server) listen() error {
	var lastErr error
	// The TCP port must match the UDP one the kernel picked; another
	// process may hold it, so try a few times.
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("listen udp: %w", err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			lastErr = err
			continue
		}
		s.Addr = pc.LocalAddr().String()
		s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve("udp"))}
		s.tcp = &dns.Server{Listener: l, Handler: dns.HandlerFunc(s.serve("tcp"))}
		var wg sync.WaitGroup
		wg.Add(2)
		s.udp.NotifyStartedFunc = wg.Done
		s.tcp.NotifyStartedFunc = wg.Done
		errc := make(chan error, 2)
		go func() { errc <- s.udp.ActivateAndServe() }()
		go func() { errc <- s.tcp.ActivateAndServe() }()
		started := make(chan struct{})
		go func() { wg.Wait(); close(started) }()
		select {
		case <-started:
			return nil
		case err := <-errc:
			s.Close()
			return fmt.Errorf("serve: %w", err)
		}
	}
	return fmt.Errorf("listen tcp on the udp port: %w", lastErr)
}

func (s *Server) serve(proto string) func(dns.ResponseWriter, *dns.Msg) {
	return func(w dns.ResponseWriter, req *dns.Msg) {
		if len(req.Question) != 1 {
			m := new(dns.Msg)
			m.SetRcode(req, dns.RcodeFormatError)
			_ = w.WriteMsg(m)
			return
		}
		q := req.Question[0]
		name := strings.ToLower(q.Name)

		s.mu.Lock()
		s.counts[name+"/"+dns.TypeToString[q.Qtype]+"/"+proto]++
		s.total++
		rcode, failing := s.fail[name]
		drop := s.drop[name]
		if s.dropNoData[name] && len(s.matchLocked(name, q.Qtype)) == 0 && len(s.matchLocked(name, dns.TypeCNAME)) == 0 {
			drop = true
		}
		trunc := s.truncate[name] && proto == "udp"
		delay := s.delay[name]
		ad := s.ad[name]
		wrongID, misdirect, noEDNS := s.wrongID[name], s.misdirect[name], s.noEDNS[name]
		broken := s.breakTCP[name] && proto == "tcp"
		s.mu.Unlock()

		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.closing:
				t.Stop()
				return
			}
		}
		if drop {
			return
		}
		if broken {
			_ = w.Close()
			return
		}
		if wrongID {
			_ = w.WriteMsg(forged(req))
		}
		if noEDNS && req.IsEdns0() != nil {
			m := new(dns.Msg)
			m.SetRcode(req, dns.RcodeFormatError)
			_ = w.WriteMsg(m)
			return
		}
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		m.RecursionAvailable = true
		// A validating resolver sets AD only for a client that showed it
		// understands it, with DO or AD in the query (RFC 6840 §5.8), so a
		// test of AD also proves the client asked with DO.
		opt := req.IsEdns0()
		m.AuthenticatedData = ad && (req.AuthenticatedData || (opt != nil && opt.Do()))
		if opt != nil {
			m.SetEdns0(opt.UDPSize(), opt.Do())
		}
		switch {
		case failing:
			m.Rcode = rcode
		case trunc:
			m.Truncated = true
		default:
			s.answer(m, name, q.Qtype)
			if proto == "udp" {
				size := dns.MinMsgSize
				if opt := req.IsEdns0(); opt != nil {
					size = int(opt.UDPSize())
				}
				m.Truncate(size)
			}
		}
		if misdirect {
			m.Question[0].Name = "misdirected.invalid."
		}
		_ = w.WriteMsg(m)
	}
}

// forged is a reply to req with the ID changed and a planted answer.
func forged(req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Id = req.Id + 1
	q := req.Question[0]
	hdr := dns.RR_Header{Name: q.Name, Rrtype: q.Qtype, Class: dns.ClassINET, Ttl: 300}
	switch q.Qtype {
	case dns.TypeA:
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: net.IPv4(203, 0, 113, 66)})
	case dns.TypeTXT:
		m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: []string{"forged"}})
	}
	return m
}

// answer fills m as a recursive resolver would: the records of name and
// qtype, following CNAMEs inside the data (a bounded number of times, so a
// loop in a test zone ends), NXDOMAIN when name and everything below it is
// absent (RFC 8020), NODATA otherwise.
func (s *Server) answer(m *dns.Msg, name string, qtype uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := name
	for range 16 {
		if rrs := s.matchLocked(cur, qtype); len(rrs) > 0 {
			m.Answer = append(m.Answer, rrs...)
			return
		}
		cn := s.matchLocked(cur, dns.TypeCNAME)
		if len(cn) == 0 || qtype == dns.TypeCNAME {
			break
		}
		m.Answer = append(m.Answer, cn[0])
		cur = strings.ToLower(cn[0].(*dns.CNAME).Target)
	}
	// NXDOMAIN is about the last name of the chain (RFC 6604 §2): a name
	// whose alias points nowhere gets the CNAME and NXDOMAIN.
	if (len(m.Answer) == 0 || (qtype != dns.TypeCNAME && m.Answer[len(m.Answer)-1].Header().Rrtype == dns.TypeCNAME)) && !s.existsLocked(cur) {
		m.Rcode = dns.RcodeNameError
	}
	if len(m.Answer) == 0 || m.Rcode == dns.RcodeNameError || m.Answer[len(m.Answer)-1].Header().Rrtype == dns.TypeCNAME {
		// A negative answer carries the zone's SOA, when the test zone has
		// one, for its negative-caching TTL (RFC 2308 §3).
		if soa := s.soaLocked(cur); soa != nil {
			m.Ns = append(m.Ns, soa)
		}
	}
}

// soaLocked is the SOA of the closest enclosing zone of name, if any.
func (s *Server) soaLocked(name string) dns.RR {
	for n := name; ; {
		if rrs := s.matchLocked(n, dns.TypeSOA); len(rrs) > 0 {
			return rrs[0]
		}
		i := strings.IndexByte(n, '.')
		if n == "." || i < 0 {
			return nil
		}
		n = n[i+1:]
		if n == "" {
			n = "."
		}
	}
}

func (s *Server) matchLocked(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range s.records[name] {
		if rr.Header().Rrtype == qtype {
			out = append(out, dns.Copy(rr))
		}
	}
	return out
}

// existsLocked: a name exists if it owns records or is an empty non-terminal
// above a name that does.
func (s *Server) existsLocked(name string) bool {
	if len(s.records[name]) > 0 {
		return true
	}
	suffix := "." + name
	if name == "." {
		return len(s.records) > 0
	}
	for owner := range s.records {
		if strings.HasSuffix(owner, suffix) {
			return true
		}
	}
	return false
}
