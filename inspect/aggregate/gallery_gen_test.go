package aggregate_test

// The generator of the teaching gallery (testdata/lessons): it builds each
// lesson's message the way the servers on its path would have, signing and
// sealing with the gallery's TEST-ONLY keys, and writes NAME.eml and
// NAME.dns. The lesson texts (NAME.md) are written by hand.
//
//	go test ./inspect/aggregate -run TestGenerateGallery -gallery
//
// Keys live in testdata/lessons/keys as TEST-ONLY-<domain>-<selector>.pem;
// a missing one is made. They sign nothing but these lessons.

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var regenerate = flag.Bool("gallery", false, "rewrite testdata/lessons/*.eml and *.dns from the generator")

const galleryDir = "../../testdata/lessons"

// galleryKeys are the signing keys the lessons use: domain, selector, kind.
var galleryKeys = [][3]string{
	{"bank.example", "2026a", "rsa"},
	{"paypa1.example", "rsa1", "rsa"},
	{"paypa1.example", "ed1", "ed25519"},
	{"shop.example", "s2026", "rsa"},
	{"garden.example", "g1", "rsa"},
	{"lists.club.example", "ml2026", "rsa"},
	{"lists.club.example", "arc2026", "rsa"},
	{"supplier.example", "esp2025", "rsa"},
	{"esp.example", "s1", "rsa"},
	{"airline.example", "news", "rsa"},
	{"attacker.example", "mail", "ed25519"},
}

// lessonFiles is one generated lesson.
type lessonFiles struct {
	name string
	eml  []byte
	dns  string
}

