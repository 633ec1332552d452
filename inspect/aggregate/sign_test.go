package aggregate_test

// A DKIM signer and ARC sealer for the teaching gallery's generator.
//
// They are written here, apart from inspect/dkim, so that the gallery's
// signatures are not checked by the same code that made them: the gallery
// test verifies every DKIM signature with inspect/dkim and with go-msgauth,
// and every ARC chain with inspect/arc. go-msgauth's own signer cannot set
// t= (it stamps the wall clock) or l=, and the lessons need both: t= as the
// message's send time so a replay is the same every year, and l= for the
// lesson about it.

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mail is a message being built: raw header fields, top first, each
// "Name: value" with CRLF folding and no final CRLF, and a body with CRLF
// line ends.
type mail struct {
	fields []string
	body   string
}

// newMail reads a message written with LF line ends, as in the generator's
// Go source.
func newMail(text string) *mail {
	text = strings.ReplaceAll(text, "\n", "\r\n")
	head, body, _ := strings.Cut(text, "\r\n\r\n")
	m := &mail{body: body}
	for _, line := range strings.Split(head, "\r\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(m.fields) > 0 {
			m.fields[len(m.fields)-1] += "\r\n" + line
			continue
		}
		m.fields = append(m.fields, line)
	}
	return m
}

// prepend adds header fields on top, as a server on the way does; fields
// are given top first and written with LF line ends.
func (m *mail) prepend(fields ...string) {
	var add []string
	for _, f := range fields {
		add = append(add, newMail(f+"\n\n").fields...)
	}
	m.fields = append(add, m.fields...)
}

// replace swaps the value of the first field called name.
func (m *mail) replace(name, value string) {
	for i, f := range m.fields {
		if n, _, ok := strings.Cut(f, ":"); ok && strings.EqualFold(strings.TrimSpace(n), name) {
			m.fields[i] = n + ": " + value
			return
		}
	}
	panic("no field " + name)
}

// get returns the unfolded value of the first field called name.
func (m *mail) get(name string) string {
	for _, f := range m.fields {
		if n, v, ok := strings.Cut(f, ":"); ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(strings.ReplaceAll(v, "\r\n", ""))
		}
	}
	return ""
}

func (m *mail) clone() *mail {
	return &mail{fields: append([]string(nil), m.fields...), body: m.body}
}

// bytes is the message as it is stored in the gallery: LF line ends, as
// mail is stored on Unix (inspect/dkim and inspect/arc read a lone LF as
// CRLF, RFC 6376 §5.3).
func (m *mail) bytes() []byte {
	return []byte(strings.ReplaceAll(m.wire(), "\r\n", "\n"))
}

// wire is the message as it travels in SMTP, with CRLF line ends.
func (m *mail) wire() string {
	return strings.Join(m.fields, "\r\n") + "\r\n\r\n" + m.body
}

// key is one TEST-ONLY signing key of the gallery.
type key struct {
	domain, selector string
	signer           crypto.Signer
}

func (k key) algorithm() string {
	if _, ok := k.signer.(ed25519.PrivateKey); ok {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}

// record is the key's DNS TXT record text (RFC 6376 §3.6.1, RFC 8463 §4).
func (k key) record() string {
	switch pub := k.signer.Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			panic(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	}
}

// zone is the key's record as zone-file text, split into strings of at
// most 255 bytes as a TXT record must be (RFC 1035 §3.3.14).
func (k key) zone() string {
	txt := k.record()
	var parts []string
	for len(txt) > 200 {
		parts = append(parts, txt[:200])
		txt = txt[200:]
	}
	parts = append(parts, txt)
	name := k.selector + "._domainkey." + k.domain + "."
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strconv.Quote(p)
	}
	if len(parts) == 1 {
		return name + " TXT " + quoted[0]
	}
	return name + " TXT ( " + strings.Join(quoted, "\n        ") + " )"
}

func (k key) sign(digest []byte) string {
	var sig []byte
	var err error
	switch s := k.signer.(type) {
	case ed25519.PrivateKey:
		// RFC 8463 §3: Ed25519 signs the SHA-256 hash, not the data.
		sig = ed25519.Sign(s, digest)
	default:
		sig, err = s.Sign(rand.Reader, digest, crypto.SHA256)
	}
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// keyring holds the gallery's keys by "domain/selector".
type keyring map[string]key

func (r keyring) get(domain, selector string) key {
	k, ok := r[domain+"/"+selector]
	if !ok {
		panic("no key " + domain + "/" + selector)
	}
	return k
}

// loadKeys reads the TEST-ONLY keys from dir, making any that are missing.
// Each file is TEST-ONLY-<domain>-<selector>.pem, PKCS #8.
func loadKeys(t *testing.T, dir string, want [][3]string) keyring {
	t.Helper()
	r := keyring{}
	for _, w := range want {
		domain, selector, kind := w[0], w[1], w[2]
		path := filepath.Join(dir, "TEST-ONLY-"+domain+"-"+selector+".pem")
		var signer crypto.Signer
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			blk, _ := pem.Decode(b)
			if blk == nil {
				t.Fatalf("%s: no PEM block", path)
			}
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			signer = k.(crypto.Signer)
		case errors.Is(err, os.ErrNotExist):
			if kind == "ed25519" {
				_, signer, err = ed25519.GenerateKey(rand.Reader)
			} else {
				signer, err = rsa.GenerateKey(rand.Reader, 2048)
			}
			if err != nil {
				t.Fatal(err)
			}
			der, err := x509.MarshalPKCS8PrivateKey(signer)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal(err)
		}
		r[domain+"/"+selector] = key{domain: domain, selector: selector, signer: signer}
	}
	return r
}

