package tui

import (
	"bytes"
	"fmt"
	"time"

	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/testdata/lessons"
)

// Gallery is the --demo teaching gallery as the TUI shows it: the
// lessons as the message list (Config.Source), each replayed from its own
// DNS snapshot as of its own fixed time, beside its own text
// (Config.Each), so nothing goes to the network and every run shows the
// same verdicts. Its messages are the ones the report mode's --demo
// inspects: source "demo:NAME", index the lesson's number.
type Gallery struct {
	lessons []lessons.Lesson
	snaps   []*dnsx.Snapshot
	errs    []error // why lesson i cannot be replayed, nil when it can
}

var _ Messages = (*Gallery)(nil)

// NewGallery makes a gallery of ls (lessons.List()). A lesson whose
// snapshot does not parse is not replayed: opening it says why.
func NewGallery(ls []lessons.Lesson) *Gallery {
	g := &Gallery{lessons: ls, snaps: make([]*dnsx.Snapshot, len(ls)), errs: make([]error, len(ls))}
	for i, l := range ls {
		snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
		if err != nil {
			g.errs[i] = fmt.Errorf("the lesson's DNS snapshot does not parse: %w", err)
			continue
		}
		g.snaps[i] = snap
	}
	return g
}

// Name heads the list.
func (g *Gallery) Name() string { return "the teaching gallery (--demo)" }

// Len is the number of lessons.
func (g *Gallery) Len() int { return len(g.lessons) }

// Message is lesson i's message, read afresh from the embedded bytes.
func (g *Gallery) Message(i int) (*message.Message, error) {
	if i < 0 || i >= len(g.lessons) {
		return nil, fmt.Errorf("tui: the gallery has no lesson %d", i+1)
	}
	if g.errs[i] != nil {
		return nil, g.errs[i]
	}
	l := g.lessons[i]
	src, err := message.FromBytes("demo:"+l.Name, l.EML, message.Options{})
	if err != nil {
		return nil, fmt.Errorf("the lesson's message does not load: %w", err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		return nil, fmt.Errorf("the lesson's message does not load: %w", err)
	}
	m.Index = i + 1
	return m, nil
}

// Each is Config.Each for the gallery: the flags' options (an --ip,
// --mail-from or --at applies to every lesson, as in the report mode),
// with lesson i's snapshot as the only resolver and its fixed time as
// "now", so a lesson replays as it was written whatever today's date (DKIM
// x= and t=, RFC 6376 §3.5); and the lesson's text.
func (g *Gallery) Each(i int, base inspect.Options) (inspect.Options, *Lesson) {
	if i < 0 || i >= len(g.lessons) {
		return base, nil
	}
	l := g.lessons[i]
	o := base
	if g.snaps[i] != nil {
		o.Resolver = g.snaps[i]
	}
	at := l.At
	o.Now = func() time.Time { return at }
	o.NowSource = lessons.NowSource
	return o, &Lesson{Title: l.Title, Text: l.Text}
}
