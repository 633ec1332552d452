package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/miekg/dns"
)

// spfZone is the DNS the spf command's tests ask, one domain per result.
const spfZone = `
pass.example.      TXT "v=spf1 ip4:192.0.2.0/24 -all"
fail.example.      TXT "v=spf1 ip4:198.51.100.1 -all exp=why.fail.example"
why.fail.example.  TXT "%{i} may not send for %{d}"
soft.example.      TXT "v=spf1 ~all"
neutral.example.   TXT "v=spf1 ?all"
none.example.      TXT "not an spf record"
temp.example.      TXT "v=spf1 include:down.example -all"
down.example.      TXT "v=spf1 -all"
perm.example.      TXT "v=spf1 ip4:192.0.2.1 -al"
helo.example.      TXT "v=spf1 a -all"
helo.example.      A   192.0.2.7
tracker.example.   TXT "v=spf1 exists:%{l}._u.tracker.example -all"
evil.example.      TXT "v=spf1 ip4:192.0.2.7 -all \"\027[31mred\226\128\174reversed\194\155=x"
`

func startSPFZone(t *testing.T) string {
	t.Helper()
	srv := dnstest.StartZone(t, spfZone)
	srv.Fail("down.example", dns.RcodeServerFailure)
	return srv.Addr
}

func runSPFArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runSPF(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSPFExitCodes(t *testing.T) {
	addr := startSPFZone(t)
	cases := []struct {
		sender string
		code   int
		result string
	}{
		{"bob@pass.example", 0, "PASS"},
		{"bob@fail.example", 3, "FAIL"},
		{"bob@soft.example", 4, "SOFTFAIL"},
		{"bob@neutral.example", 5, "NEUTRAL"},
		{"bob@none.example", 6, "NONE"},
		{"bob@temp.example", 7, "TEMPERROR"},
		{"bob@perm.example", 8, "PERMERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.result, func(t *testing.T) {
			code, out, errs := runSPFArgs("--ip", "192.0.2.7", "--sender", tc.sender, "--dns", addr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, errs)
			}
			if first := strings.SplitN(out, "\n", 2)[0]; !strings.HasPrefix(first, "SPF "+tc.result+" for ") {
				t.Errorf("first line %q, want it to start with %q", first, "SPF "+tc.result+" for ")
			}
			if errs != "" {
				t.Errorf("stderr %q, want nothing", errs)
			}
		})
	}
}

func TestSPFText(t *testing.T) {
	addr := startSPFZone(t)
	code, out, _ := runSPFArgs("--ip", "192.0.2.9", "--sender", "bob@fail.example", "--dns", addr)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, out)
	}
	for _, want := range []string{
		"SPF FAIL for fail.example (MAIL FROM bob@fail.example), client 192.0.2.9",
		"ends with -all, which asks receivers to reject the message",
		`"192.0.2.9 may not send for fail.example"`,
		"[info]      Fetch SPF record for fail.example",
		"The domain fail.example publishes exactly one SPF record",
		"DNS: TXT fail.example. -> NOERROR, 1 answer",
		"  TXT fail.example. NOERROR\n      v=spf1 ip4:198.51.100.1 -all exp=why.fail.example\n",
		"[fail]      -all",
		"DNS queries (2, in the order asked)",
		"  TXT why.fail.example. NOERROR",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line %d is %d columns, want at most 80 (stdout is not a terminal): %q", i+1, n, l)
		}
	}
}

// TestSPFNoDomain: a sender with nothing after the @ is said to have no
// domain, not shown as an empty name ("SPF NONE for - (MAIL FROM a@)").
func TestSPFNoDomain(t *testing.T) {
	addr := startSPFZone(t)
	code, out, _ := runSPFArgs("--ip", "192.0.2.7", "--sender", "a@", "--dns", addr)
	if code != 6 {
		t.Errorf("exit %d, want 6 (none)", code)
	}
	want := "SPF NONE for no domain (MAIL FROM a@ names no domain after the @), client"
	if first := strings.SplitN(out, "\n", 2)[0]; first != want {
		t.Errorf("first line %q, want %q", first, want)
	}
	if strings.Contains(out, "for - (") {
		t.Errorf("output shows the missing domain as -:\n%s", out)
	}
}

