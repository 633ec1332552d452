package received

import (
	"encoding/json"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/trace"
)

// Real chains, top-most header first. Each is the Received fields of one
// message exactly as its source shows them (unfolded).
var (
	// Gmail to Outlook.com: github.com/microsoft/MHA,
	// src/Scripts/getHeaders/GetHeadersEWS.test.ts @11ca2ea1 (MIT).
	gmailToOutlook = []string{
		"from BY2NAM01HT049.eop-nam01.prod.protection.outlook.com (2a01:111:e400:5a6b::50) by BY2PR16MB0487.namprd16.prod.outlook.com with HTTPS via BY2PR1001CA0082.NAMPRD10.PROD.OUTLOOK.COM; Mon, 21 May 2018 16:08:55 +0000",
		"from BY2NAM01FT028.eop-nam01.prod.protection.outlook.com (10.152.68.57) by BY2NAM01HT049.eop-nam01.prod.protection.outlook.com (10.152.69.85) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.20.776.18; Mon, 21 May 2018 16:08:54 +0000",
		"from mail-ua0-f171.google.com (209.85.217.171) by BY2NAM01FT028.mail.protection.outlook.com (10.152.69.201) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA_P384) id 15.20.776.10 via Frontend Transport; Mon, 21 May 2018 16:08:54 +0000",
		"by mail-ua0-f171.google.com with SMTP id g9-v6so10266038uak.7;        Mon, 21 May 2018 09:08:54 -0700 (PDT)",
		"from [10.233.168.165] ([186.2.138.141])        by smtp.gmail.com with ESMTPSA id 72-v6sm5966316vko.20.2018.05.21.09.08.52        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);        Mon, 21 May 2018 09:08:53 -0700 (PDT)",
	}

	// An internal relay chain at a hosting provider (locaweb.com.br, whose
	// relays also use correio.biz names), receiving from voith.com's
	// Exchange. The lower headers of a message in a public repository's
	// Ruby test (code search index file 22541761150), Message-ID
	// <b2a889d5336745a5bcd9518bba6fd3b1@voith.com>, from the mailbox
	// delivery down.
	internalRelays = []string{
		"from arnie0158.email.locaweb.com.br ([10.31.68.214])\tby lisa0651.email.locaweb.com.br with LMTP id sLbqDQI4AVw/GgAA9Qk+mA\tfor <support@milano.hospedagemdesites.ws>; Fri, 30 Nov 2018 11:15:46 -0200",
		"from arnie0158.email.locaweb.com.br ([127.0.0.1])\tby arnie0158.email.locaweb.com.br (Dovecot) with LMTP id 2f7PDQI4AVyGBQAA9TuAPw\t; Fri, 30 Nov 2018 11:15:46 -0200",
		"from arnie0158.email.locaweb.com.br (localhost [127.0.0.1])\tby arnie0158.email.locaweb.com.br (Postfix) with ESMTP id 24FC19801A2\tfor <support@milano.hospedagemdesites.ws>; Fri, 30 Nov 2018 11:15:46 -0200 (-02)",
		"from burns0025.correio.biz (bob0013.email.locaweb.com.br [10.31.68.217])\tby arnie0158.email.locaweb.com.br (Postfix) with ESMTP id 1419C980183;\tFri, 30 Nov 2018 11:15:46 -0200 (-02)",
		"from mail1.voith.com (mail1.voith.com [193.169.204.20])\tby burns0025.correio.biz (Postfix) with ESMTPS id 14749180266;\tFri, 30 Nov 2018 11:15:45 -0200 (-02)",
		"from HDHS0111.euro1.voith.net (172.21.17.42) by HDHS0115.euro1.voith.net (172.21.17.44) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256) id 15.1.1415.2; Fri, 30 Nov 2018 14:05:39 +0100",
		"from HDHS0115.euro1.voith.net (172.21.17.44) by HDHS0111.euro1.voith.net (172.21.17.42) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256) id 15.1.1415.2; Fri, 30 Nov 2018 14:05:38 +0100",
		"from HDHS0115.euro1.voith.net ([fe80::24cb:4fb1:2e0b:e23b]) by HDHS0115.euro1.voith.net ([fe80::24cb:4fb1:2e0b:e23b%14]) with mapi id 15.01.1415.002; Fri, 30 Nov 2018 14:05:38 +0100",
	}

	// A forwarded message: Amazon SES to Google, which forwarded it to
	// kvack.org. linux-mm@kvack.org, Message-ID
	// <0100016382eb15e3-ce5d246f-1f88-401b-8a19-9a59f9707fe5-000000@email.amazonses.com>.
	forwardedViaGoogle = []string{
		"from mail-yw0-f198.google.com (mail-yw0-f198.google.com [209.85.161.198])\tby kanga.kvack.org (Postfix) with ESMTP id B2EC36B0003\tfor <linux-mm@kvack.org>; Mon, 21 May 2018 09:37:16 -0400 (EDT)",
		"by mail-yw0-f198.google.com with SMTP id j11-v6so8387297ywi.6        for <linux-mm@kvack.org>; Mon, 21 May 2018 06:37:16 -0700 (PDT)",
		"from a9-92.smtp-out.amazonses.com (a9-92.smtp-out.amazonses.com. [54.240.9.92])        by mx.google.com with ESMTPS id s129-v6si3395022ywb.183.2018.05.21.06.37.15        for <linux-mm@kvack.org>        (version=TLS1_2 cipher=ECDHE-RSA-AES128-SHA bits=128/128);        Mon, 21 May 2018 06:37:15 -0700 (PDT)",
	}
)

