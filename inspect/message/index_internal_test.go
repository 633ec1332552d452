package message

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	stdtextproto "net/textproto"
	"reflect"
	"strings"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// seedMboxes are tricky mboxes for the equivalence test and the fuzz seeds.
var seedMboxes = []string{
	"From a@b Fri Nov 20 08:14:22 2026\nSubject: one\n\nfirst\n\nFrom c@d Sat Nov 21 10:00:00 2026\nSubject: two\n\nsecond\n",
	"From a@b Fri Nov 20 08:14:22 2026\r\nSubject: one\r\n\r\nfirst\r\n\r\nFrom c@d Sat Nov 21 10:00:00 2026\r\nSubject: two\r\n\r\n",
	"From a@b Fri Nov 20 08:14:22 2026\nSubject: q\n\n>From x\n>>From y\n\nFrom c@d Sat Nov 21 10:00:00 2026\nS: t\n\nx",
	"From a@b Fri Nov 20 08:14:22 2026\nContent-Length: 24\n\nhello\n\n>From inside\nbye\n\nFrom c@d Sat Nov 21 10:00:00 2026\nContent-Length: 3\n\nxy\n",
	"From a@b Fri Nov 20 08:14:22 2026\nContent-Length: 999\n\nshort\n",
	"From \nS: a\n\nb\n\nFrom nobody\nS: b\n\nFrom x@y Fri Nov 20 08:14:22 2026\nS: c",
	"From a@b Fri Nov 20 08:14:22 2026\n\nFrom a@b Fri Nov 20 08:14:22 2026\n\n\n\nFrom \n",
	"From a@b Fri Nov 20 08:14:22 2026\nS: a\nFrom c@d Sat Nov 21 10:00:00 2026\nS: b\n",
}

// randomMbox builds an mbox from pieces that stress the splitter: good and
// bad separators, Content-Length right and wrong, body lines that look like
// separators, both line endings, and a cut-off end.
func randomMbox(r *rand.Rand) []byte {
	var b bytes.Buffer
	n := 1 + r.IntN(6)
	for i := 0; i < n; i++ {
		nl := "\n"
		if r.IntN(3) == 0 {
			nl = "\r\n"
		}
		seps := []string{"From a@b Fri Nov 20 08:14:22 2026", "From ", "From x", "From - Mon Jan  2 03:04:05 2006 +0000"}
		b.WriteString(seps[r.IntN(len(seps))] + nl)
		var body strings.Builder
		for j := r.IntN(5); j > 0; j-- {
			lines := []string{"text", "", "From here", ">From there", ">>From deep", "From a@b Fri Nov 20 08:14:22 2026", "F", strings.Repeat("x", r.IntN(200))}
			body.WriteString(lines[r.IntN(len(lines))] + nl)
		}
		b.WriteString("Subject: m" + fmt.Sprint(i) + nl)
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "Content-Length: %d%s", body.Len(), nl)
		case 1:
			fmt.Fprintf(&b, "Content-Length: %d%s", r.IntN(100), nl)
		}
		if r.IntN(6) > 0 {
			b.WriteString(nl)
		}
		b.WriteString(body.String())
		if r.IntN(4) > 0 {
			b.WriteString(nl)
		}
	}
	out := b.Bytes()
	if r.IntN(5) == 0 {
		out = out[:r.IntN(len(out)+1)]
	}
	return out
}

func indexBoth(t testing.TB, in []byte, bufSize int) (mem, file indexResult) {
	opts := Options{}.withDefaults()
	mem, err := index(newScanner(nil, int64(len(in)), in, 0), opts)
	if err != nil {
		t.Fatalf("index in memory: %v", err)
	}
	file, err = index(newScanner(bytes.NewReader(in), int64(len(in)), nil, bufSize), opts)
	if err != nil {
		t.Fatalf("index through a window of %d: %v", bufSize, err)
	}
	return mem, file
}

