package received

import (
	"fmt"
	"sync"
	"testing"
)

func TestParseAddr(t *testing.T) {
	for _, s := range parseAddrCases {
		t.Run(s, func(t *testing.T) { checkParseAddr(t, s) })
	}
}

// TestOrgOfBoundedAndRight: the process-wide answers of orgOf are
// orgDomain's, from several goroutines at once, and the cache stops
// growing at orgsMax while the answers stay right past it.
func TestOrgOfBoundedAndRight(t *testing.T) {
	names := []string{"mx1.inbound.example", "mail.d1.example", "MAIL.D1.example.", "mx.google.com", "a.b.co.uk",
		"localhost", "mx1", "192.0.2.1", "host.corp", "x..example", "", "é.example", "mail-eur.outbound.protection.outlook.com"}
	for i := range orgsMax + 100 {
		names = append(names, fmt.Sprintf("h%d.org%d.example", i, i%50))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, n := range names {
				if got, want := orgOf(n), orgDomain(n); got != want {
					t.Errorf("orgOf(%q) = %q, orgDomain gives %q", n, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := orgs.n.Load(); n > orgsMax+8 {
		t.Errorf("the cache holds %d names, more than %d", n, orgsMax)
	}
	for _, n := range names[:13] {
		if got, want := orgOf(n), orgDomain(n); got != want {
			t.Errorf("after the bound: orgOf(%q) = %q, want %q", n, got, want)
		}
	}
}
