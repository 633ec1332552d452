package received

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Defaults for the Input limits; a zero field takes these.
const (
	// DefaultSkewTolerance is how far a hop may be stamped before the hop
	// below it before that counts as clocks disagreeing: one second absorbs
	// servers that truncate and servers that round.
	DefaultSkewTolerance = time.Second
	// DefaultFutureTolerance is how far past Now a date may be before it
	// counts as "in the future".
	DefaultFutureTolerance = 5 * time.Minute
	// DefaultMaxHops caps how many Received fields are read. RFC 5321 §6.3
	// has servers treat 100 as a mail loop.
	DefaultMaxHops = 100
)

// Field is one header field as the message holds it.
type Field struct {
	Name  string
	Value string
}

// Input is everything the chain walk reads. Header values are unfolded,
// without their names, in header order (index 0 is the top-most field, the
// last hop).
type Input struct {
	Received                 []string
	AuthenticationResults    []string // Authentication-Results values
	ARCAuthenticationResults []string // ARC-Authentication-Results values
	ReturnPath               []string // Return-Path values
	OriginatingIP            []Field  // X-Originating-IP, X-Forwarded-For, X-Sender-IP fields

	// Overrides from the command line; "" means derive. MailFrom "<>" is
	// the null sender.
	IP, HELO, MailFrom string

	// Internal lists extra domains to treat as the receiving side, for a
	// site whose inbound gateway has a different name (a filtering service).
	Internal []string

	// Now is the wall-clock time of the analysis, used to spot dates in the
	// future. Pass the real time even when DNS is evaluated as of an
	// earlier moment (--at), or later hops look like they come from the
	// future. Zero skips the check.
	Now time.Time

	SkewTolerance   time.Duration // 0 means DefaultSkewTolerance
	FutureTolerance time.Duration // 0 means DefaultFutureTolerance
	MaxHops         int           // 0 means DefaultMaxHops
}

// Envelope is the SMTP envelope SPF is replayed for, as the report's
// envelope object.
type Envelope struct {
	ClientIP    string      `json:"client_ip"`
	HELO        string      `json:"helo"`
	MailFrom    string      `json:"mail_from"` // "" for the null sender; see DerivedFrom
	DerivedFrom DerivedFrom `json:"derived_from"`

	Addr netip.Addr `json:"-"` // ClientIP parsed; invalid when unknown
}

// DerivedFrom says where each envelope value came from: "received[2]
// (boundary)", "Return-Path", "received[2] envelope-from", "--ip", or ""
// when it could not be derived.
type DerivedFrom struct {
	ClientIP string `json:"client_ip"`
	HELO     string `json:"helo"`
	MailFrom string `json:"mail_from"`
}

// Origin is one informational claim about where the message started: an
// X-Originating-IP style header or the client address an
// Authentication-Results header recorded.
type Origin struct {
	Header  string   `json:"header"`  // the field it came from
	Value   string   `json:"value"`   // the value as written (clipped)
	IPs     []string `json:"ips"`     // the addresses found in it
	Explain string   `json:"explain"` // what it means and how far to trust it
}

// Chain is the walk over a message's Received fields.
type Chain struct {
	Hops      []Hop        `json:"received"`          // in header order
	Boundary  int          `json:"boundary"`          // index into Hops of the hop where the message entered the receiving side; -1 when none
	Envelope  Envelope     `json:"envelope"`          // what SPF is replayed for
	Steps     []trace.Step `json:"boundary_steps"`    // how the boundary and the envelope were decided
	Transit   *float64     `json:"transit_seconds"`   // from the lowest dated hop to the highest; null with fewer than two dates
	Receiving []string     `json:"receiving_domains"` // the organizations taken as the receiving side
	Origins   []Origin     `json:"origins"`           // X-Originating-IP and friends, for information

	// AutoBoundary is the hop the walk chose; it differs from Boundary
	// after WithBoundary.
	AutoBoundary int `json:"auto_boundary"`

	in Input
}

// MarshalJSON writes absent lists as [] rather than null.
func (c Chain) MarshalJSON() ([]byte, error) {
	type plain Chain
	if c.Hops == nil {
		c.Hops = []Hop{}
	}
	if c.Steps == nil {
		c.Steps = []trace.Step{}
	}
	if c.Receiving == nil {
		c.Receiving = []string{}
	}
	if c.Origins == nil {
		c.Origins = []Origin{}
	}
	return json.Marshal(plain(c))
}

// Analyze reads the Received chain, decides where the message entered the
// receiving organization, and derives the SMTP envelope from that hop.
func Analyze(in Input) Chain {
	return analyze(in, nil)
}

// WithBoundary redoes the analysis with hop i as the trust boundary, as a
// user who knows the receiving side better than the walk can choose (-1
// for none). The steps still show the automatic choice. An index outside
// the chain leaves the automatic choice in place and says so.
func (c Chain) WithBoundary(i int) Chain {
	return analyze(c.in, &i)
}

