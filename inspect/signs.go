package inspect

import (
	"fmt"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/headercheck/headercheck/inspect/dmarc"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Phishing signs are what no check turns into a failure but a reader must
// see: SPF, DKIM and DMARC vouch for the domain after the @ and say nothing
// about the display name (RFC 9989 §11.4) or about a domain registered to
// look like another (RFC 7489 §2.4, "cousin domains"). They are looked for
// in the From field as written (the first one; DMARC already refuses
// several):
//
//   - a display name that names a domain, an address or a well-known brand
//     that is not the address's own, also when it is spelled with
//     look-alike characters (Cyrillic "а" for Latin "a", fullwidth letters,
//     1 for l, a hidden zero-width space, a right-to-left override that
//     shows "LAPYAP" as "PAYPAL");
//   - invisible or direction-changing characters, and words that mix
//     scripts, in the RFC 2047-decoded display name;
//   - the same in the From domain, checked as written in the header: IDNA
//     processing (UTS #46, which package dmarc applies) silently drops
//     some of them, so the domain DMARC checked may not show them.
//
// Mixing scripts follows Unicode Technical Standard #39 §5.2, "Highly
// Restrictive": one script per word or label, or Latin with the scripts
// Japanese, Chinese or Korean writing combines. The look-alike table is a
// hand-picked part of UTS #39's confusables data (the Cyrillic, Greek and
// Armenian letters that pass for Latin ones); it is a sign, not a verdict,
// so it aims at the tricks phishing mail uses and leaves the rest out.

// brands maps names that phishing mail puts in display names to the
// organizational domains those brands send from. A display name naming
// one of them over an address in another domain is the commonest lure
// there is; the list is short on purpose: a sign, not a verdict.
var brands = []struct {
	name    string // lower case, as matched
	title   string // as the brand writes itself
	domains []string
}{
	{"paypal", "PayPal", []string{"paypal.com"}},
	{"microsoft", "Microsoft", []string{"microsoft.com", "office.com", "outlook.com", "live.com"}},
	{"office 365", "Office 365", []string{"microsoft.com", "office.com", "office365.com"}},
	{"outlook", "Outlook", []string{"microsoft.com", "outlook.com"}},
	{"apple", "Apple", []string{"apple.com", "icloud.com"}},
	{"icloud", "iCloud", []string{"apple.com", "icloud.com"}},
	{"amazon", "Amazon", []string{"amazon.com"}},
	{"google", "Google", []string{"google.com", "gmail.com"}},
	{"gmail", "Gmail", []string{"google.com", "gmail.com"}},
	{"netflix", "Netflix", []string{"netflix.com"}},
	{"facebook", "Facebook", []string{"facebook.com", "facebookmail.com", "meta.com"}},
	{"instagram", "Instagram", []string{"instagram.com", "facebookmail.com", "mail.instagram.com"}},
	{"whatsapp", "WhatsApp", []string{"whatsapp.com"}},
	{"linkedin", "LinkedIn", []string{"linkedin.com"}},
	{"docusign", "DocuSign", []string{"docusign.com", "docusign.net"}},
	{"dropbox", "Dropbox", []string{"dropbox.com", "dropboxmail.com"}},
	{"adobe", "Adobe", []string{"adobe.com"}},
	{"dhl", "DHL", []string{"dhl.com", "dhl.de"}},
	{"fedex", "FedEx", []string{"fedex.com"}},
	{"ups", "UPS", []string{"ups.com"}},
	{"usps", "USPS", []string{"usps.com", "usps.gov"}},
	{"chase", "Chase", []string{"chase.com", "jpmorgan.com"}},
	{"wells fargo", "Wells Fargo", []string{"wellsfargo.com"}},
	{"bank of america", "Bank of America", []string{"bankofamerica.com", "bofa.com"}},
}

// fromAddress is one address of the From field: the display name as a
// mail program shows it (RFC 2047-decoded) and the domain exactly as
// written after the @.
type fromAddress struct {
	name, domain string
}

// fromParser decodes encoded words in any charset the message package
// knows (a Cyrillic name often comes in KOI8-R or windows-1251), not only
// the UTF-8 and Latin-1 of net/mail's own decoder. It is never modified.
var fromParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}

