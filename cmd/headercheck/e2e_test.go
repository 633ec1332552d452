package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
	cases := []struct {
		name   string
		args   []string
		stdin  string // a file to connect to stdin; "" for /dev/null
		code   int
		stdout []string // fragments stdout must hold
		stderr string   // all of stderr
	}{
		{name: "a file", args: []string{phishing},
			stdout: []string{"== " + phishing + " ==\n", `From:       "PayPal Service" <service@paypal.example>`, "Received:   2 headers"}},
		{name: "an mbox as JSON", args: []string{"--json", inbox},
			stdout: []string{`"index":1`, `"index":2`, `"index":3`, `"subject":"Lunch on Friday?"`}},
		{name: "stdin without a FILE", stdin: phishing,
			stdout: []string{"== stdin ==\n", "Subject:    Your account is limited"}},
		{name: "stdin as -", args: []string{"--json", "-"}, stdin: inbox,
			stdout: []string{`"file":"stdin","index":3`}},
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
}
