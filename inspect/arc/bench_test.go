package arc_test

import (
	"os"
	"testing"

	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// BenchmarkVerify3 validates a chain of three sets (two RSA-2048 sealers
// and one Ed25519) from a warm dnsx.Cache, as a run does from the second
// message of the same sealers on: three newest-to-oldest signatures and
// three seals, no DNS traffic. "kernel" is the real three-set sample
// (webhostingserver.nl twice, subspace.kernel.org).
func BenchmarkVerify3(b *testing.B) {
	e := newEnv(b)
	synthetic := []byte(seal(b, seal(b, addFooter(seal(b, baseMsg, e.lists())), e.forwarder()), e.mx()))
	kernel, err := os.ReadFile("testdata/blaze-005-kernel.eml")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		msg  []byte
	}{{"synthetic", synthetic}, {"kernel", kernel}} {
		b.Run(c.name, func(b *testing.B) {
			opts := arc.Options{Resolver: dnsx.NewCache(e.client, dnsx.CacheOptions{})}
			if got := arc.Verify(b.Context(), c.msg, opts); got.Result != trace.Pass {
				b.Fatalf("warm-up: %s: %s", got.Result, got.Reason)
			}
			e.srv.ResetCounts()
			b.SetBytes(int64(len(c.msg)))
			b.ReportAllocs()
			for b.Loop() {
				arc.Verify(b.Context(), c.msg, opts)
			}
			if n := e.srv.Total(); n != 0 {
				b.Errorf("%d DNS queries from a warm cache", n)
			}
		})
	}
}

// BenchmarkVerifyNone is the message most mail is: no ARC field at all,
// which every message of a run still pays to find out.
func BenchmarkVerifyNone(b *testing.B) {
	msg := []byte(baseMsg)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if got := arc.Verify(b.Context(), msg, arc.Options{}); got.Result != trace.None {
			b.Fatalf("%s: %s", got.Result, got.Reason)
		}
	}
}
