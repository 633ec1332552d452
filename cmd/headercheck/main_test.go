package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files of cmd/headercheck/testdata")

// testNow is the tests' clock: the day after the bundled examples were
// sent, so reports are the same on every run.
func testNow() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

// examplesDNS answers every test's DNS from testdata/examples.dns, so no
// test asks the network (TestExamplesSnapshot keeps it in step with
// testdata/examples.zone).
var examplesDNS = &lazySnapshot{path: "testdata/examples.dns"}

// pipeEnv is a run from a script: stdin and stdout are not terminals.
var pipeEnv = env{now: testNow, dns: examplesDNS}

// terminalEnv is a person at a terminal who typed headercheck.
var terminalEnv = env{stdinTerminal: true, stdoutTerminal: true, now: testNow, dns: examplesDNS}

// lazySnapshot loads a snapshot on first use, so that -update can write it
// first.
type lazySnapshot struct {
	path string
	once sync.Once
	snap *dnsx.Snapshot
	err  error
}

func (l *lazySnapshot) Lookup(ctx context.Context, name string, qtype uint16) (*trace.Query, error) {
	l.once.Do(func() { l.snap, l.err = dnsx.LoadSnapshot(l.path) })
	if l.err != nil {
		return nil, l.err
	}
	return l.snap.Lookup(ctx, name, qtype)
}

type runResult struct {
	code           int
	stdout, stderr string
}

func runWith(t *testing.T, e env, stdin string, args ...string) runResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut, e)
	return runResult{code, out.String(), errOut.String()}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const phishing = "../../testdata/examples/paypal-lookalike.eml"
const inbox = "../../testdata/examples/inbox.mbox"

