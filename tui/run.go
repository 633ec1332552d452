package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/message"
)

// Config is what the TUI shows and how it inspects.
type Config struct {
	// Source is what to show: one message, or a list whose message list
	// comes first (an mbox, a *message.Source; the --demo lessons, a
	// Gallery).
	Source Messages
	// Options are the base options of every inspection (the flags).
	// Resolver is required, unless Each gives every message its own, and
	// should not cache: the TUI puts one cache in front of it for the
	// whole session, shared by the background inspections of an mbox, and
	// starts a fresh one when the user replays (r), so a replay sees DNS
	// as it is now. OnUpdate is the TUI's own.
	Options inspect.Options
	// Input is where keys come from and Output where the screen goes; nil
	// means stdin and stdout, except that when StdinMessage is set the
	// keys come from the controlling terminal.
	Input  io.Reader
	Output io.Writer
	// StdinMessage says the message came on stdin, so stdin holds no keys.
	StdinMessage bool
	// Message, when not zero, opens message Message (1-based) of an mbox
	// at once (--message); esc still goes to the list.
	Message int
	// Lesson, when set, is shown beside the verdict (--demo lessons).
	Lesson *Lesson
	// Each, when set, gives the options and the lesson of message i
	// (0-based) from the base options: the --demo gallery replays each
	// lesson from its own DNS snapshot, as of its own time, beside its own
	// text. A message whose options name another resolver than the base
	// is inspected through that resolver alone, without the session cache.
	Each func(i int, base inspect.Options) (inspect.Options, *Lesson)
	// Concurrency bounds the background inspections of an mbox list;
	// zero means 3.
	Concurrency int
}

// Messages is a list of messages to show, read one at a time.
// *message.Source is one; so is Gallery. A Messages with a Name method,
// or a *message.Source, names the list by it.
type Messages interface {
	Len() int
	// Message reads message i (0-based); an error is shown in its place
	// (an *message.Error says why in its Msg).
	Message(i int) (*message.Message, error)
}

// sourceName is what the message list is headed with.
func sourceName(src Messages) string {
	switch v := src.(type) {
	case *message.Source:
		return v.Name
	case interface{ Name() string }:
		return v.Name()
	}
	return ""
}

// Lesson is a --demo lesson: what the message is meant to teach.
type Lesson struct {
	Title string
	Text  string
}

// ErrNoSource means Config.Source is nil or holds no message.
var ErrNoSource = errors.New("tui: nothing to show: no message loaded")

// Run shows the TUI until the user quits (nil) or ctx ends.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Source == nil || cfg.Source.Len() == 0 {
		return ErrNoSource
	}
	if cfg.Options.Resolver == nil && cfg.Each == nil {
		return inspect.ErrNoResolver
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	in := cfg.Input
	if in == nil && cfg.StdinMessage {
		// The message was read from stdin, which is now at its end: keys
		// come from the terminal the user sits at.
		tin, tout, err := tea.OpenTTY()
		if err != nil {
			return fmt.Errorf("tui: the message came on stdin, so keys must come from the terminal, which could not be opened: %w", err)
		}
		defer tin.Close()
		defer tout.Close()
		in = tin
	}
	if in != nil {
		opts = append(opts, tea.WithInput(in))
	}
	if cfg.Output != nil {
		opts = append(opts, tea.WithOutput(cfg.Output))
	}
	_, err := tea.NewProgram(New(ctx, cfg), opts...).Run()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// stream runs job in a goroutine and turns what it sends into messages
// for Update, one at a time: the returned command waits for the first,
// and Update asks for the next (next) as long as it still wants them.
// send gives up when ctx ends, so an abandoned job never blocks.
func stream(ctx context.Context, job func(send func(tea.Msg))) tea.Cmd {
	ch := make(chan tea.Msg, 16)
	go func() {
		defer close(ch)
		job(func(m tea.Msg) {
			select {
			case ch <- m:
			case <-ctx.Done():
			}
		})
	}()
	return next(ch)
}

// streamMsg is one message of a stream, with the stream to read on.
type streamMsg struct {
	ch  <-chan tea.Msg
	msg tea.Msg
}

func next(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return nil
		}
		return streamMsg{ch: ch, msg: m}
	}
}

// The messages of one inspection; gen ties them to the run that sent
// them, so results of a run the user abandoned (r, t, esc) are dropped.
type (
	loadedMsg struct {
		gen int
		msg *message.Message
		err error
	}
	partialMsg struct {
		gen int
		rep *inspect.Report
	}
	finalMsg struct {
		gen int
		rep *inspect.Report
		err error
	}
)
