package aggregate

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/received"
	"github.com/headercheck/headercheck/inspect/spf"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Namespace is the XML namespace of DMARC aggregate reports (RFC 9990
// §6.1, Appendix A).
const Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

// MaxDKIM is how many DKIM results one row reports at most (RFC 9990
// §3.1.3: "no more than 100 signatures for a given row").
const MaxDKIM = 100

// Message is what the inspection of one message found, as reporting needs
// it (inspect.Report.AggregateMessage makes one). It is plain data, so
// that package inspect can run Check itself and put the result in its
// report.
type Message struct {
	At    time.Time      // the moment the checks were evaluated as of
	Chain received.Chain // the Received walk: boundary, envelope, receiving side
	SPF   spf.Result     // the MAIL FROM identity (HELO for the null sender)
	DKIM  []dkim.Signature
	DMARC dmarc.Result
	// DecidedBy is the verdict's decided_by ("arc" when a trusted ARC
	// sealer's record decided), and ARC the verdict's arc: which sealer.
	DecidedBy, ARC string
}

// Input is what Check needs.
type Input struct {
	// Report is the inspected message; nil makes no report.
	Report *Message
	// Resolver answers the external destination checks (RFC 9990 §4);
	// nil leaves external destinations unverified. Give it the run's
	// resolver, or the snapshot the report was replayed from.
	Resolver dnsx.Resolver
	// Reporter names the receiver that would send the report, for
	// report_metadata: its organization and contact address. Empty
	// fields are taken from the receiving side of the Received chain.
	OrgName, Email string
}

// Result is the reporting side of one message.
type Result struct {
	// Applies is false when no DMARC record applied to the message (no
	// record, a broken one, no single From domain with a record): then no
	// report is made and Requests and Feedback are empty.
	Applies  bool      `json:"applies"`
	Requests Requests  `json:"requests"`
	Feedback *Feedback `json:"feedback"` // nil when Applies is false
	// Sent says whether any receiver may send the aggregate report:
	// some rua destination passed.
	Sent  bool         `json:"sent"`
	Steps []trace.Step `json:"steps"`
}

// Feedback is an aggregate report (RFC 9990 §3.1.1, Appendix A) with the
// one record this message adds. Its XML form is the document the domain
// owner receives; the fields after Records are for display.
type Feedback struct {
	XMLName         xml.Name        `xml:"urn:ietf:params:xml:ns:dmarc-2.0 feedback" json:"-"`
	Version         string          `xml:"version" json:"version"`
	ReportMetadata  ReportMetadata  `xml:"report_metadata" json:"report_metadata"`
	PolicyPublished PolicyPublished `xml:"policy_published" json:"policy_published"`
	Records         []Record        `xml:"record" json:"records"`

	// Filename is the attachment name of RFC 9990 §3.5.2, and Subject
	// the Subject field of the report message.
	Filename string `xml:"-" json:"filename"`
	Subject  string `xml:"-" json:"subject"`
}

// ReportMetadata is RFC 9990 §3.1.1.3.
type ReportMetadata struct {
	OrgName          string    `xml:"org_name" json:"org_name"`
	Email            string    `xml:"email" json:"email"`
	ExtraContactInfo string    `xml:"extra_contact_info,omitempty" json:"extra_contact_info,omitempty"`
	ReportID         string    `xml:"report_id" json:"report_id"`
	DateRange        DateRange `xml:"date_range" json:"date_range"`
	Error            string    `xml:"error,omitempty" json:"error,omitempty"`
	Generator        string    `xml:"generator,omitempty" json:"generator,omitempty"`
}

// DateRange is the reporting period in seconds since the epoch, UTC
// (RFC 9990 §3.1.1.4).
type DateRange struct {
	Begin int64 `xml:"begin" json:"begin"`
	End   int64 `xml:"end" json:"end"`
}

// PolicyPublished is the DMARC record as the receiver applied it, every
// tag with its discovered or default value (RFC 9990 §3.1.1.5). The order
// is Appendix A's.
type PolicyPublished struct {
	Domain          string `xml:"domain" json:"domain"`
	P               string `xml:"p" json:"p"`
	SP              string `xml:"sp,omitempty" json:"sp,omitempty"`
	NP              string `xml:"np,omitempty" json:"np,omitempty"`
	ADKIM           string `xml:"adkim,omitempty" json:"adkim,omitempty"`
	ASPF            string `xml:"aspf,omitempty" json:"aspf,omitempty"`
	DiscoveryMethod string `xml:"discovery_method,omitempty" json:"discovery_method,omitempty"`
	FO              string `xml:"fo,omitempty" json:"fo,omitempty"`
	Testing         string `xml:"testing,omitempty" json:"testing,omitempty"`
}

// Record is one row of the report with its identifiers and the raw
// authentication results (RFC 9990 §3.1.1.7).
type Record struct {
	Row         Row         `xml:"row" json:"row"`
	Identifiers Identifiers `xml:"identifiers" json:"identifiers"`
	AuthResults AuthResults `xml:"auth_results" json:"auth_results"`
}

// Row is RFC 9990 §3.1.1.8.
type Row struct {
	SourceIP        string          `xml:"source_ip" json:"source_ip"`
	Count           int             `xml:"count" json:"count"`
	PolicyEvaluated PolicyEvaluated `xml:"policy_evaluated" json:"policy_evaluated"`
}

// PolicyEvaluated is what applying DMARC gave (RFC 9990 §3.1.1.9): the
// disposition (none, pass, quarantine, reject) and the results of the
// DKIM and SPF alignment tests (pass or fail).
type PolicyEvaluated struct {
	Disposition string   `xml:"disposition" json:"disposition"`
	DKIM        string   `xml:"dkim" json:"dkim"`
	SPF         string   `xml:"spf" json:"spf"`
	Reasons     []Reason `xml:"reason" json:"reasons"`
}

// Reason is why the disposition is not the published policy
// (RFC 9990 §3.1.1.14, §3.1.6).
type Reason struct {
	Type    string `xml:"type" json:"type"`
	Comment string `xml:"comment,omitempty" json:"comment,omitempty"`
}

// Identifiers is RFC 9990 §3.1.1.10. EnvelopeFrom is written even when
// empty: an empty element is how a null reverse-path is reported.
type Identifiers struct {
	HeaderFrom   string `xml:"header_from" json:"header_from"`
	EnvelopeFrom string `xml:"envelope_from" json:"envelope_from"`
	EnvelopeTo   string `xml:"envelope_to,omitempty" json:"envelope_to,omitempty"`
}

// AuthResults are the DKIM and SPF results, uninterpreted with respect to
// DMARC (RFC 9990 §3.1.1.11).
type AuthResults struct {
	DKIM []DKIMResult `xml:"dkim" json:"dkim"`
	SPF  *SPFResult   `xml:"spf,omitempty" json:"spf,omitempty"`
}

// DKIMResult is RFC 9990 §3.1.1.12.
type DKIMResult struct {
	Domain      string `xml:"domain" json:"domain"`
	Selector    string `xml:"selector" json:"selector"`
	Result      string `xml:"result" json:"result"`
	HumanResult string `xml:"human_result,omitempty" json:"human_result,omitempty"`
}

// SPFResult is RFC 9990 §3.1.1.13.
type SPFResult struct {
	Domain      string `xml:"domain" json:"domain"`
	Scope       string `xml:"scope,omitempty" json:"scope,omitempty"`
	Result      string `xml:"result" json:"result"`
	HumanResult string `xml:"human_result,omitempty" json:"human_result,omitempty"`
}

// Check works out the reporting side of an inspected message: where its
// domain owner asks for reports, whether a receiver may send them there,
// and the aggregate report this message would add to. Like the checks it
// never fails; what cannot be done is said in the steps.
func Check(ctx context.Context, in Input) Result {
	rep := in.Report
	var out Result
	if rep == nil {
		out.Steps = []trace.Step{{Title: "Reporting", Result: trace.None, Explain: "There is no report of the message to work from."}}
		return out
	}
	ev := rep.DMARC.RFC9989
	if rep.DMARC.Standard == dmarc.RFC7489 {
		ev = rep.DMARC.RFC7489
	}
	rec, ok := applied(ev)
	if !ok {
		out.Steps = []trace.Step{notApplied(ev)}
		return out
	}
	out.Applies = true
	f := failuresOf(rep, ev)
	// Room for every step at once: the introduction, one per rua
	// destination, the report and its three about the record, and a few
	// for ruf destinations, fo= and a report not sent.
	out.Steps = make([]trace.Step, 0, len(rec.RUA)+8)
	out.Requests, out.Steps = requested(ctx, in.Resolver, ev, rec, f, out.Steps)
	for _, d := range out.Requests.Aggregate {
		out.Sent = out.Sent || d.Result == trace.Pass
	}
	out.Feedback, out.Steps = build(rep, ev, rec, out.Requests, in, out.Steps)
	if !out.Sent {
		why := "No rua= address of " + ev.RecordDomain + " may receive reports"
		if len(out.Requests.Aggregate) == 0 {
			why = ev.RecordDomain + "'s record has no rua= tag"
		}
		out.Steps = append(out.Steps, trace.Step{
			Title:   "Aggregate report not sent",
			Result:  trace.Info,
			Detail:  why,
			Explain: why + ", so a receiver sends this report to no one: it is shown here only to teach what it would contain. The domain owner learns nothing about this message (RFC 9989 §4.7, RFC 9990 §4).",
			Ref:     "RFC 9989 §4.7",
		})
	}
	return out
}

// applied returns the DMARC record the evaluation applied, read as its
// standard reads it; false when none applied.
func applied(ev dmarc.Evaluation) (dmarc.Record, bool) {
	if ev.Record == "" || ev.RecordDomain == "" || ev.Result == trace.PermError {
		return dmarc.Record{}, false
	}
	rec, err := dmarc.ParseRecord(ev.Record, ev.Standard)
	if err != nil || rec.Unusable {
		return dmarc.Record{}, false
	}
	return rec, true
}

func notApplied(ev dmarc.Evaluation) trace.Step {
	st := trace.Step{Title: "No DMARC report", Result: trace.None, Ref: "RFC 9989 §4.7, RFC 9990 §3.4"}
	switch {
	case ev.Result == trace.PermError:
		st.Explain = fmt.Sprintf("The DMARC record of %s cannot be used, so no DMARC policy applies and no receiver sends reports about this message.", orWord(ev.RecordDomain, orWord(ev.FromDomain, "the From domain")))
	case ev.Result == trace.TempError && ev.Record == "":
		st.Explain = "The DMARC record could not be fetched (a DNS failure), so a receiver does not know where reports would go; it may try again later."
	case ev.FromDomain == "":
		st.Explain = "The From field names no single domain, so there is no domain owner to report to."
	default:
		st.Explain = fmt.Sprintf("%s publishes no DMARC record, so its owner has asked for no reports: receivers discover report addresses only in a DMARC record (RFC 9990 §3.4), and a domain without one never hears about mail that uses its name.", ev.FromDomain)
	}
	st.Detail = "From domain " + orWord(ev.FromDomain, "(none)")
	return st
}

// failures is what decides whether fo= asks for a failure report.
type failures struct {
	spfAligned, dkimAligned bool // an aligned pass
	dkimFailed, spfFailed   bool // a failed evaluation, aligned or not
}

func failuresOf(rep *Message, ev dmarc.Evaluation) failures {
	f := failures{spfAligned: ev.SPFAligned, dkimAligned: ev.DKIMAligned, spfFailed: rep.SPF.Result == trace.Fail}
	for _, s := range rep.DKIM {
		if s.Result == trace.Fail {
			f.dkimFailed = true
		}
	}
	return f
}

// wanted reads fo= (RFC 9989 §4.7): whether this message is one the owner
// wants a failure report about, and why.
func (f failures) wanted(fo string) (bool, string) {
	var why []string
	for _, o := range strings.Split(fo, ":") {
		switch strings.TrimSpace(o) {
		case "0":
			if !f.spfAligned && !f.dkimAligned {
				why = append(why, "fo=0: no mechanism gave an aligned pass")
			}
		case "1":
			switch {
			case !f.spfAligned && !f.dkimAligned:
				why = append(why, "fo=1: neither SPF nor DKIM gave an aligned pass")
			case !f.spfAligned:
				why = append(why, "fo=1: SPF gave no aligned pass")
			case !f.dkimAligned:
				why = append(why, "fo=1: DKIM gave no aligned pass")
			}
		case "d":
			if f.dkimFailed {
				why = append(why, "fo=d: a DKIM signature failed")
			}
		case "s":
			if f.spfFailed {
				why = append(why, "fo=s: SPF failed")
			}
		}
	}
	if len(why) == 0 {
		return false, "this message is not one fo=" + fo + " asks about"
	}
	return true, "a receiver that sends failure reports would send one: " + strings.Join(why, "; ")
}

// build makes the aggregate report with this message's record, and
// appends the steps that explain it to steps.
func build(rep *Message, ev dmarc.Evaluation, rec dmarc.Record, rq Requests, in Input, steps []trace.Step) (*Feedback, []trace.Step) {
	receiver := receiverDomain(rep)
	org := orWord(in.OrgName, receiver)
	email := in.Email
	if email == "" {
		email = "dmarc-reports@" + receiver
	}
	day := deliveryDay(rep)
	begin := day.Unix()
	end := day.Add(24*time.Hour).Unix() - 1
	beginS, endS := strconv.FormatInt(begin, 10), strconv.FormatInt(end, 10)
	fb := &Feedback{
		Version: "1.0",
		ReportMetadata: ReportMetadata{
			OrgName:          org,
			Email:            email,
			ExtraContactInfo: "An illustration by headercheck: the record one message adds to the aggregate report of " + receiver + "; a real report counts a whole day of messages.",
			ReportID:         beginS + "." + ev.RecordDomain + "@" + receiver,
			DateRange:        DateRange{Begin: begin, End: end},
			Generator:        "headercheck",
		},
		PolicyPublished: published(ev, rec, rq),
	}
	var bad []string
	for _, list := range [2][]Destination{rq.Aggregate, rq.Failure} {
		for _, d := range list {
			if d.Result == trace.PermError {
				bad = append(bad, fmt.Sprintf("%s URI %q is malformed: %s", d.Kind, d.URI, d.Reason))
			}
		}
	}
	fb.ReportMetadata.Error = strings.Join(bad, "; ")
	fb.Filename = receiver + "!" + ev.RecordDomain + "!" + beginS + "!" + endS + ".xml"
	fb.Subject = "Report Domain: " + ev.RecordDomain + " Submitter: " + receiver + " Report-ID: <" + fb.ReportMetadata.ReportID + ">"

	steps = append(steps, trace.Step{
		Title:   "Aggregate report for " + ev.RecordDomain,
		Result:  trace.Info,
		Detail:  fb.Filename,
		Explain: "Once a day (typically) a receiver that sends reports mails each domain owner one XML document: who it is (report_metadata), the DMARC record it applied (policy_published: " + policySummary(fb.PolicyPublished) + ", found by " + discoveryWords(fb.PolicyPublished.DiscoveryMethod) + "), and one record per sending address and outcome, with a count. This message adds one to the count of its record. The receiver here is " + receiver + ".",
		Ref:     "RFC 9990 §3.1, §3.1.1.2",
	})
	var r Record
	r, steps = record(rep, ev, steps)
	fb.Records = []Record{r}
	return fb, steps
}

// published is policy_published: every tag with its discovered or default
// value (RFC 9990 §3.1.1.5; defaults of RFC 9989 §4.7 or RFC 7489 §6.3).
func published(ev dmarc.Evaluation, rec dmarc.Record, rq Requests) PolicyPublished {
	p := PolicyPublished{Domain: ev.RecordDomain, P: string(rec.Policy)}
	if p.P == "" {
		p.P = string(dmarc.PolicyNone) // a valid rua made it p=none (RFC 9989 §4.10.1)
	}
	p.SP = orWord(string(rec.SubPol), p.P)
	if ev.Standard == dmarc.RFC9989 {
		p.NP = orWord(string(rec.NonExist), p.SP)
		p.DiscoveryMethod = "treewalk"
		p.Testing = "n"
		if rec.Testing {
			p.Testing = "y"
		}
	} else {
		p.DiscoveryMethod = "psl"
	}
	p.ADKIM = orWord(string(rec.ADKIM), string(dmarc.Relaxed))
	p.ASPF = orWord(string(rec.ASPF), string(dmarc.Relaxed))
	p.FO = rq.FailureOptions
	return p
}

func policySummary(p PolicyPublished) string {
	s := "p=" + p.P + " sp=" + p.SP
	if p.NP != "" {
		s += " np=" + p.NP
	}
	if p.Testing == "y" {
		s += " t=y"
	}
	return s
}

func discoveryWords(m string) string {
	if m == "psl" {
		return "the Public Suffix List of RFC 7489"
	}
	return "the DNS tree walk of RFC 9989"
}

// record is the <record> this message adds; the steps explaining it are
// appended to steps.
func record(rep *Message, ev dmarc.Evaluation, steps []trace.Step) (Record, []trace.Step) {
	var r Record
	r.Row.SourceIP = rep.Chain.Envelope.ClientIP
	r.Row.Count = 1
	pe := &r.Row.PolicyEvaluated
	pe.DKIM, pe.SPF = passFail(ev.DKIMAligned), passFail(ev.SPFAligned)
	pe.Disposition, pe.Reasons = disposition(rep, ev)

	r.Identifiers.HeaderFrom = ev.FromDomain
	if r.Identifiers.HeaderFrom == "" {
		r.Identifiers.HeaderFrom = rep.DMARC.FromDomain
	}
	if mf := rep.Chain.Envelope.MailFrom; mf != "" {
		r.Identifiers.EnvelopeFrom = domainOf(mf)
	}
	if b := rep.Chain.Boundary; b >= 0 && b < len(rep.Chain.Hops) {
		if to := rep.Chain.Hops[b].For; to != "" {
			r.Identifiers.EnvelopeTo = domainOf(to)
		}
	}

	sigs := ordered(rep.DKIM, ev.FromDomain)
	if len(sigs) > 0 { // none stays nil: the JSON says null
		r.AuthResults.DKIM = make([]DKIMResult, 0, len(sigs))
	}
	for _, s := range sigs {
		r.AuthResults.DKIM = append(r.AuthResults.DKIM, DKIMResult{
			Domain:      s.Domain,
			Selector:    s.Selector,
			Result:      dkimResult(s.Result),
			HumanResult: s.Reason,
		})
	}
	env := rep.Chain.Envelope
	nullSender := env.MailFrom == "" && env.DerivedFrom.MailFrom != ""
	// Only the MAIL FROM identity is reported (RFC 9990 §3.1.1.13); for
	// the null sender that is postmaster@HELO (RFC 7208 §2.4). An unknown
	// MAIL FROM has no SPF result to report.
	if rep.SPF.Result != "" && rep.SPF.Domain != "" && (rep.SPF.Identity == "mailfrom" || nullSender) {
		sr := &SPFResult{Domain: rep.SPF.Domain, Scope: "mfrom", Result: string(rep.SPF.Result)}
		if nullSender {
			sr.HumanResult = "null MAIL FROM: checked as " + orWord(rep.SPF.Sender, "postmaster@"+rep.SPF.Domain) + " (RFC 7208 §2.4)"
		}
		r.AuthResults.SPF = sr
	}

	src := r.Row.SourceIP
	if src == "" {
		src = "(unknown)"
	}
	steps = append(steps, trace.Step{
		Title:   "Row: " + src + ", " + pe.Disposition,
		Result:  dispositionResult(pe.Disposition),
		Detail:  "source_ip " + src + ", count 1, disposition " + pe.Disposition + ", dkim " + pe.DKIM + ", spf " + pe.SPF + reasonWords(pe.Reasons),
		Explain: rowWords(ev, *pe, src),
		Ref:     "RFC 9990 §3.1.1.8, §3.1.1.9",
	})
	mailFrom := orWord(r.Identifiers.EnvelopeFrom, "empty: the null sender")
	if env.DerivedFrom.MailFrom == "" {
		mailFrom = "left out: the replay does not know the MAIL FROM"
	}
	// envelope_to, when known, and its words
	to, toWords, toEnd := "", "", ""
	if r.Identifiers.EnvelopeTo != "" {
		to, toWords, toEnd = r.Identifiers.EnvelopeTo, ", and envelope_to the recipient's domain (", ")"
	}
	steps = append(steps, trace.Step{
		Title:  "Identifiers",
		Result: trace.Info,
		Detail: "header_from " + orWord(r.Identifiers.HeaderFrom, "(none)") + ", envelope_from " + orWord(r.Identifiers.EnvelopeFrom, "(empty)"),
		Explain: "header_from is the From domain DMARC evaluated (" + orWord(r.Identifiers.HeaderFrom, "none") + "). envelope_from is the MAIL FROM domain SPF was checked for (" + mailFrom + ")" +
			toWords + to + toEnd + ". Rows that differ here tell the owner which services send in its name.",
		Ref: "RFC 9990 §3.1.1.10",
	})
	steps = append(steps, trace.Step{
		Title:   "Authentication results",
		Result:  trace.Info,
		Detail:  authResultWords(r.AuthResults),
		Explain: "auth_results repeat each DKIM signature's and SPF's own result, whatever domain it was for, aligned or not: with them the owner can tell its forwarded mail (DKIM still passes) from a spoof (nothing passes for it). Signatures are listed aligned passes first.",
		Ref:     "RFC 9990 §3.1.1.11, §3.1.3",
	})
	return r, steps
}

// authResultWords lists the auth_results in a line: "dkim pass (d=D
// s=S), spf pass (D)", or "none".
func authResultWords(ar AuthResults) string {
	if len(ar.DKIM) == 0 && ar.SPF == nil {
		return "none"
	}
	var b strings.Builder
	n := 0
	for _, d := range ar.DKIM {
		n += len("dkim  (d= s=), ") + len(d.Result) + len(d.Domain) + len(d.Selector)
	}
	if ar.SPF != nil {
		n += len("spf  ()") + len(ar.SPF.Result) + len(ar.SPF.Domain)
	}
	b.Grow(n)
	for i, d := range ar.DKIM {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("dkim " + d.Result + " (d=" + d.Domain + " s=" + d.Selector + ")")
	}
	if ar.SPF != nil {
		if len(ar.DKIM) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("spf " + ar.SPF.Result + " (" + ar.SPF.Domain + ")")
	}
	return b.String()
}

// disposition is policy_evaluated's disposition and the reasons when it
// is not what the policy asks (RFC 9990 §3.1.1.9, §3.1.6).
func disposition(rep *Message, ev dmarc.Evaluation) (string, []Reason) {
	enforcing := ev.Requested == dmarc.PolicyQuarantine || ev.Requested == dmarc.PolicyReject
	if ev.Result == trace.Pass {
		if enforcing {
			return "pass", nil
		}
		return "none", nil
	}
	if rep.DecidedBy == "arc" {
		c := "an intact ARC chain from a sealer this receiver trusts vouches for the message"
		if rep.ARC != "" {
			c = rep.ARC
		}
		return "none", []Reason{{Type: "trusted_forwarder", Comment: c}}
	}
	d := string(ev.Disposition)
	if d == "" || d == string(dmarc.Deliver) {
		d = "none"
	}
	if ev.Result == trace.TempError || ev.TempError {
		return d, []Reason{{Type: "other", Comment: "a DNS lookup failed (temperror): DMARC could neither pass nor fail, and the receiver may have deferred the message"}}
	}
	if !enforcing || d == string(ev.Requested) {
		return d, nil
	}
	switch {
	case ev.Testing:
		return d, []Reason{{Type: "policy_test_mode", Comment: fmt.Sprintf("t=y: %s is tested, so the policy one level weaker applies", ev.Requested)}}
	case ev.Pct != nil && *ev.Pct < 100:
		return d, []Reason{{Type: "other", Comment: fmt.Sprintf("pct=%d: this message was not sampled for %s (RFC 7489 §6.6.4)", *ev.Pct, ev.Requested)}}
	}
	return d, []Reason{{Type: "local_policy", Comment: "the receiver applied " + d + " instead of " + string(ev.Requested)}}
}

func rowWords(ev dmarc.Evaluation, pe PolicyEvaluated, src string) string {
	var what string
	switch pe.Disposition {
	case "pass":
		what = "DMARC passed, so the policy needed no action (disposition pass)"
	case "none":
		what = "the message was delivered without DMARC action (disposition none)"
	default:
		what = "the receiver applied " + pe.Disposition
	}
	s := "The row says that " + src + " sent this message and " + what + ". Its dkim and spf say whether each mechanism gave a pass aligned with " + orWord(ev.FromDomain, "the From domain") + ": dkim " + pe.DKIM + ", spf " + pe.SPF + ". Those two words are what the owner reads first: a row from its own server with both fail means its own mail is broken; a row from a stranger with both fail is someone spoofing it."
	for _, r := range pe.Reasons {
		s += fmt.Sprintf(" A reason (%s: %s) says why the disposition is not the published policy.", r.Type, r.Comment)
	}
	return s
}

func reasonWords(rs []Reason) string {
	var out []string
	for _, r := range rs {
		out = append(out, "reason "+r.Type)
	}
	if len(out) == 0 {
		return ""
	}
	return ", " + strings.Join(out, ", ")
}

func dispositionResult(d string) trace.Result {
	switch d {
	case "pass":
		return trace.Pass
	case "quarantine", "reject":
		return trace.Fail
	}
	return trace.Info
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

// dkimResult maps a DKIM result to the report's DKIMResultType: RFC 8601
// §2.7.1 names, which ours already are.
func dkimResult(r trace.Result) string {
	switch r {
	case trace.Pass, trace.Fail, trace.Policy, trace.Neutral, trace.TempError, trace.PermError, trace.None:
		return string(r)
	}
	return string(trace.Neutral)
}

// ordered sorts signatures as RFC 9990 §3.1.3 prefers: passing and
// strictly aligned, passing and relaxed aligned, other passes, the rest;
// at most MaxDKIM.
func ordered(sigs []dkim.Signature, from string) []dkim.Signature {
	rank := func(s dkim.Signature) int {
		switch {
		case s.Result != trace.Pass:
			return 3
		case from != "" && strings.EqualFold(s.Domain, from):
			return 0
		case from != "" && dmarc.Aligned(from, strings.ToLower(s.Domain), dmarc.Relaxed):
			return 1
		}
		return 2
	}
	// Each signature is ranked once, then taken rank by rank in header
	// order: the stable sort by rank, without ranking a signature again at
	// every comparison.
	if len(sigs) == 0 {
		return nil
	}
	ranks := make([]int, len(sigs))
	for i, s := range sigs {
		ranks[i] = rank(s)
	}
	out := make([]dkim.Signature, 0, len(sigs))
	for r := 0; r <= 3; r++ {
		for i, s := range sigs {
			if ranks[i] == r {
				out = append(out, s)
			}
		}
	}
	if len(out) > MaxDKIM {
		out = out[:MaxDKIM]
	}
	return out
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		addr = addr[i+1:]
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(addr, "<> ")), ".")
}

// receiverDomain names the receiving side: the organisation the Received
// walk took as it, else the boundary hop's server.
func receiverDomain(rep *Message) string {
	if len(rep.Chain.Receiving) > 0 && rep.Chain.Receiving[0] != "" {
		return rep.Chain.Receiving[0]
	}
	if b := rep.Chain.Boundary; b >= 0 && b < len(rep.Chain.Hops) && rep.Chain.Hops[b].By != "" {
		return strings.ToLower(rep.Chain.Hops[b].By)
	}
	return "receiver.invalid"
}

// deliveryDay is the start of the UTC day the message was delivered on.
func deliveryDay(rep *Message) time.Time {
	t := rep.At
	if b := rep.Chain.Boundary; b >= 0 && b < len(rep.Chain.Hops) && !rep.Chain.Hops[b].At.IsZero() {
		t = rep.Chain.Hops[b].At
	}
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// XML renders the report as the document the domain owner receives
// (RFC 9990 Appendix A), indented, with the XML declaration.
func (f *Feedback) XML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// String is the report's XML, or the reason it could not be written.
func (f *Feedback) String() string {
	b, err := f.XML()
	if err != nil {
		return err.Error()
	}
	return string(b)
}
