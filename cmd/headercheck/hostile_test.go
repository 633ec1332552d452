package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

// Everything headercheck reads may come from an attacker: the message, its
// header fields, and the DNS answers of the domains it names. These tests
// run the built binary in report mode over such input, with --dns pointed
// at a loopback server the test starts and a short --timeout, and check
// what issue 11 asks of every run: an exit status of 0, 1, 3 or 4 (never a
// crash), output that a terminal can show without obeying it, and a run
// time within the DNS budget plus a margin (a bound against hangs, not a
// speed test).

// hostileTimeout is the --timeout of every run: the whole DNS budget of
// one message.
const hostileTimeout = 3 * time.Second

// hostileBound is how long one run may take: the budget plus a generous
// margin for starting the process and reading large input on a loaded
// machine. Without the budget a silent server would hold SPF alone for its
// own 20 s deadline, so the bound still tells a budget that applies from
// one that does not.
const hostileBound = hostileTimeout + 12*time.Second

// hostileZone is the loopback DNS of these tests. Names the test adds in
// code (answers too large for zone text) and misbehaviour (knobs) are set
// up in TestHostile.
const hostileZone = `
$ORIGIN hostile.example.
@             TXT   "v=DMARC1; p=reject"
_dmarc        TXT   "v=DMARC1; p=reject"
mail          A     192.0.2.66
; SPF include loops and mutual redirects (RFC 7208 §4.6.4, §6.1)
loop          TXT   "v=spf1 include:loop.hostile.example -all"
ra            TXT   "v=spf1 redirect=rb.hostile.example"
rb            TXT   "v=spf1 redirect=ra.hostile.example"
ia            TXT   "v=spf1 include:ib.hostile.example -all"
ib            TXT   "v=spf1 include:ia.hostile.example -all"
; CNAME loops: on the SPF name, and on the _dmarc name of a From domain
cl            CNAME cl2
cl2           CNAME cl
dl            TXT   "v=spf1 -all"
_dmarc.dl     CNAME _dmarc2.dl
_dmarc2.dl    CNAME _dmarc.dl
; answers that come late, over a TCP connection that breaks, with a
; forged ID first, or for another question (knobs in TestHostile)
late          TXT   "v=spf1 -all"
tcp           TXT   "v=spf1 -all"
wid           TXT   "v=spf1 ip4:192.0.2.66 -all"
widtcp        TXT   "v=spf1 ip4:192.0.2.66 -all"
mis           TXT   "v=spf1 -all"
late._domainkey TXT "v=DKIM1; k=rsa; p=AAAA"

66.2.0.192.in-addr.arpa. PTR mail.hostile.example.

; Escape sequences and bidi controls in every answer a report shows: the
; SPF record and its exp= text (RFC 7208 §6.2), the DMARC record, a DKIM
; key record. \027 is ESC, \007 BEL, \226\128\174 U+202E (RLO),
; \226\129\166 U+2066 (LRI), \194\155 U+009B (C1 CSI).
$ORIGIN esc.example.
@             TXT   "v=spf1 ip4:198.51.100.1 -all exp=exp.esc.example"
mail          TXT   "v=spf1 -all x=\027[5m\226\128\174"
exp           TXT   "\027]52;c;cHduZWQ=\007\027[2J\226\128\174gnp.exe\194\155" "31m \027]8;;http://evil.example/\007click\027]8;;\007 \226\129\166tab\009end"
_dmarc        TXT   "v=DMARC1; p=reject; rua=mailto:\027[31m@esc.example; x=\226\128\174"
s1._domainkey TXT   "v=DKIM1; k=rsa; n=\027]0;title\007\226\128\174; p=AAAA"
`