// Made-up chains for the cases real archives do not keep: forged lower
// hops, a client pretending to be the receiver. Documentation addresses
// (RFC 5737) and .example names (RFC 2606).
var (
	contractExample = []string{
		"from mail.attacker.example (unknown [203.0.113.66]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8x2LmZ1kz9 for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000 (UTC)",
		"from localhost (127.0.0.1) by mail.attacker.example (Postfix) with ESMTP id 77A1C; Fri, 20 Nov 2026 08:14:24 +0000",
	}
	// The attacker wrote hops 1 and 2 to make the message look as if it
	// came from paypal.example's own servers, dated after the real hop.
	forgedLowerHop = []string{
		"from mail.paypal.example (unknown [203.0.113.66]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8x2LmZ1kz9 for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000 (UTC)",
		"from smtp.paypal.example (smtp.paypal.example [192.0.2.10]) by mx.paypal.example (Postfix) with ESMTP id 1A2B3C; Fri, 20 Nov 2026 08:20:00 +0000",
		"from [10.0.0.5] by smtp.paypal.example with ESMTPSA; Fri, 20 Nov 2026 08:19:58 +0000",
	}
	// A careless forgery: the lower header names a server the real hop
	// never talked to.
	forgedBrokenChain = []string{
		"from bulk7.mailer.example (bulk7.mailer.example [198.51.100.77]) by mx1.inbound.example (Postfix) with ESMTP id 9F8E7D for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000",
		"from smtp.bank.example (smtp.bank.example [192.0.2.20]) by out.bank.example (Postfix) with ESMTPS id 55AA; Fri, 20 Nov 2026 08:14:20 +0000",
	}
	// The client calls itself by the receiver's own name.
	heloClaimsReceiver = []string{
		"from mx2.inbound.example (unknown [203.0.113.9]) by mx1.inbound.example (Postfix) with ESMTP id 77AA for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000",
		"from mx3.inbound.example ([10.1.1.1]) by mx2.inbound.example with ESMTP id 1; Fri, 20 Nov 2026 08:14:29 +0000",
	}
)

func stepTitles(steps []trace.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Title)
	}
	return out
}

func findStep(steps []trace.Step, prefix string) *trace.Step {
	for i := range steps {
		if strings.HasPrefix(steps[i].Title, prefix) {
			return &steps[i]
		}
	}
	return nil
}

func fl(f float64) *float64 { return &f }

