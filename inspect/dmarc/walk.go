package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// MaxWalkQueries is the most _dmarc names one DNS tree walk asks (RFC 9989
// §4.10).
const MaxWalkQueries = 8

// OrganizationalDomain returns the RFC 7489 §3.2 Organizational Domain of
// domain: its public suffix from the Public Suffix List compiled into
// golang.org/x/net/publicsuffix, plus one label. ok is false when domain is
// itself a public suffix (RFC 7489 §3.1.1: "com" cannot be an
// Organizational Domain).
//
// The compiled list includes the PSL's private section (github.io,
// blogspot.co.uk), as the list RFC 7489 Appendix A.6.1 points to does.
// Unlisted top-level names (".example", ".test") count as public suffixes,
// the list's "*" default rule. domain should be normalized (NormalizeDomain).
func OrganizationalDomain(domain string) (org string, ok bool) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if domain == "" {
		return "", false
	}
	if a, hit := orgDomains.m.Load(domain); hit {
		a := a.(orgAnswer)
		return a.org, a.ok
	}
	keep := orgDomains.room() && len(domain) <= 253
	if keep {
		// The name may be a view of a message's read buffer, which is
		// reused for later messages; the answer is a suffix of it.
		domain = strings.Clone(domain)
	}
	a := orgAnswer{}
	if org, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
		a = orgAnswer{org, true}
	}
	if keep {
		orgDomains.store(domain, a)
	}
	return a.org, a.ok
}

// orgDomains remembers OrganizationalDomain answers. The answer is a pure
// function of the name and of the list compiled into the binary, so it may
// be shared by every message and goroutine; a message asks for the same few
// names many times (author, SPF domain, d=, the alignment of each, the
// phishing signs), and each list search costs some 300 ns. It holds at most
// orgDomainsMax names, so an mbox of a million senders cannot grow it: past
// that, names not yet held are looked up every time, as before.
var orgDomains orgCache

const orgDomainsMax = 4096

type orgAnswer struct {
	org string
	ok  bool
}

type orgCache struct {
	m sync.Map // string -> orgAnswer
	n atomic.Int64
}

func (c *orgCache) room() bool { return c.n.Load() < orgDomainsMax }

// store may overshoot orgDomainsMax by the number of goroutines that found
// room at once; that is still a bound.
func (c *orgCache) store(name string, a orgAnswer) {
	if _, loaded := c.m.LoadOrStore(name, a); !loaded {
		c.n.Add(1)
	}
}

// Aligned reports RFC 7489 Identifier Alignment between an Author Domain and
// an authenticated identifier (an SPF domain, a DKIM d=), with the
// Organizational Domain from the Public Suffix List: strict means identical
// (§3.1.1, §3.1.2), relaxed means the same Organizational Domain. Identical
// domains align in either mode. Other packages use it for warnings such as
// "d= is unrelated to From"; RFC 9989 alignment needs DNS (Walker.Aligned).
func Aligned(author, id string, mode Alignment) bool {
	author = strings.ToLower(strings.TrimSuffix(author, "."))
	id = strings.ToLower(strings.TrimSuffix(id, "."))
	if author == "" || id == "" {
		return false
	}
	if author == id {
		return true
	}
	if mode == Strict {
		return false
	}
	a, okA := OrganizationalDomain(author)
	b, okB := OrganizationalDomain(id)
	return okA && okB && a == b
}

// nameState is what the TXT answer at one _dmarc name amounts to.
type nameState int

const (
	stateNone    nameState = 0 // no DMARC record (NXDOMAIN, NODATA, or only other TXT records)
	stateOne     nameState = 1 // exactly one DMARC record
	stateMany    nameState = 2 // more than one DMARC record
	stateTempErr nameState = 3 // no answer now: timeout, SERVFAIL, ...
	statePermErr nameState = 4 // an answer that will not change: too large, ...
)

// Lookup is the answer for _dmarc.<Domain>.
type Lookup struct {
	Domain  string       // the domain whose _dmarc name was asked
	Query   *trace.Query // the exchange; Cached is set when this check had asked before
	Records []string     // the DMARC records at the name (those starting with v=DMARC1)
	Other   int          // TXT records there that are not DMARC records
	Err     string       // why no answer came, when none did, in plain words
	state   nameState
}

// Temporary reports a DNS failure that asking again later may cure.
func (l Lookup) Temporary() bool { return l.state == stateTempErr }

// StepResult is the step result of a failed lookup: temperror or permerror.
func (l Lookup) StepResult() trace.Result {
	if l.state == statePermErr {
		return trace.PermError
	}
	return trace.TempError
}

