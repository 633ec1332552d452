package receivers_test

import (
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/receivers"
)

func fieldsOf(lines ...string) []receivers.Field {
	var out []receivers.Field
	for i, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		out = append(out, receivers.Field{Name: name, Value: strings.TrimSpace(value), Pos: i})
	}
	return out
}

type verdict struct {
	header  string
	trusted bool
	why     string // fragment
	basis   string // fragment
}

func check(t *testing.T, got []receivers.Header, want []verdict) {
	t.Helper()
	if len(got) != len(want) {
		var names []string
		for _, h := range got {
			names = append(names, h.Header)
		}
		t.Fatalf("Decode gave %d headers %q, want %d", len(got), names, len(want))
	}
	for i, w := range want {
		h := got[i]
		if h.Header != w.header || h.Trusted != w.trusted || !strings.Contains(h.Why, w.why) || !strings.Contains(h.Basis, w.basis) {
			t.Errorf("header %d = %s trusted=%v why=%q basis=%q\nwant %s trusted=%v why~%q basis~%q", i, h.Header, h.Trusted, h.Why, h.Basis, w.header, w.trusted, w.why, w.basis)
		}
		if !h.Trusted && h.Why == "" {
			t.Errorf("%s is untrusted without a why", h.Header)
		}
	}
}

const anyone = "added before the message reached the receiver; anyone could have written it"

// TestTrustExchangeOnline: a message received by Exchange Online, which
// writes its Authentication-Results on top and its antispam headers at the
// bottom (the layout of real Microsoft 365 mail).
func TestTrustExchangeOnline(t *testing.T) {
	in := receivers.Input{Boundary: 2, Fields: fieldsOf(
		"Received: from AM4PEPF00025F95.EURPRD83.prod.outlook.com (2603:10a6:20b:127:cafe::35) by AS8PR04CA0133.outlook.office365.com with Microsoft SMTP Server",
		"Authentication-Results: spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=example.org; dkim=pass (signature was verified) header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass reason=100",
		"Received: from mail.example.org (198.51.100.7) by AM4PEPF00025F95.mail.protection.outlook.com (10.167.16.4) with Microsoft SMTP Server (version=TLS1_3) id 15.20.7918.0 via Frontend Transport",
		"X-Spam-Status: No, score=-9.0 required=5.0 tests=ALL_TRUSTED",
		"From: Alice <alice@example.org>",
		"X-MS-Exchange-Organization-SCL: 1",
		"X-Forefront-Antispam-Report: CIP:198.51.100.7;CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.example.org;PTR:mail.example.org;CAT:NONE;SFS:;DIR:INB;",
		"X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;DIR:OUT;",
		"X-Microsoft-Antispam: BCL:0;",
	)}
	check(t, receivers.Decode(in), []verdict{
		{"Authentication-Results", true, "", "no authserv-id (Microsoft 365 writes none), so only its position vouches for it"},
		{"X-Spam-Status", false, anyone, "below the trust boundary's Received field (header field 3)"},
		{"X-MS-Exchange-Organization-SCL", true, "", "written by Exchange Online, which received the message (am4pepf00025f95.mail.protection.outlook.com)"},
		{"X-Forefront-Antispam-Report", true, "", "strips or renames (-Untrusted) copies that arrive from outside"},
		{"X-Forefront-Antispam-Report-Untrusted", false, "another organization's Microsoft 365 tenant", ""},
		{"X-Microsoft-Antispam", true, "", "written by Exchange Online"},
	})
}

