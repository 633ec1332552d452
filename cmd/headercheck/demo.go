package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// runDemo is --demo in report mode (CONTRACT.md): the bundled lessons
// stand in for an mbox, one message each with source.file "demo:NAME",
// each replayed from its own DNS snapshot as of its own fixed time, so
// nothing goes to the network and every run gives the same reports. The
// flags that change a replay (--ip, --helo, --mail-from, --at,
// --strict-dkim, --trust-arc, --dmarc) apply to every lesson; the text
// report is followed by the lesson's text.
func runDemo(cfg *config, stdout, stderr io.Writer, e env) int {
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	text := report.TextOptions{Width: e.width, Color: e.stdoutTerminal && os.Getenv("NO_COLOR") == "", Total: len(all), Alone: cfg.message > 0}
	enc := report.NewEncoder()
	var sum report.Summary
	first := true
	for i, l := range all {
		if cfg.message > 0 && cfg.message != i+1 {
			continue
		}
		rep := replayLesson(ctx, cfg, e, l, i+1)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "headercheck: interrupted")
			return exitError
		}
		sum.Add(rep)
		var out []byte
		switch {
		case cfg.format == "authres":
			out = []byte(report.AuthRes(rep, "") + "\n")
		case cfg.json:
			b, err := enc.JSON(rep)
			if err != nil {
				b, _ = enc.JSON(inspect.Failed(rep.Source, "encoding the report failed: "+err.Error()))
			}
			out = b
		default:
			var b bytes.Buffer
			if !first {
				b.WriteString("\n")
			}
			b.Write(report.Text(rep, text))
			b.Write(report.Lesson(i+1, l.Title, l.Text, text))
			out = b.Bytes()
		}
		first = false
		if _, err := stdout.Write(out); err != nil {
			fmt.Fprintf(stderr, "headercheck: write: %s\n", safe.Text(err.Error()))
			return exitError
		}
	}
	return sum.ExitStatus()
}

// replayLesson inspects lesson l, number index of the demo, from its
// embedded files. A lesson that cannot be read is an error report, as a
// broken message of an mbox is.
func replayLesson(ctx context.Context, cfg *config, e env, l lessons.Lesson, index int) *inspect.Report {
	fail := func(why string) *inspect.Report {
		return inspect.Failed(message.SummaryOf("demo:"+l.Name, index), why)
	}
	snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
	if err != nil {
		return fail("the lesson's DNS snapshot does not parse: " + err.Error())
	}
	src, err := message.FromBytes("demo:"+l.Name, l.EML, message.Options{})
	if err != nil {
		return fail("the lesson's message does not load: " + err.Error())
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		return fail("the lesson's message does not load: " + err.Error())
	}
	m.Index = index
	// The lesson's snapshot stands where the flags' DNS source would; the
	// other flags map as for any input.
	c := *cfg
	c.dns, c.dnsSnapshot, c.saveDNS = "", "", ""
	le := e
	le.dns = snap
	opts, _, err := inspectOptions(&c, le)
	if err != nil {
		return fail(err.Error())
	}
	// The lesson's fixed time is "now" for the whole replay (DKIM x= and
	// t=, the Received walk), so it never depends on today's date; --at
	// still chooses another moment to judge signatures as of.
	at := l.At
	opts.Now = func() time.Time { return at }
	opts.NowSource = lessons.NowSource
	rep, err := inspect.Inspect(ctx, m, opts)
	if err != nil && rep == nil {
		return fail(strings.TrimPrefix(err.Error(), "inspect: "))
	}
	return rep
}
