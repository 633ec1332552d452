package arc

import (
	"strings"
	"testing"
)

// FuzzParseSignatures reads arbitrary ARC-Seal and ARC-Message-Signature
// values: no panic, and what parses is within the RFC's bounds.
func FuzzParseSignatures(f *testing.F) {
	for _, s := range []string{
		"i=1; a=rsa-sha256; cv=none; d=lists.example.org; s=arc; t=1763625660; b=EXM8hOBXJuBo8EOA82H9BTItqfae/qfYFpO8",
		"i=3; a=rsa-sha256; d=subspace.kernel.org; s=arc-20240116;\n\tt=1726822411; cv=pass; b=NTlf A+y8aDNjT3 yGkRbr0lP4dG1=",
		"i=1; a=rsa-sha256; c=relaxed; d=webhostingserver.nl; s=whs1; t=1726822338;\n\tbh=aWE098Eh+hKoVJ1x4B7cc4FweM0bu5M/qDTQ3MebZVM=;\n\th=Content-Type:MIME-Version:From;\n\tb=w0Tni9uJ",
		"i=2; a=ed25519-sha256; c=relaxed/simple; d=x.example; s=s; h=from:from; bh=; b=AAAA; l=99999999999999999999; x=1",
		"i=51; a=rsa-sha1; cv=fail; h=from; d=-bad-.example; s=..; b=!!",
		"v=1; i=01; a=rsa-sha256; d=x.example; s=s; bh=AAAA; h=From; b=AAAA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, parse := range []func(string) (*signature, *problem){parseSeal, parseMessageSig} {
			s, p := parse(v)
			if s == nil {
				t.Fatalf("nil signature for %q", v)
			}
			if p != nil {
				if p.title == "" || p.explain == "" || p.ref == "" {
					t.Errorf("problem without words for %q: %+v", v, p)
				}
				continue
			}
			if s.instance < 1 || s.instance > MaxInstance || len(s.sig) == 0 || s.hash == 0 || !validDomain(s.domain) {
				t.Errorf("accepted %q: %+v", v, s)
			}
			if s.cv != "" && s.cv != "none" && s.cv != "pass" && s.cv != "fail" {
				t.Errorf("cv=%q accepted", s.cv)
			}
			for _, h := range s.headers {
				if h == "" || strings.ContainsAny(h, " \t\r\n:") {
					t.Errorf("h= name %q accepted", h)
				}
			}
		}
	})
}
