package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/report"
)

// TestTextGolden renders the plain report of each testdata message at 80
// columns and compares it with testdata/NAME.txt.
func TestTextGolden(t *testing.T) {
	srv := startDNS(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := inspectFile(t, srv, c.name)
			if got := rep.Verdict.Disposition; got != c.want {
				t.Errorf("disposition = %q, want %q (error %q)", got, c.want, rep.Error)
			}
			golden(t, c.name+".txt", report.Text(rep, report.TextOptions{}))
		})
	}
}

// TestTextWidth renders every report at many widths, plain and styled,
// and checks that no line is wider than asked and that no control byte
// other than the styles' own escape sequences gets out.
func TestTextWidth(t *testing.T) {
	srv := startDNS(t)
	for _, c := range cases {
		rep := inspectFile(t, srv, c.name)
		for _, color := range []bool{false, true} {
			for w := 40; w <= 140; w += 10 {
				out := report.Text(rep, report.TextOptions{Width: w, Color: color})
				for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
					if got := ansi.StringWidth(line); got > w {
						t.Errorf("%s width %d color %v: line %d is %d columns: %q", c.name, w, color, i+1, got, line)
					}
					plain := ansi.Strip(line)
					if strings.ContainsFunc(plain, func(r rune) bool {
						return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
					}) {
						t.Errorf("%s width %d color %v: line %d carries a control character: %q", c.name, w, color, i+1, plain)
					}
				}
				if !color && bytes.Contains(out, []byte("\x1b")) {
					t.Errorf("%s width %d: plain report carries an escape sequence", c.name, w)
				}
				if color && !bytes.Contains(out, []byte("\x1b[")) {
					t.Errorf("%s width %d: styled report carries no style", c.name, w)
				}
				if plain := report.Text(rep, report.TextOptions{Width: w}); color && ansi.Strip(string(out)) != string(plain) {
					t.Errorf("%s width %d: the styled report, styles removed, differs from the plain one:\n%s", c.name, w, firstDiff(ansi.Strip(string(out)), string(plain)))
				}
			}
		}
	}
}
