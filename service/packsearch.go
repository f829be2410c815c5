package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/version"
	"github.com/byoos/byoos/wire"
)

// Pack types (Palette's V1PackType).
const (
	PackTypeSpectro  = "spectro"
	PackTypeHelm     = "helm"
	PackTypeManifest = "manifest"
	PackTypeOCI      = "oci"
)

// SourceSpectroCloud is the source (filter.source) of the built-in Public
// Repo's packs.
const SourceSpectroCloud = "spectrocloud"

// packSource is where a pack version comes from, as filter.source selects
// it: SourceSpectroCloud for the built-in Public Repo, which stands in for
// Spectro Cloud's; for any other registry, the pack's own
// pack.json annotations.source, as Palette's packs carry it
// ("spectrocloud", "community"), "" when it has none.
func packSource(registryUID string, p *pack.Pack) string {
	if registryUID == catalog.RepoUID {
		return SourceSpectroCloud
	}
	return p.Meta.Annotations["source"]
}

// isPackLayer reports whether s is a layer a pack search may name
// (V1PackLayer).
func isPackLayer(s string) bool {
	switch s {
	case "kernel", "os", "k8s", "cni", "csi", "addon":
		return true
	}
	return false
}

// packSortKey returns, for a sort field (V1PackSortFields), the value of an
// item it sorts by; ok is false for a field that is not one.
func packSortKey(field string) (key func(*wire.PackMetadata) string, ok bool) {
	switch field {
	case "", "name":
		return func(m *wire.PackMetadata) string { return m.Spec.Name }, true
	case "type":
		return func(m *wire.PackMetadata) string { return m.Spec.Type }, true
	case "layer":
		return func(m *wire.PackMetadata) string { return m.Spec.Layer }, true
	case "addOnType":
		return func(m *wire.PackMetadata) string { return m.Spec.AddonType }, true
	case "displayName":
		return func(m *wire.PackMetadata) string { return m.Spec.DisplayName }, true
	}
	return nil, false
}

