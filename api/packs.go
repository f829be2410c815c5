package api

import (
	"context"
	_ "embed"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/version"
	"github.com/byoos/byoos/wire"
)

// PublicRepoUID is the uid of the built-in Public Repo.
const PublicRepoUID = catalog.RepoUID

// PublicPackUID is the stable uid of a built-in pack version.
func PublicPackUID(name, version string) string { return catalog.PackUID(name, version) }

// resolver returns the packs p may read: the Public Repo, then the private
// registries of p's scope, in resolution order (service.Resolver).
func (s *Server) resolver(p *principal) *service.Resolver { return s.sources.For(p.scope) }

// visibleRegistries returns the private registries p may read, in
// resolution order: the project's registries (when p acts in a project), then
// the tenant-wide ones, each group by name, then uid.
func (s *Server) visibleRegistries(ctx context.Context, p *principal) ([]store.Registry, *Error) {
	regs, err := service.NewStoreIndex(s.store, p.scope, nil).StoreRegistries(ctx)
	if err != nil {
		return nil, errorFrom(err)
	}
	return regs, nil
}

// writableRegistry returns the registry uid names if p may write it: 404 when
// p cannot read it, 403 when p's key may not write it (canWriteRegistry).
func (s *Server) writableRegistry(ctx context.Context, p *principal, uid string) (store.Registry, *Error) {
	if uid == PublicRepoUID {
		return store.Registry{}, p.canWriteRegistry(store.Registry{UID: PublicRepoUID, Name: catalog.RepoName})
	}
	regs, e := s.visibleRegistries(ctx, p)
	if e != nil {
		return store.Registry{}, e
	}
	for _, r := range regs {
		if r.UID == uid {
			return r, p.canWriteRegistry(r)
		}
	}
	return store.Registry{}, notFound("registry", uid)
}

// entryByUID finds a pack version p may read by uid.
func (s *Server) entryByUID(ctx context.Context, p *principal, uid string) (service.Entry, *Error) {
	e, err := s.resolver(p).Get(ctx, uid)
	if errors.Is(err, service.ErrNotFound) {
		return e, notFound("pack", uid)
	}
	if err != nil {
		return e, errorFrom(err)
	}
	return e, nil
}

// registryVisible reports whether p may read registry uid (the built-in
// Public Repo without asking the store).
func (s *Server) registryVisible(ctx context.Context, p *principal, uid string) (bool, *Error) {
	_, ok, err := s.resolver(p).Registry(ctx, uid)
	if err != nil {
		return false, errorFrom(err)
	}
	return ok, nil
}

// packLogoSVG is the generic logo every pack answers.
//
//go:embed logo.svg
var packLogoSVG string

// --- wire shapes ---

type listMeta struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

type packSummary struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     packSummarySpec `json:"spec"`
	Status   struct{}        `json:"status"`
}

