// Package values parses pack values (values.yaml and the values strings of a
// cluster profile) into a YAML tree that keeps the line and column of every
// node, and finds nodes by Palette's dotted paths.
//
// Paths are dotted (pack.content.images), keys may themselves contain dots
// (options: {system.uri: ...} is addressed as options.system.uri), and list
// items are written [N] for one item or $[] for every item, as in schema.yaml.
package values

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/secret"
)

// Limits that keep hostile input from costing more than it should.
const (
	// MaxBytes is the largest values text accepted.
	MaxBytes = 2 << 20
	// MaxDepth is the deepest nesting of mappings and lists accepted.
	MaxDepth = 100
	// MaxNodes is the most nodes a document may have once aliases are expanded.
	MaxNodes = 200_000
)

// ErrTooLarge is wrapped by errors about input over the limits above.
var ErrTooLarge = errors.New("values over the size limit")

// ParseError is a values text that could not be read, with where.
type ParseError struct {
	File   string
	Line   int
	Column int
	Msg    string
	Err    error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
	}
	if loc != "" {
		return loc + ": " + e.Msg
	}
	return e.Msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// Doc is a parsed values text.
type Doc struct {
	// Root is the top-level mapping, nil for an empty document.
	Root *yaml.Node
	// Src is the text the document was parsed from.
	Src []byte
	// Unknown marks scalar nodes whose final value is only known at deployment
	// (they hold a macro that could not be resolved yet). Checks skip them.
	Unknown map[*yaml.Node]bool
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads one YAML document whose top level is a mapping (or empty).
func Parse(src []byte) (*Doc, error) {
	if len(src) > MaxBytes {
		return nil, &ParseError{Msg: fmt.Sprintf("values are %d bytes; the limit is %d", len(src), MaxBytes), Err: ErrTooLarge}
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Doc{Src: src}, nil
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &ParseError{Line: extra.Line, Column: extra.Column, Msg: "values hold more than one YAML document; keep one (remove the second ---)"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(err)
	}
	d := &Doc{Src: src}
	if len(doc.Content) == 0 {
		return d, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return d, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{Line: root.Line, Column: root.Column, Msg: fmt.Sprintf("values must be a YAML mapping (key: value), found %s", Describe(root))}
	}
	if err := check(root); err != nil {
		return nil, err
	}
	d.Root = root
	return d, nil
}

func yamlError(err error) error {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ParseError{Line: line, Msg: "invalid YAML: " + m[2], Err: err}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return &ParseError{Msg: "invalid YAML: " + msg, Err: err}
}

// Check applies the limits Parse applies (depth, size once aliases are
// expanded, duplicate keys) to a tree parsed elsewhere.
func Check(root *yaml.Node) error { return check(root) }

// check enforces the depth and expanded-size limits and refuses duplicate keys.
func check(root *yaml.Node) error {
	sizes := map[*yaml.Node]int{}
	var walk func(n *yaml.Node, depth int) (int, error)
	walk = func(n *yaml.Node, depth int) (int, error) {
		if depth > MaxDepth {
			return 0, &ParseError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("values nest deeper than %d levels", MaxDepth), Err: ErrTooLarge}
		}
		if s, ok := sizes[n]; ok {
			return s, nil
		}
		size := 1
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 0, &ParseError{Line: n.Line, Column: n.Column, Msg: "alias to an unknown anchor"}
			}
			s, err := walk(n.Alias, depth+1)
			if err != nil {
				return 0, err
			}
			size += s
		}
		if n.Kind == yaml.MappingNode {
			seen := make(map[string]int, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode {
					if first, dup := seen[k.Value]; dup {
						return 0, &ParseError{Line: k.Line, Column: k.Column, Msg: fmt.Sprintf("key %q appears twice in one mapping (first at line %d); keep one", k.Value, first)}
					}
					seen[k.Value] = k.Line
				}
			}
		}
		for _, c := range n.Content {
			s, err := walk(c, depth+1)
			if err != nil {
				return 0, err
			}
			size += s
			if size > MaxNodes {
				return 0, &ParseError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("values expand to more than %d nodes (aliases included)", MaxNodes), Err: ErrTooLarge}
			}
		}
		sizes[n] = size
		return size, nil
	}
	_, err := walk(root, 0)
	return err
}

