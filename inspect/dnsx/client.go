package dnsx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Defaults for Client. Zero fields of a Client take these.
const (
	DefaultExchangeTimeout = 2 * time.Second // one UDP or TCP exchange with one server
	DefaultUDPSize         = 1232            // EDNS0 buffer: the DNS Flag Day 2020 value, safe from fragmentation
	MaxCNAMEChain          = 8               // aliases followed before the chain counts as a loop
	DefaultAttempts        = 2               // rounds over the servers while every one of them times out
	DefaultMaxAnswers      = 100             // records of the asked type one answer may hold
	DefaultMaxAnswerBytes  = 16384           // bytes of record data one answer may hold, TXT strings joined
)

// Client resolves names by asking recursive servers over UDP, retrying over
// TCP when an answer comes back truncated and moving to the next server when
// one times out, fails or refuses.
type Client struct {
	Servers []string      // host:port, asked in order
	Timeout time.Duration // per exchange; zero means DefaultExchangeTimeout

	// Attempts is how many times the server list is gone through while
	// every server times out (a lost UDP datagram is common; glibc's
	// resolver also tries twice). Zero means DefaultAttempts.
	Attempts int
	// MaxAnswers and MaxAnswerBytes cap one answer (see the package doc);
	// zero means the defaults.
	MaxAnswers     int
	MaxAnswerBytes int
}

var _ Resolver = (*Client)(nil)

// NewClient returns a Client that asks servers (host or host:port; IPv6
// literals with or without brackets).
func NewClient(servers ...string) *Client {
	c := &Client{}
	for _, s := range servers {
		c.Servers = append(c.Servers, ServerAddr(s))
	}
	return c
}

// ServerAddr adds the default port 53 to a server given as host or IPv6
// literal, and leaves host:port alone.
func ServerAddr(s string) string {
	s = strings.TrimSpace(s)
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	return net.JoinHostPort(strings.Trim(s, "[]"), "53")
}

// ParseServer checks a server as given to --dns (host, host:port, an IPv4
// or IPv6 address, IPv6 with or without brackets) and returns it as
// host:port.
func ParseServer(s string) (string, error) {
	addr := ServerAddr(s)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("dns server %q: %w", s, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("dns server %q: port must be a number from 1 to 65535", s)
	}
	if host == "" {
		return "", fmt.Errorf("dns server %q: no host", s)
	}
	if net.ParseIP(host) == nil {
		if _, ok := dns.IsDomainName(host); !ok || strings.ContainsAny(host, " \t/\\") {
			return "", fmt.Errorf("dns server %q: not an IP address or host name", s)
		}
	}
	return addr, nil
}

// SystemServers reads the name servers of /etc/resolv.conf (or path).
func SystemServers(path string) ([]string, error) {
	if path == "" {
		path = "/etc/resolv.conf"
	}
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("read resolver configuration: %w", err)
	}
	var out []string
	for _, s := range cfg.Servers {
		out = append(out, net.JoinHostPort(s, cfg.Port))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read resolver configuration: %s lists no nameserver", path)
	}
	return out, nil
}

