package message

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Errors of loading. Each comes wrapped in an *Error that names the input
// and says what was found, so errors.Is works and the text reads well.
var (
	ErrEmpty    = errors.New("message: input is empty")
	ErrTooLarge = errors.New("message: larger than the size limit")
	ErrNotMail  = errors.New("message: not a mail message")
)

// Error is a loading error about one input or one message of it.
type Error struct {
	File  string // the input's name
	Index int    // 1-based message of an mbox, 0 for the input as a whole
	Msg   string // what was wrong, in plain words
	Err   error  // one of the sentinels above
}

func (e *Error) Error() string {
	if e.Index > 0 {
		return fmt.Sprintf("%s: message %d: %s", e.File, e.Index, e.Msg)
	}
	return e.File + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Kind is what an input holds.
type Kind string

// The kinds of input.
const (
	KindMessage Kind = "message" // one RFC 5322 message
	KindMbox    Kind = "mbox"    // messages behind "From " separator lines
)

// Source is a loaded input: one message or an indexed mbox. It holds an
// open file for a large mbox; Close releases it.
type Source struct {
	Name string // as shown in reports: a path, "stdin", "demo:NAME"
	Kind Kind
	Size int64 // bytes of the whole input

	opts    Options
	ra      io.ReaderAt
	closer  io.Closer
	mem     []byte // the whole input, when it was read into memory
	entries []entry
	end     int64 // end of the indexed part of an mbox
	steps   []trace.Step
	bufs    sync.Pool // *[]byte: read buffers released by Release
}

// Open loads the file name. A regular file is read into memory when it is
// one message, and indexed in place when it is an mbox; anything else (a
// pipe, a device) is read into memory like stdin. The file is only ever
// opened for reading.
func Open(name string, opts Options) (*Source, error) {
	opts = opts.withDefaults()
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
	}
	if !fi.Mode().IsRegular() {
		defer f.Close()
		return Read(f, name, opts)
	}
	size := fi.Size()
	if size == 0 {
		f.Close()
		return nil, &Error{File: name, Msg: "the file is empty; there is no message to inspect", Err: ErrEmpty}
	}
	head := make([]byte, min(size, 512))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if isMboxStart(head) {
		s := &Source{Name: name, Kind: KindMbox, Size: size, opts: opts, ra: f, closer: f}
		if err := s.index(newScanner(f, size, nil, chunk)); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		return s, nil
	}
	defer f.Close()
	if size > opts.MaxMessageSize {
		// Refused when asked for, so the report can carry it as the
		// message's error.
		return &Source{Name: name, Kind: KindMessage, Size: size, opts: opts}, nil
	}
	b := make([]byte, size)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return FromBytes(name, b[:n], opts)
}

