package dnsx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// MaxSnapshotBytes is the largest snapshot file LoadSnapshot reads.
const MaxSnapshotBytes = 32 << 20

// SnapshotServer is Query.Server for a replayed answer whose snapshot does
// not say which server gave it.
const SnapshotServer = "snapshot"

// Snapshot answers questions from a snapshot file only; it never touches
// the network. The format is described in the package doc. It is safe for
// concurrent use (it does not change after parsing).
type Snapshot struct {
	// MaxAnswers and MaxAnswerBytes cap one answer as Client's do; zero
	// means the defaults.
	MaxAnswers     int
	MaxAnswerBytes int

	file     string                      // base name, for notes
	records  map[string][]dns.RR         // owner -> records, in file order
	exists   map[string]bool             // owners and every name above them
	outcomes map[cacheKey]*snapDirective // error kinds and nodata; qtype 0 = every type
	answers  map[cacheKey]*snapDirective // "answer" lines; qtype 0 = every type
	nx       map[string]*snapDirective   // nxdomain
	zones    map[string]*snapDirective   // zone
}

var _ Resolver = (*Snapshot)(nil)

type snapDirective struct {
	kind   string
	line   int
	ad     bool
	server string
	rtt    float64
	ttl    uint32
	rcode  string // error: the rcode the server gave, when it gave one (FORMERR, NOTIMP, ...)
}

// The directive keywords.
const (
	kwAnswer   = "answer"
	kwNXDomain = "nxdomain"
	kwNoData   = "nodata"
	kwServFail = "servfail"
	kwRefused  = "refused"
	kwTimeout  = "timeout"
	kwError    = "error"
	kwTooLarge = "toolarge"
	kwZone     = "zone"
)

// LoadSnapshot reads and parses the snapshot file at path.
func LoadSnapshot(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dns snapshot: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxSnapshotBytes {
		return nil, fmt.Errorf("dns snapshot %s: larger than %d bytes", path, MaxSnapshotBytes)
	}
	return ParseSnapshot(f, path)
}

// ParseSnapshot parses snapshot text; file names it in errors and notes.
// At most MaxSnapshotBytes are read.
func ParseSnapshot(r io.Reader, file string) (*Snapshot, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSnapshotBytes+1))
	if err != nil {
		return nil, fmt.Errorf("dns snapshot %s: %w", file, err)
	}
	if len(data) > MaxSnapshotBytes {
		return nil, fmt.Errorf("dns snapshot %s: larger than %d bytes", file, MaxSnapshotBytes)
	}
	s := &Snapshot{
		file:     filepath.Base(file),
		records:  map[string][]dns.RR{},
		exists:   map[string]bool{},
		outcomes: map[cacheKey]*snapDirective{},
		answers:  map[cacheKey]*snapDirective{},
		nx:       map[string]*snapDirective{},
		zones:    map[string]*snapDirective{},
	}
	if err := s.parseDirectives(data, file); err != nil {
		return nil, err
	}
	if err := s.parseRecords(data, file); err != nil {
		return nil, err
	}
	return s, nil
}

// parseDirectives reads the ";!" lines, tracking $ORIGIN so that relative
// names mean what they mean to the zone parser.
func (s *Snapshot) parseDirectives(data []byte, file string) error {
	origin := "."
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxSnapshotBytes)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.EqualFold(fields[0], "$GENERATE") {
			return fmt.Errorf("dns snapshot %s:%d: $GENERATE is not allowed in a snapshot; write the records out", file, n)
		}
		if len(fields) > 1 && strings.EqualFold(fields[0], "$ORIGIN") {
			o, err := absName(fields[1], origin)
			if err != nil {
				return fmt.Errorf("dns snapshot %s:%d: $ORIGIN: %w", file, n, err)
			}
			origin = o
			continue
		}
		if !strings.HasPrefix(line, ";!") {
			continue
		}
		body := line[2:]
		if i := strings.IndexByte(body, ';'); i >= 0 {
			body = body[:i] // a comment after the directive
		}
		if err := s.directive(strings.Fields(body), origin, n); err != nil {
			return fmt.Errorf("dns snapshot %s:%d: %w", file, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("dns snapshot %s: %w", file, err)
	}
	return nil
}

