package arc_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/trace"
)

// The rules below are what a student reading a step is owed (issue 10):
// the renderers print Ref after Explain, so Explain must not cite that
// section again; no Go error text; words, not "signature(s)"; a domain is
// never capitalised as if it began a sentence; one spelling of
// "organization".

var (
	refSection = regexp.MustCompile(`(?:RFC (\d+) )?§([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)`)
	goErrText  = regexp.MustCompile(`dnsx: |context deadline|context canceled|i/o timeout|read udp|dial udp|write udp|read tcp|dial tcp`)
	pluralHack = regexp.MustCompile(`\w\(s\)`)
	capDomain  = regexp.MustCompile(`^[A-Z][a-z0-9-]*\.[a-z0-9-]+\.?[a-z]`)
)

// citations lists the sections s cites as "RFC N §S", each §S after a
// "RFC N" taking that number, and a bare §S the RFC named before it (or
// "" when none was).
func citations(s string) [][2]string {
	var out [][2]string
	rfc := ""
	for _, m := range refSection.FindAllStringSubmatch(s, -1) {
		if m[1] != "" {
			rfc = m[1]
		}
		out = append(out, [2]string{rfc, m[2]})
	}
	return out
}

// studentProblems says what is wrong with one step's words, or nothing.
func studentProblems(s trace.Step) []string {
	var p []string
	refs := citations(s.Ref)
	for _, c := range citations(s.Explain) {
		for _, r := range refs {
			if c[1] == r[1] && (c[0] == r[0] || c[0] == "") {
				p = append(p, "explain cites §"+c[1]+", which Ref already gives")
			}
		}
	}
	p = append(p, textProblems("explain", s.Explain)...)
	p = append(p, textProblems("detail", s.Detail)...)
	p = append(p, textProblems("title", s.Title)...)
	return p
}

// textProblems checks any text a student reads: a step's parts, a
// check's one-line reason or explanation.
func textProblems(what, s string) []string {
	var p []string
	if m := goErrText.FindString(s); m != "" {
		p = append(p, what+" shows Go error text "+strings.TrimSpace(m))
	}
	if m := pluralHack.FindString(s); m != "" {
		p = append(p, what+" writes a plural as "+m)
	}
	if capDomain.MatchString(s) {
		p = append(p, what+" starts with a capitalised domain")
	}
	if strings.Contains(strings.ToLower(s), "organis") {
		p = append(p, what+` spells "organisation"`)
	}
	return p
}

// TestStudentRules shows that the rules catch what they are for, so a
// step that breaks one cannot pass unnoticed.
func TestStudentRules(t *testing.T) {
	bad := []trace.Step{
		{Title: "t", Explain: "x is the name (RFC 9989 §4.10.2 rule 3)", Ref: "RFC 9989 §4.10.2"},
		{Title: "t", Explain: "asks its Organizational Domain (§6.6.3 step 3)", Ref: "RFC 7489 §6.6.3"},
		{Title: "t", Explain: "SPF checks it when MAIL FROM is empty (RFC 7208 §2.4).", Ref: "RFC 7208 §2.3, §2.4"},
		{Title: "t", Detail: "no answer: dnsx: no answer before the deadline", Ref: "RFC 9989 §4.10"},
		{Title: "t", Detail: "2 signature(s)", Ref: "RFC 9989 §4.4.1"},
		{Title: "t", Explain: "Mail.bank.example publishes no SPF record", Ref: "RFC 7208 §4.5"},
		{Title: "t", Explain: "in the same organisation", Ref: "RFC 8601 §5"},
	}
	for _, s := range bad {
		if len(studentProblems(s)) == 0 {
			t.Errorf("studentProblems(%+v) found nothing", s)
		}
	}
	good := []trace.Step{
		{Title: "t", Explain: "x is the name with the fewest labels", Ref: "RFC 9989 §4.10.2 rule 3"},
		{Title: "t", Explain: "the record is the domain's own (RFC 9989 Appendix A.6)", Ref: "RFC 9989 §4.7"},
		{Title: "t", Explain: "a subsection is another section (RFC 9989 §4.4.2)", Ref: "RFC 9989 §4.4"},
		{Title: "t", Explain: "copied into Return-Path (RFC 5321 §4.4)", Ref: "RFC 7208 §2.4"},
		{Title: "t", Explain: "The domain mail.bank.example publishes no SPF record", Ref: "RFC 7208 §4.5"},
	}
	for _, s := range good {
		if p := studentProblems(s); len(p) != 0 {
			t.Errorf("studentProblems(%+v) = %q, want nothing", s, p)
		}
	}
}
