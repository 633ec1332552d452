package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
)

// The smallest terminal the TUI lays out in; below it, it asks for a
// larger window.
const (
	MinWidth  = 60
	MinHeight = 16
)

// The lines around the body: three of summary bar, one of tabs, one of
// footer.
const chrome = 5

type viewID int

const (
	vOverview viewID = iota
	vRoute
	vSPF
	vDKIM
	vDMARC
	vHeaders
	vDNS
	numViews
)

var viewNames = [numViews]string{"Overview", "Route", "SPF", "DKIM", "DMARC", "Headers", "DNS"}

// Model is the TUI: the only tea.Model. It owns the message list of an
// mbox, the page of the open message, and everything around them.
type Model struct {
	ctx    context.Context
	cfg    Config
	keys   KeyMap
	styles *Styles // replaced, never modified, when the background colour is known
	help   help.Model
	spin   spinner.Model
	width  int
	height int
	full   bool // the full help is shown

	cache *dnsx.Cache // one per session, renewed by r

	mbox    bool
	inList  bool
	list    msgList
	running int // background inspections in flight
	loading bool

	page page
}

// page is the open message: its report as it streams in, and the views.
type page struct {
	open    bool
	index   int
	gen     int
	cancel  context.CancelFunc
	msg     *message.Message
	loadErr string
	rep     *inspect.Report // latest, partial while running
	base    *inspect.Report // the last complete report, for what-if
	running bool
	runErr  string
	whatIf  string  // what the current replay assumes, "" for the message as it is
	lesson  *Lesson // from Config.Each, nil for Config.Lesson

	// The lesson laid out, and for what (layout keeps it; View reads it).
	lessonLines []string
	lessonKey   lessonKey

	boundary           *int
	ip, helo, mailFrom string
	view               viewID
	overview           scroller
	route              routeView
	spf, dkim, dmarc   stepTree
	headers            headerView
	dns                dnsView
	form               whatIfForm
}

// New returns the TUI's model for cfg; Run runs it. ctx bounds every
// inspection it starts.
func New(ctx context.Context, cfg Config) Model {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 3
	}
	m := Model{
		ctx:    ctx,
		cfg:    cfg,
		keys:   DefaultKeyMap(),
		styles: ptr(NewStyles(true)),
		help:   help.New(),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:  80,
		height: 24,
	}
	m.help.Styles = m.styles.Help
	if cfg.Options.Resolver != nil {
		m.cache = dnsx.NewCache(cfg.Options.Resolver, dnsx.CacheOptions{})
	}
	if cfg.Source != nil && cfg.Source.Len() > 1 {
		m.mbox, m.inList = true, true
		m.list = newMsgList(sourceName(cfg.Source), cfg.Source.Len())
	}
	return m.layout()
}

