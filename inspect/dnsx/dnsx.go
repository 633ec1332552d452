// Package dnsx is the one way headercheck asks DNS: every check (SPF, DKIM,
// DMARC, iprev) looks names up through a Resolver, and every exchange comes
// back as a trace.Query so it can be shown, cached, saved and replayed.
//
// A lookup that got a DNS answer — including NXDOMAIN and NODATA — returns
// that answer and a nil error: "the name does not exist" is a fact a check
// reasons about (RFC 7208 §4.6.4 void lookups, RFC 6376 §6.1.2 missing
// keys). An error means no usable answer came (timeout, SERVFAIL, REFUSED,
// a CNAME loop, an answer over the caps, a snapshot without this question);
// the returned Query is still filled in, so the trace shows what was tried.
// Errors are classified here once (IsTemporary, IsPermanent, IsNotFound) so
// that checks map them to temperror or permerror the same way.
//
// The layers, from the network up, each a Resolver:
//
//	Client    asks recursive servers (miekg/dns): UDP with EDNS0 (1232 bytes,
//	          DO bit), TCP when the answer is truncated, the next server when
//	          one times out, fails or refuses, CNAMEs followed and bounded
//	Snapshot  answers from a .dns snapshot file instead, never the network
//	Cache     shared by every message of a run; identical questions in flight
//	          are sent once; negative answers cached; errors only briefly
//	Saver     remembers every answer the run used and writes a snapshot
//	Budget    one message's DNS deadline (--timeout)
//	Recorder  one message's list of exchanges, for the report's dns array
//
// A run wires them as Recorder → Budget → Saver → Cache → Client (or
// Snapshot), the lower three shared by all messages.
//
// # Where this package diverges or chooses
//
//   - Answer caps. One answer may hold at most Client.MaxAnswers records
//     (default 100) and Client.MaxAnswerBytes bytes of record data
//     (default 16384, counted after TXT strings are joined). A bigger
//     answer is not used: the lookup returns ErrTooLarge, rcode ERROR and a
//     Note saying what bit. ErrTooLarge is permanent (IsPermanent): asking
//     again returns the same oversized data, so only the domain's operator
//     can fix it, which is RFC 7208 §2.6.7's permerror and RFC 6376
//     §6.1.2's PERMFAIL rather than a temperror. It is the same reasoning
//     as the SPF lookup limits of RFC 7208 §4.6.4, which also give permerror.
//   - CNAMEs. A recursive server normally follows the chain itself; when an
//     answer stops at an alias without covering its target, the client asks
//     again for the target, as a stub resolver would. At most MaxCNAMEChain
//     aliases are followed; a longer chain or a loop is ErrCNAMELoop
//     (temporary, as a validating resolver answers SERVFAIL for a loop).
//     NXDOMAIN after an alias is about the last name (RFC 6604 §2).
//   - Negative TTL is taken from the SOA in the authority section,
//     min(SOA TTL, SOA MINIMUM) as RFC 2308 §5 says, and kept in Query.TTL.
//   - Answers are checked against the question asked (RFC 5452 §9.1): miekg/dns
//     already drops UDP replies with another ID; a reply for another name or
//     type is rejected here and the next server asked.
//   - A server that answers FORMERR or NOTIMP to a query with EDNS0 is asked
//     once more without it (RFC 6891 §7).
//
// # The snapshot format (.dns)
//
// A snapshot is zone-file text (RFC 1035 §5) that a teacher can write by
// hand and that a run writes with Saver. Ordinary lines are DNS records,
// parsed by miekg/dns; $ORIGIN and $TTL work, the default TTL is 300,
// $INCLUDE and $GENERATE are refused. Lines whose first characters are ";!"
// are directives (to any other zone tool they are comments, so the same file
// loads into dnstest too):
//
//	;! KEYWORD NAME [TYPE] [ad] [server=HOST:PORT] [rtt=MS] [ttl=SECONDS] [rcode=RCODE]
//
// KEYWORD is one of
//
//	answer    NAME TYPE was answered by the record lines (NOERROR); carries the
//	          options. Optional: record lines alone answer their name and type.
//	          Without any record it means NODATA.
//	nxdomain  NAME does not exist, nor anything below it (RFC 8020); TYPE is
//	          ignored
//	nodata    NAME exists but has no records of TYPE (every type if omitted)
//	servfail  the server answered SERVFAIL (every type if TYPE is omitted)
//	refused   the server answered REFUSED
//	timeout   no answer came in time
//	error     the exchange failed another way; rcode= names the rcode the
//	          server gave, if any (FORMERR, NOTIMP, ...)
//	toolarge  the answer was over the caps
//	zone      the file holds the whole subtree at NAME: a question below it
//	          that nothing else answers is NXDOMAIN, or NODATA when the name
//	          owns records or has names below it (RFC 8020)
//
// and the options are ad (the resolver set Authenticated Data), the server
// that answered and its round-trip time, and ttl, the negative-caching TTL
// of an nxdomain or nodata. A question is answered by following CNAME
// records in the file (bounded as above); at each name an error directive
// wins, then records of the type asked, then a CNAME (followed), then an
// nxdomain of the name itself, nodata, answer, an nxdomain of a name above
// it, and last zone. The options of the question's own answer line, or
// else of the directive that decided, say how it was answered; without a
// server= the replayed Query.Server is "snapshot". A run's Saver writes
// one answer per name and type, in name order, each with a comment line
// giving the rcode and any note of the live exchange. A question the file does
// not answer gives ErrNotInSnapshot and rcode MISSING, which checks report as
// a temperror ("not in the snapshot"), never as NXDOMAIN. Keywords and types
// are case-insensitive; names are absolute or relative to $ORIGIN.
//
//	$ORIGIN example.org.
//	@            TXT   "v=spf1 ip4:192.0.2.0/24 -all"
//	@            A     192.0.2.1
//	alias        CNAME @
//	;! answer    example.org. TXT ad
//	;! nxdomain  _dmarc.example.org.
//	;! timeout   slow.example.org.
//	;! zone      example.org.
package dnsx

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// Resolver answers the questions checks ask. *Client, *Cache, *Snapshot,
// *Saver, *Budget and *Recorder implement it.
//
// The returned Query is the caller's; its Answers and CNAMEs slices may be
// shared with a cache and must not be modified in place.
type Resolver interface {
	Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error)
}

