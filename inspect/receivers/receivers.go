package receivers

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Field is one header field of the message.
type Field struct {
	Name  string // as written, e.g. "X-Forefront-Antispam-Report"
	Value string // unfolded, white space around it removed
	// Raw is the value with its line breaks, as stored (optional; Value is
	// used when it is empty). It may also be the whole field as stored, as
	// message.Field.Raw holds it: the name, colon and final line break are
	// then removed. Reports laid out in lines (X-Spam-Report) read better
	// from it.
	Raw string
	Pos int // position among the message's header fields, 0 = top
}

// Input is what Decode reads.
type Input struct {
	// Fields are the message's header fields, top first. They must include
	// the trust boundary's Received field.
	Fields []Field
	// Boundary is the Pos of the Received field of the trust boundary (the
	// hop where the message entered the receiving side); -1 when none was
	// found.
	Boundary int
	// AuthServIDs are the receiving side's authserv-ids (RFC 8601 §2.5),
	// or its domains: an authserv-id matches one that it equals or is a
	// subdomain of.
	AuthServIDs []string
}

// Header is one decoded verdict header. It marshals as one element of the
// report's receivers array (CONTRACT.md) with more keys.
type Header struct {
	Vendor string `json:"vendor"` // "Microsoft 365", "SpamAssassin", "Gmail", "rspamd", "Proofpoint", "Mimecast", "Barracuda", "unknown"
	Header string `json:"header"` // the field name as written
	// Trusted is true when the receiving side wrote the header (see the
	// package doc); Why says why not, Basis how it was decided.
	Trusted bool   `json:"trusted"`
	Summary string `json:"summary"` // one plain sentence
	// Fields maps the header's own keys, as written (SCL, BCL, score), to
	// their values; Meaning maps the same keys to what each value means.
	Fields  map[string]string `json:"fields"`
	Raw     string            `json:"raw"`
	Meaning map[string]string `json:"meaning"`
	Why     string            `json:"why,omitempty"`
	Basis   string            `json:"basis"`
	// Keys are the keys of Fields in the order written.
	Keys     []string `json:"keys"`
	Position int      `json:"position"` // Field.Pos

	authservID string // for the trust decision
	skip       bool   // not a receivers' verdict after all
}

// MarshalJSON writes absent maps and lists as {} and [] rather than null.
func (h Header) MarshalJSON() ([]byte, error) {
	type plain Header
	if h.Fields == nil {
		h.Fields = map[string]string{}
	}
	if h.Meaning == nil {
		h.Meaning = map[string]string{}
	}
	if h.Keys == nil {
		h.Keys = []string{}
	}
	return json.Marshal(plain(h))
}

// Limits against hostile input: a header can be megabytes long.
const (
	maxKeys    = 128  // fields kept per header
	maxHeaders = 256  // headers decoded per message
	maxValue   = 2048 // bytes of one field value kept
)

// set records one field, keeping the first of a key written twice (later
// ones get " (2)", " (3)").
func (h *Header) set(key, value, meaning string) {
	if h.Fields == nil {
		h.Fields, h.Meaning = map[string]string{}, map[string]string{}
	}
	if len(h.Keys) >= maxKeys {
		return
	}
	if len(value) > maxValue {
		value = value[:maxValue] + "…"
	}
	k := key
	for n := 2; ; n++ {
		if _, dup := h.Fields[k]; !dup {
			break
		}
		k = fmt.Sprintf("%s (%d)", key, n)
	}
	h.Fields[k] = value
	h.Meaning[k] = meaning
	h.Keys = append(h.Keys, k)
}

// Vendors as they appear in Header.Vendor.
const (
	Microsoft    = "Microsoft 365"
	SpamAssassin = "SpamAssassin"
	Gmail        = "Gmail"
	Rspamd       = "rspamd"
	Proofpoint   = "Proofpoint"
	Mimecast     = "Mimecast"
	Barracuda    = "Barracuda"
	Unknown      = "unknown"
)

// decoder decodes one kind of header.
type decoder struct {
	vendor string
	decode func(h *Header, f Field)
}

