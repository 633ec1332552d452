package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/report"
	"github.com/headercheck/headercheck/inspect/safe"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
	"golang.org/x/term"
)

// Exit status of `headercheck spf`: 0 for pass, one code per other result,
// and 1 and 2 as for the main command (CONTRACT.md).
const (
	spfExitPass      = 0
	spfExitError     = 1 // could not run (no DNS configuration)
	spfExitUsage     = 2
	spfExitFail      = 3
	spfExitSoftFail  = 4
	spfExitNeutral   = 5
	spfExitNone      = 6
	spfExitTempError = 7
	spfExitPermError = 8
)

func spfExit(r trace.Result) int {
	switch r {
	case trace.Pass:
		return spfExitPass
	case trace.Fail:
		return spfExitFail
	case trace.SoftFail:
		return spfExitSoftFail
	case trace.Neutral:
		return spfExitNeutral
	case trace.None:
		return spfExitNone
	case trace.TempError:
		return spfExitTempError
	}
	return spfExitPermError
}

const spfUsage = `Usage: headercheck spf --ip IP --sender ADDRESS [--helo NAME] [--json]
                       [--dns ADDR | --dns-snapshot FILE]

Evaluate SPF (RFC 7208) for one SMTP client and sender, step by step: every
term of the sender domain's record, every include and redirect, every DNS
query, and what the result means for a receiver.

Flags:
  --ip IP            the SMTP client's address (IPv4 or IPv6); required
  --sender ADDRESS   the MAIL FROM address; "" or "<>" is the null sender,
                     checked as postmaster@ the HELO name (then --helo is needed)
  --helo NAME        the HELO/EHLO name (for %{h} and the null sender)
  --identity ID      mailfrom (default) or helo: which identity to authorise;
                     helo checks the HELO name itself (RFC 7208 §2.3)
  --dns ADDR         ask this DNS server (host or host:port, IPv4 or IPv6)
                     instead of the servers in /etc/resolv.conf
  --dns-snapshot FILE answer every DNS query from this snapshot (.dns, as
                     headercheck --save-dns writes); nothing goes to the
                     network, and a question it lacks is a temperror
  --json             print one JSON object: {result, domain, identity,
                     client_ip, explanation, dns_lookups, void_lookups,
                     steps[], dns[]}
  --receiver NAME    the checking host's name, for %{r} in explanations
  --at TIME          evaluate as of TIME (RFC 3339), for %{t}; default now
  --timeout DURATION the whole evaluation (default 20s, RFC 7208 §4.6.4)
  --help             show this help

Exit status:
  0  pass       the client may send for the domain
  3  fail       the domain forbids this client
  4  softfail   the domain says the client is probably not allowed
  5  neutral    the domain makes no statement about the client
  6  none       no SPF record, or no valid domain to check
  7  temperror  a DNS error stopped the check; retrying later may work
  8  permerror  the domain's SPF record is broken
  1  the check could not run (e.g. no DNS server configured)
  2  usage error

Examples:
  headercheck spf --ip 192.0.2.7 --sender bob@example.org
  headercheck spf --ip 2001:db8::25 --sender bounce@example.org --helo mail.example.org --json
  headercheck spf --ip 192.0.2.7 --sender "<>" --helo mail.example.org
  headercheck spf --ip 192.0.2.7 --helo mail.example.org --identity helo --dns 127.0.0.1:5353
`

// runSPF is `headercheck spf`.
func runSPF(args []string, stdout, stderr io.Writer) int {
	return runSPFWith(args, stdout, stderr, "")
}