// TestTrustOtherReceiver: Microsoft's headers in a message that another
// receiver accepted (kernel.org receiving from Microsoft 365, as in a
// linux-kernel list post) record the sender's side, not the receiver's.
func TestTrustOtherReceiver(t *testing.T) {
	in := receivers.Input{Boundary: 0, AuthServIDs: []string{"smtp.subspace.kernel.org"}, Fields: fieldsOf(
		"Received: from EUR05-VI1-obe.outbound.protection.outlook.com (mail-vi1eur05on2084.outbound.protection.outlook.com [40.107.21.84]) by smtp.subspace.kernel.org (Postfix) with ESMTPS id CB69E16EB47",
		"ARC-Authentication-Results: i=2; mx.microsoft.com 1; spf=pass (sender ip is 63.35.35.123) smtp.mailfrom=arm.com; dmarc=pass action=none header.from=arm.com",
		"X-Forefront-Antispam-Report: CIP:63.35.35.123;CTRY:IE;LANG:en;SCL:1;SRV:;IPV:CAL;SFV:NSPM;CAT:NONE;DIR:OUT;SFP:1101;",
		"X-Microsoft-Antispam: BCL:0;",
	)}
	check(t, receivers.Decode(in), []verdict{
		{"ARC-Authentication-Results", false, anyone, "below"},
		{"X-Forefront-Antispam-Report", false, anyone, "below"},
		{"X-Microsoft-Antispam", false, anyone, "below"},
	})
}

func TestTrustAuthservID(t *testing.T) {
	fields := fieldsOf(
		"ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@example.org; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org",
		"Authentication-Results: evil.example; compauth=pass reason=100",
		"X-Spam-Status: No, score=-0.1 required=5.0 tests=SPF_PASS",
		"Received: from mail.example.org (mail.example.org [198.51.100.7]) by mx.google.com with ESMTPS id x",
	)
	cases := []struct {
		name string
		ids  []string
		want []verdict
	}{
		{"the receiving side's authserv-id", []string{"google.com"}, []verdict{
			{"ARC-Authentication-Results", true, "", "its authserv-id mx.google.com is the receiving side's"},
			{"Authentication-Results", false, "its authserv-id evil.example is not the receiving side's (google.com)", ""},
			{"X-Spam-Status", true, "", "above the trust boundary's Received field (header field 4)"},
		}},
		{"another side's authserv-id", []string{"mx.example.net"}, []verdict{
			{"ARC-Authentication-Results", false, "its authserv-id mx.google.com is not the receiving side's (mx.example.net)", ""},
			{"Authentication-Results", false, "is not the receiving side's", ""},
			{"X-Spam-Status", true, "", "above"},
		}},
		{"no authserv-ids given", nil, []verdict{
			{"ARC-Authentication-Results", true, "", "no authserv-ids of the receiving side were given"},
			{"Authentication-Results", true, "", "could not be checked"},
			{"X-Spam-Status", true, "", "above"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, receivers.Decode(receivers.Input{Boundary: 3, AuthServIDs: c.ids, Fields: fields}), c.want)
		})
	}
}

func TestTrustNoBoundary(t *testing.T) {
	in := receivers.Input{Boundary: -1, Fields: fieldsOf(
		"X-Spam-Flag: YES",
		"X-MS-Exchange-Organization-SCL: 9",
		"Received: from a by b.protection.outlook.com",
	)}
	check(t, receivers.Decode(in), []verdict{
		{"X-Spam-Flag", false, "no trust boundary was found", "no trust boundary"},
		{"X-MS-Exchange-Organization-SCL", false, "no trust boundary was found", ""},
	})
}

// TestOrder: headers come out top first, as in the message.
func TestOrder(t *testing.T) {
	in := receivers.Input{Boundary: 5, Fields: fieldsOf(
		"X-Rspamd-Action: reject",
		"X-Spamd-Result: default: True [16.10 / 15.00]; BAYES_SPAM(5.10)[99.99%]",
		"X-Mailer: x",
		"X-Spam-Level: ****************",
		"X-Some-Filter-Spam-Verdict: bad",
		"Received: from x by y",
	)}
	got := receivers.Decode(in)
	var names []string
	for _, h := range got {
		names = append(names, h.Header+"/"+h.Vendor)
	}
	want := "X-Rspamd-Action/rspamd X-Spamd-Result/rspamd X-Spam-Level/SpamAssassin X-Some-Filter-Spam-Verdict/unknown"
	if strings.Join(names, " ") != want {
		t.Errorf("Decode order = %s, want %s", strings.Join(names, " "), want)
	}
	if got[1].Summary != "rspamd: spam, score 16.10 of 15.00; weightiest symbols BAYES_SPAM 5.10." {
		t.Errorf("summary = %q", got[1].Summary)
	}
}
