package message_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/message"
)

// msg is what a test expects of one message of an mbox.
type msg struct {
	raw      string
	format   message.Format
	unquoted int
	steps    []string // fragments of step titles that must appear
	err      error    // when the message cannot be loaded
}

const sep1 = "From alice@example.org Fri Nov 20 08:14:22 2026"
const sep2 = "From MAILER-DAEMON Sat Nov 21 10:00:00 2026"
const sep3 = "From - Sun Nov 22 23:59:59 2026"

var mboxCases = []struct {
	name string
	in   string
	want []msg
}{
	{
		name: "three messages",
		in: sep1 + "\nSubject: one\n\nfirst\n\n" +
			sep2 + "\nSubject: two\n\nsecond\n\n" +
			sep3 + "\nSubject: three\n\nthird\n",
		want: []msg{
			{raw: "Subject: one\n\nfirst\n", format: message.Mboxrd},
			{raw: "Subject: two\n\nsecond\n", format: message.Mboxrd},
			{raw: "Subject: three\n\nthird\n", format: message.Mboxrd},
		},
	},
	{
		name: "crlf mbox",
		in:   sep1 + "\r\nSubject: one\r\n\r\nfirst\r\n\r\n" + sep2 + "\r\nSubject: two\r\n\r\nsecond\r\n\r\n",
		want: []msg{
			{raw: "Subject: one\r\n\r\nfirst\r\n", format: message.Mboxrd},
			{raw: "Subject: two\r\n\r\nsecond\r\n", format: message.Mboxrd},
		},
	},
	{
		name: "mboxrd unquoting",
		in: sep1 + "\nSubject: q\n\n>From the start\n>>From quoted\nnot >From here\n> From spaced\n\n" +
			sep2 + "\nSubject: two\n\nx\n",
		want: []msg{
			{raw: "Subject: q\n\nFrom the start\n>From quoted\nnot >From here\n> From spaced\n", format: message.Mboxrd, unquoted: 2,
				steps: []string{"2 lines unquoted: DKIM may have signed the quoted form"}},
			{raw: "Subject: two\n\nx\n", format: message.Mboxrd},
		},
	},
	{
		name: "body From line after a blank line splits (mboxo writer forgot to quote)",
		in:   sep1 + "\nSubject: a\n\nline\n\nFrom here on it is broken\nSubject: b\n\n",
		want: []msg{
			{raw: "Subject: a\n\nline\n", format: message.Mboxrd},
			{raw: "Subject: b\n", format: message.Mboxrd, steps: []string{"Malformed mbox separator line"}},
		},
	},
	{
		name: "unquoted From in body without blank line is text",
		in:   sep1 + "\nSubject: a\n\nline\nFrom here on I was unquoted\nend\n\n" + sep2 + "\nSubject: b\n\n",
		want: []msg{
			{raw: "Subject: a\n\nline\nFrom here on I was unquoted\nend\n", format: message.Mboxrd, steps: []string{"Unquoted \"From \" line kept in the body"}},
			{raw: "Subject: b\n", format: message.Mboxrd},
		},
	},
	{
		name: "well-formed separator without blank line",
		in:   sep1 + "\nSubject: a\n\nbody\n" + sep2 + "\nSubject: b\n\nbody b\n",
		want: []msg{
			{raw: "Subject: a\n\nbody\n", format: message.Mboxrd},
			{raw: "Subject: b\n\nbody b\n", format: message.Mboxrd, steps: []string{"No blank line before the separator"}},
		},
	},
	{
		name: "malformed separators",
		in:   "From \nSubject: a\n\nbody\n\nFrom nobody\nSubject: b\n\nbody\n\nFrom x@y yesterday\nSubject: c\n\n",
		want: []msg{
			{raw: "Subject: a\n\nbody\n", format: message.Mboxrd, steps: []string{"Malformed mbox separator line"}},
			{raw: "Subject: b\n\nbody\n", format: message.Mboxrd, steps: []string{"Malformed mbox separator line"}},
			{raw: "Subject: c\n", format: message.Mboxrd, steps: []string{"Malformed mbox separator line"}},
		},
	},
	{
		name: "mboxcl: Content-Length honoured across an unquoted-looking line",
		in: sep1 + "\nSubject: a\nContent-Length: 24\n\nhello\n\n>From inside\nbye\n\n" +
			sep2 + "\nSubject: b\nContent-Length: 3\n\nxy\n",
		want: []msg{
			{raw: "Subject: a\nContent-Length: 24\n\nhello\n\nFrom inside\nbye\n", format: message.Mboxcl, unquoted: 1},
			{raw: "Subject: b\nContent-Length: 3\n\nxy\n", format: message.Mboxcl},
		},
	},
	{
		name: "mboxcl2: unquoted From inside a Content-Length body",
		in: sep1 + "\nSubject: a\ncontent-length:  32\n\nhello\n\nFrom the desk of\n>From x\n\n" +
			sep2 + "\nSubject: b\n\nb\n",
		want: []msg{
			{raw: "Subject: a\ncontent-length:  32\n\nhello\n\nFrom the desk of\n>From x\n", format: message.Mboxcl2},
			{raw: "Subject: b\n\nb\n", format: message.Mboxrd},
		},
	},
	{
		name: "inconsistent Content-Length is ignored",
		in:   sep1 + "\nSubject: a\nContent-Length: 2\n\nlonger than two\n\n" + sep2 + "\nSubject: b\n\nb\n",
		want: []msg{
			{raw: "Subject: a\nContent-Length: 2\n\nlonger than two\n", format: message.Mboxrd, steps: []string{"Content-Length ignored"}},
			{raw: "Subject: b\n\nb\n", format: message.Mboxrd},
		},
	},
	{
		name: "Content-Length past the end: truncated",
		in:   sep1 + "\nSubject: a\n\na\n\n" + sep2 + "\nSubject: b\nContent-Length: 5000\n\nonly a little\n",
		want: []msg{
			{raw: "Subject: a\n\na\n", format: message.Mboxrd},
			{raw: "Subject: b\nContent-Length: 5000\n\nonly a little\n", format: message.Mboxrd, steps: []string{"runs past the end of the file"}},
		},
	},
	{
		name: "truncated last message mid-line",
		in:   sep1 + "\nSubject: a\n\na\n\n" + sep2 + "\nSubject: b\n\nthe body stops in the mid",
		want: []msg{
			{raw: "Subject: a\n\na\n", format: message.Mboxrd},
			{raw: "Subject: b\n\nthe body stops in the mid", format: message.Mboxrd, steps: []string{"The last line has no line ending"}},
		},
	},
	{
		name: "truncated last message inside the header",
		in:   sep1 + "\nSubject: a\n\na\n\n" + sep2 + "\nSubject: b\nTo: x@exa",
		want: []msg{
			{raw: "Subject: a\n\na\n", format: message.Mboxrd},
			{raw: "Subject: b\nTo: x@exa", format: message.Mboxrd, steps: []string{"ends inside the header"}},
		},
	},
	{
		name: "empty message between separators",
		in:   sep1 + "\n\n" + sep2 + "\nSubject: b\n\nb\n",
		want: []msg{
			{err: message.ErrNotMail},
			{raw: "Subject: b\n\nb\n", format: message.Mboxrd},
		},
	},
	{
		name: "one message with envelope line",
		in:   sep1 + "\nSubject: only\n\nbody\n",
		want: []msg{{raw: "Subject: only\n\nbody\n", format: message.Mboxrd}},
	},
	{
		name: "junk message in an mbox",
		in:   sep1 + "\n\x00\x01\x02binary\x00\n\n" + sep2 + "\nSubject: ok\n\n",
		want: []msg{
			{err: message.ErrNotMail},
			{raw: "Subject: ok\n", format: message.Mboxrd},
		},
	},
	{
		name: "separator line inside the header starts a new message",
		in:   sep1 + "\nSubject: a\n" + sep2 + "\nSubject: b\n\nb\n",
		want: []msg{
			{raw: "Subject: a\n", format: message.Mboxrd},
			{raw: "Subject: b\n\nb\n", format: message.Mboxrd, steps: []string{"No blank line before the separator"}},
		},
	},
}