// Lookup asks for name/qtype and follows CNAMEs (at most MaxCNAMEChain).
func (c *Client) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	fq, err := Fqdn(name)
	q := &trace.Query{Name: fq, Type: TypeName(qtype), Answers: []string{}}
	if err != nil {
		q.Rcode = trace.RcodeError
		q.Note = "not sent: " + plainErr(err)
		return q, err
	}
	if err := ctx.Err(); err != nil {
		q.Note = "not sent: " + cancelWords(err)
		return failed(q, fmt.Errorf("%w: %v", ErrTimeout, err))
	}
	seen := map[string]bool{fq: true}
	cur := fq
	var notes []string
	for asked := 0; ; asked++ {
		x := c.exchange(ctx, cur, qtype)
		q.Server = x.server
		q.RTTms += float64(x.rtt.Microseconds()) / 1000
		notes = append(notes, x.notes...)
		if x.err != nil {
			q.Note = joinNotes(notes)
			return failed(q, x.err)
		}
		resp := x.resp
		q.Rcode = RcodeName(resp.Rcode)
		q.AD = resp.AuthenticatedData && (asked == 0 || q.AD)
		switch resp.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
		case dns.RcodeServerFailure:
			q.Note = joinNotes(notes)
			return q, ErrServFail
		case dns.RcodeRefused:
			q.Note = joinNotes(notes)
			return q, ErrRefused
		default:
			q.Note = joinNotes(notes)
			return q, fmt.Errorf("%w: rcode %s", ErrNetwork, q.Rcode)
		}
		chain, rrs := collect(resp, cur, qtype)
		if resp.Rcode == dns.RcodeNameError {
			rrs = nil // records beside NXDOMAIN contradict it; the rcode is what the server decided
		}
		for _, alias := range chain {
			q.CNAMEs = append(q.CNAMEs, alias)
			if seen[alias] || len(q.CNAMEs) > MaxCNAMEChain {
				q.Note = joinNotes(append(notes, fmt.Sprintf("the CNAME chain %s loops or is longer than %d aliases",
					strings.Join(append([]string{fq}, q.CNAMEs...), " -> "), MaxCNAMEChain)))
				q.Rcode = trace.RcodeError
				return q, fmt.Errorf("%w: %s", ErrCNAMELoop, q.Note)
			}
			seen[alias] = true
		}
		if len(chain) > 0 {
			cur = chain[len(chain)-1]
		}
		if len(rrs) > 0 {
			q.Note = joinNotes(notes)
			return c.fill(q, rrs)
		}
		// Only an alias came back and the server did not say what its
		// target holds: ask for the target, as a stub resolver does when
		// the recursive server stops short. NXDOMAIN after an alias is
		// about the target already (RFC 6604 §2), and so is an answer that
		// covers the target with other types or an SOA.
		if len(chain) == 0 || resp.Rcode != dns.RcodeSuccess || covered(resp, cur) {
			q.TTL = negativeTTL(resp)
			q.Note = joinNotes(notes)
			return q, nil
		}
	}
}

// fill puts the records into q, unless they are over the caps.
func (c *Client) fill(q *trace.Query, rrs []dns.RR) (*trace.Query, error) {
	answers := make([]string, len(rrs))
	for i, rr := range rrs {
		answers[i] = Presentation(rr)
		if h := rr.Header(); i == 0 || h.Ttl < q.TTL {
			q.TTL = h.Ttl
		}
	}
	if err := checkCaps(q, answers, c.MaxAnswers, c.MaxAnswerBytes); err != nil {
		q.TTL = 0
		return q, err
	}
	q.Answers = answers
	return q, nil
}

// checkCaps returns ErrTooLarge, and says so in q, when answers hold more
// records or bytes than one answer may.
func checkCaps(q *trace.Query, answers []string, maxN, maxBytes int) error {
	if maxN <= 0 {
		maxN = DefaultMaxAnswers
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxAnswerBytes
	}
	size := 0
	for _, a := range answers {
		size += len(a)
	}
	if len(answers) <= maxN && size <= maxBytes {
		return nil
	}
	note := fmt.Sprintf("the answer holds %d %s records, %d bytes in all; headercheck reads at most %d records and %d bytes of one answer, so it was not used",
		len(answers), q.Type, size, maxN, maxBytes)
	q.Note = joinNotes([]string{q.Note, note})
	q.Rcode = trace.RcodeError
	q.Answers = []string{}
	return fmt.Errorf("%w: %d records, %d bytes", ErrTooLarge, len(answers), size)
}

// collect walks the answer section from name through any CNAMEs it holds.
// It returns the aliases followed, in order, and the records of qtype at
// the end of the chain. It stops after MaxCNAMEChain+1 aliases so that a
// looping answer ends; the caller sees the repeat and reports the loop.
func collect(resp *dns.Msg, name string, qtype uint16) (chain []string, rrs []dns.RR) {
	cur := name
	for range MaxCNAMEChain + 2 {
		var alias string
		for _, rr := range resp.Answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, cur) || h.Class != dns.ClassINET {
				continue
			}
			if h.Rrtype == qtype {
				rrs = append(rrs, rr)
			} else if cn, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME && alias == "" {
				alias = cn.Target
			}
		}
		if len(rrs) > 0 || alias == "" {
			return chain, rrs
		}
		fq, err := Fqdn(alias)
		if err != nil {
			return chain, nil // an alias no one could ask: the chain ends here, with nothing
		}
		chain = append(chain, fq)
		if slicesContains(chain[:len(chain)-1], fq) || fq == strings.ToLower(name) {
			return chain, nil
		}
		cur = fq
	}
	return chain, nil
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// covered reports whether resp says anything about name besides being an
// alias target: records of it in the answer, or an SOA in the authority
// section (a NODATA for it).
func covered(resp *dns.Msg, name string) bool {
	for _, rr := range resp.Answer {
		if strings.EqualFold(rr.Header().Name, name) {
			return true
		}
	}
	for _, rr := range resp.Ns {
		if _, ok := rr.(*dns.SOA); ok {
			return true
		}
	}
	return false
}

