package receivers

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/headercheck/headercheck/inspect/arc"
)

// Microsoft 365 / Exchange Online Protection. Meanings are those of
// Microsoft's "Anti-spam message headers in Microsoft 365", "Spam
// confidence level (SCL)", "Bulk complaint level (BCL)" and "Anti-spoofing
// protection" pages (learn.microsoft.com; their source is the
// MicrosoftDocs/microsoft-365-docs repository). Fields Microsoft does not
// describe are "used exclusively by the Microsoft anti-spam team for
// diagnostic purposes", as those pages say.

const msUndocumented = "not described in Microsoft's documentation: Microsoft's anti-spam team uses it for diagnosis"

func sclMeaning(v string) string {
	switch v {
	case "-1":
		return "-1: the message skipped spam filtering (a safe sender, a safe recipient, or a server on the IP Allow List); it goes to the Inbox"
	case "0", "1":
		return v + ": spam filtering found the message not to be spam; it goes to the Inbox"
	case "5", "6":
		return v + ": spam filtering marked the message as spam; by default it goes to the Junk Email folder (quarantined under the Strict preset policy)"
	case "8", "9":
		return v + ": spam filtering marked the message as high confidence spam; Junk Email by default, quarantined under the Standard and Strict preset policies"
	case "7":
		return "7: not used by current spam filtering (older documentation counted it as high confidence spam)"
	case "2", "3", "4":
		return v + ": a value Microsoft's spam filtering does not use"
	}
	return v + ": not a spam confidence level Microsoft documents (-1, 0–9)"
}

var sfvMeanings = map[string]string{
	"BLK":  "filtering was skipped and the message blocked: the sender is on the recipient's Blocked Senders list",
	"NSPM": "spam filtering marked the message as not spam; it was sent to the recipients",
	"SFE":  "filtering was skipped and the message allowed: the sender is on the recipient's Safe Senders list",
	"SKA":  "the message skipped spam filtering and went to the Inbox: the sender is on an allowed senders or domains list of an anti-spam policy",
	"SKB":  "the message was marked as spam: the sender is on a blocked senders or domains list of an anti-spam policy",
	"SKI":  "the message skipped spam filtering for another reason (for example mail inside the organization)",
	"SKN":  "the message was marked as not spam before spam filtering, for example by a mail flow rule (SCL -1)",
	"SKQ":  "the message was released from quarantine to the recipients",
	"SKS":  "the message was marked as spam before spam filtering, for example by a mail flow rule (SCL 5 to 9)",
	"SPM":  "spam filtering marked the message as spam",
}

var sfvShort = map[string]string{
	"BLK": "blocked sender", "NSPM": "not spam", "SFE": "safe sender", "SKA": "allowed sender", "SKB": "blocked sender (policy)",
	"SKI": "filtering skipped", "SKN": "marked not spam by a rule", "SKQ": "released from quarantine", "SKS": "marked spam by a rule", "SPM": "spam",
}

var catMeanings = map[string]string{
	"BULK":   "bulk mail",
	"DIMP":   "domain impersonation",
	"GIMP":   "impersonation detected by mailbox intelligence",
	"HPHSH":  "high confidence phishing",
	"HPHISH": "high confidence phishing",
	"HSPM":   "high confidence spam",
	"MALW":   "malware",
	"PHSH":   "phishing",
	"SPM":    "spam",
	"SPOOF":  "spoofing",
	"UIMP":   "user impersonation",
	"AMP":    "anti-malware",
	"SAP":    "Safe Attachments",
	"FTBP":   "the anti-malware file type policy",
	"OSPM":   "outbound spam",
	"NONE":   "no protection category applied",
}

var sftyMeanings = map[string]string{
	"9.11": "intra-organization spoofing: the sender pretends to be from one of the recipient organization's own domains",
	"9.19": "domain impersonation: the sending domain imitates a protected domain (a safety tip is added if enabled)",
	"9.20": "user impersonation: the sender imitates a user of the recipient's organization or a protected user (a safety tip is added if enabled)",
	"9.22": "cross-domain spoofing: the sender pretends to be from an unrelated outside domain",
	"9.25": "first contact safety tip: the recipient has not received mail from this sender before; may indicate a suspicious or phishing message",
}

