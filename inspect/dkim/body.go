package dkim

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"hash"
	"math/bits"
)

// Body canonicalization (RFC 6376 §3.4.3, §3.4.4) is the hot path of a
// whole run: every body byte passes through it once per canonicalization,
// and an mbox of 10,000 messages of 50 KiB is half a gigabyte. So the body
// is canonicalized as a stream of pieces into a small buffer that is handed
// to the hash whenever it fills: no copy of the body with CRLF line ends,
// no copy of the canonical body. Lines are found with bytes.IndexByte (SIMD
// in the runtime), relaxed canonicalization copies the runs between two
// spaces in one piece, and the empty lines at the end of the body are
// counted, not buffered, until a line that is not empty shows they were
// not at the end.

// bodyChunk is the largest buffer between canonicalization and hash: a
// multiple of the SHA-256 block, large enough that the hash is called
// rarely and small enough to stay in the L1 cache. A small body gets a
// buffer its size.
const bodyChunk = 8 << 10

// TailMax is how many canonical bytes beyond an l= limit a BodyHash keeps
// in Tail: enough for Preview to show 200 characters of them (at most 4
// bytes each) and to know whether more follow.
const TailMax = 4*200 + 1

// bodyEmitter collects canonical output in buf and hands it to out in
// chunks, in order. A piece as large as half the buffer skips the copy.
type bodyEmitter struct {
	buf []byte
	out func([]byte)
}

func (e *bodyEmitter) emit(p []byte) {
	// The common case, small enough to be inlined into the loops below:
	// a piece per run of text costs no call.
	if len(e.buf)+len(p) <= cap(e.buf) {
		e.buf = append(e.buf, p...)
		return
	}
	e.emitFull(p)
}

// emitFull is emit when p does not fit in what is left of the buffer.
func (e *bodyEmitter) emitFull(p []byte) {
	e.flush()
	if len(p) >= cap(e.buf)/2 {
		e.out(p)
		return
	}
	e.buf = append(e.buf, p...)
}

func (e *bodyEmitter) space() {
	if len(e.buf)+1 > cap(e.buf) {
		e.flush()
	}
	e.buf = append(e.buf, ' ')
}

func (e *bodyEmitter) crlf() {
	if len(e.buf)+2 > cap(e.buf) {
		e.flush()
	}
	e.buf = append(e.buf, '\r', '\n')
}

func (e *bodyEmitter) flush() {
	if len(e.buf) > 0 {
		e.out(e.buf)
		e.buf = e.buf[:0]
	}
}

// writeCanonBody canonicalizes body by c (lone LFs read as CRLF) and hands
// the result to out in order, in pieces; buf (may be nil) is scratch space.
// A piece is valid only during the call to out.
func writeCanonBody(body []byte, c Canon, buf []byte, out func([]byte)) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, min(bodyChunk, len(body)+len(body)/8+64))
	}
	e := &bodyEmitter{buf: buf[:0], out: out}
	if c == Relaxed {
		relaxedBody(body, e)
	} else {
		simpleBody(body, e)
	}
	e.flush()
}

// simpleBody is §3.4.3: the body as it is, with any run of line breaks at
// its end (CRLF, or a lone LF read as one) turned into one CRLF — also
// after a last line that had none, and for an empty body.
func simpleBody(body []byte, e *bodyEmitter) {
	end := len(body)
	for end > 0 && body[end-1] == '\n' {
		end--
		if end > 0 && body[end-1] == '\r' {
			end--
		}
	}
	b := body[:end]
	// Runs of CRLF lines go out as one piece; only a lone LF (the first
	// byte of the body, or one after a byte other than CR) splits them.
	start := 0
	for pos := 0; pos < len(b); {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			break
		}
		i += pos
		if i == 0 || b[i-1] != '\r' {
			e.emit(b[start:i])
			e.crlf()
			start = i + 1
		}
		pos = i + 1
	}
	e.emit(b[start:])
	e.crlf()
}

