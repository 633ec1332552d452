package batch_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/headercheck/headercheck/inspect/batch"
)

func TestBarLine(t *testing.T) {
	cases := []struct {
		name string
		p    batch.Progress
		want []string
	}{
		{"start", batch.Progress{Done: 0, Total: 10000}, []string{" 0/10,000", "0 msg/s"}},
		{"halfway", batch.Progress{Done: 5000, Total: 10000, Elapsed: time.Second}, []string{"5,000/10,000", "5,000 msg/s", "ETA 1s"}},
		{"slow", batch.Progress{Done: 10, Total: 100000, Elapsed: 10 * time.Second}, []string{"1 msg/s", "ETA 27h47m"}},
		{"done", batch.Progress{Done: 3, Total: 3, Elapsed: 1500 * time.Millisecond}, []string{"3/3", "done in 2s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for w := 10; w <= 130; w += 5 {
				line := batch.NewBar(&bytes.Buffer{}, w, nil).Line(c.p)
				if got := ansi.StringWidth(line); got >= w {
					t.Errorf("width %d: line is %d columns: %q", w, got, line)
				}
				if w >= 70 {
					for _, s := range c.want {
						if !strings.Contains(ansi.Strip(line), s) {
							t.Errorf("width %d: Line() = %q, want it to contain %q", w, ansi.Strip(line), s)
						}
					}
				}
			}
		})
	}
}

// TestBarUpdate checks that the bar redraws one line in place, skips
// redraws closer than a tenth of a second, always draws the end, and that
// Clear erases it; without a colour environment it writes no colour.
func TestBarUpdate(t *testing.T) {
	var out bytes.Buffer
	b := batch.NewBar(&out, 80, nil)
	for i := 1; i <= 100; i++ {
		b.Update(batch.Progress{Done: i, Total: 100, Elapsed: time.Duration(i) * time.Millisecond})
	}
	if got := strings.Count(out.String(), "\r"); got != 2 {
		t.Errorf("100 updates within 100ms drew %d times, want 2 (the first and the last)", got)
	}
	if strings.Contains(out.String(), "\n") {
		t.Errorf("the bar wrote a newline: %q", out.String())
	}
	if strings.Contains(out.String(), "\x1b[3") || strings.Contains(out.String(), "\x1b[38") {
		t.Errorf("the bar wrote colour without a colour environment: %q", out.String())
	}
	out.Reset()
	b.Clear()
	if out.String() != "\r\x1b[K" {
		t.Errorf("Clear wrote %q, want a carriage return and erase-line", out.String())
	}
}
