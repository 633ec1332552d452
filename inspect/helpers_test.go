package inspect_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
)

// testKey is a TEST-ONLY Ed25519 key made from a fixed seed, so signed
// messages are the same on every run. Never sign real mail with it.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// keyRecord is the DKIM key record publishing testKey (RFC 8463 §4.2).
func keyRecord() string {
	return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(testKey.Public().(ed25519.PublicKey))
}

// fixedNow is the clock of the tests: an hour ahead of the real one, so
// that a signature go-msgauth stamps with the real time (t=) is in the
// past, and after the messages' dates.
var fixedNow = time.Now().Add(time.Hour).UTC().Truncate(time.Second)

// startDNS serves testdata/inspect.zone plus the test key at
// sel._domainkey of each domain given.
func startDNS(t testing.TB, keyDomains ...string) *dnstest.Server {
	t.Helper()
	srv := dnstest.Start(t, "testdata/inspect.zone")
	for _, d := range keyDomains {
		if err := srv.Add(`sel._domainkey.` + d + `. 300 IN TXT "` + keyRecord() + `"`); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// options are Inspect's options for a test: the real client against the
// loopback server, with short timeouts, and the fixed clock.
func options(srv *dnstest.Server) inspect.Options {
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = 200 * time.Millisecond
	return inspect.Options{Resolver: c, Now: func() time.Time { return fixedNow }}
}

// sign adds a DKIM-Signature by domain d (selector sel) to msg, which has
// LF line ends; the result has CRLF line ends, as signed mail travels.
func sign(t testing.TB, msg, d string) string {
	t.Helper()
	return signUntil(t, msg, d, fixedNow.Add(30*24*time.Hour))
}

// signUntil is sign with the expiry x= at exp.
func signUntil(t testing.TB, msg, d string, exp time.Time) string {
	t.Helper()
	msg = strings.ReplaceAll(msg, "\n", "\r\n")
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain:     d,
		Selector:   "sel",
		Signer:     testKey,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
		Expiration: exp,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// load parses one message.
func load(t testing.TB, raw string) *message.Message {
	t.Helper()
	src, err := message.FromBytes("test.eml", []byte(raw), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := src.Message(0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mail builds a message whose top-most headers are top (Received and
// Authentication-Results lines as written), then the author's headers.
func mail(top []string, from, returnPath string) string {
	var b strings.Builder
	if returnPath != "" {
		b.WriteString("Return-Path: <" + returnPath + ">\n")
	}
	for _, h := range top {
		b.WriteString(h + "\n")
	}
	if from != "" {
		b.WriteString("From: " + from + "\n")
	}
	b.WriteString("To: bob@inbound.example\nSubject: Quarterly figures\nDate: Fri, 20 Nov 2026 08:14:22 +0000\nMessage-ID: <1@test.example>\n\nHello Bob,\nthe figures are attached.\n")
	return b.String()
}

// boundaryHop is the Received field the receiving side writes for a client.
func boundaryHop(helo, ip string) string {
	return "Received: from " + helo + " (" + helo + " [" + ip + "]) by mx1.inbound.example (Postfix) with ESMTPS id 4Q8x2LmZ1kz9 for <bob@inbound.example>; Fri, 20 Nov 2026 08:14:30 +0000 (UTC)"
}
