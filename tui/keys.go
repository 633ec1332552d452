package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the TUI answers to, with its help text. It is the
// help.KeyMap of the footer, so the footer cannot drift from behaviour;
// bindings that do nothing where the user is are disabled (forContext) and
// so left out of the help.
type KeyMap struct {
	Up, Down         key.Binding
	Collapse, Expand key.Binding // left/h and right/l in a step tree
	PageUp, PageDown key.Binding
	Top, Bottom      key.Binding
	NextView         key.Binding
	PrevView         key.Binding
	Views            key.Binding // 1-7, one key per view; its help stands for all
	Toggle           key.Binding // enter/space: expand or collapse a step
	Open             key.Binding // enter in the message list
	Back             key.Binding // esc: close the message, the search or the form
	Search           key.Binding
	NextMatch        key.Binding
	PrevMatch        key.Binding
	DetailUp         key.Binding
	DetailDown       key.Binding
	Boundary         key.Binding // t in the Route view
	WhatIf           key.Binding // w: the what-if form
	Replay           key.Binding
	Help             key.Binding
	Quit             key.Binding
}

// DefaultKeyMap returns the keys of the issue: arrows and hjkl, pgup/pgdn,
// g/G, tab, enter, /, ? and q.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Collapse:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "collapse")),
		Expand:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "expand")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "f"), key.WithHelp("pgdn/f", "page down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		NextView:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		PrevView:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		Views:      key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7"), key.WithHelp("1-7", "go to view")),
		Toggle:     key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter/space", "expand/collapse")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open message")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextMatch:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "next/previous match")),
		PrevMatch:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		DetailUp:   key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K", "scroll detail up")),
		DetailDown: key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J/K", "scroll detail")),
		Boundary:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "make trust boundary")),
		WhatIf:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "what if…")),
		Replay:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "replay")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the footer line.
func (k KeyMap) ShortHelp() []key.Binding {
	// Quit and help first, then what acts in this view, then the what-if
	// (the question a lesson invites): when the line is cut to the width,
	// those stay; tab and 1-7 are also on the tab bar.
	return []key.Binding{k.Quit, k.Help, k.Back, k.Open, k.Toggle, k.Search, k.NextMatch, k.Boundary, k.WhatIf, k.NextView, k.Views}
}

// FullHelp is the ? screen, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextView, k.PrevView, k.Views, k.Open, k.Back},
		{k.Toggle, k.Collapse, k.Expand, k.DetailDown, k.Search, k.NextMatch},
		{k.Boundary, k.WhatIf, k.Replay, k.Help, k.Quit},
	}
}

// where is where the user is, for the keys that apply there.
type where int

const (
	inList    where = iota // the mbox message list
	inTree                 // SPF, DKIM, DMARC
	inRoute                // the Route view
	inHeaders              // the Headers view
	inPlain                // Overview, DNS
	inInput                // typing in a search field or the form
)

// forContext returns the map with only the bindings that act in c enabled.
// The help shows what is enabled; Update checks bindings of the map it
// got, so a disabled key really does nothing.
func (k KeyMap) forContext(c where, mbox bool) KeyMap {
	on := func(b *key.Binding, v bool) { b.SetEnabled(v) }
	message := c != inList && c != inInput
	on(&k.NextView, message)
	on(&k.PrevView, message)
	on(&k.Views, message)
	on(&k.Open, c == inList)
	on(&k.Toggle, c == inTree)
	on(&k.Collapse, c == inTree)
	on(&k.Expand, c == inTree)
	on(&k.DetailUp, c == inTree || c == inRoute || c == inPlain)
	on(&k.DetailDown, c == inTree || c == inRoute || c == inPlain)
	on(&k.Search, c == inList || c == inHeaders)
	on(&k.NextMatch, c == inHeaders)
	on(&k.PrevMatch, c == inHeaders)
	on(&k.Boundary, c == inRoute)
	on(&k.WhatIf, message)
	on(&k.Replay, message)
	on(&k.Back, c == inInput || c == inList || c == inHeaders || (mbox && message))
	on(&k.Up, c != inInput)
	on(&k.Down, c != inInput)
	on(&k.PageUp, c != inInput)
	on(&k.PageDown, c != inInput)
	on(&k.Top, c != inInput)
	on(&k.Bottom, c != inInput)
	on(&k.Help, c != inInput)
	q := c != inInput
	k.Quit.SetEnabled(true)
	if !q {
		// While typing, q is a letter: only ctrl+c quits.
		k.Quit = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
	}
	return k
}