// analysis is the state of one Analyze call.
type analysis struct {
	in    Input
	hops  []Hop
	ars   []authResult // Authentication-Results, then ARC-Authentication-Results
	steps []trace.Step

	order   []string // receiving organizations in the order found: a handful, searched in a line
	viaRDNS []bool   // per hop: judged internal on firm evidence (address or reverse DNS)
}

func analyze(in Input, forced *int) Chain {
	a := &analysis{in: in}
	max := in.MaxHops
	if max <= 0 {
		max = DefaultMaxHops
	}
	recv := in.Received
	if len(recv) > max {
		recv = recv[:max]
	}
	a.hops = make([]Hop, len(recv))
	for i, v := range recv {
		a.hops[i] = Parse(v)
	}
	// Room for the steps most walks take (the receiving side, one per hop
	// walked, the three of the envelope), made once.
	a.steps = make([]trace.Step, 0, len(recv)+5)
	if len(in.Received) > max {
		a.steps = append(a.steps, trace.Step{
			Title:   fmt.Sprintf("Only the top %d Received headers were read", max),
			Result:  trace.Warn,
			Detail:  fmt.Sprintf("the message has %d", len(in.Received)),
			Explain: "Mail servers treat this many Received headers as a mail loop and stop delivering; the rest were ignored.",
			Ref:     "RFC 5321 §6.3",
		})
	}
	for i, v := range in.AuthenticationResults {
		r := parseAuthResults(v, false)
		r.index = i
		a.ars = append(a.ars, r)
	}
	for i, v := range in.ARCAuthenticationResults {
		r := parseAuthResults(v, true)
		r.index = i
		a.ars = append(a.ars, r)
	}

	c := Chain{Boundary: -1, AutoBoundary: -1, in: in}
	c.Transit = a.delays()
	a.seed()
	auto := a.walk()
	c.AutoBoundary = auto
	c.Boundary = auto
	if forced != nil {
		c.Boundary = a.force(*forced, auto)
	}
	a.chainAnomalies(c.Boundary)
	if c.Boundary >= 0 {
		a.forwarded(c.Boundary)
	}
	c.Envelope = a.envelope(c.Boundary)
	c.Origins = a.origins(c.Envelope.Addr)
	c.Hops = a.hops
	c.Steps = a.steps
	c.Receiving = a.order
	return c
}

// delays fills each hop's delay from the hop below it and returns the
// total transit time.
func (a *analysis) delays() *float64 {
	tol := a.in.SkewTolerance
	if tol <= 0 {
		tol = DefaultSkewTolerance
	}
	first, last := -1, -1
	for i := range a.hops {
		h := &a.hops[i]
		if h.At.IsZero() {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if i+1 >= len(a.hops) || a.hops[i+1].At.IsZero() {
			continue
		}
		d := h.At.Sub(a.hops[i+1].At)
		s := seconds(d)
		h.DelaySeconds = &s
		if d < -tol {
			h.Anomalies = append(h.Anomalies, fmt.Sprintf("this hop is stamped %s before the hop below it (hop %d): time cannot run backwards along the path, so the two servers' clocks disagree (clock skew) or one of the headers was forged", span(-d), i+1))
		}
	}
	if first < 0 || first == last {
		return nil
	}
	s := seconds(a.hops[first].At.Sub(a.hops[last].At))
	return &s
}

// seconds rounds a duration to milliseconds, so JSON shows 6 rather than
// 6.000000001.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1000) / 1000
}

// span writes a duration the way a person says it.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		s := math.Round(d.Seconds()*10) / 10
		if s == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%g seconds", s)
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// org is orgDomain, remembered for the process (orgOf).
func (a *analysis) org(name string) string { return orgOf(name) }

// receiving reports whether org is part of the receiving side.
func (a *analysis) receiving(org string) bool {
	return org != "" && slices.Contains(a.order, org)
}

// addReceiving records org as part of the receiving side.
func (a *analysis) addReceiving(org string) bool {
	if org == "" || a.receiving(org) {
		return false
	}
	a.order = append(a.order, org)
	return true
}

func (a *analysis) receivingName() string {
	switch len(a.order) {
	case 0:
		return "the receiving side"
	case 1:
		return a.order[0]
	}
	return strings.Join(a.order[:len(a.order)-1], ", ") + " and " + a.order[len(a.order)-1]
}

