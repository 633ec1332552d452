package iprev_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// server starts the loopback DNS server with the test zone and the names
// built in code: twelve PTR names for 192.0.2.17, only the last of which
// points back (beyond the limit of ten).
func server(t *testing.T) *dnstest.Server {
	t.Helper()
	srv := dnstest.Start(t, "testdata/iprev.zone")
	for i := 1; i <= 12; i++ {
		target := fmt.Sprintf("198.51.100.%d", i)
		if i == 12 {
			target = "192.0.2.17"
		}
		if err := srv.Add(
			fmt.Sprintf("17.2.0.192.in-addr.arpa. PTR n%02d.example.org.", i),
			fmt.Sprintf("n%02d.example.org. A %s", i, target),
		); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// client asks srv. The timeout is generous, so that a loaded CI machine
// does not turn an answer into a timeout; the test that wants a timeout
// uses quick instead.
func client(srv *dnstest.Server) *dnsx.Client {
	return &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 3 * time.Second, Attempts: 1}
}

// quick gives up after 150 ms, for the server that never answers.
func quick(srv *dnstest.Server) *dnsx.Client {
	return &dnsx.Client{Servers: []string{srv.Addr}, Timeout: 150 * time.Millisecond, Attempts: 1}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		ip        string
		recorded  string
		knobs     func(*dnstest.Server)
		timeout   bool // the server drops a question: ask with quick
		result    trace.Result
		names     []string
		confirmed []string
		steps     []trace.Result // the results of the steps, in order, the comparison last
		reason    string
		compare   string // part of the comparison step's explanation
	}{
		{name: "pass", ip: "192.0.2.7", recorded: "mail.example.org",
			result: trace.Pass, names: []string{"mail.example.org"}, confirmed: []string{"mail.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Info},
			reason: "mail.example.org, a name of 192.0.2.7, points back to it", compare: "and the PTR lookup still gives it"},
		{name: "recorded with a dot and capitals", ip: "192.0.2.7", recorded: "MAIL.example.org.",
			result: trace.Pass, names: []string{"mail.example.org"}, confirmed: []string{"mail.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Info},
			reason: "points back to it", compare: "recorded mail.example.org, and the PTR lookup still gives it"},
		{name: "ipv4-mapped", ip: "::ffff:192.0.2.7",
			result: trace.Pass, names: []string{"mail.example.org"}, confirmed: []string{"mail.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Info},
			reason: "192.0.2.7", compare: "wrote no reverse DNS name"},
		{name: "second name confirms", ip: "192.0.2.8", recorded: "good.example.org",
			result: trace.Pass, names: []string{"other.example.net", "good.example.org"}, confirmed: []string{"good.example.org"},
			steps:  []trace.Result{trace.Info, trace.Fail, trace.Pass, trace.Info},
			reason: "good.example.org, a name of 192.0.2.8", compare: "still gives it"},
		{name: "name points elsewhere", ip: "192.0.2.9", recorded: "liar.example.org",
			result: trace.Fail, names: []string{"liar.example.org"},
			steps:  []trace.Result{trace.Info, trace.Fail, trace.Info},
			reason: "none of the names of 192.0.2.9 (liar.example.org) points back to it", compare: "still gives it"},
		{name: "forward NXDOMAIN", ip: "192.0.2.10", recorded: "unknown",
			result: trace.Fail, names: []string{"gone.example.org"},
			steps:  []trace.Result{trace.Info, trace.Fail, trace.Info},
			reason: "none of the names", compare: "the two agree"},
		{name: "forward NODATA", ip: "192.0.2.11",
			result: trace.Fail, names: []string{"nodata.example.org"},
			steps:  []trace.Result{trace.Info, trace.Fail, trace.Info},
			reason: "none of the names", compare: "nothing to compare"},
		{name: "no PTR", ip: "192.0.2.12", recorded: "unknown",
			result: trace.PermError,
			steps:  []trace.Result{trace.PermError, trace.Info},
			reason: "no PTR record is published for 192.0.2.12", compare: "the two agree"},
		{name: "no PTR, but a name was recorded", ip: "192.0.2.12", recorded: "mail.example.org",
			result: trace.PermError,
			steps:  []trace.Result{trace.PermError, trace.Warn},
			reason: "no PTR record", compare: "has no name now"},
		{name: "PTR SERVFAIL", ip: "192.0.2.13", knobs: func(s *dnstest.Server) { s.Fail("13.2.0.192.in-addr.arpa.", dns.RcodeServerFailure) },
			result: trace.TempError,
			steps:  []trace.Result{trace.TempError, trace.Info},
			reason: "got no answer (SERVFAIL: the DNS server could not answer)"},
		{name: "PTR timeout", ip: "192.0.2.14", knobs: func(s *dnstest.Server) { s.Drop("14.2.0.192.in-addr.arpa.") }, timeout: true,
			result: trace.TempError,
			steps:  []trace.Result{trace.TempError, trace.Info},
			reason: "got no answer (TIMEOUT: no answer came in time)"},
		{name: "only name SERVFAIL", ip: "192.0.2.15", knobs: func(s *dnstest.Server) { s.Fail("flaky.example.org.", dns.RcodeServerFailure) },
			result: trace.TempError, names: []string{"flaky.example.org"},
			steps:  []trace.Result{trace.Info, trace.TempError, trace.Info},
			reason: "a forward lookup failed for now"},
		{name: "one name SERVFAIL, the other confirms", ip: "192.0.2.16", knobs: func(s *dnstest.Server) { s.Fail("flaky2.example.org.", dns.RcodeServerFailure) },
			result: trace.Pass, names: []string{"flaky2.example.org", "ok16.example.org"}, confirmed: []string{"ok16.example.org"},
			steps:  []trace.Result{trace.Info, trace.TempError, trace.Pass, trace.Info},
			reason: "ok16.example.org"},
		{name: "more names than the limit", ip: "192.0.2.17",
			result: trace.Fail,
			names: []string{"n01.example.org", "n02.example.org", "n03.example.org", "n04.example.org", "n05.example.org", "n06.example.org",
				"n07.example.org", "n08.example.org", "n09.example.org", "n10.example.org", "n11.example.org", "n12.example.org"},
			steps: []trace.Result{trace.Info, trace.Fail, trace.Fail, trace.Fail, trace.Fail, trace.Fail, trace.Fail, trace.Fail, trace.Fail,
				trace.Fail, trace.Fail, trace.Info, trace.Info},
			reason: "n10.example.org) points back"},
		{name: "forward through a CNAME", ip: "192.0.2.18",
			result: trace.Pass, names: []string{"alias.example.org"}, confirmed: []string{"alias.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Info},
			reason: "alias.example.org"},
		{name: "ipv6 pass", ip: "2001:db8::25", recorded: "mx6.example.org",
			result: trace.Pass, names: []string{"mx6.example.org"}, confirmed: []string{"mx6.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Info},
			reason: "mx6.example.org, a name of 2001:db8::25"},
		{name: "ipv6 name with only an A record", ip: "2001:db8::26", recorded: "somewhere.example",
			result: trace.Fail, names: []string{"v4only.example.org"},
			steps:  []trace.Result{trace.Info, trace.Fail, trace.Warn},
			reason: "none of the names", compare: "now gives v4only.example.org"},
		{name: "recorded unknown but it confirms now", ip: "192.0.2.7", recorded: "unknown",
			result: trace.Pass, names: []string{"mail.example.org"}, confirmed: []string{"mail.example.org"},
			steps:  []trace.Result{trace.Info, trace.Pass, trace.Warn},
			reason: "points back", compare: "DNS has changed since"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t)
			if tc.knobs != nil {
				tc.knobs(srv)
			}
			ip := netip.MustParseAddr(tc.ip)
			c := client(srv)
			if tc.timeout {
				c = quick(srv)
			}
			got := iprev.Check(t.Context(), c, ip, tc.recorded)
			if got.Result != tc.result {
				t.Errorf("Check(%s).Result = %s, want %s (%s)", tc.ip, got.Result, tc.result, got.Reason)
			}
			if want := ip.Unmap().String(); got.IP != want {
				t.Errorf("Check(%s).IP = %q, want %q", tc.ip, got.IP, want)
			}
			if !reflect.DeepEqual(got.Names, tc.names) {
				t.Errorf("Check(%s).Names = %q, want %q", tc.ip, got.Names, tc.names)
			}
			if !reflect.DeepEqual(got.Confirmed, tc.confirmed) {
				t.Errorf("Check(%s).Confirmed = %q, want %q", tc.ip, got.Confirmed, tc.confirmed)
			}
			var results []trace.Result
			for _, s := range got.Steps {
				results = append(results, s.Result)
				if s.Title == "" || s.Explain == "" || s.Ref == "" {
					t.Errorf("step %q lacks a title, an explanation or a reference", s.Title)
				}
				for _, p := range tracetest.StepProblems(s) {
					t.Errorf("step %q: %s\n  explain: %s\n  detail: %s\n  ref: %s", s.Title, p, s.Explain, s.Detail, s.Ref)
				}
			}
			if !reflect.DeepEqual(results, tc.steps) {
				t.Errorf("Check(%s) step results = %v, want %v", tc.ip, results, tc.steps)
			}
			for _, p := range tracetest.TextProblems("reason", got.Reason) {
				t.Errorf("Check(%s).Reason = %q: %s", tc.ip, got.Reason, p)
			}
			if !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("Check(%s).Reason = %q, want it to contain %q", tc.ip, got.Reason, tc.reason)
			}
			last := got.Steps[len(got.Steps)-1]
			if !strings.HasPrefix(last.Title, "Compare with the name the receiver recorded") || !strings.Contains(last.Explain, tc.compare) {
				t.Errorf("last step = %q: %q, want the comparison containing %q", last.Title, last.Explain, tc.compare)
			}
			// Every DNS step carries its exchange.
			for _, s := range got.Steps {
				if strings.HasPrefix(s.Title, "Look up") || strings.HasPrefix(s.Title, "Does ") {
					if s.Query == nil || s.Query.Name == "" {
						t.Errorf("step %q has no DNS query", s.Title)
					}
				}
			}
		})
	}
}

// TestLimit checks that names past the tenth are not asked about, and that
// a confirmed name stops the lookups.
func TestLimit(t *testing.T) {
	srv := server(t)
	got := iprev.Check(t.Context(), client(srv), netip.MustParseAddr("192.0.2.17"), "")
	for _, n := range []string{"n11.example.org.", "n12.example.org."} {
		if c := srv.Count(n, dns.TypeA); c != 0 {
			t.Errorf("%s was asked %d times, want 0 (beyond the limit of %d)", n, c, iprev.MaxNames)
		}
	}
	if c := srv.Count("n10.example.org.", dns.TypeA); c != 1 {
		t.Errorf("n10.example.org was asked %d times, want 1", c)
	}
	if s := got.Steps[len(got.Steps)-2]; s.Title != "2 more names not looked up" || s.Detail != "n11.example.org, n12.example.org" {
		t.Errorf("step = %q (%q), want the two names past the limit", s.Title, s.Detail)
	}
	got = iprev.Check(t.Context(), client(srv), netip.MustParseAddr("192.0.2.8"), "")
	if c := srv.Count("good.example.org.", dns.TypeAAAA); c != 0 {
		t.Errorf("AAAA asked for an IPv4 client %d times", c)
	}
	if got.Result != trace.Pass {
		t.Fatalf("Result = %s", got.Result)
	}
}

// TestCancelled checks that a cancelled context is a temperror, quickly.
func TestCancelled(t *testing.T) {
	srv := server(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got := iprev.Check(ctx, client(srv), netip.MustParseAddr("192.0.2.7"), "")
	if got.Result != trace.TempError {
		t.Errorf("Result = %s, want temperror (%s)", got.Result, got.Reason)
	}
}

// TestNoAddress checks the message that names no client.
func TestNoAddress(t *testing.T) {
	srv := server(t)
	got := iprev.Check(t.Context(), client(srv), netip.Addr{}, "mail.example.org")
	if got.Result != trace.None || got.IP != "" || len(got.Steps) != 1 || srv.Total() != 0 {
		t.Errorf("Check(no address) = %+v after %d queries, want none and no DNS", got, srv.Total())
	}
}

// TestJSON checks the contract's iprev object.
func TestJSON(t *testing.T) {
	srv := server(t)
	b, err := json.Marshal(iprev.Check(t.Context(), client(srv), netip.MustParseAddr("192.0.2.12"), ""))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["result"] != "permerror" || m["ip"] != "192.0.2.12" || !reflect.DeepEqual(m["names"], []any{}) {
		t.Errorf("JSON = %s", b)
	}
	steps, ok := m["steps"].([]any)
	if !ok || len(steps) != 2 {
		t.Fatalf("steps = %v", m["steps"])
	}
	q := steps[0].(map[string]any)["query"].(map[string]any)
	if q["name"] != "12.2.0.192.in-addr.arpa." || q["type"] != "PTR" || q["rcode"] != "NXDOMAIN" {
		t.Errorf("query = %v", q)
	}
}

// TestStepWords checks what the deciding steps tell a student: what a
// pass proves and what it does not, what a forger would have needed, and
// what a DNS failure means, in words.
func TestStepWords(t *testing.T) {
	cases := []struct {
		name  string
		ip    string
		knobs func(*dnstest.Server)
		quick bool
		step  int // index of the step to read
		want  []string
	}{
		{name: "one name", ip: "192.0.2.7", step: 0,
			want: []string{"The reverse DNS (PTR) lookup of 192.0.2.7 gives one name", "can write any name there, so that name is now looked up forward"}},
		{name: "two names", ip: "192.0.2.8", step: 0, want: []string{"gives 2 names", "so each name is now looked up forward"}},
		{name: "pass", ip: "192.0.2.7", step: 1, want: []string{"the reverse and forward lookups agree", "not that the sender is who the From field says"}},
		{name: "points elsewhere", ip: "192.0.2.9", step: 1, want: []string{"to pass, they would also need to control the name's own DNS"}},
		{name: "no PTR", ip: "192.0.2.12", step: 0, want: []string{"No PTR record (the reverse DNS that gives an address its name)"}},
		{name: "PTR timeout", ip: "192.0.2.14", knobs: func(s *dnstest.Server) { s.Drop("14.2.0.192.in-addr.arpa.") }, quick: true, step: 0,
			want: []string{"TIMEOUT: no answer came in time", "the sender tries again later"}},
		{name: "forward SERVFAIL", ip: "192.0.2.15", knobs: func(s *dnstest.Server) { s.Fail("flaky.example.org.", dns.RcodeServerFailure) }, step: 1,
			want: []string{"SERVFAIL: the DNS server could not answer", "a later attempt may give a result"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := server(t)
			if tc.knobs != nil {
				tc.knobs(srv)
			}
			c := client(srv)
			if tc.quick {
				c = quick(srv)
			}
			got := iprev.Check(t.Context(), c, netip.MustParseAddr(tc.ip), "")
			if tc.step >= len(got.Steps) {
				t.Fatalf("%d steps, want step %d", len(got.Steps), tc.step)
			}
			st := got.Steps[tc.step]
			text := st.Detail + " | " + st.Explain
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("step %q = %q, want it to hold %q", st.Title, text, w)
				}
			}
		})
	}
}

// TestSnapshotMissing: replaying a snapshot that lacks a question is not a
// DNS outage, and the steps must not tell a student "a later attempt may
// give a result": they say the snapshot holds no answer.
func TestSnapshotMissing(t *testing.T) {
	snap, err := dnsx.ParseSnapshot(strings.NewReader(`
7.2.0.192.in-addr.arpa. PTR mail.example.org.
`), "case.dns")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ip, reason string
		step             int
	}{
		{"no PTR answer", "192.0.2.8", "the DNS snapshot holds no answer for the reverse lookup of 192.0.2.8", 0},
		{"no forward answer", "192.0.2.7", "the DNS snapshot holds no answer for a forward lookup", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := iprev.Check(t.Context(), snap, netip.MustParseAddr(c.ip), "")
			if got.Result != trace.TempError || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("Check = %s %q, want temperror saying %q", got.Result, got.Reason, c.reason)
			}
			st := got.Steps[c.step]
			if !strings.Contains(st.Explain, "snapshot being replayed holds no answer") || strings.Contains(st.Explain, "later attempt") || strings.Contains(got.Reason, "later attempt") {
				t.Errorf("step %q explains %q (reason %q): want the snapshot named and no retry promised", st.Title, st.Explain, got.Reason)
			}
		})
	}
}
