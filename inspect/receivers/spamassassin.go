package receivers

import (
	"strconv"
	"strings"
)

// SpamAssassin (Apache SpamAssassin's Mail::SpamAssassin::Conf, "add_header"
// templates: X-Spam-Status is "_YESNO_, score=_SCORE_ required=_REQD_
// tests=_TESTS_ autolearn=_AUTOLEARN_ version=_VERSION_", X-Spam-Level
// "_STARS(*)_", X-Spam-Report "_REPORT_"). Rule descriptions are
// SpamAssassin's own, as its reports print them.

var ruleDescriptions = map[string]string{
	"ALL_TRUSTED":        "passed through trusted hosts only via SMTP",
	"BAYES_00":           "Bayes spam probability is 0 to 1%",
	"BAYES_50":           "Bayes spam probability is 40 to 60%",
	"BAYES_99":           "Bayes spam probability is 99 to 100%",
	"DKIM_SIGNED":        "message has a DKIM or DK signature, not necessarily valid",
	"DKIM_VALID":         "message has at least one valid DKIM or DK signature",
	"DKIM_VALID_AU":      "message has a valid DKIM or DK signature from author's domain",
	"DKIM_VALID_EF":      "message has a valid DKIM or DK signature from envelope-from domain",
	"DKIMWL_WL_HIGH":     "DKIMwl.org - Whitelisted High sender",
	"FREEMAIL_FROM":      "sender email is commonly abused enduser mail provider",
	"HTML_MESSAGE":       "BODY: HTML included in message",
	"RCVD_IN_DNSWL_HI":   "RBL: sender listed at https://www.dnswl.org/, high trust",
	"RCVD_IN_DNSWL_MED":  "RBL: sender listed at https://www.dnswl.org/, medium trust",
	"RCVD_IN_DNSWL_LOW":  "RBL: sender listed at https://www.dnswl.org/, low trust",
	"RCVD_IN_DNSWL_NONE": "RBL: sender listed at https://www.dnswl.org/, no trust",
	"RCVD_IN_MSPIKE_H2":  "RBL: average reputation (+2)",
	"SPF_HELO_NONE":      "SPF: HELO does not publish an SPF record",
	"SPF_HELO_PASS":      "SPF: HELO matches SPF record",
	"SPF_NONE":           "SPF: sender does not publish an SPF record",
	"SPF_PASS":           "SPF: sender matches SPF record",
}

// rule describes a rule name, "" when unknown.
func rule(name string) string { return ruleDescriptions[strings.ToUpper(name)] }

