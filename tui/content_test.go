package tui

import (
	"bytes"
	"github.com/charmbracelet/x/ansi"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/recorded"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestSPFNodeTitle: the SPF view's first node says what SPF was checked
// for, also when the MAIL FROM was the null sender (RFC 7208 §2.4: checked
// as postmaster@HELO) or is not known (no Return-Path), and counts the
// lookups against the limits that applied (--spf-lookups, --spf-voids),
// not RFC 7208's 10 and 2 whatever was asked.
func TestSPFNodeTitle(t *testing.T) {
	raw, err := os.ReadFile("testdata/football.eml")
	if err != nil {
		t.Fatal(err)
	}
	noReturnPath, _, ok := bytes.Cut(raw, []byte("\n"))
	if !ok || !bytes.HasPrefix(noReturnPath, []byte("Return-Path:")) {
		t.Fatal("football.eml no longer starts with its Return-Path")
	}
	noReturnPath = raw[len(noReturnPath)+1:]
	cases := []struct {
		name         string
		raw          []byte
		mailFrom     string // Options.MailFrom
		lookups      int    // Options.Limits.SPF.Lookups
		voids        int    // Options.Limits.SPF.Voids
		title, count string
	}{
		{"an address", raw, "", 0, 0,
			"SPF for MAIL FROM joe@football.example.com from 192.0.2.10", "of 10 DNS lookups, 0 of 2 void lookups"},
		{"the null sender", raw, "<>", 0, 0,
			"SPF for MAIL FROM <> (checked as postmaster@mail.football.example.com) from 192.0.2.10", "of 10 DNS lookups, 0 of 2 void lookups"},
		{"an unknown MAIL FROM", noReturnPath, "", 0, 0,
			"SPF for MAIL FROM unknown from 192.0.2.10", "0 of 10 DNS lookups, 0 of 2 void lookups"},
		{"limits asked for", raw, "", 4, 1,
			"SPF for MAIL FROM joe@football.example.com from 192.0.2.10", "of 4 DNS lookups, 0 of 1 void lookups"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := message.FromBytes(c.name, c.raw, message.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			m, err := src.Message(0)
			if err != nil {
				t.Fatal(err)
			}
			o := snapshotOptions(t)
			o.MailFrom = c.mailFrom
			o.Limits.SPF.Lookups, o.Limits.SPF.Voids = c.lookups, c.voids
			rep, err := inspect.Inspect(t.Context(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			nodes := spfNodes(rep)
			if len(nodes) == 0 {
				t.Fatal("no SPF nodes")
			}
			if got := nodes[0].title; got != c.title {
				t.Errorf("title = %q, want %q", got, c.title)
			}
			if got := nodes[0].detail; !strings.Contains(got, c.count) {
				t.Errorf("detail = %q, want it to say %q", got, c.count)
			}
		})
	}
	t.Run("a report that does not know the limits", func(t *testing.T) {
		// A partial report handed to OnUpdate does not carry the options.
		rep := &inspect.Report{Done: []inspect.Check{inspect.CheckSPF}, SPF: spf.Result{Result: trace.Pass, Identity: spf.MailFrom, Sender: "a@b.example", Domain: "b.example", DNSLookups: 1}}
		rep.Chain.Envelope.MailFrom = "a@b.example"
		rep.Chain.Envelope.DerivedFrom.MailFrom = "Return-Path"
		got := spfNodes(rep)[0].detail
		if want := "1 DNS lookup, 0 void lookups"; !strings.Contains(got, want) || strings.Contains(got, " of ") {
			t.Errorf("detail = %q, want %q and no limit", got, want)
		}
	})
}

// TestOtherTitle: the DMARC tree's node for the standard that did not
// decide says its result first, then the policy and what it does to the
// message, so "reject" is never read as that standard's verdict on a
// message that passes (exploratory use, C3).
func TestOtherTitle(t *testing.T) {
	cases := []struct {
		name string
		o    dmarc.Other
		want string
	}{
		{"pass under a reject policy", dmarc.Other{Standard: dmarc.RFC7489, Result: trace.Pass, Policy: dmarc.PolicyReject},
			"Under RFC 7489 instead: pass (policy reject, delivered)"},
		{"fail under reject", dmarc.Other{Standard: dmarc.RFC7489, Result: trace.Fail, Policy: dmarc.PolicyReject},
			"Under RFC 7489 instead: fail (policy reject, rejected)"},
		{"fail under quarantine", dmarc.Other{Standard: dmarc.RFC9989, Result: trace.Fail, Policy: dmarc.PolicyQuarantine},
			"Under RFC 9989 instead: fail (policy quarantine, quarantined)"},
		{"fail under none", dmarc.Other{Standard: dmarc.RFC7489, Result: trace.Fail, Policy: dmarc.PolicyNone},
			"Under RFC 7489 instead: fail (policy none, delivered)"},
		{"no record", dmarc.Other{Standard: dmarc.RFC7489, Result: trace.None},
			"Under RFC 7489 instead: none (DMARC decides nothing)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := otherTitle(c.o); got != c.want {
				t.Errorf("otherTitle() = %q, want %q", got, c.want)
			}
		})
	}
}

// TestOverviewUntrusted: in the Overview, what an untrusted
// Authentication-Results or receivers' header claims is struck through
// with "not trusted: why" beside it in plain text, a trusted one is not,
// and each receivers' header shows its raw value and what each field
// means, not only a summary (issue 12).
func TestOverviewUntrusted(t *testing.T) {
	st := NewStyles(true)
	for _, trusted := range []bool{false, true} {
		t.Run(map[bool]string{false: "not trusted", true: "trusted"}[trusted], func(t *testing.T) {
			why := ""
			if !trusted {
				why = "added before the message reached the receiver"
			}
			rep := &inspect.Report{
				Done: []inspect.Check{inspect.CheckRecorded, inspect.CheckReceivers},
				Recorded: inspect.Recorded{AuthenticationResults: []recorded.Header{{Field: "Authentication-Results", AuthServID: "mx.forged.example",
					Trusted: trusted, Why: why, Results: []recorded.Method{{Method: "dmarc", Result: trace.Pass}}}}},
				Receivers: []inspect.Receiver{{Vendor: "Microsoft 365", Header: "X-MS-Exchange-Organization-SCL", Trusted: trusted, Why: why,
					Summary: "Spam confidence level 1.", Raw: "1", Fields: map[string]string{"SCL": "1"}, Keys: []string{"SCL"},
					Meaning: map[string]string{"SCL": "not spam"}}},
			}
			lines := overviewLines(rep, &st, "", 100, 100, nil)
			find := func(sub string) string {
				for _, l := range lines {
					if strings.Contains(ansi.Strip(l), sub) {
						return l
					}
				}
				t.Fatalf("no line has %q:\n%s", sub, ansi.Strip(strings.Join(lines, "\n")))
				return ""
			}
			// SGR 9, alone or after a colour: lipgloss writes it per
			// character.
			strike := regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?9m`)
			for _, sub := range []string{"dmarc=pass", "Spam confidence level 1.", "raw: 1", "SCL=1 — not spam"} {
				l := find(sub)
				if got := strike.MatchString(l); got == trusted {
					t.Errorf("%q struck through: %v, want %v: %q", sub, got, !trusted, l)
				}
			}
			text := ansi.Strip(strings.Join(lines, "\n"))
			if n := strings.Count(text, "not trusted: added before the message reached the receiver"); n != map[bool]int{false: 2, true: 0}[trusted] {
				t.Errorf("the reason is given %d times:\n%s", n, text)
			}
			if !trusted && strike.MatchString(find("not trusted: added")) {
				t.Errorf("the reason is struck through, want it plain to read")
			}
		})
	}
}

// TestListVerdictFilterAndColumns: the list's filter matches the verdict
// column of the messages inspected so far, any case (C4), and the rows
// stay aligned when the number grows to 5 digits (K3).
func TestListVerdictFilterAndColumns(t *testing.T) {
	st := NewStyles(true)
	keys := DefaultKeyMap()
	l := newMsgList("big.mbox", 10001)
	l.setFrame(&keys, &st, 100, 20, "")
	for i := range l.entries {
		l.entries[i].loaded = true
		l.entries[i].sum.From = "a@example.org"
	}
	l.entries[3].state, l.entries[3].disp = inspected, inspect.Reject
	l.entries[7].state, l.entries[7].disp = inspected, inspect.Deliver
	l.entries[9].problem = "not a mail message"
	cases := []struct {
		filter string
		want   []int
	}{
		{"REJECT", []int{3}},
		{"reject", []int{3}},
		{"deliver", []int{7}},
		{"error", []int{9}},
		{"quarantine", nil},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			l.filter = c.filter
			got := l.refilter().shown
			if !slices.Equal(got, c.want) {
				t.Errorf("filter %q shows %v, want %v", c.filter, got, c.want)
			}
		})
	}
	l.filter = ""
	l = l.refilter()
	c := l.columns()
	pos := func(r string) int { return strings.Index(ansi.Strip(r), "·") }
	a, b := pos(l.row(-1, 9998, c)), pos(l.row(-1, 10000, c))
	if a < 0 || a != b {
		t.Errorf("the verdict column starts at %d in row 9999 and %d in row 10001:\n%s\n%s", a, b, ansi.Strip(l.row(-1, 9998, c)), ansi.Strip(l.row(-1, 10000, c)))
	}
	sel := l.row(l.sel, 0, c)
	if !strings.HasPrefix(ansi.Strip(sel), "▶     1 ") {
		t.Errorf("the selected row's number is not right-aligned in %d columns: %q", l.numW(), ansi.Strip(sel))
	}
}
