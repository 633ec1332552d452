package report

import "testing"

// TestWithRef: a step's RFC section follows its explanation unless the
// explanation cites that very section already.
func TestWithRef(t *testing.T) {
	cases := []struct {
		name, explain, ref, want string
	}{
		{"appended", "exactly one v=spf1 TXT record was found", "RFC 7208 §4.5", "exactly one v=spf1 TXT record was found (RFC 7208 §4.5)"},
		{"cited at the end", "SPF checks the domain after the @ (RFC 7208 §2.4).", "RFC 7208 §2.4", "SPF checks the domain after the @ (RFC 7208 §2.4)."},
		{"cited in the middle", "A receiver may apply its own policy (RFC 9989 §5.3.6); most do.", "RFC 9989 §5.3.6", "A receiver may apply its own policy (RFC 9989 §5.3.6); most do."},
		{"a subsection is not the section", "DMARC uses the MAIL FROM (RFC 9989 §4.4.2).", "RFC 9989 §4.4", "DMARC uses the MAIL FROM (RFC 9989 §4.4.2). (RFC 9989 §4.4)"},
		{"nor a longer number", "see RFC 7489 §3.10", "RFC 7489 §3.1", "see RFC 7489 §3.10 (RFC 7489 §3.1)"},
		{"the subsection first, the section later", "(RFC 9989 §4.4.2) and (RFC 9989 §4.4)", "RFC 9989 §4.4", "(RFC 9989 §4.4.2) and (RFC 9989 §4.4)"},
		{"no explanation", "", "RFC 7208 §4.5", "(RFC 7208 §4.5)"},
		{"two sections, one cited", "receivers typically reject it (RFC 7489 §6.6.1)", "RFC 9989 §5.3.1; RFC 7489 §6.6.1", "receivers typically reject it (RFC 7489 §6.6.1) (RFC 9989 §5.3.1)"},
		{"two sections, both cited", "see RFC 6376 §3.5 and RFC 7208 §7.3", "RFC 6376 §3.5; RFC 7208 §7.3", "see RFC 6376 §3.5 and RFC 7208 §7.3"},
		{"two sections, none cited", "judged as of now", "RFC 6376 §3.5; RFC 7208 §7.3", "judged as of now (RFC 6376 §3.5; RFC 7208 §7.3)"},
		{"no section", "as found", "", "as found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := withRef(c.explain, c.ref); got != c.want {
				t.Errorf("withRef(%q, %q) = %q, want %q", c.explain, c.ref, got, c.want)
			}
		})
	}
}
