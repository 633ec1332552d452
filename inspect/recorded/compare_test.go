package recorded

import (
	"reflect"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// kernelMessage is the header of the linux-doc message above, top first,
// as far as trust is concerned: delivered to lfdr.de from kernel.org's
// list server, which had received it from Microsoft 365.
var kernelMessage = []Field{
	{"Received", "from am.mirrors.kernel.org (am.mirrors.kernel.org [IPv6:2604:1380:4601:e00::3]) by mail.lfdr.de (Postfix) with ESMTPS id 171BC997371 for <lists+linux-doc@lfdr.de>; Wed,  9 Oct 2024 19:45:47 +0200 (CEST)", 0},
	{"Received", "from smtp.subspace.kernel.org (wormhole.subspace.kernel.org [52.25.139.140]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (No client certificate requested) by am.mirrors.kernel.org (Postfix) with ESMTPS id 880A61F2327D for <lists+linux-doc@lfdr.de>; Wed,  9 Oct 2024 17:45:46 +0000 (UTC)", 1},
	{"Received", "from localhost.localdomain (localhost.localdomain [127.0.0.1]) by smtp.subspace.kernel.org (Postfix) with ESMTP id B1E321E1C12; Wed,  9 Oct 2024 17:42:39 +0000 (UTC)", 2},
	{"Authentication-Results", kernelAR, 3},
	{"Received", "from NAM10-MW2-obe.outbound.protection.outlook.com (mail-mw2nam10on2080.outbound.protection.outlook.com [40.107.94.80]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (No client certificate requested) by smtp.subspace.kernel.org (Postfix) with ESMTPS id F130E1DE4CE; Wed,  9 Oct 2024 17:42:37 +0000 (UTC)", 4},
	{"ARC-Authentication-Results", kernelAAR, 5},
	{"ARC-Authentication-Results", microsoftAAR, 6},
}

func chainOf(fields []Field, internal ...string) received.Chain {
	in := received.Input{Internal: internal}
	for _, f := range fields {
		switch f.Name {
		case "Received":
			in.Received = append(in.Received, f.Value)
		case "Authentication-Results":
			in.AuthenticationResults = append(in.AuthenticationResults, f.Value)
		case "ARC-Authentication-Results":
			in.ARCAuthenticationResults = append(in.ARCAuthenticationResults, f.Value)
		}
	}
	return received.Analyze(in)
}

func TestReadTrust(t *testing.T) {
	// A receiving side of its own above the kernel.org message: one
	// trusted header of its own, one forged, one from someone else.
	own := "mx.inbound.example; spf=pass smtp.mailfrom=amd.com"
	fields := append([]Field{
		{"Authentication-Results", own, 0},
		{"Authentication-Results", "relay.elsewhere.example; spf=pass smtp.mailfrom=amd.com", 1},
		{"Received", "from mail.lfdr.de (mail.lfdr.de [192.0.2.44]) by mx1.inbound.example (Postfix) with ESMTPS id 1; Wed,  9 Oct 2024 17:45:50 +0000", 2},
		{"Authentication-Results", "mx.inbound.example; dkim=pass header.d=amd.com", 3},
	}, renumber(kernelMessage, 4)...)
	chain := chainOf(fields)
	if chain.Boundary != 0 {
		t.Fatalf("the walk chose boundary %d (receiving %v), want 0; the test needs the top hop", chain.Boundary, chain.Receiving)
	}
	got := Read(Input{Fields: fields, Chain: chain})
	want := []struct {
		trusted bool
		why     string
	}{
		{true, "part of the receiving side"},
		{false, "is not the receiving side's"},
		{false, "forged"},
		{false, "smtp.subspace.kernel.org"},    // the list server's own header, below the boundary
		{false, "already in the message"},      // kernel.org's ARC set
		{false, "written by mx.microsoft.com"}, // Microsoft's ARC set
	}
	if len(got) != len(want) {
		t.Fatalf("Read found %d headers, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Trusted != w.trusted || !strings.Contains(got[i].Why, w.why) {
			t.Errorf("header %d (%s %q): trusted %v, why %q; want %v and %q", i, got[i].Field, got[i].AuthServID, got[i].Trusted, got[i].Why, w.trusted, w.why)
		}
	}
	if got[0].Index != 0 || got[3].Index != 7 || got[4].Instance != 2 {
		t.Errorf("indices %d %d, instance %d; want 0, 7, 2", got[0].Index, got[3].Index, got[4].Instance)
	}

	// No boundary at all: nothing can be trusted.
	none := Read(Input{Fields: fields[:2], Chain: received.Analyze(received.Input{})})
	for _, h := range none {
		if h.Trusted || !strings.Contains(h.Why, "no point") {
			t.Errorf("without a boundary: %q trusted %v, why %q", h.AuthServID, h.Trusted, h.Why)
		}
	}

	// Gmail's layout: its Authentication-Results just below its own
	// Received field (dinosaure/blaze test/004.mail).
	gm := []Field{
		{"Received", "by 10.12.195.133 with SMTP id o5csp1021946qvi; Wed, 28 Mar 2018 15:01:18 -0700 (PDT)", 0},
		{"Received", "from mx-out-01b.sjc2.discourse.org (mx-out-01b.sjc2.discourse.org. [216.218.240.121]) by mx.google.com with ESMTPS id bj5-v6si4246535plb.712.2018.03.28.15.01.17 for <romain.calascibetta@gmail.com> (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128); Wed, 28 Mar 2018 15:01:18 -0700 (PDT)", 1},
		{"Received-SPF", "pass (google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender) client-ip=216.218.240.121;", 2},
		{"Authentication-Results", gmailAR, 3},
		{"Received", "from localhost.localdomain (unknown [IPv6:2001:470:107:1::212:8d46:a771]) by mx-out-01b.sjc2.discourse.org (Postfix) with ESMTP id 98C035E012C for <romain.calascibetta@gmail.com>; Wed, 28 Mar 2018 22:01:17 +0000 (UTC)", 4},
		{"From", "Yaron Minsky <ocaml@discoursemail.com>", 5},
		{"Authentication-Results", "mx.google.com; dkim=pass header.d=discoursemail.com", 6},
	}
	gc := chainOf(gm)
	g := Read(Input{Fields: gm, Chain: gc})
	if gc.Boundary != 1 || len(g) != 2 {
		t.Fatalf("Gmail layout: boundary %d, %d headers; want 1, 2", gc.Boundary, len(g))
	}
	if !g[0].Trusted || !strings.Contains(g[0].Why, "as Gmail places it") {
		t.Errorf("Gmail's own header: trusted %v, why %q", g[0].Trusted, g[0].Why)
	}
	if g[1].Trusted || !strings.Contains(g[1].Why, "forged") {
		t.Errorf("a copy among the sender's headers: trusted %v, why %q", g[1].Trusted, g[1].Why)
	}

	// Microsoft 365's field without authserv-id, above the boundary.
	ms := []Field{
		{"Authentication-Results", microsoftAR, 0},
		{"Received", "from mail.sender.example (192.0.2.9) by BN1PEPF00004687.mail.protection.outlook.com (10.167.243.132) with Microsoft SMTP Server id 15.20.8534.20 via Frontend Transport; Tue, 11 Mar 2025 19:45:29 +0000", 1},
	}
	h := Read(Input{Fields: ms, Chain: chainOf(ms)})
	if len(h) != 1 || !h[0].Trusted || !strings.Contains(h[0].Why, "no authserv-id") {
		t.Errorf("Microsoft 365 field: %+v, want trusted by position", h)
	}
}

func renumber(fs []Field, from int) []Field {
	out := make([]Field, len(fs))
	for i, f := range fs {
		f.Index = from + i
		out[i] = f
	}
	return out
}

// sig is a DKIM result as the replay gives it, with the key lookup step
// that keyState reads.
func sig(result trace.Result, keyRcode string, keyAnswer string, bodyOK, headerOK *bool) dkim.Signature {
	q := &trace.Query{Name: "sel._domainkey.example.org.", Type: "TXT", Rcode: keyRcode}
	if keyAnswer != "" {
		q.Answers = []string{keyAnswer}
	}
	return dkim.Signature{
		Result: result, Domain: "example.org", Selector: "sel",
		BodyHashOK: bodyOK, HeaderSignatureOK: headerOK, Expires: "",
		Steps: []trace.Step{{Title: "Read"}, {Title: "Fetch the key", Query: q}},
	}
}

func ptr(b bool) *bool { return &b }

func inTesting(s dkim.Signature) dkim.Signature { s.Testing = true; return s }

const liveKey = "v=DKIM1; k=ed25519; p=6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw="

func TestCompare(t *testing.T) {
	trusted := func(v string) Header { h := Parse(v, false); h.Trusted = true; return h }
	untrustedBelow := func(v string) Header { h := Parse(v, false); h.Index = 5; return h }
	chain := received.Chain{Boundary: 0, Receiving: []string{"inbound.example"}, Hops: []received.Hop{
		{By: "mx1.inbound.example", FromIP: "192.0.2.10"},
		{By: "lists.forwarder.example", FromIP: "192.0.2.9"},
	}}
	spfPass := spf.Result{Result: trace.Pass, Domain: "example.org", Identity: spf.MailFrom, ClientIP: "192.0.2.10"}
	spfFail := spf.Result{Result: trace.Fail, Domain: "example.org", Identity: spf.MailFrom, ClientIP: "192.0.2.10"}
	dmarcPass := dmarc.Result{Result: trace.Pass, FromDomain: "example.org"}
	dmarcFail := dmarc.Result{Result: trace.Fail, FromDomain: "example.org"}

	cases := []struct {
		name   string
		header Header
		replay Replay
		want   []Cause // one per difference, in order
		words  string  // the first difference's explanation must say this
	}{
		{
			name:   "everything agrees",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org header.s=sel; dmarc=pass header.from=example.org"),
			replay: Replay{Chain: chain, SPF: spfPass, DKIM: []dkim.Signature{sig(trace.Pass, "NOERROR", liveKey, ptr(true), ptr(true))}, DMARC: dmarcPass},
		},
		{
			name:   "SPF record changed",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=bounce@example.org smtp.remote-ip=192.0.2.10"),
			replay: Replay{Chain: chain, SPF: spfFail},
			want:   []Cause{CauseSPFChanged}, words: "was most likely changed since delivery",
		},
		{
			name:   "SPF for another client",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=example.org smtp.remote-ip=198.51.100.1"),
			replay: Replay{Chain: chain, SPF: spfFail},
			want:   []Cause{CauseEnvelope}, words: "198.51.100.1",
		},
		{
			name:   "SPF temperror in the replay",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=example.org"),
			replay: Replay{Chain: chain, SPF: spf.Result{Result: trace.TempError, Domain: "example.org", Identity: spf.MailFrom}},
			want:   []Cause{CauseDNSFailure},
		},
		{
			name:   "HELO result compared with the HELO check",
			header: trusted("mx1.inbound.example; spf=none smtp.helo=mail.example.org"),
			replay: Replay{Chain: chain, SPF: spfPass, HELO: &spf.Result{Result: trace.Pass, Domain: "mail.example.org", Identity: spf.HELO}},
			want:   []Cause{CauseSPFChanged},
		},
		{
			name:   "DKIM key revoked, DMARC follows",
			header: trusted("mx1.inbound.example; dkim=pass header.d=example.org header.s=sel; dmarc=pass header.from=example.org"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.PermError, "NOERROR", "v=DKIM1; k=ed25519; p=", nil, nil)}, DMARC: dmarcFail},
			want:   []Cause{CauseKeyRevoked, CausePolicyDiffs}, words: "empty p=",
		},
		{
			name:   "DKIM key removed",
			header: trusted("mx1.inbound.example; dkim=pass header.i=@example.org"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.PermError, "NXDOMAIN", "", nil, nil)}},
			want:   []Cause{CauseKeyRevoked}, words: "no key for selector sel",
		},
		{
			name:   "DKIM key rotated",
			header: trusted("mx1.inbound.example; dkim=pass header.d=example.org header.s=sel"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.Fail, "NOERROR", liveKey, ptr(true), ptr(false))}},
			want:   []Cause{CauseKeyRotated}, words: "replaced the key",
		},
		{
			name:   "body changed after delivery",
			header: trusted("mx1.inbound.example; dkim=pass header.d=example.org header.s=sel"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.Fail, "NOERROR", liveKey, ptr(false), nil)}},
			want:   []Cause{CauseModified}, words: "body",
		},
		{
			name:   "signature gone from the message",
			header: trusted("mx1.inbound.example; dkim=pass header.d=other.example"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.Pass, "NOERROR", liveKey, ptr(true), ptr(true))}},
			want:   []Cause{CauseModified}, words: "no longer carries",
		},
		{
			name:   "Microsoft's header.d=none is not a signature",
			header: trusted(microsoftAR),
			replay: Replay{Chain: chain, SPF: spf.Result{Result: trace.Pass, Domain: "amd.com", Identity: spf.MailFrom, ClientIP: "165.204.84.17"}, DMARC: dmarc.Result{Result: trace.Pass, FromDomain: "amd.com"}},
		},
		{
			name:   "DMARC differs alone: the record changed",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=example.org; dmarc=fail header.from=example.org"),
			replay: Replay{Chain: chain, SPF: spfPass, DMARC: dmarcPass},
			want:   []Cause{CauseDNSChanged}, words: "DMARC record",
		},
		{
			name:   "From changed after delivery",
			header: trusted("mx1.inbound.example; dmarc=pass header.from=other.example"),
			replay: Replay{Chain: chain, DMARC: dmarcFail},
			want:   []Cause{CauseModified}, words: "From header was changed",
		},
		{
			name:   "forged claims below the boundary",
			header: untrustedBelow("mx1.inbound.example; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org"),
			replay: Replay{Chain: chain, SPF: spfFail, DMARC: dmarcFail},
			want:   []Cause{CauseUnproven, CauseUnproven}, words: "forged",
		},
		{
			name:   "a forwarder's view",
			header: untrustedBelow("lists.forwarder.example; spf=pass smtp.mailfrom=example.org"),
			replay: Replay{Chain: chain, SPF: spfFail},
			want:   []Cause{CauseForwarder}, words: "lists.forwarder.example",
		},
		{
			name:   "unknown results and methods are not compared",
			header: trusted("mx1.inbound.example; spf=bestguesspass smtp.mailfrom=example.org; compauth=fail reason=000; x-custom=pass"),
			replay: Replay{Chain: chain, SPF: spfFail},
		},
		{
			name:   "iprev changed",
			header: trusted("mx1.inbound.example; iprev=pass policy.iprev=192.0.2.10"),
			replay: Replay{Chain: chain, IPRev: IPRev{Result: trace.Fail, IP: "192.0.2.10"}},
			want:   []Cause{CauseDNSChanged}, words: "PTR",
		},
		{
			// RFC 8601 §2.2 allows "=" in the local-part of a pvalue; cut
			// there, the domain would read "bounces+2213-9f1e".
			name:   "a VERP bounce address is one MAIL FROM, not another envelope",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=bounces+2213-9f1e=campus.example@em.esp.example"),
			replay: Replay{Chain: chain, SPF: spf.Result{Result: trace.Pass, Domain: "em.esp.example", Identity: spf.MailFrom, ClientIP: "192.0.2.10"}},
		},
		{
			name:   "a quoted local-part before @",
			header: trusted(`mx1.inbound.example; spf=pass smtp.mailfrom="bounce=x"@em.esp.example`),
			replay: Replay{Chain: chain, SPF: spf.Result{Result: trace.Pass, Domain: "em.esp.example", Identity: spf.MailFrom, ClientIP: "192.0.2.10"}},
		},
		{
			name:   "a forwarder's DKIM view is about the message, not the client",
			header: untrustedBelow("lists.forwarder.example; dkim=pass header.d=example.org header.s=sel"),
			replay: Replay{Chain: chain, DKIM: []dkim.Signature{sig(trace.Fail, "NOERROR", liveKey, ptr(false), nil)}},
			want:   []Cause{CauseForwarder}, words: "on the message as it was then",
		},
		{
			name:   "a key in testing mode: the receiver counted it, the replay does not",
			header: trusted("mx1.inbound.example; dkim=pass header.d=example.org header.s=sel; spf=fail smtp.mailfrom=other.example; dmarc=pass header.from=example.org"),
			replay: Replay{Chain: chain, SPF: spf.Result{Result: trace.Fail, Domain: "other.example", Identity: spf.MailFrom, ClientIP: "192.0.2.10"},
				DKIM: []dkim.Signature{inTesting(sig(trace.Pass, "NOERROR", liveKey+"; t=y", ptr(true), ptr(true)))}, DMARC: dmarcFail},
			want: []Cause{CauseTestingKey}, words: "t=y",
		},
		{
			name:   "the null sender: smtp.helo is the MAIL FROM check of postmaster@HELO",
			header: trusted("mx1.inbound.example; spf=pass smtp.helo=mail.example.org"),
			replay: Replay{Chain: chain, NullSender: true, SPF: spf.Result{Result: trace.Fail, Domain: "mail.example.org", Identity: spf.MailFrom, Sender: "postmaster@mail.example.org", ClientIP: "192.0.2.10"}},
			want:   []Cause{CauseSPFChanged},
		},
		{
			name:   "an unknown MAIL FROM is another envelope, and the recorded one is offered",
			header: trusted("mx1.inbound.example; spf=pass smtp.mailfrom=bounce@example.org"),
			replay: Replay{Chain: chain, UnknownMailFrom: true, SPF: spf.Result{Result: trace.None, Identity: spf.MailFrom, ClientIP: "192.0.2.10"}},
			want:   []Cause{CauseEnvelope}, words: "--mail-from bounce@example.org",
		},
		{
			name:   "hardfail is RFC 5451's fail",
			header: trusted("mx1.inbound.example; spf=hardfail smtp.mailfrom=example.org"),
			replay: Replay{Chain: chain, SPF: spfFail},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Compare([]Header{c.header}, c.replay)
			var causes []Cause
			for _, d := range got {
				causes = append(causes, d.Cause)
				if d.Header != 0 || d.AuthServID != c.header.AuthServID || d.Trusted != c.header.Trusted || d.Explain == "" {
					t.Errorf("difference %+v does not name its header", d)
				}
			}
			if len(causes) != len(c.want) {
				t.Fatalf("Compare = %+v, want causes %v", got, c.want)
			}
			for i := range causes {
				if causes[i] != c.want[i] {
					t.Errorf("difference %d cause = %s, want %s (%s)", i, causes[i], c.want[i], got[i].Explain)
				}
			}
			if c.words != "" && !strings.Contains(got[0].Explain, c.words) {
				t.Errorf("explain = %q, want it to say %q", got[0].Explain, c.words)
			}
		})
	}
}