func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		r := runWith(t, terminalEnv, "", arg)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q; want 0 and nothing on stderr", arg, r.code, r.stderr)
		}
		if r.stdout != helpText {
			t.Errorf("%s printed something other than the help text", arg)
		}
	}
	// Every flag of CONTRACT.md, with two dashes.
	for _, f := range []string{"--json", "--text", "--dns ADDR", "--dns-snapshot FILE", "--save-dns FILE", "--ip IP",
		"--helo NAME", "--mail-from ADDRESS", "--at TIME", "--message N", "--timeout DURATION", "--strict-dkim",
		"--trust-arc DOMAIN", "--dmarc STANDARD", "--demo", "--help"} {
		if !strings.Contains(helpText, "  "+f) {
			t.Errorf("--help does not list %q", f)
		}
	}
	// One dash only for other programs' flags (aerc's :pipe -m).
	if m := regexp.MustCompile(`(^|\s)-[a-z]`).FindString(strings.ReplaceAll(helpText, ":pipe -m", "")); m != "" {
		t.Errorf("--help writes a flag with one dash: %q", m)
	}
	for _, example := range []string{"headercheck suspicious.eml", ".mbox", "- < suspicious.eml", "<pipe-message>headercheck", ":pipe -m headercheck"} {
		if !strings.Contains(helpText, example) {
			t.Errorf("--help lacks the example %q", example)
		}
	}
	for _, line := range strings.Split(helpText, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("--help line wider than 80 columns: %q", line)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	msg := writeTemp(t, "m.eml", []byte("Subject: x\n\n"))
	cases := []struct {
		name string
		e    env
		args []string
		want string // the first line of stderr
	}{
		{"unknown flag", pipeEnv, []string{"--bogus", msg}, "headercheck: unknown flag --bogus"},
		{"flag without value", pipeEnv, []string{msg, "--message"}, "headercheck: flag needs a value: --message"},
		{"json and text", pipeEnv, []string{"--json", "--text", msg}, "headercheck: --json and --text ask for different outputs; give one"},
		{"two inputs", pipeEnv, []string{msg, msg}, "headercheck: one input at a time, got 2: "},
		{"no input on a terminal", terminalEnv, nil, "headercheck: no input: give a FILE, or - to read stdin, or pipe a message in"},
		{"message zero", pipeEnv, []string{"--message", "0", msg}, "headercheck: --message 0: messages are numbered from 1"},
		{"message not a number", pipeEnv, []string{"--message", "three", msg}, `headercheck: --message three: not a message number (1 is the first)`},
		{"message out of range", pipeEnv, []string{"--message", "2", msg}, "headercheck: --message 2: " + msg + " has 1 message"},
		{"dns junk", pipeEnv, []string{"--dns", "not a server", msg}, "headercheck: --dns not a server: not an IP address or a host name"},
		{"dns bad port", pipeEnv, []string{"--dns", "192.0.2.1:99999", msg}, `headercheck: --dns 192.0.2.1:99999: port "99999" is not a number from 1 to 65535`},
		{"dns and snapshot", pipeEnv, []string{"--dns", "192.0.2.1", "--dns-snapshot", msg, msg}, "headercheck: --dns and --dns-snapshot both say where DNS answers come from; give one"},
		{"snapshot broken", pipeEnv, []string{"--dns-snapshot", writeTemp(t, "broken.dns", []byte(";! bogus example.org.\n")), msg}, "headercheck: --dns-snapshot: dns snapshot"},
		{"snapshot missing", pipeEnv, []string{"--dns-snapshot", filepath.Join(dir, "nope.dns"), msg}, "headercheck: --dns-snapshot: open " + filepath.Join(dir, "nope.dns") + ": no such file or directory"},
		{"save-dns a directory", pipeEnv, []string{"--save-dns", dir, msg}, "headercheck: --save-dns " + dir + ": is a directory"},
		{"save-dns over the input", pipeEnv, []string{"--save-dns", msg, msg}, "headercheck: --save-dns " + msg + ": would overwrite " + msg + ", which this run reads"},
		{"save-dns nowhere", pipeEnv, []string{"--save-dns", filepath.Join(dir, "no", "x.dns"), msg}, "headercheck: --save-dns " + filepath.Join(dir, "no", "x.dns") + ": its directory does not exist"},
		{"ip", pipeEnv, []string{"--ip", "300.1.1.1", msg}, "headercheck: --ip 300.1.1.1: not an IPv4 or IPv6 address"},
		{"helo", pipeEnv, []string{"--helo", "bad name", msg}, "headercheck: --helo bad name: has spaces or control characters"},
		{"mail-from", pipeEnv, []string{"--mail-from", "nobody", msg}, "headercheck: --mail-from nobody: want local@domain, or <> for the null sender"},
		{"at", pipeEnv, []string{"--at", "yesterday", msg}, `headercheck: --at yesterday: not "received" or an RFC 3339 time like 2026-11-20T08:14:30Z`},
		{"timeout zero", pipeEnv, []string{"--timeout", "0s", msg}, "headercheck: --timeout 0s: must be more than zero"},
		{"timeout junk", pipeEnv, []string{"--timeout", "soon", msg}, `headercheck: --timeout soon: not a duration like 10s or 1m30s`},
		{"trust-arc", pipeEnv, []string{"--trust-arc", "ex ample.org", msg}, "headercheck: --trust-arc ex ample.org: not a valid domain name"},
		{"trust-arc public suffix", pipeEnv, []string{"--trust-arc", "co.uk", msg}, "headercheck: --trust-arc co.uk: a public suffix, under which anyone can register a domain"},
		{"dmarc", pipeEnv, []string{"--dmarc", "rfc1234", msg}, "headercheck: --dmarc rfc1234: want rfc9989 or rfc7489"},
		{"demo with a file", pipeEnv, []string{"--demo", msg}, "headercheck: --demo inspects the bundled lessons; it takes no FILE (got " + msg + ")"},
		{"escape in a bad value", pipeEnv, []string{"--ip", "\x1b[2J", msg}, `headercheck: --ip \x1b[2J: not an IPv4 or IPv6 address`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runWith(t, c.e, "Subject: from stdin\n\n", c.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", r.code, exitUsage, r.stderr)
			}
			first, _, _ := strings.Cut(r.stderr, "\n")
			if !strings.HasPrefix(first, c.want) {
				t.Errorf("stderr %q\nwant it to start %q", first, c.want)
			}
			if !strings.Contains(r.stderr, "headercheck --help") {
				t.Errorf("stderr %q does not point to --help", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

func TestValidFlags(t *testing.T) {
	msg := writeTemp(t, "m.eml", []byte("Subject: x\n\n"))
	snap := writeTemp(t, "m.dns", []byte(""))
	cases := []struct {
		name string
		args []string
	}{
		{"output flags only", []string{"--text", msg}},
		{"flags after the file", []string{msg, "--json"}},
		{"double dash", []string{"--json", "--", msg}},
		{"dns ipv6 with port", []string{"--dns", "[2001:db8::53]:5353", msg}},
		{"dns ipv6 bare", []string{"--dns", "2001:db8::53", msg}},
		{"dns host name", []string{"--dns", "resolver.example.net", msg}},
		{"snapshot and save", []string{"--dns-snapshot", snap, "--save-dns", filepath.Join(t.TempDir(), "out.dns"), msg}},
		{"envelope", []string{"--ip", "2001:db8::1", "--helo", "[192.0.2.1]", "--mail-from", "<>", msg}},
		{"time", []string{"--at", "received", "--timeout", "10s", msg}},
		{"at rfc3339", []string{"--at", "2026-11-20T08:14:30Z", msg}},
		{"policy", []string{"--strict-dkim", "--trust-arc", "google.com", "--trust-arc", "arc.example.net", "--dmarc", "RFC7489", msg}},
		{"single-dash spelling", []string{"-json", msg}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The message has no From field, so it cannot pass DMARC
			// (exit 4); it asks DNS nothing, so no server is needed.
			r := runWith(t, pipeEnv, "", c.args...)
			if r.code != exitReject {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, exitReject, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr %q, want nothing", r.stderr)
			}
		})
	}
}

func TestParsedValues(t *testing.T) {
	c, err := parseFlags([]string{"--dns", "192.0.2.53", "--mail-from", "<Alice@Example.org>", "--ip", "::ffff:192.0.2.7", "--trust-arc", "a.example", "--trust-arc", "b.example", "--dmarc", "RFC7489", "x.eml"}, pipeEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.dns != "192.0.2.53:53" || c.mailFrom != "Alice@Example.org" || !c.mailFromSet || c.ip.String() != "192.0.2.7" ||
		strings.Join(c.trustARC, ",") != "a.example,b.example" || c.dmarc != "rfc7489" || c.input != "x.eml" {
		t.Errorf("parsed %+v", c)
	}
	c, err = parseFlags([]string{"--mail-from", "", "-"}, pipeEnv)
	if err != nil || c.mailFrom != "" || !c.mailFromSet || c.input != "-" {
		t.Errorf("--mail-from '': %+v, %v; want the null sender", c, err)
	}
}

func TestUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	empty := writeTemp(t, "empty.eml", nil)
	cases := []struct {
		name string
		args []string
		want string // all of stderr
	}{
		{"missing file", []string{"x.eml"}, "headercheck: open x.eml: no such file or directory\n"},
		{"directory", []string{dir}, "headercheck: open " + dir + ": is a directory\n"},
		{"empty file", []string{empty}, "headercheck: " + empty + ": the file is empty; there is no message to inspect\n"},
		{"empty stdin", []string{"-"}, "headercheck: stdin: the input is empty; there is no message to inspect\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runWith(t, pipeEnv, "", c.args...)
			if r.code != exitError || r.stderr != c.want || r.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q\nwant exit 1, stderr %q", r.code, r.stderr, r.stdout, c.want)
			}
		})
	}
}

// jsonLines decodes each line of out as an object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", line, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func jsonKeys(o map[string]any) string {
	var ks []string
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestJSON(t *testing.T) {
	r := runWith(t, pipeEnv, "", "--json", inbox)
	if r.code != exitReject || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 4 (message 3 is rejected)", r.code, r.stderr)
	}
	objs := jsonLines(t, r.stdout)
	if len(objs) != 3 {
		t.Fatalf("%d lines, want one per message (3)", len(objs))
	}
	want := []string{"deliver", "deliver", "reject"}
	for i, o := range objs {
		for _, k := range contractKeys {
			if _, ok := o[k]; !ok {
				t.Errorf("line %d lacks the contract key %q", i+1, k)
			}
		}
		if _, ok := o["error"]; ok {
			t.Errorf("line %d has an error: %v", i+1, o["error"])
		}
		src := o["source"].(map[string]any)
		if got := jsonKeys(src); got != "date,file,from,index,message_id,subject" {
			t.Errorf("source keys = %s", got)
		}
		if src["index"] != float64(i+1) || src["file"] != inbox {
			t.Errorf("line %d source = %v", i+1, src)
		}
		if got := o["verdict"].(map[string]any)["disposition"]; got != want[i] {
			t.Errorf("line %d disposition = %v, want %s", i+1, got, want[i])
		}
	}
	if got := len(objs[1]["received"].([]any)); got != 2 {
		t.Errorf("message 2 has %d received hops, want 2", got)
	}
}

// contractKeys are the keys of the report object (CONTRACT.md).
var contractKeys = []string{"source", "envelope", "received", "boundary", "iprev", "spf", "dkim", "dmarc", "verdict", "recorded", "arc", "receivers", "dns"}

func TestMessageFlag(t *testing.T) {
	r := runWith(t, pipeEnv, "", "--json", "--message", "2", inbox)
	objs := jsonLines(t, r.stdout)
	if r.code != exitDeliver || len(objs) != 1 || objs[0]["source"].(map[string]any)["subject"] != "Lunch on Friday?" {
		t.Errorf("exit %d, %v; want message 2 alone", r.code, objs)
	}
}

func TestStdin(t *testing.T) {
	data, err := os.ReadFile(phishing)
	if err != nil {
		t.Fatal(err)
	}
	want := runWith(t, pipeEnv, "", "--json", phishing).stdout
	want = strings.Replace(want, `"file":"`+phishing+`"`, `"file":"stdin"`, 1)
	for _, args := range [][]string{{"--json", "-"}, {"--json"}} {
		r := runWith(t, pipeEnv, string(data), args...)
		if r.code != exitReject || r.stdout != want {
			t.Errorf("%v: exit %d\n got %s\nwant %s", args, r.code, r.stdout, want)
		}
	}
}

// TestTerminalGetsTUI: on a terminal without --json or --text the TUI
// opens (tui's own tests drive it); with either, or on a pipe, the report.
func TestTerminalGetsTUI(t *testing.T) {
	cases := []struct {
		name string
		e    env
		args []string
		want bool
	}{
		{"terminal", terminalEnv, []string{phishing}, true},
		{"terminal --text", terminalEnv, []string{"--text", phishing}, false},
		{"terminal --json", terminalEnv, []string{"--json", phishing}, false},
		{"pipe", pipeEnv, []string{phishing}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parseFlags(c.args, c.e)
			if err != nil {
				t.Fatal(err)
			}
			if got := wantTUI(cfg, c.e); got != c.want {
				t.Errorf("wantTUI(%v) = %v, want %v", c.args, got, c.want)
			}
		})
	}
	tty := runWith(t, terminalEnv, "", "--text", phishing)
	text := runWith(t, pipeEnv, "", phishing)
	// On a terminal the report is styled; without the styles it is the
	// report a pipe gets.
	if tty.code != exitReject || ansi.Strip(tty.stdout) != text.stdout || tty.stdout == text.stdout {
		t.Errorf("--text on a terminal is not the pipe's report styled")
	}
}

