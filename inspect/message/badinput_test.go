package message_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/message"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o400); err != nil { // read-only: we never write
		t.Fatal(err)
	}
	return path
}

// TestBadInput runs each kind of bad input of issue 2 through Open, as the
// command line does: a clear error or a best-effort message with steps,
// never a panic.
func TestBadInput(t *testing.T) {
	longLine := "Subject: " + strings.Repeat("A", 5<<20) + "\n"
	var many strings.Builder
	many.WriteString("From: a@example.org\n")
	for i := 0; i < 100_000; i++ {
		many.WriteString("X-Spam: filler\n")
	}
	many.WriteString("\nbody\n")

	cases := []struct {
		name    string
		data    []byte // nil: see path
		path    func(t *testing.T) string
		openErr string // Open fails with an error containing this
		isErr   error  // ... that matches this
		msgErr  error  // Message(0) fails with this
		msgText string // ... whose text contains this
		steps   []string
		fields  int // -1: don't check
	}{
		{name: "missing file", path: func(t *testing.T) string { return filepath.Join(t.TempDir(), "x.eml") },
			openErr: "open ", isErr: fs.ErrNotExist},
		{name: "directory", path: func(t *testing.T) string { return t.TempDir() },
			openErr: "is a directory"},
		{name: "empty file", data: []byte{}, openErr: "the file is empty", isErr: message.ErrEmpty},
		{name: "binary junk with NUL", data: []byte("\x00\x13\x37junk\x00\xff\xfe\n\x01\x02"),
			msgErr: message.ErrNotMail, msgText: "contains NUL bytes"},
		{name: "png", data: nil, msgErr: message.ErrNotMail, msgText: "looks like a PNG image"},
		{name: "no blank line", data: []byte("From: a@example.org\nSubject: x\nHi,\nbody text\n"),
			steps: []string{"No blank line between header and body"}, fields: 2},
		{name: "header without colon", data: []byte("From: a@example.org\nNo colon here\nSubject: x\n\nbody\n"),
			steps: []string{"Line 2 is not a header field"}, fields: 2},
		{name: "5 MiB header line", data: []byte("From: a@example.org\n" + longLine + "To: b@example.org\n\nbody\n"),
			steps: []string{"Header lines longer than 998 characters", "Header field Subject skipped: line too long"}, fields: 2},
		{name: "100,000 header lines", data: []byte(many.String()),
			steps: []string{"Header has more than 10,000 fields"}, fields: message.DefaultMaxHeaderFields},
		{name: "malformed From separators", data: []byte("From \nSubject: a\n\nx\n\nFrom nobody\nSubject: b\n\ny\n"),
			steps: []string{"Malformed mbox separator line"}, fields: 1},
		{name: "truncated last message", data: []byte("From a@b Fri Nov 20 08:14:22 2026\nSubject: a\n\nbody cut of"),
			steps: []string{"The last line has no line ending"}, fields: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var path string
			switch {
			case c.path != nil:
				path = c.path(t)
			case c.data == nil:
				path = writeFile(t, "image.png", pngBytes(t))
			default:
				path = writeFile(t, "in", c.data)
			}
			src, err := message.Open(path, message.Options{})
			if c.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.openErr) || c.isErr != nil && !errors.Is(err, c.isErr) {
					t.Fatalf("Open error = %v, want one containing %q", err, c.openErr)
				}
				if strings.Count(err.Error(), "\n") > 0 {
					t.Errorf("error %q is not one line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer src.Close()
			m, err := src.Message(0)
			if c.msgErr != nil {
				if !errors.Is(err, c.msgErr) || !strings.Contains(err.Error(), c.msgText) {
					t.Fatalf("Message(0) error = %v, want %v saying %q", err, c.msgErr, c.msgText)
				}
				return
			}
			if err != nil {
				t.Fatalf("Message(0): %v", err)
			}
			if w := missingStep(m.Steps, c.steps); w != "" {
				t.Errorf("no step titled like %q in %q", w, titles(m.Steps))
			}
			if len(m.Fields) != c.fields {
				t.Errorf("%d fields, want %d", len(m.Fields), c.fields)
			}
		})
	}
}