// maxFromAddresses bounds the addresses looked at: signs are one per kind,
// and a From of thousands of addresses must not make thousands of checks.
const maxFromAddresses = 16

// fromAddresses reads the addresses of the From field, raw as written and
// decoded as the message package shows it. A field net/mail cannot parse
// still gives what a mail program would show: the text before "<" as the
// name and what follows the last @ as the domain.
func fromAddresses(raw, decoded string) []fromAddress {
	if name, addr, ok := dmarc.PlainAddress(raw); ok {
		// net/mail would read the same, at several times the cost.
		return []fromAddress{{name: name, domain: domainOf(addr)}}
	}
	list, err := fromParser.ParseList(raw)
	if err != nil || len(list) == 0 {
		list, err = mail.ParseAddressList(decoded)
	}
	if err == nil && len(list) > 0 {
		var out []fromAddress
		for _, a := range list[:min(len(list), maxFromAddresses)] {
			out = append(out, fromAddress{name: a.Name, domain: domainOf(a.Address)})
		}
		return out
	}
	s := decoded
	if s == "" {
		s = raw
	}
	var a fromAddress
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		a.name = strings.Trim(s[:i], " \t\"")
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	a.domain = strings.TrimSpace(domainOf(s))
	if a.name == "" && a.domain == "" {
		return nil
	}
	return []fromAddress{a}
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// phishingSigns looks at the From field for phishing signs. rawFrom is the
// first From field's value as written (unfolded, not decoded); the report
// gives it decoded (Source.From) and the domain DMARC checked. At most one
// sign of each kind is given, the first found.
func phishingSigns(rep Report, rawFrom string) []Sign {
	if rep.Source.From == "" && rawFrom == "" {
		return nil
	}
	var signs []Sign
	add := func(s Sign, ok bool) {
		if ok && !slices.ContainsFunc(signs, func(h Sign) bool { return h.Kind == s.Kind }) {
			signs = append(signs, s)
		}
	}
	addrs := fromAddresses(rawFrom, rep.Source.From)
	for _, a := range addrs {
		// The domain to compare names with: the one DMARC checked when
		// there is one address, else the address's own.
		domain := rep.DMARC.FromDomain
		if len(addrs) > 1 || domain == "" {
			domain = comparableDomain(a.domain)
		}
		if a.name != "" {
			add(nameCharSign(a.name, domain))
			if domain != "" {
				add(displayNameSign(a.name, domain))
			}
		}
		add(domainCharSign(a.domain, domain))
	}
	if len(addrs) == 0 && rep.DMARC.FromDomain != "" {
		add(domainCharSign("", rep.DMARC.FromDomain))
	}
	return signs
}

// comparableDomain is d as DMARC compares domains (A-labels, lower case),
// or d lower-cased when it is not a valid domain name.
func comparableDomain(d string) string {
	if n, err := dmarc.NormalizeDomain(d); err == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(d))
}

// nameDetail is the Detail of a display-name sign: the name with its
// hidden and look-alike characters escaped, and the address's domain.
func nameDetail(name, domain string) string {
	if domain == "" {
		return "display name " + quote(revealed(name))
	}
	return fmt.Sprintf("display name %s, address in %s", quote(revealed(name)), visible(domain))
}

// displayNameSign reports a display name that names a domain, an address
// or a well-known brand that is not the address's own (RFC 9989 §11.4),
// also when the brand is spelled with look-alike characters.
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
			Detail:  nameDetail(name, domain),
			Explain: fmt.Sprintf("The display name says %s, but the address is in %s: mail programs often show only the name, so a reader sees %s.", revealed(w), visible(domain), visible(w)),
		}, true
	}
	skel, tricks := skeleton(name)
	for _, b := range brands {
		plain := containsWord(lname, b.name)
		if !plain && !containsWord(skel, b.name) {
			continue
		}
		own := false
		for _, d := range b.domains {
			if dmarc.Aligned(d, domain, dmarc.Relaxed) {
				own = true
			}
		}
		if own || strings.Contains(strings.ReplaceAll(org, "-", ""), strings.ReplaceAll(b.name, " ", "")) {
			continue
		}
		s := Sign{Kind: "display_name_brand", Detail: nameDetail(name, domain)}
		if plain {
			s.Explain = fmt.Sprintf("The display name %s names a well-known sender, but the address is in %s, which is not %s's: mail programs often show only the name.", quote(visible(name)), visible(domain), strings.Join(b.domains, " or "))
		} else {
			s.Explain = fmt.Sprintf("The display name %s is made to look like %s, a well-known sender, by tricks a reader does not see: %s. The address is in %s, which is not %s's: mail programs often show only the name, and a filter looking for the name %s does not find it.", quote(revealed(name)), b.title, joinWords(tricks), visible(domain), strings.Join(b.domains, " or "), b.title)
		}
		return s, true
	}
	return Sign{}, false
}