// seed decides which organization received the message: the domains the
// user named, then the domain of the top-most server that wrote a Received
// header (RFC 5321 §4.4: servers add theirs at the top), and, when no
// server gave a name with a domain, the top-most Authentication-Results
// authserv-id (RFC 8601 §2.5).
func (a *analysis) seed() {
	var given []string
	for _, d := range a.in.Internal {
		if org := a.org(d); a.addReceiving(org) {
			given = append(given, org)
		}
	}
	if len(given) > 0 {
		a.steps = append(a.steps, trace.Step{
			Title:   "Receiving side given: " + strings.Join(given, ", "),
			Result:  trace.Info,
			Explain: "These domains were named as part of the receiving organization, so hops from them count as internal.",
			Ref:     "RFC 8601 §5",
		})
	}
	for i, h := range a.hops {
		org := a.org(h.By)
		if org == "" {
			continue
		}
		a.addReceiving(org)
		explain := "Each mail server adds its Received header at the top, so the top-most one that names its server, hop " + strconv.Itoa(i) +
			", was written by the receiving side. Its registrable domain (the one its owner registered, found with the Public Suffix List) is " + org +
			"; hops whose sender belongs to it are relays inside the receiving side."
		if ar := a.topAR(); ar != nil && ar.servID != "" {
			if o := a.org(ar.servID); o == org {
				explain += fmt.Sprintf(" The Authentication-Results header's authserv-id %s (the name of the server that checked the message) belongs to it too.", ar.servID)
			} else if o != "" {
				explain += fmt.Sprintf(" The top-most Authentication-Results header names %s (authserv-id %s), another organization; only the hops that a walk from the top reaches can add to the receiving side.", o, ar.servID)
			}
		}
		a.steps = append(a.steps, trace.Step{
			Title:   "Receiving side: " + org,
			Result:  trace.Info,
			Detail:  "hop " + strconv.Itoa(i) + " was stamped by " + h.By,
			Explain: explain,
			Ref:     "RFC 5321 §4.4",
		})
		return
	}
	if ar := a.topAR(); ar != nil && ar.servID != "" {
		if org := a.org(ar.servID); a.addReceiving(org) {
			a.steps = append(a.steps, trace.Step{
				Title:   "Receiving side: " + org,
				Result:  trace.Info,
				Detail:  fmt.Sprintf("Authentication-Results authserv-id %s", ar.servID),
				Explain: "No Received header names its server with a domain, so the receiving organization is taken from the authserv-id of the top-most Authentication-Results header, which identifies the organization that checked the message.",
				Ref:     "RFC 8601 §2.5",
			})
			return
		}
	}
	if len(a.order) == 0 && len(a.hops) > 0 {
		a.steps = append(a.steps, trace.Step{
			Title:   "Receiving side: unknown",
			Result:  trace.Warn,
			Explain: "No Received header names its server with a domain and no Authentication-Results header names one, so the first hop with a client on a public address is taken as the boundary.",
			Ref:     "RFC 8601 §5",
		})
	}
}

// topAR is the top-most Authentication-Results header (not ARC), or nil.
func (a *analysis) topAR() *authResult {
	for i := range a.ars {
		if a.ars[i].field == "Authentication-Results" {
			return &a.ars[i]
		}
	}
	return nil
}

// sender is what the walk knows about the client of one hop.
type sender struct {
	class   addrClass
	rdns    string // a usable reverse DNS name, or ""
	unknown bool   // the receiver wrote "unknown" (or "may be forged") for the name
	rdnsOrg string
	heloOrg string
}

func (a *analysis) senderOf(h *Hop) sender {
	s := sender{class: classify(h.Addr)}
	switch {
	case strings.EqualFold(h.FromRDNS, "unknown"):
		s.unknown = true
	case h.FromRDNS != "" && isHostName(h.FromRDNS):
		s.rdns = h.FromRDNS
		s.rdnsOrg = a.org(h.FromRDNS)
	}
	if h.rdnsForged {
		s.rdns, s.rdnsOrg, s.unknown = "", "", true
	}
	if isHostName(h.FromHELO) {
		s.heloOrg = a.org(h.FromHELO)
	}
	return s
}

// client names the sender of a hop for a sentence: "mail.example.org
// [192.0.2.1]".
func client(h *Hop) string {
	name := h.FromHELO
	if h.FromRDNS != "" && !strings.EqualFold(h.FromRDNS, "unknown") {
		name = h.FromRDNS
	}
	switch {
	case name != "" && h.FromIP != "":
		return name + " [" + h.FromIP + "]"
	case h.FromIP != "":
		return "[" + h.FromIP + "]"
	case name != "":
		return name
	}
	return "an unnamed client"
}