// Init asks the terminal for its background colour, starts the spinner,
// and starts reading: the message, or the list of an mbox.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.spin.Tick}
	if m.mbox {
		cmds = append(cmds, m.loadSummaries(0))
		if n := m.cfg.Message; n > 0 && n <= m.cfg.Source.Len() {
			cmds = append(cmds, func() tea.Msg { return openMsg{index: n - 1} })
		}
	} else if m.cfg.Source != nil && m.cfg.Source.Len() == 1 {
		cmds = append(cmds, func() tea.Msg { return openMsg{index: 0} })
	}
	return tea.Batch(cmds...)
}

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.styles = ptr(NewStyles(msg.IsDark()))
		m.help.Styles = m.styles.Help
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		cmds = append(cmds, cmd)
	case streamMsg:
		var cmd tea.Cmd
		m, cmd = m.onStream(msg)
		cmds = append(cmds, cmd)
	case summariesMsg:
		m = m.onSummaries(msg)
		if end := msg.from + len(msg.sums); end < len(m.list.entries) {
			cmds = append(cmds, m.loadSummaries(end))
		}
	case verdictMsg:
		m.running--
		e := &m.list.entries[msg.index]
		e.state, e.disp, e.problem = inspected, msg.disp, msg.problem
		if msg.loaded {
			e.sum, e.loaded = msg.sum, true
		}
	case openMsg:
		var cmd tea.Cmd
		m, cmd = m.openMessage(msg.index)
		cmds = append(cmds, cmd)
	case boundaryMsg:
		b := msg.hop
		m.page.boundary = &b
		// The hop's own client: drop an IP or HELO typed in before.
		m.page.ip, m.page.helo = "", ""
		cmds = append(cmds, m.startWhatIf())
	case whatIfMsg:
		if msg.set[0] {
			m.page.ip = msg.ip
		}
		if msg.set[1] {
			m.page.helo = msg.helo
		}
		if msg.set[2] {
			m.page.mailFrom = msg.mailFrom
		}
		cmds = append(cmds, m.startWhatIf())
	case tea.KeyPressMsg:
		var cmd tea.Cmd
		var quit bool
		m, cmd, quit = m.onKey(msg)
		if quit {
			m.stop()
			return m, tea.Quit
		}
		cmds = append(cmds, cmd)
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		m, cmd = m.toChild(msg)
		cmds = append(cmds, cmd)
	default:
		// Cursor blinks and other messages of the text fields.
		var cmd tea.Cmd
		m, cmd, _ = m.toInputs(msg)
		cmds = append(cmds, cmd)
	}
	m = m.layout()
	if m.inList {
		cmds = append(cmds, m.schedule()...)
	}
	return m, tea.Batch(cmds...)
}

// stop cancels the open message's inspection.
func (m *Model) stop() {
	if m.page.cancel != nil {
		m.page.cancel()
	}
}

// keysHere is the key map with only what acts where the user is enabled.
func (m Model) keysHere() KeyMap {
	k := m.keys.forContext(m.where(), m.mbox)
	if m.where() == inHeaders && !m.mbox && m.page.headers.query == "" {
		k.Back.SetEnabled(false) // nothing to go back from
	}
	if m.where() == inList && m.list.filter == "" {
		k.Back.SetEnabled(false)
	}
	if m.list.lessons {
		k.Open.SetHelp("enter", "open lesson")
	}
	return k
}

// where says where the keys go.
func (m Model) where() where {
	switch {
	case m.inList && m.list.capturing():
		return inInput
	case m.inList:
		return inList
	case m.page.form.open, m.page.view == vHeaders && m.page.headers.capturing():
		return inInput
	}
	switch m.page.view {
	case vSPF, vDKIM, vDMARC:
		return inTree
	case vRoute:
		return inRoute
	case vHeaders:
		return inHeaders
	}
	return inPlain
}

func (m Model) onKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	if m.tooSmall() {
		// The screen says only "make the window larger; q or ctrl+c
		// quits": those keys quit whatever is behind it (a what-if form
		// or a search field would take q as a letter), and the others
		// do nothing the user cannot see (exploratory use, C7).
		s := msg.String()
		return m, nil, s == "q" || s == "ctrl+c"
	}
	k := m.keysHere()
	if key.Matches(msg, k.Quit) {
		return m, nil, true
	}
	if m.where() == inInput {
		return m.toInputs(msg)
	}
	if key.Matches(msg, k.Help) {
		m.full = !m.full
		return m, nil, false
	}
	if m.full {
		// Any key closes the help; esc and ? only close it, others also
		// act, so the user is never stuck on this screen.
		m.full = false
		if key.Matches(msg, m.keys.Back) {
			return m, nil, false
		}
	}
	if m.inList || !m.page.open {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd, false
	}
	p := &m.page
	switch {
	case key.Matches(msg, k.NextView):
		p.view = (p.view + 1) % numViews
		return m, nil, false
	case key.Matches(msg, k.PrevView):
		p.view = (p.view + numViews - 1) % numViews
		return m, nil, false
	case key.Matches(msg, k.Views):
		p.view = viewID(msg.Text[0] - '1')
		return m, nil, false
	case key.Matches(msg, k.Replay):
		return m, m.replay(), false
	case key.Matches(msg, k.WhatIf):
		if p.rep != nil && done(p.rep, inspect.CheckReceived) {
			var cmd tea.Cmd
			p.form, cmd = p.form.start(p.rep.Chain.Envelope, p.rep.SPF)
			return m, cmd, false
		}
		return m, nil, false
	case key.Matches(msg, k.Back) && m.mbox && !(p.view == vHeaders && p.headers.query != ""):
		m.stop()
		m.page = page{}
		m.inList = true
		return m, nil, false
	}
	m, cmd := m.toChild(msg)
	return m, cmd, false
}