func TestGenerateGallery(t *testing.T) {
	if !*regenerate {
		t.Skip("run with -gallery to rewrite the gallery's messages and snapshots")
	}
	keys := loadKeys(t, filepath.Join(galleryDir, "keys"), galleryKeys)
	for _, l := range buildGallery(keys) {
		head := fmt.Sprintf("; headercheck lesson %s: the DNS as it answered when the lesson happened.\n"+
			"; Replay: headercheck --dns-snapshot testdata/lessons/%[1]s.dns testdata/lessons/%[1]s.eml\n"+
			"; Written by TestGenerateGallery (inspect/aggregate/gallery_gen_test.go) with the\n"+
			"; TEST-ONLY keys of testdata/lessons/keys: change the generator, not this file.\n"+
			"; Record lines are zone-file text; \";!\" lines say how other questions were answered\n"+
			"; (see the package documentation of inspect/dnsx).\n$TTL 3600\n", l.name)
		if err := os.WriteFile(filepath.Join(galleryDir, l.name+".eml"), l.eml, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(galleryDir, l.name+".dns"), []byte(head+strings.TrimLeft(l.dns, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Date layouts of the servers the lessons pass through.
var (
	pst = time.FixedZone("PST", -8*3600)
	cet = time.FixedZone("CET", 3600)
)

func hdrDate(t time.Time) string { return t.Format("Mon, 2 Jan 2006 15:04:05 -0700") }

// postfixDate is how Postfix ends a Received field.
func postfixDate(t time.Time) string {
	return t.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700") + " (UTC)"
}

// gmailDate is how Gmail's servers end one.
func gmailDate(t time.Time) string {
	return t.In(pst).Format("Mon, 02 Jan 2006 15:04:05 -0700") + " (PST)"
}

// exchangeDate is Exchange Online's.
func exchangeDate(t time.Time) string { return t.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700") }

// ptr is the reverse DNS name of an address.
func ptr(ip string) string {
	name, err := dns.ReverseAddr(netip.MustParseAddr(ip).String())
	if err != nil {
		panic(err)
	}
	return name
}

// Header sets the signers use.
var (
	signedHeaders = []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding"}
	replyHeaders  = []string{"from", "reply-to", "to", "subject", "date", "message-id", "mime-version", "content-type"}
)

func buildGallery(k keyring) []lessonFiles {
	return []lessonFiles{
		lessonAligned(k),
		lessonExactSpoof(k),
		lessonLookalike(k),
		lessonDisplayName(k),
		lessonForwarded(k),
		lessonMailingList(k),
		lessonSubdomain(k),
		lessonSoftfail(k),
		lessonRevokedKey(k),
		lessonPermerror(k),
		lessonBodyLength(k),
		lessonTwoFrom(k),
		lessonTempError(k),
	}
}

// bankZone is bank.example's DNS, which several lessons need.
func bankZone(k keyring) string {
	return `
; bank.example: SPF allows the bank's two outbound servers, DMARC asks
; receivers to reject what fails and to send reports, and selector 2026a
; holds the public key of the bank's DKIM signatures.
$ORIGIN bank.example.
@                TXT   "v=spf1 ip4:198.51.100.16/28 -all"
@                MX    10 mail
mail             A     198.51.100.25
_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:dmarc-reports@bank.example; ruf=mailto:dmarc-failures@bank.example; fo=1"
` + k.get("bank.example", "2026a").zone() + `
;! zone bank.example.        ; nothing else exists under bank.example
`
}

// The bank's genuine statement notice, signed as it left mail.bank.example.
func bankStatement(k keyring, t0 time.Time, name, rcpt string) (*mail, string) {
	first, _, _ := strings.Cut(name, " ")
	m := newMail(`From: Bank of Example <statements@bank.example>
To: ` + name + ` <` + rcpt + `>
Subject: Your November statement is ready
Date: ` + hdrDate(t0) + `
Message-ID: <` + t0.Format("20060102150405") + `.4R2kLm0xYz@app01.internal.bank.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Dear ` + first + `,

Your statement for November 2026 is ready. To read it, sign in to
online banking as you always do: type bank.example into your browser
yourself. We never send links that ask you to sign in.

Kind regards,
Bank of Example
`)
	m.prepend(`Received: from app01.internal.bank.example (app01.internal.bank.example [10.20.0.15])
	by mail.bank.example (Postfix) with ESMTP id 4R2kLm0xYzz3
	for <` + rcpt + `>; ` + postfixDate(t0.Add(2*time.Second)))
	sig := k.get("bank.example", "2026a").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(3 * time.Second)})
	return m, sig
}

func lessonAligned(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 20, 8, 14, 22, 0, time.UTC)
	m, sig := bankStatement(k, t0, "Alice Martin", "alice@inbox.example")
	m.prepend(
		`Delivered-To: alice@inbox.example`,
		`Received: by 2001:db8:7300:8e24::1 with SMTP id m36csp1288327dyc;
        `+gmailDate(t0.Add(10*time.Second)),
		`Return-Path: <bounces@bank.example>`,
		`Received: from mail.bank.example (mail.bank.example. [198.51.100.25])
        by mx.inbox.example with ESMTPS id 5b1f17b1804b1-4336c1b5e6asi1234567f8f.95.2026.11.20.00.14.31
        for <alice@inbox.example>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        `+gmailDate(t0.Add(9*time.Second)),
		`Received-SPF: pass (inbox.example: domain of bounces@bank.example designates 198.51.100.25 as permitted sender) client-ip=198.51.100.25;`,
		`Authentication-Results: mx.inbox.example;
       dkim=pass header.i=@bank.example header.s=2026a header.b=`+sigB(sig)+`;
       spf=pass (inbox.example: domain of bounces@bank.example designates 198.51.100.25 as permitted sender) smtp.mailfrom=bounces@bank.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=bank.example`,
	)
	return lessonFiles{"01-aligned", m.bytes(), bankZone(k) + `
; Reverse DNS of the bank's outbound server, and the name back to it.
` + ptr("198.51.100.25") + ` PTR mail.bank.example.
;! zone 100.51.198.in-addr.arpa.

; The DMARC tree walk (RFC 9989 §4.10) asks the top-level name too.
;! nxdomain _dmarc.example.
`}
}

func lessonExactSpoof(k keyring) lessonFiles {
	// The attacker copied the DKIM-Signature of a genuine bank message.
	_, copied := bankStatement(k, time.Date(2026, 11, 20, 8, 14, 22, 0, time.UTC), "Alice Martin", "alice@inbox.example")
	t0 := time.Date(2026, 11, 21, 3, 2, 4, 0, time.UTC)
	m := newMail(strings.ReplaceAll(copied, "\r\n", "\n") + `
From: Bank of Example Security <security@bank.example>
To: bob@campus.example
Subject: Unusual sign-in attempt: confirm your account within 24 hours
Date: ` + hdrDate(t0) + `
Message-ID: <b7c2e91f0a4d5e6f@bank.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)

Dear customer,

We noticed an unusual sign-in attempt on your account. To keep your
account open, confirm your details within 24 hours:

    https://bank-example.secure-login.example/confirm

Bank of Example Security Team
`)
	m.prepend(
		`Return-Path: <security@bank.example>`,
		`X-Original-To: bob@campus.example`,
		`Delivered-To: bob@campus.example`,
		`Authentication-Results: mx1.campus.example; dmarc=fail (p=reject dis=reject) header.from=bank.example`,
		`Authentication-Results: mx1.campus.example;
	dkim=fail reason="signature verification failed" (2048-bit key) header.d=bank.example header.i=@bank.example header.a=rsa-sha256 header.s=2026a header.b="`+sigB(copied)+`"`,
		`Authentication-Results: mx1.campus.example; spf=fail (mx1.campus.example: domain of security@bank.example does not designate 203.0.113.66 as permitted sender) smtp.mailfrom=security@bank.example`,
		`Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.66; helo=mail.bank.example; envelope-from=security@bank.example; receiver=<UNKNOWN>`,
		`Received: from mail.bank.example (unknown [203.0.113.66])
	by mx1.campus.example (Postfix) with ESMTP id 4XyZ1b2C3dz9
	for <bob@campus.example>; `+postfixDate(t0.Add(7*time.Second)),
	)
	return lessonFiles{"02-exact-spoof", m.bytes(), bankZone(k) + `
; The client that connected has no reverse DNS name.
;! zone 113.0.203.in-addr.arpa.

` + whatIfPTR("198.51.100.25", "mail.bank.example", "the bank's") + `;! nxdomain _dmarc.example.
`}
}

func lessonLookalike(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 21, 14, 3, 1, 0, time.UTC)
	m := newMail(`From: PayPal <service@paypa1.example>
To: carol@school.example
Subject: Your payment to Example Store is on hold
Date: ` + hdrDate(t0) + `
Message-ID: <0f1e2d3c4b5a@paypa1.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Hello Carol,

Your payment of 249.00 EUR to Example Store is on hold until you
confirm your billing details:

    https://www.paypa1.example/resolution-center

If you do not confirm within 48 hours, the payment will be cancelled.

PayPal
`)
	m.prepend(`Received: from localhost (localhost [127.0.0.1])
	by mail.paypa1.example (Postfix) with ESMTPSA id 9C1D23F4A5
	for <carol@school.example>; ` + postfixDate(t0.Add(3*time.Second)))
	k.get("paypa1.example", "rsa1").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(4 * time.Second)})
	k.get("paypa1.example", "ed1").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(4 * time.Second)})
	m.prepend(
		`Return-Path: service@paypa1.example`,
		`Received: from DB9PR04MB8412.eurprd04.prod.mailhost.example (2001:db8:10a6:6::15) by
 AM6PR04MB5123.eurprd04.prod.mailhost.example with HTTPS; `+exchangeDate(t0.Add(9*time.Second)),
		`Received: from DU2PR04CA0123.eurprd04.prod.mailhost.example (2001:db8:10a6:10::2a)
 by DB9PR04MB8412.eurprd04.prod.mailhost.example (2001:db8:10a6:6::15) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.19; `+exchangeDate(t0.Add(8*time.Second)),
		`Authentication-Results: spf=pass (sender IP is 203.0.113.25)
 smtp.mailfrom=paypa1.example; dkim=pass (signature was verified)
 header.d=paypa1.example;dmarc=pass action=none
 header.from=paypa1.example;compauth=pass reason=100`,
		`Received-SPF: Pass (protection.mailhost.example: domain of paypa1.example
 designates 203.0.113.25 as permitted sender) receiver=protection.mailhost.example;
 client-ip=203.0.113.25; helo=mail.paypa1.example; pr=C`,
		`Received: from mail.paypa1.example (203.0.113.25) by
 DU2PR04CA0123.mail.protection.mailhost.example (2001:db8:10a6:10::2a) with
 Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id
 15.20.8182.19 via Frontend Transport; `+exchangeDate(t0.Add(7*time.Second)),
		`X-MS-Exchange-Organization-AuthSource: DU2PR04CA0123.eurprd04.prod.mailhost.example`,
		`X-MS-Exchange-Organization-AuthAs: Anonymous`,
		`X-Forefront-Antispam-Report: CIP:203.0.113.25;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mail.paypa1.example;PTR:mail.paypa1.example;CAT:NONE;SFS:;DIR:INB;`,
	)
	return lessonFiles{"03-lookalike", m.bytes(), `
; paypa1.example: a look-alike domain (a digit one for the letter l),
; registered by the attacker, who set up SPF, DKIM and DMARC for it like
; any careful domain owner.
$ORIGIN paypa1.example.
@                TXT   "v=spf1 mx -all"
@                MX    10 mail
mail             A     203.0.113.25
www              A     203.0.113.26
_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@paypa1.example"
` + k.get("paypa1.example", "rsa1").zone() + `
` + k.get("paypa1.example", "ed1").zone() + `
;! zone paypa1.example.

; The attacker's server even has matching reverse DNS.
` + ptr("203.0.113.25") + ` PTR mail.paypa1.example.
;! zone 113.0.203.in-addr.arpa.

;! nxdomain _dmarc.example.
`}
}