func TestSizeLimits(t *testing.T) {
	opts := message.Options{MaxMessageSize: 1000}
	big := "Subject: big\n\n" + strings.Repeat("x", 2000) + "\n"

	t.Run("single file", func(t *testing.T) {
		src, err := message.Open(writeFile(t, "big.eml", []byte(big)), opts)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		_, err = src.Message(0)
		if !errors.Is(err, message.ErrTooLarge) || !strings.Contains(err.Error(), "2,015 bytes; headercheck reads at most 1,000 bytes") {
			t.Errorf("Message(0) error = %v, want ErrTooLarge with both sizes", err)
		}
	})
	t.Run("sizes in MiB", func(t *testing.T) {
		// Above 10 MiB sizes read in MiB, with the unit written once, and
		// the error says which flag raises the limit.
		name := writeFile(t, "big.eml", []byte("Subject: big\n\n"+strings.Repeat("x", 12<<20)))
		src, err := message.Open(name, message.Options{MaxMessageSize: 11 << 20})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		_, err = src.Message(0)
		want := "the message is 12.0 MiB; headercheck reads at most 11.0 MiB of one message (--max-size raises the limit)"
		if !errors.Is(err, message.ErrTooLarge) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Message(0) error = %v, want ErrTooLarge ending %q", err, want)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		_, err := message.Read(strings.NewReader(big), "stdin", opts)
		if !errors.Is(err, message.ErrTooLarge) || !strings.HasPrefix(err.Error(), "stdin: more than 1,000") {
			t.Errorf("Read error = %v, want ErrTooLarge", err)
		}
		src, err := message.Read(strings.NewReader(big[:1000]), "stdin", opts)
		if err != nil || src.Len() != 1 {
			t.Errorf("Read of exactly the limit = %v, %v; want it loaded", src, err)
		}
	})
	t.Run("one message of an mbox", func(t *testing.T) {
		in := "From a@b Fri Nov 20 08:14:22 2026\nSubject: small\n\nx\n\n" +
			"From a@b Fri Nov 20 08:14:22 2026\n" + big + "\n" +
			"From a@b Fri Nov 20 08:14:22 2026\nSubject: small again\n\ny\n"
		src, err := message.Open(writeFile(t, "in.mbox", []byte(in)), opts)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer src.Close()
		if src.Len() != 3 {
			t.Fatalf("Len() = %d, want 3", src.Len())
		}
		if _, err := src.Message(0); err != nil {
			t.Errorf("message 1: %v", err)
		}
		_, err = src.Message(1)
		var le *message.Error
		if !errors.As(err, &le) || le.Index != 2 || !errors.Is(err, message.ErrTooLarge) {
			t.Errorf("message 2 error = %v, want ErrTooLarge about message 2", err)
		}
		if m, err := src.Message(2); err != nil || m.Get("Subject") != "small again" {
			t.Errorf("message 3 = %v, %v; want it read despite message 2", m, err)
		}
	})
	t.Run("long line limit", func(t *testing.T) {
		src, err := message.FromBytes("x", []byte("Subject: "+strings.Repeat("y", 300)+"\nTo: z\n\n"), message.Options{MaxLineLength: 100})
		if err != nil {
			t.Fatal(err)
		}
		m, err := src.Message(0)
		if err != nil {
			t.Fatal(err)
		}
		if m.Get("Subject") != "" || m.Get("To") != "z" {
			t.Errorf("Subject %q, To %q: want the long Subject skipped and To read", m.Get("Subject"), m.Get("To"))
		}
		if w := missingStep(m.Steps, []string{"Header field Subject skipped: line too long"}); w != "" {
			t.Errorf("no step %q in %q", w, titles(m.Steps))
		}
		for _, s := range m.Steps {
			if strings.HasPrefix(s.Title, "Header field Subject skipped") && !strings.Contains(s.Detail, "a line of 309 bytes; headercheck reads header lines of up to 100 bytes") {
				t.Errorf("step detail %q does not give both sizes with their unit", s.Detail)
			}
		}
		// When the only field is skipped, the message is still mail: its
		// report says why it shows no fields.
		src, err = message.FromBytes("x", []byte("Subject: "+strings.Repeat("y", 300)+"\n\nbody\n"), message.Options{MaxLineLength: 100})
		if err != nil {
			t.Fatal(err)
		}
		m, err = src.Message(0)
		if err != nil || len(m.Fields) != 0 || missingStep(m.Steps, []string{"skipped: line too long"}) != "" {
			t.Errorf("only field too long: %v, %v; want a message with no fields and a step", m, err)
		}
	})
}

// TestOpenIsReadOnly: the input is opened for reading only, so a file
// without write permission loads, and its bytes and mode stay as they were.
func TestOpenIsReadOnly(t *testing.T) {
	data := []byte("From a@b Fri Nov 20 08:14:22 2026\nSubject: a\n\n>From x\n")
	path := writeFile(t, "ro.mbox", data)
	src, err := message.Open(path, message.Options{})
	if err != nil {
		t.Fatalf("Open(read-only file): %v", err)
	}
	if _, err := src.Message(0); err != nil {
		t.Fatal(err)
	}
	src.Close()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("file changed after loading: %q, %v", got, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o400 {
		t.Errorf("file mode changed: %v, %v", fi.Mode(), err)
	}
}

// TestPipe reads from a FIFO, like `headercheck <(cat x.eml)`: not a
// regular file, so it is read into memory like stdin.
func TestPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString("Subject: through a pipe\n\nbody\n")
		w.Close()
	}()
	defer r.Close()
	src, err := message.Open("/dev/fd/"+strconv.Itoa(int(r.Fd())), message.Options{})
	if err != nil {
		t.Skipf("no /dev/fd here: %v", err)
	}
	m, err := src.Message(0)
	if err != nil || m.Get("Subject") != "through a pipe" {
		t.Errorf("Message(0) = %v, %v", m, err)
	}
}
