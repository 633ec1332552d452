package dmarc

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// TestParseRecordCached: a reading handed out by the cache equals a fresh
// one, under both standards, the first time and later, from several
// goroutines; appending to a caller's copy leaves the next caller's
// untouched; the cache stops growing at recordsMax.
func TestParseRecordCached(t *testing.T) {
	texts := []string{
		"v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; rua=mailto:a@example.com,mailto:b@example.net; fo=1",
		"v=DMARC1; p=none; rua=mailto:dmarc@example.org; psd=n; t=y",
		"v=DMARC1; p=bogus; rua=mailto:x@example.com",
		"v=DMARC1; p=quarantine; unknown=1; ri=3600",
		"v=DMARC1",
		"not dmarc",
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := range 4 {
		wg.Go(func() {
			for pass := range 3 {
				for _, txt := range texts {
					for _, std := range []Standard{RFC9989, RFC7489} {
						got, gotErr := ParseRecord(txt, std)
						want, wantErr := parseRecord(txt, std)
						if gotErr != wantErr || !reflect.DeepEqual(got, want) {
							errs <- fmt.Sprintf("worker %d pass %d: ParseRecord(%q, %s) = %+v, %v; want %+v, %v", w, pass, txt, std, got, gotErr, want, wantErr)
						}
						got.Tags = append(got.Tags, Tag{Name: "x", Value: "changed"})
						got.RUA = append(got.RUA, "mailto:changed@example")
						got.Notes = append(got.Notes, Note{Tag: "x"})
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
	for i := range recordsMax + 10 {
		ParseRecord(fmt.Sprintf("v=DMARC1; p=none; rua=mailto:r%d@example.com", i), RFC9989)
	}
	if n := records.n.Load(); n > recordsMax {
		t.Errorf("cache holds %d readings, want at most %d", n, recordsMax)
	}
}

// BenchmarkParseRecordFresh reads a record without the cache, as the first
// message that brings it does (BenchmarkParseRecord now measures the cache).
func BenchmarkParseRecordFresh(b *testing.B) {
	const txt = "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=r; pct=50; rua=mailto:a@example.com,mailto:b@example.net; fo=1"
	for _, std := range []Standard{RFC9989, RFC7489} {
		b.Run(string(std), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseRecord(txt, std); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