func TestErrorRecords(t *testing.T) {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	pngPath := writeTemp(t, "photo.eml", img.Bytes())
	mixed := writeTemp(t, "mixed.mbox", []byte(
		"From a@b Fri Nov 20 08:14:22 2026\nSubject: fine\n\nx\n\n"+
			"From a@b Fri Nov 20 08:14:22 2026\n\x00\x01 binary \x00\n\n"+
			"From a@b Fri Nov 20 08:14:22 2026\nSubject: also fine\n\ny\n"))
	allBad := writeTemp(t, "bad.mbox", []byte("From a@b Fri Nov 20 08:14:22 2026\n\x00junk\n"))

	t.Run("not mail at all", func(t *testing.T) {
		r := runWith(t, pipeEnv, "", "--json", pngPath)
		objs := jsonLines(t, r.stdout)
		if r.code != exitError || len(objs) != 1 || jsonKeys(objs[0]) != "error,source" {
			t.Fatalf("exit %d, %v; want 1 and one error line", r.code, objs)
		}
		if e := objs[0]["error"].(string); !strings.Contains(e, "not a mail message") || !strings.Contains(e, "PNG image") {
			t.Errorf("error %q does not say it is a PNG and not mail", e)
		}
	})
	t.Run("one bad message of three", func(t *testing.T) {
		r := runWith(t, pipeEnv, "", "--json", mixed)
		objs := jsonLines(t, r.stdout)
		if r.code != exitReject || len(objs) != 3 {
			t.Fatalf("exit %d, %d lines; want 4 (no From field) and 3", r.code, len(objs))
		}
		if jsonKeys(objs[1]) != "error,source" || objs[1]["source"].(map[string]any)["index"] != float64(2) {
			t.Errorf("line 2 = %v, want an error for message 2", objs[1])
		}
		if _, ok := objs[2]["verdict"]; !ok || objs[2]["error"] != nil {
			t.Errorf("line 3 = %v, want message 3 inspected", objs[2])
		}
		text := runWith(t, pipeEnv, "", "--text", mixed)
		if !strings.Contains(text.stdout, "== Message 2 of 3 in "+mixed+" ==\nNot inspected: not a mail message") {
			t.Errorf("text report lacks the error of message 2:\n%s", text.stdout)
		}
	})
	t.Run("every message bad", func(t *testing.T) {
		r := runWith(t, pipeEnv, "", "--json", allBad)
		if r.code != exitError || len(jsonLines(t, r.stdout)) != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
	})
}

