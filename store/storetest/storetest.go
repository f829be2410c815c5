// Package storetest is the conformance suite every store.Store engine passes:
// Run covers each method and rule of the contract on a fresh store per test,
// RunShared two stores on one database (two processes' view),
// RunAuditFailure that a change whose audit event cannot be written is not
// made, and RunMigrations how the schema is migrated. Engines call them from
// their tests; the Bench functions are the shared benchmarks. Stores under
// test read a fake Clock (store.WithClock), so tests know the exact times
// the store must stamp and never sleep for distinct ones.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/byoos/byoos/store"
)

// Test is one conformance test: a sentence naming the rule and the check.
type Test struct {
	Name string
	Run  func(t *testing.T, s store.Store, clk *Clock)
}

// Tests returns the conformance tests Run runs.
func Tests() []Test {
	var ts []Test
	ts = append(ts, tenancyTests()...)
	ts = append(ts, apiKeyTests()...)
	ts = append(ts, registryTests()...)
	ts = append(ts, packTests()...)
	ts = append(ts, profileTests()...)
	ts = append(ts, auditTests()...)
	ts = append(ts, keyCheckTests()...)
	ts = append(ts, macroTests()...)
	ts = append(ts, remoteRegistryTests()...)
	ts = append(ts, digestTests()...)
	return ts
}

// Open opens a fresh empty store for t with opts (which set its clock) and
// closes it in t.Cleanup.
type Open func(t *testing.T, opts ...store.Option) store.Store

// Run runs every conformance test, in parallel, each on a fresh empty store
// from open whose clock is a Clock of its own, and checks that a store
// opened without options stamps records with the time of day.
func Run(t *testing.T, open Open) {
	for _, tc := range Tests() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			clk := NewClock()
			tc.Run(t, open(t, store.WithClock(clk.Now)), clk)
		})
	}
	t.Run("without WithClock the store stamps records with the time of day", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		f := newFx(t, s)
		before := time.Now().UTC().Truncate(time.Microsecond)
		tn := f.tenant("acme")
		p := f.profile(store.Scope{TenantUID: tn.UID}, "rhel8-aws", "1.0.0")
		after := time.Now().UTC()
		for what, got := range map[string]time.Time{
			"tenant CreatedAt": tn.CreatedAt, "profile CreatedAt": p.CreatedAt,
			"profile UpdatedAt": p.UpdatedAt, "event time": f.lastEvent(tn.UID).Time,
		} {
			if got.Location() != time.UTC || got.Before(before) || got.After(after) {
				t.Errorf("%s = %v, want a UTC time between %v and %v", what, got, before, after)
			}
		}
	})
}

// fx builds the records tests need, failing the test on any error.
type fx struct {
	t   *testing.T
	s   store.Store
	ctx context.Context
}

func newFx(t *testing.T, s store.Store) fx {
	return fx{t: t, s: s, ctx: t.Context()}
}

// ev is the audit event a test passes with a write.
func ev(action string) store.AuditEvent {
	return store.AuditEvent{Actor: "0123456789abcdef01234567 ci-key", Action: action, Summary: "by storetest"}
}

func (f fx) tenant(name string) store.Tenant {
	f.t.Helper()
	tn, err := f.s.EnsureTenant(f.ctx, name)
	if err != nil {
		f.t.Fatalf("EnsureTenant(%q): %v", name, err)
	}
	return tn
}

func (f fx) project(tenantUID, name string) store.Project {
	f.t.Helper()
	p := store.Project{TenantUID: tenantUID, Name: name}
	if err := f.s.CreateProject(f.ctx, &p, ev("project.create")); err != nil {
		f.t.Fatalf("CreateProject(%q): %v", name, err)
	}
	return p
}

func (f fx) registry(tenantUID, projectUID, name string) store.Registry {
	f.t.Helper()
	r := store.Registry{TenantUID: tenantUID, ProjectUID: projectUID, Name: name, Kind: "pack"}
	if err := f.s.CreateRegistry(f.ctx, &r, ev("registry.create")); err != nil {
		f.t.Fatalf("CreateRegistry(%q): %v", name, err)
	}
	return r
}

func (f fx) pack(registryUID, name, version, layer string, clouds ...string) store.PackVersion {
	f.t.Helper()
	p := store.PackVersion{
		RegistryUID: registryUID, Name: name, Version: version, Layer: layer,
		DisplayName: name + " " + version, CloudTypes: clouds, AddonType: layer,
		Digest: "sha256:" + name + "-" + version, Archive: []byte("tgz of " + name + " " + version),
	}
	created, err := f.s.PutPackVersion(f.ctx, &p, ev("pack.push"))
	if err != nil || !created {
		f.t.Fatalf("PutPackVersion(%s:%s) = %v, %v; want true, nil", name, version, created, err)
	}
	return p
}

func (f fx) profile(s store.Scope, name, version string) store.Profile {
	f.t.Helper()
	p := store.Profile{
		TenantUID: s.TenantUID, ProjectUID: s.ProjectUID, Name: name, Version: version,
		Status: store.StatusDraft, Type: "cluster", CloudType: "aws",
		Body: []byte(`{"name":"` + name + `","version":"` + version + `"}`), Warnings: []byte(`[]`),
	}
	if err := f.s.CreateProfile(f.ctx, &p, ev("profile.create")); err != nil {
		f.t.Fatalf("CreateProfile(%s:%s): %v", name, version, err)
	}
	return p
}

func (f fx) apiKey(tenantUID, projectUID, name string) store.APIKey {
	f.t.Helper()
	k := store.APIKey{
		Name: name, TenantUID: tenantUID, ProjectUID: projectUID, Role: store.RoleAdmin,
		Hash: []byte("sha256 of " + tenantUID + "/" + name), Prefix: "byoos_" + name[:min(3, len(name))],
	}
	if err := f.s.CreateAPIKey(f.ctx, &k, ev("apikey.create")); err != nil {
		f.t.Fatalf("CreateAPIKey(%q): %v", name, err)
	}
	return k
}

// audit returns all of a tenant's events, newest first.
func (f fx) audit(tenantUID string) []store.AuditEvent {
	f.t.Helper()
	evs, err := f.s.ListAudit(f.ctx, store.AuditQuery{TenantUID: tenantUID})
	if err != nil {
		f.t.Fatalf("ListAudit: %v", err)
	}
	return evs
}

// lastEvent returns the tenant's newest event, failing if there is none.
func (f fx) lastEvent(tenantUID string) store.AuditEvent {
	f.t.Helper()
	evs := f.audit(tenantUID)
	if len(evs) == 0 {
		f.t.Fatalf("tenant %s has no audit event", tenantUID)
	}
	return evs[0]
}

func (f fx) getProfile(s store.Scope, uid string) store.Profile {
	f.t.Helper()
	p, err := f.s.GetProfile(f.ctx, s, uid)
	if err != nil {
		f.t.Fatalf("GetProfile(%s): %v", uid, err)
	}
	return p
}

// wantErr fails t unless err wraps target and says more than target alone.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
	if err.Error() == target.Error() {
		t.Errorf("%s: error %q carries no context", what, err)
	}
}

// noErr fails t on err.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

var uidRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

func wantUID(t *testing.T, what, uid string) {
	t.Helper()
	if !uidRE.MatchString(uid) {
		t.Errorf("%s uid %q is not 24 hex digits", what, uid)
	}
}