// hostileRun runs bin with args, stdin from the file named stdin ("" for
// /dev/null), and returns the exit status, stdout, stderr and the time
// the run took.
func hostileRun(t *testing.T, bin, stdin string, args ...string) (int, []byte, []byte, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	in := os.DevNull
	if stdin != "" {
		in = stdin
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd.Stdin = f
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
		if !exit.Exited() {
			t.Fatalf("headercheck %q did not exit normally: %v\nstderr: %.2000s", args, err, errOut.String())
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.Bytes(), errOut.Bytes(), took
}

// terminalUnsafe returns what in out a terminal would act on instead of
// showing: a C0 control other than newline (and tab, where allowed), DEL,
// a C1 control, a bidirectional override or isolate, or bytes that are not
// UTF-8 (which some terminals read as 8-bit C1 controls). "" when none.
func terminalUnsafe(out []byte, allowTab bool) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("byte %#02x that is not UTF-8 at %d", out[i], i)
		case r == '\n', r == '\t' && allowTab:
		case r < 0x20, r == 0x7f:
			return fmt.Sprintf("control %U at %d", r, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("C1 control %U at %d", r, i)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("bidi control %U at %d", r, i)
		}
		i += size
	}
	return ""
}

// checkRun asserts what every report-mode run must keep.
func checkRun(t *testing.T, mode string, code int, stdout, stderr []byte, took, bound time.Duration) {
	t.Helper()
	switch code {
	case exitDeliver, exitError, exitQuarantine, exitReject:
	default:
		t.Errorf("%s: exit %d, want 0, 1, 3 or 4\nstderr: %.2000s", mode, code, stderr)
	}
	if bad := terminalUnsafe(stdout, mode == "--text"); bad != "" {
		t.Errorf("%s: stdout holds a %s", mode, bad)
	}
	if bad := terminalUnsafe(stderr, false); bad != "" {
		t.Errorf("%s: stderr holds a %s", mode, bad)
	}
	if took > bound {
		t.Errorf("%s: the run took %v, more than %v", mode, took, bound)
	}
	if mode == "--json" && len(stdout) > 0 {
		for i, line := range bytes.Split(bytes.TrimSuffix(stdout, []byte("\n")), []byte("\n")) {
			if !json.Valid(line) {
				t.Errorf("--json: line %d is not JSON: %.300s", i+1, line)
			}
		}
	}
}

func TestHostile(t *testing.T) {
	bin := buildBinary(t)
	srv := dnstest.StartZone(t, hostileZone)
	chunk := strings.Repeat("x", 255)
	big := make([]string, 250) // 63,750 bytes in one TXT record
	for i := range big {
		big[i] = chunk
	}
	txt := func(name string, s ...string) dns.RR {
		return &dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: s}
	}
	srv.AddRR(txt("big.hostile.example.", big...), txt("big._domainkey.hostile.example.", big...))
	for i := range 1000 {
		srv.AddRR(txt("many.hostile.example.", fmt.Sprintf("v=spf1 ip4:198.51.100.%d -all", i%256)))
	}
	srv.Delay("late.hostile.example", time.Minute)
	srv.Delay("late._domainkey.hostile.example", time.Minute)
	srv.Truncate("tcp.hostile.example")
	srv.BreakTCP("tcp.hostile.example")
	srv.WrongID("wid.hostile.example")
	srv.WrongID("widtcp.hostile.example")
	srv.Truncate("widtcp.hostile.example")
	srv.Misdirect("mis.hostile.example")
	common := []string{"--dns", srv.Addr, "--timeout", hostileTimeout.String()}

	t.Run("inputs", func(t *testing.T) { hostileInputs(t, bin, common) })
	t.Run("dns", func(t *testing.T) { hostileDNS(t, bin, common) })
	t.Run("escapes", func(t *testing.T) { hostileEscapes(t, bin, common) })
	t.Run("phishing signs", func(t *testing.T) { hostileSigns(t, bin, common) })
}