// walk goes down from the top-most hop and returns the first hop whose
// sender is outside the receiving side, skipping local hand-offs, clients
// on private addresses and relays within the receiving domains.
func (a *analysis) walk() int {
	a.viaRDNS = make([]bool, len(a.hops))
	name := func() string { return a.receivingName() }
	for i := range a.hops {
		h := &a.hops[i]
		// The walk reached hop i, so the server that wrote it is the client
		// of the hop above. When that client was judged internal on firm
		// evidence, its organization is part of the receiving side too.
		if i > 0 && a.viaRDNS[i-1] {
			if org := a.org(h.By); org != "" && a.addReceiving(org) {
				a.steps = append(a.steps, trace.Step{
					Title:   "Receiving side also includes " + org,
					Result:  trace.Info,
					Detail:  fmt.Sprintf("hop %d was stamped by %s", i, h.By),
					Explain: fmt.Sprintf("Hop %d came from %s on an internal address, so the server that wrote hop %d is inside the receiving side, and so is its domain.", i-1, client(&a.hops[i-1]), i),
					Ref:     "RFC 8601 §5",
				})
			}
		}
		if !h.hasFrom || (h.FromHELO == "" && h.FromIP == "" && h.FromRDNS == "") {
			a.steps = append(a.steps, trace.Step{
				Title:   fmt.Sprintf("hop %d: a hand-off inside one server", i),
				Result:  trace.Info,
				Detail:  clip(h.Raw, 160),
				Explain: fmt.Sprintf("Hop %d has no from clause: %s passed the message on inside itself (a local program, webmail, a content filter), so there is no network client to judge and the walk goes on to the hop below.", i, orName(h.By, "the server")),
				Ref:     "RFC 5321 §4.4",
			})
			continue
		}
		s := a.senderOf(h)
		who := client(h)
		var reason string
		internal, weak := false, false
		switch {
		case s.class.internal() && (s.rdnsOrg == "" || a.receiving(s.rdnsOrg)):
			internal = true
			a.viaRDNS[i] = true
			reason = "the client " + who + " used " + s.class.describe() + ", which only machines inside a network can use, so " + orName(h.By, "the server") + " got the message from another machine of the receiving side"
		case s.class.internal():
			reason = "its reverse DNS name " + s.rdns + " belongs to " + s.rdnsOrg + ", although it connected from " + s.class.describe()
		case s.rdnsOrg != "" && a.receiving(s.rdnsOrg):
			internal = true
			a.viaRDNS[i] = true
			reason = "the receiver looked up the client's address and found " + s.rdns + ", a name in " + s.rdnsOrg
		case s.rdnsOrg != "":
			reason = "the receiver looked up the client's address " + h.FromIP + " and found " + s.rdns + ", a name in " + s.rdnsOrg
		case s.unknown:
			reason = "the receiver found no trustworthy reverse DNS name for " + orName(h.FromIP, "the client") + ", and the name a client gives itself (" + orName(h.FromHELO, "none") + ") proves nothing"
		case s.rdns == "" && s.heloOrg != "" && a.receiving(s.heloOrg):
			internal, weak = true, true
			reason = "the receiver recorded no reverse DNS name (Exchange, Outlook.com and Gmail write only the address) and the client called itself " + h.FromHELO + ", a name in " + s.heloOrg + ". A client can claim any name, so if the message is suspicious, look at this hop"
		case s.heloOrg != "":
			reason = "the client called itself " + h.FromHELO + ", a name in " + s.heloOrg
		default:
			reason = "the client " + who + " gave no name the receiver could place inside " + name()
		}
		if internal {
			st := trace.Step{
				Title:   "hop " + strconv.Itoa(i) + ": a relay inside " + name(),
				Result:  trace.Info,
				Detail:  who + " handed the message to " + orName(h.By, "the next server"),
				Explain: "Hop " + strconv.Itoa(i) + " is internal because " + reason + "; the walk goes on to the hop below.",
				Ref:     "RFC 8601 §5",
			}
			if weak {
				st.Result = trace.Warn
			}
			a.steps = append(a.steps, st)
			continue
		}
		a.steps = append(a.steps, trace.Step{
			Title:  "hop " + strconv.Itoa(i) + ": the message entered " + name() + " here",
			Result: trace.Info,
			Detail: who + " handed the message to " + orName(h.By, "the receiving server"),
			Explain: "Hop " + strconv.Itoa(i) + " is the first hop whose sender is outside " + name() + " because " + reason +
				". This hop was written by the receiving side itself; the hops below it were written before the receiving side had the message, so they are only as trustworthy as whoever sent it. SPF is replayed for this hop's client.",
			Ref: "RFC 8601 §5",
		})
		a.confirm(i)
		return i
	}
	if len(a.hops) > 0 {
		a.steps = append(a.steps, trace.Step{
			Title:   "No hop came from outside " + name(),
			Result:  trace.Warn,
			Explain: "Every hop is a hand-off inside one server or comes from inside the receiving side, so the message seems to have been written inside it (internal mail). There is no outside client to replay SPF for; choose a hop to replay anyway.",
			Ref:     "RFC 8601 §5",
		})
	}
	return -1
}