// wantAt fails t unless got is at in UTC, to the microsecond: the time the
// store's clock read, as the store keeps it.
func wantAt(t *testing.T, what string, got, at time.Time) {
	t.Helper()
	if got.Location() != time.UTC {
		t.Errorf("%s = %v, not UTC", what, got)
	}
	if want := at.UTC().Truncate(time.Microsecond); !got.Equal(want) {
		t.Errorf("%s = %v, want %v (the store's clock)", what, got, want)
	}
}

func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// wantEvent checks an event's caller-given and store-filled fields.
func wantEvent(t *testing.T, got store.AuditEvent, action, tenant, project, kind, uid string, at time.Time) {
	t.Helper()
	want := ev(action)
	if got.Action != action || got.Actor != want.Actor || got.Summary != want.Summary {
		t.Errorf("event %+v: want action %q, actor %q, summary %q", got, action, want.Actor, want.Summary)
	}
	if got.TenantUID != tenant || got.ProjectUID != project || got.Kind != kind || got.UID != uid {
		t.Errorf("event %+v: want tenant %q project %q kind %q uid %q", got, tenant, project, kind, uid)
	}
	if got.ID <= 0 {
		t.Errorf("event %+v has no ID", got)
	}
	wantAt(t, "event time", got.Time, at)
}

func keys[T any](xs []T, key func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, key(x))
	}
	return out
}

func tenancyTests() []Test {
	return []Test{
		{"EnsureTenant creates a tenant once and returns the same one after", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			at := clk.Advance(time.Minute)
			a := f.tenant("acme")
			wantUID(t, "tenant", a.UID)
			wantAt(t, "CreatedAt", a.CreatedAt, at)
			if a.Name != "acme" {
				t.Errorf("Name = %q", a.Name)
			}
			wantEqual(t, "second EnsureTenant", f.tenant("acme"), a)
			got, err := s.GetTenant(f.ctx, a.UID)
			noErr(t, "GetTenant", err)
			wantEqual(t, "GetTenant", got, a)
			if b := f.tenant("globex"); b.UID == a.UID {
				t.Errorf("two tenants share uid %s", a.UID)
			}
		}},
		{"EnsureTenant from many goroutines at once creates one tenant", func(t *testing.T, s store.Store, clk *Clock) {
			uids := parallel(t, 8, func(int) (string, error) {
				tn, err := s.EnsureTenant(t.Context(), "race")
				return tn.UID, err
			})
			for _, u := range uids {
				if u != uids[0] {
					t.Fatalf("EnsureTenant returned different tenants: %v", uids)
				}
			}
		}},
		{"GetTenant of an unknown uid is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			_, err := s.GetTenant(t.Context(), "ffffffffffffffffffffffff")
			wantErr(t, "GetTenant", err, store.ErrNotFound)
		}},
		{"CreateProject sets a uid and a UTC creation time, and GetProject returns the project", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			at := clk.Advance(time.Minute)
			p := f.project(tn.UID, "web")
			wantUID(t, "project", p.UID)
			wantAt(t, "CreatedAt", p.CreatedAt, at)
			got, err := s.GetProject(f.ctx, tn.UID, p.UID)
			noErr(t, "GetProject", err)
			wantEqual(t, "GetProject", got, p)
		}},
		{"CreateProject keeps a uid the caller chose", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			p := store.Project{UID: "0000000000000000000000aa", TenantUID: tn.UID, Name: "web"}
			noErr(t, "CreateProject", s.CreateProject(f.ctx, &p, ev("project.create")))
			if p.UID != "0000000000000000000000aa" {
				t.Errorf("uid = %q, want the caller's", p.UID)
			}
			_, err := s.GetProject(f.ctx, tn.UID, "0000000000000000000000aa")
			noErr(t, "GetProject", err)
		}},
		{"CreateProject records its event with the tenant, project, kind, uid and time filled in", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			at := clk.Advance(time.Minute)
			p := f.project(tn.UID, "web")
			evs := f.audit(tn.UID)
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1: %+v", len(evs), evs)
			}
			wantEvent(t, evs[0], "project.create", tn.UID, p.UID, "project", p.UID, at)
		}},
		{"an audit event keeps the kind, uid and time the caller set", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			e := ev("project.create")
			e.Kind, e.UID, e.Time = "custom", "caller-uid", time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
			p := store.Project{TenantUID: tn.UID, Name: "web"}
			noErr(t, "CreateProject", s.CreateProject(f.ctx, &p, e))
			got := f.lastEvent(tn.UID)
			if got.Kind != "custom" || got.UID != "caller-uid" || !got.Time.Equal(e.Time) || got.ProjectUID != p.UID {
				t.Errorf("event %+v, want kind custom, uid caller-uid, time %v, project %s", got, e.Time, p.UID)
			}
		}},
		{"CreateProject with a name taken in the tenant is ErrExists", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			f.project(tn.UID, "web")
			p := store.Project{TenantUID: tn.UID, Name: "web"}
			wantErr(t, "CreateProject", s.CreateProject(f.ctx, &p, ev("project.create")), store.ErrExists)
			if p.UID != "" {
				t.Errorf("failed CreateProject set uid %q", p.UID)
			}
		}},
		{"CreateProject with a uid taken is ErrExists", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			a := f.project(tn.UID, "web")
			p := store.Project{UID: a.UID, TenantUID: tn.UID, Name: "api"}
			wantErr(t, "CreateProject", s.CreateProject(f.ctx, &p, ev("project.create")), store.ErrExists)
		}},
		{"a project name may be reused in another tenant", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			a := f.project(f.tenant("acme").UID, "web")
			b := f.project(f.tenant("globex").UID, "web")
			if a.UID == b.UID {
				t.Errorf("both projects have uid %s", a.UID)
			}
		}},
		{"CreateProject in an unknown tenant is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			p := store.Project{TenantUID: "ffffffffffffffffffffffff", Name: "web"}
			wantErr(t, "CreateProject", s.CreateProject(t.Context(), &p, ev("project.create")), store.ErrNotFound)
		}},
		{"GetProject of another tenant's project is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			p := f.project(f.tenant("acme").UID, "web")
			_, err := s.GetProject(f.ctx, f.tenant("globex").UID, p.UID)
			wantErr(t, "GetProject", err, store.ErrNotFound)
		}},
		{"ListProjects lists the tenant's projects by name and no other tenant's", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme, globex := f.tenant("acme").UID, f.tenant("globex").UID
			f.project(acme, "web")
			f.project(acme, "api")
			f.project(globex, "db")
			ps, err := s.ListProjects(f.ctx, acme)
			noErr(t, "ListProjects", err)
			wantEqual(t, "names", keys(ps, func(p store.Project) string { return p.Name }), []string{"api", "web"})
			ps, err = s.ListProjects(f.ctx, "ffffffffffffffffffffffff")
			noErr(t, "ListProjects", err)
			if len(ps) != 0 {
				t.Errorf("unknown tenant lists %+v", ps)
			}
		}},
		{"Ping answers on an open store", func(t *testing.T, s store.Store, clk *Clock) {
			noErr(t, "Ping", s.Ping(t.Context()))
		}},
	}
}

// parallel runs fn(i) for i in [0,n) at once and returns the results, failing
// t on any error.
func parallel[T any](t *testing.T, n int, fn func(i int) (T, error)) []T {
	t.Helper()
	out := make([]T, n)
	errs := make([]error, n)
	start := make(chan struct{})
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			out[i], errs[i] = fn(i)
		}()
	}
	close(start)
	for range n {
		<-done
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls: %v", err)
	}
	return out
}