// keyed splits "Word, k1=v1 k2=a,b, c k3=v3" into the leading word and
// the key=value pairs; a value goes on over white space after a comma, as
// a wrapped tests= list does.
func keyed(s string) (lead string, kv [][2]string) {
	lead, rest, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(lead, "=") {
		lead, rest = "", s
	}
	lead = strings.TrimSpace(lead)
	for _, tok := range strings.Fields(rest) {
		k, v, isKV := strings.Cut(tok, "=")
		if isKV && isIdent(k) {
			if len(kv) >= maxKeys {
				break
			}
			kv = append(kv, [2]string{k, v})
			continue
		}
		if len(kv) == 0 {
			continue
		}
		// Only a list broken after a comma goes on; other words between
		// the pairs ("using global scores of") are prose.
		if last := &kv[len(kv)-1]; strings.HasSuffix(last[1], ",") {
			last[1] += tok
		}
	}
	return lead, kv
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ruleList renders a comma-separated rule list with what each known rule
// means.
func ruleList(tests string) (names []string, described string) {
	var parts []string
	for _, n := range strings.Split(tests, ",") {
		n = strings.TrimSpace(n)
		if n == "" || len(names) >= maxKeys {
			continue
		}
		names = append(names, n)
		if d := rule(n); d != "" {
			parts = append(parts, n+": "+d)
		}
	}
	return names, strings.Join(parts, "; ")
}

func firstFew(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}

func decodeSpamStatus(h *Header, f Field) {
	lead, kv := keyed(f.Value)
	var verdict string
	if lead != "" {
		switch strings.ToLower(lead) {
		case "yes":
			verdict = "spam"
			h.set("spam", lead, "SpamAssassin judged the message spam: its score reached the required threshold")
		case "no":
			verdict = "not spam"
			h.set("spam", lead, "SpamAssassin judged the message not spam: its score stayed under the required threshold")
		default:
			h.set("spam", lead, "SpamAssassin's verdict, in a form it does not normally write")
		}
	}
	var score, required string
	var rules []string
	for _, p := range kv {
		k, v := p[0], p[1]
		switch strings.ToLower(k) {
		case "score", "hits":
			score = v
			h.set(k, v, "the total of the points of the rules that matched; positive points count towards spam, negative against")
		case "required":
			required = v
			h.set(k, v, "the score from which this system counts a message as spam")
		case "tests":
			var described string
			rules, described = ruleList(v)
			m := "the SpamAssassin rules that matched; X-Spam-Report, when present, gives their points"
			if described != "" {
				m += " — " + described
			}
			h.set(k, v, m)
		case "autolearn":
			h.set(k, v, autolearnMeaning(v))
		case "autolearn_force":
			h.set(k, v, "whether a rule forced the Bayes filter to learn from this message")
		case "version":
			h.set(k, v, "the SpamAssassin version that scanned the message")
		case "shortcircuit":
			h.set(k, v, "whether a rule ended the scan early")
		default:
			h.set(k, v, "a SpamAssassin field headercheck does not describe")
		}
	}
	s := "SpamAssassin: " + orWord(verdict, "no verdict")
	if score != "" {
		s += ", score " + score
		if required != "" {
			s += " (spam from " + required + ")"
		}
	}
	if len(rules) > 0 {
		s += "; rules " + firstFew(rules, 6)
	}
	h.Summary = s + "."
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func autolearnMeaning(v string) string {
	switch strings.ToLower(v) {
	case "ham":
		return "the Bayes filter learned from this message as not spam"
	case "spam":
		return "the Bayes filter learned from this message as spam"
	case "no":
		return "the Bayes filter did not learn from this message"
	case "disabled":
		return "automatic learning is switched off on this system"
	case "unavailable":
		return "the Bayes filter could not learn (its database was unavailable)"
	case "failed":
		return "the Bayes filter tried to learn and failed"
	}
	return "whether the Bayes filter learned from this message: " + v
}

func decodeSpamScore(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	score, bar, _ := strings.Cut(v, " ")
	h.set("score", score, "the spam score; higher is more spam-like (the threshold, when written, is required= in X-Spam-Status)")
	if bar = strings.Trim(strings.TrimSpace(bar), "()"); bar != "" {
		h.set("bar", bar, "one sign per whole point: + towards spam, - against, / for a score near zero")
	}
	h.Summary = "Spam score " + score + "."
}

func decodeSpamLevel(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	n := strings.Count(v, "*")
	h.set("level", v, "one * per whole point of spam score: "+strconv.Itoa(n)+" here; filters match on a number of stars")
	h.Summary = "Spam level " + strconv.Itoa(n) + " " + plural(n, "star", "stars") + "."
}

func decodeSpamFlag(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	switch strings.ToUpper(v) {
	case "YES":
		h.set("flag", v, "the filter flagged the message as spam")
		h.Summary = "Flagged as spam."
	case "NO":
		h.set("flag", v, "the filter did not flag the message as spam")
		h.Summary = "Not flagged as spam."
	default:
		h.set("flag", v, "a spam flag in a form filters do not normally write")
		h.Summary = "Spam flag " + v + "."
	}
}

// reportRules reads the rule table of a SpamAssassin-style report
// (" pts rule name description\n ---- ---\n -5.0 RCVD_IN_DNSWL_HI RBL: …"),
// lines folded or not, or a "RULE=points, RULE=points" list.
func reportRules(s string) (rules [][3]string) {
	if i := strings.Index(s, "----"); i >= 0 {
		s = s[i:]
	}
	toks := strings.Fields(s)
	start := -1
	flush := func(end int) {
		if start >= 0 && len(rules) < maxKeys {
			rules = append(rules, [3]string{toks[start+1], toks[start], strings.Join(toks[start+2:end], " ")})
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		if isPoints(toks[i]) && isRuleName(toks[i+1]) {
			flush(i)
			start = i
			i++
		}
	}
	if start >= 0 {
		flush(len(toks))
		return rules
	}
	// "ALL_TRUSTED=-1.8, BAYES_99=3.5"
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if ok && isRuleName(k) && isPoints(v) && len(rules) < maxKeys {
			rules = append(rules, [3]string{k, v, ""})
		}
	}
	return rules
}

// isPoints matches "-5.0", "0.1", "3": a score with at most one dot.
func isPoints(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || strings.Count(s, ".") > 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s[0] != '.' && s[len(s)-1] != '.'
}

// isRuleName matches rule names: upper-case letters, digits and "_",
// starting with a letter, at least three long.
func isRuleName(s string) bool {
	if len(s) < 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func decodeSpamReport(h *Header, f Field) {
	text := rawOf(f)
	if i := strings.Index(text, "Content analysis details:"); i >= 0 {
		d := text[i+len("Content analysis details:"):]
		if open, close := strings.IndexByte(d, '('), strings.IndexByte(d, ')'); open >= 0 && close > open {
			for _, part := range strings.Split(d[open+1:close], ",") {
				w := strings.Fields(part)
				switch {
				case len(w) == 2 && w[1] == "points":
					h.set("points", w[0], "the total score of this report")
				case len(w) == 2 && w[1] == "required":
					h.set("required", w[0], "the score from which this system counts a message as spam")
				}
			}
		}
	}
	rules := reportRules(text)
	var names []string
	for _, r := range rules {
		m := r[2]
		if m == "" {
			m = rule(r[0])
		}
		if m == "" {
			m = "a rule that matched"
		}
		h.set(r[0], r[1], m+" ("+r[1]+" points)")
		names = append(names, r[0]+" "+r[1])
	}
	switch {
	case len(names) == 0:
		h.Summary = "A spam report without rules."
	default:
		h.Summary = "Spam report: " + firstFew(names, 6) + "."
	}
	if p := h.Fields["points"]; p != "" {
		h.Summary = "Spam report, " + p + " points: " + firstFew(names, 6) + "."
	}
}

func decodeCheckerVersion(h *Header, f Field) {
	v := strings.TrimSpace(f.Value)
	prog, host, ok := strings.Cut(v, " on ")
	h.set("version", strings.TrimSpace(prog), "the program and version that scanned the message")
	if ok {
		host = strings.TrimSpace(host)
		h.set("host", host, "the host that ran the scan: the header is only as trustworthy as that host")
		h.Summary = "Scanned by " + strings.TrimSpace(prog) + " on " + host + "."
		return
	}
	h.Summary = "Scanned by " + v + "."
}
