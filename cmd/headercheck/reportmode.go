package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/batch"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/safe"
)

// inspectInput is the report mode (--json, --text, --format authres): it
// inspects every message of the input (or --message N) on all CPUs through
// one DNS cache, writes each report in mbox order as soon as it and those
// before it are done, and returns the contract's exit status. On a
// terminal, stderr shows a progress bar while an mbox is inspected and a
// summary at the end.
func inspectInput(cfg *config, stdin io.Reader, stdout, stderr io.Writer, e env) int {
	src, err := openInput(cfg, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	defer src.Close()
	for _, s := range src.Steps() {
		fmt.Fprintf(stderr, "headercheck: note: %s: %s\n", safe.Text(s.Title), safe.Text(s.Detail))
	}
	if cfg.message > src.Len() {
		fmt.Fprintf(stderr, "headercheck: --message %d: %s has %s\nRun 'headercheck --help' for usage and examples.\n",
			cfg.message, safe.Text(src.Name), countNoun(src.Len(), "message"))
		return exitUsage
	}

	opts, saver, err := inspectOptions(cfg, e)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	// One cache for the run, shared by every worker: the second message
	// from a sender asks DNS nothing new (the Saver behind it still sees
	// every question once).
	opts.Resolver = dnsx.NewCache(opts.Resolver, dnsx.CacheOptions{})
	if saver != nil {
		saver.Comment = []string{"headercheck run over " + oneLine(src.Name) + " at " + e.clock()().UTC().Format(time.RFC3339)}
		defer func() {
			if err := saver.Save(cfg.saveDNS); err != nil {
				fmt.Fprintf(stderr, "headercheck: --save-dns: %s\n", safe.Text(err.Error()))
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	total := src.Len()
	if total > 1 && os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// An mbox run allocates a message, its canonical bodies and its
		// report per message (about 250 KiB for a 50 KiB message) but
		// keeps only a window of them: the live heap stays at a few MiB,
		// so the default pacing collects every few megabytes and spends
		// a tenth of the CPU doing it. Collecting when the heap reaches
		// a fixed size instead costs almost nothing and gives the same
		// peak memory however long the mbox is. The limit is soft: huge
		// messages that need more still get it, with the collector
		// working harder.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(96 << 20)
	}
	if cfg.message > 0 {
		total = 1
	}
	text := report.TextOptions{Width: e.width, Color: e.stdoutTerminal && os.Getenv("NO_COLOR") == "", Total: src.Len(), Alone: cfg.message > 0}
	enc := report.NewEncoder()
	// Each output is appended to a buffer the run hands back once the
	// message before it has been written, so a long mbox goes out through
	// a few buffers instead of a new 20-70 KB one per message.
	appendOut := func(dst []byte, rep *inspect.Report) []byte {
		switch {
		case cfg.format == "authres":
			return append(dst, report.AuthRes(rep, "")+"\n"...)
		case cfg.json:
			b, err := enc.AppendJSON(dst, rep)
			if err != nil {
				// Only plain data goes in, so this does not happen; if
				// it ever does, the line still says which message and why.
				b, _ = enc.AppendJSON(dst, inspect.Failed(rep.Source, "encoding the report failed: "+err.Error()))
			}
			return b
		}
		return append(dst, report.Text(rep, text)...)
	}

	var bar *batch.Bar
	if e.stderrTerminal && total > 1 {
		bar = batch.NewBar(stderr, e.stderrWidth, os.Environ())
	}
	var sum report.Summary
	first := true
	st, err := batch.Run(ctx, src, batch.Options{
		Inspect: opts,
		Name:    src.Name,
		Only:    cfg.message,
		Workers: cfg.workers,
		Append:  appendOut,
		Now:     e.clock(),
		Progress: func(p batch.Progress) {
			if bar != nil {
				bar.Update(p)
			}
		},
	}, func(r batch.Result) error {
		sum.Add(r.Report)
		if !first && !cfg.json && cfg.format == "" {
			r.Out = append([]byte("\n"), r.Out...)
		}
		first = false
		// Each report goes out as soon as it is done, so a pipe shows
		// progress through a large mbox.
		_, err := stdout.Write(r.Out)
		return err
	})
	if bar != nil {
		bar.Clear()
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "headercheck: interrupted")
		return exitError
	case errors.Is(err, batch.ErrNoSuchMessage):
		return exitUsage // checked above; kept for safety
	case err != nil:
		fmt.Fprintf(stderr, "headercheck: write: %s\n", safe.Text(err.Error()))
		return exitError
	}
	if e.stderrTerminal && total > 1 {
		sum.Write(stderr, st.Elapsed)
	}
	return sum.ExitStatus()
}
