package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/authres"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/trace"
)

// contractKeys are the keys of the per-message object of
// ../shared/CONTRACT.md ("JSON report"), copied here so the repository
// stands alone; a path names a nested object ("dmarc.other") or the
// elements of an array ("received[]").
var contractKeys = map[string][]string{
	"":                      {"source", "envelope", "received", "boundary", "iprev", "spf", "dkim", "dmarc", "verdict", "recorded", "arc", "receivers", "dns"},
	"source":                {"file", "index", "message_id", "from", "subject", "date"},
	"envelope":              {"client_ip", "helo", "mail_from", "derived_from"},
	"envelope.derived_from": {"client_ip", "helo", "mail_from"},
	"received[]":            {"from_helo", "from_rdns", "from_ip", "by", "via", "with", "id", "for", "time", "delay_seconds", "anomalies", "raw"},
	"iprev":                 {"result", "ip", "names", "steps"},
	"spf":                   {"result", "domain", "identity", "client_ip", "explanation", "dns_lookups", "void_lookups", "steps"},
	"dkim[]":                {"result", "domain", "selector", "algorithm", "key_bits", "reason", "steps"},
	"dmarc":                 {"result", "standard", "from_domain", "org_domain", "record_domain", "record", "policy", "testing", "pct", "spf_aligned", "dkim_aligned", "other", "steps"},
	"dmarc.other":           {"standard", "org_domain", "record_domain", "policy", "result"},
	"verdict":               {"disposition", "reason"},
	"recorded":              {"authentication_results", "differences"},
	"arc":                   {"result", "instances", "broken_at", "steps"},
	"receivers[]":           {"vendor", "header", "trusted", "summary", "fields"},
	"dns[]":                 {"name", "type", "rcode", "answers", "server", "rtt_ms", "cached", "ad"},
}

// stepKeys are the keys every step has (CONTRACT.md: "Each step is
// {title, result, detail, explain, ref, query, steps[]}"); trace.Step
// writes detail, explain and ref even when empty, and leaves out only
// query when there was no DNS exchange.
var stepKeys = []string{"title", "result", "detail", "explain", "ref", "steps"}

// TestJSONContract checks every key of the contract in the --json line of
// each testdata message, that each line is one line of valid JSON with no
// raw control byte, and the error line's keys.
func TestJSONContract(t *testing.T) {
	srv := startDNS(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := inspectFile(t, srv, c.name)
			line, err := report.JSON(rep)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
				t.Fatalf("JSON() is not one line ending in a newline: %q", line)
			}
			for i, r := range string(line[:len(line)-1]) {
				if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
					t.Errorf("raw control character %U at byte %d", r, i)
				}
			}
			var obj map[string]any
			if err := json.Unmarshal(line, &obj); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if c.want == "" {
				for _, k := range []string{"source", "error"} {
					if _, ok := obj[k]; !ok {
						t.Errorf("error line lacks %q: %s", k, line)
					}
				}
				return
			}
			if _, ok := obj["error"]; ok {
				t.Errorf("an inspected message carries error: %v", obj["error"])
			}
			checkKeys(t, "", obj)
			if got := obj["verdict"].(map[string]any)["disposition"]; got != string(c.want) {
				t.Errorf("verdict.disposition = %v, want %s", got, c.want)
			}
		})
	}
}

// checkKeys checks the contract's keys at path in v, then below it.
func checkKeys(t *testing.T, path string, v map[string]any) {
	t.Helper()
	for _, k := range contractKeys[path] {
		if _, ok := v[k]; !ok {
			t.Errorf("%s lacks key %q", orTop(path), k)
		}
	}
	for k, child := range v {
		p := k
		if path != "" {
			p = path + "." + k
		}
		switch child := child.(type) {
		case map[string]any:
			checkKeys(t, p, child)
		case []any:
			for _, e := range child {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				if k == "steps" {
					checkStep(t, p, m)
				} else {
					checkKeys(t, p+"[]", m)
				}
			}
		}
	}
}

func checkStep(t *testing.T, path string, s map[string]any) {
	t.Helper()
	for _, k := range stepKeys {
		if _, ok := s[k]; !ok {
			t.Errorf("a step of %s lacks key %q: %v", path, k, s)
		}
	}
	if r, _ := s["result"].(string); r == "" {
		t.Errorf("a step of %s has no result: %v", path, s)
	}
	if q, ok := s["query"].(map[string]any); ok {
		checkKeys(t, "dns[]", q)
	}
	for _, c := range s["steps"].([]any) {
		checkStep(t, path, c.(map[string]any))
	}
}

func orTop(p string) string {
	if p == "" {
		return "the report"
	}
	return p
}

