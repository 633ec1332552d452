package dmarc_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	msgauth "github.com/emersion/go-msgauth/dmarc"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"github.com/headercheck/headercheck/inspect/trace"
)

// reading is what a test expects of one standard's reading of a record.
type reading struct {
	notDMARC bool
	p, sp    dmarc.Policy
	np       dmarc.Policy // RFC 9989 only
	adkim    dmarc.Alignment
	aspf     dmarc.Alignment
	psd      string // RFC 9989 only
	testing  bool   // RFC 9989 only
	pct      int    // RFC 7489 only
	fromRUA  bool
	unusable bool
	library  bool // RFC 7489: read by go-msgauth
}

var recordCases = []struct {
	name string
	txt  string
	r9   reading
	r7   reading
}{
	{"minimal", "v=DMARC1; p=reject",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, library: true}},
	{"no spaces, trailing separator", "v=DMARC1;p=quarantine;sp=none;",
		reading{p: "quarantine", sp: "none", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "quarantine", sp: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, library: true}},
	{"spaces around equals", "v = DMARC1 ; p = reject ; adkim = s",
		reading{p: "reject", adkim: "s", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "s", aspf: "r", psd: "u", pct: 100, library: true}},
	{"every RFC 9989 tag", "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=s; psd=n; t=y; fo=1:d; rua=mailto:a@x.example; ruf=mailto:f@x.example",
		reading{p: "reject", sp: "quarantine", np: "reject", adkim: "s", aspf: "s", psd: "n", testing: true, pct: 100},
		reading{p: "reject", sp: "quarantine", adkim: "s", aspf: "s", psd: "u", pct: 100, library: true}},
	{"every RFC 7489 tag", "v=DMARC1; p=none; sp=reject; pct=20; rf=afrf; ri=3600; fo=0:s; rua=mailto:a@x.example!10m",
		reading{p: "none", sp: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "none", sp: "reject", adkim: "r", aspf: "r", psd: "u", pct: 20, library: true}},
	{"p not second", "v=DMARC1; rua=mailto:a@x.example; p=reject",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, library: true}},
	{"no p, valid rua", "v=DMARC1; rua=mailto:a@x.example",
		reading{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, fromRUA: true},
		reading{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, fromRUA: true}},
	{"no p, invalid rua", "v=DMARC1; rua=not a uri",
		reading{adkim: "r", aspf: "r", psd: "u", pct: 100, unusable: true},
		reading{adkim: "r", aspf: "r", psd: "u", pct: 100, unusable: true}},
	{"no p, no rua", "v=DMARC1; adkim=s",
		reading{adkim: "s", aspf: "r", psd: "u", pct: 100, unusable: true},
		reading{adkim: "s", aspf: "r", psd: "u", pct: 100, unusable: true}},
	{"invalid sp, valid rua", "v=DMARC1; p=reject; sp=maybe; rua=mailto:a@x.example",
		reading{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, fromRUA: true},
		reading{p: "none", adkim: "r", aspf: "r", psd: "u", pct: 100, fromRUA: true}},
	{"invalid np", "v=DMARC1; p=reject; np=maybe",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, unusable: true},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, library: true}},
	{"invalid alignment and t fall back to defaults", "v=DMARC1; p=reject; adkim=x; aspf=relaxed; t=maybe; psd=q",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100}},
	{"invalid pct", "v=DMARC1; p=reject; pct=150",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100}},
	{"pct with a sign, as go-msgauth reads it", "v=DMARC1; p=reject; pct=+50",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 50, library: true}},
	{"upper-case names and values", "V=DMARC1; P=Reject; SP=NONE; ADKIM=S",
		reading{p: "reject", sp: "none", adkim: "s", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", sp: "none", adkim: "s", aspf: "r", psd: "u", pct: 100}},
	{"repeated tag keeps the first", "v=DMARC1; p=reject; p=none",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100}},
	{"junk segment", "v=DMARC1; p=reject; hello world; =x; 9=1",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100}},
	{"unknown tags", "v=DMARC1; p=quarantine; foo=bar; zz=1",
		reading{p: "quarantine", adkim: "r", aspf: "r", psd: "u", pct: 100},
		reading{p: "quarantine", adkim: "r", aspf: "r", psd: "u", pct: 100, library: true}},
	{"control character in a value", "v=DMARC1; p=reject; sp=none\x00",
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, unusable: true},
		reading{p: "reject", adkim: "r", aspf: "r", psd: "u", pct: 100, unusable: true}},
	{"v not first", "p=reject; v=DMARC1", reading{notDMARC: true}, reading{notDMARC: true}},
	{"v in lower case", "v=dmarc1; p=reject", reading{notDMARC: true}, reading{notDMARC: true}},
	{"leading space", " v=DMARC1; p=reject", reading{notDMARC: true}, reading{notDMARC: true}},
	{"other version", "v=DMARC10; p=reject", reading{notDMARC: true}, reading{notDMARC: true}},
	{"SPF record", "v=spf1 -all", reading{notDMARC: true}, reading{notDMARC: true}},
	{"empty", "", reading{notDMARC: true}, reading{notDMARC: true}},
}

