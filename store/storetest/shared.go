package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/byoos/byoos/store"
)

// RunShared checks two stores opened on one database, as two byoos
// processes would: each sees the other's writes, a tenant ensured by both at
// once is one tenant, and of concurrent updates from one revision through
// both exactly one wins. open returns the two stores on a fresh database.
func RunShared(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	t.Run("each store sees the other's writes at once", func(t *testing.T) {
		a, b := open(t)
		fa, fb := newFx(t, a), newFx(t, b)
		tn := fa.tenant("acme")
		wantEqual(t, "tenant through b", fb.tenant("acme"), tn)
		p := fa.project(tn.UID, "web")
		got, err := b.GetProject(fb.ctx, tn.UID, p.UID)
		noErr(t, "GetProject through b", err)
		wantEqual(t, "project through b", got, p)
		prof := fb.profile(store.Scope{TenantUID: tn.UID, ProjectUID: p.UID}, "rhel8-aws", "1.0.0")
		wantEqual(t, "profile through a", fa.getProfile(store.Scope{TenantUID: tn.UID, ProjectUID: p.UID}, prof.UID), prof)
	})
	t.Run("EnsureTenant through both stores at once creates one tenant", func(t *testing.T) {
		a, b := open(t)
		uids := parallel(t, 8, func(i int) (string, error) {
			s := a
			if i%2 == 1 {
				s = b
			}
			tn, err := s.EnsureTenant(t.Context(), "race")
			return tn.UID, err
		})
		for _, u := range uids {
			if u != uids[0] {
				t.Fatalf("EnsureTenant returned different tenants: %v", uids)
			}
		}
	})
	t.Run("of InitKeyCheck calls through both stores at once one value is stored and each store returns it", func(t *testing.T) {
		a, b := open(t)
		got := parallel(t, 8, func(i int) (string, error) {
			s := a
			if i%2 == 1 {
				s = b
			}
			return s.InitKeyCheck(t.Context(), fmt.Sprintf("enc:v1:replica-%d", i))
		})
		for _, v := range got {
			if v != got[0] {
				t.Fatalf("the stores returned different key check values: %v", got)
			}
		}
		for name, s := range map[string]store.Store{"a": a, "b": b} {
			v, err := s.KeyCheck(t.Context())
			noErr(t, "KeyCheck through "+name, err)
			wantEqual(t, "KeyCheck through "+name, v, got[0])
		}
	})
	t.Run("of concurrent updates from one revision through both stores exactly one wins", func(t *testing.T) {
		a, b := open(t)
		f := newFx(t, a)
		sc := f.scopes()
		scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
		p := f.profile(scope, "rhel8-aws", "1.0.0")
		const rounds, writers = 4, 8
		for round := range rounds {
			base := f.getProfile(scope, p.UID)
			errs := parallel(t, writers, func(i int) (error, error) {
				s := a
				if i%2 == 1 {
					s = b
				}
				q := base
				q.Body = fmt.Appendf(nil, `{"round":%d,"writer":%d}`, round, i)
				return s.UpdateProfile(t.Context(), &q, ev("profile.update")), nil
			})
			oneWinner(t, round, errs)
		}
		if got := f.getProfile(scope, p.UID); got.Revision != 1+rounds {
			t.Errorf("Revision = %d, want %d", got.Revision, 1+rounds)
		}
	})
}

// FailSummary is the audit summary that the store given to RunAuditFailure
// must refuse to record (an engine's test installs a trigger for it).
const FailSummary = "storetest: refuse this audit event"

