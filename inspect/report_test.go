package inspect_test

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/safe"
)

// contractKeys are the keys of ../shared/CONTRACT.md: the report object's,
// and those of each object inside it. The report example beside the
// contract must have them too (TestContractExample), so this list cannot
// drift from it unnoticed.
var contractKeys = map[string][]string{
	"":             {"source", "envelope", "received", "boundary", "iprev", "spf", "dkim", "dmarc", "verdict", "recorded", "arc", "receivers", "dns"},
	"source":       {"file", "index", "message_id", "from", "subject", "date"},
	"envelope":     {"client_ip", "helo", "mail_from", "derived_from"},
	"derived_from": {"client_ip", "helo", "mail_from"},
	"received[]":   {"from_helo", "from_rdns", "from_ip", "by", "via", "with", "id", "for", "time", "delay_seconds", "anomalies", "raw"},
	"iprev":        {"result", "ip", "names", "steps"},
	"spf":          {"result", "domain", "identity", "client_ip", "explanation", "dns_lookups", "void_lookups", "steps"},
	"dkim[]":       {"result", "domain", "selector", "algorithm", "key_bits", "reason", "steps"},
	"dmarc":        {"result", "standard", "from_domain", "org_domain", "record_domain", "record", "policy", "testing", "pct", "spf_aligned", "dkim_aligned", "other", "steps"},
	"other":        {"standard", "org_domain", "record_domain", "policy", "result"},
	"verdict":      {"disposition", "reason"},
	"recorded":     {"authentication_results", "differences"},
	"arc":          {"result", "instances", "broken_at", "steps"},
	"dns[]":        {"name", "type", "rcode", "answers", "server", "rtt_ms", "cached", "ad"},
	"step":         {"title", "result", "steps"},
}

// checkKeys reports every contract key missing from the report object o.
func checkKeys(t *testing.T, what string, o map[string]any) {
	t.Helper()
	need := func(path string, v any, keys []string) {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %s is %T, want an object", what, path, v)
			return
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: %s has no key %q", what, path, k)
			}
		}
	}
	list := func(path string, v any) []any {
		t.Helper()
		l, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %s is %T, want an array (never null)", what, path, v)
		}
		return l
	}
	need("report", o, contractKeys[""])
	need("source", o["source"], contractKeys["source"])
	need("envelope", o["envelope"], contractKeys["envelope"])
	if env, ok := o["envelope"].(map[string]any); ok {
		need("envelope.derived_from", env["derived_from"], contractKeys["derived_from"])
	}
	for _, h := range list("received", o["received"]) {
		need("received[]", h, contractKeys["received[]"])
	}
	need("iprev", o["iprev"], contractKeys["iprev"])
	need("spf", o["spf"], contractKeys["spf"])
	for _, d := range list("dkim", o["dkim"]) {
		need("dkim[]", d, contractKeys["dkim[]"])
	}
	need("dmarc", o["dmarc"], contractKeys["dmarc"])
	if d, ok := o["dmarc"].(map[string]any); ok {
		need("dmarc.other", d["other"], contractKeys["other"])
	}
	need("verdict", o["verdict"], contractKeys["verdict"])
	need("recorded", o["recorded"], contractKeys["recorded"])
	if r, ok := o["recorded"].(map[string]any); ok {
		list("recorded.authentication_results", r["authentication_results"])
		list("recorded.differences", r["differences"])
	}
	need("arc", o["arc"], contractKeys["arc"])
	list("receivers", o["receivers"])
	for _, q := range list("dns", o["dns"]) {
		need("dns[]", q, contractKeys["dns[]"])
	}
	for _, k := range []string{"iprev", "spf", "dmarc", "arc"} {
		if m, ok := o[k].(map[string]any); ok {
			for _, s := range list(k+".steps", m["steps"]) {
				need(k+".steps[]", s, contractKeys["step"])
			}
		}
	}
}

