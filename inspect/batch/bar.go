package batch

import (
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Bar draws a run's progress on one line of a terminal (stderr): a
// bubbles/progress bar, the count, messages per second and the time left.
// It is not a Bubble Tea program: it redraws its own line with a carriage
// return and leaves the rest of the terminal alone, so the report on stdout
// (a pipe or a file) and anything else on stderr are not disturbed. Use it
// only when the writer is a terminal.
type Bar struct {
	w     io.Writer // the terminal, for the line's own control sequences
	paint io.Writer // w through colorprofile, for the bar's colours
	width int
	bar   progress.Model
	every time.Duration
	last  time.Duration // Progress.Elapsed of the last redraw
	drawn bool
}

// NewBar returns a Bar writing to w, a terminal width columns wide (80 when
// width <= 0). environ decides colours the way colorprofile does (NO_COLOR,
// TERM, COLORTERM); nil means none, a plain bar.
func NewBar(w io.Writer, width int, environ []string) *Bar {
	if width <= 0 {
		width = 80
	}
	out := io.Writer(w)
	if environ != nil {
		out = colorprofile.NewWriter(w, environ)
	} else {
		out = &colorprofile.Writer{Forward: w, Profile: colorprofile.NoTTY}
	}
	return &Bar{
		w:     w,
		paint: out,
		width: width,
		bar:   progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage()),
		every: 100 * time.Millisecond,
	}
}

// Update redraws the line for p, at most every tenth of a second, and
// always for the last message, so a fast run does not spend its time
// drawing.
func (b *Bar) Update(p Progress) {
	if p.Done < p.Total && b.drawn && p.Elapsed-b.last < b.every {
		return
	}
	b.last, b.drawn = p.Elapsed, true
	io.WriteString(b.w, "\r")
	io.WriteString(b.paint, b.Line(p))
	io.WriteString(b.w, "\x1b[K")
}

// Clear erases the line, so the summary that follows starts clean.
func (b *Bar) Clear() {
	if b.drawn {
		io.WriteString(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

// Line is the line Update draws for p, at most the Bar's width wide:
// "▕████░░░▏ 4,210/10,000  5,120 msg/s  ETA 1s".
func (b *Bar) Line(p Progress) string {
	pct := 0.0
	if p.Total > 0 {
		pct = float64(p.Done) / float64(p.Total)
	}
	text := fmt.Sprintf(" %s/%s  %s msg/s", thousands(p.Done), thousands(p.Total), thousands(int(p.Rate()+0.5)))
	if p.Done < p.Total {
		if eta := p.ETA(); eta > 0 || p.Done > 0 {
			text += "  ETA " + roundETA(eta)
		}
	} else {
		text += "  done in " + roundETA(p.Elapsed)
	}
	room := b.width - 1 - ansi.StringWidth(text) // the last column stays free: some terminals wrap on it
	if room < 10 {
		return ansi.Truncate(strings.TrimLeft(text, " "), b.width-1, "")
	}
	m := b.bar
	m.SetWidth(min(room, 50))
	return m.ViewAs(pct) + text
}

// roundETA shows a duration the way people read a countdown: 42s, 3m10s,
// 1h05m.
func roundETA(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// thousands writes n with comma separators: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