func TestSPFJSON(t *testing.T) {
	addr := startSPFZone(t)
	code, out, _ := runSPFArgs("--ip", "192.0.2.7", "--sender", "bob@temp.example", "--dns", addr, "--json")
	if code != 7 {
		t.Fatalf("exit %d, want 7\n%s", code, out)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("JSON output is not one line: %q", out)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"result", "domain", "identity", "client_ip", "explanation", "dns_lookups", "void_lookups", "steps", "dns"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var dnsList []struct {
		Name, Type, Rcode string
	}
	if err := json.Unmarshal(m["dns"], &dnsList); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, q := range dnsList {
		got = append(got, q.Name+" "+q.Type+" "+q.Rcode)
	}
	want := "temp.example. TXT NOERROR|down.example. TXT SERVFAIL"
	if strings.Join(got, "|") != want {
		t.Errorf("dns = %q, want %q", strings.Join(got, "|"), want)
	}
	if string(m["result"]) != `"temperror"` || string(m["identity"]) != `"mailfrom"` {
		t.Errorf("result %s identity %s", m["result"], m["identity"])
	}
}

func TestSPFEscapesDNSText(t *testing.T) {
	addr := startSPFZone(t)
	// The record holds ESC, U+202E (RIGHT-TO-LEFT OVERRIDE) and U+009B (a C1
	// control), which a terminal would obey.
	code, out, _ := runSPFArgs("--ip", "192.0.2.7", "--sender", "bob@evil.example", "--dns", addr)
	if code != 8 {
		t.Errorf("exit %d, want 8 (the record has a control character)", code)
	}
	for _, bad := range []string{"\x1b", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("text output contains %q raw:\n%s", bad, out)
		}
	}
	for _, esc := range []string{`\x1b[31mred`, `\u202e`, `\u009b`} {
		if !strings.Contains(out, esc) {
			t.Errorf("text output lacks the visible escape %s:\n%s", esc, out)
		}
	}
	_, out, _ = runSPFArgs("--ip", "192.0.2.7", "--sender", "bob@evil.example", "--dns", addr, "--json")
	for _, bad := range []string{"\x1b", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("JSON output contains %q raw", bad)
		}
	}
	if !strings.Contains(out, `\u202e`) || !strings.Contains(out, `\u001b`) {
		t.Errorf("JSON output lacks \\u escapes:\n%s", out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Errorf("escaped JSON does not parse: %v", err)
	}
}

func TestSPFHELOAndNullSender(t *testing.T) {
	addr := startSPFZone(t)
	code, out, _ := runSPFArgs("--ip", "192.0.2.7", "--helo", "helo.example", "--identity", "helo", "--dns", addr)
	if code != 0 || !strings.Contains(out, "(HELO postmaster@helo.example)") {
		t.Errorf("--identity helo: exit %d\n%s", code, out)
	}
	code, out, _ = runSPFArgs("--ip", "192.0.2.7", "--sender", "<>", "--helo", "helo.example", "--dns", addr)
	if code != 0 || !strings.Contains(out, "null sender") {
		t.Errorf("null sender: exit %d\n%s", code, out)
	}
	code, out, _ = runSPFArgs("--ip", "[IPv6:2001:db8::1]", "--sender", "bob@pass.example", "--dns", addr)
	if code != 3 || !strings.Contains(out, "client 2001:db8::1") {
		t.Errorf("IPv6 literal: exit %d\n%s", code, out)
	}
}

