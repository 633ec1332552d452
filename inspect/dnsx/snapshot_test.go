package dnsx_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

func TestSnapshotHandWritten(t *testing.T) {
	snap, err := dnsx.LoadSnapshot("testdata/lesson.dns")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		qtype   uint16
		rcode   string
		answers []string
		cnames  []string
		err     error
		ttl     uint32
		ad      bool
		server  string
	}{
		{"bank.example", dns.TypeTXT, "NOERROR", []string{"v=spf1 ip4:198.51.100.0/24 -all"}, nil, nil, 3600, true, "192.0.2.53:53"},
		{"Bank.Example.", dns.TypeMX, "NOERROR", []string{"10 mx.bank.example."}, nil, nil, 3600, false, "snapshot"},
		{"_dmarc.bank.example", dns.TypeTXT, "NOERROR", []string{"v=DMARC1; p=reject"}, nil, nil, 3600, false, "snapshot"},
		{"www.bank.example", dns.TypeA, "NOERROR", nil, []string{"bank.example."}, nil, 600, false, "snapshot"}, // zone: the name exists, no A
		{"www.bank.example", dns.TypeTXT, "NOERROR", []string{"v=spf1 ip4:198.51.100.0/24 -all"}, []string{"bank.example."}, nil, 3600, false, "snapshot"},
		{"nothere.bank.example", dns.TypeTXT, "NXDOMAIN", nil, nil, nil, 600, false, "snapshot"},   // zone: nothing else exists
		{"_domainkey.bank.example", dns.TypeTXT, "NOERROR", nil, nil, nil, 600, false, "snapshot"}, // empty non-terminal (RFC 8020)
		{"attacker.example", dns.TypeTXT, "NOERROR", []string{"v=spf1 +all"}, nil, nil, 3600, false, "snapshot"},
		{"_dmarc.attacker.example", dns.TypeTXT, "NXDOMAIN", nil, nil, nil, 0, false, "snapshot"},
		{"x._dmarc.attacker.example", dns.TypeTXT, "NXDOMAIN", nil, nil, nil, 0, false, "snapshot"}, // below NXDOMAIN (RFC 8020)
		{"attacker.example", dns.TypeMX, "NOERROR", nil, nil, nil, 300, false, "snapshot"},
		{"slow.attacker.example", dns.TypeTXT, "TIMEOUT", nil, nil, dnsx.ErrTimeout, 0, false, "snapshot"},
		{"broken.attacker.example", dns.TypeA, "SERVFAIL", nil, nil, dnsx.ErrServFail, 0, false, "snapshot"},
		{"old.attacker.example", dns.TypeA, "NOTIMP", nil, nil, dnsx.ErrNetwork, 0, false, "snapshot"},
		{"loop.attacker.example", dns.TypeA, "ERROR", nil, []string{"loop2.attacker.example.", "loop.attacker.example."}, dnsx.ErrCNAMELoop, 0, false, "snapshot"},
		// Not in the file: MISSING, a temporary error, never NXDOMAIN.
		{"slow.attacker.example", dns.TypeA, "MISSING", nil, nil, dnsx.ErrNotInSnapshot, 0, false, "snapshot"},
		{"attacker.example", dns.TypeA, "MISSING", nil, nil, dnsx.ErrNotInSnapshot, 0, false, "snapshot"},
		{"elsewhere.example", dns.TypeTXT, "MISSING", nil, nil, dnsx.ErrNotInSnapshot, 0, false, "snapshot"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
			q, err := snap.Lookup(t.Context(), tc.name, tc.qtype)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if q.Rcode != tc.rcode || !slices.Equal(q.Answers, orEmpty(tc.answers)) || !slices.Equal(q.CNAMEs, tc.cnames) {
				t.Errorf("Lookup = %s %q via %q, want %s %q via %q", q.Rcode, q.Answers, q.CNAMEs, tc.rcode, tc.answers, tc.cnames)
			}
			if q.TTL != tc.ttl || q.AD != tc.ad || q.Server != tc.server {
				t.Errorf("ttl %d ad %v server %q, want %d %v %q", q.TTL, q.AD, q.Server, tc.ttl, tc.ad, tc.server)
			}
			if errors.Is(err, dnsx.ErrNotInSnapshot) {
				if !dnsx.IsTemporary(err) || dnsx.IsNotFound(q) || !strings.Contains(q.Note, "lesson.dns holds no answer") {
					t.Errorf("a miss must be temporary and say so: temporary %v, not found %v, note %q", dnsx.IsTemporary(err), dnsx.IsNotFound(q), q.Note)
				}
			}
		})
	}
}

