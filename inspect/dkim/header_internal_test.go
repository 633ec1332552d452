package dkim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// refPick is Message.Pick as it was before it stopped copying field names
// (a map of strings.ToLower(Name()) to the instances, bottom-up): the
// reference the chained version must agree with on every input.
func refPick(m Message, names []string, skip int) []int {
	byName := map[string][]int{}
	for i := len(m.Fields) - 1; i >= 0; i-- {
		if i != skip {
			k := strings.ToLower(m.Fields[i].Name())
			byName[k] = append(byName[k], i)
		}
	}
	out := make([]int, len(names))
	for j, name := range names {
		k := strings.ToLower(name)
		out[j] = -1
		if left := byName[k]; len(left) > 0 {
			out[j] = left[0]
			byName[k] = left[1:]
		}
	}
	return out
}

// manyNames is an h= of more distinct names than nameSlots keeps in a
// slice, so that the map is used too.
func manyNames() string {
	var b strings.Builder
	for i := 0; i < 3*slotsInSlice; i++ {
		fmt.Fprintf(&b, "X-H%d:", i)
	}
	return b.String() + "From:x-h3:X-H40:from"
}

var pickCases = []struct {
	name   string
	header string
	h      string
	skip   int
}{
	{"plain", "From: a\r\nTo: b\r\nSubject: c\r\n\r\n", "From:To:Subject", -1},
	{"bottom-up and absent", "DKIM-Signature: x\r\nFrom: top\r\nTo: a\r\nfrom: bottom\r\n\r\n", "from:FROM:From:to:x-none", 0},
	{"space before colon", "Subject : hi\r\nsubject: two\r\n\r\n", "Subject:SUBJECT:subject", -1},
	{"no colon and leading continuation", " lead\r\ngarbage\r\nFrom: x\r\n\r\n", "garbage:lead:from:", -1},
	{"kelvin sign", "\u212a-Mail: x\r\nk-mail: y\r\nK-MAIL: z\r\n\r\n", "k-mail:\u212a-mail:K-Mail:k-mail", -1},
	{"invalid utf-8", "X-\xff: a\r\nx-\xfe: b\r\n\r\n", "x-\xff:X-\xfe:x-\ufffd:x-\ufffd", -1},
	{"long name", "X-" + strings.Repeat("Long", 30) + ": a\r\nx-" + strings.Repeat("long", 30) + ": b\r\n\r\n", "x-" + strings.Repeat("LONG", 30) + ":X-" + strings.Repeat("long", 30), -1},
	{"many names", "From: a\r\nX-H3: b\r\nX-H40: c\r\nx-h3: d\r\nFrom: e\r\n\r\n", manyNames(), -1},
	{"skip out of range", "From: a\r\n\r\n", "from", 7},
	{"no fields", "\r\nbody", "from:to", -1},
	{"empty h", "From: a\r\n\r\n", "", -1},
}

func TestPickMatchesReference(t *testing.T) {
	for _, c := range pickCases {
		t.Run(c.name, func(t *testing.T) {
			m := Split([]byte(c.header))
			names := strings.Split(c.h, ":")
			got, want := m.Pick(names, c.skip), refPick(m, names, c.skip)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Pick(%q, %d) = %v, want %v (the reference)", names, c.skip, got, want)
			}
		})
	}
}

func FuzzPick(f *testing.F) {
	for _, c := range pickCases {
		f.Add(c.header, c.h, c.skip)
	}
	f.Fuzz(func(t *testing.T, header, h string, skip int) {
		m := Split([]byte(header))
		if cap(m.Fields) != len(m.Fields) {
			t.Errorf("Split(%q): %d fields in room for %d: countFields disagrees with Split", header, len(m.Fields), cap(m.Fields))
		}
		names := strings.Split(h, ":")
		got, want := m.Pick(names, skip), refPick(m, names, skip)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Pick(%q, %d) over %q = %v, want %v (the reference)", names, skip, header, got, want)
		}
		for _, name := range names {
			for _, fl := range m.Fields {
				if got, want := fl.Is(name), strings.EqualFold(fl.Name(), name); got != want {
					t.Errorf("Field(%q).Is(%q) = %v, want %v", fl.Raw, name, got, want)
				}
			}
		}
	})
}

var foldCases = []struct{ a, b string }{
	{"From", "from"},
	{"FROM", "From"},
	{"From", "Fro"},
	{"Fro", "From"},
	{"", ""},
	{"", "x"},
	{"DKIM-Signature", "dkim-signature"},
	{"Subject", "Subjecu"},
	{"@", "`"}, // one apart from A and a, not letters
	{"[", "{"},
	{"K-Mail", "\u212a-mail"},
	{"\u212a-mail", "k-MAIL"},
	{"x\u212a", "xK"},
	{"xk", "x\u212ay"},
	{"stra\u00dfe", "STRA\u00dfE"},
	{"\xff", "\xff"},
	{"\xff", "\xfe"},
	{"a\xff", "A\ufffd"},
	{"\u017f", "S"}, // long s folds to s
}

func TestEqualFold(t *testing.T) {
	for _, c := range foldCases {
		t.Run(c.a+"/"+c.b, func(t *testing.T) {
			if got, want := equalFold([]byte(c.a), c.b), strings.EqualFold(c.a, c.b); got != want {
				t.Errorf("equalFold(%q, %q) = %v, want %v (strings.EqualFold)", c.a, c.b, got, want)
			}
		})
	}
}

func FuzzEqualFold(f *testing.F) {
	for _, c := range foldCases {
		f.Add(c.a, c.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := equalFold([]byte(a), b), strings.EqualFold(a, b); got != want {
			t.Errorf("equalFold(%q, %q) = %v, want %v (strings.EqualFold)", a, b, got, want)
		}
	})
}

// BenchmarkPick picks a common h= over a header of 20 fields, as Verify
// does once per signature.
func BenchmarkPick(b *testing.B) {
	var hdr strings.Builder
	for i := 0; i < 14; i++ {
		fmt.Fprintf(&hdr, "Received: from hop%d by relay\r\n", i)
	}
	hdr.WriteString("DKIM-Signature: v=1\r\nFrom: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\nDate: today\r\nMessage-ID: <x@y>\r\n\r\n")
	m := Split([]byte(hdr.String()))
	names := strings.Split("From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:From:Subject", ":")
	for _, impl := range []struct {
		name string
		pick func(Message, []string, int) []int
	}{{"chained", Message.Pick}, {"reference", refPick}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				impl.pick(m, names, 14)
			}
		})
	}
}
