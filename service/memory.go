package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
)

// MemoryIndex is an Index over packs held in memory: the built-in Public
// Repo, and the --pack-dir repos of the command line. Its registries are
// ScopeSystem, in the order given.
type MemoryIndex struct {
	regs []Registry
	// entries holds each registry's versions, by name then newest first.
	entries [][]memEntry
	byUID   map[string]memEntry
}

type memEntry struct {
	e Entry
	p *pack.Pack
}

// MemoryRegistry is a repo with the uids it and its packs are known by.
type MemoryRegistry struct {
	UID  string
	Repo *pack.Repo
	// PackUID gives the uid of a pack version of the repo.
	PackUID func(name, version string) string
}

// NewMemoryIndex indexes repos, in resolution order.
func NewMemoryIndex(repos ...MemoryRegistry) *MemoryIndex {
	ix := &MemoryIndex{byUID: map[string]memEntry{}}
	for _, r := range repos {
		ix.regs = append(ix.regs, Registry{UID: r.UID, Name: r.Repo.Name, Scope: ScopeSystem})
		var list []memEntry
		for _, p := range r.Repo.All() {
			me := memEntry{e: entryOf(r.PackUID(p.Meta.Name, p.Meta.Version), r.UID, p), p: p}
			list = append(list, me)
			ix.byUID[me.e.UID] = me
		}
		ix.entries = append(ix.entries, list)
	}
	return ix
}

// entryOf describes a parsed pack version.
func entryOf(uid, registryUID string, p *pack.Pack) Entry {
	return Entry{UID: uid, RegistryUID: registryUID, Name: p.Meta.Name, Version: p.Meta.Version, Layer: p.Meta.Layer,
		DisplayName: p.Meta.DisplayName, CloudTypes: p.Meta.AllClouds(), AddonType: p.Meta.AddonType, Digest: p.Digest}
}

// Registries implements Index.
func (ix *MemoryIndex) Registries(context.Context) ([]Registry, error) {
	return slices.Clone(ix.regs), nil
}

// Find implements Index.
func (ix *MemoryIndex) Find(_ context.Context, q Query) ([]Entry, error) {
	var out []Entry
	for i, g := range ix.regs {
		if len(q.RegistryUIDs) > 0 && !slices.Contains(q.RegistryUIDs, g.UID) {
			continue
		}
		for _, me := range ix.entries[i] {
			m := &me.p.Meta
			if (q.Name == "" || m.Name == q.Name) && (q.Version == "" || m.Version == q.Version) &&
				(q.Layer == "" || m.Layer == q.Layer) && (q.CloudType == "" || m.Supports(q.CloudType)) {
				out = append(out, me.e)
			}
		}
	}
	return out, nil
}

// Get implements Index.
func (ix *MemoryIndex) Get(_ context.Context, uid string) (Entry, error) {
	if me, ok := ix.byUID[uid]; ok {
		return me.e, nil
	}
	return Entry{}, fmt.Errorf("pack %s: %w", uid, ErrNotFound)
}

// Load implements Index.
func (ix *MemoryIndex) Load(_ context.Context, e Entry) (*pack.Pack, error) {
	if me, ok := ix.byUID[e.UID]; ok {
		return me.p, nil
	}
	return nil, fmt.Errorf("pack %s: %w", e.UID, ErrNotFound)
}

// PublicRegistry is the built-in Public Repo, with the uids every byoos
// server gives it and its packs.
func PublicRegistry(repo *pack.Repo) MemoryRegistry {
	return MemoryRegistry{UID: catalog.RepoUID, Repo: repo, PackUID: catalog.PackUID}
}

// LocalRegistry is a repo read from a directory (--pack-dir), known by a
// uid derived from its name.
func LocalRegistry(repo *pack.Repo) MemoryRegistry {
	uid := func(s string) string {
		h := sha256.Sum256([]byte("local/" + s))
		return hex.EncodeToString(h[:12])
	}
	return MemoryRegistry{UID: uid(repo.Name), Repo: repo, PackUID: func(name, version string) string { return uid(repo.Name + "/" + name + "@" + version) }}
}