// nameCharSign reports a display name that holds invisible or
// direction-changing characters, or a word that mixes scripts.
func nameCharSign(name, domain string) (Sign, bool) {
	if r, ok := firstInvisible(name, true); ok {
		explain := fmt.Sprintf("The display name %s holds an invisible or direction-changing character (U+%04X), %s.", quote(visible(name)), r, charWords(r))
		if s, moved := shown(name); moved {
			explain += fmt.Sprintf(" A reader sees %s.", quote(visible(stripInvisible(s))))
		}
		explain += " Such characters make a name look like one it is not, or hide a word from filters that look for it."
		return Sign{Kind: "display_name_characters", Detail: nameDetail(name, domain), Explain: explain}, true
	}
	if asciiOnly(name) {
		return Sign{}, false // every ASCII letter is Latin: no word can mix scripts (TestASCIIOneScript)
	}
	for _, w := range words(name) {
		scripts := wordScripts(w)
		if !mixedScripts(scripts) {
			continue
		}
		explain := fmt.Sprintf("The display name %s mixes %s letters", quote(revealed(name)), strings.Join(scripts, " and "))
		if w != name {
			explain += " in the word " + quote(revealed(w))
		}
		if r, ok := foreignLetter(w, scripts[0]); ok {
			explain += fmt.Sprintf(": %s", letterWords(r))
		}
		explain += ". A word of a real name keeps to one script (Unicode Technical Standard #39 §5.2 allows only the mixes of Japanese, Chinese and Korean writing); mixing them makes a word look like another, or hides it from filters that look for it."
		return Sign{Kind: "display_name_characters", Detail: nameDetail(name, domain), Explain: explain}, true
	}
	return Sign{}, false
}

// domainCharSign reports a From domain that holds invisible or
// direction-changing characters, or letters from more than one script in
// one label (a Cyrillic "а" among Latin letters), or that is an
// internationalized name. written is the domain as the header writes it,
// checked the one DMARC checked; either may be "".
func domainCharSign(written, checked string) (Sign, bool) {
	const kind = "from_domain_characters"
	for _, d := range []string{written, checked} {
		r, ok := firstInvisible(d, false)
		if !ok {
			continue
		}
		explain := fmt.Sprintf("The From domain is written %s: it holds an invisible or direction-changing character (U+%04X), %s. Such a character can make the domain look like another one.", quote(visible(d)), r, charWords(r))
		if d == written && checked != "" && checked != strings.ToLower(written) {
			explain += fmt.Sprintf(" IDNA processing drops or refuses such characters, so DMARC checked %s; the address as written is not that domain.", visible(checked))
		}
		return Sign{Kind: kind, Detail: fmt.Sprintf("From domain %s holds U+%04X", quote(visible(d)), r), Explain: explain}, true
	}
	d := written
	if d == "" {
		d = checked
	}
	if d == "" || strings.HasPrefix(d, "[") {
		return Sign{}, false
	}
	u, err := idna.ToUnicode(d)
	if err != nil {
		u = d
	}
	looks := ""
	if skel, tricks := skeleton(u); len(tricks) > 0 {
		// The two names are the same for every brand domain: their
		// Organizational Domains are found once, not once per brand.
		shown, real := relaxedTo(skel), relaxedTo(comparableDomain(d))
		for i, b := range brands {
			for j, bd := range b.domains {
				if ba := brandAlignments[i][j]; shown.aligns(ba) && !real.aligns(ba) {
					looks = fmt.Sprintf(" To a reader it looks like %s.", bd)
				}
			}
		}
	}
	// Every ASCII letter is Latin, so only a name with other characters
	// can mix scripts in a label (TestASCIIOneScript).
	for label := range strings.SplitSeq(u, ".") {
		if asciiOnly(label) {
			continue
		}
		if scripts := wordScripts(label); mixedScripts(scripts) {
			explain := fmt.Sprintf("The From domain %s (shown as %s) mixes %s letters in one label", visible(d), visible(u), strings.Join(scripts, " and "))
			if r, ok := foreignLetter(label, scripts[0]); ok {
				explain += ": " + letterWords(r)
			}
			explain += ". That is a common way to imitate a well-known domain (Unicode Technical Standard #39 §5.2)." + looks
			return Sign{
				Kind:    kind,
				Detail:  fmt.Sprintf("From domain %s is %s, mixing %s", visible(d), revealed(u), strings.Join(scripts, " and ")),
				Explain: explain,
			}, true
		}
	}
	if u != d {
		return Sign{
			Kind:    kind,
			Detail:  fmt.Sprintf("From domain %s is %s", visible(d), visible(u)),
			Explain: fmt.Sprintf("The From domain %s is an internationalized name shown as %s; check that it is the domain you expect and not a look-alike.%s", visible(d), visible(u), looks),
		}, true
	}
	return Sign{}, false
}