// Read loads an input that can only be read once, such as stdin: it is
// read into memory, up to MaxMessageSize bytes.
func Read(r io.Reader, name string, opts Options) (*Source, error) {
	opts = opts.withDefaults()
	b, err := io.ReadAll(io.LimitReader(r, opts.MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > opts.MaxMessageSize {
		return nil, &Error{File: name, Err: ErrTooLarge,
			Msg: fmt.Sprintf("more than %s arrived; headercheck reads at most that much from a stream (give a large mbox as a file instead, so it can be indexed without reading it all, or raise the limit with --max-size)", size(opts.MaxMessageSize))}
	}
	return FromBytes(name, b, opts)
}

// FromBytes loads an input that is already in memory. b must not be
// modified afterwards: single messages point into it.
func FromBytes(name string, b []byte, opts Options) (*Source, error) {
	opts = opts.withDefaults()
	if len(b) == 0 {
		return nil, &Error{File: name, Msg: "the input is empty; there is no message to inspect", Err: ErrEmpty}
	}
	s := &Source{Name: name, Size: int64(len(b)), opts: opts, mem: b}
	if !isMboxStart(b[:min(len(b), 512)]) {
		s.Kind = KindMessage
		return s, nil
	}
	s.Kind = KindMbox
	s.ra = bytes.NewReader(b)
	if err := s.index(newScanner(nil, s.Size, b, 0)); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return s, nil
}

func (s *Source) index(sc *scanner) error {
	res, err := index(sc, s.opts)
	if err != nil {
		return err
	}
	s.entries, s.end = res.entries, res.end
	if res.capped {
		s.steps = append(s.steps, trace.Step{
			Title:   fmt.Sprintf("Only the first %s messages of the mbox were indexed", thousands(int64(s.opts.MaxMessages))),
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("indexing stopped at byte %s of %s", thousands(res.end), thousands(s.Size)),
			Explain: "headercheck keeps a small index entry per message; this limit keeps that index bounded. Split the mbox to inspect the rest.",
		})
	}
	return nil
}

// Len returns the number of messages.
func (s *Source) Len() int {
	if s.Kind == KindMessage {
		return 1
	}
	return len(s.entries)
}

// Steps returns what loading noticed about the input as a whole.
func (s *Source) Steps() []trace.Step { return s.steps }

// Close releases the file behind an mbox.
func (s *Source) Close() error {
	if s.closer != nil {
		c := s.closer
		s.closer = nil
		return c.Close()
	}
	return nil
}

// Message reads and parses message i (0-based). Each call reads it afresh,
// so messages of a large mbox are not kept in memory. The error is an
// *Error (ErrTooLarge, ErrNotMail) or a read error.
func (s *Source) Message(i int) (*Message, error) {
	if i < 0 || i >= s.Len() {
		return nil, fmt.Errorf("message: %s has %s, no message %d", s.Name, plural(s.Len(), "message"), i+1)
	}
	if s.Kind == KindMessage {
		return s.single()
	}
	return s.fromMbox(i)
}

func (s *Source) single() (*Message, error) {
	if s.Size > s.opts.MaxMessageSize {
		return nil, s.tooLarge(0, s.Size)
	}
	m := &Message{Raw: s.mem, File: s.Name, Index: 1, Format: Single}
	m.LineEnding = lineEndings(m)
	notMail := parse(m, s.opts)
	if notMail != "" {
		return nil, &Error{File: s.Name, Msg: "not a mail message: " + notMail, Err: ErrNotMail}
	}
	m.Steps = append([]trace.Step{{
		Title:   "Loaded one message",
		Result:  trace.Info,
		Detail:  describe(m),
		Explain: "The input does not start with an mbox \"From \" line, so it is one message (RFC 5322). Its bytes are kept exactly as stored, because DKIM signs the exact bytes.",
		Ref:     "RFC 5322 §2.1",
	}}, m.Steps...)
	return m, nil
}

func (s *Source) tooLarge(index int, n int64) error {
	return &Error{File: s.Name, Index: index, Err: ErrTooLarge,
		Msg: fmt.Sprintf("the message is %s; headercheck reads at most %s of one message (--max-size raises the limit)", size(n), size(s.opts.MaxMessageSize))}
}

func (s *Source) fromMbox(i int) (*Message, error) {
	e := s.entries[i]
	next := s.end
	if i+1 < len(s.entries) {
		next = s.entries[i+1].sep
	}
	data := e.sep + int64(e.dataOff)
	end := next - int64(e.tail)
	n := end - data
	if n > s.opts.MaxMessageSize {
		return nil, s.tooLarge(i+1, n)
	}
	// The separator line and the message are read at once, into the same
	// buffer, unless the line is longer than the 1 KiB of it kept.
	var sep []byte
	from, off := e.sep, int64(e.dataOff)
	if off > maxSeparator {
		sep = make([]byte, maxSeparator)
		if _, err := s.ra.ReadAt(sep, e.sep); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", s.Name, err)
		}
		from, off = data, 0
	}
	buf := s.buffer(off + n)
	b := (*buf)[:off+n]
	if got, err := s.ra.ReadAt(b, from); err != nil && !(errors.Is(err, io.EOF) && int64(got) == off+n) {
		s.bufs.Put(buf)
		return nil, fmt.Errorf("read %s: %w", s.Name, err)
	}
	if sep == nil {
		sep = b[:off]
	}
	raw := b[off:]

	m := &Message{File: s.Name, Index: i + 1, Separator: string(bytes.TrimRight(sep, "\r\n")), buf: buf}
	// Which variant: with a consistent Content-Length it is mboxcl, or
	// mboxcl2 when the body holds an unquoted "From " line that only an
	// unquoting-free writer leaves; without, mboxrd.
	rd := e.flags&fCL == 0
	switch {
	case rd:
		m.Format = Mboxrd
	case hasUnquotedFrom(raw):
		m.Format = Mboxcl2
	default:
		m.Format = Mboxcl
	}
	deep := 0
	if m.Format != Mboxcl2 {
		var k int
		k, m.Unquoted, deep = unquote(raw, rd)
		raw = raw[:k]
	}
	m.Raw = raw
	m.LineEnding = lineEndings(m)
	notMail := parse(m, s.opts)
	if notMail != "" {
		s.Release(m)
		if len(raw) == 0 {
			notMail = "it is empty: two separator lines follow each other"
		}
		return nil, &Error{File: s.Name, Index: i + 1, Msg: "not a mail message: " + notMail, Err: ErrNotMail}
	}
	m.Steps = append(s.mboxSteps(m, e, deep, len(m.Steps)), m.Steps...)
	return m, nil
}

// maxSeparator is how much of an mbox separator line a message keeps.
const maxSeparator = 1024

// maxPooled is the largest read buffer Release keeps: a rare huge message
// is not held on to for the rest of the run.
const maxPooled = 1 << 20

// buffer returns a read buffer of at least n bytes: one a released message
// left when it is large enough, else a new one.
func (s *Source) buffer(n int64) *[]byte {
	if bp, _ := s.bufs.Get().(*[]byte); bp != nil && int64(cap(*bp)) >= n {
		return bp
	}
	// Rounded up so that the next, slightly larger message fits too.
	b := make([]byte, (n+16<<10-1)&^(16<<10-1))
	return &b
}

// Release gives the buffer holding m's bytes back to s for a later message
// and clears m.Raw and m.Fields: the caller promises that nothing it keeps
// points into them (strings made from them are copies and stay valid). A
// batch run releases each message once its report is made and encoded.
// Writing a new message into fresh memory costs several times as much as
// into a buffer the last message warmed (0.27 s of kernel copy per 10,000
// messages of 50 KiB in BenchmarkMboxJSON). A message not read from an
// mbox file, or released already, is left alone.
func (s *Source) Release(m *Message) {
	if m == nil || m.buf == nil {
		return
	}
	bp := m.buf
	m.buf, m.Raw, m.Fields = nil, nil, nil
	if cap(*bp) <= maxPooled {
		s.bufs.Put(bp)
	}
}

// mboxSteps explains how message m was cut out of the mbox (RFC 4155 App.
// A) and what that did to its bytes.
// Its result has room for more steps, that many of parsing's to follow.
func (s *Source) mboxSteps(m *Message, e entry, deep, more int) []trace.Step {
	steps := make([]trace.Step, 0, 1+more)
	var b [128]byte
	title := append(b[:0], "Loaded as "...)
	title = append(title, m.Format...)
	title = append(title, " (message "...)
	title = strconv.AppendInt(title, int64(m.Index), 10)
	title = append(title, " of "...)
	title = strconv.AppendInt(title, int64(len(s.entries)), 10)
	title = append(title, " in the mbox)"...)
	load := trace.Step{
		Title:  string(title),
		Result: trace.Info,
		Ref:    "RFC 4155 App. A",
	}
	detail := append(b[:0], "separator: "...)
	detail = append(detail, m.Separator...)
	detail = append(detail, "; "...)
	load.Detail = string(appendDescribe(detail, m))
	switch m.Format {
	case Mboxrd:
		load.Explain = "The file is an mbox: messages follow each other, each after a line starting \"From \". It has no usable Content-Length, so headercheck read it as mboxrd, where the writer put a '>' before body lines starting \"From \" (and \">From \", \">>From \", ...) and a reader removes one."
	case Mboxcl:
		load.Explain = "The file is an mbox with Content-Length fields that fit, so each message's length was taken from its Content-Length (mboxcl). Lines starting \">From \" are read as quoted, as mboxcl writers quote like mboxo."
	case Mboxcl2:
		load.Explain = "The file is an mbox with Content-Length fields that fit, and this message's body holds a line starting \"From \" that no quoting writer leaves, so it is mboxcl2: nothing was quoted and nothing was unquoted."
	}
	if m.Unquoted > 0 {
		load.Result = trace.Warn
		load.Title = fmt.Sprintf("Loaded as %s (message %d of %d in the mbox); %s unquoted: DKIM may have signed the quoted form", m.Format, m.Index, len(s.entries), plural(m.Unquoted, "line"))
		load.Explain += fmt.Sprintf(" %s had a '>' removed. That restores the message as it was sent if the mbox writer added the '>'; if the '>' was in the message when it was signed, a DKIM body hash will now fail.", plural(m.Unquoted, "line"))
	}
	if deep > 0 && m.Format == Mboxrd {
		load.Explain += fmt.Sprintf(" %s started with \">>From \" or deeper: an mboxo writer would not have quoted those, so if this file is mboxo, those lines lost a '>' they had.", plural(deep, "line"))
	}
	steps = append(steps, load)
	if e.flags&fMalformedSep != 0 {
		steps = append(steps, trace.Step{
			Title:   "Malformed mbox separator line",
			Result:  trace.Warn,
			Detail:  m.Separator,
			Explain: "RFC 4155 App. A says each message is preceded by \"From \", the envelope sender, a space, and the date in ctime form; this line " + separatorProblem([]byte(m.Separator)) + ". It was still taken as the start of a message, because it follows a blank line (or starts the file).",
			Ref:     "RFC 4155 App. A",
		})
	}
	if e.flags&fNoBlankBefore != 0 {
		steps = append(steps, trace.Step{
			Title:   "No blank line before the separator",
			Result:  trace.Warn,
			Detail:  m.Separator,
			Explain: "In an mbox a blank line comes before each \"From \" separator. This one had none, but it is a well-formed separator line, so headercheck took it as the start of this message; the previous message may have lost its last line ending.",
			Ref:     "RFC 4155 App. A",
		})
	}
	if e.flags&fCLIgnored != 0 {
		st := trace.Step{
			Title:   "Content-Length ignored",
			Result:  trace.Warn,
			Detail:  "Content-Length: " + m.Get("Content-Length"),
			Explain: "The message's Content-Length does not end where a separator line or the end of the file is, so it is wrong (a program changed the message without updating it); the message was cut at the next separator line instead.",
			Ref:     "RFC 4155 App. A",
		}
		if e.flags&fCLPastEOF != 0 {
			st.Title = "Content-Length runs past the end of the file: the mbox looks truncated"
			st.Explain = "The message's Content-Length counts more bytes than the file still has, so the file was probably cut off during a copy or download. The message was read up to the end of the file."
		}
		steps = append(steps, st)
	}
	if e.flags&fFromInBody != 0 {
		steps = append(steps, trace.Step{
			Title:   "Unquoted \"From \" line kept in the body",
			Result:  trace.Warn,
			Explain: "A body line starts with \"From \" but has no blank line before it and is not a well-formed separator, so headercheck kept it as text of this message. The program that wrote this mbox did not quote it as it should.",
			Ref:     "RFC 4155 App. A",
		})
	}
	if e.flags&fHeaderAtEOF != 0 {
		steps = append(steps, trace.Step{
			Title:   "The file ends inside the header: the message looks truncated",
			Result:  trace.Warn,
			Explain: "No blank line and no body follow the last header line before the end of the file; the mbox was probably cut off.",
			Ref:     "RFC 5322 §2.1",
		})
	} else if e.flags&fNoFinalNewline != 0 {
		steps = append(steps, trace.Step{
			Title:   "The last line has no line ending: the message may be truncated",
			Result:  trace.Warn,
			Explain: "An mbox ends each message with a line ending and a blank line. This last message stops in the middle of a line, so the file may have been cut off; what is there was inspected.",
			Ref:     "RFC 4155 App. A",
		})
	}
	return steps
}

// lineEndings names the line endings of m.Raw and adds a step when they
// are mixed or include bare CRs.
func lineEndings(m *Message) string {
	lf := bytes.Count(m.Raw, []byte("\n"))
	cr := bytes.Count(m.Raw, []byte("\r"))
	crlf := 0
	if cr > 0 {
		// bytes.Count(raw, "\r\n") restarts a search per line; stepping
		// from CR to CR costs half as much.
		for b := m.Raw; ; {
			i := bytes.IndexByte(b, '\r')
			if i < 0 {
				break
			}
			if i+1 < len(b) && b[i+1] == '\n' {
				crlf++
			}
			b = b[i+1:]
		}
	}
	cr -= crlf
	kind := ""
	switch {
	case lf == 0:
	case crlf == lf:
		kind = "CRLF"
	case crlf == 0:
		kind = "LF"
	default:
		kind = "mixed"
		m.Steps = append(m.Steps, trace.Step{
			Title:   "Mixed line endings",
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("%s lines end in CRLF, %s in LF alone", thousands(int64(crlf)), thousands(int64(lf-crlf))),
			Explain: "On the wire every line ends in CRLF (RFC 5322 §2.1); stored mail uses one convention throughout. A mix means a program rewrote part of the message after it arrived, which can break DKIM signatures.",
			Ref:     "RFC 5322 §2.1",
		})
	}
	if cr > 0 {
		m.Steps = append(m.Steps, trace.Step{
			Title:   "Bare CR characters",
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("%s not followed by LF", plural(cr, "CR byte")),
			Explain: "RFC 5322 §2.3 allows CR only as part of CRLF. Programs disagree on whether a bare CR ends a line, so they can see different headers in the same bytes.",
			Ref:     "RFC 5322 §2.3",
		})
	}
	return kind
}

// describe is the detail line of a load step.
func describe(m *Message) string {
	var b [128]byte
	return string(appendDescribe(b[:0], m))
}

// appendDescribe appends describe(m) to b: "51,200 bytes, LF line endings,
// 12 header fields, body of 50,112 bytes".
func appendDescribe(b []byte, m *Message) []byte {
	b = appendThousands(b, int64(len(m.Raw)))
	b = append(b, " bytes"...)
	if m.LineEnding != "" {
		b = append(b, ", "...)
		b = append(b, m.LineEnding...)
		b = append(b, " line endings"...)
	}
	b = append(b, ", "...)
	b = appendPlural(b, len(m.Fields), "header field")
	if n := len(m.Raw) - m.BodyStart; n > 0 {
		b = append(b, ", body of "...)
		b = appendThousands(b, int64(n))
		b = append(b, " bytes"...)
	} else {
		b = append(b, ", no body"...)
	}
	return b
}
