package dkim

import "testing"

// ReportCPU starts measuring the process's CPU time; the function it
// returns reports it per operation as cpu-ns/op, next to the wall-clock
// ns/op, which on a busy machine mostly measures waiting. Exported for the
// benchmarks of package dkim_test.
func ReportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		end, _ := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
