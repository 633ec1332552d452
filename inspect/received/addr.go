package received

import (
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/publicsuffix"
)

// addrClass says what kind of network an address belongs to, in the words
// a step can use.
type addrClass uint8

const (
	addrNone      addrClass = 0 // no address
	addrPublic    addrClass = 1 // routable on the Internet
	addrPrivate   addrClass = 2 // RFC 1918, RFC 4193 unique local
	addrLoopback  addrClass = 3 // 127.0.0.0/8, ::1
	addrLinkLocal addrClass = 4 // 169.254.0.0/16, fe80::/10
	addrShared    addrClass = 5 // RFC 6598 carrier-grade NAT, 100.64.0.0/10
	addrReserved  addrClass = 6 // unspecified, multicast, 240.0.0.0/4, 0.0.0.0/8, broadcast
)

var (
	sharedNAT   = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	classE      = netip.MustParsePrefix("240.0.0.0/4")
)

// classify sorts a into the classes of the IANA special-purpose registries
// (RFC 6890). The documentation prefixes of RFC 5737 and RFC 3849 count as
// public on purpose: examples, lessons and test data use them to stand for
// Internet hosts.
func classify(a netip.Addr) addrClass {
	if !a.IsValid() {
		return addrNone
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return addrLoopback
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return addrLinkLocal
	case a.IsPrivate():
		return addrPrivate
	case a.IsUnspecified(), a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return addrReserved
	}
	if a.Is4() {
		switch {
		case sharedNAT.Contains(a):
			return addrShared
		case thisNetwork.Contains(a), classE.Contains(a):
			return addrReserved
		}
	}
	return addrPublic
}

// describe names the class for a sentence: "a private address (RFC 1918)".
func (c addrClass) describe() string {
	switch c {
	case addrPrivate:
		return "a private address (RFC 1918 / RFC 4193)"
	case addrLoopback:
		return "a loopback address (the machine talking to itself)"
	case addrLinkLocal:
		return "a link-local address (usable only on one network segment)"
	case addrShared:
		return "a carrier-grade NAT address (RFC 6598)"
	case addrReserved:
		return "a reserved address that no Internet host uses"
	case addrPublic:
		return "a public address"
	}
	return "no address"
}

// internal reports whether the class is one a host on the Internet cannot
// connect from.
func (c addrClass) internal() bool { return c > addrPublic }

// parseAddrLoose reads the address out of the forms Received headers use
// for one: [192.0.2.1], [IPv6:2001:db8::1], [192.0.2.1]:25, 192.0.2.1,
// 192.0.2.1:25, ::ffff:192.0.2.1, user@192.0.2.1 (qmail's remote ident) and
// Gmail's ?IPv6:...? rewriting of a bracketed EHLO literal.
func parseAddrLoose(w string) (netip.Addr, bool) {
	if len(w) < 2 || len(w) > 100 {
		return netip.Addr{}, false
	}
	if w[0] == '?' && w[len(w)-1] == '?' {
		w = w[1 : len(w)-1]
	}
	if w == "" {
		return netip.Addr{}, false
	}
	if w[0] == '[' {
		end := strings.IndexByte(w, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		w = w[1:end]
	}
	if i := strings.LastIndexByte(w, '@'); i >= 0 {
		w = w[i+1:]
	}
	if len(w) > 5 && strings.EqualFold(w[:5], "ipv6:") {
		w = w[5:]
	}
	if a, ok := parseAddr(w); ok {
		return a, true
	}
	// An IPv4 address followed by a port (Exim, ecelerity, XMail).
	if i := strings.LastIndexByte(w, ':'); i > 0 && strings.Count(w, ":") == 1 {
		if a, ok := parseAddr(w[:i]); ok && a.Is4() && allDigits(w[i+1:]) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// parseAddr is netip.ParseAddr for text that is most often a host name,
// not an address: most words of a Received header and every name the walk
// looks at. ParseAddr allocates the error it returns for a name, so a
// string with a character no address has before any zone ("%") is refused
// without asking it. FuzzParseAddr holds it to ParseAddr.
func parseAddr(s string) (netip.Addr, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			break // the zone of an IPv6 address may hold anything
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':') {
			return netip.Addr{}, false
		}
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// literalAddr reads an address out of a HELO argument, but only when the
// client used an address instead of a name: [192.0.2.1], [IPv6:…],
// ?IPv6:…? or a bare address (invalid in EHLO, but common).
func literalAddr(helo string) (netip.Addr, bool) {
	if helo == "" {
		return netip.Addr{}, false
	}
	return parseAddrLoose(helo)
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// specialTLD reports top-level labels that name no organization: the
// special-use names of RFC 6761 and RFC 8375 and the private ones sites
// commonly invent for internal hosts.
func specialTLD(label string) bool {
	switch label {
	case "localhost", "local", "localdomain", "lan", "home", "internal",
		"intranet", "corp", "private", "invalid", "arpa":
		return true
	}
	return false
}

// normName lowercases a host name and drops a trailing dot, for comparing.
func normName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// orgs remembers orgDomain's answers for the whole process: it is a pure
// function of the name and the Public Suffix List compiled in, and the
// walk asks it about the same few names (the receiver's own servers, the
// big senders') in message after message. It holds at most orgsMax names
// of at most 253 bytes (longer ones are never a domain); past that, names
// are worked out every time, as before.
var orgs struct {
	m sync.Map // name -> its orgDomain
	n atomic.Int64
}

const orgsMax = 4096

// orgOf is orgDomain through the cache.
func orgOf(name string) string {
	if o, ok := orgs.m.Load(name); ok {
		return o.(string)
	}
	o := orgDomain(name)
	if len(name) <= 253 && orgs.n.Load() < orgsMax {
		// Copies: name may be a view of a whole header, which the key
		// would keep alive.
		if _, loaded := orgs.m.LoadOrStore(strings.Clone(name), strings.Clone(o)); !loaded {
			orgs.n.Add(1)
		}
	}
	return o
}

// orgDomain is the registrable domain of a host name ("mx.google.com" ->
// "google.com"), found with the Public Suffix List as DMARC does (RFC 7489
// §3.2). Addresses, single labels ("localhost", "mx1") and special-use
// names give "": they name no organization.
func orgDomain(name string) string {
	n := normName(name)
	if n == "" || len(n) > 253 || !strings.Contains(n, ".") {
		return ""
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return ""
		}
	}
	if _, ok := parseAddr(n); ok {
		return ""
	}
	if strings.HasPrefix(n, ".") || strings.Contains(n, "..") {
		return ""
	}
	if specialTLD(n[strings.LastIndexByte(n, '.')+1:]) {
		return ""
	}
	org, err := publicsuffix.EffectiveTLDPlusOne(n)
	if err != nil {
		return ""
	}
	return org
}

// isHostName reports whether s looks like a host name someone wrote, not an
// address literal, a user name or a phrase.
func isHostName(s string) bool {
	if s == "" || len(s) > 253 || strings.EqualFold(s, "unknown") {
		return false
	}
	if _, ok := parseAddrLoose(s); ok {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// firstLabel is the part of a host name before the first dot.
func firstLabel(s string) string {
	s = normName(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return s
}