// Failed reports that no usable answer came.
func (l Lookup) Failed() bool { return l.state == stateTempErr || l.state == statePermErr }

// Record is the single DMARC record at the name, or "".
func (l Lookup) Record() string {
	if l.state == stateOne {
		return l.Records[0]
	}
	return ""
}

// Walker looks up _dmarc records for one message, asking DNS once per name
// however many times the RFC 9989 walks and the RFC 7489 discovery need it.
// Its methods are safe for concurrent use.
type Walker struct {
	Resolver dnsx.Resolver

	mu    sync.Mutex
	cache map[string]*Lookup
	walks map[string]*Walk
}

// NewWalker returns a Walker asking r.
func NewWalker(r dnsx.Resolver) *Walker {
	return &Walker{Resolver: r, cache: map[string]*Lookup{}, walks: map[string]*Walk{}}
}

// Lookup asks for the TXT records at _dmarc.<domain> and sorts them as RFC
// 9989 §4.10 step 2 and RFC 7489 §6.6.3 step 2 do: records that do not
// start with v=DMARC1 are discarded.
func (w *Walker) Lookup(ctx context.Context, domain string) Lookup {
	w.mu.Lock()
	defer w.mu.Unlock()
	if l, ok := w.cache[domain]; ok {
		c := *l
		if l.Query != nil {
			q := *l.Query
			q.Cached = true
			q.Note = strings.TrimPrefix(q.Note+"; asked before in this DMARC check", "; ")
			c.Query = &q
		}
		return c
	}
	l := &Lookup{Domain: domain}
	q, err := w.Resolver.Lookup(ctx, "_dmarc."+domain, dns.TypeTXT)
	if q != nil {
		c := *q
		c.Answers = append([]string(nil), q.Answers...)
		l.Query = &c
	}
	switch {
	case err != nil && errors.Is(err, dnsx.ErrBadName):
		// The name cannot exist, so neither can a record there.
		l.state = stateNone
		l.Err = dnsWords(q, err)
	case err != nil && dnsx.IsTemporary(err):
		l.state, l.Err = stateTempErr, dnsWords(q, err)
	case err != nil:
		l.state, l.Err = statePermErr, dnsWords(q, err)
	default:
		for _, a := range q.Answers {
			if IsDMARC(a) {
				l.Records = append(l.Records, a)
			} else {
				l.Other++
			}
		}
		switch len(l.Records) {
		case 0:
			l.state = stateNone
		case 1:
			l.state = stateOne
		default:
			l.state = stateMany
		}
	}
	w.cache[domain] = l
	return *l
}

// Found is a DMARC record a walk found.
type Found struct {
	Domain string
	Record Record // read per RFC 9989
}

// Walk is one RFC 9989 §4.10 DNS tree walk and the Organizational Domain it
// yields (§4.10.2).
type Walk struct {
	Start     string   // where the walk started
	Names     []string // domains whose _dmarc name was asked, in order
	Lookups   []Lookup // the answers, in the same order
	Found     []Found  // single DMARC records found, longest name first
	StoppedBy string   // the domain whose psd=y or psd=n ended the walk, or ""
	Failed    bool     // a lookup got no usable answer; the walk stopped there
	Temporary bool     // ... and asking later may cure it
	FailedAt  string   // the domain whose lookup failed
	OrgDomain string   // "" when Failed
	OrgRule   string   // which rule of §4.10.2 chose OrgDomain, in plain words
	OrgRef    string   // that rule's section, for Step.Ref
	Steps     []trace.Step
}

// WalkNames returns the domains whose _dmarc names a full tree walk from
// domain asks, in order (RFC 9989 §4.10 steps 3-7): the domain itself, then
// at most seven more, shortening a name of eight or more labels straight to
// its last seven.
func WalkNames(domain string) []string {
	// Each name is a suffix of domain: its last k labels start after the
	// k-th dot from the end. Slicing spares a split and a join per name.
	var starts [7]int // starts[k-1]: where the last k labels begin
	k := 0
	for i := len(domain) - 1; i >= 0 && k < len(starts); i-- {
		if domain[i] == '.' {
			starts[k] = i + 1
			k++
		}
	}
	names := make([]string, 1, k+1)
	names[0] = domain
	for ; k >= 1; k-- {
		names = append(names, domain[starts[k-1]:])
	}
	return names
}