// hostileSigns: look-alike From domains are phishing signs in the verdict
// story. (inspect/signs.go decides them; the gaps found in issue 11 are
// reported there, not asserted here.)
func hostileSigns(t *testing.T, bin string, common []string) {
	cases := []struct {
		name, from, kind, story string
	}{
		{"Cyrillic a in the domain", "\"Service\" <service@p\u0430ypal.example>", "from_domain_characters", "mixes Latin and Cyrillic letters in one label"},
		{"the same domain in punycode", "service@xn--pypal-4ve.example", "from_domain_characters", "mixes Latin and Cyrillic letters in one label"},
		{"RLO in the domain", "service@lapyap\u202e.example", "from_domain_characters", "invisible or direction-changing character (U+202E)"},
		{"brand in the display name", "\"PayPal Service\" <service@hostile.example>", "display_name_brand", "names a well-known sender"},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("sign%d.eml", i))
			if err := os.WriteFile(path, []byte("From: "+c.from+"\nSubject: signs\n\nbody\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut, took := hostileRun(t, bin, "", append(append([]string{"--json"}, common...), "--ip", "192.0.2.66", path)...)
			checkRun(t, "--json", code, out, errOut, took, hostileBound)
			var rep struct {
				Verdict struct {
					Story string
					Signs []struct{ Kind string }
				}
			}
			if err := json.Unmarshal(out, &rep); err != nil {
				t.Fatalf("report: %v", err)
			}
			if len(rep.Verdict.Signs) != 1 || rep.Verdict.Signs[0].Kind != c.kind || !strings.Contains(rep.Verdict.Story, c.story) {
				t.Errorf("From %q: signs %+v, story %q; want one %s saying %q", c.from, rep.Verdict.Signs, rep.Verdict.Story, c.kind, c.story)
			}
		})
	}
}

