package report

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"github.com/headercheck/headercheck/inspect/aggregate"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/arc"
	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/iprev"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/receivers"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Encoder writes reports as JSON lines several times faster than
// encoding/json, with the same bytes (TestEncoderMatchesMarshal checks them
// against inspect.Report.MarshalJSON on every test report).
//
// Why it exists: the report's types write absent lists as [] through
// MarshalJSON methods that call json.Marshal again, and encoding/json
// re-validates every such method's output, so a step nested four deep is
// scanned five times; a report of 35 KB cost half a millisecond, more than
// inspecting the message. The Encoder walks the same structs by reflection,
// honouring their json tags, and applies what those MarshalJSON methods do
// (nil lists as [], an unset ARC result as none) itself. A type it does not
// know that has its own MarshalJSON is asked for it and its output copied;
// anything it cannot encode the same way makes it fall back to
// encoding/json for the whole report.
//
// How to write each type is worked out once (a typeEnc: its fields, their
// keys, which are [] when nil, and the typeEnc of each field), so writing a
// report looks nothing up by type but the dynamic type of an interface.
//
// The Encoder checks itself: the first report it encodes is also encoded
// with encoding/json, and if the two differ (a report type changed and the
// Encoder was not told), it uses encoding/json from then on. A change costs
// speed, never a wrong line.
//
// An Encoder is safe for concurrent use; a run makes one and shares it.
type Encoder struct {
	mu      sync.Mutex // held while compiling typeEncs
	encs    sync.Map   // reflect.Type -> *typeEnc, complete ones only
	report  atomic.Pointer[typeEnc]
	errObj  atomic.Pointer[typeEnc]
	size    atomic.Int64 // the longest line so far: the next one's buffer
	checked sync.Once
	slow    atomic.Bool // the self-check failed: use encoding/json
}

// NewEncoder returns an Encoder.
func NewEncoder() *Encoder { return &Encoder{} }

// JSON returns rep as one line of JSON Lines, newline included: the
// contract's object, terminal-safe, as the package function JSON.
func (e *Encoder) JSON(rep *inspect.Report) ([]byte, error) {
	return e.AppendJSON(nil, rep)
}

// AppendJSON appends the line JSON returns to dst and returns the extended
// slice, so a caller that writes line after line (a batch run) can give
// each report the buffer the last one was written from: a report's line
// is 20 to 70 KB, and making it afresh for every message cost more than
// any other allocation of the run. On an error dst is returned as it was.
func (e *Encoder) AppendJSON(dst []byte, rep *inspect.Report) ([]byte, error) {
	if e.slow.Load() {
		return appendPackageJSON(dst, rep)
	}
	// Room for a line as long as the last long one, so a report is
	// written without growing the buffer; 8 KiB to start, as an error
	// line is short.
	size := max(e.size.Load(), 8<<10)
	if int64(cap(dst)-len(dst)) < size {
		dst = slices.Grow(dst, int(size))
	}
	b, err := e.appendReport(dst, rep)
	if err != nil {
		return appendPackageJSON(dst, rep)
	}
	b = append(b, '\n') // appendString made it terminal-safe already
	line := b[len(dst):]
	if n := int64(len(line)) + int64(len(line))/8; n > size && n <= 1<<20 {
		e.size.Store(n)
	}
	e.checked.Do(func() {
		if want, err := JSON(rep); err == nil && !bytes.Equal(line, want) {
			e.slow.Store(true)
			b = append(dst, want...)
		}
	})
	return b, nil
}

// appendPackageJSON appends JSON(rep) to dst.
func appendPackageJSON(dst []byte, rep *inspect.Report) ([]byte, error) {
	b, err := JSON(rep)
	if err != nil {
		return dst, err
	}
	if dst == nil {
		return b, nil
	}
	return append(dst, b...), nil
}

// Fast reports whether the Encoder still uses its own encoding, that is,
// its self-check passed (or has not run yet).
func (e *Encoder) Fast() bool { return !e.slow.Load() }

// errFallback means the value needs encoding/json.
var errFallback = errors.New("report: encode with encoding/json")