// TestCompareOnce: a receiver's Authentication-Results and its
// ARC-Authentication-Results saying the same give one difference.
func TestCompareOnce(t *testing.T) {
	ar := Parse("mx.google.com; spf=pass smtp.mailfrom=example.org", false)
	aar := Parse("i=1; mx.google.com; spf=pass smtp.mailfrom=example.org", true)
	ar.Trusted, aar.Trusted = true, true
	got := Compare([]Header{aar, ar}, Replay{SPF: spf.Result{Result: trace.Fail, Domain: "example.org", Identity: spf.MailFrom}})
	if len(got) != 1 || got[0].Header != 0 {
		t.Errorf("Compare = %+v, want one difference, about the first header", got)
	}
}

// TestCompareOneReceiver: OpenDKIM, OpenDMARC and policyd-spf each write
// their own Authentication-Results field with the same authserv-id. The
// DMARC difference is judged with the DKIM result of the neighbouring
// field, not alone.
func TestCompareOneReceiver(t *testing.T) {
	chain := received.Chain{Boundary: 0, Receiving: []string{"inbound.example"}, Hops: []received.Hop{{By: "mx1.inbound.example", FromIP: "192.0.2.10"}}}
	revoked := sig(trace.PermError, "NOERROR", "v=DKIM1; k=ed25519; p=", nil, nil)
	spfPass := spf.Result{Result: trace.Pass, Domain: "em.esp.example", Identity: spf.MailFrom, ClientIP: "192.0.2.10"}
	field := func(v string, index, delivery int) Header {
		h := Parse(v, false)
		h.Trusted, h.Index, h.delivery = true, index, delivery
		return h
	}
	dmarcF := "mx1.inbound.example; dmarc=pass header.from=example.org"
	dkimF := "mx1.inbound.example; dkim=pass header.d=example.org header.s=sel"
	spfF := "mx1.inbound.example; spf=pass smtp.mailfrom=bounces+1=x@em.esp.example"
	type want struct {
		method string
		cause  Cause
		header int
		words  string // the explanation must say this
	}
	cases := []struct {
		name    string
		headers []Header
		want    []want
		not     string // no explanation may say this
	}{
		{
			name:    "one field per method, DMARC on top",
			headers: []Header{field(dmarcF, 0, 0), field(dkimF, 1, 0), field(spfF, 2, 0)},
			want: []want{
				{"dkim", CauseKeyRevoked, 1, "empty p="},
				{"dmarc", CausePolicyDiffs, 0, "DKIM signature d=example.org s=sel"},
			},
			not: "agree with the receiver",
		},
		{
			name:    "one field for everything",
			headers: []Header{field("mx1.inbound.example; "+strings.TrimPrefix(dkimF, "mx1.inbound.example; ")+"; "+strings.TrimPrefix(spfF, "mx1.inbound.example; ")+"; dmarc=pass header.from=example.org", 0, 0)},
			want: []want{
				{"dkim", CauseKeyRevoked, 0, "empty p="},
				{"dmarc", CausePolicyDiffs, 0, "DKIM signature d=example.org s=sel"},
			},
		},
		{
			name:    "DMARC recorded alone: nothing to say SPF and DKIM agree",
			headers: []Header{field(dmarcF, 0, 0)},
			want:    []want{{"dmarc", CauseDNSChanged, 0, "recorded no SPF or DKIM result"}},
			not:     "agree with the receiver",
		},
		{
			name:    "the same server at another delivery is another judgement",
			headers: []Header{field(dmarcF, 0, 0), field(dkimF, 2, 1)},
			want: []want{
				{"dmarc", CauseDNSChanged, 0, "recorded no SPF or DKIM result"},
				{"dkim", CauseKeyRevoked, 1, "empty p="},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Compare(c.headers, Replay{Chain: chain, SPF: spfPass, DKIM: []dkim.Signature{revoked}, DMARC: dmarc.Result{Result: trace.Fail, FromDomain: "example.org"}})
			if len(got) != len(c.want) {
				t.Fatalf("Compare = %+v, want %d differences", got, len(c.want))
			}
			for i, w := range c.want {
				d := got[i]
				if d.Method != w.method || d.Cause != w.cause || d.Header != w.header || !strings.Contains(d.Explain, w.words) {
					t.Errorf("difference %d = %s %s about header %d (%q), want %s %s about header %d saying %q", i, d.Method, d.Cause, d.Header, d.Explain, w.method, w.cause, w.header, w.words)
				}
				if c.not != "" && strings.Contains(d.Explain, c.not) {
					t.Errorf("difference %d says %q: %q", i, c.not, d.Explain)
				}
			}
		})
	}
}

