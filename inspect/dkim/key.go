package dkim

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// ErrKeySyntax is wrapped by every error of ParseKey.
var ErrKeySyntax = errors.New("dkim: malformed key record")

// Key is a DKIM key record (RFC 6376 §3.6.1, RFC 8463 §4.2).
type Key struct {
	Record string
	Tags   TagList

	Version  string   // v=, "" when absent
	Type     string   // k=, "rsa" when absent
	Hashes   []string // h=; nil: any hash
	Services []string // s=; nil: all ("*")
	Flags    []string // t=
	Notes    string   // n=
	Revoked  bool     // p= is empty

	// Public is *rsa.PublicKey or ed25519.PublicKey; nil when the key is
	// revoked or of a type this package does not know.
	Public crypto.PublicKey
	Bits   int // size of the RSA modulus, or 256 for Ed25519
}

// Testing reports the t=y flag: the domain is testing DKIM (§3.6.1).
func (k *Key) Testing() bool { return k.hasFlag("y") }

// Strict reports the t=s flag: i= must be exactly d=, not a subdomain.
func (k *Key) Strict() bool { return k.hasFlag("s") }

func (k *Key) hasFlag(f string) bool {
	for _, x := range k.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// ParseKey parses a key record. An empty p= is not an error: it gives a
// Key with Revoked set. A k= this package does not know is not an error
// either (it must be ignored, §3.6.1): Public stays nil.
func ParseKey(record string) (*Key, error) {
	k := &Key{Record: record, Type: "rsa"}
	tags, err := ParseTagList(record)
	k.Tags = tags
	if err != nil {
		return k, fmt.Errorf("%w: %v", ErrKeySyntax, err)
	}
	if v, ok := tags.Get("v"); ok {
		k.Version = v
		if v != "DKIM1" {
			return k, fmt.Errorf("%w: v=%s, where only DKIM1 is defined", ErrKeySyntax, v)
		}
	}
	if v, ok := tags.Get("k"); ok {
		k.Type = v
	}
	if v, ok := tags.Get("h"); ok {
		k.Hashes = ParseHeaderList(v)
	}
	if v, ok := tags.Get("s"); ok {
		k.Services = ParseHeaderList(v)
	}
	if v, ok := tags.Get("t"); ok {
		k.Flags = ParseHeaderList(v)
	}
	k.Notes, _ = tags.Get("n")
	p, ok := tags.Get("p")
	if !ok {
		return k, fmt.Errorf("%w: no p= tag (the public key)", ErrKeySyntax)
	}
	if stripFWS(p) == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := decodeB64(p)
	if err != nil {
		return k, fmt.Errorf("%w: p= %v", ErrKeySyntax, err)
	}
	switch k.Type {
	case "rsa":
		pub, err := parseRSA(der)
		if err != nil {
			return k, fmt.Errorf("%w: p= %v", ErrKeySyntax, err)
		}
		k.Public, k.Bits = pub, pub.N.BitLen()
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return k, fmt.Errorf("%w: p= holds %d bytes; an Ed25519 key is 32", ErrKeySyntax, len(der))
		}
		k.Public, k.Bits = ed25519.PublicKey(der), 256
	}
	return k, nil
}

// parseRSA accepts a SubjectPublicKeyInfo, which nearly every published key
// is, and the bare RSAPublicKey that RFC 6376 §3.6.1 literally describes
// (erratum 3017).
func parseRSA(der []byte) (*rsa.PublicKey, error) {
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		rp, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("holds a %T key, not an RSA key", pub)
		}
		return rp, nil
	}
	rp, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, errors.New("is not an RSA public key (neither SubjectPublicKeyInfo nor RSAPublicKey)")
	}
	return rp, nil
}

// KeyLookup is what LookupKey found, with the steps that show it.
type KeyLookup struct {
	Name  string       // <selector>._domainkey.<domain>.
	Query *trace.Query // the DNS exchange; nil when none was sent
	Key   *Key         // the parsed record; nil when there is none to use
	// Result is "" when Key can be used, else why not: temperror (DNS gave
	// no answer) or permerror (no key, several records, malformed record).
	Result trace.Result
	Reason string
	Steps  []trace.Step
}

// DefaultKeyCacheSize is how many key records a KeyCache made with size 0
// keeps.
const DefaultKeyCacheSize = 1024

// KeyCache keeps parsed key records by their text, so that a run over many
// messages from the same signers decodes and parses each key once (an RSA
// key's SubjectPublicKeyInfo costs more to parse than a signature costs to
// check). It caches only the parse of a record's text, never a DNS answer
// or a verification, so a record that changes in DNS is parsed anew, and
// the steps shown are built afresh for every signature.
//
// A KeyCache is safe for concurrent use and holds at most its size of
// records; when full it forgets one to make room. The *Key values it
// returns are shared: callers must not modify them. A nil *KeyCache parses
// every time.
type KeyCache struct {
	mu   sync.Mutex
	size int
	m    map[string]parsedKey
}

