package receivers

import (
	"strconv"
	"strings"
	"time"
)

// Gmail / Google. Google documents none of its X-Gm-* and X-Google-*
// headers; what can be said is that they are opaque.

func decodeGmailState(h *Header, f Field) {
	h.set("state", strings.TrimSpace(f.Value),
		"an opaque value Google's servers add to mail they send or relay; Google does not document it, and no verdict can be read from it")
	h.Summary = "Gmail's opaque message state (undocumented; it shows the message passed through Google's servers, nothing more)."
}

func decodeGoogleUndocumented(h *Header, f Field) {
	h.set("value", strings.TrimSpace(f.Value), "an opaque value Google's servers add; Google does not document it")
	h.Summary = "An undocumented Google header: it shows the message passed through Google's servers, nothing more."
}

// rspamd (rspamd.com documentation: the milter_headers module writes
// X-Spamd-Result as "METRIC: IS_SPAM [SCORE / REQUIRED_SCORE]; SYMBOL(SCORE)[OPTIONS]; …"
// and X-Rspamd-Action as the action taken).

var rspamdActions = map[string]string{
	"no action":       "rspamd let the message through unchanged",
	"greylist":        "rspamd asked the sender to retry later (greylisting)",
	"add header":      "rspamd delivered the message with a spam header, for the mail client to file it as junk",
	"rewrite subject": "rspamd delivered the message with a marked Subject",
	"soft reject":     "rspamd rejected the message temporarily; the sender may retry",
	"reject":          "rspamd rejected the message",
}

var rspamdSymbols = map[string]string{
	"ARC_ALLOW":                        "the ARC chain validated",
	"ARC_NA":                           "the message has no ARC chain",
	"ARC_REJECT":                       "the ARC chain failed",
	"ARC_INVALID":                      "the ARC chain is malformed",
	"DMARC_POLICY_ALLOW":               "DMARC passed (options: domain, policy)",
	"DMARC_POLICY_ALLOW_WITH_FAILURES": "DMARC passed, though one of SPF or DKIM failed",
	"DMARC_POLICY_REJECT":              "DMARC failed for a domain with p=reject",
	"DMARC_POLICY_QUARANTINE":          "DMARC failed for a domain with p=quarantine",
	"DMARC_POLICY_SOFTFAIL":            "DMARC failed for a domain with p=none",
	"DMARC_NA":                         "the From domain publishes no DMARC record",
	"R_SPF_ALLOW":                      "SPF passed (option: the matching mechanism)",
	"R_SPF_FAIL":                       "SPF failed",
	"R_SPF_SOFTFAIL":                   "SPF soft fail",
	"R_SPF_NEUTRAL":                    "SPF neutral",
	"R_SPF_NA":                         "no SPF record",
	"R_DKIM_ALLOW":                     "a DKIM signature verified (options: domain and selector)",
	"R_DKIM_REJECT":                    "a DKIM signature failed",
	"R_DKIM_NA":                        "the message has no DKIM signature",
	"R_DKIM_TEMPFAIL":                  "a DKIM signature could not be checked for now",
	"BAYES_HAM":                        "the Bayes classifier judged the message not spam (option: its confidence)",
	"BAYES_SPAM":                       "the Bayes classifier judged the message spam (option: its confidence)",
	"NEURAL_HAM":                       "the neural network judged the message not spam",
	"NEURAL_HAM_LONG":                  "the neural network (long-term) judged the message not spam",
	"NEURAL_HAM_SHORT":                 "the neural network (short-term) judged the message not spam",
	"NEURAL_SPAM":                      "the neural network judged the message spam",
	"MIME_GOOD":                        "the MIME structure is normal",
	"MAILLIST":                         "the message comes from a mailing list",
	"FORGED_SENDER":                    "the envelope sender differs from the From address",
	"FORGED_SENDER_MAILLIST":           "the envelope sender differs from the From address, as a mailing list makes it",
	"FROM_HAS_DN":                      "the From address has a display name",
	"RCVD_TLS_LAST":                    "the last hop used TLS",
	"HAS_LIST_UNSUB":                   "the message has a List-Unsubscribe header",
	"MID_RHS_NOT_FQDN":                 "the Message-ID's domain part is not a fully qualified domain",
}

