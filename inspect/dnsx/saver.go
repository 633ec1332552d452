package dnsx

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Saver passes lookups through to a Resolver and remembers every answer
// the run used, errors included, to write them as a snapshot (--save-dns)
// that Snapshot replays. It keeps one answer per name and type: the first,
// unless that one failed and a later one did not (a snapshot is evidence of
// what DNS said; a transient failure says less). Questions that were never
// sent (ErrBadName) or that a snapshot did not hold are not written. It is
// safe for concurrent use.
type Saver struct {
	Resolver Resolver
	// Comment lines written at the top of the file, e.g. when and for
	// which input the run was made.
	Comment []string

	mu    sync.Mutex
	saved map[cacheKey]savedAnswer
}

type savedAnswer struct {
	qtype uint16
	q     trace.Query
	err   error
}

var _ Resolver = (*Saver)(nil)

// NewSaver returns a Saver asking r.
func NewSaver(r Resolver) *Saver { return &Saver{Resolver: r, saved: map[cacheKey]savedAnswer{}} }

// Lookup asks the resolver behind s and remembers the answer.
func (s *Saver) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	q, err := s.Resolver.Lookup(ctx, name, qtype)
	s.add(qtype, q, err)
	return q, err
}

func (s *Saver) add(qtype uint16, q *trace.Query, err error) {
	if q == nil || errors.Is(err, ErrBadName) || errors.Is(err, ErrNotInSnapshot) {
		return
	}
	k := cacheKey{q.Name, qtype}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.saved[k]; !ok || (old.err != nil && err == nil) {
		c := *q
		c.Answers = slices.Clone(q.Answers)
		c.CNAMEs = slices.Clone(q.CNAMEs)
		s.saved[k] = savedAnswer{qtype: qtype, q: c, err: err}
	}
}

// Len is how many questions s holds answers for.
func (s *Saver) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.saved)
}

// Save writes the snapshot to path, replacing it only once it is complete.
func (s *Saver) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save dns snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.WriteSnapshot(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("save dns snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save dns snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save dns snapshot: %w", err)
	}
	return nil
}

// WriteSnapshot writes the answers in snapshot format, sorted by name and
// type so that two runs over the same input give comparable files.
func (s *Saver) WriteSnapshot(w io.Writer) error {
	s.mu.Lock()
	all := make([]savedAnswer, 0, len(s.saved))
	for _, a := range s.saved {
		all = append(all, a)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b savedAnswer) int {
		return cmp.Or(strings.Compare(a.q.Name, b.q.Name), cmp.Compare(a.qtype, b.qtype))
	})

	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "; headercheck DNS snapshot: every DNS answer one run used.")
	fmt.Fprintln(bw, "; Replay it with --dns-snapshot FILE. Record lines are zone-file text;")
	fmt.Fprintln(bw, "; \";!\" lines say how a question was answered (see the README).")
	for _, c := range s.Comment {
		fmt.Fprintf(bw, "; %s\n", oneLine(c))
	}
	written := map[string]bool{} // record lines already in the file
	for _, a := range all {
		writeAnswer(bw, a, written)
	}
	return bw.Flush()
}