func TestParseRecord(t *testing.T) {
	for _, tc := range recordCases {
		for _, std := range []dmarc.Standard{dmarc.RFC9989, dmarc.RFC7489} {
			want := tc.r9
			if std == dmarc.RFC7489 {
				want = tc.r7
			}
			t.Run(tc.name+"/"+string(std), func(t *testing.T) {
				r, err := dmarc.ParseRecord(tc.txt, std)
				if want.notDMARC {
					if !errors.Is(err, dmarc.ErrNotDMARC) {
						t.Errorf("ParseRecord(%q) error = %v, want ErrNotDMARC", tc.txt, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("ParseRecord(%q): %v", tc.txt, err)
				}
				got := reading{p: r.Policy, sp: r.SubPol, np: r.NonExist, adkim: r.ADKIM, aspf: r.ASPF, psd: r.PSD,
					testing: r.Testing, pct: r.Percent, fromRUA: r.PolicyFromRUA, unusable: r.Unusable, library: r.Library}
				if got != want {
					t.Errorf("ParseRecord(%q, %s) = %+v, want %+v", tc.txt, std, got, want)
				}
				if (r.Unusable || r.PolicyFromRUA) && r.Why == "" {
					t.Errorf("ParseRecord(%q, %s): no Why", tc.txt, std)
				}
				for _, n := range r.Notes {
					if n.Explain == "" || n.Ref == "" || n.Result == "" {
						t.Errorf("note without explanation, reference or result: %+v", n)
					}
				}
			})
		}
	}
}

func TestParseRecordNotes(t *testing.T) {
	cases := []struct {
		txt  string
		std  dmarc.Standard
		tag  string
		res  trace.Result
		want string
	}{
		{"v=DMARC1; p=reject; pct=50", dmarc.RFC9989, "pct", trace.Info, "RFC 9989 removed the pct tag"},
		{"v=DMARC1; p=reject; t=y", dmarc.RFC7489, "t", trace.Info, "RFC 7489 has no t tag"},
		{"v=DMARC1; p=reject; foo=bar", dmarc.RFC9989, "foo", trace.Info, "unknown tags must be ignored"},
		{"v=DMARC1; p=reject; adkim=x", dmarc.RFC9989, "adkim", trace.Warn, "relaxed alignment (r), applies"},
		{"v=DMARC1; p=reject; p=none", dmarc.RFC7489, "p", trace.Warn, "appears more than once"},
		{"v=DMARC1; rua=mailto:a@b.example; p=reject", dmarc.RFC7489, "p", trace.Info, "wants p right after v"},
		{"v=DMARC1; p=reject; fo=0:1", dmarc.RFC9989, "fo", trace.Warn, "not a valid value"},
	}
	for _, tc := range cases {
		t.Run(tc.txt+"/"+string(tc.std), func(t *testing.T) {
			r, err := dmarc.ParseRecord(tc.txt, tc.std)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range r.Notes {
				if n.Tag == tc.tag && n.Result == tc.res && strings.Contains(n.Explain, tc.want) {
					return
				}
			}
			t.Errorf("ParseRecord(%q, %s) notes = %+v, want a %s note on %s saying %q", tc.txt, tc.std, r.Notes, tc.res, tc.tag, tc.want)
		})
	}
}

// TestParseRecordAgreesWithLibrary: where go-msgauth reads a record, and
// headercheck's own reading found nothing to correct, the two agree.
func TestParseRecordAgreesWithLibrary(t *testing.T) {
	for _, tc := range recordCases {
		t.Run(tc.name, func(t *testing.T) { agreeWithLibrary(t, tc.txt) })
	}
}

func agreeWithLibrary(t *testing.T, txt string) {
	t.Helper()
	r, err := dmarc.ParseRecord(txt, dmarc.RFC7489)
	if err != nil || !r.Library {
		return
	}
	lib, err := msgauth.Parse(txt)
	if err != nil {
		t.Fatalf("Library set, but msgauth.Parse(%q): %v", txt, err)
	}
	pct := 100
	if lib.Percent != nil {
		pct = *lib.Percent
	}
	if r.Policy != dmarc.Policy(lib.Policy) || r.SubPol != dmarc.Policy(lib.SubdomainPolicy) || r.Percent != pct ||
		r.ADKIM != dmarc.Alignment(lib.DKIMAlignment) || r.ASPF != dmarc.Alignment(lib.SPFAlignment) {
		t.Errorf("ParseRecord(%q) = p=%s sp=%s pct=%d adkim=%s aspf=%s; go-msgauth p=%s sp=%s pct=%d adkim=%s aspf=%s",
			txt, r.Policy, r.SubPol, r.Percent, r.ADKIM, r.ASPF, lib.Policy, lib.SubdomainPolicy, pct, lib.DKIMAlignment, lib.SPFAlignment)
	}
	// headercheck's own reading, where it found nothing invalid, must match
	// too: the library only decides where the grammar is silent.
	own, _ := dmarc.ParseRecord(strings.ToUpper(txt[:1])+txt[1:], dmarc.RFC7489) // "V=" keeps the library out
	clean := true
	for _, n := range own.Notes {
		if n.Result == trace.Warn {
			clean = false
		}
	}
	if clean && !own.Library && (own.Policy != r.Policy || own.SubPol != r.SubPol || own.Percent != r.Percent || own.ADKIM != r.ADKIM || own.ASPF != r.ASPF) {
		t.Errorf("own reading of %q = %+v differs from go-msgauth's %+v", txt, own, r)
	}
}

func TestIsDMARC(t *testing.T) {
	cases := map[string]bool{
		"v=DMARC1":            true,
		"v=DMARC1;":           true,
		"v=DMARC1 ; p=none":   true,
		"V=DMARC1; p=none":    true,
		"v\t=\tDMARC1":        true,
		"v=DMARC1p=none":      false,
		"v=DMARC":             false,
		"v=DMARC2; p=none":    false,
		"x; v=DMARC1; p=none": false,
		"":                    false,
		"v":                   false,
		"v=":                  false,
	}
	for in, want := range cases {
		if got := dmarc.IsDMARC(in); got != want {
			t.Errorf("IsDMARC(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseAuthor(t *testing.T) {
	cases := []struct {
		name    string
		in      []string
		domains []string
		problem dmarc.FromProblem
		lenient bool
	}{
		{"plain", []string{"a@example.com"}, []string{"example.com"}, dmarc.FromOK, false},
		{"display name", []string{`"Alice Example" <Alice@Example.COM>`}, []string{"example.com"}, dmarc.FromOK, false},
		{"folded", []string{"Alice\r\n <alice@example.com>"}, []string{"example.com"}, dmarc.FromOK, false},
		{"encoded word in unknown charset", []string{"=?x-unknown?q?Alice?= <a@example.com>"}, []string{"example.com"}, dmarc.FromOK, false},
		{"two addresses, one domain", []string{"a@example.com, b@EXAMPLE.com"}, []string{"example.com"}, dmarc.FromMultipleAddresses, false},
		{"two domains", []string{"a@example.com, b@example.net"}, []string{"example.com", "example.net"}, dmarc.FromMultipleAddresses, false},
		{"group with two domains", []string{"Team: a@example.com, b@example.net;"}, []string{"example.com", "example.net"}, dmarc.FromMultipleAddresses, false},
		{"group with one address", []string{"Team: a@example.com;"}, []string{"example.com"}, dmarc.FromOK, false},
		{"two fields", []string{"a@example.com", "b@example.com"}, []string{"example.com"}, dmarc.FromMultipleFields, false},
		{"missing", nil, nil, dmarc.FromMissing, false},
		{"empty group", []string{"undisclosed-recipients:;"}, nil, dmarc.FromNoDomain, false},
		{"empty value", []string{""}, nil, dmarc.FromNoDomain, false},
		{"address literal", []string{"a@[192.0.2.1]"}, nil, dmarc.FromNoDomain, false},
		{"U-label", []string{"a@bücher.example"}, []string{"xn--bcher-kva.example"}, dmarc.FromOK, false},
		{"unclosed angle bracket", []string{"PayPal <service@paypal.example"}, []string{"paypal.example"}, dmarc.FromOK, true},
		{"trailing dot", []string{"a@example.com."}, []string{"example.com"}, dmarc.FromOK, true},
		{"two trailing dots", []string{"a@example.com.."}, nil, dmarc.FromNoDomain, true}, // found by FuzzParseAuthor
		{"address in the display name is not the address", []string{`"service@paypal.example" <x@evil.example`}, []string{"evil.example"}, dmarc.FromOK, true},
		{"garbage", []string{"no address here"}, nil, dmarc.FromNoDomain, true},
		{"label too long", []string{"a@" + strings.Repeat("x", 64) + ".example"}, nil, dmarc.FromNoDomain, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := dmarc.ParseAuthor(tc.in)
			if !slices.Equal(a.Domains, tc.domains) || a.Problem != tc.problem || a.Lenient != tc.lenient {
				t.Errorf("ParseAuthor(%q) = domains %q problem %q lenient %v, want %q %q %v (notes %q)",
					tc.in, a.Domains, a.Problem, a.Lenient, tc.domains, tc.problem, tc.lenient, a.Notes)
			}
		})
	}
}

func TestOrganizationalDomain(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"mail.brand.co.uk", "brand.co.uk", true},
		{"brand.co.uk", "brand.co.uk", true},
		{"co.uk", "", false},
		{"a.b.c.example.com", "example.com", true},
		{"News.Example.COM.", "example.com", true},
		{"x.github.io", "x.github.io", true}, // the PSL's private section
		{"a.b.example", "b.example", true},   // unlisted TLD: the "*" rule
		{"example", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := dmarc.OrganizationalDomain(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("OrganizationalDomain(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAligned(t *testing.T) {
	cases := []struct {
		author, id string
		mode       dmarc.Alignment
		want       bool
	}{
		// RFC 9989 §4.4 Table 1 and RFC 7489 §3.1.1-3.1.2.
		{"news.example.com", "foo.example.com", dmarc.Relaxed, true},
		{"news.example.com", "news.example.com", dmarc.Strict, true},
		{"news.example.com", "foo.example.net", dmarc.Relaxed, false},
		{"news.example.com", "example.com", dmarc.Strict, false},
		{"example.com", "cbg.bounces.example.com", dmarc.Relaxed, true},
		{"example.com", "com", dmarc.Relaxed, false},
		{"brand.co.uk", "evil.co.uk", dmarc.Relaxed, false},
		{"Example.COM", "example.com.", dmarc.Strict, true},
		{"", "", dmarc.Relaxed, false},
	}
	for _, tc := range cases {
		if got := dmarc.Aligned(tc.author, tc.id, tc.mode); got != tc.want {
			t.Errorf("Aligned(%q, %q, %s) = %v, want %v", tc.author, tc.id, tc.mode, got, tc.want)
		}
	}
}
