package imagesrc

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/values"
)

// The generic-byoi values an import sets.
const (
	KeyImage     = "pack.osImageOverride"
	KeyOSName    = "pack.osName"
	KeyOSVersion = "pack.osVersion"
)

// Values returns the generic-byoi values of the image, a YAML document like
// examples/values/generic-aws.yaml, with the comments of Comments. comment,
// when not empty, is put first (one comment line per line).
func (img Image) Values(comment string) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.DocumentNode}
	var head []string
	for line := range strings.SplitSeq(comment, "\n") {
		if line != "" {
			head = append(head, line)
		}
	}
	head = append(head, img.Comments()...)
	doc.HeadComment = strings.Join(head, "\n")
	field := func(key, value string) []*yaml.Node {
		return []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: key},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle},
		}
	}
	packMap := &yaml.Node{Kind: yaml.MappingNode}
	packMap.Content = append(packMap.Content, field("osImageOverride", img.ID)...)
	packMap.Content = append(packMap.Content, field("osName", img.OSName)...)
	packMap.Content = append(packMap.Content, field("osVersion", img.OSVersion)...)
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "pack"}, packMap}}
	doc.Content = []*yaml.Node{root}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write values: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write values: %w", err)
	}
	return buf.Bytes(), nil
}

// Comments says, one line each: the image's region ("region: R", first,
// for an AMI), where the image was found, and where its OS and Kubernetes version came from. Values from the
// manifest are quoted, so no line break of theirs reaches a comment.
func (img Image) Comments() []string {
	var out []string
	if img.Region != "" {
		out = append(out, "region: "+img.Region)
	}
	out = append(out, "generic-byoi values imported from "+img.Source)
	if img.OSNameFrom != "" {
		out = append(out, "osName from "+img.OSNameFrom)
	}
	if img.OSVersionFrom != "" {
		out = append(out, "osVersion from "+img.OSVersionFrom)
	}
	if img.Kubernetes != "" {
		out = append(out, fmt.Sprintf("built for Kubernetes %s (from %s): pick a kubernetes layer of that version", brief(img.Kubernetes), img.KubernetesFrom))
	}
	for i, s := range out {
		out[i] = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
				return ' '
			}
			return r
		}, s)
	}
	return out
}

// SetValues returns the values text of a generic-byoi layer with
// pack.osImageOverride, pack.osName and pack.osVersion set to the image's,
// everything else kept. Where the three are written as scalars, only their
// text changes (comments and layout stay byte for byte); otherwise the
// values are written anew from their tree, with their comments.
func (img Image) SetValues(text string) (string, error) {
	want := map[string]string{KeyImage: img.ID, KeyOSName: img.OSName, KeyOSVersion: img.OSVersion}
	doc, err := values.Parse([]byte(text))
	if err != nil {
		return "", fmt.Errorf("read the layer's values: %w", err)
	}
	out := text
	if inPlace(doc) {
		out = profile.ReplaceScalars(text, doc, func(path string, n *yaml.Node) (string, bool) {
			v, ok := want[path]
			if !ok {
				return "", false
			}
			return yamlQuote(v), true
		})
	}
	if !hasValues(out, want) {
		out, err = rewrite(doc, img)
		if err != nil {
			return "", err
		}
	}
	if !hasValues(out, want) {
		return "", fmt.Errorf("the image could not be put in the layer's values at %s, %s and %s", KeyImage, KeyOSName, KeyOSVersion)
	}
	return out, nil
}

// inPlace reports whether the three keys are each a scalar of their own
// (not an alias, not shared by an anchor) that text can be replaced in.
func inPlace(doc *values.Doc) bool {
	spans := doc.Spans()
	for _, k := range []string{KeyImage, KeyOSName, KeyOSVersion} {
		n, ok := doc.Lookup(k)
		if !ok || n.Kind != yaml.ScalarNode || n.Anchor != "" {
			return false
		}
		if _, placed := spans[n]; !placed {
			return false
		}
	}
	return true
}

// hasValues reports whether text reads back with the wanted values.
func hasValues(text string, want map[string]string) bool {
	doc, err := values.Parse([]byte(text))
	if err != nil {
		return false
	}
	for k, v := range want {
		n, ok := doc.Lookup(k)
		if !ok || n.Kind != yaml.ScalarNode || n.Value != v || !values.IsString(n) {
			return false
		}
	}
	return true
}

// rewrite sets the three keys in the values tree under pack and writes the
// values anew.
func rewrite(doc *values.Doc, img Image) (string, error) {
	root := doc.Root
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode}
	}
	pack := mapValue(root, "pack")
	set := func(key, value string) {
		for i := 0; i+1 < len(pack.Content); i += 2 {
			if pack.Content[i].Value == key {
				pack.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle}
				return
			}
		}
		pack.Content = append(pack.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle})
	}
	set("osImageOverride", img.ID)
	set("osName", img.OSName)
	set("osVersion", img.OSVersion)
	// Flat keys (pack.osName: at the root) would shadow the nested ones: drop them.
	for i := 0; i+1 < len(root.Content); {
		switch root.Content[i].Value {
		case KeyImage, KeyOSName, KeyOSVersion:
			root.Content = append(root.Content[:i], root.Content[i+2:]...)
		default:
			i += 2
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return "", fmt.Errorf("write the layer's values: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("write the layer's values: %w", err)
	}
	return buf.String(), nil
}

// mapValue returns the mapping under key in m, making it (or replacing a
// value that is not a mapping) when needed.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := values.Deref(m.Content[i+1])
			if v.Kind == yaml.MappingNode && m.Content[i+1].Kind != yaml.AliasNode {
				return v
			}
			fresh := &yaml.Node{Kind: yaml.MappingNode}
			if v.Kind == yaml.MappingNode { // an alias: copy it, so the anchor keeps its values
				fresh.Content = append(fresh.Content, v.Content...)
			}
			m.Content[i+1] = fresh
			return fresh
		}
	}
	fresh := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, fresh)
	return fresh
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	b, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle})
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(b), "\n")
}
