// Package schema implements Palette's pack schema.yaml: its template grammar
// and the checking of pack values against it.
//
// A schema.yaml maps a full dotted value path to a template:
//
//	registry.port:
//	  schema: '{{ required | format "${number:[5000-5005]}" | hints "the registry port" }}'
//	registry.addresses.$[]:
//	  schema: '{{ format "${ipv4} - ${ipv4}" }}'
//
// The template is a pipeline of the functions required, readonly,
// format "FORMAT" and hints "TEXT"...; a format is literal text with ${TYPE}
// parts, where TYPE is string, number, boolean, password, list, ipv4 or
// version, optionally with a regex (${string:/RE2/}), a number range
// (${number:[MIN-MAX]}) or list options (${list:[A,B,C]}).
//
// An entry whose path ends in ".*" declares an open map: the keys under the
// path before it are free-form (environment variables, annotations, extra
// arguments of a component), so the unknown-key check of a profile's values
// (see [Keys]) takes any key there. It takes only hints:
//
//	manifests.calico.env.*:
//	  schema: '{{ hints "Environment variables of the Calico components: any name." }}'
//
// This is byoos's own convention, chosen so that the file stays valid for
// Palette: the template is an ordinary hints-only template, and to Palette
// the path names a key "*" that no values hold, so it checks nothing there.
// An entry with only hints (and no ".*") declares a key the pack reads
// without constraining it, for keys its values.yaml leaves out.
//
// Parse reads a schema.yaml, reporting a bad template as a finding and
// skipping its entry; Schema.Check checks values (macros already resolved)
// and reports every problem as a finding with the value's position.
package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

// Finding codes reported by this package, as it names them: each is the
// constant of package finding that declares the code.
const (
	// CodeGrammar is a schema.yaml entry whose template cannot be read.
	CodeGrammar = finding.CodeSchemaGrammar
	// CodeRequired is a required value that is missing or empty.
	CodeRequired = finding.CodeSchemaRequired
	// CodeReadonly is a read-only value that differs from the pack default.
	CodeReadonly = finding.CodeSchemaReadonly
	// CodeType is a value of the wrong YAML type, e.g. a number where text is expected.
	CodeType = finding.CodeSchemaType
	// CodeFormat is a value that does not match a regex or a format of several parts.
	CodeFormat = finding.CodeSchemaFormat
	// CodeRange is a number outside its [MIN-MAX] range.
	CodeRange = finding.CodeSchemaRange
	// CodeList is a value that is not one of a list's options.
	CodeList = finding.CodeSchemaList
	// CodeIPv4 is a value that is not an IPv4 address.
	CodeIPv4 = finding.CodeSchemaIPv4
	// CodeVersion is a value that is not a semantic version.
	CodeVersion = finding.CodeSchemaVersion
)

// Schema is a parsed schema.yaml.
type Schema struct {
	// Entries are in the order of schema.yaml, without those that failed to parse.
	Entries []Entry
}

// Entry is one schema.yaml entry: a value path and what its template demands.
type Entry struct {
	// Path is the dotted value path as written; $[] stands for every list item.
	Path string
	// Required and Readonly are set by the functions of the same name.
	Required, Readonly bool
	// Open is true when Path ends in ".*" (or is "*"): the keys under the
	// path before it are free-form. Such an entry has only hints.
	Open bool
	// Format is nil when the template has no format.
	Format *Format
	// Hints are the texts given to hints, in order.
	Hints []string
	// Line and Column locate the entry's key in schema.yaml.
	Line, Column int
	// Template is the template text as written.
	Template string
}