// negativeTTL is how long a negative answer may be cached: the smaller of
// the SOA's own TTL and its MINIMUM field (RFC 2308 §5). Zero when the
// answer carries no SOA.
func negativeTTL(resp *dns.Msg) uint32 {
	for _, rr := range resp.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return min(soa.Hdr.Ttl, soa.Minttl)
		}
	}
	return 0
}

// Presentation renders the data of one record the way checks consume it:
// TXT character-strings joined with nothing between them (RFC 7208 §3.3,
// RFC 6376 §3.6.2.2) and unescaped to their raw bytes; A/AAAA as addresses;
// MX as "preference exchange"; PTR and CNAME as the target name.
func Presentation(rr dns.RR) string {
	switch r := rr.(type) {
	case *dns.TXT:
		var b strings.Builder
		for _, s := range r.Txt {
			b.WriteString(unescapeTXT(s))
		}
		return b.String()
	case *dns.A:
		return r.A.String()
	case *dns.AAAA:
		return r.AAAA.String()
	case *dns.MX:
		return fmt.Sprintf("%d %s", r.Preference, strings.ToLower(r.Mx))
	case *dns.PTR:
		return strings.ToLower(r.Ptr)
	case *dns.CNAME:
		return strings.ToLower(r.Target)
	}
	s := rr.String()
	if i := strings.Index(s, "\t"+TypeName(rr.Header().Rrtype)+"\t"); i >= 0 {
		return s[i+len(TypeName(rr.Header().Rrtype))+2:]
	}
	return s
}

// unescapeTXT undoes miekg/dns's presentation escapes (\" \\ \DDD) so the
// checks see the bytes the domain published.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v < 256 {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// exchanged is the outcome of asking one question of the server list.
type exchanged struct {
	resp   *dns.Msg
	server string
	rtt    time.Duration // of the exchanges with the server that answered (or the last one tried)
	notes  []string      // what happened on the way: timeouts, failovers, TCP retries
	err    error
}

// exchange asks each server in turn until one gives an answer that is not
// SERVFAIL or REFUSED, going through the list again (Attempts times in
// all) while every server times out. The last SERVFAIL or REFUSED answer is
// returned when no server does better, or else the last error.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16) exchanged {
	if len(c.Servers) == 0 {
		return exchanged{err: fmt.Errorf("%w: no DNS server configured", ErrNetwork)}
	}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(DefaultUDPSize, true) // DO bit: ask the resolver to say whether it validated (AD)
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultExchangeTimeout
	}
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	var (
		x       exchanged
		last    *dns.Msg
		lastSrv string
		lastRTT time.Duration
	)
	for round := range attempts {
		timeouts := 0
		for _, server := range c.Servers {
			if err := ctx.Err(); err != nil {
				x.notes = append(x.notes, "stopped: "+cancelWords(err))
				x.server, x.err = server, fmt.Errorf("%w: %v", ErrTimeout, err)
				return x
			}
			resp, rtt, note, err := c.askServer(ctx, m, server, timeout)
			x.server, x.rtt = server, rtt
			if note != "" {
				x.notes = append(x.notes, note)
			}
			if err != nil {
				x.err = err
				if cerr := ctx.Err(); cerr != nil {
					x.notes = append(x.notes, "stopped: "+cancelWords(cerr))
					return x
				}
				if errors.Is(err, ErrTimeout) {
					timeouts++
					x.notes = append(x.notes, fmt.Sprintf("%s gave no answer within %s", server, timeout))
				} else {
					x.notes = append(x.notes, fmt.Sprintf("%s: %s", server, plainErr(err)))
				}
				continue
			}
			if resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused {
				last, lastSrv, lastRTT = resp, server, rtt
				if len(c.Servers) > 1 {
					x.notes = append(x.notes, fmt.Sprintf("%s answered %s", server, RcodeName(resp.Rcode)))
				}
				continue
			}
			x.resp, x.err = resp, nil
			if round > 0 || server != c.Servers[0] {
				x.notes = append(x.notes, fmt.Sprintf("%s answered", server))
			}
			return x
		}
		if last != nil || timeouts < len(c.Servers) || ctx.Err() != nil {
			break // another round only helps when every server was silent
		}
	}
	if last != nil {
		// The notes already say which servers answered what; the caller
		// turns the rcode into ErrServFail or ErrRefused.
		x.resp, x.server, x.rtt, x.err = last, lastSrv, lastRTT, nil
	}
	return x
}