// Canonicalization (RFC 6376 §3.4).

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// relaxedHeader is RFC 6376 §3.4.2, with the final CRLF.
func relaxedHeader(field string) string {
	name, value, _ := strings.Cut(field, ":")
	name = strings.ToLower(strings.TrimRight(name, " \t"))
	value = strings.ReplaceAll(value, "\r\n", "")
	return name + ":" + collapse(value) + "\r\n"
}

// collapse turns every run of WSP into one space and trims both ends.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if isWSP(s[i]) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(s[i])
	}
	return b.String()
}

// canonBody is RFC 6376 §3.4.3 (simple) and §3.4.4 (relaxed).
func canonBody(body, method string) string {
	lines := strings.Split(body, "\r\n")
	if method == "relaxed" {
		for i, l := range lines {
			var b strings.Builder
			space := false
			for j := 0; j < len(l); j++ {
				if isWSP(l[j]) {
					space = true
					continue
				}
				if space {
					b.WriteByte(' ')
				}
				space = false
				b.WriteByte(l[j])
			}
			lines[i] = b.String()
		}
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		if method == "relaxed" {
			return ""
		}
		return "\r\n"
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// sigSpec says how to sign: a DKIM-Signature, or the ARC-Message-Signature
// of instance I.
type sigSpec struct {
	field     string    // "DKIM-Signature" or "ARC-Message-Signature"
	instance  int       // ARC i=
	headers   []string  // h=
	bodyCanon string    // "relaxed" (default) or "simple"
	at        time.Time // t=
	length    bool      // l=: sign only the body as it is now
	identity  string    // DKIM i=
}

// sign adds a DKIM-Signature (or ARC-Message-Signature) by k on top of m
// and returns it.
func (k key) signMail(m *mail, s sigSpec) string {
	if s.field == "" {
		s.field = "DKIM-Signature"
	}
	if s.bodyCanon == "" {
		s.bodyCanon = "relaxed"
	}
	body := canonBody(m.body, s.bodyCanon)
	bh := sha256.Sum256([]byte(body))
	var tags []string
	if s.field == "ARC-Message-Signature" {
		tags = append(tags, "i="+strconv.Itoa(s.instance))
	} else {
		tags = append(tags, "v=1")
	}
	tags = append(tags, "a="+k.algorithm(), "c=relaxed/"+s.bodyCanon, "d="+k.domain, "s="+k.selector,
		"t="+strconv.FormatInt(s.at.Unix(), 10))
	if s.length {
		tags = append(tags, "l="+strconv.Itoa(len(body)))
	}
	if s.identity != "" {
		tags = append(tags, "i="+s.identity)
	}
	tags = append(tags, "h="+strings.Join(s.headers, ":"), "bh="+base64.StdEncoding.EncodeToString(bh[:]))

	h := sha256.New()
	used := map[int]bool{}
	for _, name := range s.headers {
		// The bottom-most unused instance of the name (RFC 6376 §5.4.2).
		for i := len(m.fields) - 1; i >= 0; i-- {
			n, _, _ := strings.Cut(m.fields[i], ":")
			if !used[i] && strings.EqualFold(strings.TrimSpace(n), name) {
				used[i] = true
				h.Write([]byte(relaxedHeader(m.fields[i])))
				break
			}
		}
	}
	unsigned := fold(s.field, tags, "")
	h.Write([]byte(strings.TrimSuffix(relaxedHeader(unsigned), "\r\n")))
	field := fold(s.field, tags, k.sign(h.Sum(nil)))
	m.fields = append([]string{field}, m.fields...)
	return field
}

// seal adds ARC set i (RFC 8617 §5.1): the ARC-Authentication-Results
// with results, an ARC-Message-Signature over headers, and the ARC-Seal
// over every ARC set, with chain validation status cv.
func (k key) seal(m *mail, i int, results string, headers []string, at time.Time, cv string) {
	m.prepend(fmt.Sprintf("ARC-Authentication-Results: i=%d; %s", i, results))
	k.signMail(m, sigSpec{field: "ARC-Message-Signature", instance: i, headers: headers, at: at})
	tags := []string{"i=" + strconv.Itoa(i), "a=" + k.algorithm(), "t=" + strconv.FormatInt(at.Unix(), 10),
		"cv=" + cv, "d=" + k.domain, "s=" + k.selector}
	unsigned := fold("ARC-Seal", tags, "")
	// RFC 8617 §5.1.1: every ARC set from i=1 up, AAR, AMS, AS, in
	// relaxed header canonicalization, the seal being made last and
	// without its b= value.
	h := sha256.New()
	for j := 1; j <= i; j++ {
		for _, name := range []string{"ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"} {
			if j == i && name == "ARC-Seal" {
				h.Write([]byte(strings.TrimSuffix(relaxedHeader(unsigned), "\r\n")))
				continue
			}
			h.Write([]byte(relaxedHeader(arcField(m, name, j))))
		}
	}
	m.fields = append([]string{fold("ARC-Seal", tags, k.sign(h.Sum(nil)))}, m.fields...)
}

func arcField(m *mail, name string, i int) string {
	for _, f := range m.fields {
		n, v, _ := strings.Cut(f, ":")
		if strings.EqualFold(n, name) && strings.HasPrefix(collapse(strings.ReplaceAll(v, "\r\n", "")), fmt.Sprintf("i=%d;", i)) {
			return f
		}
	}
	panic(fmt.Sprintf("no %s i=%d", name, i))
}

// fold writes a signature field the way signers do: tags separated by
// "; ", lines folded before 78 columns, b= last, its base64 cut in
// pieces. b is "" for the form that is hashed.
func fold(name string, tags []string, b string) string {
	var out strings.Builder
	line := name + ": "
	out.WriteString(line)
	col := len(line)
	for i, t := range append(tags, "b=") {
		t += ";"
		if t == "b=;" {
			t = "b="
		}
		switch {
		case i == 0:
		case col+len(t)+1 > 76:
			out.WriteString("\r\n\t")
			col = 8
		default:
			out.WriteByte(' ')
			col++
		}
		// A long h= or bh= is folded at its colons by real signers;
		// one line per tag is enough here.
		out.WriteString(t)
		col += len(t)
	}
	for len(b) > 0 {
		n := min(len(b), 70)
		out.WriteString("\r\n\t  " + b[:n])
		b = b[n:]
	}
	return out.String()
}

// sigB is the first characters of a signature's b=, as receivers quote it
// in header.b (RFC 6008).
func sigB(field string) string {
	_, v, _ := strings.Cut(field, ":")
	for _, tag := range strings.Split(v, ";") {
		name, value, _ := strings.Cut(tag, "=")
		if strings.TrimSpace(name) == "b" {
			return strings.Join(strings.Fields(value), "")[:8]
		}
	}
	panic("no b= in " + field)
}

// checkSignature verifies one DKIM-Signature field of a message (CRLF
// line ends) with the generator's own canonicalization, against the key
// record text: a third implementation beside inspect/dkim and go-msgauth,
// for what go-msgauth refuses to check (l=, which it rejects by policy).
func checkSignature(wire, sigField, record string) error {
	head, body, _ := strings.Cut(wire, "\r\n\r\n")
	m := newMail(strings.ReplaceAll(head, "\r\n", "\n") + "\n\n")
	m.body = body
	tags := map[string]string{}
	_, v, _ := strings.Cut(sigField, ":")
	for _, t := range strings.Split(v, ";") {
		name, value, _ := strings.Cut(t, "=")
		tags[strings.TrimSpace(name)] = strings.Join(strings.Fields(value), "")
	}
	_, bodyCanon, _ := strings.Cut(tags["c"], "/")
	if bodyCanon == "" {
		bodyCanon = "simple"
	}
	cb := canonBody(m.body, bodyCanon)
	if l, ok := tags["l"]; ok {
		n, err := strconv.Atoi(l)
		if err != nil || n > len(cb) {
			return fmt.Errorf("bad l=%s for a body of %d bytes", l, len(cb))
		}
		cb = cb[:n]
	}
	bh := sha256.Sum256([]byte(cb))
	if got := base64.StdEncoding.EncodeToString(bh[:]); got != tags["bh"] {
		return fmt.Errorf("body hash %s, signature says %s", got, tags["bh"])
	}
	h := sha256.New()
	used := map[int]bool{}
	for _, name := range strings.Split(tags["h"], ":") {
		for i := len(m.fields) - 1; i >= 0; i-- {
			n, _, _ := strings.Cut(m.fields[i], ":")
			if !used[i] && strings.EqualFold(strings.TrimSpace(n), name) {
				used[i] = true
				h.Write([]byte(relaxedHeader(m.fields[i])))
				break
			}
		}
	}
	// The signature field with b= emptied (RFC 6376 §3.7).
	i := strings.LastIndex(sigField, "b=")
	h.Write([]byte(strings.TrimSuffix(relaxedHeader(sigField[:i+2]), "\r\n")))
	sig, err := base64.StdEncoding.DecodeString(tags["b"])
	if err != nil {
		return err
	}
	_, p, _ := strings.Cut(record, "p=")
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p))
	if err != nil {
		return err
	}
	if strings.Contains(record, "k=ed25519") {
		if !ed25519.Verify(ed25519.PublicKey(der), h.Sum(nil), sig) {
			return errors.New("ed25519 signature does not verify")
		}
		return nil
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return err
	}
	return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, h.Sum(nil), sig)
}
