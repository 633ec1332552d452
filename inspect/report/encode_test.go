package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/report"
)

// TestEncoderMatchesMarshal checks that the Encoder writes exactly the
// bytes of encoding/json (report.JSON, which is inspect.Report.MarshalJSON
// made readable and terminal-safe) for the reports of this package's
// messages and of every .eml and mbox in the repository's testdata
// directories (ARC samples, lessons, examples), inspected against this
// package's DNS: most of their names do not exist there, which gives
// reports of every shape, errors included.
func TestEncoderMatchesMarshal(t *testing.T) {
	srv := startDNS(t)
	var reps []*inspect.Report
	for _, c := range cases {
		reps = append(reps, inspectFile(t, srv, c.name))
	}
	var files []string
	for _, pattern := range []string{"../../testdata/*/*", "../*/testdata/*", "../testdata/*"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".eml") && !strings.HasSuffix(f, ".mbox") {
			continue
		}
		src, err := message.Open(f, message.Options{})
		if err != nil {
			continue
		}
		for i := range min(src.Len(), 20) {
			m, err := src.Message(i)
			if err != nil {
				reps = append(reps, inspect.Failed(message.SummaryOf(f, i+1), err.Error()))
				continue
			}
			rep, err := inspect.Inspect(t.Context(), m, options(srv))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			reps = append(reps, rep)
		}
		src.Close()
	}
	if len(reps) < 10 {
		t.Fatalf("only %d reports to compare", len(reps))
	}
	enc := report.NewEncoder()
	// AppendJSON writes every report after a prefix, into the buffer the
	// report before it was written to, as a batch run reuses its buffers.
	var buf []byte
	for _, rep := range reps {
		want, err := report.JSON(rep)
		if err != nil {
			t.Fatal(err)
		}
		got, err := enc.JSON(rep)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			lo := max(0, i-120)
			t.Errorf("%s message %d: the Encoder differs from encoding/json at byte %d:\n got: …%s\nwant: …%s",
				rep.Source.File, rep.Source.Index, i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
		}
		buf, err = enc.AppendJSON(append(buf[:0], "prefix "...), rep)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, append([]byte("prefix "), want...)) {
			t.Errorf("%s message %d: AppendJSON after a prefix, into a reused buffer, differs from the prefix and JSON", rep.Source.File, rep.Source.Index)
		}
		if !enc.Fast() {
			t.Fatalf("the Encoder's self-check fell back to encoding/json at %s message %d", rep.Source.File, rep.Source.Index)
		}
	}
	t.Logf("%d reports compared", len(reps))

}

// TestAppendJSONFirst: an Encoder whose first report comes through
// AppendJSON, after bytes already in the buffer, checks itself against
// encoding/json on the report's line alone.
func TestAppendJSONFirst(t *testing.T) {
	rep := inspectFile(t, startDNS(t), "aligned")
	want, err := report.JSON(rep)
	if err != nil {
		t.Fatal(err)
	}
	enc := report.NewEncoder()
	got, err := enc.AppendJSON([]byte("line before\n"), rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append([]byte("line before\n"), want...)) {
		t.Errorf("AppendJSON after a line gave %d bytes, want the line and JSON's %d", len(got), len(want))
	}
	if !enc.Fast() {
		t.Errorf("the self-check fell back to encoding/json")
	}
}