// TestReadDelivery: Read tells the fields of one delivery apart by the
// Received fields above them.
func TestReadDelivery(t *testing.T) {
	fields := []Field{
		{"Authentication-Results", "mx1.inbound.example; dmarc=pass header.from=example.org", 0},
		{"Authentication-Results", "mx1.inbound.example; dkim=pass header.d=example.org", 1},
		{"Received", "from mx1.inbound.example (mx1.inbound.example [192.0.2.1]) by mx1.inbound.example (Postfix) with ESMTP id 2; Fri, 20 Nov 2026 08:14:40 +0000", 2},
		{"Authentication-Results", "mx1.inbound.example; spf=pass smtp.mailfrom=example.org", 3},
		{"Received", "from mail.example.org (mail.example.org [192.0.2.10]) by mx1.inbound.example (Postfix) with ESMTPS id 1; Fri, 20 Nov 2026 08:14:30 +0000", 4},
	}
	got := Read(Input{Fields: fields, Chain: chainOf(fields)})
	var deliveries []int
	for _, h := range got {
		deliveries = append(deliveries, h.delivery)
	}
	if want := []int{0, 0, 1}; !reflect.DeepEqual(deliveries, want) {
		t.Errorf("deliveries = %v, want %v", deliveries, want)
	}
}