// Parse reads a schema.yaml. The error, wrapping a *values.ParseError, is
// only for text that is not readable YAML; an entry whose template is bad is
// reported as a CodeGrammar finding at the entry's key and left out.
func Parse(src []byte) (*Schema, finding.List, error) {
	doc, err := values.Parse(src)
	if err != nil {
		return nil, nil, fmt.Errorf("schema.yaml: %w", err)
	}
	s := &Schema{}
	var fl finding.List
	if doc.Root == nil {
		return s, nil, nil
	}
	const hint = `write the entry as PATH: {schema: '{{ required | format "${string}" | hints "what it is" }}'}`
	root := doc.Root
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], values.Deref(root.Content[i+1])
		path := k.Value
		pos := finding.Pos{Line: k.Line, Column: k.Column}
		if msg := checkPath(path); msg != "" {
			fl.Errorf(finding.CodeSchemaGrammar, path, pos, hint, "schema.yaml key %q: %s", path, msg)
			continue
		}
		tmpl, msg := templateOf(v)
		if msg != "" {
			fl.Errorf(finding.CodeSchemaGrammar, path, pos, hint, "schema.yaml entry %s: %s", path, msg)
			continue
		}
		e, err := ParseTemplate(tmpl)
		if err != nil {
			fl.Errorf(finding.CodeSchemaGrammar, path, pos, hint, "schema.yaml entry %s: %v", path, err)
			continue
		}
		e.Path, e.Line, e.Column = path, k.Line, k.Column
		e.Open = path == "*" || strings.HasSuffix(path, ".*")
		if e.Open && (e.Required || e.Readonly || e.Format != nil) {
			fl.Errorf(finding.CodeSchemaGrammar, path, pos, `write an open map as PATH.*: {schema: '{{ hints "what the keys are" }}'}`,
				"schema.yaml entry %s declares an open map (free-form keys), which takes only hints, not required, readonly or format", path)
			continue
		}
		s.Entries = append(s.Entries, e)
	}
	return s, fl, nil
}

// checkPath says what is wrong with a schema.yaml key, "" when nothing is.
func checkPath(p string) string {
	if strings.TrimSpace(p) == "" {
		return "the value path is empty"
	}
	if strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") {
		return "the value path has an empty segment"
	}
	if strings.HasPrefix(p, "*.") || strings.Contains(p, ".*.") || strings.Contains(p, ".*[") {
		return "* may only be the last segment of the path (PATH.*), where it declares an open map"
	}
	for i := 0; ; {
		j := strings.Index(p[i:], "$[]")
		if j < 0 {
			return ""
		}
		j += i
		after := j + 3
		if (j > 0 && p[j-1] != '.') || (after < len(p) && p[after] != '.' && p[after] != '[') {
			return "$[] must be a path segment of its own, as in addresses.$[] or items.$[].name"
		}
		i = after
	}
}

// templateOf returns the template text of an entry's value {schema: '...'}.
func templateOf(v *yaml.Node) (string, string) {
	if v == nil || v.Kind != yaml.MappingNode {
		return "", fmt.Sprintf("expected a mapping with a schema: '{{ ... }}' template, found %s", values.Describe(v))
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value != "schema" {
			continue
		}
		t := values.Deref(v.Content[i+1])
		if t == nil || t.Kind != yaml.ScalarNode || t.Tag != "!!str" {
			return "", fmt.Sprintf("schema must be a quoted template such as '{{ required }}', found %s", values.Describe(t))
		}
		return t.Value, ""
	}
	return "", "the mapping has no schema: key; add schema: '{{ ... }}'"
}

// IsSecret reports whether a concrete value path (pack.creds.password,
// list[0].x) is held by an entry whose format is a password.
func (s *Schema) IsSecret(path string) bool {
	if s == nil {
		return false
	}
	for i := range s.Entries {
		e := &s.Entries[i]
		if e.Format.IsSecret() && MatchPath(e.Path, path) {
			return true
		}
	}
	return false
}

// SecretPatterns returns the paths, as written ($[] included), of the entries
// whose format is a password, in schema order without repeats.
func (s *Schema) SecretPatterns() []string {
	if s == nil {
		return nil
	}
	var out []string
	for i := range s.Entries {
		e := &s.Entries[i]
		if !e.Format.IsSecret() {
			continue
		}
		dup := false
		for _, p := range out {
			dup = dup || p == e.Path
		}
		if !dup {
			out = append(out, e.Path)
		}
	}
	return out
}

