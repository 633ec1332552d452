package aggregate_test

// A structural check of DMARC aggregate reports against the XML Schema of
// RFC 9990 Appendix A (testdata/dmarc-2.0.xsd), read from the schema
// itself: element names and namespace, the order of xs:sequence
// content, which elements xs:all allows, minOccurs and maxOccurs,
// enumerated values and the integer and decimal types. It is the part of
// XML Schema that schema uses, nothing more.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const xsNS = "http://www.w3.org/2001/XMLSchema"

// node is an XML element with its children and text.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     string
}

// parseXML reads a document into a tree of elements.
func parseXML(r io.Reader) (*node, error) {
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				return nil, fmt.Errorf("a second root element <%s>", t.Name.Local)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

func (n *node) attr(name string) string {
	for _, a := range n.attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// decl is an xs:element (or xs:any) inside a content model.
type decl struct {
	name     string // "" for xs:any
	typ      string
	min, max int // max -1 is unbounded
	inline   *complexType
}

type complexType struct {
	model string // "sequence", "all" or "text" (simpleContent)
	decls []decl
	attrs []string // attributes allowed on text content
	base  string   // the simple type of text content
}

type simpleType struct {
	base  string
	enums []string
}

// schema is a DMARC XSD, read.
type schema struct {
	ns      string
	complex map[string]*complexType
	simple  map[string]*simpleType
	root    decl
}

var (
	schemaOnce sync.Once
	theSchema  *schema
	schemaErr  error
)

// dmarcSchema reads testdata/dmarc-2.0.xsd once.
func dmarcSchema(t testing.TB) *schema {
	t.Helper()
	schemaOnce.Do(func() {
		f, err := os.Open("testdata/dmarc-2.0.xsd")
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		theSchema, schemaErr = readSchema(f)
	})
	if schemaErr != nil {
		t.Fatalf("schema: %v", schemaErr)
	}
	return theSchema
}

func readSchema(r io.Reader) (*schema, error) {
	root, err := parseXML(r)
	if err != nil {
		return nil, err
	}
	s := &schema{ns: root.attr("targetNamespace"), complex: map[string]*complexType{}, simple: map[string]*simpleType{}}
	for _, c := range root.children {
		if c.name.Space != xsNS {
			continue
		}
		switch c.name.Local {
		case "complexType":
			ct, err := readComplex(c)
			if err != nil {
				return nil, err
			}
			s.complex[c.attr("name")] = ct
		case "simpleType":
			st := &simpleType{}
			for _, r := range c.children {
				if r.name.Local == "restriction" {
					st.base = r.attr("base")
					for _, e := range r.children {
						if e.name.Local == "enumeration" {
							st.enums = append(st.enums, e.attr("value"))
						}
					}
				}
			}
			s.simple[c.attr("name")] = st
		case "element":
			d, err := readDecl(c)
			if err != nil {
				return nil, err
			}
			s.root = d
		}
	}
	if s.root.name == "" {
		return nil, fmt.Errorf("no top-level element")
	}
	return s, nil
}

func readComplex(c *node) (*complexType, error) {
	ct := &complexType{}
	for _, m := range c.children {
		switch m.name.Local {
		case "sequence", "all":
			ct.model = m.name.Local
			for _, e := range m.children {
				if e.name.Local != "element" && e.name.Local != "any" {
					continue
				}
				d, err := readDecl(e)
				if err != nil {
					return nil, err
				}
				ct.decls = append(ct.decls, d)
			}
		case "simpleContent":
			ct.model = "text"
			for _, ext := range m.children {
				if ext.name.Local == "extension" {
					ct.base = ext.attr("base")
					for _, a := range ext.children {
						if a.name.Local == "attribute" {
							ct.attrs = append(ct.attrs, a.attr("name"))
						}
					}
				}
			}
		}
	}
	if ct.model == "" {
		return nil, fmt.Errorf("complexType %q: no content model this check knows", c.attr("name"))
	}
	return ct, nil
}

func readDecl(e *node) (decl, error) {
	d := decl{name: e.attr("name"), typ: e.attr("type"), min: 1, max: 1}
	if e.name.Local == "any" {
		d.name = ""
	}
	if v := e.attr("minOccurs"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return d, fmt.Errorf("minOccurs %q", v)
		}
		d.min = n
	}
	if v := e.attr("maxOccurs"); v == "unbounded" {
		d.max = -1
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return d, fmt.Errorf("maxOccurs %q", v)
		}
		d.max = n
	}
	for _, c := range e.children {
		if c.name.Local == "complexType" {
			ct, err := readComplex(c)
			if err != nil {
				return d, err
			}
			d.inline = ct
		}
	}
	return d, nil
}

// validate checks a document against the schema and returns every
// problem found, each with the path of the element.
func (s *schema) validate(doc []byte) []string {
	root, err := parseXML(bytes.NewReader(doc))
	if err != nil {
		return []string{"not well-formed XML: " + err.Error()}
	}
	var probs []string
	if root.name.Local != s.root.name || root.name.Space != s.ns {
		probs = append(probs, fmt.Sprintf("root element {%s}%s, want {%s}%s", root.name.Space, root.name.Local, s.ns, s.root.name))
		return probs
	}
	s.element(root, s.root, "/"+root.name.Local, &probs)
	return probs
}

