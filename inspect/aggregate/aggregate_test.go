package aggregate_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// snapshotOf parses a lesson's snapshot, as --demo replays it.
func snapshotOf(t testing.TB, l lessons.Lesson) *dnsx.Snapshot {
	t.Helper()
	s, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
	if err != nil {
		t.Fatalf("%s.dns: %v", l.Name, err)
	}
	return s
}

func lesson(t testing.TB, name string) lessons.Lesson {
	t.Helper()
	l, ok := lessons.Get(name)
	if !ok {
		t.Fatalf("no lesson %s", name)
	}
	return l
}

// row renders a record's policy_evaluated and identifiers in one line.
func row(fb *aggregate.Feedback) string {
	if fb == nil {
		return "no report"
	}
	r := fb.Records[0]
	pe := r.Row.PolicyEvaluated
	s := fmt.Sprintf("%s: %s dkim=%s spf=%s from=%s mfrom=%s", fb.PolicyPublished.Domain, pe.Disposition, pe.DKIM, pe.SPF,
		r.Identifiers.HeaderFrom, r.Identifiers.EnvelopeFrom)
	for _, rs := range pe.Reasons {
		s += " reason=" + rs.Type
	}
	return s
}

func results(ds []aggregate.Destination) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Result)+" "+d.Address)
	}
	return out
}

// TestGalleryReports works out the reporting side of every lesson and
// checks the row each adds, where its reports may go, and that each
// report has the structure RFC 9990's schema requires.
func TestGalleryReports(t *testing.T) {
	s := dmarcSchema(t)
	cases := []struct {
		lesson  string
		row     string
		rua     []string
		ruf     []string
		sent    bool
		failure bool // fo= asks for a failure report
	}{
		{"01-aligned", "bank.example: pass dkim=pass spf=pass from=bank.example mfrom=bank.example",
			[]string{"pass dmarc-reports@bank.example"}, []string{"pass dmarc-failures@bank.example"}, true, false},
		{"02-exact-spoof", "bank.example: reject dkim=fail spf=fail from=bank.example mfrom=bank.example",
			[]string{"pass dmarc-reports@bank.example"}, []string{"pass dmarc-failures@bank.example"}, true, true},
		{"03-lookalike", "paypa1.example: pass dkim=pass spf=pass from=paypa1.example mfrom=paypa1.example",
			[]string{"pass dmarc@paypa1.example"}, nil, true, false},
		{"04-display-name", "no report", nil, nil, false, false},
		{"05-forwarded", "shop.example: pass dkim=pass spf=fail from=shop.example mfrom=shop.example",
			[]string{"pass dmarc@shop.example", "pass shop-example@reports.dmarc-vendor.example"}, nil, true, false},
		{"06-mailing-list", "garden.example: reject dkim=fail spf=fail from=garden.example mfrom=lists.club.example",
			[]string{"pass postmaster@garden.example"}, nil, true, false},
		{"07-subdomain-sp", "corp.example: reject dkim=fail spf=fail from=hr.corp.example mfrom=hr.corp.example",
			[]string{"pass dmarc@corp.example"}, nil, true, false},
		{"08-softfail-none", "startup.example: none dkim=fail spf=fail from=startup.example mfrom=startup.example",
			[]string{"pass dmarc@startup.example", "fail startup@dmarc-free.example"}, nil, true, false},
		{"09-revoked-key", "supplier.example: quarantine dkim=fail spf=fail from=supplier.example mfrom=em.esp.example",
			[]string{"pass dmarc@supplier.example"}, nil, true, false},
		{"10-spf-permerror", "bigshop.example: quarantine dkim=fail spf=fail from=bigshop.example mfrom=bigshop.example",
			[]string{"pass dmarc@bigshop.example"}, nil, true, false},
		{"11-body-length", "airline.example: pass dkim=pass spf=fail from=airline.example mfrom=bulk-sender.example",
			[]string{"pass dmarc@airline.example"}, nil, true, false},
		{"12-two-from", "bank.example: reject dkim=fail spf=fail from=bank.example mfrom=attacker.example",
			[]string{"pass dmarc-reports@bank.example"}, []string{"pass dmarc-failures@bank.example"}, true, true},
		{"13-dns-timeout", "no report", nil, nil, false, false},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.lesson] = true
		t.Run(c.lesson, func(t *testing.T) {
			l := lesson(t, c.lesson)
			rep := replay(t, l, inspect.Options{})
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snapshotOf(t, l)})
			if got := row(res.Feedback); got != c.row {
				t.Errorf("row = %q, want %q", got, c.row)
			}
			if got := results(res.Requests.Aggregate); !slices.Equal(got, c.rua) {
				t.Errorf("rua = %q, want %q", got, c.rua)
			}
			if got := results(res.Requests.Failure); !slices.Equal(got, c.ruf) {
				t.Errorf("ruf = %q, want %q", got, c.ruf)
			}
			if res.Sent != c.sent {
				t.Errorf("Sent = %v, want %v", res.Sent, c.sent)
			}
			if res.Requests.FailureReport != c.failure {
				t.Errorf("FailureReport = %v (%s), want %v", res.Requests.FailureReport, res.Requests.FailureWhy, c.failure)
			}
			if res.Applies != (res.Feedback != nil) {
				t.Errorf("Applies = %v with Feedback %v", res.Applies, res.Feedback != nil)
			}
			checkSteps(t, res.Steps)
			if res.Feedback == nil {
				return
			}
			doc, err := res.Feedback.XML()
			if err != nil {
				t.Fatal(err)
			}
			if probs := s.validate(doc); len(probs) > 0 {
				t.Errorf("the report breaks RFC 9990's schema:\n%s\n%s", strings.Join(probs, "\n"), doc)
			}
			if src := res.Feedback.Records[0].Row.SourceIP; src != rep.Chain.Envelope.ClientIP {
				t.Errorf("source_ip %s, want the client SPF was replayed for, %s", src, rep.Chain.Envelope.ClientIP)
			}
			if n := len(res.Feedback.Records[0].AuthResults.DKIM); n != len(rep.DKIM) {
				t.Errorf("auth_results has %d DKIM results, the message %d signatures", n, len(rep.DKIM))
			}
		})
	}
	for _, l := range lessons.List() {
		if !seen[l.Name] {
			t.Errorf("lesson %s has no case here: add what its report must say", l.Name)
		}
	}
}

