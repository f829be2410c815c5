package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/byoos/byoos/store"
)

// ociRegistry is a remote OCI registry record with every field set.
func ociRegistry(tenantUID, name string) store.Registry {
	return store.Registry{
		Name: name, Kind: store.KindOCI, TenantUID: tenantUID,
		Provider: "basic", ContentType: "pack", Endpoint: "registry.example.com:5000", BasePath: "suffix",
		BaseContentPath: "byoos", IsPrivate: true, SyncEnabled: true, AuthType: "basic", Username: "robot",
		Secret: "enc:v1:sealed-password", CACert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		InsecureSkipVerify: true, Region: "eu-west-1", STSARN: "arn:aws:iam::1:role/r", STSExternalID: "ext",
		Sync: store.RegistrySync{Status: store.SyncPending},
	}
}

func (f fx) remote(r store.Registry) store.Registry {
	f.t.Helper()
	if err := f.s.CreateRegistry(f.ctx, &r, ev("registry.create")); err != nil {
		f.t.Fatalf("CreateRegistry(%q): %v", r.Name, err)
	}
	return r
}

func (f fx) getRegistry(tenantUID, uid string) store.Registry {
	f.t.Helper()
	r, err := f.s.GetRegistry(f.ctx, tenantUID, uid)
	if err != nil {
		f.t.Fatalf("GetRegistry(%s): %v", uid, err)
	}
	return r
}

// registryPacks returns the registry's versions as name:version@digest uid.
func (f fx) registryPacks(registryUID string) map[string]store.PackVersion {
	f.t.Helper()
	vs, err := f.s.FindPacks(f.ctx, store.PackQuery{RegistryUIDs: []string{registryUID}})
	if err != nil {
		f.t.Fatalf("FindPacks: %v", err)
	}
	out := map[string]store.PackVersion{}
	for _, v := range vs {
		out[v.Name+":"+v.Version] = v
	}
	return out
}

func synced(name, version, digest string) store.PackVersion {
	return store.PackVersion{Name: name, Version: version, Layer: "addon", DisplayName: name, CloudTypes: []string{"all"},
		AddonType: "system app", Digest: digest, Type: "helm", Archive: []byte("tgz " + name + version + digest)}
}

