package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Styles is the one style sheet of the TUI: every colour and border is
// chosen here, for a dark or a light background, and the mapping from a
// result or a disposition to a style lives here only.
type Styles struct {
	IsDark bool

	Title    lipgloss.Style // the bold words of the summary bar
	Label    lipgloss.Style // "From", "Subject", field names
	Muted    lipgloss.Style // secondary text: refs, timings, hints
	Text     lipgloss.Style // ordinary text
	Warn     lipgloss.Style // phishing signs, anomalies
	Selected lipgloss.Style // the selected row of a list
	Match    lipgloss.Style // a search match in the Headers view
	Current  lipgloss.Style // the current search match
	Boundary lipgloss.Style // the trust-boundary marker in the Route view
	Error    lipgloss.Style // a message that could not be inspected
	Emph     lipgloss.Style // *emphasis* in a lesson's text
	Code     lipgloss.Style // `code` in a lesson's text: a record, a header, a flag
	Struck   lipgloss.Style // what an untrusted header claims (issue 12): struck through

	Tab       lipgloss.Style // an inactive view in the tab bar
	ActiveTab lipgloss.Style // the active view
	Rule      lipgloss.Style // the lines between the bar, the body and the footer
	Pane      lipgloss.Style // the border of a detail pane
	Spinner   lipgloss.Style

	Help help.Styles

	pass, fail, soft, neutral, temp, info lipgloss.Style
	deliver, quarantine, reject           lipgloss.Style
}

// NewStyles returns the style sheet for a dark or a light terminal
// background. Colours are picked in pairs so that both stay readable: on a
// light background the greens and ambers are darker.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	green := c("#1A7F37", "#56D364")
	red := c("#CF222E", "#FF7B72")
	amber := c("#9A6700", "#E3B341")
	blue := c("#0550AE", "#79C0FF")
	grey := c("#57606A", "#8B949E")
	fg := c("#1F2328", "#E6EDF3")
	selBG := c("#DDF4FF", "#1F3A5F")
	matchBG := c("#FFF8C5", "#5A4A00")
	badgeFG := c("#FFFFFF", "#0D1117")

	s := Styles{IsDark: isDark}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(fg)
	s.Struck = lipgloss.NewStyle().Strikethrough(true).Foreground(grey)
	s.Label = lipgloss.NewStyle().Foreground(grey)
	s.Muted = lipgloss.NewStyle().Foreground(grey)
	s.Text = lipgloss.NewStyle().Foreground(fg)
	s.Warn = lipgloss.NewStyle().Foreground(amber).Bold(true)
	s.Selected = lipgloss.NewStyle().Background(selBG).Foreground(fg).Bold(true)
	s.Match = lipgloss.NewStyle().Background(matchBG).Foreground(fg)
	s.Current = lipgloss.NewStyle().Reverse(true).Bold(true)
	s.Boundary = lipgloss.NewStyle().Foreground(blue).Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Emph = lipgloss.NewStyle().Foreground(fg).Italic(true)
	s.Code = lipgloss.NewStyle().Foreground(blue)
	s.Tab = lipgloss.NewStyle().Foreground(grey)
	s.ActiveTab = lipgloss.NewStyle().Foreground(blue).Bold(true).Underline(true)
	s.Rule = lipgloss.NewStyle().Foreground(grey)
	s.Pane = lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(grey).PaddingLeft(1)
	s.Spinner = lipgloss.NewStyle().Foreground(blue)
	s.Help = help.DefaultStyles(isDark)

	s.pass = lipgloss.NewStyle().Foreground(green).Bold(true)
	s.fail = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.soft = lipgloss.NewStyle().Foreground(amber).Bold(true)
	s.neutral = lipgloss.NewStyle().Foreground(fg)
	s.temp = lipgloss.NewStyle().Foreground(blue).Bold(true)
	s.info = lipgloss.NewStyle().Foreground(grey)

	badge := lipgloss.NewStyle().Bold(true).Foreground(badgeFG).Padding(0, 1)
	s.deliver = badge.Background(green)
	s.quarantine = badge.Background(amber)
	s.reject = badge.Background(red)
	return s
}

// Result is the style of a check or step result.
func (st Styles) Result(r trace.Result) lipgloss.Style {
	switch r {
	case trace.Pass:
		return st.pass
	case trace.Fail, trace.PermError:
		return st.fail
	case trace.SoftFail, trace.Policy, trace.Warn:
		return st.soft
	case trace.TempError:
		return st.temp
	case trace.Info, trace.None, "":
		return st.info
	}
	return st.neutral
}

// Badge is the style of a verdict: deliver green, quarantine amber, reject
// red.
func (st Styles) Badge(d inspect.Disposition) lipgloss.Style {
	switch d {
	case inspect.Deliver:
		return st.deliver
	case inspect.Quarantine:
		return st.quarantine
	case inspect.Reject:
		return st.reject
	}
	return st.info
}

// ResultText renders a result as a fixed-width word in its colour, so the
// titles after it line up.
func (st Styles) ResultText(r trace.Result) string {
	w := s(string(r)) // results are ours, but a report may come from anywhere
	if w == "" {
		w = "…"
	}
	return st.Result(r).Render(padRight(w, 9))
}
