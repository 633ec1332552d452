package dnsx_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestFailure: every way a lookup fails has its words and, when DNS gave
// one, its code; an error that only wraps one is read the same.
func TestFailure(t *testing.T) {
	cases := []struct {
		q         *trace.Query
		err       error
		code, has string
	}{
		{&trace.Query{Rcode: trace.RcodeTimeout}, dnsx.ErrTimeout, trace.RcodeTimeout, "no answer came in time"},
		{nil, fmt.Errorf("wrapped: %w", dnsx.ErrServFail), trace.RcodeServFail, "could not answer"},
		{&trace.Query{Rcode: trace.RcodeRefused}, nil, trace.RcodeRefused, "refused to answer"},
		{&trace.Query{Rcode: trace.RcodeMissing}, dnsx.ErrNotInSnapshot, "", "snapshot holds no answer"},
		{&trace.Query{Note: "the answer holds 200 records"}, dnsx.ErrTooLarge, "", "holds 200 records"},
		{nil, dnsx.ErrCNAMELoop, "", "loop"},
		{nil, dnsx.ErrBadName, "", "cannot be sent to DNS"},
		{&trace.Query{Rcode: trace.RcodeError}, fmt.Errorf("read udp: connection refused"), "", "the DNS exchange failed"},
	}
	for _, c := range cases {
		code, words := dnsx.Failure(c.q, c.err)
		if code != c.code || !strings.Contains(words, c.has) {
			t.Errorf("Failure(%+v, %v) = %q, %q; want %q and words with %q", c.q, c.err, code, words, c.code, c.has)
		}
		if missing := dnsx.NotInSnapshot(c.q, c.err); missing != (c.has == "snapshot holds no answer") {
			t.Errorf("NotInSnapshot(%+v, %v) = %v", c.q, c.err, missing)
		}
	}
}