// RunAuditFailure checks that every write whose audit event cannot be
// recorded fails and leaves no trace of its change. open returns a fresh
// store that fails to insert any audit event whose Summary is FailSummary.
func RunAuditFailure(t *testing.T, open Open) {
	failing := func(action string) store.AuditEvent {
		return store.AuditEvent{Actor: "storetest", Action: action, Summary: FailSummary}
	}
	// wantFail checks the write failed; the error is the database's, not a
	// store sentinel.
	wantFail := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s succeeded though its audit event was refused", what)
		}
		for _, sentinel := range []error{store.ErrNotFound, store.ErrExists, store.ErrConflict, store.ErrImmutable} {
			if errors.Is(err, sentinel) {
				t.Errorf("%s: err %v, want the audit failure", what, err)
			}
		}
	}
	tests := []Test{
		{"a project is not created", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			p := store.Project{TenantUID: tn, Name: "web"}
			wantFail(t, "CreateProject", s.CreateProject(f.ctx, &p, failing("project.create")))
			if p.UID != "" {
				t.Errorf("failed CreateProject set uid %q", p.UID)
			}
			ps, err := s.ListProjects(f.ctx, tn)
			noErr(t, "ListProjects", err)
			if len(ps) != 0 {
				t.Errorf("project created: %+v", ps)
			}
		}},
		{"an API key is not created", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			k := store.APIKey{Name: "k", TenantUID: f.tenant("acme").UID, Role: store.RoleAdmin, Hash: []byte("h"), Prefix: "byoos_k"}
			wantFail(t, "CreateAPIKey", s.CreateAPIKey(f.ctx, &k, failing("apikey.create")))
			_, err := s.APIKeyByHash(f.ctx, []byte("h"))
			wantErr(t, "APIKeyByHash", err, store.ErrNotFound)
		}},
		{"an API key is not revoked", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			k := f.apiKey(tn, "", "deploy")
			wantFail(t, "RevokeAPIKey", s.RevokeAPIKey(f.ctx, tn, k.UID, failing("apikey.revoke")))
			got, err := s.APIKeyByHash(f.ctx, k.Hash)
			noErr(t, "APIKeyByHash", err)
			if got.RevokedAt != nil {
				t.Errorf("key revoked at %v", got.RevokedAt)
			}
		}},
		{"a registry is not created", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := store.Registry{Name: "private", Kind: "pack", TenantUID: tn}
			wantFail(t, "CreateRegistry", s.CreateRegistry(f.ctx, &r, failing("registry.create")))
			rs, err := s.ListRegistries(f.ctx, tn, "")
			noErr(t, "ListRegistries", err)
			if len(rs) != 0 {
				t.Errorf("registry created: %+v", rs)
			}
		}},
		{"a pack version is not published, so another digest may be pushed after", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			r := f.registry(f.tenant("acme").UID, "", "private")
			p := store.PackVersion{RegistryUID: r.UID, Name: "generic-byoi", Version: "1.0.0", CloudTypes: []string{"aws"}, Digest: "sha256:a", Archive: []byte("a")}
			created, err := s.PutPackVersion(f.ctx, &p, failing("pack.push"))
			wantFail(t, "PutPackVersion", err)
			if created {
				t.Error("created = true")
			}
			ps, err := s.FindPacks(f.ctx, store.PackQuery{CloudType: "aws"})
			noErr(t, "FindPacks", err)
			if len(ps) != 0 {
				t.Errorf("pack published: %+v", ps)
			}
			f.pack(r.UID, "generic-byoi", "1.0.0", "os", "aws")
		}},
		{"a profile is not created", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			p := store.Profile{TenantUID: tn, Name: "rhel8-aws", Version: "1.0.0", Body: []byte("{}")}
			wantFail(t, "CreateProfile", s.CreateProfile(f.ctx, &p, failing("profile.create")))
			ps, err := s.ListProfiles(f.ctx, store.ProfileQuery{Scope: store.Scope{TenantUID: tn}})
			noErr(t, "ListProfiles", err)
			if len(ps) != 0 {
				t.Errorf("profile created: %+v", ps)
			}
		}},
		{"a profile is not updated", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			scope := store.Scope{TenantUID: f.tenant("acme").UID}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			q := p
			q.Body = []byte(`{"changed":true}`)
			wantFail(t, "UpdateProfile", s.UpdateProfile(f.ctx, &q, failing("profile.update")))
			if q.Revision != p.Revision {
				t.Errorf("failed update moved Revision to %d", q.Revision)
			}
			wantEqual(t, "stored profile", f.getProfile(scope, p.UID), p)
		}},
		{"a profile is not deleted", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			scope := store.Scope{TenantUID: f.tenant("acme").UID}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			wantFail(t, "DeleteProfile", s.DeleteProfile(f.ctx, scope, p.UID, failing("profile.delete")))
			wantEqual(t, "stored profile", f.getProfile(scope, p.UID), p)
		}},
		{"profile digests are not recorded", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			scope := store.Scope{TenantUID: f.tenant("acme").UID}
			p := f.profile(scope, "edge", "1.0.0")
			_, err := s.RecordProfileDigests(f.ctx, scope, p.UID, "sum", []store.ProfileDigest{{Ref: "r.io/os:v1", Digest: "sha256:a"}}, failing("profile.digests"))
			wantFail(t, "RecordProfileDigests", err)
			ds, err := s.ProfileDigests(f.ctx, scope, p.UID, "sum")
			noErr(t, "ProfileDigests", err)
			if len(ds) != 0 {
				t.Errorf("digests recorded: %+v", ds)
			}
		}},
		{"a registry is not deleted, nor are its packs", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			noErr(t, "ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, []store.PackVersion{synced("nginx", "1.0.0", "d1")}, r.Sync, ev("registry.sync")))
			packs := f.registryPacks(r.UID)
			wantFail(t, "DeleteRegistry", s.DeleteRegistry(f.ctx, tn, r.UID, failing("registry.delete")))
			wantEqual(t, "registry", f.getRegistry(tn, r.UID), r)
			wantEqual(t, "packs", f.registryPacks(r.UID), packs)
		}},
		{"a registry's packs and sync state are not replaced, nor is it updated", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.remote(ociRegistry(tn, "harbor"))
			noErr(t, "ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, []store.PackVersion{synced("nginx", "1.0.0", "d1")}, r.Sync, ev("registry.sync")))
			packs := f.registryPacks(r.UID)
			wantFail(t, "ReplaceRegistryPacks", s.ReplaceRegistryPacks(f.ctx, tn, r.UID, []store.PackVersion{synced("redis", "7.0.0", "d2")},
				store.RegistrySync{Status: store.SyncCompleted, Message: "1 pack"}, failing("registry.sync")))
			u := r
			u.Endpoint = "elsewhere.example.com"
			wantFail(t, "UpdateRegistry", s.UpdateRegistry(f.ctx, &u, failing("registry.update")))
			ev := failing("registry.sync")
			wantFail(t, "SetRegistrySync", s.SetRegistrySync(f.ctx, tn, r.UID, store.RegistrySync{Status: store.SyncFailed}, &ev))
			wantEqual(t, "registry", f.getRegistry(tn, r.UID), r)
			wantEqual(t, "packs", f.registryPacks(r.UID), packs)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			clk := NewClock()
			s := open(t, store.WithClock(clk.Now))
			tc.Run(t, s, clk)
			// Nothing was recorded for the refused writes.
			tn, err := s.EnsureTenant(t.Context(), "acme")
			noErr(t, "EnsureTenant", err)
			evs, err := s.ListAudit(t.Context(), store.AuditQuery{TenantUID: tn.UID})
			noErr(t, "ListAudit", err)
			for _, e := range evs {
				if e.Summary == FailSummary {
					t.Errorf("refused event recorded: %+v", e)
				}
			}
		})
	}
}
