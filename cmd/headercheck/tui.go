package main

import (
	"context"
	"fmt"
	"github.com/headercheck/headercheck/inspect/dkim"
	"io"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/tui"
)

// wantTUI says whether the interactive mode applies (CONTRACT.md): stdout
// is a terminal and neither --json nor --text was given.
func wantTUI(cfg *config, e env) bool {
	return e.stdoutTerminal && !cfg.json && !cfg.text
}

// runTUI loads the input and shows it in the TUI; it exits 0 when the user
// quits. A message piped on stdin is read first; the TUI then takes its
// keys from the controlling terminal.
func runTUI(cfg *config, stdin io.Reader, stdout, stderr io.Writer, e env) int {
	src, err := openInput(cfg, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	defer src.Close()
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
	err = tui.Run(context.Background(), tui.Config{
		Source:       src,
		Options:      opts,
		Output:       stdout,
		StdinMessage: cfg.input == "" || cfg.input == "-",
		Message:      cfg.message,
	})
	if saver != nil {
		if serr := saver.Save(cfg.saveDNS); serr != nil {
			fmt.Fprintf(stderr, "headercheck: --save-dns: %s\n", safe.Text(serr.Error()))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "headercheck: %s\n", safe.Text(err.Error()))
		return exitError
	}
	return exitDeliver
}

// inspectOptions are the inspection options of the flags, for the TUI and
// the reports. The resolver is left uncached (a snapshot, or the client,
// behind a Saver for --save-dns): the TUI puts its own cache in front and
// renews it when the user replays; the reports put one cache in front for
// the whole run.
func inspectOptions(cfg *config, e env) (inspect.Options, *dnsx.Saver, error) {
	var base dnsx.Resolver
	switch {
	case cfg.dnsSnapshot != "":
		snap, err := dnsx.LoadSnapshot(cfg.dnsSnapshot)
		if err != nil {
			return inspect.Options{}, nil, fmt.Errorf("--dns-snapshot: %w", err)
		}
		base = snap
	case cfg.dns != "":
		base = dnsx.NewClient(cfg.dns)
	case e.dns != nil:
		base = e.dns
	default:
		servers, err := dnsx.SystemServers("")
		if err != nil {
			return inspect.Options{}, nil, fmt.Errorf("%w; give a DNS server with --dns ADDR", err)
		}
		base = dnsx.NewClient(servers...)
	}
	var saver *dnsx.Saver
	if cfg.saveDNS != "" {
		saver = dnsx.NewSaver(base)
		base = saver
	}
	opts := inspect.Options{
		Resolver:   base,
		Now:        e.clock(),
		At:         cfg.atTime,
		AtReceived: cfg.at == "received",
		Standard:   dmarc.Standard(cfg.dmarc),
		StrictDKIM: cfg.strictDKIM,
		TrustARC:   cfg.trustARC,
		HELO:       cfg.helo,
		Timeout:    cfg.timeout,
		Limits:     cfg.limits.inspectLimits(),
		// Parsed once per run: the messages of an mbox share few keys.
		DKIMKeys: dkim.NewKeyCache(0),
	}
	if cfg.ip.IsValid() {
		opts.IP = cfg.ip.String()
	}
	if cfg.mailFromSet {
		opts.MailFrom = cfg.mailFrom
		if opts.MailFrom == "" {
			opts.MailFrom = "<>"
		}
	}
	return opts, saver, nil
}
