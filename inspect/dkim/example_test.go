package dkim_test

import (
	"context"
	"fmt"
	"os"
	"time"

	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dnsx"
)

// Verify the two signatures of the example message of RFC 8463 Appendix A,
// replaying its key records from a DNS snapshot instead of the network.
func ExampleVerify() {
	raw, err := os.ReadFile("testdata/rfc8463.eml")
	if err != nil {
		panic(err)
	}
	snap, err := dnsx.LoadSnapshot("testdata/rfc8463.zone")
	if err != nil {
		panic(err)
	}
	sigs := ours.Verify(context.Background(), raw, ours.Options{
		Resolver: snap,
		Now:      time.Date(2018, 6, 10, 13, 38, 29, 0, time.UTC), // t= of the signatures
	})
	for _, s := range sigs {
		fmt.Println(s.Result, s.Domain, s.Selector, s.Algorithm, s.KeyBits)
	}
	fmt.Println(sigs[0].Reason)
	// Output:
	// pass football.example.com brisbane ed25519-sha256 256
	// pass football.example.com test rsa-sha256 1024
	// The signature of football.example.com verifies: the body and the signed header fields are exactly as signed.
}