// askServer does one UDP exchange with server and repeats it over TCP when
// the answer is truncated (RFC 7766 §5); it asks again without EDNS0 when
// the server does not understand it (RFC 6891 §7).
func (c *Client) askServer(ctx context.Context, m *dns.Msg, server string, timeout time.Duration) (*dns.Msg, time.Duration, string, error) {
	resp, rtt, err := exchangeOne(ctx, m, server, "udp", timeout)
	note := ""
	if err == nil && resp.Truncated {
		var trtt time.Duration
		resp, trtt, err = exchangeOne(ctx, m, server, "tcp", timeout)
		rtt += trtt
		note = "the UDP answer was truncated (TC flag), so it was asked again over TCP"
	}
	if err == nil && (resp.Rcode == dns.RcodeFormatError || resp.Rcode == dns.RcodeNotImplemented) && m.IsEdns0() != nil {
		plain := m.Copy()
		plain.Extra = nil
		var prtt time.Duration
		resp, prtt, err = exchangeOne(ctx, plain, server, "udp", timeout)
		rtt += prtt
		note = fmt.Sprintf("%s did not accept EDNS0, so it was asked again without it (RFC 6891 §7)", server)
		if err == nil && resp.Truncated {
			var trtt time.Duration
			resp, trtt, err = exchangeOne(ctx, plain, server, "tcp", timeout)
			rtt += trtt
			note += ", then over TCP after a truncated answer"
		}
	}
	return resp, rtt, note, err
}

// exchangeOne does one exchange over proto. Cancelling ctx closes the
// socket, so a cancelled lookup returns at once rather than when the read
// deadline passes (miekg/dns only looks at a context's deadline).
func exchangeOne(ctx context.Context, m *dns.Msg, server, proto string, timeout time.Duration) (*dns.Msg, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dc := &dns.Client{Net: proto, UDPSize: DefaultUDPSize, Timeout: timeout}
	start := time.Now()
	conn, err := dc.DialContext(ctx, server)
	if err != nil {
		return nil, time.Since(start), classify(ctx, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	resp, rtt, err := dc.ExchangeWithConnContext(ctx, m, conn)
	if err != nil {
		return nil, time.Since(start), classify(ctx, err)
	}
	if err := sameQuestion(m, resp); err != nil {
		return nil, rtt, err
	}
	return resp, rtt, nil
}

// sameQuestion rejects a reply that is not for the question asked
// (RFC 5452 §9.1). miekg/dns has already matched the ID.
func sameQuestion(m, resp *dns.Msg) error {
	if !resp.Response {
		return fmt.Errorf("%w: the reply is not marked as a response", ErrNetwork)
	}
	if len(resp.Question) != 1 {
		if len(resp.Question) == 0 && resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
			return nil // some servers omit the question in an error reply
		}
		return fmt.Errorf("%w: the reply carries %d questions, not the one asked", ErrNetwork, len(resp.Question))
	}
	a, b := m.Question[0], resp.Question[0]
	if !strings.EqualFold(a.Name, b.Name) || a.Qtype != b.Qtype || a.Qclass != b.Qclass {
		return fmt.Errorf("%w: the reply answers %s %s, not the question asked", ErrNetwork, b.Name, TypeName(b.Qtype))
	}
	return nil
}

// classify turns a failed exchange into ErrTimeout (nothing came in time,
// or ctx ended) or ErrNetwork (the exchange failed outright).
func classify(ctx context.Context, err error) error {
	var ne net.Error
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w: %s", ErrTimeout, cancelWords(cerr))
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %v", ErrNetwork, err)
}

func cancelWords(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the time allowed ran out"
	}
	return "the lookup was cancelled"
}

func joinNotes(notes []string) string {
	out := notes[:0:0]
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}
