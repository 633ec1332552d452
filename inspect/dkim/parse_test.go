package dkim_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	ours "github.com/headercheck/headercheck/inspect/dkim"
)

var tagListCases = []struct {
	name    string
	in      string
	want    map[string]string // nil: an error is wanted
	inOrder []string
}{
	{"simple", "v=1; a=rsa-sha256", map[string]string{"v": "1", "a": "rsa-sha256"}, []string{"v", "a"}},
	{"trailing semicolon", "v=1;", map[string]string{"v": "1"}, []string{"v"}},
	{"whitespace and folding around tags", " v = 1 ;\r\n\ta=\r\n rsa-sha256 \t", map[string]string{"v": "1", "a": "rsa-sha256"}, []string{"v", "a"}},
	{"inner whitespace kept", "b=abc\r\n def; n=two words", map[string]string{"b": "abc\r\n def", "n": "two words"}, []string{"b", "n"}},
	{"empty value is not absent", "p=; k=rsa", map[string]string{"p": "", "k": "rsa"}, []string{"p", "k"}},
	{"empty tag-specs skipped", ";;v=1;; ;", map[string]string{"v": "1"}, []string{"v"}},
	{"unknown tags kept", "zz_9=future; v=1", map[string]string{"zz_9": "future", "v": "1"}, []string{"zz_9", "v"}},
	{"equals in value", "z=From:a=3Db", map[string]string{"z": "From:a=3Db"}, []string{"z"}},
	{"case sensitive names", "V=1; v=2", map[string]string{"V": "1", "v": "2"}, []string{"V", "v"}},
	{"utf-8 value", "n=café", map[string]string{"n": "café"}, []string{"n"}},
	{"empty input", "", map[string]string{}, nil},
	{"no equals", "v=1; rsa", nil, nil},
	{"duplicate", "d=a.example; d=b.example", nil, nil},
	{"name starts with digit", "1a=x", nil, nil},
	{"name with space", "b h=x", nil, nil},
	{"name with hyphen", "a-b=x", nil, nil},
	{"empty name", "=x", nil, nil},
	// Beyond 32 tags duplicates are found through a map instead of by
	// looking back: both ways must see them, wherever they are.
	{"many tags", manyTags(40, ""), manyTagsWant(40), manyTagNames(40)},
	{"duplicate among many, early", manyTags(40, "t5=again"), nil, nil},
	{"duplicate among many, late", manyTags(40, "t39=again"), nil, nil},
	{"duplicate beyond many", manyTags(40, "x=1; x=2"), nil, nil},
}

// manyTags is "t0=v0; t1=v1; ..." with extra appended.
func manyTags(n int, extra string) string {
	var b strings.Builder
	for _, name := range manyTagNames(n) {
		b.WriteString(name + "=v" + name[1:] + "; ")
	}
	return b.String() + extra
}

func manyTagNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "t" + strconv.Itoa(i)
	}
	return names
}

func manyTagsWant(n int) map[string]string {
	want := map[string]string{}
	for _, name := range manyTagNames(n) {
		want[name] = "v" + name[1:]
	}
	return want
}

func TestParseTagList(t *testing.T) {
	for _, c := range tagListCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ours.ParseTagList(c.in)
			if c.want == nil {
				if err == nil || !errors.Is(err, ours.ErrTagSyntax) {
					t.Errorf("ParseTagList(%q) = %+v, %v, want an ErrTagSyntax error", c.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTagList(%q): %v", c.in, err)
			}
			var names []string
			for _, tag := range got {
				names = append(names, tag.Name)
				if tag.Value != c.want[tag.Name] {
					t.Errorf("ParseTagList(%q): %s=%q, want %q", c.in, tag.Name, tag.Value, c.want[tag.Name])
				}
				if !strings.Contains(c.in[tag.ValueStart:tag.ValueEnd], tag.Value) {
					t.Errorf("ParseTagList(%q): span %d:%d = %q does not hold %q", c.in, tag.ValueStart, tag.ValueEnd, c.in[tag.ValueStart:tag.ValueEnd], tag.Value)
				}
			}
			if !reflect.DeepEqual(names, c.inOrder) {
				t.Errorf("ParseTagList(%q) names = %q, want %q", c.in, names, c.inOrder)
			}
		})
	}
}