// relaxedAlignment is one side of dmarc.Aligned(x, name, dmarc.Relaxed)
// worked out ahead, for comparing one name with many.
type relaxedAlignment struct {
	name, org string
	hasOrg    bool
}

func relaxedTo(name string) relaxedAlignment {
	a := relaxedAlignment{name: strings.ToLower(strings.TrimSuffix(name, "."))}
	if a.name != "" {
		a.org, a.hasOrg = dmarc.OrganizationalDomain(a.name)
	}
	return a
}

// aligns is dmarc.Aligned(b's name, a's name, dmarc.Relaxed) (RFC 7489
// §3.1).
func (a relaxedAlignment) aligns(b relaxedAlignment) bool {
	if a.name == "" || b.name == "" {
		return false
	}
	if a.name == b.name {
		return true
	}
	return a.hasOrg && b.hasOrg && a.org == b.org
}

// brandAlignments is brands' domains worked out for alignment once, in the
// same order: every message whose From domain holds a look-alike compares
// it with each of them.
var brandAlignments = func() [][]relaxedAlignment {
	out := make([][]relaxedAlignment, len(brands))
	for i, b := range brands {
		for _, d := range b.domains {
			out[i] = append(out[i], relaxedTo(d))
		}
	}
	return out
}()

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

// invisibleNames say what the common invisible and direction-changing
// characters do, for a student who has never met them.
var invisibleNames = map[rune]string{
	0x00AD: "a soft hyphen, which shows as nothing unless a line breaks there",
	0x034F: "a combining grapheme joiner, which shows as nothing",
	0x061C: "an Arabic letter mark, which shows as nothing but changes the direction of the text around it",
	0x115F: "a Hangul filler, a letter that shows as blank",
	0x1160: "a Hangul filler, a letter that shows as blank",
	0x180E: "a Mongolian vowel separator, which shows as nothing",
	0x200B: "a zero-width space, which shows as nothing",
	0x200C: "a zero-width non-joiner, which shows as nothing",
	0x200D: "a zero-width joiner, which shows as nothing",
	0x200E: "a left-to-right mark, which shows as nothing but changes the direction of the text around it",
	0x200F: "a right-to-left mark, which shows as nothing but changes the direction of the text around it",
	0x202A: "a left-to-right embedding, which shows as nothing but changes the direction of the text after it",
	0x202B: "a right-to-left embedding, which shows as nothing but changes the direction of the text after it",
	0x202C: "a pop directional formatting, which shows as nothing and ends a change of direction",
	0x202D: "a left-to-right override, which shows as nothing and forces the text after it to run left to right",
	0x202E: "a right-to-left override, which shows as nothing and shows the text after it in reverse order",
	0x2060: "a word joiner, which shows as nothing",
	0x2066: "a left-to-right isolate, which shows as nothing but changes the direction of the text after it",
	0x2067: "a right-to-left isolate, which shows as nothing but changes the direction of the text after it",
	0x2068: "a first-strong isolate, which shows as nothing but changes the direction of the text after it",
	0x2069: "a pop directional isolate, which shows as nothing and ends a change of direction",
	0x2800: "a blank Braille pattern, which shows as blank space",
	0x3164: "a Hangul filler, a letter that shows as blank",
	0xFEFF: "a zero-width no-break space (byte order mark), which shows as nothing",
	0xFFA0: "a halfwidth Hangul filler, a letter that shows as blank",
}