// TestIndexWindowed checks that indexing a file through a small window
// finds exactly what indexing it in memory finds, so the boundaries of the
// 1 MiB window used on real files cannot change a result.
func TestIndexWindowed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{}
	for _, s := range seedMboxes {
		inputs = append(inputs, []byte(s))
	}
	for range 300 {
		in := randomMbox(r)
		if isMboxStart(in) {
			inputs = append(inputs, in)
		}
	}
	for i, in := range inputs {
		for _, size := range []int{64, 65, 71, 100, 257, 4096} {
			mem, file := indexBoth(t, in, size)
			if !reflect.DeepEqual(mem, file) {
				t.Fatalf("input %d, window %d: index differs\nmemory: %+v\nwindow: %+v\ninput: %q", i, size, mem, file, in)
			}
		}
	}
}

func TestMaxMessages(t *testing.T) {
	in := strings.Repeat("From a@b Fri Nov 20 08:14:22 2026\nSubject: x\n\nbody\n\n", 10)
	src, err := FromBytes("x", []byte(in), Options{MaxMessages: 4})
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != 4 {
		t.Fatalf("Len() = %d, want 4", src.Len())
	}
	if len(src.Steps()) != 1 || !strings.Contains(src.Steps()[0].Title, "Only the first 4 messages") {
		t.Errorf("Steps() = %+v, want one saying only 4 were indexed", src.Steps())
	}
	m, err := src.Message(3)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Raw) != "Subject: x\n\nbody\n" {
		t.Errorf("last indexed message Raw = %q, want it to end before the next separator", m.Raw)
	}
}

func TestEntrySize(t *testing.T) {
	// The 1 GiB benchmark's heap budget counts on this.
	if got := reflect.TypeFor[entry]().Size(); got != 16 {
		t.Errorf("entry is %d bytes, want 16", got)
	}
}

func TestSeparatorProblem(t *testing.T) {
	cases := []struct{ line, want string }{
		{"From alice@example.org Fri Nov 20 08:14:22 2026", ""},
		{"From MAILER-DAEMON Fri Jul  8 12:08:34 2011", ""},
		{"From - Mon Jan 01 00:00:00 2000", ""},
		{"From user@example.com Sat Jan  3 01:05:34 1996 +0100", ""},
		{"From bob Fri, 20 Nov 2026 08:14:22 +0000", ""},
		{"From ", "no sender and no date"},
		{"From    ", "no sender and no date"},
		{"From nobody", "no date"},
		{"From x@y yesterday", "not a ctime date"},
		{"From x@y Fri Nov 20 2026", "not a ctime date"},
		{"From x@y 12:00:00 2026", "not a ctime date"},
		{"Subject: x", `does not start with "From "`},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			got := separatorProblem([]byte(c.line))
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("separatorProblem(%q) = %q, want %q", c.line, got, c.want)
			}
		})
	}
}

func TestContentLength(t *testing.T) {
	cases := []struct {
		line string
		n    int64
		ok   bool
	}{
		{"Content-Length: 42", 42, true},
		{"content-length:42", 42, true},
		{"CONTENT-LENGTH :  7 ", 7, true},
		{"Content-Length: 0", 0, true},
		{"Content-Length: -1", 0, false},
		{"Content-Length: 12abc", 0, false},
		{"Content-Length:", 0, false},
		{"Content-Length: 9999999999999999999999", 0, false},
		{"Content-Lengthy: 5", 0, false},
		{"Content-Type: text/plain", 0, false},
	}
	for _, c := range cases {
		n, ok := contentLength([]byte(c.line))
		if n != c.n || ok != c.ok {
			t.Errorf("contentLength(%q) = %d, %v; want %d, %v", c.line, n, ok, c.n, c.ok)
		}
	}
}

func TestUnquote(t *testing.T) {
	cases := []struct {
		name, in    string
		rd          bool
		want        string
		count, deep int
	}{
		{"rd one level", ">From a\n>>From b\n>>>From c\n", true, "From a\n>From b\n>>From c\n", 3, 2},
		{"cl only exact", ">From a\n>>From b\n", false, "From a\n>>From b\n", 1, 1},
		{"not at line start", "x >From a\n", true, "x >From a\n", 0, 0},
		{"needs the space", ">Fromage\n>From\n", true, ">Fromage\n>From\n", 0, 0},
		{"crlf", ">From a\r\nb\r\n", true, "From a\r\nb\r\n", 1, 0},
		{"last line without newline", "a\n>From z", true, "a\nFrom z", 1, 0},
		{"quoted with space", "> From a\n", true, "> From a\n", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := []byte(c.in)
			n, count, deep := unquote(b, c.rd)
			if got := string(b[:n]); got != c.want || count != c.count || deep != c.deep {
				t.Errorf("unquote(%q, %v) = %q, %d, %d; want %q, %d, %d", c.in, c.rd, got, count, deep, c.want, c.count, c.deep)
			}
		})
	}
}