var keyCases = []struct {
	name    string
	in      string
	typ     string
	bits    int
	revoked bool
	testing bool
	err     bool
}{
	{"rsa spki", "v=DKIM1; k=rsa; p=" + rfc8463RSA, "rsa", 1024, false, false, false},
	{"rsa default type, no version", "p=" + rfc8463RSA, "rsa", 1024, false, false, false},
	{"p folded with whitespace", "v=DKIM1; p=" + rfc8463RSA[:40] + " \r\n\t" + rfc8463RSA[40:], "rsa", 1024, false, false, false},
	{"ed25519", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "ed25519", 256, false, false, false},
	{"revoked", "v=DKIM1; p=", "rsa", 0, true, false, false},
	{"revoked with whitespace", "v=DKIM1; p= ; t=y", "rsa", 0, true, true, false},
	{"testing flag among others", "t=s:y; p=" + rfc8463RSA, "rsa", 1024, false, true, false},
	{"unknown key type is not an error", "k=dilithium; p=AAAA", "dilithium", 0, false, false, false},
	{"wrong version", "v=DKIM2; p=" + rfc8463RSA, "", 0, false, false, true},
	{"no p=", "v=DKIM1; k=rsa", "", 0, false, false, true},
	{"not base64", "p=MIGf!!", "", 0, false, false, true},
	{"not a key", "p=" + base64.StdEncoding.EncodeToString([]byte("hello")), "", 0, false, false, true},
	{"ed25519 of wrong size", "k=ed25519; p=AAAA", "", 0, false, false, true},
	{"malformed tag list", "v=DKIM1; p", "", 0, false, false, true},
	{"spf record at the name", "v=spf1 -all", "", 0, false, false, true},
}

const rfc8463RSA = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

func TestParseKey(t *testing.T) {
	for _, c := range keyCases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ours.ParseKey(c.in)
			if c.err {
				if err == nil || !errors.Is(err, ours.ErrKeySyntax) {
					t.Errorf("ParseKey(%q) = %+v, %v, want an ErrKeySyntax error", c.in, k, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKey(%q): %v", c.in, err)
			}
			if k.Type != c.typ || k.Bits != c.bits || k.Revoked != c.revoked || k.Testing() != c.testing {
				t.Errorf("ParseKey(%q) = type %s, %d bits, revoked %v, testing %v; want %s, %d, %v, %v", c.in, k.Type, k.Bits, k.Revoked, k.Testing(), c.typ, c.bits, c.revoked, c.testing)
			}
			if (k.Public != nil) != (c.bits > 0) {
				t.Errorf("ParseKey(%q).Public = %T, want a key: %v", c.in, k.Public, c.bits > 0)
			}
		})
	}
}

// The examples of RFC 6376 §3.4.5.
const rfcExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n"

func TestCanonRFC6376Examples(t *testing.T) {
	m := ours.Split([]byte(rfcExample))
	if len(m.Fields) != 2 || !m.HasBody {
		t.Fatalf("Split: %d fields, body %v", len(m.Fields), m.HasBody)
	}
	cases := []struct {
		canon        ours.Canon
		header, body string
	}{
		{ours.Relaxed, "a:X\r\nb:Y Z\r\n", " C\r\nD E\r\n"},
		{ours.Simple, "A: X\r\nB : Y\t\r\n\tZ  \r\n", " C \r\nD \t E\r\n"},
	}
	for _, c := range cases {
		t.Run(string(c.canon), func(t *testing.T) {
			var h []byte
			for _, f := range m.Fields {
				h = ours.CanonHeader(h, f.Raw, c.canon)
			}
			if string(h) != c.header {
				t.Errorf("header = %q, want %q", h, c.header)
			}
			if b := ours.CanonBody(m.Body, c.canon); string(b) != c.body {
				t.Errorf("body = %q, want %q", b, c.body)
			}
		})
	}
}