// charWords says what invisible character r is and does.
func charWords(r rune) string {
	if w, ok := invisibleNames[r]; ok {
		return w
	}
	if r >= 0xE0000 && r <= 0xE007F {
		return "a tag character, which shows as nothing"
	}
	return "an invisible formatting character"
}

// isInvisible reports characters that show as nothing (or as blank) or
// change the direction of the text around them: Unicode's format
// characters (Cf: zero-width, bidi controls, soft hyphen, byte order
// mark, tags) and the fillers and blanks that are letters or symbols but
// look like nothing.
func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x2069, r == 0xFEFF, r == 0x061C, r == 0x00AD:
		return true
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0, r == 0x2800:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// firstInvisible finds the first invisible character of s. In a display
// name (inName) it passes over those that have a visible job there: a
// zero-width joiner or non-joiner after a letter of a script that joins
// letters (Arabic, the Indic scripts; RFC 5892 Appendix A.1 and A.2 allow
// them there in domain names too) or inside an emoji sequence, and the
// tag characters of a flag emoji. Between Latin, Greek or Cyrillic letters
// and in a domain they do nothing a reader can see.
func firstInvisible(s string, inName bool) (rune, bool) {
	prev := rune(-1)
	for _, r := range s {
		if isInvisible(r) && !(inName && visibleJob(prev, r)) {
			return r, true
		}
		if !(r >= 0xE0020 && r <= 0xE007F) { // a flag's tags all follow its U+1F3F4
			prev = r
		}
	}
	return 0, false
}

func visibleJob(prev, r rune) bool {
	switch {
	case r == 0x200C || r == 0x200D:
		if prev < 0 {
			return false
		}
		if isEmoji(prev) {
			return true
		}
		if !unicode.IsLetter(prev) && !unicode.Is(unicode.Mn, prev) && !unicode.Is(unicode.Mc, prev) {
			return false
		}
		s := scriptOf(prev)
		return s != "" && s != "Latin" && s != "Greek" && s != "Cyrillic"
	case r >= 0xE0020 && r <= 0xE007F:
		return prev == 0x1F3F4
	}
	return false
}

// isEmoji is a rough test for the pictographs that emoji sequences join
// with U+200D (the main emoji blocks, and the variation selector that
// follows many of them).
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r == 0xFE0F
}

// stripInvisible drops the invisible characters of s.
func stripInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// shown is s in the order a reader sees it when it holds a right-to-left
// override (U+202E): the characters after it, up to a pop directional
// formatting (U+202C) or the end, are shown reversed. It is the one bidi
// trick that turns Latin letters around ("\u202eLAPYAP" shows "PAYPAL");
// embeddings and isolates only move whole runs. moved says whether s held
// one.
func shown(s string) (out string, moved bool) {
	const rlo, pdf = "\u202e", "\u202c"
	if !strings.Contains(s, rlo) {
		return s, false
	}
	var b strings.Builder
	for {
		i := strings.Index(s, rlo)
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		s = s[i+len(rlo):]
		run := s
		if j := strings.Index(s, pdf); j >= 0 {
			run, s = s[:j], s[j+len(pdf):]
		} else {
			s = ""
		}
		if k := strings.Index(run, rlo); k >= 0 { // nested: the inner one is treated as the next
			run, s = run[:k], run[k:]+s
		}
		rs := []rune(run)
		slices.Reverse(rs)
		b.WriteString(string(rs))
	}
}