// decoders by lowercase field name.
var decoders = map[string]decoder{
	"x-forefront-antispam-report":           {Microsoft, decodeForefront},
	"x-forefront-antispam-report-untrusted": {Microsoft, decodeForefront},
	"x-microsoft-antispam":                  {Microsoft, decodeMicrosoftAntispam},
	"x-microsoft-antispam-untrusted":        {Microsoft, decodeMicrosoftAntispam},
	"x-ms-exchange-organization-scl":        {Microsoft, decodeOrgSCL},
	"x-ms-exchange-organization-pcl":        {Microsoft, decodeOrgPCL},
	"authentication-results":                {Microsoft, decodeMicrosoftAuthResults},
	"arc-authentication-results":            {"", decodeAAR},

	"x-spam-status":          {SpamAssassin, decodeSpamStatus},
	"x-spam-score":           {SpamAssassin, decodeSpamScore},
	"x-spam-level":           {SpamAssassin, decodeSpamLevel},
	"x-spam-flag":            {SpamAssassin, decodeSpamFlag},
	"x-spam-report":          {SpamAssassin, decodeSpamReport},
	"x-spam-checker-version": {SpamAssassin, decodeCheckerVersion},

	"x-gm-message-state":   {Gmail, decodeGmailState},
	"x-google-smtp-source": {Gmail, decodeGoogleUndocumented},
	"x-gm-gg":              {Gmail, decodeGoogleUndocumented},

	"x-spamd-result":    {Rspamd, decodeSpamdResult},
	"x-rspamd-action":   {Rspamd, decodeRspamdAction},
	"x-rspamd-server":   {Rspamd, decodeRspamdServer},
	"x-rspamd-queue-id": {Rspamd, decodeRspamdQueueID},
	"x-spamd-bar":       {Rspamd, decodeSpamdBar},

	"x-proofpoint-spam-details":  {Proofpoint, decodeProofpointDetails},
	"x-proofpoint-virus-version": {Proofpoint, decodeProofpointVirus},
	"x-proofpoint-guid":          {Proofpoint, decodeProofpointGUID},
	"x-proofpoint-orig-guid":     {Proofpoint, decodeProofpointGUID},

	"x-mimecast-spam-score":            {Mimecast, decodeMimecastScore},
	"x-mimecast-impersonation-protect": {Mimecast, decodeMimecastImpersonation},
	"x-mc-unique":                      {Mimecast, decodeMimecastID},
	"x-mimecast-mfc-agg-id":            {Mimecast, decodeMimecastID},
	"x-mimecast-mfc-proc-id":           {Mimecast, decodeMimecastID},

	"x-barracuda-spam-score":  {Barracuda, decodeBarracudaScore},
	"x-barracuda-spam-status": {Barracuda, decodeBarracudaStatus},
	"x-barracuda-spam-report": {Barracuda, decodeSpamReport},
	"x-barracuda-connect":     {Barracuda, decodeBarracudaConnect},
	"x-barracuda-start-time":  {Barracuda, decodeBarracudaStartTime},
	"x-barracuda-bayes":       {Barracuda, decodeBarracudaBayes},
}

