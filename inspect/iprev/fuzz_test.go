package iprev_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// FuzzCheck serves fuzzed PTR names for a fresh client address from a real
// loopback DNS server, some of them pointing back, and compares them with a
// fuzzed recorded name: whatever the owner of a reverse zone publishes and
// whatever a Received header says, the check ends with a result, an
// explanation and the comparison, never a panic or a hang.
func FuzzCheck(f *testing.F) {
	f.Add("mail.example.org", "mail.example.org", uint8(1), false)
	f.Add("other.example.net\ngood.example.org", "good.example.org", uint8(2), false)
	f.Add("liar.example.org", "unknown", uint8(0), false)
	f.Add("", "mail.example.org", uint8(0), false)
	f.Add("mx6.example.org", "MX6.example.org.", uint8(1), true)
	f.Add("n01.x\nn02.x\nn03.x\nn04.x\nn05.x\nn06.x\nn07.x\nn08.x\nn09.x\nn10.x\nn11.x\nn12.x", "", uint8(0x80), false)
	f.Add("dup.example\nDUP.example.\ndup.example", "\x1b]0;owned\x07", uint8(4), false)
	f.Add(`sp\032ace.example`+"\n"+`dot\.in.label.example`+"\n*.example\n_srv.example", "\u202eelpmaxe.liam", uint8(0xff), false)
	srv := dnstest.StartZone(f, "")
	c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: time.Second, Attempts: 1}
	valid := map[trace.Result]bool{trace.Pass: true, trace.Fail: true, trace.TempError: true, trace.PermError: true}
	var n atomic.Uint32
	f.Fuzz(func(t *testing.T, ptrs, recorded string, confirm uint8, v6 bool) {
		if len(ptrs) > 4096 || len(recorded) > 1024 {
			return // one answer holds at most 100 names; longer input only costs TCP exchanges
		}
		k := n.Add(1)
		ip := netip.AddrFrom4([4]byte{10, byte(k >> 16), byte(k >> 8), byte(k)})
		rrType := dns.TypeA
		if v6 {
			ip = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(k >> 24), 13: byte(k >> 16), 14: byte(k >> 8), 15: byte(k)})
			rrType = dns.TypeAAAA
		}
		rev, _ := dns.ReverseAddr(ip.String())
		for i, name := range strings.SplitN(ptrs, "\n", 40) {
			fq := dns.Fqdn(name)
			if _, ok := dns.IsDomainName(fq); !ok || name == "" || fq == "." {
				continue
			}
			srv.AddRR(&dns.PTR{Hdr: header(rev, dns.TypePTR), Ptr: fq})
			if confirm>>(i%8)&1 == 1 {
				if v6 {
					srv.AddRR(&dns.AAAA{Hdr: header(fq, rrType), AAAA: ip.AsSlice()})
				} else {
					srv.AddRR(&dns.A{Hdr: header(fq, rrType), A: ip.AsSlice()})
				}
			}
		}
		// A loaded machine can make every lookup wait out the client
		// timeout; the deadline keeps one input well under the fuzzer's
		// 10 s limit for a hung worker (the result is then temperror).
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		res := iprev.Check(ctx, c, ip, recorded)
		if !valid[res.Result] || res.Reason == "" || res.IP != ip.String() {
			t.Fatalf("Check(%s, %q) = %s %q for %s", ip, ptrs, res.Result, res.Reason, res.IP)
		}
		if (res.Result == trace.Pass) != (len(res.Confirmed) > 0) {
			t.Fatalf("Check(%s, %q) = %s with confirmed names %q", ip, ptrs, res.Result, res.Confirmed)
		}
		for _, name := range res.Confirmed {
			if !slices.Contains(res.Names, name) {
				t.Fatalf("confirmed %q is not among the names %q", name, res.Names)
			}
		}
		seen := map[string]bool{}
		for _, name := range res.Names {
			if seen[name] || name == "" || strings.HasSuffix(name, ".") {
				t.Fatalf("names %q: %q twice, empty or with a trailing dot", res.Names, name)
			}
			seen[name] = true
		}
		if len(res.Steps) < 2 || len(res.Steps) > iprev.MaxNames+3 {
			t.Fatalf("%d steps for %d names", len(res.Steps), len(res.Names))
		}
		if last := res.Steps[len(res.Steps)-1]; last.Title != "Compare with the name the receiver recorded" {
			t.Fatalf("last step %q, want the comparison", last.Title)
		}
		for _, s := range res.Steps {
			if s.Title == "" || s.Explain == "" || s.Ref == "" {
				t.Fatalf("step without words: %+v", s)
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}

func header(name string, rrtype uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: 300}
}