func (s *Snapshot) directive(f []string, origin string, line int) error {
	if len(f) < 2 {
		return errors.New(`a directive needs a keyword and a name, as in ";! nxdomain ghost.example.org."`)
	}
	d := &snapDirective{kind: strings.ToLower(f[0]), line: line}
	switch d.kind {
	case kwAnswer, kwNXDomain, kwNoData, kwServFail, kwRefused, kwTimeout, kwError, kwTooLarge, kwZone:
	default:
		return fmt.Errorf("unknown directive %q (answer, nxdomain, nodata, servfail, refused, timeout, error, toolarge, zone)", f[0])
	}
	name, err := absName(f[1], origin)
	if err != nil {
		return err
	}
	rest := f[2:]
	var qtype uint16
	if len(rest) > 0 && !strings.Contains(rest[0], "=") && !strings.EqualFold(rest[0], "ad") {
		t, ok := parseType(rest[0])
		if !ok {
			return fmt.Errorf("unknown record type %q", rest[0])
		}
		qtype, rest = t, rest[1:]
	}
	for _, o := range rest {
		k, v, hasValue := strings.Cut(o, "=")
		switch strings.ToLower(k) {
		case "ad":
			if hasValue {
				return fmt.Errorf("option ad takes no value")
			}
			d.ad = true
		case "server":
			if v == "" || strings.ContainsAny(v, "\"\\") {
				return fmt.Errorf("bad server %q", v)
			}
			d.server = v
		case "rtt":
			ms, err := strconv.ParseFloat(v, 64)
			if err != nil || ms < 0 || ms > 1e9 || ms != ms {
				return fmt.Errorf("bad rtt %q (milliseconds)", v)
			}
			d.rtt = ms
		case "ttl":
			ttl, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return fmt.Errorf("bad ttl %q (seconds)", v)
			}
			d.ttl = uint32(ttl)
		case "rcode":
			if rc, ok := dns.StringToRcode[strings.ToUpper(v)]; !ok || d.kind != kwError || rc == dns.RcodeSuccess || rc == dns.RcodeNameError {
				return fmt.Errorf("bad rcode %q (only on error, a DNS rcode such as NOTIMP)", v)
			}
			d.rcode = strings.ToUpper(v)
		default:
			return fmt.Errorf("unknown option %q (ad, server=, rtt=, ttl=, rcode=)", o)
		}
	}
	k := cacheKey{name, qtype}
	switch d.kind {
	case kwAnswer:
		s.answers[k] = d
	case kwNXDomain:
		s.nx[name] = d
	case kwZone:
		s.zones[name] = d
	default:
		s.outcomes[k] = d
	}
	return nil
}

func parseType(s string) (uint16, bool) {
	if t, ok := dns.StringToType[strings.ToUpper(s)]; ok {
		return t, true
	}
	if rest, ok := strings.CutPrefix(strings.ToUpper(s), "TYPE"); ok {
		n, err := strconv.ParseUint(rest, 10, 16)
		return uint16(n), err == nil && n > 0
	}
	return 0, false
}

// absName resolves a directive's name against origin, as the zone parser
// does for record owners.
func absName(name, origin string) (string, error) {
	switch {
	case name == "@":
		name = origin
	case !strings.HasSuffix(name, ".") || strings.HasSuffix(name, `\.`):
		if origin == "." {
			name += "."
		} else {
			name += "." + origin
		}
	}
	fq, err := Fqdn(name)
	if err != nil {
		return "", err
	}
	return wireName(fq), nil
}

