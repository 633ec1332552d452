package aggregate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"github.com/headercheck/headercheck/inspect"
	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/message"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/headercheck/headercheck/testdata/lessons"
	"github.com/miekg/dns"
)

// replay inspects a lesson as headercheck --demo does: the lesson's
// message, its own snapshot, its fixed time.
func replay(t testing.TB, l lessons.Lesson, opts inspect.Options) *inspect.Report {
	t.Helper()
	snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
	if err != nil {
		t.Fatalf("%s.dns: %v", l.Name, err)
	}
	src, err := message.FromBytes("demo:"+l.Name, l.EML, message.Options{})
	if err != nil {
		t.Fatalf("%s.eml: %v", l.Name, err)
	}
	defer src.Close()
	m, err := src.Message(0)
	if err != nil {
		t.Fatalf("%s.eml: %v", l.Name, err)
	}
	opts.Resolver = snap
	opts.Now = func() time.Time { return l.At }
	opts.NowSource = lessons.NowSource
	rep, err := inspect.Inspect(context.Background(), m, opts)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", l.Name, err)
	}
	return rep
}

// got renders a report in the words of the lesson's facts (lessons.Want).
func got(rep *inspect.Report) lessons.Want {
	w := lessons.Want{
		Verdict:   string(rep.Verdict.Disposition),
		Client:    rep.Chain.Envelope.ClientIP,
		SPF:       strings.TrimSpace(string(rep.SPF.Result) + " " + rep.SPF.Domain),
		DMARC:     strings.TrimSpace(string(rep.DMARC.RFC9989.Result) + " " + string(rep.DMARC.RFC9989.Policy)),
		DMARC7489: strings.TrimSpace(string(rep.DMARC.RFC7489.Result) + " " + string(rep.DMARC.RFC7489.Policy)),
		ARC:       string(rep.ARC.Result),
	}
	if w.ARC == "" {
		w.ARC = string(trace.None)
	}
	for _, s := range rep.DKIM {
		w.DKIM = append(w.DKIM, string(s.Result)+" "+s.Domain)
	}
	for _, s := range rep.Verdict.Signs {
		w.Signs = append(w.Signs, s.Kind)
	}
	for _, d := range rep.Recorded.Differences {
		w.Differences = append(w.Differences, fmt.Sprintf("%s %s %s %s", d.Method, d.Recorded, d.Replayed, d.Cause))
	}
	return w
}

// TestGallery replays every lesson from its own snapshot at its fixed
// time and checks that it gives exactly what its text says it does.
func TestGallery(t *testing.T) {
	all := lessons.List()
	if len(all) < 12 {
		t.Fatalf("the gallery has %d lessons, want at least 12", len(all))
	}
	for _, l := range all {
		t.Run(l.Name, func(t *testing.T) {
			t.Parallel()
			if l.Problem != "" {
				t.Fatalf("lesson files: %s", l.Problem)
			}
			rep := replay(t, l, inspect.Options{})
			g, w := got(rep), l.Want
			check := func(fact, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s: got %q, want %q (as %s.md says)", fact, got, want, l.Name)
				}
			}
			list := func(fact string, got, want []string) {
				t.Helper()
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %q, want %q (as %s.md says)", fact, got, want, l.Name)
				}
			}
			check("Verdict", g.Verdict, w.Verdict)
			check("Client", g.Client, w.Client)
			check("SPF", g.SPF, w.SPF)
			list("DKIM", g.DKIM, w.DKIM)
			check("DMARC", g.DMARC, w.DMARC)
			check("DMARC RFC 7489", g.DMARC7489, w.DMARC7489)
			check("ARC", g.ARC, w.ARC)
			list("Signs", g.Signs, w.Signs)
			list("Differences", g.Differences, w.Differences)

			// Every question the replay asked is in the snapshot: a
			// lesson never depends on a missing answer.
			for _, q := range rep.DNS {
				if q.Rcode == trace.RcodeMissing {
					t.Errorf("the snapshot has no answer for %s %s", q.Name, q.Type)
				}
			}
			if rep.Source.File != "demo:"+l.Name {
				t.Errorf("source.file = %q, want %q", rep.Source.File, "demo:"+l.Name)
			}
			// The replay is judged as of the lesson's own time, and says so.
			if !rep.At.Equal(l.At) || rep.AtSource != lessons.NowSource {
				t.Errorf("evaluated as of %v from %q, want %v from %q", rep.At, rep.AtSource, l.At, lessons.NowSource)
			}
		})
	}
}

