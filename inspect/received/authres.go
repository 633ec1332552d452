package received

import (
	"net/netip"
	"strings"
)

// authResult is what the chain walk needs from one Authentication-Results
// or ARC-Authentication-Results value: who wrote it (the authserv-id,
// RFC 8601 §2.5) and which client addresses it recorded.
type authResult struct {
	field  string // "Authentication-Results" or "ARC-Authentication-Results"
	index  int    // position among the fields of that name, top-most first
	servID string // lowercased; "" when the header has none (Microsoft omits it)
	ips    []ipMention
}

// ipMention is one client address an Authentication-Results header names.
type ipMention struct {
	key  string // "smtp.remote-ip", "smtp.client-ip", "policy.iprev", "client-ip", "sender IP is"
	addr netip.Addr
}

// ipKeys are where receivers write the connecting address. RFC 8601 §2.7.3
// defines policy.iprev; smtp.remote-ip and smtp.client-ip are common
// practice (Exim, OpenARC, kernel.org); "client-ip=" appears in the comment
// of pyspf/spf-milter results; Microsoft writes "sender IP is".
var ipKeys = []string{"smtp.remote-ip=", "smtp.client-ip=", "policy.iprev=", "client-ip=", "sender ip is "}

// parseAuthResults reads the authserv-id and the client addresses of one
// header value. It does not judge the results themselves; that is the
// recorded-results comparison's job.
func parseAuthResults(v string, arc bool) authResult {
	r := authResult{field: "Authentication-Results"}
	s := v
	if arc {
		r.field = "ARC-Authentication-Results"
		// RFC 8617 §4.1.1: "i=N;" comes before the authserv-id.
		d := dateScanner{s: s}
		d.skipCFWS()
		if strings.HasPrefix(strings.ToLower(s[d.p:]), "i=") {
			if semi := strings.IndexByte(s[d.p:], ';'); semi >= 0 {
				s = s[d.p+semi+1:]
			}
		}
	}
	d := dateScanner{s: s}
	d.skipCFWS()
	start := d.p
	for d.p < len(s) && !isSpace(s[d.p]) && s[d.p] != ';' && s[d.p] != '(' {
		d.p++
	}
	if id := s[start:d.p]; id != "" && !strings.Contains(id, "=") && len(id) <= 255 {
		r.servID = strings.ToLower(strings.Trim(id, `"`))
	}
	lv := lowerASCII(v) // offsets in lv are offsets in v
	for _, key := range ipKeys {
		for from := 0; from < len(lv); {
			i := strings.Index(lv[from:], key)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(key)
			if key == "client-ip=" && at >= 5 && lv[at-5:at] == "smtp." {
				continue // counted as smtp.client-ip
			}
			end := from
			for end < len(v) && !strings.ContainsRune(" \t\r\n;,()", rune(v[end])) {
				end++
			}
			a, ok := parseAddrLoose(strings.Trim(v[from:end], `"`))
			if !ok || len(r.ips) >= 8 {
				continue
			}
			label := strings.TrimSuffix(strings.TrimSpace(key), "=")
			if label == "sender ip is" {
				label = "sender IP is"
			}
			r.ips = append(r.ips, ipMention{key: label, addr: a.Unmap()})
		}
	}
	return r
}

// parsePath reads a Return-Path value or a --mail-from argument (RFC 5321
// §4.1.2 Reverse-path): "<a@b>" is a@b, "<>" is the null sender "", a bare
// address is taken as is, and a source route "<@r1,@r2:a@b>" is dropped.
// ok is false when nothing address-like is there at all.
func parsePath(v string) (addr string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(v); {
		if v[i] == '(' {
			i = skipComment(v, i)
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(v[i])
		i++
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "", false
	}
	if s[0] == '<' {
		end := strings.IndexByte(s, '>')
		if end < 0 {
			s = s[1:]
		} else {
			s = s[1:end]
		}
		s = strings.TrimSpace(s)
		for strings.HasPrefix(s, "<") {
			s = strings.TrimSpace(strings.Trim(s, "<>"))
		}
	} else if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	if strings.HasPrefix(s, "@") {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[i+1:]
		}
	}
	if strings.ContainsAny(s, " \t\r\n<>") {
		return "", false
	}
	return s, true
}

// lowerASCII lowercases the ASCII letters of s and leaves every other byte
// alone, so that an offset found in the result is the same offset in s.
// strings.ToLower would not do: it turns each byte that is not UTF-8 into
// U+FFFD, three bytes long (a crasher FuzzAnalyze found).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
