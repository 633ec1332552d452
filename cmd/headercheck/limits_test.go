package main

import (
	"strings"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  string
	}{
		{"65536", 65536, ""},
		{"64KiB", 64 << 10, ""},
		{"64k", 64 << 10, ""},
		{"64 MiB", 64 << 20, ""},
		{"64MB", 64 << 20, ""},
		{"1GiB", 1 << 30, ""},
		{"2t", 2 << 40, ""},
		{"12b", 12, ""},
		{"", 0, "want a size"},
		{"MiB", 0, "want a size"},
		{"-5", 0, "want a size"},
		{"1.5MiB", 0, "want a size"},
		{"64 parsecs", 0, "want a size"},
		{"9999999999999999", 0, "want a size"},
		{"9000000TiB", 0, "too large"},
		{"1\x1b[2J", 0, `1\x1b[2J: want a size`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := parseByteSize(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("parseByteSize(%q) = %d, %v; want an error saying %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("parseByteSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
		})
	}
}

// limitsDNS answers the SPF questions of TestLimitFlags: limits.example
// needs three DNS-querying terms, voids.example two that find nothing.
const limitsDNS = `$ORIGIN limits.example.
@     TXT "v=spf1 a:a1.limits.example a:a2.limits.example a:a3.limits.example -all"
a1    A   192.0.2.1
a2    A   192.0.2.2
a3    A   192.0.2.3
;! zone limits.example.
;! zone _domainkey.limits.example.
;! nxdomain _dmarc.limits.example.
;! nxdomain _dmarc.example.
$ORIGIN voids.example.
@     TXT "v=spf1 a:n1.voids.example a:n2.voids.example -all"
;! zone voids.example.
;! nxdomain _dmarc.voids.example.
;! nxdomain 7.100.51.198.in-addr.arpa.
`