func TestCanonBody(t *testing.T) {
	cases := []struct {
		name, in        string
		simple, relaxed string
	}{
		{"empty", "", "\r\n", ""},
		{"only blank lines", "\r\n\r\n", "\r\n", ""},
		{"only whitespace", "  \t ", "  \t \r\n", ""},
		{"no final line break", "abc", "abc\r\n", "abc\r\n"},
		{"lone LF as CRLF", "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"whitespace-only last line", "a\r\n \t\r\n", "a\r\n \t\r\n", "a\r\n"},
		{"trailing whitespace without break", "a\r\nb  ", "a\r\nb  \r\n", "a\r\nb\r\n"},
		{"lone CR is data", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
		{"blank lines inside kept", "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(ours.CanonBody([]byte(c.in), ours.Simple)); got != c.simple {
				t.Errorf("CanonBody(%q, simple) = %q, want %q", c.in, got, c.simple)
			}
			if got := string(ours.CanonBody([]byte(c.in), ours.Relaxed)); got != c.relaxed {
				t.Errorf("CanonBody(%q, relaxed) = %q, want %q", c.in, got, c.relaxed)
			}
		})
	}
	// §3.4.3 and §3.4.4 give the SHA-256 of an empty body.
	for canon, want := range map[ours.Canon]string{ours.Simple: "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", ours.Relaxed: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="} {
		sum := sha256.Sum256(ours.CanonBody(nil, canon))
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("empty body, %s: hash %s, want %s", canon, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		names   []string
		body    string
		hasBody bool
	}{
		{"crlf", "A: 1\r\nB: 2\r\n\r\nbody\r\n", []string{"A", "B"}, "body\r\n", true},
		{"lf", "A: 1\nB: 2\n\nbody\n", []string{"A", "B"}, "body\n", true},
		{"folded", "A: 1\r\n 2\r\n\t3\r\nB: x\r\n\r\n", []string{"A", "B"}, "", true},
		{"no body", "A: 1\r\nB: 2\r\n", []string{"A", "B"}, "", false},
		{"no final break", "A: 1", []string{"A"}, "", false},
		{"space before colon", "Subject : hi\r\n\r\n", []string{"Subject"}, "", true},
		{"leading continuation", " x\r\nA: 1\r\n\r\n", []string{"x", "A"}, "", true},
		{"line without colon", "garbage\r\nA: 1\r\n\r\nb", []string{"garbage", "A"}, "b", true},
		{"empty message", "", nil, "", false},
		{"body only", "\r\nhello", nil, "hello", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := ours.Split([]byte(c.in))
			var names []string
			var joined strings.Builder
			for _, f := range m.Fields {
				names = append(names, f.Name())
				if c.in[f.Offset:f.Offset+len(f.Raw)] != string(f.Raw) {
					t.Errorf("field at %d is not byte-exact", f.Offset)
				}
				joined.Write(f.Raw)
			}
			if !reflect.DeepEqual(names, c.names) || string(m.Body) != c.body || m.HasBody != c.hasBody {
				t.Errorf("Split(%q) = %q, body %q (%v); want %q, %q (%v)", c.in, names, m.Body, m.HasBody, c.names, c.body, c.hasBody)
			}
			if !strings.HasPrefix(c.in, joined.String()) || c.in[m.BodyOffset:] != string(m.Body) {
				t.Errorf("Split(%q) loses bytes", c.in)
			}
		})
	}
}

func TestPick(t *testing.T) {
	m := ours.Split([]byte("DKIM-Signature: x\r\nFrom: top\r\nTo: a\r\nfrom: bottom\r\nSubject: s\r\n\r\n"))
	cases := []struct {
		name  string
		h     []string
		skip  int
		want  []int
		title string
	}{
		{"bottom-up", []string{"From", "From", "From"}, -1, []int{3, 1, -1}, "each From instance once, then none"},
		{"case-insensitive", []string{"FROM", "subject", "x-missing"}, -1, []int{3, 4, -1}, ""},
		{"skips its own signature", []string{"dkim-signature", "from"}, 0, []int{-1, 3}, ""},
		{"other signature signed", []string{"dkim-signature"}, -1, []int{0}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := m.Pick(c.h, c.skip); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Pick(%q, %d) = %v, want %v", c.h, c.skip, got, c.want)
			}
		})
	}
}