func lessonDisplayName(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 22, 19, 40, 12, 0, time.UTC)
	m := newMail(`From: "PayPal" <x@evil.example>
To: alice@inbox.example
Subject: =?UTF-8?Q?Action_required:_your_account_is_limited?=
Date: ` + hdrDate(t0) + `
Message-ID: <20261122194012.1f9c@vps-25.cloud-host.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Dear customer,

We have limited your account because we could not verify your
identity. Restore full access here:

    https://evil.example/paypal/restore

Thank you,
PayPal
`)
	m.prepend(`Received: from [127.0.0.1] (localhost [127.0.0.1])
	by vps-25.cloud-host.example (Postfix) with ESMTP id 7D4E21C0A3
	for <alice@inbox.example>; ` + postfixDate(t0.Add(1*time.Second)))
	m.prepend(
		`Delivered-To: alice@inbox.example`,
		`Return-Path: <x@evil.example>`,
		`Received: from vps-25.cloud-host.example (vps-25.cloud-host.example. [2001:db8:c0:ffee::25])
        by mx.inbox.example with ESMTPS id a640c23a62f3a-aa5f1e2b3c4si987654a66.311.2026.11.22.11.40.15
        for <alice@inbox.example>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        `+gmailDate(t0.Add(3*time.Second)),
		`Received-SPF: pass (inbox.example: domain of x@evil.example designates 2001:db8:c0:ffee::25 as permitted sender) client-ip=2001:db8:c0:ffee::25;`,
		`Authentication-Results: mx.inbox.example;
       spf=pass (inbox.example: domain of x@evil.example designates 2001:db8:c0:ffee::25 as permitted sender) smtp.mailfrom=x@evil.example`,
	)
	return lessonFiles{"04-display-name", m.bytes(), `
; evil.example: the attacker's own domain. SPF allows the rented server,
; there is no DKIM and no DMARC record.
$ORIGIN evil.example.
@                TXT   "v=spf1 ip6:2001:db8:c0:ffee::/64 -all"
@                A     203.0.113.200
;! zone evil.example.

; cloud-host.example rents out servers; its reverse DNS names them.
$ORIGIN cloud-host.example.
@                TXT   "v=spf1 -all"
vps-25           AAAA  2001:db8:c0:ffee::25
;! zone cloud-host.example.
` + ptr("2001:db8:c0:ffee::25") + ` PTR vps-25.cloud-host.example.
;! zone e.e.f.f.0.c.0.0.8.b.d.0.1.0.0.2.ip6.arpa.

;! nxdomain _dmarc.example.
`}
}