// TestGalleryReproducible replays each lesson twice and wants the same
// JSON report byte for byte: a classroom sees the same thing every time.
func TestGalleryReproducible(t *testing.T) {
	for _, l := range lessons.List() {
		t.Run(l.Name, func(t *testing.T) {
			t.Parallel()
			a, err := json.Marshal(replay(t, l, inspect.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(replay(t, l, inspect.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("two replays of %s differ", l.Name)
			}
		})
	}
}

// TestGallerySignatures checks every DKIM signature of the gallery with
// go-msgauth as well, against the same snapshot: a signature the lessons
// call valid is valid to an independent verifier too, and one they call
// broken is broken there.
func TestGallerySignatures(t *testing.T) {
	for _, l := range lessons.List() {
		t.Run(l.Name, func(t *testing.T) {
			snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
			if err != nil {
				t.Fatal(err)
			}
			rep := replay(t, l, inspect.Options{})
			lookup := func(name string) ([]string, error) {
				q, err := snap.Lookup(t.Context(), name, dns.TypeTXT)
				if err != nil {
					return nil, err
				}
				if q.NXDomain() {
					return nil, errors.New("no such name")
				}
				return q.Answers, nil
			}
			crlf := bytes.ReplaceAll(l.EML, []byte("\n"), []byte("\r\n"))
			vs, err := msgauth.VerifyWithOptions(bytes.NewReader(crlf), &msgauth.VerifyOptions{LookupTXT: lookup})
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != len(rep.DKIM) {
				t.Fatalf("go-msgauth found %d signatures, headercheck %d", len(vs), len(rep.DKIM))
			}
			fields := signatureFields(crlf)
			for i, v := range vs {
				ours := rep.DKIM[i]
				if v.Domain != ours.Domain {
					t.Errorf("signature %d: go-msgauth d=%s, headercheck d=%s", i, v.Domain, ours.Domain)
				}
				if ours.BodyLength != nil {
					// go-msgauth refuses every l= signature by policy, so
					// the generator's own verifier stands in for it.
					key, err := lookup(ours.Selector + "._domainkey." + ours.Domain)
					if err != nil || len(key) != 1 {
						t.Fatalf("key of signature %d: %v %q", i, err, key)
					}
					err = checkSignature(string(crlf), fields[i], key[0])
					if (err == nil) != (ours.Result == trace.Pass) {
						t.Errorf("signature %d (d=%s, l=): the generator's verifier says %v, headercheck %s", i, v.Domain, err, ours.Result)
					}
					continue
				}
				libPass := v.Err == nil
				if libPass != (ours.Result == trace.Pass) {
					t.Errorf("signature %d (d=%s): go-msgauth says %v, headercheck %s", i, v.Domain, v.Err, ours.Result)
				}
			}
		})
	}
}

// TestGalleryFiles checks that the gallery's directory holds nothing but
// complete lessons (each NAME with .eml, .dns and .md), the generator's
// keys and lessons.go, so a half-added lesson cannot go unnoticed.
func TestGalleryFiles(t *testing.T) {
	names := map[string][]string{}
	err := filepath.WalkDir(galleryDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(galleryDir, path)
		if strings.HasPrefix(rel, "keys"+string(filepath.Separator)) || rel == "lessons.go" {
			return nil
		}
		ext := filepath.Ext(rel)
		names[strings.TrimSuffix(rel, ext)] = append(names[strings.TrimSuffix(rel, ext)], ext)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, l := range lessons.List() {
		listed[l.Name] = true
	}
	for name, exts := range names {
		slices.Sort(exts)
		if !slices.Equal(exts, []string{".dns", ".eml", ".md"}) {
			t.Errorf("lesson %s has files %v, want .dns, .eml and .md", name, exts)
		}
		if !listed[name] {
			t.Errorf("lesson %s is not in lessons.List()", name)
		}
	}
	if _, err := os.Stat(filepath.Join(galleryDir, "keys", "README.md")); err != nil {
		t.Errorf("the TEST-ONLY keys need their README: %v", err)
	}
}

// signatureFields returns the message's DKIM-Signature fields, top first.
func signatureFields(wire []byte) []string {
	head, _, _ := strings.Cut(string(wire), "\r\n\r\n")
	var out []string
	for _, f := range newMail(strings.ReplaceAll(head, "\r\n", "\n") + "\n\n").fields {
		if n, _, _ := strings.Cut(f, ":"); strings.EqualFold(n, "DKIM-Signature") {
			out = append(out, f)
		}
	}
	return out
}

// TestCheckSignature shows that the generator's verifier, which stands in
// for go-msgauth on l= signatures, notices a change in the signed part
// and ignores one after it.
func TestCheckSignature(t *testing.T) {
	l, ok := lessons.Get("11-body-length")
	if !ok {
		t.Fatal("no lesson 11-body-length")
	}
	wire := strings.ReplaceAll(string(l.EML), "\n", "\r\n")
	field := signatureFields([]byte(wire))[0]
	snap, err := dnsx.ParseSnapshot(bytes.NewReader(l.DNS), l.Name+".dns")
	if err != nil {
		t.Fatal(err)
	}
	q, err := snap.Lookup(t.Context(), "news._domainkey.airline.example", dns.TypeTXT)
	if err != nil || len(q.Answers) != 1 {
		t.Fatalf("key record: %v %q", err, q.Answers)
	}
	record := q.Answers[0]
	cases := []struct {
		name    string
		wire    string
		wantErr bool
	}{
		{"as sent, with text appended after l=", wire, false},
		{"signed part changed", strings.Replace(wire, "fares from 39 EUR", "fares from 29 EUR", 1), true},
		{"signed header changed", strings.Replace(wire, "Subject: Winter deals", "Subject: Winter Deals", 1), true},
		{"appended text changed", strings.Replace(wire, "14,200 of your miles", "20,000 of your miles", 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkSignature(c.wire, field, record)
			if (err != nil) != c.wantErr {
				t.Errorf("checkSignature = %v, want error %v", err, c.wantErr)
			}
		})
	}
}

// TestLessonsGet finds lessons by name and nothing else.
func TestLessonsGet(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"01-aligned", true},
		{"13-dns-timeout", true},
		{"no-such-lesson", false},
		{"../lessons/01-aligned", false},
		{"keys/README", false},
		{"", false},
	} {
		l, ok := lessons.Get(c.name)
		if ok != c.ok || (ok && (l.Name != c.name || len(l.EML) == 0 || len(l.DNS) == 0 || l.Title == "")) {
			t.Errorf("Get(%q) = %q, %v; want a complete lesson: %v", c.name, l.Name, ok, c.ok)
		}
	}
}

// TestLessonTexts: every lesson text has the four parts a student needs,
// and cites the RFC sections it relies on.
func TestLessonTexts(t *testing.T) {
	for _, l := range lessons.List() {
		for _, h := range []string{"## What this case shows", "## What to look at", "## What to conclude", "## What an attacker would have needed to pass"} {
			if !strings.Contains(l.Text, "\n"+h+"\n") && !strings.HasPrefix(l.Text, h+"\n") {
				t.Errorf("%s.md lacks the section %q", l.Name, h)
			}
		}
		if !strings.Contains(l.Text, "RFC ") || !strings.Contains(l.Text, "§") {
			t.Errorf("%s.md cites no RFC section", l.Name)
		}
	}
}

// TestLessonNames: the lessons use only documentation addresses (RFC
// 5737, RFC 3849) or private ones, and mail addresses in reserved
// example domains (RFC 2606), so no real network or company is involved.
func TestLessonNames(t *testing.T) {
	docs := []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
	}
	ipRE := regexp.MustCompile(`[\[( ]([0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7})[\]) ;]`)
	mailRE := regexp.MustCompile(`[A-Za-z0-9._%+=-]+@([A-Za-z0-9.-]+)`)
	for _, l := range lessons.List() {
		text := string(l.EML) + "\n" + string(l.DNS)
		for _, m := range ipRE.FindAllStringSubmatch(text, -1) {
			a, err := netip.ParseAddr(m[1])
			if err != nil {
				continue
			}
			ok := a.IsPrivate() || a.IsLoopback()
			for _, p := range docs {
				ok = ok || p.Contains(a)
			}
			if !ok {
				t.Errorf("%s: %s is not a documentation or private address", l.Name, a)
			}
		}
		for _, m := range mailRE.FindAllStringSubmatch(string(l.EML), -1) {
			if d := strings.TrimSuffix(strings.ToLower(m[1]), "."); !strings.HasSuffix(d, ".example") {
				t.Errorf("%s: the address %s is not in an .example domain", l.Name, m[0])
			}
		}
	}
}
