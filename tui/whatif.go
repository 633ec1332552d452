package tui

import (
	"net/netip"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
)

// whatIfForm edits the envelope SPF is replayed for: client IP, HELO and
// MAIL FROM. An empty field means "as the message shows" (derived from the
// Received chain and Return-Path), as the flags do.
type whatIfForm struct {
	frame
	open   bool
	inputs [3]textinput.Model
	focus  int
	err    string
	was    [3]string // the values it opened with: only changed fields override
	hint   string    // what SPF found last time, to choose an address by (safe)
}

// whatIfMsg asks the root to replay with this envelope. Only the fields
// the user changed are set; the others stay as they were (derived from
// the message, or an earlier what-if).
type whatIfMsg struct {
	ip, helo, mailFrom string
	set                [3]bool
}

var whatIfLabels = [3]string{"Client IP", "HELO name", "MAIL FROM"}

func newWhatIfForm() whatIfForm {
	var f whatIfForm
	ph := [3]string{"192.0.2.1 (empty: from the boundary hop)", "mail.example.org (empty: from the boundary hop)", "bounce@example.org, <> for the null sender (empty: Return-Path)"}
	for i := range f.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = ph[i]
		in.CharLimit = 320
		f.inputs[i] = in
	}
	return f
}

// start opens the form filled with the envelope now in use, and with what
// SPF found for it: the record says which addresses would pass.
func (f whatIfForm) start(e received.Envelope, last spf.Result) (whatIfForm, tea.Cmd) {
	f.open, f.err, f.focus = true, "", 0
	f.hint = ""
	if last.Domain != "" {
		f.hint = "Now: SPF " + s(string(last.Result)) + " for " + s(last.ClientIP) + " and " + s(last.Domain)
		if last.Record != "" {
			f.hint += ", whose SPF record is " + s(last.Record)
		}
		f.hint += "."
	}
	f.inputs[0].SetValue(e.ClientIP)
	f.inputs[1].SetValue(e.HELO)
	mf := e.MailFrom
	if mf == "" && e.DerivedFrom.MailFrom != "" {
		mf = "<>"
	}
	f.inputs[2].SetValue(mf)
	for i := range f.inputs {
		f.was[i] = f.inputs[i].Value()
		f.inputs[i].Blur()
		f.inputs[i].SetWidth(max(f.width-16, 8))
	}
	return f, f.inputs[0].Focus()
}

func (f whatIfForm) Update(msg tea.Msg) (whatIfForm, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc":
			f.open = false
			return f, nil
		case "tab", "down":
			return f.move(1)
		case "shift+tab", "up":
			return f.move(-1)
		case "enter":
			ip := strings.TrimSpace(f.inputs[0].Value())
			if ip != "" {
				a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
				if err != nil {
					f.err = "“" + s(ip) + "” is not an IP address (e.g. 192.0.2.1 or 2001:db8::1)."
					f.focus = 0
					return f.move(0)
				}
				ip = a.Unmap().String()
			}
			f.open = false
			m := whatIfMsg{ip: ip, helo: strings.TrimSpace(f.inputs[1].Value()), mailFrom: strings.TrimSpace(f.inputs[2].Value())}
			for i := range f.inputs {
				m.set[i] = strings.TrimSpace(f.inputs[i].Value()) != strings.TrimSpace(f.was[i])
			}
			return f, func() tea.Msg { return m }
		}
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, cmd
}

func (f whatIfForm) move(d int) (whatIfForm, tea.Cmd) {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + d + len(f.inputs)) % len(f.inputs)
	return f, f.inputs[f.focus].Focus()
}

func (f whatIfForm) View() []string {
	st := f.styles
	out := []string{st.Title.Render("What if the message had come with another envelope?"), ""}
	out = append(out, wrap("SPF and DMARC are replayed at once for what you type; DKIM does not depend on the envelope and is kept. Leave a field empty to use what the message shows.", f.width)...)
	out = append(out, "")
	for i, in := range f.inputs {
		label := padRight(whatIfLabels[i], 12)
		if i == f.focus {
			label = st.Boundary.Render(label)
		} else {
			label = st.Label.Render(label)
		}
		out = append(out, label+"  "+in.View())
	}
	out = append(out, "")
	if f.hint != "" {
		out = append(out, wrap(f.hint, f.width)...)
		out = append(out, "")
	}
	if f.err != "" {
		out = append(out, wrap(st.Error.Render(f.err), f.width)...)
	}
	out = append(out, st.Muted.Render(cut("enter replay · tab/↑/↓ next field · ctrl+u clear the field · esc cancel", f.width)))
	return fit(out, f.width, f.height)
}