func writeAnswer(w *bufio.Writer, a savedAnswer, written map[string]bool) {
	q := a.q
	tname := TypeName(a.qtype)
	qname, err := zoneName(q.Name)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "\n; %s %s: %s", qname, tname, oneLine(q.Rcode))
	if q.Rcode == trace.RcodeNoError && len(q.Answers) == 0 && a.err == nil {
		fmt.Fprint(w, " (no records of this type)")
	}
	fmt.Fprintln(w)
	if q.Note != "" {
		fmt.Fprintf(w, "; %s\n", oneLine(q.Note))
	}

	// The chain of aliases, then the outcome at its end.
	owner := q.Name
	ttl := strconv.FormatUint(uint64(q.TTL), 10)
	var lines []string
	for _, alias := range q.CNAMEs {
		o, err1 := zoneName(owner)
		t, err2 := zoneName(alias)
		if err1 != nil || err2 != nil {
			break
		}
		lines = append(lines, o+"\t"+ttl+"\tIN\tCNAME\t"+t)
		owner = alias
	}
	final, err := zoneName(owner)
	if err != nil {
		return
	}
	opts := metaOptions(q)
	kind := ""
	switch {
	case a.err == nil && len(q.Answers) > 0:
		var records []string
		for _, ans := range q.Answers {
			line := final + "\t" + ttl + "\tIN\t" + tname + "\t" + rdataText(a.qtype, ans)
			if rr, perr := dns.NewRR(line); perr != nil || rr == nil || Presentation(rr) != ans {
				// Not expressible as zone text: replay it as a failed
				// exchange rather than as a different or partial answer.
				fmt.Fprintf(w, "; could not write the answer %q as a record\n", oneLine(ans))
				kind, records = kwError, nil
				break
			}
			records = append(records, line)
		}
		lines = append(lines, records...)
	case a.err == nil && q.Rcode == trace.RcodeNXDomain:
		kind = kwNXDomain
	case a.err == nil:
		kind = kwNoData
	case errors.Is(a.err, ErrCNAMELoop):
		// The CNAME lines reproduce the loop.
	case errors.Is(a.err, ErrTimeout):
		kind = kwTimeout
	case errors.Is(a.err, ErrServFail):
		kind = kwServFail
	case errors.Is(a.err, ErrRefused):
		kind = kwRefused
	case errors.Is(a.err, ErrTooLarge):
		kind = kwTooLarge
	default:
		kind = kwError
	}
	directive := ""
	if kind != "" {
		directive = ";! " + kind + " " + final
		if kind != kwNXDomain {
			directive += " " + tname
		}
		if owner == q.Name {
			directive += opts
			opts = ""
		}
		if (kind == kwNXDomain || kind == kwNoData) && q.TTL > 0 {
			directive += " ttl=" + ttl
		}
		if rc, ok := dns.StringToRcode[q.Rcode]; ok && kind == kwError && rc != dns.RcodeSuccess && rc != dns.RcodeNameError {
			directive += " rcode=" + q.Rcode
		}
	}
	if opts != "" {
		fmt.Fprintf(w, ";! answer %s %s%s\n", qname, tname, opts)
	}
	if directive != "" {
		fmt.Fprintln(w, directive)
	}
	for _, l := range lines {
		if !written[l] {
			written[l] = true
			fmt.Fprintln(w, l)
		}
	}
}

// metaOptions are the directive options that describe how q was answered.
func metaOptions(q trace.Query) string {
	var b strings.Builder
	if q.AD {
		b.WriteString(" ad")
	}
	if q.Server != "" && q.Server != SnapshotServer && !strings.ContainsAny(q.Server, " \t;\"\\") {
		b.WriteString(" server=" + q.Server)
	}
	if q.RTTms > 0 {
		b.WriteString(" rtt=" + strconv.FormatFloat(q.RTTms, 'f', -1, 64))
	}
	return b.String()
}

// rdataText turns an answer as checks see it back into zone-file rdata.
// Only TXT differs: its joined raw bytes are split into character-strings
// of at most 255 bytes and escaped.
func rdataText(qtype uint16, ans string) string {
	if qtype != dns.TypeTXT {
		return ans
	}
	if ans == "" {
		return `""`
	}
	var b strings.Builder
	for i := 0; i < len(ans); i += 255 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for _, c := range []byte(ans[i:min(i+255, len(ans))]) {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}

// zoneName writes a domain name so that the zone parser and the directive
// parser read it back as the same name: every byte of a label other than
// a-z, 0-9, '-', '_' and '*' as \DDD.
func zoneName(name string) (string, error) {
	labels, err := rawLabels(name)
	if err != nil {
		return "", err
	}
	if len(labels) == 0 {
		return ".", nil
	}
	var b strings.Builder
	for _, l := range labels {
		for _, c := range []byte(l) {
			switch {
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '*':
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "\\%03d", c)
			}
		}
		b.WriteByte('.')
	}
	return b.String(), nil
}

// rawLabels is name's labels as the bytes that go on the wire.
func rawLabels(name string) ([]string, error) {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadName, name, err)
	}
	var labels []string
	for off := 0; off < n; {
		l := int(buf[off])
		if l == 0 || off+1+l > n {
			break
		}
		labels = append(labels, string(buf[off+1:off+1+l]))
		off += 1 + l
	}
	return labels, nil
}

// wireName is name in the form miekg/dns gives names it read from the
// wire, lowercased: the form Client reports, whatever escapes the snapshot
// used.
func wireName(name string) string {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return strings.ToLower(name)
	}
	s, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return strings.ToLower(name)
	}
	return strings.ToLower(s)
}

// oneLine makes text safe for a comment line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
