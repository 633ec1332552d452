package report_test

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/report"
)

// BenchmarkJSON encodes the report of a message with two DKIM signatures
// (testdata/aligned.eml) as a JSON line; BenchmarkText renders its text
// report. Both run in the workers of a batch run, once per message.
func BenchmarkJSON(b *testing.B) {
	rep := inspectFile(b, startDNS(b), "aligned")
	line, _ := report.JSON(rep)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.JSON(rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncoder is BenchmarkJSON through the Encoder a run uses.
func BenchmarkEncoder(b *testing.B) {
	rep := inspectFile(b, startDNS(b), "aligned")
	enc := report.NewEncoder()
	line, _ := enc.JSON(rep)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := enc.JSON(rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncoderAppend is BenchmarkEncoder writing each line into the
// buffer of the one before, as a batch run does.
func BenchmarkEncoderAppend(b *testing.B) {
	rep := inspectFile(b, startDNS(b), "aligned")
	enc := report.NewEncoder()
	buf, _ := enc.AppendJSON(nil, rep)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		var err error
		if buf, err = enc.AppendJSON(buf[:0], rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshal is encoding/json alone on the same report, for
// comparison with BenchmarkJSON.
func BenchmarkMarshal(b *testing.B) {
	rep := inspectFile(b, startDNS(b), "aligned")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(rep); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	rep := inspectFile(b, startDNS(b), "aligned")
	out := report.Text(rep, report.TextOptions{})
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		report.Text(rep, report.TextOptions{})
	}
}

// reportCPU adds cpu-ns/op, the process's CPU time per op: on a machine
// shared with other work, ns/op mostly measures waiting for a core.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0 := cpu()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpu()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