// relaxedBody is §3.4.4: WSP at the end of each line dropped, each run of
// WSP inside a line turned into one SP, and the empty lines at the end of
// the body dropped (so an empty body stays empty). A last line without a
// line break gets a CRLF, as in go-msgauth and OpenDKIM. A lone CR is data,
// not a line break (only CRLF is, or a lone LF read as one).
//
// Only a tab or two spaces in a row start a run that changes, so the line
// is copied in pieces between those. Each is searched for once for the
// rest of the body, and again only after the scan has passed the one
// found: tabs by bytes.IndexByte (SIMD in the runtime; most text has none,
// so one call answers for the whole body), double spaces by
// nextDoubleSpace, 16 bytes at a time. Both only move forward, so a body
// full of them is still read once. A run that starts with a space goes out
// with the piece before it, that space standing for the run.
func relaxedBody(body []byte, e *bodyEmitter) {
	pending := 0 // empty lines held back: they count only if a non-empty one follows
	// The next double space and tab at or after the scan; len(body) when
	// there is none left, -1 before the first search.
	dbl, tab := -1, -1
	for pos := 0; pos < len(body); {
		lineEnd, next := len(body), len(body)
		if i := bytes.IndexByte(body[pos:], '\n'); i >= 0 {
			lineEnd, next = pos+i, pos+i+1
			if lineEnd > pos && body[lineEnd-1] == '\r' {
				lineEnd--
			}
		}
		end := lineEnd
		for end > pos && (body[end-1] == ' ' || body[end-1] == '\t') {
			end--
		}
		if end == pos {
			pending++
			pos = next
			continue
		}
		for ; pending > 0; pending-- {
			e.crlf()
		}
		start := pos
		for {
			if dbl < start {
				dbl = nextDoubleSpace(body, start)
			}
			if tab < start {
				tab = nextTab(body, start)
			}
			odd := min(dbl, tab)
			if odd >= end {
				break
			}
			// The run starts at most one space before odd (two would have
			// been found first) and ends before end, which follows a byte
			// that is not WSP.
			r := odd
			if r > start && body[r-1] == ' ' {
				r--
			}
			j := odd + 1
			for body[j] == ' ' || body[j] == '\t' {
				j++
			}
			if body[r] == ' ' {
				e.emit(body[start : r+1])
			} else {
				e.emit(body[start:r])
				e.space()
			}
			start = j
		}
		e.emit(body[start:end])
		e.crlf()
		pos = next
	}
}

// Byte masks for nextDoubleSpace.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	spaces = ' ' * ones
)

// nextDoubleSpace returns the index of the first of two spaces in a row at
// or after from; len(b) when there is none.
//
// Eight positions are tested at once: the word at i and the word at i+1
// are both spaces at a byte exactly where the two spaces start, which
// makes that byte of d zero. (d-ones)&^d&highs marks the lowest zero byte
// of d exactly (a borrow can only mark bytes above it), and only the
// lowest is used. Two such words per round, taken from one slice of 17
// bytes, let the compiler drop the bounds checks and halve the loop's
// branches (BenchmarkBodyHash: clearly faster than one word per round).
func nextDoubleSpace(b []byte, from int) int {
	i := from
	for ; i+17 <= len(b); i += 16 {
		c := b[i : i+17]
		d0 := (binary.LittleEndian.Uint64(c) ^ spaces) | (binary.LittleEndian.Uint64(c[1:]) ^ spaces)
		d1 := (binary.LittleEndian.Uint64(c[8:]) ^ spaces) | (binary.LittleEndian.Uint64(c[9:]) ^ spaces)
		m0 := (d0 - ones) &^ d0 & highs
		m1 := (d1 - ones) &^ d1 & highs
		if m0|m1 != 0 {
			if m0 != 0 {
				return i + bits.TrailingZeros64(m0)/8
			}
			return i + 8 + bits.TrailingZeros64(m1)/8
		}
	}
	for ; i+1 < len(b); i++ {
		if b[i] == ' ' && b[i+1] == ' ' {
			return i
		}
	}
	return len(b)
}