func lessonForwarded(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	m := newMail(`From: Example Outdoor Shop <orders@shop.example>
To: bob@alumni.example
Subject: Your order 48213 has shipped
Date: ` + hdrDate(t0) + `
Message-ID: <order-48213-shipped@shop.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Hello Bob,

Good news: order 48213 (one pair of hiking boots, size 44) left our
warehouse today. You can follow the parcel in your account on
shop.example.

Example Outdoor Shop
`)
	m.prepend(`Received: from app2.shop.example (app2.shop.example [10.8.0.12])
	by mail.shop.example (Postfix) with ESMTP id 4Yq8Pv0Tn1z2
	for <bob@alumni.example>; ` + postfixDate(t0.Add(2*time.Second)))
	sig := k.get("shop.example", "s2026").signMail(m, sigSpec{headers: signedHeaders, bodyCanon: "simple", at: t0.Add(3 * time.Second)})
	// The alumni association's server checks it, then forwards it
	// unchanged, keeping the MAIL FROM (no SRS).
	m.prepend(
		`Authentication-Results: forward.alumni.example;
	dkim=pass (2048-bit key; unprotected) header.d=shop.example header.i=@shop.example header.s=s2026 header.b="`+sigB(sig)+`";
	spf=pass smtp.mailfrom=bounces@shop.example`,
		`Received: from mail.shop.example (mail.shop.example [198.51.100.40])
	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
	 key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
	(No client certificate requested)
	by forward.alumni.example (Postfix) with ESMTPS id 4Yq8Rw1Kx2z1Mn
	for <bob@alumni.example>; `+postfixDate(t0.Add(5*time.Second)),
	)
	m.prepend(
		`Delivered-To: bob.lee@inbox.example`,
		`Return-Path: <bounces@shop.example>`,
		`Received: from forward.alumni.example (forward.alumni.example. [192.0.2.80])
        by mx.inbox.example with ESMTPS id 2adb3069b0e04-53dde1f2a3bsi456789e87.201.2026.11.22.02.30.07
        for <bob.lee@inbox.example>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        `+gmailDate(t0.Add(7*time.Second)),
		`Received-SPF: fail (inbox.example: domain of bounces@shop.example does not designate 192.0.2.80 as permitted sender) client-ip=192.0.2.80;`,
		`Authentication-Results: mx.inbox.example;
       dkim=pass header.i=@shop.example header.s=s2026 header.b=`+sigB(sig)+`;
       spf=fail (inbox.example: domain of bounces@shop.example does not designate 192.0.2.80 as permitted sender) smtp.mailfrom=bounces@shop.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shop.example`,
	)
	return lessonFiles{"05-forwarded", m.bytes(), `
; shop.example sends from its own server and signs with selector s2026.
; Its aggregate reports go to a reporting service, which has agreed to
; take them (RFC 9990 §4).
$ORIGIN shop.example.
@                TXT   "v=spf1 ip4:198.51.100.40 ip4:198.51.100.41 -all"
@                MX    10 mail
mail             A     198.51.100.40
_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@shop.example,mailto:shop-example@reports.dmarc-vendor.example"
` + k.get("shop.example", "s2026").zone() + `
;! zone shop.example.

; The reporting service accepts reports for shop.example.
shop.example._report._dmarc.reports.dmarc-vendor.example. TXT "v=DMARC1;"
;! zone dmarc-vendor.example.

; alumni.example forwards its members' mail to the address they chose.
$ORIGIN alumni.example.
@                TXT   "v=spf1 mx -all"
@                MX    10 forward
forward          A     192.0.2.80
forward          TXT   "v=spf1 a -all"
;! zone alumni.example.
` + ptr("192.0.2.80") + ` PTR forward.alumni.example.
;! zone 2.0.192.in-addr.arpa.

` + whatIfPTR("198.51.100.40", "mail.shop.example", "shop.example's") + `;! nxdomain _dmarc.example.
`}
}

func lessonMailingList(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 23, 18, 5, 40, 0, time.UTC)
	m := newMail(`From: Erin Walsh <erin@garden.example>
To: hikers@lists.club.example
Subject: Saturday's walk moves to 9:00
Date: ` + hdrDate(t0.In(cet)) + `
Message-ID: <5c3f9a1e-2b7d-4e11-9f0a-8d6c1b2a3e4f@garden.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 7bit

Hi all,

Because of the forecast we start an hour earlier on Saturday: 9:00 at
the car park by the old mill. Bring water and something warm.

Erin
`)
	m.prepend(`Received: from [192.168.1.23] (unknown [198.51.100.171])
	(Authenticated sender: erin@garden.example)
	by mail.garden.example (Postfix) with ESMTPSA id 4Z2bQx5Lm7z8
	for <hikers@lists.club.example>; ` + postfixDate(t0.Add(3*time.Second)))
	sig := k.get("garden.example", "g1").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(3 * time.Second)})

	// The list server checks the message as it arrives.
	t1 := t0.Add(6 * time.Second)
	arrival := `lists.club.example;
	dkim=pass header.d=garden.example header.s=g1 header.b=` + sigB(sig) + `;
	spf=pass smtp.mailfrom=erin@garden.example;
	dmarc=pass header.from=garden.example`
	m.prepend(
		`Authentication-Results: `+arrival,
		`Received: from mail.garden.example (mail.garden.example [198.51.100.90])
	by mail.lists.club.example (Postfix) with ESMTPS id 4Z2bR03Hc1z3
	for <hikers@lists.club.example>; `+postfixDate(t1),
	)
	// Mailman rewrites the Subject, adds a footer and its list fields.
	m.replace("Subject", "[Hikers] Saturday's walk moves to 9:00")
	m.body += "_______________________________________________\r\n" +
		"Hikers mailing list -- hikers@lists.club.example\r\n" +
		"To unsubscribe send an email to hikers-leave@lists.club.example\r\n"
	m.fields = append(m.fields,
		"List-Id: Hikers of the Example Club <hikers.lists.club.example>",
		"List-Post: <mailto:hikers@lists.club.example>",
		"List-Unsubscribe: <mailto:hikers-leave@lists.club.example>",
		"Precedence: list",
	)
	m.prepend(`Received: from mail.lists.club.example (localhost [127.0.0.1])
	by mail.lists.club.example (Postfix) with ESMTP id 4Z2bR21Wq4z5
	for <dave@campus.example>; ` + postfixDate(t1.Add(4*time.Second)))
	listSig := k.get("lists.club.example", "ml2026").signMail(m, sigSpec{
		headers: []string{"from", "to", "subject", "date", "message-id", "list-id", "list-post", "list-unsubscribe"},
		at:      t1.Add(5 * time.Second),
	})
	k.get("lists.club.example", "arc2026").seal(m, 1, arrival,
		[]string{"from", "to", "subject", "date", "message-id", "list-id", "dkim-signature"}, t1.Add(5*time.Second), "none")

	t2 := t1.Add(7 * time.Second)
	m.prepend(
		`Return-Path: <hikers-bounces@lists.club.example>`,
		`X-Original-To: dave@campus.example`,
		`Delivered-To: dave@campus.example`,
		`Authentication-Results: mx1.campus.example;
	dkim=pass (2048-bit key) header.d=lists.club.example header.i=@lists.club.example header.a=rsa-sha256 header.s=ml2026 header.b="`+sigB(listSig)+`";
	dkim=fail reason="signature verification failed" (2048-bit key) header.d=garden.example header.i=@garden.example header.a=rsa-sha256 header.s=g1 header.b="`+sigB(sig)+`";
	spf=pass (mx1.campus.example: domain of hikers-bounces@lists.club.example designates 192.0.2.60 as permitted sender) smtp.mailfrom=hikers-bounces@lists.club.example;
	dmarc=fail (p=reject dis=none) header.from=garden.example;
	arc=pass (i=1 spf=pass dkim=pass dmarc=pass) header.oldest-pass=0 smtp.remote-ip=192.0.2.60`,
		`Received: from mail.lists.club.example (mail.lists.club.example [192.0.2.60])
	by mx1.campus.example (Postfix) with ESMTPS id 4Z2bR74Ts9z1
	for <dave@campus.example>; `+postfixDate(t2),
	)
	return lessonFiles{"06-mailing-list", m.bytes(), `
; garden.example: Erin's domain, with a strict DMARC policy.
$ORIGIN garden.example.
@                TXT   "v=spf1 mx -all"
@                MX    10 mail
mail             A     198.51.100.90
_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:postmaster@garden.example"
` + k.get("garden.example", "g1").zone() + `
;! zone garden.example.

; lists.club.example runs the club's mailing lists: it signs what it
; sends (selector ml2026) and seals the ARC chain (selector arc2026).
$ORIGIN lists.club.example.
@                TXT   "v=spf1 ip4:192.0.2.60 -all"
@                MX    10 mail
mail             A     192.0.2.60
mail             TXT   "v=spf1 a -all"
` + k.get("lists.club.example", "ml2026").zone() + `
` + k.get("lists.club.example", "arc2026").zone() + `
;! zone club.example.
` + ptr("192.0.2.60") + ` PTR mail.lists.club.example.
;! zone 2.0.192.in-addr.arpa.

` + whatIfPTR("198.51.100.90", "mail.garden.example", "garden.example's") + `;! nxdomain _dmarc.example.
`}
}

