package profile

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

// CodeSecretAlias is the finding code of a secret given through a YAML
// anchor, alias or merge key; it is finding.CodeSecretAlias.
const CodeSecretAlias = finding.CodeSecretAlias

// underSecret reports whether a value path is secret or lies under a secret
// path (a list or mapping where a secret belongs is secret throughout).
func underSecret(path string, isSecret func(path string) bool) bool {
	if isSecret(path) {
		return true
	}
	for i := len(path) - 1; i > 0; i-- {
		if (path[i] == '.' || path[i] == '[') && isSecret(path[:i]) {
			return true
		}
	}
	return false
}

// SecretNodes returns the non-empty scalars of doc that hold a secret, with
// the path each is read at: every scalar at or under a path isSecret reports,
// whether written there or reached through an alias or a merge key (<<), so
// that a secret given by reference is sealed and masked like any other. A
// scalar read at several paths is returned once, with the first.
func SecretNodes(doc *values.Doc, isSecret func(path string) bool) map[*yaml.Node]string {
	out := map[*yaml.Node]string{}
	doc.WalkResolved(func(path string, n *yaml.Node, _ []*yaml.Node) {
		if _, done := out[n]; done || values.IsEmpty(n) || !underSecret(path, isSecret) {
			return
		}
		out[n] = path
	})
	return out
}

// secretAliases refuses secrets that YAML's references touch: an anchor on a
// secret or on a node holding one (an alias could copy it where it is not
// masked), an alias at or above a secret path, and a merge key (<<) that
// brings a secret in. Each secret path is reported once, at the reference
// nearest the root. A secret must be written where it is read, so that it is
// sealed, masked and checked at one place.
func secretAliases(l *Layer) finding.List {
	if l.Pack == nil || l.Pack.Schema == nil || len(l.Pack.Schema.SecretPatterns()) == 0 {
		return nil
	}
	var fl finding.List
	type seenKey struct {
		path string
		ref  *yaml.Node
	}
	seen := map[seenKey]bool{}
	l.Values.WalkResolved(func(path string, n *yaml.Node, via []*yaml.Node) {
		if len(via) == 0 || seen[seenKey{path, via[0]}] || !underSecret(path, l.Pack.IsSecret) {
			return
		}
		r := via[0]
		seen[seenKey{path, r}] = true
		pos := finding.Pos{Line: r.Line, Column: r.Column}
		const hint = "write the secret value itself at this path, without YAML anchors (&), aliases (*) or merge keys (<<)"
		switch {
		case r.Kind == yaml.AliasNode:
			fl.Errorf(finding.CodeSecretAlias, path, pos, hint, "%s is given through the alias *%s%s; a secret must be written where it is used", path, r.Value, anchorAt(r.Alias))
		case values.IsMergeKey(r):
			fl.Errorf(finding.CodeSecretAlias, path, pos, hint, "%s is brought in by a merge key (<<)%s; a secret must be written where it is used", path, mergedFrom(via))
		default:
			fl.Errorf(finding.CodeSecretAlias, path, pos, hint, "%s is inside the anchor &%s, which could copy it where it is not masked", path, r.Anchor)
		}
	})
	return fl
}

// anchorAt says where an alias's anchor is.
func anchorAt(n *yaml.Node) string {
	if n == nil || n.Line == 0 {
		return ""
	}
	return fmt.Sprintf(" (anchor &%s at line %d)", n.Anchor, n.Line)
}

// mergedFrom names the alias a merge key merges, if any.
func mergedFrom(via []*yaml.Node) string {
	for _, v := range via[1:] {
		if v.Kind == yaml.AliasNode {
			return " from *" + v.Value + anchorAt(v.Alias)
		}
	}
	return ""
}
