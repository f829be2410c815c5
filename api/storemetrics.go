package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/byoos/byoos/store"
)

func slogLevel(n int) slog.Level { return slog.Level(n) }

// timedStore measures every store operation.
type timedStore struct {
	store.Store
	m *metrics
}

func instrument(s store.Store, m *metrics) store.Store { return &timedStore{Store: s, m: m} }

func (t *timedStore) done(op string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	t.m.storeOps.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

func (t *timedStore) GetProject(ctx context.Context, tenantUID, uid string) (p store.Project, err error) {
	defer func(start time.Time) { t.done("get_project", start, err) }(time.Now())
	return t.Store.GetProject(ctx, tenantUID, uid)
}

func (t *timedStore) ListProjects(ctx context.Context, tenantUID string) (ps []store.Project, err error) {
	defer func(start time.Time) { t.done("list_projects", start, err) }(time.Now())
	return t.Store.ListProjects(ctx, tenantUID)
}

func (t *timedStore) APIKeyByHash(ctx context.Context, hash []byte) (k store.APIKey, err error) {
	defer func(start time.Time) { t.done("apikey_by_hash", start, err) }(time.Now())
	return t.Store.APIKeyByHash(ctx, hash)
}

func (t *timedStore) ListRegistries(ctx context.Context, tenantUID, projectUID string) (rs []store.Registry, err error) {
	defer func(start time.Time) { t.done("list_registries", start, err) }(time.Now())
	return t.Store.ListRegistries(ctx, tenantUID, projectUID)
}

func (t *timedStore) PutPackVersion(ctx context.Context, p *store.PackVersion, ev store.AuditEvent) (created bool, err error) {
	defer func(start time.Time) { t.done("put_pack_version", start, err) }(time.Now())
	return t.Store.PutPackVersion(ctx, p, ev)
}

func (t *timedStore) GetPackVersion(ctx context.Context, uid string) (p store.PackVersion, err error) {
	defer func(start time.Time) { t.done("get_pack_version", start, err) }(time.Now())
	return t.Store.GetPackVersion(ctx, uid)
}

func (t *timedStore) FindPacks(ctx context.Context, q store.PackQuery) (ps []store.PackVersion, err error) {
	defer func(start time.Time) { t.done("find_packs", start, err) }(time.Now())
	return t.Store.FindPacks(ctx, q)
}

func (t *timedStore) CreateProfile(ctx context.Context, p *store.Profile, ev store.AuditEvent) (err error) {
	defer func(start time.Time) { t.done("create_profile", start, err) }(time.Now())
	return t.Store.CreateProfile(ctx, p, ev)
}

func (t *timedStore) GetProfile(ctx context.Context, s store.Scope, uid string) (p store.Profile, err error) {
	defer func(start time.Time) { t.done("get_profile", start, err) }(time.Now())
	return t.Store.GetProfile(ctx, s, uid)
}

func (t *timedStore) ListProfiles(ctx context.Context, q store.ProfileQuery) (ps []store.Profile, err error) {
	defer func(start time.Time) { t.done("list_profiles", start, err) }(time.Now())
	return t.Store.ListProfiles(ctx, q)
}

func (t *timedStore) UpdateProfile(ctx context.Context, p *store.Profile, ev store.AuditEvent) (err error) {
	defer func(start time.Time) { t.done("update_profile", start, err) }(time.Now())
	return t.Store.UpdateProfile(ctx, p, ev)
}

func (t *timedStore) DeleteProfile(ctx context.Context, s store.Scope, uid string, ev store.AuditEvent) (err error) {
	defer func(start time.Time) { t.done("delete_profile", start, err) }(time.Now())
	return t.Store.DeleteProfile(ctx, s, uid, ev)
}
