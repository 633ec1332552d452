package inspect

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
)

// TestPanicOutsideChecks: a panic outside any check's guard (here the
// Received walk, made to dereference the replay state it lost) makes the
// message's report an error report that says headercheck failed, where,
// and asks for a report, instead of ending the process.
func TestPanicOutsideChecks(t *testing.T) {
	src, err := message.FromBytes("crash.eml", []byte("From: a@example.org\nSubject: x\n\nbody\n"), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is asked: the run panics before any lookup.
	r := newRun(m, Options{Resolver: dnsx.NewClient("127.0.0.1:9")})
	r.state = nil
	rep := r.safeRun(t.Context())
	for _, want := range []string{
		"headercheck failed on this message: runtime error: invalid memory address or nil pointer dereference — please report it",
		"(in inspect.(*run).analyze (inspect.go:",
	} {
		if !strings.Contains(rep.Error, want) {
			t.Errorf("report error %q, want it to say %q", rep.Error, want)
		}
	}
	if rep.Source.File != "crash.eml" || rep.Source.From != "a@example.org" {
		t.Errorf("report source %+v, want the message's", rep.Source)
	}
}
