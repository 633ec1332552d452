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
	for i := 0; i < len(s); i++ {
		if !fws(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
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
	var out TagList
	seen := map[string]bool{}
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
			if seen[name] {
				return out, fmt.Errorf("%w: tag %q appears twice", ErrTagSyntax, name)
			}
			seen[name] = true
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