func (s *Snapshot) parseRecords(data []byte, file string) error {
	zp := dns.NewZoneParser(bytes.NewReader(data), ".", file)
	zp.SetDefaultTTL(300)
	zp.SetIncludeAllowed(false)
	seen := map[string]bool{}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		if h.Class != dns.ClassINET {
			continue
		}
		owner, err := Fqdn(h.Name)
		if err != nil {
			return fmt.Errorf("dns snapshot %s: %w", file, err)
		}
		owner = wireName(owner)
		h.Name = owner
		if cn, ok := rr.(*dns.CNAME); ok {
			cn.Target = wireName(cn.Target)
		}
		// An RRset holds no duplicates (RFC 2181 §5); a file might.
		id := owner + "\x00" + TypeName(h.Rrtype) + "\x00" + Presentation(rr)
		if seen[id] {
			continue
		}
		seen[id] = true
		s.records[owner] = append(s.records[owner], rr)
		for n := owner; !s.exists[n]; {
			s.exists[n] = true
			i := strings.IndexByte(n, '.')
			if i < 0 || i == len(n)-1 {
				break
			}
			n = n[i+1:]
		}
	}
	if err := zp.Err(); err != nil {
		return fmt.Errorf("dns snapshot: %w", err)
	}
	return nil
}

// Lookup answers name/qtype from the snapshot.
func (s *Snapshot) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	fq, err := Fqdn(name)
	q := &trace.Query{Name: fq, Type: TypeName(qtype), Answers: []string{}, Server: SnapshotServer, Replayed: s.file}
	if q.Replayed == "" {
		q.Replayed = SnapshotServer
	}
	if err != nil {
		q.Rcode = trace.RcodeError
		q.Note = "not sent: " + plainErr(err)
		return q, err
	}
	if err := ctx.Err(); err != nil {
		q.Note = "not answered: " + cancelWords(err)
		return failed(q, fmt.Errorf("%w: %v", ErrTimeout, err))
	}
	key := wireName(fq)
	meta := s.directiveFor(s.answers, key, qtype)
	cur := key
	seen := map[string]bool{key: true}
	for {
		if d := s.directiveFor(s.outcomes, cur, qtype); d != nil && d.kind != kwNoData {
			return s.replayError(q, meta, d)
		}
		var rrs []dns.RR
		var alias string
		for _, rr := range s.records[cur] {
			switch t := rr.Header().Rrtype; {
			case t == qtype:
				rrs = append(rrs, rr)
			case t == dns.TypeCNAME && qtype != dns.TypeCNAME && alias == "":
				alias = rr.(*dns.CNAME).Target
			}
		}
		if len(rrs) > 0 {
			q.Rcode = trace.RcodeNoError
			s.setMeta(q, meta, nil)
			answers := make([]string, len(rrs))
			for i, rr := range rrs {
				answers[i] = Presentation(rr)
				if i == 0 || rr.Header().Ttl < q.TTL {
					q.TTL = rr.Header().Ttl
				}
			}
			if err := checkCaps(q, answers, s.MaxAnswers, s.MaxAnswerBytes); err != nil {
				q.TTL = 0
				return q, err
			}
			q.Answers = answers
			return q, nil
		}
		if alias != "" {
			q.CNAMEs = append(q.CNAMEs, alias)
			if seen[alias] || len(q.CNAMEs) > MaxCNAMEChain {
				q.Rcode = trace.RcodeError
				s.setMeta(q, meta, nil)
				q.TTL = 0
				q.Note = fmt.Sprintf("the CNAME chain %s loops or is longer than %d aliases",
					strings.Join(append([]string{fq}, q.CNAMEs...), " -> "), MaxCNAMEChain)
				return q, fmt.Errorf("%w: %s", ErrCNAMELoop, q.Note)
			}
			seen[alias] = true
			cur = alias
			continue
		}
		if d := s.nx[cur]; d != nil {
			q.Rcode = trace.RcodeNXDomain
			s.setMeta(q, meta, d)
			return q, nil
		}
		if d := s.directiveFor(s.outcomes, cur, qtype); d != nil { // nodata
			q.Rcode = trace.RcodeNoError
			s.setMeta(q, meta, d)
			return q, nil
		}
		if d := s.directiveFor(s.answers, cur, qtype); d != nil {
			q.Rcode = trace.RcodeNoError
			s.setMeta(q, meta, d)
			return q, nil
		}
		if d := s.nxFor(cur); d != nil {
			q.Rcode = trace.RcodeNXDomain
			s.setMeta(q, meta, d)
			return q, nil
		}
		if d := s.zoneFor(cur); d != nil {
			q.Rcode = trace.RcodeNXDomain
			if s.exists[cur] {
				q.Rcode = trace.RcodeNoError
			}
			s.setMeta(q, meta, d)
			return q, nil
		}
		q.Note = fmt.Sprintf("the DNS snapshot %s holds no answer for %s %s", s.file, cur, TypeName(qtype))
		if cur != key {
			q.Note += ", the end of the CNAME chain from " + fq
		}
		return failed(q, fmt.Errorf("%w: %s %s", ErrNotInSnapshot, cur, TypeName(qtype)))
	}
}

