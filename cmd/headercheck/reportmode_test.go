package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

// The messages of inspect/report's golden reports, signed with its
// TEST-ONLY keys, and their DNS.
const reportData = "../../inspect/report/testdata"

// TestReportExitStatus runs the built binary against a loopback DNS
// server and checks the exit status of each outcome (CONTRACT.md), the
// lines it writes, and an mbox with a broken message in the middle.
func TestReportExitStatus(t *testing.T) {
	bin := buildBinary(t)
	srv := dnstest.Start(t, filepath.Join(reportData, "report.zone"), filepath.Join(reportData, "keys.zone"))
	srv.Fail("_dmarc.flaky.example.", dns.RcodeServerFailure)
	eml := func(name string) string { return filepath.Join(reportData, name+".eml") }
	read := func(name string) string {
		b, err := os.ReadFile(eml(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dir := t.TempDir()
	mbox := func(name string, msgs ...string) string {
		var b strings.Builder
		for _, m := range msgs {
			b.WriteString("From someone@example.org Sun Nov 29 10:00:00 2026\n" + m + "\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	broken := "this line is no header field\n\nand this is no message\n"
	mixed := mbox("mixed.mbox", read("aligned"), broken, read("quarantine"))
	allBroken := mbox("broken.mbox", broken, broken)

	cases := []struct {
		name  string
		args  []string
		code  int
		lines int      // JSON lines on stdout; -1 for text
		want  []string // fragments of stdout
		err   string   // fragment of stderr
	}{
		{name: "deliver", args: []string{"--json", eml("aligned")}, code: 0, lines: 1, want: []string{`"disposition":"deliver"`}},
		{name: "quarantine", args: []string{"--json", eml("quarantine")}, code: 3, lines: 1, want: []string{`"disposition":"quarantine"`}},
		{name: "reject", args: []string{"--json", eml("tampered")}, code: 4, lines: 1, want: []string{`"disposition":"reject"`}},
		{name: "temperror delivers", args: []string{"--json", eml("temperror-escapes")}, code: 0, lines: 1, want: []string{`"temperror":true`, `\u202e`}},
		{name: "not mail", args: []string{"--json", eml("notmail")}, code: 1, lines: 1, want: []string{`"error":"not a mail message`}},
		{name: "broken message in the middle", args: []string{"--json", mixed}, code: 3, lines: 3,
			want: []string{`"index":1,`, `{"source":{"file":"` + mixed + `","index":2,"message_id":"","from":"","subject":"","date":""},"error":"not a mail message`, `"index":3,`}},
		{name: "broken message in the middle, text", args: []string{"--text", mixed}, code: 3, lines: -1,
			want: []string{"== Message 1 of 3 in " + mixed + " ==\n", "== Message 2 of 3 in " + mixed + " ==\nNot inspected: not a mail message", "Verdict: QUARANTINE"}},
		{name: "every message broken", args: []string{"--json", allBroken}, code: 1, lines: 2},
		{name: "one message of an mbox", args: []string{"--json", "--message", "3", mixed}, code: 3, lines: 1, want: []string{`"index":3,`}},
		{name: "authres", args: []string{"--format", "authres", eml("aligned")}, code: 0, lines: -1,
			want: []string{"Authentication-Results: headercheck;\n    iprev=pass policy.iprev=192.0.2.10;\n    spf=pass smtp.mailfrom=alice@aligned.example;", "(message 1 in "}},
		{name: "usage: unknown format", args: []string{"--format", "xml", eml("aligned")}, code: 2, lines: -1, err: "--format xml: the only format is authres"},
		{name: "usage: no workers", args: []string{"--workers", "0", "--json", eml("aligned")}, code: 2, lines: -1, err: "--workers 0"},
		{name: "usage: message beyond the mbox", args: []string{"--json", "--message", "4", mixed}, code: 2, lines: -1, err: "has 3 messages"},
		{name: "input error", args: []string{"--json", filepath.Join(dir, "missing.mbox")}, code: 1, lines: -1, err: "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"--dns", srv.Addr, "--timeout", "5s"}, c.args...)...)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", code, c.code, errOut.String())
			}
			if c.lines >= 0 {
				lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				if out.Len() == 0 {
					lines = nil
				}
				if len(lines) != c.lines {
					t.Errorf("%d lines on stdout, want %d", len(lines), c.lines)
				}
				for i, l := range lines {
					var v map[string]any
					if err := json.Unmarshal([]byte(l), &v); err != nil {
						t.Errorf("line %d is not JSON: %v", i+1, err)
					}
				}
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%.3000s", w, out.String())
				}
			}
			if !strings.Contains(errOut.String(), c.err) {
				t.Errorf("stderr %q lacks %q", errOut.String(), c.err)
			}
			if bytes.ContainsAny(out.Bytes(), "\x1b\x00\x07") {
				t.Errorf("stdout carries a raw control byte")
			}
		})
	}
}
