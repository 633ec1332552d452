package report_test

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestSPFTextSameAsReport: what `headercheck spf` prints below its result
// line is the main report's SPF section below its heading, line for line,
// plain and styled, at several widths (one writer, so they cannot drift),
// and its DNS queries are listed as the report lists them.
func TestSPFTextSameAsReport(t *testing.T) {
	srv := startDNS(t)
	for _, name := range []string{"aligned", "quarantine", "tampered"} {
		rep := inspectFile(t, srv, name)
		lim, _ := rep.SPFLimits()
		for _, o := range []report.TextOptions{{Width: 80}, {Width: 50, Color: true}, {Width: 120}} {
			full := string(report.Text(rep, o))
			got := string(report.SPF(rep.SPF, rep.DNS, lim, o))
			// The result line, and its continuation lines four
			// columns in; the body's lines are two in.
			lines := strings.Split(got, "\n")
			i := 1
			for i < len(lines) && strings.HasPrefix(ansi.Strip(lines[i]), "    ") {
				i++
			}
			head := strings.Join(lines[:i], " ")
			body, dns, ok := strings.Cut(strings.Join(lines[i:], "\n"), "\n\n")
			if !ok {
				t.Fatalf("%s: no blank line before the DNS queries:\n%s", name, got)
			}
			if !strings.Contains(full, "\n"+body+"\n\n") {
				t.Errorf("%s width %d color %v: the body is not the report's SPF section:\n%s\n--- report:\n%s", name, o.Width, o.Color, body, full)
			}
			if !strings.Contains(full, "\n"+strings.SplitN(dns, "\nNotes", 2)[0]) {
				t.Errorf("%s: the DNS queries are not listed as in the report:\n%s", name, dns)
			}
			if p := ansi.Strip(head); !strings.HasPrefix(p, "SPF "+strings.ToUpper(string(rep.SPF.Result))+" for "+rep.SPF.Domain+" (MAIL FROM") {
				t.Errorf("%s: first line %q", name, p)
			}
			for i, l := range strings.Split(got, "\n") {
				if w := ansi.StringWidth(l); w > o.Width {
					t.Errorf("%s width %d: line %d is %d columns: %q", name, o.Width, i+1, w, l)
				}
			}
		}
	}
}

// TestSPFTextSubject: the result line says what SPF was evaluated for,
// also for a sender or HELO name without a domain.
func TestSPFTextSubject(t *testing.T) {
	cases := []struct {
		name string
		r    spf.Result
		want string
	}{
		{"a sender", spf.Result{Result: trace.Pass, Domain: "pass.example", Identity: spf.MailFrom, Sender: "bob@pass.example", ClientIP: "192.0.2.7"},
			"SPF PASS for pass.example (MAIL FROM bob@pass.example), client 192.0.2.7"},
		{"the HELO identity", spf.Result{Result: trace.Pass, Domain: "helo.example", Identity: spf.HELO, Sender: "postmaster@helo.example", ClientIP: "192.0.2.7"},
			"SPF PASS for helo.example (HELO postmaster@helo.example), client 192.0.2.7"},
		{"a sender without a domain", spf.Result{Result: trace.None, Identity: spf.MailFrom, Sender: "a@", ClientIP: "192.0.2.7"},
			"SPF NONE for no domain (MAIL FROM a@ names no domain after the @), client 192.0.2.7"},
		{"escapes", spf.Result{Result: trace.Fail, Domain: "evil\x1b[31m.example", Identity: spf.MailFrom, Sender: "a@evil\x1b[31m.example", ClientIP: "192.0.2.7"},
			`SPF FAIL for evil\x1b[31m.example (MAIL FROM a@evil\x1b[31m.example), client 192.0.2.7`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := string(report.SPF(c.r, nil, spf.Limits{}, report.TextOptions{Width: 200}))
			if first, _, _ := strings.Cut(out, "\n"); first != c.want {
				t.Errorf("first line %q, want %q", first, c.want)
			}
		})
	}
}