// reportObject mirrors inspect.Report.MarshalJSON's object, key for key.
type reportObject struct {
	Source    message.Summary    `json:"source"`
	Envelope  received.Envelope  `json:"envelope"`
	Received  []received.Hop     `json:"received"`
	Boundary  int                `json:"boundary"`
	IPRev     iprev.Result       `json:"iprev"`
	SPF       spf.Result         `json:"spf"`
	DKIM      []dkim.Signature   `json:"dkim"`
	DMARC     dmarc.Result       `json:"dmarc"`
	Verdict   inspect.Verdict    `json:"verdict"`
	Recorded  inspect.Recorded   `json:"recorded"`
	ARC       arc.Result         `json:"arc"`
	Receivers []receivers.Header `json:"receivers"`
	DNS       []trace.Query      `json:"dns"`

	SPFHELO       *spf.Result       `json:"spf_helo,omitempty"`
	At            string            `json:"at"`
	AtSource      string            `json:"at_source"`
	BoundarySteps []trace.Step      `json:"boundary_steps"`
	AutoBoundary  int               `json:"auto_boundary"`
	Transit       *float64          `json:"transit_seconds"`
	Receiving     []string          `json:"receiving_domains"`
	Origins       []received.Origin `json:"origins"`
	Steps         []trace.Step      `json:"steps"`
	Reporting     *aggregate.Result `json:"reporting,omitempty"`
}

type errorObject struct {
	Source message.Summary `json:"source"`
	Error  string          `json:"error"`
}

func (e *Encoder) appendReport(b []byte, r *inspect.Report) ([]byte, error) {
	if r.Error != "" {
		te := e.errObj.Load()
		if te == nil {
			te = e.compileRoot(reflect.TypeFor[errorObject](), false)
			e.errObj.Store(te)
		}
		return e.appendValue(b, reflect.ValueOf(errorObject{r.Source, r.Error}), te)
	}
	at := ""
	if !r.At.IsZero() {
		at = r.At.UTC().Format(time.RFC3339)
	}
	obj := reportObject{
		Source: r.Source, Envelope: r.Chain.Envelope, Received: r.Chain.Hops, Boundary: r.Chain.Boundary,
		IPRev: r.IPRev, SPF: r.SPF, DKIM: r.DKIM, DMARC: r.DMARC, Verdict: r.Verdict, Recorded: r.Recorded,
		ARC: r.ARC, Receivers: r.Receivers, DNS: r.DNS, SPFHELO: r.SPFHELO, At: at, AtSource: r.AtSource,
		BoundarySteps: r.Chain.Steps, AutoBoundary: r.Chain.AutoBoundary, Transit: r.Chain.Transit,
		Receiving: r.Chain.Receiving, Origins: r.Chain.Origins, Steps: r.Steps, Reporting: r.Reporting,
	}
	te := e.report.Load()
	if te == nil {
		// Every top-level list is [] when absent (inspect.Report.MarshalJSON).
		te = e.compileRoot(reflect.TypeFor[reportObject](), true)
		e.report.Store(te)
	}
	return e.appendValue(b, reflect.ValueOf(&obj).Elem(), te)
}

// emptyLists names the fields that a type's own MarshalJSON writes as []
// (or {}) when nil: for these types the Encoder does the same instead of
// calling the method. A type not named here with a MarshalJSON method is
// asked for its JSON.
func emptyLists(t reflect.Type) ([]string, bool) {
	switch t {
	case reflect.TypeFor[trace.Step]():
		return []string{"Steps"}, true
	case reflect.TypeFor[trace.Query]():
		return []string{"Answers"}, true
	case reflect.TypeFor[received.Hop]():
		return []string{"Anomalies"}, true
	case reflect.TypeFor[received.Chain]():
		return []string{"Hops", "Steps", "Receiving", "Origins"}, true
	case reflect.TypeFor[iprev.Result]():
		return []string{"Names", "Confirmed", "Steps"}, true
	case reflect.TypeFor[dmarc.Result]():
		return []string{"Steps"}, true
	case reflect.TypeFor[inspect.Verdict]():
		return []string{"Signs", "Steps"}, true
	case reflect.TypeFor[inspect.Recorded]():
		return []string{"AuthenticationResults", "Differences"}, true
	case reflect.TypeFor[arc.Result]():
		return []string{"Steps", "Sets"}, true
	case reflect.TypeFor[receivers.Header](): // also inspect.Receiver, an alias
		return []string{"Fields", "Meaning", "Keys"}, true
	}
	return nil, false
}

