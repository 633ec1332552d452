package dmarc

import (
	"fmt"
	"sync"
	"testing"

	"golang.org/x/net/publicsuffix"
)

// TestOrgDomainsBoundedAndRight asks for more distinct names than the cache
// holds, from several goroutines at once, and requires every answer, cached
// or not, to be the Public Suffix List's own, and the cache to stay bounded.
func TestOrgDomainsBoundedAndRight(t *testing.T) {
	const workers = 4
	names := make([]string, 0, orgDomainsMax+500)
	for i := range cap(names) {
		switch i % 4 {
		case 0:
			names = append(names, fmt.Sprintf("host%d.mail.example.com", i))
		case 1:
			names = append(names, fmt.Sprintf("n%d.co.uk", i))
		case 2:
			names = append(names, fmt.Sprintf("u%d.github.io", i))
		default:
			names = append(names, fmt.Sprintf("tld%d", i)) // a public suffix by the "*" rule
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Go(func() {
			for pass := range 2 {
				for i := range names {
					n := names[(i+w*997)%len(names)]
					got, ok := OrganizationalDomain(n)
					want, err := publicsuffix.EffectiveTLDPlusOne(n)
					if ok != (err == nil) || got != want {
						errs <- fmt.Sprintf("pass %d: OrganizationalDomain(%q) = %q, %v; want %q, %v", pass, n, got, ok, want, err == nil)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := orgDomains.n.Load(); n > orgDomainsMax+workers {
		t.Errorf("cache holds %d names, want at most %d", n, orgDomainsMax+workers)
	}
}