// Walk performs the DNS tree walk from domain (normalized). Walks are
// remembered, so walking again from the same domain costs nothing.
func (w *Walker) Walk(ctx context.Context, domain string) Walk {
	w.mu.Lock()
	if wk, ok := w.walks[domain]; ok {
		w.mu.Unlock()
		return *wk
	}
	w.mu.Unlock()

	names := WalkNames(domain)
	wk := Walk{Start: domain, Names: make([]string, 0, len(names)), Lookups: make([]Lookup, 0, len(names)), Steps: make([]trace.Step, 0, len(names))}
	for _, name := range names {
		l := w.Lookup(ctx, name)
		wk.Names = append(wk.Names, name)
		wk.Lookups = append(wk.Lookups, l)
		step := lookupStep(l, "RFC 9989 §4.10")
		if l.Failed() {
			wk.Failed, wk.Temporary, wk.FailedAt = true, l.Temporary(), name
			step.Explain += ". The walk cannot go on without this answer: a record here could have changed which record applies, so the result cannot be known"
			wk.Steps = append(wk.Steps, step)
			break
		}
		if l.state == stateMany {
			step.Explain += ". RFC 9989 discards them all and the walk goes on"
		}
		if rec := l.Record(); rec != "" {
			r, _ := ParseRecord(rec, RFC9989)
			wk.Found = append(wk.Found, Found{Domain: name, Record: r})
			if r.PSD == "y" || r.PSD == "n" {
				wk.StoppedBy = name
				step.Explain += fmt.Sprintf(". It says psd=%s, which ends the walk (step 6 of the walk)", r.PSD)
				wk.Steps = append(wk.Steps, step)
				break
			}
		}
		wk.Steps = append(wk.Steps, step)
	}
	if !wk.Failed {
		wk.OrgDomain, wk.OrgRule, wk.OrgRef = orgFromWalk(domain, wk.Found)
	}
	w.mu.Lock()
	w.walks[domain] = &wk
	w.mu.Unlock()
	return wk
}

// orgFromWalk selects the Organizational Domain from the records a walk
// found, longest name first (RFC 9989 §4.10.2), with the rule that chose
// it in words and its section.
func orgFromWalk(start string, found []Found) (org, rule, ref string) {
	for _, f := range found {
		if f.Record.PSD == "n" {
			return f.Domain, "the record at _dmarc." + f.Domain + " says psd=n: " + f.Domain + " is its own Organizational Domain", "RFC 9989 §4.10.2 rule 1"
		}
		if f.Record.PSD == "y" && f.Domain != start {
			below := oneBelow(start, f.Domain)
			return below, "the record at _dmarc." + f.Domain + " says psd=y: " + f.Domain + " is a public suffix domain (one under which anyone can register names), so the Organizational Domain is the name one label below it, " + below, "RFC 9989 §4.10.2 rule 2"
		}
	}
	if len(found) > 0 {
		last := found[len(found)-1]
		return last.Domain, last.Domain + " is the name with the fewest labels that has a DMARC record, so it is the Organizational Domain", "RFC 9989 §4.10.2 rule 3"
	}
	return start, "no DMARC record was found anywhere above " + start + ", so it is its own Organizational Domain", "RFC 9989 §4.10.2"
}

// oneBelow returns the name one label below ancestor on the way to start.
func oneBelow(start, ancestor string) string {
	labels := strings.Split(start, ".")
	k := len(strings.Split(ancestor, ".")) + 1
	if k > len(labels) {
		return start
	}
	return strings.Join(labels[len(labels)-k:], ".")
}

// isUnder reports whether d is ancestor or a name below it.
func isUnder(d, ancestor string) bool {
	return d == ancestor || strings.HasSuffix(d, "."+ancestor)
}

// missingWords is dnsWords for a question the replayed snapshot lacks.
const missingWords = "the DNS snapshot holds no answer for this question"