// checkMessage asserts what must hold for any message, whatever the input.
func checkMessage(t *testing.T, m *Message) {
	t.Helper()
	if m.HeaderEnd < 0 || m.HeaderEnd > m.BodyStart || m.BodyStart > len(m.Raw) {
		t.Fatalf("HeaderEnd %d, BodyStart %d, len(Raw) %d out of order", m.HeaderEnd, m.BodyStart, len(m.Raw))
	}
	if len(m.Fields) == 0 && !hasTitle(m, "line too long") {
		t.Fatalf("a message without fields was returned without ErrNotMail or a step saying why")
	}
	prev := 0
	for _, f := range m.Fields {
		if f.Offset < prev || f.Offset+len(f.Raw) > m.HeaderEnd || !bytes.Equal(m.Raw[f.Offset:f.Offset+len(f.Raw)], f.Raw) {
			t.Fatalf("field %q at %d (len %d) is not in order inside the header (end %d)", f.Name, f.Offset, len(f.Raw), m.HeaderEnd)
		}
		prev = f.Offset + len(f.Raw)
		if !bytes.HasPrefix(f.Raw, []byte(f.Name)) {
			t.Fatalf("field Raw %q does not start with its Name %q", f.Raw, f.Name)
		}
		if !strings.Contains(f.Value, "=?") && f.Display != f.Value {
			t.Fatalf("field %q: Display %q differs from Value %q without encoded words", f.Name, f.Display, f.Value)
		}
		if got := m.Values(f.Key); len(got) == 0 {
			t.Fatalf("Values(%q) is empty but the field exists", f.Key)
		}
		checkAsTextproto(t, f)
	}
	for _, s := range m.Steps {
		if s.Title == "" || s.Explain == "" || s.Ref == "" {
			t.Fatalf("step without title, explanation or reference: %+v", s)
		}
	}
	sum := m.Summary()
	if d, ok := m.Date(); ok != (sum.Date != "") || ok && d.UTC().Format(time.RFC3339) != sum.Date {
		t.Fatalf("Date() %v, %v but Summary().Date %q", d, ok, sum.Date)
	}
	fresh := &Message{Fields: m.Fields, File: m.File, Index: m.Index}
	if got := fresh.Summary(); got != sum {
		t.Fatalf("Summary() %+v, but read afresh %+v", sum, got)
	}
}

// checkAsTextproto holds a field to what go-message's textproto makes of
// its raw bytes, which parse used to hand every field to: the same key,
// unfolded value, and decoded text.
func checkAsTextproto(t *testing.T, f Field) {
	t.Helper()
	var h textproto.Header
	h.AddRaw(f.Raw)
	it := h.Fields()
	if !it.Next() {
		t.Fatalf("textproto holds no field for %q", f.Raw)
	}
	if it.Key() != f.Key || it.Value() != f.Value {
		t.Fatalf("field %q: Key %q, Value %q; textproto: %q, %q", f.Raw, f.Key, f.Value, it.Key(), it.Value())
	}
	if want := string(bytes.TrimRight(f.Raw[:bytes.IndexByte(f.Raw, ':')], " \t")); f.Name != want {
		t.Fatalf("field %q: Name %q, want %q", f.Raw, f.Name, want)
	}
	mit := (&gomessage.Header{Header: h}).Fields()
	mit.Next()
	text, err := mit.Text()
	if strings.Contains(f.Value, "=?") && text != f.Display || !strings.Contains(f.Value, "=?") && f.Display != f.Value {
		t.Fatalf("field %q: Display %q, textproto's Text %q (%v)", f.Raw, f.Display, text, err)
	}
	got, gotErr := decodeWords(f.Value)
	if got != text || fmt.Sprint(gotErr) != fmt.Sprint(err) || (gotErr != nil && gomessage.IsUnknownCharset(err)) != (gotErr != nil && isUnknownCharset(gotErr)) {
		t.Fatalf("field %q: decodeWords %q, %v; go-message %q, %v", f.Raw, got, gotErr, text, err)
	}
}

