package dkim

import (
	"bytes"
	"crypto"
	"fmt"
	"strings"
	"testing"
)

// refCanonBody is the canonicalization this package used before it was
// made a stream: the body copied with CRLF line ends, split at each CRLF,
// and written out byte by byte. It is slow and obviously right, and the
// streaming code must give exactly its bytes.
func refCanonBody(body []byte, c Canon) []byte {
	body = CRLF(body)
	if c != Relaxed {
		end := len(body)
		for end >= 2 && body[end-2] == '\r' && body[end-1] == '\n' {
			end -= 2
		}
		out := append([]byte{}, body[:end]...)
		return append(out, '\r', '\n')
	}
	out := []byte{}
	keep := 0
	for len(body) > 0 {
		line := body
		eol := false
		if i := bytes.Index(body, []byte("\r\n")); i >= 0 {
			line, body, eol = body[:i], body[i+2:], true
		} else {
			body = nil
		}
		start := len(out)
		space := false
		for _, ch := range line {
			if ch == ' ' || ch == '\t' {
				space = true
				continue
			}
			if space {
				out = append(out, ' ')
				space = false
			}
			out = append(out, ch)
		}
		nonEmpty := len(out) > start
		if !eol && !nonEmpty {
			break
		}
		out = append(out, '\r', '\n')
		if nonEmpty {
			keep = len(out)
		}
	}
	return out[:keep]
}

// streamed canonicalizes through an emitter whose buffer holds only size
// bytes, so that pieces cross chunk boundaries everywhere.
func streamed(body []byte, c Canon, size int) []byte {
	var out []byte
	e := &bodyEmitter{buf: make([]byte, 0, size), out: func(p []byte) { out = append(out, p...) }}
	if c == Relaxed {
		relaxedBody(body, e)
	} else {
		simpleBody(body, e)
	}
	e.flush()
	return out
}

var canonCases = []struct{ name, in string }{
	{"empty", ""},
	{"one LF", "\n"},
	{"one CRLF", "\r\n"},
	{"lone CR", "\r"},
	{"CR CR LF", "\r\r\n"},
	{"CR then LF line", "\r\n\n"},
	{"LF then CR", "\n\r"},
	{"only blank lines", "\r\n\r\n\n\n"},
	{"only whitespace", "  \t "},
	{"whitespace lines", " \n\t\n  \r\n"},
	{"no final line break", "abc"},
	{"lone LF lines", "a\nb\n\n"},
	{"CRLF lines", "a\r\nb\r\n\r\n"},
	{"mixed", "a\r\nb\nc\r\n\nd"},
	{"leading space kept as one", "  a\n\tb\n \t c\n"},
	{"trailing whitespace", "a  \nb\t\r\nc \t"},
	{"double spaces", "a  b   c    d\n"},
	{"single spaces", "a b c d\n"},
	{"tabs", "a\tb\t\tc \t d\n"},
	{"space before lone CR", "a  \rb \r\n"},
	{"CR inside whitespace", "a \r b\n"},
	{"blank lines inside kept", "a\r\n\r\n\r\nb\r\n\r\n"},
	{"blank lines with spaces inside", "a\n  \n\t\nb\n \n"},
	{"trailing lone CR", "a\n\r"},
	{"RFC 6376 §3.4.5", " C \r\nD \t E\r\n\r\n\r\n"},
	{"double space at end of line, next line", "a  \nb  c\n"},
	{"tab in trailing whitespace, tab later", "a \t\nb\n c\td\n"},
}

func TestStreamedCanonBodyMatchesReference(t *testing.T) {
	long := strings.Repeat("word  word\tword word \r\n", 2000) + strings.Repeat("x", 40000) + "\n\n\n"
	cases := append(canonCases, struct{ name, in string }{"long", long}, struct{ name, in string }{"long LF", strings.ReplaceAll(long, "\r\n", "\n")})
	for _, c := range cases {
		for _, canon := range []Canon{Simple, Relaxed} {
			want := refCanonBody([]byte(c.in), canon)
			t.Run(fmt.Sprintf("%s/%s", c.name, canon), func(t *testing.T) {
				if got := CanonBody([]byte(c.in), canon); !bytes.Equal(got, want) {
					t.Errorf("CanonBody(%q) = %q, want %q", c.in, got, want)
				}
				for _, size := range []int{1, 2, 3, 7, 64} {
					if got := streamed([]byte(c.in), canon, size); !bytes.Equal(got, want) {
						t.Errorf("with a %d-byte buffer: %q, want %q", size, got, want)
					}
				}
			})
		}
	}
}