// TestBoundary checks the boundary choice, the envelope and the chain
// anomalies for the paths the issue names.
func TestBoundary(t *testing.T) {
	tests := []struct {
		name      string
		in        Input
		boundary  int
		receiving []string
		envelope  Envelope
		delays    []*float64
		transit   *float64
		anomalies [][]string // per hop, substrings in order
		steps     []string   // title prefixes that must be present, in order
		explain   string     // substring of the boundary step's explanation
	}{
		{
			name:      "gmail to outlook",
			in:        Input{Received: gmailToOutlook, ReturnPath: []string{"<testuser@gmail.com>"}},
			boundary:  2,
			receiving: []string{"outlook.com"},
			envelope: Envelope{ClientIP: "209.85.217.171", HELO: "mail-ua0-f171.google.com", MailFrom: "testuser@gmail.com",
				DerivedFrom: DerivedFrom{ClientIP: "received[2] (boundary)", HELO: "received[2] (boundary)", MailFrom: "Return-Path"}},
			delays:    []*float64{fl(1), fl(0), fl(0), fl(1), nil},
			transit:   fl(2),
			anomalies: [][]string{nil, nil, nil, nil, {"introduced itself with the address 10.233.168.165"}},
			steps: []string{"Receiving side: outlook.com", "hop 0: a relay inside outlook.com", "hop 1: a relay inside outlook.com",
				"hop 2: the message entered outlook.com here", "SPF client address: 209.85.217.171", "HELO name: mail-ua0-f171.google.com",
				"MAIL FROM: testuser@gmail.com"},
			explain: "Hop 2 is the first hop whose sender is outside outlook.com because the client called itself mail-ua0-f171.google.com, a name in google.com",
		},
		{
			name:      "internal relay chain",
			in:        Input{Received: internalRelays, ReturnPath: []string{"<jailson.oliveira@voith.com>"}},
			boundary:  4,
			receiving: []string{"locaweb.com.br", "correio.biz"},
			envelope: Envelope{ClientIP: "193.169.204.20", HELO: "mail1.voith.com", MailFrom: "jailson.oliveira@voith.com",
				DerivedFrom: DerivedFrom{ClientIP: "received[4] (boundary)", HELO: "received[4] (boundary)", MailFrom: "Return-Path"}},
			delays:  []*float64{fl(0), fl(0), fl(0), fl(1), fl(606), fl(1), fl(0), nil},
			transit: fl(608),
			anomalies: [][]string{nil, nil, nil, nil,
				{"hop 4 says it received the message from mail1.voith.com [193.169.204.20], but the hop below (hop 5) was stamped by HDHS0115.euro1.voith.net"},
				nil, nil, nil},
			steps: []string{"Receiving side: locaweb.com.br", "hop 0: a relay inside locaweb.com.br", "hop 1: a relay", "hop 2: a relay",
				"hop 3: a relay", "Receiving side also includes correio.biz", "hop 4: the message entered locaweb.com.br and correio.biz here"},
			explain: "the receiver looked up the client's address 193.169.204.20 and found mail1.voith.com, a name in voith.com",
		},
		{
			name:      "forwarded message",
			in:        Input{Received: forwardedViaGoogle, ReturnPath: []string{"<owner-linux-mm@kvack.org>"}},
			boundary:  0,
			receiving: []string{"kvack.org"},
			envelope: Envelope{ClientIP: "209.85.161.198", HELO: "mail-yw0-f198.google.com", MailFrom: "owner-linux-mm@kvack.org",
				DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)", MailFrom: "Return-Path"}},
			delays:    []*float64{fl(0), fl(1), nil},
			transit:   fl(1),
			anomalies: [][]string{nil, nil, nil},
			steps:     []string{"Receiving side: kvack.org", "hop 0: the message entered kvack.org here", "mx.google.com forwarded the message (hop 2)"},
			explain:   "found mail-yw0-f198.google.com, a name in google.com",
		},
		{
			name:      "forged lower hops",
			in:        Input{Received: forgedLowerHop, ReturnPath: []string{"<service@paypal.example>"}},
			boundary:  0,
			receiving: []string{"inbound.example"},
			envelope: Envelope{ClientIP: "203.0.113.66", HELO: "mail.paypal.example", MailFrom: "service@paypal.example",
				DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)", MailFrom: "Return-Path"}},
			delays:  []*float64{fl(-330), fl(2), nil},
			transit: fl(-328),
			anomalies: [][]string{
				{"no reverse DNS name for 203.0.113.66", "stamped 5 min 30 s before the hop below it (hop 1)"},
				nil, nil},
			steps:   []string{"Receiving side: inbound.example", "hop 0: the message entered inbound.example here"},
			explain: "the receiver found no trustworthy reverse DNS name for 203.0.113.66, and the name a client gives itself (mail.paypal.example) proves nothing",
		},
		{
			name:      "forged hop breaks the chain",
			in:        Input{Received: forgedBrokenChain},
			boundary:  0,
			receiving: []string{"inbound.example"},
			envelope: Envelope{ClientIP: "198.51.100.77", HELO: "bulk7.mailer.example",
				DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)"}},
			delays:    []*float64{fl(10), nil},
			transit:   fl(10),
			anomalies: [][]string{{"hop 0 says it received the message from bulk7.mailer.example [198.51.100.77], but the hop below (hop 1) was stamped by out.bank.example"}, nil},
			steps:     []string{"Receiving side: inbound.example", "hop 0: the message entered inbound.example here", "SPF client address", "HELO name", "MAIL FROM: unknown"},
			explain:   "a name in mailer.example",
		},
		{
			name:      "helo claims the receiver",
			in:        Input{Received: heloClaimsReceiver},
			boundary:  0,
			receiving: []string{"inbound.example"},
			envelope: Envelope{ClientIP: "203.0.113.9", HELO: "mx2.inbound.example",
				DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)"}},
			delays:  []*float64{fl(1), nil},
			transit: fl(1),
			anomalies: [][]string{{"no reverse DNS name for 203.0.113.9",
				"introduced itself as mx2.inbound.example, a name in inbound.example — the receiving server's own domain — but its address 203.0.113.9 has no name"}, nil},
			steps:   []string{"Receiving side: inbound.example", "hop 0: the message entered inbound.example here"},
			explain: "proves nothing",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Analyze(tc.in)
			if c.Boundary != tc.boundary || c.AutoBoundary != tc.boundary {
				t.Errorf("Boundary = %d (auto %d), want %d; steps %q", c.Boundary, c.AutoBoundary, tc.boundary, stepTitles(c.Steps))
			}
			if !reflect.DeepEqual(c.Receiving, tc.receiving) {
				t.Errorf("Receiving = %q, want %q", c.Receiving, tc.receiving)
			}
			env := c.Envelope
			env.Addr = netip.Addr{}
			if !reflect.DeepEqual(env, tc.envelope) {
				t.Errorf("Envelope = %+v, want %+v", c.Envelope, tc.envelope)
			}
			if c.Envelope.ClientIP != "" && c.Envelope.Addr.String() != c.Envelope.ClientIP {
				t.Errorf("Envelope.Addr = %v, want %s", c.Envelope.Addr, c.Envelope.ClientIP)
			}
			if len(c.Hops) != len(tc.in.Received) {
				t.Fatalf("got %d hops, want %d", len(c.Hops), len(tc.in.Received))
			}
			for i, h := range c.Hops {
				if !eqDelay(h.DelaySeconds, tc.delays[i]) {
					t.Errorf("hop %d delay = %v, want %v", i, show(h.DelaySeconds), show(tc.delays[i]))
				}
				want := tc.anomalies[i]
				if len(h.Anomalies) != len(want) {
					t.Errorf("hop %d anomalies = %q, want %d matching %q", i, h.Anomalies, len(want), want)
					continue
				}
				for k, sub := range want {
					if !strings.Contains(h.Anomalies[k], sub) {
						t.Errorf("hop %d anomaly %d = %q, want it to contain %q", i, k, h.Anomalies[k], sub)
					}
				}
			}
			if !eqDelay(c.Transit, tc.transit) {
				t.Errorf("Transit = %v, want %v", show(c.Transit), show(tc.transit))
			}
			titles := stepTitles(c.Steps)
			at := 0
			for _, want := range tc.steps {
				found := false
				for at < len(titles) {
					at++
					if strings.HasPrefix(titles[at-1], want) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("steps %q lack %q (in order)", titles, want)
					break
				}
			}
			if tc.boundary >= 0 {
				bs := findStep(c.Steps, "hop "+strconv.Itoa(tc.boundary)+": the message entered")
				if bs == nil {
					t.Fatalf("no boundary step in %q", titles)
				}
				if !strings.Contains(bs.Explain, tc.explain) || bs.Ref != "RFC 8601 §5" {
					t.Errorf("boundary step = %q (%s), want it to contain %q", bs.Explain, bs.Ref, tc.explain)
				}
			}
			checkSteps(t, c.Steps)
			for _, h := range c.Hops {
				for _, a := range h.Anomalies {
					for _, p := range tracetest.TextProblems("anomaly", a) {
						t.Errorf("hop anomaly %q: %s", a, p)
					}
				}
			}
		})
	}
}