func isUnknownCharset(err error) bool {
	_, ok := err.(unknownCharset)
	return ok
}

// TestFieldsAsTextproto: parse splits names and unfolds values itself;
// these are the cases where doing it as go-message's textproto does is
// least obvious. checkMessage also holds every field to textproto.
func TestFieldsAsTextproto(t *testing.T) {
	cases := []struct {
		name, header            string
		wantName, wantKey, want string
	}{
		{"plain", "Subject: hello\r\n\r\n", "Subject", "Subject", "hello"},
		{"lower-case name", "message-id: <a@b>\n\n", "message-id", "Message-Id", "<a@b>"},
		{"upper-case name", "DKIM-Signature: v=1\n\n", "DKIM-Signature", "Dkim-Signature", "v=1"},
		{"not a token", "X(y): z\n\n", "X(y)", "X(y)", "z"},
		{"white space before the colon", "Subject \t: obs\n\n", "Subject", "Subject", "obs"},
		{"folded", "Received: from a\r\n\tby b\r\n  for c ;\r\n\r\n", "Received", "Received", "from a by b for c ;"},
		{"blank continuation lines", "X: a\n \n\t\n b\n\n", "X", "X", "a b"},
		{"empty value", "X:\n\n", "X", "X", ""},
		{"empty value folded", "X:   \r\n \r\n\n", "X", "X", ""},
		{"value on the next line", "X:\n\tv\n\n", "X", "X", "v"},
		{"bare CR inside", "X: a\rb \r\n c\r\r\n\n", "X", "X", "a\rb c\r"},
		{"no line ending at the end", "X: last", "X", "X", "last"},
		{"colon in the value", "X: a: b\n\n", "X", "X", "a: b"},
		{"encoded words", "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?iso-8859-1?q?=E9t=E9?=\n\n", "Subject", "Subject", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?iso-8859-1?q?=E9t=E9?="},
		{"unknown charset", "Subject: =?x-unknown?Q?abc?=\n\n", "Subject", "Subject", "=?x-unknown?Q?abc?="},
		{"broken encoded word", "Subject: =?UTF-8?B?%%%?=\n\n", "Subject", "Subject", "=?UTF-8?B?%%%?="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := FromBytes("t.eml", []byte(c.header), Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := src.Message(0)
			if err != nil {
				t.Fatal(err)
			}
			checkMessage(t, m)
			f := m.Fields[0]
			if f.Name != c.wantName || f.Key != c.wantKey || f.Value != c.want {
				t.Errorf("got Name %q, Key %q, Value %q; want %q, %q, %q", f.Name, f.Key, f.Value, c.wantName, c.wantKey, c.want)
			}
		})
	}
}

func hasTitle(m *Message, fragment string) bool {
	for _, s := range m.Steps {
		if strings.Contains(s.Title, fragment) {
			return true
		}
	}
	return false
}

func FuzzMbox(f *testing.F) {
	for _, s := range seedMboxes {
		f.Add([]byte(s))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(randomMbox(r))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src, err := FromBytes("fuzz", in, Options{MaxMessageSize: 1 << 20})
		if err != nil {
			if len(in) == 0 && errors.Is(err, ErrEmpty) {
				return
			}
			t.Fatalf("FromBytes: %v", err)
		}
		if src.Kind == KindMbox {
			for _, size := range []int{64, 97} {
				mem, file := indexBoth(t, in, size)
				if !reflect.DeepEqual(mem, file) {
					t.Fatalf("window %d: index differs\nmemory: %+v\nwindow: %+v", size, mem, file)
				}
			}
			prev := int64(-1)
			for _, e := range src.entries {
				if e.sep <= prev || e.sep+int64(e.dataOff) > int64(len(in)) {
					t.Fatalf("entries out of order or past the end: %+v", src.entries)
				}
				prev = e.sep
			}
		}
		for i := 0; i < src.Len(); i++ {
			m, err := src.Message(i)
			if err != nil {
				var le *Error
				if !errors.As(err, &le) {
					t.Fatalf("message %d: error %v is not an *Error", i+1, err)
				}
				continue
			}
			if len(m.Raw) > len(in) {
				t.Fatalf("message %d is longer than the input", i+1)
			}
			if src.Kind == KindMessage && !bytes.Equal(m.Raw, in) {
				t.Fatalf("single message Raw is not the input")
			}
			checkMessage(t, m)
		}
	})
}

