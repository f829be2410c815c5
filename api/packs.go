package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/store"
)

// PublicRepoUID is the uid of the built-in Public Repo.
const PublicRepoUID = "5e0000000000000000000001"

// publicRepo indexes the built-in packs by their stable uids.
type publicRepo struct {
	repo  *pack.Repo
	byUID map[string]*pack.Pack
	uidOf map[*pack.Pack]string
}

// PublicPackUID is the stable uid of a built-in pack version.
func PublicPackUID(name, version string) string {
	h := sha256.Sum256([]byte("public-repo/" + name + "@" + version))
	return hex.EncodeToString(h[:12])
}

func newPublicRepo(r *pack.Repo) *publicRepo {
	pr := &publicRepo{repo: r, byUID: map[string]*pack.Pack{}, uidOf: map[*pack.Pack]string{}}
	for _, p := range r.All() {
		uid := PublicPackUID(p.Meta.Name, p.Meta.Version)
		pr.byUID[uid] = p
		pr.uidOf[p] = uid
	}
	return pr
}

// packCache keeps parsed private pack versions by uid; they are immutable.
type packCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]*pack.Pack
}

func newPackCache(max int) *packCache { return &packCache{max: max, m: map[string]*pack.Pack{}} }

func (c *packCache) get(uid string) (*pack.Pack, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.m[uid]
	return p, ok
}

func (c *packCache) put(uid string, p *pack.Pack) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[uid] = p
}

// entry is a pack version with where it lives.
type entry struct {
	pack        *pack.Pack // nil until loaded, for private packs
	uid         string
	registryUID string
	name        string
	version     string
	layer       string
	displayName string
	cloudTypes  []string
	addonType   string
	digest      string
}

func publicEntry(uid string, p *pack.Pack) entry {
	return entry{pack: p, uid: uid, registryUID: PublicRepoUID, name: p.Meta.Name, version: p.Meta.Version, layer: p.Meta.Layer,
		displayName: p.Meta.DisplayName, cloudTypes: p.Meta.AllClouds(), addonType: p.Meta.AddonType, digest: p.Digest}
}

func storedEntry(v store.PackVersion) entry {
	return entry{uid: v.UID, registryUID: v.RegistryUID, name: v.Name, version: v.Version, layer: v.Layer,
		displayName: v.DisplayName, cloudTypes: v.CloudTypes, addonType: v.AddonType, digest: v.Digest}
}

// visibleRegistries returns the private registries p may read, in
// resolution order: the project's registries (when p acts in a project), then
// the tenant-wide ones, each group by name, then uid. Every lookup that names
// no registry searches the Public Repo first and then these, in this order
// (see packSource.find); nothing depends on when a registry was created.
func (s *Server) visibleRegistries(ctx context.Context, p *principal) ([]store.Registry, *Error) {
	regs, err := s.store.ListRegistries(ctx, p.scope.TenantUID, p.scope.ProjectUID)
	if err != nil {
		return nil, fromStore(err, "registry", "")
	}
	sort.SliceStable(regs, func(i, j int) bool { return registryBefore(regs[i], regs[j]) })
	return regs, nil
}