func eqDelay(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func show(f *float64) any {
	if f == nil {
		return "null"
	}
	return *f
}

// TestContractExample reproduces the received and envelope parts of
// /work/shared/report-example.json.
func TestContractExample(t *testing.T) {
	c := Analyze(Input{Received: contractExample, ReturnPath: []string{"<bounce@attacker.example>"}})
	got, err := json.Marshal(struct {
		Envelope Envelope `json:"envelope"`
		Received []Hop    `json:"received"`
		Boundary int      `json:"boundary"`
	}{c.Envelope, c.Hops, c.Boundary})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	wantEnv := map[string]any{"client_ip": "203.0.113.66", "helo": "mail.attacker.example", "mail_from": "bounce@attacker.example",
		"derived_from": map[string]any{"client_ip": "received[0] (boundary)", "helo": "received[0] (boundary)", "mail_from": "Return-Path"}}
	if !reflect.DeepEqual(doc["envelope"], wantEnv) {
		t.Errorf("envelope = %v, want %v", doc["envelope"], wantEnv)
	}
	if doc["boundary"] != float64(0) {
		t.Errorf("boundary = %v, want 0", doc["boundary"])
	}
	hops := doc["received"].([]any)
	want0 := map[string]any{"from_helo": "mail.attacker.example", "from_rdns": "unknown", "from_ip": "203.0.113.66",
		"by": "mx1.inbound.example", "via": "", "with": "ESMTPS", "id": "4Q8x2LmZ1kz9", "for": "bob@inbound.example",
		"time": "2026-11-20T08:14:30Z", "delay_seconds": float64(6),
		"anomalies": []any{"the receiver recorded no reverse DNS name for 203.0.113.66"}, "raw": contractExample[0]}
	want1 := map[string]any{"from_helo": "localhost", "from_rdns": "", "from_ip": "127.0.0.1", "by": "mail.attacker.example",
		"via": "", "with": "ESMTP", "id": "77A1C", "for": "", "time": "2026-11-20T08:14:24Z", "delay_seconds": nil,
		"anomalies": []any{}, "raw": contractExample[1]}
	for i, want := range []map[string]any{want0, want1} {
		h := hops[i].(map[string]any)
		for k, v := range want {
			if !reflect.DeepEqual(h[k], v) {
				t.Errorf("received[%d].%s = %#v, want %#v", i, k, h[k], v)
			}
		}
	}
}

// TestOverrides checks that --ip, --helo and --mail-from win over the
// chain and say so.
func TestOverrides(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want Envelope
	}{
		{"all given", Input{Received: contractExample, ReturnPath: []string{"<bounce@attacker.example>"}, IP: "192.0.2.7", HELO: "relay.example", MailFrom: "<>"},
			Envelope{ClientIP: "192.0.2.7", HELO: "relay.example", DerivedFrom: DerivedFrom{ClientIP: "--ip", HELO: "--helo", MailFrom: "--mail-from"}}},
		{"ipv6 in brackets, plain sender", Input{IP: "[2001:db8::7]", MailFrom: "a@b.example"},
			Envelope{ClientIP: "2001:db8::7", MailFrom: "a@b.example", DerivedFrom: DerivedFrom{ClientIP: "--ip", MailFrom: "--mail-from"}}},
		{"mapped address", Input{IP: "::ffff:192.0.2.9"},
			Envelope{ClientIP: "192.0.2.9", DerivedFrom: DerivedFrom{ClientIP: "--ip"}}},
		{"null Return-Path", Input{Received: contractExample, ReturnPath: []string{"<>"}},
			Envelope{ClientIP: "203.0.113.66", HELO: "mail.attacker.example", DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)", MailFrom: "Return-Path"}}},
		{"envelope-from when no Return-Path", Input{Received: []string{"from mail.example.net (mail.example.net [198.51.100.3]) by mx.example.org with esmtp (Exim 4.96) (envelope-from <list-bounces@example.net>) id 1abc-0001; Fri, 20 Nov 2026 08:14:30 +0000"}},
			Envelope{ClientIP: "198.51.100.3", HELO: "mail.example.net", MailFrom: "list-bounces@example.net", DerivedFrom: DerivedFrom{ClientIP: "received[0] (boundary)", HELO: "received[0] (boundary)", MailFrom: "received[0] envelope-from"}}},
		{"nothing at all", Input{}, Envelope{}},
		{"not an address", Input{IP: "mail.example"}, Envelope{ClientIP: "mail.example", DerivedFrom: DerivedFrom{ClientIP: "--ip"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Analyze(tc.in)
			got := c.Envelope
			want := tc.want
			want.Addr = got.Addr
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Envelope = %+v, want %+v", got, want)
			}
			if tc.want.ClientIP != "" && tc.want.ClientIP != "mail.example" && got.Addr.String() != tc.want.ClientIP {
				t.Errorf("Envelope.Addr = %v, want %s", got.Addr, tc.want.ClientIP)
			}
		})
	}
}

// TestWithBoundary checks the TUI's "make this hop the boundary".
func TestWithBoundary(t *testing.T) {
	auto := Analyze(Input{Received: gmailToOutlook, ReturnPath: []string{"<testuser@gmail.com>"}})
	tests := []struct {
		name     string
		hop      int
		boundary int
		env      Envelope
		step     string
	}{
		{"sender's submission", 4, 4, Envelope{ClientIP: "186.2.138.141", HELO: "[10.233.168.165]", MailFrom: "testuser@gmail.com",
			DerivedFrom: DerivedFrom{ClientIP: "received[4] (boundary)", HELO: "received[4] (boundary)", MailFrom: "Return-Path"}}, "hop 4 chosen as the trust boundary"},
		{"none", -1, -1, Envelope{MailFrom: "testuser@gmail.com", DerivedFrom: DerivedFrom{MailFrom: "Return-Path"}}, "No hop chosen as the trust boundary"},
		{"out of range", 9, 2, auto.Envelope, "No hop 9 to choose"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := auto.WithBoundary(tc.hop)
			if c.Boundary != tc.boundary || c.AutoBoundary != 2 {
				t.Errorf("WithBoundary(%d): Boundary %d, AutoBoundary %d, want %d and 2", tc.hop, c.Boundary, c.AutoBoundary, tc.boundary)
			}
			got := c.Envelope
			want := tc.env
			want.Addr = got.Addr
			if !reflect.DeepEqual(got, want) {
				t.Errorf("WithBoundary(%d).Envelope = %+v, want %+v", tc.hop, got, want)
			}
			if findStep(c.Steps, tc.step) == nil {
				t.Errorf("WithBoundary(%d) steps %q lack %q", tc.hop, stepTitles(c.Steps), tc.step)
			}
			if findStep(c.Steps, "hop 2: the message entered") == nil {
				t.Errorf("WithBoundary(%d) lost the automatic decision: %q", tc.hop, stepTitles(c.Steps))
			}
		})
	}
	// Anomalies follow the chosen boundary: hop 3 of the relay chain
	// comes from a private address, which only matters if it is the
	// boundary.
	relays := Analyze(Input{Received: internalRelays})
	if n := len(relays.Hops[3].Anomalies); n != 0 {
		t.Fatalf("hop 3 anomalies before choosing = %q, want none", relays.Hops[3].Anomalies)
	}
	moved := relays.WithBoundary(3)
	if a := moved.Hops[3].Anomalies; len(a) != 1 || !strings.Contains(a[0], "connected from a private address") {
		t.Errorf("hop 3 anomalies with hop 3 as boundary = %q, want the private-address anomaly", a)
	}
}

