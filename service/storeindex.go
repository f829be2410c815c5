package service

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/byoos/byoos/cache"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/version"
)

// PackCache keeps parsed private pack versions by uid; they are immutable,
// so one cache serves every scope.
type PackCache = cache.Cache[string, *pack.Pack]

// NewPackCache returns a cache of at most size parsed packs.
func NewPackCache(size int) *PackCache { return cache.New[string, *pack.Pack](size, 0) }

// StoreIndex is an Index over the private registries one scope may read:
// a project's own registries, then the tenant-wide ones, each group by name,
// then uid. It is meant for one request: it reads the list of registries
// once.
type StoreIndex struct {
	st    store.Store
	scope store.Scope
	packs *PackCache
	regs  []store.Registry
	read  bool
}

// NewStoreIndex returns the index of the registries scope may read, parsing
// packs through packs.
func NewStoreIndex(st store.Store, scope store.Scope, packs *PackCache) *StoreIndex {
	return &StoreIndex{st: st, scope: scope, packs: packs}
}

// StoreRegistries returns the registries of the index, as the store has
// them, in resolution order.
func (ix *StoreIndex) StoreRegistries(ctx context.Context) ([]store.Registry, error) {
	if ix.read {
		return ix.regs, nil
	}
	regs, err := ix.st.ListRegistries(ctx, ix.scope.TenantUID, ix.scope.ProjectUID)
	if err != nil {
		return nil, fmt.Errorf("list registries: %w", err)
	}
	slices.SortStableFunc(regs, func(a, b store.Registry) int {
		if ap, bp := a.ProjectUID != "", b.ProjectUID != ""; ap != bp {
			if ap {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UID, b.UID))
	})
	ix.regs, ix.read = regs, true
	return regs, nil
}

// Registries implements Index.
func (ix *StoreIndex) Registries(ctx context.Context) ([]Registry, error) {
	regs, err := ix.StoreRegistries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Registry, len(regs))
	for i, r := range regs {
		out[i] = Registry{UID: r.UID, Name: r.Name, Scope: ScopeTenant}
		if r.ProjectUID != "" {
			out[i].Scope = ScopeProject
		}
	}
	return out, nil
}

// Find implements Index.
func (ix *StoreIndex) Find(ctx context.Context, q Query) ([]Entry, error) {
	regs, err := ix.StoreRegistries(ctx)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{}
	var uids []string
	for _, r := range regs {
		if len(q.RegistryUIDs) == 0 || slices.Contains(q.RegistryUIDs, r.UID) {
			rank[r.UID] = len(uids)
			uids = append(uids, r.UID)
		}
	}
	if len(uids) == 0 {
		return nil, nil
	}
	vs, err := ix.st.FindPacks(ctx, store.PackQuery{RegistryUIDs: uids, Name: q.Name, Version: q.Version, Layer: q.Layer, CloudType: q.CloudType})
	if err != nil {
		return nil, fmt.Errorf("find packs: %w", err)
	}
	newer := version.Comparer()
	slices.SortStableFunc(vs, func(a, b store.PackVersion) int {
		return cmp.Or(cmp.Compare(rank[a.RegistryUID], rank[b.RegistryUID]), cmp.Compare(a.Name, b.Name), newer(b.Version, a.Version))
	})
	out := make([]Entry, len(vs))
	for i, v := range vs {
		out[i] = storedEntry(v)
	}
	return out, nil
}

func storedEntry(v store.PackVersion) Entry {
	return Entry{UID: v.UID, RegistryUID: v.RegistryUID, Name: v.Name, Version: v.Version, Layer: v.Layer,
		DisplayName: v.DisplayName, CloudTypes: v.CloudTypes, AddonType: v.AddonType, Digest: v.Digest, Type: v.Type}
}

// Get implements Index: the version must be in a registry the scope reads.
func (ix *StoreIndex) Get(ctx context.Context, uid string) (Entry, error) {
	v, err := ix.st.GetPackVersion(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return Entry{}, fmt.Errorf("pack %s: %w", uid, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get pack %s: %w", uid, err)
	}
	regs, err := ix.StoreRegistries(ctx)
	if err != nil {
		return Entry{}, err
	}
	if !slices.ContainsFunc(regs, func(r store.Registry) bool { return r.UID == v.RegistryUID }) {
		return Entry{}, fmt.Errorf("pack %s: %w", uid, ErrNotFound)
	}
	if ix.packs != nil {
		if _, ok := ix.packs.Get(uid); !ok {
			if p, err := parse(v); err == nil {
				ix.packs.Put(uid, p)
			}
		}
	}
	return storedEntry(v), nil
}

// Load implements Index.
func (ix *StoreIndex) Load(ctx context.Context, e Entry) (*pack.Pack, error) {
	if ix.packs != nil {
		if p, ok := ix.packs.Get(e.UID); ok {
			return p, nil
		}
	}
	v, err := ix.st.GetPackVersion(ctx, e.UID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("pack %s: %w", e.UID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get pack %s: %w", e.UID, err)
	}
	p, err := parse(v)
	if err != nil {
		return nil, err
	}
	if ix.packs != nil {
		ix.packs.Put(e.UID, p)
	}
	return p, nil
}

// parse reads a stored pack version's archive.
func parse(v store.PackVersion) (*pack.Pack, error) {
	p, _, err := pack.LoadTarball(bytes.NewReader(v.Archive))
	if err != nil && p == nil {
		return nil, fmt.Errorf("stored pack %s@%s: %w", v.Name, v.Version, err)
	}
	return p, nil
}
