package aggregate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// TestOrdered holds ordered to the stable sort by RFC 9990 §3.1.3 rank it
// replaces (sort.SliceStable ranking at every comparison), header order
// kept within a rank, cut at MaxDKIM.
func TestOrdered(t *testing.T) {
	reference := func(sigs []dkim.Signature, from string) []dkim.Signature {
		rank := func(s dkim.Signature) int {
			switch {
			case s.Result != trace.Pass:
				return 3
			case from != "" && strings.EqualFold(s.Domain, from):
				return 0
			case from != "" && dmarc.Aligned(from, strings.ToLower(s.Domain), dmarc.Relaxed):
				return 1
			}
			return 2
		}
		out := append([]dkim.Signature(nil), sigs...)
		sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
		if len(out) > MaxDKIM {
			out = out[:MaxDKIM]
		}
		return out
	}
	sig := func(field int, r trace.Result, d string) dkim.Signature {
		return dkim.Signature{Field: field, Result: r, Domain: d}
	}
	var many []dkim.Signature
	for i := range MaxDKIM + 20 {
		many = append(many, sig(i, []trace.Result{trace.Fail, trace.Pass}[i%2], []string{"other.example", "mail.example.com", "EXAMPLE.com"}[i%3]))
	}
	cases := []struct {
		name string
		from string
		sigs []dkim.Signature
	}{
		{"none", "example.com", nil},
		{"one", "example.com", []dkim.Signature{sig(0, trace.Pass, "example.com")}},
		{"every rank reversed", "example.com", []dkim.Signature{
			sig(0, trace.Fail, "example.com"), sig(1, trace.Pass, "esp.example"), sig(2, trace.Pass, "mail.example.com"),
			sig(3, trace.Pass, "Example.COM"), sig(4, trace.PermError, "x.example"), sig(5, trace.Pass, "esp2.example"),
			sig(6, trace.Pass, "example.com"), sig(7, trace.Pass, "news.example.com"),
		}},
		{"no From domain", "", []dkim.Signature{sig(0, trace.Fail, "a.example"), sig(1, trace.Pass, "b.example"), sig(2, trace.Pass, "a.example")}},
		{"past MaxDKIM", "example.com", many},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := ordered(c.sigs, c.from), reference(c.sigs, c.from)
			fields := func(s []dkim.Signature) string {
				var f []string
				for _, x := range s {
					f = append(f, fmt.Sprint(x.Field))
				}
				return strings.Join(f, ",")
			}
			if !slices.EqualFunc(got, want, func(a, b dkim.Signature) bool { return a.Field == b.Field }) || (got == nil) != (want == nil) {
				t.Errorf("ordered = [%s] (nil %v), want [%s] (nil %v)", fields(got), got == nil, fields(want), want == nil)
			}
		})
	}
}