type parsedKey struct {
	key *Key
	err error
}

// NewKeyCache returns a cache of at most size records (size <= 0:
// DefaultKeyCacheSize).
func NewKeyCache(size int) *KeyCache {
	if size <= 0 {
		size = DefaultKeyCacheSize
	}
	return &KeyCache{size: size, m: make(map[string]parsedKey)}
}

// ParseKey is ParseKey(record), from the cache when the same text was
// parsed before.
func (c *KeyCache) ParseKey(record string) (*Key, error) {
	if c == nil {
		return ParseKey(record)
	}
	c.mu.Lock()
	p, ok := c.m[record]
	c.mu.Unlock()
	if ok {
		return p.key, p.err
	}
	// Parsed outside the lock: two workers meeting a new key at once both
	// parse it, and the results are the same.
	k, err := ParseKey(record)
	c.mu.Lock()
	if len(c.m) >= c.size {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[record] = parsedKey{k, err}
	c.mu.Unlock()
	return k, err
}

// Len is how many records the cache holds.
func (c *KeyCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// LookupKey fetches and parses the key of selector and domain from DNS
// (RFC 6376 §3.6.2, §6.1.2). It does not judge whether the key fits a
// signature; Verify does.
func LookupKey(ctx context.Context, r dnsx.Resolver, selector, domain string) KeyLookup {
	return (*KeyCache)(nil).LookupKey(ctx, r, selector, domain)
}

// LookupKey is the package's LookupKey, parsing the record through the
// cache (c may be nil).
func (c *KeyCache) LookupKey(ctx context.Context, r dnsx.Resolver, selector, domain string) KeyLookup {
	full := selector + "._domainkey." + domain + "."
	name := full[:len(full)-1]
	kl := KeyLookup{Name: full, Steps: make([]trace.Step, 0, 2)}
	fetch := trace.Step{Title: "Fetch the key record " + name, Ref: "RFC 6376 §3.6.2.1, §6.1.2"}
	if r == nil {
		fetch.Result, fetch.Explain = trace.TempError, "no DNS resolver was given, so the key could not be fetched"
		kl.Result, kl.Reason = trace.TempError, "The key could not be fetched: no DNS resolver."
		kl.Steps = append(kl.Steps, fetch)
		return kl
	}
	q, err := r.Lookup(ctx, name, dns.TypeTXT)
	kl.Query, fetch.Query = q, q
	if q != nil {
		kl.Name = q.Name
	}
	switch {
	case err != nil && dnsx.IsTemporary(err):
		fetch.Result, fetch.Detail = trace.TempError, rcodeOf(q)
		fetch.Explain = noAnswer(err) + "; the key may well be there, so this is a temporary error (temperror), not a verdict on the signature: a receiver would try again later"
		fetch.Ref = "RFC 6376 §6.1.2 step 2"
		kl.Result, kl.Reason = trace.TempError, "The key could not be fetched from DNS; a later attempt may succeed."
		if errors.Is(err, dnsx.ErrNotInSnapshot) {
			fetch.Explain = noAnswer(err) + "; this counts as a temporary error (temperror), not a verdict on the signature. Replay against live DNS, or with a snapshot that holds the key record, to see the result"
			kl.Reason = "The DNS snapshot being replayed holds no key record for this signature, so the replay cannot check it."
		}
	case err != nil && errors.Is(err, dnsx.ErrBadName):
		fetch.Result, fetch.Detail = trace.PermError, "not a valid DNS name"
		fetch.Explain = "the name made from s= and d= cannot be asked in DNS (an empty label, or a label or the whole name too long), so there can be no key"
		fetch.Ref = "RFC 6376 §6.1.2 step 3"
		kl.Result, kl.Reason = trace.PermError, "The key's DNS name is not valid."
	case err != nil:
		fetch.Result, fetch.Detail = trace.PermError, rcodeOf(q)+": "+err.Error()
		fetch.Explain = "DNS answered, but with something no verifier can use, and asking again would give the same; only the domain's operator can fix it"
		fetch.Ref = "RFC 6376 §6.1.2 step 5"
		kl.Result, kl.Reason = trace.PermError, "The key record in DNS cannot be used ("+strings.TrimPrefix(err.Error(), "dnsx: ")+")."
	case q.NXDomain() || len(q.Answers) == 0:
		what := "does not exist (NXDOMAIN)"
		if !q.NXDomain() {
			what = "exists but holds no TXT record"
		}
		fetch.Result, fetch.Detail = trace.PermError, name+" "+what
		fetch.Explain = "there is no key for this selector, so nothing can confirm the signature; a removed key and a revoked key mean the same"
		fetch.Ref = "RFC 6376 §6.1.2 step 3"
		kl.Result, kl.Reason = trace.PermError, "There is no key in DNS for selector "+selector+" of "+domain+"."
	case len(q.Answers) > 1:
		fetch.Result, fetch.Detail = trace.PermError, fmt.Sprintf("%d TXT records", len(q.Answers))
		fetch.Explain = "a selector must have exactly one TXT record; with several the result is undefined, and this verifier, like go-msgauth, refuses to guess which one signed"
		fetch.Ref = "RFC 6376 §3.6.2.2"
		kl.Result, kl.Reason = trace.PermError, "The selector has several key records, so the key is ambiguous."
	default:
		fetch.Result, fetch.Detail = trace.Info, q.Answers[0]
		fetch.Explain = "one TXT record was found where the signature says its key is"
	}
	kl.Steps = append(kl.Steps, fetch)
	if kl.Result != "" {
		return kl
	}
	key, err := c.ParseKey(q.Answers[0])
	read := trace.Step{Title: "Read the key record", Detail: q.Answers[0], Ref: "RFC 6376 §3.6.1", Steps: keyTagSteps(key)}
	if err != nil {
		read.Result = trace.PermError
		read.Explain = strings.TrimPrefix(err.Error(), "dkim: ") + "; a verifier must ignore a malformed key record"
		read.Ref = "RFC 6376 §3.6.1, §6.1.2 step 5"
		kl.Result, kl.Reason = trace.PermError, "The key record in DNS is malformed."
		kl.Steps = append(kl.Steps, read)
		return kl
	}
	read.Result, read.Explain = trace.Info, "the record is a well-formed DKIM key record"
	kl.Steps = append(kl.Steps, read)
	kl.Key = key
	return kl
}

// noAnswer says in plain words why DNS gave no answer to use, for a
// student rather than a programmer: the dnsx error's own text names Go
// packages and internals.
func noAnswer(err error) string {
	switch {
	case errors.Is(err, dnsx.ErrTimeout):
		return "no answer came from DNS in the time allowed"
	case errors.Is(err, dnsx.ErrServFail):
		return "the DNS server answered that it could not answer (SERVFAIL), for example because the domain's own name servers did not respond"
	case errors.Is(err, dnsx.ErrRefused):
		return "the DNS server refused to answer the question (REFUSED)"
	case errors.Is(err, dnsx.ErrNotInSnapshot):
		return "the recorded DNS answers being replayed hold none for this name, so it could not be asked"
	case errors.Is(err, dnsx.ErrCNAMELoop):
		return "the name leads through aliases (CNAME) that loop or never end"
	}
	return "the DNS exchange failed: the network was unreachable or the reply could not be read"
}

func rcodeOf(q *trace.Query) string {
	if q == nil {
		return ""
	}
	return q.Name + " TXT: " + q.Rcode
}

// keyTagSteps explains each tag of a key record, unknown ones too.
func keyTagSteps(k *Key) []trace.Step {
	var out []trace.Step
	if len(k.Tags) > 0 {
		out = make([]trace.Step, 0, len(k.Tags))
	}
	for _, t := range k.Tags {
		st := trace.Step{Title: t.Name + "=", Result: trace.Info, Detail: t.Value, Ref: "RFC 6376 §3.6.1"}
		switch t.Name {
		case "v":
			st.Explain = "version of the key record; DKIM1 is the only one"
		case "k":
			st.Explain = "key type: rsa, or ed25519 (RFC 8463 §4.2)"
			if t.Value == "ed25519" {
				st.Ref = "RFC 8463 §4.2"
			}
		case "p":
			st.Explain = "the public key, base64; an empty p= means the key is revoked"
			st.Detail = abbrevFWS(t.Value)
		case "h":
			st.Explain = "hash algorithms this key may be used with"
		case "s":
			st.Explain = `services this key is for: "email" or "*" (all)`
		case "t":
			st.Explain = `flags: "y" means the domain is testing DKIM, "s" means i= must be exactly d=`
		case "n":
			st.Explain = "notes for people; no program acts on them"
		default:
			st.Explain = "a tag this verifier does not know; unknown tags are ignored"
			st.Ref = "RFC 6376 §3.2"
		}
		out = append(out, st)
	}
	return out
}

// VerifyHash checks a signature over a computed header hash (RFC 6376
// §3.7 data-hash): RSA PKCS#1 v1.5 with SHA-256 (§3.3.2), or PureEdDSA
// Ed25519 over the SHA-256 hash (RFC 8463 §3).
func VerifyHash(pub crypto.PublicKey, h crypto.Hash, hashed, sig []byte) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(p, h, hashed, sig)
	case ed25519.PublicKey:
		if !ed25519.Verify(p, hashed, sig) {
			return errors.New("ed25519: the signature does not match")
		}
		return nil
	}
	return fmt.Errorf("dkim: no verifier for %T", pub)
}