func apiKeyTests() []Test {
	return []Test{
		{"CreateAPIKey stores the key and APIKeyByHash finds it", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			p := f.project(tn.UID, "web")
			at := clk.Advance(time.Minute)
			k := f.apiKey(tn.UID, p.UID, "deploy")
			wantUID(t, "key", k.UID)
			wantAt(t, "CreatedAt", k.CreatedAt, at)
			if k.RevokedAt != nil {
				t.Errorf("new key revoked at %v", k.RevokedAt)
			}
			got, err := s.APIKeyByHash(f.ctx, k.Hash)
			noErr(t, "APIKeyByHash", err)
			wantEqual(t, "APIKeyByHash", got, k)
			wantEvent(t, f.lastEvent(tn.UID), "apikey.create", tn.UID, p.UID, "apikey", k.UID, at)
		}},
		{"an API key hash is unique, across tenants too", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			a := f.apiKey(f.tenant("acme").UID, "", "deploy")
			k := store.APIKey{Name: "other", TenantUID: f.tenant("globex").UID, Role: store.RoleReadOnly, Hash: a.Hash, Prefix: "byoos_oth"}
			wantErr(t, "CreateAPIKey", s.CreateAPIKey(f.ctx, &k, ev("apikey.create")), store.ErrExists)
		}},
		{"APIKeyByHash of an unknown hash is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			_, err := s.APIKeyByHash(t.Context(), []byte("no such hash"))
			wantErr(t, "APIKeyByHash", err, store.ErrNotFound)
		}},
		{"CreateAPIKey for another tenant's project is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			p := f.project(f.tenant("acme").UID, "web")
			k := store.APIKey{Name: "x", TenantUID: f.tenant("globex").UID, ProjectUID: p.UID, Role: store.RoleAdmin, Hash: []byte("h"), Prefix: "byoos_x"}
			wantErr(t, "CreateAPIKey", s.CreateAPIKey(f.ctx, &k, ev("apikey.create")), store.ErrNotFound)
		}},
		{"RevokeAPIKey sets RevokedAt, and APIKeyByHash still returns the revoked key", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			p := f.project(tn.UID, "web")
			k := f.apiKey(tn.UID, p.UID, "deploy")
			at := clk.Advance(time.Minute)
			noErr(t, "RevokeAPIKey", s.RevokeAPIKey(f.ctx, tn.UID, k.UID, ev("apikey.revoke")))
			got, err := s.APIKeyByHash(f.ctx, k.Hash)
			noErr(t, "APIKeyByHash", err)
			if got.RevokedAt == nil {
				t.Fatal("RevokedAt is nil after RevokeAPIKey")
			}
			wantAt(t, "RevokedAt", *got.RevokedAt, at)
			wantEvent(t, f.lastEvent(tn.UID), "apikey.revoke", tn.UID, p.UID, "apikey", k.UID, at)
		}},
		{"revoking a revoked key keeps the first revocation and records one event", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			k := f.apiKey(tn.UID, "", "deploy")
			noErr(t, "RevokeAPIKey", s.RevokeAPIKey(f.ctx, tn.UID, k.UID, ev("apikey.revoke")))
			first, _ := s.APIKeyByHash(f.ctx, k.Hash)
			n := len(f.audit(tn.UID))
			clk.Advance(time.Hour) // a second revocation would stamp another time
			noErr(t, "second RevokeAPIKey", s.RevokeAPIKey(f.ctx, tn.UID, k.UID, ev("apikey.revoke")))
			second, _ := s.APIKeyByHash(f.ctx, k.Hash)
			if first.RevokedAt == nil || second.RevokedAt == nil || !first.RevokedAt.Equal(*second.RevokedAt) {
				t.Errorf("RevokedAt moved from %v to %v", first.RevokedAt, second.RevokedAt)
			}
			if m := len(f.audit(tn.UID)); m != n {
				t.Errorf("second revoke recorded %d events", m-n)
			}
		}},
		{"RevokeAPIKey of another tenant's key is ErrNotFound and leaves the key valid", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			k := f.apiKey(f.tenant("acme").UID, "", "deploy")
			globex := f.tenant("globex").UID
			wantErr(t, "RevokeAPIKey", s.RevokeAPIKey(f.ctx, globex, k.UID, ev("apikey.revoke")), store.ErrNotFound)
			wantErr(t, "RevokeAPIKey unknown", s.RevokeAPIKey(f.ctx, globex, "ffffffffffffffffffffffff", ev("apikey.revoke")), store.ErrNotFound)
			got, err := s.APIKeyByHash(f.ctx, k.Hash)
			noErr(t, "APIKeyByHash", err)
			if got.RevokedAt != nil {
				t.Errorf("key revoked by another tenant at %v", got.RevokedAt)
			}
			if evs := f.audit(globex); len(evs) != 0 {
				t.Errorf("failed revoke recorded %+v", evs)
			}
		}},
		{"ListAPIKeys lists the tenant's keys, revoked ones too, and no other tenant's", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme := f.tenant("acme").UID
			a := f.apiKey(acme, "", "deploy")
			b := f.apiKey(acme, f.project(acme, "web").UID, "ci")
			f.apiKey(f.tenant("globex").UID, "", "other")
			noErr(t, "RevokeAPIKey", s.RevokeAPIKey(f.ctx, acme, a.UID, ev("apikey.revoke")))
			ks, err := s.ListAPIKeys(f.ctx, acme)
			noErr(t, "ListAPIKeys", err)
			got := map[string]bool{}
			for _, k := range ks {
				got[k.UID] = k.RevokedAt != nil
			}
			wantEqual(t, "uid → revoked", got, map[string]bool{a.UID: true, b.UID: false})
		}},
	}
}

func registryTests() []Test {
	return []Test{
		{"CreateRegistry stores a registry and GetRegistry returns it", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme")
			r := store.Registry{Name: "private", Kind: "pack", TenantUID: tn.UID, IsDefault: true}
			at := clk.Advance(time.Minute)
			noErr(t, "CreateRegistry", s.CreateRegistry(f.ctx, &r, ev("registry.create")))
			wantUID(t, "registry", r.UID)
			wantAt(t, "CreatedAt", r.CreatedAt, at)
			got, err := s.GetRegistry(f.ctx, tn.UID, r.UID)
			noErr(t, "GetRegistry", err)
			wantEqual(t, "GetRegistry", got, r)
			wantEvent(t, f.lastEvent(tn.UID), "registry.create", tn.UID, "", "registry", r.UID, at)
		}},
		{"CreateRegistry with a name taken in the same scope is ErrExists", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			p := f.project(tn, "web").UID
			for _, project := range []string{"", p} {
				f.registry(tn, project, "private")
				r := store.Registry{Name: "private", Kind: "pack", TenantUID: tn, ProjectUID: project}
				wantErr(t, "CreateRegistry in project "+project, s.CreateRegistry(f.ctx, &r, ev("registry.create")), store.ErrExists)
			}
		}},
		{"a registry name may be reused tenant-wide, in another project and in another tenant", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme := f.tenant("acme").UID
			f.registry(acme, f.project(acme, "web").UID, "private")
			f.registry(acme, f.project(acme, "api").UID, "private")
			f.registry(acme, "", "private")
			f.registry(f.tenant("globex").UID, "", "private")
		}},
		{"CreateRegistry in another tenant's project is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			p := f.project(f.tenant("acme").UID, "web")
			r := store.Registry{Name: "private", Kind: "pack", TenantUID: f.tenant("globex").UID, ProjectUID: p.UID}
			wantErr(t, "CreateRegistry", s.CreateRegistry(f.ctx, &r, ev("registry.create")), store.ErrNotFound)
		}},
		{"GetRegistry of another tenant's registry is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			r := f.registry(f.tenant("acme").UID, "", "private")
			_, err := s.GetRegistry(f.ctx, f.tenant("globex").UID, r.UID)
			wantErr(t, "GetRegistry", err, store.ErrNotFound)
		}},
		{"ListRegistries returns the tenant-wide registries and those of the given project only", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			acme := f.tenant("acme").UID
			web, api := f.project(acme, "web").UID, f.project(acme, "api").UID
			f.registry(acme, "", "shared")
			f.registry(acme, web, "web-only")
			f.registry(acme, api, "api-only")
			f.registry(f.tenant("globex").UID, "", "foreign")
			name := func(r store.Registry) string { return r.Name }
			rs, err := s.ListRegistries(f.ctx, acme, "")
			noErr(t, "ListRegistries", err)
			wantEqual(t, "tenant-wide", keys(rs, name), []string{"shared"})
			rs, err = s.ListRegistries(f.ctx, acme, web)
			noErr(t, "ListRegistries", err)
			wantEqual(t, "web project", keys(rs, name), []string{"shared", "web-only"})
		}},
	}
}