func remoteRegistryTests() []Test {
	return []Test{
		{"CreateRegistry keeps a remote registry's configuration and sync state, and GetRegistry and ListRegistries return them", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			at := clk.Advance(time.Minute)
			r := f.remote(ociRegistry(tn, "harbor"))
			wantAt(t, "CreatedAt", r.CreatedAt, at)
			wantEqual(t, "GetRegistry", f.getRegistry(tn, r.UID), r)
			rs, err := s.ListRegistries(f.ctx, tn, "")
			noErr(t, "ListRegistries", err)
			wantEqual(t, "ListRegistries", rs, []store.Registry{r})
		}},
		{"UpdateRegistry writes the name and configuration, keeps kind, scope, creation time and sync state, and records its event", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			last := *stamp(clk.Advance(time.Hour))
			noErr(t, "SetRegistrySync", s.SetRegistrySync(f.ctx, tn, r.UID, store.RegistrySync{Status: store.SyncCompleted, Message: "3 packs", LastRun: &last, LastSynced: &last}, nil))
			at := clk.Advance(time.Minute)
			u := store.Registry{UID: r.UID, TenantUID: tn, Name: "harbor2", Kind: "helm", ProjectUID: "elsewhere", IsDefault: true,
				Provider: "ecr", ContentType: "helm", Endpoint: "https://charts.example.com", AuthType: "token", Username: "u", Secret: "enc:v1:other"}
			noErr(t, "UpdateRegistry", s.UpdateRegistry(f.ctx, &u, ev("registry.update")))
			want := u
			want.Kind, want.ProjectUID, want.IsDefault, want.CreatedAt = store.KindOCI, "", false, r.CreatedAt
			want.Sync = store.RegistrySync{Status: store.SyncCompleted, Message: "3 packs", LastRun: &last, LastSynced: &last}
			wantEqual(t, "the record UpdateRegistry filled", u, want)
			wantEqual(t, "GetRegistry", f.getRegistry(tn, r.UID), want)
			wantEvent(t, f.lastEvent(tn), "registry.update", tn, "", "registry", r.UID, at)
		}},
		{"UpdateRegistry of another tenant's registry is ErrNotFound, to a name taken is ErrExists, and neither changes it", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			f.registry(tn, "", "taken")
			other := r
			other.TenantUID, other.Endpoint = f.tenant("globex").UID, "evil.example.com"
			wantErr(t, "UpdateRegistry from another tenant", s.UpdateRegistry(f.ctx, &other, ev("registry.update")), store.ErrNotFound)
			taken := r
			taken.Name = "taken"
			wantErr(t, "UpdateRegistry to a taken name", s.UpdateRegistry(f.ctx, &taken, ev("registry.update")), store.ErrExists)
			wantEqual(t, "GetRegistry", f.getRegistry(tn, r.UID), r)
		}},
		{"DeleteRegistry removes the registry and its pack versions, and records its event; another tenant's is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			keep := f.registry(tn, "", "private")
			kept := f.pack(keep.UID, "nginx", "1.0.0", "addon", "all")
			noErr(t, "ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, []store.PackVersion{synced("nginx", "1.0.0", "d1")}, store.RegistrySync{}, ev("registry.sync")))
			gone := f.registryPacks(r.UID)["nginx:1.0.0"]
			wantErr(t, "DeleteRegistry from another tenant", s.DeleteRegistry(f.ctx, f.tenant("globex").UID, r.UID, ev("registry.delete")), store.ErrNotFound)
			at := clk.Advance(time.Minute)
			noErr(t, "DeleteRegistry", s.DeleteRegistry(f.ctx, tn, r.UID, ev("registry.delete")))
			_, err := s.GetRegistry(f.ctx, tn, r.UID)
			wantErr(t, "GetRegistry after delete", err, store.ErrNotFound)
			_, err = s.GetPackVersion(f.ctx, gone.UID)
			wantErr(t, "GetPackVersion of its pack", err, store.ErrNotFound)
			if _, err := s.GetPackVersion(f.ctx, kept.UID); err != nil {
				t.Errorf("another registry's pack is gone: %v", err)
			}
			wantEvent(t, f.lastEvent(tn), "registry.delete", tn, "", "registry", r.UID, at)
			wantErr(t, "DeleteRegistry again", s.DeleteRegistry(f.ctx, tn, r.UID, ev("registry.delete")), store.ErrNotFound)
		}},
		{"SetRegistrySync writes the sync state, recording an event only when one is given", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			before := len(f.audit(tn))
			run := *stamp(clk.Advance(time.Minute))
			st := store.RegistrySync{Status: store.SyncInProgress, LastRun: &run}
			noErr(t, "SetRegistrySync", s.SetRegistrySync(f.ctx, tn, r.UID, st, nil))
			wantEqual(t, "sync state", f.getRegistry(tn, r.UID).Sync, st)
			wantEqual(t, "audit events after a status change", len(f.audit(tn)), before)
			at := clk.Advance(time.Minute)
			failed := store.RegistrySync{Status: store.SyncFailed, Message: "unauthorized", LastRun: &run}
			e := ev("registry.sync")
			noErr(t, "SetRegistrySync with an event", s.SetRegistrySync(f.ctx, tn, r.UID, failed, &e))
			wantEqual(t, "sync state", f.getRegistry(tn, r.UID).Sync, failed)
			wantEvent(t, f.lastEvent(tn), "registry.sync", tn, "", "registry", r.UID, at)
			wantErr(t, "SetRegistrySync from another tenant", s.SetRegistrySync(f.ctx, f.tenant("globex").UID, r.UID, st, nil), store.ErrNotFound)
		}},
		{"ReplaceRegistryPacks keeps unchanged versions, replaces a changed digest, deletes vanished versions and writes the sync state with its event", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			first := []store.PackVersion{synced("nginx", "1.0.0", "d1"), synced("nginx", "1.1.0", "d2"), synced("redis", "7.0.0", "d3")}
			t0 := *stamp(clk.Advance(time.Minute))
			noErr(t, "first ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, first, store.RegistrySync{Status: store.SyncCompleted, LastSynced: &t0}, ev("registry.sync")))
			for _, p := range first {
				wantUID(t, "synced pack", p.UID)
				wantAt(t, "synced pack CreatedAt", p.CreatedAt, t0)
				got, err := s.GetPackVersion(f.ctx, p.UID)
				noErr(t, "GetPackVersion", err)
				wantEqual(t, "stored pack "+p.Name+":"+p.Version, got, p)
			}
			t1 := *stamp(clk.Advance(time.Minute))
			second := []store.PackVersion{synced("nginx", "1.0.0", "d1"), synced("nginx", "1.1.0", "d2-rebuilt"), synced("etcd", "3.5.0", "d4")}
			st := store.RegistrySync{Status: store.SyncCompleted, Message: "3 packs", LastRun: &t1, LastSynced: &t1}
			noErr(t, "second ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, second, st, ev("registry.sync")))
			got := f.registryPacks(r.UID)
			wantEqual(t, "versions", slices.Sorted(maps.Keys(got)), []string{"etcd:3.5.0", "nginx:1.0.0", "nginx:1.1.0"})
			if second[0].UID != first[0].UID || !second[0].CreatedAt.Equal(first[0].CreatedAt) {
				t.Errorf("unchanged nginx:1.0.0 is %s at %v, want %s at %v", second[0].UID, second[0].CreatedAt, first[0].UID, first[0].CreatedAt)
			}
			if second[1].UID == first[1].UID {
				t.Errorf("rebuilt nginx:1.1.0 kept uid %s", first[1].UID)
			}
			wantAt(t, "rebuilt CreatedAt", second[1].CreatedAt, t1)
			wantEqual(t, "rebuilt digest", got["nginx:1.1.0"].Digest, "d2-rebuilt")
			for _, gone := range []string{first[1].UID, first[2].UID} {
				_, err := s.GetPackVersion(f.ctx, gone)
				wantErr(t, "GetPackVersion of a replaced or vanished version", err, store.ErrNotFound)
			}
			wantEqual(t, "sync state", f.getRegistry(tn, r.UID).Sync, st)
			wantEvent(t, f.lastEvent(tn), "registry.sync", tn, "", "registry", r.UID, t1)
			noErr(t, "emptying ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, nil, st, ev("registry.sync")))
			wantEqual(t, "versions after an empty sync", len(f.registryPacks(r.UID)), 0)
		}},
		{"ReplaceRegistryPacks with a version given twice or from another tenant changes nothing and records nothing", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			noErr(t, "ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, []store.PackVersion{synced("nginx", "1.0.0", "d1")}, store.RegistrySync{Status: store.SyncCompleted}, ev("registry.sync")))
			before, events, reg := f.registryPacks(r.UID), len(f.audit(tn)), f.getRegistry(tn, r.UID)
			twice := []store.PackVersion{synced("redis", "7.0.0", "d3"), synced("redis", "7.0.0", "d4")}
			wantErr(t, "a version given twice", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, twice, store.RegistrySync{Status: store.SyncFailed}, ev("registry.sync")), store.ErrExists)
			wantErr(t, "another tenant", s.ReplaceRegistryPacks(f.ctx, f.tenant("globex").UID, r.UID, nil, store.RegistrySync{Status: store.SyncFailed}, ev("registry.sync")), store.ErrNotFound)
			wantEqual(t, "packs", f.registryPacks(r.UID), before)
			wantEqual(t, "registry", f.getRegistry(tn, r.UID), reg)
			wantEqual(t, "audit events", len(f.audit(tn)), events)
		}},
	}
}

// stamp returns t as the store keeps times: UTC, to the microsecond.
func stamp(t time.Time) *time.Time {
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