func TestStripB(t *testing.T) {
	cases := []struct{ in, want string }{
		{"DKIM-Signature: v=1; b=abc\r\n def; bh=xyz=\r\n", "DKIM-Signature: v=1; b=; bh=xyz=\r\n"},
		{"DKIM-Signature: v=1; bh=xyz=; b = abc\r\n", "DKIM-Signature: v=1; bh=xyz=; b =\r\n"},
		{"DKIM-Signature: a=1;\r\n b=\r\n  abc; c=2\n", "DKIM-Signature: a=1;\r\n b=; c=2\n"},
		{"DKIM-Signature: xb=1; b=2", "DKIM-Signature: xb=1; b="},
	}
	for _, c := range cases {
		got, err := ours.StripB([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("StripB(%q) = %q, %v, want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"DKIM-Signature: v=1; bh=x", "no colon", "DKIM-Signature: b=1; b=2"} {
		if _, err := ours.StripB([]byte(bad)); err == nil {
			t.Errorf("StripB(%q): want an error", bad)
		}
	}
}

// okSignature is a minimal valid DKIM-Signature value.
const okSignature = "v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to; bh=AAAA; b=AAAA"

// signatureCases are DKIM-Signature values and the error each gives ("" for
// none); FuzzParseSignature starts from them.
var signatureCases = func() []struct {
	name, in string
	err      string
} {
	const ok = okSignature
	return []struct {
		name, in string
		err      string // "" for none
	}{
		{"minimal", ok, ""},
		{"all tags", ok + "; c=relaxed; i=user=40x@sub.example.org; l=10; q=dns/txt:x/y; t=100; x=200; z=From:x", ""},
		{"c= one name", ok + "; c=relaxed", ""},
		{"13-digit time is infinite", ok + "; x=1234567890123", ""},
		{"missing", "v=1; a=rsa-sha256; d=example.org", "lacks the required tag"},
		{"version 2", strings.Replace(ok, "v=1", "v=2", 1), "unknown DKIM version"},
		{"unknown canon", ok + "; c=relaxed/fancy", "unknown canonicalization"},
		{"algorithm malformed", strings.Replace(ok, "rsa-sha256", "rsa", 1), "malformed"},
		{"algorithm unknown", strings.Replace(ok, "rsa-sha256", "rsa-sha512", 1), "does not implement"},
		{"one-label domain", strings.Replace(ok, "d=example.org", "d=org", 1), "not a valid domain"},
		{"domain with space", strings.Replace(ok, "d=example.org", "d=exa mple.org", 1), "not a valid domain"},
		{"selector empty label", strings.Replace(ok, "s=sel", "s=a..b", 1), "selector"},
		{"b not base64", strings.Replace(ok, "b=AAAA", "b=A*AA", 1), "base64"},
		{"From not signed", strings.Replace(ok, "h=from:to", "h=to:subject", 1), "does not cover the From"},
		{"empty h name", strings.Replace(ok, "h=from:to", "h=from::to", 1), "malformed"},
		{"i outside d", ok + "; i=@example.com", "not within the signing domain"},
		{"i suffix trick", ok + "; i=@badexample.org", "not within the signing domain"},
		{"i without at", ok + "; i=example.org", "identity (i=) is malformed"},
		{"l not a number", ok + "; l=-1", "body length"},
		{"l too long", ok + "; l=" + strings.Repeat("9", 77), "body length"},
		{"t signed", ok + "; t=+5", "time is malformed"},
		{"x before t", ok + "; t=200; x=100", "expires (x=) before it was made"},
		{"q unknown only", ok + "; q=http/well-known", "no key query method"},
	}
}()

func TestParseSignature(t *testing.T) {
	const ok = okSignature
	for _, c := range signatureCases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ours.ParseSignature(c.in)
			if c.err == "" {
				if err != nil {
					t.Fatalf("ParseSignature(%q): %v", c.in, err)
				}
				if s.Domain != "example.org" || s.Selector != "sel" || s.Hash == 0 {
					t.Errorf("ParseSignature(%q) = %+v", c.in, s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSignature(%q) error = %v, want one containing %q", c.in, err, c.err)
			}
		})
	}
	s, _ := ours.ParseSignature(ok + "; i=user=40x@Sub.example.org; l=" + strings.Repeat("9", 30))
	if s.Identity != "user@x@Sub.example.org" || s.Length <= 0 {
		t.Errorf("i= decoded to %q, l= to %d", s.Identity, s.Length)
	}
}

func TestPreview(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text\r\nline 2", "plain text⏎line 2"},
		{"tab\tbell\a esc\x1b del\x7f", `tab\tbell\x07 esc\x1b del\x7f`},
		{"bidi \u202e \u2066 ok é", `bidi \u202e \u2066 ok é`},
		{"c1 \u0085 bad \xff", `c1 \x85 bad \xff`},
		{"abcdef", "abc…"},
	}
	for _, c := range cases {
		max := 100
		if c.in == "abcdef" {
			max = 3
		}
		if got := ours.Preview([]byte(c.in), max); got != c.want {
			t.Errorf("Preview(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOrgDomain(t *testing.T) {
	for in, want := range map[string]string{"mail.example.co.uk": "example.co.uk", "a.b.example.org.": "example.org", "example.org": "example.org", "com": "com"} {
		if got := ours.OrgDomain(in); got != want {
			t.Errorf("OrgDomain(%q) = %q, want %q", in, got, want)
		}
	}
}