func TestMbox(t *testing.T) {
	for _, c := range mboxCases {
		t.Run(c.name, func(t *testing.T) {
			// The same bytes from memory and from a file must give the
			// same messages: the file is indexed through a window.
			path := filepath.Join(t.TempDir(), "in.mbox")
			if err := os.WriteFile(path, []byte(c.in), 0o600); err != nil {
				t.Fatal(err)
			}
			fromFile, err := message.Open(path, message.Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer fromFile.Close()
			fromMem, err := message.FromBytes("in.mbox", []byte(c.in), message.Options{})
			if err != nil {
				t.Fatalf("FromBytes: %v", err)
			}
			for _, src := range []*message.Source{fromMem, fromFile} {
				if src.Kind != message.KindMbox {
					t.Fatalf("Kind = %q, want mbox", src.Kind)
				}
				if src.Len() != len(c.want) {
					t.Fatalf("Len() = %d, want %d", src.Len(), len(c.want))
				}
				for i, w := range c.want {
					m, err := src.Message(i)
					if w.err != nil {
						if !errors.Is(err, w.err) {
							t.Errorf("message %d: error %v, want %v", i+1, err, w.err)
						}
						continue
					}
					if err != nil {
						t.Errorf("message %d: %v", i+1, err)
						continue
					}
					if string(m.Raw) != w.raw {
						t.Errorf("message %d: Raw = %q\nwant               %q", i+1, m.Raw, w.raw)
					}
					if m.Format != w.format || m.Unquoted != w.unquoted {
						t.Errorf("message %d: Format, Unquoted = %q, %d; want %q, %d", i+1, m.Format, m.Unquoted, w.format, w.unquoted)
					}
					if m.Index != i+1 {
						t.Errorf("message %d: Index = %d", i+1, m.Index)
					}
					if !strings.HasPrefix(m.Separator, "From ") {
						t.Errorf("message %d: Separator = %q, want the From line", i+1, m.Separator)
					}
					if miss := missingStep(m.Steps, append([]string{"Loaded as " + string(w.format)}, w.steps...)); miss != "" {
						t.Errorf("message %d: no step titled like %q in %q", i+1, miss, titles(m.Steps))
					}
				}
			}
		})
	}
}

func TestNotAnMbox(t *testing.T) {
	for _, in := range []string{
		"From: alice@example.org\nSubject: x\n\n",
		"From : alice@example.org\nSubject: x\n\n",
		"Fromage: brie\n\n",
		"From\nSubject: x\n\n",
	} {
		src, err := message.FromBytes("x", []byte(in), message.Options{})
		if err != nil {
			t.Fatalf("FromBytes(%q): %v", in, err)
		}
		if src.Kind != message.KindMessage {
			t.Errorf("FromBytes(%q).Kind = %q, want message", in, src.Kind)
		}
	}
}