// Errors a lookup can return. All but ErrBadName and ErrTooLarge are
// temporary in the sense of RFC 7208 §2.6.6 and RFC 6376 §6.1.2 step 2:
// asking again later may work.
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
// defer and retry rather than decide (temperror, RFC 7208 §2.6.6; TEMPFAIL,
// RFC 6376 §6.1.2).
func IsTemporary(err error) bool {
	return err != nil && !errors.Is(err, ErrBadName) && !errors.Is(err, ErrTooLarge)
}

// IsPermanent reports whether err will not go away by asking again: the
// name cannot be sent, or the answer is over the caps. Checks report it as
// permerror (RFC 7208 §2.6.7) or PERMFAIL (RFC 6376 §6.1.2).
func IsPermanent(err error) bool {
	return err != nil && !IsTemporary(err)
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
	if canonical(name) {
		return name, nil // the common case, and the cache's hit path: no allocation
	}
	if n := len(name); n >= 1 && n <= 253 && name[n-1] != '.' && canonicalLabels(name) {
		// As checks ask: lower case, without the root's dot. What the
		// general path below would return, with one allocation.
		return name + ".", nil
	}
	return fqdnSlow(name)
}

// fqdnSlow is Fqdn for any name: FuzzFqdnFast holds Fqdn's shortcuts to it.
func fqdnSlow(name string) (string, error) {
	name = strings.ToLower(dns.Fqdn(name))
	if name == "." {
		return name, nil
	}
	if !dns.IsFqdn(name) {
		return name, fmt.Errorf("%w: %q ends in a lone backslash", ErrBadName, name)
	}
	if emptyLabel(name) {
		return name, fmt.Errorf("%w: empty label in %q", ErrBadName, name)
	}
	// IsDomainName counts octets on the wire, escapes (\DDD) undone.
	if _, ok := dns.IsDomainName(name); !ok {
		return name, fmt.Errorf("%w: a label is longer than 63 octets or the name longer than 255 in %q", ErrBadName, name)
	}
	return name, nil
}

// emptyLabel reports whether name (absolute, not the root) has an empty
// label: a leading dot or two dots in a row, escaped dots (\.) aside.
func emptyLabel(name string) bool {
	label := 0
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++ // the escaped byte, or the first digit of \DDD: either way not a dot
			label++
		case '.':
			if label == 0 {
				return true
			}
			label = 0
		default:
			label++
		}
	}
	return false
}

// canonical reports whether name is already what Fqdn would return, for
// the usual hostname characters: lowercase, absolute, no empty label, labels
// of at most 63 octets and at most 253 characters before the root dot.
func canonical(name string) bool {
	return len(name) >= 2 && len(name) <= 254 && name[len(name)-1] == '.' && canonicalLabels(name)
}

// canonicalLabels reports whether every label of name, absolute or not,
// is 1 to 63 bytes of lower-case letters, digits, '-', '_' or '*'.
func canonicalLabels(name string) bool {
	label := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '*':
			label++
			if label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// failed fills q for a lookup that got no usable answer.
func failed(q *trace.Query, err error) (*trace.Query, error) {
	q.Rcode = rcodeOfErr(err)
	if q.Note == "" {
		q.Note = plainErr(err)
	}
	return q, err
}

func rcodeOfErr(err error) string {
	switch {
	case errors.Is(err, ErrTimeout):
		return trace.RcodeTimeout
	case errors.Is(err, ErrServFail):
		return trace.RcodeServFail
	case errors.Is(err, ErrRefused):
		return trace.RcodeRefused
	case errors.Is(err, ErrNotInSnapshot):
		return trace.RcodeMissing
	}
	return trace.RcodeError
}

// plainErr is err's text without the package prefix, for Query.Note.
func plainErr(err error) string {
	return strings.ReplaceAll(err.Error(), "dnsx: ", "")
}