// checkSteps requires what every step owes a student: a title, a result,
// an explanation and the rule behind it.
func checkSteps(t *testing.T, steps []trace.Step) {
	t.Helper()
	if len(steps) == 0 {
		t.Error("no steps")
	}
	for _, s := range steps {
		if s.Title == "" || s.Result == "" || s.Explain == "" || !strings.Contains(s.Ref, "RFC ") {
			t.Errorf("step %q lacks a title, result, explanation or RFC reference: %+v", s.Title, s)
		}
	}
}

// variant replays lesson 01 (or another) with its DMARC record replaced
// and extra DNS records added, through a real snapshot.
func variant(t *testing.T, name, from, to, extra string, opts inspect.Options) (*inspect.Report, *dnsx.Snapshot) {
	t.Helper()
	l := lesson(t, name)
	text := string(l.DNS)
	if from != "" {
		if !strings.Contains(text, from) {
			t.Fatalf("%s.dns does not hold %q", name, from)
		}
		text = strings.Replace(text, from, to, 1)
	}
	l.DNS = []byte(text + "\n" + extra + "\n")
	rep := replay(t, l, opts)
	return rep, snapshotOf(t, l)
}

const bankRecord = `_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:dmarc-reports@bank.example; ruf=mailto:dmarc-failures@bank.example; fo=1"`