// MatchPath reports whether a concrete path matches a schema path pattern:
// $[] in the pattern matches any list index [N] (a.$[].b matches a[3].b).
func MatchPath(pattern, path string) bool {
	i, j := 0, 0
	for i < len(pattern) {
		if strings.HasPrefix(pattern[i:], ".$[]") || strings.HasPrefix(pattern[i:], "$[]") {
			i += strings.Index(pattern[i:], "$[]") + 3
			if j < len(path) && path[j] == '.' {
				j++
			}
			if strings.HasPrefix(path[j:], "$[]") {
				j += 3
				continue
			}
			if j >= len(path) || path[j] != '[' {
				return false
			}
			k := j + 1
			for k < len(path) && path[k] >= '0' && path[k] <= '9' {
				k++
			}
			if k == j+1 || k >= len(path) || path[k] != ']' {
				return false
			}
			j = k + 1
			continue
		}
		if j >= len(path) || pattern[i] != path[j] {
			return false
		}
		i++
		j++
	}
	return j == len(path)
}

// Check checks values against the schema and returns what is wrong. doc
// holds the values with macros resolved; nodes doc marks unknown (their
// macro is only resolved at deployment) are checked for presence only.
// defaults holds the pack's own values, for readonly; when it is nil,
// readonly is not checked.
func (s *Schema) Check(doc *values.Doc, defaults *values.Doc) finding.List {
	if s == nil {
		return nil
	}
	c := checker{doc: doc, defaults: defaults}
	for i := range s.Entries {
		e := &s.Entries[i]
		if e.Open || (!e.Required && !e.Readonly && e.Format == nil) {
			continue
		}
		c.e = e
		c.secret = e.Format.IsSecret()
		c.run(e.Path)
	}
	return c.out
}

// checker checks one entry at a time and collects findings.
type checker struct {
	doc, defaults *values.Doc
	e             *Entry
	secret        bool
	out           finding.List
}

// run checks every node a path pattern names, expanding $[] one list at a time.
func (c *checker) run(pattern string) {
	idx := strings.Index(pattern, "$[]")
	if idx < 0 {
		ms := c.doc.Find(pattern)
		if len(ms) == 0 {
			c.missing(pattern)
			return
		}
		for _, m := range ms {
			c.value(m)
		}
		return
	}
	head := strings.TrimSuffix(pattern[:idx], ".")
	tail := strings.TrimPrefix(pattern[idx+3:], ".")
	var list *yaml.Node
	if head != "" {
		if ms := c.doc.Find(head); len(ms) > 0 {
			list = ms[0].Node
		}
	}
	if list == nil {
		c.missing(head)
		return
	}
	if values.IsEmpty(list) {
		if c.e.Required {
			c.add(finding.CodeSchemaRequired, head, list, c.hint("add at least one item to "+head),
				"%s is %s, but it is required", head, describeEmpty(list))
		}
		return
	}
	if c.unknown(list) {
		return
	}
	if list.Kind != yaml.SequenceNode {
		c.add(finding.CodeSchemaType, head, list, c.hint("make "+head+" a YAML list (items starting with \"- \")"),
			"%s is %s, expected a list", head, values.Describe(list))
		return
	}
	for i, item := range list.Content {
		p := head + "[" + strconv.Itoa(i) + "]"
		if tail == "" {
			c.value(values.Match{Path: p, Node: values.Deref(item)})
			continue
		}
		if tail[0] == '[' {
			c.run(p + tail)
		} else {
			c.run(p + "." + tail)
		}
	}
}

func (c *checker) unknown(n *yaml.Node) bool {
	return c.doc.IsUnknown(n) || c.doc.IsUnknown(values.Deref(n))
}

// missing reports a required value that is absent, at its nearest ancestor.
func (c *checker) missing(path string) {
	if !c.e.Required {
		return
	}
	var pos finding.Pos
	for j := len(path) - 1; j > 0; j-- {
		if path[j] != '.' && path[j] != '[' {
			continue
		}
		if ms := c.doc.Find(path[:j]); len(ms) > 0 {
			n := ms[0].Node
			if ms[0].Key != nil {
				n = ms[0].Key
			}
			pos = finding.Pos{Line: n.Line, Column: n.Column}
			break
		}
	}
	c.out.Errorf(finding.CodeSchemaRequired, path, pos, c.hint("set "+path), "%s is missing, but it is required", path)
}

