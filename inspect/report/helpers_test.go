package report_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// fixedNow is the clock of the golden reports: after the messages were
// signed and delivered (November 2026), before anything expires.
var fixedNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// cases are the messages of testdata/ with golden reports, and the
// disposition each must get.
var cases = []struct {
	name string
	want inspect.Disposition // "" for a message that cannot be inspected
}{
	{"aligned", inspect.Deliver},           // SPF and two DKIM signatures (RSA-2048, Ed25519) pass, aligned
	{"tampered", inspect.Reject},           // body changed after signing, relayed by a forwarder SPF does not allow
	{"paypal-lookalike", inspect.Reject},   // the From domain spoofed from the attacker's own server
	{"quarantine", inspect.Quarantine},     // SPF softfail through an include, no DKIM, p=quarantine
	{"temperror-escapes", inspect.Deliver}, // the DMARC lookup fails (SERVFAIL); the Subject holds ESC and U+202E
	{"notmail", ""},                        // not a mail message at all
	{"bounce", inspect.Deliver},            // MAIL FROM <>: SPF checks postmaster@ the HELO name, which aligns
}

// startDNS serves testdata/report.zone and the TEST-ONLY keys of
// testdata/keys.zone on loopback; _dmarc.flaky.example answers SERVFAIL.
func startDNS(t testing.TB) *dnstest.Server {
	t.Helper()
	srv := dnstest.Start(t, "testdata/report.zone", "testdata/keys.zone")
	srv.Fail("_dmarc.flaky.example.", dns.RcodeServerFailure)
	return srv
}

// stable passes every lookup to the real client and then blanks what
// changes from run to run (the server's port, the round-trip time), so the
// golden files stay the same. The DNS exchange itself is real.
type stable struct{ dnsx.Resolver }

func (s stable) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	q, err := s.Resolver.Lookup(ctx, name, qtype)
	if q != nil {
		q.Server = "127.0.0.1:53"
		q.RTTms = 0.4
	}
	return q, err
}

// options are Inspect's options for the golden reports: the real client
// with a short timeout against the loopback server, the fixed clock.
func options(srv *dnstest.Server) inspect.Options {
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = 200 * time.Millisecond
	c.Attempts = 1
	return inspect.Options{Resolver: stable{c}, Now: func() time.Time { return fixedNow }}
}

// inspectFile inspects testdata/NAME.eml as headercheck does: a message
// that cannot be loaded is a report carrying only source and error.
func inspectFile(t testing.TB, srv *dnstest.Server, name string) *inspect.Report {
	t.Helper()
	path := filepath.Join("testdata", name+".eml")
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		var le *message.Error
		if !errors.As(err, &le) {
			t.Fatal(err)
		}
		return inspect.Failed(message.SummaryOf(path, 1), le.Msg)
	}
	rep, err := inspect.Inspect(t.Context(), m, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it; review the diff):\n%s", path, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first line where got and want part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(no line differs)"
}

func sourceWith(subject string) message.Summary {
	s := message.SummaryOf("test.eml", 1)
	s.Subject = subject
	return s
}

func dmarcResult(r trace.Result) dmarc.Result { return dmarc.Result{Result: r} }
