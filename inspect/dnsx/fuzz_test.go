package dnsx

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Snapshot files are untrusted input: a lesson downloaded from anywhere.
// Parsing and answering from one must not panic or hang.
func FuzzParseSnapshot(f *testing.F) {
	for _, p := range []string{"testdata/lesson.dns", "testdata/client.zone", "testdata/basic.zone"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		";! nxdomain a.example.\n;! zone example.\n",
		";! answer a.example. TXT ad server=[::1]:53 rtt=1.5 ttl=7\na.example. TXT \"x\" \"y\"\n",
		";! error a.example. A rcode=NOTIMP\n;! toolarge b.example.\n",
		"$ORIGIN example.\n@ CNAME a\na CNAME @\n;! zone .\n",
		"a\\032b.example. CNAME c\\.d.example.\n;! nodata c\\.d.example. A\n",
		"$TTL 1\n;! timeout . \n. A 192.0.2.1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSnapshot(strings.NewReader(text), "fuzz.dns")
		if err != nil {
			return
		}
		names := []string{"example.", "a.example.", "b.example.", "."}
		for owner := range s.records {
			names = append(names, owner, "x."+owner)
		}
		for k := range s.outcomes {
			names = append(names, k.name)
		}
		for n := range s.nx {
			names = append(names, n)
		}
		if len(names) > 64 {
			names = names[:64]
		}
		ctx := context.Background()
		for _, n := range names {
			for _, qt := range []uint16{dns.TypeTXT, dns.TypeA, dns.TypeMX, dns.TypeCNAME, dns.TypePTR} {
				q, err := s.Lookup(ctx, n, qt)
				if q == nil {
					t.Fatalf("Lookup(%q) returned no query", n)
				}
				if err != nil && len(q.Answers) > 0 {
					t.Fatalf("Lookup(%q): error %v with answers %q", n, err, q.Answers)
				}
				if err == nil && q.Rcode != trace.RcodeNoError && q.Rcode != trace.RcodeNXDomain {
					t.Fatalf("Lookup(%q): rcode %s without error", n, q.Rcode)
				}
			}
		}
	})
}