// confirm adds a step when an Authentication-Results header was written by
// the organization that stamped the boundary hop: the server that checked
// SPF and DKIM is on the receiving side, so its results can be compared.
func (a *analysis) confirm(b int) {
	org := a.org(a.hops[b].By)
	for _, ar := range a.ars {
		if ar.field != "Authentication-Results" || ar.servID == "" || a.org(ar.servID) != org || org == "" {
			continue
		}
		a.steps = append(a.steps, trace.Step{
			Title:   "Authentication-Results from the receiving side",
			Result:  trace.Info,
			Detail:  "authserv-id " + ar.servID,
			Explain: fmt.Sprintf("An Authentication-Results header names %s, in the same organization as the server that stamped hop %d. A receiver must remove such headers that claim its name but came from outside, so its results are the receiver's own.", ar.servID, b),
			Ref:     "RFC 8601 §5",
		})
		return
	}
}

// force applies a boundary the user chose.
func (a *analysis) force(i, auto int) int {
	if i < -1 || i >= len(a.hops) {
		a.steps = append(a.steps, trace.Step{
			Title:   fmt.Sprintf("No hop %d to choose", i),
			Result:  trace.Warn,
			Explain: fmt.Sprintf("The message has %d Received headers, numbered from 0; the automatic choice was kept.", len(a.hops)),
			Ref:     "RFC 8601 §5",
		})
		return auto
	}
	autoText := "no hop"
	if auto >= 0 {
		autoText = fmt.Sprintf("hop %d", auto)
	}
	st := trace.Step{
		Title:   fmt.Sprintf("hop %d chosen as the trust boundary", i),
		Result:  trace.Info,
		Explain: fmt.Sprintf("You chose hop %d as the place the message entered the receiving side (the automatic choice was %s). The envelope below comes from that hop; everything below it is taken on trust from the servers above it.", i, autoText),
		Ref:     "RFC 8601 §5",
	}
	if i == -1 {
		st.Title = "No hop chosen as the trust boundary"
		st.Explain = fmt.Sprintf("You chose no hop as the trust boundary (the automatic choice was %s), so the client address and HELO come only from the command line.", autoText)
	}
	a.steps = append(a.steps, st)
	return i
}

// forwarded looks below the boundary for the hop where the boundary's
// sender received the message itself from someone else: the sign of a
// forwarder or a mailing list, and the hop to choose to judge the original
// sender.
func (a *analysis) forwarded(b int) {
	s := a.senderOf(&a.hops[b])
	org := s.rdnsOrg
	if org == "" {
		org = s.heloOrg
	}
	if org == "" {
		return
	}
	for j := b + 1; j < len(a.hops); j++ {
		h := &a.hops[j]
		if a.org(h.By) != org || !h.hasFrom {
			continue
		}
		sj := a.senderOf(h)
		if sj.class.internal() {
			continue
		}
		so := sj.rdnsOrg
		if so == "" {
			so = sj.heloOrg
		}
		if so == org {
			continue
		}
		// Name the server, not only its organization: the student looks
		// for this name in the Received header.
		explain := fmt.Sprintf("Hop %d says %s, a server of %s, received the message from %s before it reached the receiving side: %s forwarded or relayed it. SPF at the boundary judges %s, not the original sender; if you trust the Received header %s wrote, choose hop %d as the boundary to replay SPF as of that hop.", j, h.By, org, client(h), org, org, h.By, j)
		for _, ar := range a.ars {
			if ar.servID != "" && a.org(ar.servID) == org {
				explain += fmt.Sprintf(" %s also wrote its own %s header (authserv-id %s) with what it found.", org, ar.field, ar.servID)
				break
			}
		}
		a.steps = append(a.steps, trace.Step{
			Title:   fmt.Sprintf("%s forwarded the message (hop %d)", h.By, j),
			Result:  trace.Info,
			Detail:  fmt.Sprintf("%s handed the message to %s", client(h), h.By),
			Explain: explain,
			Ref:     "RFC 5321 §4.4",
		})
		return
	}
}

// chainAnomalies adds what only the chain as a whole shows: dates in the
// future, breaks between hops, private addresses where a public one is
// expected, and a HELO that claims the receiving server's own domain.
func (a *analysis) chainAnomalies(boundary int) {
	fut := a.in.FutureTolerance
	if fut <= 0 {
		fut = DefaultFutureTolerance
	}
	for i := range a.hops {
		h := &a.hops[i]
		if !a.in.Now.IsZero() && !h.At.IsZero() && h.At.Sub(a.in.Now) > fut {
			h.Anomalies = append(h.Anomalies, fmt.Sprintf("this hop is dated %s after the time of this analysis (%s): a server with a wrong clock, or a forged header", span(h.At.Sub(a.in.Now)), a.in.Now.UTC().Format(time.RFC3339)))
		}
		if i+1 < len(a.hops) {
			if msg := a.chainBreak(h, &a.hops[i+1], i); msg != "" {
				h.Anomalies = append(h.Anomalies, msg)
			}
		}
		if !h.hasFrom {
			continue
		}
		s := a.senderOf(h)
		byOrg := a.org(h.By)
		if s.class.internal() && h.FromIP != "" {
			crossOrg := byOrg != "" && (s.rdnsOrg != "" || s.heloOrg != "") && s.rdnsOrg != byOrg && s.heloOrg != byOrg
			if i == boundary || crossOrg {
				h.Anomalies = append(h.Anomalies, fmt.Sprintf("the client %s connected from %s where a public address is expected (the message crossed from one organization to another here): the receiver sits behind a proxy that hides the real client, or this header is forged", client(h), s.class.describe()))
			}
		}
		if s.class == addrPublic && byOrg != "" && s.heloOrg == byOrg && (s.unknown || (s.rdnsOrg != "" && s.rdnsOrg != byOrg)) {
			found := "no name"
			if s.rdns != "" {
				found = s.rdns + ", in " + s.rdnsOrg
			}
			h.Anomalies = append(h.Anomalies, fmt.Sprintf("the client introduced itself as %s, a name in %s — the receiving server's own domain — but its address %s has %s: a client pretending to be part of the receiver", h.FromHELO, byOrg, h.FromIP, found))
		}
	}
}

