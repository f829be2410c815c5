package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/version"
	"github.com/byoos/byoos/wire"
)

// ErrNotFound is wrapped by Index.Get when the index has no pack version of
// that uid, or none the caller may read.
var ErrNotFound = errors.New("not found")

// Registry scopes.
const (
	ScopeSystem  = "system"
	ScopeTenant  = "tenant"
	ScopeProject = "project"
)

// Registry is a place packs come from, as the resolver sees it.
type Registry struct {
	UID, Name string
	// Scope is ScopeSystem (the built-in Public Repo and --pack-dir repos),
	// ScopeTenant or ScopeProject.
	Scope string
}

// Entry is a pack version in an index: what lists and look-ups need, without
// the parsed pack (Resolver.Load gives that).
type Entry struct {
	UID, RegistryUID                  string
	Name, Version, Layer, DisplayName string
	CloudTypes                        []string
	AddonType, Digest                 string
	// Type is "helm" for a chart read from a Helm repository, "" for a
	// Spectro pack (see PackType).
	Type string
}

// PackType is e's type as Palette names it: "spectro" or "helm".
func (e Entry) PackType() string {
	if e.Type == "" {
		return "spectro"
	}
	return e.Type
}

// Query selects pack versions; empty fields match everything.
type Query struct {
	// RegistryUIDs restricts the search to these registries.
	RegistryUIDs         []string
	Name, Version, Layer string
	// CloudType matches packs listing it or "all".
	CloudType string
}

// Index is a set of registries and the pack versions they hold: the
// in-memory MemoryIndex (built-in and local packs) and the StoreIndex (the
// private registries a scope may read).
type Index interface {
	// Registries lists the index's registries in resolution order.
	Registries(ctx context.Context) ([]Registry, error)
	// Find lists the versions matching q, registry by registry in
	// resolution order, each registry's newest first.
	Find(ctx context.Context, q Query) ([]Entry, error)
	// Get returns the version of a uid; an error wrapping ErrNotFound when
	// the index holds none.
	Get(ctx context.Context, uid string) (Entry, error)
	// Load returns the parsed pack of one of the index's entries.
	Load(ctx context.Context, e Entry) (*pack.Pack, error)
}

// Resolver finds packs over indexes in order. Resolution of a layer that
// names no registry: the registries of the first index, then of the next,
// each index's in its own order (for the server: the Public Repo, then the
// caller's project's registries, then the tenant-wide ones, each group by
// name, then uid); the first registry with a version matching the tag
// supplies the pack, its newest matching version, even when a later
// registry holds a newer match.
type Resolver struct {
	indexes []Index
}

// NewResolver returns a resolver over indexes, in resolution order.
func NewResolver(indexes ...Index) *Resolver { return &Resolver{indexes: indexes} }

// Registries lists every registry, in resolution order.
func (r *Resolver) Registries(ctx context.Context) ([]Registry, error) {
	var out []Registry
	for _, ix := range r.indexes {
		regs, err := ix.Registries(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, regs...)
	}
	return out, nil
}

// Find lists the versions matching q over every index, in resolution order.
// An index is not asked when the registries q names are all earlier ones'.
func (r *Resolver) Find(ctx context.Context, q Query) ([]Entry, error) {
	var out []Entry
	for i, ix := range r.indexes {
		es, err := ix.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
		if len(q.RegistryUIDs) == 0 || i == len(r.indexes)-1 {
			continue
		}
		regs, err := ix.Registries(ctx)
		if err != nil {
			return nil, err
		}
		q.RegistryUIDs = slices.DeleteFunc(slices.Clone(q.RegistryUIDs), func(uid string) bool {
			return slices.ContainsFunc(regs, func(g Registry) bool { return g.UID == uid })
		})
		if len(q.RegistryUIDs) == 0 {
			break // every registry asked for was in this index or an earlier one
		}
	}
	return out, nil
}

// Registry returns registry uid if one of the indexes has it, asking each
// index in order and no further than the one that has it.
func (r *Resolver) Registry(ctx context.Context, uid string) (Registry, bool, error) {
	for _, ix := range r.indexes {
		regs, err := ix.Registries(ctx)
		if err != nil {
			return Registry{}, false, err
		}
		if i := slices.IndexFunc(regs, func(g Registry) bool { return g.UID == uid }); i >= 0 {
			return regs[i], true, nil
		}
	}
	return Registry{}, false, nil
}

// Get returns the pack version of a uid from the first index that has it.
func (r *Resolver) Get(ctx context.Context, uid string) (Entry, error) {
	for _, ix := range r.indexes {
		e, err := ix.Get(ctx, uid)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Entry{}, err
		}
	}
	return Entry{}, fmt.Errorf("pack %s: %w", uid, ErrNotFound)
}