func lessonSubdomain(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 24, 7, 55, 10, 0, time.UTC)
	m := newMail(`From: Corp Payroll <payroll@hr.corp.example>
To: Frank Osei <frank@partner.example>
Subject: Updated bank details for your December invoice
Date: ` + hdrDate(t0) + `
Message-ID: <CAJx9f2kLmN3pQ@hr.corp.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear Frank,

Our bank details have changed. Please pay the December invoice to
the new account in the attached letter, and not to the old one.

Corp Payroll Team
`)
	m.prepend(
		`Return-Path: <payroll@hr.corp.example>`,
		`Delivered-To: frank@partner.example`,
		`Received: from hr.corp.example (unknown [203.0.113.99])
	by mx.partner.example (Postfix) with ESMTP id 4ZCk2m0Q9Lz7
	for <frank@partner.example>; `+postfixDate(t0.Add(4*time.Second)),
	)
	return lessonFiles{"07-subdomain-sp", m.bytes(), `
; corp.example is still watching its own mail (p=none), but has told
; receivers to reject mail from its subdomains that fails (sp=reject).
$ORIGIN corp.example.
@                TXT   "v=spf1 ip4:198.51.100.150 -all"
@                MX    10 mail
mail             A     198.51.100.150
_dmarc           TXT   "v=DMARC1; p=none; sp=reject; rua=mailto:dmarc@corp.example"
; hr.corp.example exists (its web site), but sends no mail of its own.
hr               A     198.51.100.151
;! zone corp.example.

;! zone 113.0.203.in-addr.arpa.

` + whatIfPTR("198.51.100.150", "mail.corp.example", "corp.example's") + `;! nxdomain _dmarc.example.
`}
}

func lessonSoftfail(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 24, 13, 47, 30, 0, time.UTC)
	m := newMail(`From: Dana Whitfield <dana@startup.example>
Reply-To: dana.whitfield.ceo@freemail.example
To: finance@partner.example
Subject: Urgent: wire transfer before 3 pm
Date: ` + hdrDate(t0) + `
Message-ID: <DM6PR11MB4321.A1B2C3D4E5F6@freemail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi,

I am in a meeting with investors all afternoon. Please wire 48,500 EUR
to the account below before 3 pm today and keep this between us until
the deal is announced. Reply to this address only.

Dana
Sent from my phone
`)
	m.prepend(
		`Return-Path: dana@startup.example`,
		`Received: from DB9PR04MB8412.eurprd04.prod.mailhost.example (2001:db8:10a6:6::15) by
 AM6PR04MB5123.eurprd04.prod.mailhost.example with HTTPS; `+exchangeDate(t0.Add(6*time.Second)),
		`Received: from DU2PR04CA0123.eurprd04.prod.mailhost.example (2001:db8:10a6:10::2a)
 by DB9PR04MB8412.eurprd04.prod.mailhost.example (2001:db8:10a6:6::15) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.19; `+exchangeDate(t0.Add(5*time.Second)),
		`Authentication-Results: spf=softfail (sender IP is 203.0.113.140)
 smtp.mailfrom=startup.example; dkim=none (message not signed)
 header.d=none;dmarc=fail action=none header.from=startup.example;compauth=softpass reason=201`,
		`Received-SPF: SoftFail (protection.mailhost.example: domain of transitioning
 startup.example discourages use of 203.0.113.140 as permitted sender)`,
		`Received: from smtp.bulk-relay.example (203.0.113.140) by
 DU2PR04CA0123.mail.protection.mailhost.example (2001:db8:10a6:10::2a) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.19 via Frontend
 Transport; `+exchangeDate(t0.Add(4*time.Second)),
		`X-MS-Exchange-Organization-AuthAs: Anonymous`,
	)
	return lessonFiles{"08-softfail-none", m.bytes(), `
; startup.example: its own servers and its mail provider may send; any
; other sender "softfails" (~all). DMARC is only watching (p=none). It
; also asks for reports at a free analysis service that never agreed to
; receive them.
$ORIGIN startup.example.
@                TXT   "v=spf1 ip4:198.51.100.128/25 include:_spf.mailhost.example ~all"
@                MX    10 startup-example.mail.protection.mailhost.example.
_dmarc           TXT   "v=DMARC1; p=none; rua=mailto:dmarc@startup.example,mailto:startup@dmarc-free.example"
;! zone startup.example.

$ORIGIN mailhost.example.
_spf             TXT   "v=spf1 ip4:192.0.2.192/27 ip6:2001:db8:10a6::/48 -all"
;! zone mailhost.example.

; dmarc-free.example publishes no authorization for startup.example.
;! zone dmarc-free.example.

; The relay the attacker used.
$ORIGIN bulk-relay.example.
smtp             A     203.0.113.140
smtp             TXT   "v=spf1 a -all"
;! zone bulk-relay.example.
` + ptr("203.0.113.140") + ` PTR smtp.bulk-relay.example.
;! zone 113.0.203.in-addr.arpa.

;! nxdomain _dmarc.example.
`}
}

