package dnsx

import (
	"context"
	"errors"
	"fmt"
	"net"
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
)

// Client resolves names by asking recursive servers over UDP, retrying over
// TCP when an answer comes back truncated and moving to the next server when
// one times out, fails or refuses.
type Client struct {
	Servers []string      // host:port, asked in order
	Timeout time.Duration // per exchange; zero means DefaultExchangeTimeout
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
		q.Note = "not sent: " + err.Error()
		return q, err
	}
	seen := map[string]bool{fq: true}
	cur := fq
	for {
		resp, server, rtt, xerr := c.exchange(ctx, cur, qtype)
		q.Server = server
		q.RTTms += float64(rtt.Microseconds()) / 1000
		if xerr != nil {
			q.Rcode = rcodeOfErr(xerr)
			q.Note = xerr.Error()
			return q, xerr
		}
		q.Rcode = RcodeName(resp.Rcode)
		q.AD = resp.AuthenticatedData
		switch resp.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
		case dns.RcodeServerFailure:
			return q, ErrServFail
		case dns.RcodeRefused:
			return q, ErrRefused
		default:
			return q, fmt.Errorf("%w: rcode %s", ErrNetwork, q.Rcode)
		}
		next, answers, ttl := collect(resp, cur, qtype)
		if len(answers) > 0 || next == "" {
			q.Answers = answers
			q.TTL = ttl
			return q, nil
		}
		// Only an alias came back for this name: ask again for its target,
		// as a stub resolver does when the recursive server stops short.
		q.CNAMEs = append(q.CNAMEs, next)
		if seen[next] || len(q.CNAMEs) > MaxCNAMEChain {
			q.Rcode = trace.RcodeError
			q.Note = fmt.Sprintf("CNAME chain %s loops or is longer than %d", strings.Join(append([]string{fq}, q.CNAMEs...), " -> "), MaxCNAMEChain)
			return q, fmt.Errorf("%w: %s", ErrCNAMELoop, q.Note)
		}
		seen[next] = true
		cur = next
	}
}

// collect walks the answer section from name through any CNAMEs it holds
// and returns the records of qtype at the end of the chain. When the chain
// ends in an alias whose target the answer does not cover, next names it.
func collect(resp *dns.Msg, name string, qtype uint16) (next string, answers []string, ttl uint32) {
	cur := strings.ToLower(name)
	hops := 0
	for {
		var alias string
		for _, rr := range resp.Answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, cur) {
				continue
			}
			if h.Rrtype == qtype {
				answers = append(answers, Presentation(rr))
				if ttl == 0 || h.Ttl < ttl {
					ttl = h.Ttl
				}
			} else if cn, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				alias = strings.ToLower(cn.Target)
			}
		}
		if len(answers) > 0 || alias == "" {
			return "", answers, ttl
		}
		hops++
		if hops > MaxCNAMEChain {
			return alias, nil, 0
		}
		// Is the alias's target answered in the same response?
		covered := false
		for _, rr := range resp.Answer {
			if strings.EqualFold(rr.Header().Name, alias) {
				covered = true
				break
			}
		}
		if !covered {
			return alias, nil, 0
		}
		cur = alias
	}
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
	if i := strings.Index(s, "\t"+dns.TypeToString[rr.Header().Rrtype]+"\t"); i >= 0 {
		return s[i+len(dns.TypeToString[rr.Header().Rrtype])+2:]
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

// exchange asks each server in turn until one gives an answer that is not
// SERVFAIL or REFUSED; the last failure is returned when none does.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, string, time.Duration, error) {
	if len(c.Servers) == 0 {
		return nil, "", 0, fmt.Errorf("%w: no DNS server configured", ErrNetwork)
	}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(DefaultUDPSize, true) // DO bit: ask the resolver to say whether it validated (AD)
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultExchangeTimeout
	}
	var (
		last       *dns.Msg
		lastServer string
		lastRTT    time.Duration
		lastErr    error
	)
	for _, server := range c.Servers {
		if err := ctx.Err(); err != nil {
			return nil, server, 0, fmt.Errorf("%w: %v", ErrTimeout, err)
		}
		resp, rtt, err := exchangeOne(ctx, m, server, timeout)
		lastServer, lastRTT = server, rtt
		if err != nil {
			lastErr = err
			continue
		}
		if resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused {
			last, lastErr = resp, nil
			continue
		}
		return resp, server, rtt, nil
	}
	if last != nil {
		return last, lastServer, lastRTT, nil
	}
	return nil, lastServer, lastRTT, lastErr
}

// exchangeOne does one UDP exchange with server and repeats it over TCP when
// the answer is truncated.
func exchangeOne(ctx context.Context, m *dns.Msg, server string, timeout time.Duration) (*dns.Msg, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	udp := &dns.Client{Net: "udp", UDPSize: DefaultUDPSize, Timeout: timeout}
	resp, rtt, err := udp.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated {
		tcp := &dns.Client{Net: "tcp", Timeout: timeout}
		var trtt time.Duration
		resp, trtt, err = tcp.ExchangeContext(ctx, m, server)
		rtt += trtt
	}
	if err != nil {
		return nil, rtt, classify(err)
	}
	return resp, rtt, nil
}

func classify(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %v", ErrNetwork, err)
}

func rcodeOfErr(err error) string {
	switch {
	case errors.Is(err, ErrTimeout):
		return trace.RcodeTimeout
	case errors.Is(err, ErrNotInSnapshot):
		return trace.RcodeMissing
	}
	return trace.RcodeError
}