type packSummarySpec struct {
	Name         string            `json:"name"`
	DisplayName  string            `json:"displayName"`
	Version      string            `json:"version"`
	Layer        string            `json:"layer"`
	Type         string            `json:"type"`
	CloudTypes   []string          `json:"cloudTypes"`
	AddonType    string            `json:"addonType,omitempty"`
	RegistryUID  string            `json:"registryUid"`
	Digest       string            `json:"digest"`
	Values       string            `json:"values"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Schema       []packSchema      `json:"schema"`
	Presets      []wire.Preset     `json:"presets"`
	LogoURL      string            `json:"logoUrl"`
	Dependencies []pack.Dependency `json:"dependencies,omitempty"`
}

type packSchema struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Format      string   `json:"format"`
	Regex       string   `json:"regex,omitempty"`
	ListOptions []string `json:"listOptions,omitempty"`
	Hints       []string `json:"hints,omitempty"`
	Required    bool     `json:"required"`
	Readonly    bool     `json:"readonly"`
}

func schemaOf(p *pack.Pack) []packSchema {
	out := []packSchema{}
	if p.Schema == nil {
		return out
	}
	for _, e := range p.Schema.Entries {
		ps := packSchema{Name: e.Path, Required: e.Required, Readonly: e.Readonly, Hints: e.Hints}
		if e.Format != nil {
			ps.Format = e.Format.Raw
			if len(e.Format.Parts) == 1 {
				part := e.Format.Parts[0]
				ps.Type = part.Type
				if part.Regex != nil {
					ps.Regex = part.Regex.String()
				}
				ps.ListOptions = part.Options
			}
		}
		out = append(out, ps)
	}
	return out
}

func deps(p *pack.Pack) []pack.Dependency {
	if p.Meta.Constraints == nil {
		return nil
	}
	return p.Meta.Constraints.Dependencies
}

func (s *Server) summary(ctx context.Context, res *service.Resolver, e service.Entry) (packSummary, error) {
	pk, err := res.Load(ctx, e)
	if err != nil {
		return packSummary{}, err
	}
	presets := pk.Presets
	if presets == nil {
		presets = []wire.Preset{}
	}
	return packSummary{
		Metadata: wire.ObjectMeta{Name: e.Name, UID: e.UID},
		Spec: packSummarySpec{Name: e.Name, DisplayName: e.DisplayName, Version: e.Version, Layer: e.Layer, Type: e.PackType(),
			CloudTypes: nonNil(e.CloudTypes), AddonType: e.AddonType, RegistryUID: e.RegistryUID, Digest: e.Digest,
			Values: string(pk.Values), Annotations: pk.Meta.Annotations, Schema: schemaOf(pk), Presets: presets, LogoURL: wire.PackLogoURL(e.UID), Dependencies: deps(pk)},
	}, nil
}

// nonNil returns s, or an empty slice for nil, so that JSON answers hold []
// rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// listPacks is GET /v1/packs?filters=...&limit=...: every match in one page.
// The filters grammar is service.Filter's; a filter of one AND-group
// narrows the index query (by name, version, layer, registry, cloud or
// uid), and every entry is then checked against the whole filter.
func (s *Server) listPacks(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	f, err := service.ParseFilter(r.URL.Query().Get("filters"))
	if err != nil {
		return apiError(CodeBadRequest, "filters: %v", err)
	}
	q, uid := f.Narrow()
	res := s.resolver(p)
	var es []service.Entry
	if uid != "" {
		one, err := res.Get(r.Context(), uid)
		switch {
		case err == nil:
			es = []service.Entry{one}
		case !errors.Is(err, service.ErrNotFound):
			return errorFrom(err)
		}
	} else if es, err = res.Find(r.Context(), q); err != nil {
		return errorFrom(err)
	}
	items := make([]packSummary, 0, len(es))
	for _, en := range es {
		if !f.Match(en) {
			continue
		}
		sum, err := s.summary(r.Context(), res, en)
		if err != nil {
			return errorFrom(err)
		}
		items = append(items, sum)
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "listmeta": listMeta{Count: len(items), Limit: limit}})
	return nil
}

// packsFilterSpec is V1PacksFilterSpec, decoded leniently.
type packsFilterSpec struct {
	Filter struct {
		Name        *filterString `json:"name"`
		DisplayName *filterString `json:"displayName"`
		Type        []string      `json:"type"`
		Layer       []string      `json:"layer"`
		Environment []string      `json:"environment"`
		AddOnType   []string      `json:"addOnType"`
		RegistryUID []string      `json:"registryUid"`
	} `json:"filter"`
}

type filterString struct {
	Eq         string `json:"eq"`
	Ne         string `json:"ne"`
	Contains   string `json:"contains"`
	BeginsWith string `json:"beginsWith"`
	IgnoreCase bool   `json:"ignoreCase"`
}

func (f *filterString) match(s string) bool {
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

type registryPackMeta struct {
	UID           string `json:"uid"`
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	LatestVersion string `json:"latestVersion"`
	LatestPackUID string `json:"latestPackUid"`
}

type packMetadata struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     struct {
		Name        string             `json:"name"`
		DisplayName string             `json:"displayName"`
		Layer       string             `json:"layer"`
		Type        string             `json:"type"`
		CloudTypes  []string           `json:"cloudTypes"`
		AddonType   string             `json:"addonType,omitempty"`
		Registries  []registryPackMeta `json:"registries"`
	} `json:"spec"`
}

// searchPacks is POST /v1/packs/search: one item per pack name, with the
// newest version (by semver) in each registry.
func (s *Server) searchPacks(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var spec packsFilterSpec
	if e := decodeJSON(r, &spec); e != nil {
		return e
	}
	f := spec.Filter
	q := service.Query{RegistryUIDs: nonEmpty(f.RegistryUID)}
	if f.Name != nil && f.Name.Eq != "" && !f.Name.IgnoreCase {
		q.Name = f.Name.Eq
	}
	res := s.resolver(p)
	es, err := res.Find(r.Context(), q)
	if err != nil {
		return errorFrom(err)
	}
	regs, err := res.Registries(r.Context())
	if err != nil {
		return errorFrom(err)
	}
	regNames, regScopes := map[string]string{}, map[string]string{}
	for _, rg := range regs {
		regNames[rg.UID], regScopes[rg.UID] = rg.Name, rg.Scope
	}
	layers := nonEmpty(f.Layer)
	byName := map[string]*packMetadata{}
	var order []string
	for _, en := range es {
		if !f.Name.match(en.Name) || !f.DisplayName.match(en.DisplayName) || (len(layers) > 0 && !slices.Contains(layers, en.Layer)) {
			continue
		}
		if env := nonEmpty(f.Environment); len(env) > 0 && !slices.Contains(env, "all") && !anyIn(en.CloudTypes, env) && !slices.Contains(en.CloudTypes, "all") {
			continue
		}
		pm, ok := byName[en.Name]
		if !ok {
			pm = &packMetadata{Metadata: wire.ObjectMeta{Name: en.Name, UID: en.UID}}
			pm.Spec.Name, pm.Spec.DisplayName, pm.Spec.Layer, pm.Spec.Type, pm.Spec.CloudTypes, pm.Spec.AddonType = en.Name, en.DisplayName, en.Layer, en.PackType(), nonNil(en.CloudTypes), en.AddonType
			pm.Spec.Registries = []registryPackMeta{}
			byName[en.Name] = pm
			order = append(order, en.Name)
		}
		found := false
		for i := range pm.Spec.Registries {
			rp := &pm.Spec.Registries[i]
			if rp.UID == en.RegistryUID {
				found = true
				if version.Newer(en.Version, rp.LatestVersion) {
					rp.LatestVersion, rp.LatestPackUID = en.Version, en.UID
				}
			}
		}
		if !found {
			pm.Spec.Registries = append(pm.Spec.Registries, registryPackMeta{UID: en.RegistryUID, Name: regNames[en.RegistryUID], Scope: regScopes[en.RegistryUID], LatestVersion: en.Version, LatestPackUID: en.UID})
		}
	}
	items := make([]*packMetadata, 0, len(order))
	for _, n := range order {
		items = append(items, byName[n])
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "listmeta": listMeta{Count: len(items)}})
	return nil
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func anyIn(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

type packTag struct {
	Tag        string   `json:"tag"`
	Version    string   `json:"version"`
	PackUID    string   `json:"packUid"`
	Group      string   `json:"group,omitempty"`
	ParentTags []string `json:"parentTags"`
}

type packUIDValues struct {
	PackUID      string                    `json:"packUid"`
	Values       string                    `json:"values"`
	Readme       string                    `json:"readme"`
	Schema       []packSchema              `json:"schema"`
	Presets      []wire.Preset             `json:"presets"`
	Annotations  map[string]string         `json:"annotations"`
	Dependencies []wire.PackDependencyMeta `json:"dependencies"`
	Template     *wire.PackTemplate        `json:"template"`
}

type packTagEntity struct {
	Name        string          `json:"name"`
	DisplayName string          `json:"displayName"`
	Layer       string          `json:"layer"`
	CloudTypes  []string        `json:"cloudTypes"`
	AddonType   string          `json:"addonType,omitempty"`
	LogoURL     string          `json:"logoUrl"`
	RegistryUID string          `json:"registryUid"`
	Tags        []packTag       `json:"tags"`
	PackValues  []packUIDValues `json:"packValues"`
}

// floatingTags returns the floating tags a version answers to: 1.0.x and 1.x.
func floatingTags(version string) []string {
	parts := strings.SplitN(strings.SplitN(version, "-", 2)[0], ".", 3)
	if len(parts) != 3 {
		return nil
	}
	return []string{parts[0] + "." + parts[1] + ".x", parts[0] + ".x"}
}

func (s *Server) tagEntity(ctx context.Context, res *service.Resolver, es []service.Entry) (*packTagEntity, error) {
	newer := version.Comparer()
	slices.SortStableFunc(es, func(a, b service.Entry) int { return newer(b.Version, a.Version) })
	first := es[0]
	te := &packTagEntity{Name: first.Name, DisplayName: first.DisplayName, Layer: first.Layer, CloudTypes: nonNil(first.CloudTypes), AddonType: first.AddonType, LogoURL: wire.PackLogoURL(first.UID), RegistryUID: first.RegistryUID, Tags: []packTag{}, PackValues: []packUIDValues{}}
	floating := map[string]bool{}
	for _, en := range es {
		pk, err := res.Load(ctx, en)
		if err != nil {
			return nil, err
		}
		parents := []string{}
		for _, ft := range floatingTags(en.Version) {
			parents = append(parents, ft)
			if !floating[ft] { // the newest version carries each floating tag
				floating[ft] = true
				te.Tags = append(te.Tags, packTag{Tag: ft, Version: en.Version, PackUID: en.UID, ParentTags: []string{}})
			}
		}
		te.Tags = append(te.Tags, packTag{Tag: en.Version, Version: en.Version, PackUID: en.UID, ParentTags: parents})
		presets := pk.Presets
		if presets == nil {
			presets = []wire.Preset{}
		}
		ann := pk.Meta.Annotations
		if ann == nil {
			ann = map[string]string{}
		}
		dm, err := dependencyMetas(ctx, res, en, deps(pk))
		if err != nil {
			return nil, err
		}
		te.PackValues = append(te.PackValues, packUIDValues{PackUID: en.UID, Values: string(pk.Values), Readme: pk.Readme, Schema: schemaOf(pk), Presets: presets,
			Annotations: ann, Dependencies: dm, Template: wire.EmptyPackTemplate()})
	}
	return te, nil
}

// dependencyMetas answers a pack version's dependencies in Palette's
// V1PackDependencyMeta shape: each names the newest version of the pack it
// depends on, in the same registry, within the constraint's minVersion and
// maxVersion (and of its layer, when given). A dependency no version there
// satisfies is listed by name, with no uid or version.
func dependencyMetas(ctx context.Context, res *service.Resolver, en service.Entry, ds []pack.Dependency) ([]wire.PackDependencyMeta, error) {
	out := []wire.PackDependencyMeta{}
	for _, d := range ds {
		m := wire.PackDependencyMeta{Name: d.PackName, DisplayName: d.PackName, RegistryUID: en.RegistryUID}
		cands, err := res.Find(ctx, service.Query{Name: d.PackName, Layer: d.Layer, RegistryUIDs: []string{en.RegistryUID}})
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(cands, func(a, b service.Entry) int { return version.Compare(b.Version, a.Version) })
		for _, c := range cands {
			if (d.MinVersion != "" && version.Compare(c.Version, d.MinVersion) < 0) || (d.MaxVersion != "" && version.Compare(c.Version, d.MaxVersion) > 0) {
				continue
			}
			m.DisplayName, m.UID, m.Version, m.LogoURL = c.DisplayName, c.UID, c.Version, wire.PackLogoURL(c.UID)
			if m.DisplayName == "" {
				m.DisplayName = c.Name
			}
			break
		}
		out = append(out, m)
	}
	return out, nil
}

// packLogo is GET /v1/packs/{uid}/logo: byoos packs carry no logo, so every
// pack a caller may read answers the same generic one.
func (s *Server) packLogo(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if _, e := s.entryByUID(r.Context(), p, r.PathValue("uid")); e != nil {
		return e
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, packLogoSVG)
	return nil
}

// packTags is GET /v1/packs/{name}/registries/{registryUid}?cloudType=...
func (s *Server) packTags(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	name, reg := r.PathValue("name"), r.PathValue("registryUid")
	if ok, e := s.registryVisible(r.Context(), p, reg); e != nil {
		return e
	} else if !ok {
		return notFound("registry", reg)
	}
	q := service.Query{Name: name, RegistryUIDs: []string{reg}}
	if c := r.URL.Query().Get("cloudType"); c != "" && c != "all" {
		q.CloudType = c
	}
	// Built-in packs never change, and a published pack version never
	// changes either: an answer is encoded once per set of versions.
	key := reg + "\x00" + name + "\x00" + q.CloudType
	if reg == PublicRepoUID {
		if enc, ok := s.encoded.Get(key); ok {
			enc.write(w, r)
			return nil
		}
	}
	res := s.resolver(p)
	es, err := res.Find(r.Context(), q)
	if err != nil {
		return errorFrom(err)
	}
	if len(es) == 0 {
		return notFound("pack", name+" in registry "+reg)
	}
	if reg != PublicRepoUID {
		for _, en := range es {
			key += "\x00" + en.UID
		}
		if enc, ok := s.encoded.Get(key); ok {
			enc.write(w, r)
			return nil
		}
	}
	te, err := s.tagEntity(r.Context(), res, es)
	if err != nil {
		return errorFrom(err)
	}
	enc, err := encode(te)
	if err != nil {
		return internalError(err, "encode pack %s", name)
	}
	// A private registry's dependencies name versions of other packs, which
	// a push can add to: such an answer is not kept.
	if reg == PublicRepoUID || !slices.ContainsFunc(te.PackValues, func(v packUIDValues) bool { return len(v.Dependencies) > 0 }) {
		s.encoded.Put(key, enc)
	}
	enc.write(w, r)
	return nil
}

// getPack is GET /v1/packs/{uid}: the pack's tag entity, with its registry.
func (s *Server) getPack(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	en, e := s.entryByUID(r.Context(), p, uid)
	if e != nil {
		return e
	}
	te, err := s.tagEntity(r.Context(), s.resolver(p), []service.Entry{en})
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, te)
	return nil
}

// pushPack is POST /v1/registries/pack/{uid}/packs with a pack .tgz: it
// publishes an immutable pack version (the same content again is a no-op).
func (s *Server) pushPack(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	regUID := r.PathValue("uid")
	reg, e := s.writableRegistry(r.Context(), p, regUID)
	if e != nil {
		return e
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiError(CodeTooLarge, "pack archive is over %d bytes", MaxBodyBytes)
		}
		return apiError(CodeBadRequest, "read body: %v", err)
	}
	res, err := service.Push(r.Context(), s.store, reg, body, registryAudit(p, reg, "", "", "", ""))
	if err != nil {
		return errorFrom(err)
	}
	v := res.Version
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"uid": v.UID, "name": v.Name, "version": v.Version, "digest": v.Digest, "created": res.Created, "warnings": res.Warnings})
	return nil
}
