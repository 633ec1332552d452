package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/testdata/lessons"
)

// offlineEnv has no DNS at all: a demo that asked anything but its
// lessons' snapshots would fail.
var offlineEnv = env{now: testNow}

// TestDemoJSON: --demo in report mode is the gallery as an mbox, one line
// per lesson with source.file demo:NAME and its index, each giving the
// verdict its lesson documents, and the exit status of the worst.
func TestDemoJSON(t *testing.T) {
	all := lessons.List()
	r := runWith(t, offlineEnv, "", "--demo", "--json")
	if r.code != exitReject || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q; want exit %d (the gallery has rejects) and no stderr", r.code, r.stderr, exitReject)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != len(all) {
		t.Fatalf("%d lines for %d lessons", len(lines), len(all))
	}
	for i, line := range lines {
		var rep struct {
			Source struct {
				File  string `json:"file"`
				Index int    `json:"index"`
			} `json:"source"`
			Verdict struct {
				Disposition string `json:"disposition"`
			} `json:"verdict"`
			DNS []struct {
				Rcode string `json:"rcode"`
				Name  string `json:"name"`
			} `json:"dns"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &rep); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		l := all[i]
		if rep.Source.File != "demo:"+l.Name || rep.Source.Index != i+1 || rep.Error != "" {
			t.Errorf("line %d: source %s #%d, error %q; want demo:%s #%d", i+1, rep.Source.File, rep.Source.Index, rep.Error, l.Name, i+1)
		}
		if rep.Verdict.Disposition != l.Want.Verdict {
			t.Errorf("%s: disposition %s, the lesson says %s", l.Name, rep.Verdict.Disposition, l.Want.Verdict)
		}
		for _, q := range rep.DNS {
			if q.Rcode == "MISSING" {
				t.Errorf("%s: %s is not in the lesson's snapshot", l.Name, q.Name)
			}
		}
	}
	// The same bytes on every run: a classroom sees the same thing.
	if again := runWith(t, offlineEnv, "", "--demo", "--json"); again.stdout != r.stdout {
		t.Error("two runs of --demo --json differ")
	}
}

// TestDemoText: the text report of a lesson is followed by its text.
func TestDemoText(t *testing.T) {
	l, ok := lessons.Get("06-mailing-list")
	if !ok {
		t.Fatal("no lesson 06-mailing-list")
	}
	r := runWith(t, offlineEnv, "", "--demo", "--text", "--message", "6")
	if r.code != exitReject || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"Message 6 of 13 in demo:06-mailing-list", "Verdict: REJECT", "Lesson 6: " + l.Title,
		// The lesson is judged as of its own fixed time, and says so.
		"(from " + lessons.NowSource + ")", "2026-11-23T18:10:00Z, " + lessons.NowSource,
		// The lesson's text keeps its lines.
		"\n## What to look at\n\n- **Received chain.**"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the text report lacks %q", want)
		}
	}
	at := strings.Index(r.stdout, "\nLesson 6: ")
	if at < 0 {
		t.Fatal("no lesson text after the report")
	}
	lesson := r.stdout[at:]
	for _, bad := range []string{`\n`, "(from now)", ", now\n"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("the text report has %q", bad)
		}
	}
	for _, line := range strings.Split(lesson, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("a line of the lesson is wider than 80 columns: %q", line)
		}
	}
}

// TestDemoFlags: the flags that change a replay apply to the lessons, and
// those that name a DNS source are refused.
func TestDemoFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		out  string // in stdout
		err  string // all of stderr
	}{
		{"what if the spoof came from the bank's own server", []string{"--demo", "--json", "--message", "2", "--ip", "198.51.100.25", "--mail-from", "bounces@bank.example"},
			exitDeliver, `"disposition":"deliver"`, ""},
		{"a receiver that trusts the list's ARC sealer", []string{"--demo", "--json", "--message", "6", "--trust-arc", "lists.club.example"},
			exitDeliver, `"disposition":"deliver"`, ""},
		{"l= under --strict-dkim", []string{"--demo", "--json", "--message", "11", "--strict-dkim"},
			exitReject, `"disposition":"reject"`, ""},
		{"the Authentication-Results a receiver would write", []string{"--demo", "--format", "authres", "--message", "1"},
			exitDeliver, "dkim=pass", ""},
		{"the Authentication-Results of a message with an ARC chain", []string{"--demo", "--format", "authres", "--message", "6"},
			exitReject, "policy.dmarc=reject;\n    arc=pass", ""},
		{"one lesson shows the aggregate report's XML", []string{"--demo", "--text", "--message", "2"},
			exitReject, `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`, ""},
		{"no such lesson", []string{"--demo", "--json", "--message", "99"},
			exitUsage, "", "headercheck: --message 99: the demo has 13 lessons\nRun 'headercheck --help' for usage and examples.\n"},
		{"a DNS server", []string{"--demo", "--json", "--dns", "192.0.2.53"},
			exitUsage, "", "headercheck: --demo replays each lesson from its own DNS snapshot; it takes no --dns\nRun 'headercheck --help' for usage and examples.\n"},
		{"saving DNS", []string{"--demo", "--json", "--save-dns", "x.dns"},
			exitUsage, "", "headercheck: --demo replays each lesson from its own DNS snapshot; it takes no --save-dns\nRun 'headercheck --help' for usage and examples.\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runWith(t, offlineEnv, "", c.args...)
			if r.code != c.code || r.stderr != c.err || !strings.Contains(r.stdout, c.out) {
				t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant exit %d, stderr %q, stdout with %q", r.code, r.stderr, r.stdout, c.code, c.err, c.out)
			}
		})
	}
}

// TestDemoBinary runs the built binary as a fresh clone would, offline.
func TestDemoBinary(t *testing.T) {
	bin := buildBinary(t)
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "--demo", "--text")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	if code != exitReject || errOut.Len() != 0 || strings.Count(out.String(), "\nLesson ") != len(lessons.List()) {
		t.Errorf("headercheck --demo --text: exit %d, stderr %q, %d lessons in stdout", code, errOut.String(), strings.Count(out.String(), "\nLesson "))
	}
}