// nextTab returns the index of the first tab at or after from; len(b)
// when there is none. Text with tabs mostly has them close together
// (indentation, columns), so the next few bytes are looked at before
// bytes.IndexByte, whose call costs more than finding a tab a few bytes on.
func nextTab(b []byte, from int) int {
	near := min(from+16, len(b))
	for i := from; i < near; i++ {
		if b[i] == '\t' {
			return i
		}
	}
	if i := bytes.IndexByte(b[near:], '\t'); i >= 0 {
		return near + i
	}
	return len(b)
}

// CanonBody returns the body canonicalized by c (RFC 6376 §3.4.3, §3.4.4),
// lone LFs read as CRLF.
//
// simple turns any run of empty lines at the end into one CRLF, and an
// empty body into a single CRLF. relaxed drops WSP at line ends, turns runs
// of WSP into one SP, drops empty lines at the end, and leaves an empty
// body empty.
//
// Verify does not build the canonical body: HashRawBody hashes it as it is
// made. CanonBody is for callers that need the bytes themselves.
func CanonBody(body []byte, c Canon) []byte {
	out := make([]byte, 0, len(body)+len(body)/16+2)
	writeCanonBody(body, c, nil, func(p []byte) { out = append(out, p...) })
	return out
}

// BodyHash is the result of hashing a canonical body (RFC 6376 §3.7, hash
// step 1).
type BodyHash struct {
	Sum       []byte // the hash of the first Hashed bytes of the canonical body
	Canonical int64  // length of the whole canonical body
	Hashed    int64  // bytes that went into Sum: all, or l= of them
	Short     bool   // l= asks for more bytes than the canonical body has
	// Tail is the start of what l= leaves unsigned: up to TailMax canonical
	// bytes after the first Hashed ones (nil without l=).
	Tail []byte
}

// HashBody hashes the canonical body, limited to the first limit bytes when
// limit >= 0 (the l= tag, RFC 6376 §3.5). A limit larger than the body is
// reported as Short; the whole body is hashed then, and the result cannot
// match a hash made over more bytes.
func HashBody(canonical []byte, h crypto.Hash, limit int64) BodyHash {
	s := newBodySink(h, limit)
	s.write(canonical)
	return s.result()
}

// HashRawBody canonicalizes body by c (lone LFs read as CRLF) and hashes
// it in the same pass, as HashBody(CanonBody(body, c), h, limit) would but
// without building the canonical body.
func HashRawBody(body []byte, c Canon, h crypto.Hash, limit int64) BodyHash {
	return hashRawBody(body, c, h, limit, nil)
}

func hashRawBody(body []byte, c Canon, h crypto.Hash, limit int64, buf []byte) BodyHash {
	s := newBodySink(h, limit)
	writeCanonBody(body, c, buf, s.write)
	return s.result()
}

// bodySink hashes canonical bytes up to a limit, counts all of them and
// keeps the first TailMax beyond the limit.
type bodySink struct {
	h     hash.Hash
	limit int64 // -1: no limit
	n     int64
	tail  []byte
}

func newBodySink(h crypto.Hash, limit int64) *bodySink {
	return &bodySink{h: h.New(), limit: limit}
}

func (s *bodySink) write(p []byte) {
	if s.limit < 0 {
		s.h.Write(p)
		s.n += int64(len(p))
		return
	}
	if s.n < s.limit {
		k := int(min(int64(len(p)), s.limit-s.n))
		s.h.Write(p[:k])
		s.n += int64(k)
		p = p[k:]
	}
	if room := TailMax - len(s.tail); room > 0 && len(p) > 0 {
		s.tail = append(s.tail, p[:min(room, len(p))]...)
	}
	s.n += int64(len(p))
}

func (s *bodySink) result() BodyHash {
	r := BodyHash{Sum: s.h.Sum(nil), Canonical: s.n, Hashed: s.n, Tail: s.tail}
	if s.limit >= 0 {
		if s.limit > s.n {
			r.Short = true
		} else {
			r.Hashed = s.limit
		}
	}
	return r
}