func lessonRevokedKey(k keyring) lessonFiles {
	t0 := time.Date(2026, 6, 3, 9, 12, 0, 0, time.UTC)
	m := newMail(`From: Supplier Accounts <accounts@supplier.example>
To: alice@campus.example
Subject: Invoice INV-2026-0611 from Example Supplier
Date: ` + hdrDate(t0) + `
Message-ID: <9f2d6c1e.20260603091200.4411@em.esp.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Dear Alice,

Please find invoice INV-2026-0611 for 1,180.00 EUR in your customer
account. Payment is due by 3 July 2026.

Example Supplier, accounts team
`)
	m.prepend(`Received: by filter0123.esp.example with SMTP id filter0123-5d8f7c9b4-x2k7q
	Wed, 03 Jun 2026 09:12:01 +0000 (UTC)`)
	sig := k.get("supplier.example", "esp2025").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(1 * time.Second)})
	espSig := k.get("esp.example", "s1").signMail(m, sigSpec{headers: signedHeaders, at: t0.Add(1 * time.Second)})
	// The campus server runs Postfix with three milters, and each writes
	// its own Authentication-Results field with the same authserv-id, as
	// most Postfix sites do: OpenDMARC on top (it runs last), OpenDKIM
	// (one field for both signatures), then the SPF policy daemon. The
	// provider's bounce address is a VERP address with "=" in its local
	// part, which RFC 8601 §2.2 allows in a pvalue.
	m.prepend(
		`Return-Path: <bounces+2213-9f1e=campus.example@em.esp.example>`,
		`X-Original-To: alice@campus.example`,
		`Delivered-To: alice@campus.example`,
		`Authentication-Results: mx1.campus.example; dmarc=pass (p=quarantine dis=none) header.from=supplier.example`,
		`Authentication-Results: mx1.campus.example;
	dkim=pass (2048-bit key; unprotected) header.d=esp.example header.i=@esp.example header.a=rsa-sha256 header.s=s1 header.b=`+sigB(espSig)+`;
	dkim=pass (2048-bit key; unprotected) header.d=supplier.example header.i=@supplier.example header.a=rsa-sha256 header.s=esp2025 header.b=`+sigB(sig),
		`Authentication-Results: mx1.campus.example; spf=pass (sender SPF authorized) smtp.mailfrom=bounces+2213-9f1e=campus.example@em.esp.example`,
		`Received: from o1.em.esp.example (o1.em.esp.example [192.0.2.141])
	by mx1.campus.example (Postfix) with ESMTPS id 4Nq2Xw3Zk8z7
	for <alice@campus.example>; `+postfixDate(t0.Add(4*time.Second)),
	)
	return lessonFiles{"09-revoked-key", m.bytes(), `
; supplier.example sent its mail through esp.example until the summer.
; When it left, it revoked the key of selector esp2025: the record is
; still there, but its p= is empty (RFC 6376 §3.6.1).
$ORIGIN supplier.example.
@                TXT   "v=spf1 include:_spf.esp.example -all"
_dmarc           TXT   "v=DMARC1; p=quarantine; rua=mailto:dmarc@supplier.example"
esp2025._domainkey TXT "v=DKIM1; k=rsa; p="
;! zone supplier.example.

; esp.example, the email service provider, still signs with s1.
$ORIGIN esp.example.
_spf             TXT   "v=spf1 ip4:192.0.2.128/25 -all"
em               TXT   "v=spf1 ip4:192.0.2.128/25 -all"
o1.em            A     192.0.2.141
o1.em            TXT   "v=spf1 a -all"
` + k.get("esp.example", "s1").zone() + `
;! zone esp.example.
` + ptr("192.0.2.141") + ` PTR o1.em.esp.example.
;! zone 2.0.192.in-addr.arpa.

;! nxdomain _dmarc.example.
`}
}