func forefrontMeaning(k, v string) string {
	switch strings.ToUpper(k) {
	case "CIP":
		if v == "255.255.255.255" {
			return "connecting IP address: 255.255.255.255 is not a real address; Microsoft writes it when the message was submitted inside Microsoft 365 (by the sending organization's own mailbox)"
		}
		return "the connecting IP address, as Microsoft 365 saw it: " + v
	case "CTRY":
		if v == "" {
			return "source country or region of the connecting IP address: none recorded"
		}
		return "source country or region of the connecting IP address (" + v + "), which may differ from where the message was written"
	case "LANG":
		return "the language the message was written in, as detected: " + orNone(v)
	case "SCL":
		return "spam confidence level: " + sclMeaning(v)
	case "SFV":
		if m, ok := sfvMeanings[strings.ToUpper(v)]; ok {
			return "spam filtering verdict " + v + ": " + m
		}
		return "spam filtering verdict " + v + ": a value Microsoft does not document"
	case "IPV":
		switch strings.ToUpper(v) {
		case "CAL":
			return "CAL: the message skipped spam filtering because the source IP address is on the IP Allow List"
		case "NLI":
			return "NLI: the IP address was not found on any IP reputation list"
		}
		return "IP reputation verdict " + orNone(v)
	case "H":
		return "the HELO/EHLO name the connecting server gave: " + orNone(v)
	case "PTR":
		if v == "" {
			return "the reverse DNS (PTR) name of the source IP address: none recorded"
		}
		return "the reverse DNS (PTR) name of the source IP address: " + v
	case "CAT":
		if m, ok := catMeanings[strings.ToUpper(v)]; ok {
			return "protection category applied: " + m
		}
		return "protection category " + orNone(v) + ": a value Microsoft does not document"
	case "SFTY":
		if v == "" {
			return "safety level: none (not identified as phishing)"
		}
		if m, ok := sftyMeanings[v]; ok {
			return "the message was identified as phishing — " + m
		}
		return "the message was identified as phishing, safety level " + v + " (a value Microsoft does not document)"
	case "SRV":
		if strings.EqualFold(v, "BULK") {
			return "BULK: spam filtering identified the message as bulk mail by its bulk complaint level"
		}
		return "special handling: " + orNone(v)
	case "SFS":
		return "the spam filter rules that matched, as Microsoft's internal rule numbers; " + msUndocumented
	case "ARC":
		return "ARC results Microsoft recorded (AAR, AMS, AS, with the chain status cv=)"
	case "DIR":
		return "direction of the message (INB, OUT or INT are seen for inbound, outbound and internal mail); " + msUndocumented
	}
	return msUndocumented
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

func decodeForefront(h *Header, f Field) {
	for _, p := range pairs(f.Value, ';', ':') {
		h.set(p[0], p[1], forefrontMeaning(p[0], p[1]))
	}
	var parts []string
	if v, ok := h.Fields["SFV"]; ok {
		s := sfvShort[strings.ToUpper(v)]
		if s == "" {
			s = "verdict " + v
		}
		parts = append(parts, s+" (SFV:"+v+")")
	}
	if v, ok := h.Fields["SCL"]; ok {
		parts = append(parts, "SCL "+v)
	}
	if v := h.Fields["CAT"]; v != "" && !strings.EqualFold(v, "NONE") {
		parts = append(parts, "category "+v)
	}
	if v := h.Fields["SFTY"]; v != "" {
		parts = append(parts, "safety level "+v)
	}
	if v := h.Fields["CIP"]; v != "" {
		from := "connecting IP " + v
		if c := h.Fields["CTRY"]; c != "" {
			from += " (" + c + ")"
		}
		parts = append(parts, from)
	}
	if len(parts) == 0 {
		parts = append(parts, "no verdict fields")
	}
	h.Summary = "Exchange Online Protection's spam verdict: " + strings.Join(parts, ", ") + "."
	if strings.HasSuffix(strings.ToLower(f.Name), "-untrusted") {
		h.Summary = "The sending organization's Microsoft 365 verdict (renamed -Untrusted): " + strings.Join(parts, ", ") + "."
	}
}

func bclMeaning(v string) string {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return "bulk complaint level " + v + ": not a number"
	case n == 0:
		return "0: the message is not from a bulk sender"
	case n >= 1 && n <= 3:
		return v + ": from a bulk sender that generates few complaints"
	case n >= 4 && n <= 7:
		return v + ": from a bulk sender that generates a mixed number of complaints"
	case n == 8 || n == 9:
		return v + ": from a bulk sender that generates a high number of complaints"
	}
	return v + ": outside the documented range 0–9"
}

func pclMeaning(v string) string {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return "phishing confidence level " + v + ": not a number"
	case n >= 0 && n <= 3:
		return v + ": the content is not likely to be phishing (a field of older Exchange Online Protection)"
	case n >= 4 && n <= 8:
		return v + ": the content is likely to be phishing (a field of older Exchange Online Protection)"
	}
	return v + ": outside the documented range 0–8"
}