// How a type is written, decided once per type.
type how int

const (
	byKind      how = iota // by its kind: string, number, struct, list, ...
	byMarshaler            // its own MarshalJSON, copied
	byFallback             // encoding/json must do it
)

// typeEnc is how the Encoder writes one type.
type typeEnc struct {
	how    how
	kind   reflect.Kind
	bits   int        // floats
	elem   *typeEnc   // slices, arrays, pointers
	fields []fieldEnc // structs
	err    error      // a struct encoding/json must write (embedding, options)
}

type fieldEnc struct {
	index     int
	key       string // `"name":`
	omitEmpty bool
	emptyList bool // nil is written [] (a map {}), as the type's MarshalJSON does
	enc       *typeEnc
}

// typeOf returns the typeEnc of a dynamic type (behind an interface).
func (e *Encoder) typeOf(t reflect.Type) *typeEnc {
	if v, ok := e.encs.Load(t); ok {
		return v.(*typeEnc)
	}
	return e.compileRoot(t, false)
}

// compileRoot compiles t and every type it reaches; all writes every nil
// list field of t as [] (the report object).
func (e *Encoder) compileRoot(t reflect.Type, all bool) *typeEnc {
	e.mu.Lock()
	defer e.mu.Unlock()
	seen := map[reflect.Type]*typeEnc{}
	var te *typeEnc
	if all {
		te = &typeEnc{how: byKind, kind: reflect.Struct}
		e.compileStruct(te, t, nil, true, seen)
	} else {
		te = e.compile(t, seen)
	}
	// Publish only complete typeEncs: a type is in seen once it is filled
	// in, recursion included, since the lock is held throughout.
	for t, te := range seen {
		e.encs.LoadOrStore(t, te)
	}
	return te
}

func (e *Encoder) compile(t reflect.Type, seen map[reflect.Type]*typeEnc) *typeEnc {
	if v, ok := e.encs.Load(t); ok {
		return v.(*typeEnc)
	}
	if te, ok := seen[t]; ok {
		return te // a recursive type (a step's steps): filled in by the caller
	}
	te := &typeEnc{how: byKind, kind: t.Kind()}
	seen[t] = te
	marshaler, texter := reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()
	var lists []string
	switch k := t.Kind(); {
	case k == reflect.Pointer:
		if t.Implements(marshaler) && !t.Elem().Implements(marshaler) {
			te.how = byFallback // a pointer-receiver MarshalJSON
		}
	case k == reflect.Interface:
	default:
		if l, ok := emptyLists(t); ok {
			lists = l
		} else if t.Implements(marshaler) {
			te.how = byMarshaler
		} else if t.Implements(texter) {
			te.how = byFallback
		}
	}
	if te.how != byKind {
		return te
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		te.bits = t.Bits()
	case reflect.Pointer, reflect.Array:
		te.elem = e.compile(t.Elem(), seen)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			te.how = byFallback // base64
			return te
		}
		te.elem = e.compile(t.Elem(), seen)
	case reflect.Map:
		if k := t.Key(); k.Kind() != reflect.String || k.Implements(texter) {
			te.how = byFallback
			return te
		}
		te.elem = e.compile(t.Elem(), seen)
	case reflect.Struct:
		e.compileStruct(te, t, lists, false, seen)
	}
	return te
}

func (e *Encoder) compileStruct(te *typeEnc, t reflect.Type, lists []string, all bool, seen map[reflect.Type]*typeEnc) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			te.err = errFallback // embedding: encoding/json's rules are subtle
			return
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fe := fieldEnc{index: i, key: string(appendString(nil, name)) + ":"}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty":
				fe.omitEmpty = true
			case "":
			default:
				te.err = errFallback // ",string", omitzero and the like
			}
		}
		if k := f.Type.Kind(); (k == reflect.Slice || k == reflect.Map) && (all || slices.Contains(lists, f.Name)) {
			fe.emptyList = true
		}
		fe.enc = e.compile(f.Type, seen)
		te.fields = append(te.fields, fe)
	}
}