// Whatever a run saw, the snapshot written for it replays to the same
// answer: names with odd bytes, TXT data with quotes, escapes, control
// and high bytes, strings over 255 bytes, alias chains, every outcome.
func FuzzSnapshotRoundTrip(f *testing.F) {
	f.Add("example.org", "alias.example.org", uint8(0), []byte("v=spf1 -all"), []byte{}, uint8(0))
	f.Add("sel._domainkey.example.org", "", uint8(0), bytes.Repeat([]byte("k"), 600), []byte("\"\\;\x00\xff("), uint8(1))
	f.Add("a b.example", "c;d.example", uint8(1), []byte{192, 0, 2, 1}, []byte{10, 0, 0, 1}, uint8(2))
	f.Add("x.example", "mx.example", uint8(2), []byte("mx1.example"), []byte("MX2.example"), uint8(3))
	f.Add("1.2.0.192.in-addr.arpa", "", uint8(3), []byte("host.example"), []byte{}, uint8(4))
	f.Add("nx.example", "t.example", uint8(0), []byte{}, []byte{}, uint8(5))
	f.Add("to.example", "", uint8(4), []byte{}, []byte{}, uint8(6))
	f.Fuzz(func(t *testing.T, name, alias string, kind uint8, d1, d2 []byte, outcome uint8) {
		fq, err := Fqdn(name)
		if err != nil {
			return
		}
		q := trace.Query{Name: fq, Answers: []string{}, Server: "192.0.2.53:53", RTTms: 1.25, TTL: 300, AD: outcome%2 == 0}
		if alias != "" {
			a, err := Fqdn(alias)
			if err != nil || a == fq {
				return
			}
			q.CNAMEs = []string{wireName(a)}
		}
		var qtype uint16
		switch kind % 5 {
		case 0:
			qtype = dns.TypeTXT
			q.Answers = []string{string(d1), string(d2)}
		case 1:
			qtype = dns.TypeA
			if len(d1) < 4 {
				return
			}
			q.Answers = []string{net.IP(d1[:4]).String()}
		case 2, 3:
			qtype = dns.TypeMX
			if kind%5 == 3 {
				qtype = dns.TypePTR
			}
			target, err := Fqdn(string(d1))
			if err != nil {
				return
			}
			target = wireName(target)
			if qtype == dns.TypeMX {
				q.Answers = []string{"10 " + target}
			} else {
				q.Answers = []string{target}
			}
		case 4:
			qtype = dns.TypeAAAA
			if len(d1) < 16 {
				return
			}
			q.Answers = []string{net.IP(d1[:16]).String()}
		}
		q.Type = TypeName(qtype)
		q.Rcode = trace.RcodeNoError
		var qerr error
		switch outcome % 7 {
		case 1:
			q.Answers = []string{} // NODATA
			q.TTL = 60
		case 2:
			q.Answers, q.Rcode = []string{}, trace.RcodeNXDomain
		case 3:
			q.Answers, q.Rcode, q.TTL, qerr = []string{}, trace.RcodeTimeout, 0, ErrTimeout
		case 4:
			q.Answers, q.Rcode, q.TTL, qerr = []string{}, trace.RcodeServFail, 0, ErrServFail
		case 5:
			q.Answers, q.Rcode, q.TTL, qerr = []string{}, trace.RcodeError, 0, ErrTooLarge
		}
		if qerr != nil {
			q.AD = false
		}
		if qtype == dns.TypeTXT && len(q.Answers) == 2 && q.Answers[0] == q.Answers[1] {
			q.Answers = q.Answers[:1] // an RRset has no duplicates
		}
		sv := NewSaver(nil)
		sv.add(qtype, &q, qerr)
		var buf bytes.Buffer
		if err := sv.WriteSnapshot(&buf); err != nil {
			t.Fatal(err)
		}
		snap, err := ParseSnapshot(&buf, "rt.dns")
		if err != nil {
			t.Fatalf("the written snapshot does not parse: %v\n%s", err, buf.String())
		}
		got, gerr := snap.Lookup(context.Background(), fq, qtype)
		if strings.Contains(buf.String(), "could not write the answer") {
			if !errors.Is(gerr, ErrNetwork) {
				t.Fatalf("an unwritable answer replays as %v, want ErrNetwork", gerr)
			}
			return
		}
		if (gerr == nil) != (qerr == nil) || (qerr != nil && !errors.Is(gerr, qerr)) {
			t.Fatalf("replay error %v, want %v\n%s", gerr, qerr, buf.String())
		}
		if got.Rcode != q.Rcode || !slices.Equal(got.Answers, q.Answers) || !slices.Equal(got.CNAMEs, q.CNAMEs) ||
			got.AD != q.AD || got.TTL != q.TTL || got.Server != q.Server || got.RTTms != q.RTTms {
			t.Fatalf("replay\n%+v\nwant\n%+v\nfile:\n%s", *got, q, buf.String())
		}
	})
}

// Replies come from the network: whatever bytes a server sends, reading
// them must not panic, and the caps must hold.
func FuzzReadReply(f *testing.F) {
	for _, build := range []func(m *dns.Msg){
		func(m *dns.Msg) {
			m.Answer = append(m.Answer, mustRR("a.example. 60 IN CNAME b.example."), mustRR("b.example. 60 IN TXT \"x\" \"y\""))
		},
		func(m *dns.Msg) {
			m.Answer = append(m.Answer, mustRR("a.example. 60 IN CNAME a.example."))
		},
		func(m *dns.Msg) {
			m.Rcode = dns.RcodeNameError
			m.Ns = append(m.Ns, mustRR("example. 60 IN SOA ns.example. h.example. 1 2 3 4 5"))
		},
	} {
		m := new(dns.Msg)
		m.SetQuestion("a.example.", dns.TypeTXT)
		m.Response = true
		build(m)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		resp := new(dns.Msg)
		if resp.Unpack(wire) != nil {
			return
		}
		req := new(dns.Msg)
		req.SetQuestion("a.example.", dns.TypeTXT)
		_ = sameQuestion(req, resp)
		for _, qt := range []uint16{dns.TypeTXT, dns.TypeA, dns.TypeCNAME} {
			chain, rrs := collect(resp, "a.example.", qt)
			if len(chain) > MaxCNAMEChain+2 {
				t.Fatalf("collect followed %d aliases", len(chain))
			}
			c := &Client{}
			q := &trace.Query{Name: "a.example.", Type: TypeName(qt)}
			q, err := c.fill(q, rrs)
			if err == nil && len(q.Answers) > DefaultMaxAnswers {
				t.Fatalf("%d answers passed the cap", len(q.Answers))
			}
			covered(resp, "b.example.")
			negativeTTL(resp)
		}
		for _, rr := range resp.Answer {
			Presentation(rr)
		}
	})
}

func mustRR(s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return rr
}
