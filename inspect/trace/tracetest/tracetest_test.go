package tracetest_test

import (
	"testing"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
)

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
		if len(tracetest.StepProblems(s)) == 0 {
			t.Errorf("tracetest.StepProblems(%+v) found nothing", s)
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
		if p := tracetest.StepProblems(s); len(p) != 0 {
			t.Errorf("tracetest.StepProblems(%+v) = %q, want nothing", s, p)
		}
	}
}