func packTests() []Test {
	return []Test{
		{"PutPackVersion publishes a version and GetPackVersion returns it with its archive", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			p := f.project(tn, "web").UID
			r := f.registry(tn, p, "private")
			at := clk.Advance(time.Minute)
			pv := f.pack(r.UID, "generic-byoi", "1.0.0", "os", "vsphere", "aws", "azure")
			wantUID(t, "pack", pv.UID)
			wantAt(t, "CreatedAt", pv.CreatedAt, at)
			got, err := s.GetPackVersion(f.ctx, pv.UID)
			noErr(t, "GetPackVersion", err)
			wantEqual(t, "GetPackVersion", got, pv)
			wantEvent(t, f.lastEvent(tn), "pack.push", tn, p, "pack", pv.UID, at)
		}},
		{"pushing the same version with the same digest is a no-op that returns the stored uid and records nothing", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.registry(tn, "", "private")
			pv := f.pack(r.UID, "generic-byoi", "1.0.0", "os", "aws")
			n := len(f.audit(tn))
			again := pv
			again.UID, again.CreatedAt = "", time.Time{}
			created, err := s.PutPackVersion(f.ctx, &again, ev("pack.push"))
			noErr(t, "PutPackVersion", err)
			if created {
				t.Error("created = true for an existing version")
			}
			if again.UID != pv.UID || !again.CreatedAt.Equal(pv.CreatedAt) {
				t.Errorf("no-op push returned uid %s at %v, want %s at %v", again.UID, again.CreatedAt, pv.UID, pv.CreatedAt)
			}
			if m := len(f.audit(tn)); m != n {
				t.Errorf("no-op push recorded %d events", m-n)
			}
		}},
		{"pushing the same version with another digest is ErrImmutable and changes nothing", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.registry(tn, "", "private")
			pv := f.pack(r.UID, "generic-byoi", "1.0.0", "os", "aws")
			n := len(f.audit(tn))
			other := store.PackVersion{RegistryUID: r.UID, Name: pv.Name, Version: pv.Version, Layer: "os", Digest: "sha256:other", Archive: []byte("other")}
			created, err := s.PutPackVersion(f.ctx, &other, ev("pack.push"))
			wantErr(t, "PutPackVersion", err, store.ErrImmutable)
			if created {
				t.Error("created = true with ErrImmutable")
			}
			got, err := s.GetPackVersion(f.ctx, pv.UID)
			noErr(t, "GetPackVersion", err)
			wantEqual(t, "stored version", got, pv)
			if m := len(f.audit(tn)); m != n {
				t.Errorf("refused push recorded %d events", m-n)
			}
		}},
		{"the same name and version may be published in two registries", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			a := f.pack(f.registry(tn, "", "one").UID, "generic-byoi", "1.0.0", "os")
			b := f.pack(f.registry(tn, "", "two").UID, "generic-byoi", "1.0.0", "os")
			if a.UID == b.UID {
				t.Errorf("both versions have uid %s", a.UID)
			}
		}},
		{"PutPackVersion into an unknown registry is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			p := store.PackVersion{RegistryUID: "ffffffffffffffffffffffff", Name: "x", Version: "1.0.0", Digest: "sha256:x"}
			_, err := s.PutPackVersion(t.Context(), &p, ev("pack.push"))
			wantErr(t, "PutPackVersion", err, store.ErrNotFound)
		}},
		{"GetPackVersion of an unknown uid is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			_, err := s.GetPackVersion(t.Context(), "ffffffffffffffffffffffff")
			wantErr(t, "GetPackVersion", err, store.ErrNotFound)
		}},
		{"FindPacks filters by registries, name, version, layer and cloud type, sorted by name then version", testFindPacks},
		{"FindPacks leaves Archive empty and fills every other field", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			r := f.registry(f.tenant("acme").UID, "", "private")
			pv := f.pack(r.UID, "generic-byoi", "1.0.0", "os", "aws", "all")
			got, err := s.FindPacks(f.ctx, store.PackQuery{Name: "generic-byoi"})
			noErr(t, "FindPacks", err)
			want := pv
			want.Archive = nil
			wantEqual(t, "FindPacks", got, []store.PackVersion{want})
		}},
		{"concurrent pushes of one version create it once; the other digest is ErrImmutable", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			r := f.registry(tn, "", "private")
			const n = 8
			type result struct {
				created bool
				uid     string
				err     error
			}
			digest := func(i int) string { return fmt.Sprintf("sha256:%d", i%2) }
			rs := parallel(t, n, func(i int) (result, error) {
				p := store.PackVersion{RegistryUID: r.UID, Name: "generic-byoi", Version: "1.0.0", Layer: "os", Digest: digest(i)}
				created, err := s.PutPackVersion(t.Context(), &p, ev("pack.push"))
				return result{created, p.UID, err}, nil
			})
			winner := -1
			for i, res := range rs {
				if res.created {
					if winner >= 0 {
						t.Fatalf("pushes %d and %d both created the version", winner, i)
					}
					winner = i
				}
			}
			if winner < 0 {
				t.Fatalf("no push created the version: %+v", rs)
			}
			for i, res := range rs {
				if digest(i) == digest(winner) {
					if res.err != nil || res.uid != rs[winner].uid {
						t.Errorf("push %d with the winning digest: uid %s, err %v", i, res.uid, res.err)
					}
				} else if !errors.Is(res.err, store.ErrImmutable) {
					t.Errorf("push %d with the other digest: err %v, want ErrImmutable", i, res.err)
				}
			}
			if evs := f.audit(tn); len(evs) != 2 { // registry.create, one pack.push
				t.Errorf("%d events, want 2", len(evs))
			}
		}},
	}
}

