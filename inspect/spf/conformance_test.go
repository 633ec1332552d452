package spf

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/headercheck/headercheck/inspect/trace/tracetest"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headercheck/headercheck/inspect/dnsx"
	"github.com/headercheck/headercheck/inspect/dnsx/dnstest"
	"github.com/headercheck/headercheck/inspect/trace"
	"github.com/miekg/dns"
)

// The RFC 7208 test suite (testdata/ORIGIN.md), read from its JSON twin.
type suiteFile struct {
	Source    string          `json:"source"`
	SHA256    string          `json:"source_sha256"`
	Scenarios []suiteScenario `json:"scenarios"`
}

type suiteScenario struct {
	Description string                       `json:"description"`
	Tests       map[string]suiteTest         `json:"tests"`
	Zonedata    map[string][]json.RawMessage `json:"zonedata"`
}

type suiteTest struct {
	Description string          `json:"description"`
	Spec        string          `json:"spec"`
	Helo        string          `json:"helo"`
	Host        string          `json:"host"`
	Mailfrom    string          `json:"mailfrom"`
	Result      json.RawMessage `json:"result"` // a result or a list of acceptable ones
	Explanation *string         `json:"explanation"`
}

func (t suiteTest) results() ([]string, error) {
	var one string
	if err := json.Unmarshal(t.Result, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(t.Result, &many)
	return many, err
}

// suiteTests is the number of tests in rfc7208-tests.yml (its README): the
// run must cover every one.
const suiteTests = 203

// The client's timeout per exchange. In a scenario with TIMEOUT entries each
// of them costs two of these (dnsx asks again when every server was
// silent); elsewhere no query should ever time out, so the timeout there
// only has to outlast a loaded machine running -race.
const (
	timeoutScenarioTimeout = time.Second
	plainScenarioTimeout   = 5 * time.Second
)

// maxConcurrentTests bounds how many suite tests run at once.
const maxConcurrentTests = 12

// explanationCase lists tests whose expected explanation we compare
// without regard to case, and why.
var explanationCase = map[string]string{
	// The suite writes the nibbles of %{ir} for an IPv6 client in
	// uppercase; RFC 7208 §7.4's own example writes them in lowercase, as
	// we do. DNS names are case-insensitive, and RFC 7208 §7.3 does not fix
	// the case of the "dot-format address".
	"v-macro-ip6": "RFC 7208 §7.4 writes %{ir} of IPv6 in lowercase",
}

func loadSuite(t *testing.T) suiteFile {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc7208-tests.json")
	if err != nil {
		t.Fatal(err)
	}
	var s suiteFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("rfc7208-tests.json: %v", err)
	}
	return s
}

func TestConformanceJSONMatchesYAML(t *testing.T) {
	s := loadSuite(t)
	yml, err := os.ReadFile("testdata/" + s.Source)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(yml)
	if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
		t.Errorf("sha256(%s) = %s, but the JSON twin was written from %s", s.Source, got, s.SHA256)
	}
	// The README's figures: 16 scenarios, 203 tests.
	n := 0
	for _, sc := range s.Scenarios {
		n += len(sc.Tests)
	}
	if len(s.Scenarios) != 16 || n != suiteTests {
		t.Errorf("suite has %d scenarios and %d tests, want 16 and %d", len(s.Scenarios), n, suiteTests)
	}
}

func TestConformance(t *testing.T) {
	s := loadSuite(t)
	var ran atomic.Int32
	// Every test runs at once in its own goroutine (t.Run from several
	// goroutines, not t.Parallel, which -parallel would cap at GOMAXPROCS),
	// so the few that wait for a TIMEOUT overlap.
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxConcurrentTests)
	for _, sc := range s.Scenarios {
		wg.Go(func() {
			t.Run(strings.ReplaceAll(sc.Description, " ", "_"), func(t *testing.T) {
				srv, hasTimeout := serveZonedata(t, sc.Zonedata)
				c := &dnsx.Client{Servers: []string{srv.Addr}, Timeout: plainScenarioTimeout}
				if hasTimeout {
					c.Timeout = timeoutScenarioTimeout
				}
				var inner sync.WaitGroup
				for name, tc := range sc.Tests {
					inner.Go(func() {
						sem <- struct{}{}
						defer func() { <-sem }()
						t.Run(name, func(t *testing.T) {
							ran.Add(1)
							runSuiteTest(t, c, name, tc)
						})
					})
				}
				inner.Wait()
			})
		})
	}
	wg.Wait()
	if got := ran.Load(); got != suiteTests {
		t.Errorf("ran %d suite tests, want all %d", got, suiteTests)
	}
}

