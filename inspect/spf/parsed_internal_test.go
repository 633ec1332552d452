package spf

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestParsedSameAsParse: a record read through the cache equals Parse's,
// the first time and from the cache; a malformed one gives Parse's error
// and is not kept; the cache stops growing at parsedMax.
func TestParsedSameAsParse(t *testing.T) {
	var c recordCache
	for _, text := range []string{
		"v=spf1 -all",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:example.org/24//64 include:_spf.example.net exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com exp=explain.%{d}",
		"v=spf1 include:_spf.esp1.example include:_spf.esp2.example ~all",
	} {
		want, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		for pass := range 2 {
			got, err := c.parse(text)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("pass %d: parse(%q) = %+v, %v; want %+v", pass, text, got, err, want)
			}
		}
	}
	bad := "v=spf1 ip4:300.0.0.1 -all"
	_, wantErr := Parse(bad)
	for pass := range 2 {
		if _, err := c.parse(bad); err == nil || err.Error() != wantErr.Error() {
			t.Errorf("pass %d: parse(%q) error = %v, want %v", pass, bad, err, wantErr)
		}
	}
	if _, kept := c.m.Load(bad); kept {
		t.Errorf("the malformed record %q was kept", bad)
	}
	for i := range parsedMax + 10 {
		c.parse(fmt.Sprintf("v=spf1 ip4:192.0.2.%d -all", i%250) + fmt.Sprintf(" a:h%d.example", i))
	}
	if n := c.n.Load(); n > parsedMax {
		t.Errorf("cache holds %d records, want at most %d", n, parsedMax)
	}
}

// TestCheckSharesRecords runs the same checks from several goroutines, so
// they evaluate the same cached records at once: under -race a write to a
// shared record shows, and every result must equal the one of a check run
// alone.
func TestCheckSharesRecords(t *testing.T) {
	srv := dnstest.StartZone(t, benchZone)
	r := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 2 * time.Second}
	ins := []Input{
		{Resolver: r, IP: benchIP, Sender: "bob@bench.example", HELO: "mail.bench.example", Now: time.Unix(1700000000, 0)},
		{Resolver: r, IP: netip.MustParseAddr("198.51.100.25"), Sender: "bob@bench.example", HELO: "mail.bench.example", Now: time.Unix(1700000000, 0)},
		{Resolver: r, IP: netip.MustParseAddr("192.0.2.99"), Sender: "bob@bench.example", HELO: "mail.bench.example", Now: time.Unix(1700000000, 0)},
	}
	want := make([]Result, len(ins))
	for i, in := range ins {
		want[i] = Check(t.Context(), in)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(ins))
	for range 4 {
		for i, in := range ins {
			wg.Go(func() {
				got := Check(t.Context(), in)
				if got.Result != want[i].Result || got.Explanation != want[i].Explanation || !reflect.DeepEqual(stepTitles(got), stepTitles(want[i])) {
					errs <- fmt.Sprintf("check %d: %s %q, want %s %q", i, got.Result, got.Explanation, want[i].Result, want[i].Explanation)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func stepTitles(r Result) []string {
	var out []string
	var walk func(s []trace.Step)
	walk = func(s []trace.Step) {
		for _, st := range s {
			out = append(out, st.Title+"|"+st.Detail+"|"+st.Explain)
			walk(st.Steps)
		}
	}
	walk(r.Steps)
	return out
}

// TestDomainProblem: the label walk says what the split into labels said.
func TestDomainProblem(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := []struct{ domain, want string }{
		{"", "is empty"},
		{"[192.0.2.1]", "is an address literal, not a domain name"},
		{"192.0.2.1", "is an IP address, not a domain name"},
		{"bücher.example", "is not ASCII; internationalised names must be written as A-labels (xn--...)"},
		{strings.Repeat("a.", 127) + "aa", "is longer than 253 characters"},
		{"a..example", "has an empty label (two dots in a row, or a leading dot)"},
		{".example", "has an empty label (two dots in a row, or a leading dot)"},
		{"example.", "has an empty label (two dots in a row, or a leading dot)"},
		{long + ".example", "has a label of 64 characters; DNS allows at most 63"},
		{"a b.example", `contains " ", which cannot be part of a host name`},
		{"localhost", "is a single label, not a fully qualified multi-label domain name"},
		{"_spf.mail-1.example", ""},
		{"a.b", ""},
	}
	for _, c := range cases {
		if got := domainProblem(c.domain); got != c.want {
			t.Errorf("domainProblem(%q) = %q, want %q", c.domain, got, c.want)
		}
	}
}

// TestSenderWithoutDomain: "a@" names no domain; the steps say so in words
// instead of quoting an empty domain.
func TestSenderWithoutDomain(t *testing.T) {
	// A snapshot that answers nothing: no question may be needed.
	snap, err := dnsx.ParseSnapshot(strings.NewReader(""), "empty.dns")
	if err != nil {
		t.Fatal(err)
	}
	res := Check(t.Context(), Input{Resolver: snap, IP: netip.MustParseAddr("192.0.2.1"), Sender: "a@"})
	if res.Result != trace.None || len(res.Steps) != 2 {
		t.Fatalf("Check(a@) = %s with %d steps, want none after inputs and the domain check", res.Result, len(res.Steps))
	}
	for _, st := range res.Steps {
		if strings.Contains(st.Explain, `""`) || strings.Contains(st.Explain, "  ") {
			t.Errorf("step %q explains %q: an empty domain quoted or a double space", st.Title, st.Explain)
		}
	}
	if !strings.Contains(res.Steps[0].Explain, "names no domain after the @") || !strings.Contains(res.Explanation, "domain is missing") {
		t.Errorf("inputs %q, explanation %q: want them to say the domain is missing", res.Steps[0].Explain, res.Explanation)
	}
}