func testFindPacks(t *testing.T, s store.Store, _ *Clock) {
	f := newFx(t, s)
	tn := f.tenant("acme").UID
	// Fixed uids so that the registry order (the last sort key) is known.
	r1 := store.Registry{UID: "aaaaaaaaaaaaaaaaaaaaaaa1", Name: "one", Kind: "pack", TenantUID: tn}
	r2 := store.Registry{UID: "aaaaaaaaaaaaaaaaaaaaaaa2", Name: "two", Kind: "pack", TenantUID: tn}
	noErr(t, "CreateRegistry", s.CreateRegistry(f.ctx, &r1, ev("registry.create")))
	noErr(t, "CreateRegistry", s.CreateRegistry(f.ctx, &r2, ev("registry.create")))
	f.pack(r1.UID, "ubuntu", "24.04", "os", "aws", "azure")
	f.pack(r1.UID, "ubuntu", "22.04", "os", "aws")
	f.pack(r1.UID, "kubernetes", "1.30.0", "k8s", "all")
	f.pack(r1.UID, "calico", "3.27.0", "cni", "all", "aws")
	f.pack(r2.UID, "ubuntu", "22.04", "os", "vsphere")
	f.pack(r2.UID, "edge-native-byoi", "1.0.0", "os", "edge-native")
	f.pack(r2.UID, "csi-aws", "1.0.0", "csi", "aws")
	f.pack(r2.UID, "nocloud", "1.0.0", "addon")
	key := func(p store.PackVersion) string {
		return map[string]string{r1.UID: "1", r2.UID: "2"}[p.RegistryUID] + "/" + p.Name + "@" + p.Version
	}
	for _, tc := range []struct {
		name string
		q    store.PackQuery
		want []string
	}{
		{"an empty query returns every version", store.PackQuery{},
			[]string{"1/calico@3.27.0", "2/csi-aws@1.0.0", "2/edge-native-byoi@1.0.0", "1/kubernetes@1.30.0", "2/nocloud@1.0.0", "1/ubuntu@22.04", "2/ubuntu@22.04", "1/ubuntu@24.04"}},
		{"a name returns its versions in every registry", store.PackQuery{Name: "ubuntu"},
			[]string{"1/ubuntu@22.04", "2/ubuntu@22.04", "1/ubuntu@24.04"}},
		{"registries limit to theirs", store.PackQuery{RegistryUIDs: []string{r2.UID}},
			[]string{"2/csi-aws@1.0.0", "2/edge-native-byoi@1.0.0", "2/nocloud@1.0.0", "2/ubuntu@22.04"}},
		{"both registries return everything", store.PackQuery{RegistryUIDs: []string{r1.UID, r2.UID}, Name: "ubuntu"},
			[]string{"1/ubuntu@22.04", "2/ubuntu@22.04", "1/ubuntu@24.04"}},
		{"an unknown registry returns nothing", store.PackQuery{RegistryUIDs: []string{"ffffffffffffffffffffffff"}}, []string{}},
		{"a version matches exactly", store.PackQuery{Version: "22.04"}, []string{"1/ubuntu@22.04", "2/ubuntu@22.04"}},
		{"a layer matches exactly", store.PackQuery{Layer: "os", RegistryUIDs: []string{r1.UID}}, []string{"1/ubuntu@22.04", "1/ubuntu@24.04"}},
		{"a cloud type matches packs listing it or all", store.PackQuery{CloudType: "aws"},
			[]string{"1/calico@3.27.0", "2/csi-aws@1.0.0", "1/kubernetes@1.30.0", "1/ubuntu@22.04", "1/ubuntu@24.04"}},
		{"a cloud type no pack lists matches the all packs", store.PackQuery{CloudType: "maas"},
			[]string{"1/calico@3.27.0", "1/kubernetes@1.30.0"}},
		{"the cloud type all matches only packs listing all", store.PackQuery{CloudType: "all"},
			[]string{"1/calico@3.27.0", "1/kubernetes@1.30.0"}},
		{"filters combine", store.PackQuery{RegistryUIDs: []string{r1.UID}, Layer: "os", CloudType: "azure"}, []string{"1/ubuntu@24.04"}},
		{"Limit caps the result", store.PackQuery{Limit: 3}, []string{"1/calico@3.27.0", "2/csi-aws@1.0.0", "2/edge-native-byoi@1.0.0"}},
		{"an unknown name returns nothing", store.PackQuery{Name: "nope"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.FindPacks(f.ctx, tc.q)
			noErr(t, "FindPacks", err)
			wantEqual(t, fmt.Sprintf("FindPacks(%+v)", tc.q), keys(got, key), tc.want)
			for _, p := range got {
				if p.Archive != nil {
					t.Errorf("%s has its archive", key(p))
				}
			}
		})
	}
}

// scopes returns a tenant with two projects and a second tenant.
type scopes struct {
	acme, web, api, globex string
}

func (f fx) scopes() scopes {
	acme := f.tenant("acme").UID
	return scopes{acme: acme, web: f.project(acme, "web").UID, api: f.project(acme, "api").UID, globex: f.tenant("globex").UID}
}

