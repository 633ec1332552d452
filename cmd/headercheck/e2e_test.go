package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// buildBinary builds headercheck into a temporary directory, so the tests
// below run the real program: its main, its flag handling, its exit codes.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "headercheck")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)
	missing := filepath.Join(t.TempDir(), "x.eml")
	// Every case that inspects replays testdata/examples.dns, so the
	// binary never asks the network.
	snapshot := "testdata/examples.dns"
	saved := filepath.Join(t.TempDir(), "saved.dns")
	cases := []struct {
		name   string
		args   []string
		stdin  string // a file to connect to stdin; "" for /dev/null
		code   int
		stdout []string // fragments stdout must hold
		stderr string   // all of stderr
	}{
		{name: "a file", args: []string{"--dns-snapshot", snapshot, phishing}, code: exitReject,
			stdout: []string{"== " + phishing + " ==\n", `From:       "PayPal Service" <service@paypal.example>`, "Received chain, oldest hop first (2 hops", "Verdict: REJECT"}},
		{name: "an mbox as JSON", args: []string{"--json", "--dns-snapshot", snapshot, inbox}, code: exitReject,
			stdout: []string{`"index":1`, `"index":2`, `"index":3`, `"subject":"Lunch on Friday?"`, `"disposition":"reject"`}},
		{name: "one message of an mbox", args: []string{"--json", "--dns-snapshot", snapshot, "--message", "2", inbox}, code: exitDeliver,
			stdout: []string{`"index":2`, `"disposition":"deliver"`}},
		{name: "stdin without a FILE", args: []string{"--dns-snapshot", snapshot}, stdin: phishing, code: exitReject,
			stdout: []string{"== stdin ==\n", "Subject:    Your account is limited"}},
		{name: "stdin as -", args: []string{"--json", "--dns-snapshot", snapshot, "-"}, stdin: inbox, code: exitReject,
			stdout: []string{`"file":"stdin","index":3`}},
		{name: "save the DNS a run used", args: []string{"--json", "--dns-snapshot", snapshot, "--save-dns", saved, phishing}, code: exitReject,
			stdout: []string{`"name":"_dmarc.paypal.example."`}},
		{name: "help", args: []string{"--help"}, stdout: []string{"Usage:", ":pipe -m headercheck"}},
		{name: "usage error", args: []string{"--json", "--text", phishing}, code: 2,
			stderr: "headercheck: --json and --text ask for different outputs; give one\nRun 'headercheck --help' for usage and examples.\n"},
		{name: "missing file", args: []string{missing}, code: 1,
			stderr: "headercheck: open " + missing + ": no such file or directory\n"},
		{name: "empty stdin", code: 1, stderr: "headercheck: stdin: the input is empty; there is no message to inspect\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			in := os.DevNull
			if c.stdin != "" {
				in = c.stdin
			}
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd.Stdin = f
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err = cmd.Run()
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
			for _, want := range c.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if errOut.String() != c.stderr {
				t.Errorf("stderr %q, want %q", errOut.String(), c.stderr)
			}
		})
	}

	// The snapshot saved replays the same report.
	again := exec.Command(bin, "--json", "--dns-snapshot", saved, phishing)
	var first, second bytes.Buffer
	again.Stdout = &second
	if err := again.Run(); err == nil || again.ProcessState.ExitCode() != exitReject {
		t.Fatalf("replaying the saved snapshot: %v", err)
	}
	orig := exec.Command(bin, "--json", "--dns-snapshot", snapshot, phishing)
	orig.Stdout = &first
	orig.Run()
	strip := regexp.MustCompile(`"(at|rtt_ms|server|replayed)":("[^"]*"|[0-9.]+)|"title":"Evaluated as of"[^}]*`)
	if a, b := strip.ReplaceAllString(first.String(), ""), strip.ReplaceAllString(second.String(), ""); a != b {
		t.Errorf("the saved snapshot replays differently:\n%s\n---\n%s", b, a)
	}
}