func runSuiteTest(t *testing.T, r dnsx.Resolver, name string, tc suiteTest) {
	want, err := tc.results()
	if err != nil || len(want) == 0 {
		t.Fatalf("result %s: %v", tc.Result, err)
	}
	ip, err := netip.ParseAddr(tc.Host)
	if err != nil {
		t.Fatalf("host %q: %v", tc.Host, err)
	}
	in := Input{
		Resolver: r,
		IP:       ip,
		Sender:   tc.Mailfrom,
		HELO:     tc.Helo,
		Now:      time.Unix(1700000000, 0),
	}
	res := Check(t.Context(), in)
	if !slices.Contains(want, string(res.Result)) {
		t.Errorf("%s (RFC 7208 %s): Check(ip %s, mailfrom %q, helo %q) = %s, want %s\nexplanation: %s\nsteps:\n%s",
			name, tc.Spec, tc.Host, tc.Mailfrom, tc.Helo, res.Result, strings.Join(want, " or "), res.Explanation, dumpSteps(res.Steps, "  "))
	}
	if tc.Explanation != nil && slices.Contains(want, string(res.Result)) {
		wantExp := *tc.Explanation
		if wantExp == "DEFAULT" {
			// The implementation's default: no text from the domain.
			wantExp = ""
		}
		ok := res.Exp == wantExp
		if why, fold := explanationCase[name]; fold {
			ok = strings.EqualFold(res.Exp, wantExp)
			t.Logf("%s: explanation compared ignoring case: %s", name, why)
		}
		if !ok {
			t.Errorf("%s: exp explanation = %q, want %q\nsteps:\n%s", name, res.Exp, wantExp, dumpSteps(res.Steps, "  "))
		}
	}
	if res.Explanation == "" || len(res.Steps) == 0 {
		t.Errorf("%s: result %s has explanation %q and %d steps; every result must say why", name, res.Result, res.Explanation, len(res.Steps))
	}
	for _, p := range tracetest.TextProblems("explanation", res.Explanation) {
		t.Errorf("%s: %s: %s", name, p, res.Explanation)
	}
	checkSteps(t, res.Steps)
	// The null sender is postmaster@HELO (RFC 7208 §2.4), which is what the
	// HELO identity check evaluates too (§2.3).
	if tc.Mailfrom == "" {
		h := CheckHELO(t.Context(), in)
		if h.Result != res.Result || h.Identity != HELO {
			t.Errorf("%s: CheckHELO = %s (%s), want the null sender's %s", name, h.Result, h.Identity, res.Result)
		}
	}
}

// checkSteps asserts what every step owes a student: a title, a result, a
// plain-words reason and the RFC section behind it.
func checkSteps(t *testing.T, steps []trace.Step) {
	t.Helper()
	for _, s := range steps {
		if s.Title == "" || s.Result == "" || s.Explain == "" || !strings.HasPrefix(s.Ref, "RFC ") {
			t.Errorf("step %+v lacks a title, result, explanation or RFC reference", s)
		}
		for _, p := range tracetest.StepProblems(s) {
			t.Errorf("step %q: %s\n  explain: %s\n  detail: %s\n  ref: %s", s.Title, p, s.Explain, s.Detail, s.Ref)
		}
		checkSteps(t, s.Steps)
	}
}

func dumpSteps(steps []trace.Step, indent string) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%s[%s] %s | %s | %s (%s)\n", indent, s.Result, s.Title, s.Detail, s.Explain, s.Ref)
		if s.Query != nil {
			fmt.Fprintf(&b, "%s      DNS %s %s %s %q\n", indent, s.Query.Name, s.Query.Type, s.Query.Rcode, s.Query.Answers)
		}
		b.WriteString(dumpSteps(s.Steps, indent+"    "))
	}
	return b.String()
}

