package recorded

import (
	"reflect"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Header values from public sources, unfolded as the message loader gives
// them (folding white space kept inside).
const (
	// RFC 8601 Appendix B.7, "A Very Comment-Heavy but Perfectly Legal
	// Example".
	rfcCommentHeavy = "foo.example.net (foobar) 1 (baz); dkim (Because I like it) / 1 (One yay) = (wait for it) fail policy (A dot can go here) . (like that) expired (this surprised me) = (as I wasn't expecting it) 1362471462"

	// Gmail, from dinosaure/blaze test/004.mail @0aa5328e (a message from
	// discuss.ocaml.org to a Gmail user): Authentication-Results and the
	// ARC-Authentication-Results of the same delivery.
	gmailAR  = "mx.google.com;\n       dkim=pass header.i=@discoursemail.com header.s=sjc2 header.b=VmvuZ8wM;\n       spf=pass (google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender) smtp.mailfrom=ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com;\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=discoursemail.com"
	gmailAAR = "i=1; mx.google.com;\n       dkim=pass header.i=@discoursemail.com header.s=sjc2 header.b=VmvuZ8wM;\n       spf=pass (google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender) smtp.mailfrom=ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com;\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=discoursemail.com"

	// kernel.org's list server and Microsoft 365, from
	// linux-mailinglist-archives/linux-doc.vger.kernel.org.0 file m
	// @0006e72e, Message-ID
	// <a06e3f9b975bc3743ed8b8df04b6b52229d62bd9.1728495588.git.babu.moger@amd.com>.
	kernelAR     = "smtp.subspace.kernel.org;\n\tdkim=pass (1024-bit key) header.d=amd.com header.i=@amd.com header.b=\"dzXI9hq5\""
	kernelAAR    = "i=2; smtp.subspace.kernel.org; dmarc=pass (p=quarantine dis=none) header.from=amd.com; spf=fail smtp.mailfrom=amd.com; dkim=pass (1024-bit key) header.d=amd.com header.i=@amd.com header.b=dzXI9hq5; arc=fail smtp.client-ip=40.107.94.80"
	microsoftAAR = "i=1; mx.microsoft.com 1; spf=pass (sender ip is\n 165.204.84.17) smtp.rcpttodomain=lwn.net smtp.mailfrom=amd.com; dmarc=pass\n (p=quarantine sp=quarantine pct=100) action=none header.from=amd.com;\n dkim=none (message not signed); arc=none (0)"
	// Microsoft 365's own results, without an authserv-id (the same message's
	// X-MS-Exchange-Authentication-Results, which has the syntax Microsoft
	// uses in Authentication-Results).
	microsoftAR = "spf=pass (sender IP is 165.204.84.17)\n smtp.mailfrom=amd.com; dkim=none (message not signed)\n header.d=none;dmarc=pass action=none header.from=amd.com;"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		value   string
		arc     bool
		id      string
		version string
		inst    int
		none    bool
		results []Method // Library is not compared here
		problem string   // a word Problem must hold; "" for none
	}{
		{
			name: "RFC 8601 B.7 comment-heavy", value: rfcCommentHeavy, id: "foo.example.net", version: "1",
			results: []Method{{Method: "dkim", Version: "1", Result: "fail", Props: []Prop{{"policy.expired", "1362471462"}},
				Comment: "(Because I like it) (One yay) (wait for it) (A dot can go here) (like that) (this surprised me) (as I wasn't expecting it)"}},
		},
		{name: "RFC 8601 B.2 none", value: "example.org 1; none", id: "example.org", version: "1", none: true, results: []Method{}},
		{
			name: "RFC 8601 B.4 two results", value: "example.com;\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\n          spf=pass smtp.mailfrom=example.net", id: "example.com",
			results: []Method{
				{Method: "auth", Result: "pass", Props: []Prop{{"smtp.auth", "sender@example.net"}}, Comment: "(cram-md5)"},
				{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "example.net"}}},
			},
		},
		{
			name: "RFC 8601 B.6 quoted reasons", value: "example.com;\n      dkim=pass reason=\"good signature\"\n        header.i=@mail-router.example.net;\n      dkim=fail reason=\"bad signature\"\n        header.i=@newyork.example.com", id: "example.com",
			results: []Method{
				{Method: "dkim", Result: "pass", Reason: "good signature", Props: []Prop{{"header.i", "@mail-router.example.net"}}},
				{Method: "dkim", Result: "fail", Reason: "bad signature", Props: []Prop{{"header.i", "@newyork.example.com"}}},
			},
		},
		{
			name: "Gmail", value: gmailAR, id: "mx.google.com",
			results: []Method{
				{Method: "dkim", Result: "pass", Props: []Prop{{"header.i", "@discoursemail.com"}, {"header.s", "sjc2"}, {"header.b", "VmvuZ8wM"}}},
				{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com"}},
					Comment: "(google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender)"},
				{Method: "dmarc", Result: "pass", Props: []Prop{{"header.from", "discoursemail.com"}}, Comment: "(p=QUARANTINE sp=QUARANTINE dis=NONE)"},
			},
		},
		{
			name: "Gmail ARC", value: gmailAAR, arc: true, id: "mx.google.com", inst: 1,
			results: []Method{
				{Method: "dkim", Result: "pass", Props: []Prop{{"header.i", "@discoursemail.com"}, {"header.s", "sjc2"}, {"header.b", "VmvuZ8wM"}}},
				{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com"}},
					Comment: "(google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender)"},
				{Method: "dmarc", Result: "pass", Props: []Prop{{"header.from", "discoursemail.com"}}, Comment: "(p=QUARANTINE sp=QUARANTINE dis=NONE)"},
			},
		},
		{
			name: "kernel.org, quoted header.b", value: kernelAR, id: "smtp.subspace.kernel.org",
			results: []Method{{Method: "dkim", Result: "pass", Props: []Prop{{"header.d", "amd.com"}, {"header.i", "@amd.com"}, {"header.b", "dzXI9hq5"}}, Comment: "(1024-bit key)"}},
		},
		{
			name: "kernel.org ARC i=2", value: kernelAAR, arc: true, id: "smtp.subspace.kernel.org", inst: 2,
			results: []Method{
				{Method: "dmarc", Result: "pass", Props: []Prop{{"header.from", "amd.com"}}, Comment: "(p=quarantine dis=none)"},
				{Method: "spf", Result: "fail", Props: []Prop{{"smtp.mailfrom", "amd.com"}}},
				{Method: "dkim", Result: "pass", Props: []Prop{{"header.d", "amd.com"}, {"header.i", "@amd.com"}, {"header.b", "dzXI9hq5"}}, Comment: "(1024-bit key)"},
				{Method: "arc", Result: "fail", Props: []Prop{{"smtp.client-ip", "40.107.94.80"}}},
			},
		},
		{
			name: "Microsoft 365 ARC i=1, a property without a dot", value: microsoftAAR, arc: true, id: "mx.microsoft.com", version: "1", inst: 1,
			results: []Method{
				{Method: "spf", Result: "pass", Props: []Prop{{"smtp.rcpttodomain", "lwn.net"}, {"smtp.mailfrom", "amd.com"}}, Comment: "(sender ip is 165.204.84.17)"},
				{Method: "dmarc", Result: "pass", Props: []Prop{{"action", "none"}, {"header.from", "amd.com"}}, Comment: "(p=quarantine sp=quarantine pct=100)"},
				{Method: "dkim", Result: "none", Props: []Prop{}, Comment: "(message not signed)"},
				{Method: "arc", Result: "none", Props: []Prop{}, Comment: "(0)"},
			},
		},
		{
			name: "Microsoft 365 without authserv-id", value: microsoftAR, id: "",
			results: []Method{
				{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "amd.com"}}, Comment: "(sender IP is 165.204.84.17)"},
				{Method: "dkim", Result: "none", Props: []Prop{{"header.d", "none"}}, Comment: "(message not signed)"},
				{Method: "dmarc", Result: "pass", Props: []Prop{{"action", "none"}, {"header.from", "amd.com"}}},
			},
		},
		{
			name: "a semicolon inside a quoted reason", value: `example.com; dkim=fail reason="bad; very bad" header.d=x.example`, id: "example.com",
			results: []Method{{Method: "dkim", Result: "fail", Reason: "bad; very bad", Props: []Prop{{"header.d", "x.example"}}}},
		},
		{
			name: "a semicolon inside a comment", value: `example.com; spf=pass (a; b) smtp.mailfrom=x.example`, id: "example.com",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "x.example"}}, Comment: "(a; b)"}},
		},
		{
			name: "white space around = . and /", value: "example.com; spf / 1 = pass smtp . mailfrom = x.example", id: "example.com",
			results: []Method{{Method: "spf", Version: "1", Result: "pass", Props: []Prop{{"smtp.mailfrom", "x.example"}}}},
		},
		{
			name: "upper case method and result", value: "Example.COM; SPF=Pass smtp.MailFrom=x.example", id: "example.com",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "x.example"}}}},
		},
		{
			// RFC 8601 §2.2: pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS];
			// a local-part may hold "=" and "+" (a VERP bounce address).
			name: "a VERP address with = in the local-part", value: "mx1.campus.example; spf=pass smtp.mailfrom=bounces+2213-9f1e=campus.example@em.esp.example", id: "mx1.campus.example",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "bounces+2213-9f1e=campus.example@em.esp.example"}}}},
		},
		{
			name: "SRS and = signs next to other properties", value: "x.example; spf=pass smtp.mailfrom=SRS0=HHH=TT=orig.example=alice@fwd.example smtp.helo=mail.fwd.example", id: "x.example",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "SRS0=HHH=TT=orig.example=alice@fwd.example"}, {"smtp.helo", "mail.fwd.example"}}}},
		},
		{
			name: "a quoted local-part stays quoted before @", value: `x.example; spf=pass smtp.mailfrom="john doe=x"@example.net smtp.helo=a.example`, id: "x.example",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", `"john doe=x"@example.net`}, {"smtp.helo", "a.example"}}}},
		},
		{
			name: "a quoted value is unquoted", value: `x.example; dkim=pass header.i="@news.example" header.b="ab=cd"`, id: "x.example",
			results: []Method{{Method: "dkim", Result: "pass", Props: []Prop{{"header.i", "@news.example"}, {"header.b", "ab=cd"}}}},
		},
		{
			name: "the @domain form", value: "x.example; dkim=pass header.i=@mail.example.org header.s=s=1", id: "x.example",
			results: []Method{{Method: "dkim", Result: "pass", Props: []Prop{{"header.i", "@mail.example.org"}, {"header.s", "s=1"}}}},
		},
		{name: "unknown version", value: "example.com 2; spf=pass", id: "example.com", version: "2", results: []Method{}, problem: "version 2"},
		{
			name: "a stray word part (Microsoft writes the recipient domain)", value: "spf=pass smtp.mailfrom=github.com; hotmail.com; dmarc=pass", id: "",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{{"smtp.mailfrom", "github.com"}}}, {Method: "dmarc", Result: "pass", Props: []Prop{}}},
			problem: "hotmail.com",
		},
		{
			name: "unclosed comment", value: "example.com; spf=pass (no end smtp.mailfrom=x.example", id: "example.com",
			results: []Method{{Method: "spf", Result: "pass", Props: []Prop{}, Comment: "(no end smtp.mailfrom=x.example"}},
		},
		{name: "ARC without i=", value: "mx.example; spf=pass", arc: true, id: "mx.example", results: []Method{{Method: "spf", Result: "pass", Props: []Prop{}}}, problem: "i="},
		{name: "empty", value: "", id: "", results: []Method{}, problem: "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := Parse(c.value, c.arc)
			if h.AuthServID != c.id || h.Version != c.version || h.Instance != c.inst || h.None != c.none {
				t.Errorf("Parse(%q) = id %q version %q i=%d none %v, want %q %q %d %v", c.value, h.AuthServID, h.Version, h.Instance, h.None, c.id, c.version, c.inst, c.none)
			}
			if !reflect.DeepEqual(h.Results, c.results) {
				t.Errorf("Parse(%q).Results =\n%+v\nwant\n%+v", c.value, h.Results, c.results)
			}
			switch {
			case c.problem == "" && h.Problem != "":
				t.Errorf("Parse(%q).Problem = %q, want none", c.value, h.Problem)
			case c.problem != "" && !strings.Contains(h.Problem, c.problem):
				t.Errorf("Parse(%q).Problem = %q, want it to mention %q", c.value, h.Problem, c.problem)
			}
			if h.Raw != c.value {
				t.Errorf("Raw = %q, want the value as given", h.Raw)
			}
		})
	}
}