func lessonPermerror(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 25, 16, 20, 5, 0, time.UTC)
	m := newMail(`From: Big Shop <orders@bigshop.example>
To: Dave Chen <dave@campus.example>
Subject: Thank you for your order 7741-22
Date: ` + hdrDate(t0) + `
Message-ID: <7741-22.confirm@bigshop.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Dave,

Thank you for your order 7741-22 (a thermos flask, 19.90 EUR). We will
write again when it ships.

Big Shop
`)
	m.prepend(
		`Received: from shopapp (shopapp.bigshop.example [10.1.2.3])
	by mail.bigshop.example (Postfix) with ESMTP id 4ZD1x90kWqz4
	for <dave@campus.example>; ` + postfixDate(t0.Add(1*time.Second)),
	)
	m.prepend(
		`Return-Path: <orders@bigshop.example>`,
		`X-Original-To: dave@campus.example`,
		`Delivered-To: dave@campus.example`,
		`Authentication-Results: mx1.campus.example; dmarc=fail (p=quarantine dis=quarantine) header.from=bigshop.example`,
		`Authentication-Results: mx1.campus.example; spf=permerror (mx1.campus.example: permanent error in processing during lookup of orders@bigshop.example: too many DNS lookups) smtp.mailfrom=orders@bigshop.example`,
		`Received: from mail.bigshop.example (mail.bigshop.example [198.51.100.70])
	by mx1.campus.example (Postfix) with ESMTPS id 4ZD1xC2fHnz9
	for <dave@campus.example>; `+postfixDate(t0.Add(4*time.Second)),
	)
	return lessonFiles{"10-spf-permerror", m.bytes(), `
; bigshop.example added one "include:" per service it signed up for.
; Each include, a, mx and each nested one costs a DNS lookup, and
; RFC 7208 §4.6.4 allows ten: the eleventh ends the check with
; permerror before the shop's own address is ever reached.
$ORIGIN bigshop.example.
@                TXT   "v=spf1 include:_spf.mailhost.example include:spf.crm.example include:mail.helpdesk.example include:_spf.payments.example include:servers.newsletter.example ip4:198.51.100.70 -all"
@                MX    10 mail
mail             A     198.51.100.70
_dmarc           TXT   "v=DMARC1; p=quarantine; rua=mailto:dmarc@bigshop.example"
;! zone bigshop.example.

$ORIGIN mailhost.example.
_spf             TXT   "v=spf1 include:_netblocks1.mailhost.example include:_netblocks2.mailhost.example include:_netblocks3.mailhost.example -all"
_netblocks1      TXT   "v=spf1 ip4:192.0.2.192/27 -all"
_netblocks2      TXT   "v=spf1 ip6:2001:db8:10a6::/48 -all"
_netblocks3      TXT   "v=spf1 ip4:192.0.2.224/28 -all"
;! zone mailhost.example.

$ORIGIN crm.example.
spf              TXT   "v=spf1 include:_spf.crm-cloud.example -all"
;! zone crm.example.
$ORIGIN crm-cloud.example.
_spf             TXT   "v=spf1 ip4:192.0.2.16/28 -all"
;! zone crm-cloud.example.

$ORIGIN helpdesk.example.
mail             TXT   "v=spf1 a:mx1.helpdesk.example a:mx2.helpdesk.example -all"
mx1              A     192.0.2.33
mx2              A     192.0.2.34
;! zone helpdesk.example.

$ORIGIN payments.example.
_spf             TXT   "v=spf1 ip4:192.0.2.200/29 -all"
;! zone payments.example.

$ORIGIN newsletter.example.
servers          TXT   "v=spf1 ip4:192.0.2.48/28 -all"
;! zone newsletter.example.

` + ptr("198.51.100.70") + ` PTR mail.bigshop.example.
;! zone 100.51.198.in-addr.arpa.
;! nxdomain _dmarc.example.
`}
}

func lessonBodyLength(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 18, 6, 0, 0, 0, time.UTC)
	m := newMail(`From: Example Airline <news@airline.example>
To: m.ross@freemail.example
Subject: Winter deals: fly for less until 15 December
Date: ` + hdrDate(t0) + `
Message-ID: <news-2026-47.m.ross=freemail.example@airline.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Dear traveller,

Our winter deals are here: fares from 39 EUR to 60 destinations, for
trips until the end of March. Book on airline.example.

Example Airline
`)
	m.prepend(`Received: from news-app.airline.example (news-app.airline.example [10.50.1.5])
	by mail.airline.example (Postfix) with ESMTP id 4ZB3nH2c8rz6
	for <m.ross@freemail.example>; ` + postfixDate(t0.Add(1*time.Second)))
	// The newsletter software signs only the body it wrote (l=).
	sig := k.get("airline.example", "news").signMail(m, sigSpec{headers: signedHeaders, bodyCanon: "simple", length: true, at: t0.Add(2 * time.Second)})

	// Two days later the attacker, who got this copy at a throw-away
	// address, appends a text of their own and sends it to many people
	// from their own server: the signature still checks (a DKIM replay).
	t1 := time.Date(2026, 11, 20, 21, 33, 0, 0, time.UTC)
	m.body += "\r\n" +
		"IMPORTANT: 14,200 of your miles expire on 30 November. Keep them:\r\n" +
		"\r\n" +
		"    https://airline-miles.example/keep?id=4471\r\n"
	m.prepend(
		`Delivered-To: alice@inbox.example`,
		`Return-Path: <bounce-4471@bulk-sender.example>`,
		`Received: from mail.bulk-sender.example (mail.bulk-sender.example. [203.0.113.77])
        by mx.inbox.example with ESMTPS id 38308e7fff4ca-2ff1a2b3c4dsi345678e1fa.50.2026.11.20.13.33.04
        for <alice@inbox.example>
        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);
        `+gmailDate(t1.Add(4*time.Second)),
		`Received-SPF: pass (inbox.example: domain of bounce-4471@bulk-sender.example designates 203.0.113.77 as permitted sender) client-ip=203.0.113.77;`,
		`Authentication-Results: mx.inbox.example;
       dkim=pass header.i=@airline.example header.s=news header.b=`+sigB(sig)+`;
       spf=pass (inbox.example: domain of bounce-4471@bulk-sender.example designates 203.0.113.77 as permitted sender) smtp.mailfrom=bounce-4471@bulk-sender.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=airline.example`,
	)
	return lessonFiles{"11-body-length", m.bytes(), `
; airline.example signs its newsletters with selector "news".
$ORIGIN airline.example.
@                TXT   "v=spf1 ip4:198.51.100.110 -all"
@                MX    10 mail
mail             A     198.51.100.110
_dmarc           TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@airline.example"
` + k.get("airline.example", "news").zone() + `
;! zone airline.example.

; bulk-sender.example: the attacker's sending domain.
$ORIGIN bulk-sender.example.
@                TXT   "v=spf1 ip4:203.0.113.77 -all"
mail             A     203.0.113.77
mail             TXT   "v=spf1 a -all"
;! zone bulk-sender.example.
` + ptr("203.0.113.77") + ` PTR mail.bulk-sender.example.
;! zone 113.0.203.in-addr.arpa.

` + whatIfPTR("198.51.100.110", "mail.airline.example", "airline.example's") + `;! nxdomain _dmarc.example.
`}
}