func FuzzHeader(f *testing.F) {
	for _, s := range []string{
		"From: a@example.org\nSubject: x\n\nbody\n",
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nX: =?koi8-r?B?8NLJ18XU?=\r\n\r\n",
		"Received: a\r\n\tb\r\n c\r\nX-Broken\r\nY: z\r\n\r\n",
		" x\nSubject: y\nno colon\nmore\n",
		"\xef\xbb\xbfSubject: x\r\n\n\rTo: y\r\n",
		"Subject : obs\nDate: Fri, 20 Nov 2026 08:14:22 +0000\nDate: nonsense\n\n",
		"\x89PNG\r\n\x1a\n\x00\x00",
		"A:\nB:\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || isMboxStart(in) {
			return
		}
		opts := Options{MaxHeaderFields: 50, MaxLineLength: 200}
		src, err := FromBytes("fuzz", in, opts)
		if err != nil {
			t.Fatalf("FromBytes: %v", err)
		}
		m, err := src.Message(0)
		if err != nil {
			if !errors.Is(err, ErrNotMail) {
				t.Fatalf("Message(0): %v, want a message or ErrNotMail", err)
			}
			return
		}
		if len(m.Fields) > 50 {
			t.Fatalf("%d fields, more than MaxHeaderFields", len(m.Fields))
		}
		checkMessage(t, m)
	})
}

// TestThousands: the numbers of load steps, written without fmt.
func TestThousands(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"},
		{999999, "999,999"}, {1234567, "1,234,567"}, {-5, "-5"}, {-1234, "-1234"},
		{math.MaxInt64, "9,223,372,036,854,775,807"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := thousands(c.n); got != c.want {
				t.Errorf("thousands(%d) = %q, want %q", c.n, got, c.want)
			}
			if got := string(appendThousands([]byte("x"), c.n)); got != "x"+c.want {
				t.Errorf("appendThousands(x, %d) = %q, want %q", c.n, got, "x"+c.want)
			}
		})
	}
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 lines"}, {1, "1 line"}, {2, "2 lines"}, {1500, "1,500 lines"}} {
		if got := plural(c.n, "line"); got != c.want {
			t.Errorf("plural(%d) = %q, want %q", c.n, got, c.want)
		}
		if got := string(appendPlural(nil, c.n, "line")); got != c.want {
			t.Errorf("appendPlural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestDescribe: the detail of a load step.
func TestDescribe(t *testing.T) {
	cases := []struct {
		name string
		m    Message
		want string
	}{
		{"body", Message{Raw: make([]byte, 51200), BodyStart: 1088, LineEnding: "LF", Fields: make([]Field, 12)}, "51,200 bytes, LF line endings, 12 header fields, body of 50,112 bytes"},
		{"no body", Message{Raw: make([]byte, 30), BodyStart: 30, Fields: make([]Field, 1)}, "30 bytes, 1 header field, no body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := describe(&c.m); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestWriteKey holds writeKey to net/textproto.CanonicalMIMEHeaderKey:
// every byte value in every position of short names, and the names mail
// carries.
func TestWriteKey(t *testing.T) {
	key := func(name string) string {
		var b strings.Builder
		writeKey(&b, []byte(name))
		if b.Len() == 0 {
			return name
		}
		return b.String()
	}
	names := []string{"From", "from", "FROM", "DKIM-Signature", "Message-ID", "ARC-Seal", "X-MS-Exchange-Organization-SCL",
		"x-bench-seq", "Content-type", "a-", "-a", "--x", "x--y", "a1-b2", "1a", "X_Y", "x.y-z", "X(y)"}
	for c := range 256 {
		for _, f := range []string{"%c", "a%c", "%cb", "A-%cb", "x%c-y"} {
			names = append(names, strings.ReplaceAll(f, "%c", string([]byte{byte(c)})))
		}
	}
	for _, name := range names {
		if got, want := key(name), stdtextproto.CanonicalMIMEHeaderKey(name); got != want {
			t.Errorf("key of %q = %q, want %q", name, got, want)
		}
	}
}
