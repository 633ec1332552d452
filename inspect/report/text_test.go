package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/receivers"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestTextGolden renders the plain report of each testdata message at 80
// columns and compares it with testdata/NAME.txt.
func TestTextGolden(t *testing.T) {
	srv := startDNS(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := inspectFile(t, srv, c.name)
			if got := rep.Verdict.Disposition; got != c.want {
				t.Errorf("disposition = %q, want %q (error %q)", got, c.want, rep.Error)
			}
			golden(t, c.name+".txt", report.Text(rep, report.TextOptions{}))
		})
	}
}

// TestTextWidth renders every report at many widths, plain and styled,
// and checks that no line is wider than asked and that no control byte
// other than the styles' own escape sequences gets out.
func TestTextWidth(t *testing.T) {
	srv := startDNS(t)
	for _, c := range cases {
		rep := inspectFile(t, srv, c.name)
		for _, color := range []bool{false, true} {
			for w := 40; w <= 140; w += 10 {
				out := report.Text(rep, report.TextOptions{Width: w, Color: color})
				for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
					if got := ansi.StringWidth(line); got > w {
						t.Errorf("%s width %d color %v: line %d is %d columns: %q", c.name, w, color, i+1, got, line)
					}
					plain := ansi.Strip(line)
					if strings.ContainsFunc(plain, func(r rune) bool {
						return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
					}) {
						t.Errorf("%s width %d color %v: line %d carries a control character: %q", c.name, w, color, i+1, plain)
					}
				}
				if !color && bytes.Contains(out, []byte("\x1b")) {
					t.Errorf("%s width %d: plain report carries an escape sequence", c.name, w)
				}
				if color && !bytes.Contains(out, []byte("\x1b[")) {
					t.Errorf("%s width %d: styled report carries no style", c.name, w)
				}
				if plain := report.Text(rep, report.TextOptions{Width: w}); color && ansi.Strip(string(out)) != string(plain) {
					t.Errorf("%s width %d: the styled report, styles removed, differs from the plain one:\n%s", c.name, w, firstDiff(ansi.Strip(string(out)), string(plain)))
				}
			}
		}
	}
}

// TestTextSaysOnce: the story carries each phishing sign's explanation and
// the ARC note (so it is whole for a JSON reader); the text report writes
// them where the story does not already, never twice.
func TestTextSaysOnce(t *testing.T) {
	const (
		sign = "The display name \"PayPal\" names a well-known sender, but the address is in evil.example."
		arc  = "A receiver that trusts lists.club.example as an ARC sealer would deliver it."
	)
	verdict := func(story string) inspect.Verdict {
		return inspect.Verdict{
			Disposition: inspect.Reject,
			Reason:      "DMARC fails for garden.example.",
			Story:       story,
			Signs:       []inspect.Sign{{Kind: "display_name_domain", Detail: `display name "PayPal", address in evil.example`, Explain: sign}},
			ARC:         arc,
		}
	}
	cases := []struct {
		name  string
		story string
	}{
		{"the story tells them", "From says garden.example. " + sign + " " + arc},
		{"the story does not", "From says garden.example."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &inspect.Report{Source: sourceWith("s"), Verdict: verdict(c.story)}
			// Wide enough that no sentence is broken across lines.
			out := string(report.Text(rep, report.TextOptions{Width: 200}))
			for _, s := range []string{sign, arc, `display name "PayPal", address in evil.example`} {
				if got := strings.Count(out, s); got != 1 {
					t.Errorf("%q is written %d times, want once:\n%s", s, got, out)
				}
			}
		})
	}
}