// TestDestinations checks the external destination rules of RFC 9990 §4
// and RFC 9991 §5 with records written for each case.
func TestDestinations(t *testing.T) {
	cases := []struct {
		name   string
		record string
		extra  string
		rua    []string
		ruf    []string
		sent   bool
	}{
		{"external, agreed",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example"`,
			`bank.example._report._dmarc.reports.vendor.example. TXT "v=DMARC1"`,
			[]string{"pass d@reports.vendor.example"}, nil, true},
		{"external, no agreement",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@victim.example"`,
			`;! zone victim.example.`,
			[]string{"fail d@victim.example"}, nil, false},
		{"external, agreement record without v=DMARC1 first",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@victim.example"`,
			`bank.example._report._dmarc.victim.example. TXT "p=none; v=DMARC1"`,
			[]string{"fail d@victim.example"}, nil, false},
		{"external, agreement overrides the address",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:old@reports.vendor.example"`,
			`bank.example._report._dmarc.reports.vendor.example. TXT "v=DMARC1; rua=mailto:new@reports.vendor.example"`,
			[]string{"pass new@reports.vendor.example"}, nil, true},
		{"external, override to another host is refused",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example"`,
			`bank.example._report._dmarc.reports.vendor.example. TXT "v=DMARC1; rua=mailto:d@elsewhere.example"`,
			[]string{"fail d@reports.vendor.example"}, nil, false},
		{"external, lookup timed out",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@slow.example"`,
			`;! timeout bank.example._report._dmarc.slow.example. TXT`,
			[]string{"temperror d@slow.example"}, nil, false},
		{"ruf external, agreed for ruf",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:agg@bank.example; ruf=mailto:f@forensics.example"`,
			`bank.example._report._dmarc.forensics.example. TXT "v=DMARC1"`,
			[]string{"pass agg@bank.example"}, []string{"pass f@forensics.example"}, true},
		{"subdomain address is internal",
			`_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.bank.example"`, ``,
			[]string{"pass d@reports.bank.example"}, nil, true},
		{"https and malformed URIs",
			`_dmarc TXT "v=DMARC1; p=reject; rua=https://reports.bank.example/dmarc, not a uri, mailto:d@bank.example!10m"`, ``,
			[]string{"neutral https://reports.bank.example/dmarc", "permerror ", "pass d@bank.example"}, nil, true},
		{"no rua", `_dmarc TXT "v=DMARC1; p=reject"`, ``, nil, nil, false},
		{"psd=y ruf is not considered",
			`_dmarc TXT "v=DMARC1; p=reject; psd=y; rua=mailto:a@bank.example; ruf=mailto:f@bank.example"`, ``,
			[]string{"pass a@bank.example"}, []string{"fail "}, true},
	}
	s := dmarcSchema(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, snap := variant(t, "01-aligned", bankRecord, c.record, c.extra, inspect.Options{})
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
			if !res.Applies {
				t.Fatalf("Applies = false: %+v", res.Steps)
			}
			if got := results(res.Requests.Aggregate); !slices.Equal(got, c.rua) {
				t.Errorf("rua = %q, want %q", got, c.rua)
			}
			if got := results(res.Requests.Failure); !slices.Equal(got, c.ruf) {
				t.Errorf("ruf = %q, want %q", got, c.ruf)
			}
			if res.Sent != c.sent {
				t.Errorf("Sent = %v, want %v", res.Sent, c.sent)
			}
			checkSteps(t, res.Steps)
			for _, st := range res.Steps {
				if strings.HasPrefix(st.Title, "rua ") && strings.Contains(st.Detail, "._report._dmarc.") && st.Query == nil && st.Result != trace.Fail {
					t.Errorf("step %q asked DNS but carries no query", st.Title)
				}
			}
			doc, err := res.Feedback.XML()
			if err != nil {
				t.Fatal(err)
			}
			if probs := s.validate(doc); len(probs) > 0 {
				t.Errorf("schema: %q", probs)
			}
			if strings.Contains(c.name, "malformed") && !strings.Contains(string(doc), "<error>") {
				t.Errorf("a malformed URI is not reported in report_metadata's error:\n%s", doc)
			}
		})
	}
}