// Describe names what a node is, as a user would say it: "a list", "the number 8.1".
// A string is quoted with the credentials a URL can carry masked (secret.RedactURL).
func Describe(n *yaml.Node) string {
	n = Deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "an empty value"
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
				return "the number " + strconv.FormatFloat(f, 'g', -1, 64)
			}
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + strings.ToLower(n.Value)
		case "!!str":
			return "the string " + strconv.Quote(secret.RedactURL(n.Value))
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "a value"
}

// Deref follows an alias to its anchor.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < MaxDepth; i++ {
		n = n.Alias
	}
	return n
}

// Match is a node found for a path pattern, with its concrete path.
type Match struct {
	// Path is concrete: list items are written [N].
	Path string
	// Key is the mapping key node, nil for list items.
	Key  *yaml.Node
	Node *yaml.Node
}

// Lookup finds the node at a concrete dotted path.
func (d *Doc) Lookup(path string) (*yaml.Node, bool) {
	if d == nil || d.Root == nil || path == "" {
		return nil, false
	}
	if strings.Contains(path, "$[]") {
		ms := d.Find(path)
		if len(ms) == 0 {
			return nil, false
		}
		return ms[0].Node, true
	}
	n := lookup(d.Root, path, 0)
	return n, n != nil
}

// lookup is find for one concrete path, without building paths.
func lookup(n *yaml.Node, rest string, depth int) *yaml.Node {
	n = Deref(n)
	if n == nil || depth > MaxDepth {
		return nil
	}
	if rest == "" {
		return n
	}
	switch n.Kind {
	case yaml.MappingNode:
		// Longest matching key first, as in find.
		tried := -1
		for {
			best := -1
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if (tried < 0 || len(k) < tried) && strings.HasPrefix(rest, k) && (len(rest) == len(k) || rest[len(k)] == '.' || rest[len(k)] == '[') {
					if best < 0 || len(k) > len(n.Content[best].Value) {
						best = i
					}
				}
			}
			if best < 0 {
				return nil
			}
			k := n.Content[best].Value
			if found := lookup(n.Content[best+1], strings.TrimPrefix(rest[len(k):], "."), depth+1); found != nil {
				return found
			}
			tried = len(k)
		}
	case yaml.SequenceNode:
		if rest[0] != '[' {
			return nil
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil
		}
		i, err := strconv.Atoi(rest[1:end])
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil
		}
		return lookup(n.Content[i], strings.TrimPrefix(rest[end+1:], "."), depth+1)
	}
	return nil
}

// Find returns every node that matches a path pattern; $[] matches every list item.
func (d *Doc) Find(pattern string) []Match {
	if d == nil || d.Root == nil || pattern == "" {
		return nil
	}
	var out []Match
	find(d.Root, nil, "", pattern, &out, 0)
	return out
}

