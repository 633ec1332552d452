package arc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/headercheck/headercheck/inspect/dkim"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/trace"
)

// Options is what Verify needs besides the message.
type Options struct {
	Resolver dnsx.Resolver // asked for <selector>._domainkey.<domain> TXT
	// Now is the evaluation time, for x= of an ARC-Message-Signature. When
	// zero, expiry is not judged.
	Now time.Time
}

// Result is the validation of a message's Authenticated Received Chain.
// It marshals as the report's arc object (CONTRACT.md) with more keys.
type Result struct {
	// Result is the chain validation status (RFC 8617 §4.4): none, pass
	// or fail.
	Result trace.Result `json:"result"`
	// Instances is how many ARC sets the message carries (distinct i=
	// values among its ARC header fields).
	Instances int `json:"instances"`
	// BrokenAt is the instance where the chain broke, when one can be
	// named: the set whose signature or seal fails, the instance missing,
	// duplicated or with the wrong cv=. Nil when the chain does not fail,
	// or fails for a reason no instance carries.
	BrokenAt *int         `json:"broken_at"`
	Steps    []trace.Step `json:"steps"`
	// Reason is one plain sentence.
	Reason string `json:"reason"`
	// Sets are the ARC sets found, oldest (i=1) first.
	Sets []Set `json:"sets"`
	// OldestPass is the lowest instance from which every newer
	// ARC-Message-Signature verifies, 0 when all do (RFC 8617 §5.2 step
	// 5, §6 header.oldest-pass); nil when the signatures were not all
	// checked.
	OldestPass *int `json:"oldest_pass"`
	// FromDomain is the domain of the message's single From address, ""
	// when there is not exactly one. Rescue compares the sealers'
	// results with it.
	FromDomain string `json:"from_domain"`
}

// Set is one ARC set: one intermediary's record of the message.
type Set struct {
	Instance int `json:"instance"`
	// Sealer is the ARC-Seal's d=: the intermediary that vouches for this
	// set. SealSelector is its s=.
	Sealer       string `json:"sealer"`
	SealSelector string `json:"seal_selector"`
	// CV is the chain validation status the sealer found when the message
	// reached it (the seal's cv=, as written).
	CV string `json:"cv"`
	// SealResult is whether this ARC-Seal verifies: pass, fail, or none
	// when it was not checked (SealReason says why).
	SealResult trace.Result `json:"seal_result"`
	SealReason string       `json:"seal_reason"`
	// AMS* describe the ARC-Message-Signature: its d= and s=, and whether
	// it still matches the message (pass, fail, none when not checked).
	AMSDomain   string       `json:"ams_domain"`
	AMSSelector string       `json:"ams_selector"`
	AMSResult   trace.Result `json:"ams_result"`
	AMSReason   string       `json:"ams_reason"`
	// AAR is what the intermediary saw; nil when the set has none.
	AAR *AAR `json:"aar"`
	// SealedAt is the seal's t= in RFC 3339, "" when absent.
	SealedAt string `json:"sealed_at"`
}

// MarshalJSON writes absent lists as [] rather than null.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	if r.Steps == nil {
		r.Steps = []trace.Step{}
	}
	if r.Sets == nil {
		r.Sets = []Set{}
	}
	return json.Marshal(plain(r))
}

// Intact reports whether the chain validated (status pass).
func (r Result) Intact() bool { return r.Result == trace.Pass }

// Set returns the set of instance i, if the message has it.
func (r Result) Set(i int) (Set, bool) {
	for _, s := range r.Sets {
		if s.Instance == i {
			return s, true
		}
	}
	return Set{}, false
}

type kind int

const (
	kindAAR kind = iota
	kindAMS
	kindAS
)

func (k kind) String() string {
	return [...]string{ResultsField, MessageSigField, SealField}[k]
}

// arcField is one ARC header field found in the message.
type arcField struct {
	kind     kind
	index    int    // into the split message's Fields
	instance int    // 0 when unreadable
	problem  string // why the instance could not be read
	tooHigh  bool   // the instance is a number above MaxInstance
}

// instanceFields are the fields of one instance, by kind, top first.
type instanceFields [3][]int

// maxARCFields bounds the ARC header fields looked at: 50 sets have 150.
// More mean more than 50 sets, which fails at once (RFC 8617 §5.2 step 1).
const maxARCFields = 3 * MaxInstance

type validator struct {
	ctx    context.Context
	opts   Options
	m      dkim.Message
	fields []arcField
	byInst map[int]*instanceFields
	n      int // highest instance
	keys   map[string]dkim.KeyLookup
	bodies map[dkim.Canon][]byte
	hashes map[bodyKey]dkim.BodyHash
	res    Result
}

// bodyKey names one body hash: signatures with the same canonicalization
// and l= share it, so a long chain hashes a large body once.
type bodyKey struct {
	canon dkim.Canon
	limit int64
}

