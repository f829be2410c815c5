package schema

import (
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/suggest"
	"github.com/byoos/byoos/values"
)

// Keys is what a pack's values may hold: every key path its default values
// define, every path its schema.yaml names, any paths given besides (the
// keys Palette reads in every pack), and the open maps among them, under
// which any key is taken. A path whose default value is an empty mapping
// {}, null or an empty list is open too: the pack gives no keys there.
//
// Paths are canonical: dotted, every list item written $[], so that the keys
// of a list of mappings come from its default items
// (pack.content.images.$[].image). A flat dotted key is its dotted path:
// options: {system.uri: ...} holds options.system.uri, as a nested
// options: {system: {uri: ...}} does.
//
// A Keys is built once per pack and is safe for concurrent use.
type Keys struct {
	// known maps every known path, and every dot-prefix of one, to whether
	// it is open.
	known map[string]bool
	// rootOpen is true when every key is free-form.
	rootOpen bool
	// paths are the known paths, sorted, for suggestions.
	paths []string
}

// NewKeys returns the keys of a pack: those of its default values and of its
// schema (either may be nil), and extra paths, written as in schema.yaml
// (a path ending in ".*" is open).
func NewKeys(defaults *values.Doc, s *Schema, extra ...string) *Keys {
	k := &Keys{known: map[string]bool{}}
	if defaults != nil && defaults.Root != nil {
		k.fromValues(defaults.Root, "", 0)
	}
	if s != nil {
		for i := range s.Entries {
			k.declare(s.Entries[i].Path)
		}
	}
	for _, p := range extra {
		k.declare(p)
	}
	k.paths = make([]string, 0, len(k.known))
	for p := range k.known {
		k.paths = append(k.paths, p)
	}
	slices.Sort(k.paths)
	return k
}

// declare adds a path as schema.yaml writes it.
func (k *Keys) declare(p string) {
	switch {
	case p == "*":
		k.rootOpen = true
	case strings.HasSuffix(p, ".*"):
		k.open(Canonical(strings.TrimSuffix(p, ".*")))
	default:
		k.add(Canonical(p))
	}
}

// add marks a canonical path and its dot-prefixes known.
func (k *Keys) add(p string) {
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			if _, ok := k.known[p[:i]]; !ok {
				k.known[p[:i]] = false
			}
		}
	}
	if _, ok := k.known[p]; !ok {
		k.known[p] = false
	}
}

// open marks a canonical path known and open.
func (k *Keys) open(p string) {
	k.add(p)
	k.known[p] = true
}

func (k *Keys) fromValues(n *yaml.Node, prefix string, depth int) {
	n = values.Deref(n)
	if n == nil || depth > values.MaxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, v := n.Content[i], values.Deref(n.Content[i+1])
			if key.Tag == "!!merge" {
				k.fromMerge(v, prefix, depth)
				continue
			}
			p := joinPath(prefix, key.Value)
			switch {
			case v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null"),
				v.Kind == yaml.MappingNode && len(v.Content) == 0:
				k.open(p)
			default:
				k.add(p)
				k.fromValues(v, p, depth+1)
			}
		}
	case yaml.SequenceNode:
		item := prefix + ".$[]"
		if len(n.Content) == 0 {
			k.open(item)
			return
		}
		k.add(item)
		for _, c := range n.Content {
			k.fromValues(c, item, depth+1)
		}
	}
}

