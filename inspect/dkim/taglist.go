package dkim

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTagSyntax is wrapped by every error of ParseTagList.
var ErrTagSyntax = errors.New("dkim: malformed tag-list")

// Tag is one tag=value pair of a tag-list (RFC 6376 §3.2).
type Tag struct {
	Name  string
	Value string // without the whitespace (WSP, CR, LF) around it; whitespace inside is kept
	// ValueStart and ValueEnd delimit, in the parsed text, everything
	// between the "=" and the ";" that ends the tag (or the end of the
	// text): the value with the whitespace around it. StripB cuts this.
	ValueStart, ValueEnd int
}

// TagList is a parsed tag-list in the order written.
type TagList []Tag

// Get returns the value of the tag called name (tag names are case
// sensitive, §3.2) and whether the tag is present. A present tag with an
// empty value is not the same as an absent one.
func (l TagList) Get(name string) (string, bool) {
	for _, t := range l {
		if t.Name == name {
			return t.Value, true
		}
	}
	return "", false
}

// fws reports the folding whitespace of RFC 6376 §2.8, lone LF included.
func fws(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimFWS(s string) string {
	i, j := 0, len(s)
	for i < j && fws(s[i]) {
		i++
	}
	for j > i && fws(s[j-1]) {
		j--
	}
	return s[i:j]
}

// stripFWS removes all folding whitespace, as b=, bh= and p= require
// (RFC 6376 §3.5, §3.6.1: "whitespace is ignored in this value").
func stripFWS(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x80 && fws(byte(r)) }) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !fws(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// abbrevFWS is what a step shows of a long base64 value (b=, p=): the
// value without folding whitespace, cut to its first 24 and last 16
// characters when longer than 48, and v itself when not. Only the shown
// characters are copied.
func abbrevFWS(v string) string {
	n := 0
	for i := 0; i < len(v); i++ {
		if !fws(v[i]) {
			n++
		}
	}
	if n <= 48 {
		return v
	}
	var head, tail [40]byte
	h := 0
	for i := 0; h < 24; i++ {
		if !fws(v[i]) {
			head[h] = v[i]
			h++
		}
	}
	t := len(tail)
	for i := len(v) - 1; t > len(tail)-16; i-- {
		if !fws(v[i]) {
			t--
			tail[t] = v[i]
		}
	}
	return string(head[:h]) + "…" + string(tail[t:])
}

// joinHeaderList is strings.Join(ParseHeaderList(v), ":"): v itself when
// it holds no folding whitespace to remove, as it seldom does.
func joinHeaderList(v string) string {
	for i := 0; i < len(v); i++ {
		if fws(v[i]) {
			return strings.Join(ParseHeaderList(v), ":")
		}
	}
	return v
}

// ParseTagList parses a tag-list (RFC 6376 §3.2):
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC
//
// A tag-spec without "=", a tag name outside that grammar and a tag that
// occurs twice make the whole list invalid (§3.2). Empty tag-specs (";;")
// are skipped: the grammar does not allow them, but they change nothing and
// real signers emit them. Values are not checked here beyond excluding
// ";": each tag's own grammar decides (and §3.2 advises not to refuse
// UTF-8).
func ParseTagList(s string) (TagList, error) {
	// Room for the tags is made once, at the first (one more than the
	// semicolons left, within reason: ";;;" is no tags), and duplicates are
	// found by looking back over the tags so far: a signature or key
	// record has a dozen, and a map for them cost more than the parse. A
	// list long enough to make that quadratic gets the map.
	var out TagList
	var seen map[string]bool
	pos := 0
	for pos <= len(s) {
		end := strings.IndexByte(s[pos:], ';')
		if end < 0 {
			end = len(s)
		} else {
			end += pos
		}
		spec := s[pos:end]
		if trimFWS(spec) != "" {
			eq := strings.IndexByte(spec, '=')
			if eq < 0 {
				return out, fmt.Errorf("%w: %q has no \"=\"", ErrTagSyntax, trimFWS(spec))
			}
			name := trimFWS(spec[:eq])
			if !validTagName(name) {
				return out, fmt.Errorf("%w: %q is not a tag name (a letter, then letters, digits or \"_\")", ErrTagSyntax, name)
			}
			if out.has(name, &seen) {
				return out, fmt.Errorf("%w: tag %q appears twice", ErrTagSyntax, name)
			}
			if out == nil {
				out = make(TagList, 0, min(strings.Count(s[end:], ";")+1, 64))
			}
			out = append(out, Tag{
				Name:       name,
				Value:      trimFWS(spec[eq+1:]),
				ValueStart: pos + eq + 1,
				ValueEnd:   end,
			})
		}
		pos = end + 1
	}
	return out, nil
}

// tagsInSlice is how many tags has searches one by one before it keeps
// their names in a map.
const tagsInSlice = 32

// has reports whether a tag called name is in l, the tags parsed so far,
// and keeps seen up to date once l has grown past tagsInSlice.
func (l TagList) has(name string, seen *map[string]bool) bool {
	if len(l) < tagsInSlice {
		_, ok := l.Get(name)
		return ok
	}
	if *seen == nil {
		*seen = make(map[string]bool, 2*len(l))
		for _, t := range l {
			(*seen)[t.Name] = true
		}
	}
	if (*seen)[name] {
		return true
	}
	(*seen)[name] = true
	return false
}

func validTagName(n string) bool {
	if n == "" || !isAlpha(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		if c := n[i]; !isAlpha(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