// value checks one present node.
func (c *checker) value(m values.Match) {
	n := values.Deref(m.Node)
	if n == nil {
		c.missing(m.Path)
		return
	}
	empty := values.IsEmpty(n)
	if empty && c.e.Required {
		c.add(finding.CodeSchemaRequired, m.Path, n, c.hint("set "+m.Path), "%s is %s, but it is required", m.Path, describeEmpty(n))
	}
	if c.unknown(m.Node) {
		return
	}
	if c.e.Readonly && c.defaults != nil {
		c.readonly(m, n)
	}
	if empty || c.e.Format == nil {
		return
	}
	c.format(m, n)
}

func (c *checker) readonly(m values.Match, n *yaml.Node) {
	def, ok := c.defaults.Lookup(m.Path)
	if ok && equalNodes(n, values.Deref(def), 0) {
		return
	}
	if !ok && values.IsEmpty(n) {
		return
	}
	found := c.show(n)
	if !ok || values.IsEmpty(def) {
		c.add(finding.CodeSchemaReadonly, m.Path, n, c.hint("remove "+m.Path+"; the pack does not let it be set"),
			"%s is %s, but it is read-only and the pack sets no value", m.Path, found)
		return
	}
	want := c.show(values.Deref(def))
	c.add(finding.CodeSchemaReadonly, m.Path, n, c.hint("remove the override or set it back to "+want),
		"%s is %s, but it is read-only; the pack default is %s", m.Path, found, want)
}

// show renders a node for a message, hiding secrets.
func (c *checker) show(n *yaml.Node) string {
	if c.secret {
		return "a secret value (not shown)"
	}
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return values.Describe(n)
}

// format checks a present, non-empty node against the entry's format.
func (c *checker) format(m values.Match, n *yaml.Node) {
	f := c.e.Format
	if n.Kind != yaml.ScalarNode {
		c.add(finding.CodeSchemaType, m.Path, n, c.hint("set "+m.Path+" to one value, not "+values.Describe(n)),
			"%s is %s, expected %s", m.Path, values.Describe(n), f.expectedText())
		return
	}
	yamlTyped := n.Tag == "!!int" || n.Tag == "!!float" || n.Tag == "!!bool"
	p := f.single()
	if p == nil {
		if yamlTyped {
			c.quoteIt(m, n, f.expectedText())
			return
		}
		if err := f.Check(n.Value); err != nil {
			exp := f.describe()
			if ce, ok := err.(*CheckError); ok {
				exp = ce.Expected
			}
			c.add(finding.CodeSchemaFormat, m.Path, n, c.hint(f.hint()),
				"%s is %s, expected %s", m.Path, c.found(n), exp)
		}
		return
	}
	switch p.Type {
	case TypeNumber:
		v, ok := 0.0, false
		switch n.Tag {
		case "!!int", "!!float":
			v, ok = yamlNumber(n)
		case "!!str":
			v, ok = parseDecimal(n.Value)
		}
		if !ok {
			c.add(finding.CodeSchemaType, m.Path, n, c.hint("set "+m.Path+" to a number such as 10"),
				"%s is %s, expected a number", m.Path, c.found(n))
			return
		}
		c.part(m, n, p, p.verifyNumber(v, n.Value))
		return
	case TypeBoolean:
		if n.Tag == "!!bool" || (n.Tag == "!!str" && isBoolText(n.Value)) {
			return
		}
		c.add(finding.CodeSchemaType, m.Path, n, c.hint("write true or false, unquoted: "+c.keyText(m)+"true"),
			"%s is %s, expected true or false", m.Path, c.found(n))
		return
	case TypeList:
		if yamlTyped {
			if p.hasOption(canonical(n)) {
				return
			}
			if p.hasOption(n.Value) {
				c.quoteIt(m, n, p.expected(finding.CodeSchemaList))
				return
			}
		}
		c.part(m, n, p, p.verify(n.Value, true))
		return
	case TypeIPv4:
		// A number can never be an address: say so as an address problem.
	default:
		if yamlTyped {
			c.quoteIt(m, n, p.expected(finding.CodeSchemaType))
			return
		}
	}
	c.part(m, n, p, p.verify(n.Value, true))
}

