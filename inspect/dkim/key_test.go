package dkim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestKeyCache verifies through a shared KeyCache: the results, steps
// included, are those of verifying without it, from any number of
// goroutines at once (run with -race), and each record is parsed once.
func TestKeyCache(t *testing.T) {
	e := newEnv(t)
	msgs := []string{
		sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "rsa2048", Signer: e.keys.rsa2048}),
		sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "ed", Signer: e.keys.ed}),
		sign(t, baseMsg, dkim.SignOptions{Domain: "example.org", Selector: "malformed", Signer: e.keys.rsa2048}),
	}
	plain := make([][]byte, len(msgs))
	for i, m := range msgs {
		plain[i] = stable(e.verify(t, m, ours.Options{}))
	}
	keys := ours.NewKeyCache(0)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 6 {
				n := (w + i) % len(msgs)
				got := stable(e.verify(t, msgs[n], ours.Options{Keys: keys}))
				if string(got) != string(plain[n]) {
					t.Errorf("message %d through the cache:\n%s\nwithout:\n%s", n, got, plain[n])
				}
			}
		})
	}
	wg.Wait()
	if n := keys.Len(); n != 3 {
		t.Errorf("the cache holds %d records, want 3 (rsa2048, ed, malformed)", n)
	}
}

func TestKeyCacheParseKey(t *testing.T) {
	const rec = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" // RFC 8463 App. A.2
	c := ours.NewKeyCache(2)
	k1, err1 := c.ParseKey(rec)
	k2, err2 := c.ParseKey(rec)
	if err1 != nil || err2 != nil || k1 != k2 || k1.Type != "ed25519" || k1.Bits != 256 {
		t.Errorf("ParseKey twice: %p %v, %p %v; want the same parsed Ed25519 key twice", k1, err1, k2, err2)
	}
	const bad = "v=DKIM1; p=!!"
	for range 2 {
		if _, err := c.ParseKey(bad); !errors.Is(err, ours.ErrKeySyntax) {
			t.Errorf("ParseKey(%q) = %v, want ErrKeySyntax", bad, err)
		}
	}
	// At most its size: older records make room.
	for i := range 5 {
		r := fmt.Sprintf("v=DKIM1; n=%d; p=", i)
		if k, err := c.ParseKey(r); err != nil || !k.Revoked || k.Notes != fmt.Sprint(i) {
			t.Errorf("ParseKey(%q) = %+v, %v", r, k, err)
		}
		if n := c.Len(); n > 2 {
			t.Fatalf("the cache holds %d records, more than its size 2", n)
		}
	}
	var none *ours.KeyCache
	if k, err := none.ParseKey(rec); err != nil || k.Type != "ed25519" || none.Len() != 0 {
		t.Errorf("a nil cache: %+v, %v, len %d", k, err, none.Len())
	}
}

// stable is the JSON of sigs without the round-trip times of their DNS
// exchanges, which differ from run to run.
func stable(sigs []ours.Signature) []byte {
	var clear func([]trace.Step)
	clear = func(steps []trace.Step) {
		for i := range steps {
			if q := steps[i].Query; q != nil {
				c := *q
				c.RTTms = 0
				steps[i].Query = &c
			}
			clear(steps[i].Steps)
		}
	}
	for i := range sigs {
		clear(sigs[i].Steps)
	}
	b, _ := json.Marshal(sigs)
	return b
}

// BenchmarkParseKey parses the test RSA-2048 key record, without and with
// a KeyCache.
func BenchmarkParseKey(b *testing.B) {
	rec := "v=DKIM1; k=rsa; p=" + spki(b, &loadKeys(b).rsa2048.PublicKey)
	keys := ours.NewKeyCache(0)
	for _, c := range []struct {
		name  string
		parse func(string) (*ours.Key, error)
	}{{"uncached", ours.ParseKey}, {"cached", keys.ParseKey}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			defer ours.ReportCPU(b)()
			for b.Loop() {
				if _, err := c.parse(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
