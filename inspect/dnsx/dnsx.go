// Package dnsx is the one way headercheck asks DNS: every check (SPF, DKIM,
// DMARC, iprev) looks names up through a Resolver, and every exchange comes
// back as a trace.Query so it can be shown, cached, saved and replayed.
//
// A lookup that got a DNS answer — including NXDOMAIN and NODATA — returns
// that answer and a nil error: "the name does not exist" is a fact a check
// reasons about (RFC 7208 §4.6.4 void lookups, RFC 6376 §6.1.2 missing
// keys). An error means no usable answer came (timeout, SERVFAIL, REFUSED,
// a CNAME loop, a snapshot without this question); the returned Query is
// still filled in, so the trace shows what was tried. Errors are classified
// here once (IsTemporary, IsNotFound) so that checks map them to temperror
// or permerror the same way.
package dnsx

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Resolver answers the questions checks ask. *Client implements it.
type Resolver interface {
	Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error)
}

// Errors a lookup can return. All but ErrBadName are temporary in the sense
// of RFC 7208 §2.6.6 and RFC 6376 §6.1.2: asking again later may work.
var (
	ErrTimeout       = errors.New("dnsx: no answer before the deadline")
	ErrServFail      = errors.New("dnsx: the server could not answer (SERVFAIL)")
	ErrRefused       = errors.New("dnsx: the server refused the query (REFUSED)")
	ErrCNAMELoop     = errors.New("dnsx: CNAME chain loops or is too long")
	ErrNotInSnapshot = errors.New("dnsx: the DNS snapshot holds no answer for this question")
	ErrTooLarge      = errors.New("dnsx: the answer is larger than headercheck accepts")
	ErrNetwork       = errors.New("dnsx: the DNS exchange failed")
	ErrBadName       = errors.New("dnsx: not a valid domain name")
)

// IsTemporary reports whether err means "no answer now": a receiver would
// defer and retry rather than decide (temperror).
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrBadName) {
		return false
	}
	return true
}

// IsNotFound reports whether q says the name or the record type does not
// exist (NXDOMAIN, or NOERROR with no answers).
func IsNotFound(q *trace.Query) bool {
	return q != nil && (q.NXDomain() || q.NoData())
}

// TypeName is the mnemonic of qtype ("TXT").
func TypeName(qtype uint16) string {
	if s, ok := dns.TypeToString[qtype]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", qtype)
}

// RcodeName is the mnemonic of a DNS rcode ("NXDOMAIN").
func RcodeName(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rcode)
}

// Fqdn lowercases name and adds the trailing dot. It returns ErrBadName for
// names DNS cannot carry (labels over 63 octets, names over 255, empty
// labels), so that a check can say so instead of sending them.
func Fqdn(name string) (string, error) {
	name = strings.ToLower(dns.Fqdn(name))
	if name == "." {
		return name, nil
	}
	if _, ok := dns.IsDomainName(name); !ok || strings.Contains(name, "..") || strings.HasPrefix(name, ".") {
		return name, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	for _, l := range dns.SplitDomainName(name) {
		if len(l) > 63 {
			return name, fmt.Errorf("%w: label longer than 63 octets in %q", ErrBadName, name)
		}
	}
	return name, nil
}
