package profile

import (
	"context"
	"strings"
)

// Render validates a profile and returns a copy whose layers have every macro
// resolved for the cluster context in o, pack tags resolved to versions, and
// secrets (values the pack's schema marks as password) masked unless
// o.ShowSecrets. Text outside macros is kept as written.
func (v *Validator) Render(ctx context.Context, d *Document, o Options) (*Profile, *Result, error) {
	r, err := v.Validate(ctx, d, o)
	if err != nil {
		return nil, nil, err
	}
	out := d.Profile
	out.Spec.Template.Packs = append([]PackRef(nil), d.Profile.Spec.Template.Packs...)
	mc := *r.Context
	mc.HideSensitive = !o.ShowSecrets
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
		ref.Values = v.Engine.Resolve(&mc, l.Ref.Name, text).Text
	}
	return &out, r, nil
}
