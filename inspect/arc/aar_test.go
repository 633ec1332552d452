package arc_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/arc"
)

// show renders results compactly: "spf=pass{smtp.mailfrom=x} (comment)".
func show(r arc.Results) string {
	var parts []string
	for _, x := range r.Results {
		var props []string
		for k, v := range x.Props {
			props = append(props, k+"="+v)
		}
		sort.Strings(props)
		s := x.Method + "=" + x.Result + "{" + strings.Join(props, " ") + "}"
		if x.Comment != "" {
			s += " (" + x.Comment + ")"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("id=%q v=%q none=%v %s ignored=%q", r.AuthServID, r.Version, r.NoResult, strings.Join(parts, "; "), r.Ignored)
}

func TestParseResults(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		// RFC 8617 Appendix B, i=1.
		{"RFC 8617 App. B i=1", " lists.example.org; spf=pass\r\n    smtp.mfrom=jqd@d1.example; dkim=pass (512-bit key)\r\n    header.i=@d1.example; dmarc=pass",
			`id="lists.example.org" v="" none=false spf=pass{smtp.mfrom=jqd@d1.example}; dkim=pass{header.i=@d1.example} (512-bit key); dmarc=pass{} ignored=[]`},
		// RFC 8617 Appendix B, i=3: a comment with commas, "=" and nested parentheses.
		{"RFC 8617 App. B i=3", " clochette.example.org; spf=fail\r\n    smtp.from=jqd@d1.example; dkim=fail (512-bit key)\r\n    header.i=@d1.example; dmarc=fail; arc=pass (as.2.gmail.example=pass,\r\n    ams.2.gmail.example=pass, as.1.lists.example.org=pass,\r\n    ams.1.lists.example.org=fail (message has been altered))",
			`id="clochette.example.org" v="" none=false spf=fail{smtp.from=jqd@d1.example}; dkim=fail{header.i=@d1.example} (512-bit key); dmarc=fail{}; arc=pass{} (as.2.gmail.example=pass, ams.2.gmail.example=pass, as.1.lists.example.org=pass, ams.1.lists.example.org=fail (message has been altered)) ignored=[]`},
		// Microsoft 365's ARC-Authentication-Results of i=2 in a linux-kernel
		// list post (dinosaure/blaze test/006.mail): authserv-id with version.
		{"Microsoft 365 AAR", " mx.microsoft.com 1; spf=pass (sender ip is\n 63.35.35.123) smtp.rcpttodomain=vger.kernel.org smtp.mailfrom=arm.com;\n dmarc=pass (p=none sp=none pct=100) action=none header.from=arm.com;\n dkim=pass (signature was verified) header.d=arm.com; arc=pass (0 oda=1 ltdi=1\n spf=[1,1,smtp.mailfrom=arm.com] dkim=[1,1,header.d=arm.com]\n dmarc=[1,1,header.from=arm.com])",
			`id="mx.microsoft.com" v="1" none=false spf=pass{smtp.mailfrom=arm.com smtp.rcpttodomain=vger.kernel.org} (sender ip is 63.35.35.123); dmarc=pass{action=none header.from=arm.com} (p=none sp=none pct=100); dkim=pass{header.d=arm.com} (signature was verified); arc=pass{} (0 oda=1 ltdi=1 spf=[1,1,smtp.mailfrom=arm.com] dkim=[1,1,header.d=arm.com] dmarc=[1,1,header.from=arm.com]) ignored=[]`},
		// Microsoft 365's Authentication-Results without an authserv-id, from
		// the composite authentication example of Microsoft's anti-spoofing
		// documentation (MicrosoftDocs/microsoft-365-docs), with its stray
		// "contoso.com;" parts.
		{"Microsoft 365 A-R without authserv-id", "spf=none (sender IP is 10.2.3.4)\r\n  smtp.mailfrom=fabrikam.com; contoso.com; dkim=none\r\n  (message not signed) header.d=none; contoso.com; dmarc=none\r\n  action=none header.from=fabrikam.com; compauth=fail reason=001",
			`id="" v="" none=false spf=none{smtp.mailfrom=fabrikam.com} (sender IP is 10.2.3.4); dkim=none{header.d=none} (message not signed); dmarc=none{action=none header.from=fabrikam.com}; compauth=fail{reason=001} ignored=["contoso.com" "contoso.com"]`},
		// kernel.org's Authentication-Results with quoted header.b (blaze 006.mail).
		{"quoted values", " smtp.subspace.kernel.org;\r\n\tdkim=pass (1024-bit key) header.d=arm.com header.i=@arm.com header.b=\"KoxoQrPZ\";\r\n\tdkim=pass (1024-bit key) header.d=arm.com header.i=@arm.com header.b=\"KoxoQrPZ\"",
			`id="smtp.subspace.kernel.org" v="" none=false dkim=pass{header.b=KoxoQrPZ header.d=arm.com header.i=@arm.com} (1024-bit key); dkim=pass{header.b=KoxoQrPZ header.d=arm.com header.i=@arm.com} (1024-bit key) ignored=[]`},
		// webhostingserver.nl's i=1 (blaze 005.mail): a bare property as a
		// part of its own, and the non-standard dmarc=skipped.
		{"bare property part", " webhostingserver.nl; smtp.remote-ip=178.250.146.69;\n\tiprev=pass (cust-178-250-146-69.breedbanddelft.nl) smtp.remote-ip=178.250.146.69;\n\tauth=pass (PLAIN) smtp.auth=ferry.toth@elsinga.info;\n\tspf=softfail smtp.mailfrom=gmail.com;\n\tdmarc=skipped header.from=gmail.com;\n\tarc=none",
			`id="webhostingserver.nl" v="" none=false iprev=pass{smtp.remote-ip=178.250.146.69} (cust-178-250-146-69.breedbanddelft.nl); auth=pass{smtp.auth=ferry.toth@elsinga.info} (PLAIN); spf=softfail{smtp.mailfrom=gmail.com}; dmarc=skipped{header.from=gmail.com}; arc=none{} ignored=["smtp.remote-ip=178.250.146.69"]`},
		// RFC 8601 Appendix B.2: nothing was checked.
		{"no result", "example.org 1; none", `id="example.org" v="1" none=true  ignored=[]`},
		{"spaces around =", "mx.example; dkim = pass header.d = example.org", `id="mx.example" v="" none=false dkim=pass{header.d=example.org} ignored=[]`},
		{"a semicolon in a comment and a quoted string", `mx.example; spf=pass (a;b) smtp.mailfrom="x;y@example.org"; dmarc=pass`,
			`id="mx.example" v="" none=false spf=pass{smtp.mailfrom=x;y@example.org} (a;b); dmarc=pass{} ignored=[]`},
		{"unclosed comment", "mx.example; spf=pass (never closed", `id="mx.example" v="" none=false spf=pass{} (never closed) ignored=[]`},
		{"empty", "", `id="" v="" none=false  ignored=[]`},
		{"method with version", "mx.example; dkim/1=pass header.d=example.org", `id="mx.example" v="" none=false dkim=pass{header.d=example.org} ignored=[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := show(arc.ParseResults(c.in)); got != c.want {
				t.Errorf("ParseResults(%q)\n got %s\nwant %s", c.in, got, c.want)
			}
		})
	}
}

func TestParseAAR(t *testing.T) {
	cases := []struct {
		name, in string
		instance int
		err      bool
		summary  string
	}{
		{"RFC 8617 App. B", " i=1; lists.example.org; spf=pass\r\n    smtp.mfrom=jqd@d1.example; dkim=pass (512-bit key)\r\n    header.i=@d1.example; dmarc=pass", 1, false,
			"at i=1, lists.example.org saw SPF pass, DKIM pass, DMARC pass"},
		{"no space after colon (kernel.org)", "i=3; smtp.subspace.kernel.org; dmarc=fail (p=none dis=none) header.from=gmail.com; spf=fail smtp.mailfrom=gmail.com; arc=pass smtp.client-ip=141.138.168.70", 3, false,
			"at i=3, smtp.subspace.kernel.org saw DMARC fail, SPF fail, ARC pass"},
		{"comment before the instance", " (hop) i = 12 ; mx.example; dmarc=pass", 12, false, "at i=12, mx.example saw DMARC pass"},
		{"duplicate results said once", "i=2; mx.example; dkim=pass header.d=a.example; dkim=pass header.d=b.example", 2, false, "at i=2, mx.example saw DKIM pass"},
		{"no results", "i=1; mx.example", 1, false, "at i=1, mx.example recorded no results"},
		{"none", "i=1; mx.example; none", 1, false, "at i=1, mx.example recorded that it checked nothing (none)"},
		{"no authserv-id", "i=1; dmarc=pass", 1, false, "at i=1, an intermediary that gave no name saw DMARC pass"},
		{"instance 0", "i=0; mx.example; dmarc=pass", 0, true, "at i=?, mx.example saw DMARC pass"},
		{"instance 51", "i=51; mx.example; dmarc=pass", 51, true, "at i=51, mx.example saw DMARC pass"},
		{"three digits", "i=001; mx.example; dmarc=pass", 0, true, "at i=?, mx.example saw DMARC pass"},
		{"leading zero", "i=01; mx.example; dmarc=pass", 1, false, "at i=1, mx.example saw DMARC pass"},
		{"uppercase I", "I=1; mx.example; dmarc=pass", 0, true, "at i=?, mx.example saw DMARC pass"},
		{"no semicolon", "i=1 mx.example", 1, true, "at i=1, an intermediary that gave no name recorded no results"},
		{"no instance", "mx.example; dmarc=pass", 0, true, "at i=?, an intermediary that gave no name saw DMARC pass"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := arc.ParseAAR(c.in)
			if (err != nil) != c.err || (err != nil && !errors.Is(err, arc.ErrInstance)) {
				t.Errorf("ParseAAR(%q) error = %v, want error %v", c.in, err, c.err)
			}
			if got.Instance != c.instance || got.Summary != c.summary {
				t.Errorf("ParseAAR(%q) = i=%d %q, want i=%d %q", c.in, got.Instance, got.Summary, c.instance, c.summary)
			}
		})
	}
}

func TestResultDomain(t *testing.T) {
	r := arc.ParseResults("mx; spf=pass smtp.mailfrom=Bounce@Lists.Example.ORG.; dkim=pass header.i=@d1.example; dmarc=pass header.from=d1.example; iprev=pass policy.iprev=192.0.2.1")
	want := []string{"lists.example.org", "d1.example", "d1.example", ""}
	for i, x := range r.Results {
		if got := x.Domain(); got != want[i] {
			t.Errorf("%s Domain() = %q, want %q", x.Method, got, want[i])
		}
	}
}