// Verify validates the ARC chain of raw (the message exactly as stored,
// LF or CRLF line ends) as RFC 8617 §5.2 describes. It never fails: a
// chain that cannot be validated is a result.
func Verify(ctx context.Context, raw []byte, opts Options) Result {
	// The maps are made once a field needs them: most mail has no ARC
	// field, and then none is used.
	v := &validator{ctx: ctx, opts: opts, m: dkim.Split(raw)}
	v.res.FromDomain = fromDomain(v.m)
	v.run()
	return v.res
}

func (v *validator) run() {
	total := v.collect()
	if total == 0 {
		v.res.Result = trace.None
		v.res.Reason = "The message carries no ARC sets: no intermediary sealed it."
		v.res.Steps = append(v.res.Steps, trace.Step{
			Title:  "Look for ARC header fields",
			Result: trace.None,
			Detail: "no ARC-Seal, ARC-Message-Signature or ARC-Authentication-Results field",
			Explain: "an intermediary that forwards mail (a mailing list, a forwarding service, a filtering gateway) can add an ARC set recording what it saw and sealing it, so that later receivers can trust its findings after it changed the message; " +
				"this message has none, so the chain validation status is none. " + aboutARC,
			Ref: "RFC 8617 §4.4, §5.2 step 1",
		})
		return
	}
	v.keys, v.bodies, v.hashes = map[string]dkim.KeyLookup{}, map[dkim.Canon][]byte{}, map[bodyKey]dkim.BodyHash{}
	v.res.Steps = append(v.res.Steps, trace.Step{Title: "About ARC", Result: trace.Info,
		Explain: "ARC (Authenticated Received Chain) lets each intermediary that handles a message record what it saw (ARC-Authentication-Results), sign the message as it passes it on (ARC-Message-Signature) and seal both into a chain (ARC-Seal). " + aboutARC,
		Ref:     "RFC 8617 §1, §7.2"})
	if !v.collectStep(total) || !v.newestCV() || !v.structure() {
		v.buildSets()
		v.aarStep()
		v.finalStep()
		return
	}
	v.buildSets()
	ok := v.newestAMS()
	if ok {
		v.olderAMS()
		ok = v.seals()
	}
	v.aarStep()
	if ok {
		v.res.Result = trace.Pass
		var who []string
		for _, s := range v.res.Sets {
			who = append(who, fmt.Sprintf("i=%d %s", s.Instance, s.Sealer))
		}
		v.res.Reason = fmt.Sprintf("The ARC chain of %d %s is intact: every seal verifies and the newest signature matches the message as it is now (sealers: %s).",
			v.n, plural(v.n, "set", "sets"), strings.Join(who, ", "))
	}
	v.finalStep()
}

// aboutARC is said once in every ARC explanation.
const aboutARC = "ARC is Experimental (RFC 8617), and a DMARC working group draft moves it to Historic, but Microsoft 365 and Gmail still act on ARC from sealers they trust; " +
	"headercheck shows its result beside the DMARC result, never instead of it."

// collect finds the ARC header fields and reads their instances.
func (v *validator) collect() int {
	total := 0
	for i, f := range v.m.Fields {
		var k kind
		switch {
		case f.Is(ResultsField):
			k = kindAAR
		case f.Is(MessageSigField):
			k = kindAMS
		case f.Is(SealField):
			k = kindAS
		default:
			continue
		}
		total++
		if len(v.fields) >= maxARCFields+1 {
			continue
		}
		af := arcField{kind: k, index: i}
		value := string(f.Value())
		var n int
		var err error
		if k == kindAAR {
			n, _, err = ParseInstance(value)
		} else {
			tags, terr := dkim.ParseTagList(value)
			iv, ok := tags.Get("i")
			switch {
			case terr != nil && !ok:
				err = fmt.Errorf("its tag list cannot be read (%s)", strings.TrimPrefix(terr.Error(), "dkim: "))
			case !ok:
				err = fmt.Errorf("it has no i= tag")
			default:
				n, err = position(iv)
			}
		}
		if err != nil {
			af.problem = strings.TrimPrefix(err.Error(), "arc: ")
			af.tooHigh = n > MaxInstance
		} else {
			af.instance = n
			inst := v.byInst[n]
			if inst == nil {
				if v.byInst == nil {
					v.byInst = map[int]*instanceFields{}
				}
				inst = &instanceFields{}
				v.byInst[n] = inst
			}
			inst[k] = append(inst[k], i)
			v.n = max(v.n, n)
		}
		v.fields = append(v.fields, af)
	}
	v.res.Instances = len(v.byInst)
	return total
}

func (v *validator) failAt(instance int, reason string) {
	v.res.Result = trace.Fail
	v.res.Reason = reason
	if instance > 0 {
		i := instance
		v.res.BrokenAt = &i
	}
}

