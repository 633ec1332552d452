package dnsx

import (
	"errors"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Failure says why a lookup got no usable answer, for a step a student
// reads: code is the DNS response code it came with (TIMEOUT, SERVFAIL,
// REFUSED; "" when the reason is not one), words what happened in plain
// words, never Go error text. Each check puts the two together in its own
// sentence.
func Failure(q *trace.Query, err error) (code, words string) {
	rcode := ""
	if q != nil {
		rcode = q.Rcode
	}
	switch {
	case errors.Is(err, ErrBadName):
		return "", "the name cannot be sent to DNS: it has an empty label, or a label or the whole name is too long"
	case errors.Is(err, ErrTooLarge):
		if q != nil && strings.Contains(q.Note, "holds") {
			return "", q.Note // how large, in words
		}
		return "", "the answer is larger than headercheck accepts"
	case errors.Is(err, ErrCNAMELoop):
		return "", "the name's aliases (CNAME records) loop or form too long a chain"
	case rcode == trace.RcodeTimeout || errors.Is(err, ErrTimeout):
		return trace.RcodeTimeout, "no answer came in time"
	case rcode == trace.RcodeServFail || errors.Is(err, ErrServFail):
		return trace.RcodeServFail, "the DNS server could not answer"
	case rcode == trace.RcodeRefused || errors.Is(err, ErrRefused):
		return trace.RcodeRefused, "the DNS server refused to answer"
	case NotInSnapshot(q, err):
		return "", "the DNS snapshot holds no answer for this question"
	}
	return "", "the DNS exchange failed: no server could be reached, or its reply was unusable"
}

// NotInSnapshot reports a lookup that failed only because the snapshot
// being replayed lacks the question: nothing is temporary about that, and
// a step must not promise that a retry may help.
func NotInSnapshot(q *trace.Query, err error) bool {
	return errors.Is(err, ErrNotInSnapshot) || (q != nil && q.Rcode == trace.RcodeMissing)
}