// registryBefore orders registries for resolution: project-scoped before
// tenant-wide, then by name, then by uid.
func registryBefore(a, b store.Registry) bool {
	if ap, bp := a.ProjectUID != "", b.ProjectUID != ""; ap != bp {
		return ap
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.UID < b.UID
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

// loadPack returns the parsed pack of an entry.
func (s *Server) loadPack(ctx context.Context, e entry) (*pack.Pack, error) {
	if e.pack != nil {
		return e.pack, nil
	}
	if p, ok := s.packs.get(e.uid); ok {
		return p, nil
	}
	v, err := s.store.GetPackVersion(ctx, e.uid)
	if err != nil {
		return nil, err
	}
	p, _, err := pack.LoadTarball(bytes.NewReader(v.Archive))
	if err != nil && p == nil {
		return nil, fmt.Errorf("stored pack %s@%s: %w", v.Name, v.Version, err)
	}
	s.packs.put(e.uid, p)
	return p, nil
}

// findEntries lists pack versions visible to p that match the query, by
// registry in resolution order (the Public Repo's first, then as
// visibleRegistries orders them), each registry's entries together.
func (s *Server) findEntries(ctx context.Context, p *principal, q store.PackQuery) ([]entry, *Error) {
	var out []entry
	wantPublic := len(q.RegistryUIDs) == 0 || contains(q.RegistryUIDs, PublicRepoUID)
	if wantPublic {
		for _, pk := range s.public.repo.All() {
			if (q.Name == "" || pk.Meta.Name == q.Name) && (q.Version == "" || pk.Meta.Version == q.Version) &&
				(q.Layer == "" || pk.Meta.Layer == q.Layer) && (q.CloudType == "" || pk.Meta.Supports(q.CloudType)) {
				out = append(out, publicEntry(s.public.uidOf[pk], pk))
			}
		}
	}
	if len(q.RegistryUIDs) == 1 && q.RegistryUIDs[0] == PublicRepoUID {
		return out, nil // the Public Repo alone: no need to ask the store
	}
	regs, e := s.visibleRegistries(ctx, p)
	if e != nil {
		return nil, e
	}
	var uids []string
	for _, r := range regs {
		if len(q.RegistryUIDs) == 0 || contains(q.RegistryUIDs, r.UID) {
			uids = append(uids, r.UID)
		}
	}
	if len(uids) == 0 {
		return out, nil
	}
	q.RegistryUIDs = uids
	vs, err := s.store.FindPacks(ctx, q)
	if err != nil {
		return nil, fromStore(err, "pack", "")
	}
	rank := make(map[string]int, len(uids))
	for i, uid := range uids {
		rank[uid] = i
	}
	sort.SliceStable(vs, func(i, j int) bool { return rank[vs[i].RegistryUID] < rank[vs[j].RegistryUID] })
	for _, v := range vs {
		out = append(out, storedEntry(v))
	}
	return out, nil
}

// entryByUID finds a visible pack version by uid.
func (s *Server) entryByUID(ctx context.Context, p *principal, uid string) (entry, *Error) {
	if pk, ok := s.public.byUID[uid]; ok {
		return publicEntry(uid, pk), nil
	}
	v, err := s.store.GetPackVersion(ctx, uid)
	if err != nil {
		return entry{}, fromStore(err, "pack", uid)
	}
	if _, err := s.store.GetRegistry(ctx, p.scope.TenantUID, v.RegistryUID); err != nil {
		return entry{}, notFound("pack", uid)
	}
	if !s.registryVisible(ctx, p, v.RegistryUID) {
		return entry{}, notFound("pack", uid)
	}
	return storedEntry(v), nil
}

func (s *Server) registryVisible(ctx context.Context, p *principal, uid string) bool {
	if uid == PublicRepoUID {
		return true
	}
	regs, e := s.visibleRegistries(ctx, p)
	if e != nil {
		return false
	}
	for _, r := range regs {
		if r.UID == uid {
			return true
		}
	}
	return false
}

// packSource resolves profile layers to packs for one request.
type packSource struct {
	ctx context.Context
	s   *Server
	p   *principal
	// resolved records the entry each layer resolved to, by layer index order.
	resolved map[string]entry
}

func (s *Server) newPackSource(ctx context.Context, p *principal) *packSource {
	return &packSource{ctx: ctx, s: s, p: p, resolved: map[string]entry{}}
}

func refKey(ref profile.PackRef) string {
	return ref.Name + "\x00" + ref.Tag + "\x00" + ref.Version + "\x00" + ref.UID + "\x00" + ref.RegistryUID
}

// FindPack implements profile.PackSource: by pack uid when given, else by
// name and tag in the layer's registry (by uid or name), else in the
// registries the caller can read, in resolution order (see find).
func (ps *packSource) FindPack(ref profile.PackRef) (*pack.Pack, error) {
	e, err := ps.find(ref)
	if err != nil {
		return nil, err
	}
	pk, lerr := ps.s.loadPack(ps.ctx, e)
	if lerr != nil {
		return nil, lerr
	}
	ps.resolved[refKey(ref)] = e
	return pk, nil
}

// find resolves ref. A layer that names no registry is resolved in this
// order: the Public Repo; then the registries of the caller's project; then
// the tenant-wide registries; within each group by registry name, then uid.
// The first registry in that order with a version matching the tag supplies
// the pack (its newest matching version), even when a later registry has a
// newer match. A registry named by name is looked up in the same order, so
// a project's registry comes before a tenant-wide one of the same name.
func (ps *packSource) find(ref profile.PackRef) (entry, error) {
	if ref.UID != "" {
		e, aerr := ps.s.entryByUID(ps.ctx, ps.p, ref.UID)
		if aerr == nil {
			if e.name != ref.Name {
				return entry{}, fmt.Errorf("pack uid %s is %s@%s, not %s", ref.UID, e.name, e.version, ref.Name)
			}
			return e, nil
		}
		return entry{}, &pack.NotFoundError{Repo: "the registries", Name: ref.Name + " (uid " + ref.UID + ")"}
	}
	regUID := ref.RegistryUID
	regName := ""
	if ref.Registry != nil {
		if regUID == "" {
			regUID = ref.Registry.Metadata.UID
		}
		regName = ref.Registry.Metadata.Name
	}
	q := store.PackQuery{Name: ref.Name}
	repoLabel := "the registries"
	switch {
	case regUID != "":
		q.RegistryUIDs = []string{regUID}
		repoLabel = "registry " + regUID
	case regName == catalog.RepoName:
		q.RegistryUIDs = []string{PublicRepoUID}
		repoLabel = catalog.RepoName
	case regName != "":
		regs, e := ps.s.visibleRegistries(ps.ctx, ps.p)
		if e != nil {
			return entry{}, e
		}
		for _, r := range regs {
			if r.Name == regName {
				q.RegistryUIDs = []string{r.UID}
				break
			}
		}
		if len(q.RegistryUIDs) == 0 {
			return entry{}, &pack.NotFoundError{Repo: "registry " + regName, Name: ref.Name}
		}
		repoLabel = "registry " + regName
	}
	es, aerr := ps.s.findEntries(ps.ctx, ps.p, q)
	if aerr != nil {
		return entry{}, aerr
	}
	tag := ref.Tag
	if tag == "" {
		tag = ref.Version
	}
	var versions []string
	var best *entry
	for i := range es {
		e := &es[i]
		if best != nil && e.registryUID != best.registryUID {
			break // es is in resolution order: an earlier registry's match wins
		}
		versions = append(versions, e.version)
		if !pack.MatchTag(tag, e.version) {
			continue
		}
		if best == nil || versionGreater(e.version, best.version) {
			best = e
		}
	}
	if best == nil {
		sortVersionsDesc(versions)
		nf := &pack.NotFoundError{Repo: repoLabel, Name: ref.Name, Tag: tag, Versions: versions}
		if len(versions) == 0 {
			var names []string
			if all, e := ps.s.findEntries(ps.ctx, ps.p, store.PackQuery{RegistryUIDs: q.RegistryUIDs}); e == nil {
				for _, x := range all {
					names = append(names, x.name)
				}
			}
			nf.Similar = pack.Similar(ref.Name, names)
		}
		return entry{}, nf
	}
	return *best, nil
}

func versionGreater(a, b string) bool {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	if ea != nil || eb != nil {
		return a > b
	}
	return va.GreaterThan(vb)
}

func sortVersionsDesc(vs []string) {
	sort.SliceStable(vs, func(i, j int) bool { return versionGreater(vs[i], vs[j]) })
	out := vs[:0]
	for i, v := range vs {
		if i == 0 || v != vs[i-1] {
			out = append(out, v)
		}
	}
}

// --- wire shapes ---

type objectEntity struct {
	Name string `json:"name"`
	UID  string `json:"uid"`
}

type listMeta struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

type packSummary struct {
	Metadata objectMeta      `json:"metadata"`
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
	Presets      []pack.Preset     `json:"presets"`
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

func (s *Server) summary(ctx context.Context, e entry) (packSummary, error) {
	pk, err := s.loadPack(ctx, e)
	if err != nil {
		return packSummary{}, err
	}
	presets := pk.Presets
	if presets == nil {
		presets = []pack.Preset{}
	}
	return packSummary{
		Metadata: objectMeta{Name: e.name, UID: e.uid},
		Spec: packSummarySpec{Name: e.name, DisplayName: e.displayName, Version: e.version, Layer: e.layer, Type: "spectro",
			CloudTypes: nonNil(e.cloudTypes), AddonType: e.addonType, RegistryUID: e.registryUID, Digest: e.digest,
			Values: string(pk.Values), Annotations: pk.Meta.Annotations, Schema: schemaOf(pk), Presets: presets, Dependencies: deps(pk)},
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// parseFilters reads Palette's filters grammar: field=valueANDfield=value,
// with spec.name, spec.version, spec.layer, spec.registryUid, metadata.uid and
// spec.cloudTypes_in_a,b.
func parseFilters(f string) (store.PackQuery, string, *Error) {
	var q store.PackQuery
	uid := ""
	if strings.TrimSpace(f) == "" {
		return q, "", nil
	}
	if strings.Contains(f, "OR") {
		return q, "", errorf(http.StatusBadRequest, CodeBadRequest, "filters: OR is not supported; use field=valueANDfield=value")
	}
	for _, term := range strings.Split(f, "AND") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(term, "spec.cloudTypes_in_"); ok {
			for _, c := range strings.Split(rest, ",") {
				if c = strings.TrimSpace(c); c != "" && c != "all" {
					q.CloudType = c
				}
			}
			continue
		}
		k, v, ok := strings.Cut(term, "=")
		if !ok {
			return q, "", errorf(http.StatusBadRequest, CodeBadRequest, "filters: %q is not field=value", term)
		}
		switch strings.TrimSpace(k) {
		case "spec.name", "metadata.name":
			q.Name = v
		case "spec.version":
			q.Version = v
		case "spec.layer":
			q.Layer = v
		case "spec.registryUid":
			q.RegistryUIDs = []string{v}
		case "metadata.uid":
			uid = v
		default:
			return q, "", errorf(http.StatusBadRequest, CodeBadRequest, "filters: field %q is not supported; use spec.name, spec.version, spec.layer, spec.registryUid, metadata.uid or spec.cloudTypes_in_", k)
		}
	}
	return q, uid, nil
}

// listPacks is GET /v1/packs?filters=...&limit=...: every match in one page.
func (s *Server) listPacks(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	q, uid, e := parseFilters(r.URL.Query().Get("filters"))
	if e != nil {
		return e
	}
	var es []entry
	if uid != "" {
		one, e := s.entryByUID(r.Context(), p, uid)
		if e == nil {
			es = []entry{one}
		} else if e.Status != http.StatusNotFound {
			return e
		}
	} else if es, e = s.findEntries(r.Context(), p, q); e != nil {
		return e
	}
	items := make([]packSummary, 0, len(es))
	for _, en := range es {
		sum, err := s.summary(r.Context(), en)
		if err != nil {
			return fromStore(err, "pack", en.uid)
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
	Metadata objectMeta `json:"metadata"`
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
	q := store.PackQuery{RegistryUIDs: nonEmpty(f.RegistryUID)}
	if f.Name != nil && f.Name.Eq != "" && !f.Name.IgnoreCase {
		q.Name = f.Name.Eq
	}
	es, e := s.findEntries(r.Context(), p, q)
	if e != nil {
		return e
	}
	regNames := map[string]string{PublicRepoUID: catalog.RepoName}
	regScopes := map[string]string{PublicRepoUID: store.ScopeSystem}
	if regs, e := s.visibleRegistries(r.Context(), p); e == nil {
		for _, rg := range regs {
			regNames[rg.UID], regScopes[rg.UID] = rg.Name, regScope(rg)
		}
	}
	layers := nonEmpty(f.Layer)
	byName := map[string]*packMetadata{}
	var order []string
	for _, en := range es {
		if !f.Name.match(en.name) || !f.DisplayName.match(en.displayName) || (len(layers) > 0 && !contains(layers, en.layer)) {
			continue
		}
		if env := nonEmpty(f.Environment); len(env) > 0 && !contains(env, "all") && !anyIn(en.cloudTypes, env) && !contains(en.cloudTypes, "all") {
			continue
		}
		pm, ok := byName[en.name]
		if !ok {
			pm = &packMetadata{Metadata: objectMeta{Name: en.name, UID: en.uid}}
			pm.Spec.Name, pm.Spec.DisplayName, pm.Spec.Layer, pm.Spec.Type, pm.Spec.CloudTypes, pm.Spec.AddonType = en.name, en.displayName, en.layer, "spectro", nonNil(en.cloudTypes), en.addonType
			pm.Spec.Registries = []registryPackMeta{}
			byName[en.name] = pm
			order = append(order, en.name)
		}
		found := false
		for i := range pm.Spec.Registries {
			rp := &pm.Spec.Registries[i]
			if rp.UID == en.registryUID {
				found = true
				if versionGreater(en.version, rp.LatestVersion) {
					rp.LatestVersion, rp.LatestPackUID = en.version, en.uid
				}
			}
		}
		if !found {
			pm.Spec.Registries = append(pm.Spec.Registries, registryPackMeta{UID: en.registryUID, Name: regNames[en.registryUID], Scope: regScopes[en.registryUID], LatestVersion: en.version, LatestPackUID: en.uid})
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
	for _, x := range a {
		if contains(b, x) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type packTag struct {
	Tag        string   `json:"tag"`
	Version    string   `json:"version"`
	PackUID    string   `json:"packUid"`
	Group      string   `json:"group,omitempty"`
	ParentTags []string `json:"parentTags"`
}

type packUIDValues struct {
	PackUID      string            `json:"packUid"`
	Values       string            `json:"values"`
	Readme       string            `json:"readme"`
	Schema       []packSchema      `json:"schema"`
	Presets      []pack.Preset     `json:"presets"`
	Annotations  map[string]string `json:"annotations"`
	Dependencies []pack.Dependency `json:"dependencies"`
}

type packTagEntity struct {
	Name        string          `json:"name"`
	DisplayName string          `json:"displayName"`
	Layer       string          `json:"layer"`
	CloudTypes  []string        `json:"cloudTypes"`
	AddonType   string          `json:"addonType,omitempty"`
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

func (s *Server) tagEntity(ctx context.Context, es []entry) (*packTagEntity, error) {
	sort.SliceStable(es, func(i, j int) bool { return versionGreater(es[i].version, es[j].version) })
	first := es[0]
	te := &packTagEntity{Name: first.name, DisplayName: first.displayName, Layer: first.layer, CloudTypes: nonNil(first.cloudTypes), AddonType: first.addonType, RegistryUID: first.registryUID, Tags: []packTag{}, PackValues: []packUIDValues{}}
	floating := map[string]bool{}
	for _, en := range es {
		pk, err := s.loadPack(ctx, en)
		if err != nil {
			return nil, err
		}
		parents := []string{}
		for _, ft := range floatingTags(en.version) {
			parents = append(parents, ft)
			if !floating[ft] { // the newest version carries each floating tag
				floating[ft] = true
				te.Tags = append(te.Tags, packTag{Tag: ft, Version: en.version, PackUID: en.uid, ParentTags: []string{}})
			}
		}
		te.Tags = append(te.Tags, packTag{Tag: en.version, Version: en.version, PackUID: en.uid, ParentTags: parents})
		presets := pk.Presets
		if presets == nil {
			presets = []pack.Preset{}
		}
		ann := pk.Meta.Annotations
		if ann == nil {
			ann = map[string]string{}
		}
		te.PackValues = append(te.PackValues, packUIDValues{PackUID: en.uid, Values: string(pk.Values), Readme: pk.Readme, Schema: schemaOf(pk), Presets: presets, Annotations: ann, Dependencies: nonNilDeps(deps(pk))})
	}
	return te, nil
}

func nonNilDeps(d []pack.Dependency) []pack.Dependency {
	if d == nil {
		return []pack.Dependency{}
	}
	return d
}

// packTags is GET /v1/packs/{name}/registries/{registryUid}?cloudType=...
func (s *Server) packTags(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	name, reg := r.PathValue("name"), r.PathValue("registryUid")
	if !s.registryVisible(r.Context(), p, reg) {
		return notFound("registry", reg)
	}
	q := store.PackQuery{Name: name, RegistryUIDs: []string{reg}}
	if c := r.URL.Query().Get("cloudType"); c != "" && c != "all" {
		q.CloudType = c
	}
	// Built-in packs never change, and a published pack version never
	// changes either: an answer is encoded once per set of versions.
	key := reg + "\x00" + name + "\x00" + q.CloudType
	if reg == PublicRepoUID {
		if enc, ok := s.encoded.get(key); ok {
			enc.write(w, r)
			return nil
		}
	}
	es, e := s.findEntries(r.Context(), p, q)
	if e != nil {
		return e
	}
	if len(es) == 0 {
		return notFound("pack", name+" in registry "+reg)
	}
	if reg != PublicRepoUID {
		for _, en := range es {
			key += "\x00" + en.uid
		}
		if enc, ok := s.encoded.get(key); ok {
			enc.write(w, r)
			return nil
		}
	}
	te, err := s.tagEntity(r.Context(), es)
	if err != nil {
		return fromStore(err, "pack", name)
	}
	enc, err := encode(te)
	if err != nil {
		return internalError(err, "encode pack %s", name)
	}
	s.encoded.put(key, enc)
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
	te, err := s.tagEntity(r.Context(), []entry{en})
	if err != nil {
		return fromStore(err, "pack", uid)
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
			return errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "pack archive is over %d bytes", MaxBodyBytes)
		}
		return errorf(http.StatusBadRequest, CodeBadRequest, "read body: %v", err)
	}
	pk, fl, err := pack.LoadTarball(bytes.NewReader(body))
	if err != nil {
		if pk == nil && len(fl) == 0 {
			return errorf(http.StatusBadRequest, CodeInvalidPack, "the body is not a pack archive (.tgz with pack.json and values.yaml): %v", err)
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidPack, Message: findingsMessage("pack", fl), Details: map[string]any{"findings": errorsOnly(fl)}}
	}
	var canon bytes.Buffer
	if err := pk.Tarball(&canon); err != nil {
		return fromStore(err, "pack", "")
	}
	v := &store.PackVersion{RegistryUID: regUID, Name: pk.Meta.Name, Version: pk.Meta.Version, Layer: pk.Meta.Layer, DisplayName: pk.Meta.DisplayName,
		CloudTypes: pk.Meta.AllClouds(), AddonType: pk.Meta.AddonType, Digest: pk.Digest, Archive: canon.Bytes()}
	created, err := s.store.PutPackVersion(r.Context(), v, registryAudit(p, reg, "pack.push", "pack", "", pk.Ref()+" "+pk.Digest))
	if err != nil {
		return fromStore(err, "pack", pk.Ref())
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"uid": v.UID, "name": v.Name, "version": v.Version, "digest": v.Digest, "created": created, "warnings": nonNilFindings(fl)})
	return nil
}

func errorsOnly(fl finding.List) finding.List {
	out := finding.List{}
	for _, f := range fl {
		if f.Severity == finding.Error {
			out = append(out, f)
		}
	}
	return out
}

func nonNilFindings(fl finding.List) finding.List {
	if fl == nil {
		return finding.List{}
	}
	return fl
}
