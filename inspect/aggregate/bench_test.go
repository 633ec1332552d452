package aggregate_test

import (
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// BenchmarkCheck is the reporting side of lesson 05 (two rua addresses,
// one external and verified through the snapshot), without the replay.
func BenchmarkCheck(b *testing.B) {
	l := lesson(b, "05-forwarded")
	rep := replay(b, l, inspect.Options{})
	snap := snapshotOf(b, l)
	b.ReportAllocs()
	for b.Loop() {
		res := aggregate.Check(b.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snap})
		if !res.Sent {
			b.Fatal("not sent")
		}
	}
}

// BenchmarkXML renders that report as XML.
func BenchmarkXML(b *testing.B) {
	l := lesson(b, "05-forwarded")
	rep := replay(b, l, inspect.Options{})
	res := aggregate.Check(b.Context(), aggregate.Input{Report: rep.AggregateMessage(), Resolver: snapshotOf(b, l)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := res.Feedback.XML(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGalleryReplay replays the whole gallery from the embedded
// snapshots, as headercheck --demo does in report mode.
func BenchmarkGalleryReplay(b *testing.B) {
	all := lessons.List()
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range all {
			replay(b, l, inspect.Options{})
		}
	}
}