// packOrder checks a search's sort keys and returns the order they give:
// nil for none (the items stay in resolution order). Ties are broken by
// name, then type, which no two items share.
func packOrder(sorts []wire.PackSortSpec) (func(a, b *wire.PackMetadata) int, error) {
	if len(sorts) == 0 {
		return nil, nil
	}
	type key struct {
		of   func(*wire.PackMetadata) string
		desc bool
	}
	keys := make([]key, 0, len(sorts)+2)
	for i, so := range sorts {
		of, ok := packSortKey(so.Field)
		if !ok {
			return nil, Errorf(wire.CodeBadRequest, "sort[%d].field: %q is not name, type, layer, addOnType or displayName", i, so.Field)
		}
		k := key{of: of}
		switch strings.ToLower(so.Order) {
		case "", "asc":
		case "desc":
			k.desc = true
		default:
			return nil, Errorf(wire.CodeBadRequest, "sort[%d].order: %q is not asc or desc", i, so.Order)
		}
		keys = append(keys, k)
	}
	name, _ := packSortKey("name")
	typ, _ := packSortKey("type")
	keys = append(keys, key{of: name}, key{of: typ})
	return func(a, b *wire.PackMetadata) int {
		for _, k := range keys {
			c := cmp.Compare(k.of(a), k.of(b))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}, nil
}

// checkPackFilter refuses the values of a pack filter that byoos cannot
// honour or that are none of the field's values, naming the field.
func checkPackFilter(f *wire.PackFilter) error {
	for i, t := range f.Type {
		switch t {
		case "", PackTypeSpectro, PackTypeHelm, PackTypeManifest, PackTypeOCI:
		default:
			return Errorf(wire.CodeBadRequest, "filter.type[%d]: %q is not spectro, helm, manifest or oci", i, t)
		}
	}
	for i, l := range f.Layer {
		if l != "" && !isPackLayer(l) {
			return Errorf(wire.CodeBadRequest, "filter.layer[%d]: %q is not kernel, os, k8s, cni, csi or addon", i, l)
		}
	}
	for i, st := range f.State {
		if st != "" {
			return Errorf(wire.CodeBadRequest, "filter.state[%d]: %q: byoos packs have no state (such as deprecated or disabled); leave filter.state out", i, st)
		}
	}
	if f.IsFips {
		return Errorf(wire.CodeBadRequest, "filter.isFips: byoos does not record which packs are FIPS-compliant; leave it false")
	}
	return nil
}

// inList reports whether a filter list selects v: an empty list selects
// everything.
func inList(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }

// SearchPacks answers Palette's POST /v1/packs/search: one page of the packs
// res holds that in selects, one item per pack name and type, with each
// registry's newest version (by version order) of it.
//
// The filter: name and displayName as V1FilterString (eq, ne, contains,
// beginsWith, ignoreCase); type is the pack's (Entry.PackType); layer,
// addOnType and addOnSubType (pack.json's addonType and addonSubType)
// select any of their values, "" selecting packs without one; environment
// selects packs for any of its cloud types or for "all" (a list holding
// "all" selects every pack); registryUid names registries; source is
// packSource's. state and isFips are refused: byoos packs have neither.
// Without sort, items come in resolution order (Resolver); sort keys are
// applied in turn, then name and type. page is as Profiles.Search takes it.
func SearchPacks(ctx context.Context, res *Resolver, in *wire.PackSearch, page Page) (*wire.PackSearchResult, error) {
	f := &in.Filter
	if err := checkPackFilter(f); err != nil {
		return nil, err
	}
	order, err := packOrder(in.Sort)
	if err != nil {
		return nil, err
	}
	if page, err = page.start(fingerprint(in)); err != nil {
		return nil, err
	}
	q := Query{RegistryUIDs: nonEmptyStrings(f.RegistryUID)}
	if f.Name != nil && f.Name.Eq != "" && !f.Name.IgnoreCase {
		q.Name = f.Name.Eq
	}
	es, err := res.Find(ctx, q)
	if err != nil {
		return nil, err
	}
	regs, err := res.Registries(ctx)
	if err != nil {
		return nil, err
	}
	regByUID := make(map[string]Registry, len(regs))
	for _, rg := range regs {
		regByUID[rg.UID] = rg
	}
	types, layers, env := nonEmptyStrings(f.Type), nonEmptyStrings(f.Layer), nonEmptyStrings(f.Environment)
	byKey := map[[2]string]*wire.PackMetadata{}
	var items []*wire.PackMetadata
	for _, en := range es {
		typ := en.PackType()
		if !matchString(f.Name, en.Name) || !matchString(f.DisplayName, en.DisplayName) || !inList(types, typ) || !inList(layers, en.Layer) || !inList(f.AddOnType, en.AddonType) {
			continue
		}
		if len(env) > 0 && !slices.Contains(env, "all") && !slices.Contains(en.CloudTypes, "all") && !slices.ContainsFunc(en.CloudTypes, func(c string) bool { return slices.Contains(env, c) }) {
			continue
		}
		if len(f.AddOnSubType) > 0 || len(f.Source) > 0 {
			pk, err := res.Load(ctx, en)
			if err != nil {
				return nil, fmt.Errorf("search packs: %w", err)
			}
			if !inList(f.AddOnSubType, pk.Meta.AddonSubType) || !inList(f.Source, packSource(en.RegistryUID, pk)) {
				continue
			}
		}
		k := [2]string{en.Name, typ}
		pm, ok := byKey[k]
		if !ok {
			pm = &wire.PackMetadata{Metadata: wire.ObjectMeta{Name: en.Name, UID: en.UID},
				Spec: wire.PackMetadataSpec{Name: en.Name, DisplayName: en.DisplayName, Layer: en.Layer, Type: typ, CloudTypes: nonNil(en.CloudTypes), AddonType: en.AddonType, Registries: []wire.RegistryPackMeta{}}}
			byKey[k] = pm
			items = append(items, pm)
		}
		i := slices.IndexFunc(pm.Spec.Registries, func(rp wire.RegistryPackMeta) bool { return rp.UID == en.RegistryUID })
		if i < 0 {
			rg := regByUID[en.RegistryUID]
			pm.Spec.Registries = append(pm.Spec.Registries, wire.RegistryPackMeta{UID: en.RegistryUID, Name: rg.Name, Scope: rg.Scope, LatestVersion: en.Version, LatestPackUID: en.UID})
		} else if rp := &pm.Spec.Registries[i]; version.Newer(en.Version, rp.LatestVersion) {
			rp.LatestVersion, rp.LatestPackUID = en.Version, en.UID
		}
	}
	if order != nil {
		slices.SortStableFunc(items, order)
	}
	out := &wire.PackSearchResult{Items: []wire.PackMetadata{}, Listmeta: wire.ListMeta{Limit: page.Limit, Offset: page.Offset}}
	if page.Offset < len(items) {
		items = items[page.Offset:]
		if len(items) > page.Limit {
			items = items[:page.Limit]
			out.Listmeta.Continue = continueToken(page.Offset+page.Limit, fingerprint(in))
		}
		for _, it := range items {
			out.Items = append(out.Items, *it)
		}
	}
	out.Listmeta.Count = len(out.Items)
	return out, nil
}

// matchString reports whether f (nil for no condition) selects s.
func matchString(f *wire.FilterString, s string) bool {
	if f == nil {
		return true
	}
	norm := func(x string) string {
		if f.IgnoreCase {
			return strings.ToLower(x)
		}
		return x
	}
	s = norm(s)
	return (f.Eq == "" || s == norm(f.Eq)) && (f.Ne == "" || s != norm(f.Ne)) &&
		(f.Contains == "" || strings.Contains(s, norm(f.Contains))) && (f.BeginsWith == "" || strings.HasPrefix(s, norm(f.BeginsWith)))
}

// nonEmptyStrings returns in without its empty strings (nil for none).
func nonEmptyStrings(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
