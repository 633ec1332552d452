package dkim_test

import (
	"crypto"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	ours "github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/trace"
)

// gen makes varied messages: assorted header fields (long folded ones,
// odd spacing), bodies with inner and trailing blank lines and whitespace.
type gen struct{ r *rand.Rand }

var words = []string{"lunch", "invoice", "Friday", "the", "report", "café", "résumé", "meeting", "a", "ok", "=?utf-8?q?caf=C3=A9?=", "<b>bold</b>", "--", "  ", "\t"}

func (g gen) phrase(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString([]string{" ", " ", " ", "  ", "\t", " \t "}[g.r.IntN(6)])
		}
		b.WriteString(words[g.r.IntN(len(words))])
	}
	return b.String()
}

func (g gen) header() string {
	var fields []string
	from := []string{"From: Alice <alice@example.org>", "From: alice@example.org", "From: \"Example, Alice\" <alice@news.example.org>", "from:alice@example.org"}[g.r.IntN(4)]
	fields = append(fields, from)
	if g.r.IntN(4) > 0 {
		fields = append(fields, "To: Bob <bob@example.net>")
	}
	if g.r.IntN(3) == 0 {
		fields = append(fields, "Cc: carol@example.net,\r\n\tdave@example.net")
	}
	subj := "Subject: " + g.phrase(1+g.r.IntN(6))
	if g.r.IntN(3) == 0 { // long, folded
		subj = "Subject: " + g.phrase(8) + "\r\n " + g.phrase(8) + "\r\n\t" + g.phrase(5)
	}
	if g.r.IntN(5) == 0 {
		subj += "  " // trailing whitespace
	}
	if g.r.IntN(6) == 0 {
		subj = strings.Replace(subj, "Subject: ", "Subject :  ", 1)
	}
	fields = append(fields, subj)
	fields = append(fields, "Date: Fri, 20 Nov 2026 08:14:22 +0000", fmt.Sprintf("Message-ID: <%d@example.org>", g.r.Uint32()))
	if g.r.IntN(2) == 0 {
		fields = append(fields, "MIME-Version: 1.0", "Content-Type: text/plain;\r\n charset=utf-8;\r\n  format=flowed")
	}
	if g.r.IntN(3) == 0 {
		fields = append(fields, "X-Mailer:\t"+g.phrase(3))
	}
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return strings.Join(fields, "\r\n") + "\r\n"
}

func (g gen) body() string {
	var b strings.Builder
	n := g.r.IntN(8)
	for range n {
		switch g.r.IntN(6) {
		case 0:
			b.WriteString("\r\n") // blank line inside
		case 1:
			b.WriteString(g.phrase(3) + " \t \r\n") // trailing whitespace
		default:
			b.WriteString(g.phrase(1+g.r.IntN(10)) + "\r\n")
		}
	}
	switch g.r.IntN(4) {
	case 0:
		b.WriteString("\r\n\r\n\r\n") // trailing blank lines
	case 1:
		b.WriteString("no final line break")
	}
	return b.String()
}

var headerSets = [][]string{
	nil, // all the fields present
	{"From"},
	{"From", "To", "Subject", "Date"},
	{"From", "From", "To", "To", "Subject", "Subject", "Date", "Date"},
	{"from", "subject", "x-not-there", "message-id", "Content-Type", "MIME-Version"},
	{"Subject", "From", "Cc", "Reply-To", "In-Reply-To"},
}