// TestFutureAndSkew checks dates after Now and time running backwards.
func TestFutureAndSkew(t *testing.T) {
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	c := Analyze(Input{Received: contractExample, Now: now})
	for i, h := range c.Hops {
		if len(h.Anomalies) == 0 || !strings.Contains(h.Anomalies[len(h.Anomalies)-1], "after the time of this analysis (2026-11-20T08:00:00Z)") {
			t.Errorf("hop %d anomalies = %q, want a date in the future", i, h.Anomalies)
		}
	}
	c = Analyze(Input{Received: contractExample, Now: now.Add(10 * time.Minute)})
	for i, h := range c.Hops {
		for _, a := range h.Anomalies {
			if strings.Contains(a, "after the time of this analysis") {
				t.Errorf("hop %d: %q, but the date is in the past", i, a)
			}
		}
	}
	// Within the tolerance: shown as a negative delay, not flagged.
	c = Analyze(Input{Received: []string{
		"from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Fri, 20 Nov 2026 08:14:29.5 +0000",
		"from c.example (c.example [192.0.2.2]) by a.example with ESMTP; Fri, 20 Nov 2026 08:14:30 +0000",
	}})
	if d := c.Hops[0].DelaySeconds; d == nil || *d != -0.5 {
		t.Errorf("delay = %v, want -0.5", show(d))
	}
	for _, a := range c.Hops[0].Anomalies {
		if strings.Contains(a, "clock skew") {
			t.Errorf("half a second back was flagged: %q", a)
		}
	}
	c = Analyze(Input{Received: c.in.Received, SkewTolerance: 100 * time.Millisecond})
	if a := c.Hops[0].Anomalies; len(a) != 1 || !strings.Contains(a[0], "stamped 0.5 seconds before the hop below it (hop 1)") {
		t.Errorf("anomalies with a 100 ms tolerance = %q, want clock skew", a)
	}
}

