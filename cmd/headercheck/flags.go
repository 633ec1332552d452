package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/headercheck/headercheck/inspect/arc"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/safe"
)

// helpText is --help. A flag whose feature is not built yet says
// "(coming)"; it is parsed and validated already, so scripts written
// against CONTRACT.md keep working as features arrive.
const helpText = `headercheck: does this email really come from where it says? It replays the
checks a receiving server makes (SPF, DKIM, DMARC, ARC, reverse DNS), shows
each step and why, compares them with what the receiver recorded, and says
whether a receiver that follows DMARC delivers, quarantines or rejects it.

Usage:
  headercheck [flags] [FILE | -]
  headercheck spf --ip IP --sender ADDRESS [--helo NAME] [--json]
                  [--dns ADDR | --dns-snapshot FILE]

FILE is one message (.eml, LF or CRLF line ends) or an mbox of many; which one
is found from the content, not the name. With - or no FILE, the message is
read from stdin, so a mail client can pipe it in. headercheck only reads FILE.

Examples:
  headercheck suspicious.eml                   inspect one saved message
  headercheck --text ~/Mail/phishing.mbox      every message of an mbox, as text
  headercheck --json --message 3 inbox.mbox    message 3 only, as one JSON line
  headercheck - < suspicious.eml               the message on stdin
  headercheck --save-dns case.dns case.eml     keep every DNS answer used...
  headercheck --dns-snapshot case.dns case.eml ...and replay them offline
  headercheck --ip 192.0.2.7 --mail-from a@example.org case.eml
                                               what if it came from there?
  notmuch show --format=raw id:8f2c1@mailer.example | headercheck --json
  headercheck --demo                           the teaching gallery, offline

  mutt / neomutt: select a message and pipe it (key |) to headercheck, or add
  to your muttrc (with pipe_decode unset, the default, so the bytes DKIM
  signed reach headercheck unchanged):
      macro index,pager H "<pipe-message>headercheck<enter>" "check sender"
  aerc: on a message, pipe the whole message (-m), not just the part you see:
      :pipe -m headercheck --text

Output:
  --json              JSON Lines on stdout: one object per message, in order
  --text              plain-text report (the default when stdout is not a
                      terminal); honours NO_COLOR
  --message N         only message N (1-based) of an mbox
  --format authres    print the Authentication-Results header this replay
                      would add (RFC 8601), to compare with the receiver's
  --workers N         inspect N messages of an mbox at once (default: one per
                      CPU); with 1, two runs from one --dns-snapshot write
                      the same bytes (with more, which message's lookup hit
                      the run's cache first, "cached", can differ)

Replay (DNS is asked as it is now; a snapshot replays a run offline):
  --dns ADDR          ask this DNS server (host or host:port, IPv4 or IPv6)
                      instead of the system resolver configuration
  --dns-snapshot FILE answer every DNS query from this snapshot (.dns); nothing
                      goes to the network
  --save-dns FILE     write every DNS answer this run used to a snapshot file
  --timeout DURATION  the whole DNS budget for one message (e.g. 10s)
  --ip IP             the SMTP client IP to evaluate SPF for
                      (default: from the Received chain)
  --helo NAME         the HELO/EHLO name (default: from the Received chain)
  --mail-from ADDRESS the SMTP MAIL FROM (default: from Return-Path; <> is the
                      null sender)
  --at TIME           evaluate as of TIME: RFC 3339 (2026-11-20T08:14:30Z), or
                      "received" for the time the receiving side stamped;
                      default now
  --strict-dkim       treat DKIM signatures with l= as policy instead of a
                      warned pass
  --trust-arc DOMAIN  trust ARC sealer DOMAIN and the names under it
                      (repeatable; a public suffix such as com is refused)
  --dmarc STANDARD    rfc9989 (default) or rfc7489: which DMARC standard
                      decides the verdict; both are always shown
  --demo              the bundled teaching lessons instead of FILE, each
                      replayed offline from its own DNS snapshot: a list of
                      lessons in the terminal UI, reports with --text or
                      --json

Limits (each bounds what a hostile message can cost; the report says when
one bites):
  --max-size SIZE     refuse messages larger than SIZE (default 64MiB)
  --max-fields N      read at most N header fields (default 10000)
  --max-line SIZE     skip a header field with a longer line (default 1MiB)
  --max-dkim N        verify at most N DKIM signatures (default 10)
  --spf-lookups N     SPF DNS-querying terms allowed (default 10, RFC 7208)
  --spf-voids N       SPF lookups that may find nothing (default 2)

  --help              this text

Exit status: 0 every inspected message would be delivered; 3 at least one
quarantine and no reject; 4 at least one reject; 1 nothing could be inspected
(unreadable input, not mail at all); 2 a usage error.
A file named spf is given as ./spf.
`