// chainBreak compares the client of hop i with the server that wrote the
// hop below it; they should be the same machine (RFC 5321 §4.4: each
// server prepends its own line).
func (a *analysis) chainBreak(h, below *Hop, i int) string {
	if !h.hasFrom || below.By == "" {
		return ""
	}
	var names []string
	addrs := []netip.Addr{h.Addr}
	if classify(h.Addr) == addrLoopback {
		// A loopback client is the receiving machine itself (a content
		// filter re-injecting), so the hop below was written by this
		// hop's own server.
		names = []string{h.By}
		if a, ok := parseAddrLoose(h.ByIP); ok {
			addrs = append(addrs, a)
		}
	} else {
		names = []string{h.FromHELO, h.FromRDNS}
	}
	byAddr, byIsAddr := parseAddrLoose(below.By)
	if !byIsAddr && a.org(below.By) == "" && !strings.Contains(below.By, ".") {
		return "" // "localhost", "wakko", "0": nothing to compare with
	}
	comparable := false
	for _, ad := range addrs {
		if !ad.IsValid() {
			continue
		}
		if byIsAddr && byAddr.Unmap() == ad.Unmap() {
			return ""
		}
		if b, ok := parseAddrLoose(below.ByIP); ok && b.Unmap() == ad.Unmap() {
			return ""
		}
	}
	byOrg := a.org(below.By)
	for _, n := range names {
		if n == "" || strings.EqualFold(n, "unknown") {
			continue
		}
		if normName(n) == normName(below.By) {
			return ""
		}
		// A short name and a full one for the same host: "wakko" and
		// "wakko.example.org".
		if (!strings.Contains(n, ".") || !strings.Contains(below.By, ".")) && firstLabel(n) == firstLabel(below.By) {
			return ""
		}
		if o := a.org(n); o != "" {
			comparable = true
			if o == byOrg {
				return ""
			}
		}
	}
	if !comparable || (byOrg == "" && !byIsAddr) {
		return ""
	}
	return fmt.Sprintf("hop %d says it received the message from %s, but the hop below (hop %d) was stamped by %s, a name in another domain: the two may be one organization under different names, or the lower headers were added by someone else — headers below a break are only as trustworthy as the sender (RFC 5321 §4.4)", i, client(h), i+1, below.By)
}