func decodeMicrosoftAntispam(h *Header, f Field) {
	for _, p := range pairs(f.Value, ';', ':') {
		switch strings.ToUpper(p[0]) {
		case "BCL":
			h.set(p[0], p[1], "bulk complaint level: "+bclMeaning(p[1]))
		case "PCL":
			h.set(p[0], p[1], "phishing confidence level: "+pclMeaning(p[1]))
		default:
			h.set(p[0], p[1], msUndocumented)
		}
	}
	var parts []string
	if v, ok := h.Fields["BCL"]; ok {
		parts = append(parts, "bulk complaint level "+bclMeaning(v))
	}
	if v, ok := h.Fields["PCL"]; ok {
		parts = append(parts, "phishing confidence level "+v)
	}
	if len(parts) == 0 {
		h.Summary = "Microsoft 365 diagnostic fields, not publicly documented."
		return
	}
	h.Summary = "Microsoft 365: " + strings.Join(parts, "; ") + "."
}

func decodeOrgSCL(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("SCL", v, "spam confidence level: "+sclMeaning(v))
	h.Summary = "Exchange's spam confidence level for the recipient's organization: " + sclMeaning(v) + "."
}

func decodeOrgPCL(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("PCL", v, "phishing confidence level: "+pclMeaning(v))
	h.Summary = "Exchange's phishing confidence level: " + pclMeaning(v) + "."
}

// compauthReason explains a compauth reason code (Microsoft's
// Authentication-Results documentation).
func compauthReason(v string) string {
	switch {
	case v == "000":
		return "000: the message failed explicit authentication: DMARC failed for a domain whose policy is quarantine or reject"
	case v == "001":
		return "001: the message failed implicit authentication: the sending domain publishes no authentication records, or only weak ones (SPF softfail or neutral, DMARC p=none)"
	case v == "002":
		return "002: the organization has a policy that explicitly forbids this sender/domain pair to send spoofed mail"
	case v == "010":
		return "010: DMARC failed with quarantine or reject and the sending domain is one of the organization's own accepted domains (self-to-self spoofing)"
	case len(v) == 3 && (v[0] == '1' || v[0] == '7'):
		return v + ": the message passed authentication (compauth=pass); the last two digits are Microsoft's internal codes"
	case len(v) == 3 && v[0] == '2':
		return v + ": the message soft-passed implicit authentication (compauth=softpass); the last two digits are Microsoft's internal codes"
	case len(v) == 3 && v[0] == '3':
		return v + ": the message was not checked for composite authentication (compauth=none)"
	case len(v) == 3 && (v[0] == '4' || v[0] == '9'):
		return v + ": the message bypassed composite authentication (compauth=none); the last two digits are Microsoft's internal codes"
	case len(v) == 3 && v[0] == '6':
		return v + ": the message failed implicit authentication and the sending domain is one of the organization's own accepted domains (self-to-self spoofing)"
	}
	return v + ": a reason code Microsoft does not document"
}

func methodMeaning(method, result, comment string) string {
	var m string
	switch method {
	case "spf":
		m = map[string]string{
			"pass": "SPF passed: the client is authorized to send for the MAIL FROM domain", "fail": "SPF failed (hard fail): the domain does not authorize the client",
			"softfail": "SPF soft fail: the domain says the client is probably not authorized", "neutral": "SPF neutral: the domain makes no statement about the client",
			"none": "no SPF record, or none that gives a result", "temperror": "SPF could not be checked for now (a DNS error)", "permerror": "SPF record is broken (permanent error)",
		}[result]
	case "dkim":
		m = map[string]string{"pass": "the DKIM signature verified", "fail": "the DKIM signature did not verify", "none": "the message was not signed"}[result]
	case "dmarc":
		m = map[string]string{"pass": "DMARC passed", "fail": "DMARC failed", "none": "the sending domain publishes no DMARC record",
			"bestguesspass": "no DMARC record exists, but had there been one, the message would have passed"}[result]
	case "compauth":
		m = map[string]string{"pass": "Microsoft's composite authentication passed: it judged the From domain authenticated",
			"fail":     "Microsoft's composite authentication failed: it judged the From domain not authenticated (a signal, not by itself a block)",
			"softpass": "Microsoft's composite authentication soft-passed (implicit authentication)", "none": "composite authentication was not applied"}[result]
	case "arc":
		m = map[string]string{"pass": "the ARC chain validated", "fail": "the ARC chain failed", "none": "there was no ARC chain"}[result]
	}
	if m == "" {
		m = method + " " + result
	}
	if comment != "" {
		m += " (noted: " + comment + ")"
	}
	return m
}