// runSPFWith is runSPF reading the resolver configuration from resolvConf
// ("" for /etc/resolv.conf) when --dns is not given.
func runSPFWith(args []string, stdout, stderr io.Writer, resolvConf string) int {
	fs := flag.NewFlagSet("headercheck spf", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		ipFlag   = fs.String("ip", "", "")
		sender   = fs.String("sender", "", "")
		helo     = fs.String("helo", "", "")
		identity = fs.String("identity", "mailfrom", "")
		dnsAddr  = fs.String("dns", "", "")
		snapshot = fs.String("dns-snapshot", "", "")
		asJSON   = fs.Bool("json", false, "")
		receiver = fs.String("receiver", "", "")
		at       = fs.String("at", "", "")
		timeout  = fs.Duration("timeout", spf.DefaultTimeout, "")
	)
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "headercheck spf: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'headercheck spf --help' for usage.")
		return spfExitUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, spfUsage)
			return 0
		}
		// The flag package names an unknown flag as it was typed.
		return usage("%s", safe.Text(err.Error()))
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if !set["ip"] {
		return usage("--ip is required")
	}
	ip, err := parseClientIP(*ipFlag)
	if err != nil {
		return usage("--ip %q is not an IP address", *ipFlag)
	}
	id := spf.Identity(strings.ToLower(*identity))
	switch id {
	case spf.MailFrom:
		if !set["sender"] {
			return usage("--sender is required (use --sender \"<>\" for the null sender)")
		}
		if s := strings.TrimSpace(*sender); (s == "" || s == "<>") && strings.TrimSpace(*helo) == "" {
			return usage("the null sender is checked as postmaster@ the HELO name, so it needs --helo")
		}
	case spf.HELO:
		if strings.TrimSpace(*helo) == "" {
			return usage("--identity helo needs --helo")
		}
	default:
		return usage("--identity must be mailfrom or helo, not %q", *identity)
	}
	now := time.Now()
	if *at != "" {
		now, err = time.Parse(time.RFC3339, *at)
		if err != nil {
			return usage("--at %q is not an RFC 3339 time like 2026-11-20T08:14:22Z", *at)
		}
	}
	if *timeout <= 0 {
		return usage("--timeout must be a positive duration like 20s")
	}

	if *snapshot != "" && *dnsAddr != "" {
		return usage("--dns and --dns-snapshot both say where DNS answers come from; give one")
	}
	var client dnsx.Resolver
	switch {
	case *snapshot != "":
		snap, err := dnsx.LoadSnapshot(*snapshot)
		if err != nil {
			fmt.Fprintf(stderr, "headercheck spf: --dns-snapshot: %s\n", safe.Text(err.Error()))
			return spfExitError
		}
		client = snap
	case *dnsAddr != "":
		client = dnsx.NewClient(*dnsAddr)
	default:
		servers, err := dnsx.SystemServers(resolvConf)
		if err != nil {
			fmt.Fprintf(stderr, "headercheck spf: %v; give a DNS server with --dns ADDR\n", err)
			return spfExitError
		}
		client = dnsx.NewClient(servers...)
	}
	rec := dnsx.NewRecorder(client)
	in := spf.Input{
		Resolver: rec,
		IP:       ip,
		Sender:   *sender,
		HELO:     *helo,
		Receiver: *receiver,
		Now:      now,
		Limits:   spf.Limits{Timeout: *timeout},
	}
	var res spf.Result
	if id == spf.HELO {
		res = spf.CheckHELO(context.Background(), in)
	} else {
		res = spf.Check(context.Background(), in)
	}
	queries := rec.Queries()
	if queries == nil {
		queries = []trace.Query{}
	}
	if *asJSON {
		b, err := json.Marshal(struct {
			spf.Result
			DNS []trace.Query `json:"dns"`
		}{res, queries})
		if err != nil {
			fmt.Fprintf(stderr, "headercheck spf: %v\n", err)
			return spfExitError
		}
		stdout.Write(safe.JSON(b))
		fmt.Fprintln(stdout)
	} else {
		writeSPFText(stdout, res, queries, in.Limits)
	}
	return spfExit(res.Result)
}

// parseClientIP reads an address as people paste it: bare, in brackets,
// or as an SMTP address literal ("[IPv6:2001:db8::1]").
func parseClientIP(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if len(s) > 5 && strings.EqualFold(s[:5], "IPv6:") {
		s = s[5:]
	}
	return netip.ParseAddr(s)
}

// writeSPFText prints the result as the main report's SPF section does
// (report.SPF writes both): wrapped to a terminal's width and coloured
// there unless NO_COLOR is set, 80 columns and plain otherwise.
func writeSPFText(w io.Writer, res spf.Result, queries []trace.Query, lim spf.Limits) {
	o := report.TextOptions{}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		o.Width, _, _ = term.GetSize(int(f.Fd()))
		o.Color = os.Getenv("NO_COLOR") == ""
	}
	w.Write(report.SPF(res, queries, lim, o))
}