// TestAuthservSeed checks that the Authentication-Results authserv-id
// names the receiving side when no server names itself with a domain, and
// that the receiving side's smtp.remote-ip stands in for a missing address.
func TestAuthservSeed(t *testing.T) {
	c := Analyze(Input{
		Received: []string{
			"by localhost with LMTP id 1; Fri, 20 Nov 2026 08:14:31 +0000",
			"from relay.sender.example by mx1 with ESMTP id 2; Fri, 20 Nov 2026 08:14:30 +0000",
		},
		AuthenticationResults: []string{"mx1.inbound.example; iprev=pass policy.iprev=198.51.100.20; spf=pass smtp.mailfrom=a@sender.example smtp.remote-ip=198.51.100.20"},
	})
	if c.Boundary != 1 || !reflect.DeepEqual(c.Receiving, []string{"inbound.example"}) {
		t.Errorf("Boundary %d, Receiving %q; want 1 and [inbound.example]; steps %q", c.Boundary, c.Receiving, stepTitles(c.Steps))
	}
	if c.Envelope.ClientIP != "198.51.100.20" || c.Envelope.DerivedFrom.ClientIP != "Authentication-Results smtp.remote-ip" {
		t.Errorf("Envelope = %+v, want 198.51.100.20 from Authentication-Results", c.Envelope)
	}
	if s := findStep(c.Steps, "Receiving side: inbound.example"); s == nil || s.Ref != "RFC 8601 §2.5" {
		t.Errorf("steps %q lack the authserv-id seed", stepTitles(c.Steps))
	}
}

