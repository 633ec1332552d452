package inspect

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
)

// A panic while inspecting a message is a bug in headercheck, never the
// message's fault, and it must not cost the rest of an mbox run: the
// checks run in goroutines, where a panic nobody recovers ends the
// process. So each check recovers its own (guard): its result becomes a
// failure that says headercheck failed and asks for a report, and the
// other checks and the verdict go on. A panic outside the checks (the
// Received walk, which everything else needs) makes the message's report
// an error report (Panicked), as a message that cannot be read does.

// crash is a recovered panic: which check, the panic value and where.
type crash struct {
	check Check
	value string
	where string // "inspect/spf.parse (parse.go:88)", "" when unknown
}

// maxPanicText bounds the panic value quoted in a report: a value may
// carry text from the message.
const maxPanicText = 300

// crashOf describes the panic p recovered while check c ran. It must be
// called from the deferred function that recovered p, so that the stack
// still shows where p was raised.
func crashOf(c Check, p any) crash {
	v := fmt.Sprint(p)
	if len(v) > maxPanicText {
		cut := maxPanicText
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut] + "..."
	}
	return crash{check: c, value: v, where: panicSite()}
}

// panicSite is the function and line that raised the panic being
// recovered: the first frame below runtime.gopanic that is not the
// runtime's own (an index out of range passes through runtime.goPanicIndex).
func panicSite() string {
	pc := make([]uintptr, 64)
	frames := runtime.CallersFrames(pc[:runtime.Callers(2, pc)])
	below := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			below = true
		case below && !strings.HasPrefix(f.Function, "runtime."):
			fn := strings.TrimPrefix(f.Function, "github.com/headercheck/headercheck/")
			return fmt.Sprintf("%s (%s:%d)", fn, filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// words is the one line that says what happened, for an error report and
// a check's reason.
func (c crash) words() string {
	return fmt.Sprintf("headercheck failed on this message: %s — please report it", c.value)
}

// step is the step a crashed check's result carries.
func (c crash) step() trace.Step {
	detail := "panic: " + c.value
	if c.where != "" {
		detail += ", in " + c.where
	}
	return trace.Step{
		Title:  "headercheck failed on this message",
		Result: trace.PermError,
		Detail: detail,
		Explain: fmt.Sprintf("%s. This is a bug in headercheck, not something wrong with the message: %s stopped here, so its result is counted as a permanent error and the verdict may not be what a receiver decides. The other checks ran as usual. A report with the message (or just this line) helps fix it.",
			c.words(), checkWords(c.check)),
	}
}

// checkWords names check c inside a sentence.
func checkWords(c Check) string {
	switch c {
	case CheckReceived:
		return "the Received walk"
	case CheckIPRev:
		return "the reverse DNS check (iprev)"
	case CheckSPF:
		return "the SPF check"
	case CheckSPFHELO:
		return "the SPF check of the HELO name"
	case CheckDKIM:
		return "the DKIM check"
	case CheckDMARC:
		return "the DMARC check"
	case CheckARC:
		return "the ARC check"
	case CheckReceivers:
		return "the decoding of the receivers' own verdict headers"
	case CheckRecorded:
		return "the comparison with the recorded Authentication-Results"
	case CheckVerdict:
		return "the verdict"
	}
	return "showing the progress of the checks"
}

// guard runs check, the work of check c. A panic in it is recovered,
// recorded in r, and turned into failed(step), the check's failure
// carrying the crash's step.
func guard[T any](r *run, c Check, check func() T, failed func(trace.Step) T) (res T) {
	defer func() {
		if p := recover(); p != nil {
			cr := crashOf(c, p)
			r.mu.Lock()
			r.crashes = append(r.crashes, cr)
			r.mu.Unlock()
			res = failed(cr.step())
		}
	}()
	return check()
}

// Panicked is the report of a message whose inspection panicked outside
// any one check (value is what was recovered): only its source and an
// error saying that headercheck failed on it, as for a message that
// cannot be read, so that a run over an mbox goes on. Call it from the
// deferred function that recovered value: the error names where the panic
// was raised.
func Panicked(src message.Summary, value any) *Report {
	cr := crashOf("", value)
	why := cr.words()
	if cr.where != "" {
		why += " (in " + cr.where + ")"
	}
	return Failed(src, why)
}

// crashSentence is the story's sentence about the checks that crashed.
func crashSentence(crashes []crash) string {
	if len(crashes) == 0 {
		return ""
	}
	var what []string
	for _, c := range crashes {
		if w := checkWords(c.check); !slices.Contains(what, w) {
			what = append(what, w)
		}
	}
	return fmt.Sprintf("headercheck itself failed during %s (a bug in headercheck: please report it), so this verdict may not be what a receiver decides.", joinWords(what))
}
