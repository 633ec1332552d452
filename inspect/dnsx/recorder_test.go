package dnsx_test

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// A Recorder keeps one message's exchanges in order, copies of them, while
// the cache behind it is shared.
func TestRecorder(t *testing.T) {
	srv := dnstest.Start(t, "testdata/basic.zone")
	shared := dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{})
	first, second := dnsx.NewRecorder(shared), dnsx.NewRecorder(shared)
	first.Lookup(t.Context(), "example.org", dns.TypeTXT)
	first.Lookup(t.Context(), "nope.example.org", dns.TypeA)
	q, _ := second.Lookup(t.Context(), "example.org", dns.TypeTXT)
	q.Note = "changed by the caller"
	q.Answers = append(q.Answers, "appended by the caller")

	got := first.Queries()
	if len(got) != 2 || got[0].Name != "example.org." || got[0].Cached || got[1].Rcode != "NXDOMAIN" {
		t.Errorf("first message recorded %+v", got)
	}
	got = second.Queries()
	if len(got) != 1 || !got[0].Cached || got[0].Note != "" || len(got[0].Answers) != 1 || got[0].Answers[0] != "v=spf1 ip4:192.0.2.0/24 -all" {
		t.Errorf("second message recorded %+v, want one cached answer, unchanged", got)
	}
}