// collectStep reports the fields found and applies the limit of 50 sets
// (RFC 8617 §5.2 step 1).
func (v *validator) collectStep(total int) bool {
	counts := [3]int{}
	tooHigh := false
	for _, f := range v.fields {
		counts[f.kind]++
		tooHigh = tooHigh || f.tooHigh
	}
	st := trace.Step{Title: "Collect the ARC sets", Result: trace.Info, Ref: "RFC 8617 §4.2, §5.2 step 1",
		Detail: fmt.Sprintf("%d ARC-Seal, %d ARC-Message-Signature and %d ARC-Authentication-Results %s; instances %s",
			counts[kindAS], counts[kindAMS], counts[kindAAR], plural(total, "field", "fields"), v.instanceList())}
	for _, f := range v.fields {
		sub := trace.Step{Title: fmt.Sprintf("%s (header field %d)", f.kind, f.index+1), Result: trace.Info,
			Detail: dkim.Preview(dkim.CRLF(trimEOL(v.m.Fields[f.index].Raw)), 300), Ref: "RFC 8617 §4.2.1"}
		if f.problem != "" {
			sub.Result = trace.Fail
			sub.Explain = "the instance tag cannot be read: " + f.problem + "; without it the field cannot be placed in a set"
		} else {
			sub.Explain = fmt.Sprintf("belongs to the ARC set of instance %d", f.instance)
		}
		st.Steps = append(st.Steps, sub)
	}
	switch {
	case total > maxARCFields || tooHigh || len(v.byInst) > MaxInstance:
		st.Result = trace.Fail
		st.Explain = fmt.Sprintf("a message may carry at most %d ARC sets; this one carries more, so the chain fails without further checks (a loop, or an attempt to make validators work hard)", MaxInstance)
		v.res.Steps = append(v.res.Steps, st)
		v.failAt(0, fmt.Sprintf("The message carries more than %d ARC sets, the most RFC 8617 allows.", MaxInstance))
		return false
	}
	st.Explain = fmt.Sprintf("the three ARC header fields of each intermediary share an instance number i=; the highest here is %d, so the chain claims %d %s", v.n, v.n, plural(v.n, "hop", "hops"))
	v.res.Steps = append(v.res.Steps, st)
	return true
}