// toInputs hands a message to whichever text field has the keys, and
// other messages (cursor blinks) to all of them.
func (m Model) toInputs(msg tea.Msg) (Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	switch {
	case m.inList:
		m.list, cmd = m.list.Update(msg)
	case m.page.form.open:
		m.page.form, cmd = m.page.form.Update(msg)
	case m.page.view == vHeaders && m.page.headers.capturing():
		m.page.headers, cmd = m.page.headers.Update(msg)
	}
	return m, cmd, false
}

// toChild hands a key or the mouse wheel to the view on screen.
func (m Model) toChild(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	if m.inList {
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	}
	p := &m.page
	switch p.view {
	case vOverview:
		p.overview = m.scrollPlain(p.overview, msg, len(m.overviewLines()))
	case vRoute:
		p.route, cmd = p.route.Update(msg)
	case vSPF:
		p.spf, cmd = p.spf.Update(msg)
	case vDKIM:
		p.dkim, cmd = p.dkim.Update(msg)
	case vDMARC:
		p.dmarc, cmd = p.dmarc.Update(msg)
	case vHeaders:
		p.headers, cmd = p.headers.Update(msg)
	case vDNS:
		p.dns, cmd = p.dns.Update(msg)
	}
	return m, cmd
}

func (m Model) scrollPlain(sc scroller, msg tea.Msg, n int) scroller {
	k := m.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up, k.DetailUp):
			return sc.by(-1, n)
		case key.Matches(msg, k.Down, k.DetailDown):
			return sc.by(1, n)
		case key.Matches(msg, k.PageUp):
			return sc.by(-max(sc.height-1, 1), n)
		case key.Matches(msg, k.PageDown):
			return sc.by(max(sc.height-1, 1), n)
		case key.Matches(msg, k.Top):
			return sc.by(-n, n)
		case key.Matches(msg, k.Bottom):
			return sc.by(n, n)
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return sc.by(-3, n)
		case tea.MouseWheelDown:
			return sc.by(3, n)
		}
	}
	return sc
}