func lessonTwoFrom(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 26, 9, 41, 7, 0, time.UTC)
	m := newMail(`From: Bank of Example <security@bank.example>
From: <alerts@attacker.example>
To: bob@campus.example
Subject: Your new card PIN letter
Date: ` + hdrDate(t0) + `
Message-ID: <e44c0b8a19d2@attacker.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear customer,

Your new card is on its way. Set up your PIN before it arrives:

    https://pin-setup.attacker.example/

Bank of Example
`)
	m.prepend(`Received: from localhost (localhost [127.0.0.1])
	by mail.attacker.example (Postfix) with ESMTP id 4ZFm8k1XvQz2
	for <bob@campus.example>; ` + postfixDate(t0.Add(2*time.Second)))
	// The attacker's own domain signs, and h= names From twice, so both
	// From fields are covered.
	sig := k.get("attacker.example", "mail").signMail(m, sigSpec{
		headers: []string{"from", "from", "to", "subject", "date", "message-id", "mime-version", "content-type"},
		at:      t0.Add(3 * time.Second),
	})
	m.prepend(
		`Return-Path: <bounce@attacker.example>`,
		`X-Original-To: bob@campus.example`,
		`Delivered-To: bob@campus.example`,
		`Authentication-Results: mx1.campus.example;
	dkim=pass (256-bit key) header.d=attacker.example header.i=@attacker.example header.a=ed25519-sha256 header.s=mail header.b="`+sigB(sig)+`";
	spf=pass (mx1.campus.example: domain of bounce@attacker.example designates 203.0.113.88 as permitted sender) smtp.mailfrom=bounce@attacker.example`,
		`Received: from mail.attacker.example (mail.attacker.example [203.0.113.88])
	by mx1.campus.example (Postfix) with ESMTPS id 4ZFm8n3RtLz5
	for <bob@campus.example>; `+postfixDate(t0.Add(6*time.Second)),
	)
	return lessonFiles{"12-two-from", m.bytes(), bankZone(k) + `
; attacker.example: SPF, an Ed25519 DKIM key, and a DMARC record that
; asks for nothing.
$ORIGIN attacker.example.
@                TXT   "v=spf1 ip4:203.0.113.88 -all"
mail             A     203.0.113.88
mail             TXT   "v=spf1 a -all"
_dmarc           TXT   "v=DMARC1; p=none"
` + k.get("attacker.example", "mail").zone() + `
;! zone attacker.example.
` + ptr("203.0.113.88") + ` PTR mail.attacker.example.
;! zone 113.0.203.in-addr.arpa.

` + whatIfPTR("198.51.100.25", "mail.bank.example", "the bank's") + `;! nxdomain _dmarc.example.
`}
}

func lessonTempError(k keyring) lessonFiles {
	t0 := time.Date(2026, 11, 27, 11, 2, 45, 0, time.UTC)
	m, sig := bankStatement(k, t0, "Erin Walsh", "erin@campus.example")
	m.prepend(
		`Return-Path: <bounces@bank.example>`,
		`X-Original-To: erin@campus.example`,
		`Delivered-To: erin@campus.example`,
		`Authentication-Results: mx1.campus.example;
	dkim=pass (2048-bit key) header.d=bank.example header.i=@bank.example header.a=rsa-sha256 header.s=2026a header.b="`+sigB(sig)+`";
	spf=pass (mx1.campus.example: domain of bounces@bank.example designates 198.51.100.25 as permitted sender) smtp.mailfrom=bounces@bank.example;
	dmarc=pass (p=reject dis=none) header.from=bank.example`,
		`Received: from mail.bank.example (mail.bank.example [198.51.100.25])
	by mx1.campus.example (Postfix) with ESMTPS id 4ZGq0w6Yp1z3
	for <erin@campus.example>; `+postfixDate(t0.Add(8*time.Second)),
	)
	return lessonFiles{"13-dns-timeout", m.bytes(), `
; The same bank, on a day its DNS servers did not answer: this snapshot
; was saved during an outage, and records that no answer came.
$ORIGIN bank.example.
;! timeout bank.example. TXT
;! timeout 2026a._domainkey.bank.example. TXT
;! timeout _dmarc.bank.example. TXT
;! timeout mail.bank.example. TXT
;! timeout mail.bank.example. A
;! timeout bank.example. A

` + ptr("198.51.100.25") + ` PTR mail.bank.example.
;! zone 100.51.198.in-addr.arpa.
;! nxdomain _dmarc.example.
`}
}

// whatIfPTR is the reverse DNS of a lesson's legitimate sending server (its
// mail A record is in the lesson already), so that a what-if replay from
// that server (--ip, or w in the TUI) finds its name instead of an answer
// missing from the snapshot; another address of the block has no name.
func whatIfPTR(ip, host, owner string) string {
	return `; Reverse DNS of ` + owner + ` outbound server, and the name back to it, so
; a what-if replay from that server (--ip ` + ip + `, or w in the TUI)
; finds its name instead of an answer missing from the snapshot.
` + ptr(ip) + ` PTR ` + host + `.
;! zone 100.51.198.in-addr.arpa.

`
}