func (v *validator) instanceList() string {
	var ns []int
	for n := range v.byInst {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	if len(ns) == 0 {
		return "none readable"
	}
	var s []string
	for _, n := range ns {
		s = append(s, fmt.Sprint(n))
	}
	return strings.Join(s, ", ")
}

// sealCV reads cv= of the ARC-Seal at field index i, "" when unreadable.
func (v *validator) sealCV(i int) string {
	tags, _ := dkim.ParseTagList(string(v.m.Fields[i].Value()))
	cv, _ := tags.Get("cv")
	return cv
}

// newestCV applies RFC 8617 §5.2 step 2: a newest seal that says cv=fail
// ends validation.
func (v *validator) newestCV() bool {
	inst := v.byInst[v.n]
	if inst == nil {
		return true
	}
	for _, i := range inst[kindAS] {
		if v.sealCV(i) == "fail" {
			v.res.Steps = append(v.res.Steps, trace.Step{
				Title: fmt.Sprintf("Newest seal (i=%d) reports cv=fail", v.n), Result: trace.Fail,
				Detail:  dkim.Preview(dkim.CRLF(trimEOL(v.m.Fields[i].Raw)), 300),
				Explain: fmt.Sprintf("the intermediary that added set %d validated the chain when the message reached it and found it broken; a broken chain cannot be repaired by later sealers, so the status is fail without further checks", v.n),
				Ref:     "RFC 8617 §5.2 step 2, §5.1.2, §5.1.3",
			})
			v.failAt(v.n, fmt.Sprintf("The newest sealer (i=%d) recorded that the ARC chain was already broken when the message reached it (cv=fail).", v.n))
			return false
		}
	}
	return true
}

// structure checks RFC 8617 §5.2 step 3: exactly one of each field per
// instance, instances 1..N without gaps, cv=none on 1 and pass above.
func (v *validator) structure() bool {
	st := trace.Step{Title: "Structure of the chain", Ref: "RFC 8617 §5.2 step 3, §4.2.1"}
	first := 0
	var problems []string
	note := func(inst int, title, detail, explain, ref string) {
		st.Steps = append(st.Steps, trace.Step{Title: title, Result: trace.Fail, Detail: detail, Explain: explain, Ref: ref})
		problems = append(problems, title)
		if first == 0 || (inst > 0 && inst < first) {
			first = inst
		}
	}
	for _, f := range v.fields {
		if f.problem != "" {
			note(0, fmt.Sprintf("%s without a readable instance", f.kind), f.problem,
				"every ARC header field must carry the instance of its set (i=1 to 50); this one cannot be placed, so the chain is malformed", "RFC 8617 §4.2.1")
		}
	}
	for i := 1; i <= v.n; i++ {
		inst := v.byInst[i]
		if inst == nil {
			note(i, fmt.Sprintf("Instance %d is missing", i), fmt.Sprintf("sets exist up to i=%d, but none has i=%d", v.n, i),
				"the instances must run 1, 2, 3, … without a gap; a missing set means an intermediary's record was removed, so the chain of custody is broken", "RFC 8617 §5.2 step 3B")
			continue
		}
		for k := kindAAR; k <= kindAS; k++ {
			switch n := len(inst[k]); {
			case n == 0:
				note(i, fmt.Sprintf("Set %d has no %s", i, k), "",
					"each ARC set must have exactly one ARC-Authentication-Results, one ARC-Message-Signature and one ARC-Seal; this one lacks a field, so the set is incomplete", "RFC 8617 §5.2 step 3A, §4.2.1")
			case n > 1:
				note(i, fmt.Sprintf("Set %d has %d %s fields", i, n, k), "",
					"each ARC set must have exactly one field of each kind; with two, nobody can tell which the sealer meant, so the chain fails (headercheck does not implement the multi-algorithm extension that would allow two signatures)", "RFC 8617 §5.2 step 3A, §4.2.1")
			}
		}
		for _, si := range inst[kindAS] {
			cv := v.sealCV(si)
			want := "pass"
			if i == 1 {
				want = "none"
			}
			if cv != want {
				shown := cv
				if shown == "" {
					shown = "(missing or unreadable)"
				}
				explain := "the first sealer found no chain, so its seal must say cv=none"
				if i > 1 {
					explain = fmt.Sprintf("sealer %d could only continue the chain if it found it intact, so its seal must say cv=pass", i)
				}
				if cv == "fail" {
					explain = fmt.Sprintf("sealer %d recorded that the chain was already broken; once broken, it stays broken", i)
				}
				note(i, fmt.Sprintf("Seal %d says cv=%s", i, shown), "cv="+shown+", expected cv="+want, explain, "RFC 8617 §5.2 step 3C")
			}
		}
	}
	if len(problems) > 0 {
		st.Result = trace.Fail
		st.Explain = "the ARC sets do not form a valid chain, so the status is fail before any signature is checked"
		v.res.Steps = append(v.res.Steps, st)
		reason := "The ARC chain is malformed: " + strings.Join(problems, "; ") + "."
		v.failAt(first, reason)
		return false
	}
	st.Result = trace.Pass
	st.Detail = fmt.Sprintf("instances 1 to %d, one ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal each; cv=none on i=1 and cv=pass above", v.n)
	if v.n == 1 {
		st.Detail = "instance 1, one ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal; cv=none, as the first sealer must say"
	}
	st.Explain = "the sets form one unbroken sequence and each sealer recorded the status RFC 8617 requires"
	v.res.Steps = append(v.res.Steps, st)
	return true
}

// one returns the single field of kind k of instance i, or -1.
func (v *validator) one(i int, k kind) int {
	if inst := v.byInst[i]; inst != nil && len(inst[k]) > 0 {
		return inst[k][0]
	}
	return -1
}

// buildSets fills Result.Sets from the fields found, oldest first.
func (v *validator) buildSets() {
	var ns []int
	for n := range v.byInst {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for _, n := range ns {
		s := Set{Instance: n, SealResult: trace.None, AMSResult: trace.None,
			SealReason: "not checked", AMSReason: "not checked"}
		if i := v.one(n, kindAS); i >= 0 {
			tags, _ := dkim.ParseTagList(string(v.m.Fields[i].Value()))
			s.Sealer, _ = tags.Get("d")
			s.SealSelector, _ = tags.Get("s")
			s.Sealer, s.SealSelector = strings.ToLower(s.Sealer), strings.ToLower(s.SealSelector)
			s.CV, _ = tags.Get("cv")
			if t, ok := tags.Get("t"); ok {
				if n, ok := digits(t, 0); ok {
					s.SealedAt = unixString(n)
				}
			}
		}
		if i := v.one(n, kindAMS); i >= 0 {
			tags, _ := dkim.ParseTagList(string(v.m.Fields[i].Value()))
			s.AMSDomain, _ = tags.Get("d")
			s.AMSSelector, _ = tags.Get("s")
			s.AMSDomain, s.AMSSelector = strings.ToLower(s.AMSDomain), strings.ToLower(s.AMSSelector)
		}
		if i := v.one(n, kindAAR); i >= 0 {
			a, _ := ParseAAR(string(v.m.Fields[i].Value()))
			s.AAR = &a
		}
		v.res.Sets = append(v.res.Sets, s)
	}
}

func (v *validator) set(i int) *Set {
	for k := range v.res.Sets {
		if v.res.Sets[k].Instance == i {
			return &v.res.Sets[k]
		}
	}
	return nil
}

// newestAMS applies RFC 8617 §5.2 step 4.
func (v *validator) newestAMS() bool {
	ok, reason, st := v.checkAMS(v.n)
	st.Title = fmt.Sprintf("Newest ARC-Message-Signature (i=%d)", v.n)
	st.Ref = "RFC 8617 §5.2 step 4, §4.1.2"
	if ok {
		st.Explain = "the newest intermediary's signature still matches the message as it is now: nothing was changed after it passed the message on"
	} else {
		st.Explain = "the newest intermediary's signature does not match the message as it is now, so the message was changed after it left that intermediary (or its key no longer matches): the chain fails"
	}
	v.res.Steps = append(v.res.Steps, st)
	if !ok {
		v.failAt(v.n, fmt.Sprintf("The newest ARC-Message-Signature (i=%d, %s) does not verify: %s", v.n, v.set(v.n).AMSDomain, reason))
	}
	return ok
}

// olderAMS is the optional RFC 8617 §5.2 step 5: the older signatures
// from the newest down until one fails, to show where the message was
// changed on the way. Older ones are then not checked, as the RFC allows:
// a change that broke one normally breaks all before it too.
func (v *validator) olderAMS() {
	oldest := 0
	if v.n == 1 {
		v.res.OldestPass = &oldest
		return
	}
	parent := trace.Step{Title: "Older ARC-Message-Signatures", Result: trace.Info, Ref: "RFC 8617 §5.2 step 5, §6"}
	failed := 0
	for k := v.n - 1; k >= 1; k-- {
		ok, _, st := v.checkAMS(k)
		st.Title = fmt.Sprintf("ARC-Message-Signature i=%d", k)
		st.Ref = "RFC 8617 §5.2 step 5, §4.1.2"
		if ok {
			st.Explain = "this older signature still matches: nothing it covers was changed since that intermediary passed the message on"
			parent.Steps = append(parent.Steps, st)
			continue
		}
		st.Result = trace.Info
		st.Explain = "this older signature no longer matches: an intermediary after it changed the message (a list footer, a rewritten Subject) — expected for mailing lists, and exactly what ARC is for; it does not affect the chain status"
		parent.Steps = append(parent.Steps, st)
		failed = k
		for j := k - 1; j >= 1; j-- {
			if s := v.set(j); s != nil {
				s.AMSReason = fmt.Sprintf("not checked: the signature of i=%d already fails", k)
			}
		}
		break
	}
	if failed > 0 {
		oldest = failed + 1
		parent.Detail = fmt.Sprintf("oldest-pass = %d: the signatures from i=%d up verify, the one of i=%d does not", oldest, oldest, failed)
		parent.Explain = "older signatures show where on its way the message was changed; validators may skip them, and their failure does not break the chain"
		if failed > 1 {
			parent.Explain += fmt.Sprintf("; the %s below i=%d %s not checked, as RFC 8617 allows", plural(failed-1, "one", "ones"), failed, plural(failed-1, "was", "were"))
		}
	} else {
		parent.Detail = "oldest-pass = 0: every ARC-Message-Signature verifies"
		parent.Explain = "even the oldest intermediary's signature matches, so the message arrives as the first sealer passed it on"
	}
	v.res.OldestPass = &oldest
	v.res.Steps = append(v.res.Steps, parent)
}

// seals applies RFC 8617 §5.2 step 6: every ARC-Seal, newest first.
func (v *validator) seals() bool {
	for k := v.n; k >= 1; k-- {
		ok, reason, st := v.checkSeal(k)
		st.Ref = "RFC 8617 §5.2 step 6, §5.1.1"
		v.res.Steps = append(v.res.Steps, st)
		if !ok {
			for j := k - 1; j >= 1; j-- {
				if s := v.set(j); s != nil {
					s.SealReason = fmt.Sprintf("not checked: the chain already failed at the seal of i=%d", k)
				}
			}
			v.failAt(k, fmt.Sprintf("The ARC-Seal of i=%d (%s) does not verify: %s", k, v.set(k).Sealer, reason))
			return false
		}
	}
	return true
}

// aarStep shows what each intermediary recorded (RFC 8617 §4.1.1).
func (v *validator) aarStep() {
	st := trace.Step{Title: "What each intermediary saw", Result: trace.Info, Ref: "RFC 8617 §4.1.1, RFC 8601 §2.2"}
	for _, s := range v.res.Sets {
		if s.AAR == nil {
			continue
		}
		sub := trace.Step{Title: s.AAR.Summary, Result: trace.Info, Detail: dkim.Preview(dkim.CRLF([]byte(strings.TrimLeft(s.AAR.Raw, " \t"))), 500), Ref: "RFC 8617 §4.1.1"}
		var parts []string
		for _, r := range s.AAR.Results.Results {
			p := r.Method + "=" + r.Result
			if d := r.Domain(); d != "" {
				p += " (" + d + ")"
			}
			parts = append(parts, p)
		}
		sub.Explain = "the results intermediary " + orUnnamed(s.AAR.AuthServID) + " recorded when the message reached it"
		if len(parts) > 0 {
			sub.Explain += ": " + strings.Join(parts, ", ")
		}
		sub.Explain += "; they can be believed only as far as the seal over them verifies and the sealer is trusted"
		st.Steps = append(st.Steps, sub)
	}
	if len(st.Steps) == 0 {
		return
	}
	st.Explain = "each ARC-Authentication-Results is one intermediary's testimony; a passing chain proves the testimony was not altered, not that it is true"
	v.res.Steps = append(v.res.Steps, st)
}

func orUnnamed(s string) string {
	if s == "" {
		return "(no authserv-id)"
	}
	return s
}

// finalStep states the chain validation status (RFC 8617 §4.4, §5.2
// step 7).
func (v *validator) finalStep() {
	st := trace.Step{Title: "Chain validation status: " + string(v.res.Result), Result: v.res.Result, Detail: v.res.Reason, Ref: "RFC 8617 §4.4, §5.2 step 7"}
	switch v.res.Result {
	case trace.Pass:
		st.Explain = "every check passed; a receiver may use the intermediaries' records, for instance to accept a forwarded message that fails DMARC, if it trusts the sealers (a local choice)"
	default:
		st.Explain = "a failing chain must be treated as if the message had no ARC sets at all; every ARC failure is final, even one caused by DNS. A chain passes only when every seal and the newest ARC-Message-Signature verify with keys the sealers publish in DNS: to forge one, an attacker would need a sealer's private key"
		st.Ref = "RFC 8617 §5.2, §5.2.1"
	}
	v.res.Steps = append(v.res.Steps, st)
}

// lookupKey fetches a key once per message: the same sealer usually signs
// and seals with one key.
func (v *validator) lookupKey(selector, domain string) (dkim.KeyLookup, bool) {
	name := selector + "._domainkey." + domain
	if kl, ok := v.keys[name]; ok {
		return kl, true
	}
	kl := dkim.LookupKey(v.ctx, v.opts.Resolver, selector, domain)
	v.keys[name] = kl
	return kl, false
}

// keySteps fetches and checks the key of sig, appending to st. It returns
// why the key cannot be used, or "".
func (v *validator) keySteps(st *trace.Step, sig *signature) string {
	kl, again := v.lookupKey(sig.selector, sig.domain)
	if again {
		st.Steps = append(st.Steps, trace.Step{Title: "Key " + kl.Name + " (fetched above)", Result: trace.Info,
			Explain: "the same key was already fetched for another ARC signature of this message", Ref: "RFC 6376 §3.6.2.1"})
	} else {
		st.Steps = append(st.Steps, kl.Steps...)
	}
	if kl.Result != "" {
		if kl.Result == trace.TempError {
			return kl.Reason + " ARC treats every failure as final, even a DNS one (RFC 8617 §5.2.1); a later replay may pass."
		}
		return kl.Reason
	}
	if p := keyFits(sig, kl.Key); p != nil {
		st.Steps = append(st.Steps, p.step())
		return p.explain
	}
	size := trace.Step{Title: "Key type and size", Result: trace.Info, Ref: "RFC 8301 §3.2"}
	if kl.Key.Type == "ed25519" {
		size.Detail, size.Ref = "Ed25519, 256 bits", "RFC 8463 §4.2"
	} else {
		size.Detail = fmt.Sprintf("RSA, %d bits", kl.Key.Bits)
	}
	size.Explain = "the key fits the signature's algorithm"
	st.Steps = append(st.Steps, size)
	if kl.Key.Testing() {
		st.Steps = append(st.Steps, trace.Step{Title: "Key in testing mode", Result: trace.Warn, Detail: "t=y",
			Explain: "the sealer's domain says it is testing; its signatures should not earn trust", Ref: "RFC 6376 §3.6.1"})
	}
	return ""
}

// keyFits checks the key against the signature (RFC 6376 §6.1.2 steps
// 6–8, RFC 8301 §3.2).
func keyFits(sig *signature, k *dkim.Key) *problem {
	switch {
	case k.Revoked:
		return &problem{"Key revoked", "p= is empty", "the domain has revoked this key: every signature made with it fails", "RFC 6376 §3.6.1"}
	case k.Services != nil && !contains(k.Services, "email") && !contains(k.Services, "*"):
		return &problem{"Key service type", "s=" + strings.Join(k.Services, ":"), "the key is not meant for email", "RFC 6376 §3.6.1"}
	case k.Type != sig.keyType || k.Public == nil:
		return &problem{"Key type", "key k=" + k.Type + ", signature a=" + sig.algorithm,
			"the signature needs a key of type " + sig.keyType + " and the record holds one of type " + k.Type, "RFC 6376 §6.1.2 step 8"}
	case k.Hashes != nil && !contains(k.Hashes, sig.hashName):
		return &problem{"Key hash algorithms", "h=" + strings.Join(k.Hashes, ":"), "the key does not allow the signature's hash", "RFC 6376 §6.1.2 step 6"}
	case k.Type == "rsa" && k.Bits < 1024:
		return &problem{"Key too short", fmt.Sprintf("RSA, %d bits", k.Bits),
			fmt.Sprintf("RSA keys under 1024 bits can be broken with ordinary computing power, so verifiers must refuse them (this one has %d bits)", k.Bits), "RFC 8301 §3.2"}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) canonBody(c dkim.Canon) []byte {
	b, ok := v.bodies[c]
	if !ok {
		b = dkim.CanonBody(v.m.Body, c)
		v.bodies[c] = b
	}
	return b
}

// checkAMS verifies the ARC-Message-Signature of instance k like a DKIM
// signature (RFC 8617 §4.1.2, RFC 6376 §6.1).
func (v *validator) checkAMS(k int) (bool, string, trace.Step) {
	s := v.set(k)
	idx := v.one(k, kindAMS)
	st := trace.Step{Result: trace.Fail}
	fail := func(reason string) (bool, string, trace.Step) {
		st.Result = trace.Fail
		s.AMSResult, s.AMSReason = trace.Fail, reason
		return false, reason, st
	}
	field := v.m.Fields[idx]
	sig, p := parseMessageSig(string(field.Value()))
	st.Steps = append(st.Steps, trace.Step{Title: "Read the ARC-Message-Signature", Result: trace.Info,
		Detail: dkim.Preview(dkim.CRLF(trimEOL(field.Raw)), 400), Ref: "RFC 8617 §4.1.2",
		Explain: "an ARC-Message-Signature is a DKIM signature by the intermediary, with i= the instance instead of an identity", Steps: tagSteps(sig.tags, false)})
	if p != nil {
		st.Steps = append(st.Steps, p.step())
		return fail(p.explain + ".")
	}
	if sig.instance != k {
		return fail("its instance does not match its set.")
	}
	var arcNames []string
	for _, h := range sig.headers {
		if strings.EqualFold(h, SealField) || strings.EqualFold(h, MessageSigField) || strings.EqualFold(h, ResultsField) {
			arcNames = append(arcNames, h)
		}
	}
	if len(arcNames) > 0 {
		st.Steps = append(st.Steps, trace.Step{Title: "ARC header fields in h=", Result: trace.Warn, Detail: strings.Join(arcNames, ", "),
			Explain: "an ARC-Message-Signature must not sign ARC header fields; early sealers (Google's among them, before 2019) did, so the signature is still checked as written",
			Ref:     "RFC 8617 §4.1.2"})
	}
	if sig.expires >= 0 && !v.opts.Now.IsZero() && v.opts.Now.Unix() > sig.expires {
		st.Steps = append(st.Steps, trace.Step{Title: "Expiry (x=)", Result: trace.Fail,
			Detail:  "x=" + unixString(sig.expires) + ", evaluated at " + v.opts.Now.UTC().Format(time.RFC3339),
			Explain: "the intermediary said this signature is valid only until x=, and the evaluation time is later", Ref: "RFC 6376 §3.5"})
		return fail("it expired at " + unixString(sig.expires) + ".")
	}
	if why := v.keySteps(&st, sig); why != "" {
		return fail(why)
	}
	key, _ := v.lookupKey(sig.selector, sig.domain)

	bk := bodyKey{sig.bodyCanon, sig.length}
	bh, ok := v.hashes[bk]
	if !ok {
		bh = dkim.HashBody(v.canonBody(sig.bodyCanon), sig.hash, sig.length)
		v.hashes[bk] = bh
	}
	bodyOK := !bh.Short && bytes.Equal(bh.Sum, sig.bodyHash)
	body := trace.Step{Title: "Body hash (bh=)", Ref: "RFC 6376 §3.7, §6.1.3 step 3",
		Detail: fmt.Sprintf("computed %s over %d bytes of %s-canonicalized body; bh= says %s", b64(bh.Sum), bh.Hashed, sig.bodyCanon, b64(sig.bodyHash))}
	if bodyOK {
		body.Result, body.Explain = trace.Pass, "the body is exactly as this intermediary passed it on"
	} else {
		body.Result, body.Explain = trace.Fail, "the body no longer hashes to the value this intermediary recorded: it was changed after this hop"
	}
	st.Steps = append(st.Steps, body)

	picked := v.m.Pick(sig.headers, idx)
	var used []string
	for j, p := range picked {
		if p < 0 {
			used = append(used, sig.headers[j]+" (absent)")
		} else {
			used = append(used, fmt.Sprintf("%s (field %d)", v.m.Fields[p].Name(), p+1))
		}
	}
	head := trace.Step{Title: "Header signature (b=)", Ref: "RFC 6376 §3.7, §5.4.2, §6.1.3 step 4",
		Detail: "signed, in order: " + strings.Join(used, ", ") + ", then this ARC-Message-Signature without its b= value"}
	sum, _, err := dkim.HeaderHash(v.m, picked, field.Raw, sig.headerCanon, sig.hash)
	if err == nil {
		err = dkim.VerifyHash(key.Key.Public, sig.hash, sum, sig.sig)
	}
	headerOK := err == nil
	if headerOK {
		head.Result, head.Explain = trace.Pass, "the key confirms the signature over these header fields"
	} else {
		head.Result, head.Explain = trace.Fail, "the signature over the header fields does not verify: a signed field was changed, or the key in DNS is not the one that signed"
	}
	st.Steps = append(st.Steps, head)
	switch {
	case !bodyOK && !headerOK:
		return fail("neither the body nor the signed header fields match it.")
	case !bodyOK:
		return fail("the body was changed after this intermediary signed it.")
	case !headerOK:
		return fail("a signed header field was changed, or the key in DNS is not the one that signed.")
	}
	st.Result = trace.Pass
	s.AMSResult, s.AMSReason = trace.Pass, "the signature of "+sig.domain+" matches the message"
	return true, "", st
}

// checkSeal verifies the ARC-Seal of instance k over the ARC sets 1..k
// (RFC 8617 §5.1.1): relaxed header canonicalization, sets in increasing
// instance order, each as ARC-Authentication-Results, ARC-Message-Signature,
// ARC-Seal, the last seal with its b= value removed and no final CRLF.
func (v *validator) checkSeal(k int) (bool, string, trace.Step) {
	s := v.set(k)
	idx := v.one(k, kindAS)
	field := v.m.Fields[idx]
	st := trace.Step{Title: fmt.Sprintf("ARC-Seal i=%d (%s)", k, s.Sealer), Result: trace.Fail}
	fail := func(reason string) (bool, string, trace.Step) {
		st.Result = trace.Fail
		st.Explain = "the seal does not verify, so the records of the sets it covers cannot be trusted: the chain fails here"
		s.SealResult, s.SealReason = trace.Fail, reason
		return false, reason, st
	}
	sig, p := parseSeal(string(field.Value()))
	st.Steps = append(st.Steps, trace.Step{Title: "Read the ARC-Seal", Result: trace.Info,
		Detail: dkim.Preview(dkim.CRLF(trimEOL(field.Raw)), 400), Ref: "RFC 8617 §4.1.3",
		Explain: "an ARC-Seal is a DKIM-style signature without a body hash, over the ARC header fields only", Steps: tagSteps(sig.tags, true)})
	if p != nil {
		st.Steps = append(st.Steps, p.step())
		return fail(p.explain + ".")
	}
	if why := v.keySteps(&st, sig); why != "" {
		return fail(why)
	}
	key, _ := v.lookupKey(sig.selector, sig.domain)
	var fields []dkim.Field
	var order []string
	for j := 1; j <= k; j++ {
		for kk := kindAAR; kk <= kindAS; kk++ {
			if j == k && kk == kindAS {
				break
			}
			fi := v.one(j, kk)
			fields = append(fields, v.m.Fields[fi])
			order = append(order, fmt.Sprintf("%s i=%d", kk, j))
		}
	}
	picked := make([]int, len(fields))
	for j := range picked {
		picked[j] = j
	}
	sum, _, err := dkim.HeaderHash(dkim.Message{Fields: fields}, picked, field.Raw, dkim.Relaxed, sig.hash)
	if err == nil {
		err = dkim.VerifyHash(key.Key.Public, sig.hash, sum, sig.sig)
	}
	sealStep := trace.Step{Title: "Seal signature (b=)", Ref: "RFC 8617 §5.1.1",
		Detail: "signed with relaxed canonicalization, in order: " + strings.Join(order, ", ") + fmt.Sprintf(", then this ARC-Seal i=%d without its b= value", k)}
	if err != nil {
		sealStep.Result = trace.Fail
		sealStep.Explain = "the seal does not verify over the ARC sets: an ARC header field of an earlier or this set was changed, removed or reordered, or the key in DNS is not the one that sealed"
		st.Steps = append(st.Steps, sealStep)
		return fail("the ARC header fields it covers were changed, or the key in DNS is not the one that sealed.")
	}
	sealStep.Result = trace.Pass
	sealStep.Explain = fmt.Sprintf("the key of %s confirms the seal: the records of sets 1 to %d are exactly as this sealer saw them", sig.domain, k)
	if k == 1 {
		sealStep.Explain = "the key of " + sig.domain + " confirms the seal: the record of set 1 is exactly as this sealer made it"
	}
	st.Steps = append(st.Steps, sealStep)
	st.Result = trace.Pass
	st.Explain = fmt.Sprintf("%s vouches for the chain as it was when it added set %d", sig.domain, k)
	s.SealResult, s.SealReason = trace.Pass, "the seal of "+sig.domain+" verifies"
	return true, "", st
}

func b64(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return encodeB64(b)
}

// trimEOL removes one final line break (CRLF or LF).
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fromDomain is the domain of the single From address, lowercase; "" when
// the message has no From, several, or one without a domain.
func fromDomain(m dkim.Message) string {
	var from []dkim.Field
	for _, f := range m.Fields {
		if f.Is("From") {
			from = append(from, f)
		}
	}
	if len(from) != 1 {
		return ""
	}
	// Unfold: a folded From keeps its CR and LF in Value. (A Replacer
	// built here for every message cost more than the rest of this.)
	v := string(from[0].Value())
	if strings.ContainsAny(v, "\r\n") {
		v = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, v)
	}
	if _, a, ok := dmarc.PlainAddress(v); ok {
		return strings.ToLower(strings.TrimSuffix(a[strings.LastIndexByte(a, '@')+1:], "."))
	}
	if list, err := mail.ParseAddressList(v); err == nil && len(list) == 1 {
		if at := strings.LastIndexByte(list[0].Address, '@'); at >= 0 {
			return strings.ToLower(strings.TrimSuffix(list[0].Address[at+1:], "."))
		}
	}
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		d := strings.FieldsFunc(v[at+1:], func(r rune) bool { return strings.ContainsRune(" \t<>,;()\"", r) })
		if len(d) > 0 {
			return strings.ToLower(strings.TrimSuffix(d[0], "."))
		}
	}
	return ""
}
