package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBinaryInTmux builds headercheck and runs it in a real pseudo-terminal
// (a tmux pane of 100×30) with the message piped on stdin, as a mail client
// would: the screen comes up with the verdict, keys typed at the terminal
// reach it although stdin is the pipe, and q quits with status 0. Then
// headercheck --demo in an 80×24 pane: the lesson list, offline, and a
// lesson opened from it.
func TestBinaryInTmux(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skips building the binary and running it in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed: this end-to-end test runs the binary in a tmux pane (apt-get install tmux)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "headercheck")
	if out, err := exec.Command(goTool, "build", "-o", bin, "../cmd/headercheck").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	status := filepath.Join(dir, "status")
	// A server of our own (-L), so the test never touches a user's tmux.
	sock := fmt.Sprintf("headercheck-test-%d", os.Getpid())
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-L", sock, "kill-server").Run() })
	script := fmt.Sprintf("cat %s | %s --dns-snapshot %s; echo $? > %s; sleep 60",
		abs("testdata/football.eml"), bin, abs("testdata/football.dns"), status)
	run("new-session", "-d", "-s", "hc", "-x", "100", "-y", "30", "sh", "-c", script)

	screen := func() string { return run("capture-pane", "-p", "-t", "hc") }
	waitScreen := func(what string, cond func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := screen()
			if cond(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s; the pane shows:\n%s", what, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	s := waitScreen("the verdict", func(s string) bool { return strings.Contains(s, "DELIVER") })
	for _, want := range []string{"From    Joe SixPack <joe@football.example.com>", "Subject Is dinner ready?", "[1 Overview]"} {
		if !strings.Contains(s, want) {
			t.Errorf("first screen lacks %q:\n%s", want, s)
		}
	}
	run("send-keys", "-t", "hc", "2")
	waitScreen("the Route view", func(s string) bool { return strings.Contains(s, "[2 Route]") && strings.Contains(s, "⚑ boundary") })
	run("send-keys", "-t", "hc", "q")
	waitExit := func(session, status string, gone string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, err := os.ReadFile(status)
			if err == nil && len(b) > 0 {
				if got := strings.TrimSpace(string(b)); got != "0" {
					t.Errorf("%s: exit status %s after q, want 0", session, got)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: headercheck did not exit after q; the pane shows:\n%s", session, run("capture-pane", "-p", "-t", session))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if s := run("capture-pane", "-p", "-t", session); strings.Contains(s, gone) {
			t.Errorf("%s: the TUI is still on screen after it quit (the alternate screen was not left):\n%s", session, s)
		}
	}
	waitExit("hc", status, "[2 Route]")

	// --demo: the gallery, offline, at 80×24; open the exact-domain spoof.
	demoStatus := filepath.Join(dir, "demo-status")
	run("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", "sh", "-c",
		fmt.Sprintf("%s --demo; echo $? > %s; sleep 60", bin, demoStatus))
	demo := func() string { return run("capture-pane", "-p", "-t", "demo") }
	waitDemo := func(what string, cond func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for s := demo(); !cond(s); s = demo() {
			if time.Now().After(deadline) {
				t.Fatalf("--demo: waiting for %s; the pane shows:\n%s", what, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitDemo("the lesson list", func(s string) bool {
		return strings.Contains(s, "13 lessons, 13 inspected") && strings.Contains(s, "An exact-domain spoof against p=reject")
	})
	run("send-keys", "-t", "demo", "j", "Enter")
	waitDemo("lesson 2", func(s string) bool {
		return strings.Contains(s, "Lesson: An exact-domain spoof") && strings.Contains(s, " REJECT ")
	})
	run("send-keys", "-t", "demo", "q")
	waitExit("demo", demoStatus, "Lesson: An exact-domain spoof")
}
