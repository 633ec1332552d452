// Package tracetest holds the rules every check's steps are tested
// against, so that the packages under inspect/ test their words the same
// way instead of each keeping a copy.
package tracetest

import (
	"regexp"
	"strings"

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

// StepProblems says what is wrong with one step's words, or nothing.
func StepProblems(s trace.Step) []string {
	var p []string
	refs := citations(s.Ref)
	for _, c := range citations(s.Explain) {
		for _, r := range refs {
			if c[1] == r[1] && (c[0] == r[0] || c[0] == "") {
				p = append(p, "explain cites §"+c[1]+", which Ref already gives")
			}
		}
	}
	p = append(p, TextProblems("explain", s.Explain)...)
	p = append(p, TextProblems("detail", s.Detail)...)
	p = append(p, TextProblems("title", s.Title)...)
	return p
}

// TextProblems checks any text a student reads: a step's parts, a
// check's one-line reason or explanation.
func TextProblems(what, s string) []string {
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