// TestLimitFlags: every limit a user can set on the command line reaches
// the check that applies it, and when it bites the report says so and
// names the flag that raises it.
func TestLimitFlags(t *testing.T) {
	snap := writeTemp(t, "limits.dns", []byte(limitsDNS))
	msg := func(from string, extra ...string) string {
		return "From: a@" + from + "\n" + strings.Join(extra, "") + "Subject: limits\n\nbody\n"
	}
	sig := "DKIM-Signature: v=1; a=rsa-sha256; d=limits.example; s=s%d; h=from; bh=AAAA; b=AAAA\n"
	threeSigs := []string{strings.Replace(sig, "%d", "1", 1), strings.Replace(sig, "%d", "2", 1), strings.Replace(sig, "%d", "3", 1)}
	env := []string{"--json", "--dns-snapshot", snap, "--ip", "198.51.100.7", "--helo", "mx.limits.example"}
	cases := []struct {
		name   string
		args   []string
		input  string
		code   int
		want   []string // fragments of the JSON line
		reject []string // fragments it must not hold
	}{
		{name: "max-size bites", args: []string{"--max-size", "1KiB"}, input: msg("limits.example", "X-Pad: "+strings.Repeat("p", 2000)+"\n"), code: exitError,
			want: []string{`"error":"the message is 2,0`, `headercheck reads at most 1,024 bytes of one message (--max-size raises the limit)`}},
		{name: "max-size raised", args: []string{"--max-size", "4KiB"}, input: msg("limits.example", "X-Pad: "+strings.Repeat("p", 2000)+"\n"), code: exitDeliver,
			reject: []string{`"error"`}},
		{name: "max-fields bites", args: []string{"--max-fields", "2"}, input: msg("limits.example", "X-A: 1\nX-B: 2\nX-C: 3\n"), code: exitDeliver,
			want: []string{`"title":"Header has more than 2 fields"`, `--max-fields raises the limit`}},
		{name: "max-line bites", args: []string{"--max-line", "1KiB"}, input: msg("limits.example", "X-Long: "+strings.Repeat("l", 1500)+"\n"), code: exitDeliver,
			want: []string{`"title":"Header field X-Long skipped: line too long"`, `headercheck reads header lines of up to 1,024 bytes`, `--max-line raises the limit`}},
		{name: "max-line default reads it", input: msg("limits.example", "X-Long: "+strings.Repeat("l", 1500)+"\n"), code: exitDeliver,
			reject: []string{`skipped: line too long`}},
		{name: "max-dkim bites", args: []string{"--max-dkim", "1", "--mail-from", "b@limits.example"}, input: msg("limits.example", threeSigs...), code: exitDeliver,
			want: []string{`"title":"DKIM-Signature 2 of 3 not checked"`, `"title":"DKIM-Signature 3 of 3 not checked"`, `--max-dkim raises the limit`, `"not_checked":true`}},
		{name: "max-dkim default checks three", args: []string{"--mail-from", "b@limits.example"}, input: msg("limits.example", threeSigs...), code: exitDeliver,
			reject: []string{`not checked`}},
		{name: "spf-lookups bites", args: []string{"--spf-lookups", "2", "--mail-from", "b@limits.example"}, input: msg("limits.example"), code: exitDeliver,
			want: []string{`"spf":{"result":"permerror"`, `at most 2 are allowed`}},
		{name: "spf-lookups default", args: []string{"--mail-from", "b@limits.example"}, input: msg("limits.example"), code: exitDeliver,
			want: []string{`"spf":{"result":"fail"`, `"dns_lookups":3`}},
		{name: "spf-voids bites", args: []string{"--spf-voids", "1", "--mail-from", "b@voids.example"}, input: msg("voids.example"), code: exitDeliver,
			want: []string{`"spf":{"result":"permerror"`, `more than 1 of its lookups found nothing`}},
		{name: "spf-voids default", args: []string{"--mail-from", "b@voids.example"}, input: msg("voids.example"), code: exitDeliver,
			want: []string{`"spf":{"result":"fail"`, `"void_lookups":2`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writeTemp(t, "m.eml", []byte(c.input))
			r := runWith(t, pipeEnv, "", append(append(env[:len(env):len(env)], c.args...), in)...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, c.code, r.stderr)
			}
			if lines := jsonLines(t, r.stdout); len(lines) != 1 {
				t.Fatalf("%d JSON lines, want 1", len(lines))
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%.4000s", w, r.stdout)
				}
			}
			for _, w := range c.reject {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout holds %q:\n%.4000s", w, r.stdout)
				}
			}
		})
	}

	// On stdin the size limit bites while reading: an error, not a report.
	r := runWith(t, pipeEnv, msg("limits.example", "X-Pad: "+strings.Repeat("p", 2000)+"\n"), append(env, "--max-size", "1KiB", "-")...)
	if r.code != exitError || !strings.Contains(r.stderr, "stdin: more than 1,024 bytes arrived") || !strings.Contains(r.stderr, "--max-size") {
		t.Errorf("stdin over --max-size: exit %d, stderr %q; want 1 and an error naming the flag", r.code, r.stderr)
	}
}

func TestLimitFlagUsage(t *testing.T) {
	msg := writeTemp(t, "m.eml", []byte("Subject: x\n\n"))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--max-size", "12"}, "headercheck: --max-size 12: want from 1KiB to 1TiB"},
		{[]string{"--max-size", "2TiB"}, "headercheck: --max-size 2199023255552: want from 1KiB to 1TiB"},
		{[]string{"--max-size", "lots"}, `headercheck: --max-size lots: want a size such as 65536, 512KiB, 64MiB or 1GiB`},
		{[]string{"--max-line", "1"}, "headercheck: --max-line 1: want from 1KiB to 1TiB"},
		{[]string{"--max-fields", "0"}, "headercheck: --max-fields 0: want 1 to 10000000"},
		{[]string{"--max-dkim", "-1"}, "headercheck: --max-dkim -1: want 1 to 10000000"},
		{[]string{"--spf-lookups", "0"}, "headercheck: --spf-lookups 0: want 1 to 1000"},
		{[]string{"--spf-voids", "5000"}, "headercheck: --spf-voids 5000: want 1 to 1000"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runWith(t, pipeEnv, "", append(c.args, msg)...)
			first, _, _ := strings.Cut(r.stderr, "\n")
			if r.code != exitUsage || first != c.want {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, first, exitUsage, c.want)
			}
		})
	}
}