func (s *schema) element(n *node, d decl, path string, probs *[]string) {
	add := func(format string, a ...any) { *probs = append(*probs, path+": "+fmt.Sprintf(format, a...)) }
	if n.name.Space != s.ns {
		add("namespace %q, want %q", n.name.Space, s.ns)
	}
	ct := d.inline
	if ct == nil {
		ct = s.complex[strings.TrimPrefix(d.typ, "xs:")]
	}
	if ct == nil || ct.model == "text" {
		if len(n.children) > 0 {
			add("holds element <%s>, but its type %s is text", n.children[0].name.Local, d.typ)
		}
		base := d.typ
		if ct != nil {
			base = ct.base
			for _, a := range n.attrs {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				if !contains(ct.attrs, a.Name.Local) {
					add("attribute %s is not allowed", a.Name.Local)
				}
			}
		}
		if msg := s.checkText(base, n.text); msg != "" {
			add("%s", msg)
		}
		return
	}
	if strings.TrimSpace(n.text) != "" {
		add("holds text %q, but its type is element content", strings.TrimSpace(n.text))
	}
	kids := n.children
	switch ct.model {
	case "sequence":
		i := 0
		for _, cd := range ct.decls {
			count := 0
			for i < len(kids) && (cd.name == "" && kids[i].name.Space != s.ns || kids[i].name.Local == cd.name && kids[i].name.Space == s.ns) {
				if cd.name != "" {
					s.element(kids[i], cd, path+"/"+cd.name, probs)
				}
				i++
				count++
			}
			if cd.name == "" {
				continue
			}
			if count < cd.min {
				add("<%s> missing here (minOccurs %d) or out of order", cd.name, cd.min)
			}
			if cd.max >= 0 && count > cd.max {
				add("<%s> %d times, maxOccurs %d", cd.name, count, cd.max)
			}
		}
		for ; i < len(kids); i++ {
			add("<%s> is not allowed here: the sequence is %s", kids[i].name.Local, declNames(ct.decls))
		}
	case "all":
		counts := map[string]int{}
		for _, k := range kids {
			cd, ok := findDecl(ct.decls, k.name.Local)
			if !ok || k.name.Space != s.ns {
				add("<%s> is not allowed here (allowed: %s)", k.name.Local, declNames(ct.decls))
				continue
			}
			counts[cd.name]++
			s.element(k, cd, path+"/"+cd.name, probs)
		}
		for _, cd := range ct.decls {
			if counts[cd.name] < cd.min {
				add("<%s> is missing (minOccurs %d)", cd.name, cd.min)
			}
			if cd.max >= 0 && counts[cd.name] > cd.max {
				add("<%s> %d times, maxOccurs %d", cd.name, counts[cd.name], cd.max)
			}
		}
	}
}

// checkText checks text content against a built-in or enumerated type.
func (s *schema) checkText(typ, text string) string {
	if st, ok := s.simple[typ]; ok {
		if len(st.enums) > 0 && !contains(st.enums, text) {
			return fmt.Sprintf("%q is not one of %s (%s)", text, strings.Join(st.enums, ", "), typ)
		}
		typ = st.base
	}
	switch typ {
	case "xs:integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err != nil {
			return fmt.Sprintf("%q is not an integer", text)
		}
	case "xs:decimal":
		if _, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err != nil || strings.ContainsAny(text, "eE") {
			return fmt.Sprintf("%q is not a decimal", text)
		}
	case "xs:string", "xs:language":
	default:
		return "unknown type " + typ
	}
	return ""
}

func findDecl(ds []decl, name string) (decl, bool) {
	for _, d := range ds {
		if d.name == name {
			return d, true
		}
	}
	return decl{}, false
}

func declNames(ds []decl) string {
	var out []string
	for _, d := range ds {
		if d.name != "" {
			out = append(out, d.name)
		}
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSchemaCheck shows the structural check at work on the RFC's own
// sample report and on broken copies of it: it accepts the one and
// names what is wrong with each of the others.
func TestSchemaCheck(t *testing.T) {
	s := dmarcSchema(t)
	sample, err := os.ReadFile("testdata/rfc9990-appendix-b.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(sample)
	cases := []struct {
		name string
		doc  string
		want string // a substring of the first problem; "" for none
	}{
		{"RFC 9990 Appendix B as published", doc, ""},
		{"record before policy_published", strings.Replace(strings.Replace(doc, "<policy_published>", "<tmp_pp>", 1), "</feedback>", "", 1) + "</feedback>", "tmp_pp"},
		{"no record", doc[:strings.Index(doc, "  <record>")] + "</feedback>", "<record> missing"},
		{"unknown disposition", strings.Replace(doc, "<disposition>pass</disposition>", "<disposition>delivered</disposition>", 1), `"delivered" is not one of`},
		{"spf before dkim in policy_evaluated", strings.Replace(doc, "<dkim>pass</dkim>\n        <spf>fail</spf>", "<spf>fail</spf>\n        <dkim>pass</dkim>", 1), "out of order"},
		{"count not a number", strings.Replace(doc, "<count>123</count>", "<count>many</count>", 1), "not an integer"},
		{"two p elements", strings.Replace(doc, "<p>quarantine</p>", "<p>quarantine</p><p>reject</p>", 1), "<p> 2 times"},
		{"no namespace", strings.Replace(doc, ` xmlns="urn:ietf:params:xml:ns:dmarc-2.0"`, "", 1), "root element"},
		{"selector missing", strings.Replace(doc, "<selector>abc123</selector>", "", 1), "<selector> is missing"},
		{"scope not mfrom", strings.Replace(doc, "<result>fail</result>\n      </spf>", "<scope>helo</scope><result>fail</result>\n      </spf>", 1), `"helo" is not one of mfrom`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			probs := s.validate([]byte(c.doc))
			switch {
			case c.want == "" && len(probs) > 0:
				t.Errorf("validate = %q, want no problem", probs)
			case c.want != "" && len(probs) == 0:
				t.Errorf("validate found no problem, want one with %q", c.want)
			case c.want != "" && !strings.Contains(strings.Join(probs, "\n"), c.want):
				t.Errorf("validate = %q, want a problem with %q", probs, c.want)
			}
		})
	}
}