// TestNoResolver: without DNS, an external destination is listed as not
// verified and nothing is sent to it.
func TestNoResolver(t *testing.T) {
	rep, _ := variant(t, "01-aligned", bankRecord, `_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example"`, "", inspect.Options{})
	res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage()})
	if got, want := results(res.Requests.Aggregate), []string{"none d@reports.vendor.example"}; !slices.Equal(got, want) {
		t.Errorf("rua = %q, want %q", got, want)
	}
	if res.Sent {
		t.Error("Sent = true without a verified destination")
	}
}

// TestReasons checks the reason a report gives when the disposition is
// not the published policy (RFC 9990 §3.1.1.9, §3.1.6).
func TestReasons(t *testing.T) {
	cases := []struct {
		name   string
		lesson string
		from   string
		to     string
		opts   inspect.Options
		want   string
	}{
		{"t=y tests reject as quarantine", "02-exact-spoof", bankRecord,
			`_dmarc TXT "v=DMARC1; p=reject; t=y; rua=mailto:dmarc-reports@bank.example"`, inspect.Options{},
			"bank.example: quarantine dkim=fail spf=fail from=bank.example mfrom=bank.example reason=policy_test_mode"},
		{"pct=0 under RFC 7489", "02-exact-spoof", bankRecord,
			`_dmarc TXT "v=DMARC1; p=reject; pct=0; rua=mailto:dmarc-reports@bank.example"`, inspect.Options{Standard: dmarc.RFC7489},
			"bank.example: quarantine dkim=fail spf=fail from=bank.example mfrom=bank.example reason=other"},
		{"a trusted ARC sealer", "06-mailing-list", "", "", inspect.Options{TrustARC: []string{"lists.club.example"}},
			"garden.example: none dkim=fail spf=fail from=garden.example mfrom=lists.club.example reason=trusted_forwarder"},
		{"p=none needs no reason", "08-softfail-none", "", "", inspect.Options{},
			"startup.example: none dkim=fail spf=fail from=startup.example mfrom=startup.example"},
		{"pass under p=none is none", "01-aligned", bankRecord,
			`_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@bank.example"`, inspect.Options{},
			"bank.example: none dkim=pass spf=pass from=bank.example mfrom=bank.example"},
	}
	s := dmarcSchema(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, snap := variant(t, c.lesson, c.from, c.to, "", c.opts)
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
			if got := row(res.Feedback); got != c.want {
				t.Errorf("row = %q, want %q", got, c.want)
			}
			if res.Feedback != nil {
				doc, _ := res.Feedback.XML()
				if probs := s.validate(doc); len(probs) > 0 {
					t.Errorf("schema: %q", probs)
				}
			}
		})
	}
}