// The directives are comments to any zone parser, so a lesson's file can
// also be served by the test server.
func TestSnapshotLoadsIntoDnstest(t *testing.T) {
	srv := dnstest.Start(t, "testdata/lesson.dns")
	q, err := fast(srv.Addr).Lookup(t.Context(), "www.bank.example", dns.TypeMX)
	if err != nil || !slices.Equal(q.Answers, []string{"10 mx.bank.example."}) {
		t.Errorf("got %v %q", err, q.Answers)
	}
}

func TestSnapshotParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{";! nxdomain", "needs a keyword and a name"},
		{"\n\n;! bogus a.example.", "t.dns:3: unknown directive"},
		{";! nodata a.example. BOGUS", "unknown record type"},
		{";! nodata a.example. TXT speed=3", "unknown option"},
		{";! answer a.example. TXT rtt=-1", "bad rtt"},
		{";! answer a.example. TXT rtt=NaN", "bad rtt"},
		{";! answer a.example. TXT ttl=x", "bad ttl"},
		{";! answer a.example. TXT ttl=4294967296", "bad ttl"},
		{";! answer a.example. TXT ad=yes", "takes no value"},
		{";! timeout a.example. TXT rcode=NOTIMP", "bad rcode"},
		{";! error a.example. TXT rcode=NOERROR", "bad rcode"},
		{";! answer a..example. TXT", "not a valid domain name"},
		{"$ORIGIN a..b.\n", "$ORIGIN"},
		{"$GENERATE 1-65000 h$ A 192.0.2.1", "$GENERATE is not allowed"},
		{"$INCLUDE /etc/passwd", "$INCLUDE"},
		{"a.example. A 999.1.1.1", "bad A"},
		{"a.example. TXT \"unterminated", "t.dns"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			_, err := dnsx.ParseSnapshot(strings.NewReader(tc.text), "t.dns")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSnapshot(%q) = %v, want an error containing %q", tc.text, err, tc.want)
			}
		})
	}
}

func TestSnapshotMaxSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.dns")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(dnsx.MaxSnapshotBytes + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	_, err = dnsx.LoadSnapshot(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want too large", err)
	}
}