// part reports a one-part format failure with the given code, if any.
func (c *checker) part(m values.Match, n *yaml.Node, p *Part, code string) {
	if code == "" {
		return
	}
	exp := p.expected(code)
	var hint string
	switch code {
	case finding.CodeSchemaList:
		hint = "use one of: " + strings.Join(p.Options, ", ")
		for _, o := range p.Options {
			if strings.EqualFold(o, n.Value) {
				hint = "options are case-sensitive: use " + o
				break
			}
		}
	case finding.CodeSchemaRange:
		hint = "set " + m.Path + " to a number from " + formatNumber(*p.Min) + " to " + formatNumber(*p.Max)
	default:
		hint = "set " + m.Path + " to " + exp
	}
	c.add(code, m.Path, n, c.hint(hint), "%s is %s, expected %s", m.Path, c.found(n), exp)
}

// quoteIt reports a plain scalar that YAML read as a number or boolean where
// text was expected.
func (c *checker) quoteIt(m values.Match, n *yaml.Node, expected string) {
	found := values.Describe(n)
	kind := "a number"
	if n.Tag == "!!bool" {
		kind = "a boolean"
	}
	shown := strconv.Quote(n.Value)
	switch {
	case c.secret:
		found, shown = "unquoted text that YAML reads as "+kind, `"..."`
	case !strings.HasSuffix(found, " "+n.Value):
		found += " (YAML reads " + n.Value + " as " + kind + ")"
	}
	c.add(finding.CodeSchemaType, m.Path, n, c.hint("quote it: "+c.keyText(m)+shown),
		"%s is %s, expected %s", m.Path, found, expected)
}

// keyText is how the value's key is written before it, for hints: "key: " or "- ".
func (c *checker) keyText(m values.Match) string {
	if m.Key != nil {
		return m.Key.Value + ": "
	}
	return "- "
}

// found describes a node for a message, hiding secrets.
func (c *checker) found(n *yaml.Node) string {
	if c.secret {
		return "a secret value (not shown)"
	}
	return values.Describe(n)
}

// hint adds the entry's hints to a hint.
func (c *checker) hint(h string) string {
	if len(c.e.Hints) == 0 {
		return h
	}
	return h + "; the pack says: " + strings.Join(c.e.Hints, "; ")
}

func (c *checker) add(code, path string, n *yaml.Node, hint, format string, args ...any) {
	c.out.Errorf(code, path, finding.Pos{Line: n.Line, Column: n.Column}, hint, format, args...)
}

func describeEmpty(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "an empty list"
	case yaml.MappingNode:
		return "an empty mapping"
	}
	if n.Tag == "!!str" {
		if n.Value == "" {
			return "an empty string"
		}
		return "blank (" + strconv.Quote(n.Value) + ")"
	}
	return values.Describe(n)
}

// yamlNumber returns the value of an !!int or !!float node as YAML reads it.
func yamlNumber(n *yaml.Node) (float64, bool) {
	if v, ok := parseDecimal(n.Value); ok {
		return v, true
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// canonical is the text of what YAML made of a number or boolean scalar:
// 8.10 is 8.1, True is true.
func canonical(n *yaml.Node) string {
	switch n.Tag {
	case "!!bool":
		return strings.ToLower(n.Value)
	case "!!int", "!!float":
		if v, ok := yamlNumber(n); ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return n.Value
}

// equalNodes compares two values, ignoring positions, styles and key order.
func equalNodes(a, b *yaml.Node, depth int) bool {
	a, b = values.Deref(a), values.Deref(b)
	if a == nil || b == nil || depth > values.MaxDepth {
		return a == b
	}
	if values.IsEmpty(a) && values.IsEmpty(b) {
		return true
	}
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value
	case yaml.SequenceNode:
		for i := range a.Content {
			if !equalNodes(a.Content[i], b.Content[i], depth+1) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		for i := 0; i+1 < len(a.Content); i += 2 {
			found := false
			for j := 0; j+1 < len(b.Content); j += 2 {
				if a.Content[i].Value == b.Content[j].Value {
					if !equalNodes(a.Content[i+1], b.Content[j+1], depth+1) {
						return false
					}
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return false
}
