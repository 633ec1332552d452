package received

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
)

// checkSteps asserts what every step owes a student: a title, words, the
// RFC section behind it, and the rules above.
func checkSteps(t *testing.T, steps []trace.Step) {
	t.Helper()
	for _, s := range steps {
		if s.Title == "" || s.Explain == "" || !strings.HasPrefix(s.Ref, "RFC ") {
			t.Errorf("step %+v lacks a title, an explanation or an RFC reference", s)
		}
		for _, p := range tracetest.StepProblems(s) {
			t.Errorf("step %q: %s\n  explain: %s\n  detail: %s\n  ref: %s", s.Title, p, s.Explain, s.Detail, s.Ref)
		}
		checkSteps(t, s.Steps)
	}
}
