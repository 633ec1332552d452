package message_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
)

// field is what a test expects of a parsed header field.
type field struct{ name, value, display string }

func fieldsOf(m *message.Message) []field {
	var out []field
	for _, f := range m.Fields {
		out = append(out, field{f.Name, f.Value, f.Display})
	}
	return out
}

func titles(steps []trace.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Title)
	}
	return out
}

// hasSteps reports the first wanted title fragment that no step has.
func missingStep(steps []trace.Step, want []string) string {
	for _, w := range want {
		found := false
		for _, s := range steps {
			if strings.Contains(s.Title, w) {
				found = true
				break
			}
		}
		if !found {
			return w
		}
	}
	return ""
}

func load(t *testing.T, in string) *message.Message {
	t.Helper()
	src, err := message.FromBytes("test.eml", []byte(in), message.Options{})
	if err != nil {
		t.Fatalf("FromBytes: %v", err)
	}
	if src.Len() != 1 {
		t.Fatalf("FromBytes(%q) has %d messages, want 1", in, src.Len())
	}
	m, err := src.Message(0)
	if err != nil {
		t.Fatalf("Message(0): %v", err)
	}
	return m
}

func TestSingleMessage(t *testing.T) {
	cases := []struct {
		name       string
		in         string
		fields     []field
		body       string // Raw[BodyStart:]
		header     string // Raw[:HeaderEnd]
		lineEnding string
		steps      []string // fragments of step titles that must appear
		warns      int      // number of Warn steps
	}{
		{
			name:       "lf",
			in:         "From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: Hello\n\nHi Bob.\n",
			fields:     []field{{"From", "Alice <alice@example.org>", "Alice <alice@example.org>"}, {"To", "bob@example.com", "bob@example.com"}, {"Subject", "Hello", "Hello"}},
			header:     "From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: Hello\n",
			body:       "Hi Bob.\n",
			lineEnding: "LF",
			steps:      []string{"Loaded one message"},
		},
		{
			name:       "crlf",
			in:         "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n",
			fields:     []field{{"From", "a@example.org", "a@example.org"}, {"Subject", "x", "x"}},
			header:     "From: a@example.org\r\nSubject: x\r\n",
			body:       "body\r\n",
			lineEnding: "CRLF",
		},
		{
			name:       "folded value is unfolded",
			in:         "Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTP;\r\n  Fri, 20 Nov 2026 08:14:30 +0000\r\nSubject: x\r\n\r\n",
			fields:     []field{{"Received", "from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Fri, 20 Nov 2026 08:14:30 +0000", "from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Fri, 20 Nov 2026 08:14:30 +0000"}, {"Subject", "x", "x"}},
			header:     "Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTP;\r\n  Fri, 20 Nov 2026 08:14:30 +0000\r\nSubject: x\r\n",
			lineEnding: "CRLF",
		},
		{
			name: "rfc 2047 words decoded for display",
			in: "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\n" +
				"From: =?ISO-8859-1?B?Sm/rbA==?= <joel@example.org>\n" +
				"X-Koi: =?koi8-r?B?8NLJ18XU?=\n" +
				"X-Win: =?windows-1252?Q?=93quoted=94?=\n\n",
			fields: []field{
				{"Subject", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln"},
				{"From", "=?ISO-8859-1?B?Sm/rbA==?= <joel@example.org>", "Joël <joel@example.org>"},
				{"X-Koi", "=?koi8-r?B?8NLJ18XU?=", "Привет"},
				{"X-Win", "=?windows-1252?Q?=93quoted=94?=", "“quoted”"},
			},
			lineEnding: "LF",
		},
		{
			name:       "unknown charset kept as sent",
			in:         "Subject: =?x-klingon?Q?qapla?=\n\n",
			fields:     []field{{"Subject", "=?x-klingon?Q?qapla?=", "=?x-klingon?Q?qapla?="}},
			lineEnding: "LF",
			steps:      []string{"Encoded words in an unknown charset"},
			warns:      1,
		},
		{
			name:       "space before colon (obsolete syntax)",
			in:         "Subject : old style\nDKIM-Signature: v=1\n\n",
			fields:     []field{{"Subject", "old style", "old style"}, {"DKIM-Signature", "v=1", "v=1"}},
			lineEnding: "LF",
		},
		{
			name:       "empty value",
			in:         "Subject:\nX-Empty:   \n\n",
			fields:     []field{{"Subject", "", ""}, {"X-Empty", "", ""}},
			lineEnding: "LF",
		},
		{
			name:       "no blank line between header and body",
			in:         "From: a@example.org\nSubject: x\nHello Bob,\nthis is the body.\n",
			fields:     []field{{"From", "a@example.org", "a@example.org"}, {"Subject", "x", "x"}},
			header:     "From: a@example.org\nSubject: x\n",
			body:       "Hello Bob,\nthis is the body.\n",
			lineEnding: "LF",
			steps:      []string{"No blank line between header and body"},
			warns:      1,
		},
		{
			name:       "header without colon is skipped",
			in:         "From: a@example.org\nX-Broken header line\nSubject: still read\n\nbody\n",
			fields:     []field{{"From", "a@example.org", "a@example.org"}, {"Subject", "still read", "still read"}},
			body:       "body\n",
			lineEnding: "LF",
			steps:      []string{"Line 2 is not a header field"},
			warns:      1,
		},
		{
			name:       "name with a space is not a field",
			in:         "From: a@example.org\nBad Name: value\n\nbody\n",
			fields:     []field{{"From", "a@example.org", "a@example.org"}},
			body:       "body\n",
			lineEnding: "LF",
			steps:      []string{"Line 2 is not a header field"},
			warns:      1,
		},
		{
			name:       "continuation on the first line",
			in:         " leading space\nSubject: x\n\n",
			fields:     []field{{"Subject", "x", "x"}},
			lineEnding: "LF",
			steps:      []string{"Line 1 is not a header field"},
			warns:      1,
		},
		{
			name:       "header only, no blank line, no body",
			in:         "From: a@example.org\nSubject: x\n",
			fields:     []field{{"From", "a@example.org", "a@example.org"}, {"Subject", "x", "x"}},
			header:     "From: a@example.org\nSubject: x\n",
			body:       "",
			lineEnding: "LF",
		},
		{
			name:   "no line ending at all",
			in:     "Subject: one line",
			fields: []field{{"Subject", "one line", "one line"}},
			header: "Subject: one line",
		},
		{
			name:       "byte order mark",
			in:         "\xef\xbb\xbfSubject: x\n\nbody\n",
			fields:     []field{{"Subject", "x", "x"}},
			body:       "body\n",
			lineEnding: "LF",
			steps:      []string{"byte order mark"},
			warns:      1,
		},
		{
			name:       "mixed line endings",
			in:         "Subject: x\r\nTo: y\n\r\nbody\n",
			fields:     []field{{"Subject", "x", "x"}, {"To", "y", "y"}},
			lineEnding: "mixed",
			steps:      []string{"Mixed line endings"},
			warns:      1,
		},
		{
			name:       "bare cr",
			in:         "Subject: x\rTo: hidden\nFrom: a@example.org\n\n",
			fields:     []field{{"Subject", "x\rTo: hidden", "x\rTo: hidden"}, {"From", "a@example.org", "a@example.org"}},
			lineEnding: "LF",
			steps:      []string{"Bare CR"},
			warns:      1,
		},
		{
			name:       "nul in header",
			in:         "Subject: a\x00b\nFrom: a@example.org\n\n",
			fields:     []field{{"Subject", "a\x00b", "a\x00b"}, {"From", "a@example.org", "a@example.org"}},
			lineEnding: "LF",
			steps:      []string{"NUL bytes"},
			warns:      1,
		},
		{
			name:       "latin-1 bytes without encoding",
			in:         "Subject: caf\xe9\n\n",
			fields:     []field{{"Subject", "caf\xe9", "caf\xe9"}},
			lineEnding: "LF",
			steps:      []string{"not UTF-8"},
			warns:      1,
		},
		{
			name:       "utf-8 header (RFC 6532) is fine",
			in:         "Subject: Grüße\n\n",
			fields:     []field{{"Subject", "Grüße", "Grüße"}},
			lineEnding: "LF",
		},
		{
			name:       "date that does not parse",
			in:         "Date: yesterday at noon\nSubject: x\n\n",
			fields:     []field{{"Date", "yesterday at noon", "yesterday at noon"}, {"Subject", "x", "x"}},
			lineEnding: "LF",
			steps:      []string{"Date field does not parse"},
			warns:      1,
		},
		{
			name:       "terminal escapes are kept as data",
			in:         "Subject: \x1b[2Jgone\u202e\n\n",
			fields:     []field{{"Subject", "\x1b[2Jgone\u202e", "\x1b[2Jgone\u202e"}},
			lineEnding: "LF",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := load(t, c.in)
			if string(m.Raw) != c.in {
				t.Errorf("Raw = %q, want the input byte for byte", m.Raw)
			}
			if got := fieldsOf(m); !reflect.DeepEqual(got, c.fields) {
				t.Errorf("fields = %q\nwant     %q", got, c.fields)
			}
			if c.header != "" {
				if got := string(m.Header()); got != c.header {
					t.Errorf("Header() = %q, want %q", got, c.header)
				}
			}
			if c.body != "" || c.header != "" {
				if got := string(m.Body()); got != c.body {
					t.Errorf("Body() = %q, want %q", got, c.body)
				}
			}
			if m.LineEnding != c.lineEnding {
				t.Errorf("LineEnding = %q, want %q", m.LineEnding, c.lineEnding)
			}
			if w := missingStep(m.Steps, c.steps); w != "" {
				t.Errorf("no step titled like %q in %q", w, titles(m.Steps))
			}
			warns := 0
			for _, s := range m.Steps {
				if s.Result == trace.Warn {
					warns++
				}
				if s.Explain == "" || s.Ref == "" {
					t.Errorf("step %q lacks Explain or Ref: %+v", s.Title, s)
				}
			}
			if warns != c.warns {
				t.Errorf("%d warn steps, want %d: %q", warns, c.warns, titles(m.Steps))
			}
			if m.Format != message.Single || m.Index != 1 || m.File != "test.eml" {
				t.Errorf("Format, Index, File = %q, %d, %q; want rfc5322, 1, test.eml", m.Format, m.Index, m.File)
			}
			for _, f := range m.Fields {
				if string(m.Raw[f.Offset:f.Offset+len(f.Raw)]) != string(f.Raw) {
					t.Errorf("field %s: Raw is not Message.Raw at Offset %d", f.Name, f.Offset)
				}
			}
		})
	}
}

