package profile

import (
	"bytes"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/values"
)

// Render validates a profile and returns a copy whose layers have every macro
// resolved for the cluster context in o, pack tags resolved to versions, and
// secrets (values the pack's schema marks as password) masked unless
// o.ShowSecrets. Text outside macros is kept as written.
func (v *Validator) Render(d *Document, o Options) (*Profile, *Result) {
	r := v.Validate(d, o)
	out := d.Profile
	out.Spec.Template.Packs = append([]PackRef(nil), d.Profile.Spec.Template.Packs...)
	ctx := *r.Context
	ctx.HideSensitive = !o.ShowSecrets
	for i, l := range r.Layers {
		ref := &out.Spec.Template.Packs[i]
		if l.Pack != nil {
			ref.Version = l.Pack.Meta.Version
			if ref.Tag == "" {
				ref.Tag = l.Pack.Meta.Version
			}
			if ref.Layer == "" {
				ref.Layer = l.Pack.Meta.Layer
			}
		}
		text := ref.Values
		if strings.TrimSpace(text) == "" && l.Pack != nil {
			text = string(l.Pack.Values)
		}
		if l.Values == nil {
			ref.Values = text
			continue
		}
		if !o.ShowSecrets && l.Pack != nil && l.Pack.Schema != nil && len(l.Pack.Schema.SecretPatterns()) > 0 {
			text = MaskSecrets(text, l.Values, l.Pack.IsSecret)
		}
		ref.Values = v.Engine.Resolve(&ctx, l.Ref.Name, text).Text
	}
	return &out, r
}

// MaskSecrets replaces, in values text, every non-empty scalar whose path
// isSecret reports with the mask, leaving the rest of the text as it is.
func MaskSecrets(text string, doc *values.Doc, isSecret func(path string) bool) string {
	return ReplaceScalars(text, doc, func(path string, n *yaml.Node) (string, bool) {
		if !isSecret(path) || values.IsEmpty(n) {
			return "", false
		}
		return "'" + macro.MaskText + "'", true
	})
}

// ReplaceScalars rewrites, in values text parsed as doc, every scalar for which
// fn returns a replacement (YAML text), keeping the rest byte for byte.
func ReplaceScalars(text string, doc *values.Doc, fn func(path string, n *yaml.Node) (string, bool)) string {
	type span struct {
		start, end int
		repl       string
	}
	var spans []span
	lines := lineStarts(text)
	doc.Walk(func(path string, n *yaml.Node) {
		if n.Line < 1 || n.Line > len(lines) {
			return
		}
		repl, ok := fn(path, n)
		if !ok {
			return
		}
		start := lines[n.Line-1] + n.Column - 1
		if start < 0 || start >= len(text) {
			return
		}
		if end := scalarEnd(text, start, n, lines); end > start {
			spans = append(spans, span{start, end, repl})
		}
	})
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start > spans[j].start })
	b := []byte(text)
	for _, s := range spans {
		b = append(b[:s.start:s.start], append([]byte(s.repl), b[s.end:]...)...)
	}
	return string(b)
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// scalarEnd returns the byte offset just past a scalar that starts at start.
func scalarEnd(text string, start int, n *yaml.Node, lines []int) int {
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The block runs until the first non-empty line indented no deeper than its key.
		keyIndent := indentOf(text, lines[n.Line-1])
		end := len(text)
		for l := n.Line; l < len(lines); l++ {
			ls := lines[l]
			le := len(text)
			if l+1 < len(lines) {
				le = lines[l+1] - 1
			}
			if strings.TrimSpace(text[ls:le]) == "" {
				continue
			}
			if indentOf(text, ls) <= keyIndent {
				end = ls - 1
				break
			}
		}
		return trimRightNewlines(text, start, end)
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(text); i++ {
			if text[i] == '\\' {
				i++
				continue
			}
			if text[i] == '"' {
				return i + 1
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(text); i++ {
			if text[i] == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	default:
		end := start + bytes.IndexByte([]byte(text[start:]+"\n"), '\n')
		if c := strings.Index(text[start:end], " #"); c >= 0 {
			end = start + c
		}
		return trimRightNewlines(text, start, end)
	}
	return start
}

func indentOf(text string, at int) int {
	i := at
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i - at
}

func trimRightNewlines(text string, start, end int) int {
	if end > len(text) {
		end = len(text)
	}
	for end > start && (text[end-1] == '\n' || text[end-1] == '\r' || text[end-1] == ' ' || text[end-1] == '\t') {
		end--
	}
	return end
}
