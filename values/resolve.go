package values

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// IsMergeKey reports whether a mapping key is YAML's merge key (a plain <<).
func IsMergeKey(k *yaml.Node) bool {
	return k != nil && k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

// WalkResolved calls fn for every scalar value as a program reading the
// values sees it: aliases are followed, and the entries of a merged mapping
// (<<: *x, <<: [*x, *y], <<: {k: v}) are visited at the path of the mapping
// they are merged into. Merged entries are visited even where a key written
// in the mapping overrides them, so that a search sees every candidate.
//
// via lists the nodes on the way from the root that make the value reachable
// other than by writing it in place, outermost first: anchored nodes
// (Anchor set, the scalar itself included), alias nodes and merge keys. It is
// empty for a value written where it is read with no anchor on the way. fn
// must not keep via.
//
// The walk stops after MaxNodes visits and MaxDepth levels, which Parse's
// limits keep any parsed document within.
func (d *Doc) WalkResolved(fn func(path string, n *yaml.Node, via []*yaml.Node)) {
	if d == nil || d.Root == nil {
		return
	}
	w := &resolvedWalk{fn: fn}
	w.walk(d.Root, "", nil, 0)
}

type resolvedWalk struct {
	fn     func(string, *yaml.Node, []*yaml.Node)
	visits int
}

func (w *resolvedWalk) walk(n *yaml.Node, path string, via []*yaml.Node, depth int) {
	n, via = w.deref(n, via)
	w.visits++
	if n == nil || depth > MaxDepth || w.visits > MaxNodes {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		w.fn(path, n, via)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			w.walk(c, path+"["+strconv.Itoa(i)+"]", via[:len(via):len(via)], depth+1)
		}
	case yaml.MappingNode:
		w.mapping(n, path, via, depth)
	}
}

// mapping walks a mapping's entries, merged ones at the mapping's own path.
func (w *resolvedWalk) mapping(n *yaml.Node, path string, via []*yaml.Node, depth int) {
	if depth > MaxDepth {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !IsMergeKey(k) {
			w.walk(v, join(path, k.Value), via[:len(via):len(via)], depth+1)
			continue
		}
		mv := append(via[:len(via):len(via)], k)
		src, srcVia := w.deref(v, mv)
		switch {
		case src == nil:
		case src.Kind == yaml.MappingNode:
			w.mapping(src, path, srcVia, depth+1)
		case src.Kind == yaml.SequenceNode:
			for _, item := range src.Content {
				m, mVia := w.deref(item, srcVia[:len(srcVia):len(srcVia)])
				if m != nil && m.Kind == yaml.MappingNode {
					w.mapping(m, path, mVia, depth+1)
				}
			}
		}
	}
}

// deref follows aliases as walk does, adding anchors and aliases to via.
func (w *resolvedWalk) deref(n *yaml.Node, via []*yaml.Node) (*yaml.Node, []*yaml.Node) {
	for i := 0; n != nil && i <= MaxDepth; i++ {
		if n.Anchor != "" {
			via = append(via, n)
		}
		if n.Kind != yaml.AliasNode {
			return n, via
		}
		via = append(via, n)
		n = n.Alias
	}
	return nil, via
}