// TestContractExample keeps contractKeys honest: the contract's own
// example report has every one of them.
func TestContractExample(t *testing.T) {
	b, err := os.ReadFile("../../shared/report-example.json")
	if err != nil {
		t.Skipf("the shared contract is not beside the repository: %v", err)
	}
	var o map[string]any
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "report-example.json", o)
}

func TestReportJSON(t *testing.T) {
	for _, c := range scenarios {
		t.Run(c.name, func(t *testing.T) {
			rep := runScenario(t, c)
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var o map[string]any
			if err := json.Unmarshal(b, &o); err != nil {
				t.Fatal(err)
			}
			checkKeys(t, c.name, o)
			v := o["verdict"].(map[string]any)
			if v["disposition"] != string(rep.Verdict.Disposition) || v["reason"] != rep.Verdict.Reason {
				t.Errorf("verdict JSON = %v, want %s / %q", v, rep.Verdict.Disposition, rep.Verdict.Reason)
			}
			if o["boundary"] != float64(rep.Chain.Boundary) {
				t.Errorf("boundary = %v, want %d", o["boundary"], rep.Chain.Boundary)
			}
			if _, ok := o["error"]; ok {
				t.Errorf("an inspected message has the error key: %v", o["error"])
			}
			if len(o["dns"].([]any)) == 0 {
				t.Error("dns is empty, want every exchange the message caused")
			}
		})
	}
}

func TestErrorReportJSON(t *testing.T) {
	rep := inspect.Failed(message.SummaryOf("box.mbox", 3), "larger than the size limit")
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"error", "source"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("error report keys = %v, want %v", keys, want)
	}
	if o["error"] != "larger than the size limit" || o["source"].(map[string]any)["index"] != float64(3) {
		t.Errorf("error report = %s", b)
	}
}

// TestTerminalSafe: a From domain and display name with bidi controls
// come out of the JSON escaped once safe.JSON has run over it, as the
// command writes it.
func TestTerminalSafe(t *testing.T) {
	srv := startDNS(t)
	raw := mail(spoofTop, "\"Pay\u202eLAP\u202c\" <service@paypal.example>", "bounce@attacker.example")
	rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	out := safe.JSON(b)
	for _, r := range string(out) {
		if r == '\u202e' || r == '\u202c' {
			t.Fatalf("bidi control left in the JSON: %s", out)
		}
	}
}

// TestDeterministic: the same message and the same DNS give the same
// report, the dns array included, although the checks run concurrently.
func TestDeterministic(t *testing.T) {
	srv := startDNS(t, "fwd.example")
	top := []string{
		"Authentication-Results: mx1.inbound.example; spf=fail smtp.mailfrom=fwd.example; dkim=pass header.d=fwd.example; dmarc=pass header.from=fwd.example",
		"Received: from lists.forwarder.example (lists.forwarder.example [198.51.100.7]) by mx1.inbound.example (Postfix) with ESMTPS id 7T2; Fri, 20 Nov 2026 08:14:40 +0000",
		"Received: from mail.fwd.example (mail.fwd.example [192.0.2.10]) by lists.forwarder.example (Postfix) with ESMTPS id 9Q1; Fri, 20 Nov 2026 08:14:31 +0000",
	}
	raw := sign(t, mail(top, "alice@fwd.example", "bounce@fwd.example"), "fwd.example")
	var first string
	for i := range 5 {
		rep, err := inspect.Inspect(t.Context(), load(t, raw), options(srv)) // a fresh client: nothing cached
		if err != nil {
			t.Fatal(err)
		}
		got := stable(t, rep)
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("run %d differs from run 0:\n%s\n---\n%s", i, got, first)
		}
	}
}

// stable is the report's JSON without what legitimately varies between
// runs: round-trip times.
func stable(t *testing.T, rep *inspect.Report) string {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var o any
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "rtt_ms")
			for _, x := range v {
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(o)
	b, _ = json.Marshal(o)
	return string(b)
}