// hostileInputs: messages and mboxes that are broken, huge or built to
// exhaust a parser.
func hostileInputs(t *testing.T, bin string, common []string) {
	dir := t.TempDir()
	write := func(name string, parts ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(parts, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := func(v string) []byte { return []byte(v) }
	rep := func(v string, n int) []byte { return bytes.Repeat([]byte(v), n) }
	head := s("From: a@hostile.example\nTo: b@inbound.example\nSubject: hostile\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n")
	body := s("\nbody\n")
	received := s("Received: from mail.hostile.example (mail.hostile.example [192.0.2.66]) by mx.inbound.example with ESMTP id 1; Sat, 28 Nov 2026 10:00:00 +0000\n")

	junk := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(11, 11))
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	var png bytes.Buffer
	png.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"))
	png.Write(rep("\x00", 200))

	// One Received field of 1 MiB, folded into lines of 1,000 bytes.
	var hugeReceived bytes.Buffer
	hugeReceived.WriteString("Received: from mail.hostile.example (mail.hostile.example [192.0.2.66])")
	for hugeReceived.Len() < 1<<20 {
		hugeReceived.WriteString("\n\tby ")
		hugeReceived.Write(rep("relay.hostile.example ", 45))
	}
	hugeReceived.WriteString("; Sat, 28 Nov 2026 10:00:00 +0000\n")

	var dkimSigs bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&dkimSigs, "DKIM-Signature: v=1; a=rsa-sha256; d=hostile.example; s=s%d; h=from; bh=AAAA; b=AAAA\n", i)
	}
	var words bytes.Buffer
	words.WriteString("Subject:")
	for range 20_000 {
		words.WriteString(" =?utf-8?b?QUFBQT09?=\n")
	}
	bomb := [][]byte{words.Bytes(),
		s("X-Nested: =?utf-8?q?=3D=3Futf-8=3Fq=3F=3D3D=3F=3D?=\n"),
		append(append(s("X-Charset: =?"), rep("x", 100_000)...), s("?q?a?=\n")...),
		append(s("X-Unknown: "), rep("=?x-unknown-charset?q?=41?= ", 5000)...), s("\n")}

	var mbox bytes.Buffer
	for i := range 300 {
		fmt.Fprintf(&mbox, "From sender@hostile.example Sat Nov 28 10:00:00 2026\nFrom: a@hostile.example\nSubject: message %d\n\nbody\n\n", i+1)
	}
	var manyReceived, manyFrom bytes.Buffer
	for range 5000 {
		manyReceived.Write(received)
	}
	for range 1000 {
		manyFrom.WriteString("From: a@hostile.example\n")
	}
	var arcSets bytes.Buffer
	for i := 1000; i >= 1; i-- {
		fmt.Fprintf(&arcSets, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=hostile.example; s=s; b=AAAA\n", i)
		fmt.Fprintf(&arcSets, "ARC-Message-Signature: i=%d; a=rsa-sha256; c=relaxed; d=hostile.example; s=s; h=from; bh=AAAA; b=AAAA\n", i)
		fmt.Fprintf(&arcSets, "ARC-Authentication-Results: i=%d; mx.hostile.example; spf=pass\n", i)
	}

	big := filepath.Join(dir, "70mib.eml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(head)
	f.Write(body)
	if err := f.Truncate(70 << 20); err != nil { // the rest is NUL bytes, written sparsely
		t.Fatal(err)
	}
	f.Close()

	cases := []struct {
		name  string
		path  string
		args  []string
		bound time.Duration // 0: hostileBound
		want  string        // in stdout or stderr of both modes
	}{
		{name: "empty", path: write("empty.eml"), want: "the file is empty"},
		{name: "binary junk", path: write("junk.bin", junk)},
		{name: "NUL bytes", path: write("nul.eml", s("From: a@hostile.example\x00\nSubject: \x00\x00nul\n\x00\nbody\x00\n"))},
		{name: "a PNG", path: write("image.png", png.Bytes()), want: "PNG"},
		{name: "5 MiB header line", path: write("longline.eml", head, s("X-Long: "), rep("A", 5<<20), s("\n"), body), want: "line too long"},
		{name: "100k header lines", path: write("manyfields.eml", head, rep("X-Filler: x\n", 100_000), body), want: "more than 10,000 fields"},
		{name: "70 MiB message", path: big, want: "(--max-size raises the limit)"},
		{name: "one word of 900 KB in the Subject", path: write("word.eml", s("Subject: "), rep("w", 900<<10), s("\n"), head, body)}, // --text took minutes before 708b44f
		{name: "10 MiB without a line break", path: write("oneline.eml", s("From: "), rep("a", 10<<20))},
		{name: "malformed mbox", path: write("bad.mbox", s("From \nFrom: a@hostile.example\n\n>From x\nFrom nobody\nContent-Length: 99999999999999999999\n\nFrom a@b Sat Nov 28 10:00:00 2026\nContent-Length: -5\n\n\nFrom a@b Sat Nov 28 10:00:00 2026\n"))},
		{name: "mbox with lying Content-Length", path: write("cl.mbox", s("From a@b Sat Nov 28 10:00:00 2026\nFrom: a@hostile.example\nContent-Length: 3\n\nbody that is longer\nFrom a@b Sat Nov 28 10:00:00 2026\nFrom: b@hostile.example\nContent-Length: 100000\n\nshort\n"))},
		{name: "mbox of 300 messages, two workers", path: write("many.mbox", mbox.Bytes()), args: []string{"--workers", "2"}, bound: 60 * time.Second},
		{name: "hostile Received of 1 MiB", path: write("received.eml", hugeReceived.Bytes(), head, body)},
		{name: "deeply nested comments in Received", path: write("nested.eml", s("Received: from x "), rep("(", 100_000), rep(")", 100_000), s(" by y; Sat, 28 Nov 2026 10:00:00 +0000\n"), head, body)},
		{name: "deeply nested comments in From", path: write("nestedfrom.eml", s("From: "), rep("(", 50_000), s("a@hostile.example"), rep(")", 50_000), s("\nSubject: x\n"), body)},
		{name: "thousands of DKIM-Signatures", path: write("dkim.eml", dkimSigs.Bytes(), head, body), want: "not checked"},
		{name: "RFC 2047 bombs", path: write("rfc2047.eml", bytes.Join(bomb, nil), head, body)},
		{name: "5000 Received fields", path: write("hops.eml", manyReceived.Bytes(), head, body)},
		{name: "1000 From fields", path: write("froms.eml", manyFrom.Bytes(), s("Subject: x\n"), body)},
		{name: "1000 ARC sets", path: write("arc.eml", arcSets.Bytes(), head, body)},
		{name: "Authentication-Results with a lone 8-bit byte", path: write("ar8bit.eml", s("Authentication-Results: \xc2smtp.remote-ip=\nAuthentication-Results: x; spf=pass (caf\xe9) smtp.remote-ip=192.0.2.9\n"), head, body)}, // crashed the binary before ee2cd69
		{name: "CR line endings only", path: write("cr.eml", s("From: a@hostile.example\rSubject: cr\r\rbody\r"))},
		{name: "header only, no line break", path: write("noeol.eml", s("From: a@hostile.example"))},
		{name: "separator line only", path: write("sep.mbox", s("From a@b Sat Nov 28 10:00:00 2026\n"))},
		{name: "UTF-16", path: write("utf16.eml", s("\xff\xfeF\x00r\x00o\x00m\x00:\x00 \x00a\x00@\x00b\x00\n\x00\n\x00"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bound := c.bound
			if bound == 0 {
				bound = hostileBound
			}
			for _, mode := range []string{"--json", "--text"} {
				args := append(append(append([]string{mode}, common...), c.args...), c.path)
				code, out, errOut, took := hostileRun(t, bin, "", args...)
				checkRun(t, mode, code, out, errOut, took, bound)
				if c.want != "" && !bytes.Contains(out, []byte(c.want)) && !bytes.Contains(errOut, []byte(c.want)) {
					t.Errorf("%s: output lacks %q\nstdout: %.2000s\nstderr: %.1000s", mode, c.want, out, errOut)
				}
			}
		})
	}

	// The same bytes on stdin: read into memory, within the same bound.
	t.Run("70 MiB on stdin", func(t *testing.T) {
		code, out, errOut, took := hostileRun(t, bin, big, append([]string{"--json"}, append(common, "-")...)...)
		checkRun(t, "--json", code, out, errOut, took, hostileBound)
		if code != exitError || !bytes.Contains(errOut, []byte("more than 64.0 MiB arrived")) {
			t.Errorf("exit %d, stderr %q; want 1 and the size limit", code, errOut)
		}
	})
}

// hostileDNS: messages that lead the checks to the answers an attacker who
// controls a domain (or the path to its servers) can give. Each ends in
// temperror or permerror with an explanation, within the budget.
func hostileDNS(t *testing.T, bin string, common []string) {
	dir := t.TempDir()
	type want struct {
		spf, dkim, dmarc string // "" not checked
		explain          string // in the JSON line
	}
	cases := []struct {
		name   string
		domain string // of From, MAIL FROM and HELO
		dkim   string // selector of a DKIM-Signature with d=hostile.example, "" for none
		want   want
	}{
		{"SPF include loop", "loop", "", want{spf: "permerror", explain: "more than 10 DNS-querying terms"}},
		{"SPF mutual redirects", "ra", "", want{spf: "permerror", explain: "more than 10 DNS-querying terms"}},
		{"SPF mutual includes", "ia", "", want{spf: "permerror", explain: "more than 10 DNS-querying terms"}},
		{"CNAME loop on the SPF name", "cl", "", want{spf: "temperror", explain: "loops or is longer than"}},
		{"CNAME loop on the _dmarc name", "dl", "", want{spf: "fail", dmarc: "temperror", explain: "loops or is longer than"}},
		{"64 KiB TXT answer", "big", "", want{spf: "permerror", explain: "63750 bytes"}},
		{"1,000 TXT records", "many", "", want{spf: "permerror", explain: "holds 1000 TXT records"}},
		{"answer after the deadline", "late", "", want{spf: "temperror", explain: "TIMEOUT"}},
		{"truncated answer whose TCP retry fails", "tcp", "", want{spf: "temperror", explain: "asked again over TCP"}},
		{"forged reply with the wrong ID over UDP", "wid", "", want{spf: "pass"}},
		{"forged reply with the wrong ID over TCP", "widtcp", "", want{spf: "temperror", explain: dns.ErrId.Error()}},
		{"reply for another question", "mis", "", want{spf: "temperror", explain: "misdirected.invalid."}},
		{"DKIM key of 64 KiB", "dl", "big", want{dkim: "permerror", explain: "63750 bytes"}},
		{"DKIM key after the deadline", "dl", "late", want{dkim: "temperror", explain: "TIMEOUT"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // most of the time is spent waiting for DNS that does not come
			d := c.domain + ".hostile.example"
			msg := "From: a@" + d + "\nSubject: hostile DNS\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n"
			if c.dkim != "" {
				msg = "DKIM-Signature: v=1; a=rsa-sha256; d=hostile.example; s=" + c.dkim + "; h=from; bh=AAAA; b=AAAA\n" + msg
			}
			path := filepath.Join(dir, c.domain+c.dkim+".eml")
			if err := os.WriteFile(path, []byte(msg+"\nbody\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"--json"}, common...), "--ip", "192.0.2.66", "--mail-from", "b@"+d, "--helo", "mail.hostile.example", path)
			code, out, errOut, took := hostileRun(t, bin, "", args...)
			checkRun(t, "--json", code, out, errOut, took, hostileBound)
			var rep struct {
				SPF   struct{ Result, Explanation string }
				DKIM  []struct{ Result, Reason string }
				DMARC struct{ Result string }
			}
			if err := json.Unmarshal(out, &rep); err != nil {
				t.Fatalf("report: %v\n%.2000s", err, out)
			}
			if c.want.spf != "" && (rep.SPF.Result != c.want.spf || rep.SPF.Explanation == "") {
				t.Errorf("spf = %s (%q), want %s with an explanation", rep.SPF.Result, rep.SPF.Explanation, c.want.spf)
			}
			if c.want.dkim != "" && (len(rep.DKIM) != 1 || rep.DKIM[0].Result != c.want.dkim || rep.DKIM[0].Reason == "") {
				t.Errorf("dkim = %+v, want one %s with a reason", rep.DKIM, c.want.dkim)
			}
			if c.want.dmarc != "" && rep.DMARC.Result != c.want.dmarc {
				t.Errorf("dmarc = %s, want %s", rep.DMARC.Result, c.want.dmarc)
			}
			if !bytes.Contains(out, []byte(c.want.explain)) {
				t.Errorf("the report does not say %q:\n%.3000s", c.want.explain, out)
			}
			if bytes.Contains(out, []byte("forged")) || bytes.Contains(out, []byte("203.0.113.66")) {
				t.Errorf("the forged reply reached the report")
			}
		})
	}
}

// hostileEscapes: a message with escape sequences and bidi controls in
// every place a report shows, whose domain answers with more of them, in
// a file whose name has them too. Nothing reaches stdout or stderr raw, in
// any report mode or in the spf subcommand; the text shows visible escapes
// and the JSON the exact characters, escaped.
func hostileEscapes(t *testing.T, bin string, common []string) {
	const (
		esc = "\x1b"
		bel = "\x07"
		rlo = "\u202e"
		lri = "\u2066"
		pdi = "\u2069"
		csi = "\u009b"
	)
	msg := strings.Join([]string{
		"Received: from " + esc + "]0;owned" + bel + "mail.esc.example (" + rlo + "mail.esc.example [192.0.2.66])",
		"\tby mx.inbound.example (" + esc + "[31mPostfix" + csi + ") with ESMTP id " + esc + "[2J; Sat, 28 Nov 2026 10:00:00 +0000",
		"Authentication-Results: mx.inbound.example" + esc + "[8m; spf=pass (" + esc + "]52;c;ZXZpbA==" + bel + ") smtp.mailfrom=" + rlo + "esc.example;",
		"\tdkim=pass header.d=" + esc + "[5mesc.example; dmarc=pass header.from=" + lri + "esc.example" + pdi,
		"X-MS-Exchange-Organization-SCL: " + esc + "[31m9",
		"X-Spam-Status: Yes, score=" + esc + "[2J99.0 required=5.0 tests=" + rlo + "EVIL",
		"DKIM-Signature: v=1; a=rsa-sha256; d=esc.example; s=s1; h=from:subject; bh=AAAA; b=AAAA;",
		"\tz=" + esc + "]8;;http://evil.example/" + bel + "click" + esc + "]8;;" + bel + "|" + rlo + "; x=" + esc + "[1m",
		"From: \"" + esc + "]52;c;cHduZWQ=" + bel + "Pay" + rlo + "laP" + lri + " " + csi + "\" <a@esc.example>",
		"Subject: " + esc + "]0;owned" + bel + esc + "[2J" + rlo + "gnp.exe " + csi + "31m \x9b8-bit =?utf-8?q?=1B=5B31mred=E2=80=AE?=",
		"Date: Sat, 28 Nov 2026 10:00:00 +0000",
		"Message-ID: <" + esc + "[31m@esc.example>",
		"Return-Path: <b@esc.example>",
		"",
		"body " + esc + "[2J",
		"",
	}, "\n")
	path := filepath.Join(t.TempDir(), esc+"[31mevil"+rlo+"lmth.eml")
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	visible := map[string][]string{
		"--text": {`\x1b]52;c;cHduZWQ=\x07Pay\u202elaP`, `\x1b]0;owned\x07\x1b[2J\u202egnp.exe \u009b31m \x9b8-bit`, `\x1b[31mevil\u202elmth.eml`,
			`\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202egnp.exe\u009b31m`},
		"--json": {`\u001b]52;c;cHduZWQ=\u0007Pay\u202elaP`, `\u001b]0;owned\u0007\u001b[2J\u202egnp.exe \u009b31m`, `\u001b[31mevil\u202elmth.eml`,
			`\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u202egnp.exe\u009b31m`},
	}
	for _, mode := range []string{"--json", "--text"} {
		t.Run(mode, func(t *testing.T) {
			// The hostile Received field names no usable client, so the
			// client is given: SPF then fails and fetches the exp= text.
			code, out, errOut, took := hostileRun(t, bin, "", append(append([]string{mode}, common...), "--at", "2026-11-28T10:00:00Z", "--ip", "192.0.2.66", path)...)
			checkRun(t, mode, code, out, errOut, took, hostileBound)
			if code != exitReject {
				t.Errorf("exit %d, want 4: esc.example asks for reject and nothing passes", code)
			}
			for _, v := range visible[mode] {
				if !bytes.Contains(out, []byte(v)) {
					t.Errorf("the report does not show %q:\n%s", v, out)
				}
			}
		})
	}
	t.Run("--format authres", func(t *testing.T) {
		code, out, errOut, took := hostileRun(t, bin, "", append(append([]string{"--format", "authres"}, common...), path)...)
		checkRun(t, "--text", code, out, errOut, took, hostileBound)
	})
	t.Run("on stdin, as an mbox", func(t *testing.T) {
		mbox := filepath.Join(t.TempDir(), "in.mbox")
		sep := "From " + esc + "[2J@esc.example Sat Nov 28 10:00:00 2026\n"
		if err := os.WriteFile(mbox, []byte(sep+msg+"\n"+sep+"Subject: "+esc+"[31m\n\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"--json", "--text"} {
			code, out, errOut, took := hostileRun(t, bin, mbox, append(append([]string{mode}, common...), "-")...)
			checkRun(t, mode, code, out, errOut, took, hostileBound)
		}
	})
	t.Run("spf subcommand", func(t *testing.T) {
		// A flag typed with an escape sequence (a script passing on what
		// it read from a message) is named in the usage error, escaped.
		code, out, errOut, _ := hostileRun(t, bin, "", "spf", "--"+esc+"[31mx")
		if bad := terminalUnsafe(append(out, errOut...), false); code != spfExitUsage || bad != "" || !bytes.Contains(errOut, []byte(`\x1b[31mx`)) {
			t.Errorf("spf with an unknown flag: exit %d, stderr %q (%s)", code, errOut, bad)
		}
		for _, mode := range [][]string{{"--json"}, nil} {
			args := append([]string{"spf", "--ip", "198.51.100.9", "--sender", "a@esc.example", "--helo", "mail.esc.example", "--dns", common[1]}, mode...)
			code, out, errOut, took := hostileRun(t, bin, "", args...)
			if code != spfExitFail {
				t.Errorf("spf %q: exit %d, want %d (fail)", mode, code, spfExitFail)
			}
			if bad := terminalUnsafe(out, false); bad != "" {
				t.Errorf("spf %q: stdout holds a %s:\n%s", mode, bad, out)
			}
			if bad := terminalUnsafe(errOut, false); bad != "" {
				t.Errorf("spf %q: stderr holds a %s", mode, bad)
			}
			if took > hostileBound {
				t.Errorf("spf %q took %v", mode, took)
			}
			want := `\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202egnp.exe`
			if mode != nil {
				want = `\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u202egnp.exe`
			}
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("spf %q does not show the exp= text escaped (%q):\n%s", mode, want, out)
			}
		}
	})
}
