package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/testdata/lessons"
	"github.com/headercheck/headercheck/tui"
)

// runDemoTUI is --demo on a terminal (CONTRACT.md: the TUI opens the
// lesson list): the gallery of tui.Gallery, each lesson replayed offline
// from its own snapshot as of its own fixed time beside its text. The
// replay flags apply to every lesson, as in the report mode (runDemo),
// and the same flags are refused.
func runDemoTUI(cfg *config, stdout, stderr io.Writer, e env) int {
	for _, f := range []string{"dns", "dns-snapshot", "save-dns"} {
		if cfg.set[f] {
			fmt.Fprintf(stderr, "headercheck: --demo replays each lesson from its own DNS snapshot; it takes no --%s\nRun 'headercheck --help' for usage and examples.\n", f)
			return exitUsage
		}
	}
	all := lessons.List()
	if cfg.message > len(all) {
		fmt.Fprintf(stderr, "headercheck: --message %d: the demo has %s\nRun 'headercheck --help' for usage and examples.\n",
			cfg.message, countNoun(len(all), "lesson"))
		return exitUsage
	}
	// Every lesson brings its own resolver (Gallery.Each): an empty
	// snapshot stands in for the flags' DNS source, so that not even the
	// system's resolver configuration is read, and is then dropped.
	le := e
	le.dns, _ = dnsx.ParseSnapshot(strings.NewReader(""), "none")
	opts, _, err := inspectOptions(cfg, le)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	opts.Resolver = nil
	g := tui.NewGallery(all)
	err = tui.Run(context.Background(), tui.Config{
		Source:  g,
		Options: opts,
		Each:    g.Each,
		Output:  stdout,
		Message: cfg.message,
	})
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	return exitDeliver
}