// mutate applies one in-transit change; some of them a canonicalization
// tolerates, most it does not.
func (g gen) mutate(msg string) (string, string) {
	hdr, body, _ := strings.Cut(msg, "\r\n\r\n")
	switch g.r.IntN(14) {
	case 0:
		return strings.Replace(msg, "the", "teh", 1), "body word"
	case 1:
		return msg + "\r\n\r\n", "trailing blank lines"
	case 2:
		return hdr + "\r\n\r\n" + strings.Replace(body, " ", "  ", 1), "body space doubled"
	case 3:
		return hdr + "\r\n\r\n" + strings.Replace(body, "\r\n", " \r\n", 1), "body trailing space"
	case 4:
		return strings.Replace(hdr, "Subject: ", "Subject:\r\n ", 1) + "\r\n\r\n" + body, "subject refolded"
	case 5:
		return strings.Replace(hdr, "Subject:", "SUBJECT:", 1) + "\r\n\r\n" + body, "subject name case"
	case 6:
		return "X-Scanned: clean\r\n" + msg, "unsigned field prepended"
	case 7:
		return "From: mallory@evil.example\r\n" + msg, "second From prepended"
	case 8:
		return strings.Replace(hdr, "Bob", "Rob", 1) + "\r\n\r\n" + body, "To changed"
	case 9:
		return strings.Replace(msg, "; t=", "; t=1", 1), "t= changed"
	case 10:
		return strings.Replace(msg, "\r\n", "\n", g.r.IntN(5)+1), "mixed line ends"
	case 11:
		return strings.Replace(hdr, "Date: ", "Date:    ", 1) + "\r\n\r\n" + body, "date spacing"
	case 12:
		return strings.Replace(hdr, "Message-ID:", "Message-ID :", 1) + "\r\n\r\n" + body, "space before colon"
	}
	return strings.Replace(msg, "\r\nTo: Bob <bob@example.net>", "", 1), "To removed"
}

// TestDifferential checks the verifier against go-msgauth on generated
// messages: on every signature without l= and not expired, pass must
// agree.
func TestDifferential(t *testing.T) {
	e := newEnv(t)
	g := gen{rand.New(rand.NewPCG(6376, 8463))}
	type keyCase struct {
		sel string
		key crypto.Signer
	}
	// RSA-2048 signing is slow under -race, so it is drawn least often.
	ks := []keyCase{{"ed", e.keys.ed}, {"ed", e.keys.ed}, {"ed", e.keys.ed}, {"rsa1024", e.keys.rsa1024}, {"rsa1024", e.keys.rsa1024}, {"rsa2048", e.keys.rsa2048}}
	canons := []dkim.Canonicalization{dkim.CanonicalizationSimple, dkim.CanonicalizationRelaxed}
	n := 300
	if testing.Short() {
		n = 100
	}
	var passes, fails, twice int
	for i := range n {
		k := ks[g.r.IntN(len(ks))]
		o := dkim.SignOptions{Domain: "example.org", Selector: k.sel, Signer: k.key,
			HeaderCanonicalization: canons[g.r.IntN(2)], BodyCanonicalization: canons[g.r.IntN(2)],
			HeaderKeys: headerSets[g.r.IntN(len(headerSets))]}
		if g.r.IntN(5) == 0 {
			o.Identifier = "alice@news.example.org"
		}
		msg := sign(t, g.header()+"\r\n"+g.body(), o)
		if g.r.IntN(4) == 0 { // a second signature, as a list or forwarder adds
			k2 := ks[g.r.IntN(len(ks))]
			msg = sign(t, msg, dkim.SignOptions{Domain: "example.org", Selector: k2.sel, Signer: k2.key,
				HeaderCanonicalization: canons[g.r.IntN(2)], BodyCanonicalization: canons[g.r.IntN(2)],
				HeaderKeys: []string{"From", "Subject", "DKIM-Signature"}})
			twice++
		}
		what := "none"
		if g.r.IntN(2) == 0 {
			msg, what = g.mutate(msg)
		}
		if g.r.IntN(4) == 0 {
			msg, what = lf(msg), what+", LF-only"
		}
		got := e.verify(t, msg, ours.Options{})
		want, err := e.oracle(t, msg)
		if err != nil {
			t.Fatalf("message %d: go-msgauth could not run: %v", i, err)
		}
		if len(got) != len(want) {
			t.Fatalf("message %d (%s): %d signatures, go-msgauth %d\n%s", i, what, len(got), len(want), msg)
		}
		for j := range got {
			if (got[j].Result == trace.Pass) != (want[j] == nil) {
				t.Errorf("message %d signature %d (%s, c=%s): got %s (%s), go-msgauth %v\n%q", i, j, what, got[j].Canonicalization, got[j].Result, got[j].Reason, want[j], msg)
			}
			if got[j].Result == trace.Pass {
				passes++
			} else {
				fails++
			}
		}
	}
	t.Logf("%d messages (%d with two signatures): %d signatures pass, %d do not, all agreeing with go-msgauth", n, twice, passes, fails)
	if passes < n/4 || fails < n/10 {
		t.Errorf("the generator is lopsided: %d pass, %d fail", passes, fails)
	}
}