// lookupStep describes one _dmarc lookup for the trace.
func lookupStep(l Lookup, ref string) trace.Step {
	s := trace.Step{Title: "Look up _dmarc." + l.Domain, Result: trace.Info, Ref: ref, Query: l.Query}
	switch l.state {
	case stateTempErr:
		s.Result = trace.TempError
		s.Detail = "no usable answer: " + l.Err
		s.Explain = "DNS gave no usable answer, so it is not known whether a DMARC record is published here. That is temporary: asking again later may work, which is why a receiver may defer the message and retry"
		if l.Err == missingWords {
			s.Explain = "the DNS snapshot being replayed holds no answer for this question, so the replay cannot tell whether a DMARC record is published here; it counts as a temporary error (temperror), as any lookup without an answer does. Replay against live DNS, or with a snapshot that holds the answer, to see the result"
		}
	case statePermErr:
		s.Result = trace.PermError
		s.Detail = "unusable answer: " + l.Err
		s.Explain = "the DNS answer cannot be used, and asking again will not change it"
	case stateOne:
		s.Detail = l.Records[0]
		s.Explain = "exactly one DMARC record is published here"
	case stateMany:
		s.Result = trace.Warn
		s.Detail = strings.Join(l.Records, " | ")
		s.Explain = fmt.Sprintf("%d DMARC records are published here, and a name may hold only one", len(l.Records))
	default:
		switch {
		case l.Err != "":
			s.Detail = "not asked: " + l.Err
			s.Explain = "this name cannot exist in the DNS, so there is no record"
		case l.Query != nil && l.Query.NXDomain():
			s.Detail = "NXDOMAIN"
			s.Explain = "the name does not exist, so no DMARC record is published here"
		case l.Other > 0:
			s.Detail = fmt.Sprintf("%d TXT %s, none starting with v=DMARC1", l.Other, plural(l.Other, "record", "records"))
			s.Explain = "TXT records that do not start with v=DMARC1 are not DMARC records and are discarded, so no DMARC record is published here"
		default:
			s.Detail = "no TXT records"
			s.Explain = "no DMARC record is published here"
		}
	}
	return s
}

// align is the state of one alignment question.
type align int

const (
	alignNo      align = 0
	alignYes     align = 1
	alignUnknown align = 2 // a DNS answer needed to decide did not come
)

// Aligned reports RFC 9989 Identifier Alignment (§3.2.10, §4.10.2) of id
// with author, walking the DNS tree for the Organizational Domains as
// needed. known is false when a DNS failure left it undecided. The steps
// say how it was decided.
func (w *Walker) Aligned(ctx context.Context, author, id string, mode Alignment) (aligned, known bool, steps []trace.Step) {
	authorWalk := w.Walk(ctx, author)
	a, st := w.align(ctx, author, authorWalk, id, mode)
	return a == alignYes, a != alignUnknown, st
}

// align decides alignment of id with author under RFC 9989, given the walk
// from the author.
func (w *Walker) align(ctx context.Context, author string, authorWalk Walk, id string, mode Alignment) (align, []trace.Step) {
	if id == author {
		return alignYes, nil
	}
	if mode == Strict {
		return alignNo, nil
	}
	if authorWalk.Failed {
		return alignUnknown, []trace.Step{{Title: "Organizational Domain of " + author, Result: trace.TempError, Ref: "RFC 9989 §4.10.2",
			Explain: fmt.Sprintf("the tree walk from %s did not finish, so its Organizational Domain is unknown", author)}}
	}
	org := authorWalk.OrgDomain
	if !isUnder(id, org) {
		// An Organizational Domain is always the name itself or above it,
		// so a name outside org cannot have org as its own. Not walking
		// also spares the identifier's DNS the tip-off.
		return alignNo, []trace.Step{{Title: "Organizational Domain of " + id, Result: trace.Info, Ref: "RFC 9989 §4.10.2",
			Detail:  fmt.Sprintf("%s is not %s or a name under it", id, org),
			Explain: fmt.Sprintf("an Organizational Domain is always the name itself or one of its parents, so %s cannot have %s as its Organizational Domain; no lookup is needed", id, org)}}
	}
	wk := w.Walk(ctx, id)
	st := trace.Step{Title: "Organizational Domain of " + id + " (DNS tree walk)", Result: trace.Info, Ref: "RFC 9989 §4.10.2", Steps: wk.Steps}
	if wk.Failed {
		st.Result = trace.TempError
		st.Explain = fmt.Sprintf("the walk stopped at _dmarc.%s without an answer, so the Organizational Domain of %s is unknown", wk.FailedAt, id)
		return alignUnknown, []trace.Step{st}
	}
	st.Detail = wk.OrgDomain
	st.Explain, st.Ref = wk.OrgRule, wk.OrgRef
	if wk.OrgDomain == org {
		return alignYes, []trace.Step{st}
	}
	return alignNo, []trace.Step{st}
}

// dnsWords says in plain words why a lookup got no usable answer, for a
// step a student reads (dnsx.Failure), the rcode after them in brackets.
func dnsWords(q *trace.Query, err error) string {
	code, words := dnsx.Failure(q, err)
	if code != "" {
		return words + " (" + code + ")"
	}
	return words
}