func decodeSpamdResult(h *Header, f Field) {
	v := f.Value
	head, rest, _ := strings.Cut(v, ";")
	var score, required, spam string
	if metric, verdict, ok := strings.Cut(head, ":"); ok {
		metric = strings.TrimSpace(metric)
		verdict = strings.TrimSpace(verdict)
		spam, _, _ = strings.Cut(verdict, " ")
		h.set(metric, spam, "the verdict of the rspamd metric \""+metric+"\": True means spam, False not spam")
		if o, c := strings.IndexByte(verdict, '['), strings.IndexByte(verdict, ']'); o >= 0 && c > o {
			s, r, _ := strings.Cut(verdict[o+1:c], "/")
			score, required = strings.TrimSpace(s), strings.TrimSpace(r)
			h.set("score", score, "the total of the symbols' scores")
			h.set("required", required, "the score from which rspamd takes its strongest action (usually reject)")
		}
	} else {
		rest = v
	}
	type sym struct {
		name, score string
		abs         float64
	}
	var syms []sym
	for _, item := range strings.Split(rest, ";") {
		item = strings.TrimSpace(item)
		o := strings.IndexByte(item, '(')
		c := strings.IndexByte(item, ')')
		if o <= 0 || c < o {
			continue
		}
		name, sc := item[:o], item[o+1:c]
		opts := ""
		if ob, cb := strings.IndexByte(item[c:], '['), strings.LastIndexByte(item, ']'); ob >= 0 && cb > c+ob {
			opts = item[c+ob+1 : cb]
		}
		m := rspamdSymbols[name]
		if m == "" {
			m = "an rspamd symbol (rule) that matched"
		}
		if opts != "" {
			m += "; options: " + opts
		}
		h.set(name, sc, m)
		x, _ := strconv.ParseFloat(sc, 64)
		if x < 0 {
			x = -x
		}
		syms = append(syms, sym{name, sc, x})
	}
	// The symbols that weigh most, for the summary.
	for i := 1; i < len(syms); i++ {
		for j := i; j > 0 && syms[j].abs > syms[j-1].abs; j-- {
			syms[j], syms[j-1] = syms[j-1], syms[j]
		}
	}
	var top []string
	for i := 0; i < len(syms) && i < 4; i++ {
		top = append(top, syms[i].name+" "+syms[i].score)
	}
	s := "rspamd: "
	switch strings.ToLower(spam) {
	case "true":
		s += "spam"
	case "false":
		s += "not spam"
	default:
		s += "no verdict"
	}
	if score != "" {
		s += ", score " + score
		if required != "" {
			s += " of " + required
		}
	}
	if len(top) > 0 {
		s += "; weightiest symbols " + strings.Join(top, ", ")
	}
	h.Summary = s + "."
}

func decodeRspamdAction(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	m, ok := rspamdActions[strings.ToLower(v)]
	if !ok {
		m = "an rspamd action headercheck does not know"
	}
	h.set("action", v, m)
	h.Summary = "rspamd's action: " + v + " (" + m + ")."
}

func decodeRspamdServer(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("server", v, "the name of the rspamd server that scanned the message")
	h.Summary = "Scanned by the rspamd server " + v + "."
}

func decodeRspamdQueueID(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("queue-id", v, "the mail server's queue ID for the message, as rspamd logged it")
	h.Summary = "rspamd's queue ID " + v + ", for finding the message in its logs."
}

func decodeSpamdBar(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("bar", v, "one sign per whole point of rspamd score: + towards spam, - against, / for a score near zero")
	h.Summary = "rspamd score bar " + v + "."
}

// Proofpoint. Proofpoint publishes no description of these headers; the
// field names say what each score is about, and headercheck says no more
// than the names do (in particular, no scale is claimed).

var proofpointFields = map[string]string{
	"rule":          "the Proofpoint rule that classified the message (notspam, spam, bulk, …)",
	"policy":        "the Proofpoint policy that applied",
	"score":         "the score of the rule that classified the message",
	"spamscore":     "the spam classifier's score",
	"phishscore":    "the phishing classifier's score",
	"malwarescore":  "the malware classifier's score",
	"bulkscore":     "the bulk-mail classifier's score",
	"adultscore":    "the adult-content classifier's score",
	"suspectscore":  "the suspect-content classifier's score",
	"impostorscore": "the impostor (impersonation) classifier's score",
	"classifier":    "the classifier that decided",
	"engine":        "the version of the scanning engine",
	"definitions":   "the version of the rule definitions",
}

const proofpointScale = "; Proofpoint does not publicly document the scale"

func decodeProofpointDetails(h *Header, f Field) {
	for _, tok := range strings.Fields(f.Value) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		m := proofpointFields[strings.ToLower(k)]
		switch {
		case m == "":
			m = "not publicly documented by Proofpoint"
		case strings.HasSuffix(strings.ToLower(k), "score"):
			m += proofpointScale
		}
		h.set(k, v, m)
	}
	s := "Proofpoint: rule " + orWord(h.Fields["rule"], "unknown")
	for _, k := range []string{"spamscore", "phishscore", "malwarescore", "impostorscore"} {
		if v, ok := h.Fields[k]; ok {
			s += ", " + k + " " + v
		}
	}
	h.Summary = s + "."
}

func decodeProofpointVirus(h *Header, f Field) {
	for _, tok := range strings.Fields(f.Value) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			h.set(k, v, "the version of Proofpoint's virus "+map[bool]string{true: "definitions", false: "scanning component"}[k == "definitions"])
		}
	}
	h.Summary = "Proofpoint's virus scanner versions; it scanned the message, no verdict is written here."
}

func decodeProofpointGUID(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("guid", v, "Proofpoint's identifier for the message, for its logs")
	h.Summary = "Proofpoint's message identifier " + v + "."
}

// Mimecast (Mimecast's documentation of its message headers: the spam
// score it assigned, and Impersonation Protect's detectors, each true when
// it matched).