func TestFieldRawIsByteExact(t *testing.T) {
	in := "DKIM-Signature: v=1; a=rsa-sha256;\r\n\td=example.org; s=sel;\r\n\tb=abc\r\nSubject:  two  spaces \r\n\r\n"
	m := load(t, in)
	want := []string{
		"DKIM-Signature: v=1; a=rsa-sha256;\r\n\td=example.org; s=sel;\r\n\tb=abc\r\n",
		"Subject:  two  spaces \r\n",
	}
	for i, f := range m.Fields {
		if string(f.Raw) != want[i] {
			t.Errorf("Fields[%d].Raw = %q, want %q", i, f.Raw, want[i])
		}
	}
	if got := m.Fields[0].Key; got != "Dkim-Signature" {
		t.Errorf("Key = %q, want the canonical Dkim-Signature", got)
	}
	if got := m.Fields[1].Value; got != "two  spaces" {
		t.Errorf("Value = %q, want inner spaces kept, outer trimmed", got)
	}
}

func TestAccessors(t *testing.T) {
	m := load(t, "Received: from c by d\nSubject: x\nreceived: from b by c\nRECEIVED: from a by b\nAuthentication-Results: mx; spf=pass\n\n")
	if got, want := m.Values("Received"), []string{"from c by d", "from b by c", "from a by b"}; !reflect.DeepEqual(got, want) {
		t.Errorf(`Values("Received") = %q, want %q (top first)`, got, want)
	}
	if got, want := m.Values("rEcEiVeD"), m.Values("Received"); !reflect.DeepEqual(got, want) {
		t.Errorf("Values is case-sensitive: %q vs %q", got, want)
	}
	if got := m.Get("received"); got != "from c by d" {
		t.Errorf(`Get("received") = %q, want the top-most`, got)
	}
	if got := m.Count("RECEIVED"); got != 3 {
		t.Errorf(`Count("RECEIVED") = %d, want 3`, got)
	}
	if got := m.Get("X-Missing"); got != "" {
		t.Errorf(`Get("X-Missing") = %q, want ""`, got)
	}
	if got := m.Values("X-Missing"); got != nil {
		t.Errorf(`Values("X-Missing") = %q, want nil`, got)
	}
	fs := m.FieldsByKey("received")
	if len(fs) != 3 || fs[1].Name != "received" || fs[2].Name != "RECEIVED" || fs[1].Line != 3 {
		t.Errorf(`FieldsByKey("received") = %+v, want 3 fields keeping their written names and lines`, fs)
	}
}

