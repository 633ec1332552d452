package inspect

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/headercheck/headercheck/inspect/dmarc"
	"golang.org/x/net/idna"
)

// brands maps names that phishing mail puts in display names to the
// organizational domains those brands send from. A display name naming
// one of them over an address in another domain is the commonest lure
// there is; the list is short on purpose: a sign, not a verdict.
var brands = []struct {
	name    string
	domains []string
}{
	{"paypal", []string{"paypal.com"}},
	{"microsoft", []string{"microsoft.com", "office.com", "outlook.com", "live.com"}},
	{"office 365", []string{"microsoft.com", "office.com", "office365.com"}},
	{"outlook", []string{"microsoft.com", "outlook.com"}},
	{"apple", []string{"apple.com", "icloud.com"}},
	{"icloud", []string{"apple.com", "icloud.com"}},
	{"amazon", []string{"amazon.com"}},
	{"google", []string{"google.com", "gmail.com"}},
	{"gmail", []string{"google.com", "gmail.com"}},
	{"netflix", []string{"netflix.com"}},
	{"facebook", []string{"facebook.com", "facebookmail.com", "meta.com"}},
	{"instagram", []string{"instagram.com", "facebookmail.com", "mail.instagram.com"}},
	{"whatsapp", []string{"whatsapp.com"}},
	{"linkedin", []string{"linkedin.com"}},
	{"docusign", []string{"docusign.com", "docusign.net"}},
	{"dropbox", []string{"dropbox.com", "dropboxmail.com"}},
	{"adobe", []string{"adobe.com"}},
	{"dhl", []string{"dhl.com", "dhl.de"}},
	{"fedex", []string{"fedex.com"}},
	{"ups", []string{"ups.com"}},
	{"usps", []string{"usps.com", "usps.gov"}},
	{"chase", []string{"chase.com", "jpmorgan.com"}},
	{"wells fargo", []string{"wellsfargo.com"}},
	{"bank of america", []string{"bankofamerica.com", "bofa.com"}},
}

// phishingSigns looks at the From field for what no check turns into a
// failure but a reader must see: a display name that names another
// domain or brand than the address, and a From domain with invisible,
// direction-changing or mixed-script characters.
func phishingSigns(rep Report) []Sign {
	from := rep.Source.From
	if from == "" {
		return nil
	}
	var signs []Sign
	fromDomain := rep.DMARC.FromDomain
	addr, err := mail.ParseAddress(from)
	if err == nil && fromDomain == "" {
		if i := strings.LastIndexByte(addr.Address, '@'); i >= 0 {
			fromDomain = strings.ToLower(addr.Address[i+1:])
		}
	}
	if err == nil && addr.Name != "" && fromDomain != "" {
		if s, ok := displayNameSign(addr.Name, fromDomain); ok {
			signs = append(signs, s)
		}
	}
	if fromDomain != "" {
		if s, ok := domainCharSign(fromDomain); ok {
			signs = append(signs, s)
		}
	}
	return signs
}

// displayNameSign reports a display name that names a domain, an address
// or a well-known brand that is not the address's own.
func displayNameSign(name, domain string) (Sign, bool) {
	org, ok := dmarc.OrganizationalDomain(domain)
	if !ok {
		org = domain
	}
	lname := strings.ToLower(name)
	// A domain or an address written in the display name.
	for _, w := range strings.FieldsFunc(lname, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"'<>(),;:[]`, r)
	}) {
		if i := strings.LastIndexByte(w, '@'); i >= 0 {
			w = w[i+1:]
		}
		w = strings.Trim(w, ".")
		if !strings.Contains(w, ".") || !looksLikeDomain(w) {
			continue
		}
		if dmarc.Aligned(domain, w, dmarc.Relaxed) {
			continue
		}
		return Sign{
			Kind:    "display_name_domain",
			Detail:  fmt.Sprintf("display name %q, address in %s", name, domain),
			Explain: fmt.Sprintf("The display name says %s, but the address is in %s: mail programs often show only the name, so a reader sees %s.", w, domain, w),
		}, true
	}
	for _, b := range brands {
		brand, domains := b.name, b.domains
		if !containsWord(lname, brand) {
			continue
		}
		own := false
		for _, d := range domains {
			if dmarc.Aligned(d, domain, dmarc.Relaxed) {
				own = true
			}
		}
		if own || strings.Contains(strings.ReplaceAll(org, "-", ""), strings.ReplaceAll(brand, " ", "")) {
			continue
		}
		return Sign{
			Kind:    "display_name_brand",
			Detail:  fmt.Sprintf("display name %q, address in %s", name, domain),
			Explain: fmt.Sprintf("The display name %q names a well-known sender, but the address is in %s, which is not %s's: mail programs often show only the name.", name, domain, strings.Join(domains, " or ")),
		}, true
	}
	return Sign{}, false
}

// containsWord reports whether s holds w as whole words.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before := start == 0 || !isWordByte(s[start-1])
		after := end == len(s) || !isWordByte(s[end])
		if before && after {
			return true
		}
		i = start + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

func looksLikeDomain(w string) bool {
	labels := strings.Split(w, ".")
	if len(labels) < 2 {
		return false
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	return true
}

// domainCharSign reports a From domain whose Unicode form holds invisible
// or direction-changing characters, or letters from more than one script
// in one label (a Cyrillic "а" among Latin letters).
func domainCharSign(domain string) (Sign, bool) {
	u, err := idna.ToUnicode(domain)
	if err != nil {
		u = domain
	}
	for _, r := range u {
		if isInvisible(r) {
			return Sign{
				Kind:    "from_domain_characters",
				Detail:  fmt.Sprintf("%s holds U+%04X", domain, r),
				Explain: fmt.Sprintf("The From domain %s holds an invisible or direction-changing character (U+%04X), which can make it look like another domain.", domain, r),
			}, true
		}
	}
	for _, label := range strings.Split(u, ".") {
		if scripts := labelScripts(label); len(scripts) > 1 {
			return Sign{
				Kind:    "from_domain_characters",
				Detail:  fmt.Sprintf("%s is %s, mixing %s", domain, u, strings.Join(scripts, " and ")),
				Explain: fmt.Sprintf("The From domain %s (shown as %s) mixes %s letters in one label, a common way to imitate a well-known domain.", domain, u, strings.Join(scripts, " and ")),
			}, true
		}
	}
	if u != domain {
		return Sign{
			Kind:    "from_domain_characters",
			Detail:  fmt.Sprintf("%s is %s", domain, u),
			Explain: fmt.Sprintf("The From domain %s is an internationalized name shown as %s; check that it is the domain you expect and not a look-alike.", domain, u),
		}, true
	}
	return Sign{}, false
}

func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2069, r == 0xFEFF, r == 0x061C, r == 0x00AD:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Hebrew", unicode.Hebrew}, {"Arabic", unicode.Arabic},
	{"Han", unicode.Han}, {"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana},
	{"Hangul", unicode.Hangul}, {"Thai", unicode.Thai}, {"Devanagari", unicode.Devanagari},
	{"Cherokee", unicode.Cherokee},
}

// labelScripts lists the scripts of the letters of one label. Japanese
// mixes Han, Hiragana and Katakana by nature; that is counted as one.
func labelScripts(label string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range label {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, s := range scriptTables {
			if unicode.Is(s.table, r) {
				name := s.name
				if name == "Han" || name == "Hiragana" || name == "Katakana" {
					name = "Japanese/Chinese"
				}
				if !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
				break
			}
		}
	}
	return out
}