// serveZonedata starts a loopback DNS server holding a scenario's zone,
// following the suite's conventions (testdata/ORIGIN.md), and reports
// whether the zone has TIMEOUT entries.
func serveZonedata(t *testing.T, zone map[string][]json.RawMessage) (*dnstest.Server, bool) {
	t.Helper()
	srv := dnstest.StartZone(t, "")
	anyTimeout := false
	for owner, entries := range zone {
		name := suiteName(owner)
		if _, ok := dns.IsDomainName(name); !ok || tooLongLabel(owner) {
			// DNS cannot carry it, so no server can hold it.
			t.Logf("zone name %q cannot be served (not a valid DNS name)", owner)
			continue
		}
		var spf [][]string
		hasTXT, timeout := false, false
		for _, raw := range entries {
			var bare string
			if json.Unmarshal(raw, &bare) == nil {
				if bare != "TIMEOUT" {
					t.Fatalf("zone %s: unknown entry %q", owner, bare)
				}
				timeout = true
				continue
			}
			var rr map[string]json.RawMessage
			if err := json.Unmarshal(raw, &rr); err != nil || len(rr) != 1 {
				t.Fatalf("zone %s: entry %s: %v", owner, raw, err)
			}
			for typ, val := range rr {
				hdr := func(rrtype uint16) dns.RR_Header {
					return dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: 300}
				}
				switch typ {
				case "SPF":
					strs := txtStrings(t, val)
					spf = append(spf, strs)
					srv.AddRR(&dns.SPF{Hdr: hdr(dns.TypeSPF), Txt: strs})
				case "TXT":
					hasTXT = true
					strs := txtStrings(t, val)
					if len(strs) == 1 && strs[0] == "NONE" {
						continue // only blocks the synthesis from SPF
					}
					srv.AddRR(&dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: strs})
				case "A", "AAAA":
					var s string
					mustUnmarshal(t, val, &s)
					ip := net.ParseIP(s)
					if ip == nil {
						t.Fatalf("zone %s: bad address %q", owner, s)
					}
					if typ == "A" {
						srv.AddRR(&dns.A{Hdr: hdr(dns.TypeA), A: ip.To4()})
					} else {
						srv.AddRR(&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: ip})
					}
				case "MX":
					var mx []json.RawMessage
					mustUnmarshal(t, val, &mx)
					var pref uint16
					var host string
					if len(mx) != 2 {
						t.Fatalf("zone %s: MX %s", owner, val)
					}
					mustUnmarshal(t, mx[0], &pref)
					mustUnmarshal(t, mx[1], &host)
					srv.AddRR(&dns.MX{Hdr: hdr(dns.TypeMX), Preference: pref, Mx: dns.Fqdn(suiteName(host))})
				case "PTR", "CNAME":
					var target string
					mustUnmarshal(t, val, &target)
					if typ == "PTR" {
						srv.AddRR(&dns.PTR{Hdr: hdr(dns.TypePTR), Ptr: dns.Fqdn(suiteName(target))})
					} else {
						srv.AddRR(&dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: dns.Fqdn(suiteName(target))})
					}
				default:
					t.Fatalf("zone %s: unknown type %s", owner, typ)
				}
			}
		}
		if !hasTXT {
			for _, strs := range spf {
				srv.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: strs})
			}
		}
		if timeout {
			srv.DropNoData(name)
			anyTimeout = true
		}
	}
	return srv, anyTimeout
}

func mustUnmarshal(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

// suiteName writes a zone name of the suite (which may hold spaces and
// other odd bytes) in the escaped form the server matches questions with.
func suiteName(s string) string {
	if s == "" {
		return "."
	}
	return presentation(strings.TrimSuffix(latin1(s), "."))
}

func tooLongLabel(s string) bool {
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(l) > 63 {
			return true
		}
	}
	return false
}

// latin1 turns the suite's "\xNN" characters (decoded from JSON as runes
// below 256) back into the bytes the YAML meant.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 256 {
			b = append(b, byte(r))
		} else {
			b = append(b, string(r)...)
		}
	}
	return string(b)
}

// txtStrings reads a TXT or SPF value (a string or a list of them) as the
// character-strings to serve, escaped for miekg/dns, with strings longer
// than 255 octets split as a zone file would.
func txtStrings(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var list []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		list = []string{one}
	} else {
		mustUnmarshal(t, raw, &list)
	}
	out := []string{}
	for _, s := range list {
		b := latin1(s)
		for {
			chunk := b[:min(len(b), 255)]
			out = append(out, escapeTXT(chunk))
			b = b[len(chunk):]
			if len(b) == 0 {
				break
			}
		}
	}
	return out
}

func escapeTXT(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