func TestHashRawBody(t *testing.T) {
	body := []byte("Hi  Bob,\n\nShall we\tmeet?\n\n\n")
	for _, canon := range []Canon{Simple, Relaxed} {
		canonical := refCanonBody(body, canon)
		for _, limit := range []int64{-1, 0, 1, 10, int64(len(canonical)) - 1, int64(len(canonical)), int64(len(canonical)) + 1, 1 << 62} {
			t.Run(fmt.Sprintf("%s/l=%d", canon, limit), func(t *testing.T) {
				got := HashRawBody(body, canon, crypto.SHA256, limit)
				want := HashBody(canonical, crypto.SHA256, limit)
				if !bytes.Equal(got.Sum, want.Sum) || got.Canonical != want.Canonical || got.Hashed != want.Hashed || got.Short != want.Short || !bytes.Equal(got.Tail, want.Tail) {
					t.Errorf("HashRawBody = %+v, want %+v", got, want)
				}
				h := crypto.SHA256.New()
				h.Write(canonical[:want.Hashed])
				if !bytes.Equal(want.Sum, h.Sum(nil)) {
					t.Errorf("Sum is not the hash of the first %d canonical bytes", want.Hashed)
				}
				var tail []byte
				if limit >= 0 && !want.Short {
					tail = canonical[want.Hashed:]
				}
				if !bytes.Equal(want.Tail, tail) {
					t.Errorf("Tail = %q, want %q", want.Tail, tail)
				}
			})
		}
	}
	// A tail longer than TailMax is cut there, and Preview still shows all
	// it can show of it.
	long := bytes.Repeat([]byte("é"), 3000)
	got := HashRawBody(long, Simple, crypto.SHA256, 2)
	if len(got.Tail) != TailMax || got.Canonical != int64(len(long)+2) {
		t.Errorf("tail of %d bytes, canonical %d; want %d, %d", len(got.Tail), got.Canonical, TailMax, len(long)+2)
	}
	if p, w := Preview(got.Tail, 200), Preview(CanonBody(long, Simple)[2:], 200); p != w {
		t.Errorf("Preview(Tail) = %q, want %q", p, w)
	}
}