var propMeanings = map[string]string{
	"smtp.mailfrom":  "the MAIL FROM (envelope sender) domain SPF checked",
	"smtp.helo":      "the HELO name SPF checked",
	"header.d":       "the domain of the DKIM signature (d=)",
	"header.i":       "the identity of the DKIM signature (i=)",
	"header.s":       "the selector of the DKIM signature (s=)",
	"header.b":       "the first characters of the DKIM signature, to tell signatures apart",
	"header.from":    "the domain of the From address DMARC evaluated",
	"reason":         "the reason code",
	"smtp.remote-ip": "the connecting client's IP address",
	"smtp.client-ip": "the connecting client's IP address",
}

func actionMeaning(v string) string {
	switch strings.ToLower(v) {
	case "none":
		return "no DMARC action"
	case "oreject", "o.reject":
		return "override reject: DMARC failed for a domain with p=reject, and Microsoft 365 marked the message as spam instead of rejecting it"
	case "pct.quarantine":
		return "DMARC failed with p=quarantine, but the domain's pct= is under 100 and this message was not sampled, so the action was not applied"
	case "pct.reject":
		return "DMARC failed with p=reject, but the domain's pct= is under 100 and this message was not sampled, so the action was not applied"
	case "permerror":
		return "a permanent error in DMARC evaluation, such as a malformed DMARC record"
	case "temperror":
		return "a temporary error in DMARC evaluation; a later attempt may succeed"
	case "quarantine", "reject":
		return "the DMARC action applied: " + strings.ToLower(v)
	}
	return "the action the spam filter took on the DMARC result: " + v
}

// results records the results of an Authentication-Results payload as
// fields: method → result, then each property as written.
func results(h *Header, r arc.Results) []string {
	var said []string
	for _, x := range r.Results {
		h.set(x.Method, x.Result, methodMeaning(x.Method, x.Result, x.Comment))
		name := strings.ToUpper(x.Method)
		if x.Method == "compauth" {
			name = "composite authentication"
		}
		said = append(said, name+" "+x.Result)
		for _, k := range sortedProps(x) {
			v := x.Props[k]
			switch {
			case k == "reason" && x.Method == "compauth":
				h.set(k, v, compauthReason(v))
				said[len(said)-1] += " (reason " + v + ")"
			case k == "action":
				h.set(k, v, actionMeaning(v))
			default:
				m := propMeanings[k]
				if m == "" {
					m = "a property of the " + x.Method + " result"
				}
				h.set(k, v, m)
			}
		}
	}
	return said
}

// sortedProps lists a result's properties in a stable order: the common
// ones first, as receivers write them.
func sortedProps(x arc.AuthResult) []string {
	order := []string{"smtp.mailfrom", "smtp.helo", "header.d", "header.i", "header.s", "header.b", "action", "header.from", "reason"}
	var out []string
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := x.Props[k]; ok {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range x.Props {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// decodeMicrosoftAuthResults decodes Microsoft 365's Authentication-Results:
// no authserv-id, and compauth=… reason=…. Other Authentication-Results
// headers are the recorded results the report compares with its replay,
// not a receiver's verdict header, and are left out.
func decodeMicrosoftAuthResults(h *Header, f Field) {
	r := arc.ParseResults(f.Value)
	if r.AuthServID != "" && len(r.Get("compauth")) == 0 {
		h.skip = true
		return
	}
	h.authservID = r.AuthServID
	said := results(h, r)
	h.Summary = "Microsoft 365's authentication results: " + strings.Join(said, ", ") + "."
	if r.AuthServID == "" {
		h.Summary += " Microsoft writes no authserv-id, so only the header's position says who wrote it."
	}
}

// decodeAAR decodes the ARC-Authentication-Results of Gmail
// (mx.google.com) and Microsoft 365 (mx.microsoft.com); the ARC view shows
// every hop's.
func decodeAAR(h *Header, f Field) {
	a, err := arc.ParseAAR(f.Value)
	switch strings.ToLower(a.AuthServID) {
	case "mx.google.com":
		h.Vendor = Gmail
	case "mx.microsoft.com":
		h.Vendor = Microsoft
	default:
		h.skip = true
		return
	}
	h.authservID = a.AuthServID
	i := fmt.Sprint(a.Instance)
	if err != nil {
		i = "?"
	}
	h.set("i", i, "the ARC instance: this is the record of hop number "+i+" of the ARC chain")
	results(h, a.Results)
	h.Summary = h.Vendor + "'s ARC record: " + a.Summary + "."
	if h.Vendor == Gmail {
		if d := a.Get("dmarc"); len(d) > 0 && d[0].Comment != "" {
			h.Meaning["dmarc"] += "; in Gmail's comment, p= and sp= are the domain's published policies and dis= what Gmail did with the message"
		}
	}
}