func profileTests() []Test {
	return []Test{
		{"GetProfileInTenant finds a profile of any scope of the tenant, and none of another tenant", func(t *testing.T, s store.Store, _ *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			inProject := f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}, "rhel8-aws", "1.0.0")
			tenantWide := f.profile(store.Scope{TenantUID: sc.acme}, "rhel8-aws", "1.0.0")
			for _, want := range []store.Profile{inProject, tenantWide} {
				got, err := s.GetProfileInTenant(f.ctx, sc.acme, want.UID)
				if err != nil || got.UID != want.UID || got.ProjectUID != want.ProjectUID {
					t.Errorf("GetProfileInTenant(acme, %s) = %+v, %v; want the profile of project %q", want.UID, got.UID, err, want.ProjectUID)
				}
			}
			if _, err := s.GetProfileInTenant(f.ctx, sc.globex, inProject.UID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another tenant finds acme's profile: %v", err)
			}
			if _, err := s.GetProfileInTenant(f.ctx, sc.acme, "5e00000000000000000000ff"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("an unknown uid: %v, want ErrNotFound", err)
			}
		}},
		{"CreateProfile sets a uid, revision 1 and equal UTC timestamps, and GetProfile returns the profile as stored", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			at := clk.Advance(time.Minute)
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			wantUID(t, "profile", p.UID)
			if p.Revision != 1 {
				t.Errorf("Revision = %d, want 1", p.Revision)
			}
			wantAt(t, "CreatedAt", p.CreatedAt, at)
			if !p.UpdatedAt.Equal(p.CreatedAt) {
				t.Errorf("UpdatedAt %v != CreatedAt %v", p.UpdatedAt, p.CreatedAt)
			}
			wantEqual(t, "GetProfile", f.getProfile(scope, p.UID), p)
			wantEvent(t, f.lastEvent(sc.acme), "profile.create", sc.acme, sc.web, "profile", p.UID, at)
		}},
		{"CreateProfile with a name and version taken in the scope is ErrExists", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			for _, project := range []string{sc.web, ""} {
				scope := store.Scope{TenantUID: sc.acme, ProjectUID: project}
				f.profile(scope, "rhel8-aws", "1.0.0")
				p := store.Profile{TenantUID: sc.acme, ProjectUID: project, Name: "rhel8-aws", Version: "1.0.0", Body: []byte("{}")}
				wantErr(t, "CreateProfile in project "+project, s.CreateProfile(f.ctx, &p, ev("profile.create")), store.ErrExists)
			}
		}},
		{"a profile name and version may be reused as another version, in another project, tenant-wide and in another tenant", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}, "rhel8-aws", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}, "rhel8-aws", "1.0.1")
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, "rhel8-aws", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.acme}, "rhel8-aws", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.globex}, "rhel8-aws", "1.0.0")
		}},
		{"CreateProfile in another tenant's project or an unknown tenant is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			for _, scope := range []store.Scope{{TenantUID: sc.globex, ProjectUID: sc.web}, {TenantUID: "ffffffffffffffffffffffff"}} {
				p := store.Profile{TenantUID: scope.TenantUID, ProjectUID: scope.ProjectUID, Name: "x", Version: "1.0.0"}
				wantErr(t, fmt.Sprintf("CreateProfile in %+v", scope), s.CreateProfile(f.ctx, &p, ev("profile.create")), store.ErrNotFound)
			}
		}},
		{"a profile is not found outside its scope by get, update, delete or list", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			home := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			p := f.profile(home, "rhel8-aws", "1.0.0")
			wide := f.profile(store.Scope{TenantUID: sc.acme}, "tenant-wide", "1.0.0")
			n := len(f.audit(sc.acme))
			for _, tc := range []struct {
				name  string
				scope store.Scope
				p     store.Profile
			}{
				{"another project of the tenant", store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, p},
				{"the tenant-wide scope", store.Scope{TenantUID: sc.acme}, p},
				{"another tenant with the same project uid", store.Scope{TenantUID: sc.globex, ProjectUID: sc.web}, p},
				{"another tenant", store.Scope{TenantUID: sc.globex}, p},
				{"an unknown tenant", store.Scope{TenantUID: "ffffffffffffffffffffffff", ProjectUID: sc.web}, p},
				{"a project, for a tenant-wide profile", store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}, wide},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := s.GetProfile(f.ctx, tc.scope, tc.p.UID)
					wantErr(t, "GetProfile", err, store.ErrNotFound)
					upd := tc.p
					upd.TenantUID, upd.ProjectUID = tc.scope.TenantUID, tc.scope.ProjectUID
					upd.Body = []byte(`{"hijacked":true}`)
					wantErr(t, "UpdateProfile", s.UpdateProfile(f.ctx, &upd, ev("profile.update")), store.ErrNotFound)
					if upd.Revision != tc.p.Revision {
						t.Errorf("failed update moved Revision to %d", upd.Revision)
					}
					wantErr(t, "DeleteProfile", s.DeleteProfile(f.ctx, tc.scope, tc.p.UID, ev("profile.delete")), store.ErrNotFound)
					ps, err := s.ListProfiles(f.ctx, store.ProfileQuery{Scope: tc.scope})
					noErr(t, "ListProfiles", err)
					for _, q := range ps {
						if q.UID == tc.p.UID {
							t.Errorf("ListProfiles(%+v) shows %s", tc.scope, tc.p.UID)
						}
					}
				})
			}
			wantEqual(t, "profile at home", f.getProfile(home, p.UID), p)
			wantEqual(t, "tenant-wide profile", f.getProfile(store.Scope{TenantUID: sc.acme}, wide.UID), wide)
			if m := len(f.audit(sc.acme)); m != n {
				t.Errorf("refused writes recorded %d events", m-n)
			}
		}},
		{"UpdateProfile from the stored revision writes the change and bumps Revision and UpdatedAt", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			created := p.CreatedAt
			p.Body = []byte(`{"changed":true}`)
			p.Status = store.StatusPublished
			p.Published = p.Body
			p.Warnings = []byte(`["w"]`)
			p.CreatedAt = time.Time{}
			at := clk.Advance(time.Minute)
			noErr(t, "UpdateProfile", s.UpdateProfile(f.ctx, &p, ev("profile.update")))
			if p.Revision != 2 {
				t.Errorf("Revision = %d, want 2", p.Revision)
			}
			if !p.CreatedAt.Equal(created) {
				t.Errorf("CreatedAt = %v, want the stored %v", p.CreatedAt, created)
			}
			wantAt(t, "UpdatedAt", p.UpdatedAt, at)
			wantEqual(t, "GetProfile", f.getProfile(scope, p.UID), p)
			wantEvent(t, f.lastEvent(sc.acme), "profile.update", sc.acme, sc.web, "profile", p.UID, at)
			noErr(t, "second UpdateProfile", s.UpdateProfile(f.ctx, &p, ev("profile.update")))
			if p.Revision != 3 {
				t.Errorf("Revision = %d, want 3", p.Revision)
			}
		}},
		{"of two updates from the same revision the first wins and the second is ErrConflict, writing nothing", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			a, b := p, p
			a.Body = []byte(`{"by":"a"}`)
			b.Body = []byte(`{"by":"b"}`)
			noErr(t, "first UpdateProfile", s.UpdateProfile(f.ctx, &a, ev("profile.update")))
			n := len(f.audit(sc.acme))
			wantErr(t, "second UpdateProfile", s.UpdateProfile(f.ctx, &b, ev("profile.update")), store.ErrConflict)
			if b.Revision != 1 {
				t.Errorf("conflicting update moved Revision to %d", b.Revision)
			}
			wantEqual(t, "stored profile", f.getProfile(scope, p.UID), a)
			if m := len(f.audit(sc.acme)); m != n {
				t.Errorf("conflicting update recorded %d events", m-n)
			}
		}},
		{"of many concurrent updates from the same revision exactly one wins, round after round", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			const rounds, writers = 5, 8
			for round := range rounds {
				base := f.getProfile(scope, p.UID)
				errs := parallel(t, writers, func(i int) (error, error) {
					q := base
					q.Body = fmt.Appendf(nil, `{"round":%d,"writer":%d}`, round, i)
					return s.UpdateProfile(t.Context(), &q, ev("profile.update")), nil
				})
				oneWinner(t, round, errs)
			}
			if got := f.getProfile(scope, p.UID); got.Revision != 1+rounds {
				t.Errorf("Revision = %d, want %d", got.Revision, 1+rounds)
			}
			updates := 0
			for _, e := range f.audit(sc.acme) {
				if e.Action == "profile.update" {
					updates++
				}
			}
			if updates != rounds {
				t.Errorf("%d update events, want %d", updates, rounds)
			}
		}},
		{"UpdateProfile of an unknown uid is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			p := store.Profile{UID: "ffffffffffffffffffffffff", TenantUID: sc.acme, ProjectUID: sc.web, Name: "x", Version: "1.0.0", Revision: 1}
			wantErr(t, "UpdateProfile", s.UpdateProfile(f.ctx, &p, ev("profile.update")), store.ErrNotFound)
		}},
		{"renaming a profile onto a name and version taken in its scope is ErrExists and changes nothing", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			f.profile(scope, "rhel8-aws", "1.0.0")
			p := f.profile(scope, "rhel8-aws", "1.0.1")
			moved := p
			moved.Version = "1.0.0"
			wantErr(t, "UpdateProfile", s.UpdateProfile(f.ctx, &moved, ev("profile.update")), store.ErrExists)
			wantEqual(t, "stored profile", f.getProfile(scope, p.UID), p)
			renamed := p
			renamed.Version = "2.0.0"
			noErr(t, "UpdateProfile to a free version", s.UpdateProfile(f.ctx, &renamed, ev("profile.update")))
			if got := f.getProfile(scope, p.UID); got.Version != "2.0.0" {
				t.Errorf("Version = %q after rename", got.Version)
			}
		}},
		{"DeleteProfile removes the profile and records its event; deleting again is ErrNotFound", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			p := f.profile(scope, "rhel8-aws", "1.0.0")
			at := clk.Advance(time.Minute)
			noErr(t, "DeleteProfile", s.DeleteProfile(f.ctx, scope, p.UID, ev("profile.delete")))
			_, err := s.GetProfile(f.ctx, scope, p.UID)
			wantErr(t, "GetProfile after delete", err, store.ErrNotFound)
			wantEvent(t, f.lastEvent(sc.acme), "profile.delete", sc.acme, sc.web, "profile", p.UID, at)
			n := len(f.audit(sc.acme))
			wantErr(t, "second DeleteProfile", s.DeleteProfile(f.ctx, scope, p.UID, ev("profile.delete")), store.ErrNotFound)
			if m := len(f.audit(sc.acme)); m != n {
				t.Errorf("failed delete recorded %d events", m-n)
			}
			f.profile(scope, "rhel8-aws", "1.0.0") // the name and version are free again
		}},
		{"ListProfiles lists the scope's profiles by name then version, filters by name and honours Limit", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			web := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			f.profile(web, "ubuntu-aws", "1.0.0")
			f.profile(web, "rhel8-aws", "1.1.0")
			f.profile(web, "rhel8-aws", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, "rhel8-aws", "9.9.9")
			f.profile(store.Scope{TenantUID: sc.acme}, "rhel8-aws", "8.8.8")
			key := func(p store.Profile) string { return p.Name + "@" + p.Version }
			for _, tc := range []struct {
				q    store.ProfileQuery
				want []string
			}{
				{store.ProfileQuery{Scope: web}, []string{"rhel8-aws@1.0.0", "rhel8-aws@1.1.0", "ubuntu-aws@1.0.0"}},
				{store.ProfileQuery{Scope: web, Name: "rhel8-aws"}, []string{"rhel8-aws@1.0.0", "rhel8-aws@1.1.0"}},
				{store.ProfileQuery{Scope: web, Limit: 1}, []string{"rhel8-aws@1.0.0"}},
				{store.ProfileQuery{Scope: store.Scope{TenantUID: sc.acme}}, []string{"rhel8-aws@8.8.8"}},
				{store.ProfileQuery{Scope: store.Scope{TenantUID: sc.globex}}, []string{}},
			} {
				ps, err := s.ListProfiles(f.ctx, tc.q)
				noErr(t, "ListProfiles", err)
				wantEqual(t, fmt.Sprintf("ListProfiles(%+v)", tc.q), keys(ps, key), tc.want)
			}
		}},
		{"ListProfiles WithTenant lists a project's profiles and its tenant's, never another project's or tenant's", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			web := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			tenant := store.Scope{TenantUID: sc.acme}
			f.profile(web, "rhel8-aws", "1.0.0")
			f.profile(tenant, "rhel8-aws", "1.0.0")
			f.profile(tenant, "base-aws", "2.0.0")
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, "other-project", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.globex}, "other-tenant", "1.0.0")
			key := func(p store.Profile) string {
				if p.ProjectUID == "" {
					return p.Name + "@" + p.Version + " (tenant)"
				}
				return p.Name + "@" + p.Version + " (" + p.ProjectUID + ")"
			}
			for _, tc := range []struct {
				name string
				q    store.ProfileQuery
				want []string
			}{
				{"a project scope with the tenant's sees both, in one order", store.ProfileQuery{Scope: web, WithTenant: true},
					[]string{"base-aws@2.0.0 (tenant)", "rhel8-aws@1.0.0 (" + sc.web + ")", "rhel8-aws@1.0.0 (tenant)"}},
				{"the filters apply to the tenant's profiles too", store.ProfileQuery{Scope: web, WithTenant: true, Name: "base-aws"}, []string{"base-aws@2.0.0 (tenant)"}},
				{"without it a project scope sees its own only", store.ProfileQuery{Scope: web}, []string{"rhel8-aws@1.0.0 (" + sc.web + ")"}},
				{"a tenant scope with it still sees the tenant's only", store.ProfileQuery{Scope: tenant, WithTenant: true}, []string{"base-aws@2.0.0 (tenant)", "rhel8-aws@1.0.0 (tenant)"}},
			} {
				ps, err := s.ListProfiles(f.ctx, tc.q)
				noErr(t, tc.name, err)
				// Ties of name and version break by uid: compare as a set there.
				got := keys(ps, key)
				if len(got) == 3 && len(tc.want) == 3 {
					sort.Strings(got[1:])
					sort.Strings(tc.want[1:])
				}
				wantEqual(t, tc.name, got, tc.want)
			}
		}},
		{"ListProfiles searches by part of the name, cloud type, type and status, sorts either way and pages with Offset", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			web := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			mk := func(name, version, cloud, status string) {
				p := store.Profile{TenantUID: web.TenantUID, ProjectUID: web.ProjectUID, Name: name, Version: version, Status: status, Type: "cluster",
					CloudType: cloud, Body: []byte(`{}`), Published: []byte(`{}`), Warnings: []byte(`[]`)}
				clk.Advance(time.Second)
				noErr(t, "CreateProfile", s.CreateProfile(f.ctx, &p, ev("profile.create")))
			}
			mk("rhel8-aws", "1.0.0", "aws", store.StatusPublished)
			mk("ubuntu-azure", "1.0.0", "azure", store.StatusDraft)
			mk("rhel9-azure", "2.0.0", "azure", store.StatusPublished)
			mk("edge_100pct", "1.0.0", "edge-native", store.StatusDraft)
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, "rhel8-other-project", "1.0.0")
			key := func(p store.Profile) string { return p.Name + "@" + p.Version }
			for _, tc := range []struct {
				name string
				q    store.ProfileQuery
				want []string
			}{
				{"a part of the name matches in any case", store.ProfileQuery{NameContains: "RHEL"}, []string{"rhel8-aws@1.0.0", "rhel9-azure@2.0.0"}},
				{"LIKE wildcards in the part match only themselves", store.ProfileQuery{NameContains: "_100%"}, []string{}},
				{"an underscore matches an underscore", store.ProfileQuery{NameContains: "e_1"}, []string{"edge_100pct@1.0.0"}},
				{"cloud types select any of them", store.ProfileQuery{CloudTypes: []string{"azure", "edge-native"}}, []string{"edge_100pct@1.0.0", "rhel9-azure@2.0.0", "ubuntu-azure@1.0.0"}},
				{"a status selects", store.ProfileQuery{Statuses: []string{store.StatusPublished}}, []string{"rhel8-aws@1.0.0", "rhel9-azure@2.0.0"}},
				{"a type that none has selects none", store.ProfileQuery{Types: []string{"add-on"}}, []string{}},
				{"filters combine", store.ProfileQuery{NameContains: "azure", Statuses: []string{store.StatusDraft}}, []string{"ubuntu-azure@1.0.0"}},
				{"names sort descending", store.ProfileQuery{Desc: true}, []string{"ubuntu-azure@1.0.0", "rhel9-azure@2.0.0", "rhel8-aws@1.0.0", "edge_100pct@1.0.0"}},
				{"creation time sorts newest first descending", store.ProfileQuery{Sort: store.SortByCreated, Desc: true, Limit: 2}, []string{"edge_100pct@1.0.0", "rhel9-azure@2.0.0"}},
				{"cloud type sorts with name second", store.ProfileQuery{Sort: store.SortByCloudType}, []string{"rhel8-aws@1.0.0", "rhel9-azure@2.0.0", "ubuntu-azure@1.0.0", "edge_100pct@1.0.0"}},
				{"offset and limit page", store.ProfileQuery{Offset: 1, Limit: 2}, []string{"rhel8-aws@1.0.0", "rhel9-azure@2.0.0"}},
				{"offset without limit runs to the end", store.ProfileQuery{Offset: 3}, []string{"ubuntu-azure@1.0.0"}},
				{"offset past the end is empty", store.ProfileQuery{Offset: 9, Limit: 2}, []string{}},
			} {
				tc.q.Scope = web
				ps, err := s.ListProfiles(f.ctx, tc.q)
				noErr(t, tc.name, err)
				wantEqual(t, tc.name, keys(ps, key), tc.want)
			}
			ps, err := s.ListProfiles(f.ctx, store.ProfileQuery{Scope: web, NoBodies: true, Limit: 1})
			noErr(t, "ListProfiles without bodies", err)
			if len(ps) != 1 || ps[0].Body != nil || ps[0].Published != nil || string(ps[0].Warnings) != "[]" || ps[0].Status != store.StatusDraft {
				t.Errorf("ListProfiles without bodies = %+v, want no body or published body, the warnings and the status", ps)
			}
			_, err = s.ListProfiles(f.ctx, store.ProfileQuery{Scope: web, Sort: "name; DROP TABLE profiles"})
			if err == nil {
				t.Error("an unknown order was accepted")
			}
		}},
	}
}

