package dkim_test

import (
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// BenchmarkVerify50KiB verifies a 50 KiB message with one RSA-2048
// signature (relaxed/relaxed). "cached" asks through a warm dnsx.Cache, as
// a run does from the second message of a domain on, and "cached+keys" also
// keeps the parsed key in a KeyCache; "loopback" sends every key query to
// the loopback DNS server.
func BenchmarkVerify50KiB(b *testing.B) {
	e := newEnv(b)
	var body strings.Builder
	for i := 0; body.Len() < 50<<10; i++ {
		body.WriteString("Line of a long report, with  some   spacing\tand numbers 0123456789 to canonicalize.\r\n")
	}
	msg := []byte(sign(b, baseHeader+"\r\n"+body.String(), dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: e.keys.rsa2048,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed}))
	for _, c := range []struct {
		name string
		r    dnsx.Resolver
		keys *ours.KeyCache
	}{
		{"cached", dnsx.NewCache(e.client, dnsx.CacheOptions{}), nil},
		{"cached+keys", dnsx.NewCache(e.client, dnsx.CacheOptions{}), ours.NewKeyCache(0)},
		{"loopback", e.client, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			opts := ours.Options{Resolver: c.r, Keys: c.keys}
			if got := ours.Verify(b.Context(), msg, opts); len(got) != 1 || got[0].Result != trace.Pass {
				b.Fatalf("warm-up: %+v", got)
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			defer ours.ReportCPU(b)()
			for b.Loop() {
				ours.Verify(b.Context(), msg, opts)
			}
		})
	}
}