// TestTerminalSafety: control sequences and bidi controls from the message
// and from the file name never reach the terminal as they are.
func TestTerminalSafety(t *testing.T) {
	evil := "Subject: \x1b]0;owned\x07\x1b[2J\u202egnp.exe \u009b31m\n" +
		"From: \u2066admin\u2069 <a@example.org>\n" +
		"X-Junk\x1b[31m no colon\n" +
		"Date: \x1b[5m\n\nbody\n"
	path := writeTemp(t, "\x1b[31mred\u202e.eml", []byte(evil))
	for _, mode := range []string{"--text", "--json"} {
		r := runWith(t, pipeEnv, "", mode, path)
		if r.code != exitQuarantine { // example.org asks for quarantine, and nothing passes
			t.Fatalf("%s: exit %d, stderr %q", mode, r.code, r.stderr)
		}
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u2066", "\u2069", "\u009b"} {
			if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
				t.Errorf("%s output holds %q:\n%s", mode, bad, r.stdout)
			}
		}
	}
	r := runWith(t, pipeEnv, "", "--text", path)
	for _, want := range []string{`Subject:    \x1b]0;owned\x07\x1b[2J\u202egnp.exe \u009b31m`, `\x1b[31mred\u202e.eml`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks the visible escape %q:\n%s", want, r.stdout)
		}
	}
	// A JSON reader still gets the exact value.
	var rec struct{ Source struct{ Subject string } }
	if err := json.Unmarshal([]byte(runWith(t, pipeEnv, "", "--json", path).stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Source.Subject != "\x1b]0;owned\x07\x1b[2J\u202egnp.exe \u009b31m" {
		t.Errorf("JSON subject decodes to %q, want the original characters", rec.Source.Subject)
	}
	missing := runWith(t, pipeEnv, "", "\x1b[2J.eml")
	if strings.Contains(missing.stderr, "\x1b") || !strings.Contains(missing.stderr, `\x1b[2J.eml`) {
		t.Errorf("error for a missing file prints its name unescaped: %q", missing.stderr)
	}
}

func TestSPFDispatch(t *testing.T) {
	r := runWith(t, pipeEnv, "", "spf", "--help")
	if strings.Contains(r.stderr, "no input") || !strings.Contains(r.stdout+r.stderr, "headercheck spf") {
		t.Errorf("`headercheck spf` was not handed to the spf subcommand: %+v", r)
	}
}

// TestGolden compares whole reports of the bundled examples with the files
// in testdata; run `go test ./cmd/headercheck -update` to rewrite them after
// a deliberate change, and review the diff.
// TestGolden compares whole reports of the bundled examples with the files
// in testdata; run `go test ./cmd/headercheck -update` to rewrite them after
// a deliberate change, and review the diff. DNS comes from
// testdata/examples.dns and the clock is fixed, so the reports are the same
// on every run.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"paypal-lookalike.txt", []string{"--workers", "1", "--text", phishing}, exitReject},
		{"paypal-lookalike.json", []string{"--workers", "1", "--json", phishing}, exitReject},
		{"inbox.txt", []string{"--workers", "1", "--text", inbox}, exitReject},
		{"inbox.json", []string{"--workers", "1", "--json", inbox}, exitReject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runWith(t, pipeEnv, "", c.args...)
			if r.code != c.code || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want %d", r.code, r.stderr, c.code)
			}
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("output differs from %s (run with -update and review the diff):\n%s", path, r.stdout)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.HasSuffix(c.name, ".txt") && len([]rune(line)) > 80 {
					t.Errorf("text line wider than 80 columns: %q", line)
				}
			}
		})
	}
}