var mimecastDetectors = map[string]string{
	"policy":                            "the Impersonation Protect definition that was applied",
	"similar internal domain":           "the sender's domain resembles one of the recipient organization's own domains",
	"similar monitored external domain": "the sender's domain resembles an outside domain the organization monitors",
	"custom external domain":            "the sender's domain is on the organization's own list of suspicious domains",
	"mimecast external domain":          "the sender's domain is on Mimecast's list of suspicious domains",
	"newly observed domain":             "the sender's domain was seen for the first time recently",
	"internal user name":                "the display name matches a user of the recipient organization",
	"custom display name list":          "the display name is on the organization's list of names to protect",
	"reply-to address mismatch":         "the Reply-To address differs from the From address",
	"targeted threat dictionary":        "the message contains words from the targeted-threat dictionary (payments, wire transfers, …)",
	"mimecast threat dictionary":        "the message contains words from Mimecast's threat dictionary",
	"custom threat dictionary":          "the message contains words from the organization's own threat dictionary",
}

func decodeMimecastScore(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("score", v, "Mimecast's spam score for the message: higher is more likely spam")
	h.Summary = "Mimecast spam score " + v + "."
}

func decodeMimecastImpersonation(h *Header, f Field) {
	var hits []string
	for _, p := range pairs(f.Value, ';', '=') {
		m := mimecastDetectors[strings.ToLower(p[0])]
		if m == "" {
			m = "an Impersonation Protect detector headercheck does not know"
		}
		if strings.ToLower(p[0]) != "policy" {
			if strings.EqualFold(p[1], "true") {
				m = "matched: " + m
				hits = append(hits, p[0])
			} else {
				m = "did not match (" + p[1] + "): " + m
			}
		}
		h.set(p[0], p[1], m)
	}
	if len(hits) == 0 {
		h.Summary = "Mimecast Impersonation Protect: no detector matched."
		return
	}
	h.Summary = "Mimecast Impersonation Protect: " + strings.Join(hits, ", ") + " matched."
}

func decodeMimecastID(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("id", v, "Mimecast's identifier for the message, for its logs")
	h.Summary = "Mimecast's message identifier " + v + "."
}

// Barracuda Email Security Gateway: SpamAssassin-derived scoring against
// three levels the administrator sets (tag, quarantine, block).

func decodeBarracudaScore(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("score", v, "Barracuda's spam score: higher is more spam-like; compare it with the levels in X-Barracuda-Spam-Status")
	h.Summary = "Barracuda spam score " + v + "."
}

func decodeBarracudaStatus(h *Header, f Field) {
	lead, kv := keyed(f.Value)
	if lead != "" {
		h.set("spam", lead, map[bool]string{true: "Barracuda judged the message spam", false: "Barracuda did not judge the message spam"}[strings.EqualFold(lead, "yes")])
	}
	levels := map[string]string{
		"SCORE":            "the message's spam score",
		"TAG_LEVEL":        "from this score the message is tagged as spam",
		"QUARANTINE_LEVEL": "from this score the message is quarantined",
		"KILL_LEVEL":       "from this score the message is blocked",
		"tests":            "the rules that matched",
	}
	for _, p := range kv {
		m := levels[p[0]]
		if m == "" {
			m = "a Barracuda field headercheck does not describe"
		}
		h.set(p[0], strings.TrimSuffix(p[1], ","), m)
	}
	s := "Barracuda: " + map[bool]string{true: "spam", false: "not spam"}[strings.EqualFold(lead, "yes")]
	if v := h.Fields["SCORE"]; v != "" {
		s += ", score " + v
	}
	if t, q, k := h.Fields["TAG_LEVEL"], h.Fields["QUARANTINE_LEVEL"], h.Fields["KILL_LEVEL"]; t+q+k != "" {
		s += " (tag at " + orWord(t, "?") + ", quarantine at " + orWord(q, "?") + ", block at " + orWord(k, "?") + ")"
	}
	h.Summary = s + "."
}

func decodeBarracudaConnect(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	h.set("connect", v, "the host name and [address] that connected to the Barracuda gateway")
	h.Summary = "The Barracuda gateway was contacted by " + v + "."
}

func decodeBarracudaStartTime(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	m := "when the Barracuda gateway started processing the message, in seconds since 1970"
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n < 1<<40 {
		m += " (" + time.Unix(n, 0).UTC().Format(time.RFC3339) + ")"
	}
	h.set("start-time", v, m)
	h.Summary = "Barracuda processing started at " + v + "."
}

func decodeBarracudaBayes(h *Header, f Field) {
	w := strings.Fields(f.Value)
	if len(w) > 0 {
		h.set("verdict", w[0], "the Bayesian classifier's verdict: INNOCENT (not spam) or SPAM")
	}
	if len(w) > 1 {
		h.set("scope", w[1], "which word statistics were used (GLOBAL: the shared ones)")
	}
	if len(w) > 2 {
		h.set("probability", strings.Join(w[2:], " "), "the classifier's probability and score figures; not publicly documented in detail")
	}
	h.Summary = "Barracuda's Bayesian classifier: " + orWord(strings.Join(w[:min(len(w), 1)], ""), "no verdict") + "."
}