// unknownVendor reports header names that look like a filter's verdict but
// that no decoder knows: X-…Spam…, X-…Antispam…, X-…Virus…, X-…Phish….
func unknownVendor(name string) bool {
	n := strings.ToLower(name)
	if !strings.HasPrefix(n, "x-") {
		return false
	}
	for _, w := range []string{"spam", "virus", "phish", "junk", "crm114", "barracuda", "proofpoint", "mimecast", "rspamd"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Decode decodes the receivers' verdict headers among in.Fields, top
// first, and judges whether each can be trusted. Headers it does not know
// but that look like a filter's verdict are listed raw.
func Decode(in Input) []Header {
	out := []Header{}
	ms, msHost := receivedByMicrosoft(in)
	for _, f := range in.Fields {
		if len(out) >= maxHeaders {
			break
		}
		key := strings.ToLower(strings.TrimSpace(f.Name))
		d, ok := decoders[key]
		if !ok && !unknownVendor(key) {
			continue
		}
		h := Header{Vendor: d.vendor, Header: f.Name, Raw: rawOf(f), Position: f.Pos,
			Fields: map[string]string{}, Meaning: map[string]string{}, Keys: []string{}}
		if ok {
			d.decode(&h, f)
		} else {
			h.Vendor = Unknown
			h.Summary = "A header that looks like a mail filter's verdict, from a filter headercheck does not decode; shown as written."
		}
		if h.skip {
			continue
		}
		h.Trusted, h.Basis, h.Why = judge(in, f, &h, ms, msHost)
		out = append(out, h)
	}
	return out
}

func rawOf(f Field) string {
	r := f.Raw
	if r == "" {
		return f.Value
	}
	if n := len(f.Name); n > 0 && len(r) > n && strings.EqualFold(r[:n], f.Name) {
		if rest := strings.TrimLeft(r[n:], " \t"); strings.HasPrefix(rest, ":") {
			r = strings.TrimPrefix(rest[1:], " ")
			r = strings.TrimSuffix(strings.TrimSuffix(r, "\n"), "\r")
		}
	}
	return r
}

// msStamps are the headers Exchange Online writes at the bottom of the
// header.
var msStamps = map[string]bool{
	"x-forefront-antispam-report":    true,
	"x-microsoft-antispam":           true,
	"x-ms-exchange-organization-scl": true,
	"x-ms-exchange-organization-pcl": true,
}

// judge decides whether the receiving side wrote h (RFC 8601 §5, §7.1).
func judge(in Input, f Field, h *Header, ms bool, msHost string) (trusted bool, basis, why string) {
	name := strings.ToLower(strings.TrimSpace(f.Name))
	const anyone = "added before the message reached the receiver; anyone could have written it"
	switch {
	case strings.HasSuffix(name, "-untrusted"):
		return false, "Microsoft renamed the header",
			"Microsoft renames these headers with -Untrusted when they come from another organization's Microsoft 365 tenant: they record how the sender's side judged the message, not the receiver"
	case in.Boundary < 0:
		return false, "no trust boundary",
			"no trust boundary was found in the Received chain, so nothing shows which headers the receiving side added; anyone could have written it"
	case ms && msStamps[name]:
		return true, "written by Exchange Online, which received the message (" + msHost + "): it stamps these headers at the bottom of the header, and strips or renames (-Untrusted) copies that arrive from outside", ""
	case f.Pos >= in.Boundary:
		return false, fmt.Sprintf("below the trust boundary's Received field (header field %d)", in.Boundary+1), anyone
	}
	basis = fmt.Sprintf("above the trust boundary's Received field (header field %d): the receiving side added it after the message arrived", in.Boundary+1)
	id := h.authservID
	switch {
	case id == "" && (name == "authentication-results" || name == "arc-authentication-results"):
		basis += "; it has no authserv-id (Microsoft 365 writes none), so only its position vouches for it"
	case id == "":
	case len(in.AuthServIDs) == 0:
		basis += "; no authserv-ids of the receiving side were given, so its authserv-id " + id + " could not be checked and only its position vouches for it"
	case !matchID(id, in.AuthServIDs):
		return false, basis, "its authserv-id " + id + " is not the receiving side's (" + strings.Join(in.AuthServIDs, ", ") + "): only results the receiving side wrote itself can be believed (RFC 8601 §5)"
	default:
		basis += " and its authserv-id " + id + " is the receiving side's"
	}
	return true, basis, ""
}

// matchID reports whether authserv-id id is one of ids or below one.
func matchID(id string, ids []string) bool {
	id = strings.TrimSuffix(strings.ToLower(id), ".")
	for _, x := range ids {
		x = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(x)), ".")
		if x != "" && (id == x || strings.HasSuffix(id, "."+x)) {
			return true
		}
	}
	return false
}

// receivedByMicrosoft reports whether the trust boundary's Received field
// was stamped by Exchange Online ("by ….protection.outlook.com").
func receivedByMicrosoft(in Input) (bool, string) {
	for _, f := range in.Fields {
		if f.Pos != in.Boundary || !strings.EqualFold(strings.TrimSpace(f.Name), "Received") {
			continue
		}
		words := strings.Fields(f.Value)
		for i := 0; i+1 < len(words); i++ {
			if !strings.EqualFold(words[i], "by") {
				continue
			}
			host := strings.ToLower(strings.TrimSuffix(words[i+1], "."))
			if strings.HasSuffix(host, ".outlook.com") || strings.HasSuffix(host, ".office365.com") {
				return true, host
			}
			return false, ""
		}
	}
	return false, ""
}

// pairs splits "K1:V1;K2:V2" (sep ';', kv ':') into trimmed pairs, at
// most maxKeys.
func pairs(s string, sep, kv byte) [][2]string {
	var out [][2]string
	for len(s) > 0 && len(out) < maxKeys {
		var item string
		if i := strings.IndexByte(s, sep); i >= 0 {
			item, s = s[:i], s[i+1:]
		} else {
			item, s = s, ""
		}
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, _ := strings.Cut(item, string(kv))
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