func TestCRLF(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"\n", "\r\n"}, {"\r\n", "\r\n"}, {"a\nb\r\nc\n", "a\r\nb\r\nc\r\n"}, {"\r\r\n\n", "\r\r\n\r\n"}, {"\n\n", "\r\n\r\n"}, {"a\r", "a\r"},
	} {
		if got := string(CRLF([]byte(c.in))); got != c.want {
			t.Errorf("CRLF(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzCanonBodyStream checks the streaming canonicalization against the
// reference on any body, with buffers small enough to split every piece.
func FuzzCanonBodyStream(f *testing.F) {
	for _, c := range canonCases {
		f.Add([]byte(c.in), uint8(3))
	}
	f.Fuzz(func(t *testing.T, body []byte, size uint8) {
		for _, canon := range []Canon{Simple, Relaxed} {
			want := refCanonBody(body, canon)
			if got := CanonBody(body, canon); !bytes.Equal(got, want) {
				t.Fatalf("CanonBody(%q, %s) = %q, want %q", body, canon, got, want)
			}
			if got := streamed(body, canon, int(size%16)+1); !bytes.Equal(got, want) {
				t.Fatalf("streamed(%q, %s, %d) = %q, want %q", body, canon, size%16+1, got, want)
			}
			limit := int64(size) - 1
			got, w := HashRawBody(body, canon, crypto.SHA256, limit), HashBody(want, crypto.SHA256, limit)
			if !bytes.Equal(got.Sum, w.Sum) || got.Canonical != w.Canonical || got.Hashed != w.Hashed || got.Short != w.Short || !bytes.Equal(got.Tail, w.Tail) {
				t.Fatalf("HashRawBody(%q, %s, %d) = %+v, want %+v", body, canon, limit, got, w)
			}
		}
	})
}

// BenchmarkBodyHash hashes a 50 KiB body of text lines with LF line ends,
// as an mbox stores it, some words two spaces apart: "stream" is what
// Verify does, "copying" the copy-then-hash path this package used before
// (the reference canonicalization, then HashBody).
func BenchmarkBodyHash(b *testing.B) {
	var body bytes.Buffer
	words := strings.Fields("the report for quarter shows growth of 12.5% in sales, while costs fell; see attached tables and notes.")
	for i := 0; body.Len() < 50<<10; i++ {
		for j := range 10 {
			if j > 0 {
				body.WriteByte(' ')
				if (i+j)%8 == 0 {
					body.WriteByte(' ')
				}
			}
			body.WriteString(words[(i*7+j)%len(words)])
		}
		body.WriteByte('\n')
	}
	for _, canon := range []Canon{Simple, Relaxed} {
		b.Run(string(canon)+"/stream", func(b *testing.B) {
			buf := make([]byte, 0, bodyChunk)
			b.SetBytes(int64(body.Len()))
			b.ReportAllocs()
			defer ReportCPU(b)()
			for b.Loop() {
				hashRawBody(body.Bytes(), canon, crypto.SHA256, -1, buf)
			}
		})
		b.Run(string(canon)+"/copying", func(b *testing.B) {
			b.SetBytes(int64(body.Len()))
			b.ReportAllocs()
			defer ReportCPU(b)()
			for b.Loop() {
				HashBody(refCanonBody(body.Bytes(), canon), crypto.SHA256, -1)
			}
		})
	}
}

func TestNextDoubleSpace(t *testing.T) {
	ref := func(b []byte, from int) int {
		for i := from; i+1 < len(b); i++ {
			if b[i] == ' ' && b[i+1] == ' ' {
				return i
			}
		}
		return len(b)
	}
	inputs := []string{"", " ", "  ", "\t", "\t\t", " \t ", "abcdefg ", "abcdefg  ", "abcdefgh  ", "abcdefghi  ", "abcdefg \t", "a b c d e f g h i j k l m n", "a b c d e f g h  i", "0123456789abcdef  ", "0123456789abcde  ", "0123456789abcdefg  ", "\x00\x20\x21\x08\x09\x0a\xa0\xff  ", "ÿ  ", "a \x80 \xa0  ", "\x20\x20\x20\x20\x20\x20\x20\x20\x20", "\x21\x21\x21\x21\x21\x21\x21 \x20", "\xa0\xa0 \xa0\xa0 \xa0\xa0  ", " \x00 \x00 \x00 \x00 \x00 \x00  ", "@@@@@@@@ @@@@@@@ ", "a b c d e f g h i j k l m n o p q  r s t u v w x y z"}
	for _, in := range inputs {
		for from := 0; from <= len(in); from++ {
			if got, want := nextDoubleSpace([]byte(in), from), ref([]byte(in), from); got != want {
				t.Errorf("nextDoubleSpace(%q, %d) = %d, want %d", in, from, got, want)
			}
		}
	}
}

func TestNextTab(t *testing.T) {
	ref := func(b []byte, from int) int {
		if i := bytes.IndexByte(b[from:], '\t'); i >= 0 {
			return from + i
		}
		return len(b)
	}
	inputs := []string{"", "\t", " ", "a\tb", "\t\t\t", "0123456789abcde\t", "0123456789abcdef\t", "0123456789abcdefg\t", "0123456789abcdef0123456789abcdef\tx\t", "\x09\x0a\x0b\x89\t"}
	for _, in := range inputs {
		for from := 0; from <= len(in); from++ {
			if got, want := nextTab([]byte(in), from), ref([]byte(in), from); got != want {
				t.Errorf("nextTab(%q, %d) = %d, want %d", in, from, got, want)
			}
		}
	}
}