// A run's answers, saved, replay to the same answers with no server
// running: the saved file is all there is.
func TestSnapshotSaveThenReplay(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Fail("servfail.example.org", dns.RcodeServerFailure)
	srv.Fail("refused.example.org", dns.RcodeRefused)
	srv.Fail("notimp.example.org", dns.RcodeNotImplemented)
	srv.Drop("silent.example.org")
	srv.SetAD("example.org")
	srv.Truncate("sel._domainkey.example.org")
	srv.Add("sf.example.org. CNAME servfail.example.org.")
	for i := range 150 {
		srv.AddRR(&dns.A{Hdr: hdr("huge.example.org", dns.TypeA), A: []byte{192, 0, 2, byte(i)}})
	}
	questions := []struct {
		name  string
		qtype uint16
	}{
		{"example.org", dns.TypeTXT}, {"example.org", dns.TypeA}, {"example.org", dns.TypeMX}, {"example.org", dns.TypeAAAA},
		{"mx.example.org", dns.TypeA}, {"mx.example.org", dns.TypeAAAA},
		{"sel._domainkey.example.org", dns.TypeTXT}, {"quoted.example.org", dns.TypeTXT},
		{"nope.example.org", dns.TypeA}, {"b.example.org", dns.TypeA}, {"a.b.example.org", dns.TypeA},
		{"alias.example.org", dns.TypeA}, {"two.example.org", dns.TypeTXT}, {"c2.example.org", dns.TypeA},
		{"c1.example.org", dns.TypeA}, {"loop1.example.org", dns.TypeA}, {"ext.example.org", dns.TypeA},
		{"empty.example.org", dns.TypeTXT}, {"alias.example.org", dns.TypeCNAME}, {"7.2.0.192.in-addr.arpa", dns.TypePTR},
		{"servfail.example.org", dns.TypeTXT}, {"refused.example.org", dns.TypeTXT}, {"notimp.example.org", dns.TypeTXT},
		{"silent.example.org", dns.TypeTXT}, {"sf.example.org", dns.TypeA},
		{"huge.example.org", dns.TypeA},
	}
	saver := dnsx.NewSaver(dnsx.NewCache(fast(srv.Addr), dnsx.CacheOptions{}))
	saver.Comment = []string{"recorded by TestSnapshotSaveThenReplay"}
	type result struct {
		q   *trace.Query
		err error
	}
	var live []result
	for _, qu := range questions {
		q, err := saver.Lookup(t.Context(), qu.name, qu.qtype)
		live = append(live, result{q, err})
		saver.Lookup(t.Context(), qu.name, qu.qtype) // asked twice, saved once
	}
	if saver.Len() != len(questions) {
		t.Errorf("saver holds %d answers, want %d", saver.Len(), len(questions))
	}
	path := filepath.Join(t.TempDir(), "run.dns")
	if err := saver.Save(path); err != nil {
		t.Fatal(err)
	}
	srv.Close() // from here on there is no server

	text, _ := os.ReadFile(path)
	for _, want := range []string{"; recorded by TestSnapshotSaveThenReplay", ";! timeout silent.example.org. TXT server=", ";! nxdomain nope.example.org. server=", " ttl=120",
		";! servfail servfail.example.org. TXT", ";! toolarge huge.example.org. A", ";! error notimp.example.org. TXT server=", "rcode=NOTIMP", "example.org.\t300\tIN\tTXT\t\"v=spf1 ip4:192.0.2.0/24 -all\"", " ad "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("snapshot lacks %q:\n%s", want, text)
		}
	}
	snap, err := dnsx.LoadSnapshot(path)
	if err != nil {
		t.Fatalf("LoadSnapshot: %v\n%s", err, text)
	}
	for i, qu := range questions {
		t.Run(qu.name+"/"+dns.TypeToString[qu.qtype], func(t *testing.T) {
			q, err := snap.Lookup(t.Context(), qu.name, qu.qtype)
			want := live[i]
			if errClass(err) != errClass(want.err) {
				t.Errorf("replay error %v, live %v", err, want.err)
			}
			if !sameQuery(q, want.q) {
				t.Errorf("replay %+v\nlive   %+v", *q, *want.q)
			}
		})
	}
}

func errClass(err error) error {
	for _, e := range []error{dnsx.ErrTimeout, dnsx.ErrServFail, dnsx.ErrRefused, dnsx.ErrCNAMELoop, dnsx.ErrNotInSnapshot, dnsx.ErrTooLarge, dnsx.ErrNetwork, dnsx.ErrBadName} {
		if errors.Is(err, e) {
			return e
		}
	}
	return err
}

// sameQuery compares what a check and the report see, except how the
// answer was fetched (Note, Cached).
func sameQuery(a, b *trace.Query) bool {
	return a.Name == b.Name && a.Type == b.Type && a.Rcode == b.Rcode && slices.Equal(a.Answers, b.Answers) &&
		slices.Equal(a.CNAMEs, b.CNAMEs) && a.AD == b.AD && a.TTL == b.TTL && a.Server == b.Server && a.RTTms == b.RTTms
}