var errHelp = errors.New("help requested")

// config is the parsed and validated command line.
type config struct {
	json, text bool
	format     string // "authres": print the Authentication-Results header the replay would add
	workers    int    // messages inspected at once; 0: the CPUs
	input      string // a path, "-" for stdin, "" for none given
	message    int    // 0: all

	dns         string // host:port
	dnsSnapshot string
	saveDNS     string
	timeout     time.Duration
	ip          netip.Addr
	helo        string
	mailFrom    string // without angle brackets; "" with mailFromSet is the null sender
	mailFromSet bool
	at          string // "received" or RFC 3339
	atTime      time.Time
	strictDKIM  bool
	trustARC    []string
	dmarc       string
	demo        bool
	limits      limits

	set map[string]bool // flags given on the command line
}

// listFlag is a repeatable string flag.
type listFlag struct{ values *[]string }

func (l listFlag) String() string {
	if l.values == nil {
		return ""
	}
	return strings.Join(*l.values, ",")
}

func (l listFlag) Set(s string) error {
	*l.values = append(*l.values, s)
	return nil
}

func parseFlags(args []string, e env) (*config, error) {
	c := &config{set: map[string]bool{}}
	fs := flag.NewFlagSet("headercheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&c.json, "json", false, "")
	fs.BoolVar(&c.text, "text", false, "")
	fs.StringVar(&c.format, "format", "", "")
	fs.IntVar(&c.workers, "workers", 0, "")
	fs.IntVar(&c.message, "message", 0, "")
	fs.StringVar(&c.dns, "dns", "", "")
	fs.StringVar(&c.dnsSnapshot, "dns-snapshot", "", "")
	fs.StringVar(&c.saveDNS, "save-dns", "", "")
	fs.DurationVar(&c.timeout, "timeout", 0, "")
	ip := fs.String("ip", "", "")
	fs.StringVar(&c.helo, "helo", "", "")
	fs.StringVar(&c.mailFrom, "mail-from", "", "")
	fs.StringVar(&c.at, "at", "", "")
	fs.BoolVar(&c.strictDKIM, "strict-dkim", false, "")
	fs.Var(listFlag{&c.trustARC}, "trust-arc", "")
	fs.StringVar(&c.dmarc, "dmarc", "rfc9989", "")
	fs.BoolVar(&c.demo, "demo", false, "")
	c.limits.register(fs)

	// The std flag package stops at the first argument that is not a flag;
	// mail-client macros often put flags after the file, so take
	// positional arguments out one at a time and go on parsing.
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, dashDash(err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })

	switch {
	case len(positional) > 1:
		return nil, fmt.Errorf("one input at a time, got %d: %s", len(positional), safe.Text(strings.Join(positional, " ")))
	case len(positional) == 1:
		c.input = positional[0]
		if c.input == "" {
			return nil, errors.New("the input file name is empty")
		}
	}
	if c.json && c.text {
		return nil, errors.New("--json and --text ask for different outputs; give one")
	}
	if c.set["workers"] && (c.workers < 1 || c.workers > 1024) {
		return nil, fmt.Errorf("--workers %d: want 1 to 1024", c.workers)
	}
	switch c.format {
	case "":
	case "authres":
		if c.json || c.text {
			return nil, errors.New("--format authres is an output of its own; give it without --json or --text")
		}
		c.text = true // a report mode, not the TUI
	default:
		return nil, fmt.Errorf("--format %s: the only format is authres", safe.Text(c.format))
	}
	if c.demo && c.input != "" {
		return nil, fmt.Errorf("--demo inspects the bundled lessons; it takes no FILE (got %s)", safe.Text(c.input))
	}
	if c.input == "" && !c.demo && e.stdinTerminal {
		return nil, errors.New("no input: give a FILE, or - to read stdin, or pipe a message in")
	}
	if err := c.limits.check(c.set); err != nil {
		return nil, err
	}
	if c.set["message"] && c.message < 1 {
		return nil, fmt.Errorf("--message %d: messages are numbered from 1", c.message)
	}
	if c.set["dns"] {
		addr, err := dnsServer(c.dns)
		if err != nil {
			return nil, fmt.Errorf("--dns %s: %v", safe.Text(c.dns), err)
		}
		c.dns = addr
	}
	if c.dns != "" && c.dnsSnapshot != "" {
		return nil, errors.New("--dns and --dns-snapshot both say where DNS answers come from; give one")
	}
	if c.set["dns-snapshot"] {
		if err := readableFile(c.dnsSnapshot); err != nil {
			return nil, fmt.Errorf("--dns-snapshot: %v", err)
		}
		// Parse it now, so a broken snapshot is a usage error before any
		// message is read, not a surprise halfway through an mbox.
		if _, err := dnsx.LoadSnapshot(c.dnsSnapshot); err != nil {
			return nil, fmt.Errorf("--dns-snapshot: %s", safe.Text(err.Error()))
		}
	}
	if c.set["save-dns"] {
		if err := writableTarget(c.saveDNS, c); err != nil {
			return nil, fmt.Errorf("--save-dns %s: %v", safe.Text(c.saveDNS), err)
		}
	}
	if c.set["timeout"] && c.timeout <= 0 {
		return nil, fmt.Errorf("--timeout %v: must be more than zero", c.timeout)
	}
	if c.set["ip"] {
		a, err := netip.ParseAddr(strings.Trim(*ip, "[]"))
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("--ip %s: not an IPv4 or IPv6 address", safe.Text(*ip))
		}
		c.ip = a.Unmap()
	}
	if c.set["helo"] {
		if err := heloName(c.helo); err != nil {
			return nil, fmt.Errorf("--helo %s: %v", safe.Text(c.helo), err)
		}
	}
	if c.set["mail-from"] {
		addr, err := mailFrom(c.mailFrom)
		if err != nil {
			return nil, fmt.Errorf("--mail-from %s: %v", safe.Text(c.mailFrom), err)
		}
		c.mailFrom, c.mailFromSet = addr, true
	}
	if c.set["at"] && c.at != "received" {
		t, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			return nil, fmt.Errorf("--at %s: not \"received\" or an RFC 3339 time like 2026-11-20T08:14:30Z", safe.Text(c.at))
		}
		c.atTime = t
	}
	for _, d := range c.trustARC {
		if err := domainName(d); err != nil {
			return nil, fmt.Errorf("--trust-arc %s: %v", safe.Text(d), err)
		}
		if arc.IsPublicSuffix(d) {
			return nil, fmt.Errorf("--trust-arc %s: a public suffix, under which anyone can register a domain; give the sealer's own domain (e.g. google.com)", safe.Text(d))
		}
	}
	c.dmarc = strings.ToLower(c.dmarc)
	if c.dmarc != "rfc9989" && c.dmarc != "rfc7489" {
		return nil, fmt.Errorf("--dmarc %s: want rfc9989 or rfc7489", safe.Text(c.dmarc))
	}
	return c, nil
}

var badValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([a-z-]+): (.*)$`)

// dashDash rewrites the std flag package's messages, which show flags with
// one dash, to the two-dash spelling of --help.
func dashDash(err error) error {
	s := err.Error()
	// `invalid value "x" for flag -n: parse error` names neither what was
	// wanted nor the flag as the user typed it.
	if m := badValue.FindStringSubmatch(s); m != nil {
		if m[3] != "parse error" && m[3] != "value out of range" {
			// A flag of ours said what it wants; it may repeat the value.
			return fmt.Errorf("--%s %s: %s", m[2], safe.Text(m[1]), safe.Text(strings.TrimPrefix(m[3], m[1]+": ")))
		}
		want := "a number"
		switch m[2] {
		case "timeout":
			want = "a duration like 10s or 1m30s"
		case "message":
			want = "a message number (1 is the first)"
		case "workers":
			want = "a number of workers, 1 to 1024"
		}
		return fmt.Errorf("--%s %s: not %s", m[2], safe.Text(m[1]), want)
	}
	s = strings.Replace(s, "flag provided but not defined: -", "unknown flag --", 1)
	s = strings.Replace(s, "flag needs an argument: -", "flag needs a value: --", 1)
	s = strings.Replace(s, " for flag -", " for flag --", 1)
	return errors.New(safe.Text(s))
}

// dnsServer checks a --dns value (host or host:port, IPv6 with or without
// brackets) and returns it as host:port.
func dnsServer(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty server address")
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") == 1 {
		return "", errors.New("want host or host:port")
	}
	host = strings.Trim(host, "[]")
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
	}
	if _, err := netip.ParseAddr(host); err != nil {
		if err := domainName(host); err != nil {
			return "", errors.New("not an IP address or a host name")
		}
	}
	return dnsx.ServerAddr(s), nil
}

// domainName checks that s can be a DNS name of letters, digits, hyphens
// and underscores (RFC 1035 §2.3.1, with the underscore of DKIM and DMARC
// names).
func domainName(s string) error {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return errors.New("empty domain name")
	}
	if _, err := dnsx.Fqdn(s); err != nil {
		return errors.New("not a valid domain name")
	}
	for _, label := range strings.Split(s, ".") {
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("not a valid domain name: %q is not allowed", r)
			}
		}
	}
	return nil
}

// heloName checks a HELO/EHLO argument: a domain or an address literal
// such as [192.0.2.1] (RFC 5321 §4.1.1.1). Clients send junk here too, so
// only what could not be on the wire is refused.
func heloName(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	if len(s) > 255 {
		return errors.New("longer than 255 characters")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return errors.New("has spaces or control characters")
		}
	}
	return nil
}

// mailFrom checks a MAIL FROM address and returns it without angle
// brackets; "<>" and "" are the null sender (RFC 5321 §4.5.5).
func mailFrom(s string) (string, error) {
	a := strings.TrimSpace(s)
	if strings.HasPrefix(a, "<") && strings.HasSuffix(a, ">") {
		a = a[1 : len(a)-1]
	}
	if a == "" {
		return "", nil
	}
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return "", errors.New("want local@domain, or <> for the null sender")
	}
	if err := domainName(a[at+1:]); err != nil {
		return "", err
	}
	return a, nil
}

func readableFile(name string) error {
	if name == "" {
		return errors.New("empty file name")
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", safe.Text(name))
	}
	return nil
}

// writableTarget checks --save-dns without creating anything: the
// directory must exist, and the file must not be a directory, the input or
// the snapshot being read.
func writableTarget(name string, c *config) error {
	if name == "" {
		return errors.New("empty file name")
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return errors.New("is a directory")
	}
	if dir, err := os.Stat(filepath.Dir(name)); err != nil || !dir.IsDir() {
		return errors.New("its directory does not exist")
	}
	for _, other := range []string{c.input, c.dnsSnapshot} {
		if other != "" && other != "-" && sameFile(name, other) {
			return fmt.Errorf("would overwrite %s, which this run reads", safe.Text(other))
		}
	}
	return nil
}

func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