// TestLibraryAgrees: where go-msgauth's authres reads a header at all, it
// finds the same methods and results as we do, and the same values for the
// properties it keeps (unquoted ones; it does not unquote).
func TestLibraryAgrees(t *testing.T) {
	for _, v := range []struct {
		value string
		arc   bool
	}{
		{gmailAR, false}, {gmailAAR, true}, {kernelAR, false}, {kernelAAR, true}, {microsoftAAR, true},
		{"example.com;\n auth=pass (cram-md5) smtp.auth=sender@example.net;\n spf=pass smtp.mailfrom=example.net", false},
		{"example.com; iprev=pass\n policy.iprev=192.0.2.200", false},
		{"mx1.campus.example; spf=pass smtp.mailfrom=bounces+2213-9f1e=campus.example@em.esp.example", false},
	} {
		h := Parse(v.value, v.arc)
		libs := libraryView(v.value, v.arc)
		compared := 0
		for i, m := range h.Results {
			if i >= len(libs) || libs[i] == nil {
				continue
			}
			lib := libs[i]
			compared++
			if lib["method"] != m.Method || lib["result"] != string(m.Result) {
				t.Errorf("%q: authres read %v=%v, we read %s=%s", v.value, lib["method"], lib["result"], m.Method, m.Result)
			}
			for k, lv := range lib {
				if k == "method" || k == "result" || lv == "" {
					continue
				}
				if ours := m.Get(k); !strings.Contains(lv.(string), `"`) && ours != lv {
					t.Errorf("%q: authres read %s=%v, we read %q", v.value, k, lv, ours)
				}
			}
		}
		if compared == 0 {
			t.Errorf("%q: authres read nothing to compare", v.value)
		}
	}
}