// A cancelled context ends a replay too, as it would a live lookup.
func TestSnapshotCancelled(t *testing.T) {
	snap, _ := dnsx.LoadSnapshot("testdata/lesson.dns")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := snap.Lookup(ctx, "bank.example", dns.TypeTXT); !errors.Is(err, dnsx.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}

func TestSnapshotCaps(t *testing.T) {
	var b strings.Builder
	for i := range 101 {
		b.WriteString("many.example. A 192.0.2." + strconv.Itoa(i) + "\n")
	}
	snap, err := dnsx.ParseSnapshot(strings.NewReader(b.String()), "caps.dns")
	if err != nil {
		t.Fatal(err)
	}
	q, err := snap.Lookup(t.Context(), "many.example", dns.TypeA)
	if !errors.Is(err, dnsx.ErrTooLarge) || q.Rcode != "ERROR" || len(q.Answers) != 0 {
		t.Errorf("got %s %d answers %v, want ErrTooLarge", q.Rcode, len(q.Answers), err)
	}
	snap.MaxAnswers = 200
	if q, err := snap.Lookup(t.Context(), "many.example", dns.TypeA); err != nil || len(q.Answers) != 101 {
		t.Errorf("with a higher cap: %v, %d answers", err, len(q.Answers))
	}
}

// A question that failed once and was answered later is saved with its
// answer: a snapshot is evidence of what DNS said.
func TestSaverPrefersAnAnswerToAnEarlierFailure(t *testing.T) {
	srv := dnstest.Start(t, "testdata/client.zone")
	srv.Fail("example.org", dns.RcodeServerFailure)
	srv.Fail("nope.example.org", dns.RcodeServerFailure)
	saver := dnsx.NewSaver(fast(srv.Addr))
	if _, err := saver.Lookup(t.Context(), "example.org", dns.TypeTXT); !errors.Is(err, dnsx.ErrServFail) {
		t.Fatalf("first lookup: %v, want SERVFAIL", err)
	}
	saver.Lookup(t.Context(), "nope.example.org", dns.TypeA)
	srv.Heal("example.org")
	srv.Heal("nope.example.org")
	saver.Lookup(t.Context(), "example.org", dns.TypeTXT)
	saver.Lookup(t.Context(), "nope.example.org", dns.TypeA)
	saver.Lookup(t.Context(), "bad..name", dns.TypeA) // never sent: not saved
	var buf strings.Builder
	if err := saver.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	snap, err := dnsx.ParseSnapshot(strings.NewReader(buf.String()), "healed.dns")
	if err != nil {
		t.Fatal(err)
	}
	if q, err := snap.Lookup(t.Context(), "example.org", dns.TypeTXT); err != nil || len(q.Answers) != 1 {
		t.Errorf("example.org: %v %q, want the later answer\n%s", err, q.Answers, buf.String())
	}
	if q, err := snap.Lookup(t.Context(), "nope.example.org", dns.TypeA); err != nil || q.Rcode != "NXDOMAIN" {
		t.Errorf("nope.example.org: %v %s, want the later NXDOMAIN", err, q.Rcode)
	}
	if strings.Contains(buf.String(), "servfail") || strings.Contains(buf.String(), "bad..name") || saver.Len() != 2 {
		t.Errorf("snapshot keeps a superseded failure or an unsent name (%d entries):\n%s", saver.Len(), buf.String())
	}
}

func ExampleSnapshot_Lookup() {
	snap, err := dnsx.ParseSnapshot(strings.NewReader(`
$ORIGIN example.org.
@        TXT "v=spf1 " "ip4:192.0.2.0/24 -all"
;! nxdomain _dmarc.example.org.
;! timeout  slow.example.org. TXT
`), "lesson.dns")
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"example.org", "_dmarc.example.org", "slow.example.org", "other.example.org"} {
		q, err := snap.Lookup(context.Background(), name, dns.TypeTXT)
		fmt.Printf("%s %s %q temporary=%v\n", q.Name, q.Rcode, q.Answers, dnsx.IsTemporary(err))
	}
	// Output:
	// example.org. NOERROR ["v=spf1 ip4:192.0.2.0/24 -all"] temporary=false
	// _dmarc.example.org. NXDOMAIN [] temporary=false
	// slow.example.org. TIMEOUT [] temporary=true
	// other.example.org. MISSING [] temporary=true
}

// TestSnapshotMarksReplayed: every answer from a snapshot names the file
// it was replayed from, so no reader takes a recorded server and time for
// a question asked now.
func TestSnapshotMarksReplayed(t *testing.T) {
	snap, err := dnsx.ParseSnapshot(strings.NewReader("a.example. TXT \"x\"\n;! answer a.example. TXT server=192.0.2.53:53 rtt=12.5\n"), "case.dns")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.example", "missing.example"} {
		q, _ := snap.Lookup(t.Context(), name, dns.TypeTXT)
		if q == nil || q.Replayed != "case.dns" {
			t.Errorf("Lookup(%s).Replayed = %+v, want case.dns", name, q)
		}
	}
	q, _ := snap.Lookup(t.Context(), "a.example", dns.TypeTXT)
	if q.Server != "192.0.2.53:53" || q.RTTms != 12.5 {
		t.Errorf("recorded server and time: %q %v, want 192.0.2.53:53 12.5", q.Server, q.RTTms)
	}
}
