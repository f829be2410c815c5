package profile

import (
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/values"
)

// isSecret reports whether the value at path in the layer of pack packName
// is a secret (its pack's schema marks it as a password).
func (r *Result) isSecret(packName, path string) bool {
	for _, l := range r.Layers {
		if l.Ref.Name == packName && l.Pack != nil {
			return l.Pack.IsSecret(path)
		}
	}
	return false
}

// redact replaces, in every finding's message and hint, the profile's
// secrets (values its packs' schemas mark as passwords, as written and as
// resolved, and the values of sensitive variables) with the mask, and values
// computed from a sensitive variable with secret.Derived. Checks quote the
// values they find fault with; this is where a quoted secret stops.
func (r *Result) redact(vars []Variable) {
	if len(r.Findings) == 0 {
		return // nothing to say, nothing to redact
	}
	var rd secret.Redactor
	for _, vr := range vars {
		if vr.IsSensitive {
			rd.Add(vr.DefaultValue, secret.Mask)
			if r.Context != nil {
				rd.Add(r.Context.Vars[vr.Name], secret.Mask)
			}
		}
	}
	for _, l := range r.Layers {
		for _, n := range l.derived {
			rd.Add(n.Value, secret.Derived)
		}
		if l.Pack == nil || l.Pack.Schema == nil || len(l.Pack.Schema.SecretPatterns()) == 0 {
			continue // the pack has no secrets
		}
		for _, doc := range []*values.Doc{l.Values, l.Resolved} {
			if doc == nil {
				continue
			}
			for n := range SecretNodes(doc, l.Pack.IsSecret) {
				rd.Add(n.Value, secret.Mask)
			}
		}
	}
	if rd.Len() == 0 {
		return
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Message, f.Hint = rd.Redact(f.Message), rd.Redact(f.Hint)
	}
}