// TestPolicyPublished checks that policy_published gives every tag with
// its discovered or default value, and the discovery method of the
// standard that decided (RFC 9990 §3.1.1.5).
func TestPolicyPublished(t *testing.T) {
	cases := []struct {
		name   string
		record string
		std    dmarc.Standard
		want   aggregate.PolicyPublished
	}{
		{"defaults under RFC 9989", `_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:d@bank.example"`, dmarc.RFC9989,
			aggregate.PolicyPublished{Domain: "bank.example", P: "quarantine", SP: "quarantine", NP: "quarantine", ADKIM: "r", ASPF: "r", DiscoveryMethod: "treewalk", FO: "0", Testing: "n"}},
		{"every tag", `_dmarc TXT "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=s; fo=d:s; t=y; rua=mailto:d@bank.example; ruf=mailto:f@bank.example"`, dmarc.RFC9989,
			aggregate.PolicyPublished{Domain: "bank.example", P: "reject", SP: "quarantine", NP: "none", ADKIM: "s", ASPF: "s", DiscoveryMethod: "treewalk", FO: "d:s", Testing: "y"}},
		{"RFC 7489 has no np and no t", `_dmarc TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@bank.example"`, dmarc.RFC7489,
			aggregate.PolicyPublished{Domain: "bank.example", P: "reject", SP: "none", ADKIM: "r", ASPF: "r", DiscoveryMethod: "psl", FO: "0"}},
		{"rua without p counts as p=none", `_dmarc TXT "v=DMARC1; rua=mailto:d@bank.example"`, dmarc.RFC9989,
			aggregate.PolicyPublished{Domain: "bank.example", P: "none", SP: "none", NP: "none", ADKIM: "r", ASPF: "r", DiscoveryMethod: "treewalk", FO: "0", Testing: "n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, snap := variant(t, "01-aligned", bankRecord, c.record, "", inspect.Options{Standard: c.std})
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
			if res.Feedback == nil {
				t.Fatalf("no report: %+v", res.Steps)
			}
			if got := res.Feedback.PolicyPublished; got != c.want {
				t.Errorf("policy_published = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestNotApplied: no report where no DMARC record applied.
func TestNotApplied(t *testing.T) {
	cases := []struct {
		name   string
		record string
	}{
		{"broken record", `_dmarc TXT "v=DMARC1; p=sometimes"`},
		{"no record", `;! nxdomain _dmarc.bank.example.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, snap := variant(t, "01-aligned", bankRecord, c.record, "", inspect.Options{})
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
			if res.Applies || res.Feedback != nil || res.Sent {
				t.Errorf("Check = applies %v, feedback %v, sent %v; want no report", res.Applies, res.Feedback != nil, res.Sent)
			}
			checkSteps(t, res.Steps)
		})
	}
	if res := aggregate.Check(t.Context(), aggregate.Input{}); res.Applies || len(res.Steps) != 1 {
		t.Errorf("Check with no report = %+v", res)
	}
}

// TestReportIdentity checks the names RFC 9990 §3.5 gives a report: the
// Report-ID, the attachment's file name and the Subject.
func TestReportIdentity(t *testing.T) {
	l := lesson(t, "02-exact-spoof")
	rep := replay(t, l, inspect.Options{})
	res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snapshotOf(t, l), OrgName: "Campus IT", Email: "postmaster@campus.example"})
	fb := res.Feedback
	want := aggregate.ReportMetadata{
		OrgName:   "Campus IT",
		Email:     "postmaster@campus.example",
		ReportID:  "1795219200.bank.example@campus.example",
		DateRange: aggregate.DateRange{Begin: 1795219200, End: 1795305599}, // 2026-11-21 UTC, the day of delivery
		Generator: "headercheck",
	}
	got := fb.ReportMetadata
	got.ExtraContactInfo = ""
	if got != want {
		t.Errorf("report_metadata = %+v, want %+v", got, want)
	}
	if want := "campus.example!bank.example!1795219200!1795305599.xml"; fb.Filename != want {
		t.Errorf("Filename = %q, want %q", fb.Filename, want)
	}
	if want := "Report Domain: bank.example Submitter: campus.example Report-ID: <1795219200.bank.example@campus.example>"; fb.Subject != want {
		t.Errorf("Subject = %q, want %q", fb.Subject, want)
	}
}

// TestParseURI reads reporting URIs as RFC 9989 §4.8 writes them.
func TestParseURI(t *testing.T) {
	cases := []struct {
		in      string
		want    aggregate.URI
		wantErr bool
	}{
		{in: "mailto:dmarc@example.org", want: aggregate.URI{Scheme: "mailto", Address: "dmarc@example.org", Host: "example.org"}},
		{in: "MAILTO:Dmarc@Example.ORG.", want: aggregate.URI{Scheme: "mailto", Address: "Dmarc@Example.ORG.", Host: "example.org"}},
		{in: "mailto:dmarc@example.org!10m", want: aggregate.URI{Scheme: "mailto", Address: "dmarc@example.org", Host: "example.org"}},
		{in: "mailto:dmarc@example.org?subject=dmarc", want: aggregate.URI{Scheme: "mailto", Address: "dmarc@example.org", Host: "example.org"}},
		{in: "mailto:a%2Bb@example.org", want: aggregate.URI{Scheme: "mailto", Address: "a+b@example.org", Host: "example.org"}},
		{in: "mailto:one@a.example,two@b.example", want: aggregate.URI{Scheme: "mailto", Address: "one@a.example", Host: "a.example"}},
		{in: "https://reports.example.org/dmarc", want: aggregate.URI{Scheme: "https", Address: "https://reports.example.org/dmarc", Host: "reports.example.org"}},
		{in: "mailto:dmarc@b%C3%BCcher.example", want: aggregate.URI{Scheme: "mailto", Address: "dmarc@bücher.example", Host: "xn--bcher-kva.example"}},
		{in: "dmarc@example.org", wantErr: true},
		{in: "mailto:", wantErr: true},
		{in: "mailto:nobody", wantErr: true},
		{in: "mailto:a@", wantErr: true},
		{in: "mailto:a@exa mple.org", wantErr: true},
		{in: "mailto:a@[192.0.2.1]", wantErr: true},
		{in: "https:///path", wantErr: true},
		{in: "", wantErr: true},
		{in: "mailto:a@example.org!", wantErr: true},
	}
	for _, c := range cases {
		got, err := aggregate.ParseURI(c.in)
		if (err != nil) != c.wantErr || (err == nil && got != c.want) {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

// TestEnvelopeFrom: the row's SPF result is the MAIL FROM identity's (RFC
// 9990 §3.1.1.13); for the null sender that is postmaster@HELO (RFC 7208
// §2.4), and an unknown MAIL FROM has none to report and is not called
// the null sender.
func TestEnvelopeFrom(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(*lessons.Lesson, *inspect.Options)
		spf      string // "domain result human_result", "" for no spf element
		envelope string // the Identifiers step must say this
	}{
		{"a MAIL FROM address", func(*lessons.Lesson, *inspect.Options) {}, "bank.example pass ", "envelope_from bank.example"},
		{
			"the null sender", func(_ *lessons.Lesson, o *inspect.Options) { o.MailFrom = "<>" },
			"mail.bank.example none null MAIL FROM: checked as postmaster@mail.bank.example (RFC 7208 §2.4)", "empty: the null sender",
		},
		{
			"an unknown MAIL FROM", func(l *lessons.Lesson, _ *inspect.Options) {
				l.EML = []byte(strings.Replace(string(l.EML), "Return-Path: <bounces@bank.example>\n", "", 1))
			},
			"", "the replay does not know the MAIL FROM",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := lesson(t, "01-aligned")
			var opts inspect.Options
			c.edit(&l, &opts)
			rep := replay(t, l, opts)
			res := aggregate.Check(t.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snapshotOf(t, l)})
			if res.Feedback == nil {
				t.Fatal("no aggregate report")
			}
			got := ""
			if s := res.Feedback.Records[0].AuthResults.SPF; s != nil {
				got = s.Domain + " " + s.Result + " " + s.HumanResult
			}
			if got != c.spf {
				t.Errorf("auth_results spf = %q, want %q", got, c.spf)
			}
			found := false
			for _, s := range res.Steps {
				found = found || s.Title == "Identifiers" && strings.Contains(s.Detail+" "+s.Explain, c.envelope)
			}
			if !found {
				t.Errorf("no Identifiers step says %q: %+v", c.envelope, res.Steps)
			}
		})
	}
}