func auditTests() []Test {
	return []Test{
		{"ListAudit returns events newest first and pages with BeforeID", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			tn := f.tenant("acme").UID
			for i := range 7 {
				f.project(tn, fmt.Sprintf("p%d", i))
			}
			all := f.audit(tn)
			if len(all) != 7 {
				t.Fatalf("%d events, want 7", len(all))
			}
			for i := 1; i < len(all); i++ {
				if all[i].ID >= all[i-1].ID {
					t.Fatalf("events not newest first: ids %d then %d", all[i-1].ID, all[i].ID)
				}
			}
			if p, err := s.GetProject(f.ctx, tn, all[0].UID); err != nil || p.Name != "p6" {
				t.Errorf("newest event names %s (%v), want project p6", all[0].UID, err)
			}
			var paged []store.AuditEvent
			var sizes []int
			before := int64(0)
			for range 10 {
				page, err := s.ListAudit(f.ctx, store.AuditQuery{TenantUID: tn, BeforeID: before, Limit: 3})
				noErr(t, "ListAudit", err)
				sizes = append(sizes, len(page))
				if len(page) == 0 {
					break
				}
				paged = append(paged, page...)
				before = page[len(page)-1].ID
			}
			wantEqual(t, "page sizes", sizes, []int{3, 3, 1, 0})
			wantEqual(t, "paged events", paged, all)
		}},
		{"ListAudit with a project returns only that project's events", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}, "a", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, "b", "1.0.0")
			f.profile(store.Scope{TenantUID: sc.acme}, "c", "1.0.0")
			evs, err := s.ListAudit(f.ctx, store.AuditQuery{TenantUID: sc.acme, ProjectUID: sc.web})
			noErr(t, "ListAudit", err)
			wantEqual(t, "actions", keys(evs, func(e store.AuditEvent) string { return e.Action }), []string{"profile.create", "project.create"})
			for _, e := range evs {
				if e.ProjectUID != sc.web {
					t.Errorf("event of project %q listed for %q", e.ProjectUID, sc.web)
				}
			}
		}},
		{"ListAudit never returns another tenant's events", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			f.profile(store.Scope{TenantUID: sc.globex}, "x", "1.0.0")
			for _, e := range f.audit(sc.acme) {
				if e.TenantUID != sc.acme {
					t.Errorf("acme's log shows %+v", e)
				}
			}
			if evs := f.audit(sc.globex); len(evs) != 1 {
				t.Errorf("globex has %d events, want 1", len(evs))
			}
		}},
		{"a write that fails records no audit event", func(t *testing.T, s store.Store, clk *Clock) {
			f := newFx(t, s)
			sc := f.scopes()
			scope := store.Scope{TenantUID: sc.acme, ProjectUID: sc.web}
			reg := f.registry(sc.acme, sc.web, "private")
			pv := f.pack(reg.UID, "generic-byoi", "1.0.0", "os")
			key := f.apiKey(sc.acme, "", "deploy")
			prof := f.profile(scope, "rhel8-aws", "1.0.0")
			stale := prof
			noErr(t, "UpdateProfile", s.UpdateProfile(f.ctx, &prof, ev("profile.update")))
			n := len(f.audit(sc.acme))
			for _, tc := range []struct {
				name string
				want error
				do   func() error
			}{
				{"a project with a taken name", store.ErrExists, func() error {
					return s.CreateProject(f.ctx, &store.Project{TenantUID: sc.acme, Name: "web"}, ev("x"))
				}},
				{"an API key with a taken hash", store.ErrExists, func() error {
					return s.CreateAPIKey(f.ctx, &store.APIKey{Name: "y", TenantUID: sc.acme, Role: store.RoleAdmin, Hash: key.Hash}, ev("x"))
				}},
				{"revoking another tenant's key", store.ErrNotFound, func() error {
					return s.RevokeAPIKey(f.ctx, sc.globex, key.UID, store.AuditEvent{Action: "x", TenantUID: sc.acme})
				}},
				{"a registry with a taken name", store.ErrExists, func() error {
					return s.CreateRegistry(f.ctx, &store.Registry{Name: "private", TenantUID: sc.acme, ProjectUID: sc.web}, ev("x"))
				}},
				{"a pack version with another digest", store.ErrImmutable, func() error {
					_, err := s.PutPackVersion(f.ctx, &store.PackVersion{RegistryUID: reg.UID, Name: pv.Name, Version: pv.Version, Digest: "sha256:other"}, ev("x"))
					return err
				}},
				{"a profile with a taken name and version", store.ErrExists, func() error {
					return s.CreateProfile(f.ctx, &store.Profile{TenantUID: sc.acme, ProjectUID: sc.web, Name: prof.Name, Version: prof.Version}, ev("x"))
				}},
				{"an update from a stale revision", store.ErrConflict, func() error {
					return s.UpdateProfile(f.ctx, &stale, ev("x"))
				}},
				{"deleting from another project", store.ErrNotFound, func() error {
					return s.DeleteProfile(f.ctx, store.Scope{TenantUID: sc.acme, ProjectUID: sc.api}, prof.UID, store.AuditEvent{Action: "x", TenantUID: sc.acme})
				}},
			} {
				wantErr(t, tc.name, tc.do(), tc.want)
			}
			if m := len(f.audit(sc.acme)); m != n {
				t.Errorf("failed writes recorded %d events: %+v", m-n, f.audit(sc.acme)[:m-n])
			}
		}},
	}
}

// oneWinner checks that of concurrent updates from one revision exactly one
// succeeded and the others got ErrConflict.
func oneWinner(t *testing.T, round int, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, store.ErrConflict):
		default:
			t.Fatalf("round %d: UpdateProfile: %v", round, err)
		}
	}
	if wins != 1 {
		t.Fatalf("round %d: %d updates won, want 1", round, wins)
	}
}