// Load returns the parsed pack of an entry, from the index that holds its
// registry.
func (r *Resolver) Load(ctx context.Context, e Entry) (*pack.Pack, error) {
	for _, ix := range r.indexes {
		regs, err := ix.Registries(ctx)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(regs, func(g Registry) bool { return g.UID == e.RegistryUID }) {
			return ix.Load(ctx, e)
		}
	}
	return nil, fmt.Errorf("pack %s@%s (%s): %w", e.Name, e.Version, e.UID, ErrNotFound)
}

// FindPack implements profile.PackSource: the pack a layer names, by uid
// when it gives one, else by name and tag in the registry it names (by uid,
// else by name when the uid is none of the caller's), else in resolution
// order. A pack that is not there is a
// *pack.NotFoundError (a verdict on the profile); any other error is a
// failure to look.
func (r *Resolver) FindPack(ctx context.Context, ref wire.PackRef) (profile.Found, error) {
	e, err := r.resolve(ctx, ref)
	if err != nil {
		return profile.Found{}, err
	}
	p, err := r.Load(ctx, e)
	if err != nil {
		return profile.Found{}, err
	}
	return profile.Found{Pack: p, UID: e.UID, RegistryUID: e.RegistryUID}, nil
}

func (r *Resolver) resolve(ctx context.Context, ref wire.PackRef) (Entry, error) {
	if uid := ref.PackUIDOf(); uid != "" {
		e, err := r.Get(ctx, uid)
		switch {
		case errors.Is(err, ErrNotFound):
			return Entry{}, &pack.NotFoundError{Repo: "the registries", Name: ref.Name + " (uid " + uid + ")"}
		case err != nil:
			return Entry{}, err
		case e.Name != ref.Name:
			return Entry{}, &pack.NotFoundError{Repo: "the registries", Name: fmt.Sprintf("%s (uid %s is %s@%s)", ref.Name, uid, e.Name, e.Version)}
		}
		return e, nil
	}
	regs, err := r.Registries(ctx)
	if err != nil {
		return Entry{}, err
	}
	label := func(uid string) string {
		for _, g := range regs {
			if g.UID == uid {
				if g.Scope == ScopeSystem {
					return g.Name
				}
				return "registry " + g.Name
			}
		}
		return "the registries"
	}
	q := Query{Name: ref.Name}
	if regUID, regName := ref.RegistryOf(); regUID != "" || regName != "" {
		// A registry named by name is the first of that name in resolution
		// order, so a project's comes before a tenant-wide one. A uid the
		// caller has no registry of, given with a name, is another
		// installation's (a Palette export names Palette's Public Repo by
		// its uid there): the name decides, among the caller's registries
		// only.
		i := slices.IndexFunc(regs, func(g Registry) bool { return regUID != "" && g.UID == regUID })
		if i < 0 && regName != "" {
			i = slices.IndexFunc(regs, func(g Registry) bool { return g.Name == regName })
		}
		if i < 0 {
			name := regName
			if name == "" {
				name = regUID
			}
			return Entry{}, &pack.NotFoundError{Repo: "registry " + name, Name: ref.Name}
		}
		q.RegistryUIDs = []string{regs[i].UID}
	}
	es, err := r.Find(ctx, q)
	if err != nil {
		return Entry{}, err
	}
	tag := ref.TagOf()
	var versions []string
	var best *Entry
	holders := map[string]bool{}
	for i := range es {
		e := &es[i]
		if best != nil && e.RegistryUID != best.RegistryUID {
			break // es is in resolution order: an earlier registry's match wins
		}
		versions = append(versions, e.Version)
		holders[e.RegistryUID] = true
		if pack.MatchTag(tag, e.Version) && (best == nil || version.Newer(e.Version, best.Version)) {
			best = e
		}
	}
	if best != nil {
		return *best, nil
	}
	where := "the registries"
	switch {
	case len(q.RegistryUIDs) == 1:
		where = label(q.RegistryUIDs[0])
	case len(holders) == 1:
		where = label(es[0].RegistryUID)
	}
	nf := &pack.NotFoundError{Repo: where, Name: ref.Name, Tag: tag, Versions: version.SortNewestFirst(versions)}
	if len(versions) == 0 {
		all, err := r.Find(ctx, Query{RegistryUIDs: q.RegistryUIDs})
		if err != nil {
			return Entry{}, err
		}
		names := make([]string, 0, len(all))
		for _, x := range all {
			names = append(names, x.Name)
		}
		slices.Sort(names)
		nf.Similar = pack.Similar(ref.Name, slices.Compact(names))
	}
	return Entry{}, nf
}