func (e *Encoder) appendValue(b []byte, v reflect.Value, te *typeEnc) ([]byte, error) {
	switch te.how {
	case byMarshaler:
		out, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil || !json.Valid(out) {
			return b, errFallback
		}
		return append(b, out...), nil
	case byFallback:
		return b, errFallback
	}
	switch te.kind {
	case reflect.String:
		return appendString(b, v.String()), nil
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float64, reflect.Float32:
		return appendFloat(b, v.Float(), te.bits)
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return e.appendValue(b, v.Elem(), te.elem)
	case reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		ev := v.Elem()
		return e.appendValue(b, ev, e.typeOf(ev.Type()))
	case reflect.Struct:
		return e.appendStruct(b, v, te)
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return e.appendList(b, v, te.elem)
	case reflect.Array:
		return e.appendList(b, v, te.elem)
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return e.appendMap(b, v, te.elem)
	}
	return b, errFallback
}

func (e *Encoder) appendList(b []byte, v reflect.Value, elem *typeEnc) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i := range v.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = e.appendValue(b, v.Index(i), elem); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

func (e *Encoder) appendMap(b []byte, v reflect.Value, elem *typeEnc) ([]byte, error) {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k.String())
		b = append(b, ':')
		if b, err = e.appendValue(b, v.MapIndex(k), elem); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendStruct writes a struct; a field marked emptyList is written []
// (a map {}) when nil, as the type's MarshalJSON would.
func (e *Encoder) appendStruct(b []byte, v reflect.Value, te *typeEnc) ([]byte, error) {
	if te.err != nil {
		return b, te.err
	}
	b = append(b, '{')
	first := true
	var err error
	for i := range te.fields {
		fi := &te.fields[i]
		fv := v.Field(fi.index)
		if fi.omitEmpty && isEmpty(fv) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, fi.key...)
		if fi.emptyList && fv.IsNil() {
			if fi.enc.kind == reflect.Map {
				b = append(b, "{}"...)
			} else {
				b = append(b, "[]"...)
			}
			continue
		}
		if b, err = e.appendValue(b, fv, fi.enc); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// appendFloat writes a number as encoding/json does (ES6 style).
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errFallback // encoding/json refuses it, and says why
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the bytes appendString copies as they are: printable
// ASCII but '"' and '\\'.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load8 packs s[0:8] little-endian; the compiler makes it one load.
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plain8 reports whether the 8 bytes packed in x are all plainASCII: none
// below 0x20, none with the high bit set, none '"', '\\' or DEL. A byte is
// zero after x^(c*ones) exactly where it was c, and (y-ones)&^y&highs is
// non-zero exactly when some byte of y is zero (or, with 0x20*ones, below
// 0x20); no false positive, so no escape is missed.
func plain8(x uint64) bool {
	less := (x - 0x20*ones) &^ x
	q := x ^ ('"' * ones)
	bs := x ^ ('\\' * ones)
	del := x ^ (0x7f * ones)
	return (less|x|(q-ones)&^q|(bs-ones)&^bs|(del-ones)&^del)&highs == 0
}

// appendString writes s as a JSON string as encoding/json does without
// HTML escaping, made terminal-safe as safe.JSON does: '"' and '\' escaped,
// \b \f \n \r \t by name, the other C0 controls and DEL as \u00XX, bytes
// that are not UTF-8 as \ufffd, and C1 controls, bidi controls, U+2028 and
// U+2029 as \uXXXX.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most of a report is plain ASCII prose: skip it 8 bytes at a time
		// and copy each safe run in one piece.
		for i+8 <= len(s) && plain8(load8(s[i:i+8])) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if safe.Needed(s[i : i+size]) {
			// U+2028 and U+2029 (which encoding/json escapes too), C1
			// controls and bidi controls: what safe.JSON escapes, done
			// here so the line needs no second pass.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
