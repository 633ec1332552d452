// Package lessons is headercheck's teaching gallery, embedded so that the
// binary carries it (headercheck --demo) and every lesson replays offline.
//
// A lesson NAME is three files: NAME.eml, the message; NAME.dns, the DNS
// snapshot it is replayed from (the --dns-snapshot format, see package
// dnsx); and NAME.md, the lesson text. The first line of NAME.md is the
// title ("# ..."); the "Key: value" lines after it, up to the first blank
// line, are facts: At, the fixed time the lesson is evaluated as of, so
// that a replay never depends on today's date, and the results the replay
// must give (see Want). The rest is the text a student reads. Names start
// with a number, which orders the gallery.
//
// The tests that replay every lesson live in inspect/aggregate, because
// "./..." skips directories named testdata.
package lessons

import (
	"embed"
	"io/fs"
	"strings"
	"time"
)

//go:embed *.eml *.dns *.md
var files embed.FS

// NowSource names a lesson's clock in its report (inspect.Options.NowSource
// beside Now returning Lesson.At), so the report says the lesson is judged
// as of its own fixed time rather than "now".
const NowSource = "the lesson's fixed time"

// Lesson is one case of the gallery.
type Lesson struct {
	Name  string    // "02-exact-spoof"; the demo's source.file is "demo:" + Name
	Title string    // the first line of NAME.md, without "# "
	Text  string    // NAME.md after the title and the facts (Markdown)
	EML   []byte    // the message, byte for byte
	DNS   []byte    // the DNS snapshot it is replayed from
	At    time.Time // the fixed moment it is evaluated as of
	Want  Want      // what the replay must show
	// Problem says what is wrong with the lesson's files ("" when
	// nothing is); the gallery tests require it to be empty.
	Problem string
}

// Want is what the replay of a lesson must give, as NAME.md states it.
// Each value is the report's words: a result, then the domain or policy.
type Want struct {
	Verdict     string   // Verdict: deliver, quarantine or reject
	Client      string   // Client: the SMTP client address SPF was evaluated for
	SPF         string   // SPF: "fail bank.example" (result, domain)
	DKIM        []string // DKIM: "pass bank.example", one per signature in header order, comma-separated
	DMARC       string   // DMARC: "fail reject" (result, policy applied) under RFC 9989
	DMARC7489   string   // DMARC RFC 7489: the same under RFC 7489
	ARC         string   // ARC: none, pass or fail
	Signs       []string // Signs: phishing sign kinds, comma-separated
	Differences []string // Differences: "dkim pass permerror dkim_key_revoked" (recorded, replayed, cause), semicolon-separated
}

// List returns every lesson of the gallery, in order.
func List() []Lesson {
	mds, _ := files.ReadDir(".")
	var out []Lesson
	for _, e := range mds {
		name, ok := strings.CutSuffix(e.Name(), ".md")
		if !ok {
			continue
		}
		out = append(out, load(name))
	}
	return out
}

// Get returns the lesson called name ("02-exact-spoof").
func Get(name string) (Lesson, bool) {
	if strings.ContainsAny(name, `/\`) {
		return Lesson{}, false
	}
	if _, err := fs.Stat(files, name+".md"); err != nil {
		return Lesson{}, false
	}
	return load(name), true
}

func load(name string) Lesson {
	l := Lesson{Name: name}
	var problems []string
	read := func(ext string) []byte {
		b, err := files.ReadFile(name + ext)
		if err != nil {
			problems = append(problems, "no "+name+ext)
		}
		return b
	}
	l.EML, l.DNS = read(".eml"), read(".dns")
	md := strings.ReplaceAll(string(read(".md")), "\r\n", "\n")
	title, rest, _ := strings.Cut(md, "\n")
	l.Title = strings.TrimSpace(strings.TrimPrefix(title, "#"))
	facts, text, _ := strings.Cut(rest, "\n\n")
	l.Text = strings.TrimSpace(text)
	for _, line := range strings.Split(facts, "\n") {
		k, v, ok := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		if !ok {
			problems = append(problems, "not a fact line: "+line)
			continue
		}
		switch k {
		case "At":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				problems = append(problems, "At: "+err.Error())
			}
			l.At = t
		case "Verdict":
			l.Want.Verdict = v
		case "Client":
			l.Want.Client = v
		case "SPF":
			l.Want.SPF = v
		case "DKIM":
			l.Want.DKIM = split(v, ",")
		case "DMARC":
			l.Want.DMARC = v
		case "DMARC RFC 7489":
			l.Want.DMARC7489 = v
		case "ARC":
			l.Want.ARC = v
		case "Signs":
			l.Want.Signs = split(v, ",")
		case "Differences":
			l.Want.Differences = split(v, ";")
		default:
			problems = append(problems, "unknown fact "+k)
		}
	}
	if l.At.IsZero() {
		problems = append(problems, "no At: line")
	}
	l.Problem = strings.Join(problems, "; ")
	return l
}

// split cuts a fact's value into its items; "none" or nothing is no item.
func split(v, sep string) []string {
	var out []string
	for _, s := range strings.Split(v, sep) {
		if s = strings.TrimSpace(s); s != "" && s != "none" {
			out = append(out, s)
		}
	}
	return out
}
