// Package recorded reads what the receiving servers wrote about a message
// at delivery — its Authentication-Results (RFC 8601) and
// ARC-Authentication-Results (RFC 8617 §4.1.1) header fields — decides
// which of them can be believed, and lists where headercheck's replay
// disagrees with them, each with its likely cause.
//
// Header fields are parsed here, not with go-msgauth's authres: it does
// not handle comments (RFC 8601 §2.2 allows CFWS anywhere: "spf=pass
// (sender IP is 192.0.2.1) smtp.mailfrom=..."), quoted strings, an ARC
// instance tag or a field without an authserv-id, and it keeps only a few
// properties of each method. Every property is read as written, in order.
// A property value is read whole up to white space, since RFC 8601 §2.2
// lets it be an address whose local-part holds "=" (a VERP or SRS bounce
// address). The tests check that where authres reads a field at all, it
// reads the same methods, results and properties; Parse itself does not
// run it, since nothing but that comparison uses its reading.
//
// Trust (RFC 8601 §5, §7.1): a header field is trusted when its
// authserv-id belongs to the receiving side (one of the domains the
// Received walk took as the receiving side, or a name under one) and it
// sits above the Received field of the trust boundary, that is, it was
// added after the message entered the receiving side. A field below the
// boundary was in the message before the receiver saw it, and anyone could
// have written it; a field above it naming another authserv-id was written
// by someone the receiving side does not vouch for. Microsoft 365 writes no
// authserv-id at all; such a field above the boundary is trusted by
// position alone, and says so. Gmail writes its field just below its own
// Received field, against RFC 8601 §4: a receiving-side field among the
// trace fields right below the boundary's Received field is trusted as
// well, unless the same authserv-id also wrote one above it.
package recorded

import "github.com/headercheck/headercheck/inspect/trace"

// Header is one Authentication-Results or ARC-Authentication-Results
// field: who wrote it, what it claims, and whether to believe it.
type Header struct {
	Field      string   `json:"field"`              // "Authentication-Results" or "ARC-Authentication-Results"
	Index      int      `json:"index"`              // position among all the message's header fields, top first
	Instance   int      `json:"instance,omitempty"` // ARC i=, for ARC-Authentication-Results
	AuthServID string   `json:"authserv_id"`        // lowercased; "" when the field has none
	Version    string   `json:"version,omitempty"`  // the authres-version, when written
	None       bool     `json:"none"`               // "; none": the writer checked nothing (RFC 8601 §2.2)
	Results    []Method `json:"results"`
	Trusted    bool     `json:"trusted"`
	Why        string   `json:"why"`               // why it is trusted or not, in plain words
	Problem    string   `json:"problem,omitempty"` // what could not be read, in plain words
	Raw        string   `json:"raw"`               // the field value as written, unfolded

	// delivery counts the Received fields above the field (Read sets
	// it): the fields one authserv-id wrote at one delivery share it, and
	// Compare judges them together.
	delivery int
}

// Method is one "method=result" statement and its supporting data.
type Method struct {
	Method  string       `json:"method"` // spf, dkim, dmarc, iprev, arc, auth, compauth, ... lowercased
	Version string       `json:"version,omitempty"`
	Result  trace.Result `json:"result"` // lowercased as written; "hardfail" is kept, not mapped
	Reason  string       `json:"reason,omitempty"`
	Props   []Prop       `json:"properties"`
	Comment string       `json:"comment,omitempty"` // the comments that followed it, e.g. "(sender IP is 192.0.2.1)"
}

// Prop is one ptype.property=value of a result (RFC 8601 §2.3).
type Prop struct {
	Name  string `json:"name"` // ptype.property, lowercased: "smtp.mailfrom", "header.d"
	Value string `json:"value"`
}

// Get returns the value of the property named name, or "".
func (m Method) Get(name string) string {
	for _, p := range m.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Difference is one place where the replay disagrees with what a receiver
// recorded, with the likely cause.
type Difference struct {
	Method     string       `json:"method"`      // spf, dkim, dmarc, iprev
	Subject    string       `json:"subject"`     // what was compared, e.g. "DKIM signature d=example.com s=sel1"
	Header     int          `json:"header"`      // index into the authentication_results list
	AuthServID string       `json:"authserv_id"` // who recorded it
	Trusted    bool         `json:"trusted"`     // whether that header is trusted
	Recorded   trace.Result `json:"recorded"`    // what the receiver wrote
	Replayed   trace.Result `json:"replayed"`    // what headercheck found now
	Cause      Cause        `json:"cause"`
	Explain    string       `json:"explain"` // the likely cause in plain words
	Ref        string       `json:"ref,omitempty"`
}

// Cause names the likely reason for a difference.
type Cause string

// The causes a difference is put down to.
const (
	CauseKeyRevoked  Cause = "dkim_key_revoked"   // the selector's key is now empty or gone
	CauseKeyRotated  Cause = "dkim_key_rotated"   // the selector now publishes another key
	CauseSPFChanged  Cause = "spf_record_changed" // the domain's SPF record no longer says what it did
	CauseForwarder   Cause = "forwarder"          // a forwarder or list in between changed the client or the message
	CauseUnproven    Cause = "unproven_header"    // the header claims results nobody on the receiving side vouches for
	CauseEnvelope    Cause = "different_envelope" // the replay used another client, HELO or MAIL FROM than the receiver saw
	CauseDNSFailure  Cause = "dns_failure"        // the replay (or the receiver) could not get a DNS answer
	CauseDNSChanged  Cause = "dns_changed"        // DNS answers other than at delivery, nothing more specific known
	CausePolicyDiffs Cause = "dmarc_inputs"       // DMARC differs because SPF or DKIM did
	CauseModified    Cause = "message_changed"    // the message was changed after the receiver checked it
	CauseExpired     Cause = "signature_expired"  // the DKIM signature's x= has passed since delivery
	CauseTestingKey  Cause = "dkim_testing_key"   // the receiver counted a signature whose key is in testing mode (t=y); the replay does not
)