// openMessage reads message i and inspects it, streaming each check's
// result as it completes.
func (m Model) openMessage(i int) (Model, tea.Cmd) {
	m.stop()
	old := m.page
	m.page = page{
		open:    true,
		index:   i,
		gen:     old.gen + 1,
		running: true,
		view:    old.view,
		spf:     stepTree{empty: "No SPF result."},
		dkim:    stepTree{empty: "No DKIM result."},
		dmarc:   stepTree{empty: "No DMARC result."},
		headers: newHeaderView(),
		form:    newWhatIfForm(),
	}
	m.inList = false
	if m.cfg.Each != nil {
		_, m.page.lesson = m.cfg.Each(i, m.cfg.Options)
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.page.cancel = cancel
	gen, src, opts := m.page.gen, m.cfg.Source, m.options(i)
	return m.layout(), stream(ctx, func(send func(tea.Msg)) {
		msg, err := src.Message(i)
		send(loadedMsg{gen: gen, msg: msg, err: err})
		if err != nil {
			return
		}
		opts.OnUpdate = func(u inspect.Update) { send(partialMsg{gen: gen, rep: u.Report}) }
		rep, err := inspect.Inspect(ctx, msg, opts)
		send(finalMsg{gen: gen, rep: rep, err: err})
	})
}

// options are the options of message i: the base options (or what
// Config.Each makes of them) with the session's cache in front of the base
// resolver.
func (m Model) options(i int) inspect.Options {
	o := m.cfg.Options
	if m.cfg.Each != nil {
		o, _ = m.cfg.Each(i, m.cfg.Options)
	}
	o.OnUpdate = nil
	if m.cache != nil && o.Resolver == m.cfg.Options.Resolver {
		o.Resolver = m.cache
	}
	return o
}

// lesson is the lesson shown with the open message, if any.
func (m Model) lesson() *Lesson {
	if m.page.lesson != nil {
		return m.page.lesson
	}
	return m.cfg.Lesson
}

// replay inspects the open message again, as the message is, with a fresh
// cache so that a DNS change since shows.
func (m *Model) replay() tea.Cmd {
	p := &m.page
	if p.msg == nil {
		return nil
	}
	if m.cfg.Options.Resolver != nil {
		m.cache = dnsx.NewCache(m.cfg.Options.Resolver, dnsx.CacheOptions{})
	}
	m.stop()
	p.gen++
	p.running, p.runErr, p.whatIf = true, "", ""
	p.boundary, p.ip, p.helo, p.mailFrom = nil, "", "", ""
	p.rep = nil
	ctx, cancel := context.WithCancel(m.ctx)
	p.cancel = cancel
	gen, msg, opts := p.gen, p.msg, m.options(p.index)
	return stream(ctx, func(send func(tea.Msg)) {
		opts.OnUpdate = func(u inspect.Update) { send(partialMsg{gen: gen, rep: u.Report}) }
		rep, err := inspect.Inspect(ctx, msg, opts)
		send(finalMsg{gen: gen, rep: rep, err: err})
	})
}

// startWhatIf replays SPF, DMARC and the verdict with the page's boundary
// and envelope.
func (m *Model) startWhatIf() tea.Cmd {
	p := &m.page
	if p.base == nil {
		return nil
	}
	m.stop()
	p.gen++
	p.running, p.runErr = true, ""
	opts := m.options(p.index)
	opts.Boundary = p.boundary
	opts.IP, opts.HELO, opts.MailFrom = p.ip, p.helo, p.mailFrom
	p.whatIf = whatIfWords(opts)
	ctx, cancel := context.WithCancel(m.ctx)
	p.cancel = cancel
	gen, base := p.gen, p.base
	return stream(ctx, func(send func(tea.Msg)) {
		opts.OnUpdate = func(u inspect.Update) { send(partialMsg{gen: gen, rep: u.Report}) }
		rep, err := inspect.WhatIf(ctx, base, opts)
		send(finalMsg{gen: gen, rep: rep, err: err})
	})
}

func whatIfWords(o inspect.Options) string {
	var parts []string
	if o.Boundary != nil {
		parts = append(parts, fmt.Sprintf("boundary received[%d]", *o.Boundary))
	}
	if o.IP != "" {
		parts = append(parts, "client "+o.IP)
	}
	if o.HELO != "" {
		parts = append(parts, "HELO "+o.HELO)
	}
	if o.MailFrom != "" {
		parts = append(parts, "MAIL FROM "+o.MailFrom)
	}
	if len(parts) == 0 {
		return "the envelope as the message shows it"
	}
	return strings.Join(parts, ", ")
}

// onStream takes one message of the open message's inspection.
func (m Model) onStream(sm streamMsg) (Model, tea.Cmd) {
	p := &m.page
	more := next(sm.ch)
	switch msg := sm.msg.(type) {
	case loadedMsg:
		if msg.gen != p.gen || !p.open {
			return m, nil
		}
		if msg.err != nil {
			var le *message.Error
			if errors.As(msg.err, &le) {
				p.loadErr = le.Msg
			} else {
				p.loadErr = msg.err.Error()
			}
			p.running = false
			return m, nil
		}
		p.msg = msg.msg
		p.headers = p.headers.setMessage(msg.msg)
		return m, more
	case partialMsg:
		if msg.gen != p.gen || !p.open {
			return m, nil
		}
		m = m.setReport(msg.rep)
		return m, more
	case finalMsg:
		if msg.gen != p.gen || !p.open {
			return m, nil
		}
		p.running = false
		if msg.err != nil {
			p.runErr = msg.err.Error()
		}
		if msg.rep != nil {
			m = m.setReport(msg.rep)
			if msg.err == nil {
				p.base = msg.rep
			}
		}
		if m.mbox {
			e := &m.list.entries[p.index]
			if msg.rep != nil && msg.err == nil && p.whatIf == "" {
				e.state, e.disp = inspected, msg.rep.Verdict.Disposition
			}
		}
		return m, nil
	}
	return m, more
}

func (m Model) setReport(rep *inspect.Report) Model {
	p := &m.page
	p.rep = rep
	p.route = p.route.setReport(rep)
	p.spf = p.spf.setNodes(spfNodes(rep))
	p.dkim = p.dkim.setNodes(dkimNodes(rep))
	p.dmarc = p.dmarc.setNodes(dmarcNodes(rep))
	p.dns = p.dns.setQueries(rep.DNS, done(rep, inspect.CheckVerdict))
	return m
}

// loadSummaries reads the summaries of a batch of messages from index from
// in the background, so the list fills in and the filter can search them.
func (m Model) loadSummaries(from int) tea.Cmd {
	src := m.cfg.Source
	name := sourceName(src)
	ctx := m.ctx
	return func() tea.Msg {
		const batch = 200
		end := min(from+batch, src.Len())
		msg := summariesMsg{from: from}
		for i := from; i < end && ctx.Err() == nil; i++ {
			mm, err := src.Message(i)
			if err != nil {
				msg.sums = append(msg.sums, message.SummaryOf(name, i+1))
				msg.errs = append(msg.errs, loadProblem(err))
				continue
			}
			msg.sums = append(msg.sums, mm.Summary())
			msg.errs = append(msg.errs, "")
		}
		return msg
	}
}

func loadProblem(err error) string {
	var le *message.Error
	if errors.As(err, &le) {
		return le.Msg
	}
	return err.Error()
}

func (m Model) onSummaries(msg summariesMsg) Model {
	for k, sum := range msg.sums {
		i := msg.from + k
		e := &m.list.entries[i]
		if !e.loaded {
			e.sum, e.loaded = sum, true
		}
		if m.cfg.Each != nil {
			if _, l := m.cfg.Each(i, m.cfg.Options); l != nil {
				e.lesson = l.Title
				m.list.lessons = true
				m.list.input.Placeholder = "words in the lesson's title, From or Subject"
			}
		}
		if msg.errs[k] != "" {
			e.problem, e.state = msg.errs[k], inspected
		}
	}
	m.list.loadedTo = msg.from + len(msg.sums)
	if m.list.filter != "" {
		m.list = m.list.refilter()
	}
	return m
}

// schedule starts background inspections of the messages on screen (and
// just below), at most Concurrency at a time, all through the session's
// cache.
func (m *Model) schedule() []tea.Cmd {
	if !m.mbox {
		return nil
	}
	var cmds []tea.Cmd
	for _, i := range m.list.onScreen() {
		if m.running >= m.cfg.Concurrency {
			break
		}
		e := &m.list.entries[i]
		if e.state != notInspected {
			continue
		}
		e.state = inspecting
		m.running++
		src, opts, ctx := m.cfg.Source, m.options(i), m.ctx
		cmds = append(cmds, func() tea.Msg {
			v := verdictMsg{index: i}
			mm, err := src.Message(i)
			if err != nil {
				v.problem = loadProblem(err)
				return v
			}
			v.sum, v.loaded = mm.Summary(), true
			rep, err := inspect.Inspect(ctx, mm, opts)
			switch {
			case err != nil:
				v.problem = err.Error()
			case rep.Error != "":
				v.problem = rep.Error
			default:
				v.disp = rep.Verdict.Disposition
			}
			return v
		})
	}
	return cmds
}

func ptr[T any](v T) *T { return &v }