// TestNoBoundary checks internal mail and an empty chain.
func TestNoBoundary(t *testing.T) {
	c := Analyze(Input{Received: []string{
		"from laptop.corp.example ([10.0.0.23]) by mail.corp.example with ESMTPSA id 1; Fri, 20 Nov 2026 08:14:31 +0000",
		"by laptop.corp.example (Postfix, from userid 1000) id 2; Fri, 20 Nov 2026 08:14:30 +0000",
	}})
	if c.Boundary != -1 || findStep(c.Steps, "No hop came from outside corp.example") == nil {
		t.Errorf("Boundary %d, steps %q; want -1 and internal mail", c.Boundary, stepTitles(c.Steps))
	}
	if c.Envelope.DerivedFrom != (DerivedFrom{}) || findStep(c.Steps, "SPF client address: unknown").Result != trace.Warn {
		t.Errorf("Envelope = %+v, want nothing derived and a warning", c.Envelope)
	}
	empty := Analyze(Input{})
	b, err := json.Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"received":[]`) || !strings.Contains(string(b), `"boundary":-1`) || !strings.Contains(string(b), `"transit_seconds":null`) {
		t.Errorf("empty chain JSON = %s", b)
	}
}

// TestMaxHops checks the mail-loop cap.
func TestMaxHops(t *testing.T) {
	var recv []string
	for i := 0; i < 130; i++ {
		recv = append(recv, "from a.example (a.example [192.0.2.1]) by b.example with SMTP; Fri, 20 Nov 2026 08:14:30 +0000")
	}
	c := Analyze(Input{Received: recv})
	if len(c.Hops) != DefaultMaxHops || findStep(c.Steps, "Only the top 100 Received headers were read") == nil {
		t.Errorf("got %d hops and steps %q, want %d and a warning", len(c.Hops), stepTitles(c.Steps)[:2], DefaultMaxHops)
	}
}

// TestRecordedRDNS checks the name handed to iprev for comparison.
func TestRecordedRDNS(t *testing.T) {
	tests := []struct {
		name string
		c    Chain
		want string
	}{
		{"boundary client", Analyze(Input{Received: contractExample}), "unknown"},
		{"--ip differs", Analyze(Input{Received: contractExample, IP: "192.0.2.7"}), ""},
		{"--ip is the same address", Analyze(Input{Received: contractExample, IP: "203.0.113.66"}), "unknown"},
		{"no name recorded", Analyze(Input{Received: gmailToOutlook}), ""},
		{"name recorded", Analyze(Input{Received: forwardedViaGoogle}), "mail-yw0-f198.google.com"},
		{"no boundary", Analyze(Input{Received: contractExample}).WithBoundary(-1), ""},
	}
	for _, tc := range tests {
		if got := tc.c.RecordedRDNS(); got != tc.want {
			t.Errorf("%s: RecordedRDNS() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestStepWords checks words a student reads where the chain decides them:
// the forwarder is named by its server, the HELO step cites the section
// for the null sender, and every step of the other chains here (a chosen
// boundary, internal mail, the authserv-id seed, the loop cap, a null
// sender) keeps to the rules of checkSteps.
func TestStepWords(t *testing.T) {
	fwd := Analyze(Input{Received: forwardedViaGoogle, ReturnPath: []string{"<owner-linux-mm@kvack.org>"}})
	s := findStep(fwd.Steps, "mx.google.com forwarded the message (hop 2)")
	if s == nil || !strings.HasPrefix(s.Explain, "Hop 2 says mx.google.com, a server of google.com, received the message from ") ||
		!strings.Contains(s.Explain, "if you trust the Received header mx.google.com wrote") {
		t.Errorf("forwarder step = %+v, want it to name the server mx.google.com", s)
	}
	if h := findStep(fwd.Steps, "HELO name: "); h == nil || h.Ref != "RFC 7208 §2.3, §2.4" || !strings.Contains(h.Explain, "as postmaster@ that name, in place of an empty MAIL FROM") {
		t.Errorf("HELO step = %+v, want §2.3 for the HELO identity and §2.4 for the null sender", h)
	}
	var recv []string
	for range 101 {
		recv = append(recv, "from a.example (a.example [192.0.2.1]) by b.example with SMTP; Fri, 20 Nov 2026 08:14:30 +0000")
	}
	chains := map[string]Chain{
		"forwarded":     fwd,
		"chosen hop":    Analyze(Input{Received: forwardedViaGoogle}).WithBoundary(2),
		"no hop chosen": Analyze(Input{Received: forwardedViaGoogle}).WithBoundary(-1),
		"no such hop":   Analyze(Input{Received: forwardedViaGoogle}).WithBoundary(9),
		"null sender":   Analyze(Input{Received: forwardedViaGoogle, ReturnPath: []string{"<>"}}),
		"internal": Analyze(Input{Received: []string{
			"from laptop.corp.example ([10.0.0.23]) by mail.corp.example with ESMTPSA id 1; Fri, 20 Nov 2026 08:14:31 +0000",
		}}),
		"authserv-id seed": Analyze(Input{
			Received:              []string{"from relay.sender.example by mx1 with ESMTP id 2; Fri, 20 Nov 2026 08:14:30 +0000"},
			AuthenticationResults: []string{"mx1.inbound.example; spf=pass smtp.mailfrom=a@sender.example smtp.remote-ip=198.51.100.20"},
		}),
		"mail loop": Analyze(Input{Received: recv}),
		"given":     Analyze(Input{Received: forwardedViaGoogle, Internal: []string{"google.com"}}),
	}
	for name, c := range chains {
		t.Run(name, func(t *testing.T) { checkSteps(t, c.Steps) })
	}
}