// envelope derives the SMTP envelope SPF is replayed for: the boundary
// hop's client address and HELO (RFC 7208 §4.1, §2.3), and MAIL FROM from
// Return-Path (RFC 5321 §4.4, RFC 7208 §2.4). Command-line values win.
func (a *analysis) envelope(b int) Envelope {
	var e Envelope
	ref := ""
	hopRef := func() string { // made once: the address and the HELO may both come from the hop
		if ref == "" {
			ref = "received[" + strconv.Itoa(b) + "] (boundary)"
		}
		return ref
	}
	var bh *Hop
	if b >= 0 {
		bh = &a.hops[b]
	}

	switch {
	case a.in.IP != "":
		e.ClientIP, e.DerivedFrom.ClientIP = a.in.IP, "--ip"
		if ad, ok := parseAddrLoose(a.in.IP); ok {
			e.Addr = ad.Unmap()
			e.ClientIP = e.Addr.String()
		} else if ad, err := netip.ParseAddr(a.in.IP); err == nil {
			e.Addr = ad.Unmap()
			e.ClientIP = e.Addr.String()
		}
	case bh != nil && bh.Addr.IsValid():
		e.Addr, e.ClientIP, e.DerivedFrom.ClientIP = bh.Addr, bh.FromIP, hopRef()
	case bh != nil:
		// Some receivers write the address only in their
		// Authentication-Results (smtp.remote-ip); trust it when that header
		// is the receiving side's.
		for _, ar := range a.ars {
			if ar.field != "Authentication-Results" || len(ar.ips) == 0 || !a.receiving(a.org(ar.servID)) {
				continue
			}
			e.Addr, e.ClientIP = ar.ips[0].addr, ar.ips[0].addr.String()
			e.DerivedFrom.ClientIP = fmt.Sprintf("Authentication-Results %s", ar.ips[0].key)
			break
		}
	}
	switch {
	case a.in.HELO != "":
		e.HELO, e.DerivedFrom.HELO = a.in.HELO, "--helo"
	case bh != nil && bh.FromHELO != "":
		e.HELO, e.DerivedFrom.HELO = bh.FromHELO, hopRef()
	}
	mfStep := trace.Step{Ref: "RFC 7208 §2.4"}
	switch {
	case a.in.MailFrom != "":
		addr, _ := parsePath(a.in.MailFrom)
		e.MailFrom, e.DerivedFrom.MailFrom = addr, "--mail-from"
		mfStep.Detail = "--mail-from " + a.in.MailFrom
	default:
		if len(a.in.ReturnPath) > 0 {
			addr, ok := parsePath(a.in.ReturnPath[0])
			if ok {
				e.MailFrom, e.DerivedFrom.MailFrom = addr, "Return-Path"
			}
			mfStep.Detail = "Return-Path: " + clip(strings.TrimSpace(a.in.ReturnPath[0]), 200)
			if len(a.in.ReturnPath) > 1 {
				a.steps = append(a.steps, trace.Step{
					Title:   fmt.Sprintf("%d Return-Path headers", len(a.in.ReturnPath)),
					Result:  trace.Warn,
					Detail:  strings.Join(a.in.ReturnPath, " | "),
					Explain: "The server that delivers a message adds one Return-Path at the top and should remove older ones (RFC 5321 §4.4); the top-most is used. More than one means a server forgot, or one was added by the sender.",
					Ref:     "RFC 5321 §4.4",
				})
			}
		} else if bh != nil && bh.EnvelopeFrom != "" {
			e.MailFrom, e.DerivedFrom.MailFrom = bh.EnvelopeFrom, fmt.Sprintf("received[%d] envelope-from", b)
			mfStep.Detail = "envelope-from " + bh.EnvelopeFrom
		}
	}

	// The envelope, as steps a student can follow.
	ipStep := trace.Step{Title: "SPF client address: " + orName(e.ClientIP, "unknown"), Result: trace.Info, Ref: "RFC 7208 §4.1", Detail: e.DerivedFrom.ClientIP}
	switch {
	case e.DerivedFrom.ClientIP == "--ip" && !e.Addr.IsValid():
		ipStep.Result = trace.Warn
		ipStep.Explain = fmt.Sprintf("%q was given on the command line, but it is not an IPv4 or IPv6 address, so SPF cannot be replayed for it.", a.in.IP)
	case e.DerivedFrom.ClientIP == "--ip":
		ipStep.Explain = "The address was given on the command line."
	case e.DerivedFrom.ClientIP == "":
		ipStep.Result = trace.Warn
		ipStep.Explain = "SPF checks the address of the SMTP client that handed the message to the receiving side, but no boundary hop recorded one; give it with --ip."
	case strings.HasPrefix(e.DerivedFrom.ClientIP, "received"):
		ipStep.Explain = "SPF checks the address of the SMTP client that handed the message to the receiving side: the address the receiver recorded from the connection at hop " + strconv.Itoa(b) + ", which the sender could not choose."
	default:
		ipStep.Explain = fmt.Sprintf("Hop %d recorded no address, but the receiving side's Authentication-Results header did (%s).", b, e.DerivedFrom.ClientIP)
	}
	heloStep := trace.Step{Title: "HELO name: " + orName(e.HELO, "unknown"), Result: trace.Info, Ref: "RFC 7208 §2.3, §2.4", Detail: e.DerivedFrom.HELO}
	switch e.DerivedFrom.HELO {
	case "--helo":
		heloStep.Explain = "The name was given on the command line."
	case "":
		heloStep.Result = trace.Warn
		heloStep.Explain = "The boundary hop does not record the name the client gave in HELO/EHLO, so SPF cannot check the HELO identity; give it with --helo."
	default:
		heloStep.Explain = "The name the client gave in HELO/EHLO at hop " + strconv.Itoa(b) + ", as the receiver wrote it; a client can give any name. SPF may check it on its own, and checks it, as postmaster@ that name, in place of an empty MAIL FROM."
	}
	mfStep.Result = trace.Info
	switch {
	case e.DerivedFrom.MailFrom == "":
		mfStep.Title = "MAIL FROM: unknown"
		mfStep.Result = trace.Warn
		mfStep.Explain = "There is no Return-Path header and the boundary hop does not record the envelope sender, so the MAIL FROM is unknown; give it with --mail-from (<> for a bounce)."
		if mfStep.Detail != "" {
			mfStep.Explain = "The Return-Path header holds no address that can be read, so the MAIL FROM is unknown; give it with --mail-from (<> for a bounce)."
		}
	case e.MailFrom == "":
		mfStep.Title = "MAIL FROM: <> (null sender)"
		mfStep.Explain = "The envelope sender is empty, as for bounces and other automatic replies; SPF then checks the HELO name, as postmaster@ that name."
	default:
		mfStep.Title = "MAIL FROM: " + e.MailFrom
		switch e.DerivedFrom.MailFrom {
		case "--mail-from":
			mfStep.Explain = "The envelope sender was given on the command line."
		case "Return-Path":
			mfStep.Explain = "The delivering server copies the envelope sender (MAIL FROM, the address bounces go to) into Return-Path (RFC 5321 §4.4); SPF checks the domain after the @. The sender chooses it freely, and it need not match the From a reader sees."
		default:
			mfStep.Explain = fmt.Sprintf("There is no Return-Path header; the receiver at hop %d wrote the envelope sender in a comment.", b)
		}
	}
	a.steps = append(a.steps, ipStep, heloStep, mfStep)
	return e
}