func TestSPFTipOff(t *testing.T) {
	addr := startSPFZone(t)
	code, out, _ := runSPFArgs("--ip", "192.0.2.7", "--sender", "alice@tracker.example", "--dns", addr)
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	for _, want := range []string{"Warning: some lookups carried", "[warn]", "--dns-snapshot", "alice._u.tracker.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSPFUsage(t *testing.T) {
	code, out, errs := runSPFArgs("--help")
	if code != 0 || !strings.Contains(out, "--ip IP") || !strings.Contains(out, "8  permerror") || errs != "" {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no ip", []string{"--sender", "a@b.example"}, "--ip is required"},
		{"bad ip", []string{"--ip", "300.1.1.1", "--sender", "a@b.example"}, "not an IP address"},
		{"no sender", []string{"--ip", "192.0.2.1"}, "--sender is required"},
		{"null sender without helo", []string{"--ip", "192.0.2.1", "--sender", ""}, "needs --helo"},
		{"helo identity without helo", []string{"--ip", "192.0.2.1", "--identity", "helo"}, "needs --helo"},
		{"bad identity", []string{"--ip", "192.0.2.1", "--sender", "a@b.example", "--identity", "pra"}, "mailfrom or helo"},
		{"bad time", []string{"--ip", "192.0.2.1", "--sender", "a@b.example", "--at", "yesterday"}, "RFC 3339"},
		{"unknown flag", []string{"--ip", "192.0.2.1", "--sender", "a@b.example", "--nope"}, "not defined"},
		{"extra argument", []string{"--ip", "192.0.2.1", "--sender", "a@b.example", "file.eml"}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runSPFArgs(tc.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tc.msg) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and a message with %q", code, out, errs, tc.msg)
			}
		})
	}
}

func TestSPFCannotRun(t *testing.T) {
	var out, errb bytes.Buffer
	code := runSPFWith([]string{"--ip", "192.0.2.1", "--sender", "a@b.example"}, &out, &errb, filepath.Join(t.TempDir(), "no-resolv.conf"))
	if code != 1 || !strings.Contains(errb.String(), "--dns") {
		t.Errorf("exit %d, stderr %q; want 1 and a hint to use --dns", code, errb.String())
	}
}

// TestSPFSnapshot replays the spf command from a .dns file: the same
// result and steps as against the server, nothing asked of the network, and
// a name the file lacks is a temperror (exit 7), never a "does not exist".
func TestSPFSnapshot(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "spf.dns")
	if err := os.WriteFile(snap, []byte(spfZone+";! zone pass.example.\n;! zone fail.example.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, sender string
		code         int
		want         string
	}{
		{"pass", "bob@pass.example", 0, "SPF PASS for pass.example"},
		{"fail with the domain's explanation", "bob@fail.example", 3, `"192.0.2.7 may not send for fail.example"`},
		{"a name the snapshot lacks", "bob@elsewhere.example", 7, "SPF TEMPERROR for elsewhere.example"},
		// Nothing is temporary in a replay: the snapshot lacks the answer.
		{"a name the snapshot lacks, in words", "bob@elsewhere.example", 7, "so the replay cannot tell"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runSPFArgs("--ip", "192.0.2.7", "--sender", c.sender, "--dns-snapshot", snap)
			if code != c.code || !strings.Contains(out, c.want) || strings.Contains(out, "This is a temporary DNS problem") {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s%s", code, c.code, c.want, out, errs)
			}
		})
	}
	t.Run("with --dns too", func(t *testing.T) {
		code, _, errs := runSPFArgs("--ip", "192.0.2.7", "--sender", "bob@pass.example", "--dns-snapshot", snap, "--dns", "127.0.0.1:1")
		if code != 2 || !strings.Contains(errs, "give one") {
			t.Errorf("exit %d, stderr %q; want usage error 2", code, errs)
		}
	})
	t.Run("a file that is not a snapshot", func(t *testing.T) {
		code, _, errs := runSPFArgs("--ip", "192.0.2.7", "--sender", "bob@pass.example", "--dns-snapshot", filepath.Join(t.TempDir(), "missing.dns"))
		if code != 1 || !strings.Contains(errs, "--dns-snapshot") {
			t.Errorf("exit %d, stderr %q; want 1 naming --dns-snapshot", code, errs)
		}
	})
}