// TestTextSPFHeading: the SPF heading says what SPF was evaluated for,
// also when the MAIL FROM was empty (the null sender, checked as
// postmaster@HELO, RFC 7208 §2.4) or not known at all (no Return-Path).
func TestTextSPFHeading(t *testing.T) {
	helo := &spf.Result{Result: trace.None, Domain: "mail.flaky.example", Identity: spf.HELO, Sender: "postmaster@mail.flaky.example", ClientIP: "192.0.2.10"}
	cases := []struct {
		name string
		env  received.Envelope
		spf  spf.Result
		helo *spf.Result
		want []string // lines of the report
	}{
		{"an address",
			received.Envelope{MailFrom: "alice@aligned.example", DerivedFrom: received.DerivedFrom{MailFrom: "Return-Path"}},
			spf.Result{Result: trace.Pass, Domain: "aligned.example", Identity: spf.MailFrom, Sender: "alice@aligned.example", ClientIP: "192.0.2.10"}, nil,
			[]string{"SPF: PASS  for aligned.example (mailfrom identity alice@aligned.example), client 192.0.2.10"}},
		{"the null sender",
			received.Envelope{HELO: "mta.aligned.example", DerivedFrom: received.DerivedFrom{MailFrom: "Return-Path"}},
			spf.Result{Result: trace.Pass, Domain: "mta.aligned.example", Identity: spf.MailFrom, Sender: "postmaster@mta.aligned.example", ClientIP: "192.0.2.10"}, nil,
			[]string{"SPF: PASS  for mta.aligned.example (MAIL FROM <>, checked as postmaster@mta.aligned.example), client 192.0.2.10"}},
		{"the null sender from a client whose HELO is no domain",
			received.Envelope{HELO: "[192.0.2.10]", DerivedFrom: received.DerivedFrom{MailFrom: "--mail-from"}},
			spf.Result{Result: trace.None, Identity: spf.MailFrom, ClientIP: "192.0.2.10"}, nil,
			[]string{"SPF: NONE  for MAIL FROM <>, with no HELO domain to check it as postmaster@HELO, client 192.0.2.10"}},
		{"an unknown MAIL FROM",
			received.Envelope{HELO: "mail.flaky.example"},
			spf.Result{Result: trace.None, Identity: spf.MailFrom, ClientIP: "192.0.2.10"}, helo,
			[]string{"SPF: NONE  for an unknown MAIL FROM, client 192.0.2.10",
				"SPF for the HELO name: NONE  for mail.flaky.example (helo identity postmaster@mail.flaky.example), client 192.0.2.10"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &inspect.Report{Source: sourceWith("s"), SPF: c.spf, SPFHELO: c.helo}
			rep.Chain.Envelope = c.env
			out := string(report.Text(rep, report.TextOptions{Width: 200}))
			for _, w := range c.want {
				if !strings.Contains(out, "\n"+w+"\n") {
					t.Errorf("the report lacks the line %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "(mailfrom identity)") {
				t.Errorf("the report names the identity without saying for what:\n%s", out)
			}
		})
	}
}

// TestTextDMARCHeading: the DMARC heading names the policy only where
// there was one; dmarc.Result.Policy is none also when there was none to
// apply.
func TestTextDMARCHeading(t *testing.T) {
	cases := []struct {
		name string
		d    dmarc.Result
		want string
	}{
		{"a record", dmarc.Result{Result: trace.Fail, Standard: dmarc.RFC9989, Record: "v=DMARC1; p=reject", Policy: dmarc.PolicyReject},
			"DMARC: FAIL  under RFC 9989, policy reject"},
		{"p=none", dmarc.Result{Result: trace.Fail, Standard: dmarc.RFC9989, Record: "v=DMARC1; p=none", Policy: dmarc.PolicyNone},
			"DMARC: FAIL  under RFC 9989, policy none"},
		{"no record", dmarc.Result{Result: trace.None, Standard: dmarc.RFC9989, Policy: dmarc.PolicyNone},
			"DMARC: NONE  under RFC 9989, no policy (no DMARC record)"},
		{"the record could not be fetched", dmarc.Result{Result: trace.TempError, Standard: dmarc.RFC7489, Policy: dmarc.PolicyNone},
			"DMARC: TEMPERROR  under RFC 7489, policy unknown (the record could not be fetched)"},
		{"a broken record", dmarc.Result{Result: trace.PermError, Standard: dmarc.RFC9989, Record: "v=DMARC1; p=bogus", Policy: dmarc.PolicyNone},
			"DMARC: PERMERROR  under RFC 9989, no policy (the record cannot be used)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := string(report.Text(&inspect.Report{Source: sourceWith("s"), DMARC: c.d}, report.TextOptions{Width: 200}))
			if !strings.Contains(out, "\n"+c.want+"\n") {
				t.Errorf("the report lacks the line %q:\n%s", c.want, out)
			}
		})
	}
}

// TestTextReceivers: a receiver's verdict header lists its fields in the
// order written, each with what its value means, and says why it is not
// trusted.
func TestTextReceivers(t *testing.T) {
	rep := &inspect.Report{Source: sourceWith("s"), Receivers: []inspect.Receiver{{
		Vendor:  receivers.Microsoft,
		Header:  "X-Forefront-Antispam-Report",
		Summary: "Exchange Online Protection's spam verdict: spam (SFV:SPM), SCL 5.",
		Why:     "added before the message reached the receiver",
		Fields:  map[string]string{"SFV": "SPM", "SCL": "5", "CTRY": "", "X\x1b[2J": "v"},
		Meaning: map[string]string{"SFV": "spam filtering marked the message as spam", "SCL": "spam confidence level 5: spam"},
		Keys:    []string{"SFV", "SCL", "CTRY"},
	}}}
	out := string(report.Text(rep, report.TextOptions{Width: 200}))
	want := "  Microsoft 365 (X-Forefront-Antispam-Report, not trusted)\n" +
		"    Exchange Online Protection's spam verdict: spam (SFV:SPM), SCL 5.\n" +
		"    not trusted: added before the message reached the receiver\n" +
		"    SFV=SPM — spam filtering marked the message as spam\n" +
		"    SCL=5 — spam confidence level 5: spam\n" +
		"    CTRY=\n" +
		"    X\\x1b[2J=v\n"
	if !strings.Contains(out, want) {
		t.Errorf("the report lacks\n%s\nin\n%s", want, out)
	}
}

// TestTextRecordedWhyOnce: the fields one receiver writes per filter are
// trusted for the same reason, given once.
func TestTextRecordedWhyOnce(t *testing.T) {
	why := "Written by mx1.campus.example, part of the receiving side."
	rep := &inspect.Report{Source: sourceWith("s")}
	rep.Recorded.AuthenticationResults = []recorded.Header{
		{Field: "Authentication-Results", AuthServID: "mx1.campus.example", Trusted: true, Why: why,
			Results: []recorded.Method{{Method: "dmarc", Result: trace.Pass, Props: []recorded.Prop{{Name: "header.from", Value: "supplier.example"}}}}},
		{Field: "Authentication-Results", AuthServID: "mx1.campus.example", Trusted: true, Why: why,
			Results: []recorded.Method{{Method: "spf", Result: trace.Pass, Props: []recorded.Prop{{Name: "smtp.mailfrom", Value: "b@esp.example"}}}}},
		{Field: "Authentication-Results", AuthServID: "relay.example", Why: "Written before the receiving side got it."},
	}
	out := string(report.Text(rep, report.TextOptions{Width: 200}))
	want := "  [0] Authentication-Results by mx1.campus.example, trusted\n" +
		"      " + why + "\n" +
		"      dmarc=pass header.from=supplier.example\n" +
		"  [1] Authentication-Results by mx1.campus.example, trusted\n" +
		"      Trusted, for the same reason as [0].\n" +
		"      spf=pass smtp.mailfrom=b@esp.example\n" +
		"  [2] Authentication-Results by relay.example, not trusted\n" +
		"      Written before the receiving side got it.\n"
	if !strings.Contains(out, want) {
		t.Errorf("the report lacks\n%s\nin\n%s", want, out)
	}
}

// TestTextSPFLimit: the SPF section names the lookup limit that applied
// (Options.Limits.SPF, --spf-lookups), not RFC 7208's 10 whatever was
// asked; a report that does not know the limit names no number.
func TestTextSPFLimit(t *testing.T) {
	srv := startDNS(t)
	src, err := message.Open(filepath.Join("testdata", "quarantine.eml"), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		lookups int // Options.Limits.SPF.Lookups
		limit   int // the limit that applies
		want    string
	}{
		{"the default", 0, 10, "  1 DNS lookup counted against the limit of 10, 0 void lookups\n"},
		{"--spf-lookups 1", 1, 1, "  1 DNS lookup counted against the limit of 1, 0 void lookups\n"},
		{"--spf-lookups 25", 25, 25, "  1 DNS lookup counted against the limit of 25, 0 void lookups\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := options(srv)
			o.Limits.SPF.Lookups = c.lookups
			rep, err := inspect.Inspect(t.Context(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			if lim, ok := rep.SPFLimits(); !ok || lim.Lookups != c.limit || lim.Voids != spf.DefaultVoids {
				t.Errorf("SPFLimits() = %+v, %v; want lookups %d, voids %d", lim, ok, c.limit, spf.DefaultVoids)
			}
			out := string(report.Text(rep, report.TextOptions{Width: 200}))
			if !strings.Contains(out, "\n"+c.want) {
				t.Errorf("the SPF section lacks %q:\n%s", c.want, out)
			}
		})
	}
	t.Run("a report that does not know", func(t *testing.T) {
		rep := &inspect.Report{Source: sourceWith("s"), SPF: spf.Result{Result: trace.Pass, Domain: "a.example", Identity: spf.MailFrom, Sender: "x@a.example", DNSLookups: 2}}
		out := string(report.Text(rep, report.TextOptions{Width: 200}))
		if want := "  2 DNS lookups counted against the lookup limit, 0 void lookups\n"; !strings.Contains(out, want) {
			t.Errorf("the SPF section lacks %q:\n%s", want, out)
		}
	})
}

// TestTextNoDMARCOnce: without a DMARC policy the verdict's reason and its
// story both said so, one line apart (exploratory use, K5); the text says
// it once. A wrapped section title goes on at the left margin, not 3
// columns in like the body of the section would.
func TestTextNoDMARCOnce(t *testing.T) {
	srv := startDNS(t)
	path := filepath.Join(t.TempDir(), "nodmarc.eml")
	msg := "Received: from mail.nodmarc.example (mail.nodmarc.example [192.0.2.77])\n" +
		"\tby mx.receiver.example with ESMTPS id 1; Sun, 29 Nov 2026 10:00:00 +0000\n" +
		"Return-Path: <news@nodmarc.example>\nFrom: news@nodmarc.example\nTo: bob@receiver.example\n" +
		"Subject: no policy\nDate: Sun, 29 Nov 2026 09:59:58 +0000\nMessage-ID: <n1@nodmarc.example>\n\nbody\n"
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := inspect.Inspect(t.Context(), m, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.DMARC.Result != trace.None {
		t.Fatalf("DMARC result %s, want none (the zone has no _dmarc.nodmarc.example)", rep.DMARC.Result)
	}
	out := string(report.Text(rep, report.TextOptions{Width: 200}))
	verdict := out[strings.Index(out, "Verdict:"):strings.Index(out, "How the verdict was reached")]
	if n := strings.Count(verdict, "DMARC policy"); n != 1 {
		t.Errorf("the Verdict block says \"DMARC policy\" %d times, want once:\n%s", n, verdict)
	}
	if !strings.Contains(verdict, "nodmarc.example has no DMARC policy") {
		t.Errorf("the Verdict block lost the reason:\n%s", verdict)
	}
	narrow := string(report.Text(rep, report.TextOptions{Width: 40}))
	lines := strings.Split(narrow, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Received chain") {
			if next := lines[i+1]; strings.HasPrefix(next, " ") {
				t.Errorf("the wrapped title goes on indented:\n%s\n%s", l, next)
			}
		}
	}
}

// TestTextStruck: with colour, what an untrusted receivers' header or
// Authentication-Results claims is struck through (SGR 9) and the reason
// beside it is not; a trusted one is never struck; plain text keeps the
// words "not trusted" and has no escape at all (issue 12).
func TestTextStruck(t *testing.T) {
	recv := func(trusted bool) inspect.Receiver {
		r := inspect.Receiver{Vendor: receivers.Microsoft, Header: "X-MS-Exchange-Organization-SCL", Trusted: trusted,
			Summary: "Spam confidence level 5.", Fields: map[string]string{"SCL": "5"}, Keys: []string{"SCL"},
			Meaning: map[string]string{"SCL": "spam"}}
		if !trusted {
			r.Why = "added before the message reached the receiver"
		}
		return r
	}
	ar := func(trusted bool) recorded.Header {
		h := recorded.Header{Field: "Authentication-Results", AuthServID: "mx.forged.example", Trusted: trusted,
			Results: []recorded.Method{{Method: "dmarc", Result: trace.Pass}}}
		if !trusted {
			h.Why = "written above the boundary: anyone could have written it"
		}
		return h
	}
	const strike = "\x1b[9m"
	for _, trusted := range []bool{false, true} {
		t.Run(map[bool]string{false: "not trusted", true: "trusted"}[trusted], func(t *testing.T) {
			rep := &inspect.Report{Source: sourceWith("s"), Receivers: []inspect.Receiver{recv(trusted)},
				Recorded: inspect.Recorded{AuthenticationResults: []recorded.Header{ar(trusted)}}}
			out := string(report.Text(rep, report.TextOptions{Width: 100, Color: true}))
			lines := map[string]string{}
			for _, l := range strings.Split(out, "\n") {
				for _, k := range []string{"Spam confidence level 5.", "SCL=5", "dmarc=pass", "added before", "anyone could"} {
					if strings.Contains(ansi.Strip(l), k) {
						lines[k] = l
					}
				}
			}
			for _, k := range []string{"Spam confidence level 5.", "SCL=5", "dmarc=pass"} {
				if got := strings.Contains(lines[k], strike); got == trusted {
					t.Errorf("line %q struck through: %v, want %v", lines[k], got, !trusted)
				}
			}
			for _, k := range []string{"added before", "anyone could"} {
				if strings.Contains(lines[k], strike) {
					t.Errorf("the reason is struck through, want it plain to read: %q", lines[k])
				}
			}
			plain := string(report.Text(rep, report.TextOptions{Width: 100}))
			if strings.Contains(plain, "\x1b") {
				t.Errorf("the plain report carries an escape sequence:\n%s", plain)
			}
			if !trusted && !strings.Contains(plain, "not trusted: added before") {
				t.Errorf("the plain report lacks the words \"not trusted\" and the reason:\n%s", plain)
			}
		})
	}
}
