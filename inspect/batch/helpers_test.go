package batch_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/message"
)

var fixedNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// mail is one message of a generated mbox: From domain, client address,
// and the verdict it must get.
type mail struct {
	domain string
	ip     string
	want   inspect.Disposition // "" for the broken one
}

var (
	deliverMail    = mail{"good.example", "192.0.2.10", inspect.Deliver}
	quarantineMail = mail{"quarantine.example", "198.51.100.99", inspect.Quarantine}
	rejectMail     = mail{"reject.example", "198.51.100.99", inspect.Reject}
	brokenMail     = mail{}
)

// mbox writes the messages as an mbox (mboxrd); message i's Subject is
// "message i" (1-based), so order can be checked. brokenMail is a message
// with no header field at all.
func mbox(ms []mail) []byte {
	var b strings.Builder
	for i, m := range ms {
		fmt.Fprintf(&b, "From MAILER-DAEMON Sun Nov 29 10:00:00 2026\n")
		if m.domain == "" {
			b.WriteString("this message lost its header\n\nand has only a body\n\n")
			continue
		}
		fmt.Fprintf(&b, "Return-Path: <news@%s>\n", m.domain)
		fmt.Fprintf(&b, "Received: from mail.%s (mail.%s [%s])\n\tby mx1.inbound.example (Postfix) with ESMTP id Q%d\n\tfor <bob@inbound.example>; Sun, 29 Nov 2026 10:00:05 +0000\n", m.domain, m.domain, m.ip, i+1)
		fmt.Fprintf(&b, "From: <news@%s>\nTo: bob@inbound.example\nSubject: message %d\nDate: Sun, 29 Nov 2026 10:00:00 +0000\nMessage-ID: <%d@%s>\n\nBody of message %d.\n\n", m.domain, i+1, i+1, m.domain, i+1)
	}
	return []byte(b.String())
}

func source(t testing.TB, ms []mail) *message.Source {
	t.Helper()
	src, err := message.FromBytes("test.mbox", mbox(ms), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != len(ms) {
		t.Fatalf("the generated mbox has %d messages, want %d", src.Len(), len(ms))
	}
	return src
}

// inspectOptions: the real client against the loopback server behind one
// shared cache, as a run has it.
func inspectOptions(srv *dnstest.Server) inspect.Options {
	c := dnsx.NewClient(srv.Addr)
	c.Timeout = 200 * time.Millisecond
	return inspect.Options{
		Resolver: dnsx.NewCache(c, dnsx.CacheOptions{}),
		Now:      func() time.Time { return fixedNow },
	}
}

// mixedMails is n messages, mostly delivered, every fifth from 3 rejected
// and some quarantined, with the one at index broken unloadable: the mbox
// the order and same-report tests run.
func mixedMails(n, broken int) []mail {
	ms := make([]mail, 0, n)
	for i := range n {
		switch {
		case i == broken:
			ms = append(ms, brokenMail)
		case i%5 == 3:
			ms = append(ms, rejectMail)
		case i%7 == 2:
			ms = append(ms, quarantineMail)
		default:
			ms = append(ms, deliverMail)
		}
	}
	return ms
}