func (s *Snapshot) replayError(q *trace.Query, meta, d *snapDirective) (*trace.Query, error) {
	s.setMeta(q, meta, d)
	q.TTL = 0
	var err error
	switch d.kind {
	case kwServFail:
		err = ErrServFail
	case kwRefused:
		err = ErrRefused
	case kwTimeout:
		err = fmt.Errorf("%w: recorded in the snapshot", ErrTimeout)
	case kwTooLarge:
		err = fmt.Errorf("%w: recorded in the snapshot", ErrTooLarge)
	default:
		err = fmt.Errorf("%w: recorded in the snapshot", ErrNetwork)
	}
	q.Note = fmt.Sprintf("the DNS snapshot %s records that this question got no usable answer: %s (line %d)", s.file, d.kind, d.line)
	q.Rcode = rcodeOfErr(err)
	if d.rcode != "" {
		q.Rcode = d.rcode
	}
	return q, err
}

// setMeta copies the options of the question's own "answer" line, or else
// of the directive that decided the answer. A negative answer takes its TTL
// from the deciding directive, or else from the answer line.
func (s *Snapshot) setMeta(q *trace.Query, meta, decided *snapDirective) {
	if decided != nil {
		q.TTL = decided.ttl
	}
	if q.TTL == 0 && meta != nil {
		q.TTL = meta.ttl
	}
	d := meta
	if d == nil {
		d = decided
	}
	if d == nil {
		return
	}
	q.AD = d.ad
	q.RTTms = d.rtt
	if d.server != "" {
		q.Server = d.server
	}
}

func (s *Snapshot) directiveFor(m map[cacheKey]*snapDirective, name string, qtype uint16) *snapDirective {
	if d := m[cacheKey{name, qtype}]; d != nil {
		return d
	}
	return m[cacheKey{name, 0}]
}

// nxFor finds an nxdomain for name or a name above it: nothing exists below
// a name that does not exist (RFC 8020 §2).
func (s *Snapshot) nxFor(name string) *snapDirective {
	for n := name; ; {
		if d := s.nx[n]; d != nil {
			return d
		}
		i := strings.IndexByte(n, '.')
		if i < 0 || i == len(n)-1 {
			return nil
		}
		n = n[i+1:]
	}
}

func (s *Snapshot) zoneFor(name string) *snapDirective {
	for n := name; ; {
		if d := s.zones[n]; d != nil {
			return d
		}
		if n == "." {
			return nil
		}
		i := strings.IndexByte(n, '.')
		if i < 0 {
			return nil
		}
		if n = n[i+1:]; n == "" {
			n = "."
		}
	}
}
