package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Exit statuses of the report modes (CONTRACT.md).
const (
	ExitDeliver    = 0 // every inspected message would be delivered
	ExitError      = 1 // nothing could be inspected: unreadable input, not mail, or every message carries error
	ExitUsage      = 2 // a usage error
	ExitQuarantine = 3 // at least one quarantine and no reject
	ExitReject     = 4 // at least one reject
)

// Summary counts the reports of a run: how many would be delivered,
// quarantined or rejected, how many could not be inspected, and why the
// others failed. The zero value is ready to use; it is not safe for
// concurrent use (a run adds from its one writer).
type Summary struct {
	Messages      int                         // reports added
	Errors        int                         // of which carried Error
	ByDisposition map[inspect.Disposition]int // the others, by verdict
	// Reasons counts failure reasons ("DMARC fail", "DKIM permerror",
	// "not inspected: ..."); a message counts once per reason it shows.
	Reasons map[string]int
	// TempErrors counts messages whose verdict a DNS temperror decided.
	TempErrors int
}

// Add counts one report.
func (s *Summary) Add(rep *inspect.Report) {
	if s.ByDisposition == nil {
		s.ByDisposition = map[inspect.Disposition]int{}
		s.Reasons = map[string]int{}
	}
	s.Messages++
	for _, r := range Reasons(rep) {
		s.Reasons[r]++
	}
	if rep.Error != "" {
		s.Errors++
		return
	}
	s.ByDisposition[rep.Verdict.Disposition]++
	if rep.Verdict.TempError {
		s.TempErrors++
	}
}

// ExitStatus is the contract's exit status for the reports added: 4 when
// any would be rejected, else 3 when any would be quarantined, else 0; 1
// when none could be inspected (or none was added).
func (s *Summary) ExitStatus() int {
	switch {
	case s.Messages == s.Errors:
		return ExitError
	case s.ByDisposition[inspect.Reject] > 0:
		return ExitReject
	case s.ByDisposition[inspect.Quarantine] > 0:
		return ExitQuarantine
	}
	return ExitDeliver
}

// Reasons lists why a report is not a clean pass, each once, in a fixed
// order: "not inspected: WHY" for a report with Error, else the checks that
// did not pass ("SPF softfail", "DKIM fail", "DMARC fail", "ARC fail",
// "iprev fail"). Results that only say there was nothing to check (none,
// neutral, policy) are not failures.
func Reasons(rep *inspect.Report) []string {
	if rep.Error != "" {
		why := rep.Error
		if len(why) > 60 {
			// Errors name sizes and counts after a colon; group by
			// what went wrong.
			if i := strings.IndexByte(why, ':'); i > 0 {
				why = why[:i]
			}
		}
		return []string{"not inspected: " + safe.Text(why)}
	}
	var out []string
	add := func(check string, r trace.Result) {
		switch r {
		case trace.Fail, trace.SoftFail, trace.TempError, trace.PermError:
			s := check + " " + string(r)
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	add("DMARC", rep.DMARC.Result)
	add("SPF", rep.SPF.Result)
	for _, sig := range rep.DKIM {
		add("DKIM", sig.Result)
	}
	add("ARC", rep.ARC.Result)
	add("iprev", rep.IPRev.Result)
	return out
}

// Write writes the summary for people (stderr at the end of a run):
// counts per disposition, then per failure reason, most common first.
func (s *Summary) Write(w io.Writer, elapsed time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Inspected %s", plural(s.Messages, "message"))
	if elapsed > 0 && s.Messages > 0 {
		fmt.Fprintf(&b, " in %s (%.0f messages/s)", elapsed.Round(time.Millisecond), float64(s.Messages)/elapsed.Seconds())
	}
	b.WriteString("\n")
	for _, d := range []inspect.Disposition{inspect.Deliver, inspect.Quarantine, inspect.Reject} {
		fmt.Fprintf(&b, "  %-12s %d\n", d, s.ByDisposition[d])
	}
	fmt.Fprintf(&b, "  %-12s %d\n", "error", s.Errors)
	if s.TempErrors > 0 {
		fmt.Fprintf(&b, "  %d of them decided by a temporary DNS error: a receiver may defer and retry\n", s.TempErrors)
	}
	if len(s.Reasons) > 0 {
		b.WriteString("Failure reasons (a message can have several):\n")
		keys := make([]string, 0, len(s.Reasons))
		for k := range s.Reasons {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, c string) int {
			if d := s.Reasons[c] - s.Reasons[a]; d != 0 {
				return d
			}
			return strings.Compare(a, c)
		})
		width := 0
		for _, k := range keys {
			width = max(width, len(k))
		}
		for _, k := range keys {
			fmt.Fprintf(&b, "  %-*s %d\n", width, k, s.Reasons[k])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