func TestSummary(t *testing.T) {
	m := load(t, "From: =?UTF-8?Q?PayPal_Service?= <service@paypal.example>\r\n"+
		"Subject: Your account is limited\r\n"+
		"Date: Fri, 20 Nov 2026 09:14:22 +0100 (CET)\r\n"+
		"Message-ID: <8f2c1@mailer.attacker.example>\r\n\r\n")
	got := m.Summary()
	want := message.Summary{File: "test.eml", Index: 1, MessageID: "<8f2c1@mailer.attacker.example>",
		From: "PayPal Service <service@paypal.example>", Subject: "Your account is limited", Date: "2026-11-20T08:14:22Z"}
	if got != want {
		t.Errorf("Summary() = %+v\nwant        %+v", got, want)
	}
	if got := load(t, "Subject: x\n\n").Summary(); got.Date != "" || got.From != "" || got.MessageID != "" {
		t.Errorf("Summary of a message without From/Date/Message-ID = %+v, want empty fields", got)
	}
}

func TestNotMail(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "looks like a PNG image"},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "looks like a PDF document"},
		{"nul junk", "\x00\x01\x02\x03garbage\x00\x00\n\x05\x06", "contains NUL bytes"},
		{"prose", "Dear Bob,\nthis is not a mail message.\nRegards\n", "line 1 has no colon"},
		{"only blank lines", "\n\n\r\n", "only blank lines"},
		{"continuation only", "  indented\n  more\n", "line 1 starts with white space"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := message.FromBytes("x", []byte(c.in), message.Options{})
			if err != nil {
				t.Fatalf("FromBytes: %v", err)
			}
			m, err := src.Message(0)
			if m != nil || !errors.Is(err, message.ErrNotMail) {
				t.Fatalf("Message(0) = %v, %v; want ErrNotMail", m, err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x: not a mail message: ") {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestEmptyInput(t *testing.T) {
	_, err := message.FromBytes("stdin", nil, message.Options{})
	if !errors.Is(err, message.ErrEmpty) {
		t.Fatalf("FromBytes(empty) error = %v, want ErrEmpty", err)
	}
	if got, want := err.Error(), "stdin: the input is empty; there is no message to inspect"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestMessageOutOfRange(t *testing.T) {
	src, err := message.FromBytes("x", []byte("Subject: x\n\n"), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, 1, 100} {
		if _, err := src.Message(i); err == nil {
			t.Errorf("Message(%d) of a single message: no error", i)
		}
	}
}

func ExampleMessage_Values() {
	src, _ := message.FromBytes("example.eml", []byte(
		"Received: from mx.example.net by mail.example.com; Fri, 20 Nov 2026 08:14:30 +0000\r\n"+
			"Received: from laptop by mx.example.net; Fri, 20 Nov 2026 08:14:22 +0000\r\n"+
			"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"+
			"\r\n"+
			"Hello\r\n"), message.Options{})
	m, _ := src.Message(0)
	for i, v := range m.Values("Received") {
		fmt.Println(i, v)
	}
	fmt.Println(m.FieldsByKey("Subject")[0].Display)
	fmt.Printf("%q\n", m.Body())
	// Output:
	// 0 from mx.example.net by mail.example.com; Fri, 20 Nov 2026 08:14:30 +0000
	// 1 from laptop by mx.example.net; Fri, 20 Nov 2026 08:14:22 +0000
	// Grüße
	// "Hello\r\n"
}
