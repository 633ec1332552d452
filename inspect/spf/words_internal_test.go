package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// The step texts written with + instead of fmt: each is held to the fmt
// form it replaced, byte for byte.

func TestDetailCounts(t *testing.T) {
	long := strings.Repeat("abcdefgh.", 30) + "example"
	tests := []struct {
		name string
		t    targetInfo
	}{
		{"current domain", targetInfo{name: "example.org"}},
		{"as written", targetInfo{spec: "_spf.example.org", expanded: "_spf.example.org", name: "_spf.example.org"}},
		{"trailing dot", targetInfo{spec: "_spf.example.org.", expanded: "_spf.example.org.", name: "_spf.example.org"}},
		{"macro", targetInfo{spec: "%{ir}.example.org", expanded: "1.2.0.192.example.org", name: "1.2.0.192.example.org"}},
		{"truncated", targetInfo{spec: "%{s}.example", expanded: long, name: long[18:], truncated: true}},
		{"empty", targetInfo{}},
		{"odd bytes", targetInfo{spec: "%{l}.x", expanded: "a\x00\xff%.x", name: "a\x00\xff%.x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &evaluator{lookups: 3, voids: 1, lim: Limits{}.withDefaults()}
			var old strings.Builder
			switch {
			case tc.t.spec == "":
				fmt.Fprintf(&old, "target %s (the current domain).", tc.t.name)
			case tc.t.spec == tc.t.name:
				fmt.Fprintf(&old, "target %s.", tc.t.name)
			default:
				fmt.Fprintf(&old, "%s expands to %s.", tc.t.spec, tc.t.expanded)
				if tc.t.truncated {
					fmt.Fprintf(&old, " That is over 253 characters, so labels are removed from the left: %s.", tc.t.name)
				}
			}
			counts := fmt.Sprintf("DNS-querying terms so far: %d of at most %d; void lookups: %d of at most %d.", e.lookups, e.lim.Lookups, e.voids, e.lim.Voids)
			if got := tc.t.detail(); got != old.String() {
				t.Errorf("detail() = %q, want %q", got, old.String())
			}
			if got := e.counts(); got != counts {
				t.Errorf("counts() = %q, want %q", got, counts)
			}
			if got, want := e.detailCounts(tc.t), old.String()+" "+counts; got != want {
				t.Errorf("detailCounts() = %q, want %q", got, want)
			}
		})
	}
}

func TestQuotedQualifier(t *testing.T) {
	for c := range 256 {
		if got, want := quotedQualifier(byte(c)), fmt.Sprintf("%q", string(byte(c))); got != want {
			t.Errorf("quotedQualifier(%#x) = %s, want %s", c, got, want)
		}
	}
	if got, want := quotedQualifier('~'), strconv.Quote("~"); got != want {
		t.Errorf("quotedQualifier('~') = %s, want %s", got, want)
	}
}

// TestEvalIPDetail: the detail of ip4: and ip6:, written into a buffer,
// is what fmt wrote, for short and long addresses, in and out.
func TestEvalIPDetail(t *testing.T) {
	tests := []struct{ record, ip string }{
		{"v=spf1 ip4:198.51.100.0/25", "198.51.100.7"},
		{"v=spf1 ip4:198.51.100.7/25", "198.51.100.200"},
		{"v=spf1 ip4:203.0.113.5", "203.0.113.5"},
		{"v=spf1 ip6:2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"v=spf1 ip6:ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"v=spf1 ip6:ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%" + strings.Repeat("z", 100)},
	}
	for _, tc := range tests {
		t.Run(tc.record+"/"+tc.ip, func(t *testing.T) {
			rec, err := Parse(tc.record)
			if err != nil {
				t.Fatal(err)
			}
			term := &rec.Terms[0]
			ip := netip.MustParseAddr(tc.ip)
			e := &evaluator{ip: ip, ipText: ip.String()}
			got := e.evalIP(term).step.Detail
			bits := term.Prefix4
			if term.Mechanism == IP6 {
				bits = term.Prefix6
			}
			pfx := netip.PrefixFrom(term.Network, bits).Masked()
			want := fmt.Sprintf("%s is not inside %s", ip, pfx)
			if pfx.Contains(ip) {
				want = fmt.Sprintf("%s is inside %s", ip, pfx)
			}
			if got != want {
				t.Errorf("detail %q, want %q", got, want)
			}
		})
	}
}

var isAddrCases = []string{
	"192.0.2.1", "0.0.0.0", "256.1.1.1", "1.2.3", "2001:db8::1", "2001:DB8::A", "::", "::ffff:192.0.2.1", "fe80::1%eth0", "fe80::1%",
	"1.2.3.4%eth0", "%eth0", "abc.def", "cafe", "dead:beef", "d1.example", "mail.d1.example", "", ".", "[192.0.2.1]", "é", "1.2.3.4\x00",
}

func TestIsAddr(t *testing.T) {
	for _, s := range isAddrCases {
		_, err := netip.ParseAddr(s)
		if got := isAddr(s); got != (err == nil) {
			t.Errorf("isAddr(%q) = %v, netip.ParseAddr error %v", s, got, err)
		}
	}
}

// FuzzIsAddr: isAddr, which refuses a name without asking netip, agrees
// with netip.ParseAddr.
func FuzzIsAddr(f *testing.F) {
	for _, s := range isAddrCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := netip.ParseAddr(s)
		if got := isAddr(s); got != (err == nil) {
			t.Fatalf("isAddr(%q) = %v, netip.ParseAddr error %v", s, got, err)
		}
	})
}