// TestJSONReadable checks that '<', '>' and '&' stay as themselves, that
// an escaped backslash before "u003c" is not mistaken for an escape, and
// that C1 and bidi controls are escaped.
func TestJSONReadable(t *testing.T) {
	cases := []struct {
		name, subject, want string
	}{
		{"angle brackets", "<a@b> & c", `"subject":"<a@b> & c"`},
		{"literal backslash-u", `\u003c`, `"subject":"\\u003c"`},
		{"two backslashes", `\\u003e`, `"subject":"\\\\u003e"`},
		{"bidi override", "pay\u202eexe", `"subject":"pay\u202eexe"`},
		{"C1 control", "a\u009bb", `"subject":"a\u009bb"`},
		{"ESC", "a\x1b[31mb", `"subject":"a\u001b[31mb"`},
		{"DEL", "a\x7fb", `"subject":"a\u007fb"`},
		{"line separator", "a\u2028b", `"subject":"a\u2028b"`},
		{"right-to-left mark", "a\u200fb", `"subject":"a\u200fb"`},
		{"tab and newline", "a\tb\nc", `"subject":"a\tb\nc"`},
		{"CJK and emoji stay", "日本 😀", `"subject":"日本 😀"`},
	}
	enc := report.NewEncoder()
	for _, c := range cases {
		for _, e := range []struct {
			name string
			json func(*inspect.Report) ([]byte, error)
		}{{"JSON", report.JSON}, {"Encoder", enc.JSON}} {
			t.Run(c.name+"/"+e.name, func(t *testing.T) {
				rep := inspect.Failed(sourceWith(c.subject), "x")
				line, err := e.json(rep)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(line), c.want) {
					t.Errorf("%s() = %s, want it to contain %s", e.name, line, c.want)
				}
				var back struct {
					Source struct{ Subject string } `json:"source"`
				}
				if err := json.Unmarshal(line, &back); err != nil {
					t.Fatal(err)
				}
				if back.Source.Subject != c.subject {
					t.Errorf("decoded subject = %q, want %q", back.Source.Subject, c.subject)
				}
			})
		}
	}
	invalid := inspect.Failed(sourceWith("a\xffb"), "x")
	want, _ := report.JSON(invalid)
	if got, _ := enc.JSON(invalid); string(got) != string(want) {
		t.Errorf("invalid UTF-8: Encoder %s, encoding/json %s", got, want)
	}
}

func TestAuthRes(t *testing.T) {
	srv := startDNS(t)
	cases := []struct {
		name   string
		want   []string // fragments of the field
		not    []string // fragments it must not have
		parsed []string // what go-msgauth's Parse reads back: method=value and properties
	}{
		{name: "aligned", want: []string{"Authentication-Results: headercheck;", "iprev=pass policy.iprev=192.0.2.10", "spf=pass smtp.mailfrom=alice@aligned.example", "spf=none smtp.helo=mail.aligned.example", "dkim=pass header.a=rsa-sha256 header.d=aligned.example header.s=rsa", "dkim=pass header.a=ed25519-sha256 header.d=aligned.example header.s=ed", "dmarc=pass header.from=aligned.example policy.dmarc=reject"},
			parsed: []string{"iprev=pass", "spf=pass mailfrom=alice@aligned.example", "spf=none helo=mail.aligned.example", "dkim=pass", "dkim=pass", "dmarc=pass from=aligned.example"}},
		{name: "tampered", want: []string{"dkim=fail reason=", "header.s=rsa", "spf=fail smtp.mailfrom=alice@aligned.example", "dmarc=fail header.from=aligned.example policy.dmarc=reject"}},
		{name: "quarantine", want: []string{"spf=softfail smtp.mailfrom=news@quarantine.example", "dmarc=fail header.from=quarantine.example policy.dmarc=quarantine"}},
		// The DMARC record could not be fetched: no policy was
		// evaluated, so policy.dmarc is left out (RFC 9989 §9.1). There
		// is no Return-Path: the MAIL FROM result has no property and
		// says why in a comment.
		{name: "temperror-escapes", want: []string{"; spf=none (MAIL FROM unknown: no Return-Path); spf=none smtp.helo=mail.flaky.example;", "dmarc=temperror header.from=flaky.example"},
			not:    []string{"policy.dmarc", "spf=none ;"},
			parsed: []string{"iprev=pass", "spf=none", "spf=none helo=mail.flaky.example", "dmarc=temperror from=flaky.example"}},
		// MAIL FROM <>: checked as postmaster@ the HELO name (RFC 7208
		// §2.4) and written as receivers write it.
		{name: "bounce", want: []string{"Authentication-Results: headercheck; iprev=pass policy.iprev=192.0.2.10; spf=pass smtp.mailfrom=<> smtp.helo=mta.aligned.example; dmarc=pass header.from=aligned.example policy.dmarc=reject"},
			not:    []string{"postmaster@", `"<>"`},
			parsed: []string{"iprev=pass", "spf=pass mailfrom=<> helo=mta.aligned.example", "dmarc=pass from=aligned.example"}},
		// Not a message: "none" would say no method applied, so a
		// comment says it was not inspected, in a few words.
		{name: "notmail", want: []string{"Authentication-Results: headercheck; none (not inspected: not a mail message: no header field could be read; message 1 in testdata/notmail.eml)"},
			not: []string{"colon"}},
		// Every field ends with a comment naming its message, so the
		// lines of an mbox can be paired with the messages.
		{name: "paypal-lookalike", want: []string{"dmarc=fail header.from=paypal.example policy.dmarc=reject (message 1 in testdata/paypal-lookalike.eml, Message-ID <8f2c1@mailer.attacker.example>)"}},
		// A failed signature's reason= is a few words, not the sentence
		// of the report.
		{name: "tampered, short reason", want: []string{`reason="body hash does not match"`}, not: []string{"copied from another message"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			folded := report.AuthRes(inspectFile(t, srv, strings.TrimSuffix(strings.Fields(c.name)[0], ",")), "")
			for i, l := range strings.Split(folded, "\n") {
				if len(l) > 78 {
					t.Errorf("line %d of the field is %d characters, want at most 78 (RFC 5322 §2.1.1):\n%s", i+1, len(l), folded)
				}
				if i > 0 && !strings.HasPrefix(l, " ") {
					t.Errorf("continuation line %d does not start with white space (RFC 5322 §2.2.3):\n%s", i+1, folded)
				}
			}
			got := unfold(folded)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("AuthRes() = %s\nwant it to contain %s", got, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("AuthRes() = %s\nwant it without %s", got, w)
				}
			}
			if strings.Contains(got, "; =") || strings.Contains(got, " ;") {
				t.Errorf("AuthRes() = %s\nhas a result without its method or a space before a semicolon", got)
			}
			if c.parsed == nil {
				return
			}
			id, rs, err := authres.Parse(strings.TrimPrefix(got, "Authentication-Results: "))
			if err != nil || id != report.DefaultAuthServID {
				t.Fatalf("authres.Parse(%s) = %q, %v", got, id, err)
			}
			var back []string
			for _, r := range rs {
				switch r := r.(type) {
				case *authres.IPRevResult:
					back = append(back, "iprev="+string(r.Value))
				case *authres.SPFResult:
					s := "spf=" + string(r.Value)
					if r.From != "" {
						s += " mailfrom=" + r.From
					}
					if r.Helo != "" {
						s += " helo=" + r.Helo
					}
					back = append(back, s)
				case *authres.DKIMResult:
					back = append(back, "dkim="+string(r.Value))
				case *authres.DMARCResult:
					back = append(back, "dmarc="+string(r.Value)+" from="+r.From)
				default:
					back = append(back, fmt.Sprintf("%T", r))
				}
			}
			if strings.Join(back, "; ") != strings.Join(c.parsed, "; ") {
				t.Errorf("authres.Parse(%s) reads:\n%s\nwant:\n%s", got, strings.Join(back, "; "), strings.Join(c.parsed, "; "))
			}
		})
	}
}