// confusables are letters of other scripts that look like Latin letters,
// from Unicode Technical Standard #39's confusables data: the Cyrillic,
// Greek and Armenian ones phishing uses, and a few Latin letters that pass
// for others.
var confusables = map[rune]rune{
	// Cyrillic
	0x0430: 'a', 0x0435: 'e', 0x043E: 'o', 0x0440: 'p', 0x0441: 'c', 0x0443: 'y', 0x0445: 'x',
	0x0455: 's', 0x0456: 'i', 0x0458: 'j', 0x04BB: 'h', 0x0501: 'd', 0x051B: 'q', 0x051D: 'w',
	0x04CF: 'l',
	0x0410: 'A', 0x0412: 'B', 0x0415: 'E', 0x041A: 'K', 0x041C: 'M', 0x041D: 'H', 0x041E: 'O',
	0x0420: 'P', 0x0421: 'C', 0x0422: 'T', 0x0423: 'Y', 0x0425: 'X', 0x0405: 'S', 0x0406: 'I',
	0x0408: 'J', 0x04C0: 'I', 0x051A: 'Q', 0x051C: 'W', 0x04AE: 'Y',
	// Greek
	0x03B1: 'a', 0x03BF: 'o', 0x03BD: 'v', 0x03C1: 'p', 0x03B9: 'i', 0x03BA: 'k', 0x03C5: 'u',
	0x03C7: 'x', 0x03B3: 'y',
	0x0391: 'A', 0x0392: 'B', 0x0395: 'E', 0x0396: 'Z', 0x0397: 'H', 0x0399: 'I', 0x039A: 'K',
	0x039C: 'M', 0x039D: 'N', 0x039F: 'O', 0x03A1: 'P', 0x03A4: 'T', 0x03A5: 'Y', 0x03A7: 'X',
	// Armenian
	0x0585: 'o', 0x057D: 'u', 0x0570: 'h', 0x0578: 'n', 0x0581: 'g', 0x0566: 'q',
	// Latin letters that pass for others
	0x0131: 'i', 0x0251: 'a', 0x0261: 'g', 0x0269: 'i', 0x01C0: 'l',
}

// skeleton is s as a reader may read it, for matching brand names: the
// reversed run of a right-to-left override turned around, invisible
// characters dropped, look-alike letters (confusables, and the fullwidth
// and mathematical letters that NFKC folds to ASCII) replaced by the
// Latin letters they pass for, lower case, and in a word that mixes
// letters and digits 0 read as o and 1 as l. tricks says, in words, the
// first few replacements it made; none means s reads as written.
func skeleton(s string) (string, []string) {
	var tricks []string
	note := func(t string) {
		if len(tricks) < 3 && !slices.Contains(tricks, t) {
			tricks = append(tricks, t)
		}
	}
	s, moved := shown(s)
	if moved {
		note("U+202E, which shows the letters after it in reverse order")
	}
	// One buffer, the size of s for the usual name, rewritten in place
	// below: the 0-and-1 pass works on bytes.
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if isInvisible(r) {
			note(fmt.Sprintf("an invisible U+%04X", r))
			continue
		}
		if l, ok := confusables[r]; ok {
			note(fmt.Sprintf("%c (U+%04X, %s) for %c", r, r, orWord(scriptOf(r), "another script"), l))
			out = utf8.AppendRune(out, unicode.ToLower(l))
			continue
		}
		if r >= utf8.RuneSelf && unicode.IsLetter(r) {
			if k := norm.NFKC.String(string(r)); k != string(r) && isASCIIAlpha(k) {
				note(fmt.Sprintf("%c (U+%04X) for %s", r, r, k))
				out = append(out, strings.ToLower(k)...)
				continue
			}
		}
		out = utf8.AppendRune(out, unicode.ToLower(r))
	}
	// 0 for o and 1 for l, only inside a word that has letters too.
	for i := 0; i < len(out); {
		j := i
		letters, digits := false, false
		for j < len(out) && (out[j] >= 'a' && out[j] <= 'z' || out[j] >= '0' && out[j] <= '9') {
			letters = letters || out[j] >= 'a'
			digits = digits || out[j] <= '9'
			j++
		}
		if letters && digits {
			for k := i; k < j; k++ {
				switch out[k] {
				case '0':
					out[k] = 'o'
					note("0 for o")
				case '1':
					out[k] = 'l'
					note("1 for l")
				}
			}
		}
		i = max(j, i+1)
	}
	return string(out), tricks
}