func find(n, key *yaml.Node, prefix, rest string, out *[]Match, depth int) {
	n = Deref(n)
	if n == nil || depth > MaxDepth {
		return
	}
	if rest == "" {
		*out = append(*out, Match{Path: prefix, Key: key, Node: n})
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		// Keys are tried longest first so that a flat dotted key ("system.uri")
		// wins over a nested one of the same prefix.
		var buf [4]int
		best := buf[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if strings.HasPrefix(rest, k) && (len(rest) == len(k) || rest[len(k)] == '.' || rest[len(k)] == '[') {
				best = append(best, i)
			}
		}
		if len(best) > 1 {
			sort.SliceStable(best, func(a, b int) bool { return len(n.Content[best[a]].Value) > len(n.Content[best[b]].Value) })
		}
		for _, i := range best {
			k := n.Content[i].Value
			next := strings.TrimPrefix(rest[len(k):], ".")
			before := len(*out)
			find(n.Content[i+1], n.Content[i], join(prefix, k), next, out, depth+1)
			if len(*out) > before && !strings.Contains(rest, "$[]") {
				return
			}
		}
	case yaml.SequenceNode:
		seg, next := rest, ""
		if strings.HasPrefix(rest, "$[]") {
			// $[] itself holds a '[': split after it, not at it.
			seg, next = "$[]", strings.TrimPrefix(rest[3:], ".")
		} else if j := strings.IndexAny(rest[1:], ".["); j >= 0 {
			seg, next = rest[:j+1], strings.TrimPrefix(rest[j+1:], ".")
		}
		if seg == "$[]" {
			for i, c := range n.Content {
				find(c, nil, prefix+"["+strconv.Itoa(i)+"]", next, out, depth+1)
			}
			return
		}
		idx := strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(n.Content) {
			find(n.Content[i], nil, prefix+"["+strconv.Itoa(i)+"]", next, out, depth+1)
		}
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// Walk calls fn for every scalar in the document with its concrete path.
func (d *Doc) Walk(fn func(path string, n *yaml.Node)) {
	if d == nil || d.Root == nil {
		return
	}
	walkScalars(d.Root, "", fn, 0)
}

func walkScalars(n *yaml.Node, prefix string, fn func(string, *yaml.Node), depth int) {
	if depth > MaxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkScalars(n.Content[i+1], join(prefix, n.Content[i].Value), fn, depth+1)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkScalars(c, prefix+"["+strconv.Itoa(i)+"]", fn, depth+1)
		}
	case yaml.ScalarNode:
		fn(prefix, n)
	}
}

// AnyScalar reports whether pred holds for any scalar of the document; it
// builds no paths, so it is cheaper than Walk.
func (d *Doc) AnyScalar(pred func(n *yaml.Node) bool) bool {
	if d == nil || d.Root == nil {
		return false
	}
	return anyScalar(d.Root, pred, 0)
}

func anyScalar(n *yaml.Node, pred func(*yaml.Node) bool, depth int) bool {
	if depth > MaxDepth {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return pred(n)
	}
	start := 0
	if n.Kind == yaml.MappingNode {
		start = 1 // values only: keys are not values
	}
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	for i := start; i < len(n.Content); i += step {
		if anyScalar(n.Content[i], pred, depth+1) {
			return true
		}
	}
	return false
}

// Clone returns a deep copy whose nodes keep their positions; aliases are
// copied as the nodes they point to.
func (d *Doc) Clone() *Doc {
	c := &Doc{Src: d.Src}
	if d.Root != nil {
		c.Root = cloneNode(d.Root, 0)
	}
	return c
}

func cloneNode(n *yaml.Node, depth int) *yaml.Node {
	n = Deref(n)
	cp := *n
	cp.Anchor = ""
	if len(n.Content) > 0 && depth < MaxDepth {
		cp.Content = make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			cp.Content[i] = cloneNode(c, depth+1)
		}
	}
	return &cp
}

// MarkUnknown records that a scalar's final value is only known at deployment.
func (d *Doc) MarkUnknown(n *yaml.Node) {
	if d.Unknown == nil {
		d.Unknown = map[*yaml.Node]bool{}
	}
	d.Unknown[n] = true
}

// IsUnknown reports whether MarkUnknown was called for n.
func (d *Doc) IsUnknown(n *yaml.Node) bool { return d != nil && d.Unknown[n] }

// IsString reports whether a scalar is a YAML string (quoted, or plain text
// that YAML does not read as a number, boolean or null).
func IsString(n *yaml.Node) bool {
	n = Deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str"
}

// IsEmpty reports whether a node is missing, null, an empty string, or an empty list or mapping.
func IsEmpty(n *yaml.Node) bool {
	n = Deref(n)
	if n == nil {
		return true
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Tag == "!!null" || (n.Tag == "!!str" && strings.TrimSpace(n.Value) == "")
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	}
	return false
}