// unfold undoes folding as RFC 5322 §2.2.3 does, and closes up the
// indent, so the field reads as the one line it stands for.
func unfold(s string) string {
	return regexp.MustCompile(`\n[ \t]+`).ReplaceAllString(s, " ")
}

func TestSummaryExitStatus(t *testing.T) {
	deliver := &inspect.Report{Verdict: inspect.Verdict{Disposition: inspect.Deliver}}
	quarantine := &inspect.Report{Verdict: inspect.Verdict{Disposition: inspect.Quarantine}, DMARC: dmarcResult(trace.Fail)}
	reject := &inspect.Report{Verdict: inspect.Verdict{Disposition: inspect.Reject}, DMARC: dmarcResult(trace.Fail)}
	broken := inspect.Failed(sourceWith(""), "not a mail message: no header field could be read")
	cases := []struct {
		name string
		reps []*inspect.Report
		want int
	}{
		{"all deliver", []*inspect.Report{deliver, deliver}, report.ExitDeliver},
		{"a quarantine", []*inspect.Report{deliver, quarantine, deliver}, report.ExitQuarantine},
		{"a reject beats a quarantine", []*inspect.Report{quarantine, reject, deliver}, report.ExitReject},
		{"a broken message among inspected ones", []*inspect.Report{deliver, broken, deliver}, report.ExitDeliver},
		{"a broken message beside a reject", []*inspect.Report{broken, reject}, report.ExitReject},
		{"every message broken", []*inspect.Report{broken, broken}, report.ExitError},
		{"nothing", nil, report.ExitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s report.Summary
			for _, r := range c.reps {
				s.Add(r)
			}
			if got := s.ExitStatus(); got != c.want {
				t.Errorf("ExitStatus() = %d, want %d", got, c.want)
			}
		})
	}
}

func TestSummaryWrite(t *testing.T) {
	srv := startDNS(t)
	var s report.Summary
	for _, c := range cases {
		s.Add(inspectFile(t, srv, c.name))
	}
	var b strings.Builder
	if err := s.Write(&b, 0); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", []byte(b.String()))
	if got, want := s.ExitStatus(), report.ExitReject; got != want {
		t.Errorf("ExitStatus() = %d, want %d", got, want)
	}
}