// asciiOnly reports whether s is all ASCII.
func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIIAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// words splits a display name into words: runs of letters, marks and
// digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Hebrew", unicode.Hebrew}, {"Arabic", unicode.Arabic},
	{"Han", unicode.Han}, {"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana},
	{"Hangul", unicode.Hangul}, {"Bopomofo", unicode.Bopomofo}, {"Thai", unicode.Thai},
	{"Devanagari", unicode.Devanagari}, {"Cherokee", unicode.Cherokee}, {"Georgian", unicode.Georgian},
}

// scriptOf is the Unicode script of r, "" for Common and Inherited
// characters (digits, punctuation, combining marks), which belong to none.
func scriptOf(r rune) string {
	for _, s := range scriptTables {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	if r < utf8.RuneSelf {
		return ""
	}
	for name, t := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

// wordScripts lists the scripts of the letters of one word or label, in
// the order they appear.
func wordScripts(w string) []string {
	var out []string
	for _, r := range w {
		if !unicode.IsLetter(r) {
			continue
		}
		if s := scriptOf(r); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// cjk are the script mixes UTS #39 §5.2 ("Highly Restrictive") allows in
// one word: Latin with Japanese, Chinese or Korean writing.
var cjk = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// mixedScripts reports whether scripts, those of one word, are a mix UTS
// #39 §5.2 calls suspicious.
func mixedScripts(scripts []string) bool {
	if len(scripts) < 2 {
		return false
	}
	for _, allowed := range cjk {
		if !slices.ContainsFunc(scripts, func(s string) bool { return !slices.Contains(allowed, s) }) {
			return false
		}
	}
	return true
}

// foreignLetter is the first letter of w that is not of script first.
func foreignLetter(w, first string) (rune, bool) {
	for _, r := range w {
		if unicode.IsLetter(r) {
			if s := scriptOf(r); s != "" && s != first {
				return r, true
			}
		}
	}
	return 0, false
}

// letterWords says what letter r is, and what it passes for.
func letterWords(r rune) string {
	script := orWord(scriptOf(r), "non-Latin")
	article := "a"
	if strings.ContainsRune("AEIOU", rune(script[0])) {
		article = "an"
	}
	w := fmt.Sprintf("%c (U+%04X) is %s %s letter", r, r, article, script)
	if l, ok := confusables[r]; ok {
		w += fmt.Sprintf(" that looks like the Latin %c", l)
	}
	return w
}

// visible is s with what a reader cannot see made visible: invisible and
// direction-changing characters, control characters and bytes that are
// not UTF-8 are written as escapes (\u200b, \x1b), as package safe writes
// them. Signs carry it so that the sign itself shows the trick.
func visible(s string) string {
	if !strings.ContainsFunc(s, needsEscape) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			writeEscape(&b, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || isInvisible(r)
}

func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	case r > 0xFFFF:
		fmt.Fprintf(b, `\U%08x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// revealed is visible(s), and in each word that mixes scripts the
// look-alike letters escaped as well, so "PаyPal" with a Cyrillic "а"
// reads "P\u0430yPal". A word in one script keeps its letters: a Russian
// name is not escaped for having Cyrillic "а"s.
func revealed(s string) string {
	s = visible(s)
	mixed := false
	for _, w := range words(s) {
		if mixedScripts(wordScripts(w)) {
			mixed = true
			break
		}
	}
	if !mixed {
		return s
	}
	var b strings.Builder
	start := -1 // start of the current word
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		if mixedScripts(wordScripts(w)) {
			for _, r := range w {
				if _, ok := confusables[r]; ok {
					writeEscape(&b, r)
				} else {
					b.WriteRune(r)
				}
			}
		} else {
			b.WriteString(w)
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(s))
	return b.String()
}

// quote puts s, already made visible, in double quotes.
func quote(s string) string { return `"` + s + `"` }
