package profile

import (
	"bytes"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/values"

	"github.com/byoos/byoos/secret"
)

// maskYAML is the mask as a YAML scalar.
const maskYAML = "'" + secret.Mask + "'"

// MaskSecrets replaces, in values text, every secret scalar with the mask,
// leaving the rest of the text as it is. Secrets are the non-empty scalars at
// or under a path isSecret reports, reached directly or through aliases and
// merge keys (SecretNodes); each is replaced over its whole text, whatever
// its style (values.Doc.Spans).
//
// The result is checked before it is returned: it must parse to the same
// tree with every secret now the mask, and hold no secret's text. When it
// does not (a scalar that cannot be placed, a secret repeated in a comment),
// the values are written anew from the tree, secrets masked and comments
// dropped, and when even that fails the whole text is the mask. A secret is
// never returned. doc is the text parsed; when it was parsed from another
// text, the text is parsed again.
func MaskSecrets(text string, doc *values.Doc, isSecret func(path string) bool) string {
	doc = docFor(text, doc)
	if doc == nil {
		return secret.Mask // where the secrets are is unknown: show nothing
	}
	secrets := SecretNodes(doc, isSecret)
	if len(secrets) == 0 {
		return text
	}
	repl := make(map[*yaml.Node]string, len(secrets))
	for n := range secrets {
		repl[n] = maskYAML
	}
	spans := doc.Spans()
	if out, ok := replaceNodes(text, spans, repl); ok && isMasked(out, doc, secrets, isSecret, wholeTokens(text, spans, secrets)) {
		return out
	}
	return encodeMasked(doc, secrets)
}

// wholeTokens reports whether every secret is a scalar whose text is a
// token of its own, without anchor or tag: quoted on one line (from quote to
// quote), or a literal or folded block (from its indicator). Putting a
// quoted mask in such a place cannot change what the rest of the text
// means, so the masked text need not be parsed again; a plain scalar can
// (`p: &0:0 0` masked in place reads otherwise), and is checked.
func wholeTokens(text string, spans map[*yaml.Node]values.Span, secrets map[*yaml.Node]string) bool {
	for n := range secrets {
		sp, ok := spans[n]
		if !ok || sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End || n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 {
			return false
		}
		tok := text[sp.Start:sp.End]
		switch {
		case n.Style&yaml.DoubleQuotedStyle != 0:
			if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' || strings.ContainsAny(tok, "\r\n") {
				return false
			}
		case n.Style&yaml.SingleQuotedStyle != 0:
			if len(tok) < 2 || tok[0] != '\'' || tok[len(tok)-1] != '\'' || strings.ContainsAny(tok, "\r\n") {
				return false
			}
		case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			if tok[0] != '|' && tok[0] != '>' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// ReplaceScalars rewrites, in values text parsed as doc, every scalar value
// written in place for which fn returns a replacement (YAML text of one
// scalar, quoted), over the scalar's whole text (values.Doc.Spans), keeping
// the rest byte for byte. A scalar whose text cannot be placed is left as it
// is.
func ReplaceScalars(text string, doc *values.Doc, fn func(path string, n *yaml.Node) (string, bool)) string {
	doc = docFor(text, doc)
	if doc == nil {
		return text
	}
	spans := doc.Spans()
	repl := map[*yaml.Node]string{}
	doc.Walk(func(path string, n *yaml.Node) {
		if _, placed := spans[n]; !placed {
			return
		}
		if r, ok := fn(path, n); ok {
			repl[n] = r
		}
	})
	out, _ := replaceNodes(text, spans, repl)
	return out
}

// docFor returns doc when it was parsed from text, else text parsed anew
// (nil when it does not parse).
func docFor(text string, doc *values.Doc) *values.Doc {
	if doc != nil && string(doc.Src) == text {
		return doc
	}
	d, err := values.Parse([]byte(text))
	if err != nil {
		return nil
	}
	return d
}

// replaceNodes replaces the text of each node in repl; ok is false when a
// node could not be placed (it is then left as written).
func replaceNodes(text string, spans map[*yaml.Node]values.Span, repl map[*yaml.Node]string) (string, bool) {
	type edit struct {
		values.Span
		repl string
	}
	edits := make([]edit, 0, len(repl))
	ok := true
	for n, r := range repl {
		sp, placed := spans[n]
		if !placed || sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
			ok = false
			continue
		}
		edits = append(edits, edit{sp, r})
	}
	if len(edits) == 0 {
		return text, ok
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, e := range edits {
		if e.Start < at { // spans of distinct nodes never overlap; refuse if they do
			return text, false
		}
		b.WriteString(text[at:e.Start])
		b.WriteString(e.repl)
		at = e.End
	}
	b.WriteString(text[at:])
	return b.String(), ok
}

// isMasked checks a masked text: it parses to the tree of doc with every
// secret (and nothing else) now the mask, every secret path reads the mask,
// and no secret's text (4 characters or more, whole or any of its lines) is
// left in it more often than the values kept in clear hold it (a user name
// may be the password; a comment may not repeat it). The parse is left out
// when every secret was a whole token (wholeTokens); the text check never is.
func isMasked(out string, doc *values.Doc, secrets map[*yaml.Node]string, isSecret func(string) bool, wholeTokens bool) bool {
	if !wholeTokens {
		d2, err := values.Parse([]byte(out))
		if err != nil || !sameMasked(doc.Root, d2.Root, secrets, 0) {
			return false
		}
		for n := range SecretNodes(d2, isSecret) {
			if n.Value != secret.Mask {
				return false
			}
		}
	}
	public := ""
	for n := range secrets {
		for _, s := range secretTexts(n.Value) {
			if !strings.Contains(out, s) {
				continue
			}
			if public == "" {
				public = publicText(doc.Root, secrets, 0)
			}
			if strings.Count(out, s) > strings.Count(public, s) {
				return false
			}
		}
	}
	return true
}

// secretTexts returns what of a secret must not be shown: the value and each
// of its lines, those of 4 characters or more.
func secretTexts(v string) []string {
	var out []string
	if len(v) >= 4 {
		out = append(out, v)
	}
	if strings.Contains(v, "\n") {
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 4 {
				out = append(out, line)
			}
		}
	}
	return out
}

// publicText joins what masking keeps in clear, NUL between: keys, values
// that are not secret, anchor and alias names, tags, and the mask itself.
func publicText(n *yaml.Node, secrets map[*yaml.Node]string, depth int) string {
	var b strings.Builder
	b.WriteString(maskYAML)
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > values.MaxDepth {
			return
		}
		b.WriteString("\x00" + n.Anchor + "\x00" + n.Tag)
		if _, isSecret := secrets[n]; !isSecret {
			b.WriteString("\x00" + n.Value)
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, depth)
	return b.String()
}

// sameMasked compares an original tree with the tree of its masked text:
// the same shape, keys, anchors, aliases and values, secrets now the mask.
func sameMasked(a, b *yaml.Node, secrets map[*yaml.Node]string, depth int) bool {
	if a == nil || b == nil {
		return a == b
	}
	if depth > values.MaxDepth || a.Kind != b.Kind || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		if _, isSecret := secrets[a]; isSecret {
			return b.Value == secret.Mask
		}
		return a.Value == b.Value && a.Tag == b.Tag
	case yaml.AliasNode:
		return a.Value == b.Value
	}
	if a.Tag != b.Tag {
		return false
	}
	for i := range a.Content {
		if !sameMasked(a.Content[i], b.Content[i], secrets, depth+1) {
			return false
		}
	}
	return true
}