func TestRecordedIP(t *testing.T) {
	cases := []struct {
		value string
		want  string
	}{
		{"x; spf=pass smtp.remote-ip=192.0.2.1", "192.0.2.1"},
		{"x; arc=fail smtp.client-ip=40.107.94.80", "40.107.94.80"},
		{"x; iprev=pass policy.iprev=[2001:db8::1]", "2001:db8::1"},
		{microsoftAR, "165.204.84.17"},
		{"x; spf=pass (pyspf: client-ip=198.51.100.9; helo=a) smtp.mailfrom=a.example", "198.51.100.9"},
		{"x; spf=pass smtp.mailfrom=a.example", ""},
	}
	for _, c := range cases {
		h := Parse(c.value, false)
		got := ""
		if a := recordedIP(h.Results[0]); a.IsValid() {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("recordedIP(%q) = %q, want %q", c.value, got, c.want)
		}
	}
}

// TestParseBounded: a hostile header cannot make us keep more than the
// bounds, and deep comments do not recurse.
func TestParseBounded(t *testing.T) {
	many := "x" + strings.Repeat("; spf=pass smtp.mailfrom=a.example", 1000)
	if h := Parse(many, false); len(h.Results) != maxResults || !strings.Contains(h.Problem, "more results") {
		t.Errorf("%d results kept (problem %q), want %d and a note", len(h.Results), h.Problem, maxResults)
	}
	props := "x; spf=pass" + strings.Repeat(" smtp.mailfrom=a.example", 1000)
	if h := Parse(props, false); len(h.Results[0].Props) != maxProps {
		t.Errorf("%d properties kept, want %d", len(h.Results[0].Props), maxProps)
	}
	deep := "x; spf=pass " + strings.Repeat("(", 100000) + strings.Repeat(")", 100000) + " smtp.mailfrom=a.example"
	if h := Parse(deep, false); len(h.Results) != 1 || len(h.Results[0].Comment) > maxComment+10 {
		t.Errorf("deep comments: %+v", h.Results)
	}
	_ = trace.Pass
}
