// Command headercheck tells, step by step, whether an email really came from
// where it says, and why. See --help, README.md and ../shared/CONTRACT.md.
//
// This file is the wiring: flags, input, output and the exit status. It is
// the one place that exits; everything else returns data.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"golang.org/x/term"
)

// Exit status of report modes (CONTRACT.md).
const (
	exitDeliver    = 0 // every inspected message would be delivered
	exitError      = 1 // nothing could be inspected
	exitUsage      = 2 // a usage error
	exitQuarantine = 3 // at least one quarantine and no reject
	exitReject     = 4 // at least one reject
)

// env is what run needs to know about the process it runs in, so tests can
// pretend to be a terminal or a pipe.
type env struct {
	stdinTerminal  bool // stdin is a terminal: no message is being piped in
	stdoutTerminal bool // stdout is a terminal: the interactive mode applies
	stderrTerminal bool // stderr is a terminal: progress bar and summary of a report run
	width          int  // stdout's width in columns when a terminal, else 0 (80)
	stderrWidth    int  // stderr's width when a terminal
	// now is the clock; nil means time.Now. Tests fix it so reports are
	// the same on every run.
	now func() time.Time
	// dns answers when the flags name no DNS source, instead of the
	// servers of /etc/resolv.conf; nil means those. Tests set it so that
	// no test asks the network.
	dns dnsx.Resolver
}

// clock is e's clock.
func (e env) clock() func() time.Time {
	if e.now == nil {
		return time.Now
	}
	return e.now
}

func main() {
	e := env{
		stdinTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if e.stdoutTerminal {
		e.width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	if e.stderrTerminal {
		e.stderrWidth, _, _ = term.GetSize(int(os.Stderr.Fd()))
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, e))
}

// run is headercheck with its arguments (without the program name) and
// returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, e env) int {
	if len(args) > 0 && args[0] == "spf" {
		return runSPF(args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, e)
	if err == errHelp {
		fmt.Fprint(stdout, helpText)
		return exitDeliver
	}
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %v\nRun 'headercheck --help' for usage and examples.\n", err)
		return exitUsage
	}
	if cfg.demo && !wantTUI(cfg, e) {
		return runDemo(cfg, stdout, stderr, e)
	}
	if cfg.demo {
		return runDemoTUI(cfg, stdout, stderr, e)
	}
	if wantTUI(cfg, e) {
		return runTUI(cfg, stdin, stdout, stderr, e)
	}
	return inspectInput(cfg, stdin, stdout, stderr, e)
}