// originExplain says what each informational header is.
func originExplain(name string) string {
	switch strings.ToLower(name) {
	case "x-originating-ip":
		return "Webmail services (Outlook.com, Exchange, hosting panels) add X-Originating-IP with the address of the computer that submitted the message."
	case "x-forwarded-for":
		return "A proxy or webmail front end lists in X-Forwarded-For the addresses the submission passed through, the original client first."
	case "x-sender-ip":
		return "Some providers record the submitting computer's address in X-Sender-IP."
	}
	return "This header records an address the message is said to have come from."
}

// origins collects the informational claims about where the message
// started. None of them decides anything: a sender can write any of these
// headers, and only the receiving side's own headers are evidence.
func (a *analysis) origins(boundary netip.Addr) []Origin {
	var out []Origin
	compare := func(ips []netip.Addr) string {
		var parts []string
		for _, ip := range ips {
			switch {
			case classify(ip).internal():
				parts = append(parts, fmt.Sprintf("%s is %s: it shows the sender's own network, not where the message came from on the Internet", ip, classify(ip).describe()))
			case boundary.IsValid() && ip == boundary:
				parts = append(parts, fmt.Sprintf("%s is the boundary client itself", ip))
			case boundary.IsValid():
				parts = append(parts, fmt.Sprintf("%s is not the boundary client %s", ip, boundary))
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return " " + strings.Join(parts, "; ") + "."
	}
	for _, f := range a.in.OriginatingIP {
		var ips []netip.Addr
		for _, w := range strings.FieldsFunc(f.Value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' }) {
			if ip, ok := parseAddrLoose(w); ok && len(ips) < 16 {
				ips = append(ips, ip.Unmap())
			}
		}
		explain := originExplain(f.Name) + " Anyone can write it, so it is a lead to follow, not evidence." + compare(ips)
		out = append(out, Origin{Header: f.Name, Value: clip(f.Value, 200), IPs: addrStrings(ips), Explain: explain})
	}
	for _, ar := range a.ars {
		if len(ar.ips) == 0 {
			continue
		}
		var ips []netip.Addr
		keys := map[string]bool{}
		for _, m := range ar.ips {
			ips = append(ips, m.addr)
			keys[m.key] = true
		}
		var keyList []string
		for k := range keys {
			keyList = append(keyList, k)
		}
		sort.Strings(keyList)
		who := "a server that gave no authserv-id"
		if ar.servID != "" {
			who = "authserv-id " + ar.servID
		}
		trust := "It was written outside the receiving side, so it is only a claim (RFC 8601 §5)."
		if org := a.org(ar.servID); org != "" && a.receiving(org) {
			trust = "It was written by the receiving side, which must remove such headers that come from outside (RFC 8601 §5)."
		}
		explain := fmt.Sprintf("The %s header of %s records the connecting client's address (%s). %s", ar.field, who, strings.Join(keyList, ", "), trust) + compare(ips)
		out = append(out, Origin{Header: ar.field, Value: who, IPs: addrStrings(ips), Explain: explain})
	}
	return out
}

func addrStrings(ips []netip.Addr) []string {
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

// orName is s, or alt when s is empty.
func orName(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// RecordedRDNS is the reverse DNS name the receiver wrote at the boundary
// hop for the envelope's client address ("unknown" when it found none),
// for iprev.Check to compare with. It is "" when the receiver wrote no
// name, or when the client address did not come from the boundary hop
// (--ip, a chosen hop without an address).
func (c Chain) RecordedRDNS() string {
	if c.Boundary < 0 || c.Boundary >= len(c.Hops) {
		return ""
	}
	h := c.Hops[c.Boundary]
	if !h.Addr.IsValid() || h.Addr != c.Envelope.Addr {
		return ""
	}
	return h.FromRDNS
}
