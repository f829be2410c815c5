package profile

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/byoi"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/schema"
	"github.com/byoos/byoos/values"
)

// checkKeys reports the keys of a layer's values (as written) that its pack
// neither defines nor reads, each a finding.CodeValuesUnknownKey warning at
// the key with what it probably meant (see schema.Keys). fl holds the
// layer's other findings: a key one of them already reports on is not
// reported again, and a required key's error whose key is missing while a
// near miss of it was written is moved to the near miss and names both,
// instead of a warning. It returns fl with those changes.
//
// A pack's keys are those of schema.Keys (its defaults, its schema.yaml,
// pack.PaletteKeys), the keys its BYOOS rules read (byoi.ReadKeys), and
// the paths any macro of the profile reads from this layer.
func checkKeys(r *Result, l *Layer, fl finding.List) finding.List {
	p := l.Pack
	if p == nil || l.Values == nil || l.Values.Root == nil || l.Values == p.Defaults {
		return fl // the pack's own values hold only its own keys
	}
	keys := p.Keys
	if keys == nil {
		keys = schema.NewKeys(p.Defaults, p.Schema, pack.PaletteKeys()...)
	}
	unknown := keys.Unknown(l.Values)
	if len(unknown) == 0 {
		return fl
	}
	read := byoi.ReadKeys(p.Meta.Name)
	refs := macroRefs(r, l.Ref.Name)
	for _, u := range unknown {
		if reported(fl, u.Path) || covered(refs, u.Path) || readByRules(read, u.Path) {
			continue
		}
		s, ok := keys.Suggest(u)
		if !ok {
			fl.Warnf(finding.CodeValuesUnknownKey, u.Path, at(u.Key),
				fmt.Sprintf("remove it, or check it against the keys of the pack's values.yaml and schema.yaml (byoos pack show %s --part values)", p.Meta.Name),
				"%s is not a key %s reads: it is in neither its default values nor its schema.yaml, so its value is not used", u.Path, p.Meta.Name)
			continue
		}
		target := s.Path
		if s.Key != "" {
			target = join(u.Parent, s.Key)
		}
		if nearMiss(fl, l.Values, u, target, s, p.Meta.Name) {
			continue
		}
		fl.Add(unknownKey(l.Values, u, s, target, p.Meta.Name))
	}
	return fl
}

// unknownKey is the warning for an unknown key with a suggestion.
func unknownKey(doc *values.Doc, u schema.Unknown, s schema.Suggestion, target, packName string) finding.Finding {
	f := finding.Finding{Severity: finding.Warning, Code: finding.CodeValuesUnknownKey, Path: u.Path, Line: u.Key.Line, Column: u.Key.Column}
	key := u.Key.Value
	if s.Key == "" {
		where := "at the root of its values"
		if u.Parent != "" {
			where = "under " + u.Parent
		}
		f.Message = fmt.Sprintf("%s is not a key %s reads %s; did you mean %s?", u.Path, packName, where, s.Path)
		f.Hint = "move it to " + s.Path
		if parent, ok := strings.CutSuffix(s.Path, "."+key); ok {
			f.Hint = fmt.Sprintf("move it under %s: (%s: ...)", parent, key)
		}
	} else {
		f.Message = fmt.Sprintf("%s is not a key %s reads; did you mean %s?", u.Path, packName, s.Key)
		if s.CaseOnly {
			f.Message += fmt.Sprintf(" Keys are case-sensitive: you wrote %s", key)
		}
		f.Hint = fmt.Sprintf("rename %s to %s", key, s.Key)
	}
	if n, ok := doc.Lookup(target); ok && !strings.Contains(target, "$[]") {
		f.Hint = fmt.Sprintf("remove %s: %s is set too, at line %d", key, target, keyLine(doc, target, n))
	}
	return f
}

// nearMiss moves the error about a missing required key at target to the
// unknown key u written instead, naming both, and reports whether there was
// such an error.
func nearMiss(fl finding.List, doc *values.Doc, u schema.Unknown, target string, s schema.Suggestion, packName string) bool {
	if strings.Contains(target, "$[]") {
		return false
	}
	if _, ok := doc.Lookup(target); ok {
		return false // both are written: the error, if any, is about the value
	}
	moved := false
	for i := range fl {
		f := &fl[i]
		if f.Severity != finding.Error || f.Path != target {
			continue
		}
		f.Line, f.Column = u.Key.Line, u.Key.Column
		meant := target
		if s.Key != "" {
			meant = s.Key
		}
		f.Message = fmt.Sprintf("%s; %s is written instead, which %s does not read: did you mean %s?", strings.TrimSuffix(f.Message, "."), u.Path, packName, meant)
		if s.CaseOnly {
			f.Message += fmt.Sprintf(" Keys are case-sensitive: you wrote %s", u.Key.Value)
		}
		if s.Key != "" {
			f.Hint = fmt.Sprintf("rename %s to %s", u.Key.Value, s.Key)
		} else {
			f.Hint = "move " + u.Path + " to " + target
		}
		moved = true
	}
	return moved
}

// keyLine is the line of the key at a concrete path, or of its value.
func keyLine(doc *values.Doc, path string, n *yaml.Node) int {
	if ms := doc.Find(path); len(ms) > 0 && ms[0].Key != nil {
		return ms[0].Key.Line
	}
	return n.Line
}

func at(n *yaml.Node) finding.Pos { return finding.Pos{Line: n.Line, Column: n.Column} }

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// under reports whether path is prefix or lies under it.
func under(path, prefix string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || path[len(prefix)] == '.' || path[len(prefix)] == '['
}

// reported reports whether a finding of fl is about the key at path or a
// value under it, or an error is about a value that holds it (one of the
// wrong type, say).
func reported(fl finding.List, path string) bool {
	for _, f := range fl {
		if f.Path != "" && (under(f.Path, path) || (f.Severity == finding.Error && under(path, f.Path))) {
			return true
		}
	}
	return false
}

// covered reports whether a macro reads the key at path or a value under it.
func covered(refs []string, path string) bool {
	for _, ref := range refs {
		if under(ref, path) || under(path, ref) {
			return true
		}
	}
	return false
}

// readByRules reports whether the BYOOS rules read the key at path.
func readByRules(read []string, path string) bool {
	for _, p := range read {
		if schema.MatchPath(p, path) || under(p, schema.Canonical(path)) {
			return true
		}
	}
	return false
}

// macroRefs returns the paths that the macros of every layer read from the
// values of pack name.
func macroRefs(r *Result, name string) []string {
	var refs []string
	for i := range r.Layers {
		doc := r.Layers[i].Values
		doc.AnyScalar(func(n *yaml.Node) bool {
			if !macro.HasMacro(n.Value) {
				return false
			}
			xs, _ := macro.Scan(n.Value)
			for _, x := range xs {
				if x.Kind == macro.KindPack && x.Pack == name {
					refs = append(refs, x.Path)
				}
			}
			return false
		})
	}
	return refs
}