// fromMerge reads the mappings a YAML merge key (<<) brings in.
func (k *Keys) fromMerge(v *yaml.Node, prefix string, depth int) {
	if v == nil {
		return
	}
	if v.Kind == yaml.SequenceNode {
		for _, c := range v.Content {
			k.fromValues(c, prefix, depth+1)
		}
		return
	}
	k.fromValues(v, prefix, depth+1)
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// Canonical writes a value path with every list index as $[]:
// a[0].b and a.$[].b are both a.$[].b.
func Canonical(p string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '[' && (i < 2 || p[i-1] != '$') {
			if j := strings.IndexByte(p[i:], ']'); j > 0 {
				if _, err := strconv.Atoi(p[i+1 : i+j]); err == nil {
					if b.Len() > 0 {
						b.WriteByte('.')
					}
					b.WriteString("$[]")
					i += j
					continue
				}
			}
		}
		if c == '$' && strings.HasPrefix(p[i:], "$[]") && b.Len() > 0 && !strings.HasSuffix(b.String(), ".") {
			b.WriteByte('.')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Known reports whether a path (list items as [N] or $[]) is a key of the
// pack, or lies under an open map.
func (k *Keys) Known(path string) bool {
	if k == nil || k.rootOpen {
		return true
	}
	c := Canonical(path)
	if _, ok := k.known[c]; ok {
		return true
	}
	return k.underOpen(c)
}

// underOpen reports whether a canonical path lies under an open map.
func (k *Keys) underOpen(c string) bool {
	for i := 0; i < len(c); i++ {
		if c[i] == '.' && k.known[c[:i]] {
			return true
		}
	}
	return false
}

// Unknown is a key of a values document that the pack does not have.
type Unknown struct {
	// Path is the key's concrete path (list items [N]); Parent is the path
	// of the mapping that holds it, "" at the root.
	Path, Parent string
	// Key is the key as written.
	Key *yaml.Node
}

// Unknown returns the keys of doc that are neither known nor under an open
// map, in document order. Below an unknown key nothing more is reported.
// It allocates only for what it returns.
func (k *Keys) Unknown(doc *values.Doc) []Unknown {
	if k == nil || k.rootOpen || doc == nil || doc.Root == nil {
		return nil
	}
	var out []Unknown
	var canon, concrete [256]byte
	k.walk(doc.Root, canon[:0], concrete[:0], &out, 0)
	return out
}

func (k *Keys) walk(n *yaml.Node, canon, concrete []byte, out *[]Unknown, depth int) {
	n = values.Deref(n)
	if n == nil || depth > values.MaxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, v := n.Content[i], n.Content[i+1]
			if key.Tag == "!!merge" {
				v = values.Deref(v)
				if v != nil && v.Kind == yaml.SequenceNode {
					for _, c := range v.Content {
						k.walk(c, canon, concrete, out, depth+1)
					}
				} else {
					k.walk(v, canon, concrete, out, depth+1)
				}
				continue
			}
			if key.Kind != yaml.ScalarNode {
				continue
			}
			c := appendKey(canon, key.Value)
			open, ok := k.known[string(c)]
			switch {
			case ok && open:
			case ok:
				k.walk(v, c, appendKey(concrete, key.Value), out, depth+1)
			case !k.underOpen(string(c)):
				name := key.Value
				if name == "" {
					name = `""` // an empty (or null) key: named so that the path names it
				}
				*out = append(*out, Unknown{Path: string(appendKey(concrete, name)), Parent: string(concrete), Key: key})
			}
		}
	case yaml.SequenceNode:
		c := append(canon, ".$[]"...)
		if len(canon) == 0 {
			c = c[1:]
		}
		if k.known[string(c)] {
			return
		}
		for i, item := range n.Content {
			cc := append(concrete, '[')
			cc = strconv.AppendInt(cc, int64(i), 10)
			cc = append(cc, ']')
			k.walk(item, c, cc, out, depth+1)
		}
	}
}

func appendKey(b []byte, key string) []byte {
	if len(b) > 0 {
		b = append(b, '.')
	}
	return append(b, key...)
}

// Suggestion is the key a user probably meant instead of an unknown one.
type Suggestion struct {
	// Key is the key to write in the same mapping ("podCIDR"); empty when
	// the key belongs elsewhere.
	Key string
	// Path is the canonical path of the key meant: the same mapping's path
	// and Key, or the path at another level ("options.system.uri" for
	// system.uri written at the root).
	Path string
	// CaseOnly is true when the key differs from the one meant only in
	// upper and lower case.
	CaseOnly bool
}

// Suggest returns the key an unknown key probably stands for: a key of the
// same mapping with the same letters in another case, or a few edits away,
// or that it abbreviates (img for image); else a known path at another
// level that ends with the key (system.uri at the root for
// options.system.uri). ok is false when nothing is near.
func (k *Keys) Suggest(u Unknown) (s Suggestion, ok bool) {
	if k == nil || u.Key == nil {
		return s, false
	}
	parent := Canonical(u.Parent)
	prefix := ""
	if parent != "" {
		prefix = parent + "."
	}
	key := u.Key.Value
	dots := strings.Count(key, ".")
	var cands []string
	for _, p := range k.paths {
		if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
			// Keys of this mapping, as flat as the key written: system.uri
			// is compared with system.uri, not with system.
			if rest := p[len(prefix):]; strings.Count(rest, ".") == dots && !strings.Contains(rest, "$[]") {
				cands = append(cands, rest)
			}
		}
	}
	if best := suggest.Key(key, cands); best != "" {
		return Suggestion{Key: best, Path: prefix + best, CaseOnly: strings.EqualFold(best, key)}, true
	}
	lower := "." + strings.ToLower(key)
	for _, p := range k.paths {
		if len(p) > len(lower) && strings.EqualFold(p[len(p)-len(lower):], lower) && !strings.HasPrefix(p, prefix+key) {
			return Suggestion{Path: p, CaseOnly: false}, true
		}
	}
	return s, false
}