// encodeMasked writes the values anew from the tree, secrets masked, without
// comments (one may repeat a secret); the mask alone if that fails.
func encodeMasked(doc *values.Doc, secrets map[*yaml.Node]string) string {
	copies := map[*yaml.Node]*yaml.Node{}
	root := copyMasked(doc.Root, secrets, copies, 0)
	fixAliases(root, copies, 0)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return secret.Mask
	}
	if err := enc.Close(); err != nil {
		return secret.Mask
	}
	return b.String()
}

// copyMasked copies a tree (aliases kept, pointing at the originals until
// fixAliases) with secrets masked and comments dropped.
func copyMasked(n *yaml.Node, secrets map[*yaml.Node]string, copies map[*yaml.Node]*yaml.Node, depth int) *yaml.Node {
	if n == nil {
		return nil
	}
	cp := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor, Alias: n.Alias, Line: n.Line, Column: n.Column}
	copies[n] = cp
	if _, isSecret := secrets[n]; isSecret {
		cp.Value, cp.Tag, cp.Style = secret.Mask, "!!str", yaml.SingleQuotedStyle
	}
	if depth < values.MaxDepth {
		for _, c := range n.Content {
			cp.Content = append(cp.Content, copyMasked(c, secrets, copies, depth+1))
		}
	}
	return cp
}

// fixAliases points the aliases of a copied tree at the copies of their anchors.
func fixAliases(n *yaml.Node, copies map[*yaml.Node]*yaml.Node, depth int) {
	if n == nil || depth > values.MaxDepth {
		return
	}
	if n.Kind == yaml.AliasNode {
		n.Alias = copies[n.Alias]
	}
	for _, c := range n.Content {
		fixAliases(c, copies, depth+1)
	}
}
